"""The return lifecycle (programmes/lifecycle.py, ADR 0008), tried through the portal and the review screen:
submission opens when the quarter ends, a return sent back has its own resubmission date, a reopened one is the
office's to finish, and the screens offer only the table's transitions."""

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from programmes import lifecycle
from programmes.models import QuarterlyReturn, ReturnReminder, ReturnTransition
from programmes.services import TRANSITION_NOT_ALLOWED, grant_activate, return_approve, return_send_back
from tests.admin_helpers import REVIEW_QUEUE, admin_url
from tests.factories import funded_grant
from tests.programmes.portal_returns import fill, narrative_data, submitted
from tests.return_helpers import submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("evidence_storage")]

Status = QuarterlyReturn.Status
SPEND = {"Staff": "10000.00"}  # funded_grant's one budget line, on its profile


def review_url(quarterly_return) -> str:
    return admin_url(REVIEW_QUEUE, "review", quarterly_return.pk)


def check_url(quarterly_return) -> str:
    return reverse("portal:return_check", args=[quarterly_return.pk])


def overdue_listed(client) -> set[int]:
    response = client.get(admin_url("outturn_returns") + "?overdue=true")
    return {row.pk for row in response.context["object_list"]}


def flags(html: str) -> list[str]:
    """The words of the status flags an admin page shows."""
    return re.findall(r'class="w-status w-status--primary"[^>]*>\s*(.*?)\s*</', html, re.S)


def overdue_count(client) -> int:
    html = client.get("/admin/").content.decode()
    return int(re.search(r"<strong>(\d+)</strong> returns? overdue in all years<", html).group(1))


JUL_30, AUG_23, AUG_24 = datetime.date(2023, 7, 30), datetime.date(2023, 8, 23), datetime.date(2023, 8, 24)


def remind(day: str) -> list[tuple[str, int, str]]:
    """Run the reminders for a day; the (kind, week, deadline) of each reminder recorded since, and the e-mails in
    outbox."""
    mail.outbox.clear()
    before = set(ReturnReminder.objects.values_list("pk", flat=True))
    call_command("send_return_reminders", "--date", day, stdout=io.StringIO())
    return list(ReturnReminder.objects.exclude(pk__in=before).order_by("pk").values_list("kind", "week", "deadline"))


def decide(client, quarterly_return, action: str, reason: str = ""):
    data = {"action": action}
    if reason:
        data[f"{action}-reason"] = reason
    return client.post(review_url(quarterly_return), data)


@pytest.fixture
def grant(officer, provider, provider_editor, provider_approver):
    """Navigator 2023/24, one budget line (Staff): Q1 ends 30 June 2023 and is due 30 July 2023."""
    grant = funded_grant(provider=provider, title="Navigator", lead_officer=officer)
    line = grant.budget_lines.get()
    line.name = "Staff"
    line.save()
    grant_activate(grant=grant, user=officer)
    return grant


@pytest.fixture
def q1(grant):
    return grant.returns.get(quarter=1)


# --- The table ----------------------------------------------------------------------------------------------------


def test_the_table_and_the_models_open_statuses_are_one_definition():
    assert frozenset(QuarterlyReturn.OPEN_STATUSES) == lifecycle.EDITABLE
    assert {name for name, t in lifecycle.TRANSITIONS.items() if t.office} == {"send-back", "approve", "reopen"}
    assert {t.name for t in lifecycle.TRANSITIONS.values() if t.reason_required} == {"send-back", "reopen"}


# --- Submission opens when the quarter has ended --------------------------------------------------------------


