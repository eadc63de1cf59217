"""Closing a grant: its money comes down to what was actually spent, and what was committed but not spent is free
again in its streams' years.

Closing is the last step of a grant's life, taken by a commissioning officer once every return is approved and
finance has paid what it owes. It brings the grant's money to what happened, so that every invariant of DESIGN.md
keeps holding on a closed grant:

- the grant's amount becomes its final spend (the approved spend over all its returns);
- each budget line's amount becomes its approved spend, and its quarterly profile the approved spend per quarter;
- each financial year's charges become that year's approved spend, shared among the year's streams in proportion
  to the year's charges (funding.money.split_by_weight, to the penny); a year with no spend loses its charges, so
  that reports/figures.py shares anything left in it (a payment) by the grant's charges over all years.

So the charges still add up to the amount, the budget lines add up to it, each line's profile adds up to the line,
and in each financial year the profile equals the year's charges. The committed figure of each stream-year falls by
its share of the underspend, which becomes available to other grants again.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from djmoney.money import Money
from wagtail.log_actions import log

from funding.fiscal import FinancialYear, Quarter
from funding.models import FundingStream, User
from funding.money import ZERO, format_gbp, gbp, gbp_sum, split_by_weight
from funding.roles import Role
from funding.services import require_role
from programmes import signals
from programmes.models import (
    BudgetLine,
    BudgetProfile,
    Grant,
    GrantCharge,
    GrantClosure,
    GrantVariation,
    Payment,
    QuarterlyReturn,
    SpendLine,
)
from programmes.services import _snapshot, charge_validate, grant_validate_totals

GRANT_CLOSE_LOG_ACTION = "outturn.grant.close"

CLOSE_NOT_ACTIVE = "Only an active grant can be closed; this one is {status}."
CLOSE_RETURNS_NOT_APPROVED = "Every return must be approved before the grant can be closed: {returns}."
CLOSE_SPEND_PAST_AMOUNT = (
    "The approved spend of {spent} is more than the grant's amount of {amount}: vary the grant's amount before "
    "closing it."
)
CLOSE_PAYMENTS_UNPAID = (
    "Finance has approved {payments} but not yet paid it: the grant can be closed once the payment is recorded."
)
CLOSE_PAYMENTS_DUE = (
    "An approved return released {payments}, which finance has not yet approved and paid: the grant can be closed "
    "once it is paid."
)
CLOSE_REASON_REQUIRED = "Give the reason for closing the grant."
CLOSE_CHARGE_PAST_ALLOCATION = (
    "Closing raises the {year} charge to {stream} to the {amount} spent that year, which the stream cannot take: "
    "{problem}"
)
CLOSE_REASON_PREFIX = "Closed: "


@dataclass(frozen=True)
class ChargeChange:
    """One stream's charge in one financial year, before closing and after."""

    stream: FundingStream
    year: FinancialYear
    before: Money
    after: Money

    @property
    def released(self) -> Money:
        return self.before - self.after


@dataclass(frozen=True)
class LineChange:
    """One budget line, before closing and after: its amount becomes its approved spend, per quarter."""

    line: BudgetLine
    before: Money
    after: Money
    profile: dict[Quarter, Money]


@dataclass(frozen=True)
class ClosurePlan:
    """What closing a grant would record and change, and what stops it (empty `problems`: it can be closed).

    Figures, never negative:

    - final spend = the approved spend over all the grant's returns (SpendLine.actual on approved returns);
    - underspend = amount before closing − final spend;
    - paid = the payments made (status paid);
    - to recover = max(paid − final spend, 0): paid to the provider beyond what it spent;
    - released = max(amount before − max(paid, final spend), 0): committed, never paid, and free again in the
      streams' years.

    While paid is within the amount, underspend = released + to recover: money left unspent was either never
    paid (released) or paid and is owed back (to recover). A grant paid past its amount by an override has more to
    recover than its underspend, and releases nothing.
    """

    grant: Grant
    amount_before: Money
    final_spend: Money
    paid: Money
    charges: list[ChargeChange]
    lines: list[LineChange]
    cancelled_payments: list[Payment]
    problems: list[str] = field(default_factory=list)

    @property
    def closable(self) -> bool:
        return not self.problems

    @property
    def underspend(self) -> Money:
        return max(self.amount_before - self.final_spend, ZERO)

    @property
    def to_recover(self) -> Money:
        return max(self.paid - self.final_spend, ZERO)

    @property
    def released(self) -> Money:
        return max(self.amount_before - max(self.paid, self.final_spend), ZERO)


def _payment_names(payments: list[Payment]) -> str:
    names = [f"{format_gbp(payment.amount)} for {payment.period}" for payment in payments]
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]


