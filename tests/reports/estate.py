"""A small estate in 2024/25 for the dashboards and the reports made from them, and its figures summed independently
from the base rows."""

import datetime
from decimal import Decimal

from django.db.models import Sum

from funding.fiscal import FinancialYear, Quarter
from funding.money import gbp
from funding.roles import Role
from programmes.models import BudgetLine, GrantCharge, Payment, QuarterlyReturn, SpendLine
from programmes.services import grant_activate, payment_create, return_approve
from tests.factories import (
    AllocationFactory,
    BudgetLineFactory,
    FundingStreamFactory,
    GrantChargeFactory,
    GrantFactory,
    UserFactory,
    funded_grant,
)
from tests.return_helpers import submit

YEAR = FinancialYear(2024)
OVERVIEW = "/admin/dashboards/"


def money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def returns_of(grant):
    return {r.quarter: r for r in QuarterlyReturn.objects.filter(grant=grant, financial_year=YEAR.start_year)}


def estate_build(officer, finance_officer):
    """Two streams in 2024/25: a grant co-funded two to one between them, and a grant of the first alone.

    The co-funded grant's Q1 return is approved and its Q2 return submitted; the single grant's Q1 return is
    approved and it has a paid and a planned payment.
    """
    first = FundingStreamFactory(name="Serious Violence Duty", start_date=YEAR.start, end_date=YEAR.end)
    second = FundingStreamFactory(name="Core grants", start_date=YEAR.start, end_date=YEAR.end)
    AllocationFactory(stream=first, financial_year=YEAR.start_year, amount=gbp("100000.00"))
    AllocationFactory(stream=second, financial_year=YEAR.start_year, amount=gbp("50000.00"))
    shared = GrantFactory(amount=gbp("36000.00"), start_date=YEAR.start, end_date=YEAR.end, identifier="360G-T-SHARED")
    GrantChargeFactory(grant=shared, stream=first, financial_year=YEAR.start_year, amount=gbp("24000.00"))
    GrantChargeFactory(grant=shared, stream=second, financial_year=YEAR.start_year, amount=gbp("12000.00"))
    BudgetLineFactory(grant=shared, name="Caseworkers", amount=gbp("24000.00"))
    BudgetLineFactory(
        grant=shared, name="Travel", amount=gbp("12000.00"), category="travel", cost_type=BudgetLine.CostType.NON_LABOUR
    )
    single = funded_grant(amount="20000.00", year=YEAR.start_year, stream=first, identifier="360G-T-SINGLE")
    for grant in (shared, single):
        grant_activate(grant=grant, user=officer)
    approver = UserFactory(organisation=shared.provider, roles=[Role.PROVIDER_APPROVER])
    shared_returns = returns_of(shared)
    submit(shared_returns[1], approver, {"Caseworkers": "6300.00", "Travel": "2700.00"}, forecast="3000.00")
    return_approve(quarterly_return=shared_returns[1], user=officer)
    submit(shared_returns[2], approver, {"Caseworkers": "6000.00", "Travel": "3000.00"})
    single_approver = UserFactory(organisation=single.provider, roles=[Role.PROVIDER_APPROVER])
    line = single.budget_lines.get().name
    submit(returns_of(single)[1], single_approver, {line: "4500.00"}, forecast="5100.00")
    return_approve(quarterly_return=returns_of(single)[1], user=officer)
    payment_create(
        grant=single,
        amount=gbp("5000.00"),
        date=datetime.date(2024, 7, 10),
        status=Payment.Status.PAID,
        reference="LEDGER-1",
        user=finance_officer,
        quarter=Quarter(YEAR, 1),
    )
    payment_create(grant=single, amount=gbp("5000.00"), date=datetime.date(2024, 10, 10), user=finance_officer)
    return {"first": first, "second": second, "shared": shared, "single": single}


def stream_share(stream, grant) -> Decimal:
    charges = GrantCharge.objects.filter(grant=grant, financial_year=YEAR.start_year)
    return charges.get(stream=stream).amount.amount / sum(c.amount.amount for c in charges)


def independent_figures(stream, on: datetime.date) -> dict[str, Decimal]:
    """The stream's money in the year, summed from the base rows the way DESIGN.md words it."""
    charges = GrantCharge.objects.filter(stream=stream, financial_year=YEAR.start_year)
    figures = {"committed": money(charges.aggregate(total=Sum("amount"))["total"])}
    spent = paid = profile_left = Decimal(0)
    for charge in charges:
        grant, share = charge.grant, stream_share(stream, charge.grant)
        approved = SpendLine.objects.filter(
            quarterly_return__grant=grant,
            quarterly_return__financial_year=YEAR.start_year,
            quarterly_return__status=QuarterlyReturn.Status.APPROVED,
        )
        spent += money(approved.aggregate(total=Sum("actual"))["total"]) * share
        paid += (
            money(
                Payment.objects.filter(grant=grant, status="paid", financial_year=YEAR.start_year).aggregate(
                    total=Sum("amount")
                )["total"]
            )
            * share
        )
        approved_quarters = set(approved.values_list("quarterly_return__quarter", flat=True))
        latest = (
            QuarterlyReturn.objects.filter(grant=grant, status="approved", financial_year=YEAR.start_year)
            .order_by("-quarter")
            .first()
        )
        for line in grant.budget_lines.all():
            for row in line.profile.filter(financial_year=YEAR.start_year).exclude(quarter__in=approved_quarters):
                forecast = latest.forecasts.filter(budget_line=line, quarter=row.quarter).first() if latest else None
                profile_left += (forecast.amount.amount if forecast else row.amount.amount) * share
    figures.update(spent=money(spent), paid=money(paid), outturn=money(spent + profile_left))
    return figures
