"""`{% table_region %}`: the one wrapper that lets any table of the back office scroll sideways in a named region a
keyboard reaches (tests/browser/test_tables_fit.py checks it on every screen, at two widths)."""

import re

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import RequestFactory

TABLE = '<table><caption id="{{ caption_id }}">Money by stream</caption></table>'


def render(source: str, **context) -> str:
    return Template("{% load outturn_tables %}" + source).render(Context(context))


def test_a_region_is_named_by_its_tables_caption_and_reached_by_tab():
    html = render(
        "{% table_region as caption_id %}" + TABLE + "{% endtable_region %}", request=RequestFactory().get("/")
    )

    assert html == (
        '<div class="outturn-table-region" role="region" aria-labelledby="table-caption-1" tabindex="0">'
        '<table><caption id="table-caption-1">Money by stream</caption></table></div>'
    )


def test_each_region_of_a_page_has_its_own_caption_id():
    source = ("{% table_region as caption_id %}" + TABLE + "{% endtable_region %}") * 2
    html = render(source, request=RequestFactory().get("/"))

    assert 'aria-labelledby="table-caption-1"' in html and 'id="table-caption-2"' in html


def test_without_a_request_each_region_still_has_its_own_caption_id():
    html = render(("{% table_region as caption_id %}" + TABLE + "{% endtable_region %}") * 2)

    first, second = re.findall(r'aria-labelledby="(table-caption-\w+)"', html)
    assert first != second and f'id="{first}"' in html and f'id="{second}"' in html


def test_a_region_around_a_table_we_do_not_write_is_named_in_words():
    html = render("{% table_region label=title %}<table></table>{% endtable_region %}", title="Payments & <others>")

    assert html == (
        '<div class="outturn-table-region" role="region" aria-label="Payments &amp; &lt;others&gt;" tabindex="0">'
        "<table></table></div>"
    )


def test_a_region_must_be_named():
    with pytest.raises(TemplateSyntaxError, match="takes `as <name>`"):
        render("{% table_region %}<table></table>{% endtable_region %}")
