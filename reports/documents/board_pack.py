"""The board pack for a quarter, as an A4 PDF: the figures of `reports.board_pack`, the charts of the dashboards."""

import datetime

from django.template.loader import render_to_string

from funding.fiscal import FinancialYear, Quarter
from funding.models import User
from programmes.services import today
from reports.board_pack import board_pack_get
from reports.models import Report
from reports.pdf import html_to_pdf, pdf_context


def board_pack_html(*, user: User, quarter: Quarter, as_at: datetime.datetime) -> str:
    """The pack as HTML: every query the pack makes is made here, before the PDF engine starts."""
    pack = board_pack_get(user=user, quarter=quarter, on=today())
    return render_to_string(
        "reports/documents/board_pack.html",
        {**pdf_context(), "pack": pack, "as_at": as_at, "running_footer": f"Board pack, {quarter.label}"},
    )


def board_pack_pdf(report: Report, progress) -> bytes:
    quarter = Quarter(FinancialYear(report.financial_year), report.quarter)
    html = board_pack_html(user=report.requested_by, quarter=quarter, as_at=report.started_at)
    progress(40)
    return html_to_pdf(html)
