import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from funding.fiscal import FinancialYear, Quarter
from funding.money import gbp
from programmes import signals
from programmes.models import Indicator, IndicatorValue, Payment, QuarterlyReturn
from programmes.services import (
    grant_activate,
    indicator_value_approve,
    indicator_value_record_office,
    payment_create,
    return_approve,
    return_create,
    return_record_indicator,
    return_record_spend,
    return_reopen,
    return_send_back,
    return_submit,
    return_update_narrative,
)
from tests.factories import IndicatorFactory, funded_grant

pytestmark = pytest.mark.django_db
Q1_2023 = Quarter(FinancialYear(2023), 1)


@pytest.fixture
def grant(officer, provider):
    grant = funded_grant(provider=provider)
    grant_activate(grant=grant, user=officer)
    return grant


@pytest.fixture
def first_return(grant):
    return grant.returns.get(financial_year=2023, quarter=1)


def complete(quarterly_return, user, indicator=None):
    line = quarterly_return.grant.budget_lines.get()
    return_record_spend(
        quarterly_return=quarterly_return,
        budget_line=line,
        actual=gbp("9500.00"),
        user=user,
        forecasts={2: gbp("10000.00"), 3: gbp("10000.00"), 4: gbp("10500.00")},
    )
    if indicator:
        return_record_indicator(quarterly_return=quarterly_return, indicator=indicator, value=Decimal(12), user=user)
    return_update_narrative(
        quarterly_return=quarterly_return,
        user=user,
        progress="Twelve children supported.",
        risk_rating="amber",
        risks="Recruitment of a second caseworker.",
    )


def submitted(quarterly_return, editor, approver, indicator=None):
    complete(quarterly_return, editor, indicator)
    return return_submit(quarterly_return=quarterly_return, user=approver)


def test_the_first_edit_moves_a_return_to_draft_and_records_who(first_return, provider_editor):
    complete(first_return, provider_editor)
    first_return.refresh_from_db()
    assert first_return.status == "draft"
    transition = first_return.transitions.get()
    assert (transition.from_status, transition.to_status, transition.by) == ("not-started", "draft", provider_editor)


def test_forecasts_are_only_for_the_remaining_quarters_of_the_year(first_return, provider_editor):
    line = first_return.grant.budget_lines.get()
    with pytest.raises(ValidationError, match="remaining quarters of 2023/24"):
        return_record_spend(
            quarterly_return=first_return, budget_line=line, actual=gbp(1), user=provider_editor, forecasts={1: gbp(1)}
        )


def test_counts_are_whole_numbers(first_return, provider_editor):
    indicator = IndicatorFactory(programme=first_return.grant.programme)
    with pytest.raises(ValidationError, match="whole number"):
        return_record_indicator(
            quarterly_return=first_return, indicator=indicator, value=Decimal("2.5"), user=provider_editor
        )


def test_a_percentage_is_kept_as_numerator_and_denominator(first_return, provider_editor):
    indicator = IndicatorFactory(unit=Indicator.Unit.PERCENTAGE, aggregation=Indicator.Aggregation.LATEST)
    value = return_record_indicator(
        quarterly_return=first_return,
        indicator=indicator,
        numerator=Decimal(17),
        denominator=Decimal(23),
        user=provider_editor,
    )
    assert (value.numerator, value.denominator, value.value) == (17, 23, None)
    with pytest.raises(ValidationError, match="numerator cannot be more"):
        return_record_indicator(
            quarterly_return=first_return,
            indicator=indicator,
            numerator=Decimal(24),
            denominator=Decimal(23),
            user=provider_editor,
        )


def test_an_editor_cannot_submit(first_return, provider_editor):
    complete(first_return, provider_editor)
    with pytest.raises(PermissionDenied):
        return_submit(quarterly_return=first_return, user=provider_editor)


