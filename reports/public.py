"""What the public site shows: approved figures only, small counts of people suppressed, money in DESIGN.md's words.

The cms pages call these from `get_context()`; nothing here writes. Each function makes a fixed number of queries
however much data there is, and hands back plain values the templates only print.

- Indicators: `indicator_progress_list(indicators)` gives, for each indicator, its approved figures by quarter
  (summed over the grants delivering it; percentages pool numerators and denominators), each financial year's
  figure aggregated as the indicator says, its targets, breakdowns, revisions and a chart. An indicator's public
  figures are always the same whichever page shows them, so a cell withheld on one page is withheld everywhere.
- Money: "invested" is committed (grant charges of active and closed grants); "spent to date" is spend
  reported in approved returns, split between the streams of a co-funded grant in proportion to that year's
  charges. `money_rows()` is the only query; `money_summary()` and friends add its rows up.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Q, Sum
from djmoney.money import Money

from funding.fiscal import FinancialYear, Quarter
from funding.models import Allocation, FundingStream, Organisation
from funding.money import PENNY, format_gbp_short, gbp
from programmes.models import (
    BREAKDOWN_CATEGORIES,
    Breakdown,
    Grant,
    GrantCharge,
    GrantVariation,
    Indicator,
    IndicatorValue,
    Programme,
    QuarterlyReturn,
    ReturnTransition,
    Target,
)
from reports import suppression
from reports.charts import MISSING, Chart, Series
from reports.formats import MONEY, PERCENTAGE, format_exact, format_short
from reports.models import StreamGrantQuarter
from reports.suppression import WITHHELD_TEXT, Shown

# Grants whose charges count as invested: an agreed award, whether still running or finished.
COMMITTED_STATUSES = (Grant.Status.ACTIVE, Grant.Status.CLOSED)
NOT_RECORDED = "Not recorded"
PENCE_ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


# --- Figures as the public reads them -------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicFigure:
    """One published figure. `value` is None when there is none or it is withheld, so it cannot leak."""

    unit: str
    value: Decimal | None
    state: Shown = Shown.SHOWN

    @classmethod
    def of(cls, unit: str, value: Decimal | None, state: Shown) -> "PublicFigure":
        return cls(unit, value if state is Shown.SHOWN else None, state)

    @property
    def is_shown(self) -> bool:
        return self.state is Shown.SHOWN

    @property
    def text(self) -> str:
        """Exact, for tables: 61, £969,640.00, 74.5%, "fewer than 5", "not shown"."""
        return self._words() or format_exact(self.unit, self.value)

    @property
    def short(self) -> str:
        """Rounded, for headlines: £970k."""
        return self._words() or format_short(self.unit, self.value)

    def _words(self) -> str:
        if self.state is Shown.SMALL:
            return suppression.small_count_text()
        if self.state is Shown.WITHHELD:
            return WITHHELD_TEXT
        if self.state is Shown.MISSING:
            return MISSING
        return ""


@dataclass(frozen=True)
class BreakdownTable:
    label: str  # "Age band"
    rows: list[tuple[str, PublicFigure]]


@dataclass
class YearFigures:
    financial_year: FinancialYear
    total: PublicFigure
    to_quarter: Quarter | None  # the latest quarter with an approved figure in the year
    target: Decimal | None
    breakdowns: list[BreakdownTable] = field(default_factory=list)
    direction: str = Indicator.Direction.HIGHER  # the indicator's: a lower-is-better target is a ceiling

    @property
    def period_label(self) -> str:
        """ "2024/25" for a whole year; "2025/26, April to September" for a year so far."""
        label = self.financial_year.label
        if self.to_quarter is None or self.to_quarter.number == 4:
            return label
        return f"{label}, April to {self.to_quarter.end:%B}"

    @property
    def target_text(self) -> str:
        if self.target is None:
            return ""
        return format_exact(self.total.unit, self.target)

    @property
    def is_ceiling(self) -> bool:
        return self.direction == Indicator.Direction.LOWER

    @property
    def share_of_target(self) -> str:
        """ "82%" of a target to reach (higher is better), only when the figure itself is shown. Nothing for a
        ceiling: 101% of a ceiling reads as success when it is 1% too many."""
        if self.is_ceiling or self.target is None or not self.target or not self.total.is_shown:
            return ""
        return f"{(self.total.value / self.target * HUNDRED).quantize(Decimal(1), ROUND_HALF_UP)}%"

    @property
    def target_progress(self) -> str:
        """The one place progress against a target is worded, for every page and dashboard that shows it:
        "82% of the target of 55" where higher is better; where lower is better the target is a ceiling, so
        "4 above the ceiling of 30", "at the ceiling of 30" or "within the ceiling of 30 (6 below)". Empty
        without a target or a shown figure."""
        if self.target is None or not self.total.is_shown:
            return ""
        unit, value, target = self.total.unit, self.total.value, self.target
        if not self.is_ceiling:
            return f"{self.share_of_target} of the target of {format_exact(unit, target)}" if target else ""
        ceiling = format_exact(unit, target)
        if value > target:
            return f"{_difference(unit, value - target)} above the ceiling of {ceiling}"
        if value == target:
            return f"at the ceiling of {ceiling}"
        return f"within the ceiling of {ceiling} ({_difference(unit, target - value)} below)"


@dataclass(frozen=True)
class BaselineChange:
    amount: Decimal  # signed: per cent of the baseline, or percentage points for a rate
    points: bool
    baseline: str
    baseline_date: datetime.date

    @property
    def signed(self) -> str:
        """ "−38%" or "−7.4 points", with a true minus sign."""
        sign = "−" if self.amount < 0 else "+" if self.amount > 0 else ""
        number = _plain_number(abs(self.amount))
        return f"{sign}{number} points" if self.points else f"{sign}{number}%"

    @property
    def words(self) -> str:
        """ "38% lower", "7.4 percentage points lower"."""
        number = _plain_number(abs(self.amount))
        size = f"{number} percentage points" if self.points else f"{number}%"
        return f"{size} {'lower' if self.amount < 0 else 'higher'}"


def _plain_number(value: Decimal) -> str:
    return format_exact("count", value)


def _difference(unit: str, amount: Decimal) -> str:
    """A gap between two figures: "4", "£1,200.00", "2.5 percentage points" (not "2.5%", a share of something)."""
    return f"{_plain_number(amount)} percentage points" if unit == PERCENTAGE else format_exact(unit, amount)


@dataclass
class IndicatorProgress:
    indicator: Indicator
    quarters: list[Quarter]
    by_quarter: list[PublicFigure]
    quarter_targets: list[Decimal | None]
    years: list[YearFigures]
    updated: datetime.datetime | None
    revised: dict[Quarter, datetime.datetime]

    @property
    def unit(self) -> str:
        return self.indicator.unit

    @property
    def has_figures(self) -> bool:
        return any(figure.state is not Shown.MISSING for figure in self.by_quarter)

    @property
    def latest(self) -> tuple[Quarter, PublicFigure] | None:
        for quarter, figure in zip(reversed(self.quarters), reversed(self.by_quarter), strict=True):
            if figure.state is not Shown.MISSING:
                return quarter, figure
        return None

    @property
    def latest_year(self) -> YearFigures | None:
        return self.years[-1] if self.years else None

    @property
    def headline(self) -> tuple[str, PublicFigure] | None:
        """The figure a live figure shows: the latest level, or the latest year's total so far."""
        if self.indicator.aggregation == Indicator.Aggregation.LATEST:
            latest = self.latest
            return (latest[0].label, latest[1]) if latest else None
        year = self.latest_year
        if not year:
            return None
        return year.period_label, year.total

    @property
    def change_from_baseline(self) -> "BaselineChange | None":
        """For a level with a baseline, how far the latest shown figure is from it (38% lower)."""
        indicator, latest = self.indicator, self.latest
        if indicator.aggregation != Indicator.Aggregation.LATEST or not indicator.baseline_value or not latest:
            return None
        if not latest[1].is_shown:
            return None
        difference = latest[1].value - indicator.baseline_value
        points = self.unit == PERCENTAGE  # a rate against a rate: the difference in points, not a ratio
        amount = difference if points else difference / indicator.baseline_value * HUNDRED
        return BaselineChange(
            amount=amount.quantize(Decimal("0.1"), ROUND_HALF_UP),
            points=points,
            baseline=format_exact(self.unit, indicator.baseline_value),
            baseline_date=indicator.baseline_date,
        )

    @property
    def headline_revised(self) -> datetime.datetime | None:
        """When the figures behind the headline were last revised, if they were."""
        if self.indicator.aggregation == Indicator.Aggregation.LATEST:
            latest = self.latest
            return self.revised.get(latest[0]) if latest else None
        year = self.latest_year
        dates = [at for quarter, at in self.revised.items() if year and quarter.financial_year == year.financial_year]
        return max(dates, default=None)

    @property
    def baseline_text(self) -> str:
        value = self.indicator.baseline_value
        return "" if value is None else format_exact(self.unit, value)

    @property
    def revised_quarters(self) -> list[tuple[Quarter, datetime.datetime]]:
        return sorted(self.revised.items())

    @property
    def summary(self) -> str:
        """One sentence saying what the chart shows, for its caption and for screen readers."""
        latest = self.latest
        if not latest:
            return f"There are no approved figures for {self.indicator.name.lower()} yet."
        quarter, figure = latest
        sentence = f"The latest approved figure is {figure.text} in {quarter.label}"
        first = next((pair for pair in zip(self.quarters, self.by_quarter, strict=True) if pair[1].is_shown), None)
        if first and first[0] != quarter and figure.is_shown:
            sentence += f", against {first[1].text} in {first[0].label}"
        if change := self.change_from_baseline:
            sentence += f": {change.words} than the baseline of {change.baseline} ({change.baseline_date:%B %Y})"
        return sentence + "."

    @property
    def target_label(self) -> str:
        """What a target is called: a lower-is-better indicator's is the most it should be."""
        return "Ceiling" if self.indicator.direction == Indicator.Direction.LOWER else "Target"

    def chart(self, *, title: str = "", html_id: str = "") -> Chart:
        levels = self.indicator.aggregation != Indicator.Aggregation.SUM or self.unit == PERCENTAGE
        targets = self.quarter_targets
        return Chart(
            title=title or self.indicator.name,
            summary=self.summary,
            categories=tuple(quarter.label for quarter in self.quarters),
            series=(
                Series(
                    "Approved figure",
                    tuple(figure.value for figure in self.by_quarter),
                    tuple(None if figure.is_shown else figure.text for figure in self.by_quarter),
                ),
            ),
            kind="line" if levels else "bar",
            unit=self.unit,
            target=Series(self.target_label, tuple(targets)) if any(t is not None for t in targets) else None,
            category_label="Quarter",
            updated=self.updated.date() if self.updated else None,
            html_id=html_id or f"chart-{self.indicator.slug}",
        )


