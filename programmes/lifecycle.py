"""The quarterly return's lifecycle, stated once (docs/adr/0008-return-lifecycle.md).

`TRANSITIONS` says which changes of status exist, who may make them, from which statuses to which, whether they
need a reason, and the words for them. The services enforce it; the review screen's buttons, the portal's
"submit" and every "may this user do this?" read it. The dates the lifecycle turns on live here too: when
submission opens, and when a return sent back for changes is owed again.
"""

import datetime
import functools
from dataclasses import dataclass

import holidays
from django.conf import settings

from funding.models import User
from funding.roles import PROVIDER_ROLES, Role
from programmes.models import Grant, QuarterlyReturn

Status = QuarterlyReturn.Status

SUBMISSION_NOT_OPEN = "You can submit the return for {quarter} from {opens}"
RETURN_FINAL = "{grant} is closed: its returns are final and cannot be changed."


@dataclass(frozen=True)
class Transition:
    """One change of a return's status."""

    name: str  # what the screens post, and the key of TRANSITIONS
    sources: frozenset[str]  # the statuses it may be taken from
    target: str
    roles: frozenset[Role]  # any one of them will do; a superuser holds every role
    reason_required: bool  # the office says why, and the provider sees it
    done: str  # how a refusal names it: "A return that is draft cannot be {done}."
    label: str  # the words of its button
    office: bool  # taken in the back office; otherwise by the provider, in the portal

    def allowed_from(self, status: str) -> bool:
        return status in self.sources

    def allows(self, user: User) -> bool:
        return user.has_role(*self.roles)


START = Transition(
    "start",
    frozenset({Status.NOT_STARTED}),
    Status.DRAFT,
    PROVIDER_ROLES,
    reason_required=False,
    done="started",
    label="Start the return",  # taken by the first save of any answer, not by a button
    office=False,
)
SUBMIT = Transition(
    "submit",
    frozenset({Status.DRAFT, Status.RETURNED}),
    Status.SUBMITTED,
    frozenset({Role.PROVIDER_APPROVER}),
    reason_required=False,
    done="submitted",
    label="Submit the return",
    office=False,
)
SEND_BACK = Transition(
    "send-back",
    frozenset({Status.SUBMITTED}),
    Status.RETURNED,
    frozenset({Role.COMMISSIONING_OFFICER}),
    reason_required=True,
    done="returned for changes",
    label="Return for changes",
    office=True,
)
APPROVE = Transition(
    "approve",
    frozenset({Status.SUBMITTED}),
    Status.APPROVED,
    frozenset({Role.COMMISSIONING_OFFICER}),
    reason_required=False,
    done="approved",
    label="Approve this return",
    office=True,
)
REOPEN = Transition(
    "reopen",
    frozenset({Status.APPROVED}),
    Status.RETURNED,
    frozenset({Role.COMMISSIONING_OFFICER}),
    reason_required=True,
    done="reopened",
    label="Reopen this return",
    office=True,
)
TRANSITIONS = {transition.name: transition for transition in (START, SUBMIT, SEND_BACK, APPROVE, REOPEN)}

# The provider changes its answers while it owes the return: from the statuses START and SUBMIT leave (not started,
# draft, returned for changes), which are QuarterlyReturn.OPEN_STATUSES; the first change starts it.
EDITABLE = START.sources | SUBMIT.sources
EDIT_ROLES = START.roles


def is_final(quarterly_return: QuarterlyReturn) -> bool:
    """A closed grant's returns are final: closing recorded the grant's spend from them, so none may change."""
    return quarterly_return.grant.status == Grant.Status.CLOSED


def available(*, user: User, quarterly_return: QuarterlyReturn, office: bool) -> list[Transition]:
    """The transitions this user may take on the return now, in the back office or in the portal."""
    if is_final(quarterly_return):
        return []
    return [
        transition
        for transition in TRANSITIONS.values()
        if transition.office == office
        and transition.allowed_from(quarterly_return.status)
        and transition.allows(user)
        and transition is not START  # started by the first save, not by a button
    ]


# --- Dates ------------------------------------------------------------------------------------------------------


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def submission_opens(quarterly_return: QuarterlyReturn) -> datetime.date:
    """The first day the return can be submitted: the day after its quarter ends. Drafts can start before."""
    return quarterly_return.period.end + datetime.timedelta(days=1)


def submission_not_open(*, quarterly_return: QuarterlyReturn, on: datetime.date) -> str | None:
    """Why the return cannot be submitted on the day, if its quarter has not ended; None once it has."""
    opens = submission_opens(quarterly_return)
    if on >= opens:
        return None
    return SUBMISSION_NOT_OPEN.format(quarter=quarterly_return.period, opens=_day(opens))


@functools.cache
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday, and not a bank holiday in England."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_days_after(day: datetime.date, days: int) -> datetime.date:
    """The working day that is `days` working days after the given day (which itself does not count)."""
    while days > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def resubmission_due_date(*, due_date: datetime.date, sent_back_on: datetime.date) -> datetime.date:
    """When a return sent back for changes on a day is owed again: RETURN_RESUBMISSION_WORKING_DAYS working days
    later, and never before its original due date."""
    return max(due_date, working_days_after(sent_back_on, settings.RETURN_RESUBMISSION_WORKING_DAYS))
