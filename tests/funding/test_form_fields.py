"""The shared number and date fields (funding/forms.py): what they take, and what they refuse, naming the field."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from djmoney.money import Money

from funding.forms import AmountField, BoundedDateField, CountField, FigureField, GBPMoneyFormField, number_parse
from funding.models import FundingStream
from programmes.models import Indicator


def refusal(field, value) -> str:
    with pytest.raises(ValidationError) as refused:
        field.clean(value)
    return " ".join(refused.value.messages)


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("1250.50", "1250.50"), ("£1,250.5", "1250.50"), (" 12 ", "12.00"), ("0", "0.00"), ("999999999999.99", None)],
)
def test_an_amount_is_read_as_people_type_it(typed, amount):
    assert AmountField(what="the amount spent").clean(typed) == Money(Decimal(amount or typed), "GBP")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1e309", "Enter the amount spent as an amount in pounds and pence, like 1250.50"),
        ("9" * 40, "Enter the amount spent as an amount under £1,000,000,000,000"),
        ("1000000000000", "Enter the amount spent as an amount under £1,000,000,000,000"),
        ("9" * 10_000, "Enter the amount spent as an amount in pounds and pence, like 1250.50"),
        ("-1", "Enter the amount spent as 0 or more; it cannot be negative"),
        ("NaN", "Enter the amount spent as an amount in pounds and pence, like 1250.50"),
        ("inf", "Enter the amount spent as an amount in pounds and pence, like 1250.50"),
        ("-Infinity", "Enter the amount spent as an amount in pounds and pence, like 1250.50"),
        ("٣٤٥", "Enter the amount spent as an amount in pounds and pence, like 1250.50"),
        ("<script>", "Enter the amount spent as an amount in pounds and pence, like 1250.50"),
        ("12\x00", "Enter the amount spent as an amount in pounds and pence, like 1250.50"),
        ("+5", "Enter the amount spent as an amount in pounds and pence, like 1250.50"),
        ("1.234", "Enter the amount spent in pounds and pence, with no more than 2 decimal places"),
        ("", "Enter the amount spent"),
    ],
)
def test_an_amount_refuses_what_is_malformed_or_out_of_range_naming_it(typed, message):
    assert refusal(AmountField(what="the amount spent"), typed) == message


def test_an_amounts_bounds_are_its_columns():
    field = AmountField(what="the total", max_digits=6, decimal_places=2)
    assert field.clean("9999.99") == Money("9999.99", "GBP")
    assert refusal(field, "10000") == "Enter the total as an amount under £10,000"


def test_a_figure_or_count_refuses_what_is_malformed_or_out_of_range_naming_it():
    figure = FigureField(what="the hours of support")
    count = FigureField(what="the figure for Referrals", whole=True)
    assert figure.clean("12.5") == Decimal("12.5")
    assert count.clean("1,250") == Decimal("1250")
    assert refusal(figure, "1e309") == "Enter the hours of support as a number, like 12.5"
    assert refusal(figure, "9" * 40) == "Enter the hours of support as a number under 1,000,000,000,000"
    assert refusal(figure, "-0.5") == "Enter the hours of support as 0 or more; it cannot be negative"
    assert refusal(figure, "1.005") == "Enter the hours of support with no more than 2 decimal places"
    assert refusal(count, "12.5") == "Enter the figure for Referrals as a whole number, like 61"
    assert refusal(count, "NaN") == "Enter the figure for Referrals as a whole number, like 61"


def test_a_count_for_an_integer_column_is_an_int_within_the_columns_range():
    field = CountField(label="Days a return is due", max_value=32767)
    assert field.clean("30") == 30 and isinstance(field.clean("30"), int)
    assert refusal(field, "32768") == "Enter the days a return is due as a number under 32,768"
    assert refusal(field, "9" * 40) == "Enter the days a return is due as a number under 1,000,000,000"


def test_the_back_office_money_field_is_an_amount_bounded_by_its_column_and_always_gbp():
    field = FundingStream._meta.get_field("total").formfield(form_class=GBPMoneyFormField)
    assert field.clean(["1250.50", "USD"]) == Money("1250.50", "GBP")
    assert refusal(field, ["1e309", "GBP"]) == "Enter the total as an amount in pounds and pence, like 1250.50"
    assert refusal(field, ["9" * 40, "GBP"]) == "Enter the total as an amount under £1,000,000,000,000"
    assert refusal(field, ["", "GBP"]) == "Enter the total"


def test_the_back_office_figure_field_is_bounded_by_its_column():
    field = Indicator._meta.get_field("baseline_value").formfield(form_class=FigureField)
    assert field.clean("12.5") == Decimal("12.5")
    assert field.clean("") is None
    assert refusal(field, "1e309") == "Enter the baseline value as a number, like 12.5"


def test_a_date_is_between_2000_and_2100():
    field = BoundedDateField(label="Start date")
    assert field.clean("2024-04-01") == datetime.date(2024, 4, 1)
    assert refusal(field, "0001-01-01") == "Enter the start date between 1 January 2000 and 31 December 2100"
    assert refusal(field, "9999-12-31") == "Enter the start date between 1 January 2000 and 31 December 2100"
    assert refusal(field, "99999-01-01") == "Enter the start date as a real date, like 31/03/2025"
    assert refusal(field, "1e309") == "Enter the start date as a real date, like 31/03/2025"


def test_numbers_are_never_floats():
    with pytest.raises(ValidationError):
        number_parse(1.5, what="the amount", max_digits=14, decimal_places=2, money=True)
    assert number_parse(Decimal("1.50"), what="the amount", max_digits=14, decimal_places=2) == Decimal("1.50")
