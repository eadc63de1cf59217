"""Reading a table someone uploads as a CSV or XLSX file, within limits checked before it is parsed.

A small file can describe a huge table: a 19 KB XLSX can hold two million empty rows, or claim (in its sheet's
`dimension`) a million rows by sixteen thousand columns, which a reader would fill in cell by cell; a zip can unpack
to gigabytes. So a file is refused, with a message naming the limit, when

- the upload is larger than `MAX_BYTES`;
- an XLSX's parts would unzip to more than `MAX_UNCOMPRESSED_BYTES` together (read from the zip's directory; Python's
  zipfile never inflates a part past the size the directory declares);
- the sheet's declared dimension, or a CSV's count of lines, passes `MAX_ROWS`, `MAX_COLUMNS` or `MAX_CELLS`;

and, as the rows are then read one by one (openpyxl's read-only mode, not trusting the declared dimension), the
reading stops at the first row past `MAX_ROWS` (blank rows count: they cost as much to read), the first value past
`MAX_COLUMNS` or the first filled cell past `MAX_CELLS`. These are the only limits on uploaded tables; a use may add
its own (the finance import's number of payments).
"""

import csv
import datetime
import io
import zipfile
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from openpyxl import load_workbook

MAX_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 25 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 50
MAX_CELLS = 200_000

TOO_BIG = "{name} is larger than {limit}: split it into smaller files"
UNPACKS_TOO_BIG = (
    "{name} unpacks to more than {limit}, which no ledger or list needs: save it again as a plain spreadsheet, "
    "or split it into smaller files"
)
TOO_MANY_ROWS = (
    "{name} has more than {limit:,} rows, counting blank ones: delete the empty rows below the data, or split it "
    "into smaller files"
)
TOO_MANY_COLUMNS = "{name} has more than {limit:,} columns: keep only the columns asked for"
TOO_MANY_CELLS = "{name} has more than {limit:,} cells: split it into smaller files"
UNREADABLE = "{name} cannot be read as {named}: save it again and upload it"

NAMED = {"csv": "a CSV file", "xlsx": "an Excel spreadsheet"}


def _megabytes(size: int) -> str:
    return f"{size // (1024 * 1024)} MB"


def upload_size_check(*, upload: UploadedFile, name: str) -> None:
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ValidationError(TOO_BIG.format(name=name, limit=_megabytes(MAX_BYTES)), code="too_big")


def _shape_check(*, rows: int | None, columns: int | None, name: str) -> None:
    """Refuse a table that would be too big, from what it says of its size."""
    if rows is not None and rows > MAX_ROWS:
        raise ValidationError(TOO_MANY_ROWS.format(name=name, limit=MAX_ROWS), code="too_many_rows")
    if columns is not None and columns > MAX_COLUMNS:
        raise ValidationError(TOO_MANY_COLUMNS.format(name=name, limit=MAX_COLUMNS), code="too_many_columns")
    if rows is not None and columns is not None and rows * columns > MAX_CELLS:
        raise ValidationError(TOO_MANY_CELLS.format(name=name, limit=MAX_CELLS), code="too_many_cells")


class _Counter:
    """Counts rows and filled cells as they are read, refusing the first past a limit."""

    def __init__(self, name: str):
        self.name, self.rows, self.cells = name, 0, 0

    def row(self, values: list) -> list:
        self.rows += 1
        if self.rows > MAX_ROWS:
            raise ValidationError(TOO_MANY_ROWS.format(name=self.name, limit=MAX_ROWS), code="too_many_rows")
        while values and values[-1] in (None, ""):
            values.pop()  # a spreadsheet's empty cells at the end of a row are no column
        if len(values) > MAX_COLUMNS:
            raise ValidationError(TOO_MANY_COLUMNS.format(name=self.name, limit=MAX_COLUMNS), code="too_many_columns")
        self.cells += sum(1 for value in values if value not in (None, ""))
        if self.cells > MAX_CELLS:
            raise ValidationError(TOO_MANY_CELLS.format(name=self.name, limit=MAX_CELLS), code="too_many_cells")
        return values


def csv_rows(*, upload: UploadedFile, name: str) -> Iterator[list[str]]:
    """A CSV file's rows (UTF-8, with or without a byte order mark), as lists of text."""
    upload_size_check(upload=upload, name=name)
    upload.seek(0)
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(UNREADABLE.format(name=name, named=NAMED["csv"]), code="unreadable") from error
    # Every row takes at least one line: more lines than rows allowed may be refused before parsing.
    _shape_check(rows=text.count("\n") + (0 if text.endswith("\n") else 1) if text else 0, columns=None, name=name)
    counter = _Counter(name)
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            yield counter.row(row)
    except csv.Error as error:
        raise ValidationError(UNREADABLE.format(name=name, named=NAMED["csv"]), code="unreadable") from error


def _cell_text(value) -> str:
    """A spreadsheet cell as the text a CSV would hold. Numbers arrive from openpyxl as floats, whose shortest repr
    is the figure typed ("1250.5"), so an amount can still be read exactly, as a Decimal, from that text."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _unpacked_size_check(*, upload: UploadedFile, name: str) -> None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise ValidationError(UNREADABLE.format(name=name, named=NAMED["xlsx"]), code="unreadable") from error
    if unpacked > MAX_UNCOMPRESSED_BYTES:
        raise ValidationError(
            UNPACKS_TOO_BIG.format(name=name, limit=_megabytes(MAX_UNCOMPRESSED_BYTES)), code="unpacks_too_big"
        )


def xlsx_rows(*, upload: UploadedFile, name: str) -> Iterator[list[str]]:
    """The first sheet's rows, as lists of text, read one at a time."""
    upload_size_check(upload=upload, name=name)
    _unpacked_size_check(upload=upload, name=name)
    upload.seek(0)
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds of error on a damaged file
        raise ValidationError(UNREADABLE.format(name=name, named=NAMED["xlsx"]), code="unreadable") from error
    try:
        sheet = workbook.worksheets[0]
        # What the sheet says of its size, before reading a row; then read without trusting it (a sheet may claim
        # less than it holds, and a reader would otherwise fill in every cell it claims).
        _shape_check(rows=sheet.max_row, columns=sheet.max_column, name=name)
        sheet.reset_dimensions()
        counter = _Counter(name)
        # One column past the limit is read, so that a value there is noticed; cells further right are not kept.
        for values in sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True):
            yield counter.row([_cell_text(value) for value in values])
    except ValidationError:
        raise
    except Exception as error:
        raise ValidationError(UNREADABLE.format(name=name, named=NAMED["xlsx"]), code="unreadable") from error
    finally:
        workbook.close()


def table_rows(*, upload: UploadedFile, kind: str, name: str) -> Iterator[list[str]]:
    """The rows of an uploaded table of the given kind ("csv" or "xlsx", as judged from its content), within the
    limits; a ValidationError, naming the file and the limit, at the first one passed."""
    return xlsx_rows(upload=upload, name=name) if kind == "xlsx" else csv_rows(upload=upload, name=name)
