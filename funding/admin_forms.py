"""Form pieces for the staff back office (Wagtail admin): the money widget and the user forms."""

from django import forms
from djmoney.forms.widgets import MoneyWidget
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.users.forms import UserCreationForm, UserEditForm

from funding.fields import GBP
from funding.models import Organisation
from funding.roles import PROVIDER_ROLES
from funding.selectors import office_user_list

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
    """A set-up form whose people fields (owner, lead officer) offer the office's users, not providers'."""

    office_user_fields: tuple[str, ...] = ("owner", "lead_officer", "senior_responsible_officer")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.office_user_fields:
            if name in self.fields:
                self.fields[name].queryset = office_user_list()


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
