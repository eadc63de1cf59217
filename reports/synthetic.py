"""Synthetic data at scale: an estate of funders, streams, programmes, grants, returns and figures to measure with.

`generate_synthetic --scale N` writes it. Scale 1 is a few times the demo (100 grants); scale 100 is a national
estate (10,000 grants, over a hundred thousand returns, millions of indicator values). Every row keeps the rules
the services enforce: charges and budget lines add up to the grant, each line's profile to the line, one return
per grant and quarter with its history of transitions, spend never past the grant, percentages as numerator and
denominator, breakdowns adding up to their total, money in GBP and never negative, approved figures stamped. But
nothing goes through a service or a signal: rows are built in memory and written a chunk of grants at a time, with
bulk_create where children need the keys and one executemany per batch for the rest (see `_insert_rows`), so the
national estate takes minutes rather than days.

The same seed, scale and day give the same data: set-up rows draw from one generator and each grant from its own,
seeded by the seed and the grant's number. Only "today" (programmes.services.today) moves it, as it moves the demo.
"""

import datetime
import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model
from django.utils import timezone
from django.utils.text import slugify

from funding.fiscal import FinancialYear, Quarter
from funding.models import Allocation, Area, FundingStream, Organisation, User
from funding.money import PENNY, gbp, split_by_weight
from funding.roles import Role
from funding.services import roles_sync
from programmes import lifecycle
from programmes.demo import figures as demo_figures
from programmes.demo import story
from programmes.models import (
    BREAKDOWN_CATEGORIES,
    Breakdown,
    BudgetLine,
    BudgetProfile,
    Grant,
    GrantCharge,
    Indicator,
    IndicatorValue,
    Payment,
    Programme,
    QuarterlyReturn,
    ReturnTransition,
    SpendForecast,
    SpendLine,
    Target,
    Theme,
)
from programmes.profiles import lines_over_years
from programmes.services import spend_needs_explanation

# Apps whose rows make up the estate (reports holds the summary rebuilt from it); users are handled on their own.
DOMAIN_APPS = ("funding", "programmes", "reports")
YEARS = 5  # financial years of history, up to and including the current one
GRANTS_PER_CHUNK = 200  # grants written per round of inserts: bounds memory at any scale
BATCH_SIZE = 2000  # rows per INSERT (Django lowers it to what the database takes)
TYPICAL_QUARTER = Decimal(15000)  # a grant spending this a quarter reports about its indicators' base figures
UNUSABLE_PASSWORD = "!synthetic"  # no one signs in as a synthetic user: Django treats "!…" as unusable
Status = QuarterlyReturn.Status


@dataclass(frozen=True)
class Sizes:
    """How many of each kind of row a scale asks for: grants grow with the scale, the set-up more slowly."""

    grants: int
    providers: int
    programmes: int
    streams: int
    funders: int
    areas: int
    officers: int

    @classmethod
    def for_scale(cls, scale: float) -> "Sizes":
        root = math.sqrt(scale)
        return cls(
            grants=max(4, round(100 * scale)),
            providers=max(3, round(15 * scale)),
            programmes=max(3, round(25 * root)),
            streams=max(2, round(6 * root)),
            funders=max(2, round(3 * root)),
            areas=max(4, round(12 * root)),
            officers=max(2, round(4 * root)),
        )


# --- Words to build names and narratives from ----------------------------------------------------------------

PLACE_STARTS = [
    "Ash",
    "Black",
    "Brad",
    "Bram",
    "Brook",
    "Castle",
    "Clay",
    "Dun",
    "Elm",
    "Fair",
    "Glen",
    "Hart",
    "Hazel",
    "Iron",
    "Ivy",
    "Kings",
    "Lang",
    "Lark",
    "Marsh",
    "North",
    "Oak",
    "Pen",
    "Queens",
    "Red",
    "Sand",
    "Stan",
    "Stone",
    "Thorn",
    "Upton",
    "West",
    "Wood",
]
PLACE_ENDS = [
    "bury",
    "ford",
    "ton",
    "ley",
    "field",
    "wick",
    "ham",
    "worth",
    "bridge",
    "mouth",
    "stow",
    "dale",
    "minster",
    "port",
]
PROVIDER_KINDS = (
    "Youth Trust",
    "Community Partnership",
    "Boxing Academy",
    "Mentoring Network",
    "Women's Centre",
    "Family Support Service",
    "Youth Club",
    "Street Pastors",
    "City Council",
    "Sports Foundation",
    "Arts Collective",
    "Housing Association",
    "Recovery Service",
    "Children's Charity",
    "Community Interest Company",
    "Outreach Project",
    "Learning Trust",
    "Victims' Service",
    "Safer Neighbourhoods Group",
    "Night-time Economy Partnership",
)
FUNDER_NAMES = (
    "Home Office",
    "Ministry of Justice",
    "Department for Education",
    "Department of Health and Social Care",
    "Ministry of Housing, Communities and Local Government",
    "Youth Endowment Fund",
    "National Lottery Community Fund",
)
STREAM_NAMES = (
    "Serious Violence Duty",
    "Violence Reduction Unit grant",
    "Safer Streets Fund",
    "Women and Girls' Safety Fund",
    "Community Safety Fund",
    "Early Intervention Fund",
    "Knife Crime Prevention Fund",
    "Anti-social Behaviour Hotspot Fund",
    "Victims' Services Grant",
    "Youth Diversion Fund",
)
PROGRAMME_KINDS = (
    ("Custody navigators", Theme.SERIOUS_VIOLENCE),
    ("Hospital youth workers", Theme.SERIOUS_VIOLENCE),
    ("Knife crime education", Theme.EDUCATION),
    ("Mentoring", Theme.YOUNG_PEOPLE),
    ("Detached youth work", Theme.YOUNG_PEOPLE),
    ("Sports diversion", Theme.YOUNG_PEOPLE),
    ("Summer activities", Theme.YOUNG_PEOPLE),
    ("Safe Spaces", Theme.WOMEN_AND_GIRLS),
    ("Bystander training", Theme.WOMEN_AND_GIRLS),
    ("Night-time economy marshals", Theme.PUBLIC_SPACES),
    ("Parks safety", Theme.PUBLIC_SPACES),
    ("ASB hotspot patrols", Theme.ASB),
    ("Home security", Theme.ASB),
    ("Schools prevention", Theme.EDUCATION),
    ("Family support", Theme.YOUNG_PEOPLE),
)
FIRST_NAMES = [
    "Amira",
    "Ben",
    "Chloe",
    "Dev",
    "Ellie",
    "Femi",
    "Grace",
    "Harry",
    "Isla",
    "Jack",
    "Kiran",
    "Leah",
    "Marcus",
    "Nia",
    "Owen",
    "Priya",
    "Rhys",
    "Sara",
]
LAST_NAMES = [
    "Ahmed",
    "Baker",
    "Clarke",
    "Davies",
    "Evans",
    "Fraser",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Patel",
    "Shaw",
    "Wood",
]
PROGRESS = [text for bank in story.NARRATIVES.values() for text in bank["progress"]]
CASE_STUDIES = [text for bank in story.NARRATIVES.values() for text in bank["case_study"]]
CHARGE_OVERRIDE = "Over-programmed on purpose: underspend expected elsewhere in the stream this year."
PAYMENT_OVERRIDE = "Paid twice in the ledger; recovery agreed with the provider against a later payment."
DIRECT_AWARD = "The only provider able to deliver in the area in time; agreed by the commissioning board."
GEO_PREFIX = {Area.GeoType.PFA: "E23", Area.GeoType.UA: "E06", Area.GeoType.LAD: "E07", Area.GeoType.CSP: "E22"}


