"""The public site's page cache, emptied when what the public sees changes rather than after a wait.

Rendered responses are kept under a key that includes a site-wide version; clearing the cache is replacing the
version, which every app server sharing the cache (Redis in production, CACHE_URL) sees at once, and the old
entries expire on their own. Only anonymous GET requests are cached: an editor who is signed in, and every
preview, sees the page as it is now.
"""

import hashlib
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse

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
