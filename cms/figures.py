"""The live figures of one page render, fetched once however many blocks on the page show them."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from djmoney.money import Money

from funding.models import FundingStream
from programmes.models import Indicator, Programme
from reports import public
from reports.formats import COUNT, MONEY, format_exact, format_short


@dataclass(frozen=True)
class MoneyFigure:
    label: str
    short: str  # £970k
    exact: str  # £969,640.00
    updated: datetime.date | None


MEASURES = {
    "invested": "Invested",
    "spent": "Spent to date",
    "programmes": "Programmes funded",
}


class PageFigures:
    def __init__(self, indicators: Iterable[Indicator] = ()):
        self._progress = {progress.indicator.pk: progress for progress in public.indicator_progress_list(indicators)}

    @cached_property
    def money_rows(self) -> list[public.MoneyRow]:
        return public.money_rows()

    def progress(self, indicator: Indicator) -> public.IndicatorProgress:
        if indicator.pk not in self._progress:
            self._progress.update({p.indicator.pk: p for p in public.indicator_progress_list([indicator])})
        return self._progress[indicator.pk]

    def stream_money(self, stream: FundingStream) -> public.MoneySummary:
        return public.money_summary(self.money_rows, stream=stream)

    def money(
        self, measure: str, *, stream: FundingStream | None = None, programme: Programme | None = None
    ) -> MoneyFigure:
        """Invested, spent to date, or the number of programmes funded: overall, for a stream or a programme."""
        if measure == "programmes":
            count = len(public.programmes_funded(self.money_rows, stream=stream))
            text = format_exact(COUNT, Decimal(count))
            summary = public.money_summary(self.money_rows, stream=stream)
            return MoneyFigure(MEASURES[measure], text, text, summary.invested_on)
        summary = public.money_summary(self.money_rows, stream=stream, programme_id=programme.pk if programme else None)
        amount: Money = summary.invested if measure == "invested" else summary.spent
        updated = summary.invested_on if measure == "invested" else summary.spent_on
        return MoneyFigure(MEASURES[measure], format_short(MONEY, amount), format_exact(MONEY, amount), updated)