def test_a_return_cannot_be_submitted_through_the_portal_before_its_quarter_ends(
    provider_client, navigator, provider_approver, settings
):
    """Navigator's Q2 2024/25 ends on 30 September 2024: on that day the draft is complete, but not yet due in."""
    settings.OUTTURN_TODAY = "2024-09-30"
    fill(navigator, provider_approver)
    message = "You can submit the return for Q2 2024/25 from 1 October 2024"
    html = provider_client.get(check_url(navigator)).content.decode()
    assert message in html
    assert "Submit the return</button>" not in html
    task_list = provider_client.get(reverse("portal:return", args=[navigator.pk])).content.decode()
    assert re.search(r'id="task-check-status">\s*Cannot start yet', task_list)
    transitions = ReturnTransition.objects.filter(quarterly_return=navigator).count()

    forged = provider_client.post(check_url(navigator), {"version": navigator.version, "confirm": "on"})

    assert forged.status_code == 200 and message in forged.content.decode()
    fresh = QuarterlyReturn.objects.get(pk=navigator.pk)
    assert (fresh.status, fresh.version, fresh.submitted_at) == (Status.DRAFT, navigator.version, None)
    assert ReturnTransition.objects.filter(quarterly_return=navigator).count() == transitions
    assert mail.outbox == []

    settings.OUTTURN_TODAY = "2024-10-01"
    assert "Submit the return</button>" in provider_client.get(check_url(navigator)).content.decode()
    response = provider_client.post(check_url(navigator), {"version": navigator.version, "confirm": "on"})
    assert response.status_code == 302
    assert QuarterlyReturn.objects.get(pk=navigator.pk).status == Status.SUBMITTED


def test_a_draft_can_be_started_before_the_quarter_ends(provider_client, navigator, settings):
    settings.OUTTURN_TODAY = "2024-08-15"
    response = provider_client.post(reverse("portal:return_narrative", args=[navigator.pk]), narrative_data(navigator))
    assert response.status_code == 302
    assert QuarterlyReturn.objects.get(pk=navigator.pk).status == Status.DRAFT


def test_a_provider_editor_cannot_submit(editor_client, navigator, provider_editor, settings):
    settings.OUTTURN_TODAY = "2024-10-15"
    fill(navigator, provider_editor)
    html = editor_client.get(check_url(navigator)).content.decode()
    assert "Submit the return</button>" not in html
    response = editor_client.post(check_url(navigator), {"version": navigator.version, "confirm": "on"})
    assert response.status_code in (200, 403)
    assert QuarterlyReturn.objects.get(pk=navigator.pk).status == Status.DRAFT


# --- Sent back for changes: its own resubmission date ---------------------------------------------------------


def test_a_return_sent_back_after_its_due_date_is_late_only_after_its_resubmission_date(
    officer_client, provider_client, q1, provider_approver, settings, django_capture_on_commit_callbacks
):
    settings.OUTTURN_TODAY = "2023-07-20"
    submit(q1, provider_approver, SPEND, forecast="10000.00")  # on time: due 30 July
    settings.OUTTURN_TODAY = "2023-08-10"  # a Thursday, after the due date
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(officer_client, q1, "send-back", "Explain the staff costs.")
    assert response.status_code == 302
    q1.refresh_from_db()
    # Ten working days after Thursday 10 August 2023 (no bank holiday in them): Thursday 24 August.
    assert (q1.status, q1.resubmission_due_date) == (Status.RETURNED, datetime.date(2023, 8, 24))
    assert q1.deadline == datetime.date(2023, 8, 24)
    assert "submit the return again by 24 August 2023" in mail.outbox[0].body
    assert overdue_listed(officer_client) == set()
    assert overdue_count(officer_client) == 0
    home = provider_client.get(reverse("portal:home")).content.decode()
    assert "Due 24 August 2023" in home
    review = officer_client.get(review_url(q1)).content.decode()
    assert "24 August 2023" in review and "Overdue" not in flags(review)

    settings.OUTTURN_TODAY = "2023-08-24"  # the resubmission date itself is not late
    assert overdue_listed(officer_client) == set()
    assert not q1.is_overdue(datetime.date(2023, 8, 24))

    settings.OUTTURN_TODAY = "2023-08-25"
    assert overdue_listed(officer_client) == {q1.pk}
    assert overdue_count(officer_client) == 1
    assert "Overdue" in flags(officer_client.get(review_url(q1)).content.decode())


