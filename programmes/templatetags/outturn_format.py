"""How amounts are written for people, in templates: the same helpers the services use in their messages."""

from django import template

from funding.money import format_gbp, format_gbp_short

register = template.Library()


@register.filter
def gbp(amount) -> str:
    """£1,234,567.89"""
    return "" if amount is None else format_gbp(amount)


@register.filter
def gbp_short(amount) -> str:
    """£3.1m, £970k"""
    return "" if amount is None else format_gbp_short(amount)
