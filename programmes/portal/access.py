"""Who may use the provider portal: signed-in users of a provider organisation, and nobody else."""

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from funding.roles import Role


class ProviderRequiredMixin(AccessMixin):
    """Signs in anyone who is not; sends office users to the back office; refuses everyone else.

    Views that show records still read them through the selectors, which scope them to the user's organisation:
    this mixin decides who may enter, the selectors decide what they see.
    """

    required_roles: tuple[Role, ...] = (Role.PROVIDER_EDITOR, Role.PROVIDER_APPROVER)

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return self.handle_no_permission()
        if user.is_office_user:
            return redirect("wagtailadmin_home")
        if not (user.is_provider_user and user.organisation_id and user.has_role(*self.required_roles)):
            raise PermissionDenied("The provider portal is for providers' users.")
        return super().dispatch(request, *args, **kwargs)


class ProviderApproverRequiredMixin(ProviderRequiredMixin):
    required_roles = (Role.PROVIDER_APPROVER,)
