"""`send_return_reminders`: due soon, overdue and weekly still-overdue reminders, each sent once."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from funding.roles import Role
from programmes.models import Grant, QuarterlyReturn, ReturnReminder
from programmes.services import grant_activate, return_approve
from tests.factories import UserFactory, funded_grant
from tests.return_helpers import submit

pytestmark = pytest.mark.django_db

NOTHING = "Sent 0 reminders: 0 due soon, 0 overdue, 0 still overdue"


def remind(*args) -> str:
    out = io.StringIO()
    call_command("send_return_reminders", *args, stdout=out)
    return out.getvalue().strip()


def on(day: str) -> str:
    mail.outbox.clear()
    return remind("--date", day)


@pytest.fixture
def grant(officer, provider, provider_editor, provider_approver):
    """A 2023/24 grant: Q1 is due on 30 July 2023, Q2 on 30 October 2023."""
    grant = funded_grant(provider=provider, title="Navigator")
    grant_activate(grant=grant, user=officer)
    return grant


def test_a_return_due_within_14_days_is_reminded_once(grant):
    assert on("2023-07-15") == NOTHING  # 15 days before Q1 is due
    assert on("2023-07-16") == "Sent 1 reminders: 1 due soon, 0 overdue, 0 still overdue"
    (message,) = mail.outbox
    assert message.to == ["approver@provider.example", "editor@provider.example"]
    assert message.subject == f"Q1 2023/24 return for {grant.identifier} due on 30 July 2023"
    assert "is due on 30 July 2023" in message.body
    reminder = ReturnReminder.objects.get()
    assert (reminder.kind, reminder.week, reminder.recipients) == (
        "due-soon",
        0,
        "approver@provider.example\neditor@provider.example",
    )
    for day in ("2023-07-16", "2023-07-20", "2023-07-30"):  # the due day itself is still "due soon"
        assert on(day) == NOTHING
        assert mail.outbox == []


def test_an_overdue_return_is_reminded_once_then_once_a_week(grant):
    assert on("2023-07-31") == "Sent 1 reminders: 0 due soon, 1 overdue, 0 still overdue"
    assert mail.outbox[0].subject == f"Q1 2023/24 return for {grant.identifier} overdue"
    for day in ("2023-07-31", "2023-08-01", "2023-08-05"):
        assert on(day) == NOTHING
    assert on("2023-08-06") == "Sent 1 reminders: 0 due soon, 0 overdue, 1 still overdue"  # a whole week late
    assert mail.outbox[0].subject == f"Q1 2023/24 return for {grant.identifier} 1 week overdue"
    assert on("2023-08-12") == NOTHING
    assert on("2023-08-13") == "Sent 1 reminders: 0 due soon, 0 overdue, 1 still overdue"
    assert mail.outbox[0].subject == f"Q1 2023/24 return for {grant.identifier} 2 weeks overdue"
    assert "is now 2 weeks overdue" in mail.outbox[0].body
    assert on("2023-08-13") == NOTHING
    kinds = list(ReturnReminder.objects.order_by("pk").values_list("kind", "week"))
    assert kinds == [("overdue", 0), ("still-overdue", 1), ("still-overdue", 2)]


def test_a_run_that_missed_days_sends_only_the_reminder_the_day_calls_for(grant):
    assert on("2023-08-20") == "Sent 1 reminders: 0 due soon, 0 overdue, 1 still overdue"
    assert ReturnReminder.objects.get().week == 3


def test_submitted_and_approved_returns_are_never_reminded(grant, officer, provider_approver):
    q1 = grant.returns.get(quarter=1)
    submit(q1, provider_approver, {grant.budget_lines.get().name: "10000.00"}, forecast="10000.00")
    assert on("2023-07-31") == NOTHING
    return_approve(quarterly_return=q1, user=officer)
    assert on("2023-08-20") == NOTHING
    assert mail.outbox == []


def test_a_return_sent_back_is_reminded_again_while_open(grant):
    # Sent back with its due date as its resubmission date (tests/programmes/test_return_lifecycle.py goes through
    # the services; a return returned with no resubmission date was reopened, and is never reminded).
    QuarterlyReturn.objects.filter(grant=grant, quarter=1).update(
        status=QuarterlyReturn.Status.RETURNED, resubmission_due_date=datetime.date(2023, 7, 30)
    )
    assert on("2023-07-31") == "Sent 1 reminders: 0 due soon, 1 overdue, 0 still overdue"
    assert "returned for changes" in mail.outbox[0].body


@pytest.mark.parametrize("status", [Grant.Status.CLOSED, Grant.Status.CANCELLED])
def test_only_active_grants_returns_are_reminded(grant, status):
    Grant.objects.filter(pk=grant.pk).update(status=status)
    assert on("2023-07-31") == NOTHING


def test_a_provider_with_nobody_to_tell_is_reminded_once_it_has_someone(officer):
    grant = funded_grant()
    grant_activate(grant=grant, user=officer)
    assert on("2023-07-31") == NOTHING
    assert not ReturnReminder.objects.exists()
    UserFactory(organisation=grant.provider, roles=[Role.PROVIDER_APPROVER], email="new@provider.example")
    UserFactory(
        organisation=grant.provider, roles=[Role.PROVIDER_EDITOR], email="gone@provider.example", is_active=False
    )
    assert on("2023-08-01") == "Sent 1 reminders: 0 due soon, 1 overdue, 0 still overdue"
    assert mail.outbox[0].to == ["new@provider.example"]


def test_several_returns_are_counted_by_kind(grant, officer):
    other = funded_grant(provider=grant.provider)
    grant_activate(grant=other, user=officer)
    # 17 October: both grants' Q1 returns are 11 weeks overdue (one week's reminder each); Q2s are due in 13 days.
    assert on("2023-10-17") == "Sent 4 reminders: 2 due soon, 0 overdue, 2 still overdue"


def test_by_default_it_reminds_for_today(grant, settings):
    settings.OUTTURN_TODAY = "2023-07-31"
    assert remind() == "Sent 1 reminders: 0 due soon, 1 overdue, 0 still overdue"
    assert remind() == NOTHING


def test_a_date_that_is_not_a_date_is_refused(grant):
    with pytest.raises(CommandError, match="give it as YYYY-MM-DD"):
        remind("--date", "31/07/2023")
    assert not ReturnReminder.objects.exists()