@dataclass(frozen=True)
class IndicatorTemplate:
    """What a programme may count. `base`: about this much a quarter for a typical grant; for a percentage, the
    usual share; for a running total ("latest"), where it stands."""

    slug: str
    name: str
    kind: str
    base: int
    unit: str = Indicator.Unit.COUNT
    counts_people: bool = False
    aggregation: str = Indicator.Aggregation.SUM
    direction: str = Indicator.Direction.HIGHER
    breakdowns: tuple[str, ...] = ()


OUTPUT, OUTCOME = Indicator.Kind.OUTPUT, Indicator.Kind.OUTCOME
AGE, SEX, ETHNICITY, AREA = Breakdown.AGE_BAND, Breakdown.SEX, Breakdown.ETHNICITY, Breakdown.AREA
PERCENTAGE, LATEST = Indicator.Unit.PERCENTAGE, Indicator.Aggregation.LATEST
INDICATOR_TEMPLATES = (
    IndicatorTemplate(
        "people-supported", "People supported", OUTPUT, 60, counts_people=True, breakdowns=(AGE, SEX, ETHNICITY, AREA)
    ),
    IndicatorTemplate(
        "referrals", "Referrals received", OUTPUT, 45, counts_people=True, breakdowns=(AGE, SEX, ETHNICITY)
    ),
    IndicatorTemplate(
        "engaged-48-hours",
        "Young people engaged within 48 hours",
        OUTPUT,
        30,
        counts_people=True,
        breakdowns=(AGE, AREA),
    ),
    IndicatorTemplate("sessions", "Sessions delivered", OUTPUT, 35),
    IndicatorTemplate("hours", "Hours of activity", OUTPUT, 420, unit=Indicator.Unit.HOURS),
    IndicatorTemplate("trained", "Volunteers and staff trained", OUTPUT, 12, counts_people=True, breakdowns=(SEX,)),
    IndicatorTemplate("installations", "Lights, cameras and gates installed", OUTPUT, 9),
    IndicatorTemplate("knife-sweeps", "Knife sweeps completed", OUTPUT, 6),
    IndicatorTemplate("match-funding", "Match funding secured", OUTPUT, 2500, unit=Indicator.Unit.MONEY),
    IndicatorTemplate("venues", "Venues signed up (running total)", OUTPUT, 40, aggregation=LATEST),
    IndicatorTemplate(
        "completed", "People completing support", OUTCOME, 22, counts_people=True, breakdowns=(AGE, SEX, ETHNICITY)
    ),
    IndicatorTemplate(
        "reduced-risk", "Share with a reduced risk score at exit", OUTCOME, 70, unit=PERCENTAGE, aggregation=LATEST
    ),
    IndicatorTemplate(
        "wellbeing",
        "Share reporting improved wellbeing",
        OUTCOME,
        75,
        unit=PERCENTAGE,
        aggregation=Indicator.Aggregation.MEAN,
    ),
    IndicatorTemplate(
        "rearrested",
        "Share re-arrested within six months",
        OUTCOME,
        18,
        unit=PERCENTAGE,
        aggregation=LATEST,
        direction=Indicator.Direction.LOWER,
    ),
)
LINE_TEMPLATES = (
    ("Sessional workers", BudgetLine.Category.STAFF, BudgetLine.CostType.LABOUR),
    ("Activities and venues", BudgetLine.Category.ACTIVITIES, BudgetLine.CostType.NON_LABOUR),
    ("Equipment", BudgetLine.Category.EQUIPMENT, BudgetLine.CostType.NON_LABOUR),
    ("Training", BudgetLine.Category.TRAINING, BudgetLine.CostType.NON_LABOUR),
    ("Travel", BudgetLine.Category.TRAVEL, BudgetLine.CostType.NON_LABOUR),
    ("Capital works", BudgetLine.Category.CAPITAL, BudgetLine.CostType.NON_LABOUR),
    ("Management and overheads", BudgetLine.Category.OVERHEADS, BudgetLine.CostType.NON_LABOUR),
)
STAFF_LINE = ("Project staff", BudgetLine.Category.STAFF, BudgetLine.CostType.LABOUR)

# How far a return has got, by where its quarter stands today (weights of each history).
NOT_STARTED, DRAFT, SUBMITTED, RETURNED = "not-started", "draft", "submitted", "returned"
RESUBMITTED, APPROVED, APPROVED_AFTER_CHANGES, REOPENED = (
    "resubmitted",
    "approved",
    "approved-after-changes",
    "reopened",
)
HISTORY_WEIGHTS = {
    # The quarter has ended but the return is not yet due.
    "not due": {NOT_STARTED: 25, DRAFT: 33, SUBMITTED: 30, RETURNED: 5, RESUBMITTED: 2, APPROVED: 5},
    # Due in the last three months: in review, and some overdue.
    "recent": {
        NOT_STARTED: 5,
        DRAFT: 5,
        SUBMITTED: 20,
        RETURNED: 6,
        RESUBMITTED: 4,
        APPROVED: 50,
        APPROVED_AFTER_CHANGES: 10,
    },
    "this year": {
        NOT_STARTED: 0.6,
        DRAFT: 0.6,
        SUBMITTED: 2,
        RETURNED: 1,
        RESUBMITTED: 0.3,
        APPROVED: 80,
        APPROVED_AFTER_CHANGES: 14,
        REOPENED: 1.5,
    },
    "older": {
        NOT_STARTED: 0.2,
        DRAFT: 0.2,
        SUBMITTED: 0.3,
        RETURNED: 0.3,
        APPROVED: 84,
        APPROVED_AFTER_CHANGES: 14.5,
        REOPENED: 0.5,
    },
}
# The transitions of each history: (to status, who, days after the step before).
EDIT, SUBMIT, SEND_BACK, APPROVE, REOPEN = "edit", "submit", "send back", "approve", "reopen"
STEPS = {
    NOT_STARTED: (),
    DRAFT: (EDIT,),
    SUBMITTED: (EDIT, SUBMIT),
    RETURNED: (EDIT, SUBMIT, SEND_BACK),
    RESUBMITTED: (EDIT, SUBMIT, SEND_BACK, SUBMIT),
    APPROVED: (EDIT, SUBMIT, APPROVE),
    APPROVED_AFTER_CHANGES: (EDIT, SUBMIT, SEND_BACK, SUBMIT, APPROVE),
    REOPENED: (EDIT, SUBMIT, APPROVE, REOPEN),
}
STEP_STATUS = {EDIT: Status.DRAFT, SUBMIT: Status.SUBMITTED, SEND_BACK: Status.RETURNED, APPROVE: Status.APPROVED}
STEP_STATUS[REOPEN] = Status.RETURNED
WITH_FIGURES = {SUBMITTED, RETURNED, RESUBMITTED, APPROVED, APPROVED_AFTER_CHANGES, REOPENED}
CLOSABLE = {APPROVED, APPROVED_AFTER_CHANGES}  # a finished grant whose returns are all approved is closed


