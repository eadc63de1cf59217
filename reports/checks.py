"""Proof that every figure adds up: the invariants of the money, checked over the whole database.

`manage.py check_figures` runs these; each check yields the violations it finds, naming the record. They read the
base tables (grants, charges, budget lines, profiles, payments, approved spend) independently of the summary the
dashboards read, so a figure changed behind the services' back, or a summary that drifted, is caught.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from funding.fiscal import FinancialYear
from funding.models import Allocation, FundingStream
from funding.money import PENNY, format_gbp, gbp
from programmes.models import BudgetLine, BudgetProfile, Grant, GrantCharge, Payment, QuarterlyReturn, SpendLine
from reports import figures
from reports.limits import Kind, limits_passed
from reports.models import StreamGrantQuarter
from reports.selectors import MEASURES, _stream_years, dashboard_years

BATCH = 500  # grants at a time, as the summary is rebuilt


@dataclass(frozen=True)
class Violation:
    record: str  # what it concerns, as a person finds it: a grant's identifier, a stream and year
    message: str

    def __str__(self) -> str:
        return f"{self.record}: {self.message}"


def _money(value) -> str:
    return format_gbp(gbp(Decimal(value or 0).quantize(PENNY)))


def _counted_grants() -> dict[int, tuple[str, Decimal]]:
    return {
        pk: (identifier, amount)
        for pk, identifier, amount in Grant.objects.filter(status__in=figures.COUNTED_GRANT_STATUSES).values_list(
            "pk", "identifier", "amount"
        )
    }


def grants_add_up() -> Iterator[Violation]:
    """A grant's charges and budget lines add up to its amount, each line's profile to the line, and each year's
    profile to that year's charges."""
    grants = _counted_grants()
    charged: dict[int, Decimal] = defaultdict(Decimal)
    charged_by_year: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for grant, year, amount in GrantCharge.objects.filter(grant__in=grants).values_list(
        "grant", "financial_year", "amount"
    ):
        charged[grant] += amount
        charged_by_year[grant, year] += amount
    budgeted: dict[int, Decimal] = defaultdict(Decimal)
    lines = {}
    for pk, grant, name, amount in BudgetLine.objects.filter(grant__in=grants).values_list(
        "pk", "grant", "name", "amount"
    ):
        budgeted[grant] += amount
        lines[pk] = (grant, name, amount)
    profiled_line: dict[int, Decimal] = defaultdict(Decimal)
    profiled_by_year: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for line, year, amount in BudgetProfile.objects.filter(budget_line__in=lines).values_list(
        "budget_line", "financial_year", "amount"
    ):
        profiled_line[line] += amount
        profiled_by_year[lines[line][0], year] += amount

    for grant, (identifier, amount) in sorted(grants.items(), key=lambda item: item[1][0]):
        if charged[grant] != amount:
            yield Violation(
                identifier, f"its charges add up to {_money(charged[grant])}, not its amount {_money(amount)}"
            )
        if budgeted[grant] != amount:
            yield Violation(
                identifier, f"its budget lines add up to {_money(budgeted[grant])}, not its amount {_money(amount)}"
            )
    for line, (grant, name, amount) in lines.items():
        if profiled_line[line] != amount:
            yield Violation(
                grants[grant][0],
                f"the profile of {name} adds up to {_money(profiled_line[line])}, not the line's {_money(amount)}",
            )
    for grant, year in sorted(set(charged_by_year) | set(profiled_by_year)):
        if charged_by_year[grant, year] != profiled_by_year[grant, year]:
            yield Violation(
                grants[grant][0],
                f"in {FinancialYear(year)} its profile adds up to {_money(profiled_by_year[grant, year])} but it "
                f"charges {_money(charged_by_year[grant, year])} to streams",
            )


