"""Value for money: what each output cost per unit, from approved returns only.

For an output indicator, the cost per unit over a period is the spend of the grants that deliver it divided by the
output they delivered, both from the same approved returns:

- the grant-quarters counted are those whose return is approved (the dashboards' summary rows say so), of grants
  of the indicator's programme, and of any other grant that reported an approved figure for the indicator;
- spent is each such grant-quarter's whole spend (a co-funded grant's shares summed over its streams);
- the output is the approved total (not a breakdown category) each grant reported for that quarter; a grant-quarter
  that reported none counts as none.

An output of nothing gives no cost per unit (it says "no approved output" instead), and no figure ever comes from a
return waiting for review. Only outputs summed over periods (counts and hours) have a cost per unit: a running total
or a latest value does not say what one period's spend bought.

A programme with several outputs gives each of them its whole spend: the costs per unit of one programme do not add
up. A count of people counts each person once per programme and provider that supports them, so a cost per person
is per person counted there, not per person helped overall.

Every read is a fixed number of queries however large the estate, aggregated in the database by indicator, grant
and quarter.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.db.models import Sum
from djmoney.money import Money

from funding.fiscal import FinancialYear, Quarter
from funding.models import User
from funding.money import PENNY, ZERO, gbp
from programmes.models import Grant, Indicator, IndicatorValue
from reports.formats import format_exact
from reports.models import StreamGrantQuarter
from reports.selectors import _money, _require_dashboard_user

COSTED_UNITS = (Indicator.Unit.COUNT, Indicator.Unit.HOURS)
NO_RETURN = "No approved return"
NO_OUTPUT = "No approved output"
PEOPLE_CAVEAT = (
    "Counts people: someone supported by more than one programme or provider is counted by each, so this is the "
    "cost per person counted here, not per person helped overall, and costs per person of different programmes "
    "cannot be added together."
)
PEOPLE_CAVEAT_SHORT = "Counts people, who may be counted by several programmes."
SHARED_SPEND_NOTE = (
    "Each output's cost per unit divides all the spend of the grants that deliver it by that output alone: a "
    "programme with several outputs gives each the whole spend, so its costs per unit do not add up."
)
NOT_COSTED_NOTE = (
    "A running total or a latest value does not say what one period's spend bought, so it has no cost per unit."
)


def is_costed(indicator: Indicator) -> bool:
    """Whether an output has a cost per unit: one summed over periods, in units that can be bought one by one."""
    return (
        indicator.kind == Indicator.Kind.OUTPUT
        and indicator.aggregation == Indicator.Aggregation.SUM
        and indicator.unit in COSTED_UNITS
    )


@dataclass(frozen=True)
class Cost:
    """Spent and the approved output over some grant-quarters, and the cost per unit when there is an output."""

    spent: Money = ZERO
    output: Decimal = Decimal(0)
    returns: int = 0  # grant-quarters with an approved return counted
    unit: str = Indicator.Unit.COUNT  # the output's

    @property
    def per_unit(self) -> Money | None:
        if self.output <= 0:
            return None
        return gbp((self.spent.amount / self.output).quantize(PENNY, rounding=ROUND_HALF_UP))

    @property
    def missing(self) -> str:
        """Why there is no cost per unit, in words; empty when there is one."""
        if not self.returns:
            return NO_RETURN
        return "" if self.per_unit is not None else NO_OUTPUT

    @property
    def output_text(self) -> str:
        """52, or 2,480 hours."""
        text = format_exact(self.unit, self.output)
        return f"{text} hours" if self.unit == Indicator.Unit.HOURS else text

    def __add__(self, other: "Cost") -> "Cost":
        return Cost(self.spent + other.spent, self.output + other.output, self.returns + other.returns, other.unit)


def _add_up(costs: Iterable[Cost], unit: str) -> Cost:
    return sum(costs, Cost(unit=unit))


@dataclass(frozen=True)
class Cell:
    """One grant in one quarter whose return is approved: its whole spend and what it reported for one output."""

    grant: Grant
    quarter: Quarter
    spent: Money
    output: Decimal
    unit: str

    @property
    def cost(self) -> Cost:
        return Cost(self.spent, self.output, 1, self.unit)


@dataclass(frozen=True)
class CostLine:
    """A part of an indicator's figures (a programme or a provider) over the period and in each quarter."""

    label: str
    total: Cost
    by_quarter: list[Cost]


