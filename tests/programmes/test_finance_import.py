"""The finance import: upload a ledger file (CSV or XLSX), preview each row's outcome or errors, import all or none.

Every refused file leaves the ledger as it was: each such test compares every payment and the audit log before and
after.
"""

import csv
import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook
from wagtail.models import ModelLogEntry

from funding.fiscal import FinancialYear
from funding.money import gbp
from funding.roles import Role
from programmes import finance_import, signals
from programmes.admin_finance import (
    FILE_REQUIRED,
    PAYMENT_IMPORT_LOG_ACTION,
    PREVIEW_EXPIRED,
    ledger_sign,
    ledger_unsign,
)
from programmes.demo import story
from programmes.finance_import import COLUMNS, LedgerRow, ledger_check, ledger_sample_rows, payment_import
from programmes.models import Payment
from programmes.services import PAYMENT_PAID_LOG_ACTION, payment_approve, payment_create, payment_mark_paid
from tests.admin_helpers import admin_url
from tests.factories import funded_grant, office_user
from tests.programmes.payments import release

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2023, 11, 15)  # in Q3 2023/24
IMPORT = "outturn_finance_import"
NAV, BLEED = "360G-SSVRA-2023-NAV", "360G-SSVRA-2023-BLEED"


@pytest.fixture(autouse=True)
def fixed_today(settings):
    settings.OUTTURN_TODAY = TODAY.isoformat()


@pytest.fixture
def navigator(finance_officer):
    """£40,000 for 2023/24 paid in arrears: £10,000 planned at the end of each quarter; Q1's and Q2's released by
    their approved returns and approved by finance, Q3's and Q4's planned."""
    grant = funded_grant(identifier=NAV, amount="40000.00")
    payments = {
        quarter.number: payment_create(grant=grant, amount=gbp("10000.00"), date=quarter.end, user=finance_officer)
        for quarter in FinancialYear(2023).quarters
    }
    for number in (1, 2):
        payment_approve(payment=release(payments[number]), user=finance_officer)
    return payments


@pytest.fixture
def bleed(db):
    """£12,000 for 2023/24 with no payments scheduled."""
    return funded_grant(identifier=BLEED, amount="12000.00")


def import_url(view: str = "index") -> str:
    return admin_url(IMPORT, view)


def csv_file(rows, name="ledger.csv", header=COLUMNS) -> SimpleUploadedFile:
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, output.getvalue().encode(), content_type="text/csv")


def xlsx_file(rows, name="ledger.xlsx", header=COLUMNS) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    output = io.BytesIO()
    workbook.save(output)
    return SimpleUploadedFile(name, output.getvalue())


def upload(client, file):
    response = client.post(import_url(), {"file": file})
    assert response.status_code == 200
    return response


def confirm(client, preview):
    return client.post(import_url(), {"token": preview.context["token"]})


def page_text(response) -> str:
    """The page's words, without markup."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).replace(" .", ".")


def ledger_state() -> tuple:
    """Every payment as stored, and the audit log's length: what a refused file must leave alone."""
    payments = Payment.objects.order_by("pk").values_list(
        "pk", "grant_id", "status", "amount", "date", "financial_year", "quarter", "reference"
    )
    return list(payments), ModelLogEntry.objects.count()


def shown_messages(response) -> list[str]:
    return [str(message).strip() for message in response.context["messages"]]


# --- Who may import ----------------------------------------------------------------------------------------------


def test_the_import_page_explains_the_columns_and_offers_the_sample(finance_client):
    response = finance_client.get(import_url())
    assert response.status_code == 200
    html = response.content.decode()
    for column in COLUMNS:
        assert f"<code>{column}</code>" in html
    assert f'href="{import_url("sample")}"' in html
    assert 'enctype="multipart/form-data"' in html


def test_the_returns_menu_offers_the_import_to_finance_only(finance_client, officer_client, board_client):
    assert '"Import payments"' in finance_client.get("/admin/").content.decode()
    for client in (officer_client, board_client):
        assert '"Import payments"' not in client.get("/admin/").content.decode()


