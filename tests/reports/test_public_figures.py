"""The public site's figures: approved only, small counts of people suppressed so no part can be worked out,
money as DESIGN.md words it, and a fixed number of queries."""

import itertools
import random
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from funding.fiscal import FinancialYear, Quarter
from funding.models import Allocation
from funding.money import gbp
from programmes.models import Grant, Indicator, IndicatorValue
from programmes.services import (
    grant_activate,
    indicator_value_approve,
    indicator_value_record_office,
    return_approve,
    return_record_indicator,
)
from reports import public
from reports.suppression import Shown, suppress_group
from tests.cms.data import active_grant, approved_return, reopen, submitted_return
from tests.factories import (
    FundingStreamFactory,
    GrantChargeFactory,
    IndicatorFactory,
    ProgrammeFactory,
    TargetFactory,
    funded_grant,
)
from tests.return_helpers import submit

D = Decimal
Q1 = Quarter(FinancialYear(2023), 1)
NOW = timezone.now()


# --- Suppression, on its own -----------------------------------------------------------------------------------


def values(*numbers):
    return [None if n is None else D(n) for n in numbers]


def test_counts_from_1_to_4_are_small_and_zero_and_5_are_shown():
    group = suppress_group(values(0, 1, 4, 5), D(10) + D(100), limit=5)
    assert group.parts[:4] == [Shown.SHOWN, Shown.SMALL, Shown.SMALL, Shown.SHOWN]


def test_one_small_quarter_withholds_another_so_it_cannot_be_subtracted():
    group = suppress_group(values(3, 20, 21, 22), D(66), limit=5)
    assert group.parts == [Shown.SMALL, Shown.WITHHELD, Shown.SHOWN, Shown.SHOWN]
    assert group.total is Shown.SHOWN


def test_two_small_counts_that_could_be_pinned_down_withhold_a_third():
    # 4 + 4 = 8 with 40 shown: both small ones must be 4. Withholding the 40 leaves each anything from 1 to 4.
    group = suppress_group(values(4, 4, 40), D(48), limit=5)
    assert group.parts == [Shown.SMALL, Shown.SMALL, Shown.WITHHELD]


def test_two_small_counts_with_room_either_way_need_nothing_more():
    group = suppress_group(values(2, 3, 40), D(45), limit=5)
    assert group.parts == [Shown.SMALL, Shown.SMALL, Shown.SHOWN]


def test_when_no_part_can_protect_a_small_count_the_total_is_withheld():
    # 1 + 5 + 6 = 12: even withholding 5 and 6 (each known to be at least 5) leaves the 1 at most 2.
    group = suppress_group(values(1, 5, 6, 0), D(12), limit=5)
    assert group.total is Shown.WITHHELD


def test_a_small_total_is_itself_small():
    assert suppress_group(values(3, 0, None), D(3), limit=5).total is Shown.SMALL


def _feasible(parts, states, total, limit, index) -> set[int]:
    """Every value the hidden part at `index` could take, given the total and what each label says."""
    hidden = [i for i, s in enumerate(states) if s in (Shown.SMALL, Shown.WITHHELD)]
    hidden_sum = total - sum(parts[i] or 0 for i, s in enumerate(states) if s is Shown.SHOWN)
    bounds = {i: (1, limit - 1) if states[i] is Shown.SMALL else (limit, 10**6) for i in hidden}
    possible = set()
    for candidate in range(bounds[index][0], min(bounds[index][1], hidden_sum) + 1):
        rest = hidden_sum - candidate
        others = [bounds[i] for i in hidden if i != index]
        if sum(low for low, _ in others) <= rest <= sum(high for _, high in others):
            possible.add(candidate)
    return possible


