"""The rules on provider users, against the database: who may manage whom, provider roles only, one approver kept."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from funding import services
from funding.models import User
from funding.roles import Role
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def invite(organisation, invited_by, email="new@provider.example", roles=(Role.PROVIDER_EDITOR,)) -> User:
    return services.user_invite(
        organisation=organisation, email=email, first_name="New", last_name="Person", roles=roles, invited_by=invited_by
    )


def test_invite_creates_an_active_user_with_no_password_yet(
    provider, provider_approver, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user = invite(provider, provider_approver, email="New@PROVIDER.example")
    assert user.email == "New@provider.example"  # the domain is normalised, the local part kept
    assert user.organisation == provider and user.is_active and not user.has_usable_password()
    assert user.role_names == {Role.PROVIDER_EDITOR}
    assert len(mailoutbox) == 1 and "/portal/password-reset/" in mailoutbox[0].body


def test_no_email_leaves_before_the_transaction_commits(provider, provider_approver, mailoutbox):
    invite(provider, provider_approver)
    assert mailoutbox == []  # sent on commit, so a rolled-back invitation sends nothing


def test_an_editor_cannot_invite(provider, provider_editor):
    with pytest.raises(PermissionDenied):
        invite(provider, provider_editor)


def test_an_approver_cannot_invite_into_another_organisation(provider_approver):
    other = OrganisationFactory(name="Elsewhere (test)")
    with pytest.raises(PermissionDenied, match=services.USER_OTHER_ORGANISATION):
        invite(other, provider_approver)
    assert not User.objects.filter(email="new@provider.example").exists()


def test_an_office_user_cannot_use_the_provider_services(provider, officer, provider_editor):
    with pytest.raises(PermissionDenied):
        invite(provider, officer)
    with pytest.raises(PermissionDenied):
        services.user_deactivate(user=provider_editor, deactivated_by=officer)


@pytest.mark.parametrize(
    ("roles", "message"),
    [([], services.USER_ROLES_REQUIRED), ([Role.COMMISSIONING_OFFICER], "cannot give the role Commissioning officer")],
)
def test_roles_must_be_provider_roles_and_at_least_one(provider, provider_approver, provider_editor, roles, message):
    with pytest.raises(ValidationError, match=message):
        invite(provider, provider_approver, roles=roles)
    with pytest.raises(ValidationError, match=message):
        services.user_change_roles(user=provider_editor, roles=roles, changed_by=provider_approver)
    assert User.objects.get(pk=provider_editor.pk).role_names == {Role.PROVIDER_EDITOR}


def test_a_user_may_hold_both_provider_roles(provider_approver, provider_editor):
    services.user_change_roles(
        user=provider_editor, roles=[Role.PROVIDER_EDITOR, Role.PROVIDER_APPROVER], changed_by=provider_approver
    )
    assert User.objects.get(pk=provider_editor.pk).role_names == {Role.PROVIDER_EDITOR, Role.PROVIDER_APPROVER}


def test_an_email_in_use_is_refused_whatever_its_case(provider, provider_approver):
    with pytest.raises(ValidationError) as error:
        invite(provider, provider_approver, email="APPROVER@provider.example")
    assert error.value.message_dict == {"email": [services.USER_EMAIL_IN_USE]}


def test_an_approver_cannot_touch_another_organisations_users(provider_approver):
    stranger = UserFactory(organisation=OrganisationFactory(name="Elsewhere (test)"), roles=[Role.PROVIDER_EDITOR])
    for call in (
        lambda: services.user_change_roles(user=stranger, roles=[Role.PROVIDER_APPROVER], changed_by=provider_approver),
        lambda: services.user_deactivate(user=stranger, deactivated_by=provider_approver),
        lambda: services.user_reactivate(user=stranger, reactivated_by=provider_approver),
        lambda: services.user_invite_resend(user=stranger, invited_by=provider_approver),
    ):
        with pytest.raises(PermissionDenied, match=services.USER_OTHER_ORGANISATION):
            call()
    stranger.refresh_from_db()
    assert stranger.is_active and stranger.role_names == {Role.PROVIDER_EDITOR}


def test_office_staff_in_a_provider_organisation_are_not_managed_from_the_portal(provider, provider_approver):
    staff = UserFactory(organisation=provider, roles=[Role.FINANCE_OFFICER])
    with pytest.raises(PermissionDenied):
        services.user_deactivate(user=staff, deactivated_by=provider_approver)


def test_the_last_approver_keeps_the_role_and_stays_active(provider, provider_approver):
    message = re.escape("You are the only approver for Chit Chat 4 U (test). Make someone else an approver first.")
    with pytest.raises(ValidationError, match=message):
        services.user_change_roles(user=provider_approver, roles=[Role.PROVIDER_EDITOR], changed_by=provider_approver)
    with pytest.raises(ValidationError, match=message):
        services.user_deactivate(user=provider_approver, deactivated_by=provider_approver)
    provider_approver.refresh_from_db()
    assert provider_approver.is_active and provider_approver.role_names == {Role.PROVIDER_APPROVER}


def test_a_deactivated_approver_does_not_count_as_the_one_kept(provider, provider_approver):
    other = UserFactory(organisation=provider, roles=[Role.PROVIDER_APPROVER])
    services.user_deactivate(user=other, deactivated_by=provider_approver)
    with pytest.raises(ValidationError):
        services.user_deactivate(user=provider_approver, deactivated_by=provider_approver)


def test_a_deactivated_approver_can_no_longer_manage_users(provider, provider_approver, provider_editor):
    other = UserFactory(organisation=provider, roles=[Role.PROVIDER_APPROVER])
    services.user_deactivate(user=other, deactivated_by=provider_approver)
    other_stale = User.objects.get(pk=other.pk)
    other_stale.is_active = True  # as the request that began before the deactivation still believes
    with pytest.raises(PermissionDenied):
        services.user_deactivate(user=provider_editor, deactivated_by=other_stale)


def test_resending_refuses_users_who_have_set_a_password(provider_approver, provider_editor):
    with pytest.raises(ValidationError, match="has already set a password"):
        services.user_invite_resend(user=provider_editor, invited_by=provider_approver)


def test_who_invited_changed_and_deactivated_whom_is_kept_in_the_audit_log(provider_approver):
    from wagtail.models import ModelLogEntry

    invited = services.user_invite(
        organisation=provider_approver.organisation,
        email="new.caseworker@provider.example",
        first_name="New",
        last_name="Caseworker",
        roles=[Role.PROVIDER_EDITOR],
        invited_by=provider_approver,
    )
    services.user_change_roles(user=invited, roles=[Role.PROVIDER_APPROVER], changed_by=provider_approver)
    services.user_deactivate(user=invited, deactivated_by=provider_approver)
    entries = ModelLogEntry.objects.filter(object_id=str(invited.pk)).order_by("timestamp", "pk")
    assert [(e.action, e.user_id) for e in entries] == [
        ("outturn.user_invite", provider_approver.pk),
        ("outturn.user_roles", provider_approver.pk),
        ("outturn.user_deactivate", provider_approver.pk),
    ]
    assert entries[1].data == {"roles": ["Provider approver"]}
