"""Board and funder reports through HTTP: asked for, made in the background, listed, downloaded, refused.

Each report's figures are compared with the estate's figures summed independently from the base rows, and with
the dashboards' figures for the same period.
"""

import io
import re

import pytest
from django.test import Client, override_settings
from openpyxl import load_workbook

from funding.money import format_gbp
from funding.roles import Role
from reports import documents
from reports.models import Report
from tests.factories import UserFactory
from tests.reports.estate import YEAR, independent_figures, returns_of
from tests.reports.test_receipt_pdf import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]
TODAY = "2024-11-15"
INDEX, NEW = "/admin/board-reports/", "/admin/board-reports/new/"


@pytest.fixture
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {**settings.STORAGES["private"], "OPTIONS": {"location": tmp_path}},
    }


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """Ask for a report through the form. It is made once the request's transaction commits: here, at its end."""

    def ask(client, **data) -> Report:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(NEW, data)
        assert response.status_code == 302, response.context["form"].errors if response.context else response
        return Report.objects.get(pk=re.search(r"/(\d+)/$", response.url).group(1))

    return ask


def download(client, report) -> bytes:
    response = client.get(f"{INDEX}{report.pk}/download/")
    assert response.status_code == 200
    assert "private, no-store" in response["Cache-Control"]
    return b"".join(response.streaming_content)


def words(content: bytes) -> str:
    return " ".join(pdf_text(content).split())


@override_settings(OUTTURN_TODAY=TODAY)
def test_an_officer_asks_for_a_board_pack_and_downloads_it_with_the_dashboards_figures(ask, officer_client, estate):
    page = officer_client.get(NEW)
    assert page.status_code == 200
    assert 'value="2" selected' in page.content.decode() or page.context["form"].initial["quarter"] == 2
    report = ask(officer_client, kind="board-pack", financial_year=2024, quarter=2, file_format="pdf")
    assert report.status == Report.Status.READY and report.size > 10_000

    detail = officer_client.get(f"{INDEX}{report.pk}/").content.decode()
    assert "Ready" in detail and f"/admin/board-reports/{report.pk}/download/" in detail
    assert 'http-equiv="refresh"' not in detail  # nothing to wait for
    listing = officer_client.get(INDEX).content.decode()
    assert "Board pack" in listing and "Q2 2024/25" in listing, listing
    assert report.requested_by.get_full_name() in listing

    text = words(download(officer_client, report))
    first = independent_figures(estate["first"], None)
    overview = officer_client.get(f"/admin/dashboards/?year={YEAR.start_year}").context["overview"]
    assert "Board pack" in text and "Q2 2024/25: 1 July to 30 September 2024" in text
    for stream_row in overview.rows:
        figures = stream_row.figures
        row = f"{stream_row.stream.name} {format_gbp(figures.allocated)} {format_gbp(figures.committed)}"
        assert row in text, row
    assert format_gbp(first["spent"]) in text and format_gbp(first["outturn"]) in text
    summary = text.split("Summary", 2)[2].split("Funding streams")[0]  # after the contents' entries
    for figure in ("allocated", "committed", "spent", "outturn", "remaining"):
        assert format_gbp(getattr(overview.total, figure)) in summary, figure
    # The shared grant's Q2 return is submitted, not approved: its spend is in no figure.
    # The shared grant's Q2 return, submitted after its 2024 deadline, waits for review; the single grant's is owed.
    assert "Returns for Q2 2024/25: 1 received (0 on time, 1 late), 0 approved, 1 outstanding" in text
    assert "Page 1 of" in text and "Contents" in text


