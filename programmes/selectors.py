"""Reads of programmes, grants and their workflow records, scoped to who is asking.

The office reads everything; a provider's users read only their own organisation's grants and what hangs off
them. Each function keeps the joins its screens need, so a listing makes the same number of queries however
many rows it shows.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from djmoney.money import Money

from funding.fiscal import FinancialYear, Quarter
from funding.models import User
from funding.money import ZERO, gbp, gbp_sum
from funding.roles import PROVIDER_ROLES, Role
from programmes.models import (
    BudgetLine,
    BudgetProfile,
    EvidenceFile,
    Grant,
    GrantCharge,
    GrantVariation,
    Indicator,
    IndicatorValue,
    Payment,
    Programme,
    QuarterlyReturn,
    ReturnTransition,
    SpendForecast,
    SpendLine,
    Target,
)


def _scope(*, user: User, queryset: QuerySet, provider_field: str, many: bool = False) -> QuerySet:
    """Everything for the office's readers of records; a provider's own records for its users; nothing for anyone
    else, content editors included (funding.roles.RECORD_READER_ROLES).

    Every view and file of these records, in the back office, the portal and reports/ (a return's receipt, its
    evidence), reads through a selector built on this, so who may see which record is decided here and only here.
    `many` says the path to the provider crosses a one-to-many relation, so rows must not repeat.
    """
    if user.reads_office_records:
        return queryset
    if user.is_provider_user and user.organisation_id:
        scoped = queryset.filter(**{provider_field: user.organisation_id})
        return scoped.distinct() if many else scoped
    return queryset.none()


def programme_list(*, user: User) -> QuerySet[Programme]:
    grants = Grant.objects.filter(programme=OuterRef("pk")).order_by().values("programme").annotate(n=Count("pk"))
    programmes = Programme.objects.select_related("senior_responsible_officer").annotate(
        grant_count=Coalesce(Subquery(grants.values("n")), 0)
    )
    return _scope(user=user, queryset=programmes, provider_field="grants__provider", many=True)


def programme_get(*, user: User, pk: int) -> Programme:
    return get_object_or_404(programme_list(user=user).prefetch_related("areas"), pk=pk)


def _overridden_charges():
    return GrantCharge.objects.filter(grant=OuterRef("pk")).exclude(override_reason="")


def _returns_not_approved():
    return QuarterlyReturn.objects.filter(grant=OuterRef("pk")).exclude(status=QuarterlyReturn.Status.APPROVED)


def _returns_not_approved_count():
    counted = _returns_not_approved().order_by().values("grant").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


def grant_list(*, user: User) -> QuerySet[Grant]:
    grants = Grant.objects.select_related("provider", "programme", "lead_officer").annotate(
        has_override=Exists(_overridden_charges()), returns_not_approved=_returns_not_approved_count()
    )
    return _scope(user=user, queryset=grants, provider_field="provider")


def grant_get(*, user: User, pk: int) -> Grant:
    grant = grant_list(user=user).prefetch_related(
        "areas",
        Prefetch("charges", queryset=GrantCharge.objects.select_related("stream", "overridden_by")),
        Prefetch("budget_lines", queryset=BudgetLine.objects.prefetch_related("profile")),
        Prefetch("variations", queryset=GrantVariation.objects.select_related("made_by")),
    )
    return get_object_or_404(grant, pk=pk)


def budget_line_list(*, user: User) -> QuerySet[BudgetLine]:
    profiled = (
        BudgetProfile.objects.filter(budget_line=OuterRef("pk"))
        .order_by()
        .values("budget_line")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    lines = BudgetLine.objects.select_related("grant", "grant__provider", "grant__programme").annotate(
        profiled=Subquery(profiled)
    )
    return _scope(user=user, queryset=lines, provider_field="grant__provider")


def budget_line_get(*, user: User, pk: int) -> BudgetLine:
    return get_object_or_404(budget_line_list(user=user).prefetch_related("profile"), pk=pk)


def indicator_list(*, user: User) -> QuerySet[Indicator]:
    indicators = Indicator.objects.select_related("programme", "area")
    return _scope(user=user, queryset=indicators, provider_field="programme__grants__provider", many=True)


def target_list(*, user: User) -> QuerySet[Target]:
    targets = Target.objects.select_related("indicator", "grant", "grant__provider", "programme")
    return _scope(user=user, queryset=targets, provider_field="grant__provider")


def charge_override_list(*, user: User) -> QuerySet[GrantCharge]:
    """Grant charges an officer took past their stream's year allocation, with the reason recorded."""
    charges = (
        GrantCharge.objects.exclude(override_reason="")
        .select_related("grant", "grant__provider", "grant__programme", "stream", "overridden_by")
        .order_by("-overridden_at", "-pk")
    )
    return _scope(user=user, queryset=charges, provider_field="grant__provider")


