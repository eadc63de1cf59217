"""Where a provider approver manages the organisation's users: the list, an invitation, a user's role, and
deactivating or reactivating them. Users are read through funding.selectors, scoped to the approver's own
organisation (another organisation's user is not found); the rules are in funding.services."""

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views import View
from django.views.generic import FormView, TemplateView

from funding import selectors, services
from funding.models import User
from funding.roles import Role
from programmes.portal.access import ProviderApproverRequiredMixin
from programmes.portal.user_forms import ConfirmForm, UserInviteForm, UserRolesForm


def role_label(member: User) -> str:
    """What the user can do, from the groups the selector prefetched."""
    names = {group.name for group in member.provider_groups}
    if Role.PROVIDER_APPROVER in names:
        return "Approver"
    if Role.PROVIDER_EDITOR in names:
        return "Editor"
    return "No portal role"


class UserListView(ProviderApproverRequiredMixin, TemplateView):
    template_name = "portal/users/list.html"

    def get_context_data(self, **kwargs):
        members = list(selectors.organisation_user_list(user=self.request.user))
        rows = [{"member": member, "role": role_label(member)} for member in members]
        return super().get_context_data(rows=rows, **kwargs)


class UserInviteView(ProviderApproverRequiredMixin, FormView):
    template_name = "portal/users/invite.html"
    form_class = UserInviteForm

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            invited = services.user_invite(
                organisation=self.request.user.organisation,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                roles=[data["role"]],
                invited_by=self.request.user,
            )
        except ValidationError as error:
            form.add_service_error(error)
            return self.form_invalid(form)
        messages.success(
            self.request, f"We have sent {invited.get_full_name()} an email at {invited.email} to set their password."
        )
        return redirect("portal:users")


class _LoadMember:
    def dispatch(self, request, *args, **kwargs):
        self.member = selectors.organisation_user_get(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class MemberMixin(ProviderApproverRequiredMixin, _LoadMember):
    """A view of one user of the approver's organisation. The approver check runs first, then the user is read
    through the selector, so another organisation's user answers 404 to every method."""

    member: User

    def name(self) -> str:
        return self.member.get_full_name() or self.member.email

    def after_changing_self(self, message: str):
        """Approvers who changed their own access may no longer use these pages: sign them out, or send them home."""
        user = User.objects.get(pk=self.request.user.pk)
        if not user.is_active:
            logout(self.request)
            messages.success(self.request, message)
            return redirect("portal:login")
        messages.success(self.request, message)
        if not user.has_role(Role.PROVIDER_APPROVER):
            return redirect("portal:home")
        return None


class UserDetailView(MemberMixin, FormView):
    """A user's details, with the form to change their role and the way to deactivate or reactivate them."""

    template_name = "portal/users/detail.html"
    form_class = UserRolesForm

    def get_initial(self):
        names = {group.name for group in self.member.provider_groups}
        role = Role.PROVIDER_APPROVER if Role.PROVIDER_APPROVER in names else Role.PROVIDER_EDITOR
        return {"role": role.value}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            member=self.member,
            role=role_label(self.member),
            is_self=self.member.pk == self.request.user.pk,
            **kwargs,
        )

    def form_valid(self, form):
        member = self.member
        try:
            services.user_change_roles(user=member, roles=[form.cleaned_data["role"]], changed_by=self.request.user)
        except ValidationError as error:
            form.add_service_error(error)
            return self.form_invalid(form)
        role = "an approver" if form.cleaned_data["role"] == Role.PROVIDER_APPROVER else "an editor"
        message = f"{self.name()} is now {role}."
        if member.pk == self.request.user.pk:
            return self.after_changing_self(message) or redirect("portal:user", pk=member.pk)
        messages.success(self.request, message)
        return redirect("portal:user", pk=member.pk)


class UserDeactivateView(MemberMixin, FormView):
    """Asks the approver to confirm, then deactivates the user."""

    template_name = "portal/users/deactivate.html"
    form_class = ConfirmForm

    def get(self, request, *args, **kwargs):
        if not self.member.is_active:
            return redirect("portal:user", pk=self.member.pk)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(member=self.member, is_self=self.member.pk == self.request.user.pk, **kwargs)

    def form_valid(self, form):
        member = self.member
        try:
            services.user_deactivate(user=member, deactivated_by=self.request.user)
        except ValidationError as error:
            form.add_service_error(error)
            return self.form_invalid(form)
        if member.pk == self.request.user.pk:
            return self.after_changing_self("You have deactivated your account and have been signed out.")
        messages.success(self.request, f"{self.name()} is deactivated and can no longer sign in.")
        return redirect("portal:users")


class MemberActionView(MemberMixin, View):
    """A button on a user's page that needs no confirmation; errors come back as a message on that page."""

    http_method_names = ["post"]

    def act(self, member: User) -> str:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        member = self.member
        try:
            message = self.act(member)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, message)
        return redirect("portal:user", pk=member.pk)


class UserReactivateView(MemberActionView):
    def act(self, member: User) -> str:
        services.user_reactivate(user=member, reactivated_by=self.request.user)
        return f"{self.name()} is active again and can sign in."


class UserResendInvitationView(MemberActionView):
    def act(self, member: User) -> str:
        services.user_invite_resend(user=member, invited_by=self.request.user)
        return f"We have sent {self.name()} a new link to set their password."
