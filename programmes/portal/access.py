"""Who may use the provider portal: signed-in users of a provider organisation, and nobody else; and the way back
to it for a provider who finds the back office instead."""

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from funding.roles import Role

# Shown on the 403 page: what the person can do about it.
NOT_A_PROVIDER = "The provider portal is for providers' users. Ask your organisation's approver to give you a role."
ONLY_APPROVERS = "Only your organisation's approvers can manage its users. Ask one of them to make the change."


class ProviderRequiredMixin(AccessMixin):
    """Signs in anyone who is not; sends office users to the back office; refuses everyone else.

    Views that show records still read them through the selectors, which scope them to the user's organisation:
    this mixin decides who may enter, the selectors decide what they see.
    """

    required_roles: tuple[Role, ...] = (Role.PROVIDER_EDITOR, Role.PROVIDER_APPROVER)
    #: What the styled 403 page (templates/403.html) tells a provider's user without one of the required roles.
    refused = NOT_A_PROVIDER

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return self.handle_no_permission()
        if user.is_office_user:
            return redirect("wagtailadmin_home")
        if not (user.is_provider_user and user.organisation_id):
            raise PermissionDenied(NOT_A_PROVIDER)
        if not user.has_role(*self.required_roles):
            raise PermissionDenied(self.refused)
        return super().dispatch(request, *args, **kwargs)


class ProviderApproverRequiredMixin(ProviderRequiredMixin):
    required_roles = (Role.PROVIDER_APPROVER,)
    refused = ONLY_APPROVERS


BACK_OFFICE_IS_FOR_THE_OFFICE = (
    "The back office is for the Commissioner's office. You are signed in to the provider portal, where your "
    "organisation's grants and returns are."
)


class ProvidersToPortalMiddleware:
    """A provider's user who opens the back office (/admin/, or signs in there) is sent to the provider portal,
    signed in, and told why, rather than left on the back office's sign-in page with "You do not have permission to
    access the admin". The mirror of the portal sending office users to the back office (ProviderRequiredMixin).
    They sign out in the portal: the back office's own sign-out is only for those who may use it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The path first: the public site's requests never load the user for this.
        if request.path.startswith(reverse("wagtailadmin_home")):
            user = request.user
            if user.is_authenticated and user.is_provider_user and not user.is_office_user:
                messages.info(request, BACK_OFFICE_IS_FOR_THE_OFFICE)
                return redirect("portal:home")
        return self.get_response(request)