@dataclass
class _Cell:
    """Approved values of one indicator in one quarter (one category, or the total), summed over grants."""

    value: Decimal | None = None
    numerator: Decimal = Decimal(0)
    denominator: Decimal = Decimal(0)

    def add(self, value, numerator, denominator) -> None:
        if value is not None:
            self.value = (self.value or Decimal(0)) + value
        self.numerator += numerator or 0
        self.denominator += denominator or 0

    def rate(self) -> Decimal | None:
        return self.numerator / self.denominator * HUNDRED if self.denominator else None


def _year_value(indicator: Indicator, cells: list[tuple[Quarter, _Cell]]) -> Decimal | None:
    """The year's figure from its quarters, as the indicator aggregates; percentages pool their parts, so that
    17 of 20 and then 3 of 80 make 20%, not the mean of 85% and 4%."""
    if not cells:
        return None
    if indicator.aggregation == Indicator.Aggregation.LATEST:
        last = cells[-1][1]
        return last.rate() if indicator.unit == PERCENTAGE else last.value
    if indicator.unit == PERCENTAGE:
        pooled = _Cell()
        for _, cell in cells:
            pooled.add(None, cell.numerator, cell.denominator)
        return pooled.rate()
    values = [cell.value for _, cell in cells if cell.value is not None]
    if not values:
        return None
    total = sum(values, Decimal(0))
    return total if indicator.aggregation == Indicator.Aggregation.SUM else total / len(values)


