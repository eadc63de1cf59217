"""Filling in and submitting a return through the services, as a provider does in the portal."""

from django.utils import timezone

from funding.money import gbp
from programmes import lifecycle
from programmes.models import QuarterlyReturn
from programmes.services import return_record_spend, return_submit, return_update_narrative


def fill(quarterly_return, user, spend: dict, explanations: dict | None = None, forecast: str = "5000.00"):
    """Spend per budget line name, forecasts for the rest of the year, and the narrative a submission needs."""
    for line in quarterly_return.grant.budget_lines.all():
        return_record_spend(
            quarterly_return=quarterly_return,
            budget_line=line,
            actual=gbp(spend[line.name]),
            forecasts={q.number: gbp(forecast) for q in quarterly_return.period.remaining_in_year()},
            variance_explanation=(explanations or {}).get(line.name, ""),
            user=user,
        )
    return_update_narrative(
        quarterly_return=quarterly_return,
        user=user,
        progress="Twelve children supported after arrest.",
        challenges="A caseworker left in May.",
        risks="Recruitment of a second caseworker.",
        risk_rating="amber",
        case_study="A, 15, was referred after arrest and is now back at school.",
        next_quarter_plans="Start the summer programme.",
    )


def submit(quarterly_return, user, spend, **kwargs):
    fill(quarterly_return, user, spend, **kwargs)
    return return_submit(quarterly_return=quarterly_return, user=user)


def lifecycle_breaches(returns) -> list[str]:
    """What in these returns (their transitions prefetched) breaks the lifecycle's dates (ADR 0008): a submission
    before the day after its quarter ended; a return sent back without the resubmission date the rule gives from
    the day it was sent back; a reopened, approved or unsubmitted return with one."""
    status = QuarterlyReturn.Status
    breaches = []
    for quarterly_return in returns:
        transitions = sorted(quarterly_return.transitions.all(), key=lambda t: (t.at, t.pk))
        for transition in transitions:
            if (
                transition.to_status == status.SUBMITTED
                and timezone.localdate(transition.at) <= quarterly_return.period.end
            ):
                breaches.append(f"{quarterly_return} submitted on {transition.at:%Y-%m-%d}, before its quarter ended")
        returned = [t for t in transitions if t.to_status == status.RETURNED]
        wanted = None
        if quarterly_return.status in (status.RETURNED, status.SUBMITTED) and returned:
            last = returned[-1]
            if last.from_status == status.SUBMITTED:  # sent back, not reopened
                wanted = lifecycle.resubmission_due_date(
                    due_date=quarterly_return.due_date, sent_back_on=timezone.localdate(last.at)
                )
        if quarterly_return.resubmission_due_date != wanted:
            breaches.append(
                f"{quarterly_return} ({quarterly_return.status}) resubmission date "
                f"{quarterly_return.resubmission_due_date}, not {wanted}"
            )
    return breaches
