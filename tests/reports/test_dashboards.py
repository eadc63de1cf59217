"""The office's dashboards through HTTP: each figure is checked against the base rows, summed here independently."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import override_settings

from funding.money import gbp, split_by_weight
from programmes.models import Payment
from programmes.services import grant_activate, payment_create, return_reopen
from reports.models import StreamGrantQuarter
from tests.factories import funded_grant
from tests.reports.estate import OVERVIEW, YEAR, independent_figures, returns_of

pytestmark = pytest.mark.django_db


def test_split_by_weight_shares_out_to_the_penny_and_adds_up():
    shares = split_by_weight(Decimal("100.00"), {1: Decimal(1), 2: Decimal(1), 3: Decimal(1)})
    assert shares == {1: Decimal("33.34"), 2: Decimal("33.33"), 3: Decimal("33.33")}
    uneven = split_by_weight(Decimal("1234.57"), {7: Decimal("24000"), 9: Decimal("12000.00")})
    assert sum(uneven.values()) == Decimal("1234.57")
    assert uneven == {7: Decimal("823.05"), 9: Decimal("411.52")}


@override_settings(OUTTURN_TODAY="2024-11-15")
def test_overview_figures_equal_the_base_rows_and_the_totals_add_up(officer_client, estate):
    response = officer_client.get(f"{OVERVIEW}?year=2024")
    assert response.status_code == 200
    overview = response.context["overview"]
    by_stream = {row.stream: row.figures for row in overview.rows}
    for stream in (estate["first"], estate["second"]):
        expected = independent_figures(stream, datetime.date(2024, 11, 15))
        figures = by_stream[stream]
        assert {name: getattr(figures, name).amount for name in expected} == expected, stream
    assert by_stream[estate["first"]].allocated == gbp("100000.00")
    # Q1 of the shared grant: 9,000 approved, two-thirds to the first stream; the single grant's 4,500 all to it.
    assert by_stream[estate["first"]].spent == gbp("10500.00")
    assert by_stream[estate["second"]].spent == gbp("3000.00")
    assert by_stream[estate["first"]].submitted == gbp("6000.00")
    assert by_stream[estate["first"]].spent_labour == gbp("8700.00")  # 6,300 × ⅔ + 4,500 (a staff line)
    for name in ("allocated", "committed", "paid", "spent", "submitted", "outturn"):
        assert getattr(overview.total, name) == sum((getattr(f, name) for f in by_stream.values()), gbp(0))
    html = response.content.decode()
    assert "£10,500.00" in html
    assert overview.elapsed_percent == Decimal("62.7")  # 229 of 365 days


@override_settings(OUTTURN_TODAY="2024-11-15")
def test_each_stream_figure_is_the_sum_of_its_grants_and_each_grant_of_its_quarters(officer_client, estate):
    first = estate["first"]
    overview = officer_client.get(f"{OVERVIEW}?year=2024").context["overview"]
    stream_row = next(row for row in overview.rows if row.stream == first)
    detail = officer_client.get(f"/admin/dashboards/streams/{first.pk}/2024/").context["detail"]
    assert [row.grant.identifier for row in detail.grants] == ["360G-T-SHARED", "360G-T-SINGLE"]
    for name in ("committed", "paid", "spent", "submitted", "outturn", "profiled"):
        assert sum((getattr(row.figures, name) for row in detail.grants), gbp(0)) == getattr(stream_row.figures, name)

    response = officer_client.get(f"/admin/dashboards/grants/{estate['shared'].pk}/")
    quarters = response.context["quarters"]
    (year,) = quarters.years
    assert [str(row.quarter) for row in year.rows] == [str(q) for q in YEAR.quarters]
    assert [row.quarterly_return.status for row in year.rows][:2] == ["approved", "submitted"]
    assert year.rows[0].figures.spent == gbp("9000.00")
    assert year.rows[1].figures.submitted == gbp("9000.00")
    # After an approved Q1 the provider's forecasts (3,000 a line) replace the profile for Q2 to Q4.
    assert year.rows[1].figures.outturn == gbp("6000.00")
    assert year.total.outturn == gbp("9000.00") + 3 * gbp("6000.00")
    for name in ("profiled", "paid", "spent", "submitted", "outturn"):
        assert getattr(year.total, name) == sum((getattr(row.figures, name) for row in year.rows), gbp(0))
    html = response.content.decode()
    review_url = f"/admin/returns/review/{returns_of(estate['shared'])[1].pk}/"
    assert review_url in html


@override_settings(OUTTURN_TODAY="2024-11-15")
def test_every_overview_figure_links_to_the_rows_that_make_it_up(officer_client, estate):
    first = estate["first"]
    html = officer_client.get(f"{OVERVIEW}?year=2024").content.decode()
    paid_url = f"/admin/returns/payments/?status=paid&amp;stream={first.pk}&amp;financial_year=2024"
    assert paid_url in html
    payments = officer_client.get(paid_url.replace("&amp;", "&")).context["object_list"]
    assert [p.reference for p in payments] == ["LEDGER-1"]
    spent_url = f"/admin/returns/quarterly-returns/?status=approved&amp;stream={first.pk}&amp;financial_year=2024"
    assert spent_url in html
    approved = officer_client.get(spent_url.replace("&amp;", "&")).context["object_list"]
    assert sorted(r.grant.identifier for r in approved) == ["360G-T-SHARED", "360G-T-SINGLE"]
    assert f"/admin/dashboards/streams/{first.pk}/2024/" in html


def test_reopening_a_return_takes_its_spend_off_the_dashboards_and_approving_puts_it_back(
    officer_client, officer, estate
):
    first = returns_of(estate["single"])[1]
    url = f"/admin/dashboards/streams/{estate['first'].pk}/2024/"
    assert officer_client.get(url).context["detail"].stream_year.figures.spent == gbp("10500.00")
    return_reopen(quarterly_return=first, user=officer, reason="The travel figure is wrong.")
    assert officer_client.get(url).context["detail"].stream_year.figures.spent == gbp("6000.00")
    rows_before = set(StreamGrantQuarter.objects.values_list("grant", "stream", "quarter", "spent", "outturn"))
    call_command("rebuild_figures", verbosity=0)
    assert set(StreamGrantQuarter.objects.values_list("grant", "stream", "quarter", "spent", "outturn")) == rows_before


@override_settings(OUTTURN_TODAY="2024-11-15")
def test_flags_explain_underspend_risk_overspend_overrides_and_overdue_returns(
    officer_client, officer, finance_officer, estate
):
    def flags(stream):
        overview = officer_client.get(f"{OVERVIEW}?year=2024").context["overview"]
        row = next(row for row in overview.rows if row.stream == stream)
        return row, {flag.label: flag.explanation for flag in row.flags}

    # In Q3 the first stream forecasts 37,800 of 100,000: the shared grant's 27,000 × ⅔ and the single's
    # 4,500 approved plus 3 × 5,100 forecast. The single grant's Q2 return was due on 31 October.
    row, labels = flags(estate["first"])
    assert row.figures.outturn == gbp("37800.00")
    assert labels == {
        "Underspend risk": "Forecast outturn is 37.8% of the allocation: £62,200.00 may be unspent on 31 March "
        "2025, and cannot be carried into the next year.",
        "Overdue returns": "1 return overdue for 2024/25.",
    }

    over = funded_grant(amount="60000.00", year=2024, stream=estate["second"], identifier="360G-T-OVER")
    over.charges.update(override_reason="Over-programmed on purpose: Q3 underspend elsewhere.")
    grant_activate(grant=over, user=officer)
    payment_create(
        grant=estate["single"],
        amount=gbp("15000.00"),
        date=datetime.date(2024, 11, 1),
        status=Payment.Status.PAID,
        reference="LEDGER-2",
        override_reason="The ledger paid twice; recovery agreed.",
        user=finance_officer,
    )
    row, labels = flags(estate["second"])
    assert row.figures.committed == gbp("72000.00")
    assert labels["Committed past allocation"] == (
        "Commitments to Core grants in 2024/25 come to £72,000.00, £22,000.00 more than the allocation of "
        "£50,000.00. Recorded: 360G-T-OVER: Over-programmed on purpose: Q3 underspend elsewhere."
    )
    assert labels["Overspend"] == "Forecast outturn is £19,000.00 more than the allocation."  # 60,000 + 9,000
    assert "Underspend risk" not in labels
    _, labels = flags(estate["first"])
    # 5,000 paid, 5,000 planned and 15,000 paid by override: 25,000 on a grant of 20,000.
    assert labels["Payments past a grant's amount"] == (
        "Payments on 360G-T-SINGLE, planned and made, come to £25,000.00, £5,000.00 more than its amount of "
        "£20,000.00. Recorded: The ledger paid twice; recovery agreed."
    )


@override_settings(OUTTURN_TODAY="2024-06-15")
def test_no_underspend_risk_before_the_third_quarter(officer_client, estate):
    overview = officer_client.get(f"{OVERVIEW}?year=2024").context["overview"]
    assert all(flag.kind != "underspend" for row in overview.rows for flag in row.flags)
