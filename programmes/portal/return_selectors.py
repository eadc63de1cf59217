"""What a return's pages read: the return with everything its sections, check page and receipt show.

Returns are reached only through programmes.selectors.return_list, which scopes them to the user's organisation
(the office's readers of records read all; content editors none), so another organisation's return is a 404.
`return_sheet` makes the same number of queries however many budget lines, indicators or files the return has.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils.text import capfirst
from djmoney.money import Money

from funding.fiscal import Quarter
from funding.models import User
from funding.money import ZERO, format_gbp, gbp
from programmes import lifecycle, selectors
from programmes.models import (
    BREAKDOWN_CATEGORIES,
    Breakdown,
    BudgetLine,
    BudgetProfile,
    EvidenceFile,
    Indicator,
    IndicatorValue,
    QuarterlyReturn,
    ReturnTransition,
    SpendForecast,
    SpendLine,
    Target,
)
from programmes.services import NARRATIVE_FIELDS, return_missing_sections, spend_needs_explanation, today

Status = QuarterlyReturn.Status
NOT_STARTED, IN_PROGRESS, COMPLETED, CANNOT_START_YET = "Not started", "In progress", "Completed", "Cannot start yet"
# The narrative a return needs before its narrative section counts as completed.
NARRATIVE_REQUIRED = ("progress", "risks", "risk_rating", "next_quarter_plans")


def format_figure(indicator: Indicator, number: Decimal | None) -> str:
    """A figure as its unit reads: 61, £1,250.00, 12.5 hours."""
    if number is None:
        return ""
    if indicator.unit == Indicator.Unit.MONEY:
        return format_gbp(number)
    plain = f"{number.normalize():,f}"
    return f"{plain} hours" if indicator.unit == Indicator.Unit.HOURS else plain


def format_value(indicator: Indicator, value: IndicatorValue | None) -> str:
    """A stored figure: a percentage reads as its parts and the rate, "17 of 23 (74%)"."""
    if value is None:
        return ""
    if value.denominator:
        rate = (value.numerator / value.denominator * 100).quantize(Decimal("1"))
        return f"{format_figure(indicator, value.numerator)} of {format_figure(indicator, value.denominator)} ({rate}%)"
    return format_figure(indicator, value.value)


@dataclass(frozen=True)
class Forecast:
    quarter: Quarter
    planned: Money
    stored: Money | None


@dataclass(frozen=True)
class SpendRow:
    """One budget line in this quarter: the plan, what was reported, and the forecasts for the rest of the year."""

    budget_line: BudgetLine
    planned: Money
    spend: SpendLine | None
    forecasts: list[Forecast]

    @property
    def is_variance(self) -> bool:
        return self.spend is not None and spend_needs_explanation(actual=self.spend.actual, planned=self.planned)


@dataclass(frozen=True)
class BreakdownRow:
    breakdown: str
    label: str
    categories: list[tuple[str, IndicatorValue | None]]

    @property
    def given(self) -> list[tuple[str, IndicatorValue]]:
        return [(category, value) for category, value in self.categories if value is not None]


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator: this quarter's figure and breakdowns, next to the year's target and the total so far."""

    indicator: Indicator
    total: IndicatorValue | None
    breakdowns: list[BreakdownRow]
    target: Decimal | None
    so_far: str

    @property
    def total_display(self) -> str:
        return format_value(self.indicator, self.total)

    @property
    def target_display(self) -> str:
        return format_figure(self.indicator, self.target)

    def display(self, value: IndicatorValue | None) -> str:
        return format_value(self.indicator, value)


@dataclass(frozen=True)
class Task:
    """A line of the return's task list."""

    name: str
    title: str
    url_name: str
    status: str


