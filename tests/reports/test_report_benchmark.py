"""`benchmark_reports`: the board pack's time split between our queries and the PDF engine, its queries at two
scales, and its memory, printed as a table and JSON from throwaway databases."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command

from reports.models import Report


@pytest.mark.django_db(transaction=True)
def test_the_board_pack_is_measured_on_the_demo_and_at_two_scales():
    database = settings.DATABASES["default"]["NAME"]
    output = io.StringIO()
    call_command("benchmark_reports", "--scales", "0.05", "0.1", "--repeat", "1", stdout=output)
    text = output.getvalue()
    result = json.loads(text[text.index("\n{") + 1 :])

    assert "ratio: the whole pack's time over WeasyPrint's alone (target: at most 1.1)" in text
    demo, scales = result["demo"], result["scales"]
    assert set(scales) == {"0.05", "0.1"}
    assert scales["0.05"]["queries"] == scales["0.1"]["queries"] > 0
    for figures in (demo, *scales.values()):
        assert figures["pdf_ms"] > 0 and figures["html_ms"] > 0 and figures["pages"] >= 2
        assert figures["ratio"] == pytest.approx(figures["total_ms"] / figures["pdf_ms"], rel=0.01)
        assert figures["max_rss_mb"] > 0 and figures["funder_return"]["bytes"] > 0
    # Throwaway databases: the developer's is untouched.
    assert settings.DATABASES["default"]["NAME"] == database and not Report.objects.exists()
