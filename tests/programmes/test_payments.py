import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from funding.money import gbp
from programmes.models import Payment
from programmes.services import payment_approve, payment_create, payment_mark_paid
from tests.factories import funded_grant
from tests.programmes.payments import release

pytestmark = pytest.mark.django_db


def test_a_payment_falls_in_the_quarter_of_its_date(finance_officer):
    payment = payment_create(
        grant=funded_grant(), amount=gbp("10000.00"), date=datetime.date(2024, 1, 15), user=finance_officer
    )
    assert str(payment.period) == "Q4 2023/24"


def test_payments_past_the_grants_amount_are_refused_naming_what_remains(finance_officer):
    grant = funded_grant(amount="40000.00")
    payment_create(grant=grant, amount=gbp("30000.00"), date=datetime.date(2023, 5, 1), user=finance_officer)
    with pytest.raises(ValidationError) as refused:
        payment_create(grant=grant, amount=gbp("10000.01"), date=datetime.date(2023, 8, 1), user=finance_officer)
    message = refused.value.messages[0]
    assert grant.identifier in message
    assert "£10,000.00 remains" in message
    assert Payment.objects.filter(grant=grant).count() == 1


def test_an_overpayment_with_a_recorded_reason_is_kept_and_flagged(finance_officer):
    grant = funded_grant(amount="40000.00")
    payment_create(grant=grant, amount=gbp("40000.00"), date=datetime.date(2023, 5, 1), user=finance_officer)
    payment = payment_create(
        grant=grant,
        amount=gbp("500.00"),
        date=datetime.date(2023, 8, 1),
        user=finance_officer,
        override_reason="Duplicate in the ledger; recovery agreed",
    )
    assert payment.is_override and payment.overridden_by == finance_officer


def test_only_finance_may_record_payments(officer, board_viewer, provider_approver):
    grant = funded_grant()
    for user in (officer, board_viewer, provider_approver):
        with pytest.raises(PermissionDenied):
            payment_create(grant=grant, amount=gbp("1.00"), date=datetime.date(2023, 5, 1), user=user)


def test_a_payment_moves_from_planned_to_approved_to_paid_keeping_the_quarter_it_is_for(finance_officer):
    payment = payment_create(
        grant=funded_grant(), amount=gbp("1000.00"), date=datetime.date(2023, 6, 30), user=finance_officer
    )
    payment_approve(payment=release(payment), user=finance_officer)
    payment_mark_paid(payment=payment, date=datetime.date(2023, 7, 3), reference="AP-0001", user=finance_officer)
    payment.refresh_from_db()
    assert (payment.status, str(payment.period), payment.reference) == ("paid", "Q1 2023/24", "AP-0001")
    assert payment.date == datetime.date(2023, 7, 3)
    with pytest.raises(ValidationError, match="already paid"):
        payment_mark_paid(payment=payment, date=datetime.date(2023, 7, 3), reference="AP-0002", user=finance_officer)


def test_negative_payments_are_refused(finance_officer):
    with pytest.raises(ValidationError, match="cannot be negative"):
        payment_create(grant=funded_grant(), amount=gbp("-1.00"), date=datetime.date(2023, 5, 1), user=finance_officer)


def test_a_ledger_reference_is_used_once(finance_officer):
    grant = funded_grant()
    payment_create(
        grant=grant,
        amount=gbp("1.00"),
        date=datetime.date(2023, 5, 1),
        reference="AP-1",
        status=Payment.Status.PAID,
        user=finance_officer,
    )
    with pytest.raises(ValidationError, match="reference"):
        payment_create(
            grant=grant,
            amount=gbp("1.00"),
            date=datetime.date(2023, 5, 1),
            reference="AP-1",
            status=Payment.Status.PAID,
            user=finance_officer,
        )
