"""A provider approver fills in a quarterly return in the portal and submits it; an officer approves it.

Every portal page on the way, a form showing errors among them, passes axe (WCAG 2.2 A/AA).
"""

import re

import pytest
from playwright.sync_api import expect

from funding.roles import Role
from programmes.models import QuarterlyReturn
from tests.browser.axe import assert_accessible
from tests.factories import OrganisationFactory, UserFactory, office_user
from tests.programmes.portal_returns import PDF, indicator_named, navigator_return, temporary_evidence_storage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"


def sign_in(page, address, email):
    page.goto(address)
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def save(page):
    page.get_by_role("button", name="Save and continue").click()


def test_a_provider_submits_a_return_and_an_officer_approves_it(page, live_server, tmp_path, monkeypatch):
    temporary_evidence_storage(monkeypatch, tmp_path)
    officer = office_user(Role.COMMISSIONING_OFFICER, email="officer@example.org")
    provider = OrganisationFactory(name="Chit Chat 4 U (test)")
    UserFactory(organisation=provider, roles=[Role.PROVIDER_APPROVER], email="approver@provider.example")
    quarterly_return = navigator_return(provider=provider, officer=officer)
    lines = {line.name: line.pk for line in quarterly_return.grant.budget_lines.all()}
    portal = f"{live_server.url}/portal"
    task_list = f"{portal}/returns/{quarterly_return.pk}/"

    sign_in(page, f"{portal}/sign-in/", "approver@provider.example")
    page.wait_for_url(f"{portal}/")
    assert_accessible(page)

    page.get_by_role("link", name="Q2 2024/25 return").first.click()
    page.wait_for_url(task_list)
    assert_accessible(page)

    # Spend: Travel is over its £500 plan; saved without a reason, the form says what to do.
    page.get_by_role("link", name="Spend").click()
    assert_accessible(page)
    for name, spent in {
        "Caseworkers": "38400",
        "Training": "1450",
        "Travel": "620",
        "Management and overheads": "4000",
    }.items():
        page.locator(f"#id_line-{lines[name]}-actual").fill(spent)
    save(page)
    expect(page).to_have_title(re.compile(r"^Error: "))  # waits for the page the save answers with
    summary = page.locator(".govuk-error-summary")
    assert "Explain why spend on Travel is more than 10% from the £500.00 planned" in summary.inner_text()
    assert_accessible(page)
    page.locator(f"#id_line-{lines['Travel']}-explanation").fill("More custody call-outs in Tamworth")
    save(page)
    page.wait_for_url(task_list)

    page.get_by_role("link", name="Indicators").click()
    referrals = indicator_named(quarterly_return, "Referrals received")
    engaged = indicator_named(quarterly_return, "Children engaged within 48 hours")
    risk = indicator_named(quarterly_return, "Reduced risk at exit")
    assert_accessible(page)
    page.locator(f"#id_indicator-{referrals.pk}-value").fill("61")
    for number, count in enumerate(["9", "27", "25"]):
        page.locator(f"#id_indicator-{referrals.pk}-age_band-{number}").fill(count)
    page.locator(f"#id_indicator-{engaged.pk}-value").fill("49")
    page.locator(f"#id_indicator-{risk.pk}-numerator").fill("17")
    page.locator(f"#id_indicator-{risk.pk}-denominator").fill("23")
    save(page)
    page.wait_for_url(task_list)

    page.get_by_role("link", name="Narrative").click()
    assert_accessible(page)
    page.get_by_label("Progress this quarter").fill("61 referrals; 49 children engaged within 48 hours.")
    page.get_by_label("Risks to delivery").fill("Recruitment of a second caseworker.")
    page.get_by_label("Amber").check()
    page.get_by_label("Plans for next quarter").fill("Recruit the second caseworker.")
    save(page)
    page.wait_for_url(task_list)
    assert "Completed" in page.locator("#task-narrative-status").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Evidence").click()
    page.locator("#id_file").set_input_files(
        files=[{"name": "training-register.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Upload file").click()
    assert "training-register.pdf has been uploaded" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url(task_list)

    page.get_by_role("link", name="Check and submit").click()
    assert "£620.00 spent" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_label("I confirm that this return is accurate and complete").check()
    page.get_by_role("button", name="Submit the return").click()
    page.wait_for_url(f"{portal}/returns/{quarterly_return.pk}/receipt/")
    assert "Return submitted" in page.locator(".govuk-panel").inner_text()
    assert f"{quarterly_return.grant.identifier}-Q2-2024-25" in page.locator(".govuk-panel").inner_text()
    assert_accessible(page)
    pdf_address = page.get_by_role("link", name="Download a receipt").get_attribute("href")
    receipt = page.request.get(f"{live_server.url}{pdf_address}")
    assert receipt.ok and receipt.headers["content-type"] == "application/pdf"
    assert QuarterlyReturn.objects.get(pk=quarterly_return.pk).status == QuarterlyReturn.Status.SUBMITTED

    # Submitted, the sections show answers only.
    page.goto(f"{task_list}spend/")
    assert "cannot be changed" in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, f"{live_server.url}/admin/login/", "officer@example.org")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.goto(f"{live_server.url}/admin/returns/review/{quarterly_return.pk}/")
    page.get_by_role("button", name="Approve this return").click()
    page.wait_for_url(f"{live_server.url}/admin/returns/review/")
    assert QuarterlyReturn.objects.get(pk=quarterly_return.pk).status == QuarterlyReturn.Status.APPROVED
