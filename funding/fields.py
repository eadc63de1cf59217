"""Field types shared by every app: money in pounds sterling, financial years and quarters."""

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from djmoney.models.fields import MoneyField

from funding.fiscal import FinancialYear

GBP = "GBP"
# Every money column: up to £999,999,999,999.99, to the penny (the forms refuse more, funding/forms.py).
MONEY_MAX_DIGITS, MONEY_DECIMAL_PLACES = 14, 2
FIRST_FINANCIAL_YEAR = 2015


def financial_year_choices() -> list[tuple[int, str]]:
    last = FinancialYear.from_date(datetime.date.today()).start_year + 6
    return [(year, FinancialYear(year).label) for year in range(FIRST_FINANCIAL_YEAR, last + 1)]


QUARTER_CHOICES = [(1, "Q1 (Apr–Jun)"), (2, "Q2 (Jul–Sep)"), (3, "Q3 (Oct–Dec)"), (4, "Q4 (Jan–Mar)")]


class FinancialYearField(models.PositiveSmallIntegerField):
    """A UK financial year, stored as the calendar year it starts in (2023 for 2023/24)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", financial_year_choices)
        kwargs.setdefault("validators", [MinValueValidator(FIRST_FINANCIAL_YEAR), MaxValueValidator(2100)])
        kwargs.setdefault("verbose_name", "financial year")
        super().__init__(*args, **kwargs)


class QuarterField(models.PositiveSmallIntegerField):
    """A quarter of a financial year, 1 (April–June) to 4 (January–March)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", QUARTER_CHOICES)
        kwargs.setdefault("verbose_name", "quarter")
        super().__init__(*args, **kwargs)


def gbp_field(verbose_name: str, **kwargs) -> MoneyField:
    """An amount in pounds and pence: exact to the penny, GBP only, never a float."""
    kwargs.setdefault("max_digits", MONEY_MAX_DIGITS)
    kwargs.setdefault("decimal_places", MONEY_DECIMAL_PLACES)
    return MoneyField(
        verbose_name,
        default_currency=GBP,
        currency_choices=[(GBP, "Pound sterling (£)")],
        **kwargs,
    )


def gbp_constraints(prefix: str, *fields: str) -> list[models.CheckConstraint]:
    """Database checks that each money column is GBP and not negative."""
    constraints = []
    for field in fields:
        constraints.append(
            models.CheckConstraint(
                condition=Q(**{f"{field}__gte": 0}) | Q(**{f"{field}__isnull": True}),
                name=f"{prefix}_{field}_not_negative",
                violation_error_message=f"The {field.replace('_', ' ')} cannot be negative.",
            )
        )
        constraints.append(
            models.CheckConstraint(
                condition=Q(**{f"{field}_currency": GBP}),
                name=f"{prefix}_{field}_gbp",
                violation_error_message=f"The {field.replace('_', ' ')} must be in pounds sterling (GBP).",
            )
        )
    return constraints


def unique_allowing_nulls(
    name: str, fields: list[str], nullable: list[str], message: str
) -> list[models.UniqueConstraint]:
    """Uniqueness where some of the fields may be NULL and NULL counts as a value.

    SQLite cannot make NULLs equal in a unique constraint (`nulls_distinct=False`), so each pattern of NULLs
    gets a partial unique index of its own, which both databases enforce.
    """
    constraints = []
    for mask in range(2 ** len(nullable)):
        null = {field for i, field in enumerate(nullable) if mask >> i & 1}
        suffix = "".join("n" if field in null else "v" for field in nullable)
        constraints.append(
            models.UniqueConstraint(
                fields=[field for field in fields if field not in null],
                condition=Q(**{f"{field}__isnull": field in null for field in nullable}),
                name=f"{name}_{suffix}",
                violation_error_message=message,
            )
        )
    return constraints
