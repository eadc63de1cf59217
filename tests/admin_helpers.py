"""Helpers for the back office (Wagtail admin) tests: URLs, row builders for every listing, and form data."""

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from funding.models import Area, Organisation, User
from funding.money import gbp
from funding.roles import Role
from programmes.models import GrantVariation, IndicatorValue, Payment, QuarterlyReturn
from tests.factories import (
    AllocationFactory,
    BudgetLineFactory,
    FunderFactory,
    FundingStreamFactory,
    GrantChargeFactory,
    GrantFactory,
    IndicatorFactory,
    OrganisationFactory,
    ProgrammeFactory,
    TargetFactory,
    UserFactory,
    office_user,
)

# Viewset names (URL namespaces) of every listing the office reaches, by menu.
FUNDING_LISTINGS = ["outturn_organisations", "outturn_areas", "outturn_streams", "outturn_allocations"]
PROGRAMMES_LISTINGS = [
    "outturn_programmes",
    "outturn_grants",
    "outturn_budget_lines",
    "outturn_indicators",
    "outturn_targets",
]
RETURNS_LISTINGS = ["outturn_returns", "outturn_payments", "outturn_indicator_values", "outturn_variations"]
OVERRIDES_LISTING = "outturn_overrides"
REVIEW_QUEUE = "outturn_review"  # in the Returns menu, but a queue with a review screen rather than a record listing
OFFICE_LISTINGS = FUNDING_LISTINGS + [OVERRIDES_LISTING] + PROGRAMMES_LISTINGS + RETURNS_LISTINGS + [REVIEW_QUEUE]
USERS_LISTING = "wagtailusers_users"
SETUP_LISTINGS = FUNDING_LISTINGS[:3] + PROGRAMMES_LISTINGS  # those with add or edit screens
ADDABLE_LISTINGS = [name for name in SETUP_LISTINGS if name != "outturn_budget_lines"]


def admin_url(viewset: str, view: str = "index", *args) -> str:
    return reverse(f"{viewset}:{view}", args=args)


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def superuser() -> User:
    return UserFactory(email="admin@example.org", is_superuser=True, is_staff=True, organisation=None)


# --- Rows for every listing -----------------------------------------------------------------------------------
# Each builder makes rows whose related records (provider, programme, stream, user) differ from row to row, so
# that a listing missing a select_related would make more queries for more rows.


def _organisations(n, start):
    for i in range(start, start + n):
        OrganisationFactory(name=f"Listed provider {i}", org_id=f"GB-CHC-9{i:06d}")


def _areas(n, start):
    for i in range(start, start + n):
        Area.objects.create(name=f"Area {i}", code=f"E0{i:07d}", geo_type=Area.GeoType.LAD)


def _streams(n, start):
    for _ in range(n):
        AllocationFactory(stream=FundingStreamFactory(owner=office_user(Role.COMMISSIONING_OFFICER)))


def _allocations(n, start):
    for _ in range(n):
        AllocationFactory()


def _overrides(n, start):
    officer = office_user(Role.COMMISSIONING_OFFICER)
    now = timezone.now()
    for i in range(n):
        if i % 2:
            GrantChargeFactory(override_reason="Over-programmed on purpose", overridden_by=officer, overridden_at=now)
        else:
            Payment.objects.create(
                grant=GrantFactory(),
                amount=gbp("50000.00"),
                date=datetime.date(2023, 5, 1),
                financial_year=2023,
                quarter=1,
                override_reason="Overpayment held in the ledger",
                overridden_by=officer,
                overridden_at=now,
            )


def _programmes(n, start):
    for _ in range(n):
        GrantFactory(programme=ProgrammeFactory(senior_responsible_officer=UserFactory()))


def _grants(n, start):
    for _ in range(n):
        GrantChargeFactory(grant=GrantFactory(lead_officer=UserFactory()))


def _budget_lines(n, start):
    for _ in range(n):
        BudgetLineFactory()


def _indicators(n, start):
    for _ in range(n):
        IndicatorFactory()


def _targets(n, start):
    for _ in range(n):
        TargetFactory()


def _returns(n, start):
    for _ in range(n):
        QuarterlyReturn.objects.create(
            grant=GrantFactory(), financial_year=2023, quarter=1, due_date=datetime.date(2023, 7, 30)
        )


def _submitted_returns(n, start):
    submitted_at = timezone.now()
    for _ in range(n):
        QuarterlyReturn.objects.create(
            grant=GrantFactory(),
            financial_year=2023,
            quarter=1,
            due_date=datetime.date(2023, 7, 30),
            status=QuarterlyReturn.Status.SUBMITTED,
            submitted_at=submitted_at,
        )


