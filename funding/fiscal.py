"""UK public-sector financial years (1 April to 31 March) and their quarters (Q1 = April to June).

These small value types are used everywhere a period is named: models store a financial year as its
starting calendar year and a quarter as 1–4, and hand these objects back for labels and date arithmetic.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import total_ordering

FIRST_MONTH = 4  # April


@total_ordering
@dataclass(frozen=True)
class FinancialYear:
    """FY 2023/24 is FinancialYear(2023): 1 April 2023 to 31 March 2024."""

    start_year: int

    @classmethod
    def from_date(cls, day: datetime.date) -> FinancialYear:
        return cls(day.year if day.month >= FIRST_MONTH else day.year - 1)

    @classmethod
    def current(cls) -> FinancialYear:
        return cls.from_date(datetime.date.today())

    @classmethod
    def parse(cls, label: str) -> FinancialYear:
        """Accept "2023/24", "2023-24" or "2023"."""
        head = label.strip().replace("-", "/").split("/")[0]
        if not head.isdigit() or len(head) != 4:
            raise ValueError(f"{label!r} is not a financial year such as 2023/24")
        return cls(int(head))

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.start_year, FIRST_MONTH, 1)

    @property
    def end(self) -> datetime.date:
        return datetime.date(self.start_year + 1, FIRST_MONTH, 1) - datetime.timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def quarters(self) -> list[Quarter]:
        return [Quarter(self, number) for number in (1, 2, 3, 4)]

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    def __add__(self, years: int) -> FinancialYear:
        return FinancialYear(self.start_year + years)

    def __sub__(self, years: int) -> FinancialYear:
        return FinancialYear(self.start_year - years)

    def __lt__(self, other: FinancialYear) -> bool:
        return self.start_year < other.start_year

    def __str__(self) -> str:
        return self.label


@total_ordering
@dataclass(frozen=True)
class Quarter:
    """Q2 2023/24 is Quarter(FinancialYear(2023), 2): 1 July to 30 September 2023."""

    financial_year: FinancialYear
    number: int

    def __post_init__(self):
        if self.number not in (1, 2, 3, 4):
            raise ValueError(f"A quarter is numbered 1 to 4, not {self.number}")

    @classmethod
    def from_date(cls, day: datetime.date) -> Quarter:
        months_into_year = (day.month - FIRST_MONTH) % 12
        return cls(FinancialYear.from_date(day), months_into_year // 3 + 1)

    @classmethod
    def current(cls) -> Quarter:
        return cls.from_date(datetime.date.today())

    @classmethod
    def between(cls, start: datetime.date, end: datetime.date) -> list[Quarter]:
        """Every quarter that overlaps the period from start to end, in order."""
        quarters, quarter = [], cls.from_date(start)
        while quarter.start <= end:
            quarters.append(quarter)
            quarter = quarter.next()
        return quarters

    @property
    def start(self) -> datetime.date:
        month = (FIRST_MONTH - 1 + (self.number - 1) * 3) % 12 + 1
        year = self.financial_year.start_year + (1 if month < FIRST_MONTH else 0)
        return datetime.date(year, month, 1)

    @property
    def end(self) -> datetime.date:
        return self.next().start - datetime.timedelta(days=1)

    @property
    def label(self) -> str:
        return f"Q{self.number} {self.financial_year.label}"

    @property
    def sort_key(self) -> int:
        """One integer that orders quarters, e.g. 20232 for Q2 2023/24."""
        return self.financial_year.start_year * 10 + self.number

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.financial_year + 1, 1)
        return Quarter(self.financial_year, self.number + 1)

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.financial_year - 1, 4)
        return Quarter(self.financial_year, self.number - 1)

    def remaining_in_year(self) -> list[Quarter]:
        """The quarters of the same financial year after this one (the ones a return forecasts)."""
        return [q for q in self.financial_year.quarters if q.number > self.number]

    def overlaps(self, start: datetime.date, end: datetime.date) -> bool:
        return self.start <= end and start <= self.end

    def __lt__(self, other: Quarter) -> bool:
        return self.sort_key < other.sort_key

    def __str__(self) -> str:
        return self.label
