"""Money helpers: pounds sterling as exact decimals, and the way amounts are written for people."""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

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


def split_by_weight(amount: Decimal, weights: dict[int, Decimal]) -> dict[int, Decimal]:
    """Share an amount out in proportion to the weights, in pence that add up to the amount exactly.

    Each share is rounded down to the penny and the pennies left over go to the largest remainders (ties to the
    lower key), so £100 over three equal charges is £33.34, £33.33 and £33.33.
    """
    total = sum(weights.values())
    if not total:
        raise ValueError("Cannot share out over weights that add up to nothing")
    exact = {key: amount * weight / total for key, weight in weights.items()}
    shares = {key: value.quantize(PENNY, rounding=ROUND_DOWN) for key, value in exact.items()}
    pennies = int((amount - sum(shares.values())) / PENNY)
    by_remainder = sorted(exact, key=lambda key: (shares[key] - exact[key], key))
    for key in by_remainder[:pennies]:
        shares[key] += PENNY
    return shares


def format_gbp(amount: Money | Decimal) -> str:
    """£1,234,567.89, as a finance officer reads it."""
    value = amount.amount if isinstance(amount, Money) else amount
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.2f}"


def format_gbp_short(amount: Money | Decimal) -> str:
    """£850, £970k, £3.1m: where space is short (headlines, axes). The exact figure belongs beside it, in a table."""
    value = amount.amount if isinstance(amount, Money) else Decimal(amount)
    sign, value = ("-" if value < 0 else ""), abs(value)
    thousands = value / 1000
    if _round(thousands, "1") >= 1000:
        return f"{sign}£{_trimmed(_round(value / 1_000_000, '0.1'))}m"
    if value >= 1000:
        return f"{sign}£{_round(thousands, '1'):,}k"
    return f"{sign}£{_round(value, '1'):,}"


def _round(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _trimmed(value: Decimal) -> str:
    """3.1 stays 3.1; 3.0 becomes 3; thousands are grouped."""
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,}"