def test_an_incomplete_return_cannot_be_submitted(first_return, provider_approver):
    return_update_narrative(quarterly_return=first_return, user=provider_approver, progress="Started.")
    with pytest.raises(ValidationError) as refused:
        return_submit(quarterly_return=first_return, user=provider_approver)
    assert "enter the spend for every budget line" in refused.value.messages[0]
    assert "give the risk rating" in refused.value.messages[0]


def test_another_organisation_cannot_touch_the_return(first_return):
    from tests.factories import UserFactory

    outsider = UserFactory(roles=["Provider approver"])
    with pytest.raises(PermissionDenied):
        return_update_narrative(quarterly_return=first_return, user=outsider, progress="Not mine")


def test_a_submitted_return_cannot_be_changed_by_the_provider(first_return, provider_editor, provider_approver):
    submitted(first_return, provider_editor, provider_approver)
    with pytest.raises(ValidationError, match="This return is submitted: it cannot be changed"):
        return_update_narrative(quarterly_return=first_return, user=provider_editor, progress="Edited after")


def test_a_stale_save_is_refused_not_silently_applied(first_return, provider_editor):
    opened_at = first_return.version
    return_update_narrative(quarterly_return=first_return, user=provider_editor, progress="First", version=opened_at)
    with pytest.raises(ValidationError, match="Someone else saved"):
        return_update_narrative(
            quarterly_return=first_return, user=provider_editor, progress="Second", version=opened_at
        )
    first_return.refresh_from_db()
    assert first_return.progress == "First"


def test_sending_back_needs_a_reason_which_is_recorded(first_return, provider_editor, provider_approver, officer):
    submitted(first_return, provider_editor, provider_approver)
    with pytest.raises(ValidationError, match="Give a reason"):
        return_send_back(quarterly_return=first_return, user=officer, reason=" ")
    return_send_back(quarterly_return=first_return, user=officer, reason="Explain the travel variance")
    first_return.refresh_from_db()
    assert first_return.status == "returned"
    assert first_return.transitions.last().reason == "Explain the travel variance"
    return_update_narrative(quarterly_return=first_return, user=provider_editor, progress="Travel explained")
    return_submit(quarterly_return=first_return, user=provider_approver)
    assert QuarterlyReturn.objects.get(pk=first_return.pk).status == "submitted"


def test_approval_locks_the_return_and_counts_its_figures(first_return, provider_editor, provider_approver, officer):
    indicator = IndicatorFactory(programme=first_return.grant.programme)
    submitted(first_return, provider_editor, provider_approver, indicator)
    assert IndicatorValue.objects.get().approved_at is None
    received = []
    signals.return_approved.connect(
        lambda **kw: received.append(kw["quarterly_return"].pk), weak=False, dispatch_uid="test-approved"
    )
    try:
        return_approve(quarterly_return=first_return, user=officer)
    finally:
        signals.return_approved.disconnect(dispatch_uid="test-approved")
    assert received == [first_return.pk]
    assert IndicatorValue.objects.get().approved_at is not None
    line = first_return.grant.budget_lines.get()
    with pytest.raises(ValidationError, match="This return is approved: it cannot be changed"):
        return_record_spend(quarterly_return=first_return, budget_line=line, actual=gbp(1), user=provider_editor)
    with pytest.raises(ValidationError, match="cannot be approved"):
        return_approve(quarterly_return=first_return, user=officer)


def test_reopening_needs_a_reason_and_withdraws_the_figures(first_return, provider_editor, provider_approver, officer):
    indicator = IndicatorFactory(programme=first_return.grant.programme)
    submitted(first_return, provider_editor, provider_approver, indicator)
    return_approve(quarterly_return=first_return, user=officer)
    with pytest.raises(ValidationError, match="Give a reason"):
        return_reopen(quarterly_return=first_return, user=officer, reason="")
    return_reopen(quarterly_return=first_return, user=officer, reason="Referral count double-counted")
    first_return.refresh_from_db()
    assert (first_return.status, first_return.approved_at) == ("returned", None)
    assert IndicatorValue.objects.get().approved_at is None
    assert [t.to_status for t in first_return.transitions.all()] == ["draft", "submitted", "approved", "returned"]