def _cell_value(indicator: Indicator, cell: _Cell | None) -> Decimal | None:
    if cell is None:
        return None
    return cell.rate() if indicator.unit == PERCENTAGE else cell.value


def _percentage_state(indicator: Indicator, cell: _Cell | None, limit: int) -> Shown:
    """A rate of people is withheld when it rests on a small number either side (2 of 30 or 28 of 30)."""
    if cell is None or not cell.denominator:
        return Shown.MISSING
    if indicator.counts_people and any(
        0 < part < limit for part in (cell.numerator, cell.denominator - cell.numerator)
    ):
        return Shown.WITHHELD
    return Shown.SHOWN


def _quarter_range(present: Iterable[Quarter]) -> list[Quarter]:
    present = sorted(present)
    if not present:
        return []
    quarters, quarter = [], present[0]
    while quarter <= present[-1]:
        quarters.append(quarter)
        quarter = quarter.next()
    return quarters


def _breakdown(
    indicator: Indicator, dimension: str, cells: dict[str, list[tuple[Quarter, _Cell]]], total: YearFigures, limit: int
) -> BreakdownTable | None:
    """A year's figure by category, with what was not broken down as its own row, suppressed as one group.

    Published only beside a shown total, for counts summed over the year: anything else could give away the
    total or a part of it.
    """
    if not total.total.is_shown or indicator.aggregation != Indicator.Aggregation.SUM or indicator.unit == PERCENTAGE:
        return None
    order = BREAKDOWN_CATEGORIES.get(dimension, [])
    categories = sorted(cells, key=lambda c: (order.index(c) if c in order else len(order), c))
    values = [_year_value(indicator, cells[category]) or Decimal(0) for category in categories]
    rest = total.total.value - sum(values, Decimal(0))
    if rest > 0:
        categories.append(NOT_RECORDED)
        values.append(rest)
    if indicator.counts_people:
        group = suppression.suppress_group(values, total.total.value, limit=limit)
        if group.total is not Shown.SHOWN:
            return None
        states = group.parts
    else:
        states = [Shown.SHOWN] * len(values)
    rows = [
        (category, PublicFigure.of(indicator.unit, value, state))
        for category, value, state in zip(categories, values, states, strict=True)
    ]
    return BreakdownTable(Breakdown(dimension).label, rows)


