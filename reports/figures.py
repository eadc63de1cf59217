"""The money summary the dashboards read: each grant's quarters, as they count against each funding stream.

Per budget line and quarter:

- profiled: the line's quarterly profile;
- spent: the line's spend in the quarter's return once approved (DESIGN.md: spent means approved), and
  submitted: its spend while the return waits for review;
- forecast outturn: spent where the quarter's return is approved; otherwise the latest forecast for that quarter
  in an approved return of the same financial year; otherwise the profile, the plan until a provider says
  otherwise (docs/adr/0004-spend-figures.md says why);
- paid: payments made for the quarter, by the quarter they are for.

A grant counts against each stream in proportion to that year's charges (a year with no charge uses the grant's
charges over all years), split to the penny with the largest remainder so that the streams' shares add up to the
grant's own figures exactly. Only active and closed grants count: a draft commits nothing yet.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from funding.money import PENNY, split_by_weight
from programmes.models import (
    BudgetLine,
    BudgetProfile,
    Grant,
    GrantCharge,
    Payment,
    QuarterlyReturn,
    SpendForecast,
    SpendLine,
)
from reports.models import StreamGrantQuarter

COUNTED_GRANT_STATUSES = (Grant.Status.ACTIVE, Grant.Status.CLOSED)
MEASURES = (
    "profiled",
    "profiled_labour",
    "paid",
    "spent",
    "spent_labour",
    "submitted",
    "outturn",
    "outturn_labour",
)
REBUILD_BATCH = 500  # grants per round of queries: bounds memory on a national-scale estate

Period = tuple[int, int]  # (financial year, quarter)


def grant_figures(grant_ids: list[int]) -> dict[int, dict[Period, dict[str, Decimal]]]:
    """Each grant's measures by quarter, before they are shared among streams."""
    lines = dict(BudgetLine.objects.filter(grant_id__in=grant_ids).values_list("pk", "cost_type"))
    line_grant = dict(BudgetLine.objects.filter(grant_id__in=grant_ids).values_list("pk", "grant_id"))
    profile: dict[tuple[int, Period], Decimal] = {
        (line, (year, quarter)): amount
        for line, year, quarter, amount in BudgetProfile.objects.filter(budget_line_id__in=lines).values_list(
            "budget_line_id", "financial_year", "quarter", "amount"
        )
    }
    returns = QuarterlyReturn.objects.filter(
        grant_id__in=grant_ids, status__in=(QuarterlyReturn.Status.SUBMITTED, QuarterlyReturn.Status.APPROVED)
    )
    approved_periods = {
        (grant, (year, quarter))
        for grant, year, quarter in returns.filter(status=QuarterlyReturn.Status.APPROVED).values_list(
            "grant_id", "financial_year", "quarter"
        )
    }
    spent: dict[tuple[int, Period], Decimal] = {}
    submitted: dict[tuple[int, Period], Decimal] = {}
    for line, year, quarter, status, actual in SpendLine.objects.filter(quarterly_return__in=returns).values_list(
        "budget_line_id",
        "quarterly_return__financial_year",
        "quarterly_return__quarter",
        "quarterly_return__status",
        "actual",
    ):
        (spent if status == QuarterlyReturn.Status.APPROVED else submitted)[(line, (year, quarter))] = actual
    # The latest approved return of the year wins: rows come oldest first, so later ones overwrite.
    forecasts: dict[tuple[int, Period], Decimal] = {}
    for line, year, quarter, amount in (
        SpendForecast.objects.filter(quarterly_return__in=returns.filter(status=QuarterlyReturn.Status.APPROVED))
        .order_by("quarterly_return__quarter")
        .values_list("budget_line_id", "quarterly_return__financial_year", "quarter", "amount")
    ):
        forecasts[(line, (year, quarter))] = amount

    figures: dict[int, dict[Period, dict[str, Decimal]]] = defaultdict(lambda: defaultdict(_zeroes))
    periods_by_grant: dict[int, set[Period]] = defaultdict(set)
    for line, period in [*profile, *spent, *submitted, *forecasts]:
        periods_by_grant[line_grant[line]].add(period)
    for grant, period in approved_periods:
        periods_by_grant[grant].add(period)
    for line, cost_type in lines.items():
        grant = line_grant[line]
        labour = cost_type == BudgetLine.CostType.LABOUR
        for period in periods_by_grant[grant]:
            key = (line, period)
            planned = profile.get(key, Decimal(0))
            approved = (grant, period) in approved_periods
            outturn = spent.get(key, Decimal(0)) if approved else forecasts.get(key, planned)
            row = figures[grant][period]
            _add(row, labour, profiled=planned, spent=spent.get(key, Decimal(0)), outturn=outturn)
            row["submitted"] += submitted.get(key, Decimal(0))
    for grant, year, quarter, amount in (
        Payment.objects.filter(grant_id__in=grant_ids, status=Payment.Status.PAID)
        .values("grant_id", "financial_year", "quarter")
        .annotate(total=Sum("amount"))
        .values_list("grant_id", "financial_year", "quarter", "total")
    ):
        figures[grant][(year, quarter)]["paid"] += Decimal(amount).quantize(PENNY)
    for grant, period in approved_periods:
        figures[grant][period]["approved"] = Decimal(1)
    return figures


