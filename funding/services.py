from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from djmoney.money import Money
from wagtail.log_actions import log

from funding.fiscal import FinancialYear
from funding.models import Allocation, Area, FundingStream, Organisation, User
from funding.money import ZERO, format_gbp, gbp_sum
from funding.roles import OFFICE_ROLES, PROVIDER_ROLES, ROLE_PERMISSIONS, Role
from funding.signals import user_invited

# Who invited, changed or deactivated whom is kept in Wagtail's audit log (labels registered in wagtail_hooks).
USER_LOG_ACTIONS = {
    "invite": "outturn.user_invite",
    "roles": "outturn.user_roles",
    "deactivate": "outturn.user_deactivate",
    "reactivate": "outturn.user_reactivate",
}


def require_role(user: User | None, *roles: Role) -> None:
    """Refuse a write to anyone without one of the roles. `user=None` is the system itself (a set-up command)."""
    if user is not None and not user.has_role(*roles):
        names = " or ".join(str(role).lower() for role in roles)
        raise PermissionDenied(f"Only a {names} can do this.")


def roles_sync() -> None:
    """Create each role's group and give it exactly its permissions (idempotent; runs after every migrate)."""
    for role, perm_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = set()
        for name in perm_names:
            app_label, codename = name.split(".")
            wanted.update(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename).values_list(
                    "pk", flat=True
                )
            )
        group.permissions.set(wanted)


ALLOCATIONS_EXCEED_TOTAL = (
    "Allocations to {stream} would total {allocated}, {excess} more than its total of {total}. "
    "Reduce an allocation: {unallocated} is not yet allocated."
)
ALLOCATION_OUTSIDE_STREAM = "{stream} runs from {start} to {end}: it cannot have an allocation for {year}."
DUPLICATE_ALLOCATION_YEAR = "{stream} has more than one allocation for {year}: give each year once."


def stream_unallocated(*, stream: FundingStream, allocations=None) -> Money:
    """What of the stream's total is not yet allocated to a financial year."""
    allocations = stream.allocations.all() if allocations is None else allocations
    return stream.total - gbp_sum(a.amount for a in allocations)


def stream_validate(*, stream: FundingStream) -> None:
    """The rules on a stream and its allocations (the allocations may be unsaved, as an edit form holds them)."""
    stream.full_clean(exclude=["allocations"])
    allocations = list(stream.allocations.all())
    years = [a.financial_year for a in allocations]
    for year in set(years):
        if years.count(year) > 1:
            raise ValidationError(DUPLICATE_ALLOCATION_YEAR.format(stream=stream, year=FinancialYear(year)))
    stream_years = {fy.start_year for fy in stream.financial_years}
    for allocation in allocations:
        if allocation.amount.amount < 0:
            raise ValidationError(f"The allocation for {allocation.fy} cannot be negative.")
        if allocation.financial_year not in stream_years:
            raise ValidationError(
                ALLOCATION_OUTSIDE_STREAM.format(
                    stream=stream, start=stream.start_date, end=stream.end_date, year=allocation.fy
                )
            )
    unallocated = stream_unallocated(stream=stream, allocations=allocations)
    if unallocated.amount < 0:
        raise ValidationError(
            ALLOCATIONS_EXCEED_TOTAL.format(
                stream=stream,
                allocated=format_gbp(stream.total - unallocated),
                excess=format_gbp(-unallocated),
                total=format_gbp(stream.total),
                unallocated=format_gbp(ZERO),
            )
        )


@transaction.atomic
def stream_save(*, stream: FundingStream, user: User | None = None) -> FundingStream:
    """Create or change a funding stream with its allocations, refusing allocations beyond its total."""
    require_role(user, Role.COMMISSIONING_OFFICER)
    if stream.pk:
        # Lock the stream so two officers cannot each allocate the last of it.
        FundingStream.objects.select_for_update().filter(pk=stream.pk).first()
    stream_validate(stream=stream)
    stream.save()
    return stream