def _targets(indicator_ids: list[int]) -> dict[tuple[int, int, int | None], Decimal]:
    """Targets by (indicator, year, quarter or None): the programme's own where set, else its grants' added up."""
    rows = (
        Target.objects.filter(indicator_id__in=indicator_ids)
        .filter(Q(programme__isnull=False) | Q(grant__status__in=COMMITTED_STATUSES))
        .values("indicator_id", "financial_year", "quarter", "programme_id")
        .annotate(total=Sum("value"))
        .order_by()
    )
    own: dict[tuple[int, int, int | None], Decimal] = defaultdict(Decimal)
    from_grants: dict[tuple[int, int, int | None], Decimal] = defaultdict(Decimal)
    for row in rows:
        key = (row["indicator_id"], row["financial_year"], row["quarter"])
        (own if row["programme_id"] else from_grants)[key] += row["total"]
    return {**from_grants, **own}


def _revisions(programme_ids: set[int]) -> dict[int, dict[Quarter, datetime.datetime]]:
    """Quarters of each programme with a return approved again after being reopened, and when."""
    rows = (
        ReturnTransition.objects.filter(
            to_status=QuarterlyReturn.Status.APPROVED,
            quarterly_return__status=QuarterlyReturn.Status.APPROVED,
            quarterly_return__grant__programme_id__in=programme_ids,
        )
        .values(
            "quarterly_return_id",
            "quarterly_return__grant__programme_id",
            "quarterly_return__financial_year",
            "quarterly_return__quarter",
        )
        .annotate(approvals=Count("pk"), last=Max("at"))
        .filter(approvals__gte=2)
        .order_by()
    )
    revised: dict[int, dict[Quarter, datetime.datetime]] = defaultdict(dict)
    for row in rows:
        quarter = Quarter(FinancialYear(row["quarterly_return__financial_year"]), row["quarterly_return__quarter"])
        programme = revised[row["quarterly_return__grant__programme_id"]]
        programme[quarter] = max(row["last"], programme.get(quarter, row["last"]))
    return revised


