"""Finance approves payments due for approval: from the list of those due (one or many at once), from the payment's
own page and from the grant's page. Every refusal leaves the payments and the audit log as they were."""

import datetime
import re
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from wagtail.models import ModelLogEntry

from funding.fiscal import FinancialYear
from funding.money import gbp
from funding.roles import Role
from programmes.models import Payment
from programmes.services import (
    PAYMENT_APPROVE_LOG_ACTION,
    PAYMENT_PAID_LOG_ACTION,
    grant_activate,
    payment_approve,
    payment_create,
    payment_mark_paid,
    payments_approve,
    return_approve,
)
from tests.admin_helpers import admin_url, build_rows, count_queries
from tests.factories import UserFactory, funded_grant, office_user
from tests.programmes.payments import release
from tests.return_helpers import submit

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2023, 11, 15)  # in Q3 2023/24
APPROVE = admin_url("outturn_payments", "approve")
NAV, ADV = "360G-SSVRA-2023-NAV", "360G-SSVRA-2023-ADV"


@pytest.fixture(autouse=True)
def fixed_today(settings):
    settings.OUTTURN_TODAY = TODAY.isoformat()


@pytest.fixture
def navigator(finance_officer):
    """£40,000 for 2023/24 paid in arrears, £10,000 planned at the end of each quarter; Q1's and Q2's released by
    their approved returns (due for approval), Q3's and Q4's not."""
    grant = funded_grant(identifier=NAV, amount="40000.00")
    payments = {
        q.number: payment_create(grant=grant, amount=gbp("10000.00"), date=q.end, user=finance_officer)
        for q in FinancialYear(2023).quarters
    }
    release(payments[1])
    release(payments[2])
    return payments


@pytest.fixture
def advance(finance_officer):
    """£20,000 paid in advance: £10,000 planned on 1 December 2023 (within the month: due) and 1 January 2024."""
    grant = funded_grant(identifier=ADV, amount="20000.00", payment_mode="advance")
    return {
        date.month: payment_create(grant=grant, amount=gbp("10000.00"), date=date, user=finance_officer)
        for date in (datetime.date(2023, 12, 1), datetime.date(2024, 1, 1))
    }


def state() -> tuple:
    """Every payment as stored, and the audit log's length: what a refusal must leave alone."""
    payments = Payment.objects.order_by("pk").values_list("pk", "status", "approved_by", "approved_at", "amount")
    return list(payments), ModelLogEntry.objects.count()


def page_text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()


def shown_messages(client, response) -> list[str]:
    """The messages shown on the page a response redirects to (Wagtail's admin escapes them)."""
    return [unescape(str(message).strip()) for message in client.get(response.url).context["messages"]]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- The list of payments due -------------------------------------------------------------------------------------


def test_the_list_shows_each_payment_due_with_the_return_that_released_it_oldest_first(
    finance_client, navigator, advance
):
    response = finance_client.get(APPROVE)
    assert response.status_code == 200
    rows = [row["payment"].pk for row in response.context["rows"]]
    assert rows == [navigator[1].pk, navigator[2].pk, advance[12].pk]  # Q1, Q2, then Q3 (in advance)
    html = response.content.decode()
    for payment in (navigator[1], navigator[2]):
        review = admin_url("outturn_review", "review", payment.released_by_return_id)
        assert f'href="{review}"' in html
        assert f'name="payment" value="{payment.pk}"' in html
    text = page_text(response)
    assert "3 payments due for approval" in text
    assert "The Q1 2023/24 return , approved" in text or "The Q1 2023/24 return, approved" in text
    assert "Paid in advance: no return releases it" in text
    assert f'value="{navigator[3].pk}"' not in html and f'value="{advance[1].pk}"' not in html  # not due


def test_the_payments_listing_links_to_the_list_and_shows_the_releasing_return(finance_client, navigator):
    response = finance_client.get(admin_url("outturn_payments"))
    html = response.content.decode()
    assert f'href="{APPROVE}"' in html
    review = admin_url("outturn_review", "review", navigator[1].released_by_return_id)
    assert f'<a href="{review}">Q1 2023/24 return</a>' in html
    due = finance_client.get(admin_url("outturn_payments") + "?due_for_approval=true")
    assert {p.pk for p in due.context["object_list"]} == {navigator[1].pk, navigator[2].pk}