@pytest.mark.parametrize(
    "role", [Role.COMMISSIONING_OFFICER, Role.BOARD_VIEWER, Role.CONTENT_EDITOR], ids=["officer", "board", "editor"]
)
def test_other_office_roles_cannot_open_upload_confirm_or_download(role, navigator, finance_officer):
    user = office_user(role)
    client = Client()
    client.force_login(user)
    # A token they could only have from a finance officer's page, or one signed as if for themselves.
    rows = [LedgerRow(2, NAV, "2023-10-05", "10000.00", "AP-1")]
    check = ledger_check(rows=rows, file_name="ledger.csv")
    before = ledger_state()
    attempts = [
        client.get(import_url()),
        client.get(import_url("sample")),
        client.post(import_url(), {"file": csv_file([(NAV, "2023-10-05", "10000.00", "AP-1")])}),
        client.post(import_url(), {"token": ledger_sign(check=check, user=finance_officer)}),
        client.post(import_url(), {"token": ledger_sign(check=check, user=user)}),
    ]
    for response in attempts:
        assert (response.status_code, response.url) == (302, "/admin/")
    assert "Sorry, you do not have permission" in shown_messages(client.get("/admin/"))[0]
    assert ledger_state() == before


def test_provider_users_never_reach_the_import(provider_client, navigator):
    before = ledger_state()
    for response in (
        provider_client.get(import_url()),
        provider_client.post(import_url(), {"file": csv_file([(NAV, "2023-10-05", "10000.00", "AP-1")])}),
    ):
        assert response.status_code == 302 and response.url == "/portal/"
    assert ledger_state() == before


def test_the_service_refuses_anyone_but_finance(officer, navigator):
    with pytest.raises(PermissionDenied):
        payment_import(rows=[LedgerRow(2, NAV, "2023-10-05", "10000.00", "AP-1")], file_name="x.csv", user=officer)
    assert not Payment.objects.filter(reference="AP-1").exists()


# --- A good file, end to end -------------------------------------------------------------------------------------

GOOD_ROWS = [
    (NAV, "2023-10-02", "£9,500.00", "AP-1001"),  # settles Q1's approved payment, the oldest, at what was paid
    (NAV, "05/10/2023", "10000.00", "AP-1002"),  # settles Q2's approved payment, the oldest left; not Q3's planned
    (BLEED, "2023-10-20", "3000", "AP-1003"),  # nothing approved: a new paid payment
]


@pytest.mark.parametrize(("make_file", "name"), [(csv_file, "ledger.csv"), (xlsx_file, "ledger.xlsx")])
def test_a_good_file_is_previewed_then_imported_through_the_services_and_logged(
    make_file, name, finance_client, finance_officer, navigator, bleed
):
    changed = []

    def receiver(sender, grant_id, **kwargs):
        changed.append(grant_id)

    signals.grant_figures_changed.connect(receiver)
    try:
        before = ledger_state()
        preview = upload(finance_client, make_file(GOOD_ROWS))
        assert ledger_state() == before  # a preview writes nothing
        text = page_text(preview)
        assert "records 3 payments: 2 approved payments marked paid and 1 new paid payment" in text
        assert (
            f"Marks the approved payment of £10,000.00 for Q1 2023/24 paid, at £9,500.00: the oldest approved payment "
            f"of {NAV}" in text
        )
        assert (
            f"Marks the approved payment of £10,000.00 for Q2 2023/24 paid: the oldest approved payment of {NAV} left "
            "after the rows above" in text
        )
        assert f"No approved payment of {BLEED} is waiting: records a new paid payment for Q3 2023/24" in text
        assert "Import 3 payments" in text

        response = confirm(finance_client, preview)
    finally:
        signals.grant_figures_changed.disconnect(receiver)
    assert (response.status_code, response.url) == (302, admin_url("outturn_payments"))
    assert shown_messages(finance_client.get(response.url)) == [
        f"Imported 3 payments from {name}: 2 approved marked paid, 1 new."
    ]
    q1, q2 = (Payment.objects.get(pk=navigator[n].pk) for n in (1, 2))
    assert (q1.status, q1.date, q1.amount, q1.reference, str(q1.period)) == (
        "paid",
        datetime.date(2023, 10, 2),
        gbp("9500.00"),
        "AP-1001",
        "Q1 2023/24",  # it stays the payment for the quarter it was approved for
    )
    assert (q2.status, q2.date, q2.amount, q2.reference, str(q2.period)) == (
        "paid",
        datetime.date(2023, 10, 5),
        gbp("10000.00"),
        "AP-1002",
        "Q2 2023/24",
    )
    new = Payment.objects.get(reference="AP-1003")
    assert (new.grant, new.status, new.amount, new.date, str(new.period)) == (
        bleed,
        "paid",
        gbp("3000.00"),
        datetime.date(2023, 10, 20),
        "Q3 2023/24",
    )
    assert Payment.objects.filter(grant=bleed).count() == 1
    # Q3's planned payment, the one for the quarter of the rows' dates, is not settled: it is not approved.
    assert Payment.objects.get(pk=navigator[3].pk).status == "planned"

    entries = ModelLogEntry.objects.filter(action=PAYMENT_IMPORT_LOG_ACTION).order_by("data__row")
    assert [(e.object_id, e.user, e.data["row"], e.data["reference"], e.data["file"]) for e in entries] == [
        (str(q1.pk), finance_officer, 2, "AP-1001", name),
        (str(q2.pk), finance_officer, 3, "AP-1002", name),
        (str(new.pk), finance_officer, 4, "AP-1003", name),
    ]
    assert not ModelLogEntry.objects.filter(action=PAYMENT_PAID_LOG_ACTION).exists()  # one entry a row
    history = finance_client.get(admin_url("outturn_payments", "history", new.pk))
    assert f"Paid: imported from {name}, row 4 (ledger reference AP-1003)" in page_text(history)
    assert sorted(set(changed)) == sorted({navigator[2].grant_id, bleed.pk})


