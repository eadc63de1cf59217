"""A programme's factsheet PDF, beside its page: the page's own figures (approved only, small counts suppressed as
there), made once per change of the public figures and kept, linked from the page, 404 for anything
but a live programme page, and one or two pages for every programme of the demo."""

import io
import re
import subprocess

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import dateformat, timezone

from cms.models import ProgrammePage, StandardPage
from programmes.services import return_approve
from reports import pdf
from tests.cms.conftest import publish
from tests.cms.data import active_grant, approved_return, submitted_return
from tests.factories import AreaFactory, IndicatorFactory, ProgrammeFactory, TargetFactory
from tests.reports.test_receipt_pdf import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(db):
    programme = ProgrammeFactory(
        name="Navigator Programme", slug="navigator-programme", summary="Support at the reachable moment."
    )
    programme.areas.add(AreaFactory(name="Stoke-on-Trent", code="E06000021"))
    programme.save()  # a parental many-to-many is saved with its programme
    return programme


@pytest.fixture
def referrals(programme):
    return IndicatorFactory(
        name="Referrals received", slug="referrals", programme=programme, kind="output", counts_people=True
    )


@pytest.fixture
def grant(officer, provider, programme):
    return active_grant(officer=officer, provider=provider, programme=programme)


@pytest.fixture
def page(tree, programme):
    return publish(
        tree.programmes, ProgrammePage(title="Navigator Programme", slug="navigator-programme", programme=programme)
    )


@pytest.fixture
def pdfs_made(monkeypatch):
    """Counts the PDFs WeasyPrint makes (each is made for real)."""
    made = []
    real = pdf.html_to_pdf

    def counting(html):
        made.append(html)
        return real(html)

    monkeypatch.setattr(pdf, "html_to_pdf", counting)
    return made


def factsheet_url(page) -> str:
    return f"{page.url}factsheet.pdf"


def words(content: bytes) -> str:
    """The PDF's text with its layout's runs of spaces and line breaks made single spaces."""
    return " ".join(pdf_text(content).split())


def test_the_factsheet_prints_the_programmes_approved_figures_as_the_page_shows_them(
    client, page, programme, grant, referrals, provider, provider_approver, officer
):
    incidents = IndicatorFactory(
        name="Anti-social behaviour incidents", programme=programme, kind="outcome", direction="lower"
    )
    TargetFactory(indicator=referrals, grant=grant, financial_year=2023, value=80)
    TargetFactory(indicator=incidents, grant=None, programme=programme, financial_year=2023, value=30)
    approved_return(grant, 1, provider_approver, officer, {referrals: 61, incidents: 20}, spend="6250.00")
    approved_return(grant, 2, provider_approver, officer, {referrals: 20, incidents: 14}, spend="5000.00")

    response = client.get(factsheet_url(page))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="navigator-programme-factsheet.pdf"'
    assert response["ETag"] and response["Last-Modified"]
    text = words(response.content)

    # Worked out here from what was approved: the grant's £40,000 charge, two quarters' spend, 61 + 20 referrals
    # against 80, and 20 + 14 incidents (a sum) against a ceiling of 30.
    invested, spent = "£40,000.00", f"£{6250 + 5000:,}.00"
    referrals_total, incidents_total = 61 + 20, 20 + 14
    expected = [
        "Navigator Programme",
        "Support at the reachable moment.",
        "Theme Serious violence",
        "Areas served Stoke-on-Trent",
        f"Delivered by {provider.name}",
        "£40k",
        "Invested (committed in grant agreements)",
        f"Exactly {invested}",
        "£11k",
        "Spent to date (reported in approved returns)",
        f"Exactly {spent}",
        f"2023/24 {invested} {spent}",  # by financial year
        "Referrals received",
        f"{referrals_total} {round(referrals_total / 80 * 100)}% of the target of 80",
        "Anti-social behaviour incidents",
        f"{incidents_total} {incidents_total - 30} above the ceiling of 30",
        "Q1 2023/24 61 Q2 2023/24 20",  # the trend's data table
        f"Figures as at {dateformat.format(timezone.localdate(), 'j F Y')}",
        page.get_full_url(),
        "Page 1 of",
    ]
    for phrase in expected:
        assert phrase in text, phrase

    html = client.get(page.url).content.decode()
    for shown in [f"Exactly {invested}", f"Exactly {spent}", "101% of the target of 80", "4 above the ceiling of 30"]:
        assert shown in html, shown  # the page says the same


