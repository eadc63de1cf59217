from decimal import Decimal

import pytest

from funding.money import format_gbp, format_gbp_short, gbp


@pytest.mark.parametrize(
    ("amount", "short"),
    [
        ("3100000.00", "£3.1m"),
        ("969600.00", "£970k"),
        ("999999.99", "£1m"),
        ("150000000.00", "£150m"),
        ("12345.00", "£12k"),
        ("850.40", "£850"),
        ("-2500.00", "-£3k"),
    ],
)
def test_short_amounts_round_for_tight_spaces(amount, short):
    assert format_gbp_short(gbp(amount)) == short


def test_the_exact_amount_reads_as_a_finance_officer_expects():
    assert format_gbp(gbp("1234567.89")) == "£1,234,567.89"
    assert format_gbp(Decimal("-5.5")) == "-£5.50"
