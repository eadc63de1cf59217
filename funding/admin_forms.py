"""Form pieces for the staff back office (Wagtail admin): the money widget and the user forms."""

from django import forms
from django.utils.choices import BaseChoiceIterator
from djmoney.forms.widgets import MoneyWidget
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.users.forms import UserCreationForm, UserEditForm

from funding.fields import GBP
from funding.models import Organisation
from funding.roles import PROVIDER_ROLES
from funding.selectors import lead_officer_list
from funding.widgets import Select

ORGANISATION_REQUIRED_FOR_PROVIDER_ROLE = "Choose the organisation this user works for: a provider role acts for one."


class GBPMoneyWidget(MoneyWidget):
    """An amount in pounds: the currency is fixed to GBP, so it is neither shown nor taken from the request."""

    def __init__(self, attrs=None):
        super().__init__(
            amount_widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            currency_widget=forms.HiddenInput,
            default_currency=GBP,
            attrs=attrs,
        )

    def value_from_datadict(self, data, files, name):
        amount = self.widgets[0].value_from_datadict(data, files, f"{name}_0")
        return [amount, GBP]


class OfficeUserChoicesForm(WagtailAdminModelForm):
    """A set-up form whose people fields (owner, lead officer, senior responsible officer) offer only the people who
    can lead (funding.roles.LEAD_ROLES), and whoever the record names now."""

    office_user_fields: tuple[str, ...] = ("owner", "lead_officer", "senior_responsible_officer")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.office_user_fields:
            if name in self.fields:
                current = getattr(self.instance, f"{name}_id", None)
                self.fields[name].queryset = lead_officer_list(keep=current)


class OrganisationUserFormMixin(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(),
        required=False,
        help_text="Everyone belongs to one organisation; provider users see only their organisation's grants.",
    )

    def clean(self):
        cleaned_data = super().clean()
        roles = {group.name for group in cleaned_data.get("groups") or []}
        if roles & PROVIDER_ROLES and not cleaned_data.get("organisation"):
            self.add_error("organisation", ORGANISATION_REQUIRED_FOR_PROVIDER_ROLE)
        return cleaned_data


class OutturnUserCreationForm(OrganisationUserFormMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = UserCreationForm.Meta.fields | {"organisation"}


class OutturnUserEditForm(OrganisationUserFormMixin, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = UserEditForm.Meta.fields | {"organisation"}


# --- Forms rendered lightly ---------------------------------------------------------------------------------------


class ChoicesReadOnce(BaseChoiceIterator):
    """A choice field's options, read the first time they are needed and kept for the rest of the request.

    A model choice field reads its options from the database every time they are iterated. Wagtail renders each
    select twice (in the page, and in the panel definition its scripts use) and an inline panel renders the same
    select in every row: a grant's edit screen read the funding streams once per charge, so its queries grew with
    its rows.
    """

    def __init__(self, choices):
        self.choices = choices
        self.read = None

    def _read(self) -> list:
        if self.read is None:
            # Through iter(): list() would first ask a model choice iterator its length, a query of its own.
            self.read = list(iter(self.choices))
        return self.read

    def __iter__(self):
        return iter(self._read())

    def __len__(self):
        return len(self._read())


def render_lightly(form, *, shared: dict | None = None) -> None:
    """Make a back-office form cheap to render, in the form and in every row of its inline formsets:

    - each select is written in one pass (Select);
    - each model choice field reads its options once (ChoicesReadOnce), and the rows of a formset share what the
      first row read (`shared`), so the queries of a grant's edit screen do not grow with its charges;
    - no field carries "Add comment" buttons: Wagtail's comments are for pages, so on these models each field's
      pair of buttons was hidden markup, 15% of a grant's edit screen for the browser to parse and style.
    """
    shared = {} if shared is None else shared
    for name, field in form.fields.items():
        field.widget.show_add_comment_button = False  # read by Wagtail's FieldPanel
        if not isinstance(field, forms.ChoiceField) or field.widget.is_hidden:
            continue
        if type(field.widget) is forms.Select:
            quick = Select(attrs=field.widget.attrs, choices=field.widget.choices)
            quick.is_required, quick.is_localized = field.widget.is_required, field.widget.is_localized
            quick.show_add_comment_button = False
            field.widget = quick
        if isinstance(field, forms.ModelChoiceField):
            if name not in shared:
                shared[name] = ChoicesReadOnce(field.choices)
            field.choices = shared[name]
    for formset in getattr(form, "formsets", {}).values():
        _rows_render_lightly(formset)


def _rows_render_lightly(formset) -> None:
    """Every row of an inline formset, and its empty row (the template for a new one), through Django's hook for
    each row's fields."""
    shared: dict = {}
    add_fields = formset.add_fields

    def add_fields_lightly(row, index):
        add_fields(row, index)
        render_lightly(row, shared=shared)

    formset.add_fields = add_fields_lightly
    for row in formset.__dict__.get("forms", []):  # rows already built
        render_lightly(row, shared=shared)
