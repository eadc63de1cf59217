from django.db import models

from funding.fields import FinancialYearField, QuarterField
from funding.models import FundingStream
from programmes.models import Grant


def _pounds(verbose_name: str) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, default=0)


class StreamGrantQuarter(models.Model):
    """Derived, never edited: one grant's money in one quarter, as it counts against one funding stream.

    A co-funded grant counts against each stream in proportion to that year's charges; the shares are split to
    the penny so that they add up to the grant's own figures. `reports.figures` rebuilds a grant's rows inside the
    transaction of every change to its money (programmes' `grant_figures_changed`), so the dashboards aggregate a
    few thousand of these rows rather than millions of spend lines.
    """

    wagtail_reference_index_ignore = True

    stream = models.ForeignKey(FundingStream, on_delete=models.CASCADE, related_name="+")
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="stream_quarters")
    financial_year = FinancialYearField()
    quarter = QuarterField()
    profiled = _pounds("profiled")
    profiled_labour = _pounds("profiled, labour")
    paid = _pounds("paid")
    spent = _pounds("spent (approved returns)")
    spent_labour = _pounds("spent, labour")
    submitted = _pounds("spend in returns awaiting review")
    outturn = _pounds("forecast outturn")
    outturn_labour = _pounds("forecast outturn, labour")
    return_approved = models.BooleanField(default=False)

    class Meta:
        ordering = ["stream", "grant", "financial_year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["stream", "grant", "financial_year", "quarter"], name="one_figure_row_per_stream_grant_quarter"
            ),
        ]
        indexes = [
            models.Index(fields=["financial_year", "stream"], name="figures_year_stream"),
            models.Index(fields=["grant", "financial_year"], name="figures_grant_year"),
        ]

    def __str__(self):
        return f"{self.grant_id} → {self.stream_id} {self.financial_year} Q{self.quarter}"
