"""Render Django form fields with GOV.UK Frontend's markup (see docs/adr/0002-govuk-forms.md)."""

from django import template
from django.forms import BoundField

register = template.Library()

INPUT_CLASSES = {
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "clearablefileinput": "govuk-file-upload",
    "fileinput": "govuk-file-upload",
}


def describedby(field: BoundField) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


@register.simple_tag
def govuk_widget(field: BoundField) -> str:
    """The field's own widget, with GOV.UK classes, its width, and the ids of its hint and error message."""
    css = INPUT_CLASSES.get(field.widget_type, "govuk-input")
    widget_class = field.field.widget.attrs.get("class", "")
    classes = [css, widget_class]
    if field.errors:
        classes.append(f"{css}--error")
    attrs = {"class": " ".join(c for c in classes if c)}
    if described := describedby(field):
        attrs["aria-describedby"] = described
    return field.as_widget(attrs=attrs)


@register.filter
def govuk_describedby(field: BoundField) -> str:
    return describedby(field)


@register.filter
def first_input_id(field: BoundField) -> str:
    """Where an error summary link lands: the field, or the first of its radios or checkboxes."""
    if field.widget_type in {"radioselect", "checkboxselectmultiple"}:
        return f"{field.auto_id}_0"
    return field.id_for_label
