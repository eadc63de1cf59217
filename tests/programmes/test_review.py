"""The office's review of returns in the back office: the queue, the review screen, and the decisions taken on it."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.test import Client
from django.utils import timezone

from funding.money import gbp
from programmes.models import EvidenceFile, Payment, QuarterlyReturn, Target
from programmes.services import (
    REASON_REQUIRED,
    grant_activate,
    payment_create,
    return_approve,
    return_record_indicator,
    return_reopen,
)
from tests.admin_helpers import REVIEW_QUEUE, admin_url, count_queries
from tests.factories import BudgetLineFactory, IndicatorFactory, OrganisationFactory, UserFactory, funded_grant
from tests.return_helpers import submit

pytestmark = pytest.mark.django_db


def review_url(quarterly_return) -> str:
    return admin_url(REVIEW_QUEUE, "review", quarterly_return.pk)


def flags(response) -> list[str]:
    """The words of the status flags a page shows."""
    return re.findall(r'class="w-status w-status--primary"[^>]*>\s*(.*?)\s*</', response.content.decode(), re.S)


def shown_messages(response) -> list[str]:
    return [str(message).strip() for message in response.context["messages"]]


def queued(response) -> list:
    return [row.pk for row in response.context["object_list"]]


@pytest.fixture
def grant(officer, provider):
    """Navigator 2023/24: £40,000 in two lines of £20,000, each profiled at £5,000 a quarter, paid in arrears."""
    grant = funded_grant(provider=provider, title="Navigator", lead_officer=officer)
    staff = grant.budget_lines.get()
    staff.name, staff.amount = "Staff", gbp("20000.00")
    staff.save()
    BudgetLineFactory(grant=grant, name="Travel", amount=gbp("20000.00"))
    grant_activate(grant=grant, user=officer)
    return grant


@pytest.fixture
def q1(grant):
    return grant.returns.get(quarter=1)


@pytest.fixture
def q2(grant):
    return grant.returns.get(quarter=2)


@pytest.fixture
def submitted_q2(q1, q2, officer, provider_approver):
    """Q1 approved; Q2 submitted with Travel 20% over its profile (explained) and Staff 4% over."""
    submit(q1, provider_approver, {"Staff": "4800.00", "Travel": "4900.00"})
    return_approve(quarterly_return=q1, user=officer)
    submit(
        q2,
        provider_approver,
        {"Staff": "5200.00", "Travel": "6000.00"},
        explanations={"Travel": "Extra home visits across the county."},
    )
    return q2


# --- The queue ------------------------------------------------------------------------------------------------


def test_the_queue_lists_only_submitted_returns_oldest_submission_first(officer_client, officer, grant, q1, q2):
    other = funded_grant(year=2023)
    grant_activate(grant=other, user=officer)
    now = timezone.now()
    QuarterlyReturn.objects.filter(pk=q2.pk).update(status="submitted", submitted_at=now - datetime.timedelta(days=2))
    QuarterlyReturn.objects.filter(pk=q1.pk).update(status="submitted", submitted_at=now - datetime.timedelta(days=9))
    QuarterlyReturn.objects.filter(grant=other, quarter=1).update(status="approved", submitted_at=now)
    QuarterlyReturn.objects.filter(grant=other, quarter=2).update(status="returned", submitted_at=now)
    response = officer_client.get(admin_url(REVIEW_QUEUE))
    assert response.status_code == 200
    assert queued(response) == [q1.pk, q2.pk]
    html = response.content.decode()
    assert "Review queue" in html
    assert review_url(q1) in html


@pytest.mark.parametrize(
    "query",
    [
        "stream={stream}",
        "programme={programme}",
        "provider={provider}",
        "quarter=2",
        "financial_year=2024",
        "financial_year=2024&quarter=2",
        "q=Space",
    ],
)
def test_each_filter_narrows_the_queue(officer_client, officer, grant, query):
    space = funded_grant(year=2024, title="The Space", provider=OrganisationFactory(name="SCVYS"))
    grant_activate(grant=space, user=officer)
    QuarterlyReturn.objects.filter(grant__in=[grant, space], quarter__in=[1, 2]).update(
        status="submitted", submitted_at=timezone.now()
    )
    wanted = set(space.returns.filter(quarter=2).values_list("pk", flat=True))
    if "quarter" not in query:
        wanted |= set(space.returns.filter(quarter=1).values_list("pk", flat=True))
    url = (
        admin_url(REVIEW_QUEUE)
        + "?"
        + query.format(stream=space.charges.get().stream_id, programme=space.programme_id, provider=space.provider_id)
    )
    if query == "quarter=2":
        wanted |= set(grant.returns.filter(quarter=2).values_list("pk", flat=True))
    assert set(queued(officer_client.get(url))) == wanted


def test_the_queue_flags_late_submissions_and_counts_the_days_waiting(officer_client, q1, q2, settings):
    settings.OUTTURN_TODAY = "2023-11-10"
    QuarterlyReturn.objects.filter(pk=q1.pk).update(
        status="submitted", submitted_at=datetime.datetime(2023, 8, 4, 10, tzinfo=datetime.UTC)
    )  # due 30 July: late
    QuarterlyReturn.objects.filter(pk=q2.pk).update(
        status="submitted", submitted_at=datetime.datetime(2023, 10, 30, 16, tzinfo=datetime.UTC)
    )  # due 30 October, submitted on the day: on time
    response = officer_client.get(admin_url(REVIEW_QUEUE))
    rows = response.content.decode().split("<tr")
    q1_row = next(row for row in rows if "Q1 2023/24" in row)
    q2_row = next(row for row in rows if "Q2 2023/24" in row)
    assert "Late" in q1_row and ">98<" in q1_row.replace(" ", "").replace("\n", "")
    assert "Late" not in q2_row and ">11<" in q2_row.replace(" ", "").replace("\n", "")


def test_the_queue_and_the_returns_menu_are_kept_from_content_editors_and_providers(
    content_editor, provider_approver, provider_editor, submitted_q2
):
    editor = Client()
    editor.force_login(content_editor)
    assert "Review queue" not in editor.get("/admin/").content.decode()
    for url in (admin_url(REVIEW_QUEUE), review_url(submitted_q2)):
        assert editor.get(url).url == "/admin/"
    evidence = EvidenceFile.objects.create(
        quarterly_return=submitted_q2,
        file="evidence/x.pdf",
        original_name="x.pdf",
        content_type="application/pdf",
        size=10,
        uploaded_by=provider_approver,
    )
    for user in (provider_approver, provider_editor):
        client = Client()
        client.force_login(user)
        for url in (
            admin_url(REVIEW_QUEUE),
            review_url(submitted_q2),
            admin_url(REVIEW_QUEUE, "evidence", submitted_q2.pk, evidence.pk),
        ):
            response = client.get(url)
            assert response.status_code == 302 and response.url == "/portal/"
        response = client.post(review_url(submitted_q2), {"action": "approve"})
        assert response.status_code == 302 and response.url == "/portal/"
    assert QuarterlyReturn.objects.get(pk=submitted_q2.pk).status == "submitted"


def test_the_returns_menu_offers_the_review_queue(officer_client):
    assert '"Review queue"' in officer_client.get("/admin/").content.decode()


# --- The review screen ----------------------------------------------------------------------------------------


def test_the_review_screen_sets_the_return_beside_the_previous_quarter_and_flags_variances(
    officer_client, submitted_q2
):
    response = officer_client.get(review_url(submitted_q2))
    assert response.status_code == 200
    spend = {row["line"]: row for row in response.context["spend"]}
    assert spend["Travel"]["flagged"] and spend["Travel"]["percent"] == "+20.0%"
    assert spend["Travel"]["variance"] == "£1,000.00" and spend["Travel"]["planned"] == "£5,000.00"
    assert not spend["Staff"]["flagged"] and spend["Staff"]["percent"] == "+4.0%"
    assert spend["Travel"]["previous"] == "£4,900.00"  # Q1, beside it
    html = response.content.decode()
    assert "More than 10%" in html and "Extra home visits across the county." in html
    assert "Q1 2023/24 return</a>, approved" in html
    assert response.context["review"].is_late  # submitted now, due in 2023
    assert "Late" in html
    money = response.context["money"]
    assert money["spent_before"] == "£9,700.00" and money["this_quarter"] == "£11,200.00"
    assert money["cumulative"] == "£20,900.00" and money["remaining"] == "£19,100.00"
    assert [cell["forecast"] for row in response.context["forecasts"] for cell in row["cells"]] == ["£5,000.00"] * 4
    for text in ("A, 15, was referred after arrest", "Recruitment of a second caseworker.", "Amber"):
        assert text in html
    assert "Draft → Submitted" in html


def test_a_variance_of_exactly_ten_percent_is_not_flagged(officer_client, q1, provider_approver):
    submit(q1, provider_approver, {"Staff": "5500.00", "Travel": "4499.99"})
    spend = {row["line"]: row for row in officer_client.get(review_url(q1)).context["spend"]}
    assert not spend["Staff"]["flagged"]
    assert spend["Travel"]["flagged"]


def test_a_return_submitted_on_its_due_date_is_not_late(officer_client, q1, provider_approver):
    submit(q1, provider_approver, {"Staff": "5000.00", "Travel": "5000.00"})
    QuarterlyReturn.objects.filter(pk=q1.pk).update(
        submitted_at=datetime.datetime(2023, 7, 30, 22, 30, tzinfo=datetime.UTC)  # 23:30 in London, 30 July
    )
    response = officer_client.get(review_url(q1))
    assert not response.context["review"].is_late


def test_indicators_are_shown_with_breakdowns_against_the_targets_and_the_year_so_far(
    officer_client, officer, grant, q1, q2, provider_approver
):
    children = IndicatorFactory(name="Children supported", programme=grant.programme, breakdown_by_sex=True)
    Target.objects.create(indicator=children, grant=grant, financial_year=2023, value=Decimal("60"))
    Target.objects.create(indicator=children, grant=grant, financial_year=2023, quarter=2, value=Decimal("15"))
    return_record_indicator(quarterly_return=q1, indicator=children, value=Decimal(12), user=provider_approver)
    submit(q1, provider_approver, {"Staff": "5000.00", "Travel": "5000.00"})
    return_approve(quarterly_return=q1, user=officer)
    return_record_indicator(quarterly_return=q2, indicator=children, value=Decimal(9), user=provider_approver)
    for category, count in (("Female", 4), ("Male", 5)):
        return_record_indicator(
            quarterly_return=q2,
            indicator=children,
            value=Decimal(count),
            breakdown="sex",
            category=category,
            user=provider_approver,
        )
    submit(q2, provider_approver, {"Staff": "5000.00", "Travel": "5000.00"})
    (row,) = officer_client.get(review_url(q2)).context["indicators"]
    assert (row["value"], row["previous"], row["year_so_far"]) == ("9", "12", "21")
    assert (row["quarter_target"], row["year_target"]) == ("15", "60")
    assert row["breakdowns"] == [("Sex", "Female", "4"), ("Sex", "Male", "5")]


def test_office_roles_without_the_decision_see_the_screen_but_no_actions(
    finance_client, board_client, officer_client, submitted_q2
):
    for client in (finance_client, board_client):
        response = client.get(review_url(submitted_q2))
        assert response.status_code == 200
        assert response.context["actions"] == []
        html = response.content.decode()
        assert 'name="action"' not in html
        assert "Only a commissioning officer can approve" in html
    html = officer_client.get(review_url(submitted_q2)).content.decode()
    assert 'value="approve"' in html and 'value="send-back"' in html and 'value="reopen"' not in html
    assert 'name="csrfmiddlewaretoken"' in html


@pytest.mark.parametrize("action", ["approve", "send-back", "reopen"])
def test_finance_officers_and_board_viewers_cannot_post_a_decision(finance_client, board_client, submitted_q2, action):
    for client in (finance_client, board_client):
        response = client.post(review_url(submitted_q2), {"action": action, f"{action}-reason": "Because"})
        assert response.status_code == 403
    assert QuarterlyReturn.objects.get(pk=submitted_q2.pk).status == "submitted"
    assert submitted_q2.transitions.count() == 2  # not started → draft → submitted, nothing more


def test_the_return_inspect_view_links_to_the_review_screen(officer_client, submitted_q2):
    html = officer_client.get(admin_url("outturn_returns", "inspect", submitted_q2.pk)).content.decode()
    assert f'href="{review_url(submitted_q2)}"' in html


# --- Decisions ------------------------------------------------------------------------------------------------


def test_approving_locks_the_return_records_it_and_tells_the_provider(
    officer_client, officer, provider_editor, provider_approver, submitted_q2, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(review_url(submitted_q2), {"action": "approve"})
    assert response.status_code == 302 and response.url == admin_url(REVIEW_QUEUE)
    submitted_q2.refresh_from_db()
    assert submitted_q2.status == "approved" and submitted_q2.approved_at is not None
    transition = submitted_q2.transitions.last()
    assert (transition.from_status, transition.to_status, transition.by) == ("submitted", "approved", officer)
    (message,) = mail.outbox
    assert sorted(message.to) == ["approver@provider.example", "editor@provider.example"]
    assert message.subject == f"Q2 2023/24 return for {submitted_q2.grant.identifier} approved"
    assert "has been approved" in message.body
    queue = officer_client.get(response.url)
    assert submitted_q2.pk not in queued(queue)
    assert "is approved" in queue.content.decode()


def test_returning_for_changes_records_the_comments_and_e_mails_them(
    officer_client, provider_editor, submitted_q2, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    comments = "Explain the travel overspend & attach the mileage log."
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(review_url(submitted_q2), {"action": "send-back", "send-back-reason": comments})
    submitted_q2.refresh_from_db()
    assert submitted_q2.status == "returned"
    assert submitted_q2.transitions.last().reason == comments
    (message,) = mail.outbox
    assert sorted(message.to) == ["approver@provider.example", "editor@provider.example"]
    assert message.subject == f"Q2 2023/24 return for {submitted_q2.grant.identifier} returned for changes"
    assert comments in message.body  # plain text: not HTML-escaped


@pytest.mark.parametrize("comments", ["", "   "])
def test_returning_for_changes_without_comments_is_refused_and_changes_nothing(
    officer_client, submitted_q2, comments, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(
            review_url(submitted_q2), {"action": "send-back", "send-back-reason": comments}, follow=True
        )
    assert response.redirect_chain[-1][0] == review_url(submitted_q2)
    assert REASON_REQUIRED in shown_messages(response)
    assert QuarterlyReturn.objects.get(pk=submitted_q2.pk).status == "submitted"
    assert submitted_q2.transitions.count() == 2
    assert mail.outbox == []


def test_reopening_an_approved_return_needs_a_reason_and_tells_the_provider(
    officer_client, officer, provider_editor, submitted_q2, django_capture_on_commit_callbacks
):
    return_approve(quarterly_return=submitted_q2, user=officer)
    html = officer_client.get(review_url(submitted_q2)).content.decode()
    assert 'value="reopen"' in html and 'value="approve"' not in html
    refused = officer_client.post(review_url(submitted_q2), {"action": "reopen", "reopen-reason": ""}, follow=True)
    assert REASON_REQUIRED in shown_messages(refused)
    assert QuarterlyReturn.objects.get(pk=submitted_q2.pk).status == "approved"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(
            review_url(submitted_q2), {"action": "reopen", "reopen-reason": "Referrals were double-counted."}
        )
    assert response.url == review_url(submitted_q2)
    submitted_q2.refresh_from_db()
    assert (submitted_q2.status, submitted_q2.approved_at) == ("returned", None)
    transition = submitted_q2.transitions.last()
    assert (transition.from_status, transition.to_status) == ("approved", "returned")
    assert transition.reason == "Referrals were double-counted."
    (message,) = mail.outbox
    assert message.subject == f"Q2 2023/24 return for {submitted_q2.grant.identifier} reopened"
    assert "Referrals were double-counted." in message.body
    assert sorted(message.to) == ["approver@provider.example", "editor@provider.example"]


def test_a_decision_the_return_no_longer_allows_shows_the_services_message(
    officer_client, officer, submitted_q2, django_capture_on_commit_callbacks
):
    return_approve(quarterly_return=submitted_q2, user=officer)  # someone approved it first
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(
            review_url(submitted_q2), {"action": "send-back", "send-back-reason": "Too late"}, follow=True
        )
    assert "A return that is approved cannot be returned for changes." in shown_messages(response)
    assert QuarterlyReturn.objects.get(pk=submitted_q2.pk).status == "approved"
    assert mail.outbox == []


def test_an_unknown_action_is_a_bad_request(officer_client, submitted_q2):
    assert officer_client.post(review_url(submitted_q2), {"action": "delete"}).status_code == 400


def test_the_review_screen_of_a_return_that_does_not_exist_is_not_found(officer_client):
    assert officer_client.get(admin_url(REVIEW_QUEUE, "review", 999999)).status_code == 404


# --- Payments released by a return ---------------------------------------------------------------------------


def test_an_approved_return_makes_its_quarters_payment_due_for_approval_and_a_reopening_flags_it(
    client, finance_officer, officer, submitted_q2
):
    client.force_login(finance_officer)
    payment = payment_create(
        grant=submitted_q2.grant, amount=gbp("10000.00"), date=datetime.date(2023, 9, 30), user=finance_officer
    )
    payment_create(
        grant=submitted_q2.grant, amount=gbp("10000.00"), date=datetime.date(2023, 12, 31), user=finance_officer
    )
    return_approve(quarterly_return=submitted_q2, user=officer)
    listing = admin_url("outturn_payments")
    due = client.get(listing + "?due_for_approval=true")
    assert [row.pk for row in due.context["object_list"]] == [payment.pk]
    assert flags(due) == ["Due for approval"]
    assert payment.pk not in [row.pk for row in client.get(listing + "?due_for_approval=false").context["object_list"]]
    inspect = client.get(admin_url("outturn_payments", "inspect", payment.pk))
    assert flags(inspect) == ["Due for approval"] and f'href="{review_url(submitted_q2)}"' in inspect.content.decode()
    return_reopen(quarterly_return=submitted_q2, user=officer, reason="Travel double-counted")
    assert Payment.objects.get(pk=payment.pk).released_by_return_id == submitted_q2.pk  # the payment stays
    assert "Released by a return since reopened" in flags(client.get(listing))
    assert flags(client.get(admin_url("outturn_payments", "inspect", payment.pk))) == [
        "Released by a return since reopened"
    ]


# --- Evidence -------------------------------------------------------------------------------------------------


@pytest.fixture
def evidence(submitted_q2, provider_approver, tmp_path, monkeypatch):
    """An evidence file in a private storage of the test's own."""
    monkeypatch.setattr(EvidenceFile._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path))
    evidence = EvidenceFile(
        quarterly_return=submitted_q2,
        original_name="Mileage log.csv",
        content_type="text/csv",
        size=22,
        uploaded_by=provider_approver,
    )
    evidence.file.save("mileage.csv", ContentFile(b"date,miles\n2023-08-01,41\n"), save=False)
    evidence.save()
    return evidence


