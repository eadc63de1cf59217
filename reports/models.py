from django.conf import settings
from django.db import models
from django.utils import timezone

from funding.fields import FinancialYearField, QuarterField
from funding.fiscal import FinancialYear, Quarter
from funding.models import FundingStream
from programmes.models import Grant, private_storage


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


def report_path(instance, filename):
    return f"reports/{instance.requested_at:%Y/%m}/{filename}"


class Report(models.Model):
    """A board or funder report someone asked for: made once by a background task, kept, downloaded again.

    The file is the report as it was when it was made (`started_at`, when its figures were read, is printed on it as
    "figures as at"); to see later figures, the office asks for it again.
    """

    class Kind(models.TextChoices):
        BOARD_PACK = "board-pack", "Board pack"
        FUNDER_RETURN = "funder-return", "Funder return (labour and non-labour)"

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "Spreadsheet (XLSX)"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "In progress"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    wagtail_reference_index_ignore = True

    kind = models.CharField(max_length=20, choices=Kind.choices)
    file_format = models.CharField("format", max_length=4, choices=Format.choices)
    financial_year = FinancialYearField()
    quarter = QuarterField(null=True, blank=True, help_text="Empty for the whole financial year.")
    stream = models.ForeignKey(
        FundingStream, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="funding stream"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done, while in progress.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to=report_path, storage=private_storage, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["kind", "-requested_at"], name="report_kind_requested")]

    def __str__(self):
        return f"{self.get_kind_display()}, {self.period_label}"

    @property
    def period(self) -> FinancialYear | Quarter:
        year = FinancialYear(self.financial_year)
        return Quarter(year, self.quarter) if self.quarter else year

    @property
    def period_label(self) -> str:
        return self.period.label
