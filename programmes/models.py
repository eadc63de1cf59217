import datetime

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel

from funding.fields import FinancialYearField, QuarterField, gbp_constraints, gbp_field, unique_allowing_nulls
from funding.fiscal import FinancialYear, Quarter
from funding.models import Area, FundingStream, Organisation


class Theme(models.TextChoices):
    SERIOUS_VIOLENCE = "serious-violence", "Serious violence"
    WOMEN_AND_GIRLS = "women-and-girls", "Safety of women and girls"
    ASB = "asb", "Anti-social behaviour"
    YOUNG_PEOPLE = "young-people", "Children and young people"
    PUBLIC_SPACES = "public-spaces", "Safer public spaces"
    EDUCATION = "education", "Education and prevention"


class Programme(ClusterableModel):
    """A commissioned initiative, such as the Navigator Programme; funded by grants to one or more providers."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField("public summary", help_text="One or two sentences for the public site.")
    theme = models.CharField(max_length=30, choices=Theme.choices)
    areas = ParentalManyToManyField(Area, related_name="programmes", blank=True, verbose_name="areas served")
    senior_responsible_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Grant(ClusterableModel):
    """The commission: an award to one provider for one programme, charged to streams by financial year."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"

    class AllocationMethod(models.TextChoices):
        OPEN_CALL = "open-call", "Open call for proposals"
        DIRECT_AWARD = "direct-award", "Direct award"

    class PaymentMode(models.TextChoices):
        IN_ADVANCE = "advance", "In advance"
        IN_ARREARS = "arrears", "In arrears, on an approved return"

    identifier = models.CharField(
        max_length=100, unique=True, help_text="A 360Giving grant identifier, such as 360G-SSVRA-2023-001."
    )
    title = models.CharField(max_length=250)
    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="grants", limit_choices_to={"kind": "provider"}
    )
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="grants")
    amount = gbp_field("amount awarded")
    award_date = models.DateField()
    start_date = models.DateField()
    end_date = models.DateField()
    areas = ParentalManyToManyField(Area, related_name="grants", blank=True, verbose_name="areas served")
    lead_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="led_grants"
    )
    purpose = models.TextField()
    conditions = models.TextField(blank=True)
    crime_reduction_rationale = models.TextField(
        "how it is expected to reduce crime and disorder",
        help_text="Published under the Specified Information Order.",
    )
    allocation_method = models.CharField(max_length=20, choices=AllocationMethod.choices)
    direct_award_justification = models.TextField(blank=True)
    payment_mode = models.CharField(max_length=10, choices=PaymentMode.choices, default=PaymentMode.IN_ARREARS)
    return_due_days = models.PositiveSmallIntegerField(
        "days after quarter end a return is due", null=True, blank=True, help_text="Leave blank for the default."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["identifier"]
        constraints = [
            *gbp_constraints("grant", "amount"),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="grant_ends_after_start",
                violation_error_message="The end date must be on or after the start date.",
            ),
            models.CheckConstraint(
                condition=~Q(allocation_method="direct-award") | ~Q(direct_award_justification=""),
                name="direct_award_justified",
                violation_error_message="Give the justification for a direct award.",
            ),
        ]

    def __str__(self):
        return f"{self.identifier}: {self.title}"

    @property
    def quarters(self) -> list[Quarter]:
        return Quarter.between(self.start_date, self.end_date)


class GrantClosure(models.Model):
    """How a grant ended: its final spend, what was left unspent and where that money goes, and why."""

    grant = models.OneToOneField(Grant, on_delete=models.CASCADE, related_name="closure")
    amount_before = gbp_field("amount before closing")
    final_spend = gbp_field("final spend")
    underspend = gbp_field("underspend", help_text="The amount before closing less the final spend.")
    to_recover = gbp_field("to recover from the provider", help_text="Paid to the provider beyond the final spend.")
    released = gbp_field(
        "released to the streams", help_text="Committed but never paid: available again in the streams' years."
    )
    reason = models.TextField()
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField()

    class Meta:
        ordering = ["-closed_at"]
        constraints = [
            *gbp_constraints("closure", "amount_before", "final_spend", "underspend", "to_recover", "released")
        ]

    def __str__(self):
        return f"Closure of {self.grant.identifier}"


