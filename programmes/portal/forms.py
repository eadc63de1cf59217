"""Forms for the provider portal, rendered with GOV.UK Frontend's markup and its error messages."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.auth import forms as auth_forms
from django.forms.renderers import TemplatesSetting
from djmoney.money import Money

from funding.fields import GBP


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


class MoneyField(forms.Field):
    """An amount in pounds and pence, as a person types it ("1,250.50" or "£1250.5"), returned as Money in GBP.

    `what` names the amount in the error messages, as GOV.UK asks ("Enter the amount spent on travel").
    """

    widget = MoneyInput

    def __init__(self, *, what: str, **kwargs):
        self.what = what
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip().replace(",", "").replace("£", "").replace(" ", "")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(f"Enter {self.what} as an amount in pounds and pence, like 1250.50") from None
        if not amount.is_finite():
            raise forms.ValidationError(f"Enter {self.what} as an amount in pounds and pence, like 1250.50")
        if amount < 0:
            raise forms.ValidationError(f"Enter {self.what} as 0 or more; it cannot be negative")
        if amount != amount.quantize(Decimal("0.01")):
            raise forms.ValidationError(f"Enter {self.what} in pounds and pence, with no more than 2 decimal places")
        if amount >= Decimal("1000000000000"):
            raise forms.ValidationError(f"Enter {self.what} as an amount under £1,000,000,000,000")
        return Money(amount, GBP)

    def prepare_value(self, value):
        if isinstance(value, Money):
            return f"{value.amount:.2f}"
        return value


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