def test_reminders_about_a_return_sent_back_go_by_its_resubmission_date(q1, officer, provider_approver, settings):
    settings.OUTTURN_TODAY = "2023-07-03"
    submit(q1, provider_approver, SPEND, forecast="10000.00")
    settings.OUTTURN_TODAY = "2023-08-10"
    return_send_back(quarterly_return=q1, user=officer, reason="Explain the staff costs.")
    assert remind("2023-08-09") == []  # 15 days before its resubmission date
    assert remind("2023-08-10") == [("due-soon", 0, AUG_24)]
    assert mail.outbox[0].subject.endswith("due on 24 August 2023")
    assert "is due on 24 August 2023" in mail.outbox[0].body
    assert remind("2023-08-24") == []  # the resubmission date itself: still only "due soon", already sent
    assert remind("2023-08-25") == [("overdue", 0, AUG_24)]
    assert "was due on 24 August 2023 and is overdue" in mail.outbox[0].body
    assert remind("2023-08-30") == []
    assert remind("2023-08-31") == [("still-overdue", 1, AUG_24)]
    assert mail.outbox[0].subject.endswith("1 week overdue")  # counted from the resubmission date, not 30 July


def test_a_return_reminded_as_overdue_then_sent_back_still_gets_its_new_reminders(
    q1, officer, provider_approver, settings
):
    assert remind("2023-07-31") == [("overdue", 0, JUL_30)]
    assert remind("2023-08-07") == [("still-overdue", 1, JUL_30)]
    settings.OUTTURN_TODAY = "2023-08-08"
    submit(q1, provider_approver, SPEND, forecast="10000.00")
    settings.OUTTURN_TODAY = "2023-08-09"  # a Wednesday: due again on Wednesday 23 August
    q1 = return_send_back(quarterly_return=q1, user=officer, reason="Explain the staff costs.")
    assert q1.resubmission_due_date == datetime.date(2023, 8, 23)
    assert remind("2023-08-09") == [("due-soon", 0, AUG_23)]
    assert remind("2023-08-24") == [("overdue", 0, AUG_23)]  # not taken for the overdue reminder of 31 July
    assert "was due on 23 August 2023 and is overdue" in mail.outbox[0].body
    assert remind("2023-08-30") == [("still-overdue", 1, AUG_23)]
    assert mail.outbox[0].subject.endswith("1 week overdue")
    assert remind("2023-08-30") == []  # once only


def test_the_resubmission_date_skips_bank_holidays_and_is_never_before_the_due_date(
    q1, officer, provider_approver, settings
):
    settings.OUTTURN_TODAY = "2023-07-03"
    submit(q1, provider_approver, SPEND, forecast="10000.00")
    settings.OUTTURN_TODAY = "2023-07-05"  # ten working days on is 19 July, before the due date of 30 July
    q1 = return_send_back(quarterly_return=q1, user=officer, reason="Check the figures.")
    assert q1.resubmission_due_date == q1.due_date == datetime.date(2023, 7, 30)
    submit(q1, provider_approver, SPEND, forecast="10000.00")
    settings.OUTTURN_TODAY = "2023-08-25"  # a Friday; Monday 28 August 2023 is the summer bank holiday
    q1 = return_send_back(quarterly_return=q1, user=officer, reason="Check the figures again.")
    assert q1.resubmission_due_date == datetime.date(2023, 9, 11)
    settings.RETURN_RESUBMISSION_WORKING_DAYS = 3
    submit(q1, provider_approver, SPEND, forecast="10000.00")
    q1 = return_send_back(quarterly_return=q1, user=officer, reason="And again.")
    assert q1.resubmission_due_date == datetime.date(2023, 8, 31)


def test_approving_clears_the_resubmission_date_and_a_resubmission_is_late_only_after_it(
    officer_client, q1, officer, provider_approver, settings
):
    settings.OUTTURN_TODAY = "2023-07-20"
    submit(q1, provider_approver, SPEND, forecast="10000.00")
    settings.OUTTURN_TODAY = "2023-08-10"
    return_send_back(quarterly_return=q1, user=officer, reason="Explain the staff costs.")
    settings.OUTTURN_TODAY = "2023-08-20"
    q1 = submit(q1, provider_approver, SPEND, forecast="10000.00")
    # The services stamp the time they run; put the submission on the day the test plays.
    QuarterlyReturn.objects.filter(pk=q1.pk).update(
        submitted_at=datetime.datetime(2023, 8, 20, 10, tzinfo=datetime.UTC)
    )
    q1.refresh_from_db()
    assert q1.resubmission_due_date == datetime.date(2023, 8, 24)  # kept: the deadline it was submitted against
    assert not q1.submitted_late
    assert not officer_client.get(admin_url(REVIEW_QUEUE)).context["object_list"][0].submitted_late
    q1 = return_approve(quarterly_return=q1, user=officer)
    assert q1.resubmission_due_date is None


