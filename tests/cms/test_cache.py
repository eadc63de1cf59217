"""Public pages are cached, and the cache is emptied by the events that change what the public sees."""

from decimal import Decimal

import pytest

from cms.cache import HIT_HEADER
from cms.models import StandardPage
from funding.fiscal import FinancialYear, Quarter
from programmes.services import indicator_value_approve, indicator_value_record_office, return_approve
from tests.cms.conftest import publish
from tests.cms.data import active_grant, submitted_return
from tests.factories import IndicatorFactory

pytestmark = pytest.mark.django_db


def test_a_page_is_served_from_the_cache_the_second_time(client, home):
    assert client.get("/")[HIT_HEADER] == "miss"
    assert client.get("/")[HIT_HEADER] == "hit"
    assert client.get("/?utm_source=x")[HIT_HEADER] == "miss"  # another address is another entry


def test_approving_a_return_clears_the_cache(
    client, home, officer, provider_approver, django_capture_on_commit_callbacks
):
    grant = active_grant(officer=officer, provider=provider_approver.organisation)
    submitted = submitted_return(grant, 1, provider_approver)
    client.get("/")
    with django_capture_on_commit_callbacks(execute=True):
        return_approve(quarterly_return=submitted, user=officer)
    assert client.get("/")[HIT_HEADER] == "miss"


def test_the_cache_is_cleared_only_when_the_transaction_commits(client, home, officer, provider_approver):
    grant = active_grant(officer=officer, provider=provider_approver.organisation)
    submitted = submitted_return(grant, 1, provider_approver)
    client.get("/")
    return_approve(quarterly_return=submitted, user=officer)  # the test's transaction never commits
    assert client.get("/")[HIT_HEADER] == "hit"


def test_approving_an_office_figure_clears_the_cache(client, home, officer, django_capture_on_commit_callbacks):
    indicator = IndicatorFactory(programme=None, scope="population", counts_people=False)
    value = indicator_value_record_office(
        indicator=indicator, quarter=Quarter(FinancialYear(2023), 1), user=officer, value=Decimal(310)
    )
    client.get("/")
    with django_capture_on_commit_callbacks(execute=True):
        indicator_value_approve(indicator_value=value, user=officer)
    assert client.get("/")[HIT_HEADER] == "miss"


def test_publishing_a_page_clears_the_cache(client, home, django_capture_on_commit_callbacks):
    client.get("/")
    with django_capture_on_commit_callbacks(execute=True):
        publish(home, StandardPage(title="About the Alliance", slug="about", show_in_menus=True))
    response = client.get("/")
    assert response[HIT_HEADER] == "miss"
    assert 'href="/about/"' in response.content.decode()  # the new page is in the menu at once


def test_signed_in_people_and_previews_are_not_cached(client, home, content_editor):
    client.force_login(content_editor)
    assert HIT_HEADER not in client.get("/")
    assert HIT_HEADER not in client.get("/")
