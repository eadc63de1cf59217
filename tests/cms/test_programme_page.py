"""A programme page shows the editor's words and live figures: approved only, revised when a return is approved
again, small counts suppressed, and the same number of queries however much data there is."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import FundingStreamPage, ProgrammePage
from programmes.services import return_approve
from tests.cms.conftest import publish
from tests.cms.data import active_grant, approved_return, reopen, submitted_return
from tests.factories import IndicatorFactory, ProgrammeFactory, TargetFactory
from tests.return_helpers import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(db):
    return ProgrammeFactory(name="Navigator Programme", slug="navigator", summary="Support at the reachable moment.")


@pytest.fixture
def referrals(programme):
    return IndicatorFactory(
        name="Referrals received",
        slug="referrals",
        programme=programme,
        counts_people=True,
        definition="Children referred at the reachable moment.",
        method_and_source="Counted by the navigators from their case log.",
    )


@pytest.fixture
def grant(officer, provider, programme):
    return active_grant(officer=officer, provider=provider, programme=programme)


@pytest.fixture
def page(tree, programme):
    return publish(tree.programmes, ProgrammePage(title="Navigator Programme", slug="navigator", programme=programme))


def year_total(html: str, indicator_name: str) -> str:
    """The first year's figure in an indicator's table on the page."""
    table = html.split(f"{indicator_name} by financial year</caption>")[1]
    return re.search(r'govuk-table__cell--numeric">([^<]*)</td>', table).group(1)


def test_a_returns_figure_appears_only_after_the_return_is_approved(
    client, page, grant, referrals, provider_approver, officer, django_capture_on_commit_callbacks
):
    submitted = submitted_return(grant, 1, provider_approver, {referrals: 61})
    html = client.get(page.url).content.decode()
    assert "Referrals received" in html and "There are no approved figures yet." in html
    assert ">61<" not in html

    with django_capture_on_commit_callbacks(execute=True):
        return_approve(quarterly_return=submitted, user=officer)
    html = client.get(page.url).content.decode()
    assert year_total(html, "Referrals received") == "61"
    assert "Counted by the navigators from their case log." in html  # method and source
    assert "Last updated" in html


def test_a_reopened_return_comes_off_the_page_and_is_marked_revised_when_approved_again(
    client, page, grant, referrals, provider_approver, officer, django_capture_on_commit_callbacks
):
    first = approved_return(grant, 1, provider_approver, officer, {referrals: 61})
    approved_return(grant, 2, provider_approver, officer, {referrals: 40})
    with django_capture_on_commit_callbacks(execute=True):
        reopen(first, officer)
    html = client.get(page.url).content.decode()
    assert "The figures for Q1 2023/24 are being checked again" in html
    assert year_total(html, "Referrals received") == "40"

    first.refresh_from_db()
    submit(first, provider_approver, {line.name: "5000.00" for line in grant.budget_lines.all()})
    with django_capture_on_commit_callbacks(execute=True):
        return_approve(quarterly_return=first, user=officer)
    html = client.get(page.url).content.decode()
    assert "being checked again" not in html
    assert re.search(r"The figures for Q1 2023/24 were revised on \d+ \w+ \d{4}", html)
    assert year_total(html, "Referrals received") == "101"


def test_small_counts_show_as_fewer_than_5_and_another_quarter_is_withheld(
    client, page, grant, referrals, provider_approver, officer
):
    for quarter, figure in ((1, 3), (2, 20), (3, 21)):
        approved_return(grant, quarter, provider_approver, officer, {referrals: figure})
    html = client.get(page.url).content.decode()
    cell = (
        '<th scope="row" class="govuk-table__header">{}</th>'
        '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'
    )
    assert cell.format("Q1 2023/24", "fewer than 5") in html
    assert cell.format("Q2 2023/24", "not shown") in html
    assert cell.format("Q3 2023/24", "21") in html
    assert ">20</td>" not in html and ": 20</title>" not in html and ": 3</title>" not in html
    assert year_total(html, "Referrals received") == "44"
    csv = client.get("/data/indicators/referrals.csv").content.decode()
    assert "Q1 2023/24,fewer than 5" in csv and "Q2 2023/24,not shown" in csv and ",20" not in csv


def test_money_providers_and_targets_are_shown(client, page, grant, referrals, provider, provider_approver, officer):
    TargetFactory(indicator=referrals, grant=grant, financial_year=2023, value=80)
    approved_return(grant, 1, provider_approver, officer, {referrals: 61}, spend="6250.00")
    html = client.get(page.url).content.decode()
    assert "£40k" in html and "Exactly £40,000.00" in html  # invested: the grant's charges
    assert "£6k" in html and "Exactly £6,250.00" in html  # spent to date: the approved return
    assert provider.name in html
    assert "76% of the target of 80" in html
    money_csv = client.get("/data/programmes/navigator-money.csv").content.decode()
    assert money_csv.splitlines()[1] == "2023/24,40000.00,6250.00"


def _add_data(programme, officer, provider, approver, grants: int, quarters: int, indicators: int):
    people = [
        IndicatorFactory(programme=programme, counts_people=True, breakdown_by_age_band=True) for _ in range(indicators)
    ]
    for _ in range(grants):
        grant = active_grant(officer=officer, provider=provider, programme=programme)
        for quarter in range(1, quarters + 1):
            approved_return(
                grant,
                quarter,
                approver,
                officer,
                dict.fromkeys(programme.indicators.all(), 12),
                breakdowns={people[0]: ("age_band", {"10–13": 7})},
            )


def _queries(client, url) -> int:
    client.get(url)  # the first request of all also makes the site's footer settings row
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "url", ["/", "/programmes/", "/programmes/navigator/", "/funding/", "/funding/duty/", "/news/", "/search/?q=nav"]
)
def test_public_pages_make_the_same_number_of_queries_with_more_data(
    client, url, page, tree, programme, officer, provider, provider_approver
):
    _add_data(programme, officer, provider, provider_approver, grants=1, quarters=1, indicators=1)
    stream = programme.grants.get().charges.get().stream
    publish(tree.funding, FundingStreamPage(title="The Duty", slug="duty", stream=stream))
    few = _queries(client, url)
    _add_data(programme, officer, provider, provider_approver, grants=3, quarters=4, indicators=3)
    many = _queries(client, url)
    assert many == few


def test_a_lower_is_better_figure_reads_against_its_ceiling_not_as_a_share(
    client, page, grant, programme, provider_approver, officer
):
    incidents = IndicatorFactory(
        name="Anti-social behaviour incidents", programme=programme, direction="lower", counts_people=False
    )
    TargetFactory(indicator=incidents, grant=None, programme=programme, financial_year=2023, value=30)
    for quarter, figure in ((1, 20), (2, 14)):
        approved_return(grant, quarter, provider_approver, officer, {incidents: figure})
    html = client.get(page.url).content.decode()
    table = html.split("Anti-social behaviour incidents by financial year</caption>")[1].split("</table>")[0]
    assert "Ceiling (at most)" in table
    assert "4 above the ceiling of 30" in table
    assert "%" not in table  # 113% of a ceiling would read as success
