"""The public site's address comes from one setting, SITE_URL (scheme, host and optional port).

Wagtail writes absolute links (the sitemap, the news feed, canonical and sharing links) from the Site record a
page belongs to, whose host name and port default to `localhost:80`. `site_sync()` sets the default Site from
SITE_URL each time `migrate` runs and when the demo site is built, and `public_root_url()` gives the pages their
root URL from the setting itself, so that a scheme the Site cannot express (https on a port other than 443) is
kept too.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from wagtail.models import Site

from cms.cache import public_cache_clear

SITE_URL_INVALID = (
    "SITE_URL must be the site's address with its scheme and host and nothing after them, such as "
    "https://outturn.example.org or http://127.0.0.1:8000; it is {value!r}."
)
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class SiteAddress:
    scheme: str
    hostname: str
    port: int

    @property
    def root_url(self) -> str:
        """The address as written in links: no port when it is the scheme's own."""
        port = "" if self.port == DEFAULT_PORTS[self.scheme] else f":{self.port}"
        return f"{self.scheme}://{self.hostname}{port}"

    @property
    def wagtail_root_url(self) -> str:
        """What Wagtail makes of a Site with this host name and port (it infers the scheme from the port)."""
        return Site(hostname=self.hostname, port=self.port).root_url


def site_address() -> SiteAddress:
    value = settings.SITE_URL
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as error:
        raise ImproperlyConfigured(SITE_URL_INVALID.format(value=value)) from error
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.path.strip("/") or parts.query:
        raise ImproperlyConfigured(SITE_URL_INVALID.format(value=value))
    return SiteAddress(parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme])


def site_sync() -> Site | None:
    """Give the default Site the host name and port of SITE_URL; the default Site, or None if there is none yet."""
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return None
    address = site_address()
    if (site.hostname, site.port) != (address.hostname, address.port):
        site.hostname, site.port = address.hostname, address.port
        site.save(update_fields=["hostname", "port"])  # Site's post_save clears Wagtail's cached root paths
        public_cache_clear()  # cached pages carry the old address in their canonical and sharing links
    return site


def public_root_url(root_url: str | None) -> str | None:
    """The root URL for links to a page of the site at SITE_URL, with SITE_URL's scheme; others' unchanged."""
    address = site_address()
    return address.root_url if root_url == address.wagtail_root_url else root_url
