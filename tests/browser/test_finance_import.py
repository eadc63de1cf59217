"""A finance officer imports the ledger in the back office: each screen passes axe, and the payments are recorded."""

import datetime

import pytest

from funding.money import gbp
from funding.roles import Role
from programmes.models import Payment
from programmes.services import payment_approve, payment_create
from tests.browser.axe import assert_accessible
from tests.browser.test_back_office_sign_in import sign_in
from tests.factories import funded_grant, office_user
from tests.programmes.payments import release

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_finance_officer_checks_a_ledger_file_corrects_it_and_imports_it(page, live_server, tmp_path, settings):
    settings.OUTTURN_TODAY = "2023-11-15"
    finance = office_user(Role.FINANCE_OFFICER, email="finance@example.org")
    grant = funded_grant(identifier="360G-SSVRA-2023-NAV", amount="40000.00")
    planned = payment_create(grant=grant, amount=gbp("10000.00"), date=datetime.date(2023, 9, 30), user=finance)
    payment_approve(payment=release(planned), user=finance)  # Q2's return approved, then the payment by finance
    bad, good = tmp_path / "ledger.csv", tmp_path / "ledger-corrected.csv"
    bad.write_text("grant_id,date,amount,reference\n360G-SSVRA-2023-NAV,05/10/2023,ten thousand,AP-1\n")
    good.write_text("grant_id,date,amount,reference\n360G-SSVRA-2023-NAV,05/10/2023,10000.00,AP-1\n")

    sign_in(page, live_server, "finance@example.org")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.get_by_role("button", name="Returns").click()
    page.get_by_role("link", name="Import payments").click()
    page.wait_for_url(f"{live_server.url}/admin/returns/finance-import/")
    assert_accessible(page)

    page.get_by_label("Ledger file").set_input_files(bad)
    page.get_by_role("button", name="Check the file").click()
    assert "Row 2, amount: ten thousand is not an amount" in page.locator("#import-errors").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Upload a file").click()

    page.get_by_label("Ledger file").set_input_files(good)
    page.get_by_role("button", name="Check the file").click()
    assert "1 approved payment marked paid" in page.locator("#import-summary").inner_text()
    assert "the oldest approved payment of 360G-SSVRA-2023-NAV" in page.locator("table.listing").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Import 1 payment").click()
    page.wait_for_url(f"{live_server.url}/admin/returns/payments/")
    assert "Imported 1 payment from ledger-corrected.csv" in page.locator(".messages").inner_text()
    planned.refresh_from_db()
    assert (planned.status, planned.reference) == (Payment.Status.PAID, "AP-1")
