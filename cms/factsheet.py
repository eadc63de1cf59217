"""A programme's factsheet: one or two A4 pages of its public figures, for the public and partners to print or pass on.

What it prints is what the programme's page shows, from the page's own context (`ProgrammePage.programme_context`):
the same approved figures, suppressed by the same functions (reports.public, reports.suppression), money in the
same words (invested is committed, spent to date is spent), each indicator's latest year against its target or
ceiling as `YearFigures.target_progress` words it. Nothing is worked out here but which indicators get a chart:
every indicator is in the table, and up to CHART_COUNT have their trend chart: outcomes first (what changed), then
outputs with a target (what the programme set out to deliver), then the other outputs, each only if it has approved
figures, over the last CHART_QUARTERS quarters (the page has them all). That keeps the factsheet to two pages.

It is served at `<the programme page's URL>factsheet.pdf` (cms.views.programme_factsheet) to anyone who may read
the page, for a live programme page only.

Kept, not made at each download. Making a PDF takes WeasyPrint a second or more, and the figures change only
when the office approves something. So the bytes are kept in the public page cache (cms.cache.kept_file_or_make)
under the same version the pages are kept under: every event that clears the pages (a return approved or
reopened, a grant's money changed, an office figure approved, a page published; cms.signals) makes the factsheet
again at its next request, and it is made again at least daily, as the pages are. Only a download makes it: the
page links to it without its size, so that rendering a page (the first visit after every approval) never waits
for the PDF engine. It holds nothing private, so it is kept for everyone, signed in or not. "Figures as at" is the
day it was made.
"""

import datetime
from collections.abc import Callable
from dataclasses import replace

from django.template.loader import render_to_string
from django.utils import dateformat, timezone
from wagtail.models import Page

from cms.cache import KeptFile, kept_file_or_make
from reports import pdf, suppression
from reports.charts import Chart, Series
from reports.public import IndicatorProgress

CHART_COUNT = 3
CHART_QUARTERS = 8  # two years
FILE_NAME = "factsheet.pdf"  # beside the page: /programmes/navigator-programme/factsheet.pdf


def file_name(page: Page) -> str:
    """What a download is saved as: navigator-programme-factsheet.pdf."""
    slug = page.programme.slug.removesuffix("-programme")
    return f"{slug}-programme-factsheet.pdf"


def charted(progress: list[IndicatorProgress]) -> list[IndicatorProgress]:
    """The indicators drawn as charts, at most CHART_COUNT of those with approved figures: outcomes, then outputs
    with a target in their latest year, then the other outputs, each in the page's order."""
    with_figures = [item for item in progress if item.has_figures]
    outcomes = [item for item in with_figures if item.indicator.kind == item.indicator.Kind.OUTCOME]
    outputs = [item for item in with_figures if item.indicator.kind == item.indicator.Kind.OUTPUT]
    outputs.sort(key=lambda item: item.latest_year.target is None)  # stable: the page's order otherwise
    return (outcomes + outputs)[:CHART_COUNT]


def recent(chart: Chart, count: int = CHART_QUARTERS) -> Chart:
    """The page's chart cut to its last `count` quarters, so that its data table stays short as the years go by
    (the page has every quarter). The figures are the page's, suppressed as they are there: a cut shows less."""
    if len(chart.categories) <= count:
        return chart

    def cut(series: Series) -> Series:
        return replace(series, values=series.values[-count:], display=series.display[-count:])

    categories = chart.categories[-count:]
    return replace(
        chart,
        title=f"{chart.title}, {categories[0]} to {categories[-1]}",
        categories=categories,
        series=tuple(cut(series) for series in chart.series),
        target=cut(chart.target) if chart.target else None,
    )


def factsheet_html(*, page: Page, context: dict, as_at: datetime.datetime) -> str:
    outputs, outcomes = context["outputs"], context["outcomes"]
    return render_to_string(
        "cms/factsheet.html",
        {
            **context,
            **pdf.pdf_context(),
            "indicators": [*outputs, *outcomes],
            "charts": [recent(progress.chart()) for progress in charted([*outputs, *outcomes])],
            "as_at": as_at,
            "page_url": page.get_full_url(context.get("request")),
            "small_count_text": suppression.small_count_text(),
            "small_count_limit": suppression.threshold() - 1,
            "running_footer": f"{page.title}: programme factsheet, figures as at {dateformat.format(as_at, 'j F Y')}",
        },
    )


def _cache_name(page: Page) -> str:
    return f"programme-factsheet:{page.pk}"


def programme_factsheet(*, page: Page, context: Callable[[], dict]) -> KeptFile:
    """The live page's factsheet, kept or made now from context() (the page's context, read only when it is made)."""

    def make() -> bytes:
        html = factsheet_html(page=page, context=context(), as_at=timezone.localtime())
        return pdf.html_to_pdf(html)

    return kept_file_or_make(_cache_name(page), make)


def factsheet_url(*, page: Page, request) -> str:
    return f"{page.get_url(request)}{FILE_NAME}"
