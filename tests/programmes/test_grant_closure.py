"""Closing a grant through the back office: what it records, what it changes, who may, and when it is refused."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.test import override_settings
from django.utils.html import escape
from wagtail.models import ModelLogEntry
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from funding.fiscal import FinancialYear, Quarter
from funding.models import Allocation
from funding.money import gbp
from funding.roles import Role
from programmes.closure import (
    CLOSE_PAYMENTS_UNPAID,
    CLOSE_REASON_PREFIX,
    CLOSE_REASON_REQUIRED,
    GRANT_CLOSE_LOG_ACTION,
    grant_close,
)
from programmes.lifecycle import RETURN_FINAL
from programmes.models import (
    BudgetLine,
    BudgetProfile,
    Grant,
    GrantCharge,
    GrantClosure,
    GrantVariation,
    Payment,
    QuarterlyReturn,
)
from programmes.selectors import PAST_END_OPEN, PAST_END_READY
from programmes.services import GRANT_CLOSED, grant_activate, payment_create, return_approve, return_reminders_send
from reports.models import StreamGrantQuarter
from tests.admin_helpers import admin_url, grant_form_data
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

pytestmark = pytest.mark.django_db

TODAY = "2025-06-02"  # after the two-year grant below has ended
Y1, Y2 = FinancialYear(2023), FinancialYear(2024)
# Approved spend per quarter of each year: Caseworkers, Travel. The odd penny tests the split to the penny.
SPEND = {
    (2023, 1): ("7000.01", "2000.00"),
    (2023, 2): ("7000.00", "2000.00"),
    (2023, 3): ("7000.00", "2000.00"),
    (2023, 4): ("7000.00", "2000.00"),
    (2024, 1): ("6000.00", "1500.00"),
    (2024, 2): ("6000.00", "1500.00"),
    (2024, 3): ("6000.00", "1500.00"),
    (2024, 4): ("6000.00", "1500.00"),
}
FINAL_SPEND = gbp("66000.01")


def close_url(grant):
    return admin_url("outturn_grants", "close", grant.pk)


def inspect_url(grant):
    return admin_url("outturn_grants", "inspect", grant.pk)


def approve_returns(grant, officer, quarters=None):
    approver = UserFactory(organisation=grant.provider, roles=[Role.PROVIDER_APPROVER])
    for quarterly_return in grant.returns.order_by("financial_year", "quarter"):
        key = (quarterly_return.financial_year, quarterly_return.quarter)
        if quarters is not None and key not in quarters:
            continue
        caseworkers, travel = SPEND[key]
        submit(
            quarterly_return,
            approver,
            {"Caseworkers": caseworkers, "Travel": travel},
            explanations={"Caseworkers": "As agreed", "Travel": "As agreed"},
            forecast="0.00",
        )
        return_approve(quarterly_return=quarterly_return, user=officer)


@pytest.fixture
def streams():
    first = FundingStreamFactory(name="Serious Violence Duty", start_date=Y1.start, end_date=Y2.end)
    second = FundingStreamFactory(name="Core grants", start_date=Y1.start, end_date=Y2.end)
    AllocationFactory(stream=first, financial_year=2023, amount=gbp("100000.00"))
    AllocationFactory(stream=second, financial_year=2023, amount=gbp("50000.00"))
    AllocationFactory(stream=first, financial_year=2024, amount=gbp("100000.00"))
    return first, second


@pytest.fixture
def grant(streams, officer, finance_officer):
    """£80,000 over 2023/24 and 2024/25: the first year co-funded three to one, the second from one stream; £50,000
    paid; a payment planned after the end that nobody owes."""
    first, second = streams
    grant = GrantFactory(
        identifier="360G-T-CLOSE",
        amount=gbp("80000.00"),
        start_date=Y1.start,
        end_date=Y2.end,
        payment_mode=Grant.PaymentMode.IN_ARREARS,
    )
    GrantChargeFactory(grant=grant, stream=first, financial_year=2023, amount=gbp("30000.00"))
    GrantChargeFactory(grant=grant, stream=second, financial_year=2023, amount=gbp("10000.00"))
    GrantChargeFactory(grant=grant, stream=first, financial_year=2024, amount=gbp("40000.00"))
    BudgetLineFactory(grant=grant, name="Caseworkers", amount=gbp("60000.00"))
    BudgetLineFactory(
        grant=grant, name="Travel", amount=gbp("20000.00"), category="travel", cost_type=BudgetLine.CostType.NON_LABOUR
    )
    grant_activate(grant=grant, user=officer)
    payment_create(
        grant=grant,
        amount=gbp("50000.00"),
        date=datetime.date(2024, 10, 10),
        status=Payment.Status.PAID,
        reference="LEDGER-CLOSE-1",
        user=finance_officer,
        quarter=Quarter(Y2, 2),
    )
    return Grant.objects.get(pk=grant.pk)


@pytest.fixture
def finished(grant, officer):
    approve_returns(grant, officer)
    Payment.objects.create(
        grant=grant, amount=gbp("5000.00"), date=datetime.date(2025, 5, 1), financial_year=2025, quarter=1
    )
    return grant


def committed(client, year: FinancialYear) -> dict[str, Decimal]:
    response = client.get(f"/admin/dashboards/?year={year.start_year}")
    assert response.status_code == 200
    return {row.stream.name: row.figures.committed.amount for row in response.context["overview"].rows}


def assert_invariants(grant):
    charges = list(GrantCharge.objects.filter(grant=grant))
    lines = list(BudgetLine.objects.filter(grant=grant))
    assert sum(c.amount.amount for c in charges) == grant.amount.amount
    assert sum(line.amount.amount for line in lines) == grant.amount.amount
    profile_by_year = defaultdict(Decimal)
    for line in lines:
        rows = list(BudgetProfile.objects.filter(budget_line=line))
        assert sum(row.amount.amount for row in rows) == line.amount.amount
        for row in rows:
            profile_by_year[row.financial_year] += row.amount.amount
    charged_by_year = defaultdict(Decimal)
    for charge in charges:
        charged_by_year[charge.financial_year] += charge.amount.amount
    assert {y: v for y, v in profile_by_year.items() if v} == dict(charged_by_year)


# --- Closing ------------------------------------------------------------------------------------------------------


@override_settings(OUTTURN_TODAY=TODAY)
def test_an_officer_closes_a_finished_grant_and_its_money_comes_down_to_what_was_spent(
    officer_client, officer, finished, streams
):
    grant = finished
    before_2023, before_2024 = committed(officer_client, Y1), committed(officer_client, Y2)

    inspect = officer_client.get(inspect_url(grant)).content.decode()
    assert f'href="{close_url(grant)}"' in inspect
    confirm = officer_client.get(close_url(grant))
    assert confirm.status_code == 200
    html = confirm.content.decode()
    for figure in ("£80,000.00", "£66,000.01", "£13,999.99", "£27,000.01", "£9,000.00", "£30,000.00", "£5,000.00"):
        assert figure in html, figure
    assert "Planned payments that closing cancels" in html

    response = officer_client.post(close_url(grant), {"reason": "Delivered; the second year cost less than planned"})
    assert response.status_code == 302 and response.url == inspect_url(grant)

    grant.refresh_from_db()
    assert (grant.status, grant.amount) == (Grant.Status.CLOSED, FINAL_SPEND)
    closure = GrantClosure.objects.get(grant=grant)
    assert closure.amount_before == gbp("80000.00")
    assert closure.final_spend == FINAL_SPEND
    assert closure.underspend == gbp("13999.99")
    assert closure.to_recover == gbp("0.00")
    assert closure.released == gbp("13999.99")
    assert (closure.closed_by, closure.reason) == (officer, "Delivered; the second year cost less than planned")

    # Each year's charges are that year's approved spend, shared by the year's charges to the penny.
    first, second = streams
    charges = {(c.stream_id, c.financial_year): c.amount for c in GrantCharge.objects.filter(grant=grant)}
    assert charges == {
        (first.pk, 2023): gbp("27000.01"),
        (second.pk, 2023): gbp("9000.00"),
        (first.pk, 2024): gbp("30000.00"),
    }
    lines = {line.name: line.amount for line in BudgetLine.objects.filter(grant=grant)}
    assert lines == {"Caseworkers": gbp("52000.01"), "Travel": gbp("14000.00")}
    q1 = BudgetProfile.objects.get(
        budget_line__grant=grant, budget_line__name="Caseworkers", financial_year=2023, quarter=1
    )
    assert q1.amount == gbp("7000.01")
    assert_invariants(grant)
    assert not Payment.objects.filter(grant=grant, status=Payment.Status.PLANNED).exists()
    assert Payment.objects.filter(grant=grant, status=Payment.Status.PAID).count() == 1

    # The history: a variation with the values before and after, and the audit log entry.
    variation = GrantVariation.objects.get(grant=grant)
    assert variation.reason == CLOSE_REASON_PREFIX + "Delivered; the second year cost less than planned"
    assert (variation.before["amount"], variation.after["amount"]) == ("80000.00", "66000.01")
    entry = ModelLogEntry.objects.get(action=GRANT_CLOSE_LOG_ACTION, object_id=str(grant.pk))
    assert entry.data["released"] == "13999.99" and entry.data["cancelled_payments"] == [["5000.00", "Q1 2025/26"]]
    history = officer_client.get(admin_url("outturn_grants", "history", grant.pk)).content.decode()
    assert "Closed: final spend £66,000.01" in history

    # The closed grant's page shows the closure, and no button to close it again.
    page = officer_client.get(inspect_url(grant)).content.decode()
    assert "Closed by" in page and "Delivered; the second year cost less than planned" in page
    assert "£13,999.99" in page and close_url(grant) not in page

    # The summary rows count the final spend, and the streams' committed figures fall by exactly the released money.
    rows = StreamGrantQuarter.objects.filter(grant=grant).aggregate(
        profiled=Sum("profiled"), spent=Sum("spent"), outturn=Sum("outturn"), paid=Sum("paid")
    )
    assert rows == {
        "profiled": Decimal("66000.01"),
        "spent": Decimal("66000.01"),
        "outturn": Decimal("66000.01"),
        "paid": Decimal("50000.00"),
    }
    after_2023, after_2024 = committed(officer_client, Y1), committed(officer_client, Y2)
    fall = {
        (year, stream): before[stream] - after[stream]
        for year, before, after in ((2023, before_2023, after_2023), (2024, before_2024, after_2024))
        for stream in before
    }
    assert fall == {
        (2023, "Serious Violence Duty"): Decimal("2999.99"),
        (2023, "Core grants"): Decimal("1000.00"),
        (2024, "Serious Violence Duty"): Decimal("10000.00"),
    }
    assert sum(fall.values()) == closure.released.amount


@override_settings(OUTTURN_TODAY="2024-05-15")
def test_paid_beyond_the_final_spend_is_to_recover_and_only_the_unpaid_rest_is_released(
    officer, finance_officer, officer_client
):
    grant = funded_grant(amount="40000.00", payment_mode=Grant.PaymentMode.IN_ADVANCE)
    grant_activate(grant=grant, user=officer)
    line = grant.budget_lines.get()
    approver = UserFactory(organisation=grant.provider, roles=[Role.PROVIDER_APPROVER])
    for quarterly_return in grant.returns.all():
        submit(quarterly_return, approver, {line.name: "7500.00"}, explanations={line.name: "Slow start"})
        return_approve(quarterly_return=quarterly_return, user=officer)
    payment_create(
        grant=grant,
        amount=gbp("35000.00"),
        date=datetime.date(2023, 4, 3),
        status=Payment.Status.PAID,
        reference="LEDGER-ADV-1",
        user=finance_officer,
    )
    response = officer_client.post(close_url(grant), {"reason": "Ended; the provider repays the advance not spent"})
    assert response.status_code == 302
    closure = GrantClosure.objects.get(grant=grant)
    assert (closure.final_spend, closure.underspend) == (gbp("30000.00"), gbp("10000.00"))
    assert (closure.to_recover, closure.released) == (gbp("5000.00"), gbp("5000.00"))
    assert closure.underspend == closure.released + closure.to_recover
    grant.refresh_from_db()
    assert_invariants(grant)
    # Paid £35,000 on a grant now of £30,000: flagged, with the recovery closing recorded as its reason.
    limits = officer_client.get("/admin/dashboards/limits-passed/").context["limits"]
    recovery = "£5,000.00 to recover from the provider on closing"
    assert {(item["limit"].label, tuple(item["limit"].reasons)) for item in limits} == {
        ("Payments past a grant's amount", (recovery,)),
        ("Paid past the year's commitment", (recovery,)),
    }


@override_settings(OUTTURN_TODAY=TODAY)
def test_a_year_with_no_spend_loses_its_charges(officer, grant):
    approve_returns(grant, officer, quarters=[k for k in SPEND if k[0] == 2023])
    for quarterly_return in grant.returns.filter(financial_year=2024):
        approver = UserFactory(organisation=grant.provider, roles=[Role.PROVIDER_APPROVER])
        submit(
            quarterly_return,
            approver,
            {"Caseworkers": "0.00", "Travel": "0.00"},
            explanations={"Caseworkers": "Paused", "Travel": "Paused"},
            forecast="0.00",
        )
        return_approve(quarterly_return=quarterly_return, user=officer)
    grant_close(grant=grant, user=officer, reason="The second year did not go ahead")
    grant.refresh_from_db()
    assert grant.amount == gbp("36000.01")
    assert set(GrantCharge.objects.filter(grant=grant).values_list("financial_year", flat=True)) == {2023}
    assert_invariants(grant)
    closure = grant.closure
    assert (closure.to_recover, closure.released) == (gbp("13999.99"), gbp("30000.00"))
    # The payment made in 2024/25 still counts there, shared by the grant's charges over all years.
    paid = StreamGrantQuarter.objects.filter(grant=grant, financial_year=2024).aggregate(paid=Sum("paid"))["paid"]
    assert paid == Decimal("50000.00")


# --- Refusals -----------------------------------------------------------------------------------------------------


def unchanged(grant, amount="80000.00"):
    grant.refresh_from_db()
    assert (grant.status, grant.amount) == (Grant.Status.ACTIVE, gbp(amount))
    assert not GrantClosure.objects.filter(grant=grant).exists()
    assert not GrantVariation.objects.filter(grant=grant).exists()
    assert not ModelLogEntry.objects.filter(action=GRANT_CLOSE_LOG_ACTION).exists()


@override_settings(OUTTURN_TODAY=TODAY)
def test_closing_is_refused_while_a_return_is_open_naming_the_quarters(officer_client, officer, grant):
    approve_returns(grant, officer, quarters=[k for k in SPEND if k != (2024, 4) and k != (2024, 3)])
    q3 = grant.returns.get(financial_year=2024, quarter=3)
    approver = UserFactory(organisation=grant.provider, roles=[Role.PROVIDER_APPROVER])
    submit(
        q3, approver, {"Caseworkers": "6000.00", "Travel": "1500.00"}, explanations={"Caseworkers": "x", "Travel": "x"}
    )
    html = officer_client.get(close_url(grant)).content.decode()
    assert "Q3 2024/25 is submitted" in html and "Q4 2024/25 is not started" in html
    assert "Close the grant</button>" not in html  # nothing to confirm yet
    response = officer_client.post(close_url(grant), {"reason": "Trying anyway"})
    assert response.status_code == 200
    assert "Every return must be approved before the grant can be closed" in response.content.decode()
    assert "Q4 2024/25 is not started" in response.content.decode()
    unchanged(grant)


@override_settings(OUTTURN_TODAY=TODAY)
def test_closing_is_refused_where_a_year_spent_more_than_its_stream_can_take(officer_client, finished, streams):
    first, _ = streams
    # The first year charged £20,000 to the first stream (and £10,000 to the second) but spent £36,000.01: closing
    # would raise the first stream's charge to £24,000.01, past an allocation of £21,000 with no override recorded.
    GrantCharge.objects.filter(grant=finished, stream=first, financial_year=2023).update(amount=gbp("20000.00"))
    GrantCharge.objects.filter(grant=finished, stream=first, financial_year=2024).update(amount=gbp("50000.00"))
    Allocation.objects.filter(stream=first, financial_year=2023).update(amount=gbp("21000.00"))
    problem = "Closing raises the 2023/24 charge to Serious Violence Duty to the £24,000.01 spent that year"
    html = officer_client.get(close_url(finished)).content.decode()
    assert problem in html
    assert "£4,000.01 more committed" in html
    response = officer_client.post(close_url(finished), {"reason": "Delivered."})
    assert response.status_code == 200
    assert problem in response.content.decode()
    unchanged(finished)


@override_settings(OUTTURN_TODAY=TODAY)
def test_closing_needs_a_reason(officer_client, finished):
    response = officer_client.post(close_url(finished), {"reason": "  "})
    assert response.status_code == 200
    assert CLOSE_REASON_REQUIRED in response.content.decode()
    unchanged(finished)


@override_settings(OUTTURN_TODAY=TODAY)
def test_closing_waits_for_a_payment_finance_approved_but_has_not_paid(officer_client, finished):
    Payment.objects.create(
        grant=finished,
        amount=gbp("16000.01"),
        date=datetime.date(2025, 5, 20),
        financial_year=2024,
        quarter=4,
        status=Payment.Status.APPROVED,
    )
    response = officer_client.post(close_url(finished), {"reason": "Done"})
    assert response.status_code == 200
    message = CLOSE_PAYMENTS_UNPAID.format(payments="£16,000.01 for Q4 2024/25")
    assert escape(message) in response.content.decode()
    unchanged(finished)
    assert Payment.objects.filter(grant=finished, status=Payment.Status.PLANNED).count() == 1  # not cancelled


@override_settings(OUTTURN_TODAY=TODAY)
@pytest.mark.parametrize("client_fixture", ["finance_client", "board_client"])
def test_only_a_commissioning_officer_may_close_a_grant(request, client_fixture, finished):
    client = request.getfixturevalue(client_fixture)
    assert close_url(finished) not in client.get(inspect_url(finished)).content.decode()
    assert client.get(close_url(finished)).status_code == 403
    assert client.post(close_url(finished), {"reason": "Forged"}).status_code == 403
    unchanged(finished)


@override_settings(OUTTURN_TODAY=TODAY)
def test_a_provider_cannot_close_its_own_grant(provider_client, provider_approver, officer, streams):
    grant = funded_grant(provider=provider_approver.organisation, stream=streams[0], year=2023)
    grant_activate(grant=grant, user=officer)
    response = provider_client.post(close_url(grant), {"reason": "Forged"})
    assert response.status_code == 302 and response.url == "/portal/"
    with pytest.raises(Exception, match="commissioning officer"):
        grant_close(grant=grant, user=provider_approver, reason="Forged")
    unchanged(grant, amount="40000.00")


# --- After closing ------------------------------------------------------------------------------------------------


def closed_grant(officer, spend="9000.00"):
    """A one-year £40,000 grant whose four returns are approved, closed."""
    grant = funded_grant(amount="40000.00", identifier="360G-T-CLOSED")
    grant_activate(grant=grant, user=officer)
    line = grant.budget_lines.get()
    approver = UserFactory(organisation=grant.provider, roles=[Role.PROVIDER_APPROVER])
    for quarterly_return in grant.returns.all():
        submit(quarterly_return, approver, {line.name: spend}, explanations={line.name: "Less needed"})
        return_approve(quarterly_return=quarterly_return, user=officer)
    grant_close(grant=grant, user=officer, reason="Done")
    return Grant.objects.get(pk=grant.pk)


@override_settings(OUTTURN_TODAY=TODAY)
def test_a_closed_grant_cannot_be_edited_varied_or_closed_again(officer_client, officer):
    grant = closed_grant(officer)
    charge, line = grant.charges.get(), grant.budget_lines.get()
    data = grant_form_data(
        provider=grant.provider,
        programme=grant.programme,
        identifier=grant.identifier,
        title="Renamed after closing",
        amount="40000.00",
        charges=[{"id": charge.pk, "stream": charge.stream, "financial_year": 2023, "amount": "40000.00"}],
        budget_lines=[{"id": line.pk, "name": line.name, "amount": "40000.00"}],
    )
    edit_url = admin_url("outturn_grants", "edit", grant.pk)
    response = officer_client.post(edit_url, data, follow=True)
    assert response.redirect_chain == [(inspect_url(grant), 302)]
    assert escape(GRANT_CLOSED) in response.content.decode()
    assert f'href="{edit_url}"' not in response.content.decode()  # no Edit button or link on a closed grant
    assert officer_client.get(edit_url).url == inspect_url(grant)
    grant.refresh_from_db()
    assert grant.title != "Renamed after closing"
    assert (grant.amount, grant.status, grant.returns.count()) == (gbp("36000.00"), Grant.Status.CLOSED, 4)
    profile = {"profile": inline_formset([{"financial_year": 2023, "quarter": 1, "amount_0": "36000.00"}])}
    response = officer_client.post(admin_url("outturn_budget_lines", "edit", line.pk), nested_form_data(profile))
    assert escape(GRANT_CLOSED) in response.content.decode()
    assert BudgetProfile.objects.filter(budget_line=line).count() == 4
    with pytest.raises(ValidationError, match="Only an active grant can be closed; this one is closed"):
        grant_close(grant=grant, user=officer, reason="Again")
    assert "cannot be closed" in officer_client.get(close_url(grant)).content.decode()


@override_settings(OUTTURN_TODAY=TODAY)
def test_a_closed_grants_returns_are_final_and_it_takes_no_more_planned_payments(
    officer_client, officer, finance_officer
):
    grant = closed_grant(officer)
    last = grant.returns.get(quarter=4)
    review_url = admin_url("outturn_review", "review", last.pk)
    assert officer_client.get(review_url).context["actions"] == []
    response = officer_client.post(review_url, {"action": "reopen", "reopen-reason": "Correct the spend."}, follow=True)
    assert escape(RETURN_FINAL.format(grant=grant.identifier)) in response.content.decode()
    last.refresh_from_db()
    assert last.status == QuarterlyReturn.Status.APPROVED
    with pytest.raises(ValidationError, match="is closed: no more payments can be planned for it"):
        payment_create(grant=grant, amount=gbp("100.00"), date=datetime.date(2025, 6, 30), user=finance_officer)
    # What the ledger paid is still recorded: the money went out, and the limits flag it if it passes the amount.
    paid = payment_create(
        grant=grant,
        amount=gbp("100.00"),
        date=datetime.date(2025, 6, 1),
        user=finance_officer,
        status=Payment.Status.PAID,
        reference="LATE-1",
    )
    assert paid.status == Payment.Status.PAID


@override_settings(OUTTURN_TODAY=TODAY)
def test_a_closed_grant_gets_no_reminders(officer):
    grant = closed_grant(officer)
    # Even a return that somehow stands open again is not chased: reminders go to active grants only.
    QuarterlyReturn.objects.filter(grant=grant, quarter=4).update(status=QuarterlyReturn.Status.DRAFT)
    assert return_reminders_send(on=datetime.date(2024, 4, 20)) == []
    Grant.objects.filter(pk=grant.pk).update(status=Grant.Status.ACTIVE)  # were it active, it would be reminded
    assert len(return_reminders_send(on=datetime.date(2024, 4, 20))) == 1


# --- Grants past their end date -----------------------------------------------------------------------------------


def listed(response) -> set[int]:
    return {row.pk for row in response.context["object_list"]}


@override_settings(OUTTURN_TODAY=TODAY)
def test_grants_past_their_end_date_are_flagged_and_counted_on_the_first_screen(
    officer_client, officer, grant, streams
):
    approve_returns(grant, officer, quarters=[k for k in SPEND if k != (2024, 4)])  # one return still to approve
    ready = funded_grant(stream=streams[1], year=2023, amount="4000.00", identifier="360G-T-READY")
    grant_activate(grant=ready, user=officer)
    approver = UserFactory(organisation=ready.provider, roles=[Role.PROVIDER_APPROVER])
    line = ready.budget_lines.get().name
    for quarterly_return in ready.returns.all():
        submit(quarterly_return, approver, {line: "1000.00"})
        return_approve(quarterly_return=quarterly_return, user=officer)
    running = funded_grant(stream=streams[0], year=2025, identifier="360G-T-RUNNING")  # ends 31 March 2026
    grant_activate(grant=running, user=officer)

    home = officer_client.get("/admin/").content.decode()
    grants = admin_url("outturn_grants")
    ready_url, open_url = f"{grants}?past_end_date={PAST_END_READY}", f"{grants}?past_end_date={PAST_END_OPEN}"
    assert f'<a href="{ready_url}"><strong>1</strong> grant past its end date, ready to close</a>' in home
    assert f'<a href="{open_url}"><strong>1</strong> grant past its end date with returns to approve</a>' in home

    assert listed(officer_client.get(ready_url)) == {ready.pk}
    assert listed(officer_client.get(open_url)) == {grant.pk}
    listing = officer_client.get(grants).content.decode()
    assert "Past end date: ready to close" in listing
    assert "Past end date: 1 return to approve" in listing

    grant_close(grant=ready, user=officer, reason="Done")
    assert listed(officer_client.get(ready_url)) == set()
    assert (
        "<strong>0</strong> grants past their end date, ready to close"
        in officer_client.get("/admin/").content.decode()
    )