def test_importing_the_same_file_twice_adds_nothing(finance_client, finance_officer, navigator, bleed):
    confirm(finance_client, upload(finance_client, csv_file(GOOD_ROWS)))
    after_first = ledger_state()

    again = upload(finance_client, csv_file(GOOD_ROWS))
    assert "Every row of ledger.csv was imported before: there is nothing to import" in page_text(again)
    assert again.context["token"] == ""
    assert page_text(again).count("Already imported") == 3
    assert ledger_state() == after_first

    # Nor does the service, given the same rows again.
    rows = finance_import.ledger_file_read(upload=csv_file(GOOD_ROWS))
    check = payment_import(rows=rows, file_name="ledger.csv", user=finance_officer)
    assert check.to_import == [] and len(check.already_imported) == 3
    assert ledger_state() == after_first


def test_confirming_the_same_preview_twice_adds_nothing_the_second_time(finance_client, navigator, bleed):
    preview = upload(finance_client, csv_file(GOOD_ROWS))
    finance_client.get(confirm(finance_client, preview).url)  # and reads the message
    after_first = ledger_state()
    response = confirm(finance_client, preview)
    assert (response.status_code, response.url) == (302, admin_url("outturn_payments"))
    assert shown_messages(finance_client.get(response.url)) == [
        "Every row of ledger.csv was already imported: nothing was added."
    ]
    assert ledger_state() == after_first


def test_a_file_overlapping_an_earlier_import_imports_only_the_new_rows(finance_client, navigator, bleed):
    confirm(finance_client, upload(finance_client, csv_file(GOOD_ROWS[:2])))
    preview = upload(finance_client, csv_file(GOOD_ROWS))
    assert "records 1 payment: 0 approved payments marked paid and 1 new paid payment" in page_text(preview)
    assert "2 rows were imported before and will be left as they are" in page_text(preview)
    response = confirm(finance_client, preview)
    assert shown_messages(finance_client.get(response.url)) == [
        "Imported 1 payment from ledger.csv: 0 approved marked paid, 1 new. 2 rows already imported left as they were."
    ]
    assert Payment.objects.filter(reference__startswith="AP-").count() == 3


def test_a_spreadsheet_may_name_its_columns_loosely_add_others_and_hold_real_dates_and_numbers(
    finance_client, navigator, bleed
):
    header = ["Ledger line", "Grant ID", "Payment date", "Date", "Amount", "Reference"]
    rows = [
        (1, NAV, "Q3 run", datetime.datetime(2023, 10, 5), 10000, "AP-2001"),
        (2, BLEED, "Q3 run", datetime.date(2023, 10, 20), 2999.99, "AP-2002"),
        (None, None, None, None, None, None),  # a blank row is skipped, and numbering carries on
        (3, BLEED, "Q3 run", datetime.date(2023, 10, 21), 0.01, "AP-2003"),
    ]
    preview = upload(finance_client, xlsx_file(rows, header=header))
    assert preview.context["check"].errors == []
    assert [row.row.number for row in preview.context["check"].rows] == [2, 3, 5]
    confirm(finance_client, preview)
    assert Payment.objects.get(reference="AP-2001").pk == navigator[1].pk  # Q1's, the oldest approved
    assert Payment.objects.get(reference="AP-2002").amount == gbp("2999.99")
    assert Payment.objects.get(reference="AP-2003").amount == gbp("0.01")