@transaction.atomic
def allocation_set(*, stream: FundingStream, financial_year: FinancialYear, amount: Money, user=None) -> Allocation:
    """Set one year's allocation of a stream, refusing one that takes allocations past the stream's total."""
    require_role(user, Role.COMMISSIONING_OFFICER)
    stream = FundingStream.objects.select_for_update().get(pk=stream.pk)
    allocation = stream.allocations.filter(financial_year=financial_year.start_year).first()
    if allocation is None:
        allocation = Allocation(stream=stream, financial_year=financial_year.start_year)
        stream.allocations.add(allocation)
    allocation.amount = amount
    stream_validate(stream=stream)
    allocation.full_clean()
    allocation.save()
    return allocation


def area_save(*, area: Area, user: User | None = None) -> Area:
    require_role(user, Role.COMMISSIONING_OFFICER)
    area.full_clean()
    area.save()
    return area


def organisation_save(*, organisation: Organisation, user: User | None = None) -> Organisation:
    require_role(user, Role.COMMISSIONING_OFFICER)
    organisation.full_clean()
    organisation.save()
    return organisation


# Provider users. An organisation's approvers manage its people (DESIGN.md, "Who may do what"); the organisation
# always keeps at least one active approver, so nobody is left unable to submit returns or manage users.

USER_EMAIL_IN_USE = "There is already an account with this email address. Enter a different email address."
USER_FIRST_NAME_REQUIRED = "Enter their first name"
USER_LAST_NAME_REQUIRED = "Enter their last name"
USER_ROLES_REQUIRED = "Select what the user can do"
USER_ROLES_NOT_PROVIDER = "Select editor or approver: the portal cannot give the role {roles}."
USER_LAST_APPROVER = "You are the only approver for {organisation}. Make someone else an approver first."
USER_OTHER_ORGANISATION = "You can only manage the users of your own organisation."
USER_NOT_APPROVER = "Only a provider approver of the organisation can manage its users."
USER_NOT_PROVIDER = (
    "{user} is a member of the commissioner's office staff: ask an administrator to change their account."
)
USER_HAS_SIGNED_UP = "{user} has already set a password. They can reset it from the sign-in page if they have lost it."
USER_DEACTIVATED = "{user} is deactivated. Reactivate them before sending a new invitation."


def _lock_organisation_users(*, organisation_id: int) -> None:
    """Lock every user of the organisation (in one order, so two approvers cannot deadlock), so that two approvers
    acting at once are served one after the other and cannot both take away each other's approver role."""
    list(User.objects.select_for_update().filter(organisation_id=organisation_id).order_by("pk").values_list("pk"))


def _require_organisation_approver(*, actor: User, organisation_id: int | None) -> None:
    """The actor must be an active approver of that organisation, as the database says now (after the lock), not
    as the actor's cached roles said when the request began."""
    require_role(actor, Role.PROVIDER_APPROVER)
    if organisation_id is None or actor.organisation_id != organisation_id:
        raise PermissionDenied(USER_OTHER_ORGANISATION)
    approver_now = User.objects.filter(
        pk=actor.pk, organisation_id=organisation_id, is_active=True, groups__name=Role.PROVIDER_APPROVER
    ).exists()
    if not approver_now:
        raise PermissionDenied(USER_NOT_APPROVER)


def _clean_roles(roles: Iterable[str]) -> set[str]:
    wanted = {str(role) for role in roles}
    if not wanted:
        raise ValidationError({"roles": USER_ROLES_REQUIRED})
    others = wanted - {str(role) for role in PROVIDER_ROLES}
    if others:
        raise ValidationError({"roles": USER_ROLES_NOT_PROVIDER.format(roles=", ".join(sorted(others)))})
    return wanted


def _forget_cached_roles(*users: User) -> None:
    for user in users:
        user.__dict__.pop("_role_names", None)


def _managed_user(*, user: User, actor: User) -> User:
    """Lock the actor's organisation, check the actor may manage it, and return the user afresh from the database,
    refusing a user of another organisation or one of the office's staff."""
    organisation_id = actor.organisation_id
    if organisation_id is not None:
        _lock_organisation_users(organisation_id=organisation_id)
    _require_organisation_approver(actor=actor, organisation_id=organisation_id)
    current = User.objects.select_related("organisation").get(pk=user.pk)
    if current.organisation_id != organisation_id:
        raise PermissionDenied(USER_OTHER_ORGANISATION)
    office_roles = [str(role) for role in OFFICE_ROLES]
    if current.is_superuser or current.is_staff or current.groups.filter(name__in=office_roles).exists():
        raise PermissionDenied(USER_NOT_PROVIDER.format(user=current))
    return current


