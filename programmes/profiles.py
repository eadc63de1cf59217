"""Budget profiles that follow the money rules: in each financial year a grant's profile equals what it charges the
funding streams for that year (DESIGN.md), and each line's profile adds up to the line.

These build profile rows in memory; the grant services save them. A year's share of each line is proportional to
what the year still needs, in pence that add up exactly both ways (by line and by year), and each share is spread
evenly over the year's quarters.
"""

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from djmoney.money import Money

from funding.fiscal import FinancialYear, Quarter
from funding.money import PENNY, ZERO, format_gbp, gbp, gbp_sum, split_by_weight
from programmes.models import BudgetLine, BudgetProfile, Grant, GrantCharge

PROFILE_YEAR_NOT_CHARGES = (
    "In {year} the budget profile adds up to {profiled}, but the grant charges {charged} to funding streams for "
    "that year: each year's profile must equal its charges."
)
PROFILE_YEAR_PAST_CHARGES = (
    "Quarters of {year} before {first} already plan {planned}, more than the {charged} the grant charges for that "
    "year: change the charges for {year}, or the profile of those quarters."
)
PROFILE_YEAR_NO_QUARTERS = (
    "{year} still needs {needed} profiled to match its charges, but none of its quarters from {first} is within the "
    "grant's dates: change the charges for {year}."
)
PROFILE_LINE_PAST_AMOUNT = (
    "{line} already plans {planned} before {first}, more than its amount of {amount}: change its profile first."
)


def line_key(line: BudgetLine) -> int:
    """Names a line whether it is saved or still only in a form."""
    return line.pk or id(line)


def charges_by_year(charges: list[GrantCharge]) -> dict[int, Money]:
    totals: dict[int, Money] = defaultdict(lambda: ZERO)
    for charge in charges:
        totals[charge.financial_year] += charge.amount
    return dict(totals)


def profile_by_year(rows: list[BudgetProfile]) -> dict[int, Money]:
    totals: dict[int, Money] = defaultdict(lambda: ZERO)
    for row in rows:
        totals[row.financial_year] += row.amount
    return dict(totals)


def year_mismatches(*, charges: list[GrantCharge], rows: list[BudgetProfile]) -> list[str]:
    """The years whose profile differs from their charges, in words an officer can act on."""
    charged, profiled = charges_by_year(charges), profile_by_year(rows)
    return [
        PROFILE_YEAR_NOT_CHARGES.format(
            year=FinancialYear(year),
            profiled=format_gbp(profiled.get(year, ZERO)),
            charged=format_gbp(charged.get(year, ZERO)),
        )
        for year in sorted(set(charged) | set(profiled))
        if charged.get(year, ZERO) != profiled.get(year, ZERO)
    ]


def profile_to_charges(
    *,
    grant: Grant,
    charges: list[GrantCharge],
    spread: list[BudgetLine],
    kept: list[BudgetProfile],
    first: Quarter,
) -> dict[int, list[BudgetProfile]]:
    """New profile rows for the `spread` lines, from quarter `first` on, so that with the `kept` rows (every other
    line's, and the spread lines' before `first`) each year's profile equals its charges.

    Returns the spread lines' complete profiles (kept rows included) keyed by the line's position in `spread`.
    Raises ValidationError naming the year or line when the rows that stay already pass what is charged.
    """
    quarters_by_year: dict[int, list[Quarter]] = defaultdict(list)
    for quarter in grant.quarters:
        if quarter >= first:
            quarters_by_year[quarter.financial_year.start_year].append(quarter)
    charged = charges_by_year(charges)
    year_need = {year: amount.amount for year, amount in charged.items()}
    for row in kept:
        year_need[row.financial_year] = year_need.get(row.financial_year, Decimal(0)) - row.amount.amount
    for year, need in year_need.items():
        if need < 0:
            planned = gbp_sum(row.amount for row in kept if row.financial_year == year)
            raise ValidationError(
                PROFILE_YEAR_PAST_CHARGES.format(
                    year=FinancialYear(year),
                    first=first,
                    planned=format_gbp(planned),
                    charged=format_gbp(charged.get(year, ZERO)),
                )
            )
        if need > 0 and not quarters_by_year.get(year):
            raise ValidationError(
                PROFILE_YEAR_NO_QUARTERS.format(year=FinancialYear(year), needed=format_gbp(gbp(need)), first=first)
            )

    kept_by_line: dict[int, list[BudgetProfile]] = {}
    line_need: list[Decimal] = []
    for position, line in enumerate(spread):
        own = [row for row in kept if line_key(row.budget_line) == line_key(line)]
        kept_by_line[position] = own
        need = line.amount.amount - sum((row.amount.amount for row in own), Decimal(0))
        if need < 0:
            raise ValidationError(
                PROFILE_LINE_PAST_AMOUNT.format(
                    line=line.name,
                    planned=format_gbp(gbp_sum(row.amount for row in own)),
                    first=first,
                    amount=format_gbp(line.amount),
                )
            )
        line_need.append(need)

    profiles: dict[int, list[BudgetProfile]] = {}
    cells = lines_over_years(line_needs=line_need, year_needs=year_need)
    for position, line in enumerate(spread):
        rows = list(kept_by_line[position])
        for year, amount in sorted(cells[position].items()):
            rows += _evenly(line, quarters_by_year[year], gbp(amount))
        profiles[position] = rows
    return profiles


def lines_over_years(*, line_needs: list[Decimal], year_needs: dict[int, Decimal]) -> list[dict[int, Decimal]]:
    """How much of each line goes in each year, when the lines and the years must each add up to their needs (which
    add up to the same total): each line is shared in proportion to what each year still needs, so the earlier
    lines never take more than a year has left and the last takes exactly what is left. Years with nothing are
    left out."""
    remaining = {year: need for year, need in year_needs.items() if need > 0}
    cells = []
    for position, need in enumerate(line_needs):
        if position == len(line_needs) - 1:
            shares = dict(remaining)
        elif need and sum(remaining.values()):
            shares = split_by_weight(need, remaining)
        else:
            shares = {}
        shares = {year: amount for year, amount in shares.items() if amount > 0}
        for year, amount in shares.items():
            remaining[year] -= amount
        cells.append(shares)
    return cells


def _evenly(line: BudgetLine, quarters: list[Quarter], amount: Money) -> list[BudgetProfile]:
    """An amount over the quarters in equal parts, the odd pence in the last."""
    share = gbp((amount.amount / len(quarters)).quantize(PENNY, rounding="ROUND_DOWN"))
    rows = [
        BudgetProfile(budget_line=line, financial_year=q.financial_year.start_year, quarter=q.number, amount=share)
        for q in quarters
    ]
    rows[-1].amount = amount - share * (len(quarters) - 1)
    return rows