# --- Deleting an estate ----------------------------------------------------------------------------------------


def domain_models() -> list[type[Model]]:
    """Every table of the estate, many-to-many tables included; not users, which other apps point at too."""
    return [
        model
        for app in DOMAIN_APPS
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
        if model is not User and not (model._meta.auto_created and User in _m2m_ends(model))
    ]


def _m2m_ends(through: type[Model]) -> list[type[Model]]:
    return [f.related_model for f in through._meta.fields if f.is_relation]


def domain_row_counts() -> dict[str, int]:
    """Rows in each table of the estate that has any, by model label."""
    counts = {model._meta.label: model._default_manager.count() for model in domain_models()}
    return {label: count for label, count in counts.items() if count}


def outside_references() -> dict[str, int]:
    """Rows outside the estate that point at it (the public site's programme pages, say) and would stop it being
    deleted, by model label."""
    domain = set(domain_models())
    counts: Counter[str] = Counter()
    for model in domain:
        for relation in model._meta.related_objects:
            other = relation.related_model
            if other not in domain and other is not User:
                counts[other._meta.label] += other._default_manager.filter(
                    **{f"{relation.field.name}__isnull": False}
                ).count()
    return {label: count for label, count in sorted(counts.items()) if count}


def domain_delete() -> dict[str, int]:
    """Delete the whole estate, and the users who belong to its organisations except superusers (who are kept,
    without an organisation). Returns the rows deleted by model label.

    The estate's own tables are emptied with one DELETE each: going through the ORM would load millions of rows
    to send signals nobody needs. Foreign keys are checked when the transaction commits, so the order is free.
    Users go through the ORM, so every app that points at them (sessions, Wagtail) is tidied as usual.
    """
    deleted = domain_row_counts()
    with connection.cursor() as cursor:
        for model in domain_models():
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
    User.objects.filter(organisation__isnull=False, is_superuser=True).update(organisation=None)
    _, by_model = User.objects.filter(organisation__isnull=False).delete()
    deleted.update({label: count for label, count in by_model.items() if count})
    return deleted


# --- Building one ----------------------------------------------------------------------------------------------


@dataclass
class LinePlan:
    name: str
    category: str
    cost_type: str
    amount: Decimal
    profile: dict[Quarter, Decimal]
    row: BudgetLine | None = None


@dataclass
class ReturnPlan:
    quarter: Quarter
    due_date: datetime.date
    history: str
    steps: list[tuple[str, datetime.datetime]] = field(default_factory=list)  # each step of its history, and when
    row: QuarterlyReturn | None = None

    def moment(self, step: str) -> datetime.datetime | None:
        """When the step first happened, if it did."""
        return next((moment for kind, moment in self.steps if kind == step), None)


@dataclass
class GrantPlan:
    """A grant decided before anything is written: who, what, when, how much, and from which streams."""

    number: int
    rng: random.Random  # the grant's own generator: its lines, returns and figures draw from it too
    provider: int
    programme: int
    start: datetime.date
    end: datetime.date
    status: str
    payment_mode: str
    due_days: int | None
    quarter_amount: Decimal
    charges: list[tuple[int, int, Decimal]] = field(default_factory=list)  # (stream, financial year, amount)
    overridden: set[tuple[int, int]] = field(default_factory=set)  # (stream, year) charges an officer let through

    @property
    def amount(self) -> Decimal:
        return sum((amount for _, _, amount in self.charges), Decimal(0))

    @property
    def quarters(self) -> list[Quarter]:
        return Quarter.between(self.start, self.end)

    @property
    def size(self) -> float:
        """How big the grant's figures are against a typical grant's."""
        return max(0.2, float(self.quarter_amount / TYPICAL_QUARTER))


@dataclass
class GrantRows:
    """A grant of the chunk being written: its plan, and its rows as they are made."""

    plan: GrantPlan
    lines: list[LinePlan]
    returns: list[ReturnPlan]
    grant: Grant | None = None
    areas: list[Area] = field(default_factory=list)


def pounds(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal(1), rounding=ROUND_DOWN)


def thousands(amount: Decimal, *, up: bool) -> Decimal:
    steps = amount / 1000
    return Decimal(math.ceil(steps) if up else math.floor(steps)) * 1000


def split_pence(amount: Decimal, weights: list[float]) -> list[Decimal]:
    """Share an amount by random weights, in pence that add up to it (the dashboards' own rule)."""
    shares = split_by_weight(amount, {n: Decimal(f"{weight:.6f}") for n, weight in enumerate(weights)})
    return [shares[n] for n in range(len(weights))]


def month_start(day: datetime.date, months: int) -> datetime.date:
    years, month = divmod(day.month - 1 + months, 12)
    return datetime.date(day.year + years, month + 1, 1)


class Clock:
    """Moments for a return's history: from just after its quarter ends, never later than yesterday, in order."""

    def __init__(self, start: datetime.date, latest: datetime.date, zone):
        self.day, self.latest, self.zone, self.moment = min(start, latest), latest, zone, None

    def after(self, days: int) -> datetime.datetime:
        self.day = min(self.day + datetime.timedelta(days=days), self.latest)
        moment = datetime.datetime.combine(self.day, datetime.time(9, 30), tzinfo=self.zone)
        if self.moment and moment <= self.moment:
            moment = self.moment + datetime.timedelta(minutes=20)
        self.moment = moment
        return moment