class OverrideFields(models.Model):
    """An officer's recorded decision to go past a limit (offices over-programme on purpose)."""

    override_reason = models.TextField(blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_override(self) -> bool:
        return bool(self.override_reason)


class GrantCharge(OverrideFields):
    """The part of a grant charged to one funding stream in one financial year."""

    grant = ParentalKey(Grant, on_delete=models.CASCADE, related_name="charges")
    stream = models.ForeignKey(FundingStream, on_delete=models.PROTECT, related_name="charges")
    financial_year = FinancialYearField()
    amount = gbp_field("amount")

    class Meta:
        ordering = ["grant", "financial_year", "stream"]
        constraints = [
            *gbp_constraints("charge", "amount"),
            models.UniqueConstraint(
                fields=["grant", "stream", "financial_year"],
                name="one_charge_per_grant_stream_year",
                violation_error_message="This grant already has a charge to that stream in that financial year.",
            ),
        ]
        indexes = [models.Index(fields=["stream", "financial_year"], name="charge_stream_year")]

    def __str__(self):
        return f"{self.grant.identifier} → {self.stream} {self.fy}"

    @property
    def fy(self) -> FinancialYear:
        return FinancialYear(self.financial_year)


class BudgetLine(ClusterableModel):
    class Category(models.TextChoices):
        STAFF = "staff", "Staff"
        ACTIVITIES = "activities", "Activities"
        EQUIPMENT = "equipment", "Equipment"
        TRAINING = "training", "Training"
        TRAVEL = "travel", "Travel"
        CAPITAL = "capital", "Capital works"
        OVERHEADS = "overheads", "Management and overheads"

    class CostType(models.TextChoices):
        LABOUR = "labour", "Labour"
        NON_LABOUR = "non-labour", "Non-labour"

    grant = ParentalKey(Grant, on_delete=models.CASCADE, related_name="budget_lines")
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=20, choices=Category.choices)
    cost_type = models.CharField(max_length=12, choices=CostType.choices)
    amount = gbp_field("amount")

    class Meta:
        ordering = ["grant", "pk"]
        constraints = [
            *gbp_constraints("budget_line", "amount"),
            models.UniqueConstraint(fields=["grant", "name"], name="budget_line_name_unique_in_grant"),
        ]

    def __str__(self):
        return f"{self.name} ({self.grant.identifier})"


class BudgetProfile(models.Model):
    """How much of a budget line is planned for one quarter."""

    wagtail_reference_index_ignore = True  # workflow rows: nothing on a page refers to them

    budget_line = ParentalKey(BudgetLine, on_delete=models.CASCADE, related_name="profile")
    financial_year = FinancialYearField()
    quarter = QuarterField()
    amount = gbp_field("amount")

    class Meta:
        ordering = ["budget_line", "financial_year", "quarter"]
        constraints = [
            *gbp_constraints("profile", "amount"),
            models.UniqueConstraint(
                fields=["budget_line", "financial_year", "quarter"], name="one_profile_per_line_quarter"
            ),
        ]

    def __str__(self):
        return f"{self.budget_line.name} {self.period}"

    @property
    def period(self) -> Quarter:
        return Quarter(FinancialYear(self.financial_year), self.quarter)


class GrantVariation(models.Model):
    """A recorded change to a grant's amount, dates or budget, with its reason and the values before and after."""

    class Kind(models.TextChoices):
        AMOUNT = "amount", "Amount"
        DATES = "dates", "Dates"
        BUDGET = "budget", "Budget lines"
        CHARGES = "charges", "Funding stream charges"

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="variations")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.TextField()
    before = models.JSONField()
    after = models.JSONField()
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["grant", "-made_at"]

    def __str__(self):
        return f"{self.get_kind_display()} variation to {self.grant.identifier}"


