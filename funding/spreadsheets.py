"""Values as they go into a spreadsheet (CSV or XLSX), wherever the product writes one."""

from djmoney.money import Money

POUNDS = '"£"#,##0.00'
# A cell starting with one of these is run as a formula by Excel, LibreOffice or Google Sheets (OWASP, "CSV
# Injection"), whoever typed it: a ledger reference, a grant title, a person's name.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value):
    """A value a spreadsheet shows as it is: money as a number in pounds, text that could run as a formula with a
    leading apostrophe, which spreadsheets read as "this is text" and do not show."""
    if isinstance(value, Money):
        return value.amount
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