# --- Reopened by the office: the office's to finish -----------------------------------------------------------


def test_a_reopened_return_is_never_overdue_and_gets_no_reminders(
    officer_client, provider_client, q1, officer, provider_approver, settings
):
    settings.OUTTURN_TODAY = "2023-07-20"
    submit(q1, provider_approver, SPEND, forecast="10000.00")
    return_approve(quarterly_return=q1, user=officer)
    settings.OUTTURN_TODAY = "2024-02-01"  # 27 weeks after its due date
    response = decide(officer_client, q1, "reopen", "Figures corrected after the year-end reconciliation.")
    assert response.status_code == 302
    q1.refresh_from_db()
    assert (q1.status, q1.resubmission_due_date, q1.deadline) == (Status.RETURNED, None, None)
    assert not q1.is_overdue(datetime.date(2024, 2, 1))
    overdue = overdue_listed(officer_client)
    assert q1.pk not in overdue
    assert overdue_count(officer_client) == len(overdue)  # the grant's later quarters, never started
    assert "No deadline" in officer_client.get(review_url(q1)).content.decode()
    assert "no deadline" in provider_client.get(reverse("portal:home")).content.decode()
    for day in ("2024-02-01", "2024-02-08", "2024-08-01"):
        remind(day)
    assert not ReturnReminder.objects.filter(quarterly_return=q1).exists()


# --- The review screen offers only the table's transitions ----------------------------------------------------


def buttons(html: str) -> set[str]:
    return set(re.findall(r'<input type="hidden" name="action" value="([\w-]+)">', html))


@pytest.mark.parametrize("status", Status.values)
def test_the_review_screen_offers_only_the_tables_transitions_and_refuses_a_forged_one(officer_client, q1, status):
    QuarterlyReturn.objects.filter(pk=q1.pk).update(status=status)
    allowed = {t.name for t in lifecycle.TRANSITIONS.values() if t.office and t.allowed_from(status)}
    assert buttons(officer_client.get(review_url(q1)).content.decode()) == allowed
    for name in {"approve", "send-back", "reopen"} - allowed:
        response = decide(officer_client, q1, name, "A forged decision.")
        assert response.status_code == 302 and response.url == review_url(q1)
        shown = [str(m).strip() for m in officer_client.get(review_url(q1)).context["messages"]]
        action = lifecycle.TRANSITIONS[name].done
        assert TRANSITION_NOT_ALLOWED.format(current=Status(status).label.lower(), action=action) in shown
        assert QuarterlyReturn.objects.get(pk=q1.pk).status == status
    assert not ReturnTransition.objects.filter(quarterly_return=q1).exists()


def test_a_provider_transition_cannot_be_posted_to_the_review_screen(officer_client, q1):
    assert decide(officer_client, q1, "submit").status_code == 400
    assert decide(officer_client, q1, "start").status_code == 400


def test_a_submitted_returns_decisions_are_for_a_commissioning_officer_only(
    finance_client, q1, provider_approver, settings
):
    settings.OUTTURN_TODAY = "2023-07-20"
    submit(q1, provider_approver, SPEND, forecast="10000.00")
    assert buttons(finance_client.get(review_url(q1)).content.decode()) == set()
    assert decide(finance_client, q1, "approve").status_code == 403
    assert QuarterlyReturn.objects.get(pk=q1.pk).status == Status.SUBMITTED


def test_submitted_helper_still_submits_a_past_quarter(navigator, provider_approver):
    """The shared helper submits Q2 2024/25, long ended on any day the suite runs."""
    assert submitted(navigator, provider_approver).status == Status.SUBMITTED
