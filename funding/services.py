from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from djmoney.money import Money

from funding.fiscal import FinancialYear
from funding.models import Allocation, Area, FundingStream, Organisation, User
from funding.money import ZERO, format_gbp, gbp_sum
from funding.roles import ROLE_PERMISSIONS, Role


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
