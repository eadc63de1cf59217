"""`generate_synthetic`: a large estate written in bulk that still keeps every rule the services enforce."""

import datetime
import io
from collections import defaultdict

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from djmoney.money import Money

from cms.models import HomePage, ProgrammePage
from funding.fiscal import FinancialYear, Quarter
from funding.models import Allocation, FundingStream, Organisation, User
from funding.money import gbp_sum
from programmes.models import (
    BudgetLine,
    BudgetProfile,
    Grant,
    GrantCharge,
    Indicator,
    IndicatorValue,
    Payment,
    Programme,
    QuarterlyReturn,
    ReturnTransition,
    SpendForecast,
    SpendLine,
    Target,
)
from programmes.services import return_missing_sections, spend_needs_explanation, today
from reports.models import StreamGrantQuarter
from tests.factories import funded_grant
from tests.return_helpers import lifecycle_breaches

pytestmark = pytest.mark.django_db
Status = QuarterlyReturn.Status


def generate(*args: str) -> str:
    output = io.StringIO()
    call_command("generate_synthetic", *args, stdout=output)
    return output.getvalue()


@pytest.fixture(scope="class")
def estate(django_db_setup, django_db_blocker):
    """Scale 0.5 (50 grants, enough for every status on any day) generated once for the class of tests that read
    it, in a transaction rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield generate("--scale", "0.5", "--seed", "3")
        transaction.set_rollback(True)


def test_row_counts_grow_with_the_scale():
    generate("--scale", "0.1")
    small = {model: model.objects.count() for model in (Grant, QuarterlyReturn, IndicatorValue, Payment, SpendLine)}
    generate("--scale", "0.2", "--replace")
    large = {model: model.objects.count() for model in small}
    assert (small[Grant], large[Grant]) == (10, 20)  # 100 grants at scale 1
    for model in (QuarterlyReturn, IndicatorValue, Payment, SpendLine):
        assert large[model] > small[model] * 1.4, model


def fingerprint() -> dict[str, list]:
    """The estate by natural keys (never primary keys, which a database hands out as it likes)."""
    return {
        "grants": sorted(
            Grant.objects.values_list(
                "identifier", "title", "provider__name", "programme__name", "amount", "start_date", "end_date", "status"
            )
        ),
        "charges": sorted(
            GrantCharge.objects.values_list("grant__identifier", "stream__name", "financial_year", "amount")
        ),
        "profiles": sorted(
            BudgetProfile.objects.values_list(
                "budget_line__grant__identifier", "budget_line__name", "financial_year", "quarter", "amount"
            )
        ),
        "returns": sorted(
            QuarterlyReturn.objects.values_list(
                "grant__identifier", "financial_year", "quarter", "status", "submitted_at", "approved_at", "progress"
            )
        ),
        "values": sorted(
            IndicatorValue.objects.values_list(
                "grant__identifier", "indicator__slug", "financial_year", "quarter", "category", "value", "numerator"
            ),
            key=str,
        ),
        "transitions": sorted(
            ReturnTransition.objects.values_list(
                "quarterly_return__grant__identifier",
                "quarterly_return__financial_year",
                "quarterly_return__quarter",
                "to_status",
                "at",
                "by__email",
            )
        ),
        "payments": sorted(
            Payment.objects.values_list("grant__identifier", "status", "amount", "date", "reference"), key=str
        ),
        "allocations": sorted(Allocation.objects.values_list("stream__name", "financial_year", "amount")),
    }


def test_the_same_seed_gives_the_same_estate_and_another_seed_another():
    generate("--scale", "0.2", "--seed", "11")
    first = fingerprint()
    generate("--scale", "0.2", "--seed", "11", "--replace")
    assert fingerprint() == first
    generate("--scale", "0.2", "--seed", "12", "--replace")
    assert fingerprint()["grants"] != first["grants"]


def test_it_refuses_a_database_that_has_data_and_changes_nothing(officer):
    funded_grant()
    before = {model: model.objects.count() for model in (Organisation, User, Grant, Programme, Indicator)}
    with pytest.raises(CommandError, match="already has data .*--replace"):
        generate("--scale", "0.1")
    assert {model: model.objects.count() for model in before} == before


def test_replace_deletes_the_estate_and_its_users_but_keeps_superusers(officer):
    funded_grant()
    admin = User.objects.create_superuser(
        email="admin@example.org", password="x", organisation=Organisation.objects.first()
    )
    output = generate("--scale", "0.1", "--replace")
    assert "--replace: deleted" in output and "programmes.Grant" in output
    assert not User.objects.filter(pk=officer.pk).exists()
    admin.refresh_from_db()
    assert admin.organisation is None
    assert not Grant.objects.exclude(identifier__startswith="360G-SYNTH-").exists()
    assert Grant.objects.count() == 10


def test_replace_stops_where_the_public_site_shows_the_data(officer):
    grant = funded_grant()
    HomePage.objects.get().add_child(instance=ProgrammePage(title="A programme", programme=grant.programme))
    with pytest.raises(CommandError, match="1 cms.ProgrammePage refer to it"):
        generate("--scale", "0.1", "--replace")
    assert list(Grant.objects.all()) == [grant]


def test_a_scale_must_be_more_than_nothing():
    with pytest.raises(CommandError, match="more than 0"):
        generate("--scale", "0")
    assert not Grant.objects.exists()


def test_every_figure_of_a_scale_one_estate_reconciles():
    generate("--scale", "1", "--seed", "1")
    output = io.StringIO()
    call_command("check_figures", stdout=output)
    assert output.getvalue() == "Every figure reconciles.\n"


class TestTheEstate:
    """One estate, read by every test of the class."""

    def test_it_says_what_it_wrote_and_how_long_it_took(self, estate):
        assert "Synthetic estate at scale 0.5 (seed 3, 50 grants)" in estate
        for label in ("programmes.Grant", "programmes.QuarterlyReturn", "programmes.IndicatorValue", "funding.User"):
            assert label in estate
        assert "rows in" in estate and "summary rows rebuilt" in estate

    def test_every_grant_adds_up(self, estate):
        charges, lines, profiles = defaultdict(list), defaultdict(list), defaultdict(list)
        for charge in GrantCharge.objects.all():
            charges[charge.grant_id].append(charge)
        for line in BudgetLine.objects.all():
            lines[line.grant_id].append(line)
        for row in BudgetProfile.objects.all():
            profiles[row.budget_line_id].append(row)
        co_funded = 0
        for grant in Grant.objects.all():
            assert gbp_sum(c.amount for c in charges[grant.pk]) == grant.amount, grant
            assert gbp_sum(line.amount for line in lines[grant.pk]) == grant.amount, grant
            years = {q.financial_year.start_year for q in grant.quarters}
            assert {c.financial_year for c in charges[grant.pk]} == years, grant
            for line in lines[grant.pk]:
                assert gbp_sum(row.amount for row in profiles[line.pk]) == line.amount, line
                assert {row.period for row in profiles[line.pk]} <= set(grant.quarters), line
            co_funded += any(len([c for c in charges[grant.pk] if c.financial_year == year]) == 2 for year in years)
            assert {line.cost_type for line in lines[grant.pk]} >= {BudgetLine.CostType.LABOUR}
        assert co_funded, "some grants are charged to two streams in a year"

    def test_streams_hold_their_charges_unless_an_officer_overrode(self, estate):
        allocations = {(a.stream_id, a.financial_year): a.amount for a in Allocation.objects.all()}
        committed, overridden = defaultdict(lambda: Money(0, "GBP")), set()
        for charge in GrantCharge.objects.exclude(grant__status=Grant.Status.CANCELLED):
            key = (charge.stream_id, charge.financial_year)
            assert key in allocations, "every charge has its stream's allocation for the year"
            committed[key] += charge.amount
            if charge.override_reason:
                assert charge.overridden_by_id and charge.overridden_at
                overridden.add(key)
        for key, amount in committed.items():
            assert amount <= allocations[key] or key in overridden, key
        for stream in FundingStream.objects.prefetch_related("allocations"):
            assert gbp_sum(a.amount for a in stream.allocations.all()) <= stream.total
            for allocation in stream.allocations.all():
                assert stream.start_date <= allocation.fy.start and allocation.fy.end <= stream.end_date

    def test_every_active_grant_has_a_return_for_each_quarter_due_when_the_rules_say(self, estate):
        by_grant = defaultdict(dict)
        for quarterly_return in QuarterlyReturn.objects.all():
            by_grant[quarterly_return.grant_id][quarterly_return.period] = quarterly_return
        for grant in Grant.objects.all():
            if grant.status in (Grant.Status.ACTIVE, Grant.Status.CLOSED):
                assert list(by_grant[grant.pk]) == grant.quarters, grant
                days = grant.return_due_days or settings.RETURN_DUE_DAYS_DEFAULT
                for quarter, quarterly_return in by_grant[grant.pk].items():
                    assert quarterly_return.due_date == quarter.end + datetime.timedelta(days=days)
            else:
                assert not by_grant[grant.pk], "a draft or cancelled grant has no returns"

    def test_statuses_spread_as_the_year_goes(self, estate):
        day = today()
        returns = list(QuarterlyReturn.objects.all())
        assert {r.status for r in returns} == set(Status.values)
        long_ago = [r for r in returns if r.due_date < day - datetime.timedelta(days=365)]
        assert sum(r.status == Status.APPROVED for r in long_ago) >= 0.9 * len(long_ago)
        future = [r for r in returns if r.period.start > day]
        assert future and all(r.status == Status.NOT_STARTED for r in future)
        assert QuarterlyReturn.objects.overdue(day).exists()
        assert QuarterlyReturn.objects.filter(status=Status.SUBMITTED).exists()

    def test_each_return_has_the_history_and_figures_its_status_needs(self, estate):
        last_transition = {}
        for transition in ReturnTransition.objects.order_by("at", "pk"):
            assert transition.at.date() < today()
            last_transition[transition.quarterly_return_id] = transition
        approved_at = {}
        for quarterly_return in QuarterlyReturn.objects.select_related("grant"):
            approved_at[quarterly_return.pk] = quarterly_return.approved_at
            if quarterly_return.status == Status.NOT_STARTED:
                assert quarterly_return.pk not in last_transition
                continue
            assert last_transition[quarterly_return.pk].to_status == quarterly_return.status
            if quarterly_return.status in (Status.SUBMITTED, Status.APPROVED):
                assert quarterly_return.submitted_at and quarterly_return.submitted_by_id
                assert return_missing_sections(quarterly_return=quarterly_return) == []
            assert (quarterly_return.approved_at is not None) == (quarterly_return.status == Status.APPROVED)
        for value in IndicatorValue.objects.filter(source=IndicatorValue.Source.RETURN):
            assert value.approved_at == approved_at[value.quarterly_return_id]

    def test_returns_keep_the_lifecycles_dates(self, estate):
        returns = list(QuarterlyReturn.objects.prefetch_related("transitions"))
        assert lifecycle_breaches(returns) == []
        assert any(r.status == Status.RETURNED and r.resubmission_due_date for r in returns)

    def test_figures_keep_the_indicator_rules(self, estate):
        totals, parts = {}, defaultdict(int)
        units = dict(Indicator.objects.values_list("pk", "unit"))
        for value in IndicatorValue.objects.all():
            if units[value.indicator_id] == Indicator.Unit.PERCENTAGE:
                assert value.value is None and 0 <= value.numerator <= value.denominator
                continue
            assert value.value is not None and value.value >= 0 and value.numerator is None
            key = (value.quarterly_return_id, value.indicator_id, value.grant_id)
            if value.breakdown:
                parts[(*key, value.breakdown)] += value.value
            else:
                totals[key] = value.value
        assert parts, "some counts are broken down"
        for (*key, _breakdown), added in parts.items():
            assert added == totals[tuple(key)]
        assert not Indicator.objects.filter(unit=Indicator.Unit.PERCENTAGE, aggregation="sum").exists()

    def test_spend_stays_within_the_grant_and_big_variances_are_explained(self, estate):
        planned = {
            (row.budget_line_id, row.financial_year, row.quarter): row.amount for row in BudgetProfile.objects.all()
        }
        spent = defaultdict(list)
        for line in SpendLine.objects.select_related("quarterly_return", "budget_line"):
            spent[line.quarterly_return.grant_id].append(line.actual)
            expected = planned.get(
                (line.budget_line_id, line.quarterly_return.financial_year, line.quarterly_return.quarter)
            )
            needs = spend_needs_explanation(actual=line.actual, planned=expected or Money(0, "GBP"))
            assert bool(line.variance_explanation) == needs
        for grant in Grant.objects.filter(pk__in=spent):
            assert gbp_sum(spent[grant.pk]) <= grant.amount
        for forecast in SpendForecast.objects.select_related("quarterly_return"):
            assert forecast.quarter > forecast.quarterly_return.quarter

    def test_payments_follow_the_profile_and_only_overrides_go_past_a_grant(self, estate):
        paid = defaultdict(list)
        for payment in Payment.objects.all():
            paid[payment.grant_id].append(payment)
            if payment.status == Payment.Status.PAID:
                assert payment.reference and payment.date < today()
            if payment.released_by_return_id:
                assert payment.released_by_return.status in (Status.APPROVED, Status.RETURNED)
        for grant in Grant.objects.filter(pk__in=paid):
            ordinary = [p.amount for p in paid[grant.pk] if not p.override_reason]
            assert gbp_sum(ordinary) == grant.amount, grant
        assert Payment.objects.filter(status=Payment.Status.PAID).exists()
        assert Payment.objects.filter(status=Payment.Status.PLANNED).exists()

    def test_a_sample_of_every_kind_of_row_passes_full_clean(self, estate):
        excluded = {Grant: ["areas"], Programme: ["areas"], FundingStream: ["allocations"]}
        for model in (
            Organisation,
            User,
            FundingStream,
            Allocation,
            Programme,
            Indicator,
            Grant,
            GrantCharge,
            BudgetLine,
            BudgetProfile,
            Target,
            QuarterlyReturn,
            ReturnTransition,
            SpendLine,
            SpendForecast,
            IndicatorValue,
            Payment,
        ):
            rows = list(model.objects.order_by("pk")[:40]) + list(model.objects.order_by("-pk")[:40])
            assert rows, model
            for row in rows:
                row.full_clean(exclude=excluded.get(model))

    def test_the_summary_rows_are_rebuilt(self, estate):
        counted = Grant.objects.filter(status__in=(Grant.Status.ACTIVE, Grant.Status.CLOSED))
        assert set(StreamGrantQuarter.objects.values_list("grant_id", flat=True).distinct()) == set(
            counted.values_list("pk", flat=True)
        )

    def test_it_marks_what_it_made_as_demo_data(self, estate):
        for model in (FundingStream, Programme, Indicator, Grant, Payment):
            assert not model.objects.filter(is_demo=False).exists(), model

    def test_it_covers_five_years_to_the_current_one_with_office_figures_and_targets(self, estate):
        current = FinancialYear.from_date(today())
        years = set(QuarterlyReturn.objects.values_list("financial_year", flat=True))
        assert set(range(current.start_year - 4, current.start_year + 1)) <= years
        office = IndicatorValue.objects.filter(source=IndicatorValue.Source.OFFICE, grant__isnull=True)
        assert office.filter(approved_at__isnull=False).exists()
        last = Quarter.from_date(today()).previous()
        assert (
            not office.filter(financial_year=last.financial_year.start_year, quarter=last.number)
            .exclude(approved_at=None)
            .exists()
        ), "the last quarter's office figures wait for review"
        assert Target.objects.filter(programme__isnull=False).exists()
        assert Target.objects.filter(grant__isnull=False).exists()
