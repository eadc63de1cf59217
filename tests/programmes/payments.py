"""Helpers for tests of payments: releasing a planned payment as the approval of its quarter's return does."""

import datetime

from django.utils import timezone

from programmes.models import Payment, QuarterlyReturn


def release(payment: Payment) -> Payment:
    """Release a planned payment of a grant paid in arrears, as approving its quarter's return does (return_approve),
    with an approved return made for the purpose where the quarter has none."""
    quarterly_return, _ = QuarterlyReturn.objects.get_or_create(
        grant=payment.grant,
        financial_year=payment.financial_year,
        quarter=payment.quarter,
        defaults={
            "due_date": payment.period.end + datetime.timedelta(days=30),
            "status": QuarterlyReturn.Status.APPROVED,
            "approved_at": timezone.now(),
        },
    )
    Payment.objects.filter(pk=payment.pk).update(released_by_return=quarterly_return)
    payment.released_by_return = quarterly_return
    return payment
