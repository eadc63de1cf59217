"""The office's dashboards: money by funding stream and financial year, down to a grant's quarters and returns.

Every figure here is read from one place, so the same figure is the same on every screen: allocated from the
stream's allocations, committed from grant charges, and paid, spent, awaiting review and forecast outturn from the
summary rows `reports.figures` keeps. Aggregation happens in the database; each function makes a fixed number of
queries whatever the size of the estate.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from djmoney.money import Money

from funding.fiscal import FinancialYear, Quarter
from funding.models import Allocation, FundingStream, User
from funding.money import PENNY, ZERO, format_gbp, gbp
from funding.roles import RECORD_READER_ROLES
from programmes.models import Grant, GrantCharge, Indicator, Programme, QuarterlyReturn
from programmes.selectors import OverdueCount, return_overdue_list
from reports.figures import COUNTED_GRANT_STATUSES, MEASURES
from reports.limits import LimitPassed, limits_passed
from reports.models import StreamGrantQuarter
from reports.public import IndicatorProgress, YearFigures, indicator_progress_list

DASHBOARD_ROLES = tuple(RECORD_READER_ROLES)  # who reads the office's records reads its dashboards
# From the third quarter a stream whose forecast outturn is below this share of its allocation is at risk of
# going unspent: the Duty's underspend forecast at Q3 is reallocated (DOMAIN-EXAMPLES.md).
UNDERSPEND_RISK_PERCENT = Decimal(90)
UNDERSPEND_RISK_FROM_QUARTER = 3
GRANTS_PER_PAGE = 50


def can_view_dashboards(user: User) -> bool:
    return user.is_active and user.has_role(*DASHBOARD_ROLES)


def _require_dashboard_user(user: User) -> None:
    if not can_view_dashboards(user):
        raise PermissionDenied


# --- The figures ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """Money for a stream, a grant or a quarter, in the words of DESIGN.md."""

    allocated: Money | None = None  # only a stream has an allocation
    committed: Money | None = None  # a quarter has no charge of its own
    profiled: Money = ZERO
    profiled_labour: Money = ZERO
    paid: Money = ZERO
    spent: Money = ZERO
    spent_labour: Money = ZERO
    submitted: Money = ZERO
    outturn: Money = ZERO
    outturn_labour: Money = ZERO

    @classmethod
    def from_sums(cls, sums: dict, **extra) -> "Figures":
        return cls(**{measure: _money(sums.get(measure)) for measure in MEASURES}, **extra)

    @property
    def spent_non_labour(self) -> Money:
        return self.spent - self.spent_labour

    @property
    def outturn_non_labour(self) -> Money:
        return self.outturn - self.outturn_labour

    @property
    def remaining(self) -> Money | None:
        """Allocated less forecast outturn: what may go unspent (negative: overspent)."""
        return None if self.allocated is None else self.allocated - self.outturn

    @property
    def outturn_percent(self) -> Decimal | None:
        if not self.allocated or not self.allocated.amount:
            return None
        return (self.outturn.amount / self.allocated.amount * 100).quantize(Decimal("0.1"))

    @property
    def variance(self) -> Money:
        """Forecast outturn less the profile: above the plan when positive."""
        return self.outturn - self.profiled


def _money(value) -> Money:
    # SQLite sums decimals in floating point; every stored amount is in pence, so the sum is too.
    return gbp(Decimal(value or 0).quantize(PENNY))


def _sums(queryset: QuerySet, *group_by: str) -> QuerySet:
    return queryset.values(*group_by).annotate(**{measure: Sum(measure) for measure in MEASURES}).order_by(*group_by)


def _year_figures(year: FinancialYear) -> QuerySet[StreamGrantQuarter]:
    return StreamGrantQuarter.objects.filter(financial_year=year.start_year)


def counted_charges(year: FinancialYear) -> QuerySet[GrantCharge]:
    """What active and closed grants charge the streams in a year: committed, in DESIGN.md's words."""
    return GrantCharge.objects.filter(financial_year=year.start_year, grant__status__in=COUNTED_GRANT_STATUSES)


def committed_by(charges: QuerySet[GrantCharge], key: str) -> dict[int, Decimal]:
    """The charges added up by a key ("stream", "grant", "grant__programme"): what each commits."""
    return dict(charges.values(key).annotate(total=Sum("amount")).order_by(key).values_list(key, "total"))


