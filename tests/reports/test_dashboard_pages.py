"""Who may read the dashboards, the returns matrix, the first screen's overview, and queries that do not grow."""

from decimal import Decimal

import pytest
from django.test import override_settings

from funding.money import gbp
from programmes.models import Payment, QuarterlyReturn
from programmes.services import grant_activate, payment_create
from tests.admin_helpers import count_queries
from tests.factories import FundingStreamFactory, ProgrammeFactory, funded_grant

pytestmark = pytest.mark.django_db

DASHBOARD_PAGES = ["/admin/dashboards/", "/admin/dashboards/returns-matrix/", "/admin/dashboards/programmes/"]


@pytest.fixture
def grant(officer):
    grant = funded_grant(year=2024, identifier="360G-T-NAV")
    return grant_activate(grant=grant, user=officer)


def pages_for(grant):
    stream = grant.charges.get().stream_id
    return [
        *DASHBOARD_PAGES,
        f"/admin/dashboards/streams/{stream}/2024/",
        f"/admin/dashboards/grants/{grant.pk}/",
        f"/admin/dashboards/programmes/{grant.programme_id}/",
    ]


@pytest.mark.parametrize("client_name", ["officer_client", "finance_client", "board_client"])
def test_office_roles_that_read_dashboards_reach_every_page(request, client_name, grant):
    client = request.getfixturevalue(client_name)
    for url in pages_for(grant):
        assert client.get(url).status_code == 200, url


def test_content_editors_and_providers_are_refused_every_dashboard(client, content_editor, provider_client, grant):
    client.force_login(content_editor)
    for url in pages_for(grant):
        # Wagtail answers a refusal in the admin by sending the user back to its first screen with a message.
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, "/admin/"), url
        # Providers never reach the back office at all: they are sent to their portal.
        response = provider_client.get(url)
        assert (response.status_code, response["Location"]) == (302, "/portal/"), url


def test_the_dashboards_menu_is_shown_only_to_dashboard_roles(client, content_editor, officer_client):
    assert 'href="/admin/dashboards/"' in officer_client.get("/admin/").content.decode()
    client.force_login(content_editor)
    assert 'href="/admin/dashboards/"' not in client.get("/admin/").content.decode()


@override_settings(OUTTURN_TODAY="2024-11-15")
def test_the_first_screen_starts_with_this_years_funding_overview(officer_client, client, content_editor, grant):
    html = officer_client.get("/admin/").content.decode()
    assert "Funding overview 2024/25" in html
    assert html.index("Funding overview 2024/25") < html.index("Work waiting")
    assert f'href="/admin/dashboards/streams/{grant.charges.get().stream_id}/2024/"' in html
    client.force_login(content_editor)
    assert "Funding overview" not in client.get("/admin/").content.decode()


@override_settings(OUTTURN_TODAY="2024-11-15")
def test_the_returns_matrix_shows_each_quarters_status_in_words_linking_to_the_return(officer_client, grant):
    returns = {r.quarter: r for r in QuarterlyReturn.objects.filter(grant=grant)}
    QuarterlyReturn.objects.filter(pk=returns[1].pk).update(status=QuarterlyReturn.Status.SUBMITTED)
    response = officer_client.get("/admin/dashboards/returns-matrix/?year=2024")
    (row,) = response.context["rows"]
    assert [cell["return"].get_status_display() for cell in row["cells"]] == [
        "Submitted",
        "Not started",
        "Not started",
        "Not started",
    ]
    assert [cell["overdue"] for cell in row["cells"]] == [False, True, False, False]
    html = response.content.decode()
    assert f'href="/admin/returns/review/{returns[1].pk}/" class="outturn-tag outturn-tag--submitted">Submitted' in html
    assert f'href="/admin/returns/quarterly-returns/inspect/{returns[2].pk}/"' in html
    assert "Overdue</span>" in html


def test_the_returns_matrix_filters_by_stream_programme_and_provider(officer_client, officer, grant):
    other = grant_activate(
        grant=funded_grant(year=2024, identifier="360G-T-PARKS", programme=ProgrammeFactory(name="Parks")),
        user=officer,
    )
    everything = officer_client.get("/admin/dashboards/returns-matrix/?year=2024").context["rows"]
    assert [row["grant"].identifier for row in everything] == ["360G-T-NAV", "360G-T-PARKS"]
    filters = {
        "stream": other.charges.get().stream_id,
        "programme": other.programme_id,
        "provider": other.provider_id,
    }
    for name, value in filters.items():
        rows = officer_client.get(f"/admin/dashboards/returns-matrix/?year=2024&{name}={value}").context["rows"]
        assert [row["grant"].identifier for row in rows] == ["360G-T-PARKS"], name
    assert officer_client.get("/admin/dashboards/returns-matrix/?year=2023").context["rows"] == []