class Indicator(models.Model):
    class Kind(models.TextChoices):
        OUTPUT = "output", "Output"
        OUTCOME = "outcome", "Outcome"

    class Unit(models.TextChoices):
        COUNT = "count", "Count"
        PERCENTAGE = "percentage", "Percentage"
        MONEY = "money", "Money (£)"
        HOURS = "hours", "Hours"

    class Aggregation(models.TextChoices):
        SUM = "sum", "Sum over periods"
        LATEST = "latest", "Latest value"
        MEAN = "mean", "Mean of periods"

    class Direction(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"

    class Scope(models.TextChoices):
        PROGRAMME = "programme", "Programme performance measure"
        POPULATION = "population", "Population indicator"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="indicators",
        null=True,
        blank=True,
        help_text="The programme this measures; blank for a population indicator shared by several.",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    unit = models.CharField(max_length=12, choices=Unit.choices, default=Unit.COUNT)
    counts_people = models.BooleanField(
        default=False, help_text="Counts of people are suppressed on the public site when small."
    )
    aggregation = models.CharField(max_length=10, choices=Aggregation.choices, default=Aggregation.SUM)
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    scope = models.CharField(max_length=12, choices=Scope.choices, default=Scope.PROGRAMME)
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="For a population indicator: the area it is measured for.",
    )
    definition = models.TextField(help_text="What is counted, in plain words, for the public site.")
    method_and_source = models.TextField(blank=True)
    baseline_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    baseline_date = models.DateField(null=True, blank=True)
    breakdown_by_age_band = models.BooleanField(default=False)
    breakdown_by_sex = models.BooleanField(default=False)
    breakdown_by_ethnicity = models.BooleanField(default=False)
    breakdown_by_area = models.BooleanField(default=False)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["programme__name", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(baseline_value__isnull=True) | Q(baseline_date__isnull=False),
                name="indicator_baseline_has_date",
                violation_error_message="Give the date of the baseline value.",
            ),
            models.CheckConstraint(
                condition=~Q(unit="percentage") | ~Q(aggregation="sum"),
                name="indicator_percentage_not_summed",
                violation_error_message="A percentage cannot be summed over periods: choose latest or mean.",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def breakdowns(self) -> list[str]:
        return [dim for dim in Breakdown.values if getattr(self, f"breakdown_by_{dim.replace('-', '_')}")]


class Breakdown(models.TextChoices):
    AGE_BAND = "age_band", "Age band"
    SEX = "sex", "Sex"
    ETHNICITY = "ethnicity", "Ethnicity"
    AREA = "area", "Area"


BREAKDOWN_CATEGORIES = {
    Breakdown.AGE_BAND: ["10–13", "14–15", "16–17", "18–24"],
    Breakdown.SEX: ["Female", "Male", "Not known"],
    Breakdown.ETHNICITY: ["Asian", "Black", "Mixed", "White", "Other", "Not known"],
}


class Target(models.Model):
    """What a grant or a programme aims for on one indicator in one period (a year, or a quarter of it)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="targets", null=True, blank=True)
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="targets", null=True, blank=True)
    financial_year = FinancialYearField()
    quarter = QuarterField(null=True, blank=True, help_text="Leave blank for a target for the whole year.")
    value = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["indicator", "financial_year", "quarter"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grant__isnull=True, programme__isnull=False)
                | Q(grant__isnull=False, programme__isnull=True),
                name="target_for_grant_or_programme",
                violation_error_message="A target is set for a grant or for a programme, not both.",
            ),
            *unique_allowing_nulls(
                "one_target_per_period",
                fields=["indicator", "grant", "programme", "financial_year", "quarter"],
                nullable=["grant", "programme", "quarter"],
                message="There is already a target for this indicator and period.",
            ),
        ]

    def __str__(self):
        period = f"Q{self.quarter} " if self.quarter else ""
        return f"{self.indicator}: {self.value} in {period}{FinancialYear(self.financial_year)}"


def return_owed_by(day: datetime.date) -> Q:
    """The one definition of a return the provider owes with a deadline on or before a day: not started or draft by
    its due date, or returned for changes by its resubmission date. A return the office reopened (returned, with no
    resubmission date) is the office's to finish and owed by no day. `QuarterlyReturn.deadline` says the same of
    one return."""
    status = QuarterlyReturn.Status
    return Q(status__in=[status.NOT_STARTED, status.DRAFT], due_date__lte=day) | Q(
        status=status.RETURNED, resubmission_due_date__lte=day
    )


def return_overdue(on: datetime.date) -> Q:
    """Overdue on a day: owed, and its deadline was before that day (on the deadline itself it is not late)."""
    return return_owed_by(on - datetime.timedelta(days=1))


class QuarterlyReturnQuerySet(models.QuerySet):
    def overdue(self, on: datetime.date):
        """Owed and past its deadline on the given day (`return_overdue`)."""
        return self.filter(return_overdue(on))

    def owed_by(self, day: datetime.date):
        return self.filter(return_owed_by(day))


class QuarterlyReturn(models.Model):
    """A provider's report on one grant for one quarter."""

    wagtail_reference_index_ignore = True  # workflow rows: nothing on a page refers to them

    class Status(models.TextChoices):
        NOT_STARTED = "not-started", "Not started"
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned for changes"
        APPROVED = "approved", "Approved"

    class Rag(models.TextChoices):
        RED = "red", "Red"
        AMBER = "amber", "Amber"
        GREEN = "green", "Green"

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="returns")
    financial_year = FinancialYearField()
    quarter = QuarterField()
    due_date = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    progress = models.TextField(blank=True)
    challenges = models.TextField(blank=True)
    risks = models.TextField(blank=True)
    risk_rating = models.CharField("risk rating (RAG)", max_length=5, choices=Rag.choices, blank=True)
    case_study = models.TextField("anonymised case study", blank=True)
    next_quarter_plans = models.TextField("plans for next quarter", blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # Set when the office sends the return back for changes: the provider owes it again by this day, and it is
    # overdue only after it. Empty on a return the office reopened, which is the office's to finish.
    resubmission_due_date = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Raised on every save, to catch lost updates.")

    objects = QuarterlyReturnQuerySet.as_manager()
    # Statuses in which the provider still owes the office the return, and may change it: the statuses that the
    # lifecycle's "start" and "submit" transitions leave (programmes/lifecycle.py; a test keeps the two the same).
    OPEN_STATUSES = (Status.NOT_STARTED, Status.DRAFT, Status.RETURNED)

    class Meta:
        ordering = ["grant", "financial_year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["grant", "financial_year", "quarter"],
                name="one_return_per_grant_quarter",
                violation_error_message="This grant already has a return for that quarter.",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="return_status_due"),
            models.Index(fields=["financial_year", "quarter"], name="return_period"),
        ]

    def __str__(self):
        return f"{self.grant.identifier} {self.period}"

    @property
    def period(self) -> Quarter:
        return Quarter(FinancialYear(self.financial_year), self.quarter)

    @property
    def deadline(self) -> datetime.date | None:
        """The day the provider owes (or owed) the return by, as people are shown it: its due date, or once it has
        been sent back for changes its resubmission date (kept when it is submitted again, cleared on approval).
        None for a return the office reopened: the office's to finish, it is owed by no day."""
        if self.resubmission_due_date is not None:
            return self.resubmission_due_date
        return None if self.status == self.Status.RETURNED else self.due_date

    def is_overdue(self, today: datetime.date) -> bool:
        """Owed and past its deadline (`return_overdue` says the same in the database)."""
        deadline = self.deadline
        return self.status in self.OPEN_STATUSES and deadline is not None and today > deadline

    @property
    def submitted_late(self) -> bool:
        """Whether it was (last) submitted after the deadline it then had; on the deadline itself is on time."""
        deadline = self.deadline
        return (
            self.submitted_at is not None and deadline is not None and timezone.localdate(self.submitted_at) > deadline
        )


