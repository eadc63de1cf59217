"""Documents read from the workflow: the receipt PDF of a submitted return."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.views import View
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from programmes.portal import return_selectors


def _static_file_url(path: str) -> str:
    """A built static file as a file:// URL WeasyPrint reads from disk, or "" when the assets are not built."""
    found = finders.find(path)
    return f"file://{found}" if found else ""


class ReturnReceiptPdfView(LoginRequiredMixin, View):
    """Everything a provider submitted in a return, as an A4 PDF to keep.

    For the provider's own users and the office: the return is read through the scoped selectors, so anyone
    else, or another organisation's user, gets a 404.
    """

    def get(self, request, pk):
        sheet = return_selectors.return_sheet(user=request.user, pk=pk)
        if not sheet.is_submitted:
            raise Http404("This return has not been submitted.")
        html = render_to_string(
            "reports/return_receipt_pdf.html",
            {
                "sheet": sheet,
                "quarterly_return": sheet.quarterly_return,
                "font_regular": _static_file_url("fonts/source-sans-3-latin-400-normal.woff2"),
                "font_bold": _static_file_url("fonts/source-sans-3-latin-700-normal.woff2"),
                "logo": _static_file_url("images/alliance-logo.svg"),
            },
            request=request,
        )
        # Only the fonts and logo on disk are read: nothing in a return can make the server fetch a URL.
        pdf = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"file"})).write_pdf()
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{sheet.reference}-receipt.pdf"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