def payment_override_list(*, user: User) -> QuerySet[Payment]:
    """Payments that took a grant's payments past its amount, with the reason recorded."""
    payments = (
        Payment.objects.exclude(override_reason="")
        .select_related("grant", "grant__provider", "grant__programme", "overridden_by")
        .order_by("-overridden_at", "-pk")
    )
    return _scope(user=user, queryset=payments, provider_field="grant__provider")


def return_list(*, user: User) -> QuerySet[QuarterlyReturn]:
    returns = QuarterlyReturn.objects.select_related("grant", "grant__provider", "grant__programme")
    return _scope(user=user, queryset=returns, provider_field="grant__provider")


def return_get(*, user: User, pk: int) -> QuarterlyReturn:
    """A return with everything its inspect screen shows: timeline, spend, forecasts, indicator values."""
    quarterly_return = (
        return_list(user=user)
        .select_related("submitted_by")
        .prefetch_related(
            Prefetch("transitions", queryset=ReturnTransition.objects.select_related("by").order_by("at", "pk")),
            Prefetch("spend_lines", queryset=SpendLine.objects.select_related("budget_line")),
            Prefetch("forecasts", queryset=SpendForecast.objects.select_related("budget_line")),
            Prefetch("indicator_values", queryset=IndicatorValue.objects.select_related("indicator")),
            "evidence",
            "payments",
        )
    )
    return get_object_or_404(quarterly_return, pk=pk)


def payment_list(*, user: User, on: datetime.date | None = None) -> QuerySet[Payment]:
    """Payments the user may see; given a day, each says whether it is due for approval then
    (`is_due_for_approval`, by the rule in `programmes.models.payment_due_for_approval`)."""
    payments = Payment.objects.select_related("grant", "grant__provider", "grant__programme", "released_by_return")
    if on is not None:
        payments = payments.with_due_for_approval(on)
    return _scope(user=user, queryset=payments, provider_field="grant__provider")


def payment_get(*, user: User, pk: int, on: datetime.date | None = None) -> Payment:
    payments = payment_list(user=user, on=on).select_related("overridden_by", "approved_by")
    return get_object_or_404(payments, pk=pk)


def payment_approval_list(*, user: User, on: datetime.date) -> QuerySet[Payment]:
    """The payments due for finance's approval on a day, oldest first (by the quarter they are for, then date)."""
    return (
        payment_list(user=user, on=on)
        .due_for_approval(on)
        .order_by("financial_year", "quarter", "date", "grant__identifier", "pk")
    )


def grant_payment_list(*, grant: Grant, on: datetime.date) -> QuerySet[Payment]:
    """A grant's payments for its page, in the order they fall due, each with the return that released it."""
    return (
        grant.payments.select_related("released_by_return", "approved_by")
        .with_due_for_approval(on)
        .order_by("financial_year", "quarter", "date", "pk")
    )