@pytest.mark.parametrize("limit", [3, 5, 10])
def test_no_small_count_can_be_narrowed_in_any_group(limit):
    """Brute force over many groups: a reader knowing the total, the parts shown and the meaning of each label
    still finds every small count could be anything from 1 to limit − 1."""
    rng = random.Random(limit)
    groups = [[rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 12, 30]) for _ in range(rng.randint(1, 5))] for _ in range(400)]
    groups += [list(parts) for parts in itertools.product([0, 1, 4, 5, 9], repeat=3)]
    for parts in groups:
        total = sum(parts)
        group = suppress_group(values(*parts), D(total), limit=limit)
        if group.total is not Shown.SHOWN:
            continue
        for index, state in enumerate(group.parts):
            if state is Shown.SMALL:
                assert _feasible(parts, group.parts, total, limit, index) == set(range(1, limit)), parts


# --- Indicator figures from returns --------------------------------------------------------------------------


@pytest.fixture
def programme(db):
    return ProgrammeFactory(name="Navigator Programme")


@pytest.fixture
def referrals(programme):
    return IndicatorFactory(name="Referrals", programme=programme, counts_people=True, breakdown_by_age_band=True)


@pytest.fixture
def grant(officer, provider, programme):
    return active_grant(officer=officer, provider=provider, programme=programme)


def progress_of(indicator, **kwargs) -> public.IndicatorProgress:
    return public.indicator_progress_list([indicator], **kwargs)[0]


def texts(progress) -> dict[str, str]:
    return {quarter.label: figure.text for quarter, figure in zip(progress.quarters, progress.by_quarter, strict=True)}


def test_a_figure_counts_only_once_its_return_is_approved(grant, referrals, provider_approver, officer):
    submitted = submitted_return(grant, 1, provider_approver, {referrals: 61})
    assert not progress_of(referrals).has_figures

    approved_return(grant, 2, provider_approver, officer, {referrals: 40})
    assert texts(progress_of(referrals)) == {"Q2 2023/24": "40"}

    return_approve(quarterly_return=submitted, user=officer)
    progress = progress_of(referrals)
    assert texts(progress) == {"Q1 2023/24": "61", "Q2 2023/24": "40"}
    assert progress.years[0].total.text == "101"
    assert progress.updated is not None


def test_a_reopened_return_leaves_until_approved_again_and_is_then_revised(
    grant, referrals, provider_approver, officer
):
    first = approved_return(grant, 1, provider_approver, officer, {referrals: 61})
    approved_return(grant, 2, provider_approver, officer, {referrals: 40})
    reopen(first, officer)

    progress = progress_of(referrals)
    assert texts(progress) == {"Q2 2023/24": "40"}
    assert [quarter.label for quarter in public.withdrawn_quarters(grant.programme)] == ["Q1 2023/24"]

    return_record_indicator(quarterly_return=first, indicator=referrals, user=provider_approver, value=D(58))
    first.refresh_from_db()
    submit(first, provider_approver, {line.name: "5000.00" for line in grant.budget_lines.all()})
    return_approve(quarterly_return=first, user=officer)

    progress = progress_of(referrals)
    assert texts(progress)["Q1 2023/24"] == "58"
    assert [quarter.label for quarter, _ in progress.revised_quarters] == ["Q1 2023/24"]
    assert public.withdrawn_quarters(grant.programme) == []


def test_small_quarters_are_suppressed_with_a_second_quarter_withheld(grant, referrals, provider_approver, officer):
    for quarter, figure in ((1, 3), (2, 20), (3, 21), (4, 22)):
        approved_return(grant, quarter, provider_approver, officer, {referrals: figure})
    progress = progress_of(referrals)
    assert texts(progress) == {
        "Q1 2023/24": "fewer than 5",
        "Q2 2023/24": "not shown",
        "Q3 2023/24": "21",
        "Q4 2023/24": "22",
    }
    assert progress.years[0].total.text == "66"
    chart = progress.chart()
    assert chart.series[0].values[:2] == (None, None)  # nothing withheld reaches the chart or its CSV
    assert chart.table().rows[0][1] == "fewer than 5"


