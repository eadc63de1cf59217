"""Exports of the grants, payments, returns and indicator values listings: exactly the filtered rows, money as
numbers, a header row, streamed, and in a number of queries that does not grow with the rows."""

import csv
import datetime
import io
import itertools
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models.query import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from funding.fiscal import FinancialYear
from funding.models import Allocation
from funding.money import gbp
from funding.roles import Role
from programmes.models import Grant, IndicatorValue, Payment, QuarterlyReturn
from tests.admin_helpers import admin_url, build_rows
from tests.factories import (
    FundingStreamFactory,
    GrantChargeFactory,
    GrantFactory,
    IndicatorFactory,
    OrganisationFactory,
    ProgrammeFactory,
    office_user,
)

pytestmark = pytest.mark.django_db

APPROVED_AT = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
EXPORTED = ["outturn_grants", "outturn_payments", "outturn_returns", "outturn_indicator_values"]
FORMATS = ["csv", "xlsx"]


def export(client, viewset: str, fmt: str, query: str = "") -> tuple[list[str], list[dict]]:
    """The export's header row and its rows (as dicts keyed by heading), read back from the file."""
    response = client.get(f"{admin_url(viewset)}?export={fmt}&{query}")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    if fmt == "csv":
        assert isinstance(response, StreamingHttpResponse)
        table = list(csv.reader(io.StringIO(content.decode("utf-8"))))
    else:
        assert isinstance(response, FileResponse)
        sheet = load_workbook(io.BytesIO(content)).worksheets[0]
        table = [list(row) for row in sheet.iter_rows(values_only=True)]
    header, *rows = table
    return header, [dict(zip(header, row, strict=True)) for row in rows]


def number(cell) -> Decimal:
    """A money cell read back: text in a CSV, a number in a spreadsheet; never "£1,000.00"."""
    return Decimal(cell) if isinstance(cell, str) else Decimal(str(cell))


# --- An estate that differs on every filter ----------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the test knows about a row, written down as it is created, to compute each filter's rows by hand."""

    key: str
    stream: int
    programme: int
    provider: int
    year: int
    quarter: int | None
    status: str


@pytest.fixture
def estate(db):
    streams = [FundingStreamFactory(), FundingStreamFactory()]
    programmes = [ProgrammeFactory(), ProgrammeFactory()]
    providers = [OrganisationFactory(), OrganisationFactory()]
    # Statuses cycle out of step with the years and quarters, so that every combination the filters ask for occurs.
    grant_statuses = itertools.cycle([Grant.Status.ACTIVE, Grant.Status.DRAFT, Grant.Status.CLOSED])
    return_statuses = itertools.cycle(QuarterlyReturn.Status.values)
    facts = {"outturn_grants": [], "outturn_payments": [], "outturn_returns": [], "outturn_indicator_values": []}
    for index, (stream, programme, provider, year) in enumerate(
        itertools.product(streams, programmes, providers, [2023, 2024])
    ):
        fy = FinancialYear(year)
        grant = GrantFactory(
            programme=programme,
            provider=provider,
            status=next(grant_statuses),
            start_date=fy.start,
            end_date=fy.end,
            amount=gbp("40000.00"),
        )
        # As the services require, a charge is against its stream's allocation for the year.
        Allocation.objects.get_or_create(stream=stream, financial_year=year, defaults={"amount": gbp("1000000.00")})
        GrantChargeFactory(grant=grant, stream=stream, financial_year=year)
        indicator = IndicatorFactory(programme=programme)

        def fact(key, quarter, status, grant=grant, stream=stream, programme=programme, provider=provider, year=year):
            return Facts(key, stream.pk, programme.pk, provider.pk, year, quarter, status)

        facts["outturn_grants"].append(fact(grant.identifier, None, grant.status))
        for quarter in (1, 2, 3):
            payment = Payment.objects.create(
                grant=grant,
                amount=gbp(f"{1000 * quarter + index}.25"),
                date=fy.quarters[quarter - 1].start,
                financial_year=year,
                quarter=quarter,
                status=Payment.Status.values[(index + quarter) % 3],
                reference=f"AP-{index:02d}-{quarter}",
            )
            facts["outturn_payments"].append(fact(payment.reference, quarter, payment.status))
        for quarter in (1, 2):
            quarterly_return = QuarterlyReturn.objects.create(
                grant=grant,
                financial_year=year,
                quarter=quarter,
                due_date=fy.quarters[quarter - 1].end + datetime.timedelta(days=30),
                status=next(return_statuses),
            )
            key = f"{grant.identifier} {quarterly_return.period}"
            facts["outturn_returns"].append(fact(key, quarter, quarterly_return.status))
            approved = (index + quarter) % 2 == 0
            IndicatorValue.objects.create(
                indicator=indicator,
                grant=grant,
                quarterly_return=quarterly_return,
                source=IndicatorValue.Source.RETURN,
                financial_year=year,
                quarter=quarter,
                value=Decimal(index * 10 + quarter),
                approved_at=APPROVED_AT if approved else None,
            )
            facts["outturn_indicator_values"].append(
                fact(f"{indicator.name} {grant.identifier} {quarter}", quarter, "true" if approved else "false")
            )
    return {"streams": streams, "programmes": programmes, "providers": providers, "facts": facts}