def indicator_value_list(*, user: User) -> QuerySet[IndicatorValue]:
    values = IndicatorValue.objects.select_related(
        "indicator__programme", "grant__provider", "quarterly_return", "entered_by", "approved_by"
    )
    return _scope(user=user, queryset=values, provider_field="grant__provider")


def indicator_value_get(*, user: User, pk: int) -> IndicatorValue:
    return get_object_or_404(indicator_value_list(user=user), pk=pk)


def variation_list(*, user: User) -> QuerySet[GrantVariation]:
    variations = GrantVariation.objects.select_related("grant", "grant__provider", "grant__programme", "made_by")
    return _scope(user=user, queryset=variations, provider_field="grant__provider")


def variation_get(*, user: User, pk: int) -> GrantVariation:
    return get_object_or_404(variation_list(user=user), pk=pk)


def office_work_counts(*, on: datetime.date) -> dict[str, int]:
    """What waits for the office on a given day: returns to review, overdue and sent back, and payments due for
    finance's approval. (Limits passed are the read side's: reports.limits, on the funding overview panel.)"""
    counts = QuarterlyReturn.objects.aggregate(
        to_review=Count("pk", filter=Q(status=QuarterlyReturn.Status.SUBMITTED)),
        returned=Count("pk", filter=Q(status=QuarterlyReturn.Status.RETURNED)),
    )
    counts["overdue"] = return_overdue_list(on=on).count()  # of every year, as the first screen says (OverdueCount)
    counts["payments_due"] = Payment.objects.due_for_approval(on).count()
    return counts


# --- Overdue returns, and which period a count of them covers ---------------------------------------------------


def return_overdue_list(*, on: datetime.date, year: FinancialYear | None = None) -> QuerySet[QuarterlyReturn]:
    """The returns overdue on a day (`return_overdue`): those of one financial year, or of every year. The first
    screen's two overdue counts (work waiting, in all years; the funding overview's streams, for the current year)
    are both read from here, and each is worded by OverdueCount with the period it covers."""
    returns = QuarterlyReturn.objects.overdue(on)
    return returns if year is None else returns.filter(financial_year=year.start_year)


@dataclass(frozen=True)
class OverdueCount:
    """A count of overdue returns and the period it covers, in words: "3 returns overdue for 2026/27" beside
    "5 returns overdue in all years", so that two counts side by side do not read as one disagreeing with the other.
    """

    count: int
    year: FinancialYear | None = None  # None: the returns of every year

    @property
    def words(self) -> str:
        """What is counted, without the number: "returns overdue for 2026/27", "return overdue in all years"."""
        period = f"for {self.year.label}" if self.year is not None else "in all years"
        return f"{'return' if self.count == 1 else 'returns'} overdue {period}"

    def __str__(self) -> str:
        return f"{self.count} {self.words}"


# --- The office's review of returns -------------------------------------------------------------------------

# A budget line whose spend is more than this far from its quarter's profile, either way, is flagged for the
# officer, and the provider is asked to explain it.
VARIANCE_FLAG_PERCENT = Decimal(10)


def return_review_queue(*, user: User) -> QuerySet[QuarterlyReturn]:
    """Submitted returns waiting for the office, the one submitted longest ago first."""
    return return_list(user=user).filter(status=QuarterlyReturn.Status.SUBMITTED).order_by("submitted_at", "pk")


def return_days_waiting(*, quarterly_return: QuarterlyReturn, on: datetime.date) -> int | None:
    """Whole days since the return was submitted, on the given day."""
    if quarterly_return.submitted_at is None:
        return None
    return (on - timezone.localdate(quarterly_return.submitted_at)).days


@dataclass(frozen=True)
class Variance:
    amount: Money  # spent less planned
    percent: Decimal | None  # of the planned amount; None when nothing was planned
    flagged: bool


