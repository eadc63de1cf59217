import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from funding.money import gbp
from programmes.models import BudgetProfile, Grant, GrantCharge, GrantVariation, QuarterlyReturn
from programmes.services import grant_activate, grant_save
from tests.factories import AllocationFactory, BudgetLineFactory, FundingStreamFactory, GrantFactory, funded_grant

pytestmark = pytest.mark.django_db


def test_activating_a_grant_creates_one_return_per_quarter_due_a_month_after(officer):
    grant = funded_grant()
    grant_activate(grant=grant, user=officer)
    returns = list(grant.returns.order_by("financial_year", "quarter"))
    assert [str(r.period) for r in returns] == ["Q1 2023/24", "Q2 2023/24", "Q3 2023/24", "Q4 2023/24"]
    assert returns[0].due_date == datetime.date(2023, 7, 30)
    assert {r.status for r in returns} == {QuarterlyReturn.Status.NOT_STARTED}


def test_a_grant_can_set_its_own_due_days(officer):
    grant = funded_grant(return_due_days=14)
    grant_activate(grant=grant, user=officer)
    assert grant.returns.get(quarter=4).due_date == datetime.date(2024, 4, 14)


def test_activation_spreads_an_unprofiled_line_evenly_to_the_penny(officer):
    grant = funded_grant(amount="100.00")
    grant_activate(grant=grant, user=officer)
    amounts = [p.amount for p in BudgetProfile.objects.filter(budget_line__grant=grant).order_by("quarter")]
    assert amounts == [gbp("25.00")] * 4
    grant = funded_grant(amount="100.01")
    grant_activate(grant=grant, user=officer)
    amounts = [p.amount for p in BudgetProfile.objects.filter(budget_line__grant=grant).order_by("quarter")]
    assert amounts == [gbp("25.00"), gbp("25.00"), gbp("25.00"), gbp("25.01")]


def test_a_grant_whose_charges_do_not_add_up_cannot_be_activated(officer):
    grant = funded_grant(amount="40000.00")
    GrantCharge.objects.filter(grant=grant).update(amount=gbp("30000.00"))
    with pytest.raises(ValidationError) as refused:
        grant_activate(grant=grant, user=officer)
    assert "add up to £30,000.00, not the grant's amount of £40,000.00" in refused.value.messages[0]
    assert grant.returns.count() == 0
    assert Grant.objects.get(pk=grant.pk).status == Grant.Status.DRAFT


def test_a_grant_whose_budget_lines_do_not_add_up_cannot_be_activated(officer):
    grant = funded_grant(amount="40000.00")
    BudgetLineFactory(grant=grant, amount=gbp("1.00"))
    with pytest.raises(ValidationError, match="budget lines add up to £40,001.00"):
        grant_activate(grant=grant, user=officer)


def test_a_profile_that_does_not_add_up_to_its_line_is_refused(officer):
    grant = funded_grant(amount="400.00")
    line = grant.budget_lines.get()
    BudgetProfile.objects.create(budget_line=line, financial_year=2023, quarter=1, amount=gbp("100.00"))
    with pytest.raises(ValidationError, match="profile of .* adds up to £100.00, not the line's amount of £400.00"):
        grant_activate(grant=grant, user=officer)


def test_a_charge_past_the_streams_allocation_is_refused_naming_stream_year_and_remainder(officer):
    stream = FundingStreamFactory(name="Serious Violence Duty")
    funded_grant(stream=stream, amount="70000.00", allocation="100000.00")
    grant = funded_grant(stream=stream, amount="40000.00")
    with pytest.raises(ValidationError) as refused:
        grant_save(grant=grant, user=officer)
    message = refused.value.messages[0]
    assert "Serious Violence Duty in 2023/24" in message
    assert "£30,000.00 remains" in message


def test_an_officer_can_override_the_allocation_with_a_recorded_reason(officer):
    stream = FundingStreamFactory()
    funded_grant(stream=stream, amount="70000.00", allocation="100000.00")
    grant = funded_grant(stream=stream, amount="40000.00")
    GrantCharge.objects.filter(grant=grant).update(override_reason="Over-programmed: Q3 underspend expected")
    grant = Grant.objects.get(pk=grant.pk)
    grant_save(grant=grant, user=officer)
    charge = grant.charges.get()
    assert (charge.is_override, charge.overridden_by) == (True, officer)
    assert charge.overridden_at is not None


def test_a_cancelled_grant_frees_its_commitment(officer):
    stream = FundingStreamFactory()
    funded_grant(stream=stream, amount="70000.00", status=Grant.Status.CANCELLED)
    grant_save(grant=funded_grant(stream=stream, amount="40000.00"), user=officer)


def test_a_charge_to_a_year_without_allocation_is_refused(officer):
    grant = funded_grant()
    charge = grant.charges.get()
    charge.stream = FundingStreamFactory(name="Core grants")
    charge.save()
    with pytest.raises(ValidationError, match="Core grants has no allocation for 2023/24"):
        grant_save(grant=Grant.objects.get(pk=grant.pk), user=officer)