def indicator_progress_list(
    indicators: Iterable[Indicator], *, suppress: bool = True, up_to: Quarter | None = None
) -> list[IndicatorProgress]:
    """The approved figures of each indicator, in the order given; three queries for any number of them.

    The public site always suppresses small counts of people; the office's own dashboards pass suppress=False
    to read every approved figure as it is. `up_to` stops at a quarter, for a report on a period gone by.
    """
    indicators = list(indicators)
    ids = [indicator.pk for indicator in indicators]
    if not ids:
        return []
    limit = suppression.threshold() if suppress else 0
    totals: dict[int, dict[Quarter, _Cell]] = defaultdict(dict)
    parts: dict[tuple[int, str], dict[str, dict[Quarter, _Cell]]] = defaultdict(lambda: defaultdict(dict))
    updated: dict[int, datetime.datetime] = {}
    rows = (
        IndicatorValue.objects.filter(indicator_id__in=ids, approved_at__isnull=False)
        .filter(_up_to(up_to))
        .values("indicator_id", "financial_year", "quarter", "breakdown", "category")
        .annotate(value=Sum("value"), numerator=Sum("numerator"), denominator=Sum("denominator"), at=Max("approved_at"))
        .order_by()
    )
    for row in rows:
        quarter = Quarter(FinancialYear(row["financial_year"]), row["quarter"])
        indicator_id = row["indicator_id"]
        if row["breakdown"]:
            cell = parts[(indicator_id, row["breakdown"])][row["category"]].setdefault(quarter, _Cell())
        else:
            cell = totals[indicator_id].setdefault(quarter, _Cell())
            updated[indicator_id] = max(row["at"], updated.get(indicator_id, row["at"]))
        cell.add(row["value"], row["numerator"], row["denominator"])
    targets = _targets(ids)
    revisions = _revisions({indicator.programme_id for indicator in indicators if indicator.programme_id})
    return [
        _progress(
            indicator,
            totals[indicator.pk],
            parts,
            targets,
            revisions.get(indicator.programme_id, {}),
            updated.get(indicator.pk),
            limit,
        )
        for indicator in indicators
    ]


def _up_to(quarter: Quarter | None) -> Q:
    if quarter is None:
        return Q()
    year = quarter.financial_year.start_year
    return Q(financial_year__lt=year) | Q(financial_year=year, quarter__lte=quarter.number)


