"""The views beside the pages: programme filters, the news feed, search, the sitemap and the CSV downloads."""

import datetime
import xml.etree.ElementTree as ET

import pytest

from cms.models import FundingStreamPage, NewsPage, ProgrammePage, StandardPage, StoryPage
from tests.cms.conftest import publish
from tests.cms.data import active_grant
from tests.factories import AreaFactory, FundingStreamFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme_pages(tree, officer):
    stoke = AreaFactory(name="Stoke-on-Trent", code="E06000021")
    tamworth = AreaFactory(name="Tamworth", code="E07000199")
    duty = FundingStreamFactory(name="Serious Violence Duty", slug="svd")
    navigator = ProgrammeFactory(name="Navigator", slug="navigator", theme="serious-violence")
    navigator.areas.add(tamworth)
    navigator.save()  # a cluster's many-to-many is written when it is saved
    space = ProgrammeFactory(name="The Space", slug="the-space", theme="young-people")
    space.areas.add(stoke)
    space.save()
    active_grant(officer=officer, programme=navigator, stream=duty)
    active_grant(officer=officer, programme=space)
    publish(tree.funding, FundingStreamPage(title="Serious Violence Duty", slug="svd", stream=duty))
    return [
        publish(tree.programmes, ProgrammePage(title=programme.name, slug=programme.slug, programme=programme))
        for programme in (navigator, space)
    ]


def listed(client, query: str = "") -> list[str]:
    response = client.get(f"/programmes/{query}")
    assert response.status_code == 200
    return [page.title for page, _ in response.context["programme_pages"]]


def test_the_programme_index_filters_by_theme_area_and_stream(client, programme_pages):
    assert listed(client) == ["Navigator", "The Space"]
    assert listed(client, "?theme=young-people") == ["The Space"]
    assert listed(client, "?area=E07000199") == ["Navigator"]
    assert listed(client, "?stream=svd") == ["Navigator"]
    assert listed(client, "?theme=young-people&stream=svd") == []
    assert "No programmes match" in client.get("/programmes/?theme=education").content.decode()


def test_a_funding_stream_page_shows_its_allocation_and_the_programmes_it_funds(client, programme_pages):
    html = client.get("/funding/svd/").content.decode()
    assert "Allocated" in html and "£100k" in html and "£40k" in html
    assert '<a class="govuk-link" href="/programmes/navigator/">Navigator</a>' in html
    assert "The Space" not in html


def test_news_and_stories_have_an_rss_feed(client, tree):
    publish(
        tree.news,
        NewsPage(title="Parks crime down 38%", slug="parks", date=datetime.date(2023, 7, 20), intro="Police data."),
    )
    publish(tree.news, StoryPage(title="A reachable moment", slug="story", date=datetime.date(2024, 10, 15)))
    response = client.get("/news/feed/")
    assert response["Content-Type"].startswith("application/rss+xml")
    items = ET.fromstring(response.content).findall("./channel/item")
    assert [item.findtext("title") for item in items] == ["A reachable moment", "Parks crime down 38%"]
    assert items[1].findtext("link").endswith("/news/parks/")
    assert "A reachable moment" in client.get("/news/").content.decode()


def test_search_finds_live_pages_only(client, tree):
    publish(tree.home, StandardPage(title="Accessibility statement", slug="accessibility", intro="How to tell us."))
    draft = StandardPage(title="Accessibility draft", slug="draft", live=False)
    tree.home.add_child(instance=draft)
    response = client.get("/search/?q=accessibility")
    assert response.status_code == 200
    assert [page.title for page in response.context["results"]] == ["Accessibility statement"]
    assert "1 result for" in response.content.decode()
    assert client.get("/search/").context["results"] is None


def test_the_sitemap_lists_the_public_pages(client, programme_pages):
    xml = client.get("/sitemap.xml").content.decode()
    for path in ("/programmes/navigator/", "/programmes/the-space/", "/funding/svd/", "/news/"):
        assert f"{path}</loc>" in xml


def test_csv_downloads_for_unknown_records_are_not_found(client, db):
    assert client.get("/data/indicators/nothing.csv").status_code == 404
    assert client.get("/data/funding-streams/nothing.csv").status_code == 404
    assert client.get("/data/programmes/nothing-money.csv").status_code == 404


def test_stream_money_downloads_as_csv(client, programme_pages):
    response = client.get("/data/funding-streams/svd.csv")
    assert response["Content-Disposition"] == 'attachment; filename="svd-money.csv"'
    assert response.content.decode().splitlines() == [
        "Financial year,Allocated,Invested,Spent",
        "2023/24,100000.00,40000.00,0.00",
    ]
