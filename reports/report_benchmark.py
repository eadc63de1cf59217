"""Figures for the board and funder reports (issue 12), printed, never asserted: where a board pack's time goes,
whether its queries grow with the data, and the memory the largest report takes.

- The demo's board pack: the time to read its figures and write its HTML, and the time WeasyPrint takes to turn
  that HTML into a PDF. Their ratio (whole / PDF engine alone) says whether the time goes to our queries or to the
  PDF engine; the target is at most 1.1.
- The board pack and a funder return at two scales of synthetic data: queries (equal at both scales), time, pages
  and the process's largest resident memory once each is made.

Each runs in a throwaway database, as `reports.benchmark` does, so the developer's data is never touched.
"""

import resource
import statistics
import subprocess
import time
from dataclasses import dataclass

from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from funding.fiscal import Quarter
from funding.models import FundingStream, User
from funding.roles import Role
from programmes.services import today
from reports.benchmark import machine, throwaway_database
from reports.documents import MAKERS
from reports.documents.board_pack import board_pack_html
from reports.models import Report
from reports.pdf import html_to_pdf


@dataclass(frozen=True)
class PackTiming:
    queries: int
    html_ms: float  # reading the figures and writing the HTML
    pdf_ms: float  # WeasyPrint alone, on the same HTML
    pages: int

    @property
    def total_ms(self) -> float:
        return self.html_ms + self.pdf_ms

    @property
    def ratio(self) -> float:
        return self.total_ms / self.pdf_ms


def _officer() -> User:
    return (
        User.objects.filter(groups__name=Role.COMMISSIONING_OFFICER, is_active=True).first()
        or User.objects.filter(is_superuser=True).first()
    )


def _pdf_pages(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=False).stdout.decode()
    return next((int(line.split()[-1]) for line in info.splitlines() if line.startswith("Pages:")), 0)


def board_pack_timing(*, quarter: Quarter, repeat: int, warm_up: bool = True) -> PackTiming:
    user, html_times, pdf_times = _officer(), [], []
    if warm_up:  # templates and fonts loaded once, as in a running worker
        html_to_pdf(board_pack_html(user=user, quarter=quarter, as_at=timezone.now()))
    for _ in range(repeat):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            html = board_pack_html(user=user, quarter=quarter, as_at=timezone.now())
        written = time.perf_counter()
        pdf = html_to_pdf(html)
        html_times.append((written - started) * 1000)
        pdf_times.append((time.perf_counter() - written) * 1000)
    return PackTiming(
        queries=len(queries),
        html_ms=statistics.median(html_times),
        pdf_ms=statistics.median(pdf_times),
        pages=_pdf_pages(pdf),
    )


def _max_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def peak_memory(report: Report) -> dict[str, float]:
    """The process's largest resident size once the report is made. Reports are made smallest data first, so each
    figure is the peak of the largest report made so far (tracemalloc would see only Python's share, and slow it)."""
    started = time.perf_counter()
    content = MAKERS[(report.kind, report.file_format)](report, lambda percent: None)
    return {"ms": round((time.perf_counter() - started) * 1000), "bytes": len(content), "max_rss_mb": _max_rss_mb()}


def _funder_return(quarter: Quarter) -> Report:
    """The funder return of the stream with the most grants, as a spreadsheet."""
    busiest = (
        FundingStream.objects.filter(charges__financial_year=quarter.financial_year.start_year)
        .annotate(grants=Count("charges"))
        .order_by("-grants")
        .first()
    )
    return Report(
        kind=Report.Kind.FUNDER_RETURN,
        file_format=Report.Format.XLSX,
        stream=busiest,
        requested_by=_officer(),
        financial_year=quarter.financial_year.start_year,
        started_at=timezone.now(),
    )


def _measure(quarter: Quarter, repeat: int, warm_up: bool = True) -> dict:
    timing = board_pack_timing(quarter=quarter, repeat=repeat, warm_up=warm_up)
    return {
        "quarter": quarter.label,
        "queries": timing.queries,
        "html_ms": round(timing.html_ms, 1),
        "pdf_ms": round(timing.pdf_ms, 1),
        "total_ms": round(timing.total_ms, 1),
        "ratio": round(timing.ratio, 3),
        "pages": timing.pages,
        "max_rss_mb": _max_rss_mb(),  # the board pack's peak, made last so far
        "funder_return": peak_memory(_funder_return(quarter)),
    }


def run(*, scales: list[float], repeat: int, seed: int, stdout) -> dict:
    quarter = Quarter.from_date(today()).previous()
    result = {"machine": {}, "repeat": repeat, "seed": seed, "demo": {}, "scales": {}}
    with throwaway_database():
        result["machine"] = machine()
        call_command("load_demo_data", stdout=stdout)
        result["demo"] = _measure(quarter, repeat)
    with throwaway_database():
        for index, scale in enumerate(scales):
            call_command("generate_synthetic", scale=scale, seed=seed, replace=index > 0, stdout=stdout)
            # One pack at each scale after the demo's warm-up: a national pack takes minutes.
            result["scales"][f"{scale:g}"] = _measure(quarter, repeat=1, warm_up=False)
    return result


def table(result: dict) -> str:
    rows = [("demo", result["demo"])] + [(f"scale {scale}", figures) for scale, figures in result["scales"].items()]
    lines = [
        f"Board pack for {result['demo']['quarter']}: the demo's the median of {result['repeat']} after a warm-up, "
        "each scale's one pack",
        f"{'data':<12}{'queries':>8}{'HTML ms':>10}{'PDF ms':>10}{'total ms':>10}{'ratio':>7}{'pages':>7}"
        f"{'max RSS MB':>11}{'return ms':>10}",
    ]
    for label, figures in rows:
        lines.append(
            f"{label:<12}{figures['queries']:>8}{figures['html_ms']:>10.0f}{figures['pdf_ms']:>10.0f}"
            f"{figures['total_ms']:>10.0f}{figures['ratio']:>7.2f}{figures['pages']:>7}"
            f"{figures['max_rss_mb']:>11.1f}{figures['funder_return']['ms']:>10.0f}"
        )
    lines.append("ratio: the whole pack's time over WeasyPrint's alone (target: at most 1.1)")
    return "\n".join(lines)
