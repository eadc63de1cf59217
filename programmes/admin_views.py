"""Views of the staff back office for programmes, grants and their workflow records, beyond the generic ones."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic.base import BaseListingView, BaseObjectMixin, WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log

from funding.admin_views import SetupEditView, SetupInspectView
from funding.fiscal import FinancialYear, Quarter
from funding.models import FundingStream
from funding.money import format_gbp, gbp
from programmes.filters import OverrideFilterSet
from programmes.models import Grant, GrantCharge, Payment
from programmes.selectors import charge_override_list, payment_override_list
from programmes.services import grant_activate, today

GRANT_ACTIVATE_LOG_ACTION = "outturn.grant.activate"


# --- Grants ---------------------------------------------------------------------------------------------------


class GrantEditView(SetupEditView):
    """Editing a grant; a draft also offers "Activate", which makes it live through grant_activate()."""

    activate_url_name = None

    def get_activate_url(self):
        if self.activate_url_name and self.object.status == Grant.Status.DRAFT:
            return reverse(self.activate_url_name, args=(quote(self.object.pk),))

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if activate_url := self.get_activate_url():
            buttons.append(Button("Activate", url=activate_url, icon_name="check", priority=5))
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["activate_url"] = self.get_activate_url()
        return context


class GrantActivateView(PermissionCheckedMixin, BaseObjectMixin, WagtailAdminTemplateMixin, TemplateView):
    """Asks the officer to confirm, then activates a draft grant: its returns are created and it goes live."""

    model = Grant
    permission_required = "change"
    template_name = "programmes/admin/grant_activate.html"
    page_title = "Activate"
    header_icon = "check"
    edit_url_name = None
    index_url_name = None

    def get_page_subtitle(self):
        return str(self.object)

    def get_edit_url(self):
        return reverse(self.edit_url_name, args=(quote(self.object.pk),))

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": "Grants"},
            {"url": self.get_edit_url(), "label": str(self.object)},
            {"url": "", "label": "Activate"},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        quarters = self.object.quarters
        context.update(
            grant=self.object,
            quarters=quarters,
            first_quarter=quarters[0] if quarters else None,
            last_quarter=quarters[-1] if quarters else None,
            is_draft=self.object.status == Grant.Status.DRAFT,
            edit_url=self.get_edit_url(),
        )
        return context

    def post(self, request, *args, **kwargs):
        try:
            with transaction.atomic():
                grant_activate(grant=self.object, user=request.user)
                log(instance=self.object, action=GRANT_ACTIVATE_LOG_ACTION, user=request.user)
        except ValidationError as error:
            self.object.refresh_from_db()
            return self.render_to_response(self.get_context_data(errors=error.messages))
        count = self.object.returns.count()
        messages.success(request, f"{self.object} is active: its {count} quarterly returns are ready for the provider.")
        return redirect(self.get_edit_url())


class GrantInspectView(SetupInspectView):
    """A grant with its charges (overrides flagged), budget lines with their profiles, and its variations."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        grant = self.object
        context["charges"] = [
            {
                "stream": charge.stream,
                "year": charge.fy.label,
                "amount": format_gbp(charge.amount),
                "override_reason": charge.override_reason,
                "overridden_by": charge.overridden_by,
                "overridden_at": charge.overridden_at,
            }
            for charge in grant.charges.all()
        ]
        context["budget_lines"] = [
            {
                "name": line.name,
                "category": line.get_category_display(),
                "amount": format_gbp(line.amount),
                "profile": [(row.period.label, format_gbp(row.amount)) for row in line.profile.all()],
            }
            for line in grant.budget_lines.all()
        ]
        context["variations"] = list(grant.variations.all())
        return context


# --- Returns and variations -----------------------------------------------------------------------------------


class ReturnInspectView(SetupInspectView):
    """A return as the office reviews it: its timeline of transitions, spend, forecasts and indicator values."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        quarterly_return = self.object
        year = quarterly_return.period.financial_year
        context.update(
            is_overdue=quarterly_return.is_overdue(today()),
            transitions=list(quarterly_return.transitions.all()),
            spend_lines=[
                {
                    "line": spend.budget_line.name,
                    "actual": format_gbp(spend.actual),
                    "explanation": spend.variance_explanation,
                }
                for spend in quarterly_return.spend_lines.all()
            ],
            forecasts=[
                {
                    "line": forecast.budget_line.name,
                    "quarter": Quarter(year, forecast.quarter).label,
                    "amount": format_gbp(forecast.amount),
                }
                for forecast in quarterly_return.forecasts.all()
            ],
            indicator_values=[
                {
                    "indicator": value.indicator.name,
                    "category": value.category,
                    "value": value.value if value.value is not None else f"{value.numerator} of {value.denominator}",
                    "approved": value.approved_at is not None,
                }
                for value in quarterly_return.indicator_values.all()
            ],
            evidence=list(quarterly_return.evidence.all()),
            payments=[
                {"payment": payment, "amount": format_gbp(payment.amount)}
                for payment in quarterly_return.payments.all()
            ],
        )
        return context


class VariationInspectView(SetupInspectView):
    """A variation's values before and after, in words and pounds rather than the stored JSON."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        before, after = self.object.before, self.object.after
        stream_ids = {row[0] for snapshot in (before, after) for row in snapshot.get("charges", [])}
        stream_names = dict(FundingStream.objects.filter(pk__in=stream_ids).values_list("pk", "name"))

        def describe(snapshot):
            return {
                "amount": format_gbp(gbp(snapshot["amount"])),
                "dates": f"{snapshot['start_date']} to {snapshot['end_date']}",
                "charges": [
                    f"{stream_names.get(stream_id, stream_id)} {FinancialYear(year)}: {format_gbp(gbp(amount))}"
                    for stream_id, year, amount in snapshot.get("charges", [])
                ],
                "budget_lines": [
                    f"{name}: {format_gbp(gbp(amount))}"
                    for name, _cost_type, amount in snapshot.get("budget_lines", [])
                ],
            }

        context["before"], context["after"] = describe(before), describe(after)
        return context


