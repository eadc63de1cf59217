"""The provider portal's sign-in, home and grant pages. Records are read through selectors scoped to the user."""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.views.generic import TemplateView

from programmes.portal import selectors
from programmes.portal.access import ProviderRequiredMixin
from programmes.portal.forms import SetPasswordForm, SignInForm
from programmes.services import today


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "portal/sign_in.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        # Office users belong in the back office; the portal is for providers.
        if self.request.user.is_office_user:
            return "/admin/"
        return super().get_default_redirect_url()


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """Set a password from an e-mailed link (a reset or an invitation); a deactivated user's links stop working."""

    form_class = SetPasswordForm
    template_name = "portal/password_set.html"
    success_url = reverse_lazy("portal:password_set_done")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None


class HomeView(ProviderRequiredMixin, TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            grants=selectors.portal_grant_list(user=user),
            tasks=selectors.portal_return_tasks(user=user, on=today()),
            **kwargs,
        )


class GrantView(ProviderRequiredMixin, TemplateView):
    template_name = "portal/grant.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            summary=selectors.portal_grant_summary(user=self.request.user, pk=self.kwargs["pk"], on=today()), **kwargs
        )