class ReturnTransition(models.Model):
    """One change of a return's status: who, when and why. Never edited."""

    wagtail_reference_index_ignore = True  # workflow rows: nothing on a page refers to them

    quarterly_return = models.ForeignKey(QuarterlyReturn, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12, choices=QuarterlyReturn.Status.choices)
    to_status = models.CharField(max_length=12, choices=QuarterlyReturn.Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["quarterly_return", "at", "pk"]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class SpendLine(models.Model):
    """A return's actual spend on one budget line in its quarter."""

    wagtail_reference_index_ignore = True  # workflow rows: nothing on a page refers to them

    quarterly_return = models.ForeignKey(QuarterlyReturn, on_delete=models.CASCADE, related_name="spend_lines")
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="spend_lines")
    actual = gbp_field("spent this quarter")
    variance_explanation = models.TextField(blank=True)

    class Meta:
        ordering = ["quarterly_return", "budget_line"]
        constraints = [
            *gbp_constraints("spend", "actual"),
            models.UniqueConstraint(fields=["quarterly_return", "budget_line"], name="one_spend_line_per_budget_line"),
        ]

    def __str__(self):
        return f"{self.budget_line.name}: {self.actual}"


class SpendForecast(models.Model):
    """A return's forecast for one budget line in a later quarter of the same financial year."""

    wagtail_reference_index_ignore = True  # workflow rows: nothing on a page refers to them

    quarterly_return = models.ForeignKey(QuarterlyReturn, on_delete=models.CASCADE, related_name="forecasts")
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="forecasts")
    quarter = QuarterField()
    amount = gbp_field("forecast")

    class Meta:
        ordering = ["quarterly_return", "budget_line", "quarter"]
        constraints = [
            *gbp_constraints("forecast", "amount"),
            models.UniqueConstraint(
                fields=["quarterly_return", "budget_line", "quarter"], name="one_forecast_per_line_quarter"
            ),
        ]

    def __str__(self):
        return f"{self.budget_line.name} Q{self.quarter}: {self.amount}"


