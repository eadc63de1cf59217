"""What the provider portal's pages read. Each goes through programmes.selectors, which scopes every record to
the user's own organisation, and fetches a bounded, fixed number of queries however many grants there are."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from djmoney.money import Money

from funding.fiscal import Quarter
from funding.models import User
from funding.money import gbp, gbp_sum
from programmes import selectors
from programmes.models import (
    BudgetLine,
    Grant,
    GrantCharge,
    Payment,
    QuarterlyReturn,
    ReturnTransition,
    Target,
)

Status = QuarterlyReturn.Status
RECENTLY_APPROVED = 8


@dataclass(frozen=True)
class ReturnTask:
    """One return as a line of the provider's task list."""

    quarterly_return: QuarterlyReturn
    label: str
    tag_colour: str
    detail: str = ""


def _task(quarterly_return: QuarterlyReturn, on: datetime.date) -> ReturnTask:
    status, deadline = quarterly_return.status, quarterly_return.deadline
    if status == Status.RETURNED:
        comments = quarterly_return.sent_back[0].reason if quarterly_return.sent_back else ""
        return ReturnTask(quarterly_return, "Changes needed", "red", comments)
    if status == Status.SUBMITTED:
        return ReturnTask(quarterly_return, "Waiting for review", "blue")
    if status == Status.APPROVED:
        return ReturnTask(quarterly_return, "Approved", "green")
    if quarterly_return.is_overdue(on):
        days = (on - deadline).days
        return ReturnTask(quarterly_return, "Overdue", "red", f"{days} day{'s' if days != 1 else ''} late")
    label = "In progress" if status == Status.DRAFT else "Not started"
    return ReturnTask(quarterly_return, label, "light-blue" if status == Status.DRAFT else "grey")


def _officer_comments() -> Prefetch:
    """The comments of each time the office sent a return back, latest first, as `return.sent_back`."""
    return Prefetch(
        "transitions",
        queryset=ReturnTransition.objects.filter(to_status=Status.RETURNED).order_by("-at"),
        to_attr="sent_back",
    )


def portal_grant_list(*, user: User) -> QuerySet[Grant]:
    return selectors.grant_list(user=user).exclude(status=Grant.Status.DRAFT).order_by("-start_date", "identifier")


def portal_return_tasks(*, user: User, on: datetime.date) -> dict[str, list[ReturnTask]]:
    """The organisation's returns as a task list: what needs doing, what waits for the office, what is done.

    Returns for quarters that have not started yet are left out until they begin.
    """
    returns = (
        selectors.return_list(user=user)
        .filter(grant__status=Grant.Status.ACTIVE)
        .prefetch_related(_officer_comments())
        .order_by("due_date", "grant__identifier")
    )
    current = Quarter.from_date(on)
    started = Q(financial_year__lt=current.financial_year.start_year) | Q(
        financial_year=current.financial_year.start_year, quarter__lte=current.number
    )
    open_returns = returns.filter(started, status__in=[*QuarterlyReturn.OPEN_STATUSES, Status.SUBMITTED])
    approved = returns.filter(status=Status.APPROVED).order_by("-approved_at")[:RECENTLY_APPROVED]
    tasks = {"to_do": [], "waiting": [], "approved": [_task(r, on) for r in approved]}
    for quarterly_return in open_returns:
        tasks["waiting" if quarterly_return.status == Status.SUBMITTED else "to_do"].append(_task(quarterly_return, on))
    return tasks


@dataclass(frozen=True)
class GrantSummary:
    grant: Grant
    paid: Money
    spent: Money
    payments: list[Payment]
    targets: list[Target]
    returns: list[ReturnTask]


def portal_grant_summary(*, user: User, pk: int, on: datetime.date) -> GrantSummary:
    """A grant as its provider sees it: money, dates, streams, budget, payments, targets and its returns."""
    grant = get_object_or_404(
        portal_grant_list(user=user).prefetch_related(
            Prefetch("charges", queryset=GrantCharge.objects.select_related("stream").order_by("financial_year")),
            Prefetch("budget_lines", queryset=BudgetLine.objects.order_by("pk")),
        ),
        pk=pk,
    )
    payments = list(grant.payments.order_by("date"))
    paid = gbp_sum(p.amount for p in payments if p.status == Payment.Status.PAID)
    spent = grant.returns.filter(status=Status.APPROVED).aggregate(total=Sum("spend_lines__actual"))["total"]
    targets = list(grant.targets.select_related("indicator").order_by("financial_year", "quarter", "indicator__name"))
    returns = grant.returns.prefetch_related(_officer_comments()).order_by("-financial_year", "-quarter")
    return GrantSummary(
        grant=grant,
        paid=paid,
        spent=gbp(spent or 0).round(2),
        payments=payments,
        targets=targets,
        returns=[_task(r, on) for r in returns],
    )
