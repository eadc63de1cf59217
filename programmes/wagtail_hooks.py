"""The Programmes and Returns menus of the staff back office, and the Overrides listing in the Funding menu.

Programmes, grants (with their charges and budget lines), budget line profiles, indicators and targets are set-up
data that commissioning officers edit. Returns, payments, indicator values and variations change only through
their workflow, so they are listed and inspected here, never edited.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import path
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn, StatusTagColumn, UpdatedAtColumn
from wagtail.admin.viewsets.model import ModelViewSetGroup

from funding.admin_forms import OfficeUserChoicesForm
from funding.admin_views import FlagColumn, MoneyColumn, ReadOnlyModelViewSet, SetupModelViewSet, extra_route
from funding.wagtail_hooks import FUNDING_MENU_HOOK
from programmes import selectors
from programmes.admin_finance import (
    PAYMENT_IMPORT_LOG_ACTION,
    FinanceImportViewSet,
    PaymentApprovalView,
    PaymentApproveLogFormatter,
    PaymentImportLogFormatter,
    PaymentPaidLogFormatter,
)
from programmes.admin_forms import GrantAdminForm
from programmes.admin_panels import WorkWaitingPanel
from programmes.admin_views import (
    GRANT_ACTIVATE_LOG_ACTION,
    RETURN_APPROVE_LOG_ACTION,
    RETURN_REOPEN_LOG_ACTION,
    RETURN_SEND_BACK_LOG_ACTION,
    REVIEW_VIEWSET_NAME,
    GrantActivateView,
    GrantCloseLogFormatter,
    GrantCloseView,
    GrantEditView,
    GrantInspectView,
    OverridesViewSet,
    PaymentIndexView,
    PaymentInspectView,
    ReleasedByColumn,
    ReturnInspectView,
    ReturnReviewViewSet,
    VariationInspectView,
)
from programmes.closure import GRANT_CLOSE_LOG_ACTION
from programmes.filters import (
    BudgetLineFilterSet,
    GrantFilterSet,
    GrantVariationFilterSet,
    IndicatorFilterSet,
    IndicatorValueFilterSet,
    PaymentFilterSet,
    ProgrammeFilterSet,
    QuarterlyReturnFilterSet,
    TargetFilterSet,
)
from programmes.models import (
    BudgetLine,
    Grant,
    GrantVariation,
    Indicator,
    IndicatorValue,
    Payment,
    Programme,
    QuarterlyReturn,
    Target,
)
from programmes.services import (
    PAYMENT_APPROVE_LOG_ACTION,
    PAYMENT_PAID_LOG_ACTION,
    VARIATION_NEEDS_REASON,
    budget_profile_save,
    grant_save,
    indicator_save,
    programme_save,
    target_save,
    today,
)

# The first columns of every export of records that belong to a grant, so that they sort and filter alike.
GRANT_EXPORT = ["grant.identifier", "grant.title", "grant.provider.name", "grant.programme.name"]
GRANT_EXPORT_HEADINGS = {
    "grant.identifier": "Grant",
    "grant.title": "Grant title",
    "grant.provider.name": "Provider",
    "grant.programme.name": "Programme",
}
PERIOD_EXPORT_HEADINGS = {"period.financial_year.label": "Financial year", "quarter": "Quarter"}


# --- Programmes menu ------------------------------------------------------------------------------------------


class ProgrammeViewSet(SetupModelViewSet):
    model = Programme
    name = "outturn_programmes"
    url_prefix = "programmes/programmes"
    icon = "clipboard-list"
    menu_label = "Programmes"
    list_selector = staticmethod(selectors.programme_list)
    inspect_selector = staticmethod(selectors.programme_get)
    base_form_class = OfficeUserChoicesForm
    list_display = [
        "name",
        "theme",
        Column("senior_responsible_officer", label="Senior responsible officer"),
        Column("grant_count", label="Grants", sort_key="grant_count"),
        UpdatedAtColumn(),
    ]
    search_fields = ["name", "summary"]
    filterset_class = ProgrammeFilterSet
    list_export = ["name", "get_theme_display", "senior_responsible_officer", "grant_count", "summary"]
    export_headings = {
        "get_theme_display": "Theme",
        "senior_responsible_officer": "Senior responsible officer",
        "grant_count": "Grants",
        "summary": "Public summary",
    }
    export_filename = "programmes"
    inspect_view_fields = ["name", "summary", "theme", "areas", "senior_responsible_officer"]
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("summary"),
        FieldPanel("theme"),
        FieldPanel("areas", widget=forms.CheckboxSelectMultiple),
        FieldPanel("senior_responsible_officer"),
    ]

    def save_through_service(self, *, instance, user, form):
        return programme_save(programme=instance, user=user)


def _past_end_flag(grant):
    return selectors.grant_past_end_flag(grant=grant, on=today())


class GrantViewSet(SetupModelViewSet):
    model = Grant
    name = "outturn_grants"
    url_prefix = "programmes/grants"
    icon = "doc-full"
    menu_label = "Grants"
    list_selector = staticmethod(selectors.grant_list)
    inspect_selector = staticmethod(selectors.grant_get)
    edit_view_class = GrantEditView
    inspect_view_class = GrantInspectView
    inspect_template_name = "programmes/admin/grant_inspect.html"
    base_form_class = GrantAdminForm
    list_display = [
        "identifier",
        "title",
        Column("provider", label="Provider", sort_key="provider__name"),
        Column("programme", label="Programme", sort_key="programme__name"),
        MoneyColumn("amount", label="Amount", sort_key="amount"),
        StatusTagColumn("status", accessor="get_status_display", label="Status", sort_key="status"),
        FlagColumn("has_override", true_label="Override", label="Charged past an allocation"),
        FlagColumn("past_end", accessor=_past_end_flag, label="Past its end date"),
        UpdatedAtColumn(),
    ]
    search_fields = ["identifier", "title", "provider__name", "programme__name"]
    filterset_class = GrantFilterSet
    list_export = [
        "identifier",
        "title",
        "provider.name",
        "programme.name",
        "amount",
        "get_status_display",
        "award_date",
        "start_date",
        "end_date",
        "get_payment_mode_display",
        "lead_officer",
        "has_override",
    ]
    export_headings = {
        "identifier": "Grant",
        "provider.name": "Provider",
        "programme.name": "Programme",
        "amount": "Amount (£)",
        "get_status_display": "Status",
        "get_payment_mode_display": "Paid",
        "lead_officer": "Lead officer",
        "has_override": "Charged past an allocation",
    }
    export_filename = "grants"
    inspect_view_fields = [
        "identifier",
        "title",
        "provider",
        "programme",
        "amount",
        "status",
        "award_date",
        "start_date",
        "end_date",
        "areas",
        "lead_officer",
        "purpose",
        "conditions",
        "crime_reduction_rationale",
        "allocation_method",
        "direct_award_justification",
        "payment_mode",
        "return_due_days",
    ]
    panels = [
        MultiFieldPanel(
            [
                FieldPanel("identifier"),
                FieldPanel("title"),
                FieldPanel("status", read_only=True),
                FieldPanel("provider"),
                FieldPanel("programme"),
                FieldPanel("lead_officer"),
            ],
            heading="The grant",
        ),
        MultiFieldPanel(
            [
                FieldPanel("amount"),
                FieldPanel("award_date"),
                FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
                FieldPanel("payment_mode"),
                FieldPanel("return_due_days"),
            ],
            heading="Money and dates",
        ),
        MultiFieldPanel(
            [
                FieldPanel("purpose"),
                FieldPanel("crime_reduction_rationale"),
                FieldPanel("conditions"),
                FieldPanel("areas", widget=forms.CheckboxSelectMultiple),
                FieldPanel("allocation_method"),
                FieldPanel("direct_award_justification"),
            ],
            heading="Purpose and award",
        ),
        InlinePanel(
            "charges",
            panels=[
                FieldPanel("stream"),
                FieldPanel("financial_year"),
                FieldPanel("amount"),
                FieldPanel(
                    "override_reason",
                    help_text="Only to commit more than the stream has left for the year: say why. "
                    "Every override is listed under Funding › Overrides.",
                ),
            ],
            heading="Charges to funding streams",
            label="Charge",
        ),
        InlinePanel(
            "budget_lines",
            panels=[FieldPanel("name"), FieldPanel("category"), FieldPanel("cost_type"), FieldPanel("amount")],
            heading="Budget lines",
            label="Budget line",
        ),
        FieldPanel("variation_reason"),
    ]

    def save_through_service(self, *, instance, user, form):
        reason = form.cleaned_data.get("variation_reason", "")
        try:
            return grant_save(grant=instance, user=user, variation_reason=reason)
        except ValidationError as error:
            if "variation_reason" in form.fields and VARIATION_NEEDS_REASON in error.messages:
                raise ValidationError({"variation_reason": VARIATION_NEEDS_REASON}) from error
            raise

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(activate_url_name=self.get_url_name("activate"), **kwargs)

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(close_url_name=self.get_url_name("close"), **kwargs)

    @property
    def activate_view(self):
        return self.construct_view(
            GrantActivateView, edit_url_name=self.get_url_name("edit"), index_url_name=self.get_url_name("index")
        )

    @property
    def close_view(self):
        return self.construct_view(
            GrantCloseView,
            edit_url_name=self.get_url_name("edit"),
            index_url_name=self.get_url_name("index"),
            inspect_url_name=self.get_url_name("inspect"),
        )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            extra_route(self, "activate", self.activate_view, "activate"),
            extra_route(self, "close", self.close_view, "close"),
        ]


def _profiled(line):
    return line.profiled


class BudgetLineViewSet(SetupModelViewSet):
    """A budget line's quarterly profile. The line itself (name, kind, amount) is part of its grant and changes
    there, where a change to an active grant is a variation."""

    model = BudgetLine
    name = "outturn_budget_lines"
    url_prefix = "programmes/budget-lines"
    icon = "list-ul"
    menu_label = "Budget lines"
    routes = tuple(route for route in SetupModelViewSet.routes if route != "add")
    list_selector = staticmethod(selectors.budget_line_list)
    inspect_selector = staticmethod(selectors.budget_line_get)
    list_display = [
        "name",
        Column("grant", accessor="grant.identifier", label="Grant", sort_key="grant__identifier"),
        Column("provider", accessor="grant.provider", label="Provider", sort_key="grant__provider__name"),
        "category",
        MoneyColumn("amount", label="Amount", sort_key="amount"),
        MoneyColumn("profiled", accessor=_profiled, label="Profiled", sort_key="profiled"),
        UpdatedAtColumn(),
    ]
    search_fields = ["name", "grant__identifier", "grant__title", "grant__provider__name"]
    filterset_class = BudgetLineFilterSet
    list_export = [
        *GRANT_EXPORT,
        "name",
        "get_category_display",
        "get_cost_type_display",
        "amount",
        "profiled",
    ]
    export_headings = {
        **GRANT_EXPORT_HEADINGS,
        "name": "Budget line",
        "get_category_display": "Category",
        "get_cost_type_display": "Cost type",
        "amount": "Amount (£)",
        "profiled": "Profiled (£)",
    }
    export_filename = "budget-lines"
    inspect_view_fields = ["grant", "name", "category", "cost_type", "amount", "profile"]
    panels = [
        FieldPanel("grant", read_only=True),
        FieldPanel("name", read_only=True),
        FieldPanel("amount", read_only=True),
        InlinePanel(
            "profile",
            panels=[FieldPanel("financial_year"), FieldPanel("quarter"), FieldPanel("amount")],
            heading="Quarterly profile",
            label="Quarter",
        ),
    ]

    def save_through_service(self, *, instance, user, form):
        return budget_profile_save(budget_line=instance, user=user)


class IndicatorViewSet(SetupModelViewSet):
    model = Indicator
    name = "outturn_indicators"
    url_prefix = "programmes/indicators"
    icon = "table"
    menu_label = "Indicators"
    list_selector = staticmethod(selectors.indicator_list)
    list_display = [
        "name",
        Column("programme", label="Programme", sort_key="programme__name"),
        "kind",
        "unit",
        "aggregation",
        BooleanColumn("counts_people", label="Counts people", sort_key="counts_people"),
        UpdatedAtColumn(),
    ]
    search_fields = ["name", "definition", "programme__name"]
    filterset_class = IndicatorFilterSet
    list_export = [
        "name",
        "programme.name",
        "get_kind_display",
        "get_scope_display",
        "area.name",
        "get_unit_display",
        "get_aggregation_display",
        "get_direction_display",
        "counts_people",
        "baseline_value",
        "baseline_date",
        "definition",
        "method_and_source",
    ]
    export_headings = {
        "programme.name": "Programme",
        "get_kind_display": "Kind",
        "get_scope_display": "Scope",
        "area.name": "Area",
        "get_unit_display": "Unit",
        "get_aggregation_display": "Aggregation",
        "get_direction_display": "Direction",
        "counts_people": "Counts people",
    }
    export_filename = "indicators"
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("programme"),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("scope")]),
        FieldPanel("area"),
        FieldRowPanel([FieldPanel("unit"), FieldPanel("aggregation"), FieldPanel("direction")]),
        FieldPanel("counts_people"),
        FieldPanel("definition"),
        FieldPanel("method_and_source"),
        FieldRowPanel([FieldPanel("baseline_value"), FieldPanel("baseline_date")]),
        MultiFieldPanel(
            [
                FieldPanel("breakdown_by_age_band"),
                FieldPanel("breakdown_by_sex"),
                FieldPanel("breakdown_by_ethnicity"),
                FieldPanel("breakdown_by_area"),
            ],
            heading="Breakdowns",
        ),
    ]

    def save_through_service(self, *, instance, user, form):
        return indicator_save(indicator=instance, user=user)


class TargetViewSet(SetupModelViewSet):
    model = Target
    name = "outturn_targets"
    url_prefix = "programmes/targets"
    icon = "crosshairs"
    menu_label = "Targets"
    list_selector = staticmethod(selectors.target_list)
    list_display = [
        "__str__",
        Column("grant", accessor="grant.identifier", label="Grant", sort_key="grant__identifier"),
        Column("programme", label="Programme", sort_key="programme__name"),
        "financial_year",
        "quarter",
        "value",
        UpdatedAtColumn(),
    ]
    search_fields = ["indicator__name", "grant__identifier", "grant__title", "programme__name"]
    filterset_class = TargetFilterSet
    list_export = [
        "indicator.name",
        "grant.identifier",
        "grant.provider.name",
        "programme.name",
        "get_financial_year_display",
        "quarter",
        "value",
    ]
    export_headings = {
        "indicator.name": "Indicator",
        "grant.identifier": "Grant",
        "grant.provider.name": "Provider",
        "programme.name": "Programme",
        "get_financial_year_display": "Financial year",
        "quarter": "Quarter (blank for the whole year)",
        "value": "Target",
    }
    export_filename = "targets"
    panels = [
        FieldPanel("indicator"),
        FieldRowPanel([FieldPanel("grant"), FieldPanel("programme")], heading="For a grant or a programme"),
        FieldRowPanel([FieldPanel("financial_year"), FieldPanel("quarter")]),
        FieldPanel("value"),
    ]

    def save_through_service(self, *, instance, user, form):
        return target_save(target=instance, user=user)


class ProgrammesViewSetGroup(ModelViewSetGroup):
    menu_label = "Programmes"
    menu_icon = "clipboard-list"
    menu_order = 210
    items = (ProgrammeViewSet, GrantViewSet, BudgetLineViewSet, IndicatorViewSet, TargetViewSet)


# --- Returns menu ---------------------------------------------------------------------------------------------


REVIEW_URL_NAME = f"{REVIEW_VIEWSET_NAME}:review"


def _is_overdue(quarterly_return):
    return quarterly_return.is_overdue(today())


class QuarterlyReturnViewSet(ReadOnlyModelViewSet):
    model = QuarterlyReturn
    name = "outturn_returns"
    url_prefix = "returns/quarterly-returns"
    icon = "form"
    menu_label = "Quarterly returns"
    list_selector = staticmethod(selectors.return_list)
    inspect_selector = staticmethod(selectors.return_get)
    inspect_view_class = ReturnInspectView
    inspect_template_name = "programmes/admin/return_inspect.html"
    list_display = [
        "__str__",
        Column("provider", accessor="grant.provider", label="Provider", sort_key="grant__provider__name"),
        Column("programme", accessor="grant.programme", label="Programme", sort_key="grant__programme__name"),
        # The day the provider owes it by: the due date, or the resubmission date once sent back (blank if reopened).
        Column("deadline", label="Due", sort_key="due_date"),
        StatusTagColumn("status", accessor="get_status_display", label="Status", sort_key="status"),
        FlagColumn("overdue", accessor=_is_overdue, true_label="Overdue", label="Overdue"),
    ]
    ordering = ["-financial_year", "-quarter", "-pk"]  # the period index serves it: no sort of every return
    search_fields = ["grant__identifier", "grant__title", "grant__provider__name"]
    filterset_class = QuarterlyReturnFilterSet
    list_export = [
        *GRANT_EXPORT,
        "period.financial_year.label",
        "quarter",
        "due_date",
        "resubmission_due_date",
        "get_status_display",
        _is_overdue,
        "submitted_at",
        "approved_at",
        "get_risk_rating_display",
    ]
    export_headings = {
        **GRANT_EXPORT_HEADINGS,
        **PERIOD_EXPORT_HEADINGS,
        "get_status_display": "Status",
        _is_overdue: "Overdue",
        "submitted_at": "Submitted",
        "approved_at": "Approved",
        "get_risk_rating_display": "Risk rating (RAG)",
    }
    export_filename = "quarterly-returns"
    inspect_view_fields = [
        "grant",
        "financial_year",
        "quarter",
        "due_date",
        "resubmission_due_date",
        "status",
        "submitted_at",
        "submitted_by",
        "approved_at",
        "progress",
        "challenges",
        "risks",
        "risk_rating",
        "case_study",
        "next_quarter_plans",
    ]

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(review_url_name=REVIEW_URL_NAME, **kwargs)


def _release_flag(payment):
    return selectors.payment_release_flag(payment=payment)


def _payments_today(*, user):
    return selectors.payment_list(user=user, on=today())


def _payment_today(*, user, pk):
    return selectors.payment_get(user=user, pk=pk, on=today())


class PaymentViewSet(ReadOnlyModelViewSet):
    model = Payment
    name = "outturn_payments"
    url_prefix = "returns/payments"
    icon = "doc-full-inverse"
    menu_label = "Payments"
    # Read with the day, so that each payment says whether it is due for approval.
    list_selector = staticmethod(_payments_today)
    inspect_selector = staticmethod(_payment_today)
    index_view_class = PaymentIndexView
    inspect_view_class = PaymentInspectView
    inspect_template_name = "programmes/admin/payment_inspect.html"
    list_display = [
        Column("grant", accessor="grant.identifier", label="Grant", sort_key="grant__identifier"),
        Column("provider", accessor="grant.provider", label="Provider", sort_key="grant__provider__name"),
        MoneyColumn("amount", label="Amount", sort_key="amount"),
        "date",
        "financial_year",
        "quarter",
        StatusTagColumn("status", accessor="get_status_display", label="Status", sort_key="status"),
        "reference",
        FlagColumn("is_override", true_label="Override", label="Past the grant's amount"),
        ReleasedByColumn("released_by_return", review_url_name=REVIEW_URL_NAME, label="Released by"),
        FlagColumn("release", accessor=_release_flag, label="Approval"),
    ]
    ordering = ["-date"]
    search_fields = ["reference", "grant__identifier", "grant__title", "grant__provider__name"]
    filterset_class = PaymentFilterSet
    list_export = [
        *GRANT_EXPORT,
        "amount",
        "date",
        "period.financial_year.label",
        "quarter",
        "get_status_display",
        "reference",
        "override_reason",
        "released_by_return.period.label",
    ]
    export_headings = {
        **GRANT_EXPORT_HEADINGS,
        **PERIOD_EXPORT_HEADINGS,
        "amount": "Amount (£)",
        "date": "Date (planned or paid)",
        "get_status_display": "Status",
        "reference": "Ledger reference",
        "override_reason": "Reason for paying past the grant's amount",
        "released_by_return.period.label": "Released by the return for",
    }
    export_filename = "payments"
    inspect_view_fields = [
        "grant",
        "status",
        "amount",
        "date",
        "financial_year",
        "quarter",
        "reference",
        "approved_by",
        "approved_at",
        "override_reason",
        "overridden_by",
        "overridden_at",
    ]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(approve_url_name=self.get_url_name("approve"), **kwargs)

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            review_url_name=REVIEW_URL_NAME, approve_url_name=self.get_url_name("approve"), **kwargs
        )

    @property
    def approve_view(self):
        return PaymentApprovalView.as_view(
            index_url_name=self.get_url_name("index"),
            approve_url_name=self.get_url_name("approve"),
            inspect_url_name=self.get_url_name("inspect"),
            grant_inspect_url_name="outturn_grants:inspect",
            review_url_name=REVIEW_URL_NAME,
            header_icon="check",
        )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("approve/", self.approve_view, name="approve")]


class IndicatorValueViewSet(ReadOnlyModelViewSet):
    model = IndicatorValue
    name = "outturn_indicator_values"
    url_prefix = "returns/indicator-values"
    icon = "table"
    menu_label = "Indicator values"
    list_selector = staticmethod(selectors.indicator_value_list)
    inspect_selector = staticmethod(selectors.indicator_value_get)
    list_display = [
        "__str__",
        Column("grant", accessor="grant.identifier", label="Grant", sort_key="grant__identifier"),
        "source",
        "value",
        "numerator",
        "denominator",
        FlagColumn("approved", accessor="approved_at", true_label="Approved", label="Approved"),
    ]
    ordering = ["-financial_year", "-quarter", "-pk"]  # the period index serves it: no sort of every value
    search_fields = ["indicator__name", "grant__identifier", "grant__provider__name", "category"]
    filterset_class = IndicatorValueFilterSet
    list_export = [
        "indicator.name",
        "indicator.programme.name",
        "indicator.get_unit_display",
        "grant.identifier",
        "grant.provider.name",
        "period.financial_year.label",
        "quarter",
        "get_breakdown_display",
        "category",
        "value",
        "numerator",
        "denominator",
        "get_source_display",
        "approved_at",
    ]
    export_headings = {
        **PERIOD_EXPORT_HEADINGS,
        "indicator.name": "Indicator",
        "indicator.programme.name": "Programme",
        "indicator.get_unit_display": "Unit",
        "grant.identifier": "Grant",
        "grant.provider.name": "Provider",
        "get_breakdown_display": "Breakdown",
        "get_source_display": "Source",
        "approved_at": "Approved",
    }
    export_filename = "indicator-values"
    inspect_view_fields = [
        "indicator",
        "grant",
        "quarterly_return",
        "source",
        "financial_year",
        "quarter",
        "breakdown",
        "category",
        "value",
        "numerator",
        "denominator",
        "note",
        "entered_by",
        "approved_at",
        "approved_by",
    ]


class GrantVariationViewSet(ReadOnlyModelViewSet):
    model = GrantVariation
    name = "outturn_variations"
    url_prefix = "returns/variations"
    icon = "history"
    menu_label = "Variations"
    list_selector = staticmethod(selectors.variation_list)
    inspect_selector = staticmethod(selectors.variation_get)
    inspect_view_class = VariationInspectView
    inspect_template_name = "programmes/admin/variation_inspect.html"
    list_display = [
        "__str__",
        Column("provider", accessor="grant.provider", label="Provider", sort_key="grant__provider__name"),
        "kind",
        "reason",
        Column("made_by", label="Made by"),
        DateColumn("made_at", label="Made", sort_key="made_at"),
    ]
    ordering = ["-made_at"]
    search_fields = ["reason", "grant__identifier", "grant__title", "grant__provider__name"]
    filterset_class = GrantVariationFilterSet
    list_export = [*GRANT_EXPORT, "get_kind_display", "reason", "made_by", "made_at"]
    export_headings = {
        **GRANT_EXPORT_HEADINGS,
        "get_kind_display": "Kind",
        "reason": "Reason",
        "made_by": "Made by",
        "made_at": "Made",
    }
    export_filename = "variations"
    inspect_view_fields = ["grant", "kind", "reason", "made_by", "made_at"]


class ReturnsViewSetGroup(ModelViewSetGroup):
    menu_label = "Returns"
    menu_icon = "form"
    menu_order = 220
    items = (
        ReturnReviewViewSet(
            REVIEW_VIEWSET_NAME,
            url_prefix="returns/review",
            inspect_url_name="outturn_returns:inspect",
            grant_inspect_url_name="outturn_grants:inspect",
        ),
        QuarterlyReturnViewSet,
        PaymentViewSet,
        FinanceImportViewSet(
            "outturn_finance_import", url_prefix="returns/finance-import", payments_url_name="outturn_payments:index"
        ),
        IndicatorValueViewSet,
        GrantVariationViewSet,
    )


@hooks.register("register_admin_viewset")
def register_programmes_viewsets():
    overrides = OverridesViewSet(
        "outturn_overrides",
        url_prefix="funding/overrides",
        menu_hook=FUNDING_MENU_HOOK,
        grant_inspect_url_name="outturn_grants:inspect",
        payment_inspect_url_name="outturn_payments:inspect",
    )
    return [ProgrammesViewSetGroup(), ReturnsViewSetGroup(), overrides]


@hooks.register("register_log_actions")
def register_programmes_log_actions(actions):
    actions.register_action(GRANT_ACTIVATE_LOG_ACTION, "Activate", "Activated: its quarterly returns were created")
    actions.register_action(GRANT_CLOSE_LOG_ACTION)(GrantCloseLogFormatter)
    actions.register_action(RETURN_APPROVE_LOG_ACTION, "Approve", "Approved")
    actions.register_action(RETURN_SEND_BACK_LOG_ACTION, "Return for changes", "Returned for changes")
    actions.register_action(RETURN_REOPEN_LOG_ACTION, "Reopen", "Reopened and returned for changes")
    actions.register_action(PAYMENT_IMPORT_LOG_ACTION)(PaymentImportLogFormatter)
    actions.register_action(PAYMENT_APPROVE_LOG_ACTION)(PaymentApproveLogFormatter)
    actions.register_action(PAYMENT_PAID_LOG_ACTION)(PaymentPaidLogFormatter)


@hooks.register("construct_homepage_panels")
def add_work_waiting_panel(request, panels):
    # Content editors have no business with returns, and their links would be refused.
    if request.user.has_perm("programmes.view_quarterlyreturn"):
        panels.append(WorkWaitingPanel())