class IndicatorValue(models.Model):
    """A figure for one indicator in one quarter: the total, or one category of a breakdown."""

    wagtail_reference_index_ignore = True  # workflow rows: nothing on a page refers to them

    class Source(models.TextChoices):
        RETURN = "return", "Provider's return"
        OFFICE = "office", "Entered by the office"

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="indicator_values", null=True, blank=True)
    quarterly_return = models.ForeignKey(
        QuarterlyReturn, on_delete=models.CASCADE, related_name="indicator_values", null=True, blank=True
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    financial_year = FinancialYearField()
    quarter = QuarterField()
    breakdown = models.CharField(max_length=12, choices=Breakdown.choices, blank=True)
    category = models.CharField(max_length=60, blank=True)
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    numerator = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    denominator = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set when the figure counts as approved: when its return is approved, or an officer approves an
    # office-entered value. Reopening a return clears it, which withdraws the figure from everything public.
    approved_at = models.DateTimeField(null=True, blank=True, db_index=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["indicator", "financial_year", "quarter", "breakdown", "category"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source="office") | Q(quarterly_return__isnull=False),
                name="return_value_has_return",
                violation_error_message="A value from a return must name its return.",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=False) | Q(numerator__isnull=False, denominator__isnull=False),
                name="value_or_fraction",
                violation_error_message="Give a value, or a numerator and a denominator.",
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                name="denominator_positive",
                violation_error_message="The denominator must be more than zero.",
            ),
            models.CheckConstraint(
                condition=Q(breakdown="", category="") | (~Q(breakdown="") & ~Q(category="")),
                name="breakdown_has_category",
                violation_error_message="A breakdown value names its category.",
            ),
            *unique_allowing_nulls(
                "one_value_per_period",
                fields=["indicator", "grant", "financial_year", "quarter", "breakdown", "category"],
                nullable=["grant"],
                message="There is already a value for this indicator, grant and quarter.",
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "financial_year", "quarter"], name="value_indicator_period"),
            models.Index(fields=["financial_year", "quarter"], name="value_period"),
        ]

    def __str__(self):
        part = f" ({self.category})" if self.category else ""
        return f"{self.indicator}{part} {Quarter(FinancialYear(self.financial_year), self.quarter)}"

    @property
    def period(self) -> Quarter:
        return Quarter(FinancialYear(self.financial_year), self.quarter)


# Finance approves a payment in advance up to a month before its date, so that the payment run pays it on the day.
ADVANCE_APPROVAL_WINDOW = datetime.timedelta(days=31)


