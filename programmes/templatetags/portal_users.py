"""Template helpers for the portal's users pages and the navigation item that leads to them."""

from django import template

from funding.roles import Role

register = template.Library()


@register.filter
def manages_users(user) -> bool:
    """Whether the signed-in user is a provider approver, who manages the organisation's users."""
    return bool(user.is_authenticated and user.is_provider_user and user.has_role(Role.PROVIDER_APPROVER))


@register.filter
def startswith(text: str, prefix: str) -> bool:
    return bool(prefix) and str(text).startswith(str(prefix))