@dataclass
class ReturnSheet:
    quarterly_return: QuarterlyReturn
    spend: list[SpendRow]
    indicators: list[IndicatorRow]
    evidence: list[EvidenceFile]
    spent_before: Money
    officer_comments: str
    missing: list[str] = field(default_factory=list)
    # Why it cannot be submitted yet, if its quarter has not ended (lifecycle.SUBMISSION_NOT_OPEN).
    submission_not_open: str | None = None

    @property
    def editable(self) -> bool:
        return self.quarterly_return.status in lifecycle.EDITABLE

    @property
    def submission_opens(self):
        return lifecycle.submission_opens(self.quarterly_return)

    @property
    def is_submitted(self) -> bool:
        return self.quarterly_return.status in {Status.SUBMITTED, Status.APPROVED}

    @property
    def reference(self) -> str:
        """What the provider quotes about this return: the grant's identifier and the quarter."""
        period = self.quarterly_return.period
        year = period.financial_year.start_year
        return f"{self.quarterly_return.grant.identifier}-Q{period.number}-{year}-{(year + 1) % 100:02d}"

    @property
    def narrative(self) -> list[tuple[str, str]]:
        quarterly_return = self.quarterly_return
        return [
            (
                capfirst(QuarterlyReturn._meta.get_field(name).verbose_name),
                quarterly_return.get_risk_rating_display()
                if name == "risk_rating"
                else getattr(quarterly_return, name),
            )
            for name in NARRATIVE_FIELDS
        ]

    @property
    def spent_this_quarter(self) -> Money:
        return sum((row.spend.actual for row in self.spend if row.spend), ZERO)

    @staticmethod
    def _status(*, started: bool, complete: bool) -> str:
        if complete:
            return COMPLETED
        return IN_PROGRESS if started else NOT_STARTED

    @property
    def tasks(self) -> list[Task]:
        answers = self.quarterly_return
        spent = sum(bool(row.spend) for row in self.spend)
        reported = sum(bool(row.total) for row in self.indicators)
        narrated = sum(bool(getattr(answers, name)) for name in NARRATIVE_REQUIRED)
        return [
            Task(
                "spend",
                "Spend",
                "portal:return_spend",
                self._status(started=spent > 0, complete=spent == len(self.spend)),
            ),
            Task(
                "indicators",
                "Indicators",
                "portal:return_indicators",
                self._status(started=reported > 0, complete=reported == len(self.indicators)),
            ),
            Task(
                "narrative",
                "Narrative",
                "portal:return_narrative",
                self._status(
                    started=any(getattr(answers, name) for name in NARRATIVE_FIELDS),
                    complete=narrated == len(NARRATIVE_REQUIRED),
                ),
            ),
            Task(
                "evidence",
                "Evidence",
                "portal:return_evidence",
                self._status(started=False, complete=bool(self.evidence)),
            ),
        ]

    @property
    def check_status(self) -> str:
        if self.is_submitted:
            return COMPLETED
        return CANNOT_START_YET if self.missing or self.submission_not_open else NOT_STARTED


def _returns(*, user: User) -> QuerySet[QuarterlyReturn]:
    return (
        selectors.return_list(user=user)
        .select_related("submitted_by", "grant__lead_officer")
        .prefetch_related(
            # Plain lookups: modelcluster's managers do not filter a Prefetch's own queryset by the grant, so a
            # query built on `grant.budget_lines` afterwards would see every grant's lines.
            "grant__budget_lines",
            "grant__areas",
            Prefetch("spend_lines", queryset=SpendLine.objects.order_by()),
            Prefetch("forecasts", queryset=SpendForecast.objects.order_by()),
            Prefetch("indicator_values", queryset=IndicatorValue.objects.order_by()),
            Prefetch("evidence", queryset=EvidenceFile.objects.select_related("uploaded_by").order_by("uploaded_at")),
            Prefetch(
                "transitions",
                queryset=ReturnTransition.objects.filter(to_status=Status.RETURNED).order_by("-at"),
                to_attr="sent_back",
            ),
        )
    )


def _spend_rows(quarterly_return: QuarterlyReturn) -> list[SpendRow]:
    grant, period = quarterly_return.grant, quarterly_return.period
    grant_quarters = set(grant.quarters)
    later = [q for q in period.remaining_in_year() if q in grant_quarters]
    planned = {
        (line_id, quarter): gbp(amount)
        for line_id, quarter, amount in BudgetProfile.objects.filter(
            budget_line__grant=grant, financial_year=quarterly_return.financial_year
        ).values_list("budget_line_id", "quarter", "amount")
    }
    spend = {row.budget_line_id: row for row in quarterly_return.spend_lines.all()}
    forecasts = {(row.budget_line_id, row.quarter): row.amount for row in quarterly_return.forecasts.all()}
    return [
        SpendRow(
            budget_line=line,
            planned=planned.get((line.pk, period.number), ZERO),
            spend=spend.get(line.pk),
            forecasts=[
                Forecast(q, planned.get((line.pk, q.number), ZERO), forecasts.get((line.pk, q.number))) for q in later
            ],
        )
        for line in grant.budget_lines.all()
    ]


