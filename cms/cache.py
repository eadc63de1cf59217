"""The public site's page cache, emptied when what the public sees changes rather than after a wait.

Rendered responses are kept under a key that includes a site-wide version; clearing the cache is replacing the
version, which every app server sharing the cache (Redis in production, CACHE_URL) sees at once, and the old
entries expire on their own. Only anonymous GET requests are cached: an editor who is signed in, and every
preview, sees the page as it is now. Files made from the public figures (a programme's factsheet PDF) are kept under
the same version, for everyone, and made again after the next change.
"""

import datetime
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

VERSION_KEY = "cms:public-version"
PAGE_SECONDS = 24 * 60 * 60  # a ceiling only: the events below clear the cache long before
HIT_HEADER = "X-Public-Cache"


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    return version


def public_cache_clear() -> None:
    """Forget every cached public response, once the current transaction commits (so no request can cache the
    figures from before it in the meantime)."""
    transaction.on_commit(lambda: cache.set(VERSION_KEY, uuid.uuid4().hex, None))


def _cacheable(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not getattr(request, "is_preview", False)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def cached_response(request: HttpRequest, render: Callable[[], HttpResponse]) -> HttpResponse:
    """The cached response for this address, or render(), kept when it is a complete 200."""
    if not _cacheable(request) or getattr(request, "_public_cache", False):
        return render()  # not cacheable, or already inside a cached render (a routable page's own view)
    request._public_cache = True
    address = f"{request.get_host()}{request.get_full_path()}"
    key = f"cms:response:{_version()}:{hashlib.sha256(address.encode()).hexdigest()}"
    if (kept := cache.get(key)) is not None:
        content, content_type, disposition = kept
        response = HttpResponse(content, content_type=content_type)
        if disposition:
            response["Content-Disposition"] = disposition
        response[HIT_HEADER] = "hit"
        return response
    response = render()
    if hasattr(response, "render") and callable(response.render):
        response.render()
    if response.status_code == 200 and not response.streaming:
        cache.set(key, (response.content, response["Content-Type"], response.get("Content-Disposition")), PAGE_SECONDS)
    response[HIT_HEADER] = "miss"
    return response


@dataclass(frozen=True)
class KeptFile:
    """A file made from the public figures, kept for as long as they do not change."""

    content: bytes
    made_at: datetime.datetime
    version: str  # the public version it was made from: with its name, an ETag


def _file_key(name: str, version: str) -> str:
    return f"cms:file:{version}:{name}"


def kept_file_or_make(name: str, make: Callable[[], bytes]) -> KeptFile:
    """The file kept under this name for what the public sees now, or make() kept for everyone (signed in or not:
    it holds public figures only). The version is read before making, so a change committed meanwhile makes the
    file again at the next request rather than keeping figures from before it."""
    version = _version()
    if (kept := cache.get(_file_key(name, version))) is not None:
        return kept
    kept = KeptFile(make(), timezone.now(), version)
    cache.set(_file_key(name, version), kept, PAGE_SECONDS)
    return kept