def year_elapsed_percent(year: FinancialYear, on: datetime.date) -> Decimal:
    """How much of the financial year has gone by on the given day (the day itself counts as gone)."""
    if on < year.start:
        return Decimal(0)
    if on > year.end:
        return Decimal(100)
    days = (year.end - year.start).days + 1
    return (Decimal((on - year.start).days + 1) / days * 100).quantize(Decimal("0.1"))


# --- Flags ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    kind: str  # "underspend", "overspend", "override", "overdue": the colour of its tag
    label: str
    explanation: str


def _flags(
    *,
    stream: FundingStream,
    year: FinancialYear,
    figures: Figures,
    on: datetime.date,
    overdue: int,
    limits: list[LimitPassed],
) -> list[Flag]:
    flags = []
    allocated = figures.allocated or ZERO
    risk_from = year.quarters[UNDERSPEND_RISK_FROM_QUARTER - 1].start
    if on >= risk_from and figures.outturn < allocated * UNDERSPEND_RISK_PERCENT / 100:
        unspent = "was not spent by" if on > year.end else "may be unspent on"
        lost = "cannot be carried into the next year" if not stream.carry_over_allowed else "may be carried over"
        flags.append(
            Flag(
                "underspend",
                "Underspend risk",
                f"Forecast outturn is {figures.outturn_percent}% of the allocation: {format_gbp(figures.remaining)} "
                f"{unspent} {year.end:%-d %B %Y}, and {lost}.",
            )
        )
    if figures.outturn > allocated:
        flags.append(
            Flag(
                "overspend",
                "Overspend",
                f"Forecast outturn is {format_gbp(figures.outturn - allocated)} more than the allocation.",
            )
        )
    for passed in _by_kind(limits).values():
        flags.append(Flag("override", passed[0].label, limit_words(passed)))
    if overdue:
        # Worded with its year: the first screen shows it beside work waiting's count in all years.
        flags.append(Flag("overdue", "Overdue returns", f"{OverdueCount(count=overdue, year=year)}."))
    return flags


def _by_kind(limits: list[LimitPassed]) -> dict[str, list[LimitPassed]]:
    grouped: dict[str, list[LimitPassed]] = {}
    for limit in limits:
        grouped.setdefault(limit.kind, []).append(limit)
    return grouped


def limit_words(limits: list[LimitPassed]) -> str:
    """What went past a limit and what was recorded about it, in sentences."""
    words = []
    for limit in limits:
        if limit.reasons:
            words.append(f"{limit.explanation} Recorded: {'; '.join(r.rstrip('.') for r in limit.reasons)}.")
        else:
            words.append(f"{limit.explanation} No reason is recorded.")
    return " ".join(words)


def limits_passed_list(*, user: User) -> list[LimitPassed]:
    """Every limit passed in any year (reports.limits), for the office."""
    _require_dashboard_user(user)
    return limits_passed()


# --- Funding overview -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StreamYear:
    """One stream in one financial year: its money, what needs attention, and why."""

    stream: FundingStream
    year: FinancialYear
    figures: Figures
    overdue_returns: int
    flags: list[Flag]


@dataclass(frozen=True)
class FundingOverview:
    year: FinancialYear
    on: datetime.date
    elapsed_percent: Decimal
    rows: list[StreamYear]
    total: Figures
    years: list[FinancialYear] = field(default_factory=list)  # the years there is anything to show for


def _grouped_counts(queryset: QuerySet, key: str) -> dict[int, int]:
    rows = queryset.values(key).annotate(n=Count("pk", distinct=True)).order_by(key).values_list(key, "n")
    return dict(rows)