def _progress(indicator, totals, parts, targets, revised, updated, limit) -> IndicatorProgress:
    quarters = _quarter_range(totals)
    summed = indicator.aggregation != Indicator.Aggregation.LATEST and indicator.unit != PERCENTAGE
    figures: dict[Quarter, PublicFigure] = {}
    years = []
    for year in sorted({quarter.financial_year for quarter in quarters}):
        in_year = [q for q in quarters if q.financial_year == year]
        cells = [(q, totals[q]) for q in in_year if q in totals]
        values = [_cell_value(indicator, totals.get(q)) for q in in_year]
        total = _year_value(indicator, cells)
        if indicator.unit == PERCENTAGE:
            states = [_percentage_state(indicator, totals.get(q), limit) for q in in_year]
            pooled = _Cell()
            for _, cell in cells if indicator.aggregation != Indicator.Aggregation.LATEST else cells[-1:]:
                pooled.add(None, cell.numerator, cell.denominator)
            total_state = _percentage_state(indicator, pooled, limit)
        elif not indicator.counts_people:
            states = [Shown.MISSING if v is None else Shown.SHOWN for v in values]
            total_state = Shown.MISSING if total is None else Shown.SHOWN
        elif summed:
            group = suppression.suppress_group(values, total, limit=limit)
            states, total_state = group.parts, group.total
        else:  # a level: the year's figure is its latest quarter's, suppressed alike
            states = suppression.suppress_alone(values, limit=limit)
            total_state = next((s for s in reversed(states) if s is not Shown.MISSING), Shown.MISSING)
        for quarter, value, state in zip(in_year, values, states, strict=True):
            figures[quarter] = PublicFigure.of(indicator.unit, value, state)
        figure = YearFigures(
            financial_year=year,
            total=PublicFigure.of(indicator.unit, total, total_state),
            to_quarter=cells[-1][0] if cells else None,
            target=targets.get((indicator.pk, year.start_year, None)),
            direction=indicator.direction,
        )
        for dimension in indicator.breakdowns:
            by_category = {
                category: [(q, cell) for q, cell in sorted(per_quarter.items()) if q.financial_year == year]
                for category, per_quarter in parts.get((indicator.pk, dimension), {}).items()
            }
            by_category = {category: cells for category, cells in by_category.items() if cells}
            if by_category and (table := _breakdown(indicator, dimension, by_category, figure, limit)):
                figure.breakdowns.append(table)
        years.append(figure)
    quarter_targets = []
    for quarter in quarters:
        target = targets.get((indicator.pk, quarter.financial_year.start_year, quarter.number))
        if target is None and not summed:  # a level's target for the year holds in each of its quarters
            target = targets.get((indicator.pk, quarter.financial_year.start_year, None))
        quarter_targets.append(target)
    return IndicatorProgress(
        indicator=indicator,
        quarters=quarters,
        by_quarter=[figures[quarter] for quarter in quarters],
        quarter_targets=quarter_targets,
        years=years,
        updated=updated,
        revised={quarter: at for quarter, at in revised.items() if quarter in figures},
    )


def withdrawn_quarters(programme: Programme) -> list[Quarter]:
    """Quarters of a programme with a return reopened after approval and not yet approved again: its figures
    are off the public site until it is."""
    rows = (
        QuarterlyReturn.objects.filter(
            grant__programme=programme, transitions__to_status=QuarterlyReturn.Status.APPROVED
        )
        .exclude(status=QuarterlyReturn.Status.APPROVED)
        .values_list("financial_year", "quarter")
        .distinct()
        .order_by("financial_year", "quarter")
    )
    return [Quarter(FinancialYear(year), number) for year, number in rows]


# --- Money ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MoneyRow:
    """Money of one programme from one stream in one financial year, in pounds."""

    stream_id: int
    programme_id: int
    financial_year: int
    committed: Decimal = Decimal(0)
    spent: Decimal = Decimal(0)
    committed_on: datetime.date | None = None  # when the commitment was last agreed or varied
    spent_on: datetime.date | None = None  # when the latest return counted here was approved