@dataclass(frozen=True)
class IndicatorCost:
    indicator: Indicator
    quarters: list[Quarter]
    cells: list[Cell]

    def cost(self, *, quarter: Quarter | None = None) -> Cost:
        return _add_up((cell.cost for cell in self.cells if quarter is None or cell.quarter == quarter), self.unit)

    @cached_property
    def total(self) -> Cost:
        return self.cost()

    @cached_property
    def by_quarter(self) -> list[Cost]:
        return [self.cost(quarter=quarter) for quarter in self.quarters]

    @property
    def programme_name(self) -> str:
        return self.indicator.programme.name if self.indicator.programme else "Several programmes"

    def _lines(self, key) -> list[CostLine]:
        groups: dict[str, list[Cell]] = {}
        for cell in sorted(self.cells, key=key):
            groups.setdefault(key(cell), []).append(cell)
        return [
            CostLine(
                label=label,
                total=_add_up((cell.cost for cell in cells), self.unit),
                by_quarter=[_add_up((c.cost for c in cells if c.quarter == q), self.unit) for q in self.quarters],
            )
            for label, cells in groups.items()
        ]

    @cached_property
    def by_programme(self) -> list[CostLine]:
        return self._lines(lambda cell: cell.grant.programme.name)

    @cached_property
    def by_provider(self) -> list[CostLine]:
        return self._lines(lambda cell: cell.grant.provider.name)

    @property
    def unit(self) -> str:
        return self.indicator.unit

    @property
    def caveat(self) -> str:
        return PEOPLE_CAVEAT if self.indicator.counts_people else ""

    @property
    def short_caveat(self) -> str:
        return PEOPLE_CAVEAT_SHORT if self.indicator.counts_people else ""


@dataclass(frozen=True)
class ValueForMoney:
    year: FinancialYear
    quarters: list[Quarter]  # the period: the whole year, or its quarters up to the one asked for
    indicators: list[IndicatorCost]  # the outputs with a cost per unit and an approved return in the period
    without_returns: list[Indicator]  # the outputs with a cost per unit but no approved return in the period
    not_costed: list[Indicator]  # outputs that are not summed over periods

    shared_spend_note = SHARED_SPEND_NOTE
    not_costed_note = NOT_COSTED_NOTE

    @property
    def people_caveat(self) -> str:
        """The caveat in words, when any output shown counts people."""
        return PEOPLE_CAVEAT if any(item.indicator.counts_people for item in self.indicators) else ""

    @property
    def period_label(self) -> str:
        """2024/25, Q1 2024/25, or Q1 to Q3 2024/25."""
        if len(self.quarters) == 4:
            return self.year.label
        if len(self.quarters) == 1:
            return self.quarters[0].label
        return f"Q1 to {self.quarters[-1].label}"


