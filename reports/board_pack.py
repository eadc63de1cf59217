"""What the board pack for a quarter says, read from the dashboards' selectors so that each figure in the pack is the
figure the office sees on screen for the same period.

Every part is read in a fixed number of queries whatever the size of the estate: the pack grows with the data
(a page per programme), its queries do not.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from djmoney.money import Money

from funding.fiscal import FinancialYear, Quarter
from funding.models import User
from funding.money import PENNY, format_gbp, gbp
from programmes.models import GrantCharge, GrantVariation, Indicator, Programme, QuarterlyReturn
from reports import selectors
from reports.charts import Chart, Series
from reports.limits import LimitPassed
from reports.models import StreamGrantQuarter
from reports.public import IndicatorProgress, YearFigures, indicator_progress_list
from reports.value_for_money import ValueForMoney, value_for_money_get

# A board reads a dozen programmes' indicators and charts; past that (a national estate funds thousands) the pack
# would run to thousands of pages and gigabytes of memory, so the rest are a line each, largest first.
PROGRAMMES_IN_FULL = 12


@dataclass(frozen=True)
class StreamSection:
    row: selectors.StreamYear
    chart: Chart


@dataclass(frozen=True)
class ProviderReturns:
    provider: str
    on_time: int = 0
    late: int = 0
    outstanding: int = 0
    returned: int = 0
    approved: int = 0

    @property
    def received(self) -> int:
        return self.on_time + self.late


@dataclass(frozen=True)
class IndicatorSection:
    progress: IndicatorProgress
    year: YearFigures | None


@dataclass(frozen=True)
class ProgrammeSection:
    programme: Programme
    indicators: list[IndicatorSection]


@dataclass(frozen=True)
class ProgrammeLine:
    """A programme past the pack's first PROGRAMMES_IN_FULL, in one line: the dashboards have its indicators."""

    programme: Programme
    committed: Money
    indicators: int


@dataclass(frozen=True)
class BoardPack:
    quarter: Quarter
    on: datetime.date
    overview: selectors.FundingOverview
    streams: list[StreamSection]
    returns: list[ProviderReturns]
    returns_total: ProviderReturns
    headline_outcomes: list[IndicatorSection]
    programmes: list[ProgrammeSection]
    other_programmes: list[ProgrammeLine]
    risks: list[QuarterlyReturn]
    variations: list[GrantVariation]
    overrides: list[GrantCharge]
    limits: list[LimitPassed]
    value_for_money: ValueForMoney  # the year to date, to the end of the pack's quarter, by quarter

    @property
    def year(self) -> FinancialYear:
        return self.quarter.financial_year


def board_pack_get(*, user: User, quarter: Quarter, on: datetime.date) -> BoardPack:
    year = quarter.financial_year
    overview = selectors.funding_overview(user=user, year=year, on=on)
    returns, total = _returns_by_provider(quarter, on)
    programmes, other_programmes = _programmes(quarter)
    return BoardPack(
        quarter=quarter,
        on=on,
        overview=overview,
        streams=_stream_sections(overview),
        returns=returns,
        returns_total=total,
        headline_outcomes=[
            item
            for section in programmes
            for item in section.indicators
            if item.progress.indicator.kind == Indicator.Kind.OUTCOME and item.year
        ],
        programmes=programmes,
        other_programmes=other_programmes,
        risks=list(
            QuarterlyReturn.objects.filter(
                financial_year=year.start_year,
                quarter=quarter.number,
                risk_rating__in=(QuarterlyReturn.Rag.RED, QuarterlyReturn.Rag.AMBER),
                submitted_at__isnull=False,
            )
            .select_related("grant__provider", "grant__programme")
            .order_by("risk_rating", "grant__provider__name", "grant__identifier")
        ),
        variations=list(
            GrantVariation.objects.filter(made_at__date__range=(quarter.start, quarter.end))
            .select_related("grant__provider", "made_by")
            .order_by("made_at")
        ),
        overrides=list(
            GrantCharge.objects.exclude(override_reason="")
            .filter(overridden_at__date__range=(quarter.start, quarter.end))
            .select_related("grant", "stream", "overridden_by")
            .order_by("overridden_at")
        ),
        limits=[limit for limit in selectors.limits_passed_list(user=user) if limit.year == year],
        value_for_money=value_for_money_get(user=user, year=year, quarter=quarter),
    )


