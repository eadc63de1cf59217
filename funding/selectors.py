"""Reads of funding data, scoped to who is asking, with the joins each screen needs kept in one place."""

from django.contrib.auth.models import Group
from django.db.models import Exists, Model, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from funding.fields import financial_year_choices
from funding.fiscal import FinancialYear
from funding.models import Allocation, Area, FundingStream, Organisation, User
from funding.roles import LEAD_ROLES, PROVIDER_ROLES


def office_scope(*, user: User, queryset: QuerySet) -> QuerySet:
    """Funding and set-up data belongs to the commissioner's office: only its readers of records (not content
    editors, not providers) read it from here (roles.RECORD_READER_ROLES)."""
    return queryset if user.reads_office_records else queryset.none()


def organisation_list(*, user: User) -> QuerySet[Organisation]:
    organisations = Organisation.objects.all()
    if user.reads_office_records:
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


def lead_officer_list(*, keep: int | None = None) -> QuerySet[User]:
    """The people who can lead a grant, own a stream or be a programme's senior responsible officer: active users
    holding a role in roles.LEAD_ROLES (commissioning officers), not the rest of the office. `keep` is the person a
    record names now, kept on offer even if they have since left or changed role, so that it can still be saved."""
    leads = Q(is_active=True, groups__name__in=[str(role) for role in LEAD_ROLES])
    if keep is not None:
        leads |= Q(pk=keep)
    return User.objects.filter(leads).distinct()


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


def financial_years_with_data(*columns: tuple[type[Model], str]) -> list[FinancialYear]:
    """The financial years that some row holds in any of the columns (a model and its financial year field), oldest
    first: what a listing's year filter offers.

    One query a column, asking of each year a financial year field accepts whether a row holds it (EXISTS), which an
    index on the column answers without reading the rows: 2.2 million indicator values take as long as a few hundred
    allocations, where a DISTINCT would read them all. The answers come on the table's first row: none if empty."""
    accepted = [year for year, _ in financial_year_choices()]
    years = set()
    for model, field in columns:
        rows = model._default_manager.order_by()
        held = {f"held_{year}": Exists(rows.filter(**{field: year})) for year in accepted}
        for answers in rows.annotate(**held).values(*held)[:1]:
            years.update(year for year in accepted if answers[f"held_{year}"])
    return [FinancialYear(year) for year in sorted(years)]