def value_for_money_get(*, user: User, year: FinancialYear, quarter: Quarter | None = None) -> ValueForMoney:
    """Each output's cost per unit in a financial year (to the end of `quarter`, when given: the year to date), with
    its parts by programme, provider and quarter. Four queries whatever the size of the estate (and the user's
    roles)."""
    _require_dashboard_user(user)
    if quarter is not None and quarter.financial_year != year:
        raise ValueError(f"{quarter} is not in {year}")
    quarters = year.quarters[: quarter.number] if quarter else year.quarters
    last = quarters[-1].number

    outputs = list(
        Indicator.objects.filter(kind=Indicator.Kind.OUTPUT)
        .select_related("programme")
        .order_by("programme__name", "name", "pk")
    )
    costed = [indicator for indicator in outputs if is_costed(indicator)]

    # Approved grant-quarters and their whole spend, summed over the streams that share it.
    approved = StreamGrantQuarter.objects.filter(
        financial_year=year.start_year, quarter__lte=last, return_approved=True
    )
    spent: dict[tuple[int, int], Money] = {
        (row["grant"], row["quarter"]): _money(row["spent"])
        for row in approved.values("grant", "quarter").annotate(spent=Sum("spent")).order_by("grant", "quarter")
    }
    grants = Grant.objects.filter(pk__in=approved.values("grant")).select_related("provider", "programme").in_bulk()

    # Each grant's approved total for each output in each quarter; kept only where the return is approved too.
    reported: dict[int, dict[tuple[int, int], Decimal]] = {indicator.pk: {} for indicator in costed}
    values = (
        IndicatorValue.objects.filter(
            indicator__in=[indicator.pk for indicator in costed],
            financial_year=year.start_year,
            quarter__lte=last,
            approved_at__isnull=False,
            breakdown="",
            grant__isnull=False,
            value__isnull=False,
        )
        .values("indicator", "grant", "quarter")
        .annotate(output=Sum("value"))
        .order_by("indicator", "grant", "quarter")
    )
    for row in values:
        if (row["grant"], row["quarter"]) in spent:
            reported[row["indicator"]][(row["grant"], row["quarter"])] = Decimal(row["output"]).quantize(PENNY)

    by_programme: dict[int, set[tuple[int, int]]] = {}
    for grant_id, quarter_number in spent:
        by_programme.setdefault(grants[grant_id].programme_id, set()).add((grant_id, quarter_number))
    by_number = {q.number: q for q in quarters}
    items, without_returns = [], []
    for indicator in costed:
        outputs_of = reported[indicator.pk]
        keys = set(outputs_of)
        if indicator.programme_id and indicator.scope == Indicator.Scope.PROGRAMME:
            keys |= by_programme.get(indicator.programme_id, set())
        if not keys:
            without_returns.append(indicator)
            continue
        cells = [
            Cell(
                grant=grants[grant_id],
                quarter=by_number[quarter_number],
                spent=spent[(grant_id, quarter_number)],
                output=outputs_of.get((grant_id, quarter_number), Decimal(0)),
                unit=indicator.unit,
            )
            for grant_id, quarter_number in sorted(keys)
        ]
        items.append(IndicatorCost(indicator=indicator, quarters=quarters, cells=cells))
    return ValueForMoney(
        year=year,
        quarters=quarters,
        indicators=items,
        without_returns=without_returns,
        not_costed=[indicator for indicator in outputs if not is_costed(indicator)],
    )


CSV_COLUMNS = (
    "Indicator",
    "Unit",
    "Counts people",
    "Programme",
    "Provider",
    "Period",
    "Spent (£)",
    "Approved output",
    "Cost per unit (£)",
    "Note",
)


def value_for_money_csv_rows(value_for_money: ValueForMoney) -> Iterable[list]:
    """The dashboard's figures one per row, for a spreadsheet: each output for all its providers and for each
    provider, over the period and in each quarter; money as plain pounds, an empty cost per unit where there is
    none and the reason in the note."""
    for item in value_for_money.indicators:
        indicator = item.indicator
        lines = [("All providers", CostLine("", item.total, item.by_quarter))]
        lines += [(line.label, line) for line in item.by_provider]
        for provider, line in lines:
            periods = [(value_for_money.period_label, line.total), *zip(item.quarters, line.by_quarter, strict=True)]
            for period, cost in periods:
                per_unit = cost.per_unit
                yield [
                    indicator.name,
                    indicator.get_unit_display(),
                    "yes" if indicator.counts_people else "no",
                    item.programme_name,
                    provider,
                    str(period),
                    cost.spent.amount,
                    f"{cost.output.normalize():f}",
                    "" if per_unit is None else per_unit.amount,
                    cost.missing or item.caveat,
                ]