def test_evidence_is_listed_and_downloaded_by_any_office_role(board_client, submitted_q2, evidence):
    html = board_client.get(review_url(submitted_q2)).content.decode()
    url = admin_url(REVIEW_QUEUE, "evidence", submitted_q2.pk, evidence.pk)
    assert "Mileage log.csv" in html and "22\xa0bytes" in html and f'href="{url}"' in html
    response = board_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"date,miles\n2023-08-01,41\n"
    assert response["Content-Disposition"] == 'attachment; filename="Mileage log.csv"'
    assert response["Content-Type"] == "text/csv"


def test_evidence_is_found_only_through_its_own_return(officer_client, q1, submitted_q2, evidence):
    assert officer_client.get(admin_url(REVIEW_QUEUE, "evidence", q1.pk, evidence.pk)).status_code == 404


def test_evidence_missing_from_storage_is_not_found(officer_client, submitted_q2, evidence):
    evidence.file.delete(save=False)
    assert officer_client.get(admin_url(REVIEW_QUEUE, "evidence", submitted_q2.pk, evidence.pk)).status_code == 404


# --- Queries do not grow with the data ----------------------------------------------------------------------


def _return_with(n: int, officer, approver) -> QuarterlyReturn:
    """A grant of n budget lines and n indicators with targets, Q1 approved, Q2 submitted with every figure."""
    total = f"{n * 4000}.00"
    grant = funded_grant(amount=total, allocation=total, provider=approver.organisation)
    line = grant.budget_lines.get()
    line.amount = gbp("4000.00")
    line.save()
    for _ in range(1, n):
        BudgetLineFactory(grant=grant, amount=gbp("4000.00"))
    indicators = [IndicatorFactory(programme=grant.programme, breakdown_by_sex=True) for _ in range(n)]
    for indicator in indicators:
        Target.objects.create(indicator=indicator, grant=grant, financial_year=2023, value=Decimal(40))
    grant_activate(grant=grant, user=officer)
    q1, q2 = grant.returns.get(quarter=1), grant.returns.get(quarter=2)
    for quarterly_return in (q1, q2):
        for indicator in indicators:
            return_record_indicator(
                quarterly_return=quarterly_return, indicator=indicator, value=Decimal(3), user=approver
            )
            return_record_indicator(
                quarterly_return=quarterly_return,
                indicator=indicator,
                value=Decimal(2),
                breakdown="sex",
                category="Female",
                user=approver,
            )
        submit(quarterly_return, approver, {line.name: "1100.00" for line in grant.budget_lines.all()})
        if quarterly_return is q1:
            return_approve(quarterly_return=q1, user=officer)
    for i in range(n):
        EvidenceFile.objects.create(
            quarterly_return=q2,
            file=f"evidence/{i}.pdf",
            original_name=f"{i}.pdf",
            content_type="application/pdf",
            size=1000,
            uploaded_by=approver,
        )
    return q2


