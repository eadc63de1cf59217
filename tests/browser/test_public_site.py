"""The public site in a real browser: every page type passes axe, and the home and a programme page are
screenshotted at desktop and mobile widths (saved under pytest's tmp dir, never committed) without overflowing; a
programme page's chart marks and explains its suppressed figures, and the page asks no other host for anything."""

import os
import tempfile
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page

from cms.demo import build_demo_site
from funding.roles import Role
from programmes.models import Target
from tests.browser.axe import assert_accessible
from tests.cms.data import active_grant, approved_return
from tests.factories import IndicatorFactory, OrganisationFactory, ProgrammeFactory, UserFactory, office_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = {"desktop": 1280, "mobile": 375}
# Screenshots of the programme page for people to look at, outside the repository.
SCREENS = Path(os.environ.get("OUTTURN_SCREENSHOTS", Path(tempfile.gettempdir()) / "screens"))


@pytest.fixture
def public_site(db):
    officer = office_user(Role.COMMISSIONING_OFFICER, email="officer@example.org")
    provider = OrganisationFactory(name="Reachable Moment Children's Service (test)")
    approver = UserFactory(organisation=provider, roles=[Role.PROVIDER_APPROVER], email="approver@example.org")
    programme = ProgrammeFactory(
        name="Navigator Programme", slug="navigator-programme", summary="Support at the reachable moment."
    )
    referrals = IndicatorFactory(
        name="Children supported", programme=programme, counts_people=True, breakdown_by_age_band=True
    )
    grant = active_grant(officer=officer, provider=provider, programme=programme)
    Target.objects.create(indicator=referrals, grant=grant, financial_year=2023, value=Decimal(80))
    for quarter, figure in ((1, 3), (2, 20), (3, 21), (4, 25)):
        approved_return(
            grant, quarter, approver, officer, {referrals: figure}, breakdowns={referrals: ("age_band", {"14–15": 2})}
        )
    ensure_page_tree_root()
    build_demo_site()
    cache.clear()
    return grant


def ensure_page_tree_root():
    """Wagtail's root page and locale come from migrations; a transactional test that ran earlier flushed them."""
    if Page.get_first_root_node() is None:
        code = get_supported_content_language_variant(settings.LANGUAGE_CODE)
        locale, _ = Locale.objects.get_or_create(language_code=code)
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))


def test_every_public_page_type_passes_axe_and_the_layout_holds_on_a_phone(page, live_server, public_site, tmp_path):
    stream = public_site.charges.get().stream
    paths = [
        "/",
        "/programmes/",
        "/programmes/?theme=serious-violence",
        "/programmes/navigator-programme/",
        "/funding/",
        f"/funding/{stream.slug}/",
        "/news/",
        "/news/parks-crime-falls-38-percent/",
        "/news/a-reachable-moment/",
        "/about/",
        "/about/accessibility-statement/",
        "/search/?q=navigator",
    ]
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert_accessible(page)

    programme_page = f"{live_server.url}/programmes/navigator-programme/"
    page.goto(programme_page)
    assert "fewer than 5" in page.content()
    page.get_by_text("Show the data").first.click()  # a native <details>: no JavaScript needed
    assert page.get_by_role("table").first.is_visible()

    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        for label, url in (("home", f"{live_server.url}/"), ("programme", programme_page)):
            page.goto(url)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{label} overflows sideways by {overflow}px at {width}px"
            shot = tmp_path / f"{label}-{name}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000


def test_the_programme_page_chart_marks_suppressed_figures_and_asks_no_other_host(page, live_server, public_site):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    programme_page = f"{live_server.url}/programmes/navigator-programme/"
    page.goto(programme_page)
    page.wait_for_load_state("networkidle")

    hosts = {urlsplit(url).netloc for url in requests if urlsplit(url).scheme in ("http", "https")}
    assert hosts == {urlsplit(live_server.url).netloc}, requests
    assert all(urlsplit(url).scheme in ("http", "https", "data") for url in requests), requests

    chart = page.locator("figure", has=page.locator("h4", has_text="Children supported")).locator("svg")
    # Q1's 3 reads "fewer than 5" and another quarter is withheld: both drawn as marked gaps, not as empty bars.
    gaps = chart.locator('rect[data-gap="suppressed"]')
    assert gaps.count() >= 3  # two quarters' columns and the legend's key
    assert all(gaps.nth(n).is_visible() for n in range(gaps.count()))
    legend = chart.locator("text", has_text="Suppressed (")
    assert legend.count() == 1 and legend.first.is_visible()
    assert "fewer than 5" in legend.first.text_content() and "not shown" in legend.first.text_content()
    assert chart.locator("text", has_text="suppressed").count() >= 1  # the word in a gap's column
    assert chart.locator("text", has_text="Approved figure").count() == 1  # the series' key beside it
    assert_accessible(page)

    SCREENS.mkdir(parents=True, exist_ok=True)
    for name, (width, height) in {"desktop": (1280, 900), "mobile": (375, 800)}.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto(programme_page)
        shot = SCREENS / f"programme-{name}-{width}x{height}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
