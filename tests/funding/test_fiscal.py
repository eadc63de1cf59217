import datetime

import pytest

from funding.fiscal import FinancialYear, Quarter


@pytest.mark.parametrize(
    ("day", "year_label", "quarter_label"),
    [
        (datetime.date(2024, 3, 31), "2023/24", "Q4 2023/24"),
        (datetime.date(2024, 4, 1), "2024/25", "Q1 2024/25"),
        (datetime.date(2024, 2, 29), "2023/24", "Q4 2023/24"),
        (datetime.date(2023, 6, 30), "2023/24", "Q1 2023/24"),
        (datetime.date(2023, 7, 1), "2023/24", "Q2 2023/24"),
        (datetime.date(2023, 12, 31), "2023/24", "Q3 2023/24"),
        (datetime.date(2024, 1, 1), "2023/24", "Q4 2023/24"),
        (datetime.date(1999, 12, 31), "1999/00", "Q3 1999/00"),
    ],
)
def test_dates_fall_in_their_financial_year_and_quarter(day, year_label, quarter_label):
    assert FinancialYear.from_date(day).label == year_label
    assert Quarter.from_date(day).label == quarter_label


def test_a_financial_year_runs_from_1_april_to_31_march():
    year = FinancialYear(2023)
    assert (year.start, year.end) == (datetime.date(2023, 4, 1), datetime.date(2024, 3, 31))
    assert FinancialYear(2023).end == datetime.date(2024, 3, 31)
    assert year.contains(datetime.date(2024, 2, 29))
    assert not year.contains(datetime.date(2024, 4, 1))


def test_quarters_cover_the_year_without_gaps():
    quarters = FinancialYear(2023).quarters
    assert [(q.start, q.end) for q in quarters] == [
        (datetime.date(2023, 4, 1), datetime.date(2023, 6, 30)),
        (datetime.date(2023, 7, 1), datetime.date(2023, 9, 30)),
        (datetime.date(2023, 10, 1), datetime.date(2023, 12, 31)),
        (datetime.date(2024, 1, 1), datetime.date(2024, 3, 31)),
    ]
    assert Quarter(FinancialYear(2023), 4).next() == Quarter(FinancialYear(2024), 1)
    assert Quarter(FinancialYear(2024), 1).previous() == Quarter(FinancialYear(2023), 4)


def test_quarters_between_two_dates_include_partial_quarters():
    labels = [q.label for q in Quarter.between(datetime.date(2023, 5, 15), datetime.date(2023, 9, 1))]
    assert labels == ["Q1 2023/24", "Q2 2023/24"]


def test_remaining_quarters_are_the_rest_of_the_same_year():
    assert [q.number for q in Quarter(FinancialYear(2024), 2).remaining_in_year()] == [3, 4]
    assert Quarter(FinancialYear(2024), 4).remaining_in_year() == []


@pytest.mark.parametrize("label", ["2023/24", "2023-24", "2023"])
def test_parse_accepts_the_usual_spellings(label):
    assert FinancialYear.parse(label) == FinancialYear(2023)


def test_parse_refuses_nonsense():
    with pytest.raises(ValueError, match="not a financial year"):
        FinancialYear.parse("next year")


def test_a_quarter_is_numbered_one_to_four():
    with pytest.raises(ValueError):
        Quarter(FinancialYear(2023), 5)