def test_the_review_screen_makes_as_many_queries_for_50_lines_as_for_10(officer_client, officer):
    small = _return_with(10, officer, UserFactory(roles=["Provider approver"]))
    large = _return_with(50, officer, UserFactory(roles=["Provider approver"]))
    officer_client.get(review_url(small))  # fills per-process caches
    at_10, at_50 = count_queries(officer_client, review_url(small)), count_queries(officer_client, review_url(large))
    print(f"\nqueries review screen: {at_10} at 10 lines, {at_50} at 50 lines")
    assert at_10 == at_50


def test_the_queue_makes_as_many_queries_for_50_returns_as_for_10(officer_client, officer):
    for grant in [funded_grant() for _ in range(13)]:  # each its own provider, programme and stream
        grant_activate(grant=grant, user=officer)
    returns = list(QuarterlyReturn.objects.order_by("pk"))
    QuarterlyReturn.objects.filter(pk__in=[r.pk for r in returns[:10]]).update(
        status="submitted", submitted_at=timezone.now()
    )
    url = admin_url(REVIEW_QUEUE)
    officer_client.get(url)
    at_10 = count_queries(officer_client, url)
    QuarterlyReturn.objects.filter(pk__in=[r.pk for r in returns[:50]]).update(
        status="submitted", submitted_at=timezone.now()
    )
    at_50 = count_queries(officer_client, url)
    print(f"\nqueries review queue: {at_10} at 10 returns, {at_50} at 50 returns")
    assert len(returns) >= 50 and at_10 == at_50
