"""The public site in a real browser: every page type passes axe, and the home and a programme page are
screenshotted at desktop and mobile widths (saved under pytest's tmp dir, never committed) without overflowing."""

from decimal import Decimal

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
