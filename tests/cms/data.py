"""Approved figures made the way the office makes them: a grant activated, returns filled, submitted and approved
through the services. Shared by the public figures' tests and the public pages' tests."""

from decimal import Decimal

from programmes.models import Grant, Indicator, QuarterlyReturn
from programmes.services import grant_activate, return_approve, return_record_indicator, return_reopen
from tests.factories import funded_grant
from tests.return_helpers import submit


def active_grant(*, officer, amount: str = "40000.00", year: int = 2023, **kwargs) -> Grant:
    return grant_activate(grant=funded_grant(amount=amount, year=year, **kwargs), user=officer)


def submitted_return(
    grant: Grant,
    quarter: int,
    approver,
    figures: dict[Indicator, int | str | tuple] | None = None,
    *,
    spend: str = "5000.00",
    breakdowns: dict[Indicator, tuple[str, dict[str, int]]] | None = None,
) -> QuarterlyReturn:
    """A quarter's return with these figures (a tuple is numerator and denominator), spend on every line, submitted."""
    quarterly_return = grant.returns.get(quarter=quarter)
    for indicator, figure in (figures or {}).items():
        parts = (
            {"numerator": Decimal(figure[0]), "denominator": Decimal(figure[1])}
            if isinstance(figure, tuple)
            else {"value": Decimal(figure)}
        )
        return_record_indicator(quarterly_return=quarterly_return, indicator=indicator, user=approver, **parts)
    for indicator, (breakdown, categories) in (breakdowns or {}).items():
        for category, value in categories.items():
            return_record_indicator(
                quarterly_return=quarterly_return,
                indicator=indicator,
                user=approver,
                value=Decimal(value),
                breakdown=breakdown,
                category=category,
            )
    quarterly_return.refresh_from_db()
    return submit(quarterly_return, approver, {line.name: spend for line in grant.budget_lines.all()})


def approved_return(grant, quarter, approver, officer, figures=None, **kwargs) -> QuarterlyReturn:
    quarterly_return = submitted_return(grant, quarter, approver, figures, **kwargs)
    return return_approve(quarterly_return=quarterly_return, user=officer)


def reopen(quarterly_return: QuarterlyReturn, officer) -> QuarterlyReturn:
    return return_reopen(quarterly_return=quarterly_return, user=officer, reason="The referrals were counted twice.")