def _stream_years(
    *, year: FinancialYear, on: datetime.date, streams: QuerySet[FundingStream], include_empty: bool = False
) -> list[StreamYear]:
    """The overview's rows for the given streams (those with anything in the year, unless `include_empty`): a
    fixed number of queries, however many streams, grants and returns."""
    allocated = dict(
        Allocation.objects.filter(financial_year=year.start_year, stream__in=streams).values_list("stream", "amount")
    )
    committed = committed_by(counted_charges(year).filter(stream__in=streams), "stream")
    sums = {row["stream"]: row for row in _sums(_year_figures(year).filter(stream__in=streams), "stream")}
    in_year = Q(grant__charges__financial_year=year.start_year, grant__charges__stream__in=streams)
    overdue = _grouped_counts(return_overdue_list(on=on, year=year).filter(in_year), "grant__charges__stream")
    limits_by_stream: dict[int, list[LimitPassed]] = {}
    for limit in limits_passed(year=year):
        for stream_id in limit.stream_ids:
            limits_by_stream.setdefault(stream_id, []).append(limit)
    shown = streams
    if not include_empty:
        shown = streams.filter(Q(pk__in=allocated.keys()) | Q(pk__in=committed.keys()) | Q(pk__in=sums.keys()))
    rows = []
    for stream in shown.select_related("funder"):
        figures = Figures.from_sums(
            sums.get(stream.pk, {}),
            allocated=_money(allocated.get(stream.pk)),
            committed=_money(committed.get(stream.pk)),
        )
        rows.append(
            StreamYear(
                stream=stream,
                year=year,
                figures=figures,
                overdue_returns=overdue.get(stream.pk, 0),
                flags=_flags(
                    stream=stream,
                    year=year,
                    figures=figures,
                    on=on,
                    overdue=overdue.get(stream.pk, 0),
                    limits=limits_by_stream.get(stream.pk, []),
                ),
            )
        )
    return rows


def _total(rows: list[StreamYear]) -> Figures:
    fields = ("allocated", "committed", *MEASURES)
    return Figures(**{name: sum((getattr(row.figures, name) for row in rows), ZERO) for name in fields})


def dashboard_years(*, on: datetime.date) -> list[FinancialYear]:
    """The financial years with an allocation, up to the current one, newest first."""
    years = set(Allocation.objects.values_list("financial_year", flat=True).distinct())
    years.add(FinancialYear.from_date(on).start_year)
    return [FinancialYear(year) for year in sorted(years, reverse=True)]


def funding_overview(*, user: User, year: FinancialYear, on: datetime.date) -> FundingOverview:
    """Every stream's money in one financial year, with flags explained in words."""
    _require_dashboard_user(user)
    rows = _stream_years(year=year, on=on, streams=FundingStream.objects.all())
    return FundingOverview(
        year=year,
        on=on,
        elapsed_percent=year_elapsed_percent(year, on),
        rows=rows,
        total=_total(rows),
        years=dashboard_years(on=on),
    )


# --- Drill-down: a stream's year, its grants ------------------------------------------------------------------


@dataclass(frozen=True)
class GrantYear:
    grant: Grant
    figures: Figures  # the grant's share of the stream's money in the year


@dataclass(frozen=True)
class StreamYearDetail:
    stream_year: StreamYear
    elapsed_percent: Decimal
    grants: list[GrantYear]
    page: Page


def stream_year_get(*, user: User, stream_pk: int, year: FinancialYear, on: datetime.date, page: int = 1):
    """One stream's year and, a page at a time, the grants that make it up, with each grant's share."""
    _require_dashboard_user(user)
    stream = get_object_or_404(FundingStream, pk=stream_pk)
    (stream_year,) = _stream_years(
        year=year, on=on, streams=FundingStream.objects.filter(pk=stream.pk), include_empty=True
    )
    charges = counted_charges(year).filter(stream=stream)
    in_stream_year = Q(pk__in=charges.values("grant")) | Q(
        pk__in=_year_figures(year).filter(stream=stream).values("grant")
    )
    grants = Grant.objects.filter(in_stream_year).order_by("identifier")
    paginator = Paginator(grants.values_list("pk", flat=True), GRANTS_PER_PAGE)
    page_obj = paginator.get_page(page)
    on_page = list(page_obj.object_list)
    committed = committed_by(charges.filter(grant__in=on_page), "grant")
    sums = {row["grant"]: row for row in _sums(_year_figures(year).filter(stream=stream, grant__in=on_page), "grant")}
    by_pk = Grant.objects.select_related("provider", "programme").in_bulk(on_page)
    rows = [
        GrantYear(
            grant=by_pk[pk],
            figures=Figures.from_sums(sums.get(pk, {}), committed=_money(committed.get(pk))),
        )
        for pk in on_page
    ]
    return StreamYearDetail(
        stream_year=stream_year, elapsed_percent=year_elapsed_percent(year, on), grants=rows, page=page_obj
    )