class SyntheticEstate:
    """Builds the estate for a scale and seed as on a given day; `build()` returns the rows written by model."""

    def __init__(self, *, scale: float, seed: int, today: datetime.date):
        if scale <= 0:
            raise ValueError("The scale must be more than 0.")
        self.sizes, self.seed, self.today = Sizes.for_scale(scale), seed, today
        self.rng = random.Random(f"outturn-synthetic|{seed}")
        current = FinancialYear.from_date(today)
        self.years = [current - back for back in range(YEARS - 1, -1, -1)]
        self.yesterday = today - datetime.timedelta(days=1)
        self.zone = timezone.get_current_timezone()
        self.due_days_default = settings.RETURN_DUE_DAYS_DEFAULT
        self.counts: Counter[str] = Counter()
        self.programme_targets: dict[tuple[int, int, int], Decimal] = defaultdict(Decimal)

    def build(self) -> dict[str, int]:
        if Group.objects.filter(name__in=Role.values).count() < len(Role.values):
            roles_sync()
        self._areas()
        self._organisations()
        self._users()
        self._programmes()
        self._indicators()
        plans = self._plan_grants()
        self._streams(plans)
        for start in range(0, len(plans), GRANTS_PER_CHUNK):
            self._write_grants(plans[start : start + GRANTS_PER_CHUNK])
        self._programme_target_rows()
        self._office_figures()
        return dict(sorted(self.counts.items()))

    def _bulk_create(self, model: type[Model], objects: list) -> list:
        """Rows whose keys their children need, as model instances: bulk_create sets each one's primary key."""
        if objects:
            model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
            self.counts[model._meta.label] += len(objects)
        return objects

    def _insert_rows(self, model: type[Model], rows: list[dict]) -> None:
        """Rows nothing points at, each given as {attname: value}, inserted with one executemany per batch.

        Each value is prepared by its field as bulk_create would prepare it (money to its amount, an aware datetime
        as the database keeps it) and a field left out takes its default, so the rows are those bulk_create would
        write, without a model instance for each: at scale 100, bulk_create alone took 400 s of CPU, building and
        compiling 3.4 million instances; with this path for the leaf tables (nine rows in ten), 155 s.
        """
        if not rows:
            return
        database = connections[DEFAULT_DB_ALIAS]  # once: the `connection` proxy costs a lookup on every use
        fields = [field for field in model._meta.concrete_fields if not field.primary_key]
        columns = [(field.attname, field.get_default(), field.get_db_prep_save) for field in fields]
        quote = database.ops.quote_name
        sql = (
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )

        def prepared(row: dict) -> tuple:
            values = []
            for name, default, prepare in columns:
                value = row.pop(name, default)
                # Keys, whole numbers, text and NULL go in as every field hands them on; money, decimals and
                # dates go through their field.
                values.append(value if value is None or type(value) in (int, str, bool) else prepare(value, database))
            if row:
                raise ValueError(f"{model._meta.label} has no field {', '.join(row)}")
            return tuple(values)

        # One prepared statement run over the batch: on SQLite far quicker than multi-row VALUES, which would be
        # cut to 55 rows by its limit on parameters; psycopg pipelines it.
        with database.cursor() as cursor:
            for start in range(0, len(rows), BATCH_SIZE):
                cursor.executemany(sql, [prepared(row) for row in rows[start : start + BATCH_SIZE]])
        self.counts[model._meta.label] += len(rows)

    def _moment(self, day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(min(day, self.yesterday), datetime.time(11, 0), tzinfo=self.zone)

    # --- Places, organisations, people, programmes ---------------------------------------------------------

    def _names(self, count: int, *parts: tuple[str, ...] | list[str]) -> list[list[str]]:
        """`count` different combinations of one word from each of `parts`, in random order."""
        sizes = [len(words) for words in parts]
        if count > math.prod(sizes):
            raise ValueError(f"Only {math.prod(sizes)} different names can be made; {count} were asked for.")
        names = []
        for number in self.rng.sample(range(math.prod(sizes)), count):
            words = []
            for words_of_part, size in zip(parts, sizes, strict=True):
                number, position = divmod(number, size)
                words.append(words_of_part[position])
            names.append(words)
        return names

    def _areas(self) -> None:
        self.places = [
            "".join(words) for words in self._names(len(PLACE_STARTS) * len(PLACE_ENDS), PLACE_STARTS, PLACE_ENDS)
        ]
        rows = []
        for index, place in enumerate(self.places[: self.sizes.areas]):
            if index % 8 == 0:
                geo_type, name = Area.GeoType.PFA, f"{place} Police force area"
            else:
                geo_type = self.rng.choices([Area.GeoType.UA, Area.GeoType.LAD, Area.GeoType.CSP], [2, 6, 1])[0]
                name = place
            # Real ONS codes run E07000xxx and the like, so codes from 900001 up never clash with one.
            rows.append(Area(name=name, code=f"{GEO_PREFIX[geo_type]}{900001 + index:06d}", geo_type=geo_type))
        self.areas = self._bulk_create(Area, rows)

    def _organisations(self) -> None:
        self.commissioner = Organisation(
            name="Commissioner's Office (synthetic)", kind=Organisation.Kind.COMMISSIONER, org_id="360G-SYNTH-office"
        )
        funders = [
            Organisation(
                name=FUNDER_NAMES[i] if i < len(FUNDER_NAMES) else f"{self.places[i]} Community Foundation",
                kind=Organisation.Kind.FUNDER,
                org_id=f"360G-SYNTH-F{i + 1:04d}",
            )
            for i in range(self.sizes.funders)
        ]
        providers = [
            Organisation(
                name=f"{place} {kind}",
                kind=Organisation.Kind.PROVIDER,
                org_id=f"360G-SYNTH-P{i + 1:05d}",
                postcode=f"ST{i % 20 + 1} {i % 9 + 1}RS",
            )
            for i, (place, kind) in enumerate(self._names(self.sizes.providers, self.places, PROVIDER_KINDS))
        ]
        self._bulk_create(Organisation, [self.commissioner, *funders, *providers])
        self.funders, self.providers = [*funders, self.commissioner], providers

    def _person(self, email: str, organisation: Organisation) -> User:
        return User(
            email=email,
            first_name=self.rng.choice(FIRST_NAMES),
            last_name=self.rng.choice(LAST_NAMES),
            organisation=organisation,
            password=UNUSABLE_PASSWORD,
        )

    def _users(self) -> None:
        office = "synthetic.outturn.invalid"
        self.officers = [
            self._person(f"officer{i + 1}@{office}", self.commissioner) for i in range(self.sizes.officers)
        ]
        self.finance = self._person(f"finance@{office}", self.commissioner)
        self.editors, self.approvers = [], []
        for i, provider in enumerate(self.providers):
            domain = f"p{i + 1:05d}.synthetic.invalid"
            self.editors.append(self._person(f"editor@{domain}", provider))
            self.approvers.append(self._person(f"approver@{domain}", provider))
        self._bulk_create(User, [*self.officers, self.finance, *self.editors, *self.approvers])
        groups = dict(Group.objects.filter(name__in=Role.values).values_list("name", "pk"))
        memberships = [
            *[(user, Role.COMMISSIONING_OFFICER) for user in self.officers],
            (self.finance, Role.FINANCE_OFFICER),
            *[(user, Role.PROVIDER_EDITOR) for user in self.editors],
            *[(user, Role.PROVIDER_APPROVER) for user in self.approvers],
        ]
        self._bulk_create(
            User.groups.through, [User.groups.through(user_id=u.pk, group_id=groups[role]) for u, role in memberships]
        )

    def _programmes(self) -> None:
        rows, self.programme_areas = [], []
        for kind_index, place in self._names(self.sizes.programmes, range(len(PROGRAMME_KINDS)), self.places):
            kind, theme = PROGRAMME_KINDS[kind_index]
            name = f"{kind} in {place}"
            areas = self.rng.sample(self.areas, self.rng.randint(1, min(3, len(self.areas))))
            rows.append(
                Programme(
                    name=name,
                    slug=slugify(name),
                    summary=f"{kind} for {', '.join(area.name for area in areas)}. Synthetic data for measuring "
                    "Outturn at scale.",
                    theme=theme,
                    senior_responsible_officer=self.rng.choice(self.officers),
                    is_demo=True,
                )
            )
            self.programme_areas.append(areas)
        self.programmes = self._bulk_create(Programme, rows)
        through = Programme.areas.through
        self._bulk_create(
            through,
            [
                through(programme_id=programme.pk, area_id=area.pk)
                for programme, areas in zip(self.programmes, self.programme_areas, strict=True)
                for area in areas
            ],
        )

    def _indicators(self) -> None:
        """Six to ten of the templates for each programme, and two population indicators per police force area."""
        chosen, rows = [], []
        for programme in self.programmes:
            templates = self.rng.sample(INDICATOR_TEMPLATES, self.rng.randint(6, 10))
            for template in templates:
                rows.append(
                    Indicator(
                        name=template.name,
                        slug=f"{programme.slug}-{template.slug}"[:200],
                        programme=programme,
                        kind=template.kind,
                        unit=template.unit,
                        counts_people=template.counts_people,
                        aggregation=template.aggregation,
                        direction=template.direction,
                        definition=f"{template.name}, as the provider reports it in its quarterly return.",
                        method_and_source="Synthetic data, generated for measuring Outturn at scale.",
                        is_demo=True,
                        **{f"breakdown_by_{dimension}": True for dimension in template.breakdowns},
                    )
                )
            chosen.append(templates)
        self._bulk_create(Indicator, rows)
        by_programme = defaultdict(list)
        for row in rows:
            by_programme[row.programme_id].append(row)
        self.programme_indicators = [
            list(zip(templates, by_programme[programme.pk], strict=True))
            for templates, programme in zip(chosen, self.programmes, strict=True)
        ]

        first = self.years[0].quarters[0]
        self.population = []
        for area in self.areas:
            if area.geo_type != Area.GeoType.PFA:
                continue
            place = area.name.removesuffix(" Police force area")
            self.population += [
                Indicator(
                    name=f"Knife crime offences recorded in {place}",
                    slug=f"{slugify(place)}-knife-crime",
                    kind=OUTCOME,
                    direction=Indicator.Direction.LOWER,
                    aggregation=LATEST,
                    scope=Indicator.Scope.POPULATION,
                    area=area,
                    definition="Knife crime offences recorded by the police in the 12 months to the quarter's end.",
                    method_and_source="Synthetic police data, entered by the office.",
                    baseline_value=Decimal(self.rng.randint(300, 900)),
                    baseline_date=first.start - datetime.timedelta(days=1),
                    is_demo=True,
                ),
                Indicator(
                    name=f"Residents who feel safe after dark in {place}",
                    slug=f"{slugify(place)}-feel-safe",
                    kind=OUTCOME,
                    unit=PERCENTAGE,
                    aggregation=LATEST,
                    scope=Indicator.Scope.POPULATION,
                    area=area,
                    definition="Of the residents answering the quarterly survey, the share who feel safe after dark.",
                    method_and_source="Synthetic survey data, entered by the office.",
                    is_demo=True,
                ),
            ]
        self._bulk_create(Indicator, self.population)

    # --- Grants and streams, planned ------------------------------------------------------------------------

    def _plan_grants(self) -> list[GrantPlan]:
        """Every grant's provider, programme, dates, status and charges: the streams' allocations follow from them."""
        starts, quarter = [], self.years[0].quarters[0]
        while quarter <= (self.years[-1] + 1).quarters[0]:
            starts.append(quarter)
            quarter = quarter.next()
        horizon = (self.years[-1] + 4).quarters[0]  # grants end within three years after the current one
        streams = self.sizes.streams
        programme_stream = [self.rng.randrange(streams) for _ in self.programmes]
        plans = []
        for number in range(1, self.sizes.grants + 1):
            rng = random.Random(f"outturn-synthetic|{self.seed}|grant|{number}")
            first = rng.choice(starts)
            shift = 0 if rng.random() < 0.8 else rng.choice([1, 2])  # some start a month or two into a quarter
            length = rng.choices([2, 4, 8, 12, 16, 20], [1, 2, 3, 4, 3, 2])[0]
            last = first
            for _ in range(length):
                last = min(last.next(), horizon)
            start = month_start(first.start, shift)
            status = Grant.Status.ACTIVE
            if rng.random() < 0.01:
                status = Grant.Status.CANCELLED
            elif start > self.today and rng.random() < 0.3:
                status = Grant.Status.DRAFT
            annual = Decimal(min(900_000, max(8_000, round(rng.lognormvariate(math.log(60_000), 0.75), -2))))
            plan = GrantPlan(
                number=number,
                rng=rng,
                provider=min(len(self.providers) - 1, int(len(self.providers) * rng.random() ** 1.5)),
                programme=rng.randrange(len(self.programmes)),
                start=start,
                end=month_start(last.start, shift) - datetime.timedelta(days=1),
                status=status,
                payment_mode=Grant.PaymentMode.IN_ARREARS if rng.random() < 0.6 else Grant.PaymentMode.IN_ADVANCE,
                due_days=45 if rng.random() < 0.1 else None,
                quarter_amount=annual / 4,
            )
            primary = programme_stream[plan.programme] if rng.random() < 0.7 else rng.randrange(streams)
            partner = rng.choice([s for s in range(streams) if s != primary]) if rng.random() < 0.15 else None
            partner_share = Decimal(rng.uniform(0.2, 0.5))
            in_year = Counter(q.financial_year.start_year for q in plan.quarters)
            for year, quarters in sorted(in_year.items()):
                amount = pounds(plan.quarter_amount * quarters)
                if partner is None:
                    plan.charges.append((primary, year, amount))
                else:
                    share = pounds(amount * partner_share)
                    plan.charges += [(primary, year, amount - share), (partner, year, share)]
            plans.append(plan)
        return plans

    def _streams(self, plans: list[GrantPlan]) -> None:
        """Streams shaped by what is charged to them: an allocation each year a little above its commitments, and
        now and then a year over-programmed, where the charge that went past carries an officer's override."""
        committed: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
        charges_in: Counter[tuple[int, int]] = Counter()
        last: dict[tuple[int, int], tuple[GrantPlan, Decimal]] = {}
        for plan in plans:
            if plan.status == Grant.Status.CANCELLED:
                continue  # a cancelled grant commits nothing
            for stream, year, amount in plan.charges:
                committed[(stream, year)] += amount
                charges_in[(stream, year)] += 1
                last[(stream, year)] = (plan, amount)
        streams, allocations = [], []
        for index in range(self.sizes.streams):
            years = [year for stream, year in committed if stream == index] or [fy.start_year for fy in self.years]
            amounts = {}
            for year in range(min(years), max(years) + 1):
                key, total = (index, year), committed.get((index, year), Decimal(0))
                if not total:
                    amounts[year] = Decimal(self.rng.randrange(50, 300) * 1000)
                elif charges_in[key] > 1 and self.rng.random() < 0.04:
                    plan, charge = last[key]
                    amounts[year] = max(
                        thousands(total - charge * Decimal(self.rng.uniform(0.1, 0.6)), up=False), total - charge
                    )
                    plan.overridden.add(key)
                else:
                    amounts[year] = thousands(total * Decimal(self.rng.uniform(1.02, 1.25)), up=True)
            base = STREAM_NAMES[index % len(STREAM_NAMES)]
            name = base if index < len(STREAM_NAMES) else f"{base} ({self.places[index]})"
            ring_fenced = self.rng.random() < 0.5
            stream = FundingStream(
                funder=self.rng.choice(self.funders),
                name=name,
                slug=slugify(name),
                total=gbp(sum(amounts.values())),
                purpose=f"{base}: money for partners to prevent violence and make places safer. Synthetic data.",
                conditions="Ring-fenced; must be spent by the end of each financial year." if ring_fenced else "",
                ring_fenced=ring_fenced,
                carry_over_allowed=not ring_fenced and self.rng.random() < 0.5,
                start_date=FinancialYear(min(amounts)).start,
                end_date=FinancialYear(max(amounts)).end,
                owner=self.rng.choice(self.officers),
                is_demo=True,
            )
            streams.append(stream)
            allocations += [(stream, year, amount) for year, amount in amounts.items()]
        self.streams = self._bulk_create(FundingStream, streams)
        self._bulk_create(
            Allocation,
            [Allocation(stream=s, financial_year=year, amount=gbp(amount)) for s, year, amount in allocations],
        )

    # --- Grants, written ------------------------------------------------------------------------------------

    def _write_grants(self, plans: list[GrantPlan]) -> None:
        """A chunk of grants and everything that hangs off them, parents first so children have their keys."""
        chunk = [GrantRows(plan, self._lines(plan), self._return_plans(plan)) for plan in plans]
        for rows in chunk:
            rows.grant = self._grant(rows)
            areas = self.programme_areas[rows.plan.programme]
            rows.areas = rows.plan.rng.sample(areas, rows.plan.rng.randint(1, len(areas)))
        self._bulk_create(Grant, [rows.grant for rows in chunk])
        through = Grant.areas.through
        self._insert_rows(through, [{"grant_id": rows.grant.pk, "area_id": a.pk} for rows in chunk for a in rows.areas])
        self._insert_rows(GrantCharge, [self._charge(rows, *charge) for rows in chunk for charge in rows.plan.charges])
        for rows in chunk:
            for line in rows.lines:
                line.row = BudgetLine(
                    grant_id=rows.grant.pk,
                    name=line.name,
                    category=line.category,
                    cost_type=line.cost_type,
                    amount=gbp(line.amount),
                )
        self._bulk_create(BudgetLine, [line.row for rows in chunk for line in rows.lines])
        self._insert_rows(
            BudgetProfile,
            [
                {
                    "budget_line_id": line.row.pk,
                    "financial_year": quarter.financial_year.start_year,
                    "quarter": quarter.number,
                    "amount": gbp(amount),
                }
                for rows in chunk
                for line in rows.lines
                for quarter, amount in line.profile.items()
            ],
        )
        for rows in chunk:
            for return_plan in rows.returns:
                self._return(rows, return_plan)
        self._bulk_create(QuarterlyReturn, [r.row for rows in chunk for r in rows.returns])

        transitions, spend, forecasts, values, payments, targets = [], [], [], [], [], []
        for rows in chunk:
            spent = Decimal(0)
            for index, return_plan in enumerate(rows.returns):
                transitions += self._transitions(rows, return_plan)
                if return_plan.history == DRAFT:  # a draft has its first line's spend and its progress so far
                    spent = self._spend(rows, return_plan, rows.lines[:1], spent, spend, forecasts)
                elif return_plan.history in WITH_FIGURES:
                    spent = self._spend(rows, return_plan, rows.lines, spent, spend, forecasts)
                    values += self._figures(rows, return_plan, index)
            if rows.grant.status in (Grant.Status.ACTIVE, Grant.Status.CLOSED):
                payments += self._payments(rows)
            targets += self._targets(rows)
        for model, new_rows in (
            (ReturnTransition, transitions),
            (SpendLine, spend),
            (SpendForecast, forecasts),
            (IndicatorValue, values),
            (Payment, payments),
            (Target, targets),
        ):
            self._insert_rows(model, new_rows)

    def _grant(self, rows: GrantRows) -> Grant:
        plan, rng = rows.plan, rows.plan.rng
        status = plan.status
        finished = plan.end < self.today - datetime.timedelta(days=180)
        if status == Grant.Status.ACTIVE and finished and all(r.history in CLOSABLE for r in rows.returns):
            status = Grant.Status.CLOSED
        programme, provider = self.programmes[plan.programme], self.providers[plan.provider]
        direct = rng.random() < 0.25
        first_year = FinancialYear.from_date(plan.start)
        return Grant(
            identifier=f"360G-SYNTH-{first_year.start_year}-{plan.number:05d}",
            title=f"{programme.name}: {provider.name}, from {first_year.label}",
            provider_id=provider.pk,
            programme_id=programme.pk,
            amount=gbp(plan.amount),
            award_date=plan.start - datetime.timedelta(days=rng.randint(14, 90)),
            start_date=plan.start,
            end_date=plan.end,
            lead_officer_id=rng.choice(self.officers).pk,
            purpose=f"Deliver {programme.name} as agreed in the grant offer. Synthetic data.",
            crime_reduction_rationale="Reaching people early, where violence happens, prevents harm later.",
            allocation_method=Grant.AllocationMethod.DIRECT_AWARD if direct else Grant.AllocationMethod.OPEN_CALL,
            direct_award_justification=DIRECT_AWARD if direct else "",
            payment_mode=plan.payment_mode,
            return_due_days=plan.due_days,
            status=status,
            is_demo=True,
        )

    def _charge(self, rows: GrantRows, stream: int, year: int, amount: Decimal) -> dict:
        override = (stream, year) in rows.plan.overridden
        return {
            "grant_id": rows.grant.pk,
            "stream_id": self.streams[stream].pk,
            "financial_year": year,
            "amount": gbp(amount),
            "override_reason": CHARGE_OVERRIDE if override else "",
            "overridden_by_id": rows.grant.lead_officer_id if override else None,
            "overridden_at": self._moment(rows.grant.award_date) if override else None,
        }

    def _lines(self, plan: GrantPlan) -> list[LinePlan]:
        """A staff line and one to four others that add up to the grant, each profiled over its quarters so that
        each year's profile equals that year's charges (the services' rule, programmes.profiles)."""
        rng, quarters = plan.rng, plan.quarters
        templates = [STAFF_LINE, *rng.sample(LINE_TEMPLATES, rng.randint(1, 4))]
        weights = [rng.uniform(50, 70), *[rng.uniform(5, 25) for _ in templates[1:]]]
        amounts = split_pence(plan.amount, weights)
        year_needs: dict[int, Decimal] = defaultdict(Decimal)
        for _, year, amount in plan.charges:
            year_needs[year] += amount
        by_year = lines_over_years(line_needs=amounts, year_needs=year_needs)
        lines = []
        for (name, category, cost_type), amount, years in zip(templates, amounts, by_year, strict=True):
            profile = {}
            for year, in_year in years.items():
                year_quarters = [q for q in quarters if q.financial_year.start_year == year]
                shares = split_pence(in_year, [rng.uniform(0.85, 1.15) for _ in year_quarters])
                profile.update(zip(year_quarters, shares, strict=True))
            lines.append(LinePlan(name, category, cost_type, amount, profile))
        return lines

    # --- Returns --------------------------------------------------------------------------------------------

    def _return_plans(self, plan: GrantPlan) -> list[ReturnPlan]:
        """One return for every quarter of an active grant, each as far on as its quarter is today."""
        if plan.status != Grant.Status.ACTIVE:
            return []  # a draft's returns are created when it is activated; a cancelled grant reports nothing
        due_days = plan.due_days or self.due_days_default
        returns = []
        for quarter in plan.quarters:
            due = quarter.end + datetime.timedelta(days=due_days)
            returns.append(ReturnPlan(quarter, due, self._history(plan, quarter, due)))
        return returns

    def _history(self, plan: GrantPlan, quarter: Quarter, due: datetime.date) -> str:
        if max(quarter.start, plan.start) > self.yesterday:
            return NOT_STARTED
        if quarter.end >= self.yesterday:
            # Not ended by yesterday, the latest day a step is stamped, so not yet open for submission (it opens the
            # day after the quarter ends): a few providers start a draft early.
            return DRAFT if plan.rng.random() < 0.1 else NOT_STARTED
        if self.today <= due:
            band = "not due"
        elif self.today <= due + datetime.timedelta(days=90):
            band = "recent"
        elif self.today <= due + datetime.timedelta(days=365):
            band = "this year"
        else:
            band = "older"
        weights = HISTORY_WEIGHTS[band]
        return plan.rng.choices(list(weights), list(weights.values()))[0]

    def _return(self, rows: GrantRows, return_plan: ReturnPlan) -> None:
        """The return's row, and when each step of its history happened."""
        plan, rng, history = rows.plan, rows.plan.rng, return_plan.history
        clock = Clock(return_plan.quarter.end, self.yesterday, self.zone)
        due_days = plan.due_days or self.due_days_default
        for step in STEPS[history]:
            if step == EDIT:
                days = rng.randint(2, 12)
            elif step == SUBMIT and return_plan.steps[-1][0] == SEND_BACK:
                days = rng.randint(2, 10)
            elif step == SUBMIT:  # about when it is due; now and then weeks late
                days = rng.randint(4, due_days + (25 if rng.random() < 0.15 else -5))
            elif step == APPROVE:
                days = rng.randint(3, 25)
            elif step == SEND_BACK:
                days = rng.randint(3, 15)
            else:
                days = rng.randint(20, 60)
            return_plan.steps.append((step, clock.after(days)))
        status = STEP_STATUS[return_plan.steps[-1][0]] if return_plan.steps else Status.NOT_STARTED
        submitted = [moment for step, moment in return_plan.steps if step == SUBMIT]
        sent_back = [moment for step, moment in return_plan.steps if step == SEND_BACK]
        resubmit_by = None  # as the services do: set on sending back, kept on resubmission, cleared on approval
        if sent_back and status != Status.APPROVED:
            resubmit_by = lifecycle.resubmission_due_date(
                due_date=return_plan.due_date, sent_back_on=sent_back[-1].date()
            )
        narrative = {}
        if history == DRAFT:
            narrative = {"progress": rng.choice(PROGRESS)}
        elif history in WITH_FIGURES:
            risk_rating, risks = rng.choice(story.RISKS)
            progress = rng.choice(PROGRESS)
            narrative = {
                "progress": f"{progress} {story.FIX_NOTE}" if len(submitted) > 1 else progress,
                "challenges": rng.choice(story.CHALLENGES),
                "risks": risks,
                "risk_rating": risk_rating,
                "case_study": rng.choice(CASE_STUDIES) if rng.random() < 0.6 else "",
                "next_quarter_plans": rng.choice(story.PLANS),
            }
        return_plan.row = QuarterlyReturn(
            grant_id=rows.grant.pk,
            financial_year=return_plan.quarter.financial_year.start_year,
            quarter=return_plan.quarter.number,
            due_date=return_plan.due_date,
            status=status,
            submitted_at=submitted[-1] if submitted else None,
            submitted_by_id=self.approvers[plan.provider].pk if submitted else None,
            approved_at=return_plan.moment(APPROVE) if status == Status.APPROVED else None,
            resubmission_due_date=resubmit_by,
            version=1 + len(return_plan.steps) + len(narrative),
            **narrative,
        )

    def _transitions(self, rows: GrantRows, return_plan: ReturnPlan) -> list[dict]:
        rng, provider = rows.plan.rng, rows.plan.provider
        by = {EDIT: self.editors[provider].pk, SUBMIT: self.approvers[provider].pk}
        transitions, status = [], Status.NOT_STARTED
        for step, moment in return_plan.steps:
            reason = ""
            if step == SEND_BACK:
                reason = rng.choice(story.SEND_BACK_REASONS).format(line=rows.lines[-1].name)
            elif step == REOPEN:
                reason = rng.choice(story.REOPEN_REASONS)
            to = STEP_STATUS[step]
            transitions.append(
                {
                    "quarterly_return_id": return_plan.row.pk,
                    "from_status": status,
                    "to_status": to,
                    "by_id": by.get(step, rows.grant.lead_officer_id),
                    "at": moment,
                    "reason": reason,
                }
            )
            status = to
        return transitions

    def _spend(self, rows, return_plan, lines, spent, spend, forecasts) -> Decimal:
        """Spend near each line's profile (now and then well over it, explained), never past the grant's amount,
        and a forecast at the profile for each remaining quarter of the year. Returns the grant's spend so far."""
        rng, quarter, return_id = rows.plan.rng, return_plan.quarter, return_plan.row.pk
        later = quarter.remaining_in_year()
        for line in lines:
            planned = line.profile.get(quarter, Decimal(0))
            factor = rng.uniform(1.12, 1.22) if rng.random() < 0.12 else rng.uniform(0.88, 1.03)
            actual = min((planned * Decimal(factor)).quantize(PENNY), rows.plan.amount - spent)
            spent += actual
            explained = spend_needs_explanation(actual=gbp(actual), planned=gbp(planned))
            spend.append(
                {
                    "quarterly_return_id": return_id,
                    "budget_line_id": line.row.pk,
                    "actual": gbp(actual),
                    "variance_explanation": story.VARIANCE_EXPLANATIONS[line.category] if explained else "",
                }
            )
            forecasts += [
                {
                    "quarterly_return_id": return_id,
                    "budget_line_id": line.row.pk,
                    "quarter": q.number,
                    "amount": gbp(line.profile[q]),
                }
                for q in later
                if q in line.profile
            ]
        return spent

    def _figures(self, rows: GrantRows, return_plan: ReturnPlan, index: int) -> list[dict]:
        """A total for every indicator of the programme (a return cannot be submitted without one), and for counts
        with breakdowns, each breakdown's categories adding up to the total."""
        plan, rng, row = rows.plan, rows.plan.rng, return_plan.row
        common = {
            "grant_id": rows.grant.pk,
            "quarterly_return_id": row.pk,
            "source": IndicatorValue.Source.RETURN,
            "financial_year": row.financial_year,
            "quarter": row.quarter,
            "entered_by_id": self.editors[plan.provider].pk,
            "approved_at": row.approved_at,
            "approved_by_id": rows.grant.lead_officer_id if row.approved_at else None,
        }
        values = []
        for template, indicator in self.programme_indicators[plan.programme]:
            if template.unit == PERCENTAGE:
                denominator = max(1, round(20 * plan.size * rng.uniform(0.8, 1.2)))
                share = min(100.0, max(0.0, template.base + rng.uniform(-10, 10)))
                fraction = {"numerator": Decimal(round(denominator * share / 100)), "denominator": Decimal(denominator)}
                values.append(dict(indicator_id=indicator.pk, **fraction, **common))
                continue
            if template.aggregation == LATEST:
                total = round(template.base * plan.size) + 2 * index  # a running total creeps up
            else:
                total = round(template.base * plan.size * rng.uniform(0.85, 1.15))
            values.append(dict(indicator_id=indicator.pk, value=Decimal(total), **common))
            for dimension in template.breakdowns if total else ():
                if dimension == AREA:
                    categories = [area.name for area in rows.areas]
                else:
                    categories = BREAKDOWN_CATEGORIES[dimension]
                parts = demo_figures.split(total, {category: rng.randint(1, 10) for category in categories})
                values += [
                    dict(
                        indicator_id=indicator.pk,
                        breakdown=dimension,
                        category=category,
                        value=Decimal(count),
                        **common,
                    )
                    for category, count in parts.items()
                    if count  # a category left empty is not stored
                ]
        return values

    # --- Money out, and what the grants aim for -------------------------------------------------------------

    def _payments(self, rows: GrantRows) -> list[dict]:
        """One payment a quarter of the quarter's profile: on its first day in advance, or in the payment run after
        the quarter's return is approved in arrears. A few grants were paid twice, which an officer overrode."""
        plan, today = rows.plan, self.today
        returns = {r.quarter: r for r in rows.returns}
        payments = []
        for quarter in plan.quarters:
            amount = sum((line.profile[quarter] for line in rows.lines), Decimal(0))
            approved, released = returns[quarter].moment(APPROVE), None
            if plan.payment_mode == Grant.PaymentMode.IN_ADVANCE:
                date, status = max(quarter.start, plan.start), Payment.Status.PLANNED
                if date <= today + datetime.timedelta(days=31):
                    status = Payment.Status.PAID if date < today else Payment.Status.APPROVED
            elif approved:  # in the payment run of the quarter after the approval; a reopened return's stays paid
                released, pay_on = returns[quarter].row.pk, Quarter.from_date(approved.date()).next().start
                date, status = (
                    (pay_on, Payment.Status.PAID) if pay_on < today else (quarter.end, Payment.Status.APPROVED)
                )
            else:
                date, status = quarter.end, Payment.Status.PLANNED
            paid = status == Payment.Status.PAID
            payments.append(
                {
                    "grant_id": rows.grant.pk,
                    "status": status,
                    "amount": gbp(amount),
                    "date": date,
                    "financial_year": quarter.financial_year.start_year,
                    "quarter": quarter.number,
                    "released_by_return_id": released,
                    "reference": f"SYN-{plan.number:05d}-{quarter.sort_key}" if paid else "",
                    "is_demo": True,
                }
            )
        made = [payment for payment in payments if payment["status"] == Payment.Status.PAID]
        if made and plan.rng.random() < 0.005:
            twice = plan.rng.choice(made)
            date = min(twice["date"] + datetime.timedelta(days=14), self.yesterday)
            payments.append(
                {
                    "grant_id": rows.grant.pk,
                    "status": Payment.Status.PAID,
                    "amount": twice["amount"],
                    "date": date,
                    "financial_year": twice["financial_year"],
                    "quarter": twice["quarter"],
                    "reference": f"{twice['reference']}-DUP",
                    "override_reason": PAYMENT_OVERRIDE,
                    "overridden_by_id": self.finance.pk,
                    "overridden_at": self._moment(date),
                    "is_demo": True,
                }
            )
        return payments

    def _targets(self, rows: GrantRows) -> list[dict]:
        """A yearly target on each of the programme's indicators for each year the grant runs; the programme's
        target for the year is what its grants aim for together."""
        plan = rows.plan
        in_year = Counter(q.financial_year.start_year for q in plan.quarters)
        targets = []
        for template, indicator in self.programme_indicators[plan.programme]:
            for year, quarters in sorted(in_year.items()):
                key = (indicator.pk, plan.programme, year)
                if template.unit == PERCENTAGE:
                    value = self.programme_targets[key] = Decimal(template.base)
                else:
                    per_year = template.base * plan.size * (1 if template.aggregation == LATEST else quarters)
                    value = Decimal(max(1, round(per_year)))
                    self.programme_targets[key] += value
                targets.append(
                    {"indicator_id": indicator.pk, "grant_id": rows.grant.pk, "financial_year": year, "value": value}
                )
        return targets

    def _programme_target_rows(self) -> None:
        self._insert_rows(
            Target,
            [
                {
                    "indicator_id": indicator,
                    "programme_id": self.programmes[programme].pk,
                    "financial_year": year,
                    "value": value,
                }
                for (indicator, programme, year), value in self.programme_targets.items()
            ],
        )

    def _office_figures(self) -> None:
        """Police and survey figures for each police force area, every quarter to the last; all approved by an
        officer except the last quarter's, which waits for review."""
        last = Quarter.from_date(self.today).previous()
        officer = self.officers[0].pk
        rows = []
        for indicator in self.population:
            quarter, level = self.years[0].quarters[0], float(indicator.baseline_value or 0)
            while quarter <= last:
                approved = quarter < last
                if indicator.unit == PERCENTAGE:
                    denominator = self.rng.randint(800, 1200)
                    figure = {
                        "numerator": Decimal(round(denominator * self.rng.uniform(0.55, 0.8))),
                        "denominator": Decimal(denominator),
                    }
                else:
                    level = max(0.0, level * self.rng.uniform(0.94, 1.03))  # falling, on the whole
                    figure = {"value": Decimal(round(level))}
                rows.append(
                    {
                        "indicator_id": indicator.pk,
                        "source": IndicatorValue.Source.OFFICE,
                        "financial_year": quarter.financial_year.start_year,
                        "quarter": quarter.number,
                        "note": "Synthetic figure entered by the office.",
                        "entered_by_id": officer,
                        "approved_at": self._moment(quarter.end + datetime.timedelta(days=45)) if approved else None,
                        "approved_by_id": officer if approved else None,
                        **figure,
                    }
                )
                quarter = quarter.next()
        self._insert_rows(IndicatorValue, rows)