def _stream_sections(overview: selectors.FundingOverview) -> list[StreamSection]:
    """Each stream's year with its spend by quarter against the profile, drawn as the dashboards draw charts."""
    year = overview.year
    sums = (
        StreamGrantQuarter.objects.filter(financial_year=year.start_year)
        .values("stream", "quarter")
        .annotate(profiled=Sum("profiled"), spent=Sum("spent"), outturn=Sum("outturn"))
        .order_by("stream", "quarter")
    )
    by_stream: dict[int, dict[int, dict]] = defaultdict(dict)
    for row in sums:
        by_stream[row["stream"]][row["quarter"]] = row
    sections = []
    for row in overview.rows:
        quarters = by_stream.get(row.stream.pk, {})

        def measure(name, quarters=quarters):
            return tuple(_pounds(quarters.get(q.number, {}).get(name)) for q in year.quarters)

        profiled, spent = measure("profiled"), measure("spent")
        sections.append(
            StreamSection(
                row=row,
                chart=Chart(
                    title=f"{row.stream.name}: spend by quarter against the profile, {year.label}",
                    summary=(
                        f"Approved spend in {year.label} is {format_gbp(row.figures.spent)} against a "
                        f"profile of {format_gbp(row.figures.profiled)} for the year."
                    ),
                    categories=tuple(quarter.label for quarter in year.quarters),
                    series=(Series("Spent (approved returns)", spent),),
                    kind="bar",
                    unit="money",
                    target=Series("Profile", profiled),
                    category_label="Quarter",
                    html_id=f"stream-{row.stream.pk}-spend",
                ),
            )
        )
    return sections


def _returns_by_provider(quarter: Quarter, on: datetime.date) -> tuple[list[ProviderReturns], ProviderReturns]:
    """The quarter's returns by provider: received on time or late, still outstanding, sent back, approved."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    returns = QuarterlyReturn.objects.filter(
        financial_year=quarter.financial_year.start_year, quarter=quarter.number
    ).select_related("grant__provider")
    for quarterly_return in returns.only(
        "status", "submitted_at", "due_date", "resubmission_due_date", "grant__provider__name"
    ):
        tally = counts[quarterly_return.grant.provider.name]
        if quarterly_return.submitted_at is not None:
            tally["late" if quarterly_return.submitted_late else "on_time"] += 1
        if quarterly_return.status == QuarterlyReturn.Status.RETURNED:
            tally["returned"] += 1
        elif quarterly_return.status in QuarterlyReturn.OPEN_STATUSES:
            tally["outstanding"] += 1
        if quarterly_return.status == QuarterlyReturn.Status.APPROVED:
            tally["approved"] += 1
    rows = [ProviderReturns(provider=name, **tally) for name, tally in sorted(counts.items())]
    fields = ("on_time", "late", "outstanding", "returned", "approved")
    total = ProviderReturns("All providers", **{name: sum(getattr(row, name) for row in rows) for name in fields})
    return rows, total


def _programmes(quarter: Quarter) -> tuple[list[ProgrammeSection], list[ProgrammeLine]]:
    """The programmes funded in the quarter's year, largest commitment first: the first PROGRAMMES_IN_FULL with their
    indicators' approved figures up to the quarter against their targets, the rest a line each."""
    year = quarter.financial_year.start_year
    funded = Programme.objects.filter(
        Q(grants__charges__financial_year=year) | Q(grants__stream_quarters__financial_year=year)
    ).distinct()
    committed = selectors.committed_by(selectors.counted_charges(quarter.financial_year), "grant__programme")
    counts = dict(
        Indicator.objects.filter(programme__in=funded)
        .values("programme")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("programme", "n")
    )
    ranked = sorted(funded, key=lambda programme: (-_pounds(committed.get(programme.pk)), programme.name))
    in_full = sorted(ranked[:PROGRAMMES_IN_FULL], key=lambda programme: programme.name)
    sections = {programme.pk: ProgrammeSection(programme=programme, indicators=[]) for programme in in_full}
    indicators = (
        Indicator.objects.filter(programme__in=in_full)
        .select_related("programme", "area")
        .order_by("programme__name", "kind", "name")
    )
    for progress in indicator_progress_list(indicators, suppress=False, up_to=quarter):
        sections[progress.indicator.programme_id].indicators.append(
            IndicatorSection(
                progress=progress,
                year=next((y for y in progress.years if y.financial_year == quarter.financial_year), None),
            )
        )
    lines = [
        ProgrammeLine(programme, gbp(_pounds(committed.get(programme.pk))), counts.get(programme.pk, 0))
        for programme in ranked[PROGRAMMES_IN_FULL:]
    ]
    return list(sections.values()), lines


def _pounds(value) -> Decimal:
    # SQLite sums decimals in floating point; every stored amount is in pence, so the sum is too.
    return Decimal(value or 0).quantize(PENNY)