@override_settings(PUBLIC_SMALL_COUNT_THRESHOLD=10)
def test_the_threshold_is_a_setting(grant, referrals, provider_approver, officer):
    approved_return(grant, 1, provider_approver, officer, {referrals: 7})
    approved_return(grant, 2, provider_approver, officer, {referrals: 0})
    assert texts(progress_of(referrals))["Q1 2023/24"] == "fewer than 10"


def test_office_dashboards_read_small_counts_unsuppressed(grant, referrals, provider_approver, officer):
    approved_return(grant, 1, provider_approver, officer, {referrals: 3})
    approved_return(grant, 2, provider_approver, officer, {referrals: 20})
    assert texts(progress_of(referrals, suppress=False)) == {"Q1 2023/24": "3", "Q2 2023/24": "20"}


def test_counts_of_things_are_shown_as_they_are(grant, programme, provider_approver, officer):
    kits = IndicatorFactory(name="Kits placed", programme=programme, counts_people=False)
    approved_return(grant, 1, provider_approver, officer, {kits: 2})
    assert texts(progress_of(kits)) == {"Q1 2023/24": "2"}


def test_grants_delivering_one_programme_are_added_and_percentages_pool_their_parts(
    grant, programme, provider, provider_approver, officer
):
    rate = IndicatorFactory(
        name="Reduced risk", programme=programme, unit="percentage", aggregation="latest", counts_people=False
    )
    second = active_grant(officer=officer, provider=provider, programme=programme)
    approved_return(grant, 1, provider_approver, officer, {rate: (17, 20)})
    approved_return(second, 1, provider_approver, officer, {rate: (3, 80)})
    assert texts(progress_of(rate)) == {"Q1 2023/24": "20%"}  # 20 of 100, not the mean of 85% and 4%


def test_the_year_figure_follows_the_aggregation(grant, programme, provider_approver, officer):
    schools = IndicatorFactory(name="Schools", programme=programme, aggregation="latest", counts_people=False)
    approved_return(grant, 1, provider_approver, officer, {schools: 18})
    approved_return(grant, 2, provider_approver, officer, {schools: 29})
    year = progress_of(schools).years[0]
    assert year.total.text == "29"
    assert year.period_label == "2023/24, April to September"


def test_targets_are_the_programmes_own_else_its_grants_added_up(grant, programme, referrals, officer, provider):
    other = active_grant(officer=officer, provider=provider, programme=programme)
    TargetFactory(indicator=referrals, grant=grant, financial_year=2023, value=D(100))
    TargetFactory(indicator=referrals, grant=other, financial_year=2023, value=D(50))
    TargetFactory(indicator=referrals, grant=funded_grant(programme=programme), financial_year=2023, value=D(999))
    TargetFactory(indicator=referrals, grant=grant, financial_year=2024, value=D(80))
    TargetFactory(indicator=referrals, grant=None, programme=programme, financial_year=2024, value=D(120))
    for year, quarter in ((2023, 4), (2024, 1)):  # an approved figure in each year, so each year is listed
        IndicatorValue.objects.create(
            indicator=referrals, source="office", financial_year=year, quarter=quarter, value=D(9), approved_at=NOW
        )
    years = {year.financial_year.label: year.target for year in progress_of(referrals).years}
    assert years == {"2023/24": D(150), "2024/25": D(120)}  # the draft grant's target does not count


def test_a_breakdown_shows_what_was_not_broken_down_and_is_suppressed_as_a_group(
    grant, referrals, provider_approver, officer
):
    approved_return(
        grant,
        1,
        provider_approver,
        officer,
        {referrals: 61},
        breakdowns={referrals: ("age_band", {"10–13": 9, "14–15": 2, "16–17": 40})},
    )
    (breakdown,) = progress_of(referrals).years[0].breakdowns
    assert breakdown.label == "Age band"
    assert [(category, figure.text) for category, figure in breakdown.rows] == [
        ("10–13", "not shown"),
        ("14–15", "fewer than 5"),
        ("16–17", "40"),
        ("Not recorded", "10"),
    ]


