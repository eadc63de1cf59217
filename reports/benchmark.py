"""The benchmark of issue 4: the back office's pages timed through the test client at two scales of synthetic data.

`PAGES` is the one list of what is measured. Each entry has a label, a callable that builds the URL (called after
each scale is generated, so it may pick the current financial year or the first stream), and a kind: `PAGE`, a
bounded page (one financial year, one page of rows), or `EXPORT`, timed per 1,000 rows exported.

Everything runs in a throwaway database, created and migrated for the run and destroyed after it, so the
developer's data is never touched.
"""

import csv
import io
import os
import platform
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import django
import openpyxl
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding.fiscal import FinancialYear, Quarter
from funding.models import Organisation, User
from funding.roles import Role
from programmes.models import Grant, GrantCharge, Programme
from programmes.services import today

PAGE, EXPORT = "page", "export"
ROWS_PER_UNIT = 1000  # exports are compared per this many rows
BENCHMARK_USER = "benchmark@outturn.invalid"


@dataclass(frozen=True)
class Page:
    label: str
    url: Callable[[], str]
    kind: str = PAGE


def admin(name: str, *, period: Callable[[], dict] | None = None, export: str = "") -> Callable[[], str]:
    """The URL of a named admin view, filtered to a period and exported as CSV or XLSX if asked."""

    def url() -> str:
        query = {**(period() if period else {}), **({"export": export} if export else {})}
        return reverse(name) + (f"?{urlencode(query)}" if query else "")

    return url


def this_year() -> dict:
    return {"financial_year": FinancialYear.from_date(today()).start_year}


def last_quarter() -> dict:
    """The quarter whose returns and payments the office is busy with: the last one to end."""
    quarter = Quarter.from_date(today()).previous()
    return {"financial_year": quarter.financial_year.start_year, "quarter": quarter.number}


def dashboard(name: str, *args: Callable[[], object]) -> Callable[[], str]:
    """A dashboard's URL; its arguments are worked out once the scale is generated (the busiest stream, say)."""
    return lambda: reverse(f"outturn_dashboards:{name}", args=[arg() for arg in args])


def busiest_stream() -> int:
    """The stream with the most grant charges this year: its drill-down is the largest page of its kind."""
    charges = GrantCharge.objects.filter(financial_year=FinancialYear.from_date(today()).start_year)
    return charges.values("stream").annotate(n=Count("pk")).order_by("-n", "stream")[0]["stream"]


def current_year() -> int:
    return FinancialYear.from_date(today()).start_year


def largest_grant() -> int:
    return Grant.objects.annotate(n=Count("returns")).order_by("-n", "pk").values_list("pk", flat=True)[0]


def largest_programme() -> int:
    return Programme.objects.annotate(n=Count("indicators")).order_by("-n", "pk").values_list("pk", flat=True)[0]


PAGES = [
    Page("Admin home", admin("wagtailadmin_home")),
    Page("Funding overview", dashboard("overview")),
    Page("Stream's year, first page of grants", dashboard("stream_year", busiest_stream, current_year)),
    Page("Grant by quarter", dashboard("grant_quarters", largest_grant)),
    Page("Returns matrix", dashboard("returns_matrix")),
    Page("Programme progress", dashboard("programme_progress", largest_programme)),
    Page("Grants", admin("outturn_grants:index")),
    Page("Payments", admin("outturn_payments:index")),
    Page("Quarterly returns", admin("outturn_returns:index")),
    Page("Indicator values", admin("outturn_indicator_values:index")),
    Page("Review queue", admin("outturn_review:index")),
    Page("Grants charged this year, CSV", admin("outturn_grants:index", period=this_year, export="csv"), EXPORT),
    Page("Grants charged this year, XLSX", admin("outturn_grants:index", period=this_year, export="xlsx"), EXPORT),
    Page("Last quarter's payments, CSV", admin("outturn_payments:index", period=last_quarter, export="csv"), EXPORT),
    Page("Last quarter's payments, XLSX", admin("outturn_payments:index", period=last_quarter, export="xlsx"), EXPORT),
    Page("Last quarter's returns, CSV", admin("outturn_returns:index", period=last_quarter, export="csv"), EXPORT),
    Page("Last quarter's returns, XLSX", admin("outturn_returns:index", period=last_quarter, export="xlsx"), EXPORT),
    Page(
        "Last quarter's indicator values, CSV",
        admin("outturn_indicator_values:index", period=last_quarter, export="csv"),
        EXPORT,
    ),
    Page(
        "Last quarter's indicator values, XLSX",
        admin("outturn_indicator_values:index", period=last_quarter, export="xlsx"),
        EXPORT,
    ),
]


class BenchmarkError(Exception):
    pass


@dataclass(frozen=True)
class Measurement:
    queries: int
    median_ms: float
    rows: int | None = None  # exports only

    @property
    def per_unit_ms(self) -> float | None:
        """Milliseconds per 1,000 rows exported."""
        return self.median_ms * ROWS_PER_UNIT / self.rows if self.rows else None

    @property
    def compared_ms(self) -> float | None:
        """What is compared between scales: a page's time, or an export's time per 1,000 rows."""
        return self.median_ms if self.rows is None else self.per_unit_ms


def _fetch(client: Client, url: str) -> tuple[str, bytes]:
    response = client.get(url)
    if response.status_code != 200:
        raise BenchmarkError(f"{url} answered {response.status_code}, not 200.")
    # A streamed export is only done once its last row is read.
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response.get("Content-Type", ""), content


def exported_rows(content_type: str, content: bytes) -> int:
    """Data rows in a CSV or XLSX export, not counting its header row."""
    if "spreadsheetml" in content_type:
        sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
        return sum(1 for _ in sheet.iter_rows()) - 1
    return sum(1 for _ in csv.reader(io.StringIO(content.decode("utf-8-sig")))) - 1


