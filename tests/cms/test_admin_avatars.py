"""The back office loads no image from another host: avatars are Wagtail's default picture (or one uploaded), never
Gravatar, which would also be sent a hash of each user's e-mail address."""

import html
import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests.conftest import _client_for

pytestmark = pytest.mark.django_db
# Where a page can name an image: attributes, CSS url(), and the JSON props Wagtail's sidebar is drawn from.
IMAGE_REFERENCES = re.compile(
    r"""(?:\b(?:src|srcset|poster|data-src)\s*=\s*["']([^"']+)["'])"""
    r"""|(?:url\(\s*["']?([^"')]+))"""
    r"""|(?:"(?:avatar|avatar_url|avatarUrl|image|icon)"\s*:\s*"([^"]+)")"""
)


def image_urls(page: str) -> list[str]:
    """Every image address in a page, srcset lists split into their addresses."""
    urls = []
    for match in IMAGE_REFERENCES.finditer(html.unescape(page)):
        value = next(group for group in match.groups() if group)
        urls += [candidate.strip().split(" ")[0] for candidate in value.split(",") if candidate.strip()]
    return urls


def external(url: str) -> bool:
    parts = urlsplit(url.replace("\\/", "/"))
    return bool(parts.netloc) and parts.netloc not in ("testserver", urlsplit(settings.SITE_URL).netloc)


def test_gravatar_is_switched_off():
    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("officer", "/admin/"),
        ("officer", "/admin/account/"),
        ("content_editor", "/admin/"),
        ("content_editor", "/admin/pages/"),
    ],
)
def test_admin_pages_reference_no_image_on_another_host(request, role, path):
    user = request.getfixturevalue(role)
    response = _client_for(user).get(path)
    assert response.status_code == 200
    page = response.content.decode()
    urls = image_urls(page)
    assert any("avatar" in url for url in urls), "the page shows the user's avatar"
    assert [url for url in urls if external(url)] == []
    assert "gravatar.com" not in page