def money_rows() -> list[MoneyRow]:
    """Committed and spent money by stream, programme and financial year (four queries).

    Spend is attributed to a co-funded grant's streams in proportion to that year's charges, or to the grant's
    charges over all years where that year has none (reports.figures does the sharing).
    """
    agreed: dict[int, datetime.date] = {}
    committed: dict[tuple[int, int, int], Decimal] = defaultdict(Decimal)
    committed_on: dict[tuple[int, int, int], datetime.date] = {}
    varied = dict(
        GrantVariation.objects.filter(kind__in=[GrantVariation.Kind.AMOUNT, GrantVariation.Kind.CHARGES])
        .values_list("grant_id")
        .annotate(last=Max("made_at"))
        .order_by()
    )
    for row in GrantCharge.objects.values(
        "grant_id", "grant__programme_id", "grant__status", "grant__award_date", "stream_id", "financial_year", "amount"
    ):
        grant, stream, year = row["grant_id"], row["stream_id"], row["financial_year"]
        agreed[grant] = (
            max(row["grant__award_date"], varied[grant].date()) if grant in varied else row["grant__award_date"]
        )
        if row["grant__status"] in COMMITTED_STATUSES:
            key = (stream, row["grant__programme_id"], year)
            committed[key] += row["amount"]
            committed_on[key] = max(agreed[grant], committed_on.get(key, agreed[grant]))
    # Spend comes from the dashboards' summary, already shared between a co-funded grant's streams (ADR 4).
    spent = {
        (row["stream_id"], row["grant__programme_id"], row["financial_year"]): Decimal(row["total"]).quantize(PENNY)
        for row in StreamGrantQuarter.objects.values("stream_id", "grant__programme_id", "financial_year")
        .annotate(total=Sum("spent"))
        .order_by()
    }
    approved_on = {
        (programme, year): at.date()
        for programme, year, at in QuarterlyReturn.objects.filter(status=QuarterlyReturn.Status.APPROVED)
        .values_list("grant__programme_id", "financial_year")
        .annotate(last=Max("approved_at"))
        .order_by()
        if at
    }
    spent_on = {key: approved_on.get(key[1:]) for key in spent}
    return [
        MoneyRow(
            stream_id=key[0],
            programme_id=key[1],
            financial_year=key[2],
            committed=committed.get(key, Decimal(0)),
            spent=spent.get(key, Decimal(0)),
            committed_on=committed_on.get(key),
            spent_on=spent_on.get(key),
        )
        for key in sorted(set(committed) | set(spent), key=lambda k: (k[0] or 0, k[1], k[2]))
    ]


@dataclass(frozen=True)
class YearMoney:
    financial_year: FinancialYear
    allocated: Money | None
    invested: Money
    spent: Money


@dataclass(frozen=True)
class MoneySummary:
    invested: Money
    spent: Money
    by_year: list[YearMoney]
    invested_on: datetime.date | None
    spent_on: datetime.date | None

    @property
    def allocated(self) -> Money | None:
        years = [year.allocated for year in self.by_year if year.allocated is not None]
        return sum(years[1:], years[0]) if years else None

    # Headlines round (£970k); the exact figure goes beside them and in the table.
    @property
    def invested_short(self) -> str:
        return format_gbp_short(self.invested)

    @property
    def invested_exact(self) -> str:
        return format_exact(MONEY, self.invested)

    @property
    def spent_short(self) -> str:
        return format_gbp_short(self.spent)

    @property
    def spent_exact(self) -> str:
        return format_exact(MONEY, self.spent)

    @property
    def allocated_short(self) -> str:
        return format_gbp_short(self.allocated) if self.allocated is not None else ""

    @property
    def allocated_exact(self) -> str:
        return format_exact(MONEY, self.allocated) if self.allocated is not None else ""

    @property
    def sentence(self) -> str:
        """What the money chart shows, in one sentence."""
        if not self.by_year:
            return "No money has been committed yet."
        years = self.by_year[0].financial_year.label
        if len(self.by_year) > 1:
            years += f" to {self.by_year[-1].financial_year.label}"
        allocated = f"Of {format_gbp_short(self.allocated)} allocated, " if self.allocated is not None else ""
        invested = f"{format_gbp_short(self.invested)} {'is' if allocated else 'was'} invested"
        return f"{allocated}{invested} in {years} and {format_gbp_short(self.spent)} has been spent to date."

    def chart(self, *, title: str, summary: str = "") -> Chart:
        with_allocations = any(year.allocated is not None for year in self.by_year)
        series = [
            Series("Invested", tuple(year.invested.amount for year in self.by_year)),
            Series("Spent", tuple(year.spent.amount for year in self.by_year)),
        ]
        if with_allocations:
            allocated = Series(
                "Allocated", tuple(year.allocated.amount if year.allocated else None for year in self.by_year)
            )
            series.insert(0, allocated)
        return Chart(
            title=title,
            summary=summary or self.sentence,
            categories=tuple(year.financial_year.label for year in self.by_year),
            series=tuple(series),
            kind="bar",
            unit=MONEY,
            category_label="Financial year",
            updated=max(filter(None, (self.invested_on, self.spent_on)), default=None),
        )


