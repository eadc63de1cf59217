"""Every place the money has gone past a limit, found in one place and explained in words.

Some limits can be passed on purpose or by what really happened, so the product does not refuse them; it flags
them wherever the money is shown (the funding overview, the drill-down, the first screen):

- commitments to a stream's year past its allocation (an officer's override, with a recorded reason);
- payments on a grant, planned or made, past its amount (an officer's override, or a ledger overpayment to recover
  on closing);
- a grant's spend in a financial year past what it charges the streams for that year;
- a grant's payments for a financial year past what it charges the streams for that year.

Each finding is read from the base records (allocations, charges, payments) and the summary rows, in a fixed
number of queries whatever the size of the estate.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Sum
from djmoney.money import Money

from funding.fiscal import FinancialYear
from funding.models import Allocation
from funding.money import PENNY, format_gbp, gbp
from programmes.models import Grant, GrantCharge, Payment
from reports.figures import COUNTED_GRANT_STATUSES
from reports.models import StreamGrantQuarter


class Kind:
    ALLOCATION = "allocation"
    GRANT_AMOUNT = "grant-amount"
    YEAR_SPENT = "year-spent"
    YEAR_PAID = "year-paid"


LABELS = {
    Kind.ALLOCATION: "Committed past allocation",
    Kind.GRANT_AMOUNT: "Payments past a grant's amount",
    Kind.YEAR_SPENT: "Spent past the year's commitment",
    Kind.YEAR_PAID: "Paid past the year's commitment",
}


@dataclass(frozen=True)
class LimitPassed:
    kind: str
    year: FinancialYear
    over_by: Money
    explanation: str
    stream_ids: frozenset[int]  # the streams whose year it concerns
    concerns: str  # the grant's identifier, or the stream's name
    grant_id: int | None = None
    stream_id: int | None = None
    reasons: list[str] = field(default_factory=list)  # what was recorded to justify it, in words

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    @property
    def has_reason(self) -> bool:
        return bool(self.reasons)


def _pounds(value) -> Decimal:
    # SQLite sums decimals in floating point; every stored amount is in pence, so the sum is too.
    return Decimal(value or 0).quantize(PENNY)


def limits_passed(*, year: FinancialYear | None = None) -> list[LimitPassed]:
    """Every limit passed, in one financial year or in all of them, newest year first. Four queries, whatever
    the data and whatever is found."""
    charges = GrantCharge.objects.filter(grant__status__in=COUNTED_GRANT_STATUSES)
    summary = StreamGrantQuarter.objects.all()
    allocations = Allocation.objects.all()
    if year is not None:
        charges = charges.filter(financial_year=year.start_year)
        summary = summary.filter(financial_year=year.start_year)
        allocations = allocations.filter(financial_year=year.start_year)

    committed: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    streams_of: dict[tuple[int, int], set[int]] = defaultdict(set)
    grant_streams: dict[int, set[int]] = defaultdict(set)
    stream_committed: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    overridden: dict[tuple[int, int], list[str]] = defaultdict(list)
    for grant, identifier, stream, financial_year, amount, reason in charges.values_list(
        "grant", "grant__identifier", "stream", "financial_year", "amount", "override_reason"
    ):
        committed[grant, financial_year] += amount
        streams_of[grant, financial_year].add(stream)
        grant_streams[grant].add(stream)
        stream_committed[stream, financial_year] += amount
        if reason:
            overridden[stream, financial_year].append(f"{identifier}: {reason}")

    found = []
    for stream, name, financial_year, allocated in allocations.values_list(
        "stream", "stream__name", "financial_year", "amount"
    ):
        total = _pounds(stream_committed.get((stream, financial_year)))
        if total > allocated:
            fy = FinancialYear(financial_year)
            found.append(
                LimitPassed(
                    kind=Kind.ALLOCATION,
                    year=fy,
                    over_by=gbp(total - allocated),
                    concerns=name,
                    stream_id=stream,
                    stream_ids=frozenset({stream}),
                    reasons=overridden.get((stream, financial_year), []),
                    explanation=f"Commitments to {name} in {fy} come to {format_gbp(gbp(total))}, "
                    f"{format_gbp(gbp(total - allocated))} more than the allocation of {format_gbp(gbp(allocated))}.",
                )
            )

    by_year = (
        summary.values("grant", "grant__identifier", "grant__closure__to_recover", "financial_year")
        .annotate(spent=Sum("spent"), paid=Sum("paid"))
        .order_by()
        .values_list("grant", "grant__identifier", "grant__closure__to_recover", "financial_year", "spent", "paid")
    )
    for grant, identifier, to_recover, financial_year, spent, paid in by_year:
        limit, fy = committed.get((grant, financial_year), Decimal(0)), FinancialYear(financial_year)
        for kind, amount, verb in (
            (Kind.YEAR_SPENT, _pounds(spent), "reported spending"),
            (Kind.YEAR_PAID, _pounds(paid), "was paid"),
        ):
            if amount > limit:
                found.append(
                    LimitPassed(
                        kind=kind,
                        year=fy,
                        over_by=gbp(amount - limit),
                        concerns=identifier,
                        grant_id=grant,
                        stream_ids=frozenset(streams_of.get((grant, financial_year), ())),
                        reasons=[_recovery(to_recover)] if kind == Kind.YEAR_PAID and to_recover else [],
                        explanation=f"{identifier} {verb} {format_gbp(gbp(amount))} for {fy}, "
                        f"{format_gbp(gbp(amount - limit))} more than the {format_gbp(gbp(limit))} it charges to "
                        "streams that year.",
                    )
                )

    found += [
        LimitPassed(
            kind=Kind.GRANT_AMOUNT,
            year=FinancialYear(passed.financial_year),
            over_by=gbp(passed.total - passed.amount),
            concerns=passed.identifier,
            grant_id=passed.grant,
            stream_ids=frozenset(streams_of.get((passed.grant, passed.financial_year)) or grant_streams[passed.grant]),
            reasons=passed.reasons,
            explanation=f"Payments on {passed.identifier}, planned and made, come to "
            f"{format_gbp(gbp(passed.total))}, {format_gbp(gbp(passed.total - passed.amount))} more than its amount "
            f"of {format_gbp(gbp(passed.amount))}.",
        )
        for passed in _grant_amounts_passed()
        if year is None or passed.financial_year == year.start_year
    ]
    return sorted(found, key=lambda limit: (-limit.year.start_year, limit.kind, limit.explanation))


def _recovery(to_recover: Decimal) -> str:
    """What closing a grant paid beyond its spend recorded about the money."""
    return f"{format_gbp(gbp(to_recover))} to recover from the provider on closing"


@dataclass
class _GrantPassed:
    grant: int
    identifier: str
    amount: Decimal
    total: Decimal = Decimal(0)
    financial_year: int | None = None  # the year whose payment took it past its amount
    reasons: list[str] = field(default_factory=list)


def _grant_amounts_passed() -> list[_GrantPassed]:
    """Each grant whose payments, planned and made, come to more than its amount, in one query: its payments in the
    order they are for, to find the year that passed the amount, with their override reasons and any recovery
    recorded on closing."""
    over = (
        Grant.objects.filter(status__in=COUNTED_GRANT_STATUSES)
        .annotate(paid=Sum("payments__amount"))
        .filter(paid__gt=F("amount"))
        .values("pk")
    )
    passed: dict[int, _GrantPassed] = {}
    for grant, identifier, amount, to_recover, financial_year, paid, reason in (
        Payment.objects.filter(grant__in=over)
        .order_by("grant", "financial_year", "quarter", "date", "pk")
        .values_list(
            "grant",
            "grant__identifier",
            "grant__amount",
            "grant__closure__to_recover",
            "financial_year",
            "amount",
            "override_reason",
        )
    ):
        row = passed.get(grant)
        if row is None:
            row = passed[grant] = _GrantPassed(grant=grant, identifier=identifier, amount=amount)
            if to_recover:
                row.reasons.append(_recovery(to_recover))
        row.total += paid
        if row.financial_year is None and row.total > amount:
            row.financial_year = financial_year
        if reason:
            row.reasons.append(reason)
    # SQLite sums decimals in floating point, so the query can let through a grant paid exactly its amount; the
    # running total, in Decimal, is the judge.
    return [row for row in passed.values() if row.financial_year is not None]
