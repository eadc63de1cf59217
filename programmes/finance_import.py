"""Payments from the finance ledger: a CSV or XLSX file read, checked row by row, and imported all or nothing.

Each row names a grant (its 360Giving identifier), the date paid, the amount and the ledger's reference.

Which payment a row settles (`_payment_settled`): the grant's oldest payment that finance has approved, oldest by
the quarter it is for, then by date, whatever the quarter of the ledger's date; several rows for one grant settle
its approved payments in turn. Only approved payments are settled: the ledger pays what finance approved. A row for
a grant with no approved payment left records a new paid payment for the quarter of its date, unless the grant has
a payment that is due for approval but not yet approved: then the row is refused, naming that payment, so that it
is approved first rather than paid twice (once as the planned payment, once as a new one). The preview says for
every row which payment it settles and why.

A row whose reference is already on a paid payment of the same grant, amount and date was imported before and is
skipped, so importing a file twice adds nothing. Checking a file takes a fixed number of queries however long it
is; the writes go through the payment services, which hold the rules and announce the change to the read side, and
each imported row is written to the audit log in the same transaction.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from djmoney.money import Money
from wagtail.log_actions import log

from funding import spreadsheet_uploads
from funding.fields import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS
from funding.fiscal import Quarter
from funding.forms import FIRST_YEAR, LAST_YEAR, date_in_range, number_parse
from funding.models import User
from funding.money import ZERO, format_gbp, gbp, gbp_sum
from funding.roles import Role
from funding.services import require_role
from programmes.models import Grant, Payment
from programmes.services import (
    EVIDENCE_TYPES,
    payment_create,
    payment_mark_paid,
    today,
    upload_content_type,
)

# The columns a ledger file must have, named in its first row; other columns are ignored.
COLUMNS = ("grant_id", "date", "amount", "reference")
FILE_TYPES = ("csv", "xlsx")
# The file's size, rows, columns and cells are bounded, before it is parsed, by funding/spreadsheet_uploads.py.
MAX_BYTES = spreadsheet_uploads.MAX_BYTES
MAX_ROWS = 5000  # payments in one file
REFERENCE_MAX_LENGTH = Payment._meta.get_field("reference").max_length

FILE_EMPTY = "{name} is empty: choose the ledger file with the payments in it"
FILE_TOO_BIG = spreadsheet_uploads.TOO_BIG.format(name="{name}", limit="5 MB")
FILE_WRONG_TYPE = "{name} must be a CSV file or an Excel spreadsheet (.xlsx)"
FILE_CONTENT_WRONG = "{name} is not {named}: save it from the ledger as CSV (UTF-8) or as an Excel spreadsheet (.xlsx)"
FILE_UNREADABLE = "{name} cannot be read as {named}: save it from the ledger again"
FILE_COLUMNS_MISSING = (
    "{name} has no {columns} column: its first row must name the columns grant_id, date, amount and reference"
)
FILE_NO_ROWS = "{name} has no payments under its first row"
FILE_TOO_MANY_ROWS = "{name} has more than 5,000 payments: split it into smaller files"

# A row's problems, shown as "Row 4, amount: …" with the row numbered as a spreadsheet numbers it.
ROW_ERROR = "Row {row}, {column}: {message}"
GRANT_REQUIRED = "enter the grant's identifier, like 360G-SSVRA-2023-NAV"
GRANT_UNKNOWN = "no grant has the identifier {value}: check it against the grant's record"
DATE_REQUIRED = "enter the date the payment was made"
DATE_INVALID = "{value} is not a date: enter it like 31/07/2024 or 2024-07-31"
DATE_IN_FUTURE = "{value} is after today: enter the date the payment was made"
DATE_OUT_OF_RANGE = (
    f"{{value}} is not between 1 January {FIRST_YEAR} and 31 December {LAST_YEAR}: enter the date the payment was made"
)
AMOUNT_REQUIRED = "enter the amount paid"
AMOUNT_INVALID = "{value} is not an amount: enter pounds and pence, like 1250.50"
AMOUNT_NEGATIVE = "{value} is negative: enter the amount paid (a refund is not imported)"
AMOUNT_ZERO = "{value} is zero: enter the amount paid"
AMOUNT_PENCE = "{value} has more than 2 decimal places: enter pounds and pence, like 1250.50"
AMOUNT_LIMIT = 10 ** (MONEY_MAX_DIGITS - MONEY_DECIMAL_PLACES)
AMOUNT_TOO_BIG = f"{{value}} is too big: enter pounds and pence under £{AMOUNT_LIMIT:,}"
AMOUNT_PROBLEMS = {"min_value": AMOUNT_NEGATIVE, "max_digits": AMOUNT_TOO_BIG, "max_decimal_places": AMOUNT_PENCE}
AMOUNT_PAST_GRANT = (
    "{amount} would take payments on {grant} to {total}, counting the rows above it, more than the grant's amount "
    "of {limit}: {remaining} remains. Check the amount: a payment past a grant's amount needs a recorded reason and "
    "cannot be imported"
)
REFERENCE_REQUIRED = "enter the ledger reference"
REFERENCE_TOO_LONG = "{value} is longer than 60 characters: enter the ledger's reference"
REFERENCE_REPEATED = "{value} is also on row {row}: each ledger reference is used once"
REFERENCE_USED = "{value} is already the reference of a payment of {payment}: each ledger reference is used once"
PAYMENT_NOT_APPROVED = (
    "{grant} has no approved payment waiting, and its {quarter} payment of {amount} is due but not yet approved by "
    "finance: approve it under Payments due for approval, then upload the file again"
)

# What the preview says a row does, and why.
SETTLES_OLDEST = (
    "Marks the approved payment of {planned} for {quarter} paid{at}: the oldest approved payment of {grant}"
)
SETTLES_NEXT = (
    "Marks the approved payment of {planned} for {quarter} paid{at}: the oldest approved payment of {grant} left "
    "after the rows above"
)
RECORDS_NEW = "No approved payment of {grant} is waiting: records a new paid payment for {quarter}"

# The audit log action of a payment imported from the ledger (its formatter is in programmes/admin_finance.py).
PAYMENT_IMPORT_LOG_ACTION = "outturn.payment.import"

DATE_ISO = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})$")
DATE_UK = re.compile(r"^(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})$")
# Pounds with an optional minus sign and £, and commas only between thousands: "12,50" is not read as £1,250.
AMOUNT = re.compile(r"^(-|£|-£|£-)?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


# --- Reading the file -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerRow:
    """One payment as the file gives it, as text; `number` is its row in the file, the first row being the header."""

    number: int
    grant_id: str
    date: str
    amount: str
    reference: str


def _table(upload: UploadedFile, kind: str, name: str):
    """The file's rows, read within the limits of funding/spreadsheet_uploads.py; a file that cannot be read is
    refused in the ledger's words."""
    try:
        yield from spreadsheet_uploads.table_rows(upload=upload, kind=kind, name=name)
    except ValidationError as error:
        if error.code == "unreadable":
            raise ValidationError(FILE_UNREADABLE.format(name=name, named=EVIDENCE_TYPES[kind][0])) from error
        raise


