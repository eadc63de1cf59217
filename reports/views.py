"""Documents read from the workflow: the receipt PDF of a submitted return."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.views import View

from programmes.portal import return_selectors
from reports.pdf import pdf_from_template


class ReturnReceiptPdfView(LoginRequiredMixin, View):
    """Everything a provider submitted in a return, as an A4 PDF to keep.

    For the provider's own users and the office's readers of records (funding.roles.RECORD_READER_ROLES): the return
    is read through the scoped selectors, so anyone else (a content editor, another organisation's user) gets a 404.
    """

    def get(self, request, pk):
        sheet = return_selectors.return_sheet(user=request.user, pk=pk)
        if not sheet.is_submitted:
            raise Http404("This return has not been submitted.")
        pdf = pdf_from_template(
            "reports/return_receipt_pdf.html",
            {"sheet": sheet, "quarterly_return": sheet.quarterly_return, "running_footer": sheet.reference},
            request=request,
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{sheet.reference}-receipt.pdf"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