def test_an_unknown_year_is_not_found(officer_client):
    assert officer_client.get("/admin/dashboards/?year=last").status_code == 404


def build_estate(officer, finance_officer, grants: int, prefix: str):
    stream = FundingStreamFactory()
    for n in range(grants):
        grant = grant_activate(
            grant=funded_grant(amount="1000.00", year=2024, stream=stream, identifier=f"360G-{prefix}-{n:03d}"),
            user=officer,
        )
        payment_create(grant=grant, amount=gbp("250.00"), date=grant.start_date, user=finance_officer)
        payment_create(
            grant=grant,
            amount=gbp("250.00"),
            date=grant.start_date,
            status=Payment.Status.PAID,
            reference=f"L-{prefix}-{n}",
            user=finance_officer,
        )
    return stream


@override_settings(OUTTURN_TODAY="2024-11-15")
def test_dashboard_queries_do_not_grow_with_the_estate(officer_client, officer, finance_officer):
    stream = build_estate(officer, finance_officer, grants=2, prefix="A")
    first_grant = stream.charges.order_by("grant__identifier").first().grant_id
    urls = [
        *DASHBOARD_PAGES,
        f"/admin/dashboards/streams/{stream.pk}/2024/",
        f"/admin/dashboards/grants/{first_grant}/",
        f"/admin/dashboards/programmes/{stream.charges.first().grant.programme_id}/",
    ]
    small = {url: count_queries(officer_client, url) for url in urls}
    build_estate(officer, finance_officer, grants=12, prefix="B")
    grant_activate(grant=funded_grant(year=2024, stream=stream), user=officer)
    large = {url: count_queries(officer_client, url) for url in urls}
    assert large == small


@override_settings(OUTTURN_TODAY="2024-11-15")
def test_programme_progress_shows_target_approved_figure_share_and_trend_unsuppressed(officer_client, grant):
    from django.utils import timezone

    from programmes.models import IndicatorValue
    from tests.factories import IndicatorFactory, TargetFactory

    children = IndicatorFactory(programme=grant.programme, name="Children supported", counts_people=True)
    TargetFactory(indicator=children, grant=None, programme=grant.programme, financial_year=2024, value=Decimal("20"))
    returns = {r.quarter: r for r in QuarterlyReturn.objects.filter(grant=grant)}
    for quarter, value, approved in ((1, "3", True), (2, "9", True), (3, "50", False)):
        IndicatorValue.objects.create(
            indicator=children,
            grant=grant,
            quarterly_return=returns[quarter],
            source="return",
            financial_year=2024,
            quarter=quarter,
            value=Decimal(value),
            approved_at=timezone.now() if approved else None,
        )
    index = officer_client.get("/admin/dashboards/programmes/")
    assert f'href="/admin/dashboards/programmes/{grant.programme_id}/"' in index.content.decode()
    response = officer_client.get(f"/admin/dashboards/programmes/{grant.programme_id}/?year=2024")
    (item,) = response.context["progress"].indicators
    assert (item.year.total.text, item.year.target_text, item.year.share_of_target) == ("12", "20", "60%")
    assert [figure.text for figure in item.progress.by_quarter] == ["3", "9"]  # the unapproved 50 is not counted
    html = response.content.decode()
    assert "<svg" in html and "Children supported" in html
    # The office reads small counts; only the page's note mentions what the public sees instead.
    assert html.count("fewer than 5") == 1


def test_drill_down_to_a_missing_stream_or_grant_is_not_found_and_a_grant_links_back(officer_client, grant):
    assert officer_client.get("/admin/dashboards/grants/999999/").status_code == 404
    assert officer_client.get("/admin/dashboards/streams/999999/2024/").status_code == 404
    assert officer_client.get("/admin/dashboards/programmes/999999/").status_code == 404
    html = officer_client.get(f"/admin/dashboards/grants/{grant.pk}/").content.decode()
    assert 'href="/admin/dashboards/"' in html
