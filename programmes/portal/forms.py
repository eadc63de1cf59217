"""Forms for the provider portal, rendered with GOV.UK Frontend's markup and its error messages."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.forms.renderers import TemplatesSetting

from funding.forms import AmountField


class GovUKRenderer(TemplatesSetting):
    form_template_name = "govuk/forms/form.html"
    field_template_name = "govuk/forms/field.html"


class GovUKFormMixin:
    """Renders `{{ form }}` as GOV.UK form groups; pair with govuk/forms/error_summary.html at the top."""

    default_renderer = GovUKRenderer()


class GovUKForm(GovUKFormMixin, forms.Form):
    pass


class MoneyInput(forms.TextInput):
    """A pounds input: the £ prefix is drawn by the field template; decimal keyboard on phones."""

    prefix = "£"

    def __init__(self, attrs=None):
        super().__init__(
            {"inputmode": "decimal", "class": "govuk-input--width-10", "spellcheck": "false", **(attrs or {})}
        )


class MoneyField(AmountField):
    """An amount in pounds and pence, as a person types it ("1,250.50" or "£1250.5"), returned as Money in GBP: the
    shared AmountField (funding/forms.py) with the portal's £ input.

    `what` names the amount in the error messages, as GOV.UK asks ("Enter the amount spent on travel").
    """

    widget = MoneyInput


class SignInForm(GovUKFormMixin, auth_forms.AuthenticationForm):
    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        # Deactivated accounts get this message too (Django's backend refuses them first), revealing nothing.
        "invalid_login": "Enter a correct email address and password. Both may be case-sensitive.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        self.fields["username"].error_messages["required"] = "Enter your email address"
        self.fields["password"].error_messages["required"] = "Enter your password"


class PasswordResetForm(GovUKFormMixin, auth_forms.PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].error_messages["required"] = "Enter your email address"


class SetPasswordForm(GovUKFormMixin, auth_forms.SetPasswordForm):
    """Setting a password from an e-mailed link: after a reset, or to accept an invitation."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"