@pytest.mark.parametrize("role", [Role.COMMISSIONING_OFFICER, Role.BOARD_VIEWER])
def test_other_office_roles_see_the_list_without_an_approve_control(role, navigator):
    response = client_for(office_user(role)).get(APPROVE)
    assert response.status_code == 200
    assert len(response.context["rows"]) == 2
    html = response.content.decode()
    assert 'name="payment"' not in html and "Approve the ticked payments" not in html
    assert "Only a finance officer approves payments" in page_text(response)


def test_the_first_screen_counts_the_payments_due_and_links_to_them(officer_client, navigator, advance):
    html = officer_client.get("/admin/").content.decode()
    assert f'<a href="{APPROVE}"><strong>3</strong> payments due for approval</a>' in html


# --- Approving from the list ----------------------------------------------------------------------------------------


def test_finance_approves_one_payment_recording_who_and_when_in_the_audit_log(
    finance_client, finance_officer, navigator
):
    response = finance_client.post(APPROVE, {"payment": [navigator[1].pk]})
    assert (response.status_code, response.url) == (302, APPROVE)
    assert shown_messages(finance_client, response) == [f"Approved the Q1 2023/24 payment of £10,000.00 to {NAV}."]
    payment = Payment.objects.get(pk=navigator[1].pk)
    assert (payment.status, payment.approved_by) == (Payment.Status.APPROVED, finance_officer)
    assert payment.approved_at is not None
    (entry,) = ModelLogEntry.objects.filter(action=PAYMENT_APPROVE_LOG_ACTION)
    assert (entry.object_id, entry.user) == (str(payment.pk), finance_officer)
    history = page_text(finance_client.get(admin_url("outturn_payments", "history", payment.pk)))
    assert "Approved for payment: £10,000.00" in history
    inspect = page_text(finance_client.get(admin_url("outturn_payments", "inspect", payment.pk)))
    assert f"Approved for payment by {finance_officer}" in inspect
    assert Payment.objects.get(pk=navigator[2].pk).status == Payment.Status.PLANNED  # only the one ticked


def test_finance_approves_many_at_once(finance_client, finance_officer, navigator, advance):
    chosen = [navigator[1].pk, navigator[2].pk, advance[12].pk]
    response = finance_client.post(APPROVE, {"payment": chosen})
    assert shown_messages(finance_client, response) == [
        f"Approved 3 payments, £30,000.00 in all: Q1 2023/24 payment of £10,000.00 to {NAV}; Q2 2023/24 payment of "
        f"£10,000.00 to {NAV}; Q3 2023/24 payment of £10,000.00 to {ADV}."
    ]
    approved = Payment.objects.filter(pk__in=chosen)
    assert {(p.status, p.approved_by) for p in approved} == {(Payment.Status.APPROVED, finance_officer)}
    logged = ModelLogEntry.objects.filter(action=PAYMENT_APPROVE_LOG_ACTION)
    assert sorted(int(e.object_id) for e in logged) == sorted(chosen)
    assert finance_client.get(APPROVE).context["rows"] == []


def test_a_payment_not_due_is_refused_by_name_and_nothing_is_approved(finance_client, navigator, advance):
    before = state()
    response = finance_client.post(APPROVE, {"payment": [navigator[1].pk, navigator[3].pk, advance[1].pk]})
    assert response.status_code == 302
    assert shown_messages(finance_client, response) == [
        f"The Q3 2023/24 payment of £10,000.00 to {NAV} is not due for approval: {NAV} is paid in arrears, and the "
        "quarter's return has not been approved yet.",
        f"The Q4 2023/24 payment of £10,000.00 to {ADV} is not due for approval until 1 December 2023: a payment in "
        "advance is approved in the month before its date, 1 January 2024.",
    ]
    assert state() == before  # Q1, due, was not approved either: all or none


