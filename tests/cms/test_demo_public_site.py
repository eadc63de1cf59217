"""The whole demo (`load_demo_data`, then `load_demo_site`, as `make run` does): every programme has its public
page, the site's address comes from SITE_URL, and the accessibility statement has what the model statement asks."""

import io
from html import unescape

import pytest
from django.core.management import call_command
from django.db import transaction
from wagtail.models import Page, Revision, Site

from cms.models import FooterLinks, ProgrammePage, StandardPage
from cms.site import site_address
from programmes.demo import story
from programmes.models import Programme

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo loaded once for the module (it takes seconds), in a transaction rolled back afterwards so no other
    test sees it; each test runs in a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo_data", stdout=io.StringIO())
        call_command("load_demo_site", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def test_every_programme_of_the_demo_has_its_public_page(demo, client):
    slugs = [slug for slug, *_ in story.PROGRAMMES]
    assert sorted(Programme.objects.values_list("slug", flat=True)) == sorted(slugs)
    pages = {page.programme.slug: page for page in ProgrammePage.objects.live().select_related("programme")}
    assert sorted(pages) == sorted(slugs)
    charter = pages[story.CHARTER]
    assert charter.title == "Safer Places for Women and Girls Charter"
    for slug, page in pages.items():
        response = client.get(page.url)
        assert response.status_code == 200, slug
    html = client.get(charter.url).content.decode()
    assert "Organisations signed up to the Charter" in html  # the office's register, with no grant behind it
    assert "Safer Places for Women and Girls Charter" in client.get("/programmes/").content.decode()


def test_the_demo_site_answers_at_site_url(demo, client):
    site = Site.objects.get(is_default_site=True)
    address = site_address()
    assert (site.hostname, site.port) == (address.hostname, address.port)
    sitemap = client.get("/sitemap.xml").content.decode()
    assert f"<loc>{address.root_url}/programmes/{story.CHARTER}/</loc>" in sitemap
    assert "localhost" not in sitemap


def test_the_accessibility_statement_follows_the_model_statement(demo, client):
    statement = StandardPage.objects.get(slug="accessibility-statement")
    assert FooterLinks.for_site(Site.objects.get(is_default_site=True)).accessibility_page_id == statement.pk
    html = unescape(client.get(statement.url).content.decode())
    sections = [
        "<h2>How accessible this website is</h2>",
        "<h2>Feedback and contact information</h2>",
        "<h2>Reporting accessibility problems with this website</h2>",
        "<h2>Enforcement procedure</h2>",
        "<h2>Technical information about this website's accessibility</h2>",
        "<h3>Compliance status</h3>",
        "<h2>Non-accessible content</h2>",
        "<h3>Non-compliance with the accessibility regulations</h3>",
        "<h3>Disproportionate burden</h3>",
        "<h3>Content that's not within the scope of the accessibility regulations</h3>",
        "<h2>What we're doing to improve accessibility</h2>",
        "<h2>Preparation of this accessibility statement</h2>",
    ]
    positions = [html.find(section) for section in sections]
    missing = [section for section, position in zip(sections, positions, strict=True) if position < 0]
    assert missing == []
    assert positions == sorted(positions)  # in the model statement's order
    assert "Equality and Human Rights Commission (EHRC)" in html
    assert "Equality Advisory and Support Service (EASS)" in html and "equalityadvisoryservice.com" in html
    assert "partially compliant with the" in html and "version 2.2</a> AA standard" in html
    assert "1.4.4 (Resize text)" in html  # a non-compliance, with the criterion it fails
    assert "mailto:" in html  # how to report a problem or ask for another format
    assert "This statement was prepared on 30 November 2026. It was last reviewed on 30 November 2026." in html


def test_loading_the_site_again_writes_nothing(demo):
    pages, revisions = Page.objects.count(), Revision.objects.count()
    call_command("load_demo_site", stdout=io.StringIO())
    assert (Page.objects.count(), Revision.objects.count()) == (pages, revisions)
