"""Views of the staff back office for programmes, grants and their workflow records, beyond the generic ones."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import groupby

from django.conf import settings
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView, View
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import BaseListingView, BaseObjectMixin, WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.views.mixins import SpreadsheetExportMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.log_actions import LogFormatter, log

from config.errors import forbidden
from funding.admin_views import (
    LISTING_RESULTS_TEMPLATE,
    FlagColumn,
    ReadOnlyIndexView,
    SelectorIndexMixin,
    SetupEditView,
    SetupInspectView,
    StreamingExportMixin,
    menu_item_shown_to,
)
from funding.fiscal import FinancialYear, Quarter
from funding.models import FundingStream
from funding.money import format_gbp, gbp
from funding.roles import Role
from programmes import lifecycle
from programmes.admin_forms import ReviewReasonForm
from programmes.closure import CLOSE_REASON_REQUIRED, grant_close, grant_closure_plan
from programmes.filters import OverrideFilterSet, ReviewQueueFilterSet
from programmes.models import Grant, GrantCharge, Indicator, IndicatorValue, Payment, QuarterlyReturn
from programmes.selectors import (
    charge_override_list,
    evidence_file_get,
    grant_payment_list,
    payment_override_list,
    payment_release_flag,
    return_days_waiting,
    return_get,
    return_review_get,
    return_review_queue,
)
from programmes.services import (
    GRANT_CLOSED,
    grant_activate,
    return_approve,
    return_reopen,
    return_send_back,
    today,
)

GRANT_ACTIVATE_LOG_ACTION = "outturn.grant.activate"


# --- Grants ---------------------------------------------------------------------------------------------------


class GrantEditView(SetupEditView):
    """Editing a grant; a draft also offers "Activate", which makes it live through grant_activate(). A closed grant
    cannot change, so its edit screen sends the officer to its record, saying why."""

    activate_url_name = None

    def get(self, request, *args, **kwargs):
        return self._to_record_if_closed() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self._to_record_if_closed() or super().post(request, *args, **kwargs)

    def _to_record_if_closed(self):
        grant = self.get_object()
        if grant.status != Grant.Status.CLOSED:
            return None
        messages.warning(self.request, GRANT_CLOSED)
        return redirect(self.inspect_url_name, quote(grant.pk))

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


class GrantActionView(PermissionCheckedMixin, BaseObjectMixin, WagtailAdminTemplateMixin, TemplateView):
    """A screen where an officer confirms one step in a grant's life (activating, closing) before it is taken."""

    model = Grant
    permission_required = "change"
    edit_url_name = None
    index_url_name = None

    def get_page_subtitle(self):
        return str(self.object)

    def get_edit_url(self):
        return reverse(self.edit_url_name, args=(quote(self.object.pk),))

    def get_grant_url(self):
        """Where the breadcrumbs lead back to the grant, and where the officer goes once it is done."""
        return self.get_edit_url()

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": "Grants"},
            {"url": self.get_grant_url(), "label": str(self.object)},
            {"url": "", "label": self.page_title},
        ]


class GrantActivateView(GrantActionView):
    """Asks the officer to confirm, then activates a draft grant: its returns are created and it goes live."""

    template_name = "programmes/admin/grant_activate.html"
    page_title = "Activate"
    header_icon = "check"

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


def can_close_grants(user) -> bool:
    return user.has_role(Role.COMMISSIONING_OFFICER)


