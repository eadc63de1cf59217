from types import SimpleNamespace

import pytest
from django.core.cache import cache

from cms.models import FundingStreamIndexPage, HomePage, NewsIndexPage, ProgrammeIndexPage


@pytest.fixture(autouse=True)
def empty_cache():
    """Public pages are cached in the process's memory: each test starts and ends with none."""
    cache.clear()
    yield
    cache.clear()


def publish(parent, page):
    """Add a page under parent and publish it, as an editor does."""
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def home(db):
    """The home page the migrations make the root of the default site."""
    return HomePage.objects.get()


@pytest.fixture
def tree(home):
    return SimpleNamespace(
        home=home,
        programmes=publish(home, ProgrammeIndexPage(title="Programmes", slug="programmes", show_in_menus=True)),
        funding=publish(home, FundingStreamIndexPage(title="Funding", slug="funding", show_in_menus=True)),
        news=publish(home, NewsIndexPage(title="News", slug="news", show_in_menus=True)),
    )
