"""Reads of programmes, grants and their workflow records, scoped to who is asking.

The office reads everything; a provider's users read only their own organisation's grants and what hangs off
them. Each function keeps the joins its screens need, so a listing makes the same number of queries however
many rows it shows.
"""

import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from funding.models import User
from programmes.models import (
    BudgetLine,
    BudgetProfile,
    Grant,
    GrantCharge,
    GrantVariation,
    Indicator,
    IndicatorValue,
    Payment,
    Programme,
    QuarterlyReturn,
    ReturnTransition,
    SpendForecast,
    SpendLine,
    Target,
)


def _scope(*, user: User, queryset: QuerySet, provider_field: str, many: bool = False) -> QuerySet:
    """Everything for the office; a provider's own records for its users; nothing for anyone else.

    `many` says the path to the provider crosses a one-to-many relation, so rows must not repeat.
    """
    if user.is_office_user:
        return queryset
    if user.is_provider_user and user.organisation_id:
        scoped = queryset.filter(**{provider_field: user.organisation_id})
        return scoped.distinct() if many else scoped
    return queryset.none()


def programme_list(*, user: User) -> QuerySet[Programme]:
    grants = Grant.objects.filter(programme=OuterRef("pk")).order_by().values("programme").annotate(n=Count("pk"))
    programmes = Programme.objects.select_related("senior_responsible_officer").annotate(
        grant_count=Coalesce(Subquery(grants.values("n")), 0)
    )
    return _scope(user=user, queryset=programmes, provider_field="grants__provider", many=True)


def programme_get(*, user: User, pk: int) -> Programme:
    return get_object_or_404(programme_list(user=user).prefetch_related("areas"), pk=pk)


def _overridden_charges():
    return GrantCharge.objects.filter(grant=OuterRef("pk")).exclude(override_reason="")


def grant_list(*, user: User) -> QuerySet[Grant]:
    grants = Grant.objects.select_related("provider", "programme", "lead_officer").annotate(
        has_override=Exists(_overridden_charges())
    )
    return _scope(user=user, queryset=grants, provider_field="provider")


def grant_get(*, user: User, pk: int) -> Grant:
    grant = grant_list(user=user).prefetch_related(
        "areas",
        Prefetch("charges", queryset=GrantCharge.objects.select_related("stream", "overridden_by")),
        Prefetch("budget_lines", queryset=BudgetLine.objects.prefetch_related("profile")),
        Prefetch("variations", queryset=GrantVariation.objects.select_related("made_by")),
    )
    return get_object_or_404(grant, pk=pk)


def budget_line_list(*, user: User) -> QuerySet[BudgetLine]:
    profiled = (
        BudgetProfile.objects.filter(budget_line=OuterRef("pk"))
        .order_by()
        .values("budget_line")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    lines = BudgetLine.objects.select_related("grant", "grant__provider", "grant__programme").annotate(
        profiled=Subquery(profiled)
    )
    return _scope(user=user, queryset=lines, provider_field="grant__provider")


def budget_line_get(*, user: User, pk: int) -> BudgetLine:
    return get_object_or_404(budget_line_list(user=user).prefetch_related("profile"), pk=pk)


def indicator_list(*, user: User) -> QuerySet[Indicator]:
    indicators = Indicator.objects.select_related("programme", "area")
    return _scope(user=user, queryset=indicators, provider_field="programme__grants__provider", many=True)


def target_list(*, user: User) -> QuerySet[Target]:
    targets = Target.objects.select_related("indicator", "grant", "grant__provider", "programme")
    return _scope(user=user, queryset=targets, provider_field="grant__provider")


def charge_override_list(*, user: User) -> QuerySet[GrantCharge]:
    """Grant charges an officer took past their stream's year allocation, with the reason recorded."""
    charges = (
        GrantCharge.objects.exclude(override_reason="")
        .select_related("grant", "grant__provider", "grant__programme", "stream", "overridden_by")
        .order_by("-overridden_at", "-pk")
    )
    return _scope(user=user, queryset=charges, provider_field="grant__provider")


def payment_override_list(*, user: User) -> QuerySet[Payment]:
    """Payments that took a grant's payments past its amount, with the reason recorded."""
    payments = (
        Payment.objects.exclude(override_reason="")
        .select_related("grant", "grant__provider", "grant__programme", "overridden_by")
        .order_by("-overridden_at", "-pk")
    )
    return _scope(user=user, queryset=payments, provider_field="grant__provider")


def return_list(*, user: User) -> QuerySet[QuarterlyReturn]:
    returns = QuarterlyReturn.objects.select_related("grant", "grant__provider", "grant__programme")
    return _scope(user=user, queryset=returns, provider_field="grant__provider")


def return_get(*, user: User, pk: int) -> QuarterlyReturn:
    """A return with everything its inspect screen shows: timeline, spend, forecasts, indicator values."""
    quarterly_return = (
        return_list(user=user)
        .select_related("submitted_by")
        .prefetch_related(
            Prefetch("transitions", queryset=ReturnTransition.objects.select_related("by").order_by("at", "pk")),
            Prefetch("spend_lines", queryset=SpendLine.objects.select_related("budget_line")),
            Prefetch("forecasts", queryset=SpendForecast.objects.select_related("budget_line")),
            Prefetch("indicator_values", queryset=IndicatorValue.objects.select_related("indicator")),
            "evidence",
            "payments",
        )
    )
    return get_object_or_404(quarterly_return, pk=pk)


def payment_list(*, user: User) -> QuerySet[Payment]:
    payments = Payment.objects.select_related("grant", "grant__provider", "grant__programme", "released_by_return")
    return _scope(user=user, queryset=payments, provider_field="grant__provider")


def payment_get(*, user: User, pk: int) -> Payment:
    return get_object_or_404(payment_list(user=user).select_related("overridden_by"), pk=pk)


def indicator_value_list(*, user: User) -> QuerySet[IndicatorValue]:
    values = IndicatorValue.objects.select_related(
        "indicator", "grant", "grant__provider", "quarterly_return", "entered_by", "approved_by"
    )
    return _scope(user=user, queryset=values, provider_field="grant__provider")


def indicator_value_get(*, user: User, pk: int) -> IndicatorValue:
    return get_object_or_404(indicator_value_list(user=user), pk=pk)


def variation_list(*, user: User) -> QuerySet[GrantVariation]:
    variations = GrantVariation.objects.select_related("grant", "grant__provider", "grant__programme", "made_by")
    return _scope(user=user, queryset=variations, provider_field="grant__provider")


def variation_get(*, user: User, pk: int) -> GrantVariation:
    return get_object_or_404(variation_list(user=user), pk=pk)


def office_work_counts(*, on: datetime.date) -> dict[str, int]:
    """What waits for the office on a given day: returns to review, overdue and sent back, and overrides."""
    counts = QuarterlyReturn.objects.aggregate(
        to_review=Count("pk", filter=Q(status=QuarterlyReturn.Status.SUBMITTED)),
        overdue=Count("pk", filter=Q(status__in=QuarterlyReturn.OPEN_STATUSES, due_date__lt=on)),
        returned=Count("pk", filter=Q(status=QuarterlyReturn.Status.RETURNED)),
    )
    counts["overrides"] = (
        GrantCharge.objects.exclude(override_reason="").count() + Payment.objects.exclude(override_reason="").count()
    )
    return counts
