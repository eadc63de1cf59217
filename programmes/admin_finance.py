"""The finance import in the back office: upload a ledger file, check its preview, import it; and the sample file.

Only finance officers reach these screens. Between the preview and the confirmation the rows travel in the page,
signed (django.core.signing) for the user who uploaded them and valid for an hour, so nothing is stored and any
app server can take the confirmation; the rows are checked again when they are imported.
"""

import csv

from django import forms
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.urls import path, reverse
from django.views.generic import TemplateView, View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.log_actions import LogFormatter, log

from funding.admin_views import menu_item_shown_to
from funding.roles import Role
from programmes.finance_import import (
    COLUMNS,
    LedgerCheck,
    LedgerRow,
    ledger_check,
    ledger_file_read,
    ledger_sample_rows,
    payment_import,
)
from programmes.services import today

PAYMENT_IMPORT_LOG_ACTION = "outturn.payment.import"
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
            with transaction.atomic():
                check = payment_import(rows=rows, file_name=file_name, user=request.user)
                for row in check.to_import:
                    data = {"file": file_name, "row": row.row.number, "reference": row.row.reference}
                    log(instance=row.payment, action=PAYMENT_IMPORT_LOG_ACTION, user=request.user, data=data)
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
            f"{len(check.settling)} scheduled marked paid, {len(check.recording)} new."
        )
        if skipped:
            message += f" {skipped} row{pluralize(skipped)} already imported left as they were."
        return message


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
