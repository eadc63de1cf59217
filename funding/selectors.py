"""Reads of funding data, scoped to who is asking, with the joins each screen needs kept in one place."""

from django.contrib.auth.models import Group
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from funding.models import Allocation, Area, FundingStream, Organisation, User
from funding.roles import OFFICE_ROLES, PROVIDER_ROLES


def office_scope(*, user: User, queryset: QuerySet) -> QuerySet:
    """Funding and set-up data belongs to the commissioner's office: nobody else reads it from here."""
    return queryset if user.is_office_user else queryset.none()


def organisation_list(*, user: User) -> QuerySet[Organisation]:
    organisations = Organisation.objects.all()
    if user.is_office_user:
        return organisations
    return organisations.filter(pk=user.organisation_id)


def area_list(*, user: User) -> QuerySet[Area]:
    # Areas are public reference data (ONS codes), so everyone may read them.
    return Area.objects.all()


def stream_list(*, user: User) -> QuerySet[FundingStream]:
    """Streams with their funder and owner, and their allocations (for what is not yet allocated)."""
    streams = FundingStream.objects.select_related("funder", "owner").prefetch_related(
        Prefetch("allocations", queryset=Allocation.objects.order_by("financial_year"))
    )
    return office_scope(user=user, queryset=streams)


def stream_get(*, user: User, pk: int) -> FundingStream:
    return get_object_or_404(stream_list(user=user), pk=pk)


def allocation_list(*, user: User) -> QuerySet[Allocation]:
    allocations = Allocation.objects.select_related("stream", "stream__funder")
    return office_scope(user=user, queryset=allocations)


def allocation_get(*, user: User, pk: int) -> Allocation:
    return get_object_or_404(allocation_list(user=user), pk=pk)


def office_user_list() -> QuerySet[User]:
    """The people who can own a stream or lead a grant: the office's users."""
    office_roles = [str(role) for role in OFFICE_ROLES]
    return User.objects.filter(Q(is_superuser=True) | Q(groups__name__in=office_roles)).distinct()


def organisation_user_list(*, user: User) -> QuerySet[User]:
    """The people of the user's own organisation, active or not, each with its provider roles as `provider_groups`
    (two queries however many there are). Nobody reads another organisation's users from here."""
    if user.organisation_id is None:
        return User.objects.none()
    provider_groups = Group.objects.filter(name__in=[str(role) for role in PROVIDER_ROLES]).order_by("name")
    return User.objects.filter(organisation_id=user.organisation_id).prefetch_related(
        Prefetch("groups", queryset=provider_groups, to_attr="provider_groups")
    )


def organisation_user_get(*, user: User, pk: int) -> User:
    """One person of the user's own organisation; any other id is not found (404), not forbidden."""
    return get_object_or_404(organisation_user_list(user=user), pk=pk)