def test_only_a_commissioning_officer_reviews(first_return, provider_editor, provider_approver, finance_officer):
    submitted(first_return, provider_editor, provider_approver)
    for action in (return_approve, lambda **kw: return_send_back(reason="No", **kw)):
        with pytest.raises(PermissionDenied):
            action(quarterly_return=first_return, user=finance_officer)
        with pytest.raises(PermissionDenied):
            action(quarterly_return=first_return, user=provider_approver)


def test_approval_in_arrears_releases_the_quarters_planned_payment(
    first_return, provider_editor, provider_approver, officer, finance_officer
):
    payment = payment_create(
        grant=first_return.grant, amount=gbp("10000.00"), date=datetime.date(2023, 6, 30), user=finance_officer
    )
    submitted(first_return, provider_editor, provider_approver)
    return_approve(quarterly_return=first_return, user=officer)
    assert Payment.objects.get(pk=payment.pk).released_by_return == first_return


def test_one_return_per_grant_per_quarter(first_return):
    with pytest.raises(IntegrityError), transaction.atomic():
        QuarterlyReturn.objects.create(
            grant=first_return.grant, financial_year=2023, quarter=1, due_date=datetime.date(2023, 7, 31)
        )


def test_a_return_must_lie_within_its_grants_dates(grant):
    with pytest.raises(ValidationError, match="Q1 2024/25 is outside the grant's dates"):
        return_create(grant=grant, quarter=Quarter(FinancialYear(2024), 1))


def test_overdue_means_past_due_and_not_yet_submitted(first_return):
    assert first_return.is_overdue(first_return.due_date + datetime.timedelta(days=1))
    assert not first_return.is_overdue(first_return.due_date)


def test_office_entered_values_count_only_once_approved(officer):
    indicator = IndicatorFactory(
        scope=Indicator.Scope.POPULATION, programme=None, counts_people=False, direction=Indicator.Direction.LOWER
    )
    value = indicator_value_record_office(indicator=indicator, quarter=Q1_2023, value=Decimal(140), user=officer)
    assert value.approved_at is None
    indicator_value_approve(indicator_value=value, user=officer)
    assert IndicatorValue.objects.get(pk=value.pk).approved_at is not None


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (gbp("-0.01"), "The spend on .* cannot be negative"),
        (gbp("10.005"), "must be in pounds and pence"),
    ],
)
def test_spend_is_money_in_pounds_and_pence_and_not_negative(first_return, provider_editor, amount, message):
    line = first_return.grant.budget_lines.get()
    with pytest.raises(ValidationError, match=message):
        return_record_spend(quarterly_return=first_return, budget_line=line, actual=amount, user=provider_editor)
    assert not first_return.spend_lines.exists()
    with pytest.raises(ValidationError, match="The Q2 forecast for .* cannot be negative"):
        return_record_spend(
            quarterly_return=first_return,
            budget_line=line,
            actual=gbp(1),
            user=provider_editor,
            forecasts={2: gbp("-5")},
        )
    assert not first_return.spend_lines.exists()


def test_who_may_is_checked_before_what_is_missing(first_return, finance_officer):
    with pytest.raises(PermissionDenied):
        return_send_back(quarterly_return=first_return, user=finance_officer, reason="")


def test_a_stale_copy_of_the_return_cannot_be_written_back(first_return, provider_editor, provider_approver, officer):
    stale = QuarterlyReturn.objects.get(pk=first_return.pk)  # read while not started
    submitted(first_return, provider_editor, provider_approver)
    approved = return_approve(quarterly_return=stale, user=officer)
    assert approved.progress == "Twelve children supported."
    assert QuarterlyReturn.objects.get(pk=first_return.pk).progress == "Twelve children supported."
    assert first_return.transitions.last().from_status == "submitted"
