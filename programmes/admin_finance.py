"""Finance's screens in the back office: payments due for approval, approved one or many at once; the finance
import (upload a ledger file, check its preview, import it) and its sample file.

Only finance officers approve and import; the other office roles read the payments due but take no decision.
Between the preview and the confirmation the rows travel in the page, signed (django.core.signing) for the user who
uploaded them and valid for an hour, so nothing is stored and any app server can take the confirmation; the rows
are checked again when they are imported.
"""

import csv

from django import forms
from django.contrib.admin.utils import quote
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.urls import path, reverse
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import TemplateView, View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.log_actions import LogFormatter

from config.errors import forbidden
from funding.admin_views import menu_item_shown_to
from funding.forms import record_id_parse
from funding.money import format_gbp, gbp, gbp_sum
from funding.roles import Role
from programmes.finance_import import (
    COLUMNS,
    PAYMENT_IMPORT_LOG_ACTION,
    LedgerCheck,
    LedgerRow,
    ledger_check,
    ledger_file_read,
    ledger_sample_rows,
    payment_import,
)
from programmes.models import Payment
from programmes.selectors import (
    PAYMENT_RELEASED_BY_REOPENED_LABEL,
    payment_approval_list,
    payment_list,
    payment_release_flag,
)
from programmes.services import PAYMENT_GONE, payment_described, payments_approve, today

__all__ = ["PAYMENT_IMPORT_LOG_ACTION"]  # the import's log action, re-exported beside its formatter
PREVIEW_MAX_AGE = 60 * 60  # seconds
PREVIEW_EXPIRED = "The preview has expired or was changed: upload the file again."
FILE_REQUIRED = "Choose the ledger file to import"
NOTHING_IMPORTED = "Every row of {name} was already imported: nothing was added."


def can_import_payments(user) -> bool:
    return user.has_role(Role.FINANCE_OFFICER)


def _salt(user) -> str:
    return f"outturn.finance-import:{user.pk}"


def ledger_sign(*, check: LedgerCheck, user) -> str:
    rows = [[row.row.number, row.row.grant_id, row.row.date, row.row.amount, row.row.reference] for row in check.rows]
    return signing.dumps({"file": check.file_name, "rows": rows}, salt=_salt(user), compress=True)


def ledger_unsign(*, token: str, user) -> tuple[str, list[LedgerRow]]:
    """The file name and rows a preview signed for this user; signing.BadSignature if altered, expired or another's."""
    data = signing.loads(token, salt=_salt(user), max_age=PREVIEW_MAX_AGE)
    return data["file"], [LedgerRow(*row) for row in data["rows"]]


class PaymentImportLogFormatter(LogFormatter):
    """How a payment's history shows its import: which file, which row, and the ledger's reference."""

    label = "Import from the finance ledger"

    def format_message(self, log_entry):
        data = log_entry.data
        return f"Paid: imported from {data['file']}, row {data['row']} (ledger reference {data['reference']})"


def _logged_amount(data) -> str:
    return f" {format_gbp(gbp(data['amount']))}" if data.get("amount") else ""


class PaymentApproveLogFormatter(LogFormatter):
    """A payment's approval by finance, with the amount approved."""

    label = "Approve for payment"

    def format_message(self, log_entry):
        return f"Approved for payment:{_logged_amount(log_entry.data)}"


class PaymentPaidLogFormatter(LogFormatter):
    """A payment marked paid: when, how much, and the ledger's reference."""

    label = "Mark paid"

    def format_message(self, log_entry):
        data = log_entry.data
        paid_on = parse_date(data.get("date", ""))
        when = f" on {paid_on:%-d %B %Y}" if paid_on else ""
        return f"Paid{when}:{_logged_amount(data)} (ledger reference {data.get('reference', '')})"


class LedgerUploadForm(forms.Form):
    file = forms.FileField(
        label="Ledger file",
        help_text="A CSV file (UTF-8) or an Excel spreadsheet (.xlsx) whose first row names the columns "
        + ", ".join(COLUMNS)
        + ". Other columns are ignored.",
        error_messages={"required": FILE_REQUIRED},
        allow_empty_file=True,  # ledger_file_read refuses it, naming the file
    )


class FinanceOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not can_import_payments(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class FinanceImportView(FinanceOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    """Upload → preview (every row's outcome, or its errors) → confirm, which imports all rows or none."""

    template_name = "programmes/admin/finance_import.html"
    preview_template_name = "programmes/admin/finance_import_preview.html"
    page_title = "Import payments"
    header_icon = "upload"
    index_url_name = None
    sample_url_name = None
    payments_url_name = None

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", LedgerUploadForm())
        context.update(
            columns=COLUMNS,
            sample_url=reverse(self.sample_url_name),
            index_url=reverse(self.index_url_name),
        )
        return context

    def post(self, request, *args, **kwargs):
        if "token" in request.POST:
            return self.confirm(request)
        form = LedgerUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                rows = ledger_file_read(upload=form.cleaned_data["file"])
            except ValidationError as error:
                form.add_error("file", error)
            else:
                return self.preview(ledger_check(rows=rows, file_name=form.cleaned_data["file"].name))
        return self.render_to_response(self.get_context_data(form=form))

    def preview(self, check: LedgerCheck):
        token = ledger_sign(check=check, user=self.request.user) if check.to_import and not check.errors else ""
        context = self.get_context_data(check=check, token=token)
        return self.response_class(request=self.request, template=[self.preview_template_name], context=context)

    def confirm(self, request):
        try:
            file_name, rows = ledger_unsign(token=request.POST["token"], user=request.user)
        except signing.BadSignature:
            messages.error(request, PREVIEW_EXPIRED)
            return redirect(self.index_url_name)
        try:
            check = payment_import(rows=rows, file_name=file_name, user=request.user)
        except ValidationError:
            # Something changed since the preview (another import, a payment approved): show the file as it is now.
            return self.preview(ledger_check(rows=rows, file_name=file_name))
        messages.success(request, self.done_message(check))
        return redirect(self.payments_url_name)

    @staticmethod
    def done_message(check: LedgerCheck) -> str:
        imported, skipped = len(check.to_import), len(check.already_imported)
        if not imported:
            return NOTHING_IMPORTED.format(name=check.file_name)
        message = (
            f"Imported {imported} payment{pluralize(imported)} from {check.file_name}: "
            f"{len(check.settling)} approved marked paid, {len(check.recording)} new."
        )
        if skipped:
            message += f" {skipped} row{pluralize(skipped)} already imported left as they were."
        return message


# --- Payments due for approval ------------------------------------------------------------------------------

APPROVE_PAGE_SIZE = 100
APPROVED_ONE = "Approved the {payment}."
APPROVED_MANY = "Approved {count} payments, {total} in all: {payments}."
APPROVE_FORBIDDEN = "Only a finance officer can approve payments."


def can_approve_payments(user) -> bool:
    return user.has_role(Role.FINANCE_OFFICER)


def approved_message(payments: list[Payment]) -> str:
    if len(payments) == 1:
        return APPROVED_ONE.format(payment=payment_described(payments[0]))
    return APPROVED_MANY.format(
        count=len(payments),
        total=format_gbp(gbp_sum(payment.amount for payment in payments)),
        payments="; ".join(payment_described(payment) for payment in payments),
    )


class PaymentApprovalView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """The payments due for approval, oldest first, each beside the return that released it. A finance officer
    ticks one or many and approves them (all or none, through `payments_approve`); the grant's page and a payment's
    own page post one payment here too, with where to go back to. Other office roles read the list."""

    model = Payment
    permission_required = "view"
    template_name = "programmes/admin/payment_approval.html"
    page_title = "Payments due for approval"
    header_icon = "check"
    index_url_name = None
    approve_url_name = None
    inspect_url_name = None
    grant_inspect_url_name = None
    review_url_name = None

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": "Payments"},
            {"url": "", "label": self.get_page_title()},
        ]

    def _url(self, url_name, pk) -> str:
        return reverse(url_name, args=(quote(pk),))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        payments = payment_approval_list(user=self.request.user, on=today())
        page = Paginator(payments, APPROVE_PAGE_SIZE).get_page(self.request.GET.get("p"))
        context.update(
            page=page,
            rows=[
                {
                    "payment": payment,
                    "described": payment_described(payment),
                    "amount": format_gbp(payment.amount),
                    "url": self._url(self.inspect_url_name, payment.pk),
                    "grant_url": self._url(self.grant_inspect_url_name, payment.grant_id),
                    "released_by": payment.released_by_return,
                    "released_by_url": (
                        self._url(self.review_url_name, payment.released_by_return_id)
                        if payment.released_by_return_id
                        else None
                    ),
                    # Every row is due; what finance must also notice is a release by a return since reopened.
                    "reopened_flag": payment_release_flag(payment=payment) == PAYMENT_RELEASED_BY_REOPENED_LABEL,
                }
                for payment in page.object_list
            ],
            may_approve=can_approve_payments(self.request.user),
            approve_url=reverse(self.approve_url_name),
            index_url=reverse(self.index_url_name),
        )
        return context

    def post(self, request, *args, **kwargs):
        if not can_approve_payments(request.user):
            # The admin turns PermissionDenied into a redirect home with a message; a refused decision is a 403.
            return forbidden(request, APPROVE_FORBIDDEN)
        back = request.POST.get("next", "")
        # A page of this site, by its path: anything else ("1e309" would be taken for a URL name) goes to the list.
        if not (
            back.startswith("/")
            and back.isprintable()
            and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False)
        ):
            back = ""
        back = back or reverse(self.approve_url_name)
        chosen = [record_id_parse(pk) for pk in request.POST.getlist("payment")]
        if None in chosen:  # not an id (or too big for one), so no payment of ours
            messages.error(request, PAYMENT_GONE)
            return redirect(back)
        payments = list(payment_list(user=request.user).filter(pk__in=chosen))
        if len(payments) != len(set(chosen)):
            messages.error(request, PAYMENT_GONE)
            return redirect(back)
        try:
            approved = payments_approve(payments=payments, user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(back)
        messages.success(request, approved_message(approved))
        return redirect(back)


class LedgerSampleView(FinanceOnlyMixin, View):
    """A ledger file to try the import with, built from today's payments (`ledger_sample_rows`)."""

    def get(self, request):
        on = today()
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="ledger-sample-{on.isoformat()}.csv"'
        writer = csv.writer(response)
        writer.writerow(COLUMNS)
        for row in ledger_sample_rows(on=on):
            writer.writerow([row.grant_id, row.date, row.amount, row.reference])
        return response


class FinanceImportViewSet(ViewSet):
    """The finance import, placed in the Returns menu beside Payments."""

    icon = "upload"
    menu_label = "Import payments"
    menu_item_class = menu_item_shown_to(can_import_payments)
    payments_url_name = None

    def get_urlpatterns(self):
        import_view = FinanceImportView.as_view(
            index_url_name=self.get_url_name("index"),
            sample_url_name=self.get_url_name("sample"),
            payments_url_name=self.payments_url_name,
            header_icon=self.icon,
        )
        return [
            path("", import_view, name="index"),
            path("sample.csv", LedgerSampleView.as_view(), name="sample"),
        ]