# --- Drill-down: a grant's quarters -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GrantQuarterRow:
    quarter: Quarter
    figures: Figures
    quarterly_return: QuarterlyReturn | None
    overdue: bool


@dataclass(frozen=True)
class GrantYearRows:
    year: FinancialYear
    rows: list[GrantQuarterRow]
    total: Figures
    charges: list[GrantCharge]


@dataclass(frozen=True)
class GrantQuarters:
    grant: Grant
    years: list[GrantYearRows]
    total: Figures
    flags: list[Flag]  # the limits the grant has passed, in words


def _add_up(figures: list[Figures], **extra) -> Figures:
    return Figures(**{measure: sum((getattr(f, measure) for f in figures), ZERO) for measure in MEASURES}, **extra)


def grant_quarters_get(*, user: User, grant_pk: int, on: datetime.date) -> GrantQuarters:
    """A grant's money quarter by quarter (profile, paid, spent, forecast, variance) beside each quarter's return,
    in year groups whose totals are the sums of their quarters."""
    _require_dashboard_user(user)
    grant = get_object_or_404(Grant.objects.select_related("provider", "programme"), pk=grant_pk)
    sums = {
        Quarter(FinancialYear(row["financial_year"]), row["quarter"]): Figures.from_sums(row)
        for row in _sums(StreamGrantQuarter.objects.filter(grant=grant), "financial_year", "quarter")
    }
    returns = {r.period: r for r in QuarterlyReturn.objects.filter(grant=grant)}
    charges: dict[FinancialYear, list[GrantCharge]] = {}
    for charge in GrantCharge.objects.filter(grant=grant).select_related("stream").order_by("financial_year", "stream"):
        charges.setdefault(charge.fy, []).append(charge)
    quarters = sorted(set(grant.quarters) | set(sums) | set(returns))
    years = []
    for year in sorted({quarter.financial_year for quarter in quarters}):
        rows = [
            GrantQuarterRow(
                quarter=quarter,
                figures=sums.get(quarter, Figures()),
                quarterly_return=returns.get(quarter),
                overdue=quarter in returns and returns[quarter].is_overdue(on),
            )
            for quarter in quarters
            if quarter.financial_year == year
        ]
        year_charges = charges.get(year, [])
        committed = sum((charge.amount for charge in year_charges), ZERO)
        years.append(
            GrantYearRows(
                year=year,
                rows=rows,
                total=_add_up([row.figures for row in rows], committed=committed),
                charges=year_charges,
            )
        )
    total = _add_up([year.total for year in years], committed=sum((y.total.committed for y in years), ZERO))
    passed = [limit for limit in limits_passed() if limit.grant_id == grant.pk]
    flags = [Flag("override", limit.label, limit_words([limit])) for limit in passed]
    return GrantQuarters(grant=grant, years=years, total=total, flags=flags)


# --- Returns matrix -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatrixRow:
    grant: Grant
    cells: list[QuarterlyReturn | None]  # one per quarter of the year; None where the grant has no return


@dataclass(frozen=True)
class ReturnsMatrix:
    year: FinancialYear
    quarters: list[Quarter]
    rows: list[MatrixRow]
    page: Page
    on: datetime.date


def returns_matrix(
    *, user: User, year: FinancialYear, on: datetime.date, grants: QuerySet[Grant] | None = None, page: int = 1
) -> ReturnsMatrix:
    """Grants by quarter of one financial year, each cell the quarter's return; a page of grants at a time.

    `grants` narrows the rows (a filter's queryset); only grants with a return in the year are shown.
    """
    _require_dashboard_user(user)
    in_year = QuarterlyReturn.objects.filter(financial_year=year.start_year)
    rows_qs = (grants if grants is not None else Grant.objects.all()).filter(pk__in=in_year.values("grant"))
    paginator = Paginator(rows_qs.order_by("identifier").values_list("pk", flat=True), GRANTS_PER_PAGE)
    page_obj = paginator.get_page(page)
    on_page = list(page_obj.object_list)
    by_pk = Grant.objects.select_related("provider", "programme").in_bulk(on_page)
    returns = {(r.grant_id, r.quarter): r for r in in_year.filter(grant__in=on_page)}
    rows = [
        MatrixRow(grant=by_pk[pk], cells=[returns.get((pk, quarter.number)) for quarter in year.quarters])
        for pk in on_page
    ]
    return ReturnsMatrix(year=year, quarters=year.quarters, rows=rows, page=page_obj, on=on)