def _problems(*, grant: Grant, returns: list[QuarterlyReturn], final: Money, payments: list[Payment]) -> list[str]:
    problems = []
    if grant.status != Grant.Status.ACTIVE:
        problems.append(CLOSE_NOT_ACTIVE.format(status=grant.get_status_display().lower()))
    waiting = [r for r in returns if r.status != QuarterlyReturn.Status.APPROVED]
    if waiting:
        named = ", ".join(f"{r.period} is {r.get_status_display().lower()}" for r in waiting)
        problems.append(CLOSE_RETURNS_NOT_APPROVED.format(returns=named))
    if final > grant.amount:
        problems.append(CLOSE_SPEND_PAST_AMOUNT.format(spent=format_gbp(final), amount=format_gbp(grant.amount)))
    unpaid = [p for p in payments if p.status == Payment.Status.APPROVED]
    if unpaid:
        problems.append(CLOSE_PAYMENTS_UNPAID.format(payments=_payment_names(unpaid)))
    due = [p for p in payments if p.status == Payment.Status.PLANNED and _released_by_approved_return(p)]
    if due:
        problems.append(CLOSE_PAYMENTS_DUE.format(payments=_payment_names(due)))
    return problems


def _allocation_problems(*, grant: Grant, charges: list["ChargeChange"], existing: list[GrantCharge]) -> list[str]:
    """A year in which the grant spent more than it charged takes a larger charge on closing: that charge keeps
    within its stream's allocation (or an override's recorded reason), as any charge does."""
    overridden = {(c.stream_id, c.financial_year) for c in existing if c.override_reason}
    problems = []
    for change in charges:
        key = (change.stream.pk, change.year.start_year)
        if change.after <= change.before or key in overridden:
            continue  # an override already records why this stream's year may pass its allocation
        charge = GrantCharge(grant=grant, stream=change.stream, financial_year=key[1], amount=change.after)
        try:
            charge_validate(charge=charge, user=None)
        except ValidationError as error:
            problems += [
                CLOSE_CHARGE_PAST_ALLOCATION.format(
                    year=change.year, stream=change.stream, amount=format_gbp(change.after), problem=message
                )
                for message in error.messages
            ]
    return problems


def _released_by_approved_return(payment: Payment) -> bool:
    released_by = payment.released_by_return
    return released_by is not None and released_by.status == QuarterlyReturn.Status.APPROVED


def _charge_changes(*, charges: list[GrantCharge], spent_by_year: dict[int, Decimal]) -> list[ChargeChange]:
    """Each year's charges become the year's approved spend, shared by the year's charges; a year with spend but no
    charge (spend where nothing was profiled) is shared by the grant's charges over all years."""
    by_year: dict[int, dict[int, GrantCharge]] = defaultdict(dict)
    overall: dict[int, Decimal] = defaultdict(Decimal)
    streams = {}
    for charge in charges:
        by_year[charge.financial_year][charge.stream_id] = charge
        overall[charge.stream_id] += charge.amount.amount
        streams[charge.stream_id] = charge.stream
    changes = []
    for year in sorted(set(by_year) | {year for year, spent in spent_by_year.items() if spent}):
        spent = spent_by_year.get(year, Decimal(0))
        year_charges = by_year.get(year, {})
        weights = {stream: charge.amount.amount for stream, charge in year_charges.items()}
        if not sum(weights.values()):
            weights = dict(overall)
        shares = split_by_weight(spent, weights) if spent and sum(weights.values()) else {}
        for stream in sorted(set(year_charges) | set(shares)):
            before = year_charges[stream].amount if stream in year_charges else ZERO
            changes.append(
                ChargeChange(
                    stream=streams[stream],
                    year=FinancialYear(year),
                    before=before,
                    after=gbp(shares.get(stream, Decimal(0))),
                )
            )
    return changes


