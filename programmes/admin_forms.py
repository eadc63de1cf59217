"""Forms for programmes and grants in the staff back office."""

from django import forms

from funding.admin_forms import OfficeUserChoicesForm, render_lightly
from programmes.models import Grant


class GrantAdminForm(OfficeUserChoicesForm):
    """A grant with its charges and budget lines; once active, a change to them also needs its reason."""

    variation_reason = forms.CharField(
        label="Reason for the variation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="This grant is active: a change to its amount, dates, charges or budget lines is a variation. "
        "Say why it is made; it is recorded with the values before and after.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None or self.instance.status != Grant.Status.ACTIVE:
            # A draft changes freely: there is nothing yet to vary.
            del self.fields["variation_reason"]
        render_lightly(self)


class ReviewReasonForm(forms.Form):
    """What an officer writes when returning a return for changes or reopening it. The service decides that it is
    needed (and says so), so the form does not repeat the rule."""

    reason = forms.CharField(required=False, strip=True, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, label: str, help_text: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].help_text = help_text