# --- Bad rows: each named by row and column, and nothing written --------------------------------------------------


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (("360G-NOPE", "2023-10-05", "100.00", "AP-1"), "grant_id", "no grant has the identifier 360G-NOPE"),
        (("", "2023-10-05", "100.00", "AP-1"), "grant_id", "enter the grant's identifier"),
        ((BLEED, "31/02/2023", "100.00", "AP-1"), "date", "31/02/2023 is not a date"),
        ((BLEED, "next Tuesday", "100.00", "AP-1"), "date", "next Tuesday is not a date"),
        ((BLEED, "10/05/23", "100.00", "AP-1"), "date", "10/05/23 is not a date"),
        ((BLEED, "", "100.00", "AP-1"), "date", "enter the date the payment was made"),
        ((BLEED, "2023-11-16", "100.00", "AP-1"), "date", "2023-11-16 is after today"),
        ((BLEED, "2023-10-05", "ten pounds", "AP-1"), "amount", "ten pounds is not an amount"),
        ((BLEED, "2023-10-05", "12,50", "AP-1"), "amount", "12,50 is not an amount"),
        ((BLEED, "2023-10-05", "NaN", "AP-1"), "amount", "NaN is not an amount"),
        ((BLEED, "2023-10-05", "-50.00", "AP-1"), "amount", "-50.00 is negative"),
        ((BLEED, "2023-10-05", "0.00", "AP-1"), "amount", "0.00 is zero"),
        ((BLEED, "2023-10-05", "12.345", "AP-1"), "amount", "12.345 has more than 2 decimal places"),
        ((BLEED, "2023-10-05", "", "AP-1"), "amount", "enter the amount paid"),
        ((BLEED, "2023-10-05", "12000.01", "AP-1"), "amount", "£12,000.01 would take payments on"),
        ((BLEED, "2023-10-05", "100.00", ""), "reference", "enter the ledger reference"),
        ((BLEED, "2023-10-05", "100.00", "X" * 61), "reference", f"{'X' * 61} is longer than 60 characters"),
    ],
)
def test_a_bad_row_is_named_by_row_and_column_and_nothing_is_written(finance_client, bleed, row, column, message):
    good = (BLEED, "2023-10-01", "100.00", "AP-0")
    before = ledger_state()
    preview = upload(finance_client, csv_file([good, row]))
    (error,) = preview.context["check"].errors
    assert error.startswith(f"Row 3, {column}: {message}")
    assert f"Row 3, {column}: " in page_text(preview)
    assert "cannot be imported: nothing has been written" in page_text(preview)
    assert preview.context["token"] == "" and 'name="token"' not in preview.content.decode()
    assert ledger_state() == before


def test_payments_past_a_grant_count_the_files_own_rows_and_say_what_remains(finance_client, navigator, bleed):
    before = ledger_state()
    rows = [
        (BLEED, "2023-10-01", "5000.00", "AP-1"),
        (BLEED, "2023-10-02", "5000.00", "AP-2"),
        (BLEED, "2023-10-03", "2000.01", "AP-3"),
        (NAV, "2023-10-04", "10000.01", "AP-4"),  # Q1's £10,000 approved: paying more passes the grant's £40,000
    ]
    errors = upload(finance_client, csv_file(rows)).context["check"].errors
    assert errors == [
        "Row 4, amount: £2,000.01 would take payments on 360G-SSVRA-2023-BLEED to £12,000.01, counting the rows above "
        "it, more than the grant's amount of £12,000.00: £2,000.00 remains. Check the amount: a payment past a "
        "grant's amount needs a recorded reason and cannot be imported",
        "Row 5, amount: £10,000.01 would take payments on 360G-SSVRA-2023-NAV to £40,000.01, counting the rows above "
        "it, more than the grant's amount of £40,000.00: £10,000.00 remains. Check the amount: a payment past a "
        "grant's amount needs a recorded reason and cannot be imported",
    ]
    assert ledger_state() == before