def _so_far(indicator: Indicator, values: list[IndicatorValue]) -> str:
    """The year to date from approved returns and this one, aggregated as the indicator says.

    Percentages pool their parts (17 of 23 and 20 of 29 make 37 of 52), which is why they are stored that way.
    """
    if not values:
        return ""
    values = sorted(values, key=lambda value: value.quarter)
    if indicator.aggregation == Indicator.Aggregation.LATEST:
        return format_value(indicator, values[-1])
    if indicator.unit == Indicator.Unit.PERCENTAGE:
        pooled = IndicatorValue(
            numerator=sum(v.numerator for v in values), denominator=sum(v.denominator for v in values)
        )
        return format_value(indicator, pooled)
    total = sum(v.value for v in values)
    if indicator.aggregation == Indicator.Aggregation.MEAN:
        total = (total / len(values)).quantize(Decimal("0.01"))
    return format_figure(indicator, total)


def _indicator_rows(quarterly_return: QuarterlyReturn) -> list[IndicatorRow]:
    grant = quarterly_return.grant
    indicators = list(
        # Outputs ("output" sorts after "outcome") before outcomes, as providers count them.
        Indicator.objects.filter(programme_id=grant.programme_id, scope=Indicator.Scope.PROGRAMME).order_by(
            "-kind", "name"
        )
    )
    targets = dict(
        Target.objects.filter(
            grant=grant, financial_year=quarterly_return.financial_year, quarter__isnull=True
        ).values_list("indicator_id", "value")
    )
    year_values = defaultdict(list)
    approved = IndicatorValue.objects.filter(
        grant=grant,
        financial_year=quarterly_return.financial_year,
        breakdown="",
        quarterly_return__isnull=False,
        approved_at__isnull=False,
    ).exclude(quarterly_return=quarterly_return)
    for value in approved:
        year_values[value.indicator_id].append(value)
    stored = {(v.indicator_id, v.breakdown, v.category): v for v in quarterly_return.indicator_values.all()}
    categories = {**BREAKDOWN_CATEGORIES, Breakdown.AREA: [area.name for area in grant.areas.all()]}
    rows = []
    for indicator in indicators:
        total = stored.get((indicator.pk, "", ""))
        breakdowns = []
        # A breakdown is of a single figure; a percentage's two parts are not broken down (DOMAIN: counts only).
        if indicator.unit != Indicator.Unit.PERCENTAGE:
            breakdowns = [
                BreakdownRow(
                    breakdown,
                    Breakdown(breakdown).label,
                    [(c, stored.get((indicator.pk, breakdown, c))) for c in categories[breakdown]],
                )
                for breakdown in indicator.breakdowns
                if categories[breakdown]
            ]
        this_quarter = [total] if total else []
        rows.append(
            IndicatorRow(
                indicator=indicator,
                total=total,
                breakdowns=breakdowns,
                target=targets.get(indicator.pk),
                so_far=_so_far(indicator, year_values[indicator.pk] + this_quarter),
            )
        )
    return rows


def return_sheet(*, user: User, pk: int) -> ReturnSheet:
    """A return as its pages show it; a 404 for a return the user may not see."""
    quarterly_return = get_object_or_404(_returns(user=user), pk=pk)
    year, quarter = quarterly_return.financial_year, quarterly_return.quarter
    earlier = Q(quarterly_return__financial_year__lt=year) | Q(
        quarterly_return__financial_year=year, quarterly_return__quarter__lt=quarter
    )
    spent_before = SpendLine.objects.filter(earlier, quarterly_return__grant_id=quarterly_return.grant_id).aggregate(
        total=Sum("actual")
    )["total"]
    sent_back = quarterly_return.sent_back
    sheet = ReturnSheet(
        quarterly_return=quarterly_return,
        spend=_spend_rows(quarterly_return),
        indicators=_indicator_rows(quarterly_return),
        evidence=list(quarterly_return.evidence.all()),
        spent_before=gbp(spent_before or 0),
        officer_comments=sent_back[0].reason if sent_back and quarterly_return.status == Status.RETURNED else "",
    )
    if sheet.editable:
        sheet.missing = return_missing_sections(quarterly_return=quarterly_return)
        sheet.submission_not_open = lifecycle.submission_not_open(quarterly_return=quarterly_return, on=today())
    return sheet
