"""PDFs from HTML templates with WeasyPrint: the return receipt and the board and funder reports.

Every PDF is A4 in the Alliance's typeface, read from the built static files on disk. WeasyPrint may read only
those files: nothing in a template's data can make the server fetch a URL.
"""

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher


def _static_file_url(path: str) -> str:
    """A built static file as a file:// URL WeasyPrint reads from disk, or "" when the assets are not built."""
    found = finders.find(path)
    return f"file://{found}" if found else ""


def pdf_context() -> dict:
    return {
        "font_regular": _static_file_url("fonts/source-sans-3-latin-400-normal.woff2"),
        "font_bold": _static_file_url("fonts/source-sans-3-latin-700-normal.woff2"),
        "logo": _static_file_url("images/alliance-logo.svg"),
    }


def html_to_pdf(html: str) -> bytes:
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"file"})).write_pdf()


def pdf_from_template(template_name: str, context: dict, request=None) -> bytes:
    return html_to_pdf(render_to_string(template_name, {**pdf_context(), **context}, request=request))