def test_a_reference_is_used_once_in_the_file_and_in_the_ledger(finance_client, finance_officer, navigator, bleed):
    for reference, amount, day in (("AP-OLD", "100.00", 1), ("AP-OLDER", "200.00", 2)):
        payment_create(
            grant=bleed,
            amount=gbp(amount),
            date=datetime.date(2023, 9, day),
            reference=reference,
            status=Payment.Status.PAID,
            user=finance_officer,
        )
    before = ledger_state()
    rows = [
        (BLEED, "2023-10-01", "50.00", "AP-1"),
        (BLEED, "2023-10-02", "60.00", "AP-1"),
        (BLEED, "2023-09-01", "100.01", "AP-OLD"),  # the reference of a payment of another amount
        (NAV, "2023-09-02", "200.00", "AP-OLDER"),  # or of another grant
    ]
    errors = upload(finance_client, csv_file(rows)).context["check"].errors
    assert errors == [
        "Row 3, reference: AP-1 is also on row 2: each ledger reference is used once",
        "Row 4, reference: AP-OLD is already the reference of a payment of £100.00 to 360G-SSVRA-2023-BLEED (paid): "
        "each ledger reference is used once",
        "Row 5, reference: AP-OLDER is already the reference of a payment of £200.00 to 360G-SSVRA-2023-BLEED "
        "(paid): each ledger reference is used once",
    ]
    assert ledger_state() == before


def test_every_problem_in_a_file_is_listed_at_once(finance_client, bleed):
    rows = [("360G-NOPE", "soon", "-1", ""), (BLEED, "2023-10-01", "1.001", "AP-1")]
    errors = upload(finance_client, csv_file(rows)).context["check"].errors
    assert [error.split(":")[0] for error in errors] == [
        "Row 2, grant_id",
        "Row 2, date",
        "Row 2, amount",
        "Row 2, reference",
        "Row 3, amount",
    ]


# --- Bad files: a clear message, and nothing written --------------------------------------------------------------


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


