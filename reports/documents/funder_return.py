"""The funder's return for a stream's year: spend and forecast by quarter, labour and non-labour, by grant.

Written for the Serious Violence Duty's claim, and for any stream whose funder asks for the same split. The
figures are `selectors.funder_return_get`'s, which are the funding overview's for the same stream and year.
"""

import io
from decimal import Decimal

from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from funding.fiscal import FinancialYear
from funding.spreadsheets import POUNDS, cell_text
from programmes.services import today
from reports import selectors
from reports.models import Report
from reports.pdf import html_to_pdf, pdf_context

MONEY_COLUMNS = (
    ("Profile", "profiled"),
    ("Paid", "paid"),
    ("Spent: labour", "spent_labour"),
    ("Spent: non-labour", "spent_non_labour"),
    ("Spent", "spent"),
    ("Forecast outturn: labour", "outturn_labour"),
    ("Forecast outturn: non-labour", "outturn_non_labour"),
    ("Forecast outturn", "outturn"),
)
NOTES = [
    ("Allocated", "The stream's allocation for the financial year."),
    ("Committed", "What active and closed grants charge the stream for the year."),
    ("Profile", "The grants' planned spend for the quarter, their budget lines' quarterly profiles."),
    ("Paid", "Payments made for the quarter, by the quarter they are for."),
    ("Spent", "Spend reported in quarterly returns the office has approved. Nothing awaiting review counts."),
    ("Labour, non-labour", "Labour is the budget lines for staff costs; non-labour is every other line."),
    (
        "Forecast outturn",
        "Spent where the quarter's return is approved; otherwise the latest forecast for that quarter in an approved "
        "return; otherwise the profile.",
    ),
    ("Remaining", "Allocated less forecast outturn; negative where the forecast is over the allocation."),
    (
        "Underspend that cannot be carried over",
        "Remaining at the year's end, where the stream's conditions do not allow money to be carried into the next "
        "year.",
    ),
    (
        "Co-funded grants",
        "A grant charged to several streams counts against each in proportion to that year's charges, to the penny.",
    ),
]


def _data(report: Report) -> selectors.FunderReturn:
    return selectors.funder_return_get(
        user=report.requested_by, stream_pk=report.stream_id, year=FinancialYear(report.financial_year), on=today()
    )


def funder_return_pdf(report: Report, progress) -> bytes:
    data = _data(report)
    progress(40)
    html = render_to_string(
        "reports/documents/funder_return.html",
        {
            **pdf_context(),
            "report": report,
            "data": data,
            "quarters": list(zip(data.quarters, data.by_quarter, strict=True)),
            "as_at": report.started_at,
            "running_footer": f"{data.stream_year.stream.name}, {report.period_label}",
        },
    )
    return html_to_pdf(html)


def funder_return_xlsx(report: Report, progress) -> bytes:
    data = _data(report)
    progress(40)
    stream, total = data.stream_year.stream, data.total
    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    _table(
        summary,
        [
            "Funding stream",
            "Funder",
            "Financial year",
            "Allocated",
            "Committed",
            *_labels(),
            "Remaining",
            "Underspend that cannot be carried over",
        ],
        [
            [
                stream.name,
                stream.funder.name,
                report.period_label,
                total.allocated,
                total.committed,
                *_money(total),
                total.remaining,
                data.underspend_lost,
            ]
        ],
    )
    _table(
        book.create_sheet("By quarter"),
        ["Quarter", *_labels()],
        [[quarter.label, *_money(figures)] for quarter, figures in zip(data.quarters, data.by_quarter, strict=True)]
        + [["Year", *_money(total)]],
    )
    _table(
        book.create_sheet("By grant"),
        ["Grant", "Title", "Provider", "Programme", "Committed", *_labels()],
        [
            [
                row.grant.identifier,
                row.grant.title,
                row.grant.provider.name,
                row.grant.programme.name,
                row.committed,
                *_money(row.total),
            ]
            for row in data.grants
        ],
    )
    _table(
        book.create_sheet("By grant and quarter"),
        ["Grant", "Provider", "Quarter", *_labels()],
        [
            [row.grant.identifier, row.grant.provider.name, quarter.label, *_money(figures)]
            for row in data.grants
            for quarter, figures in zip(data.quarters, row.quarters, strict=True)
        ],
    )
    notes = book.create_sheet("Notes")
    _table(
        notes,
        ["Column", "What it means"],
        [["Figures as at", f"{report.started_at:%d %B %Y %H:%M} (the time this file was made)"], *NOTES],
    )
    notes.column_dimensions["B"].width = 100
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _labels() -> list[str]:
    return [label for label, _ in MONEY_COLUMNS]


def _money(figures: selectors.Figures) -> list:
    return [getattr(figures, name) for _, name in MONEY_COLUMNS]


def _table(sheet, headings: list[str], rows: list[list]) -> None:
    """A sheet of one table: bold, frozen headings; money as numbers in pounds; text that no spreadsheet runs."""
    sheet.append(headings)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append([cell_text(value) for value in row])
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, Decimal):
                cell.number_format = POUNDS
    for index, heading in enumerate(headings, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(14, min(40, len(heading) + 2))
    sheet.freeze_panes = "A2"
