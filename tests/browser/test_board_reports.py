"""A commissioning officer asks for the board pack from the Reports menu, waits for it and downloads it."""

import subprocess

import pytest

from funding.roles import Role
from tests.browser.axe import assert_accessible
from tests.browser.test_back_office_sign_in import PASSWORD, sign_in
from tests.factories import office_user
from tests.reports.estate import estate_build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_asks_for_the_board_pack_and_downloads_it(page, live_server, settings, tmp_path):
    settings.OUTTURN_TODAY = "2024-11-15"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {**settings.STORAGES["private"], "OPTIONS": {"location": tmp_path}},
    }
    officer = office_user(Role.COMMISSIONING_OFFICER, email="officer@example.org")
    officer.set_password(PASSWORD)
    officer.save()
    estate_build(officer, office_user(Role.FINANCE_OFFICER, email="finance@example.org"))

    sign_in(page, live_server, "officer@example.org")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.get_by_role("button", name="Reports").click()
    page.get_by_role("link", name="Board and funder reports").click()
    page.wait_for_url(f"{live_server.url}/admin/board-reports/")
    assert "No report has been asked for yet." in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Ask for a report").click()
    assert page.get_by_label("Board pack").is_checked()
    assert page.get_by_label("Quarter").input_value() == "2"  # the last complete quarter on 15 November 2024
    assert_accessible(page)
    page.get_by_role("button", name="Make the report").click()
    page.wait_for_url(f"{live_server.url}/admin/board-reports/*/")
    assert "Ready" in page.locator("main").inner_text()
    page.wait_for_timeout(1000)  # the message fades in: axe would measure its contrast half-way
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    path = tmp_path / "pack.pdf"
    download.value.save_as(path)
    assert download.value.suggested_filename == "board-pack-q2-2024-25.pdf"
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()
    assert "Board pack" in text and "Q2 2024/25" in text and "Serious Violence Duty" in text

    page.goto(f"{live_server.url}/admin/board-reports/")
    row = page.locator("tbody tr").first
    assert "Board pack" in row.inner_text() and "Ready" in row.inner_text()
