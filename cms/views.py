"""The public site's views beside its pages: search, each chart's data as CSV and a programme's factsheet PDF."""

import hashlib

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.text import slugify
from wagtail import hooks
from wagtail.models import Page

from cms import factsheet
from cms.cache import cached_response
from cms.models import ProgrammePage
from funding.models import FundingStream
from programmes.models import Indicator, Programme
from reports import public

RESULTS_PER_PAGE = 10
QUERY_MAX_LENGTH = 200


def search(request):
    """Wagtail search over the live public pages; a GET form, so it works without JavaScript."""
    query = request.GET.get("q", "").strip()[:QUERY_MAX_LENGTH]
    results = None
    if query:
        pages = Page.objects.live().public().search(query)
        results = Paginator(pages, RESULTS_PER_PAGE).get_page(request.GET.get("page") or 1)
    return TemplateResponse(request, "cms/search.html", {"query": query, "results": results})


def indicator_csv(request, slug):
    def render():
        indicator = get_object_or_404(Indicator, slug=slug)
        return public.indicator_progress_list([indicator])[0].chart().csv_response(f"{slug}.csv")

    return cached_response(request, render)


def stream_csv(request, slug):
    def render():
        stream = get_object_or_404(FundingStream, slug=slug)
        summary = public.money_summary(public.money_rows(), stream=stream)
        return summary.chart(title=stream.name).csv_response(f"{slug}-money.csv")

    return cached_response(request, render)


def programme_money_csv(request, slug):
    def render():
        programme = get_object_or_404(Programme, slug=slug)
        summary = public.money_summary(public.money_rows(), programme_id=programme.pk)
        return summary.chart(title=programme.name).csv_response(f"{slugify(programme.slug)}-money.csv")

    return cached_response(request, render)


def programme_factsheet(request, page_path):
    """The factsheet PDF of the live programme page at page_path, served as Wagtail serves the page itself (its
    request method and view restriction checks); kept in the public cache until the figures change (cms.factsheet).
    Anything but a live programme page is a 404."""
    route = Page.route_for_request(request, page_path)
    if route is None:
        raise Http404("No programme page here.")
    page, args, kwargs = route
    if not isinstance(page, ProgrammePage) or args or kwargs:
        raise Http404("No programme page here.")

    def serve(page, request, args, kwargs):
        kept = page.factsheet_pdf(request)
        response = HttpResponse(kept.content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{factsheet.file_name(page)}"'
        response["Last-Modified"] = http_date(kept.made_at.timestamp())
        response["ETag"] = f'"{hashlib.sha256(kept.content).hexdigest()[:32]}"'
        response["Cache-Control"] = "no-cache"  # browsers may keep it, and ask again (a 304) once the figures change
        response["X-Content-Type-Options"] = "nosniff"
        return get_conditional_response(
            request, etag=response["ETag"], last_modified=int(kept.made_at.timestamp()), response=response
        )

    for hook in hooks.get_hooks("before_serve_page"):
        if isinstance(result := hook(page, request, args, kwargs), HttpResponse):
            return result
    for hook in reversed(hooks.get_hooks("on_serve_page")):
        serve = hook(serve)
    return serve(page, request, args, kwargs)
