"""Bad input never becomes a server error, and changes nothing (issue 10).

Every form the demo's logins reach is posted, one field at a time, each of the HOSTILE values (and, into file
fields, each of the HOSTILE_FILES), with every other field as a valid submission has it. For every case:

- the answer is never a server error;
- a refused submission leaves the database as it was (every table of the product's apps and the audit log);
- an input that is not free text refuses every hostile value but the empty one: a number, a date or a choice with
  an error on that field (or, where the view answers with a message, a message naming it), the shared number and
  date fields' errors naming what was asked for; a hidden input (a return's version, a row's id, an inline
  formset's counts) for the form as a whole;
- free text refuses what its column cannot hold (too long, a NUL character), and markup it accepts is shown escaped.

The inputs come from each form (its fields, its widgets' inputs, its inline formsets' counts and first row), so a
field added to a form is attacked without changing this file. Each form's valid submission is first posted on its
own and must be accepted, so that the hostile values reach past validation to where the arithmetic is. Each case is
undone before the next, so each starts from the same database.

Also here: the spreadsheet limits (a two-million-row XLSX, a zip bomb) and the site history after a payment import.
"""

import datetime
import io
import time
import zipfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django import forms
from django.apps import apps
from django.contrib.messages import constants as message_levels
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.forms.formsets import MAX_NUM_FORM_COUNT, MIN_NUM_FORM_COUNT
from django.test import Client
from django.test.utils import ContextList
from django.urls import reverse
from wagtail.models import ModelLogEntry

from funding import spreadsheet_uploads
from funding.fiscal import FinancialYear
from funding.forms import BoundedDateField, GBPMoneyFormField, NumberField
from funding.money import gbp
from funding.roles import Role
from programmes.finance_import import COLUMNS
from programmes.models import Indicator, Payment, QuarterlyReturn
from programmes.portal.user_forms import ROLE_CHOICES
from programmes.services import grant_activate, payment_approve, payment_create, return_approve
from tests.admin_helpers import REVIEW_QUEUE, admin_url, grant_form_data, stream_form_data, superuser
from tests.factories import (
    AllocationFactory,
    AreaFactory,
    FunderFactory,
    FundingStreamFactory,
    IndicatorFactory,
    OrganisationFactory,
    ProgrammeFactory,
    TargetFactory,
    UserFactory,
    funded_grant,
)
from tests.programmes.conftest import evidence_storage  # noqa: F401 (a fixture)
from tests.programmes.payments import release
from tests.programmes.portal_returns import (
    PDF,
    fill,
    indicator_data,
    narrative_data,
    navigator_return,
    spend_data,
)
from tests.return_helpers import submit

pytestmark = pytest.mark.django_db

HOSTILE = {
    "1e309": "1e309",
    "forty nines": "9" * 40,
    "negative": "-1",
    "NaN": "NaN",
    "infinity": "inf",
    "unicode": "٣٤٥ 🙂 ﬁ\u202egnp.exe",
    "markup": '<script>alert("hostile")</script>',
    "10,000 characters": "9" * 10_000,
    "NUL": "12\x00",
    "empty": "",
}
MARKUP = HOSTILE["markup"]

EVIDENCE_LIMIT = 10 * 1024 * 1024


