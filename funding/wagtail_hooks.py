"""The Funding menu of the staff back office: organisations, areas, funding streams and their allocations.

Programmes adds its "Overrides" listing to this menu through the `register_funding_menu_item` hook, so that
funding/ does not depend on programmes/.
"""

from django.db import models
from django.templatetags.static import static
from django.utils.html import format_html
from djmoney.models.fields import MoneyField
from wagtail import hooks
from wagtail.admin.forms.models import register_form_field_override
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.admin.ui.tables import BooleanColumn, Column, UpdatedAtColumn
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.admin.widgets import AdminDateInput

from funding import selectors
from funding.admin_forms import GBPMoneyWidget, OfficeUserChoicesForm
from funding.admin_views import MoneyColumn, ReadOnlyModelViewSet, SetupModelViewSet, StreamInspectView
from funding.filters import AllocationFilterSet, AreaFilterSet, FundingStreamFilterSet, OrganisationFilterSet
from funding.forms import BoundedDateField, CountField, FigureField, GBPMoneyFormField, RecordChoicesField
from funding.models import Allocation, Area, FundingStream, Organisation
from funding.services import USER_LOG_ACTIONS, area_save, organisation_save, stream_save, stream_unallocated

# Every amount is in pounds: no admin form offers a currency. Every number and date an admin form takes is one of
# the shared fields (funding/forms.py), which refuse what is malformed or out of range, naming the field.
register_form_field_override(MoneyField, override={"form_class": GBPMoneyFormField, "widget": GBPMoneyWidget})
register_form_field_override(models.DecimalField, override={"form_class": FigureField})
register_form_field_override(models.PositiveSmallIntegerField, override={"form_class": CountField, "max_value": 32767})
register_form_field_override(models.PositiveIntegerField, override={"form_class": CountField, "max_value": 2147483647})
register_form_field_override(models.DateField, override={"form_class": BoundedDateField, "widget": AdminDateInput})
register_form_field_override(models.ManyToManyField, override={"form_class": RecordChoicesField})

FUNDING_MENU_HOOK = "register_funding_menu_item"


class OrganisationViewSet(SetupModelViewSet):
    model = Organisation
    name = "outturn_organisations"
    url_prefix = "funding/organisations"
    icon = "group"
    menu_label = "Organisations"
    list_selector = staticmethod(selectors.organisation_list)
    list_display = ["name", "kind", "org_id", "postcode", UpdatedAtColumn()]
    search_fields = ["name", "org_id", "charity_number", "company_number"]
    filterset_class = OrganisationFilterSet
    list_export = [
        "name",
        "get_kind_display",
        "org_id",
        "charity_number",
        "company_number",
        "address",
        "postcode",
        "website",
    ]
    export_headings = {"get_kind_display": "Kind"}
    export_filename = "organisations"
    panels = [
        FieldPanel("name"),
        FieldPanel("kind"),
        FieldPanel("org_id"),
        FieldRowPanel([FieldPanel("charity_number"), FieldPanel("company_number")]),
        FieldPanel("address"),
        FieldPanel("postcode"),
        FieldPanel("website"),
    ]

    def save_through_service(self, *, instance, user, form):
        return organisation_save(organisation=instance, user=user)


class AreaViewSet(SetupModelViewSet):
    model = Area
    name = "outturn_areas"
    url_prefix = "funding/areas"
    icon = "site"
    menu_label = "Areas"
    list_selector = staticmethod(selectors.area_list)
    list_display = ["name", "code", "geo_type", UpdatedAtColumn()]
    search_fields = ["name", "code"]
    filterset_class = AreaFilterSet
    list_export = ["name", "code", "get_geo_type_display"]
    export_headings = {"code": "ONS code", "get_geo_type_display": "Type"}
    export_filename = "areas"
    panels = [FieldPanel("name"), FieldPanel("code"), FieldPanel("geo_type")]

    def save_through_service(self, *, instance, user, form):
        return area_save(area=instance, user=user)


def _unallocated(stream):
    return stream_unallocated(stream=stream)


