"""The public site's views beside its pages: search, and each chart's data as CSV."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.text import slugify
from wagtail.models import Page

from cms.cache import cached_response
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