def _keep_an_approver(*, user: User) -> None:
    """Refuse a change that would leave the user's organisation without an active approver. The actor is an active
    approver (checked under the lock), so this can only stop approvers removing themselves."""
    others = User.objects.filter(
        organisation_id=user.organisation_id, is_active=True, groups__name=Role.PROVIDER_APPROVER
    ).exclude(pk=user.pk)
    if not others.exists():
        raise ValidationError(USER_LAST_APPROVER.format(organisation=user.organisation))


@transaction.atomic
def user_invite(
    *,
    organisation: Organisation,
    email: str,
    first_name: str,
    last_name: str,
    roles: Iterable[str],
    invited_by: User,
) -> User:
    """Create a user of the approver's own organisation with an unusable password, and e-mail them (once the
    transaction commits) a link where they set their password."""
    _lock_organisation_users(organisation_id=organisation.pk)
    _require_organisation_approver(actor=invited_by, organisation_id=organisation.pk)
    email = User.objects.normalize_email((email or "").strip())
    errors: dict[str, str] = {}
    if email and User.objects.filter(email__iexact=email).exists():
        errors["email"] = USER_EMAIL_IN_USE
    if not (first_name or "").strip():
        errors["first_name"] = USER_FIRST_NAME_REQUIRED
    if not (last_name or "").strip():
        errors["last_name"] = USER_LAST_NAME_REQUIRED
    try:
        wanted = _clean_roles(roles)
    except ValidationError as error:
        errors.update({field: messages[0] for field, messages in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    user = User(
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        organisation=organisation,
        is_active=True,
    )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    user.groups.add(*Group.objects.filter(name__in=wanted))
    log(instance=user, action=USER_LOG_ACTIONS["invite"], user=invited_by, data={"roles": sorted(wanted)})
    # The portal e-mails the link once this commits; if that fails, the approver can send a new invitation.
    user_invited.send(sender=User, user=user, invited_by=invited_by)
    return user


@transaction.atomic
def user_invite_resend(*, user: User, invited_by: User) -> User:
    """Send a new set-password link to an invited user who has not set a password yet (the first may have expired)."""
    user = _managed_user(user=user, actor=invited_by)
    if user.has_usable_password():
        raise ValidationError(USER_HAS_SIGNED_UP.format(user=user))
    if not user.is_active:
        raise ValidationError(USER_DEACTIVATED.format(user=user))
    log(instance=user, action=USER_LOG_ACTIONS["invite"], user=invited_by, data={"again": True})
    user_invited.send(sender=User, user=user, invited_by=invited_by)
    return user


@transaction.atomic
def user_change_roles(*, user: User, roles: Iterable[str], changed_by: User) -> User:
    """Give a user of the approver's organisation exactly these provider roles (at least one). The last active
    approver cannot give up the approver role."""
    user = _managed_user(user=user, actor=changed_by)
    wanted = _clean_roles(roles)
    if str(Role.PROVIDER_APPROVER) not in wanted:
        _keep_an_approver(user=user)
    provider_groups = list(Group.objects.filter(name__in=[str(role) for role in PROVIDER_ROLES]))
    user.groups.remove(*[group for group in provider_groups if group.name not in wanted])
    user.groups.add(*[group for group in provider_groups if group.name in wanted])
    _forget_cached_roles(user, changed_by)
    log(instance=user, action=USER_LOG_ACTIONS["roles"], user=changed_by, data={"roles": sorted(wanted)})
    return user


@transaction.atomic
def user_deactivate(*, user: User, deactivated_by: User) -> User:
    """Stop a user of the approver's organisation signing in (their sessions end at their next request). The last
    active approver cannot deactivate themselves."""
    user = _managed_user(user=user, actor=deactivated_by)
    if not user.is_active:
        return user
    _keep_an_approver(user=user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    log(instance=user, action=USER_LOG_ACTIONS["deactivate"], user=deactivated_by)
    return user


@transaction.atomic
def user_reactivate(*, user: User, reactivated_by: User) -> User:
    """Let a deactivated user of the approver's organisation sign in again, with the roles they had."""
    user = _managed_user(user=user, actor=reactivated_by)
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        log(instance=user, action=USER_LOG_ACTIONS["reactivate"], user=reactivated_by)
    return user