def test_change_from_a_baseline_for_a_level(db, officer):
    parks = IndicatorFactory(
        name="Crimes in parks",
        programme=None,
        scope="population",
        aggregation="latest",
        direction="lower",
        counts_people=False,
        baseline_value=D(500),
        baseline_date="2021-12-31",
    )
    value = indicator_value_record_office(indicator=parks, quarter=Q1, user=officer, value=D(310))
    assert progress_of(parks).change_from_baseline is None  # not approved yet
    indicator_value_approve(indicator_value=value, user=officer)
    change = progress_of(parks).change_from_baseline
    assert (change.signed, change.words) == ("−38%", "38% lower")


def test_queries_do_not_grow_with_indicators_or_quarters(
    grant, programme, referrals, provider_approver, officer, django_assert_num_queries
):
    approved_return(grant, 1, provider_approver, officer, {referrals: 10})
    with django_assert_num_queries(3):
        public.indicator_progress_list([referrals])
    more = [IndicatorFactory(programme=programme, breakdown_by_sex=True) for _ in range(3)]
    for quarter in (2, 3, 4):
        approved_return(grant, quarter, provider_approver, officer, {referrals: 10, **dict.fromkeys(more, 7)})
    with django_assert_num_queries(3):
        public.indicator_progress_list([referrals, *more])


# --- Money -----------------------------------------------------------------------------------------------------


def test_co_funded_spend_is_split_in_proportion_to_the_years_charges(officer, provider, provider_approver):
    duty, pot = FundingStreamFactory(name="Duty"), FundingStreamFactory(name="Pot")
    grant = funded_grant(provider=provider, amount="40000.00", stream=duty)
    charge = grant.charges.get()
    charge.amount = gbp("30000.00")
    charge.save()
    Allocation.objects.create(stream=pot, financial_year=2023, amount=gbp("100000.00"))
    GrantChargeFactory(grant=grant, stream=pot, financial_year=2023, amount=gbp("10000.00"))
    grant_activate(grant=grant, user=officer)
    approved_return(grant, 1, provider_approver, officer, spend="8000.00")
    submitted_return(grant, 2, provider_approver, spend="9999.00")  # not approved: not spent

    rows = public.money_rows()
    by_stream = {stream: public.money_summary(rows, stream=stream) for stream in (duty, pot)}
    assert (by_stream[duty].invested, by_stream[duty].spent) == (gbp("30000.00"), gbp("6000.00"))
    assert (by_stream[pot].invested, by_stream[pot].spent) == (gbp("10000.00"), gbp("2000.00"))
    overall = public.money_summary(rows)
    assert (overall.invested, overall.spent) == (gbp("40000.00"), gbp("8000.00"))
    assert overall.invested_short == "£40k" and overall.spent_exact == "£8,000.00"
    assert by_stream[duty].allocated is not None


def test_draft_and_cancelled_grants_are_not_invested(db, officer):
    funded_grant(amount="5000.00")
    cancelled = funded_grant(amount="7000.00")
    Grant.objects.filter(pk=cancelled.pk).update(status=Grant.Status.CANCELLED)
    active_grant(officer=officer, amount="3000.00")
    assert public.money_summary(public.money_rows()).invested == gbp("3000.00")


def test_money_queries_do_not_grow_with_grants(officer, django_assert_num_queries):
    active_grant(officer=officer)
    with django_assert_num_queries(4):
        public.money_rows()
    for _ in range(4):
        active_grant(officer=officer, amount="1000.00")
    with django_assert_num_queries(4):
        rows = public.money_rows()
    assert public.money_summary(rows).invested == gbp("44000.00")
    assert len(public.programmes_funded(rows)) == 5


def test_indicator_kinds_in_order(programme):
    outcome = IndicatorFactory(programme=programme, kind=Indicator.Kind.OUTCOME)
    output = IndicatorFactory(programme=programme, kind=Indicator.Kind.OUTPUT)
    assert [p.indicator for p in public.indicator_progress_list([outcome, output])] == [outcome, output]
