"""A finance officer approves a payment due from the payments listing: each screen passes axe."""

import datetime

import pytest

from funding.money import gbp
from funding.roles import Role
from programmes.models import Payment
from programmes.services import payment_create
from tests.browser.axe import assert_accessible
from tests.browser.test_back_office_sign_in import sign_in
from tests.factories import funded_grant, office_user
from tests.programmes.payments import release

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_finance_officer_approves_a_payment_due_from_the_payments_listing(page, live_server, settings):
    settings.OUTTURN_TODAY = "2023-11-15"
    finance = office_user(Role.FINANCE_OFFICER, email="finance@example.org")
    grant = funded_grant(identifier="360G-SSVRA-2023-NAV", amount="40000.00")
    due = release(payment_create(grant=grant, amount=gbp("10000.00"), date=datetime.date(2023, 9, 30), user=finance))
    later = payment_create(grant=grant, amount=gbp("10000.00"), date=datetime.date(2023, 12, 31), user=finance)

    sign_in(page, live_server, "finance@example.org")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.get_by_role("button", name="Returns").click()
    page.get_by_role("link", name="Payments", exact=True).click()
    page.wait_for_url(f"{live_server.url}/admin/returns/payments/")
    page.get_by_role("link", name="Payments due for approval").click()
    page.wait_for_url(f"{live_server.url}/admin/returns/payments/approve/")
    assert "1 payment due for approval" in page.locator("#approval-summary").inner_text()
    assert page.get_by_role("link", name="The Q2 2023/24 return").is_visible()
    assert_accessible(page)

    page.get_by_label("Approve the Q2 2023/24 payment of £10,000.00 to 360G-SSVRA-2023-NAV").check()
    page.get_by_role("button", name="Approve the ticked payments").click()
    page.wait_for_url(f"{live_server.url}/admin/returns/payments/approve/")
    assert (
        "Approved the Q2 2023/24 payment of £10,000.00 to 360G-SSVRA-2023-NAV."
        in page.locator(".messages").inner_text()
    )
    assert "No payment is due for approval" in page.locator("#approval-summary").inner_text()
    page.wait_for_timeout(1000)  # the message fades in: axe would measure its contrast half-way
    assert_accessible(page)
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, due.approved_by) == (Payment.Status.APPROVED, finance)
    assert later.status == Payment.Status.PLANNED