# --- Overrides ------------------------------------------------------------------------------------------------


@dataclass
class OverrideRow:
    """One override, whichever record it is on: a grant charge past an allocation or a payment past a grant."""

    kind: str
    record: GrantCharge | Payment
    grant: Grant
    detail: str
    amount: str
    reason: str
    overridden_by: object
    overridden_at: datetime | None
    url: str | None


def can_view_overrides(user) -> bool:
    return user.has_perm("programmes.view_grantcharge") or user.has_perm("programmes.view_payment")


class OverrideIndexView(BaseListingView):
    """Every override in one list, newest first, so that none goes unnoticed."""

    template_name = "wagtailadmin/generic/index.html"
    results_template_name = "wagtailadmin/generic/index_results.html"
    page_title = "Overrides"
    header_icon = "warning"
    paginate_by = 50
    is_searchable = True
    filterset_class = OverrideFilterSet
    verbose_name = "override"
    verbose_name_plural = "overrides"
    grant_inspect_url_name = None
    payment_inspect_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not can_view_overrides(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def columns(self):
        return [
            TitleColumn("grant", label="Grant", accessor="grant", get_url=lambda row: row.url),
            Column("kind", label="Override"),
            Column("detail", label="Against"),
            Column("amount", label="Amount"),
            Column("reason", label="Reason recorded"),
            Column("overridden_by", label="By"),
            DateColumn("overridden_at", label="When"),
        ]

    def _search(self, queryset):
        if not self.is_searching:
            return queryset
        query = self.search_query
        return queryset.filter(
            Q(grant__identifier__icontains=query)
            | Q(grant__title__icontains=query)
            | Q(grant__provider__name__icontains=query)
            | Q(override_reason__icontains=query)
        )

    def _filter(self, queryset):
        if self.filters and self.filters.is_valid():
            return self.filters.filter_queryset(queryset)
        return queryset

    def get_queryset(self):
        user = self.request.user
        rows = []
        if user.has_perm("programmes.view_grantcharge"):
            for charge in self._search(self._filter(charge_override_list(user=user))):
                rows.append(
                    OverrideRow(
                        kind="Charge past the year's allocation",
                        record=charge,
                        grant=charge.grant,
                        detail=f"{charge.stream} {charge.fy}",
                        amount=format_gbp(charge.amount),
                        reason=charge.override_reason,
                        overridden_by=charge.overridden_by,
                        overridden_at=charge.overridden_at,
                        url=self._url(self.grant_inspect_url_name, charge.grant_id),
                    )
                )
        if user.has_perm("programmes.view_payment"):
            for payment in self._search(self._filter(payment_override_list(user=user))):
                rows.append(
                    OverrideRow(
                        kind="Payment past the grant's amount",
                        record=payment,
                        grant=payment.grant,
                        detail=f"{payment.get_status_display()} {payment.period}",
                        amount=format_gbp(payment.amount),
                        reason=payment.override_reason,
                        overridden_by=payment.overridden_by,
                        overridden_at=payment.overridden_at,
                        url=self._url(self.payment_inspect_url_name, payment.pk),
                    )
                )
        return sorted(rows, key=lambda row: row.overridden_at.timestamp() if row.overridden_at else 0, reverse=True)

    @staticmethod
    def _url(url_name, pk):
        return reverse(url_name, args=(quote(pk),)) if url_name else None


class OverridesViewSet(ViewSet):
    """The Overrides listing, placed in another group's menu through its `menu_hook`."""

    icon = "warning"
    menu_label = "Overrides"
    menu_order = 5
    grant_inspect_url_name = None
    payment_inspect_url_name = None

    @cached_property
    def menu_item_class(self):
        def is_shown(item, request):
            return can_view_overrides(request.user)

        return type("OverridesMenuItem", (MenuItem,), {"is_shown": is_shown})

    def _view(self, results_only=False):
        return OverrideIndexView.as_view(
            index_url_name=self.get_url_name("index"),
            index_results_url_name=self.get_url_name("index_results"),
            grant_inspect_url_name=self.grant_inspect_url_name,
            payment_inspect_url_name=self.payment_inspect_url_name,
            results_only=results_only,
        )

    def get_urlpatterns(self):
        return [
            path("", self._view(), name="index"),
            path("results/", self._view(results_only=True), name="index_results"),
        ]