def test_a_charge_outside_the_grants_dates_is_refused(officer):
    grant = funded_grant()
    charge = grant.charges.get()
    AllocationFactory(stream=charge.stream, financial_year=2024)
    GrantCharge.objects.filter(pk=charge.pk).update(financial_year=2024)
    with pytest.raises(ValidationError, match="cannot be charged to 2024/25"):
        grant_save(grant=Grant.objects.get(pk=grant.pk), user=officer)


def test_only_a_commissioning_officer_may_save_a_grant(finance_officer, provider_approver):
    grant = funded_grant()
    for user in (finance_officer, provider_approver):
        with pytest.raises(PermissionDenied):
            grant_save(grant=grant, user=user)


def test_a_direct_award_needs_its_justification(officer):
    grant = GrantFactory.build(
        allocation_method=Grant.AllocationMethod.DIRECT_AWARD,
        provider=GrantFactory().provider,
        programme=GrantFactory().programme,
    )
    with pytest.raises(ValidationError, match="justification for a direct award"):
        grant_save(grant=grant, user=officer)


@override_settings(OUTTURN_TODAY="2023-10-15")
def test_varying_an_active_grant_needs_a_reason_and_keeps_the_history(officer):
    grant = funded_grant(amount="40000.00", allocation="100000.00")
    grant_activate(grant=grant, user=officer)
    grant = Grant.objects.get(pk=grant.pk)
    grant.amount = gbp("50000.00")
    charge, line = grant.charges.get(), grant.budget_lines.get()
    charge.amount = line.amount = gbp("50000.00")
    grant.charges.add(charge)
    grant.budget_lines.add(line)
    with pytest.raises(ValidationError, match="give the reason for the variation"):
        grant_save(grant=grant, user=officer)
    assert Grant.objects.get(pk=grant.pk).amount == gbp("40000.00")

    grant_save(grant=grant, user=officer, variation_reason="Extra caseworker hours agreed at board")
    variations = {v.kind: v for v in GrantVariation.objects.filter(grant=grant)}
    assert set(variations) == {"amount", "budget", "charges"}
    assert variations["amount"].before["amount"] == "40000.00"
    assert variations["amount"].after["amount"] == "50000.00"
    assert variations["amount"].reason == "Extra caseworker hours agreed at board"
    profile = BudgetProfile.objects.filter(budget_line=line).order_by("quarter").values_list("amount", flat=True)
    assert list(profile) == [10000, 10000, 15000, 15000]  # Q1 and Q2 are past; the extra £10,000 goes after


def test_a_variation_must_still_add_up(officer):
    grant = funded_grant(amount="40000.00")
    grant_activate(grant=grant, user=officer)
    grant = Grant.objects.get(pk=grant.pk)
    grant.amount = gbp("50000.00")
    with pytest.raises(ValidationError, match="not the grant's amount of £50,000.00"):
        grant_save(grant=grant, user=officer, variation_reason="More money")


def test_extending_an_active_grant_adds_the_new_quarters_returns(officer):
    grant = funded_grant(amount="40000.00")
    grant_activate(grant=grant, user=officer)
    grant = Grant.objects.get(pk=grant.pk)
    grant.end_date = datetime.date(2024, 6, 30)
    grant_save(grant=grant, user=officer, variation_reason="Three-month extension, no new money")
    assert grant.returns.count() == 5
    assert GrantVariation.objects.get(grant=grant).kind == "dates"


def test_a_variation_cannot_leave_profile_outside_the_new_dates(officer):
    grant = funded_grant(amount="40000.00")
    grant_activate(grant=grant, user=officer)
    grant = Grant.objects.get(pk=grant.pk)
    grant.end_date = datetime.date(2023, 12, 31)
    with pytest.raises(ValidationError, match="profiled in Q4 2023/24, outside the grant's dates"):
        grant_save(grant=grant, user=officer, variation_reason="Ended early")


def test_shortening_a_grant_cannot_drop_a_started_return(officer, provider_editor):
    grant = funded_grant(amount="40000.00", provider=provider_editor.organisation)
    grant_activate(grant=grant, user=officer)
    QuarterlyReturn.objects.filter(grant=grant, quarter=4).update(status=QuarterlyReturn.Status.DRAFT)
    BudgetProfile.objects.filter(budget_line__grant=grant, quarter=4).delete()
    BudgetProfile.objects.filter(budget_line__grant=grant, quarter=3).update(amount=gbp("20000.00"))
    grant = Grant.objects.get(pk=grant.pk)
    grant.end_date = datetime.date(2023, 12, 31)
    with pytest.raises(ValidationError, match="Q4 2023/24 has been started"):
        grant_save(grant=grant, user=officer, variation_reason="Ended early")
    assert grant.returns.count() == 4
