import re

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from funding.fields import FinancialYearField, gbp_constraints, gbp_field
from funding.fiscal import FinancialYear
from funding.roles import OFFICE_ROLES, PROVIDER_ROLES, RECORD_READER_ROLES, Role

ORG_ID_PATTERN = re.compile(r"^(GB-(CHC|COH|LAE|GOVUK|SC|NIC|EDU|MPR|NHS)-[A-Za-z0-9-]+|360G-[A-Za-z0-9-]+)$")
UK_POSTCODE_PATTERN = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


class Organisation(models.Model):
    class Kind(models.TextChoices):
        FUNDER = "funder", "Funder"
        COMMISSIONER = "commissioner", "Commissioner"
        PROVIDER = "provider", "Provider"
        PARTNER = "partner", "Partner"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    org_id = models.CharField(
        "organisation identifier",
        max_length=100,
        unique=True,
        help_text="A 360Giving org-id: GB-CHC-… (charity), GB-COH-… (company), GB-LAE-… (English council), "
        "GB-GOVUK-… (government body), or 360G-… for a group with no registration.",
    )
    charity_number = models.CharField(max_length=20, blank=True)
    company_number = models.CharField(max_length=20, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.org_id and not ORG_ID_PATTERN.match(self.org_id):
            message = "Enter an identifier such as GB-CHC-1234567, GB-COH-01234567, GB-LAE-STE or 360G-your-group"
            if self.org_id.startswith("GB-GOR-"):
                message = "GB-GOR identifiers are deprecated: use the body's GB-GOVUK identifier"
            errors["org_id"] = message
        if self.postcode:
            self.postcode = self.postcode.strip().upper()
            if not UK_POSTCODE_PATTERN.match(self.postcode):
                errors["postcode"] = "Enter a UK postcode, like ST4 2RS"
        if errors:
            raise ValidationError(errors)


class Area(models.Model):
    """A place a programme serves or an outcome is measured for, with its official code."""

    class GeoType(models.TextChoices):
        PFA = "PFA", "Police force area"
        UA = "UA", "Unitary authority"
        LAD = "LAD", "Local authority district"
        CSP = "CSP", "Community safety partnership"

    name = models.CharField(max_length=120)
    code = models.CharField(max_length=20, unique=True, help_text="ONS code, such as E06000021")
    geo_type = models.CharField("type", max_length=5, choices=GeoType.choices)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class EmailUserManager(UserManager):
    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("Users sign in with an email address")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in with an email address and belongs to one organisation."""

    username = None
    email = models.EmailField("email address", unique=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]
    objects = EmailUserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def role_names(self) -> set[str]:
        if not hasattr(self, "_role_names"):
            self._role_names = set(self.groups.values_list("name", flat=True))
        return self._role_names

    def has_role(self, *roles: Role) -> bool:
        return self.is_superuser or bool(self.role_names & set(roles))

    @property
    def is_office_user(self) -> bool:
        return self.is_superuser or bool(self.role_names & OFFICE_ROLES)

    @property
    def reads_office_records(self) -> bool:
        """Whether the user reads the office's records (grants, returns, payments): roles.RECORD_READER_ROLES."""
        return self.has_role(*RECORD_READER_ROLES)

    @property
    def is_provider_user(self) -> bool:
        return not self.is_superuser and bool(self.role_names & PROVIDER_ROLES)


class FundingStream(ClusterableModel):
    """A pot of money from a funder, allocated by financial year."""

    funder = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="funding_streams",
        limit_choices_to={"kind__in": ["funder", "commissioner"]},
    )
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    total = gbp_field("total")
    purpose = models.TextField()
    conditions = models.TextField(blank=True)
    ring_fenced = models.BooleanField(default=False)
    carry_over_allowed = models.BooleanField(
        default=False, help_text="Whether money unspent at the end of a financial year may be spent in the next."
    )
    start_date = models.DateField()
    end_date = models.DateField()
    owner = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_streams")
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            *gbp_constraints("stream", "total"),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="stream_ends_after_start",
                violation_error_message="The end date must be on or after the start date.",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def financial_years(self) -> list[FinancialYear]:
        first, last = FinancialYear.from_date(self.start_date), FinancialYear.from_date(self.end_date)
        return [FinancialYear(year) for year in range(first.start_year, last.start_year + 1)]


class Allocation(models.Model):
    """The part of a stream's total available in one financial year."""

    stream = ParentalKey(FundingStream, on_delete=models.CASCADE, related_name="allocations")
    financial_year = FinancialYearField()
    amount = gbp_field("amount")

    class Meta:
        ordering = ["stream", "financial_year"]
        constraints = [
            *gbp_constraints("allocation", "amount"),
            models.UniqueConstraint(
                fields=["stream", "financial_year"],
                name="one_allocation_per_stream_year",
                violation_error_message="This stream already has an allocation for that financial year.",
            ),
        ]

    def __str__(self):
        return f"{self.stream} {self.fy}"

    @property
    def fy(self) -> FinancialYear:
        return FinancialYear(self.financial_year)
