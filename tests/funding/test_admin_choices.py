"""The back office's selects written in one pass (funding.admin_forms.Select) give Django's markup, and a model choice
field whose options are read once (render_lightly) reads them once however often it is rendered."""

import re

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from funding.admin_forms import Select, render_lightly
from funding.models import FundingStream
from tests.factories import FundingStreamFactory

pytestmark = pytest.mark.django_db

GROUPED = [("", "Choose"), ("Labour", [("staff", "Staff"), ("volunteers", "Volunteers <unpaid>")]), ("other", "Other")]


def tidy(html: str) -> str:
    """Markup without the spaces between tags, and with attributes in order, so that two renderings compare."""
    html = re.sub(r">\s+<", "><", html.strip())
    return re.sub(r"<(\w+)([^>]*)>", lambda tag: f"<{tag[1]}{''.join(sorted(re.findall(r' [^ ]+', tag[2])))}>", html)


@pytest.mark.parametrize("value", [None, "", "volunteers", "other", "missing"])
def test_a_select_is_written_as_djangos_is(value):
    attrs = {"id": "id_category", "required": True}
    ours = Select(choices=GROUPED).render("category", value, attrs=attrs)
    djangos = forms.Select(choices=GROUPED).render("category", value, attrs=attrs)
    assert tidy(ours) == tidy(djangos)
    assert "Volunteers &lt;unpaid&gt;" in ours


def test_only_the_first_matching_option_is_selected():
    html = Select(choices=[("a", "First"), ("a", "Again")]).render("x", "a")
    assert html.count(" selected") == 1


class StreamForm(forms.Form):
    stream = forms.ModelChoiceField(queryset=FundingStream.objects.order_by("name"))
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])


def test_a_forms_options_are_read_once_however_often_they_are_rendered():
    streams = [FundingStreamFactory(name=name) for name in ("Core grants", "Serious Violence Duty")]
    form = StreamForm(initial={"stream": streams[1].pk})
    render_lightly(form)

    with CaptureQueriesContext(connection) as queries:
        first, second = str(form["stream"]), str(form["stream"])

    assert len(queries) == 1
    assert first == second
    assert f'<option value="{streams[1].pk}" selected>Serious Violence Duty</option>' in first
    assert isinstance(form.fields["kind"].widget, Select) and '<option value="b">B</option>' in str(form["kind"])


def test_a_form_whose_options_are_read_once_still_checks_the_choice_against_the_database():
    stream = FundingStreamFactory()
    form = StreamForm(data={"stream": stream.pk + 1000, "kind": "a"})
    render_lightly(form)
    assert not form.is_valid() and "stream" in form.errors
    form = StreamForm(data={"stream": stream.pk, "kind": "a"})
    render_lightly(form)
    assert form.is_valid() and form.cleaned_data["stream"] == stream
