"""Listing filters for programmes, grants and their workflow records in the staff back office.

The same few questions recur on every listing (which stream, which financial year, which provider, which
programme, what status), so each filter is built once here and reused with the path to its field.
"""

import django_filters
from django import forms
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.widgets import BooleanRadioSelect

from funding.filters import FinancialYearFilter, QuarterFilter, long_choice_filter, providers, streams
from funding.models import Area
from programmes import selectors
from programmes.models import (
    BudgetLine,
    Grant,
    GrantCharge,
    GrantVariation,
    Indicator,
    IndicatorValue,
    Payment,
    Programme,
    QuarterlyReturn,
    Target,
    Theme,
)
from programmes.services import today


def programmes(request=None):
    return Programme.objects.only("pk", "name")


def provider_filter(field_name: str, **kwargs):
    return long_choice_filter(field_name=field_name, queryset=providers, label="Provider", **kwargs)


def programme_filter(field_name: str, **kwargs):
    return long_choice_filter(field_name=field_name, queryset=programmes, label="Programme", **kwargs)


def stream_filter(field_name: str, **kwargs):
    """A stream reaches most records through their grant's charges, a one-to-many path: rows must not repeat."""
    return django_filters.ModelChoiceFilter(
        field_name=field_name, queryset=streams, label="Funding stream", distinct=True, **kwargs
    )


def status_filter(choices):
    return django_filters.ChoiceFilter(choices=choices, label="Status", widget=forms.RadioSelect, empty_label="All")


class ProgrammeFilterSet(WagtailFilterSet):
    theme = django_filters.ChoiceFilter(choices=Theme.choices, label="Theme")
    area = django_filters.ModelChoiceFilter(field_name="areas", queryset=Area.objects.all(), label="Area served")
    stream = stream_filter("grants__charges__stream")
    financial_year = FinancialYearFilter(field_name="grants__charges__financial_year", label="Funded in", distinct=True)
    provider = provider_filter("grants__provider", distinct=True)

    class Meta:
        model = Programme
        fields = []


class GrantFilterSet(WagtailFilterSet):
    status = status_filter(Grant.Status.choices)
    stream = stream_filter("charges__stream")
    financial_year = FinancialYearFilter(field_name="charges__financial_year", label="Charged in", distinct=True)
    provider = provider_filter("provider")
    programme = programme_filter("programme")
    has_override = django_filters.BooleanFilter(
        method="filter_has_override", label="Charged past an allocation", widget=BooleanRadioSelect
    )
    past_end_date = django_filters.ChoiceFilter(
        choices=[
            (selectors.PAST_END_READY, "Ready to close: every return approved"),
            (selectors.PAST_END_OPEN, "Returns still to approve"),
        ],
        method="filter_past_end_date",
        label="Active past its end date",
        widget=forms.RadioSelect,
        empty_label="All",
    )

    class Meta:
        model = Grant
        fields = []

    def filter_past_end_date(self, queryset, name, value):
        return selectors.grants_past_end(queryset, on=today(), which=value) if value else queryset

    def filter_has_override(self, queryset, name, value):
        if value is None:
            return queryset
        overridden = GrantCharge.objects.exclude(override_reason="").values("grant")
        return queryset.filter(pk__in=overridden) if value else queryset.exclude(pk__in=overridden)


class BudgetLineFilterSet(WagtailFilterSet):
    category = django_filters.ChoiceFilter(choices=BudgetLine.Category.choices, label="Category")
    stream = stream_filter("grant__charges__stream")
    financial_year = FinancialYearFilter(field_name="profile__financial_year", label="Profiled in", distinct=True)
    provider = provider_filter("grant__provider")
    programme = programme_filter("grant__programme")
    grant_status = django_filters.ChoiceFilter(
        field_name="grant__status", choices=Grant.Status.choices, label="Grant status"
    )

    class Meta:
        model = BudgetLine
        fields = []


class IndicatorFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(choices=Indicator.Kind.choices, label="Kind")
    scope = django_filters.ChoiceFilter(choices=Indicator.Scope.choices, label="Scope")
    programme = programme_filter("programme")
    provider = provider_filter("programme__grants__provider", distinct=True)
    stream = stream_filter("programme__grants__charges__stream")
    counts_people = django_filters.BooleanFilter(widget=BooleanRadioSelect, label="Counts people")

    class Meta:
        model = Indicator
        fields = []


