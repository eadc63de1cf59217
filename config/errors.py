"""The error pages (403, 404, 500 and a refused form post), each in the GOV.UK layout of the part of the site it
answers for: the provider portal's under /portal/, the plain Outturn one under /admin/, the public site's elsewhere.

A 403's reason is shown when the code that refused gave one (PermissionDenied("Only your organisation's
approvers…")): those messages are written for the person reading them. A 404 never says why, so that it tells
nobody whether a record they may not see exists.
"""

from django.http import HttpResponseForbidden, HttpResponseNotFound, HttpResponseServerError
from django.template import loader
from django.urls import reverse
from django.views.decorators.csrf import requires_csrf_token


def _area(request) -> str:
    """Which part of the site the request was for: "portal", "admin" (the back office) or "public"."""
    if request.path.startswith(reverse("portal:home")):
        return "portal"
    if request.path.startswith(reverse("wagtailadmin_home")):
        return "admin"
    return "public"


# The layout each part of the site's error pages extend.
BASE_TEMPLATES = {"portal": "portal/base.html", "admin": "govuk/page.html", "public": "cms/base.html"}


def _render(request, name: str, **context) -> str:
    area = _area(request)
    return loader.get_template(name).render({"area": area, "base_template": BASE_TEMPLATES[area], **context}, request)


def forbidden(request, reason: str = "") -> HttpResponseForbidden:
    """The styled 403, for a view that refuses without raising PermissionDenied: in the back office, Wagtail turns
    PermissionDenied into a redirect to its dashboard, where a refused decision (a forged post) should be a 403."""
    return HttpResponseForbidden(_render(request, "403.html", reason=reason))


@requires_csrf_token
def permission_denied(request, exception=None):
    reason = exception.args[0] if exception is not None and exception.args else ""
    return forbidden(request, reason if isinstance(reason, str) else "")


@requires_csrf_token
def page_not_found(request, exception=None):
    return HttpResponseNotFound(_render(request, "404.html"))


@requires_csrf_token
def server_error(request):
    # Rendered without the request: its context processors (the user, messages) may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render({}))


def csrf_failure(request, reason=""):
    return HttpResponseForbidden(_render(request, "403_csrf.html"))
