"""Listing filters for funding data in the staff back office (django-filter, as Wagtail's listings use it)."""

import django_filters
from wagtail.admin.active_filters import ActiveFilter, BaseFilterAdapter, register_filter_adapter_class
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.widgets import BooleanRadioSelect
from wagtail.users.views.users import UserFilterSet

from funding.fields import QUARTER_CHOICES
from funding.models import Allocation, Area, FundingStream, Organisation, User
from funding.selectors import financial_years_with_data
from funding.widgets import Select

#: The choice that leaves a select filter open. A select without it always sends its first option, so picking any
#: other filter in the panel would filter on that too.
ALL = "All"


class FinancialYearFilter(django_filters.ChoiceFilter):
    """A financial year, offered as "2023/24" and matched on the year it starts in: "All", then the years with data.

    Those are the years the office has allocated money for: every year anything can be charged, profiled or targeted
    in (a charge needs its stream's allocation for the year), offered on every listing so that a dashboard's link to
    a year always filters. With `indexed=True`, the filter's own field on the listing's model (which an index must
    cover, to be asked without reading the rows) adds the years it holds: returns, payments and indicator values can
    fall outside the allocated years (a baseline figure, a payment after a grant's last year). A ChoiceFilter, so
    that its active filter reads "Financial year: 2024/25"."""

    def __init__(self, *args, indexed=False, **kwargs):
        kwargs.setdefault("label", "Financial year")
        kwargs.setdefault("empty_label", ALL)
        super().__init__(*args, **kwargs)
        self.indexed = indexed

    @property
    def field(self):
        if not hasattr(self, "_field"):
            # Read once, when the listing builds its form (as django-filter reads a queryset callable): choices
            # given as a callable are read again each time the form goes through them (render, validate, label).
            columns = [(Allocation, "financial_year")]
            if self.indexed:
                columns.append((self.model, self.field_name))
            self.extra["choices"] = [(year.start_year, year.label) for year in financial_years_with_data(*columns)]
        return super().field


class QuarterFilter(django_filters.ChoiceFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", QUARTER_CHOICES)
        kwargs.setdefault("label", "Quarter")
        kwargs.setdefault("empty_label", ALL)
        super().__init__(*args, **kwargs)


class YesNoFilterAdapter(BaseFilterAdapter):
    """A yes/no filter's active filter says what was picked, in the words of its radio buttons ("Due for
    approval: Yes"), where Wagtail's default shows the cleaned value ("True")."""

    def get_active_filters(self):
        labels = dict(self.filter.field.widget.choices)
        yield ActiveFilter(
            self.bound_field.auto_id,
            self.filter.label,
            labels["true" if self.value else "false"],
            self.get_url_without_filter_param(self.name),
        )


register_filter_adapter_class(django_filters.BooleanFilter, YesNoFilterAdapter)


def long_choice_filter(**kwargs) -> django_filters.ModelChoiceFilter:
    """A filter on one of many records (providers, programmes, indicators): a long select that renders fast."""
    return django_filters.ModelChoiceFilter(widget=Select, **kwargs)


def funders(request=None):
    return Organisation.objects.filter(kind=Organisation.Kind.FUNDER)


def providers(request=None):
    return Organisation.objects.filter(kind=Organisation.Kind.PROVIDER)


def streams(request=None):
    return FundingStream.objects.only("pk", "name")


class OrganisationFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(choices=Organisation.Kind.choices, label="Kind")
    funds_stream = django_filters.ModelChoiceFilter(
        field_name="funding_streams", queryset=streams, label="Funds stream", distinct=True
    )

    class Meta:
        model = Organisation
        fields = ["kind"]


class AreaFilterSet(WagtailFilterSet):
    class Meta:
        model = Area
        fields = ["geo_type"]


class FundingStreamFilterSet(WagtailFilterSet):
    funder = django_filters.ModelChoiceFilter(queryset=funders, label="Funder")
    financial_year = FinancialYearFilter(field_name="allocations__financial_year", label="Allocated in", distinct=True)
    ring_fenced = django_filters.BooleanFilter(widget=BooleanRadioSelect, label="Ring-fenced")

    class Meta:
        model = FundingStream
        fields = []


class AllocationFilterSet(WagtailFilterSet):
    stream = django_filters.ModelChoiceFilter(queryset=streams, label="Funding stream")
    funder = django_filters.ModelChoiceFilter(field_name="stream__funder", queryset=funders, label="Funder")
    financial_year = FinancialYearFilter()

    class Meta:
        model = Allocation
        fields = []


class OutturnUserFilterSet(UserFilterSet):
    organisation = django_filters.ModelChoiceFilter(queryset=Organisation.objects.all(), label="Organisation")

    class Meta(UserFilterSet.Meta):
        model = User
