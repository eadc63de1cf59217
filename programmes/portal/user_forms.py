"""Forms with which a provider approver invites the organisation's users and changes what they can do."""

from django import forms
from django.core.exceptions import ValidationError

from funding.roles import Role
from programmes.portal.forms import GovUKForm

ROLE_CHOICES = [
    (Role.PROVIDER_EDITOR.value, "Editor: prepares returns"),
    (Role.PROVIDER_APPROVER.value, "Approver: prepares and submits returns, manages users"),
]


def role_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="What can they do?",
        choices=ROLE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what the user can do",
            "invalid_choice": "Select editor or approver",
        },
    )


class ServiceErrorsMixin:
    """Shows a service's ValidationError on the form: its fields' messages inline, anything else in the summary."""

    service_fields = {"roles": "role"}
    # Where a message that names no field goes: None is the error summary alone.
    non_field_target: str | None = None

    def add_service_error(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(self.non_field_target, error)
            return
        for field, messages in error.message_dict.items():
            name = self.service_fields.get(field, field)
            self.add_error(name if name in self.fields else None, messages)


class UserInviteForm(ServiceErrorsMixin, GovUKForm):
    email = forms.EmailField(
        label="Email address",
        help_text="They will sign in with this address.",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Enter an email address that is 254 characters or fewer",
        },
    )
    first_name = forms.CharField(
        label="First name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter their first name",
            "max_length": "Enter a first name that is 150 characters or fewer",
        },
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter their last name",
            "max_length": "Enter a last name that is 150 characters or fewer",
        },
    )
    role = role_field()


class UserRolesForm(ServiceErrorsMixin, GovUKForm):
    role = role_field()
    non_field_target = "role"  # "You are the only approver…" is about the role chosen


class ConfirmForm(ServiceErrorsMixin, GovUKForm):
    """A confirmation with no fields: its errors are the service's, shown in the error summary."""
