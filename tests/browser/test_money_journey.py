"""The money from a return to the ledger, as the office does it: an officer approves a return in a grant paid in
arrears, finance approves the payment it released and imports the ledger row that pays it, and the funding
overview's paid figure rises by exactly that amount."""

import datetime

import pytest

from funding.money import gbp
from funding.roles import Role
from programmes.models import Payment
from programmes.services import grant_activate, payment_create
from tests.browser.test_back_office_sign_in import sign_in
from tests.factories import OrganisationFactory, UserFactory, funded_grant, office_user
from tests.return_helpers import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def paid_on_the_overview(page, live_server) -> str:
    page.goto(f"{live_server.url}/admin/dashboards/?year=2023")
    paid_column = page.locator("thead th").all_inner_texts().index("Paid")
    return page.locator("tfoot tr td").nth(paid_column - 1).inner_text()


def test_a_released_payment_is_approved_imported_and_counted_once(page, live_server, settings, tmp_path):
    settings.OUTTURN_TODAY = "2023-11-15"
    officer = office_user(Role.COMMISSIONING_OFFICER, email="officer@example.org")
    finance = office_user(Role.FINANCE_OFFICER, email="finance@example.org")
    provider = OrganisationFactory(name="Reachable Moment (test)")
    approver = UserFactory(organisation=provider, roles=[Role.PROVIDER_APPROVER])
    grant = funded_grant(identifier="360G-SSVRA-2023-NAV", provider=provider, title="Navigator", amount="40000.00")
    grant_activate(grant=grant, user=officer)
    payment = payment_create(grant=grant, amount=gbp("10000.00"), date=datetime.date(2023, 9, 30), user=finance)
    q2 = grant.returns.get(quarter=2)
    submit(q2, approver, {grant.budget_lines.get().name: "10000.00"})

    sign_in(page, live_server, "officer@example.org")
    page.wait_for_url(f"{live_server.url}/admin/")
    before = paid_on_the_overview(page, live_server)
    assert before == "£0.00"
    page.goto(f"{live_server.url}/admin/returns/review/{q2.pk}/")
    page.get_by_role("button", name="Approve this return").click()
    page.wait_for_url(f"{live_server.url}/admin/returns/review/")
    assert "is approved" in page.locator(".messages").inner_text()
    page.context.clear_cookies()

    sign_in(page, live_server, "finance@example.org")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.get_by_role("link", name="1 payment due for approval").click()
    page.wait_for_url(f"{live_server.url}/admin/returns/payments/approve/")
    page.get_by_label("Approve the Q2 2023/24 payment of £10,000.00 to 360G-SSVRA-2023-NAV").check()
    page.get_by_role("button", name="Approve the ticked payments").click()
    assert "Approved the Q2 2023/24 payment" in page.locator(".messages").inner_text()
    assert paid_on_the_overview(page, live_server) == "£0.00"  # approved is not paid

    ledger = tmp_path / "ledger.csv"
    ledger.write_text("grant_id,date,amount,reference\n360G-SSVRA-2023-NAV,10/11/2023,10000.00,AP-2023-118\n")
    page.goto(f"{live_server.url}/admin/returns/finance-import/")
    page.get_by_label("Ledger file").set_input_files(ledger)
    page.get_by_role("button", name="Check the file").click()
    assert "the oldest approved payment of 360G-SSVRA-2023-NAV" in page.locator("table.listing").inner_text()
    page.get_by_role("button", name="Import 1 payment").click()
    page.wait_for_url(f"{live_server.url}/admin/returns/payments/")
    page.screenshot(path="/tmp/journey-payments.png", full_page=True)

    assert paid_on_the_overview(page, live_server) == "£10,000.00"
    page.screenshot(path="/tmp/journey-overview.png", full_page=True)
    payment.refresh_from_db()
    assert (payment.status, payment.reference, payment.approved_by) == (Payment.Status.PAID, "AP-2023-118", finance)
    assert Payment.objects.filter(grant=grant).count() == 1  # the row settled the payment, it did not add one