class GrantCloseView(GrantActionView):
    """Shows what closing the grant will record and change (its closure plan) and, once the officer gives the
    reason, closes it through grant_close(). Only commissioning officers reach it: anyone else is refused (403),
    whatever they send."""

    template_name = "programmes/admin/grant_close.html"
    page_title = "Close"
    header_icon = "lock"
    inspect_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not can_close_grants(request.user):
            # The admin turns PermissionDenied into a redirect home with a message; a refused closure is a 403.
            return forbidden(request, "Only a commissioning officer can close a grant.")
        return super().dispatch(request, *args, **kwargs)

    def get_grant_url(self):
        return reverse(self.inspect_url_name, args=(quote(self.object.pk),))

    @staticmethod
    def reason_form(data=None) -> ReviewReasonForm:
        return ReviewReasonForm(
            data,
            label="Reason for closing",
            help_text="Required. Recorded with the closure and shown in the grant's history.",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = grant_closure_plan(grant=self.object)
        context.update(
            grant=self.object,
            is_active=self.object.status == Grant.Status.ACTIVE,
            plan=plan,
            figures=closure_figures(plan),
            charges=[
                {
                    "stream": change.stream,
                    "year": change.year.label,
                    "before": format_gbp(change.before),
                    "after": format_gbp(change.after),
                    "freed": format_gbp(change.released)
                    if change.released.amount >= 0
                    else f"{format_gbp(-change.released)} more committed",
                }
                for change in plan.charges
            ],
            lines=[
                {"name": change.line.name, "before": format_gbp(change.before), "after": format_gbp(change.after)}
                for change in plan.lines
            ],
            cancelled_payments=[
                {"amount": format_gbp(payment.amount), "quarter": payment.period.label, "date": payment.date}
                for payment in plan.cancelled_payments
            ],
            form=kwargs.get("form") or self.reason_form(),
            grant_url=self.get_grant_url(),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = self.reason_form(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        try:
            closure = grant_close(grant=self.object, user=request.user, reason=reason)
        except ValidationError as error:
            self.object.refresh_from_db()
            if CLOSE_REASON_REQUIRED in error.messages:
                form.add_error("reason", CLOSE_REASON_REQUIRED)
            errors = [message for message in error.messages if message != CLOSE_REASON_REQUIRED]
            return self.render_to_response(self.get_context_data(errors=errors, form=form))
        done = (
            f"{self.object} is closed at its final spend of {format_gbp(closure.final_spend)}: "
            f"{format_gbp(closure.underspend)} is no longer committed in its streams' years"
        )
        if closure.to_recover:
            done += f", of which {format_gbp(closure.to_recover)} was paid and is to be recovered from the provider"
        done += "."
        messages.success(request, done)
        return redirect(self.get_grant_url())


def closure_figures(closure) -> list[tuple[str, str]]:
    """A closure's figures (a GrantClosure, or the ClosurePlan that would record it) as the screens show them."""
    return [
        ("Amount before closing", format_gbp(closure.amount_before)),
        ("Final spend (approved in returns)", format_gbp(closure.final_spend)),
        ("Underspend", format_gbp(closure.underspend)),
        ("Released to the streams (committed, never paid)", format_gbp(closure.released)),
        ("To recover from the provider (paid beyond the final spend)", format_gbp(closure.to_recover)),
    ]


class GrantCloseLogFormatter(LogFormatter):
    """How a grant's history shows its closure: the figures and the reason."""

    label = "Close"

    def format_message(self, log_entry):
        data = log_entry.data
        message = (
            f"Closed: final spend {format_gbp(gbp(data['final_spend']))}, "
            f"{format_gbp(gbp(data['released']))} released to the streams, "
            f"{format_gbp(gbp(data['to_recover']))} to recover. Reason: {data['reason']}"
        )
        cancelled = data.get("cancelled_payments") or []
        if cancelled:
            names = ", ".join(f"{format_gbp(gbp(amount))} for {quarter}" for amount, quarter in cancelled)
            message += f". Planned payments cancelled: {names}"
        return message


class GrantInspectView(SetupInspectView):
    """A grant with its charges (overrides flagged), budget lines with their profiles, and its variations; a closed
    grant's closure; for a commissioning officer, "Close grant" on an active one."""

    close_url_name = None

    def get_edit_url(self):
        """A closed grant cannot change, so its record offers no way to edit it."""
        return None if self.object.status == Grant.Status.CLOSED else super().get_edit_url()

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.close_url_name and self.object.status == Grant.Status.ACTIVE and can_close_grants(self.request.user):
            url = reverse(self.close_url_name, args=(quote(self.object.pk),))
            buttons.append(HeaderButton("Close grant", url=url, icon_name="lock"))
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        grant = self.object
        closure = getattr(grant, "closure", None) if grant.status == Grant.Status.CLOSED else None
        context["closure"] = closure
        context["closure_figures"] = closure_figures(closure) if closure else []
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
        context.update(self.payments_context(grant))
        return context

    # Where the grant's payments link to, and where finance approves one (the Returns menu's viewsets).
    payment_inspect_url_name = "outturn_payments:inspect"
    payment_approve_url_name = "outturn_payments:approve"
    review_url_name = "outturn_review:review"

    def payments_context(self, grant) -> dict:
        """The grant's payments, each with its status, the return that released it and, for finance, an approve
        control where it is due."""
        if not self.payment_inspect_url_name or not self.request.user.has_perm("programmes.view_payment"):
            return {}
        return {
            "payments": [
                {
                    "payment": payment,
                    "amount": format_gbp(payment.amount),
                    "url": reverse(self.payment_inspect_url_name, args=(quote(payment.pk),)),
                    "released_by_url": (
                        reverse(self.review_url_name, args=(quote(payment.released_by_return_id),))
                        if payment.released_by_return_id
                        else None
                    ),
                    "flag": payment_release_flag(payment=payment),
                }
                for payment in grant_payment_list(grant=grant, on=today())
            ],
            "may_approve_payments": self.request.user.has_role(Role.FINANCE_OFFICER),
            "payment_approve_url": reverse(self.payment_approve_url_name),
        }


# --- Returns and variations -----------------------------------------------------------------------------------


def indicator_figure(value: IndicatorValue | None) -> str:
    """A reported figure as people read it: 12, £1,250.00, or 17 of 23 (73.9%)."""
    if value is None:
        return ""
    if value.value is None:
        return f"{number(value.numerator)} of {number(value.denominator)} ({value.numerator / value.denominator:.1%})"
    return format_gbp(value.value) if value.indicator.unit == Indicator.Unit.MONEY else number(value.value)


def number(value: Decimal | None) -> str:
    """12 rather than 12.00; 1,250.5 rather than 1250.50."""
    return "" if value is None else f"{value.normalize():,f}"


class ReturnInspectView(SetupInspectView):
    """A return's record: its timeline of transitions, spend, forecasts and indicator values. The review screen,
    linked from the header, sets it beside the previous quarter and the targets."""

    review_url_name = None

    @cached_property
    def header_buttons(self):
        url = reverse(self.review_url_name, args=(quote(self.object.pk),))
        return [HeaderButton("Review", url=url, icon_name="tasks")]

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
                    "value": indicator_figure(value),
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
                "profile": [
                    f"{FinancialYear(year)}: {format_gbp(gbp(amount))}" for year, amount in snapshot.get("profile", [])
                ],
            }

        context["before"], context["after"] = describe(before), describe(after)
        context["note"] = after.get("note", "")
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


class OverrideIndexView(StreamingExportMixin, SpreadsheetExportMixin, BaseListingView):
    """Every override in one list, newest first, so that none goes unnoticed."""

    template_name = "wagtailadmin/generic/index.html"
    results_template_name = LISTING_RESULTS_TEMPLATE
    page_title = "Overrides"
    header_icon = "warning"
    paginate_by = 50
    is_searchable = True
    filterset_class = OverrideFilterSet
    list_export = [
        "kind",
        "grant.identifier",
        "grant.title",
        "grant.provider.name",
        "detail",
        "record.amount",
        "reason",
        "overridden_by",
        "overridden_at",
    ]
    export_headings = {
        "kind": "Override",
        "grant.identifier": "Grant",
        "grant.title": "Grant title",
        "grant.provider.name": "Provider",
        "detail": "Against",
        "record.amount": "Amount (£)",
        "reason": "Reason recorded",
        "overridden_by": "By",
        "overridden_at": "When",
    }
    export_filename = "overrides"
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

    def _row(self, record, *, kind: str, detail: str, url: str) -> "OverrideRow":
        return OverrideRow(
            kind=kind,
            record=record,
            grant=record.grant,
            detail=detail,
            amount=format_gbp(record.amount),
            reason=record.override_reason,
            overridden_by=record.overridden_by,
            overridden_at=record.overridden_at,
            url=url,
        )

    def get_queryset(self):
        user = self.request.user
        rows = []
        if user.has_perm("programmes.view_grantcharge"):
            rows += [
                self._row(
                    charge,
                    kind="Charge past the year's allocation",
                    detail=f"{charge.stream} {charge.fy}",
                    url=self._url(self.grant_inspect_url_name, charge.grant_id),
                )
                for charge in self._search(self._filter(charge_override_list(user=user)))
            ]
        if user.has_perm("programmes.view_payment"):
            rows += [
                self._row(
                    payment,
                    kind="Payment past the grant's amount",
                    detail=f"{payment.get_status_display()} {payment.period}",
                    url=self._url(self.payment_inspect_url_name, payment.pk),
                )
                for payment in self._search(self._filter(payment_override_list(user=user)))
            ]
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

    menu_item_class = menu_item_shown_to(can_view_overrides)

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


# --- Payments -------------------------------------------------------------------------------------------------


class PaymentIndexView(ReadOnlyIndexView):
    """The payments listing, with the way to the payments due for approval in its header."""

    approve_url_name = None

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.approve_url_name:
            url = reverse(self.approve_url_name)
            buttons.append(HeaderButton("Payments due for approval", url=url, icon_name="check"))
        return buttons


class ReleasedByColumn(Column):
    """The return that released a payment, linked to its review screen."""

    cell_template_name = "programmes/admin/tables/link_cell.html"

    def __init__(self, name, review_url_name=None, **kwargs):
        super().__init__(name, **kwargs)
        self.review_url_name = review_url_name

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        released_by = instance.released_by_return
        context["value"] = f"{released_by.period} return" if released_by else ""
        context["link_url"] = reverse(self.review_url_name, args=(quote(released_by.pk),)) if released_by else None
        return context


class PaymentInspectView(SetupInspectView):
    """A payment, with the return that released it (grants paid in arrears) and whether that return has since
    been reopened: the payment stays, flagged, for finance to decide. Who approved it and when; and, to a finance
    officer, an Approve button while it is due."""

    review_url_name = None
    approve_url_name = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        payment = self.object
        released_by = payment.released_by_return
        context.update(
            released_by=released_by,
            released_by_url=reverse(self.review_url_name, args=(quote(released_by.pk),)) if released_by else None,
            release_flag=payment_release_flag(payment=payment),
            is_due_for_approval=getattr(payment, "is_due_for_approval", False),
            may_approve=self.request.user.has_role(Role.FINANCE_OFFICER),
            approve_url=reverse(self.approve_url_name) if self.approve_url_name else None,
            here=self.request.get_full_path(),
        )
        return context


# --- Review of returns ----------------------------------------------------------------------------------------

REVIEW_VIEWSET_NAME = "outturn_review"
RETURN_APPROVE_LOG_ACTION = "outturn.return.approve"
RETURN_SEND_BACK_LOG_ACTION = "outturn.return.send_back"
RETURN_REOPEN_LOG_ACTION = "outturn.return.reopen"


def can_view_returns(user) -> bool:
    return user.has_perm("programmes.view_quarterlyreturn")


def can_review_returns(user) -> bool:
    """Whether the user may take any of the lifecycle's office decisions (approve, send back, reopen)."""
    return any(transition.allows(user) for transition in lifecycle.TRANSITIONS.values() if transition.office)


def _submitted_on(quarterly_return):
    return timezone.localdate(quarterly_return.submitted_at) if quarterly_return.submitted_at else None


def _days_waiting(quarterly_return):
    return return_days_waiting(quarterly_return=quarterly_return, on=today())


class ReviewQueueView(StreamingExportMixin, SelectorIndexMixin, generic.IndexView):
    """Submitted returns for the office to review, the one waiting longest first."""

    model = QuarterlyReturn
    selector = staticmethod(return_review_queue)
    page_title = "Review queue"
    filterset_class = ReviewQueueFilterSet
    search_fields = ["grant__identifier", "grant__title", "grant__provider__name"]
    default_ordering = "submitted_at"
    paginate_by = 50
    review_url_name = None
    list_export = [
        "grant.identifier",
        "grant.title",
        "grant.provider.name",
        "grant.programme.name",
        "period.financial_year.label",
        "quarter",
        "submitted_at",
        "due_date",
        "submitted_late",
        _days_waiting,
    ]
    export_headings = {
        "grant.identifier": "Grant",
        "grant.title": "Grant title",
        "grant.provider.name": "Provider",
        "grant.programme.name": "Programme",
        "period.financial_year.label": "Financial year",
        "quarter": "Quarter",
        "submitted_at": "Submitted",
        "due_date": "Due",
        "submitted_late": "Submitted late",
        _days_waiting: "Days waiting",
    }
    export_filename = "review-queue"

    def get_review_url(self, quarterly_return):
        return reverse(self.review_url_name, args=(quote(quarterly_return.pk),))

    @cached_property
    def columns(self):
        on = today()
        return [
            TitleColumn("grant", label="Grant", get_url=self.get_review_url, sort_key="grant__identifier"),
            Column("provider", accessor="grant.provider", label="Provider", sort_key="grant__provider__name"),
            Column("period", label="Quarter"),
            Column("submitted", accessor=_submitted_on, label="Submitted", sort_key="submitted_at"),
            Column("deadline", label="Due", sort_key="due_date"),
            FlagColumn("late", accessor="submitted_late", true_label="Late", label="Submitted late"),
            Column(
                "days_waiting",
                accessor=lambda row: return_days_waiting(quarterly_return=row, on=on),
                label="Days waiting",
            ),
        ]


@dataclass(frozen=True)
class ReviewAction:
    """How the review screen takes one of the lifecycle's office transitions: its service, log entry and words.
    Which transitions exist, from which statuses, who may take them and whether they need a reason is the
    lifecycle's table (programmes/lifecycle.py), which this reads."""

    transition: lifecycle.Transition
    service: Callable[..., QuarterlyReturn]  # called with quarterly_return, user and reason
    log_action: str
    done: str  # the success message, formatted with the return's period, grant and deadline
    reason_label: str = ""
    reason_help: str = ""

    @property
    def name(self) -> str:
        return self.transition.name

    @property
    def label(self) -> str:
        return self.transition.label

    def form(self, name: str, data=None) -> ReviewReasonForm | None:
        if not self.transition.reason_required:
            return None
        return ReviewReasonForm(data, prefix=name, label=self.reason_label, help_text=self.reason_help)


REVIEW_ACTIONS = {
    lifecycle.APPROVE.name: ReviewAction(
        transition=lifecycle.APPROVE,
        service=lambda *, quarterly_return, user, reason: return_approve(quarterly_return=quarterly_return, user=user),
        log_action=RETURN_APPROVE_LOG_ACTION,
        done="The {period} return for {grant} is approved. The provider has been e-mailed.",
    ),
    lifecycle.SEND_BACK.name: ReviewAction(
        transition=lifecycle.SEND_BACK,
        service=return_send_back,
        log_action=RETURN_SEND_BACK_LOG_ACTION,
        done="The {period} return for {grant} is returned for changes, to be submitted again by {deadline}. The "
        "provider has been e-mailed your comments.",
        reason_label="Comments for the provider",
        reason_help="Required. Say what to change: the provider sees these comments in the portal and by e-mail.",
    ),
    lifecycle.REOPEN.name: ReviewAction(
        transition=lifecycle.REOPEN,
        service=return_reopen,
        log_action=RETURN_REOPEN_LOG_ACTION,
        done="The {period} return for {grant} is reopened and returned for changes. The provider has been e-mailed "
        "the reason.",
        reason_label="Reason for reopening",
        reason_help="Required. The provider sees it. The return's figures are withdrawn from everything that counts "
        "approved data until it is approved again; a payment it released stays, flagged for finance.",
    ),
}


class ReturnReviewView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """A return beside the previous quarter's and the targets, with variance and late flags, where a commissioning
    officer approves it, returns it for changes, or reopens it once approved. Finance officers and board viewers
    read it but take no decision."""

    model = QuarterlyReturn
    permission_required = "view"
    template_name = "programmes/admin/return_review.html"
    page_title = "Review"
    header_icon = "tasks"
    index_url_name = None
    review_url_name = None
    evidence_url_name = None
    inspect_url_name = None
    grant_inspect_url_name = None

    @cached_property
    def review(self):
        return return_review_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_page_subtitle(self):
        return str(self.review.quarterly_return)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": "Review queue"},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    @cached_property
    def header_buttons(self):
        url = reverse(self.inspect_url_name, args=(quote(self.review.quarterly_return.pk),))
        return [HeaderButton("Inspect the record", url=url, icon_name="info-circle")]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        review = self.review
        quarterly_return = review.quarterly_return
        may_decide = can_review_returns(self.request.user)
        # The buttons are the lifecycle's office transitions this officer may take from the return's status.
        available = lifecycle.available(user=self.request.user, quarterly_return=quarterly_return, office=True)
        actions = [REVIEW_ACTIONS[transition.name] for transition in available]
        context.update(
            review=review,
            quarterly_return=quarterly_return,
            grant=quarterly_return.grant,
            grant_url=reverse(self.grant_inspect_url_name, args=(quote(quarterly_return.grant_id),)),
            previous_url=self._review_url(review.previous),
            days_waiting=(
                return_days_waiting(quarterly_return=quarterly_return, on=today())
                if quarterly_return.status == QuarterlyReturn.Status.SUBMITTED
                else None
            ),
            is_overdue=quarterly_return.is_overdue(today()),
            spend=[self._spend_row(row) for row in review.spend],
            spend_totals={
                "planned": format_gbp(sum((row.planned for row in review.spend), gbp(0))),
                "actual": format_gbp(review.spent_this_quarter),
            },
            money={
                "spent_before": format_gbp(review.spent_before),
                "this_quarter": format_gbp(review.spent_this_quarter),
                "cumulative": format_gbp(review.spent_cumulative),
                "grant_amount": format_gbp(quarterly_return.grant.amount),
                "remaining": format_gbp(review.grant_remaining),
                "over_grant": review.grant_remaining.amount < 0,
            },
            forecast_quarters=quarterly_return.period.remaining_in_year(),
            forecasts=[
                {
                    "line": line.name,
                    "cells": [{"forecast": _money(row.forecast), "planned": format_gbp(row.planned)} for row in rows],
                }
                for line, rows in groupby(review.forecasts, key=lambda row: row.budget_line)
            ],
            indicators=[self._indicator_row(row) for row in review.indicators],
            evidence=[
                {
                    "file": evidence,
                    "url": reverse(self.evidence_url_name, args=(quarterly_return.pk, evidence.pk)),
                }
                for evidence in quarterly_return.evidence.all()
            ],
            transitions=list(quarterly_return.transitions.all()),
            payments=[
                {"payment": payment, "amount": format_gbp(payment.amount)}
                for payment in quarterly_return.payments.all()
            ],
            actions=[
                {"name": action.name, "label": action.label, "form": action.form(action.name)} for action in actions
            ],
            may_decide=may_decide,
            resubmission_working_days=settings.RETURN_RESUBMISSION_WORKING_DAYS,
        )
        return context

    def _review_url(self, quarterly_return):
        return reverse(self.review_url_name, args=(quote(quarterly_return.pk),)) if quarterly_return else None

    @staticmethod
    def _spend_row(row) -> dict:
        variance = row.variance
        return {
            "line": row.budget_line.name,
            "planned": format_gbp(row.planned),
            "actual": _money(row.actual),
            "variance": format_gbp(variance.amount) if variance else "",
            "percent": _percent(variance.percent) if variance else "",
            "flagged": bool(variance and variance.flagged),
            "explanation": row.explanation,
            "previous": _money(row.previous_actual),
        }

    @staticmethod
    def _indicator_row(row) -> dict:
        indicator = row.indicator
        percentage = indicator.unit == Indicator.Unit.PERCENTAGE
        so_far = row.year_so_far
        return {
            "indicator": indicator,
            "value": indicator_figure(row.value),
            "breakdowns": [
                (value.get_breakdown_display(), value.category, indicator_figure(value)) for value in row.breakdowns
            ],
            "previous": indicator_figure(row.previous),
            "year_target": number(row.year_target),
            "quarter_target": number(row.quarter_target),
            "year_so_far": (f"{so_far:.1f}%" if percentage else number(so_far)) if so_far is not None else "",
        }

    def post(self, request, *args, **kwargs):
        if not can_review_returns(request.user):
            # The admin turns PermissionDenied into a redirect home with a message; a refused decision is a 403.
            return forbidden(request, "Only a commissioning officer can approve, return or reopen a return.")
        name = request.POST.get("action")
        action = REVIEW_ACTIONS.get(name)
        if action is None:
            return HttpResponseBadRequest("Choose approve, send-back or reopen.")
        if not action.transition.allows(request.user):
            return forbidden(
                request,
                f"You cannot take this decision: a return is {action.transition.done} by a "
                f"{' or '.join(str(role).lower() for role in action.transition.roles)}.",
            )
        quarterly_return = return_get(user=request.user, pk=self.kwargs["pk"])
        form = action.form(name, data=request.POST)
        if form is not None and not form.is_valid():
            # What the officer typed cannot be kept (a NUL character pasted in): say so, rather than "give a reason".
            messages.error(request, f"{action.reason_label}: {' '.join(form.errors.get('reason', []))}")
            return redirect(self._review_url(quarterly_return))
        reason = form.cleaned_data["reason"] if form is not None and form.is_valid() else ""
        try:
            # The service refuses, as the lifecycle says, a decision the return's status does not allow.
            with transaction.atomic():
                decided = action.service(quarterly_return=quarterly_return, user=request.user, reason=reason)
                log(instance=quarterly_return, action=action.log_action, user=request.user, data={"reason": reason})
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(self._review_url(quarterly_return))
        deadline = decided.deadline
        done = action.done.format(
            period=quarterly_return.period,
            grant=quarterly_return.grant.identifier,
            deadline=f"{deadline.day} {deadline:%B %Y}" if deadline else "",
        )
        messages.success(request, done)
        # Approving or returning one finishes it: the officer goes on to the next in the queue.
        if action.transition is lifecycle.REOPEN:
            return redirect(self._review_url(quarterly_return))
        return redirect(self.index_url_name)


def _money(amount) -> str:
    return format_gbp(amount) if amount is not None else ""


def _percent(percent: Decimal | None) -> str:
    """Signed, so that under- and overspend read differently; blank where nothing was planned."""
    return "" if percent is None else f"{percent:+}%"


class EvidenceDownloadView(PermissionCheckedMixin, View):
    """An evidence file of a return, streamed from private storage to an office user who may see returns.

    Always as an attachment, so that nothing a provider uploads is ever rendered in the admin's origin.
    """

    model = QuarterlyReturn
    permission_required = "view"

    def get(self, request, pk, file_pk):
        evidence = evidence_file_get(user=request.user, return_pk=pk, pk=file_pk)
        try:
            handle = evidence.file.open("rb")
        except FileNotFoundError as missing:
            raise Http404("The file is no longer in storage.") from missing
        return FileResponse(
            handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
        )


class ReturnReviewViewSet(ViewSet):
    """The review queue and the review screen, placed in the Returns menu."""

    icon = "tasks"
    menu_label = "Review queue"
    menu_item_class = menu_item_shown_to(can_view_returns)
    #: Where the review screen links to: the return's record and its grant.
    inspect_url_name = None
    grant_inspect_url_name = None

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            index_url_name=self.get_url_name("index"),
            index_results_url_name=self.get_url_name("index_results"),
            review_url_name=self.get_url_name("review"),
            evidence_url_name=self.get_url_name("evidence"),
            inspect_url_name=self.inspect_url_name,
            grant_inspect_url_name=self.grant_inspect_url_name,
            header_icon=self.icon,
            **kwargs,
        )

    def get_urlpatterns(self):
        return [
            path("", self.construct_view(ReviewQueueView), name="index"),
            path("results/", self.construct_view(ReviewQueueView, results_only=True), name="index_results"),
            path("<int:pk>/", self.construct_view(ReturnReviewView), name="review"),
            path("<int:pk>/evidence/<int:file_pk>/", self.construct_view(EvidenceDownloadView), name="evidence"),
        ]