def row_key(viewset: str, row: dict) -> str:
    if viewset == "outturn_grants":
        return row["Grant"]
    if viewset == "outturn_payments":
        return row["Ledger reference"]
    if viewset == "outturn_returns":
        return f"{row['Grant']} Q{row['Quarter']} {row['Financial year']}"
    return f"{row['Indicator']} {row['Grant']} {row['Quarter']}"


# Each filter: the query string, and the rule it stands for, applied to the facts by hand.
def filters(estate, viewset: str):
    stream, programme, provider = estate["streams"][1], estate["programmes"][0], estate["providers"][1]
    status = {
        "outturn_grants": ("status=active", Grant.Status.ACTIVE),
        "outturn_payments": ("status=approved", Payment.Status.APPROVED),
        "outturn_returns": ("status=submitted", QuarterlyReturn.Status.SUBMITTED),
        "outturn_indicator_values": ("approved=true", "true"),
    }[viewset]
    cases = [
        (f"stream={stream.pk}", lambda f: f.stream == stream.pk),
        ("financial_year=2024", lambda f: f.year == 2024),
        (f"programme={programme.pk}", lambda f: f.programme == programme.pk),
        (f"provider={provider.pk}", lambda f: f.provider == provider.pk),
        (status[0], lambda f: f.status == status[1]),
        (
            f"financial_year=2023&provider={provider.pk}&{status[0]}",
            lambda f: f.year == 2023 and f.provider == provider.pk and f.status == status[1],
        ),
    ]
    if viewset != "outturn_grants":  # a grant spans quarters
        cases.append(("quarter=2", lambda f: f.quarter == 2))
        cases.append((f"quarter=1&stream={stream.pk}", lambda f: f.quarter == 1 and f.stream == stream.pk))
    return cases


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("viewset", EXPORTED)
def test_an_export_holds_exactly_the_rows_the_filter_selects(estate, board_client, viewset, fmt):
    facts = estate["facts"][viewset]
    for query, rule in filters(estate, viewset):
        expected = sorted(fact.key for fact in facts if rule(fact))
        assert 0 < len(expected) < len(facts), query  # each filter leaves some rows out and some in
        _, rows = export(board_client, viewset, fmt, query)
        assert sorted(row_key(viewset, row) for row in rows) == expected, query


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("viewset", EXPORTED)
def test_an_unfiltered_export_holds_every_row_under_a_header_row(estate, finance_client, viewset, fmt):
    header, rows = export(finance_client, viewset, fmt)
    assert header[0] in {"Grant", "Indicator"}
    assert len(rows) == len(estate["facts"][viewset])


@pytest.mark.parametrize("fmt", FORMATS)
def test_money_is_exported_as_a_number(estate, officer_client, fmt):
    _, rows = export(officer_client, "outturn_payments", fmt)
    payments = {p.reference: p.amount.amount for p in Payment.objects.all()}
    assert {row["Ledger reference"]: number(row["Amount (£)"]) for row in rows} == payments
    if fmt == "xlsx":
        assert all(isinstance(row["Amount (£)"], int | float) for row in rows)
    else:
        assert all("£" not in row["Amount (£)"] and "," not in row["Amount (£)"] for row in rows)
    _, grants = export(officer_client, "outturn_grants", fmt)
    assert {number(row["Amount (£)"]) for row in grants} == {Decimal("40000.00")}