def test_a_submitted_figure_not_yet_approved_never_appears(
    client, page, grant, referrals, provider_approver, officer, django_capture_on_commit_callbacks
):
    approved_return(grant, 1, provider_approver, officer, {referrals: 61}, spend="6250.00")
    submitted = submitted_return(grant, 2, provider_approver, {referrals: 977}, spend="7777.00")

    text = words(client.get(factsheet_url(page)).content)
    assert "Q1 2023/24 61" in text
    assert "977" not in text and "1,038" not in text and "7,777" not in text and "14,027" not in text
    assert "Q2 2023/24" not in text  # no quarter without an approved figure

    with django_capture_on_commit_callbacks(execute=True):
        return_approve(quarterly_return=submitted, user=officer)
    text = words(client.get(factsheet_url(page)).content)
    assert "Q2 2023/24 977" in text and "Exactly £14,027.00" in text


def test_a_small_count_of_people_is_suppressed_exactly_as_on_the_page(
    client, page, grant, referrals, provider_approver, officer
):
    for quarter, figure in ((1, 3), (2, 20), (3, 21)):
        approved_return(grant, quarter, provider_approver, officer, {referrals: figure})

    html = client.get(page.url).content.decode()
    text = words(client.get(factsheet_url(page)).content)
    cell = (
        '<th scope="row" class="govuk-table__header">{}</th>'
        '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'
    )
    for quarter, shown in (("Q1 2023/24", "fewer than 5"), ("Q2 2023/24", "not shown"), ("Q3 2023/24", "21")):
        assert cell.format(quarter, shown) in html  # the page
        assert f"{quarter} {shown}" in text  # the factsheet's trend table
    assert "Referrals received 2023/24, April to 44 No target set" in text  # the year (to December) in the table
    assert 'counts of 1 to 4 people show as "fewer than 5"' in text
    assert not re.search(r"Q[12] 2023/24 (3|20)\b", text)


def test_the_factsheet_is_made_once_and_made_again_when_a_return_is_approved(
    client, page, grant, referrals, provider_approver, officer, pdfs_made, django_capture_on_commit_callbacks
):
    approved_return(grant, 1, provider_approver, officer, {referrals: 61})
    submitted = submitted_return(grant, 2, provider_approver, {referrals: 40})

    first = client.get(factsheet_url(page))
    assert len(pdfs_made) == 1
    again = client.get(factsheet_url(page))
    assert again.content == first.content and len(pdfs_made) == 1  # kept, not made again
    assert client.get(page.url).status_code == 200 and len(pdfs_made) == 1  # rendering the page makes none
    unchanged = client.get(factsheet_url(page), HTTP_IF_NONE_MATCH=first["ETag"])
    assert unchanged.status_code == 304

    with django_capture_on_commit_callbacks(execute=True):
        return_approve(quarterly_return=submitted, user=officer)
    refreshed = client.get(factsheet_url(page))
    assert len(pdfs_made) == 2
    assert "Q2 2023/24 40" in words(refreshed.content) and refreshed["ETag"] != first["ETag"]


def test_the_page_links_to_the_factsheet_without_making_it(
    client, page, grant, referrals, provider_approver, officer, pdfs_made
):
    approved_return(grant, 1, provider_approver, officer, {referrals: 61})
    html = client.get(page.url).content.decode()
    link = '<a class="govuk-link" href="/programmes/navigator-programme/factsheet.pdf">Download the factsheet (PDF)</a>'
    assert link in html and pdfs_made == []


def test_only_a_live_programme_page_has_a_factsheet(client, tree, page, programme):
    assert client.get(factsheet_url(page)).status_code == 200
    assert client.get("/programmes/no-such-programme/factsheet.pdf").status_code == 404
    assert client.get("/programmes/factsheet.pdf").status_code == 404  # the index page is not a programme's
    assert client.get("/programmes/navigator-programme/more/factsheet.pdf").status_code == 404
    publish(tree.home, StandardPage(title="About", slug="about"))
    assert client.get("/about/factsheet.pdf").status_code == 404

    draft = ProgrammeFactory(name="Draft Programme", slug="draft-programme")
    tree.programmes.add_child(instance=ProgrammePage(title="Draft", slug="draft", programme=draft, live=False))
    assert client.get("/programmes/draft/factsheet.pdf").status_code == 404
    page.unpublish()
    assert client.get(factsheet_url(page)).status_code == 404


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo loaded once for the module, in a transaction rolled back afterwards (as test_demo_public_site)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo_data", stdout=io.StringIO())
        call_command("load_demo_site", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def test_every_demo_programmes_factsheet_is_one_or_two_pages(demo, client):
    pages = ProgrammePage.objects.live().select_related("programme").order_by("title")
    assert pages
    counts = {}
    for page in pages:
        response = client.get(factsheet_url(page))
        assert response.status_code == 200, page.url
        info = subprocess.run(["pdfinfo", "-"], input=response.content, capture_output=True, check=True).stdout
        counts[page.programme.slug] = int(re.search(rb"Pages:\s+(\d+)", info).group(1))
        assert page.title in words(response.content)
    assert all(count in (1, 2) for count in counts.values()), counts
