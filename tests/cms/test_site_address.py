"""Absolute links (the sitemap, the news feed, canonical and sharing links) carry SITE_URL, never localhost."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ImproperlyConfigured
from wagtail.models import Site

from cms.models import NewsPage
from cms.site import site_address, site_sync
from tests.cms.conftest import publish

pytestmark = pytest.mark.django_db
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def news(tree):
    return publish(
        tree.news, NewsPage(title="Parks crime down 38%", slug="parks", date=datetime.date(2023, 7, 20), intro="Data.")
    )


def absolute_links(client) -> list[str]:
    """Every absolute link the public site writes: sitemap locations, the feed's links and a page's head."""
    sitemap = ET.fromstring(client.get("/sitemap.xml").content)
    links = [loc.text for loc in sitemap.iter(f"{SITEMAP}loc")]
    feed = ET.fromstring(client.get("/news/feed/").content)
    links += [element.text for element in feed.iter() if element.tag in ("link", "guid")]
    head = client.get("/news/parks/").content.decode()
    links += re.findall(r'<link rel="canonical" href="([^"]+)"', head)
    links += re.findall(r'<meta property="og:url" content="([^"]+)"', head)
    return links


def test_migrate_gives_the_default_site_the_address_of_site_url(settings):
    site = Site.objects.get(is_default_site=True)
    address = site_address()
    assert (site.hostname, site.port) == (address.hostname, address.port) == ("127.0.0.1", 8000)
    assert settings.WAGTAILADMIN_BASE_URL == settings.SITE_URL == "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    ("site_url", "hostname", "port"),
    [
        ("https://outturn.example.org", "outturn.example.org", 443),
        ("https://outturn.example.org/", "outturn.example.org", 443),
        ("http://127.0.0.1:8000", "127.0.0.1", 8000),
        ("https://outturn.example.org:8443", "outturn.example.org", 8443),  # https the Site cannot say by its port
    ],
)
def test_the_sitemap_feed_canonical_and_sharing_links_use_site_url(client, settings, news, site_url, hostname, port):
    settings.SITE_URL = site_url.rstrip("/")  # as config/settings/base.py reads it
    site_sync()
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == (hostname, port)

    links = absolute_links(client)
    root = site_url.rstrip("/")
    assert f"{root}/" in links  # the home page, in the sitemap
    assert f"{root}/news/parks/" in links  # in the sitemap, the feed, and the page's canonical and og:url
    assert links.count(f"{root}/news/parks/") >= 4
    assert all(link.startswith(f"{root}/") for link in links), links
    assert not [link for link in links if "localhost" in link]


def test_a_request_under_another_host_name_still_gets_links_to_site_url(client, settings, news):
    settings.SITE_URL = "https://outturn.example.org"
    site_sync()
    response = client.get("/news/parks/", HTTP_HOST="127.0.0.1")
    assert response.status_code == 200
    assert '<link rel="canonical" href="https://outturn.example.org/news/parks/">' in response.content.decode()


@pytest.mark.parametrize(
    "site_url", ["outturn.example.org", "ftp://outturn.example.org", "https://outturn.example.org/vra", "https://"]
)
def test_a_site_url_that_is_not_just_an_address_is_refused(settings, site_url):
    settings.SITE_URL = site_url
    with pytest.raises(ImproperlyConfigured, match="SITE_URL must be the site's address"):
        site_address()
