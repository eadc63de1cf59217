"""An officer filters listings through the real filter panel, picking one filter and leaving the others as they are:
the rows shown, the count shown and the header's "CSV" download agree. Each listing passes axe."""

import csv
import datetime
import re

import pytest
from playwright.sync_api import expect

from funding.fiscal import FinancialYear
from funding.money import gbp
from funding.roles import Role
from programmes.models import Payment, QuarterlyReturn
from tests.browser.axe import assert_accessible
from tests.browser.test_back_office_sign_in import sign_in
from tests.factories import AllocationFactory, funded_grant, office_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def estate(db):
    """Grants charged in 2023/24 and 2024/25, each with payments and returns that differ in status and quarter."""
    AllocationFactory(financial_year=2023)
    AllocationFactory(financial_year=2024)
    for index, year in enumerate([2023, 2023, 2024, 2024, 2024]):
        grant = funded_grant(year=year, identifier=f"360G-TEST-{year}-{index}", amount="40000.00")
        for quarter in (1, 2, 3):
            Payment.objects.create(
                grant=grant,
                amount=gbp("10000.00"),
                date=datetime.date(year, 3 * quarter + 3, 1),
                financial_year=year,
                quarter=quarter,
                status=Payment.Status.PAID if (index + quarter) % 2 else Payment.Status.PLANNED,
                reference=f"AP-{index}-{quarter}",
            )
            due = FinancialYear(year).quarters[quarter - 1].end + datetime.timedelta(days=30)
            QuarterlyReturn.objects.create(grant=grant, financial_year=year, quarter=quarter, due_date=due)


def open_listing(page, live_server, path: str) -> None:
    page.goto(f"{live_server.url}{path}")
    expect(page.locator("#listing-results table tbody tr").first).to_be_visible()


def apply_one_filter(page, field: str, pick) -> None:
    """Open the filter panel, open one filter (checking the panel with axe), pick a value (the listing refreshes on
    its own), close the panel. The open panel is checked on its own: it lies over the table's headings, whose sort
    links it would cover while it is open, and the listing is checked whole once it is closed."""
    page.get_by_role("button", name="Show filters").click()
    page.locator(".w-drilldown__toggle", has_text=field).click()
    assert_accessible(page, within=".w-drilldown")
    pick()
    expect(page.locator("#listing-results h2[role=alert]")).to_contain_text("match")
    page.keyboard.press("Escape")


def shown(page) -> tuple[list[str], int]:
    """The first cell of each row shown, and the count the listing states ("There are 6 matches")."""
    rows = page.locator("#listing-results table tbody tr")
    first_cells = [rows.nth(i).locator("td").first.inner_text().strip() for i in range(rows.count())]
    count = int(re.search(r"There (?:is|are) (\d+) match", page.locator("#listing-results h2").inner_text()).group(1))
    return first_cells, count


def downloaded(page) -> list[dict]:
    """The rows of the file the header's "CSV" button ("Download CSV of the … listed") gives, read as a spreadsheet
    would."""
    with page.expect_download() as download:
        page.locator("#w-slim-header-buttons").get_by_role("link", name=re.compile(r"^Download CSV of the ")).click()
    with open(download.value.path(), encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_filters_picked_in_the_panel_show_and_export_the_same_rows(page, live_server, estate):
    office_user(Role.FINANCE_OFFICER, email="finance@example.org")
    sign_in(page, live_server, "finance@example.org")
    page.wait_for_url(f"{live_server.url}/admin/")

    # Payments: the status picked, the year and quarter selects left at "All".
    open_listing(page, live_server, "/admin/returns/payments/")
    assert_accessible(page)
    apply_one_filter(page, "Status", lambda: page.get_by_label("Paid", exact=True).check())
    expect(page).to_have_url(re.compile(r"status=paid"))
    assert "financial_year=" not in page.url and "quarter=" not in page.url
    grants, count = shown(page)
    paid = Payment.objects.filter(status=Payment.Status.PAID)
    assert count == len(grants) == paid.count() < Payment.objects.count()
    rows = downloaded(page)
    assert sorted(row["Ledger reference"] for row in rows) == sorted(paid.values_list("reference", flat=True))
    assert sorted(row["Grant"] for row in rows) == sorted(grants)
    assert {row["Status"] for row in rows} == {"Paid"}
    assert page.locator(".w-active-filters").inner_text().split() == ["Status:", "Paid"]

    # Grants: one financial year picked from the select, which offers only the years with money in them.
    open_listing(page, live_server, "/admin/programmes/grants/")
    assert_accessible(page)
    year = page.get_by_label("Charged in")
    apply_one_filter(page, "Charged in", lambda: year.select_option("2024"))
    assert [option.strip() for option in year.locator("option").all_inner_texts()] == ["All", "2023/24", "2024/25"]
    identifiers, count = shown(page)
    assert count == len(identifiers) == 3 and all("-2024-" in identifier for identifier in identifiers)
    assert sorted(row["Grant"] for row in downloaded(page)) == sorted(identifiers)
    assert "Charged in: 2024/25" in " ".join(page.locator(".w-active-filters").inner_text().split())

    # Quarterly returns: one quarter picked, the year left at "All".
    open_listing(page, live_server, "/admin/returns/quarterly-returns/")
    assert_accessible(page)
    apply_one_filter(page, "Quarter", lambda: page.get_by_label("Quarter", exact=True).select_option("2"))
    names, count = shown(page)
    assert count == len(names) == 5 and all(" Q2 " in name for name in names)
    rows = downloaded(page)
    assert len(rows) == 5 and {row["Quarter"] for row in rows} == {"2"}
    assert sorted(f"{row['Grant']} Q2 {row['Financial year']}" for row in rows) == sorted(names)
