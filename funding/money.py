"""Money helpers: pounds sterling as exact decimals, and the way amounts are written for people."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from djmoney.money import Money

from funding.fields import GBP

ZERO = Money(Decimal("0.00"), GBP)
PENNY = Decimal("0.01")


def gbp(amount: Decimal | int | str) -> Money:
    """Money in pounds from an exact value; refuses floats, which cannot hold pence exactly."""
    if isinstance(amount, float):
        raise TypeError("Money is built from Decimal, int or str, never float")
    return Money(Decimal(amount), GBP)


def money_validate(amount: Money, *, label: str) -> None:
    """The checks the database makes on every amount, as a message naming it, before anything is written."""
    if amount.currency.code != GBP:
        raise ValidationError(f"{label} must be in pounds sterling (GBP).")
    if amount.amount < 0:
        raise ValidationError(f"{label} cannot be negative.")
    if amount.amount != amount.amount.quantize(PENNY):
        raise ValidationError(f"{label} must be in pounds and pence, like 1250.50.")


def gbp_sum(amounts) -> Money:
    total = ZERO
    for amount in amounts:
        total += amount if isinstance(amount, Money) else gbp(amount)
    return total


def format_gbp(amount: Money | Decimal) -> str:
    """£1,234,567.89, as a finance officer reads it."""
    value = amount.amount if isinstance(amount, Money) else amount
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.2f}"


def format_gbp_short(amount: Money | Decimal) -> str:
    """£3.1m, £970k, £850: where space is short. The exact figure belongs next to it, in a table or a title."""
    value = amount.amount if isinstance(amount, Money) else amount
    sign, value = ("-" if value < 0 else ""), abs(value)
    for size, suffix in ((Decimal(1_000_000), "m"), (Decimal(1_000), "k")):
        if value >= size:
            scaled = (value / size).quantize(Decimal("0.1") if value < size * 100 else Decimal(1))
            if scaled >= 1000 and suffix == "k":
                return f"{sign}£{(value / 1_000_000).quantize(Decimal('0.1')).normalize():f}m"
            return f"{sign}£{scaled.normalize():f}{suffix}"
    return f"{sign}£{value.quantize(Decimal(1)):,f}"