class FundingStreamViewSet(SetupModelViewSet):
    model = FundingStream
    name = "outturn_streams"
    url_prefix = "funding/streams"
    inspect_view_class = StreamInspectView
    base_form_class = OfficeUserChoicesForm
    icon = "pick"
    menu_label = "Funding streams"
    list_selector = staticmethod(selectors.stream_list)
    inspect_selector = staticmethod(selectors.stream_get)
    list_display = [
        "name",
        Column("funder", label="Funder", sort_key="funder__name"),
        MoneyColumn("total", label="Total", sort_key="total"),
        MoneyColumn("unallocated", accessor=_unallocated, label="Not yet allocated"),
        "start_date",
        "end_date",
        BooleanColumn("ring_fenced", label="Ring-fenced", sort_key="ring_fenced"),
        UpdatedAtColumn(),
    ]
    search_fields = ["name", "purpose", "funder__name"]
    filterset_class = FundingStreamFilterSet
    list_export = [
        "name",
        "funder.name",
        "total",
        _unallocated,
        "start_date",
        "end_date",
        "ring_fenced",
        "carry_over_allowed",
        "owner",
        "purpose",
        "conditions",
    ]
    export_headings = {
        "funder.name": "Funder",
        "total": "Total (£)",
        _unallocated: "Not yet allocated (£)",
        "owner": "Owner",
    }
    export_filename = "funding-streams"
    inspect_template_name = "funding/admin/stream_inspect.html"
    inspect_view_fields = [
        "funder",
        "total",
        "purpose",
        "conditions",
        "ring_fenced",
        "carry_over_allowed",
        "start_date",
        "end_date",
        "owner",
    ]
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("funder"),
        FieldPanel("owner"),
        FieldPanel("total"),
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
        FieldPanel("purpose"),
        MultiFieldPanel(
            [FieldPanel("conditions"), FieldPanel("ring_fenced"), FieldPanel("carry_over_allowed")],
            heading="Conditions",
        ),
        InlinePanel(
            "allocations",
            panels=[FieldPanel("financial_year"), FieldPanel("amount")],
            heading="Allocations by financial year",
            label="Allocation",
        ),
    ]

    def save_through_service(self, *, instance, user, form):
        return stream_save(stream=instance, user=user)


class AllocationViewSet(ReadOnlyModelViewSet):
    """Allocations are changed on their stream's edit screen, where the total is checked; listed here by year."""

    model = Allocation
    name = "outturn_allocations"
    url_prefix = "funding/allocations"
    icon = "calendar-alt"
    menu_label = "Allocations"
    list_selector = staticmethod(selectors.allocation_list)
    inspect_selector = staticmethod(selectors.allocation_get)
    list_display = [
        "__str__",
        Column("stream", label="Funding stream", sort_key="stream__name"),
        Column("funder", accessor="stream.funder", label="Funder", sort_key="stream__funder__name"),
        "financial_year",
        MoneyColumn("amount", label="Allocated", sort_key="amount"),
    ]
    ordering = ["stream__name", "financial_year"]
    search_fields = ["stream__name", "stream__funder__name"]
    filterset_class = AllocationFilterSet
    list_export = ["stream.name", "stream.funder.name", "fy.label", "amount"]
    export_headings = {
        "stream.name": "Funding stream",
        "stream.funder.name": "Funder",
        "fy.label": "Financial year",
        "amount": "Allocated (£)",
    }
    export_filename = "allocations"
    inspect_view_fields = ["stream", "financial_year", "amount"]


class FundingViewSetGroup(ModelViewSetGroup):
    menu_label = "Funding"
    menu_icon = "pick"
    menu_order = 200
    submenu_hook = FUNDING_MENU_HOOK
    items = (OrganisationViewSet, AreaViewSet, FundingStreamViewSet, AllocationViewSet)


@hooks.register("register_admin_viewset")
def register_funding_viewsets():
    return FundingViewSetGroup()


@hooks.register("insert_global_admin_css")
def tables_css():
    """Tables that fit the screen (`{% table_region %}`), on every screen of the back office."""
    return format_html('<link rel="stylesheet" href="{}">', static("funding/tables.css"))


@hooks.register("insert_global_admin_css")
def back_office_css():
    """Wagtail's header and lists of links at any width (funding/static/funding/back_office.css)."""
    return format_html('<link rel="stylesheet" href="{}">', static("funding/back_office.css"))


@hooks.register("register_log_actions")
def register_user_log_actions(actions):
    labels = {
        "invite": ("Invite", "Invited to the provider portal"),
        "roles": ("Change roles", "Roles changed"),
        "deactivate": ("Deactivate", "Deactivated"),
        "reactivate": ("Reactivate", "Reactivated"),
    }
    for key, (label, message) in labels.items():
        actions.register_action(USER_LOG_ACTIONS[key], label, message)
