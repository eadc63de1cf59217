"""The home page is the Wagtail site root at "/": headline live figures, featured programmes and latest news."""

import datetime
import re

import pytest

from cms.models import HomeFeaturedProgramme, NewsPage, ProgrammePage, StoryPage
from tests.cms.conftest import publish
from tests.cms.data import active_grant

pytestmark = pytest.mark.django_db


def test_the_home_page_is_served_at_the_root_and_links_to_both_sign_ins(client, home):
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["page"].pk == home.pk
    html = response.content.decode()
    assert f'<h1 class="govuk-heading-xl">{home.title}</h1>' in html
    assert 'href="/admin/"' in html and 'href="/portal/"' in html
    assert 'class="alliance-header"' in html and "govuk-header__logotype" not in html  # our header, not GOV.UK's


def test_headline_figures_featured_programmes_and_latest_news(client, tree, officer):
    grant = active_grant(officer=officer, amount="970000.00", allocation="1000000.00")
    programme_page = publish(tree.programmes, ProgrammePage(title="Navigator", slug="nav", programme=grant.programme))
    home = tree.home
    home.intro = "Where the money goes."
    home.search_description = "The Alliance's progress, live from approved figures."
    home.headline_figures = [
        {"type": "live_figure", "value": {"measure": "invested", "label": "Invested in programmes"}},
        {"type": "live_figure", "value": {"measure": "programmes"}},
    ]
    home.featured_programmes = [HomeFeaturedProgramme(page=programme_page)]
    home.save_revision().publish()
    for day, page_class in ((1, NewsPage), (3, StoryPage), (2, NewsPage)):
        publish(tree.news, page_class(title=f"Item {day}", slug=f"item-{day}", date=datetime.date(2025, 1, day)))

    html = client.get("/").content.decode()
    assert "£970k" in html and "Exactly £970,000.00" in html and "Invested in programmes" in html
    assert re.search(r'app-figure__value">1</p>\s*<p class="app-figure__label">Programmes funded', html)
    assert 'href="/programmes/nav/"' in html
    assert html.index("Item 3") < html.index("Item 2") < html.index("Item 1")  # newest first
    assert '<meta name="description" content="The Alliance&#x27;s progress, live from approved figures.">' in html
    assert '<meta property="og:title"' in html
    assert 'type="application/rss+xml"' in html and 'href="/news/feed/"' in html