def _column_key(title: str) -> str:
    """ "Grant ID", "grant-id" and "grant_id" all name the grant_id column."""
    return re.sub(r"[\s_-]+", "_", title.strip().lower())


def _ledger_rows(table, name: str) -> list[LedgerRow]:
    rows = iter(table)
    header = next(rows, None)
    positions: dict[str, int] = {}
    for position, title in enumerate(header or []):
        positions.setdefault(_column_key(title), position)
    missing = [column for column in COLUMNS if column not in positions]
    if missing:
        raise ValidationError(FILE_COLUMNS_MISSING.format(name=name, columns=" or ".join(missing)))
    ledger = []
    for number, cells in enumerate(rows, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # spreadsheets often end with blank rows
        if len(ledger) == MAX_ROWS:
            raise ValidationError(FILE_TOO_MANY_ROWS.format(name=name))
        values = [cells[positions[column]].strip() if positions[column] < len(cells) else "" for column in COLUMNS]
        ledger.append(LedgerRow(number, *values))
    if not ledger:
        raise ValidationError(FILE_NO_ROWS.format(name=name))
    return ledger


def ledger_file_read(*, upload: UploadedFile) -> list[LedgerRow]:
    """The payments in an uploaded ledger file (CSV or XLSX, judged by content as well as name).

    A ValidationError says what is wrong with the file as a whole; each row's own problems are for `ledger_check`.
    """
    name = PurePath(upload.name or "").name
    extension = PurePath(name).suffix.lower().lstrip(".")
    if not upload.size:
        raise ValidationError(FILE_EMPTY.format(name=name))
    if upload.size > MAX_BYTES:
        raise ValidationError(FILE_TOO_BIG.format(name=name))
    if extension not in FILE_TYPES:
        raise ValidationError(FILE_WRONG_TYPE.format(name=name))
    if upload_content_type(upload) != extension:
        raise ValidationError(FILE_CONTENT_WRONG.format(name=name, named=EVIDENCE_TYPES[extension][0]))
    return _ledger_rows(_table(upload, extension, name), name)


# --- Checking the rows ------------------------------------------------------------------------------------------


@dataclass
class RowCheck:
    """A row checked against the database and the rows above it: its errors, or what importing it does."""

    row: LedgerRow
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    grant: Grant | None = None
    date: datetime.date | None = None
    amount: Money | None = None
    already_imported: bool = False
    settles: Payment | None = None  # the approved payment it marks paid; None records a new paid payment
    settles_after_others: bool = False  # whether rows above settled approved payments of the same grant
    payment: Payment | None = None  # once imported, the payment written

    @property
    def quarter(self) -> Quarter | None:
        """The quarter of the date paid, the one a new payment is for."""
        return Quarter.from_date(self.date) if self.date else None

    def error(self, column: str, message: str, **values) -> None:
        self.errors.append((column, message.format(**values)))

    @property
    def outcome(self) -> str:
        """What importing the row does and why, as the preview says it."""
        if self.errors or self.already_imported or self.grant is None:
            return ""
        if self.settles is None:
            return RECORDS_NEW.format(grant=self.grant.identifier, quarter=self.quarter)
        settles = self.settles
        return (SETTLES_NEXT if self.settles_after_others else SETTLES_OLDEST).format(
            planned=format_gbp(settles.amount),
            quarter=settles.period,
            at="" if settles.amount == self.amount else f", at {format_gbp(self.amount)}",
            grant=self.grant.identifier,
        )


@dataclass
class LedgerCheck:
    """A ledger file's rows, checked."""

    file_name: str
    rows: list[RowCheck]

    @property
    def errors(self) -> list[str]:
        return [
            ROW_ERROR.format(row=check.row.number, column=column, message=message)
            for check in self.rows
            for column, message in check.errors
        ]

    @property
    def to_import(self) -> list[RowCheck]:
        return [check for check in self.rows if not check.already_imported]

    @property
    def settling(self) -> list[RowCheck]:
        """Rows that mark an approved payment paid."""
        return [check for check in self.to_import if check.settles is not None]

    @property
    def recording(self) -> list[RowCheck]:
        """Rows that record a new paid payment."""
        return [check for check in self.to_import if check.settles is None]

    @property
    def already_imported(self) -> list[RowCheck]:
        return [check for check in self.rows if check.already_imported]


def _parse_date(check: RowCheck, on: datetime.date) -> None:
    value = check.row.date
    if not value:
        return check.error("date", DATE_REQUIRED)
    match = DATE_ISO.match(value) or DATE_UK.match(value)
    try:
        date = datetime.date(**{part: int(number) for part, number in match.groupdict().items()}) if match else None
    except ValueError:  # 31/02/2024
        date = None
    if date is None:
        check.error("date", DATE_INVALID, value=value)
    elif not date_in_range(date):
        check.error("date", DATE_OUT_OF_RANGE, value=value)
    elif date > on:
        check.error("date", DATE_IN_FUTURE, value=value)
    else:
        check.date = date


def _parse_amount(check: RowCheck) -> None:
    value = check.row.amount
    if not value:
        return check.error("amount", AMOUNT_REQUIRED)
    if not AMOUNT.match(value.replace(" ", "")):
        return check.error("amount", AMOUNT_INVALID, value=value)
    try:
        # The rule every form applies to an amount (funding/forms.py), in the ledger's words.
        amount = number_parse(
            value, what="the amount", max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, money=True
        )
    except ValidationError as error:
        return check.error("amount", AMOUNT_PROBLEMS.get(error.code, AMOUNT_INVALID), value=value)
    if amount == 0:
        return check.error("amount", AMOUNT_ZERO, value=value)
    check.amount = gbp(amount)


def _settling_order(payment: Payment) -> tuple:
    """Oldest first: by the quarter the payment is for, then its date."""
    return (payment.period, payment.date, payment.pk)


def _payment_settled(payments: list[Payment], claimed: set[int]) -> Payment | None:
    """The payment a row settles: the grant's oldest approved payment that no row above settles."""
    approved = [p for p in payments if p.status == Payment.Status.APPROVED and p.pk not in claimed]
    return min(approved, key=_settling_order, default=None)


def _payment_waiting_for_approval(payments: list[Payment]) -> Payment | None:
    """The grant's oldest payment that is due for approval but not approved: a row must not pay around it."""
    due = [p for p in payments if p.is_due_for_approval]
    return min(due, key=_settling_order, default=None)


def _check_reference(check: RowCheck, first_rows: dict[str, int], by_reference: dict[str, Payment]) -> None:
    reference = check.row.reference
    if not reference:
        return check.error("reference", REFERENCE_REQUIRED)
    if len(reference) > REFERENCE_MAX_LENGTH:
        return check.error("reference", REFERENCE_TOO_LONG, value=reference)
    first_row = first_rows.setdefault(reference, check.row.number)
    if first_row != check.row.number:
        return check.error("reference", REFERENCE_REPEATED, value=reference, row=first_row)
    existing = by_reference.get(reference)
    if existing is None or check.errors:
        return
    if (
        existing.status == Payment.Status.PAID
        and check.grant is not None
        and (existing.grant_id, existing.amount, existing.date) == (check.grant.pk, check.amount, check.date)
    ):
        check.already_imported = True
        return
    described = f"{format_gbp(existing.amount)} to {existing.grant.identifier} ({existing.status})"
    check.error("reference", REFERENCE_USED, value=reference, payment=described)


def ledger_check(*, rows: list[LedgerRow], file_name: str) -> LedgerCheck:
    """Check every row of a ledger file against the database and the rows above it, in three queries.

    A row settles its grant's oldest approved payment (see the module's docstring). It may not take its grant's
    payments (planned, approved and paid, as the payment services count them) past the grant's amount; settling an
    approved payment replaces that payment's amount with the one paid.
    """
    on = today()
    checks = [RowCheck(row=row) for row in rows]
    grants = {grant.identifier: grant for grant in Grant.objects.filter(identifier__in={row.grant_id for row in rows})}
    payments = defaultdict(list)
    for payment in Payment.objects.filter(grant__in=grants.values()).select_related("grant").with_due_for_approval(on):
        payments[payment.grant_id].append(payment)
    references = {row.reference for row in rows if row.reference}
    by_reference = {p.reference: p for p in Payment.objects.filter(reference__in=references).select_related("grant")}
    totals = {grant.pk: gbp_sum(payment.amount for payment in payments[grant.pk]) for grant in grants.values()}
    first_rows: dict[str, int] = {}
    claimed: set[int] = set()
    for check in checks:
        row = check.row
        check.grant = grants.get(row.grant_id)
        if check.grant is None:
            check.error("grant_id", GRANT_UNKNOWN if row.grant_id else GRANT_REQUIRED, value=row.grant_id)
        _parse_date(check, on)
        _parse_amount(check)
        _check_reference(check, first_rows, by_reference)
        if check.errors or check.already_imported:
            continue
        grant = check.grant
        settles = _payment_settled(payments[grant.pk], claimed)
        if settles is None and (waiting := _payment_waiting_for_approval(payments[grant.pk])):
            check.error(
                "grant_id",
                PAYMENT_NOT_APPROVED,
                grant=grant.identifier,
                quarter=waiting.period,
                amount=format_gbp(waiting.amount),
            )
            continue
        before = totals[grant.pk] - (settles.amount if settles else ZERO)
        after = before + check.amount
        if after > totals[grant.pk] and after > grant.amount:
            check.error(
                "amount",
                AMOUNT_PAST_GRANT,
                amount=format_gbp(check.amount),
                grant=grant.identifier,
                total=format_gbp(after),
                limit=format_gbp(grant.amount),
                remaining=format_gbp(max(grant.amount - before, ZERO)),
            )
            continue
        totals[grant.pk] = after
        if settles is not None:
            check.settles_after_others = any(p.pk in claimed for p in payments[grant.pk])
            claimed.add(settles.pk)
            check.settles = settles
    return LedgerCheck(file_name=file_name, rows=checks)


# --- Importing --------------------------------------------------------------------------------------------------


@transaction.atomic
def payment_import(*, rows: list[LedgerRow], file_name: str, user: User) -> LedgerCheck:
    """Record a ledger file's payments through the payment services: every row, or none.

    The rows are checked again with their grants locked, as the database may have changed since the preview; any
    problem refuses the whole file with a ValidationError listing each row's. Rows already imported are skipped, so
    importing a file twice adds nothing. Each imported row's `payment` is the payment written, and its audit log
    entry (who, which file and row, the ledger's reference) is written in the same transaction.
    """
    require_role(user, Role.FINANCE_OFFICER)
    identifiers = {row.grant_id for row in rows}
    list(Grant.objects.select_for_update().filter(identifier__in=identifiers).order_by("pk").values_list("pk"))
    check = ledger_check(rows=rows, file_name=file_name)
    if check.errors:
        raise ValidationError(check.errors)
    for row in check.to_import:
        reference = row.row.reference
        source = {"file": file_name, "row": row.row.number}
        if row.settles is not None:
            row.payment = payment_mark_paid(
                payment=row.settles,
                date=row.date,
                reference=reference,
                amount=row.amount,
                user=user,
                log_action=PAYMENT_IMPORT_LOG_ACTION,
                log_data=source,
            )
        else:
            row.payment = payment_create(
                grant=row.grant,
                amount=row.amount,
                date=row.date,
                reference=reference,
                status=Payment.Status.PAID,
                user=user,
            )
            data = {"date": row.date.isoformat(), "reference": reference, "amount": str(row.amount.amount), **source}
            log(instance=row.payment, action=PAYMENT_IMPORT_LOG_ACTION, user=user, data=data)
    return check


# --- The sample file --------------------------------------------------------------------------------------------


def ledger_sample_rows(*, on: datetime.date) -> list[LedgerRow]:
    """The ledger as finance would export it on the day, to try the import with: the quarter's payments already
    recorded, then every payment finance has approved, oldest first, paid in full that day under a made-up
    reference. Importing it settles those and skips the rest."""
    quarter = Quarter.from_date(on)
    payments = Payment.objects.select_related("grant")
    recorded = (
        payments.filter(status=Payment.Status.PAID, date__range=(quarter.start, on))
        .exclude(reference="")
        .order_by("date", "grant__identifier", "pk")
    )
    approved = payments.filter(status=Payment.Status.APPROVED).order_by(
        "grant__identifier", "financial_year", "quarter", "date", "pk"
    )
    rows = [(p.grant.identifier, p.date, p.amount, p.reference) for p in recorded]
    rows += [(p.grant.identifier, on, p.amount, f"BACS-{on:%y%m%d}-{p.pk:05d}") for p in approved]
    return [
        LedgerRow(number, grant_id, date.isoformat(), str(amount.amount), reference)
        for number, (grant_id, date, amount, reference) in enumerate(rows, start=2)
    ]