class TargetFilterSet(WagtailFilterSet):
    indicator = long_choice_filter(queryset=Indicator.objects.only("pk", "name"), label="Indicator")
    financial_year = FinancialYearFilter()
    programme = programme_filter("programme")
    provider = provider_filter("grant__provider")
    stream = stream_filter("grant__charges__stream")

    class Meta:
        model = Target
        fields = []


class QuarterlyReturnFilterSet(WagtailFilterSet):
    status = status_filter(QuarterlyReturn.Status.choices)
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Overdue", widget=BooleanRadioSelect)
    financial_year = FinancialYearFilter(indexed=True)
    quarter = QuarterFilter()
    stream = stream_filter("grant__charges__stream")
    provider = provider_filter("grant__provider")
    programme = programme_filter("grant__programme")

    class Meta:
        model = QuarterlyReturn
        fields = []

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = QuarterlyReturn.objects.overdue(today()).values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)


class ReviewQueueFilterSet(QuarterlyReturnFilterSet):
    """The review queue holds only submitted returns, so a status or overdue filter would have nothing to choose."""

    status = None
    overdue = None


class PaymentFilterSet(WagtailFilterSet):
    status = status_filter(Payment.Status.choices)
    financial_year = FinancialYearFilter(indexed=True)
    quarter = QuarterFilter()
    stream = stream_filter("grant__charges__stream")
    provider = provider_filter("grant__provider")
    programme = programme_filter("grant__programme")
    is_override = django_filters.BooleanFilter(
        method="filter_is_override", label="Past the grant's amount", widget=BooleanRadioSelect
    )
    due_for_approval = django_filters.BooleanFilter(
        method="filter_due_for_approval", label="Due for approval", widget=BooleanRadioSelect
    )

    class Meta:
        model = Payment
        fields = []

    def filter_due_for_approval(self, queryset, name, value):
        if value is None:
            return queryset
        due = Payment.objects.due_for_approval(today()).values("pk")
        return queryset.filter(pk__in=due) if value else queryset.exclude(pk__in=due)

    def filter_is_override(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(override_reason="") if value else queryset.filter(override_reason="")


class IndicatorValueFilterSet(WagtailFilterSet):
    indicator = long_choice_filter(queryset=Indicator.objects.only("pk", "name"), label="Indicator")
    source = django_filters.ChoiceFilter(choices=IndicatorValue.Source.choices, label="Source")
    approved = django_filters.BooleanFilter(
        field_name="approved_at", lookup_expr="isnull", exclude=True, label="Approved", widget=BooleanRadioSelect
    )
    financial_year = FinancialYearFilter(indexed=True)
    quarter = QuarterFilter()
    stream = stream_filter("grant__charges__stream")
    provider = provider_filter("grant__provider")
    programme = programme_filter("indicator__programme")

    class Meta:
        model = IndicatorValue
        fields = []


class GrantVariationFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(choices=GrantVariation.Kind.choices, label="Kind")
    stream = stream_filter("grant__charges__stream")
    financial_year = FinancialYearFilter(
        field_name="grant__charges__financial_year", label="Grant charged in", distinct=True
    )
    provider = provider_filter("grant__provider")
    programme = programme_filter("grant__programme")

    class Meta:
        model = GrantVariation
        fields = []


class OverrideFilterSet(WagtailFilterSet):
    """Filters both kinds of override (grant charges and payments): each filter works on either queryset."""

    KIND_CHARGE, KIND_PAYMENT = "charge", "payment"

    kind = django_filters.ChoiceFilter(
        choices=[(KIND_CHARGE, "Grant charges past an allocation"), (KIND_PAYMENT, "Payments past a grant's amount")],
        method="filter_kind",
        label="Kind",
    )
    stream = django_filters.ModelChoiceFilter(queryset=streams, method="filter_stream", label="Funding stream")
    financial_year = FinancialYearFilter()
    provider = provider_filter("grant__provider")
    programme = programme_filter("grant__programme")

    class Meta:
        model = GrantCharge
        fields = []

    def filter_kind(self, queryset, name, value):
        wanted = {self.KIND_CHARGE: GrantCharge, self.KIND_PAYMENT: Payment}.get(value)
        return queryset if wanted in (None, queryset.model) else queryset.none()

    def filter_stream(self, queryset, name, value):
        if value is None:
            return queryset
        if queryset.model is GrantCharge:
            return queryset.filter(stream=value)
        # A payment counts against the streams its grant is charged to.
        return queryset.filter(grant__charges__stream=value).distinct()