@override_settings(OUTTURN_TODAY=TODAY)
def test_finance_makes_the_funder_return_as_a_spreadsheet_whose_cells_are_the_figures(ask, finance_client, estate):
    stream = estate["first"]
    report = ask(finance_client, kind="funder-return", financial_year=2024, stream=stream.pk, file_format="xlsx")
    book = load_workbook(io.BytesIO(download(finance_client, report)))
    assert book.sheetnames == ["Summary", "By quarter", "By grant", "By grant and quarter", "Notes"]
    summary = {heading.value: cell.value for heading, cell in zip(book["Summary"][1], book["Summary"][2], strict=True)}
    expected = independent_figures(stream, None)
    assert summary["Funding stream"] == stream.name and summary["Financial year"] == "2024/25"
    assert summary["Allocated"] == 100000
    for heading, name in (
        ("Committed", "committed"),
        ("Spent", "spent"),
        ("Paid", "paid"),
        ("Forecast outturn", "outturn"),
    ):
        assert summary[heading] == expected[name], heading
    assert summary["Spent: labour"] + summary["Spent: non-labour"] == summary["Spent"]
    assert book["Summary"]["D2"].number_format.startswith('"£"')
    assert book["Summary"].freeze_panes == "A2"
    by_grant = list(book["By grant"].iter_rows(min_row=2, values_only=True))
    assert sorted(row[0] for row in by_grant) == ["360G-T-SHARED", "360G-T-SINGLE"]
    assert sum(row[9] for row in by_grant) == summary["Spent"]
    quarters = list(book["By quarter"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in quarters] == ["Q1 2024/25", "Q2 2024/25", "Q3 2024/25", "Q4 2024/25", "Year"]
    assert sum(row[5] for row in quarters[:4]) == quarters[4][5] == summary["Spent"]
    notes = [row[0] for row in book["Notes"].iter_rows(min_row=2, values_only=True)]
    assert notes[0] == "Figures as at" and "Underspend that cannot be carried over" in notes


@override_settings(OUTTURN_TODAY=TODAY)
def test_the_funder_return_pdf_says_the_same_and_what_cannot_be_carried_over(ask, finance_client, estate):
    stream = estate["first"]
    report = ask(finance_client, kind="funder-return", financial_year=2024, stream=stream.pk, file_format="pdf")
    text = words(download(finance_client, report))
    expected = independent_figures(stream, None)
    assert stream.name in text and "Financial year 2024/25" in text
    assert format_gbp(expected["spent"]) in text and format_gbp(expected["outturn"]) in text
    assert "360G-T-SHARED" in text and "360G-T-SINGLE" in text
    assert "Underspend forecast that cannot be carried over" in text


@override_settings(OUTTURN_TODAY=TODAY)
def test_a_text_that_would_run_as_a_formula_is_written_as_text(ask, finance_client, estate):
    estate["single"].__class__.objects.filter(pk=estate["single"].pk).update(title='=HYPERLINK("http://x")')
    report = ask(
        finance_client, kind="funder-return", financial_year=2024, stream=estate["first"].pk, file_format="xlsx"
    )
    book = load_workbook(io.BytesIO(download(finance_client, report)))
    titles = [row[1] for row in book["By grant"].iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://x")' in titles


def test_a_board_viewer_may_make_the_board_pack_but_not_the_funder_return(board_viewer, estate):
    client = Client()
    client.force_login(board_viewer)
    form = client.get(NEW).context["form"]
    assert [value for value, _ in form.fields["kind"].choices] == ["board-pack"]
    response = client.post(
        NEW, {"kind": "funder-return", "financial_year": 2024, "stream": estate["first"].pk, "file_format": "xlsx"}
    )
    assert response.status_code == 200 and "kind" in response.context["form"].errors
    assert not Report.objects.exists()
    funder_return = Report.objects.create(
        kind="funder-return",
        file_format="xlsx",
        financial_year=2024,
        stream=estate["first"],
        requested_by=UserFactory(),
    )
    assert client.get(f"{INDEX}{funder_return.pk}/").status_code == 404
    assert client.get(f"{INDEX}{funder_return.pk}/download/").status_code == 404


@pytest.mark.parametrize("role", [Role.CONTENT_EDITOR, Role.PROVIDER_APPROVER])
def test_content_editors_and_providers_get_no_report(ask, role, officer_client, estate):
    report = ask(officer_client, kind="board-pack", financial_year=2024, quarter=2, file_format="pdf")
    client = Client()
    client.force_login(UserFactory(roles=[role]))
    for url in (INDEX, NEW, f"{INDEX}{report.pk}/", f"{INDEX}{report.pk}/download/"):
        assert client.get(url).status_code in (302, 403), url
    assert "Board and funder reports" not in Client().get("/admin/", follow=True).content.decode()


def test_a_board_pack_needs_its_quarter_and_a_funder_return_its_stream(officer_client, estate):
    response = officer_client.post(
        NEW, {"kind": "board-pack", "financial_year": 2024, "quarter": "", "file_format": "pdf"}
    )
    assert "Choose the quarter the board pack reports on." in response.content.decode()
    response = officer_client.post(NEW, {"kind": "funder-return", "financial_year": 2024, "file_format": "xlsx"})
    assert "Choose the funding stream whose funder the return is for." in response.content.decode()
    response = officer_client.post(
        NEW, {"kind": "board-pack", "financial_year": 2024, "quarter": 2, "file_format": "xlsx"}
    )
    assert "A board pack is made as PDF." in response.content.decode()
    assert not Report.objects.exists()


def test_a_failed_report_says_why_and_leaves_no_file(ask, officer_client, estate, monkeypatch, caplog):
    def broken(report, progress):
        raise RuntimeError("the PDF engine ran out of memory")

    monkeypatch.setitem(documents.MAKERS, ("board-pack", "pdf"), broken)
    report = ask(officer_client, kind="board-pack", financial_year=2024, quarter=2, file_format="pdf")
    assert report.status == Report.Status.FAILED and not report.file
    page = officer_client.get(f"{INDEX}{report.pk}/").content.decode()
    assert "RuntimeError: the PDF engine ran out of memory" in page
    assert officer_client.get(f"{INDEX}{report.pk}/download/").status_code == 404
    assert "Report %s (%s, %s) failed" in [record.msg for record in caplog.records]


def test_a_queued_report_refreshes_its_page_until_it_is_made_and_can_be_made_again(
    ask, officer_client, officer, estate, django_capture_on_commit_callbacks
):
    queued = Report.objects.create(
        kind="board-pack", file_format="pdf", financial_year=2024, quarter=2, requested_by=officer
    )
    page = officer_client.get(f"{INDEX}{queued.pk}/").content.decode()
    assert 'http-equiv="refresh"' in page and "Queued" in page and "<progress" in page
    made = ask(officer_client, kind="board-pack", financial_year=2024, quarter=2, file_format="pdf")
    with django_capture_on_commit_callbacks(execute=True):
        again = officer_client.post(f"{INDEX}{made.pk}/")
    latest = Report.objects.latest("pk")
    assert again.url == f"{INDEX}{latest.pk}/" and latest.pk != made.pk
    assert (latest.kind, latest.quarter, latest.status) == ("board-pack", 2, Report.Status.READY)
    assert Report.objects.get(pk=made.pk).file  # the earlier copy is kept as it was


@override_settings(OUTTURN_TODAY=TODAY)
def test_an_unapproved_figure_never_reaches_a_report(ask, officer_client, officer, estate):
    """The shared grant's Q2 return (9,000) is submitted, not approved: no report counts it as spent."""
    assert returns_of(estate["shared"])[2].status == "submitted"
    pack = words(
        download(
            officer_client, ask(officer_client, kind="board-pack", financial_year=2024, quarter=2, file_format="pdf")
        )
    )
    spent_with_submitted = independent_figures(estate["first"], None)["spent"] + 6000
    assert format_gbp(spent_with_submitted) not in pack