def money_summary(
    rows: list[MoneyRow], *, stream: FundingStream | None = None, programme_id: int | None = None
) -> MoneySummary:
    """Invested and spent, in total and by financial year, for the whole Alliance, a stream or a programme.

    For a stream the years include its allocations (one more query).
    """
    chosen = [
        row
        for row in rows
        if (stream is None or row.stream_id == stream.pk) and (programme_id is None or row.programme_id == programme_id)
    ]
    allocations = (
        dict(Allocation.objects.filter(stream=stream).values_list("financial_year", "amount")) if stream else {}
    )
    years = sorted({row.financial_year for row in chosen} | set(allocations))
    by_year = [
        YearMoney(
            financial_year=FinancialYear(year),
            allocated=gbp(allocations[year]) if year in allocations else None,
            invested=gbp(sum((row.committed for row in chosen if row.financial_year == year), PENCE_ZERO)),
            spent=gbp(sum((row.spent for row in chosen if row.financial_year == year), PENCE_ZERO)),
        )
        for year in years
    ]
    return MoneySummary(
        invested=gbp(sum((row.committed for row in chosen), PENCE_ZERO)),
        spent=gbp(sum((row.spent for row in chosen), PENCE_ZERO)),
        by_year=by_year,
        invested_on=max((row.committed_on for row in chosen if row.committed_on), default=None),
        spent_on=max((row.spent_on for row in chosen if row.spent_on), default=None),
    )


def programmes_funded(rows: list[MoneyRow], *, stream: FundingStream | None = None) -> dict[int, Money]:
    """Programme id → invested (from the stream, if given), for programmes with money committed."""
    invested: dict[int, Decimal] = defaultdict(Decimal)
    for row in rows:
        if row.committed and (stream is None or row.stream_id == stream.pk):
            invested[row.programme_id] += row.committed
    return {programme_id: gbp(amount) for programme_id, amount in invested.items()}


def programme_streams(rows: list[MoneyRow]) -> dict[int, set[int]]:
    """Programme id → the ids of the streams that fund it."""
    streams: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        if row.committed and row.stream_id:
            streams[row.programme_id].add(row.stream_id)
    return streams


def programme_providers(programme_ids: Iterable[int]) -> dict[int, list[Organisation]]:
    """Programme id → the providers delivering it under an agreed grant, by name (one query)."""
    grants = (
        Grant.objects.filter(programme_id__in=list(programme_ids), status__in=COMMITTED_STATUSES)
        .select_related("provider")
        .order_by("provider__name")
    )
    providers: dict[int, dict[int, Organisation]] = defaultdict(dict)
    for grant in grants:
        providers[grant.programme_id].setdefault(grant.provider_id, grant.provider)
    return {programme_id: list(by_id.values()) for programme_id, by_id in providers.items()}