def spend_variance(*, actual: Money, planned: Money) -> Variance:
    """How far spend is from its profile. Spending anything where nothing was planned is always flagged."""
    difference = actual - planned
    if not planned.amount:
        return Variance(amount=difference, percent=None, flagged=bool(actual.amount))
    percent = difference.amount / planned.amount * 100
    return Variance(
        amount=difference, percent=percent.quantize(Decimal("0.1")), flagged=abs(percent) > VARIANCE_FLAG_PERCENT
    )


@dataclass(frozen=True)
class SpendRow:
    """One budget line in the return's quarter: planned, spent, how far apart, and last quarter's spend."""

    budget_line: BudgetLine
    planned: Money
    actual: Money | None
    variance: Variance | None
    explanation: str
    previous_actual: Money | None


@dataclass(frozen=True)
class ForecastRow:
    budget_line: BudgetLine
    quarter: Quarter
    planned: Money
    forecast: Money | None


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator: this quarter's figure and its breakdowns, last quarter's, the targets and the year so far."""

    indicator: Indicator
    value: IndicatorValue | None
    breakdowns: list[IndicatorValue]
    previous: IndicatorValue | None
    year_target: Decimal | None
    quarter_target: Decimal | None
    year_so_far: Decimal | None


@dataclass(frozen=True)
class ReturnReview:
    """Everything the review screen sets side by side, read in a fixed number of queries."""

    quarterly_return: QuarterlyReturn
    previous: QuarterlyReturn | None
    is_late: bool
    spend: list[SpendRow]
    forecasts: list[ForecastRow]
    spent_before: Money  # in approved returns for earlier quarters
    indicators: list[IndicatorRow]

    @property
    def spent_this_quarter(self) -> Money:
        return gbp_sum(row.actual for row in self.spend if row.actual is not None)

    @property
    def spent_cumulative(self) -> Money:
        return self.spent_before + self.spent_this_quarter

    @property
    def grant_remaining(self) -> Money:
        return self.quarterly_return.grant.amount - self.spent_cumulative


def _earlier(quarter: Quarter, prefix: str = "") -> Q:
    """Rows for quarters before the given one."""
    year, number = quarter.financial_year.start_year, quarter.number
    return Q(**{f"{prefix}financial_year__lt": year}) | Q(
        **{f"{prefix}financial_year": year, f"{prefix}quarter__lt": number}
    )


def _fraction(value: IndicatorValue) -> Decimal:
    return value.numerator / value.denominator * 100


def _year_so_far(indicator: Indicator, values: list[IndicatorValue]) -> Decimal | None:
    """The year's figure to date, aggregated as the indicator says; percentages pool their parts, so that
    17 of 20 then 3 of 80 make 20% rather than the mean of 85% and 4%."""
    if not values:
        return None
    if indicator.aggregation == Indicator.Aggregation.LATEST:
        latest = max(values, key=lambda value: value.quarter)
        return latest.value if latest.value is not None else _fraction(latest)
    if indicator.unit == Indicator.Unit.PERCENTAGE:
        return sum(v.numerator for v in values) / sum(v.denominator for v in values) * 100
    total = sum(v.value for v in values)
    return total if indicator.aggregation == Indicator.Aggregation.SUM else total / len(values)


def return_review_get(*, user: User, pk: int) -> ReturnReview:
    """A return beside the previous quarter's, its grant's profile and targets, and the year and grant so far.

    "So far" counts approved figures of earlier quarters only (the words of DESIGN.md: spent means approved),
    plus this return's own.
    """
    quarterly_return = return_get(user=user, pk=pk)
    grant, period = quarterly_return.grant, quarterly_return.period
    year = period.financial_year.start_year
    previous_period = period.previous()
    previous = (
        QuarterlyReturn.objects.filter(
            grant=grant, financial_year=previous_period.financial_year.start_year, quarter=previous_period.number
        )
        .prefetch_related(
            "spend_lines", Prefetch("indicator_values", queryset=IndicatorValue.objects.select_related("indicator"))
        )
        .first()
    )
    lines = list(
        BudgetLine.objects.filter(grant=grant).prefetch_related(
            Prefetch("profile", queryset=BudgetProfile.objects.filter(financial_year=year))
        )
    )
    spent = {spend.budget_line_id: spend for spend in quarterly_return.spend_lines.all()}
    spent_last_quarter = (
        {spend.budget_line_id: spend.actual for spend in previous.spend_lines.all()} if previous else {}
    )
    forecasts = {(f.budget_line_id, f.quarter): f.amount for f in quarterly_return.forecasts.all()}
    spend_rows, forecast_rows = [], []
    for line in lines:
        planned = {row.quarter: row.amount for row in line.profile.all()}
        this_plan = planned.get(period.number, ZERO)
        spend = spent.get(line.pk)
        spend_rows.append(
            SpendRow(
                budget_line=line,
                planned=this_plan,
                actual=spend.actual if spend else None,
                variance=spend_variance(actual=spend.actual, planned=this_plan) if spend else None,
                explanation=spend.variance_explanation if spend else "",
                previous_actual=spent_last_quarter.get(line.pk),
            )
        )
        forecast_rows += [
            ForecastRow(
                budget_line=line,
                quarter=quarter,
                planned=planned.get(quarter.number, ZERO),
                forecast=forecasts.get((line.pk, quarter.number)),
            )
            for quarter in period.remaining_in_year()
        ]
    spent_before = (
        SpendLine.objects.filter(
            _earlier(period, "quarterly_return__"),
            quarterly_return__grant=grant,
            quarterly_return__status=QuarterlyReturn.Status.APPROVED,
        ).aggregate(total=Sum("actual"))["total"]
        or 0
    )
    return ReturnReview(
        quarterly_return=quarterly_return,
        previous=previous,
        is_late=quarterly_return.submitted_late,
        spend=spend_rows,
        forecasts=forecast_rows,
        spent_before=gbp(spent_before),
        indicators=_indicator_rows(quarterly_return=quarterly_return, previous=previous),
    )


def _indicator_rows(*, quarterly_return: QuarterlyReturn, previous: QuarterlyReturn | None) -> list[IndicatorRow]:
    """The indicators the return reports on or the grant has targets for this year, by name."""
    grant, period = quarterly_return.grant, quarterly_return.period
    year = period.financial_year.start_year
    targets = Target.objects.filter(
        Q(quarter__isnull=True) | Q(quarter=period.number), grant=grant, financial_year=year
    )
    year_targets, quarter_targets, indicators = {}, {}, {}
    for target in targets.select_related("indicator"):
        (quarter_targets if target.quarter else year_targets)[target.indicator_id] = target.value
        indicators[target.indicator_id] = target.indicator
    values, breakdowns = {}, {}
    for value in quarterly_return.indicator_values.all():
        indicators[value.indicator_id] = value.indicator
        if value.breakdown:
            breakdowns.setdefault(value.indicator_id, []).append(value)
        else:
            values[value.indicator_id] = value
    previous_values = {
        value.indicator_id: value
        for value in (previous.indicator_values.all() if previous else [])
        if not value.breakdown
    }
    earlier = IndicatorValue.objects.filter(
        _earlier(period), grant=grant, financial_year=year, breakdown="", approved_at__isnull=False
    )
    so_far = {}
    for value in earlier:
        so_far.setdefault(value.indicator_id, []).append(value)
    for indicator_id, value in values.items():
        so_far.setdefault(indicator_id, []).append(value)
    return [
        IndicatorRow(
            indicator=indicator,
            value=values.get(pk),
            breakdowns=breakdowns.get(pk, []),
            previous=previous_values.get(pk),
            year_target=year_targets.get(pk),
            quarter_target=quarter_targets.get(pk),
            year_so_far=_year_so_far(indicator, so_far.get(pk, [])),
        )
        for pk, indicator in sorted(indicators.items(), key=lambda item: item[1].name)
    ]


def evidence_file_get(*, user: User, return_pk: int, pk: int) -> EvidenceFile:
    """One evidence file of a return the user may see (the office's readers: any; a provider's users: their own);
    a 404 otherwise. The back office's and the portal's downloads both read files through this."""
    files = EvidenceFile.objects.select_related("quarterly_return__grant")
    return get_object_or_404(files, pk=pk, quarterly_return__in=return_list(user=user).filter(pk=return_pk))


def provider_user_emails(*, organisation_id: int) -> list[str]:
    """Where e-mail to a provider goes: its active users who hold a provider role."""
    users = User.objects.filter(organisation_id=organisation_id, is_active=True, groups__name__in=PROVIDER_ROLES)
    return list(users.order_by("email").values_list("email", flat=True).distinct())


def review_officer_emails(*, grant: Grant) -> list[str]:
    """Who is told a return is ready for review: the grant's lead officer; where it has none, or they have left,
    every active commissioning officer, so that no return waits unseen."""
    lead = grant.lead_officer
    if lead is not None and lead.is_active:
        return [lead.email]
    officers = User.objects.filter(is_active=True, groups__name=Role.COMMISSIONING_OFFICER)
    return list(officers.order_by("email").values_list("email", flat=True).distinct())


PAYMENT_DUE_FOR_APPROVAL_LABEL = "Due for approval"
PAYMENT_RELEASED_BY_REOPENED_LABEL = "Released by a return since reopened"


def payment_release_flag(*, payment: Payment) -> str:
    """What finance should notice about a payment: that the return which released it has since been reopened
    (the payment stays, flagged: DESIGN.md), or else that it is due for approval. The payment comes from a
    selector given the day (`payment_list(on=...)`), which works out `is_due_for_approval`."""
    released_by = payment.released_by_return
    if released_by is not None and released_by.status != QuarterlyReturn.Status.APPROVED:
        return PAYMENT_RELEASED_BY_REOPENED_LABEL
    return PAYMENT_DUE_FOR_APPROVAL_LABEL if getattr(payment, "is_due_for_approval", False) else ""


# --- Grants past their end date ---------------------------------------------------------------------------------

PAST_END_READY = "ready"  # every return approved: the officer can close it
PAST_END_OPEN = "open"  # returns still to approve (the provider's to send, or the office's to review)


def grants_past_end(queryset: QuerySet[Grant], *, on: datetime.date, which: str | None = None) -> QuerySet[Grant]:
    """The active grants of a queryset whose end date is before the day; `which` narrows them to those ready to
    close (PAST_END_READY) or with returns still to approve (PAST_END_OPEN)."""
    queryset = queryset.filter(status=Grant.Status.ACTIVE, end_date__lt=on)
    if which == PAST_END_READY:
        return queryset.exclude(Exists(_returns_not_approved()))
    if which == PAST_END_OPEN:
        return queryset.filter(Exists(_returns_not_approved()))
    return queryset


def grant_past_end_counts(*, on: datetime.date) -> dict[str, int]:
    """How many active grants past their end date are ready to close, and how many still have returns open."""
    past = grants_past_end(Grant.objects.all(), on=on).annotate(has_open=Exists(_returns_not_approved()))
    return past.aggregate(ready=Count("pk", filter=Q(has_open=False)), open=Count("pk", filter=Q(has_open=True)))


def grant_past_end_flag(*, grant: Grant, on: datetime.date) -> str:
    """What an active grant past its end date still needs, in words, from grant_list()'s `returns_not_approved`."""
    if grant.status != Grant.Status.ACTIVE or grant.end_date >= on:
        return ""
    waiting = grant.returns_not_approved
    if waiting:
        return f"Past end date: {waiting} return{'' if waiting == 1 else 's'} to approve"
    return "Past end date: ready to close"