def _xlsx(sheet_xml: str, *, compress: int = zipfile.ZIP_DEFLATED, extra: dict[str, bytes] | None = None) -> bytes:
    """An XLSX file written part by part, so that a test can forge what a spreadsheet program never writes."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Ledger" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=compress, compresslevel=9) as archive:
        for name, content in {**parts, **(extra or {})}.items():
            archive.writestr(name, content)
    return output.getvalue()


def _sheet(rows: str, dimension: str | None = None) -> str:
    dimension_xml = f'<dimension ref="{dimension}"/>' if dimension else ""
    header = "".join(
        f'<c r="{letter}1" t="inlineStr"><is><t>{column}</t></is></c>'
        for letter, column in zip("ABCD", COLUMNS, strict=True)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'{dimension_xml}<sheetData><row r="1">{header}</row>{rows}</sheetData></worksheet>'
    )


TWO_MILLION = 2_000_000


def xlsx_two_million_rows_forged_dimension() -> bytes:
    """A few hundred bytes whose sheet says it is A1:D2000001 and holds its last row: a reader that trusts the
    dimension fills in two million empty rows."""
    last = TWO_MILLION + 1
    return _xlsx(_sheet(f'<row r="{last}"><c r="A{last}" t="inlineStr"><is><t>x</t></is></c></row>', f"A1:D{last}"))


def xlsx_two_million_rows_gap() -> bytes:
    """No dimension, and one row numbered two million and one: the rows between are read as empty ones."""
    last = TWO_MILLION + 1
    return _xlsx(_sheet(f'<row r="{last}"><c r="A{last}" t="inlineStr"><is><t>x</t></is></c></row>'))


def xlsx_two_million_rows_written() -> bytes:
    """Two million empty rows, each written out, as a spreadsheet program saves formatted blank rows: 36 MB of XML
    in a file of a few hundred kilobytes."""
    return _xlsx(_sheet("".join(f'<row r="{n}"/>' for n in range(2, TWO_MILLION + 2))))


def xlsx_rows_written(count: int) -> bytes:
    return _xlsx(_sheet("".join(f'<row r="{n}"/>' for n in range(2, count + 2))))


def xlsx_zip_bomb() -> bytes:
    """A small file whose shared strings unpack to 40 MB."""
    strings = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + " " * (40 * 1024 * 1024)
    return _xlsx(_sheet(""), extra={"xl/sharedStrings.xml": strings + "</sst>"})


def xlsx_wide(column: str = "XFD", dimension: str | None = "A1:XFD2") -> bytes:
    """A header and one value in the given column (the sheet's last, XFD), with the dimension the sheet claims."""
    cell = f'<c r="{column}2" t="inlineStr"><is><t>x</t></is></c>'
    return _xlsx(_sheet(f'<row r="2">{cell}</row>', dimension))


def csv_long_lines() -> bytes:
    return ("grant_id,date,amount,reference\n" + "\n" * (spreadsheet_uploads.MAX_ROWS + 5)).encode()


HOSTILE_FILES: dict[str, Callable[[str], SimpleUploadedFile]] = {
    "empty file": lambda ext: SimpleUploadedFile(f"empty.{ext}", b""),
    "over 10 MB": lambda ext: SimpleUploadedFile(f"big.{ext}", b"%PDF-1.4\n" + b"0" * EVIDENCE_LIMIT),
    "10,000-character name": lambda ext: SimpleUploadedFile("n" * 10_000 + f".{ext}", PDF),
    "markup name": lambda ext: SimpleUploadedFile(f'<script>alert("hostile")</script>.{ext}', PDF),
    "executable content": lambda ext: SimpleUploadedFile(f"ledger.{ext}", b"MZ\x90\x00" + b"\x00" * 200),
    "PDF content": lambda ext: SimpleUploadedFile(f"ledger.{ext}", PDF),
    "two million rows (forged dimension)": lambda ext: SimpleUploadedFile(
        f"rows.{ext}", xlsx_two_million_rows_forged_dimension()
    ),
    "two million rows (gap)": lambda ext: SimpleUploadedFile(f"rows.{ext}", xlsx_two_million_rows_gap()),
    "zip bomb": lambda ext: SimpleUploadedFile(f"bomb.{ext}", xlsx_zip_bomb()),
    "16,384 columns": lambda ext: SimpleUploadedFile(f"wide.{ext}", xlsx_wide()),
    "10,000 blank lines": lambda ext: SimpleUploadedFile(f"lines.{ext}", csv_long_lines()),
}
# A PDF of evidence may have any name: the name is only shown (escaped), and a file is stored under a random one.
EVIDENCE_MAY_ACCEPT = {"10,000-character name", "markup name", "PDF content"}


def hostile_files(ext: str, *, may_accept=frozenset()) -> dict[str, tuple[Callable[[], SimpleUploadedFile], bool]]:
    return {
        f"{label} (.{ext})": ((lambda make=make: make(ext)), label not in may_accept)
        for label, make in HOSTILE_FILES.items()
    }


# --- What a browser sends -----------------------------------------------------------------------------------------


class _FormScraper(HTMLParser):
    """The post forms of a page and what a browser submits from each: inputs, checked boxes, chosen options and
    text areas, leaving out templates (Wagtail's empty inline rows) and buttons."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._template_depth = 0
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "template":
            self._template_depth += 1
        if self._template_depth:
            return
        if tag == "form":
            self._form = {"method": (attributes.get("method") or "get").lower(), "action": attributes.get("action")}
            self._form["data"] = []
            self.forms.append(self._form)
        if self._form is None:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = (attributes.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                return
            self._form["data"].append((name, attributes.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "select" and name:
            self._select = {"name": name, "chosen": [], "first": None, "multiple": "multiple" in attributes}
        elif tag == "option" and self._select is not None:
            value = attributes.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attributes:
                self._select["chosen"].append(value)
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_endtag(self, tag):
        if tag == "template":
            self._template_depth -= 1
        if self._template_depth or self._form is None:
            return
        if tag == "select" and self._select is not None:
            select = self._select
            chosen = select["chosen"] or ([] if select["multiple"] or select["first"] is None else [select["first"]])
            self._form["data"].extend((select["name"], value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._form["data"].append(tuple(self._textarea))
            self._textarea = None
        elif tag == "form":
            self._form = None

    def handle_data(self, data):
        if self._textarea is not None and not self._template_depth:
            # A browser drops the one newline that may follow <textarea>.
            self._textarea[1] += data.removeprefix("\n") if not self._textarea[1] else data


def browser_data(html: str, *, containing: str) -> dict[str, list[str]]:
    """What a browser would post, unchanged, from the page's post form that has an input named `containing`."""
    scraper = _FormScraper()
    scraper.feed(html)
    for form in scraper.forms:
        names = [name for name, _ in form["data"]]
        if form["method"] == "post" and containing in names:
            data: dict[str, list[str]] = {}
            for name, value in form["data"]:
                data.setdefault(name, []).append(value)
            data.pop("csrfmiddlewaretoken", None)
            return data
    raise AssertionError(f"No post form with {containing} on the page")


# --- The fields of a form, as posted ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Posted:
    """One input a form reads: the form field behind it (None for an input a view reads itself), the name the
    field's errors are under, and whether a hostile value may be accepted (free text, a tick box, a part of a
    widget the form ignores, a formset's informational counts)."""

    field: forms.Field | None
    error_name: str
    lenient: bool


def _lenient(form_field: forms.Field | None) -> bool:
    return isinstance(form_field, forms.CharField | forms.BooleanField)


def _inputs(form: forms.BaseForm, rows: dict[str, int]) -> dict[str, Posted]:
    """Every input of a form and of its inline formsets (`rows`: how many rows each formset posts)."""
    inputs: dict[str, Posted] = {}
    for name, form_field in form.fields.items():
        html_name = form.add_prefix(name)
        widget = form_field.widget
        if isinstance(widget, forms.MultiWidget):
            for position, suffix in enumerate(widget.widgets_names):
                # A money widget's currency is fixed to GBP: the form never reads what is posted for it.
                ignored = position > 0 and isinstance(form_field, GBPMoneyFormField)
                inputs[f"{html_name}{suffix}"] = Posted(form_field, html_name, _lenient(form_field) or ignored)
        elif widget.is_hidden:
            # A hidden input (a return's version) is nothing a person types: refused for the form as a whole.
            inputs[html_name] = Posted(None, html_name, False)
        else:
            inputs[html_name] = Posted(form_field, html_name, _lenient(form_field))
    for formset in getattr(form, "formsets", {}).values():
        management = formset.management_form
        for name in management.fields:
            informational = name in (MIN_NUM_FORM_COUNT, MAX_NUM_FORM_COUNT)
            inputs[management.add_prefix(name)] = Posted(None, management.add_prefix(name), informational)
        # The first row's inputs: the other rows are the same fields again.
        if rows.get(formset.prefix, formset.total_form_count()):
            child = formset.form(prefix=formset.add_prefix(0), **formset.get_form_kwargs(0))
            pk_name = formset.add_prefix(0) + "-" + formset.model._meta.pk.name
            for name, posted in _inputs(child, rows).items():
                if name == pk_name:
                    # Which saved row it is: not something a person types, refused for the formset as a whole.
                    posted = Posted(None, name, False)
                # A row's order is any whole number: a hostile one orders the rows, and changes nothing else.
                inputs[name] = Posted(posted.field, posted.error_name, posted.lenient or name.endswith("-ORDER"))
    return inputs


def form_inputs(form: forms.BaseForm, data: dict[str, list[str]]) -> dict[str, Posted]:
    """The inputs of a form as the valid submission `data` posts it (so as many formset rows as it has)."""
    rows = {}
    for formset in getattr(form, "formsets", {}).values():
        total = data.get(formset.management_form.add_prefix("TOTAL_FORMS"))
        rows[formset.prefix] = int(total[0]) if total else formset.total_form_count()
    return _inputs(form, rows)


# --- The database, and what a response says -----------------------------------------------------------------------

STATE_APPS = ("funding", "programmes", "reports")


def database_state() -> dict:
    """Every row of the product's apps (with the many-to-many tables) and of the audit log."""
    models = [model for app in STATE_APPS for model in apps.get_app_config(app).get_models(include_auto_created=True)]
    models.append(ModelLogEntry)
    return {model._meta.label: sorted(map(repr, model.objects.values_list())) for model in models}


def _context(response) -> dict:
    """Everything the response's templates were given, in one dict."""
    contexts = response.context
    if contexts is None:
        return {}
    if not isinstance(contexts, ContextList):
        contexts = [contexts]
    merged = {}
    for context in contexts:
        merged.update(context.flatten())
    return merged


def _forms_in(response) -> list[forms.BaseForm]:
    found = []
    for value in _context(response).values():
        if isinstance(value, forms.BaseForm) and value not in found:
            found.append(value)
    nested = []
    for form in found:
        for formset in getattr(form, "formsets", {}).values():
            nested.extend(formset.forms)
    return found + nested


def _formsets_in(response) -> list:
    return [formset for form in _forms_in(response) for formset in getattr(form, "formsets", {}).values()]


def field_errors(response, error_name: str) -> list[str]:
    """The errors shown on the field posted as `error_name`."""
    errors = []
    for form in _forms_in(response):
        for name, messages in form.errors.items():
            if form.add_prefix(name) == error_name or (name == "__all__" and error_name == "__all__"):
                errors.extend(messages)
    return errors


def error_messages(response) -> list[str]:
    """Error messages queued for the next page (the admin's and the portal's flash messages)."""
    storage = getattr(response.wsgi_request, "_messages", None)
    queued = getattr(storage, "_queued_messages", [])
    return [str(message) for message in queued if message.level >= message_levels.ERROR]


def refused(response) -> bool:
    """Whether the answer refuses the submission: an error status, a form or formset with errors, errors the view
    lists itself, or an error message before a redirect."""
    if response.status_code >= 400:
        return True
    if error_messages(response):
        return True
    if any(form.errors for form in _forms_in(response)):
        return True
    if any(formset.non_form_errors() or any(formset.errors) for formset in _formsets_in(response)):
        return True
    context = _context(response)
    check = context.get("check")  # the finance import's preview of a file with errors
    return bool(context.get("errors") or (check is not None and check.errors))


# --- Attacking a form -----------------------------------------------------------------------------------------------


@dataclass
class Target:
    """A form as a user reaches it: who posts, where, a valid submission, and the inputs to attack."""

    name: str
    client: Client
    url: str
    data: dict[str, list[str]]
    inputs: dict[str, Posted]
    files: dict[str, Callable[[], SimpleUploadedFile]] = field(default_factory=dict)
    shown_url: str | None = None  # where what was accepted is shown again
    # Files to post into its file field: each made afresh, and whether it can only be refused.
    hostile_files: dict[str, tuple[Callable[[], SimpleUploadedFile], bool]] = field(default_factory=dict)

    def post(self, changes: dict | None = None):
        changes = changes or {}
        data = {**self.data, **changes}
        for name, make in self.files.items():
            if name not in changes:
                data[name] = make()
        return self.client.post(self.url, data)


@contextmanager
def rolled_back():
    """Whatever happens inside is undone, so each case starts from the same database."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def accepted_baseline(target: Target) -> None:
    with rolled_back():
        response = target.post()
        assert response.status_code in (200, 302), (target.name, response.status_code)
        assert not refused(response), (target.name, field_errors(response, "__all__"), _all_errors(response))


def _all_errors(response) -> dict:
    return {form.prefix or "form": dict(form.errors) for form in _forms_in(response) if form.errors} | {
        "messages": error_messages(response)
    }


def must_refuse(posted: Posted, value) -> bool:
    """Whether a value can only be refused: anything in a number, date, choice or hidden field but nothing; in free
    text, what its column cannot hold."""
    if value == "":
        return False
    if not posted.lenient:
        return True
    form_field = posted.field
    if isinstance(form_field, forms.CharField):
        too_long = form_field.max_length is not None and len(value) > form_field.max_length
        return too_long or "\x00" in value
    return False


def _names_what_was_asked(posted: Posted, messages: list[str]) -> bool:
    form_field = posted.field
    if isinstance(form_field, NumberField):
        return any(form_field.described in message for message in messages)
    if isinstance(form_field, BoundedDateField):
        return any(str(form_field.label).lower() in message.lower() for message in messages) or any(
            "date" in message.lower() for message in messages
        )
    return True


def attack(target: Target) -> tuple[int, list[str]]:
    """Post every hostile value into every input; the number of cases, and what went wrong."""
    accepted_baseline(target)
    failures: list[str] = []
    cases = 0
    before = database_state()  # as it is again before every case, each undone when it ends
    for name, posted in target.inputs.items():
        values = {label: (value, must_refuse(posted, value)) for label, value in HOSTILE.items()}
        if isinstance(posted.field, forms.FileField):
            values.update(target.hostile_files)
        for label, (value, only_refused) in values.items():
            cases += 1
            case = f"{target.name}: {label} in {name}"
            try:
                with rolled_back():
                    response = target.post({name: value() if callable(value) else value})
                    if response.status_code >= 500:
                        failures.append(f"{case}: answered {response.status_code}")
                    after = database_state()
                    was_refused = refused(response)
                    if was_refused and after != before:
                        changed = [model for model in before if before[model] != after[model]]
                        failures.append(f"{case}: refused, but changed {changed}")
                    if only_refused and not was_refused:
                        failures.append(f"{case}: accepted ({response.status_code})")
                    elif only_refused and posted.field is not None and isinstance(value, str):
                        # On the field, or (where the view reports by message) in a message naming it.
                        messages = field_errors(response, posted.error_name) or [
                            message for message in error_messages(response) if str(posted.field.label) in message
                        ]
                        if not messages:
                            failures.append(f"{case}: refused without an error on the field: {_all_errors(response)}")
                        elif not _names_what_was_asked(posted, messages):
                            failures.append(f"{case}: the message does not name the field: {messages}")
                    if not was_refused and label == "markup" and target.shown_url:
                        shown = target.client.get(target.shown_url).content.decode()
                        if MARKUP in shown:
                            failures.append(f"{case}: the markup is shown unescaped on {target.shown_url}")
            except Exception as error:  # noqa: BLE001 (every server error is reported, with its case)
                failures.append(f"{case}: server error {type(error).__name__}: {str(error)[:300]}")
    return cases, failures


def assert_survives(*targets: Target) -> None:
    all_failures = []
    for target in targets:
        started = time.perf_counter()
        cases, failures = attack(target)
        inputs = len(target.inputs)
        print(f"\n{target.name}: {cases} cases ({inputs} inputs) in {time.perf_counter() - started:.1f} s")
        all_failures += failures
    assert not all_failures, "\n".join(all_failures[:60]) + f"\n({len(all_failures)} in all)"


def get_form(client: Client, url: str):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response, response.context["form"]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def as_lists(data: dict) -> dict[str, list[str]]:
    return {name: value if isinstance(value, list) else [str(value)] for name, value in data.items()}


def target_from_page(
    name: str, client: Client, url: str, *, data: dict | None = None, containing: str, **kwargs
) -> Target:
    """A target whose valid submission is what the page's form holds (an edit form), changed by `data`."""
    response, form = get_form(client, url)
    posted = browser_data(response.content.decode(), containing=containing)
    posted.update(as_lists(data or {}))
    return Target(name, client, url, posted, form_inputs(form, posted), **kwargs)


def target_from_data(name: str, client: Client, url: str, data: dict, **kwargs) -> Target:
    """A target whose valid submission is given (an add form, whose page holds no valid values)."""
    _, form = get_form(client, url)
    posted = as_lists(data)
    return Target(name, client, url, posted, form_inputs(form, posted), **kwargs)


# --- Every form the demo's logins reach ---------------------------------------------------------------------------
# Each builder sets up what its form needs (through the fixtures it asks `request` for) and returns the form as a
# Target. Each is its own test case, so that pytest-xdist spreads them; a new form is a new builder.

FORMS: dict[str, Callable[[pytest.FixtureRequest], Target]] = {}


def form(name: str):
    def register(builder):
        FORMS[name] = builder
        return builder

    return register


@pytest.fixture
def navigator(provider, officer, evidence_storage):  # noqa: F811 (evidence_storage is the imported fixture)
    return navigator_return(provider=provider, officer=officer)


def _provider_client(request) -> Client:
    return client_for(request.getfixturevalue("provider_approver"))


@form("portal: spend")
def _spend(request) -> Target:
    navigator = request.getfixturevalue("navigator")
    url = reverse("portal:return_spend", args=[navigator.pk])
    target = target_from_data("spend", _provider_client(request), url, spend_data(navigator))
    assert set(target.inputs) >= {f"line-{line.pk}-actual" for line in navigator.grant.budget_lines.all()}
    return target


@form("portal: indicators")
def _indicators(request) -> Target:
    navigator = request.getfixturevalue("navigator")
    url = reverse("portal:return_indicators", args=[navigator.pk])
    target = target_from_data("indicators", _provider_client(request), url, indicator_data(navigator))
    assert any(name.endswith("-numerator") for name in target.inputs)
    return target


@form("portal: narrative and risks")
def _narrative(request) -> Target:
    navigator = request.getfixturevalue("navigator")
    url = reverse("portal:return_narrative", args=[navigator.pk])
    target = target_from_data("narrative", _provider_client(request), url, narrative_data(navigator), shown_url=url)
    assert {"risks", "risk_rating", "progress"} <= set(target.inputs)
    return target


@form("portal: evidence")
def _evidence(request) -> Target:
    navigator = request.getfixturevalue("navigator")
    url = reverse("portal:return_evidence", args=[navigator.pk])
    return target_from_data(
        "evidence",
        _provider_client(request),
        url,
        {},
        files={"file": lambda: SimpleUploadedFile("register.pdf", PDF)},
        shown_url=url,
        hostile_files=hostile_files("pdf", may_accept=EVIDENCE_MAY_ACCEPT),
    )


@form("portal: check and submit")
def _check(request) -> Target:
    navigator = request.getfixturevalue("navigator")
    fill(navigator, request.getfixturevalue("provider_approver"))
    navigator.refresh_from_db()
    url = reverse("portal:return_check", args=[navigator.pk])
    data = {"version": navigator.version, "confirm": "on"}
    return target_from_data("check and submit", _provider_client(request), url, data)


@form("portal: invite a user")
def _invite(request) -> Target:
    data = {"email": "new.person@provider.example", "first_name": "New", "last_name": "Person"}
    data["role"] = ROLE_CHOICES[0][0]
    url = reverse("portal:user_invite")
    return target_from_data("invite", _provider_client(request), url, data, shown_url=reverse("portal:users"))


@form("portal: a user's role")
def _role(request) -> Target:
    provider = request.getfixturevalue("provider")
    member = UserFactory(organisation=provider, roles=[Role.PROVIDER_EDITOR], email="member@provider.example")
    url = reverse("portal:user", args=[member.pk])
    return target_from_data("role", _provider_client(request), url, {"role": ROLE_CHOICES[1][0]})


@pytest.fixture
def officer_client(officer):
    return client_for(officer)


def _officer(request) -> Client:
    return request.getfixturevalue("officer_client")


@form("organisation: add")
def _organisation_add(request) -> Target:
    data = {"name": "New provider", "kind": "provider", "org_id": "GB-CHC-7000002", "postcode": "ST4 2RS"}
    data.update({"charity_number": "", "company_number": "", "address": "", "website": ""})
    return target_from_data("organisation: add", _officer(request), admin_url("outturn_organisations", "add"), data)


@form("organisation: edit")
def _organisation_edit(request) -> Target:
    organisation = OrganisationFactory(name="Provider (hostile)", org_id="GB-CHC-7000001")
    return target_from_page(
        "organisation: edit",
        _officer(request),
        admin_url("outturn_organisations", "edit", organisation.pk),
        containing="org_id",
        shown_url=admin_url("outturn_organisations", "inspect", organisation.pk),
    )


@form("area: add")
def _area_add(request) -> Target:
    data = {"name": "Cannock Chase", "code": "E07000192", "geo_type": "LAD"}
    return target_from_data("area: add", _officer(request), admin_url("outturn_areas", "add"), data)


@form("area: edit")
def _area_edit(request) -> Target:
    area = AreaFactory(name="Tamworth", code="E07000199")
    return target_from_page(
        "area: edit", _officer(request), admin_url("outturn_areas", "edit", area.pk), containing="code"
    )


@form("funding stream: add")
def _stream_add(request) -> Target:
    data = stream_form_data(
        funder=FunderFactory(name="Home Office (hostile)"),
        name="New stream",
        allocations=[(2023, "100000.00"), (2024, "50000.00")],
    )
    return target_from_data("funding stream: add", _officer(request), admin_url("outturn_streams", "add"), data)


@form("funding stream: edit")
def _stream_edit(request) -> Target:
    stream = FundingStreamFactory(name="Serious Violence Duty (hostile)", slug="svd-hostile")
    AllocationFactory(stream=stream, financial_year=2023, amount=gbp("100000.00"))
    AllocationFactory(stream=stream, financial_year=2024, amount=gbp("100000.00"))
    return target_from_page(
        "funding stream: edit",
        _officer(request),
        admin_url("outturn_streams", "edit", stream.pk),
        containing="total_0",
        shown_url=admin_url("outturn_streams", "inspect", stream.pk),
    )


@form("programme: add")
def _programme_add(request) -> Target:
    data = {"name": "New programme", "slug": "new-programme", "summary": "Support.", "theme": "serious-violence"}
    data["senior_responsible_officer"] = ""
    return target_from_data("programme: add", _officer(request), admin_url("outturn_programmes", "add"), data)


@form("programme: edit")
def _programme_edit(request) -> Target:
    programme = ProgrammeFactory(name="Navigator (hostile)", slug="navigator-hostile")
    programme.areas.set([AreaFactory()])
    programme.save()
    return target_from_page(
        "programme: edit",
        _officer(request),
        admin_url("outturn_programmes", "edit", programme.pk),
        containing="summary",
        shown_url=admin_url("outturn_programmes", "inspect", programme.pk),
    )


@form("indicator: add")
def _indicator_add(request) -> Target:
    data = {
        "name": "Children supported (new)",
        "slug": "children-supported-new",
        "programme": ProgrammeFactory().pk,
        "kind": "output",
        "scope": "programme",
        "area": "",
        "unit": "count",
        "aggregation": "sum",
        "direction": "higher",
        "counts_people": "on",
        "definition": "Children who took part.",
        "method_and_source": "",
        "baseline_value": "12",
        "baseline_date": "2023-03-31",
    }
    return target_from_data("indicator: add", _officer(request), admin_url("outturn_indicators", "add"), data)


def _indicator() -> Indicator:
    return IndicatorFactory(baseline_value=Decimal("10"), baseline_date=datetime.date(2023, 3, 31))


@form("indicator: edit")
def _indicator_edit(request) -> Target:
    url = admin_url("outturn_indicators", "edit", _indicator().pk)
    return target_from_page("indicator: edit", _officer(request), url, containing="baseline_value")


@form("target: add")
def _target_add(request) -> Target:
    indicator = _indicator()
    grant = funded_grant(provider=request.getfixturevalue("provider"), programme=indicator.programme)
    data = {"indicator": indicator.pk, "grant": grant.pk, "programme": "", "financial_year": 2023, "quarter": 2}
    data["value"] = "25"
    return target_from_data("target: add", _officer(request), admin_url("outturn_targets", "add"), data)


@form("target: edit")
def _target_edit(request) -> Target:
    indicator = _indicator()
    grant = funded_grant(provider=request.getfixturevalue("provider"), programme=indicator.programme)
    target = TargetFactory(indicator=indicator, grant=grant, financial_year=2023, value=Decimal("100"))
    url = admin_url("outturn_targets", "edit", target.pk)
    return target_from_page("target: edit", _officer(request), url, containing="value")


@form("grant: add")
def _grant_add(request) -> Target:
    stream = FundingStreamFactory(name="Serious Violence Duty (room)", slug="svd-room")
    AllocationFactory(stream=stream, financial_year=2023, amount=gbp("100000.00"))
    data = grant_form_data(
        provider=request.getfixturevalue("provider"),
        programme=ProgrammeFactory(),
        charges=[{"stream": stream, "financial_year": 2023, "amount": "40000.00"}],
        budget_lines=[{"name": "Staff", "amount": "30000.00"}, {"name": "Travel", "amount": "10000.00"}],
        identifier="360G-HOSTILE-NEW",
    )
    data["areas"] = [AreaFactory().pk]
    return target_from_data("grant: add", _officer(request), admin_url("outturn_grants", "add"), data)


@form("grant: edit a draft")
def _grant_edit(request) -> Target:
    grant = funded_grant(provider=request.getfixturevalue("provider"), identifier="360G-HOSTILE-DRAFT")
    target = target_from_page(
        "grant: edit (draft)",
        _officer(request),
        admin_url("outturn_grants", "edit", grant.pk),
        containing="amount_0",
        shown_url=admin_url("outturn_grants", "inspect", grant.pk),
    )
    assert any(name.startswith("charges-0-amount") for name in target.inputs)
    return target


@form("grant: vary an active grant")
def _grant_variation(request) -> Target:
    grant = funded_grant(provider=request.getfixturevalue("provider"), identifier="360G-HOSTILE-ACTIVE")
    grant_activate(grant=grant, user=request.getfixturevalue("officer"))
    target = target_from_page(
        "grant: variation (active)",
        _officer(request),
        admin_url("outturn_grants", "edit", grant.pk),
        data={"variation_reason": "Extra sessions agreed"},
        containing="amount_0",
        shown_url=admin_url("outturn_grants", "inspect", grant.pk),
    )
    assert "variation_reason" in target.inputs
    return target


@form("budget line: profile")
def _profile(request) -> Target:
    grant = funded_grant(provider=request.getfixturevalue("provider"), identifier="360G-HOSTILE-PROFILE")
    grant_activate(grant=grant, user=request.getfixturevalue("officer"))
    url = admin_url("outturn_budget_lines", "edit", grant.budget_lines.get().pk)
    target = target_from_page("budget line: profile", _officer(request), url, containing="profile-TOTAL_FORMS")
    assert any(name.endswith("-amount_0") for name in target.inputs)
    return target


def _approved_and_submitted(request) -> tuple[QuarterlyReturn, QuarterlyReturn]:
    """A grant's Q1 return approved and its Q2 return submitted."""
    officer, provider = request.getfixturevalue("officer"), request.getfixturevalue("provider")
    grant = funded_grant(provider=provider, identifier="360G-HOSTILE-REVIEW", lead_officer=officer)
    grant_activate(grant=grant, user=officer)
    approver = UserFactory(organisation=provider, roles=[Role.PROVIDER_APPROVER])
    line = grant.budget_lines.get().name
    q1, q2 = grant.returns.get(quarter=1), grant.returns.get(quarter=2)
    submit(q1, approver, {line: "10000.00"}, forecast="10000.00")
    return_approve(quarterly_return=q1, user=officer)
    submit(q2, approver, {line: "10000.00"}, forecast="10000.00")
    return q1, q2


def _review(request, quarterly_return: QuarterlyReturn, action_name: str) -> Target:
    client = _officer(request)
    url = admin_url(REVIEW_QUEUE, "review", quarterly_return.pk)
    actions = {action["name"]: action["form"] for action in client.get(url).context["actions"]}
    reason_form = actions[action_name]
    data = {"action": action_name}
    inputs = {"action": Posted(None, "action", False)}
    if reason_form is not None:
        data[reason_form.add_prefix("reason")] = "Please explain the travel spend."
        inputs.update(form_inputs(reason_form, as_lists(data)))
    return Target(f"review: {action_name}", client, url, as_lists(data), inputs)


@form("review: approve")
def _review_approve(request) -> Target:
    return _review(request, _approved_and_submitted(request)[1], "approve")


@form("review: send back")
def _review_send_back(request) -> Target:
    return _review(request, _approved_and_submitted(request)[1], "send-back")


@form("review: reopen")
def _review_reopen(request) -> Target:
    return _review(request, _approved_and_submitted(request)[0], "reopen")


@form("grant closure")
def _closure(request) -> Target:
    officer, provider = request.getfixturevalue("officer"), request.getfixturevalue("provider")
    grant = funded_grant(provider=provider, identifier="360G-HOSTILE-CLOSE", lead_officer=officer)
    grant_activate(grant=grant, user=officer)
    approver = UserFactory(organisation=provider, roles=[Role.PROVIDER_APPROVER])
    line = grant.budget_lines.get().name
    request.getfixturevalue("settings").OUTTURN_TODAY = "2024-06-01"
    for quarterly_return in grant.returns.order_by("quarter"):
        submit(quarterly_return, approver, {line: "10000.00"}, forecast="10000.00")
        return_approve(quarterly_return=quarterly_return, user=officer)
    url = admin_url("outturn_grants", "close", grant.pk)
    shown = admin_url("outturn_grants", "inspect", grant.pk)
    return target_from_data("grant closure", _officer(request), url, {"reason": "Delivered."}, shown_url=shown)


@pytest.fixture
def ledger(finance_officer, settings):
    """A grant paid in arrears with Q1's payment approved and Q2's released (the finance import's example)."""
    settings.OUTTURN_TODAY = "2023-11-15"
    grant = funded_grant(identifier="360G-HOSTILE-NAV", amount="40000.00")
    payments = {
        quarter.number: payment_create(grant=grant, amount=gbp("10000.00"), date=quarter.end, user=finance_officer)
        for quarter in FinancialYear(2023).quarters
    }
    payment_approve(payment=release(payments[1]), user=finance_officer)
    release(payments[2])
    return grant, payments


@form("payment approval")
def _payment_approval(request) -> Target:
    _, payments = request.getfixturevalue("ledger")
    url = admin_url("outturn_payments", "approve")
    data = as_lists({"payment": payments[2].pk, "next": url})
    inputs = {"payment": Posted(None, "payment", False), "next": Posted(None, "next", True)}
    return Target("payment approval", client_for(request.getfixturevalue("finance_officer")), url, data, inputs)


def _ledger_csv(**cells) -> bytes:
    row = {"grant_id": "360G-HOSTILE-NAV", "date": "2023-10-05", "amount": "10000.00", "reference": "AP-1", **cells}
    return (",".join(COLUMNS) + "\n" + ",".join(f'"{row[column]}"' for column in COLUMNS) + "\n").encode()


@form("finance import: upload")
def _finance_upload(request) -> Target:
    request.getfixturevalue("ledger")
    files = hostile_files("xlsx") | hostile_files("csv")
    # Every hostile value in every column of a ledger row: refused, but for a reference that can be one.
    for column in COLUMNS:
        for label, value in HOSTILE.items():
            content = _ledger_csv(**{column: value.replace('"', '""')})
            only_refused = column != "reference" or not value or len(value) > 60 or "\x00" in value
            upload = lambda content=content: SimpleUploadedFile("ledger.csv", content)  # noqa: E731
            files[f"{label} in the {column} column"] = (upload, only_refused)
    return target_from_data(
        "finance import: upload",
        client_for(request.getfixturevalue("finance_officer")),
        admin_url("outturn_finance_import", "index"),
        {},
        files={"file": lambda: SimpleUploadedFile("ledger.csv", _ledger_csv())},
        hostile_files=files,
    )


@form("finance import: confirm")
def _finance_confirm(request) -> Target:
    request.getfixturevalue("ledger")
    client = client_for(request.getfixturevalue("finance_officer"))
    url = admin_url("outturn_finance_import", "index")
    token = client.post(url, {"file": SimpleUploadedFile("ledger.csv", _ledger_csv())}).context["token"]
    assert token
    return Target("finance import: confirm", client, url, {"token": [token]}, {"token": Posted(None, "token", False)})


@pytest.mark.parametrize("name", list(FORMS))
def test_hostile_values_never_break_a_form_nor_change_anything(name, request):
    assert_survives(FORMS[name](request))


def test_every_hostile_cell_in_a_ledger_file_is_named_by_row_and_column(finance_officer, ledger):
    client = client_for(finance_officer)
    url = admin_url("outturn_finance_import", "index")
    for column in ("date", "amount"):
        for label, value in HOSTILE.items():
            response = client.post(url, {"file": SimpleUploadedFile("ledger.csv", _ledger_csv(**{column: value}))})
            assert response.status_code == 200, (column, label)
            check = response.context.get("check")
            if check is None:  # the file itself was refused (a NUL makes it no CSV)
                assert response.context["form"].errors["file"], (column, label)
                continue
            assert any(error.startswith(f"Row 2, {column}: ") for error in check.errors), (column, label, check.errors)
            assert not response.context["token"]


@pytest.mark.parametrize(
    ("column", "value", "error"),
    [
        ("amount", "9" * 40, f"{'9' * 40} is too big: enter pounds and pence under £1,000,000,000,000"),
        ("amount", "1e309", "1e309 is not an amount: enter pounds and pence, like 1250.50"),
        (
            "date",
            "0001-01-01",
            "0001-01-01 is not between 1 January 2000 and 31 December 2100: enter the date the payment was made",
        ),
    ],
)
def test_a_ledger_figure_out_of_range_is_named_not_a_server_error(finance_officer, ledger, column, value, error):
    response = client_for(finance_officer).post(
        admin_url("outturn_finance_import", "index"),
        {"file": SimpleUploadedFile("ledger.csv", _ledger_csv(**{column: value}))},
    )
    assert response.context["check"].errors == [f"Row 2, {column}: {error}"]


@pytest.mark.parametrize("dashboard", ["overview", "returns_matrix"])
def test_a_dashboards_year_is_a_year_or_not_found(officer_client, dashboard):
    url = reverse(f"outturn_dashboards:{dashboard}")
    for label, value in HOSTILE.items():
        response = officer_client.get(url, {"year": value})
        assert response.status_code == (200 if value == "" else 404), (label, response.status_code)
    assert officer_client.get(url, {"year": "2024"}).status_code == 200


# --- Spreadsheet limits -------------------------------------------------------------------------------------------


TOO_MANY_ROWS = (
    "ledger.xlsx has more than 10,000 rows, counting blank ones: delete the empty rows below the data, or split it "
    "into smaller files"
)
UNPACKS_TOO_BIG = (
    "ledger.xlsx unpacks to more than 25 MB, which no ledger or list needs: save it again as a plain spreadsheet, "
    "or split it into smaller files"
)


def refusal_of(finance_officer, content: bytes, name: str = "ledger.xlsx") -> tuple[list[str], float]:
    """The import page's errors on the file, and how long the upload took to answer."""
    client = client_for(finance_officer)
    started = time.perf_counter()
    response = client.post(admin_url("outturn_finance_import", "index"), {"file": SimpleUploadedFile(name, content)})
    took = time.perf_counter() - started
    assert response.status_code == 200
    return response.context["form"].errors.get("file", []), took


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (xlsx_two_million_rows_forged_dimension, TOO_MANY_ROWS),
        (xlsx_two_million_rows_gap, TOO_MANY_ROWS),
        (xlsx_two_million_rows_written, UNPACKS_TOO_BIG),
        (lambda: xlsx_rows_written(20_000), TOO_MANY_ROWS),
    ],
    ids=["forged dimension", "gap", "written out", "20,000 written out"],
)
def test_a_two_million_row_xlsx_is_refused_at_once_with_the_limit_named(finance_officer, ledger, make, message):
    content = make()
    assert len(content) < spreadsheet_uploads.MAX_BYTES
    errors, took = refusal_of(finance_officer, content)
    assert errors == [message]
    print(f"\n{len(content):,} bytes: refused in {took:.3f} s")
    assert took < 5  # a generous guard against a regression: it takes well under a second