def _payments(n, start):
    for i in range(start, start + n):
        Payment.objects.create(
            grant=GrantFactory(),
            amount=gbp("1000.00"),
            date=datetime.date(2023, 5, 1),
            financial_year=2023,
            quarter=1,
            reference=f"LEDGER-{i:05d}",
        )


def _indicator_values(n, start):
    for _ in range(n):
        IndicatorValue.objects.create(
            indicator=IndicatorFactory(),
            grant=GrantFactory(),
            source=IndicatorValue.Source.OFFICE,
            financial_year=2023,
            quarter=1,
            value=Decimal("12"),
            entered_by=UserFactory(),
        )


def _variations(n, start):
    for _ in range(n):
        GrantVariation.objects.create(
            grant=GrantFactory(),
            kind=GrantVariation.Kind.AMOUNT,
            reason="Extra sessions agreed",
            before={"amount": "40000.00", "start_date": "2023-04-01", "end_date": "2024-03-31"},
            after={"amount": "45000.00", "start_date": "2023-04-01", "end_date": "2024-03-31"},
            made_by=UserFactory(),
        )


def _users(n, start):
    for _ in range(n):
        UserFactory(organisation=OrganisationFactory(), roles=[Role.PROVIDER_EDITOR])


ROW_BUILDERS = {
    "outturn_organisations": _organisations,
    "outturn_areas": _areas,
    "outturn_streams": _streams,
    "outturn_allocations": _allocations,
    "outturn_overrides": _overrides,
    "outturn_programmes": _programmes,
    "outturn_grants": _grants,
    "outturn_budget_lines": _budget_lines,
    "outturn_indicators": _indicators,
    "outturn_targets": _targets,
    "outturn_returns": _returns,
    REVIEW_QUEUE: _submitted_returns,
    "outturn_payments": _payments,
    "outturn_indicator_values": _indicator_values,
    "outturn_variations": _variations,
    "wagtailusers_users": _users,
}


def build_rows(viewset: str, n: int, start: int = 0) -> None:
    ROW_BUILDERS[viewset](n, start)


# --- Form data ------------------------------------------------------------------------------------------------


def stream_form_data(
    *, funder: Organisation, name: str = "Serious Violence Duty", total: str = "969600.00", allocations=(), **fields
):
    """POST data for the funding stream form; `allocations` are (year, amount) or (pk, year, amount) for rows
    that already exist, which must come first."""
    existing = [row for row in allocations if len(row) == 3]
    rows = [{"id": row[0], "financial_year": row[1], "amount_0": row[2]} for row in existing]
    rows += [{"id": "", "financial_year": row[0], "amount_0": row[1]} for row in allocations if len(row) == 2]
    data = {
        "name": name,
        "slug": slugify(name),
        "funder": funder.pk,
        "owner": "",
        "total_0": total,
        "start_date": "2023-04-01",
        "end_date": "2026-03-31",
        "purpose": "Reduce serious violence.",
        "conditions": "",
        "allocations": inline_formset(rows, initial=len(existing)),
    }
    data.update(fields)
    return nested_form_data(data)


def grant_form_data(*, provider, programme, amount="40000.00", charges=(), budget_lines=(), **fields):
    """POST data for the grant form. `charges` are dicts of stream, financial_year, amount (and optionally id,
    override_reason); `budget_lines` are dicts of name, amount (and optionally id). Existing rows come first."""
    charge_rows = [
        {
            "id": charge.get("id", ""),
            "stream": charge["stream"].pk,
            "financial_year": charge.get("financial_year", 2023),
            "amount_0": charge.get("amount", amount),
            "override_reason": charge.get("override_reason", ""),
        }
        for charge in charges
    ]
    line_rows = [
        {
            "id": line.get("id", ""),
            "name": line.get("name", "Staff"),
            "category": line.get("category", "staff"),
            "cost_type": line.get("cost_type", "labour"),
            "amount_0": line.get("amount", amount),
        }
        for line in budget_lines
    ]
    data = {
        "identifier": "360G-SSVRA-2023-001",
        "title": "Navigator Programme 2023/24",
        "provider": provider.pk,
        "programme": programme.pk,
        "lead_officer": "",
        "amount_0": amount,
        "award_date": "2023-03-01",
        "start_date": "2023-04-01",
        "end_date": "2024-03-31",
        "payment_mode": "arrears",
        "return_due_days": "",
        "purpose": "Support children at the reachable moment.",
        "crime_reduction_rationale": "Early support reduces re-offending.",
        "conditions": "",
        "allocation_method": "open-call",
        "direct_award_justification": "",
        "charges": inline_formset(charge_rows, initial=sum(1 for c in charges if c.get("id"))),
        "budget_lines": inline_formset(line_rows, initial=sum(1 for b in budget_lines if b.get("id"))),
    }
    data.update(fields)
    return nested_form_data(data)


def funder(name: str = "Home Office") -> Organisation:
    return FunderFactory(name=name)