def test_approving_twice_is_refused_the_second_time(finance_client, navigator):
    shown_messages(finance_client, finance_client.post(APPROVE, {"payment": [navigator[1].pk]}))
    before = state()
    response = finance_client.post(APPROVE, {"payment": [navigator[1].pk]})
    assert shown_messages(finance_client, response) == [
        f"The Q1 2023/24 payment of £10,000.00 to {NAV} is already approved for payment: only a planned payment can "
        "be approved."
    ]
    assert state() == before


@pytest.mark.parametrize("chosen", [[], ["abc"], ["999999"]], ids=["none", "not a number", "unknown"])
def test_nothing_chosen_or_a_payment_that_does_not_exist_changes_nothing(finance_client, navigator, chosen):
    before = state()
    response = finance_client.post(APPROVE, {"payment": chosen})
    assert response.status_code == 302
    assert len(shown_messages(finance_client, response)) == 1
    assert state() == before


@pytest.mark.parametrize("role", [Role.COMMISSIONING_OFFICER, Role.BOARD_VIEWER])
def test_a_forged_approval_from_another_office_role_is_forbidden_and_changes_nothing(role, navigator):
    before = state()
    response = client_for(office_user(role)).post(APPROVE, {"payment": [navigator[1].pk]})
    assert response.status_code == 403
    assert state() == before


def test_content_editors_and_providers_never_reach_the_approval(content_editor, provider_client, navigator):
    before = state()
    editor = client_for(content_editor)
    for response in (editor.get(APPROVE), editor.post(APPROVE, {"payment": [navigator[1].pk]})):
        assert (response.status_code, response.url) == (302, "/admin/")
    for response in (provider_client.get(APPROVE), provider_client.post(APPROVE, {"payment": [navigator[1].pk]})):
        assert response.status_code == 302 and response.url == "/portal/"
    assert state() == before


def test_the_service_refuses_anyone_but_finance(officer, board_viewer, provider_approver, navigator):
    before = state()
    for user in (officer, board_viewer, provider_approver):
        with pytest.raises(PermissionDenied):
            payments_approve(payments=[navigator[1]], user=user)
    assert state() == before


def test_a_stale_copy_of_a_payment_is_read_again_so_it_is_not_approved_twice(finance_officer, navigator):
    stale = Payment.objects.get(pk=navigator[1].pk)
    payment_approve(payment=Payment.objects.get(pk=navigator[1].pk), user=finance_officer)
    with pytest.raises(ValidationError, match="already approved"):
        payment_approve(payment=stale, user=finance_officer)
    assert ModelLogEntry.objects.filter(action=PAYMENT_APPROVE_LOG_ACTION).count() == 1


# --- From the payment's page and the grant's --------------------------------------------------------------------


def test_finance_approves_from_the_payments_own_page(finance_client, finance_officer, navigator):
    inspect = admin_url("outturn_payments", "inspect", navigator[1].pk)
    html = finance_client.get(inspect).content.decode()
    assert "Approve this payment" in html
    response = finance_client.post(APPROVE, {"payment": [navigator[1].pk], "next": inspect})
    assert (response.status_code, response.url) == (302, inspect)
    assert Payment.objects.get(pk=navigator[1].pk).approved_by == finance_officer
    text = page_text(finance_client.get(inspect))
    assert "Approve this payment" not in text and f"Approved for payment by {finance_officer}" in text
    # A planned payment not yet due offers no button.
    assert "Approve this payment" not in page_text(
        finance_client.get(admin_url("outturn_payments", "inspect", navigator[3].pk))
    )


def test_the_grants_page_lists_its_payments_and_finance_approves_there(
    finance_client, officer_client, finance_officer, navigator
):
    grant_url = admin_url("outturn_grants", "inspect", navigator[1].grant_id)
    response = finance_client.get(grant_url)
    html = response.content.decode()
    assert [row["payment"].pk for row in response.context["payments"]] == [navigator[n].pk for n in (1, 2, 3, 4)]
    assert html.count('name="payment"') == 2  # Q1 and Q2 are due
    review = admin_url("outturn_review", "review", navigator[2].released_by_return_id)
    assert f'href="{review}"' in html
    assert 'name="payment"' not in officer_client.get(grant_url).content.decode()  # officers see, not approve
    response = finance_client.post(APPROVE, {"payment": [navigator[2].pk], "next": grant_url + "#payments"})
    assert response.url == grant_url + "#payments"
    assert Payment.objects.get(pk=navigator[2].pk).status == Payment.Status.APPROVED
    assert finance_client.get(grant_url).content.decode().count('name="payment"') == 1