def _zeroes() -> dict[str, Decimal]:
    return {measure: Decimal(0) for measure in (*MEASURES, "approved")}


def _add(row: dict[str, Decimal], labour: bool, **amounts: Decimal) -> None:
    for measure, amount in amounts.items():
        row[measure] += amount
        if labour:
            row[f"{measure}_labour"] += amount


def _stream_weights(grant_ids: list[int]) -> dict[int, dict[int | None, dict[int, Decimal]]]:
    """For each grant, each year's charges by stream; under the key None, its charges over all years."""
    weights: dict[int, dict[int | None, dict[int, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    for grant, stream, year, amount in GrantCharge.objects.filter(grant_id__in=grant_ids).values_list(
        "grant_id", "stream_id", "financial_year", "amount"
    ):
        weights[grant][year][stream] = amount
        overall = weights[grant][None]
        overall[stream] = overall.get(stream, Decimal(0)) + amount
    return weights


def summary_rows_for(grant_ids: list[int]) -> list[StreamGrantQuarter]:
    figures, weights = grant_figures(grant_ids), _stream_weights(grant_ids)
    rows = []
    for grant, periods in figures.items():
        for (year, quarter), measures in periods.items():
            streams = weights[grant].get(year) or weights[grant].get(None)
            if not streams or not sum(streams.values()):
                continue  # a grant charged to no stream cannot count against one
            shares = {measure: split_by_weight(measures[measure], streams) for measure in MEASURES}
            rows += [
                StreamGrantQuarter(
                    stream_id=stream,
                    grant_id=grant,
                    financial_year=year,
                    quarter=quarter,
                    return_approved=bool(measures["approved"]),
                    **{measure: shares[measure][stream] for measure in MEASURES},
                )
                for stream in streams
            ]
    return rows


@transaction.atomic
def figures_refresh(*, grant_ids: list[int]) -> None:
    """Recompute the summary rows of the given grants from their budget, returns and payments."""
    counted = list(
        Grant.objects.filter(pk__in=grant_ids, status__in=COUNTED_GRANT_STATUSES).values_list("pk", flat=True)
    )
    StreamGrantQuarter.objects.filter(grant_id__in=grant_ids).delete()
    StreamGrantQuarter.objects.bulk_create(summary_rows_for(counted), batch_size=1000)


def figures_rebuild() -> int:
    """Recompute every summary row, a batch of grants at a time; returns how many rows there are now."""
    with transaction.atomic():
        StreamGrantQuarter.objects.all().delete()
        grant_ids = list(
            Grant.objects.filter(status__in=COUNTED_GRANT_STATUSES).order_by("pk").values_list("pk", flat=True)
        )
        for start in range(0, len(grant_ids), REBUILD_BATCH):
            StreamGrantQuarter.objects.bulk_create(
                summary_rows_for(grant_ids[start : start + REBUILD_BATCH]), batch_size=1000
            )
    return StreamGrantQuarter.objects.count()