def measure(client: Client, page: Page, *, repeat: int) -> Measurement:
    """Warm up once, count the queries of one request, then time `repeat` requests and keep the median."""
    url = page.url()
    _fetch(client, url)
    # The log is a bounded deque that generating the data has filled: full, it would not grow, and count nothing.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as captured:
        content_type, content = _fetch(client, url)
    queries = len(captured)  # now: the next request clears the log the capture reads from
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        _fetch(client, url)
        timings.append((time.perf_counter() - started) * 1000)
    rows = exported_rows(content_type, content) if page.kind == EXPORT else None
    return Measurement(queries=queries, median_ms=statistics.median(timings), rows=rows)


def office_client() -> Client:
    """A client signed in as a commissioning officer of the estate's office."""
    user = User.objects.create_user(
        email=BENCHMARK_USER,
        first_name="Benchmark",
        last_name="Officer",
        organisation=Organisation.objects.filter(kind=Organisation.Kind.COMMISSIONER).first(),
    )
    user.groups.add(Group.objects.get(name=Role.COMMISSIONING_OFFICER))
    client = Client()
    client.force_login(user)
    return client


def machine() -> dict[str, object]:
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "system": platform.platform(terse=True),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": connection.display_name,
        "database_version": ".".join(str(part) for part in connection.get_database_version()),
        "debug": settings.DEBUG,  # Django's debug mode logs every query and slows every page
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


@contextmanager
def throwaway_database() -> Iterator[None]:
    """Switch the default connection to a new, migrated database, and destroy it afterwards.

    SQLite gets a file in a temporary folder, as the developer's database is a file; PostgreSQL a database named
    after the developer's with "_benchmark", so no test run's database is clobbered. A connection already on an
    in-memory SQLite database is a test run's throwaway: switching away would destroy it, so it is used as it is.
    """
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        yield
        return
    test_settings = connection.settings_dict.setdefault("TEST", {})
    configured = test_settings.get("NAME")
    folder = None
    if connection.vendor == "sqlite":
        folder = tempfile.mkdtemp(prefix="outturn-benchmark-")
        test_settings["NAME"] = str(Path(folder) / "benchmark.sqlite3")
    else:
        test_settings["NAME"] = f"{connection.settings_dict['NAME']}_benchmark"
    developer_database = connection.settings_dict["NAME"]
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            yield
        finally:
            connection.creation.destroy_test_db(developer_database, verbosity=0)
    finally:
        test_settings["NAME"] = configured
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


def run(*, scales: list[float], repeat: int, seed: int, stdout) -> dict:
    """Generate each scale in turn and measure every page at it; returns the report (see `report`)."""
    results: dict[float, list[Measurement]] = {}
    with throwaway_database():
        about = machine()
        for index, scale in enumerate(scales):
            call_command("generate_synthetic", scale=scale, seed=seed, replace=index > 0, stdout=stdout)
            client = office_client()
            results[scale] = [measure(client, page, repeat=repeat) for page in PAGES]
    return report(about=about, scales=scales, repeat=repeat, seed=seed, results=results)


def scale_key(scale: float) -> str:
    return f"{scale:g}"


def report(*, about: dict, scales: list[float], repeat: int, seed: int, results: dict) -> dict:
    """Per page, the queries and median milliseconds (per 1,000 rows for an export) at each scale, and the ratio of
    the last scale's median to the first's."""
    first, last = scales[0], scales[-1]
    pages = []
    for index, page in enumerate(PAGES):
        at = {scale: results[scale][index] for scale in scales}
        entry = {
            "label": page.label,
            "kind": page.kind,
            "queries": {scale_key(s): at[s].queries for s in scales},
            "median_ms": {scale_key(s): round(at[s].median_ms, 1) for s in scales},
            "ratio": round(at[last].compared_ms / at[first].compared_ms, 2) if at[first].compared_ms else None,
            "queries_stable": len({at[s].queries for s in scales}) == 1,
        }
        if page.kind == EXPORT:
            entry["rows"] = {scale_key(s): at[s].rows for s in scales}
            entry["ms_per_1000_rows"] = {scale_key(s): _rounded(at[s].per_unit_ms) for s in scales}
        pages.append(entry)
    return {"machine": about, "scales": scales, "repeat": repeat, "seed": seed, "pages": pages}


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def table(result: dict) -> str:
    """The report as a Markdown table, ready for the README."""
    first, last = (scale_key(s) for s in (result["scales"][0], result["scales"][-1]))
    lines = [
        f"| page | kind | queries at {first} | queries at {last} | ms at {first} | ms at {last} | ratio |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for page in result["pages"]:
        times = page["ms_per_1000_rows"] if page["kind"] == EXPORT else page["median_ms"]
        unit = " per 1,000 rows" if page["kind"] == EXPORT else ""
        lines.append(
            f"| {page['label']} | {page['kind']}{unit} | {page['queries'][first]} | {page['queries'][last]} "
            f"| {_cell(times[first])} | {_cell(times[last])} | {_cell(page['ratio'], '.2f')} |"
        )
    about = result["machine"]
    lines.append("")
    lines.append(
        f"Machine: {about['cpu']}, {about['cores']} cores, {about['system']}; Python {about['python']}, "
        f"Django {about['django']}, {about['database']} {about['database_version']}, DEBUG {about['debug']}. Each "
        f"figure is the median of {result['repeat']} timed requests after a warm-up."
    )
    return "\n".join(lines)


def _cell(value: float | None, spec: str = ".1f") -> str:
    return "–" if value is None else format(value, spec)
