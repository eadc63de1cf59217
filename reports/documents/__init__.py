"""The files a report is made as: one function per kind and format, (report, progress) -> the file's bytes.

`progress(percent)` tells the office how far a long report has got; a maker calls it between its sections.
"""

from reports.documents import board_pack, funder_return
from reports.models import Report

MAKERS = {
    (Report.Kind.BOARD_PACK, Report.Format.PDF): board_pack.board_pack_pdf,
    (Report.Kind.FUNDER_RETURN, Report.Format.XLSX): funder_return.funder_return_xlsx,
    (Report.Kind.FUNDER_RETURN, Report.Format.PDF): funder_return.funder_return_pdf,
}


def formats_of(kind: str) -> list[str]:
    return [file_format for made_kind, file_format in MAKERS if made_kind == kind]