def test_a_next_address_off_the_site_is_ignored(finance_client, navigator):
    response = finance_client.post(APPROVE, {"payment": [navigator[1].pk], "next": "https://evil.example/"})
    assert response.url == APPROVE


# --- The whole journey: a return approved makes its payment due; finance approves it; it is paid ------------------


def test_an_approved_return_releases_its_payment_for_finance_to_approve_and_pay(
    finance_client, finance_officer, officer, provider, provider_approver
):
    grant = funded_grant(provider=provider, identifier=NAV, lead_officer=officer)
    grant_activate(grant=grant, user=officer)
    payment = payment_create(grant=grant, amount=gbp("10000.00"), date=datetime.date(2023, 6, 30), user=finance_officer)
    q1 = grant.returns.get(quarter=1)
    line = grant.budget_lines.get()
    assert finance_client.get(APPROVE).context["rows"] == []
    submit(q1, provider_approver, {line.name: "9000.00"})
    return_approve(quarterly_return=q1, user=officer)
    assert [row["payment"].pk for row in finance_client.get(APPROVE).context["rows"]] == [payment.pk]
    finance_client.post(APPROVE, {"payment": [payment.pk]})
    paid = payment_mark_paid(
        payment=Payment.objects.get(pk=payment.pk),
        date=datetime.date(2023, 10, 2),
        reference="AP-1",
        amount=gbp("9000.00"),
        user=finance_officer,
    )
    assert (paid.status, paid.approved_by) == (Payment.Status.PAID, finance_officer)
    (entry,) = ModelLogEntry.objects.filter(action=PAYMENT_PAID_LOG_ACTION)
    assert (entry.user, entry.data["reference"], entry.data["date"]) == (finance_officer, "AP-1", "2023-10-02")
    history = page_text(finance_client.get(admin_url("outturn_payments", "history", payment.pk)))
    assert "Paid on 2 October 2023: £9,000.00 (ledger reference AP-1)" in history
    assert "Approved for payment" in history


# --- Queries ------------------------------------------------------------------------------------------------------


def _due_payments(n: int, finance_officer) -> None:
    for _ in range(n):
        payment = payment_create(
            grant=funded_grant(lead_officer=UserFactory()),
            amount=gbp("10.00"),
            date=datetime.date(2023, 9, 30),
            user=finance_officer,
        )
        release(payment)


def test_the_list_of_payments_due_makes_as_many_queries_for_60_as_for_6(finance_client, finance_officer):
    _due_payments(6, finance_officer)
    finance_client.get(APPROVE)  # the first request fills per-process caches
    at_6 = count_queries(finance_client, APPROVE)
    _due_payments(54, finance_officer)
    at_60 = count_queries(finance_client, APPROVE)
    assert len(finance_client.get(APPROVE).context["rows"]) == 60
    assert at_6 == at_60


def test_the_grants_page_makes_as_many_queries_for_12_payments_as_for_4(finance_client, finance_officer, navigator):
    grant_url = admin_url("outturn_grants", "inspect", navigator[1].grant_id)
    finance_client.get(grant_url)
    at_4 = count_queries(finance_client, grant_url)
    for _ in range(8):
        release(
            payment_create(
                grant=navigator[1].grant,
                amount=gbp("0.01"),
                date=datetime.date(2023, 5, 1),
                override_reason="Test",
                user=finance_officer,
            )
        )
    at_12 = count_queries(finance_client, grant_url)
    assert at_4 == at_12


def test_the_payments_listing_with_due_payments_makes_as_many_queries_for_210_rows_as_for_10(finance_client):
    url = admin_url("outturn_payments")
    build_rows("outturn_payments", 10)
    finance_client.get(url)
    at_10 = count_queries(finance_client, url)
    build_rows("outturn_payments", 200, start=10)
    at_210 = count_queries(finance_client, url)
    assert at_10 == at_210