def test_a_search_narrows_the_export_as_it_narrows_the_listing(estate, board_client):
    _, rows = export(board_client, "outturn_payments", "csv", "q=AP-03")
    assert sorted(row["Ledger reference"] for row in rows) == ["AP-03-1", "AP-03-2", "AP-03-3"]


def test_the_listing_offers_both_downloads_for_what_is_filtered(estate, board_client):
    content = board_client.get(admin_url("outturn_payments") + "?quarter=2").content.decode()
    assert "Download CSV" in content and "Download XLSX" in content
    assert "quarter=2&amp;export=csv" in content


def test_an_export_reads_its_rows_in_chunks_rather_than_loading_them_all(estate, board_client, monkeypatch):
    loaded_whole = []
    fetch_all = QuerySet._fetch_all

    def watched(queryset):
        # A sliced query reads a row or a page, not the export's rows (the year filter asks one row which years exist).
        if queryset.model is Payment and not queryset.query.is_sliced:
            loaded_whole.append(queryset)
        return fetch_all(queryset)

    monkeypatch.setattr(QuerySet, "_fetch_all", watched)
    for fmt in FORMATS:
        _, rows = export(board_client, "outturn_payments", fmt)
        assert len(rows) == len(estate["facts"]["outturn_payments"])
    assert loaded_whole == []


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("viewset", EXPORTED)
def test_an_export_makes_as_many_queries_for_210_rows_as_for_10(viewset, fmt):
    from django.test import Client

    client = Client()
    client.force_login(office_user(Role.COMMISSIONING_OFFICER))
    url = f"{admin_url(viewset)}?export={fmt}"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            b"".join(response.streaming_content)
        return len(captured)

    build_rows(viewset, 10)
    queries()  # the first request fills per-process caches (content types, site)
    at_10 = queries()
    build_rows(viewset, 200, start=10)
    at_210 = queries()
    print(f"\nexport queries {viewset} {fmt}: {at_10} at 10 rows, {at_210} at 210 rows")
    assert at_10 == at_210


def test_a_content_editor_cannot_export_and_a_provider_never_reaches_the_admin(client, content_editor, provider_client):
    build_rows("outturn_payments", 2)
    client.force_login(content_editor)
    for fmt in FORMATS:
        refused = client.get(f"{admin_url('outturn_payments')}?export={fmt}")
        assert (refused.status_code, refused.url) == (302, "/admin/")
        outsider = provider_client.get(f"{admin_url('outturn_payments')}?export={fmt}")
        assert outsider.status_code == 302 and outsider.url == "/portal/"


# --- The listings themselves: filterable, sortable, paginated ---------------------------------------------------

LISTING_FILTERS = {
    "outturn_grants": {"stream", "financial_year", "programme", "provider", "status"},
    "outturn_payments": {"stream", "financial_year", "quarter", "programme", "provider", "status"},
    "outturn_returns": {"stream", "financial_year", "quarter", "programme", "provider", "status"},
    "outturn_indicator_values": {"stream", "financial_year", "quarter", "programme", "provider", "approved"},
}
SORT_BY = {
    "outturn_grants": ("identifier", lambda row: row.identifier),
    "outturn_payments": ("amount", lambda row: row.amount.amount),
    "outturn_returns": ("due_date", lambda row: row.due_date),
    "outturn_indicator_values": ("value", lambda row: row.value),
}


@pytest.mark.parametrize("viewset", EXPORTED)
def test_each_listing_filters_on_the_questions_finance_asks(board_client, viewset):
    response = board_client.get(admin_url(viewset))
    assert LISTING_FILTERS[viewset] <= set(response.context["filters"].form.fields)


@pytest.mark.parametrize("viewset", EXPORTED)
def test_each_listing_sorts_and_pages(estate, board_client, viewset):
    field, value = SORT_BY[viewset]
    first_page = board_client.get(f"{admin_url(viewset)}?ordering=-{field}")
    rows = list(first_page.context["object_list"])
    assert [value(row) for row in rows] == sorted((value(row) for row in rows), reverse=True)
    assert len(rows) == min(20, len(estate["facts"][viewset]))
    if len(estate["facts"][viewset]) > 20:
        second_page = board_client.get(f"{admin_url(viewset)}?ordering=-{field}&p=2")
        assert second_page.status_code == 200
        assert not {row.pk for row in second_page.context["object_list"]} & {row.pk for row in rows}
