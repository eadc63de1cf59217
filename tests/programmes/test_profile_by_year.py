"""In each financial year a grant's budget profile equals what it charges the streams for that year."""

import datetime

import pytest
from django.test import override_settings

from funding.models import Allocation
from funding.money import PENNY, gbp, gbp_sum
from programmes.models import BudgetLine, BudgetProfile, Grant, GrantVariation
from programmes.profiles import PROFILE_YEAR_NOT_CHARGES
from programmes.services import PROFILE_RESPREAD, grant_activate
from tests.admin_helpers import admin_url, grant_form_data
from tests.factories import BudgetLineFactory, FundingStreamFactory, GrantChargeFactory, GrantFactory

pytestmark = pytest.mark.django_db

CHARGES = {2023: "20000.00", 2024: "50000.00", 2025: "30000.00"}


def three_year_grant(charges=CHARGES) -> Grant:
    """October 2023 to September 2025: two quarters of 2023/24, all of 2024/25, two of 2025/26; two lines."""
    stream = FundingStreamFactory(start_date=datetime.date(2023, 4, 1), end_date=datetime.date(2026, 3, 31))
    for year in charges:
        Allocation.objects.create(stream=stream, financial_year=year, amount=gbp("500000.00"))
    grant = GrantFactory(
        amount=gbp("100000.00"), start_date=datetime.date(2023, 10, 1), end_date=datetime.date(2025, 9, 30)
    )
    for year, amount in charges.items():
        GrantChargeFactory(grant=grant, stream=stream, financial_year=year, amount=gbp(amount))
    BudgetLineFactory(grant=grant, name="Staff", amount=gbp("60000.01"))
    BudgetLineFactory(grant=grant, name="Activities", cost_type=BudgetLine.CostType.NON_LABOUR, amount=gbp("39999.99"))
    return grant


def profiled_by_year(grant) -> dict[int, object]:
    totals = {}
    for row in BudgetProfile.objects.filter(budget_line__grant=grant):
        totals[row.financial_year] = totals.get(row.financial_year, gbp(0)) + row.amount
    return totals


def test_activation_profiles_each_year_to_its_charges_and_each_line_to_its_amount(officer_client):
    grant = three_year_grant()
    response = officer_client.post(admin_url("outturn_grants", "activate", grant.pk))
    assert response.status_code == 302
    assert profiled_by_year(grant) == {year: gbp(amount) for year, amount in CHARGES.items()}
    for line in grant.budget_lines.all():
        assert gbp_sum(row.amount for row in line.profile.all()) == line.amount
    # Each year's share is spread evenly over its quarters: 2023/24 has two, so the staff line's £12,000.00
    # (three fifths of £20,000) is £6,000.00 a quarter.
    staff = BudgetProfile.objects.filter(budget_line__name="Staff", financial_year=2023).order_by("quarter")
    assert [(row.quarter, row.amount) for row in staff] == [(3, gbp("6000.00")), (4, gbp("6000.00"))]


def test_a_profile_that_puts_a_year_above_its_charges_is_refused_at_activation_naming_the_year(officer_client):
    grant = three_year_grant()
    for line in grant.budget_lines.all():
        # Evenly over all eight quarters, as the product once did: 2023/24 gets a quarter of the money, not a fifth.
        share = gbp((line.amount.amount / 8).quantize(PENNY))
        rows = [
            BudgetProfile(budget_line=line, financial_year=q.financial_year.start_year, quarter=q.number, amount=share)
            for q in grant.quarters
        ]
        rows[-1].amount = line.amount - gbp_sum(row.amount for row in rows[:-1])
        BudgetProfile.objects.bulk_create(rows)
    response = officer_client.post(admin_url("outturn_grants", "activate", grant.pk))
    assert response.status_code == 200
    expected = PROFILE_YEAR_NOT_CHARGES.format(year="2023/24", profiled="£25,000.00", charged="£20,000.00")
    assert expected in response.context["errors"]
    assert expected.replace("'", "&#x27;") in response.content.decode()
    grant.refresh_from_db()
    assert grant.status == Grant.Status.DRAFT
    assert not grant.returns.exists()


@override_settings(OUTTURN_TODAY="2024-05-10")
def test_moving_charges_between_years_re_profiles_from_the_current_quarter_and_says_so(officer_client, officer):
    grant = three_year_grant()
    grant_activate(grant=grant, user=officer)
    before_2023 = profiled_by_year(grant)[2023]
    charges = list(grant.charges.order_by("financial_year"))
    lines = list(grant.budget_lines.order_by("pk"))
    moved = {2023: "20000.00", 2024: "40000.00", 2025: "40000.00"}
    data = grant_form_data(
        provider=grant.provider,
        programme=grant.programme,
        identifier=grant.identifier,
        title=grant.title,
        amount="100000.00",
        start_date="2023-10-01",
        end_date="2025-09-30",
        charges=[
            {"id": c.pk, "stream": c.stream, "financial_year": c.financial_year, "amount": moved[c.financial_year]}
            for c in charges
        ],
        budget_lines=[
            {
                "id": line.pk,
                "name": line.name,
                "category": line.category,
                "cost_type": line.cost_type,
                "amount": str(line.amount.amount),
            }
            for line in lines
        ],
        variation_reason="The second year's summer work moves into 2025/26.",
    )
    response = officer_client.post(admin_url("outturn_grants", "edit", grant.pk), data)
    assert response.status_code == 302, response.context["form"].errors
    assert profiled_by_year(grant) == {year: gbp(amount) for year, amount in moved.items()}
    assert profiled_by_year(grant)[2023] == before_2023  # quarters gone by keep their plan
    for line in grant.budget_lines.all():
        assert gbp_sum(row.amount for row in line.profile.all()) == line.amount
    budget = GrantVariation.objects.get(grant=grant, kind=GrantVariation.Kind.BUDGET)
    assert budget.after["note"] == PROFILE_RESPREAD.format(lines="every budget line", first="Q1 2024/25")
    page = officer_client.get(admin_url("outturn_variations", "inspect", budget.pk)).content.decode()
    assert "2024/25: £50,000.00" in page and "2025/26: £40,000.00" in page
    assert "re-spread from Q1 2024/25" in page
