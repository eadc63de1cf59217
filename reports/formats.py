"""How figures are written for people: exact (in data tables and CSV files) and short (in headlines and on axes).

The units are Indicator.Unit's values, so `format_exact(indicator.unit, value)` works for any indicator; money is in
pounds as a Decimal (or Money). Percentages are given as 0–100, already worked out from numerator and denominator.
"""

from decimal import ROUND_HALF_UP, Decimal

from djmoney.money import Money

from funding.money import format_gbp, format_gbp_short

COUNT, PERCENTAGE, MONEY = "count", "percentage", "money"  # Indicator.Unit values; "hours" reads as a count


def _rounded(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _plain(value: Decimal, max_places: int) -> str:
    """1,234 or 1,234.5: grouped thousands, no trailing zeros, at most max_places decimals."""
    value = _rounded(value, max_places)
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value.normalize():,f}"


def format_exact(unit: str, value: Decimal | Money) -> str:
    """The figure as a data table shows it: £969,640.00, 1,234, 62.5%, 1,234.5."""
    if unit == MONEY:
        return format_gbp(value)
    if unit == PERCENTAGE:
        return f"{_plain(value, 1)}%"
    return _plain(value, 2)


def format_short(unit: str, value: Decimal | Money) -> str:
    """The figure as a headline or an axis shows it: £970k, 1,234, 62%."""
    if unit == MONEY:
        return format_gbp_short(value)
    if unit == PERCENTAGE:
        return f"{_plain(value, 0)}%"
    return _plain(value, 1)