def payment_due_for_approval(on: datetime.date) -> Q:
    """The one definition of a payment that is due for finance's approval on a day: a planned payment that an
    approved return released (a grant paid in arrears; it stays due, flagged, if the return is reopened since), or
    a planned payment of a grant paid in advance whose date is at most a month away."""
    return Q(status=Payment.Status.PLANNED) & (
        Q(released_by_return__isnull=False)
        | Q(grant__payment_mode=Grant.PaymentMode.IN_ADVANCE, date__lte=on + ADVANCE_APPROVAL_WINDOW)
    )


class PaymentQuerySet(models.QuerySet):
    def due_for_approval(self, on: datetime.date) -> "PaymentQuerySet":
        return self.filter(payment_due_for_approval(on))

    def with_due_for_approval(self, on: datetime.date) -> "PaymentQuerySet":
        """Each payment with `is_due_for_approval`, worked out in the database by the same rule."""
        due = models.Case(
            models.When(payment_due_for_approval(on), then=models.Value(True)),
            default=models.Value(False),
            output_field=models.BooleanField(),
        )
        return self.annotate(is_due_for_approval=due)


class Payment(OverrideFields):
    wagtail_reference_index_ignore = True  # workflow rows: nothing on a page refers to them

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        APPROVED = "approved", "Approved for payment"
        PAID = "paid", "Paid"

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="payments")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED, db_index=True)
    amount = gbp_field("amount")
    date = models.DateField(help_text="Planned date, or the date it was paid.")
    financial_year = FinancialYearField()
    quarter = QuarterField()
    released_by_return = models.ForeignKey(
        QuarterlyReturn, on_delete=models.SET_NULL, null=True, blank=True, related_name="payments"
    )
    reference = models.CharField("ledger reference", max_length=60, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["grant", "date"]
        constraints = [
            *gbp_constraints("payment", "amount"),
            models.UniqueConstraint(fields=["reference"], condition=~Q(reference=""), name="payment_reference_unique"),
        ]
        indexes = [
            models.Index(fields=["financial_year", "quarter"], name="payment_period"),
            models.Index(fields=["date"], name="payment_date"),
        ]

    def __str__(self):
        return f"{self.amount} to {self.grant.identifier} ({self.get_status_display().lower()})"

    @property
    def period(self) -> Quarter:
        return Quarter(FinancialYear(self.financial_year), self.quarter)


def private_storage():
    return storages["private"]


def evidence_path(instance, filename):
    return f"evidence/{instance.quarterly_return.grant_id}/{instance.quarterly_return_id}/{filename}"


class EvidenceFile(models.Model):
    """A file a provider attaches to a return, kept in private storage and served only through a checked view."""

    wagtail_reference_index_ignore = True  # workflow rows: nothing on a page refers to them

    quarterly_return = models.ForeignKey(QuarterlyReturn, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, storage=private_storage)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["quarterly_return", "uploaded_at"]

    def __str__(self):
        return self.original_name


class ReturnReminder(models.Model):
    """A reminder e-mail sent about a return; its uniqueness is what stops the same reminder going twice."""

    class Kind(models.TextChoices):
        DUE_SOON = "due-soon", "Due within 14 days"
        OVERDUE = "overdue", "Overdue"
        STILL_OVERDUE = "still-overdue", "Still overdue (weekly)"

    wagtail_reference_index_ignore = True  # workflow rows: nothing on a page refers to them

    quarterly_return = models.ForeignKey(QuarterlyReturn, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=15, choices=Kind.choices)
    # The deadline it reminded of: the due date, or a resubmission date once the return was sent back, so that a
    # new deadline gets its own reminders.
    deadline = models.DateField()
    # 0 for the one-off reminders; for the weekly one, how many whole weeks past the deadline the return was.
    week = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.TextField(help_text="The addresses it went to, one per line.")

    class Meta:
        ordering = ["quarterly_return", "sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["quarterly_return", "deadline", "kind", "week"], name="one_reminder_of_each_kind_per_deadline"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} reminder for {self.quarterly_return}"
