"""Filling in and submitting a return through the services, as a provider does in the portal."""

from funding.money import gbp
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
