"""`manage.py check_figures` passes when every figure reconciles and names each record that does not."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from funding.money import gbp
from programmes.models import BudgetProfile, GrantCharge, Payment
from programmes.services import grant_activate, payment_create
from tests.factories import funded_grant

pytestmark = pytest.mark.django_db


def check() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("check_figures", stdout=out, stderr=err)
    except CommandError as error:
        return "failed: " + str(error), err.getvalue()
    return out.getvalue(), err.getvalue()


@pytest.fixture
def active_grant(officer, finance_officer):
    grant = funded_grant(identifier="360G-T-CHECK")
    grant_activate(grant=grant, user=officer)
    payment_create(grant=grant, amount=gbp("10000.00"), date=grant.start_date, user=finance_officer, status="paid")
    return grant


@override_settings(OUTTURN_TODAY="2023-11-01")
def test_a_database_changed_only_through_the_services_reconciles(active_grant):
    assert check() == ("Every figure reconciles.\n", "")


@override_settings(OUTTURN_TODAY="2023-11-01")
def test_a_charge_changed_behind_the_services_back_is_named(active_grant):
    GrantCharge.objects.filter(grant=active_grant).update(amount=gbp("39000.00"))
    result, errors = check()
    assert result == "failed: 2 figures do not reconcile."
    assert "360G-T-CHECK: its charges add up to £39,000.00, not its amount £40,000.00" in errors
    assert "360G-T-CHECK: in 2023/24 its profile adds up to £40,000.00 but it charges £39,000.00 to streams" in errors


@override_settings(OUTTURN_TODAY="2023-11-01")
def test_a_payment_changed_behind_the_services_back_is_named(active_grant):
    Payment.objects.filter(grant=active_grant).update(amount=gbp("50000.00"))
    result, errors = check()
    assert result.startswith("failed:")
    # The summary no longer matches a rebuild, and the grant is now paid past its amount with no reason recorded.
    assert "the summary holds paid 10000.00, a rebuild gives 50000.00" in errors
    assert "Payments on 360G-T-CHECK, planned and made, come to £50,000.00" in errors
    assert "No reason is recorded." in errors


@override_settings(OUTTURN_TODAY="2023-11-01")
def test_a_profile_changed_behind_the_services_back_is_named(active_grant):
    row = BudgetProfile.objects.filter(budget_line__grant=active_grant).order_by("quarter").first()
    BudgetProfile.objects.filter(pk=row.pk).update(amount=row.amount + gbp("1.00"))
    result, errors = check()
    assert result.startswith("failed:")
    assert "360G-T-CHECK: the profile of" in errors and "adds up to £40,001.00, not the line's £40,000.00" in errors
    assert "360G-T-CHECK: in 2023/24 its profile adds up to £40,001.00 but it charges £40,000.00 to streams" in errors
    assert "a rebuild gives" in errors  # the summary's profiled figure is stale too
