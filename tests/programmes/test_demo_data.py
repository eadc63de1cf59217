"""`load_demo_data`: the story of the press releases, loaded through the services, idempotent, and up to today."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from djmoney.money import Money

from funding.fiscal import FinancialYear, Quarter
from funding.models import FundingStream, Organisation, User
from funding.money import gbp_sum
from funding.roles import Role
from programmes.demo import figures, story
from programmes.finance_import import ledger_check, ledger_file_read, ledger_sample_rows, payment_import
from programmes.models import Grant, Indicator, IndicatorValue, Payment, QuarterlyReturn
from programmes.services import today
from reports.public import indicator_progress_list
from tests.return_helpers import lifecycle_breaches

pytestmark = pytest.mark.django_db
Status = QuarterlyReturn.Status


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The demo loaded once for the module (it takes seconds), in a transaction rolled back afterwards so no
    other test sees it; each test runs in a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = io.StringIO()
        call_command("load_demo_data", stdout=output)
        yield output.getvalue()
        transaction.set_rollback(True)


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for app in ("funding", "programmes")
        for model in apps.get_app_config(app).get_models()
    }


def test_the_three_million_pot_and_the_duty_are_funded_as_the_releases_say(loaded):
    pot = FundingStream.objects.get(slug=story.POT)
    assert pot.total == Money("3100000.00", "GBP")
    assert pot.ring_fenced
    assert gbp_sum(a.amount for a in pot.allocations.all()) == pot.total

    duty = FundingStream.objects.get(name="Serious Violence Duty")
    assert duty.funder.org_id.startswith("GB-GOVUK-")
    assert duty.total == Money("969600.00", "GBP")
    assert not duty.carry_over_allowed
    allocations = list(duty.allocations.all())
    assert gbp_sum(a.amount for a in allocations) <= duty.total
    assert [a.financial_year for a in allocations] == [2023, 2024, 2025]


def test_the_commissioners_core_grants_run_to_the_current_year(loaded):
    current = FinancialYear.from_date(today())
    core = FundingStream.objects.get(slug=story.CORE)
    assert core.funder.kind == Organisation.Kind.COMMISSIONER
    assert core.end_date == current.end
    assert core.allocations.filter(financial_year=current.start_year).exists()
    assert Grant.objects.filter(charges__financial_year=current.start_year).count() >= len(story.CONTINUATIONS)


def test_every_grant_adds_up_and_some_are_co_funded(loaded):
    grants = Grant.objects.prefetch_related("charges__stream", "budget_lines")
    assert grants.count() >= len(story.FIXED_GRANTS)
    # The story closes the grants that ended more than a year ago and leaves the rest to the office.
    closed = {grant.identifier for grant in grants if grant.status == Grant.Status.CLOSED}
    ended_long_ago = {grant.identifier for grant in grants if grant.end_date < today() - datetime.timedelta(days=365)}
    assert closed and closed == ended_long_ago
    assert Grant.objects.filter(status=Grant.Status.ACTIVE, end_date__lt=today()).exists()  # for the officer
    for grant in grants:
        assert grant.status in (Grant.Status.ACTIVE, Grant.Status.CLOSED)
        assert gbp_sum(c.amount for c in grant.charges.all()) == grant.amount, grant
        assert gbp_sum(line.amount for line in grant.budget_lines.all()) == grant.amount, grant
        assert {line.cost_type for line in grant.budget_lines.all()} <= {"labour", "non-labour"}
    streams_by_grant = [{c.stream.slug for c in grant.charges.all()} for grant in grants]
    assert {story.POT, story.SVD} in streams_by_grant


def test_the_demo_marks_what_it_invented(loaded):
    for model in (FundingStream, Grant, Indicator, Payment):
        assert not model.objects.filter(is_demo=False).exists(), model
    assert all("Demo data" in text for text in Indicator.objects.values_list("method_and_source", flat=True))


def test_returns_are_in_every_state_with_overdue_ones_and_a_reopened_history(loaded):
    day = today()
    returns = list(QuarterlyReturn.objects.prefetch_related("transitions"))
    assert {r.status for r in returns} == set(Status.values)
    assert any(r.is_overdue(day) for r in returns)
    assert any(r.status == Status.RETURNED and r.is_overdue(day) for r in returns)
    # An office with live work: returns due but not yet late, and returns waiting for review.
    assert any(r.status == Status.NOT_STARTED and r.due_date >= day for r in returns)
    assert any(r.status == Status.SUBMITTED for r in returns)

    for r in returns:
        if r.status == Status.RETURNED:
            assert [t.reason for t in r.transitions.all() if t.to_status == Status.RETURNED][-1].strip()
    reopened_and_approved = [
        r
        for r in returns
        if r.status == Status.APPROVED
        and any(t.from_status == Status.APPROVED and t.to_status == Status.RETURNED for t in r.transitions.all())
    ]
    assert reopened_and_approved
    # Histories are dated when the story says they happened, never in the future.
    assert all(t.at.date() < day for r in returns for t in r.transitions.all())
    # Submitted only after their quarter ended; sent back with the resubmission date the rule gives (ADR 0008).
    assert lifecycle_breaches(returns) == []
    assert any(r.status == Status.RETURNED and r.resubmission_due_date for r in returns)


def test_each_provider_login_sees_returns_in_several_states(loaded):
    for provider in Organisation.objects.filter(grants__isnull=False).distinct():
        statuses = set(QuarterlyReturn.objects.filter(grant__provider=provider).values_list("status", flat=True))
        assert len(statuses) >= 3, (provider, statuses)


def test_every_provider_with_a_grant_has_an_editor_and_an_approver_with_the_demo_password(loaded):
    providers = Organisation.objects.filter(grants__isnull=False).distinct()
    provider_roles = {Role.PROVIDER_EDITOR, Role.PROVIDER_APPROVER}
    with_logins = {login.organisation for login in story.DEMO_LOGINS if set(login.roles) & provider_roles}
    assert {provider.org_id for provider in providers} == with_logins
    for provider in providers:
        for role in (Role.PROVIDER_EDITOR, Role.PROVIDER_APPROVER):
            users = User.objects.filter(organisation=provider, groups__name=role)
            assert users.exists(), (provider, role)
            assert all(user.check_password(story.DEMO_PASSWORD) for user in users)


def test_the_logins_match_the_list_the_readme_gives(loaded):
    for login in story.DEMO_LOGINS:
        user = User.objects.get(email=login.email)
        assert user.check_password(story.DEMO_PASSWORD)
        assert user.organisation.org_id == login.organisation
        assert user.role_names == {str(role) for role in login.roles}
        assert user.is_superuser == login.superuser
        assert login.email in loaded
    office_roles = {role for login in story.DEMO_LOGINS for role in login.roles} - {
        Role.PROVIDER_EDITOR,
        Role.PROVIDER_APPROVER,
    }
    assert office_roles == {
        Role.COMMISSIONING_OFFICER,
        Role.FINANCE_OFFICER,
        Role.BOARD_VIEWER,
        Role.CONTENT_EDITOR,
    }


def test_payments_are_planned_approved_and_paid_in_advance_and_in_arrears(loaded):
    payments = Payment.objects.select_related("grant")
    assert {p.status for p in payments} == set(Payment.Status.values)
    paid = [p for p in payments if p.status == Payment.Status.PAID]
    assert {p.grant.payment_mode for p in paid} == set(Grant.PaymentMode.values)
    assert all(p.reference for p in paid)
    # In arrears each quarter pays its approved spend, up to its plan; each year's balance is paid before closing.
    arrears = [p for p in paid if p.grant.payment_mode == Grant.PaymentMode.IN_ARREARS]
    assert all(p.released_by_return_id or p.reference.endswith("-BALANCE") for p in arrears)
    for grant in Grant.objects.prefetch_related("payments").select_related("closure"):
        if grant.status == Grant.Status.CLOSED:
            made = gbp_sum(p.amount for p in grant.payments.all() if p.status == Payment.Status.PAID)
            assert made == grant.closure.final_spend + grant.closure.to_recover, grant
            assert grant.closure.released + grant.closure.to_recover == grant.closure.underspend, grant
        else:
            assert gbp_sum(p.amount for p in grant.payments.all()) <= grant.amount, grant


def test_the_ledger_files_for_the_finance_import_match_the_demo(loaded):
    """programmes/demo/ledger-2023-24.csv is the ledger of the demo's first year, so every row is already in; the
    sample download settles the payments due today and nothing else, and adds nothing the second time."""
    example = Path(story.__file__).parent / "ledger-2023-24.csv"
    rows = ledger_file_read(upload=SimpleUploadedFile(example.name, example.read_bytes()))
    check = ledger_check(rows=rows, file_name=example.name)
    assert (check.errors, check.to_import, len(check.already_imported)) == ([], [], len(rows))
    sample = ledger_sample_rows(on=today())
    check = ledger_check(rows=sample, file_name="sample.csv")
    assert check.errors == [] and check.recording == [] and check.settling
    payment_import(rows=sample, file_name="sample.csv", user=User.objects.get(email="finance@outturn.demo"))
    assert ledger_check(rows=sample, file_name="sample.csv").to_import == []


def test_the_parks_figures_show_the_38_per_cent_fall_from_the_2021_baseline(loaded):
    parks = Indicator.objects.get(slug=story.PARKS_CRIMES)
    assert parks.scope == Indicator.Scope.POPULATION
    assert parks.direction == Indicator.Direction.LOWER
    assert parks.area.code == story.STOKE
    assert parks.baseline_date.year == 2021
    approved = IndicatorValue.objects.filter(indicator=parks, approved_at__isnull=False, source="office")
    assert approved.filter(value=parks.baseline_value * Decimal("0.62")).exists()
    # The last quarter's police data is entered and waits for an officer.
    assert IndicatorValue.objects.filter(indicator=parks, approved_at__isnull=True).exists()
    # The live figure the public site shows today is the release's.
    (progress,) = indicator_progress_list([parks])
    assert progress.change_from_baseline.signed == "−38%"


def test_every_figure_of_the_demo_reconciles(loaded):
    output = io.StringIO()
    call_command("check_figures", stdout=output)
    assert output.getvalue() == "Every figure reconciles.\n"


def test_the_2021_survey_is_a_fraction_and_the_kits_are_things_not_people(loaded):
    survey = Indicator.objects.get(slug=story.SURVEY)
    assert survey.unit == Indicator.Unit.PERCENTAGE
    assert survey.baseline_date.year == 2021
    value = survey.values.get(financial_year=2021)
    assert (value.numerator, value.denominator) == (Decimal("670"), Decimal("1000"))
    assert value.approved_at

    kits = Indicator.objects.get(slug="bleed-control-kits-placed")
    assert not kits.counts_people
    assert kits.targets.get(financial_year=2023).value == 206
    children = Indicator.objects.get(slug="navigator-children-supported")
    assert children.counts_people and children.breakdown_by_age_band
    assert Indicator.objects.get(slug=story.SIGNATORIES).values.filter(value=37, approved_at__isnull=False).exists()


def test_breakdowns_add_up_to_their_totals(loaded):
    totals = {}
    parts: dict[tuple, Decimal] = {}
    for value in IndicatorValue.objects.filter(source="return"):
        key = (value.indicator_id, value.grant_id, value.financial_year, value.quarter)
        if value.breakdown:
            parts[key + (value.breakdown,)] = parts.get(key + (value.breakdown,), 0) + value.value
        else:
            totals[key] = value.value
    assert parts
    for (*key, _breakdown), total in parts.items():
        assert totals[tuple(key)] == total


def test_running_again_changes_nothing_and_is_quick(loaded, django_assert_max_num_queries):
    before = row_counts()
    output = io.StringIO()
    with django_assert_max_num_queries(120):
        call_command("load_demo_data", stdout=output)
    assert row_counts() == before
    assert "already loaded" in output.getvalue()


def test_a_later_day_carries_the_story_on_to_that_year(loaded):
    day = today()
    later = day.replace(year=day.year + 1, day=min(day.day, 28))
    later_year = FinancialYear.from_date(later)
    with override_settings(OUTTURN_TODAY=later.isoformat()):
        call_command("load_demo_data", stdout=io.StringIO())
        after = row_counts()
        call_command("load_demo_data", stdout=io.StringIO())
        assert row_counts() == after

    core = FundingStream.objects.get(slug=story.CORE)
    assert core.end_date == later_year.end
    assert core.allocations.filter(financial_year=later_year.start_year).exists()
    assert Grant.objects.filter(identifier=f"360G-SSVRA-{later_year.start_year}-NAV").exists()
    current = Quarter.from_date(later)
    last = current.previous()
    statuses = {
        quarter: set(
            QuarterlyReturn.objects.filter(
                financial_year=quarter.financial_year.start_year, quarter=quarter.number
            ).values_list("status", flat=True)
        )
        for quarter in (current, last)
    }
    assert Status.NOT_STARTED in statuses[current]
    assert {Status.SUBMITTED, Status.DRAFT} <= statuses[last]
    recent = [current.previous().previous(), last]
    assert any(r.is_overdue(later) for r in QuarterlyReturn.objects.all() if r.period in recent)


def test_shares_add_up_to_the_whole():
    assert figures.split(61, {"10–13": 15, "14–15": 45, "16–17": 40}) == {"10–13": 9, "14–15": 28, "16–17": 24}
    assert sum(figures.split(7, {"a": 1, "b": 1, "c": 1}).values()) == 7


def test_the_story_cannot_start_before_2023_24():
    with override_settings(OUTTURN_TODAY="2023-03-31"), pytest.raises(Exception, match="starts on 1 April 2023"):
        call_command("load_demo_data", stdout=io.StringIO())