def grant_closure_plan(*, grant: Grant) -> ClosurePlan:
    """What closing the grant would do, read in a fixed number of queries; the confirmation screen shows it and
    grant_close() carries it out."""
    returns = list(grant.returns.order_by("financial_year", "quarter"))
    approved = [r.pk for r in returns if r.status == QuarterlyReturn.Status.APPROVED]
    spend = list(
        SpendLine.objects.filter(quarterly_return_id__in=approved).values_list(
            "budget_line_id", "quarterly_return__financial_year", "quarterly_return__quarter", "actual"
        )
    )
    spent_by_line: dict[int, dict[Quarter, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    spent_by_year: dict[int, Decimal] = defaultdict(Decimal)
    for line_id, year, quarter, actual in spend:
        spent_by_line[line_id][Quarter(FinancialYear(year), quarter)] += actual
        spent_by_year[year] += actual
    final = gbp(sum(spent_by_year.values(), Decimal(0)))
    quarters = grant.quarters
    lines = []
    for line in BudgetLine.objects.filter(grant=grant).order_by("pk"):
        spent = spent_by_line.get(line.pk, {})
        profile = {quarter: gbp(spent.get(quarter, Decimal(0))) for quarter in sorted(set(quarters) | set(spent))}
        lines.append(LineChange(line=line, before=line.amount, after=gbp_sum(profile.values()), profile=profile))
    charges = list(GrantCharge.objects.filter(grant=grant).select_related("stream").order_by("financial_year", "pk"))
    payments = list(grant.payments.select_related("released_by_return").order_by("date", "pk"))
    paid = gbp_sum(p.amount for p in payments if p.status == Payment.Status.PAID)
    cancelled = [p for p in payments if p.status == Payment.Status.PLANNED and not _released_by_approved_return(p)]
    changes = _charge_changes(charges=charges, spent_by_year=spent_by_year)
    return ClosurePlan(
        grant=grant,
        amount_before=grant.amount,
        final_spend=final,
        paid=paid,
        charges=changes,
        lines=lines,
        cancelled_payments=cancelled,
        problems=_problems(grant=grant, returns=returns, final=final, payments=payments)
        + _allocation_problems(grant=grant, charges=changes, existing=charges),
    )


def _apply(plan: ClosurePlan) -> None:
    """Bring the grant's charges, budget lines and profiles to the plan's figures."""
    grant = plan.grant
    for change in plan.charges:
        existing = GrantCharge.objects.filter(grant=grant, stream=change.stream, financial_year=change.year.start_year)
        if not change.after:
            existing.delete()  # a year is a key: a charge of nothing would stop the year sharing anything at all
        elif not existing.update(amount=change.after):
            GrantCharge.objects.create(
                grant=grant, stream=change.stream, financial_year=change.year.start_year, amount=change.after
            )
    for change in plan.lines:
        BudgetLine.objects.filter(pk=change.line.pk).update(amount=change.after)
        BudgetProfile.objects.filter(budget_line=change.line).delete()
        BudgetProfile.objects.bulk_create(
            BudgetProfile(
                budget_line=change.line,
                financial_year=quarter.financial_year.start_year,
                quarter=quarter.number,
                amount=amount,
            )
            for quarter, amount in change.profile.items()
        )
    Payment.objects.filter(pk__in=[p.pk for p in plan.cancelled_payments]).delete()


@transaction.atomic
def grant_close(*, grant: Grant, user: User, reason: str) -> GrantClosure:
    """Close an active grant whose returns are all approved, recording its final spend and what happens to the rest.

    See ClosurePlan for the figures. Refused, changing nothing, while a return is not yet approved, while finance owes
    a payment (approved but unpaid, or released by an approved return and not yet paid), where the approved spend is
    more than the grant's amount, or without a reason. Planned payments nobody owes (planned in advance and not
    released by a return) are cancelled: they are deleted, and the log entry lists them.

    The closure is recorded three ways in one transaction: a GrantClosure with the figures, a variation of the amount
    with the charges and budget lines before and after (the grant's history), and an audit log entry. Reports'
    summary rows are rebuilt for the grant. A closed grant gets no more reminders and cannot be varied.
    """
    require_role(user, Role.COMMISSIONING_OFFICER)
    if not reason.strip():
        raise ValidationError(CLOSE_REASON_REQUIRED)
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    plan = grant_closure_plan(grant=grant)
    if plan.problems:
        raise ValidationError(plan.problems)
    before = _snapshot(grant)
    _apply(plan)
    grant.amount, grant.status = plan.final_spend, Grant.Status.CLOSED
    grant.save(update_fields=["amount", "status"])
    grant = Grant.objects.get(pk=grant.pk)
    grant_validate_totals(grant=grant)  # the invariants hold on the closed grant, or nothing is written
    reason = reason.strip()
    closure = GrantClosure.objects.create(
        grant=grant,
        amount_before=plan.amount_before,
        final_spend=plan.final_spend,
        underspend=plan.underspend,
        to_recover=plan.to_recover,
        released=plan.released,
        reason=reason,
        closed_by=user,
        closed_at=timezone.now(),
    )
    GrantVariation.objects.create(
        grant=grant,
        kind=GrantVariation.Kind.AMOUNT,
        reason=CLOSE_REASON_PREFIX + reason,
        before=before,
        after=_snapshot(grant),
        made_by=user,
    )
    log(
        instance=grant,
        action=GRANT_CLOSE_LOG_ACTION,
        user=user,
        data={
            "reason": reason,
            **{
                name: str(getattr(plan, name).amount)
                for name in ("amount_before", "final_spend", "underspend", "to_recover", "released")
            },
            "cancelled_payments": [[str(p.amount.amount), p.period.label] for p in plan.cancelled_payments],
        },
    )
    signals.grant_figures_changed.send(sender=Grant, grant_id=grant.pk)
    return closure