def summary_matches_a_rebuild() -> Iterator[Violation]:
    """The summary the dashboards read equals one built afresh, and the streams' shares of each grant's quarter add
    up to the grant's own figures to the penny."""
    grants = _counted_grants()
    ids = sorted(grants)
    fields = (*MEASURES, "return_approved")
    stored = {
        (row["grant"], row["stream"], row["financial_year"], row["quarter"]): row
        for row in StreamGrantQuarter.objects.values("grant", "stream", "financial_year", "quarter", *fields)
    }
    expected_keys = set()
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        own = figures.grant_figures(batch)
        shares: dict[tuple[int, int, int], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for row in figures.summary_rows_for(batch):
            key = (row.grant_id, row.stream_id, row.financial_year, row.quarter)
            expected_keys.add(key)
            have = stored.get(key)
            identifier = grants[row.grant_id][0]
            where = f"{identifier} Q{row.quarter} {FinancialYear(row.financial_year)} (stream {row.stream_id})"
            if have is None:
                yield Violation(where, "has no summary row: run rebuild_figures")
                continue
            for field in fields:
                if have[field] != getattr(row, field):
                    yield Violation(
                        where, f"the summary holds {field} {have[field]}, a rebuild gives {getattr(row, field)}"
                    )
            for measure in MEASURES:
                shares[row.grant_id, row.financial_year, row.quarter][measure] += getattr(row, measure)
        for (grant, year, quarter), added in shares.items():
            for measure in MEASURES:
                if added[measure] != own[grant][(year, quarter)][measure]:
                    yield Violation(
                        f"{grants[grant][0]} Q{quarter} {FinancialYear(year)}",
                        f"the streams' shares of {measure} add up to {added[measure]}, not the grant's "
                        f"{own[grant][(year, quarter)][measure]}",
                    )
    for grant, stream, year, quarter in sorted(set(stored) - expected_keys):
        yield Violation(
            f"grant {grant} Q{quarter} {FinancialYear(year)} (stream {stream})", "has a summary row a rebuild would not"
        )


def dashboards_add_up(*, on) -> Iterator[Violation]:
    """Every year's funding overview: each stream's allocated and committed equal their records; the streams' paid
    and spent add up to the payments and approved spend behind them; the total row is the sum of the rows."""
    streams = FundingStream.objects.all()
    for year in dashboard_years(on=on):
        rows = _stream_years(year=year, on=on, streams=streams, include_empty=True)
        allocated = dict(Allocation.objects.filter(financial_year=year.start_year).values_list("stream", "amount"))
        committed = dict(
            GrantCharge.objects.filter(financial_year=year.start_year, grant__status__in=figures.COUNTED_GRANT_STATUSES)
            .values("stream")
            .annotate(total=Sum("amount"))
            .order_by()
            .values_list("stream", "total")
        )
        for row in rows:
            where = f"{row.stream} {year}"
            if row.figures.allocated != gbp(Decimal(allocated.get(row.stream.pk, 0)).quantize(PENNY)):
                yield Violation(where, f"the overview shows allocated {row.figures.allocated}, its allocation differs")
            if row.figures.committed != gbp(Decimal(committed.get(row.stream.pk, 0) or 0).quantize(PENNY)):
                yield Violation(
                    where,
                    f"the overview shows committed {row.figures.committed}, its charges add up to "
                    f"{_money(committed.get(row.stream.pk))}",
                )
        charged_grants = GrantCharge.objects.values("grant")
        paid = gbp_total(
            Payment.objects.filter(
                status=Payment.Status.PAID,
                financial_year=year.start_year,
                grant__status__in=figures.COUNTED_GRANT_STATUSES,
                grant__in=charged_grants,
            )
        )
        spent = gbp_total(
            SpendLine.objects.filter(
                quarterly_return__status=QuarterlyReturn.Status.APPROVED,
                quarterly_return__financial_year=year.start_year,
                quarterly_return__grant__status__in=figures.COUNTED_GRANT_STATUSES,
                quarterly_return__grant__in=charged_grants,
            ),
            "actual",
        )
        for measure, base in (("paid", paid), ("spent", spent)):
            shown = sum((getattr(row.figures, measure) for row in rows), gbp(0))
            if shown != base:
                yield Violation(
                    f"Funding overview {year}",
                    f"the streams' {measure} add up to {shown}, the records behind it to {base}",
                )


def gbp_total(queryset, field: str = "amount"):
    """Added up in Python: SQLite sums decimals in floating point."""
    return gbp(sum(queryset.values_list(field, flat=True), Decimal(0)))


def limits_flagged(*, on) -> Iterator[Violation]:
    """Nothing passes a limit unflagged: every limit passed shows on its streams' overview rows in words, and a
    commitment past an allocation or payments past a grant's amount carry a recorded reason."""
    for year in dashboard_years(on=on):
        rows = {row.stream.pk: row for row in _stream_years(year=year, on=on, streams=FundingStream.objects.all())}
        for limit in limits_passed(year=year):
            if limit.kind in (Kind.ALLOCATION, Kind.GRANT_AMOUNT) and not limit.has_reason:
                yield Violation(f"{limit.concerns} {year}", f"{limit.explanation} No reason is recorded.")
            for stream in limit.stream_ids:
                row = rows.get(stream)
                if row is None or limit.label not in {flag.label for flag in row.flags}:
                    yield Violation(
                        f"{limit.concerns} {year}", f"not flagged on the funding overview: {limit.explanation}"
                    )
    spent = (
        SpendLine.objects.filter(quarterly_return__grant__status__in=figures.COUNTED_GRANT_STATUSES)
        .values("quarterly_return__grant")
        .annotate(total=Sum("actual"))
        .values_list("quarterly_return__grant", "total")
    )
    grants = _counted_grants()
    for grant, total in spent:
        identifier, amount = grants[grant]
        if Decimal(total).quantize(PENNY) > amount:
            yield Violation(
                identifier, f"its returns report {_money(total)} spent, more than its amount {_money(amount)}"
            )


def figures_check(*, on) -> list[Violation]:
    """Every invariant, over the whole database; an empty list means every figure reconciles."""
    return [
        *grants_add_up(),
        *summary_matches_a_rebuild(),
        *dashboards_add_up(on=on),
        *limits_flagged(on=on),
    ]