def test_a_zip_bomb_is_refused_before_it_is_unpacked(finance_officer, ledger):
    content = xlsx_zip_bomb()
    assert len(content) < 100 * 1024
    assert refusal_of(finance_officer, content)[0] == [UNPACKS_TOO_BIG]


def test_a_sheet_wider_than_the_limit_is_refused_and_no_wider_row_is_read(finance_officer, ledger):
    too_wide = "ledger.xlsx has more than 50 columns: keep only the columns asked for"
    # A sheet that says it is 16,384 columns wide, and a value in the first column past the limit.
    assert refusal_of(finance_officer, xlsx_wide("XFD", "A1:XFD2"))[0] == [too_wide]
    assert refusal_of(finance_officer, xlsx_wide("AY", None))[0] == [too_wide]
    # A value far to the right in a sheet that does not say how wide it is: never read (the ledger ignores columns
    # it does not name), so the file is read as quickly as any other.
    errors, took = refusal_of(finance_officer, xlsx_wide("XFD", None))
    assert errors == ["ledger.xlsx has no payments under its first row"]
    assert took < 5


def test_a_csv_with_more_lines_than_rows_allowed_is_refused_before_it_is_parsed(finance_officer, ledger):
    errors, _ = refusal_of(finance_officer, csv_long_lines(), name="ledger.csv")
    assert errors == [TOO_MANY_ROWS.replace("ledger.xlsx", "ledger.csv")]


# --- The superuser's site history ---------------------------------------------------------------------------------


def test_the_site_history_shows_imported_payments_and_links_them_to_their_record(finance_officer, ledger):
    client = client_for(finance_officer)
    url = admin_url("outturn_finance_import", "index")
    preview = client.post(url, {"file": SimpleUploadedFile("ledger.csv", _ledger_csv())})
    assert client.post(url, {"token": preview.context["token"]}).status_code == 302
    paid = Payment.objects.get(reference="AP-1")

    admin = client_for(superuser())
    response = admin.get("/admin/reports/site-history/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Import from the finance ledger" in html
    assert f'href="{admin_url("outturn_payments", "inspect", paid.pk)}"' in html
    # Nothing read-only offers an edit link: there is no edit view to link to.
    assert "/returns/payments/edit/" not in html


def test_every_record_in_the_site_history_links_somewhere_that_answers(ledger):
    admin = client_for(superuser())
    response = admin.get("/admin/reports/site-history/")
    assert response.status_code == 200
    for entry in response.context["object_list"]:
        if entry.edit_url:
            assert admin.get(entry.edit_url).status_code == 200, entry.edit_url