BAD_FILES = {
    "empty": (lambda: SimpleUploadedFile("ledger.csv", b""), "ledger.csv is empty"),
    "header only": (lambda: csv_file([]), "ledger.csv has no payments under its first row"),
    "blank rows only": (lambda: csv_file([("", "", "", "")] * 3), "ledger.csv has no payments under its first row"),
    "no amount column": (
        lambda: csv_file([(NAV, "2023-10-05", "AP-1")], header=("grant_id", "date", "reference")),
        "ledger.csv has no amount column: its first row must name the columns grant_id, date, amount and reference",
    ),
    "no header": (
        lambda: csv_file([(NAV, "2023-10-05", "10.00", "AP-2")], header=(NAV, "2023-10-04", "10.00", "AP-1")),
        "ledger.csv has no grant_id or date or amount or reference column",
    ),
    "empty xlsx sheet": (lambda: xlsx_file([], header=()), "ledger.xlsx has no grant_id or date or amount or"),
    "a PDF": (lambda: SimpleUploadedFile("ledger.pdf", pdf_bytes()), "ledger.pdf must be a CSV file or an Excel"),
    "a text file": (lambda: SimpleUploadedFile("ledger.txt", b"a,b\n"), "ledger.txt must be a CSV file or an Excel"),
    "a PDF named .csv": (
        lambda: SimpleUploadedFile("ledger.csv", pdf_bytes()),
        "ledger.csv is not a CSV file: save it from the ledger as CSV (UTF-8) or as an Excel spreadsheet (.xlsx)",
    ),
    "a spreadsheet named .csv": (
        lambda: SimpleUploadedFile("ledger.csv", xlsx_file([]).read()),
        "ledger.csv is not a CSV file",
    ),
    "a CSV named .xlsx": (lambda: csv_file([], name="ledger.xlsx"), "ledger.xlsx is not an Excel spreadsheet"),
    "not UTF-8": (
        lambda: SimpleUploadedFile(
            "ledger.csv", "grant_id,date,amount,reference\nX,2023-10-05,£1,AP\n".encode("cp1252")
        ),
        "ledger.csv is not a CSV file",
    ),
    "a damaged spreadsheet": (
        lambda: SimpleUploadedFile("ledger.xlsx", xlsx_file([(NAV, "2023-10-05", 1, "AP-1")]).read()[:-200]),
        "ledger.xlsx cannot be read as an Excel spreadsheet: save it from the ledger again",
    ),
    "too big": (
        lambda: SimpleUploadedFile("ledger.csv", b"grant_id,date,amount,reference\n" + b" " * (5 * 1024 * 1024)),
        "ledger.csv is larger than 5 MB",
    ),
    "too many rows": (
        lambda: csv_file([(NAV, "2023-10-05", "1.00", f"AP-{n}") for n in range(5001)]),
        "ledger.csv has more than 5,000 payments",
    ),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_is_written(finance_client, navigator, bleed, kind):
    make, message = BAD_FILES[kind]
    before = ledger_state()
    response = upload(finance_client, make())
    errors = response.context["form"].errors["file"]
    assert len(errors) == 1 and errors[0].startswith(message), errors
    assert "check" not in response.context
    assert ledger_state() == before


def test_no_file_chosen(finance_client):
    response = upload(finance_client, "")
    assert response.context["form"].errors["file"] == [FILE_REQUIRED]


# --- Between preview and confirmation -----------------------------------------------------------------------------


def test_the_file_is_imported_whole_or_not_at_all_when_the_ledger_changed_since_the_preview(
    finance_client, finance_officer, navigator, bleed
):
    preview = upload(finance_client, csv_file(GOOD_ROWS))
    # Meanwhile someone records a payment that leaves BLEED too little for the file's third row.
    payment_create(
        grant=bleed,
        amount=gbp("10000.00"),
        date=datetime.date(2023, 10, 1),
        reference="AP-ELSEWHERE",
        status=Payment.Status.PAID,
        user=finance_officer,
    )
    before = ledger_state()
    response = confirm(finance_client, preview)
    assert response.status_code == 200
    (error,) = response.context["check"].errors
    assert error.startswith("Row 4, amount: £3,000.00 would take payments on 360G-SSVRA-2023-BLEED to £13,000.00")
    assert ledger_state() == before  # rows 2 and 3 were fine, and were not written either


def test_an_altered_expired_or_borrowed_preview_is_refused(finance_client, navigator, bleed, monkeypatch):
    token = upload(finance_client, csv_file(GOOD_ROWS)).context["token"]
    other_finance = Client()
    other_finance.force_login(office_user(Role.FINANCE_OFFICER, email="finance2@example.org"))
    before = ledger_state()
    attempts = [
        (finance_client, token[:-2] + ("AA" if not token.endswith("AA") else "BB")),
        (other_finance, token),
    ]
    for client, sent in attempts:
        response = client.post(import_url(), {"token": sent})
        assert (response.status_code, response.url) == (302, import_url())
        assert shown_messages(client.get(response.url)) == [PREVIEW_EXPIRED]
    monkeypatch.setattr("programmes.admin_finance.PREVIEW_MAX_AGE", -1)
    response = finance_client.post(import_url(), {"token": token})
    assert shown_messages(finance_client.get(response.url)) == [PREVIEW_EXPIRED]
    assert ledger_state() == before


def test_the_signed_preview_carries_the_rows_as_the_file_gave_them(finance_officer, navigator, bleed):
    rows = [LedgerRow(2, NAV, "05/10/2023", "£10,000.00", "AP-1"), LedgerRow(7, BLEED, "2023-10-20", "3000", "AP-2")]
    check = ledger_check(rows=rows, file_name="ledger.csv")
    assert ledger_unsign(token=ledger_sign(check=check, user=finance_officer), user=finance_officer) == (
        "ledger.csv",
        rows,
    )


# --- Which payment a row settles ----------------------------------------------------------------------------------


def outcomes(rows) -> list:
    """For each row: the quarter of the payment it settles, "new", "already imported", or its errors."""
    check = ledger_check(rows=[LedgerRow(n, *row) for n, row in enumerate(rows, start=2)], file_name="x.csv")
    return [
        [message for _, message in row.errors]
        or ("already imported" if row.already_imported else str(row.settles.period) if row.settles else "new")
        for row in check.rows
    ]


NAV_FULL = (
    "£10,000.00 would take payments on 360G-SSVRA-2023-NAV to £50,000.00, counting the rows above it, more than the "
    "grant's amount of £40,000.00: £0.00 remains. Check the amount: a payment past a grant's amount needs a recorded "
    "reason and cannot be imported"
)


def test_rows_settle_the_oldest_approved_payments_in_turn_not_the_one_for_the_quarter_of_their_date(navigator):
    # Dated in Q3, whose payment is planned: Q1's and Q2's approved payments are settled, oldest first.
    assert outcomes([(NAV, "2023-10-05", "10000.00", "AP-1")]) == ["Q1 2023/24"]
    assert outcomes(
        [
            (NAV, "2023-10-05", "10000.00", "AP-1"),
            (NAV, "2023-10-06", "10000.00", "AP-2"),
            (NAV, "2023-10-07", "10000.00", "AP-3"),
        ]
    ) == ["Q1 2023/24", "Q2 2023/24", [NAV_FULL]]  # the third would be a new payment, past the grant's amount


def test_a_row_settles_the_oldest_approved_payment_even_where_a_later_one_has_its_amount(navigator):
    Payment.objects.filter(pk=navigator[2].pk).update(amount=gbp("7500.00"))
    check = ledger_check(rows=[LedgerRow(2, NAV, "2023-10-05", "7500.00", "AP-1")], file_name="x.csv")
    (row,) = check.rows
    assert row.settles.pk == navigator[1].pk
    assert row.outcome == (
        f"Marks the approved payment of £10,000.00 for Q1 2023/24 paid, at £7,500.00: the oldest approved payment "
        f"of {NAV}"
    )


def test_an_approved_payment_is_settled_by_a_row_dated_before_its_quarter(finance_officer, navigator):
    Payment.objects.filter(pk__in=[navigator[1].pk, navigator[2].pk]).update(status=Payment.Status.PAID)
    payment_approve(payment=release(navigator[3]), user=finance_officer)
    assert outcomes([(NAV, "2023-08-01", "10000.00", "AP-1")]) == ["Q3 2023/24"]


def test_a_payment_due_but_not_approved_is_named_and_the_row_refused_rather_than_paid_twice(finance_client, navigator):
    release(navigator[3])  # Q3's return approved: its payment is due, but finance has not approved it
    rows = [
        (NAV, "2023-10-05", "10000.00", "AP-1"),
        (NAV, "2023-10-06", "10000.00", "AP-2"),
        (NAV, "2023-10-07", "10000.00", "AP-3"),
    ]
    refused = (
        f"{NAV} has no approved payment waiting, and its Q3 2023/24 payment of £10,000.00 is due but not yet approved "
        "by finance: approve it under Payments due for approval, then upload the file again"
    )
    assert outcomes(rows) == ["Q1 2023/24", "Q2 2023/24", [refused]]
    before = ledger_state()
    preview = upload(finance_client, csv_file(rows))
    assert f"Row 4, grant_id: {refused}" in page_text(preview)
    assert preview.context["token"] == ""
    assert ledger_state() == before


def test_a_grant_paid_in_advance_is_held_to_its_approved_payments_too(finance_officer, finance_client):
    grant = funded_grant(identifier="360G-SSVRA-2023-ADV", amount="20000.00", payment_mode="advance")
    first = payment_create(grant=grant, amount=gbp("10000.00"), date=datetime.date(2023, 10, 1), user=finance_officer)
    later = payment_create(grant=grant, amount=gbp("10000.00"), date=datetime.date(2024, 1, 1), user=finance_officer)
    row = [("360G-SSVRA-2023-ADV", "2023-10-02", "10000.00", "AP-1")]
    assert outcomes(row) == [
        [
            "360G-SSVRA-2023-ADV has no approved payment waiting, and its Q3 2023/24 payment of "
            "£10,000.00 is due but not yet approved by finance: approve it under Payments due for "
            "approval, then upload the file again"
        ]
    ]
    payment_approve(payment=first, user=finance_officer)
    confirm(finance_client, upload(finance_client, csv_file(row)))
    assert Payment.objects.get(pk=first.pk).reference == "AP-1"
    assert Payment.objects.get(pk=later.pk).status == Payment.Status.PLANNED


def test_paying_less_than_planned_settles_the_payment_at_what_was_paid(finance_client, navigator):
    confirm(finance_client, upload(finance_client, csv_file([(NAV, "2023-10-05", "8000.00", "AP-1")])))
    settled = Payment.objects.get(reference="AP-1")
    assert (settled.pk, settled.amount) == (navigator[1].pk, gbp("8000.00"))
    assert sum(p.amount.amount for p in Payment.objects.filter(grant=settled.grant)) == Decimal("38000.00")


def test_marking_a_payment_paid_at_more_than_planned_is_held_to_the_grants_amount(finance_officer, navigator):
    on = datetime.date(2023, 10, 5)
    with pytest.raises(ValidationError, match="more than the grant's amount of £40,000.00: £10,000.00 remains"):
        payment_mark_paid(
            payment=Payment.objects.get(pk=navigator[3].pk),
            date=on,
            reference="AP-1",
            amount=gbp("10000.01"),
            user=finance_officer,
        )
    assert Payment.objects.get(pk=navigator[3].pk).status == Payment.Status.PLANNED
    paid = payment_mark_paid(
        payment=Payment.objects.get(pk=navigator[3].pk),
        date=on,
        reference="AP-1",
        amount=gbp("9000.00"),
        user=finance_officer,
    )
    assert Payment.objects.get(pk=paid.pk).amount == gbp("9000.00")


# --- The sample file ----------------------------------------------------------------------------------------------


def test_the_sample_lists_the_quarters_payments_and_those_due_and_imports_cleanly(
    finance_client, finance_officer, navigator, bleed
):
    payment_create(
        grant=bleed,
        amount=gbp("500.00"),
        date=datetime.date(2023, 10, 3),
        reference="AP-EARLIER",
        status=Payment.Status.PAID,
        user=finance_officer,
    )
    response = finance_client.get(import_url("sample"))
    assert response["Content-Disposition"] == 'attachment; filename="ledger-sample-2023-11-15.csv"'
    lines = response.content.decode().splitlines()
    assert lines == [
        "grant_id,date,amount,reference",
        f"{BLEED},2023-10-03,500.00,AP-EARLIER",  # already recorded this quarter
        f"{NAV},2023-11-15,10000.00,BACS-231115-{navigator[1].pk:05d}",  # Q1's and Q2's, approved: paid in this run
        f"{NAV},2023-11-15,10000.00,BACS-231115-{navigator[2].pk:05d}",
    ]
    preview = upload(finance_client, SimpleUploadedFile("sample.csv", response.content))
    assert "records 2 payments: 2 approved payments marked paid and 0 new paid payments" in page_text(preview)
    confirm(finance_client, preview)
    assert {Payment.objects.get(pk=navigator[n].pk).status for n in (1, 2)} == {"paid"}
    assert Payment.objects.get(pk=navigator[3].pk).status == "planned"  # not approved: not in the run
    assert len(ledger_sample_rows(on=TODAY)) == 3  # the same three payments, all recorded now


def test_the_demos_ledger_example_names_grants_of_the_story_and_reads_cleanly():
    path = Path(story.__file__).parent / "ledger-2023-24.csv"
    rows = finance_import.ledger_file_read(upload=SimpleUploadedFile(path.name, path.read_bytes()))
    identifiers = {spec.identifier for spec in story.grants_until(FinancialYear(2023))}
    assert rows and {row.grant_id for row in rows} <= identifiers
    assert all(FinancialYear(2023).contains(datetime.datetime.strptime(row.date, "%d/%m/%Y").date()) for row in rows)


# --- Queries -----------------------------------------------------------------------------------------------------


def test_the_sample_makes_as_many_queries_for_30_due_payments_as_for_3(finance_client, finance_officer):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = finance_client.get(import_url("sample"))
        assert response.status_code == 200
        return len(captured), len(response.content.decode().splitlines()) - 1

    def due_payments(n):
        for _ in range(n):
            payment = payment_create(
                grant=funded_grant(), amount=gbp("10.00"), date=datetime.date(2023, 10, 2), user=finance_officer
            )
            payment_approve(payment=release(payment), user=finance_officer)

    due_payments(3)
    queries()  # the first request fills per-process caches
    at_3 = queries()
    due_payments(27)
    at_30 = queries()
    assert (at_3[1], at_30[1]) == (3, 30)
    assert at_3[0] == at_30[0]


def test_checking_a_file_makes_as_many_queries_for_60_rows_as_for_6(finance_client):
    grants = [funded_grant(amount="40000.00") for _ in range(30)]

    def rows(n):
        return [(grants[i % 30].identifier, "2023-10-01", "10.00", f"AP-{n}-{i}") for i in range(n)]

    def queries(n) -> int:
        with CaptureQueriesContext(connection) as captured:
            preview = upload(finance_client, csv_file(rows(n)))
        assert preview.context["check"].errors == [] and len(preview.context["check"].to_import) == n
        return len(captured)

    queries(6)  # the first request fills per-process caches
    at_6, at_60 = queries(6), queries(60)
    print(f"\ncheck queries: {at_6} at 6 rows, {at_60} at 60 rows")
    assert at_6 == at_60