# --- Programme progress -----------------------------------------------------------------------------------------


def programme_progress_list(*, user: User) -> QuerySet[Programme]:
    """Programmes with how many indicators measure them, for the progress index."""
    _require_dashboard_user(user)
    return Programme.objects.annotate(indicator_count=Count("indicators")).order_by("name")


@dataclass(frozen=True)
class IndicatorYear:
    progress: IndicatorProgress  # every quarter's approved figure, for the trend and the chart
    year: YearFigures | None  # the chosen year's target and figure to date


@dataclass(frozen=True)
class ProgrammeProgress:
    programme: Programme
    year: FinancialYear
    indicators: list[IndicatorYear]


def programme_progress_get(*, user: User, pk: int, year: FinancialYear) -> ProgrammeProgress:
    """A programme's indicators: the year's target, approved figure to date and its share of the target, and the
    trend by quarter. The office reads every approved figure unsuppressed; the public site reads the same
    figures through the same function, suppressed."""
    _require_dashboard_user(user)
    programme = get_object_or_404(Programme, pk=pk)
    indicators = Indicator.objects.filter(programme=programme).select_related("programme", "area")
    progress = indicator_progress_list(indicators.order_by("kind", "name"), suppress=False)
    return ProgrammeProgress(
        programme=programme,
        year=year,
        indicators=[
            IndicatorYear(progress=item, year=next((y for y in item.years if y.financial_year == year), None))
            for item in progress
        ],
    )


# --- Funder return: a stream's year by quarter, labour and non-labour -----------------------------------------


@dataclass(frozen=True)
class FunderReturnGrant:
    grant: Grant
    committed: Money
    quarters: list[Figures]  # one per quarter of the year, the grant's share of the stream's money
    total: Figures


@dataclass(frozen=True)
class FunderReturn:
    """What a funder asks for a stream's year (the Serious Violence Duty's claim): spend and forecast by quarter,
    split into labour and non-labour, against the year's allocation, by grant and provider."""

    stream_year: StreamYear
    quarters: list[Quarter]
    by_quarter: list[Figures]
    grants: list[FunderReturnGrant]
    on: datetime.date

    @property
    def total(self) -> Figures:
        return self.stream_year.figures

    @property
    def underspend_lost(self) -> Money:
        """Forecast to go unspent and not carried into the next year (nothing, where the stream allows carry-over)."""
        remaining = self.total.remaining or ZERO
        if self.stream_year.stream.carry_over_allowed or remaining.amount <= 0:
            return ZERO
        return remaining


def funder_return_get(*, user: User, stream_pk: int, year: FinancialYear, on: datetime.date) -> FunderReturn:
    """A stream's year for its funder, from the same summary rows as the funding overview: the totals here are the
    overview's figures for the stream and year, and the grants' rows add up to them."""
    _require_dashboard_user(user)
    stream = get_object_or_404(FundingStream, pk=stream_pk)
    (stream_year,) = _stream_years(
        year=year, on=on, streams=FundingStream.objects.filter(pk=stream.pk), include_empty=True
    )
    figures = _year_figures(year).filter(stream=stream)
    quarter_sums = {row["quarter"]: Figures.from_sums(row) for row in _sums(figures, "quarter")}
    grant_sums: dict[int, dict[int, Figures]] = {}
    for row in _sums(figures, "grant", "quarter"):
        grant_sums.setdefault(row["grant"], {})[row["quarter"]] = Figures.from_sums(row)
    committed = committed_by(counted_charges(year).filter(stream=stream), "grant")
    grants = Grant.objects.filter(pk__in=set(grant_sums) | set(committed)).select_related("provider", "programme")
    rows = []
    for grant in grants.order_by("provider__name", "identifier"):
        quarters = [grant_sums.get(grant.pk, {}).get(quarter.number, Figures()) for quarter in year.quarters]
        rows.append(
            FunderReturnGrant(
                grant=grant,
                committed=_money(committed.get(grant.pk)),
                quarters=quarters,
                total=_add_up(quarters),
            )
        )
    return FunderReturn(
        stream_year=stream_year,
        quarters=year.quarters,
        by_quarter=[quarter_sums.get(quarter.number, Figures()) for quarter in year.quarters],
        grants=rows,
        on=on,
    )
