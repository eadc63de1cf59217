"""Whatever can pass a limit is flagged in words on the dashboards, the drill-down and the first screen."""

import datetime

import pytest
from django.test import override_settings

from funding.fiscal import FinancialYear, Quarter
from funding.models import Allocation
from funding.money import gbp
from funding.roles import Role
from programmes.models import Payment, QuarterlyReturn
from programmes.services import grant_activate, payment_create, return_approve
from tests.factories import BudgetLineFactory, FundingStreamFactory, GrantChargeFactory, GrantFactory, UserFactory
from tests.return_helpers import submit

pytestmark = pytest.mark.django_db

FIRST = FinancialYear(2023)


@pytest.fixture
def overspent_year(officer, finance_officer):
    """A two-year grant charging £10,000 to 2023/24 and £30,000 to 2024/25 whose provider reports £12,000 spent
    in its first quarter, approved, and is paid it for that quarter."""
    stream = FundingStreamFactory(name="Serious Violence Duty", start_date=FIRST.start, end_date=(FIRST + 1).end)
    for year in (2023, 2024):
        Allocation.objects.create(stream=stream, financial_year=year, amount=gbp("100000.00"))
    grant = GrantFactory(
        amount=gbp("40000.00"), start_date=FIRST.start, end_date=(FIRST + 1).end, identifier="360G-T-AHEAD"
    )
    GrantChargeFactory(grant=grant, stream=stream, financial_year=2023, amount=gbp("10000.00"))
    GrantChargeFactory(grant=grant, stream=stream, financial_year=2024, amount=gbp("30000.00"))
    line = BudgetLineFactory(grant=grant, name="Caseworkers", amount=gbp("40000.00"))
    grant_activate(grant=grant, user=officer)
    approver = UserFactory(organisation=grant.provider, roles=[Role.PROVIDER_APPROVER])
    first = QuarterlyReturn.objects.get(grant=grant, financial_year=2023, quarter=1)
    submit(first, approver, {line.name: "12000.00"}, explanations={line.name: "Summer caseload came early."})
    return_approve(quarterly_return=first, user=officer)
    payment_create(
        grant=grant,
        amount=gbp("12000.00"),
        date=datetime.date(2023, 7, 20),
        status=Payment.Status.PAID,
        reference="LEDGER-AHEAD",
        user=finance_officer,
        quarter=Quarter(FIRST, 1),
    )
    return {"grant": grant, "stream": stream}


@override_settings(OUTTURN_TODAY="2023-08-15")
def test_spend_and_payments_past_a_years_commitment_are_flagged_on_the_overview_and_drill_down(
    officer_client, overspent_year
):
    stream, grant = overspent_year["stream"], overspent_year["grant"]
    overview = officer_client.get("/admin/dashboards/?year=2023")
    (row,) = overview.context["overview"].rows
    labels = {flag.label: flag.explanation for flag in row.flags}
    assert labels["Spent past the year's commitment"] == (
        "360G-T-AHEAD reported spending £12,000.00 for 2023/24, £2,000.00 more than the £10,000.00 it charges to "
        "streams that year. No reason is recorded."
    )
    assert labels["Paid past the year's commitment"].startswith("360G-T-AHEAD was paid £12,000.00 for 2023/24")
    assert "Spent past the year&#x27;s commitment" in overview.content.decode()

    detail = officer_client.get(f"/admin/dashboards/streams/{stream.pk}/2023/").content.decode()
    assert "Spent past the year&#x27;s commitment" in detail
    assert "£2,000.00 more than the £10,000.00" in detail

    # The next year is within its commitment: nothing to flag there.
    (next_row,) = officer_client.get("/admin/dashboards/?year=2024").context["overview"].rows
    assert not [flag for flag in next_row.flags if flag.kind == "override"]

    quarters = officer_client.get(f"/admin/dashboards/grants/{grant.pk}/").content.decode()
    assert "Paid past the year&#x27;s commitment" in quarters and "£2,000.00 more than the £10,000.00" in quarters

    limits = officer_client.get("/admin/dashboards/limits-passed/")
    assert [(item["limit"].label, item["limit"].concerns) for item in limits.context["limits"]] == [
        ("Paid past the year's commitment", "360G-T-AHEAD"),
        ("Spent past the year's commitment", "360G-T-AHEAD"),
    ]
    assert f'href="/admin/dashboards/grants/{grant.pk}/"' in limits.content.decode()

    home = officer_client.get("/admin/").content.decode()
    assert (
        '<a href="/admin/dashboards/limits-passed/"><strong>2</strong> limits passed</a> in any year, '
        "2 with no reason recorded." in home
    )


def test_the_limits_page_is_for_the_roles_that_read_dashboards(client, content_editor, provider_approver):
    for user in (content_editor, provider_approver):
        client.force_login(user)
        assert client.get("/admin/dashboards/limits-passed/").status_code in (302, 403)
