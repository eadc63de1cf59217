"""`benchmark`: the back office's pages timed at two scales in a throwaway database, as a table and JSON."""

import csv
import io
import json
import os

import openpyxl
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from reports import benchmark
from reports.benchmark import EXPORT, PAGES, Measurement

SCALES = ["0.1", "0.2"]


def run_benchmark(*args: str) -> tuple[str, dict]:
    output = io.StringIO()
    call_command("benchmark", "--scales", *SCALES, "--repeat", "1", *args, stdout=output)
    text = output.getvalue()
    return text, json.loads(text[text.index("\n{") + 1 :])


@pytest.mark.django_db(transaction=True)
def test_every_page_is_measured_at_both_scales_in_a_table_and_json():
    database = settings.DATABASES["default"]["NAME"]
    text, result = run_benchmark()

    assert [page["label"] for page in result["pages"]] == [page.label for page in PAGES]
    assert result["scales"] == [0.1, 0.2] and result["repeat"] == 1
    for page in result["pages"]:
        assert set(page["queries"]) == set(page["median_ms"]) == set(SCALES)
        assert page["queries"]["0.1"] == page["queries"]["0.2"] > 0, page["label"]
        assert page["queries_stable"] is True
        assert all(ms > 0 for ms in page["median_ms"].values())
        if page["kind"] == EXPORT:
            assert all(rows > 0 for rows in page["rows"].values()), page["label"]
            assert page["ms_per_1000_rows"]["0.2"] == pytest.approx(
                page["median_ms"]["0.2"] * 1000 / page["rows"]["0.2"], rel=0.01, abs=0.1
            )
        times = page["ms_per_1000_rows"] if page["kind"] == EXPORT else page["median_ms"]
        assert page["ratio"] == pytest.approx(times["0.2"] / times["0.1"], rel=0.02, abs=0.01)
        assert f"| {page['label']} | {page['kind']}" in text
    machine = result["machine"]
    assert machine["cores"] == os.cpu_count() and machine["database"] == connection.display_name
    assert machine["cpu"] and machine["python"] and machine["database_version"]
    assert f"{machine['database']} {machine['database_version']}" in text
    assert "Synthetic estate at scale 0.1" in text and "Synthetic estate at scale 0.2" in text
    # The run's own database is gone and the connection is back on the one it started with.
    assert settings.DATABASES["default"]["NAME"] == connection.settings_dict["NAME"] == database


def test_exported_rows_are_counted_without_the_header():
    lines = io.StringIO()
    csv.writer(lines).writerows([["Grant", "Amount"], ["360G-A", "10.00"], ["360G-B", "Line one\nline two"]])
    assert benchmark.exported_rows("text/csv; charset=utf-8", lines.getvalue().encode()) == 2

    workbook = openpyxl.Workbook()
    for row in [["Grant", "Amount"], ["360G-A", 10], ["360G-B", 20], ["360G-C", 30]]:
        workbook.active.append(row)
    content = io.BytesIO()
    workbook.save(content)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert benchmark.exported_rows(xlsx, content.getvalue()) == 3


def test_an_export_is_compared_per_thousand_rows():
    assert Measurement(queries=4, median_ms=50.0, rows=2500).compared_ms == 20.0
    assert Measurement(queries=4, median_ms=50.0).compared_ms == 50.0


def test_a_page_whose_query_count_grows_fails_the_run(monkeypatch):
    def fake_run(*, scales, repeat, seed, stdout):
        results = {
            scale: [Measurement(queries=3 + index, median_ms=10.0) for _ in PAGES] for index, scale in enumerate(scales)
        }
        return benchmark.report(about=ABOUT, scales=scales, repeat=repeat, seed=seed, results=results)

    monkeypatch.setattr(benchmark, "run", fake_run)
    with pytest.raises(CommandError, match=f"query count changes with the data on: {PAGES[0].label}"):
        run_benchmark()


ABOUT = {
    "cpu": "Test CPU",
    "cores": 2,
    "system": "Linux",
    "python": "3.11",
    "django": "5.2",
    "database": "SQLite",
    "database_version": "3.40",
    "debug": False,
}
