"""Writes the demo story through the services, filling only what is missing so it can run on every start.

Rows are found by their natural keys (ONS code, org-id, email, slug, grant identifier). A return the story
has not touched yet (still not started) is played forward to the history its quarter calls for today, so a
database loaded months ago catches up; anything a person has since changed is left alone.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Min, Sum
from django.utils import timezone
from djmoney.money import Money

from funding.fiscal import FinancialYear, Quarter
from funding.models import Allocation, Area, FundingStream, Organisation, User
from funding.money import ZERO, gbp, gbp_sum
from funding.roles import Role
from funding.services import allocation_set, area_save, organisation_save, roles_sync, stream_save
from programmes import closure, lifecycle, services
from programmes.demo import figures, story
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
    SpendLine,
    Target,
)

COUNTED_APPS = ("funding", "programmes")
DAY = datetime.timedelta(days=1)
CLOSE_AFTER = datetime.timedelta(days=365)


def row_counts() -> dict[str, int]:
    """Rows in every model of the apps the demo writes to, by model label."""
    return {
        model._meta.label: model._default_manager.count()
        for app in COUNTED_APPS
        for model in apps.get_app_config(app).get_models()
    }


class Clock:
    """Plausible moments for a return's history: from just after its quarter, never later than yesterday.

    The services stamp transitions with the time they run; the demo moves those stamps back to when the story
    says each step happened, so a Q1 2023/24 return does not look approved this morning.
    """

    def __init__(self, quarter: Quarter, today: datetime.date):
        self.day, self.latest, self.moment = quarter.end, today - DAY, None

    def after(self, days: int) -> datetime.datetime:
        self.day = min(self.day + datetime.timedelta(days=days), self.latest)
        moment = timezone.make_aware(datetime.datetime.combine(self.day, datetime.time(9, 30)))
        if self.moment and moment <= self.moment:
            moment = self.moment + datetime.timedelta(minutes=20)
        self.moment = moment
        return moment


@dataclass
class GrantContext:
    """What playing a grant's returns needs, read once per grant."""

    spec: story.GrantSpec
    grant: Grant
    lines: dict[str, BudgetLine]
    profile: dict[tuple[str, int], Decimal]
    indicators: list[tuple[story.IndicatorSpec, Indicator]]
    editor: User
    approver: User


class DemoBuilder:
    def __init__(self, *, today: datetime.date):
        if today < story.FIRST_YEAR.start:
            raise ValueError(f"The demo story starts on {story.FIRST_YEAR.start:%-d %B %Y}; today is {today}.")
        self.today = today
        self.current = Quarter.from_date(today)
        self.until = self.current.financial_year
        self.specs = story.grants_until(self.until)
        self._contexts: dict[int, GrantContext] = {}

    @transaction.atomic
    def build(self) -> None:
        self._roles()
        self._areas()
        self._organisations()
        self._users()
        self._streams()
        self._programmes()
        self._indicators()
        self._programme_targets()
        self._grants()
        self._returns()
        self._payments()
        self._office_figures()
        self._close_finished()

    # --- People and places ----------------------------------------------------------------------------------

    def _roles(self) -> None:
        if Group.objects.filter(name__in=Role.values).count() < len(Role.values):
            roles_sync()

    def _areas(self) -> None:
        self.areas = {a.code: a for a in Area.objects.filter(code__in=[code for code, *_ in story.AREAS])}
        for code, name, geo_type in story.AREAS:
            if code not in self.areas:
                self.areas[code] = area_save(area=Area(code=code, name=name, geo_type=geo_type))

    def _organisations(self) -> None:
        wanted = [org_id for org_id, *_ in story.ORGANISATIONS]
        self.orgs = {o.org_id: o for o in Organisation.objects.filter(org_id__in=wanted)}
        for org_id, name, kind, website in story.ORGANISATIONS:
            if org_id not in self.orgs:
                organisation = Organisation(org_id=org_id, name=name, kind=kind, website=website)
                self.orgs[org_id] = organisation_save(organisation=organisation)

    def _users(self) -> None:
        self.users = {u.email: u for u in User.objects.filter(email__in=[login.email for login in story.DEMO_LOGINS])}
        missing = [login for login in story.DEMO_LOGINS if login.email not in self.users]
        if missing:
            # Hashing is slow on purpose; every demo login has the same published password, so hash it once.
            password = make_password(story.DEMO_PASSWORD)
            groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
            for login in missing:
                user = User(
                    email=login.email,
                    first_name=login.first_name,
                    last_name=login.last_name,
                    organisation=self.orgs[login.organisation],
                    is_superuser=login.superuser,
                    is_staff=login.superuser,
                    password=password,
                )
                user.save()
                user.groups.set([groups[role] for role in login.roles])
                self.users[login.email] = user
        self.officer, self.finance = self.users[story.OFFICER], self.users[story.FINANCE]
        self.provider_users: dict[str, dict[Role, User]] = {}
        for login in story.DEMO_LOGINS:
            for role in login.roles:
                self.provider_users.setdefault(login.organisation, {})[role] = self.users[login.email]

    # --- Money ----------------------------------------------------------------------------------------------

    def _streams(self) -> None:
        self.streams = {s.slug: s for s in FundingStream.objects.filter(slug__in=[s.slug for s in story.STREAMS])}
        allocated = {
            (a.stream_id, a.financial_year): a.amount for a in Allocation.objects.filter(stream__slug__in=self.streams)
        }
        core = {year: gbp(amount) for year, amount in story.core_allocations(self.until).items()}
        for spec in story.STREAMS:
            wanted = {year: gbp(amount) for year, amount in spec.allocations.items()} or core
            stream = self.streams.get(spec.slug)
            if stream is None:
                stream = FundingStream(
                    slug=spec.slug,
                    name=spec.name,
                    funder=self.orgs[spec.funder],
                    total=gbp(spec.total) if spec.total else gbp_sum(wanted.values()),
                    purpose=spec.purpose,
                    conditions=spec.conditions,
                    ring_fenced=spec.ring_fenced,
                    start_date=spec.start_date,
                    end_date=spec.end_date or FinancialYear(max(wanted)).end,
                    owner=self.officer,
                )
                stream.is_demo = True
                self.streams[spec.slug] = stream_save(stream=stream, user=self.officer)
            have = {year: amount for (stream_id, year), amount in allocated.items() if stream_id == stream.pk}
            grows = spec.end_date is None
            changes = {
                year: amount for year, amount in wanted.items() if year not in have or (grows and have[year] < amount)
            }
            if not changes:
                continue
            if grows:
                # The core grants go on year by year: a new year lengthens the stream and adds to its total, and
                # a year loaded early in the story may need more once later grants are charged to it.
                stream.end_date = max(stream.end_date, FinancialYear(max(wanted)).end)
                stream.total = max(stream.total, gbp_sum({**have, **changes}.values()))
                stream_save(stream=stream, user=self.officer)
            for year, amount in sorted(changes.items()):
                allocation_set(stream=stream, financial_year=FinancialYear(year), amount=amount, user=self.officer)

    # --- Programmes and what they count ---------------------------------------------------------------------

    def _programmes(self) -> None:
        slugs = [slug for slug, *_ in story.PROGRAMMES]
        self.programmes = {p.slug: p for p in Programme.objects.filter(slug__in=slugs)}
        for slug, name, theme, areas, summary in story.PROGRAMMES:
            if slug in self.programmes:
                continue
            programme = Programme(
                slug=slug, name=name, theme=theme, summary=summary, senior_responsible_officer=self.officer
            )
            programme.is_demo = True
            programme.areas = [self.areas[code] for code in areas]
            self.programmes[slug] = services.programme_save(programme=programme, user=self.officer)

    def _indicators(self) -> None:
        self.indicators = {i.slug: i for i in Indicator.objects.filter(slug__in=[s.slug for s in story.INDICATORS])}
        for spec in story.INDICATORS:
            if spec.slug in self.indicators:
                continue
            baseline_value, baseline_date = spec.baseline or (None, None)
            indicator = Indicator(
                slug=spec.slug,
                name=spec.name,
                programme=self.programmes[spec.programme] if spec.programme else None,
                kind=spec.kind,
                unit=spec.unit,
                counts_people=spec.counts_people,
                aggregation=spec.aggregation,
                direction=spec.direction,
                scope=spec.scope,
                area=self.areas[spec.area] if spec.area else None,
                definition=spec.definition,
                method_and_source=spec.method_and_source,
                baseline_value=Decimal(baseline_value) if baseline_value else None,
                baseline_date=baseline_date,
                **{f"breakdown_by_{dimension}": True for dimension in spec.breakdowns},
            )
            indicator.is_demo = True
            self.indicators[spec.slug] = services.indicator_save(indicator=indicator, user=self.officer)

    def _programme_targets(self) -> None:
        have = set(
            Target.objects.filter(grant__isnull=True, programme__slug__in=self.programmes).values_list(
                "indicator_id", "programme_id", "financial_year"
            )
        )
        for slug, programme_slug, values in story.PROGRAMME_TARGETS:
            indicator, programme = self.indicators[slug], self.programmes[programme_slug]
            for year in range(story.FIRST_YEAR.start_year, self.until.start_year + 1):
                if (indicator.pk, programme.pk, year) in have:
                    continue
                value = values[max(y for y in values if y <= year)]
                target = Target(indicator=indicator, programme=programme, financial_year=year, value=Decimal(value))
                services.target_save(target=target, user=self.officer)

    # --- Grants ---------------------------------------------------------------------------------------------

    def _grants(self) -> None:
        identifiers = [spec.identifier for spec in self.specs]
        existing = {g.identifier: g for g in Grant.objects.filter(identifier__in=identifiers)}
        self.grants: dict[str, Grant] = {}
        for spec in self.specs:
            grant = existing.get(spec.identifier) or self._create_grant(spec)
            if grant.status == Grant.Status.DRAFT and grant.is_demo:
                services.grant_activate(grant=grant, user=self.officer)
            self.grants[spec.identifier] = grant
        self.spec_by_grant = {self.grants[spec.identifier].pk: spec for spec in self.specs}

        have_targets = set(
            Target.objects.filter(grant__in=self.grants.values()).values_list(
                "indicator_id", "grant_id", "financial_year"
            )
        )
        with_payments = set(
            Payment.objects.filter(grant__in=self.grants.values(), is_demo=True).values_list("grant_id", flat=True)
        )
        for spec in self.specs:
            grant = self.grants[spec.identifier]
            for slug, year, value in spec.targets:
                indicator = self.indicators[slug]
                if (indicator.pk, grant.pk, year) in have_targets:
                    continue
                if not value:
                    in_year = [q for q in grant.quarters if q.financial_year.start_year == year]
                    value = figures.flow_target(spec=_indicator_spec(slug), grant=spec, quarters=len(in_year))
                target = Target(indicator=indicator, grant=grant, financial_year=year, value=Decimal(value))
                services.target_save(target=target, user=self.officer)
            if grant.pk not in with_payments:
                self._plan_payments(spec, grant)

    def _create_grant(self, spec: story.GrantSpec) -> Grant:
        grant = Grant(
            identifier=spec.identifier,
            title=spec.title,
            provider=self.orgs[spec.provider],
            programme=self.programmes[spec.programme],
            amount=gbp_sum(gbp(amount) for _, _, amount in spec.charges),
            award_date=spec.award_date,
            start_date=spec.start_date,
            end_date=spec.end_date,
            lead_officer=self.officer,
            purpose=spec.purpose,
            conditions=spec.conditions,
            crime_reduction_rationale=spec.rationale,
            allocation_method=spec.allocation_method,
            direct_award_justification=spec.direct_award_justification,
            payment_mode=spec.payment_mode,
        )
        grant.is_demo = True
        grant.areas = [self.areas[code] for code in spec.areas]
        for stream, year, amount in spec.charges:
            grant.charges.add(GrantCharge(stream=self.streams[stream], financial_year=year, amount=gbp(amount)))
        for name, category, cost_type, amount in spec.budget_lines:
            grant.budget_lines.add(BudgetLine(name=name, category=category, cost_type=cost_type, amount=gbp(amount)))
        services.grant_save(grant=grant, user=self.officer)
        return services.grant_activate(grant=grant, user=self.officer)

    def _plan_payments(self, spec: story.GrantSpec, grant: Grant) -> None:
        """One payment a quarter of the quarter's profile: on its first day in advance, or due on its last day
        in arrears, where the approval of that quarter's return releases it."""
        # Added up in Python: SQLite sums decimals as floats, which would not add up to the penny.
        per_quarter: dict[tuple[int, int], Money] = {}
        for row in BudgetProfile.objects.filter(budget_line__grant=grant):
            key = (row.financial_year, row.quarter)
            per_quarter[key] = per_quarter.get(key, ZERO) + row.amount
        created = []
        for quarter in grant.quarters:
            amount = per_quarter.get((quarter.financial_year.start_year, quarter.number))
            if not amount:
                continue
            date = max(quarter.start, grant.start_date) if spec.payment_mode == story.ADVANCE else quarter.end
            payment = services.payment_create(grant=grant, amount=amount, date=date, user=self.finance)
            created.append(payment.pk)
        Payment.objects.filter(pk__in=created).update(is_demo=True)

    # --- Returns --------------------------------------------------------------------------------------------

    def history(self, spec: story.GrantSpec, quarter: Quarter) -> str:
        """Where the story has a return got by today: by how long ago its quarter was, and by programme."""
        ago = figures.quarters_ago(quarter, self.current)
        if ago < 0:
            return story.NOT_STARTED
        fixed = story.FIXED_HISTORIES.get((spec.identifier, quarter.sort_key))
        if fixed and ago >= 2:
            return fixed
        plan = story.RETURN_PLAN[spec.programme]
        history = plan[ago] if ago < len(plan) else story.APPROVED
        if ago == 0 and self.today - DAY < quarter.start:
            return story.NOT_STARTED  # a quarter that began today has nothing to report yet
        if self.today - DAY <= quarter.end and history != story.NOT_STARTED:
            # Submission opens the day after the quarter ends, and the story's steps happen by yesterday at the
            # latest: a quarter that had not ended by yesterday has at most a draft.
            return story.DRAFT
        return history

    def _returns(self) -> None:
        untouched = QuarterlyReturn.objects.filter(
            grant__in=self.grants.values(), grant__is_demo=True, status=QuarterlyReturn.Status.NOT_STARTED
        ).order_by("grant_id", "financial_year", "quarter")
        for quarterly_return in untouched:
            spec = self.spec_by_grant[quarterly_return.grant_id]
            history = self.history(spec, quarterly_return.period)
            if history != story.NOT_STARTED:
                context = self._context(spec, quarterly_return.grant_id)
                quarterly_return.grant = context.grant
                self._play(context, quarterly_return, history)

    def _context(self, spec: story.GrantSpec, grant_id: int) -> GrantContext:
        if grant_id not in self._contexts:
            grant = self.grants[spec.identifier]
            rows = BudgetProfile.objects.filter(budget_line__grant=grant).select_related("budget_line")
            users = self.provider_users[spec.provider]
            self._contexts[grant_id] = GrantContext(
                spec=spec,
                grant=grant,
                lines={line.name: line for line in grant.budget_lines.all()},
                profile={(row.budget_line.name, row.period.sort_key): row.amount.amount for row in rows},
                indicators=[
                    (indicator_spec, self.indicators[indicator_spec.slug])
                    for indicator_spec in story.INDICATORS
                    if indicator_spec.programme == spec.programme and indicator_spec.source == story.FROM_RETURNS
                ],
                editor=users[Role.PROVIDER_EDITOR],
                approver=users[Role.PROVIDER_APPROVER],
            )
        return self._contexts[grant_id]

    def _play(self, context: GrantContext, quarterly_return: QuarterlyReturn, history: str) -> None:
        """Take a not-started return through the steps of its history, as the provider and the officer would."""
        spec, quarter, officer = context.spec, quarterly_return.period, self.officer
        data = figures.return_figures(
            grant=spec,
            quarter=quarter,
            indicators=[indicator_spec for indicator_spec, _ in context.indicators],
            profile=context.profile,
            categories={name: line.category for name, line in context.lines.items()},
        )
        changes_first = history in (story.RETURNED, story.RESUBMITTED, story.APPROVED_AFTER_CHANGES)
        clock, stamps = Clock(quarter, self.today), []
        submitted = approved = resubmit_by = None

        def submit(days: int):
            nonlocal submitted
            services.return_submit(quarterly_return=quarterly_return, user=context.approver)
            submitted = clock.after(days)
            stamps.append(submitted)

        def approve(days: int):
            nonlocal approved
            services.return_approve(quarterly_return=quarterly_return, user=officer)
            approved = clock.after(days)
            stamps.append(approved)

        self._fill(context, quarterly_return, data, partial=history == story.DRAFT, hold_explanations=changes_first)
        stamps.append(clock.after(6))
        if history != story.DRAFT:
            submit(12)
        if changes_first:
            reason = figures.send_back_reason(spec, quarter, data)
            services.return_send_back(quarterly_return=quarterly_return, user=officer, reason=reason)
            stamps.append(clock.after(5))
            # The service dates the resubmission from the day it runs; the story's send-back was on this day.
            resubmit_by = lifecycle.resubmission_due_date(
                due_date=quarterly_return.due_date, sent_back_on=timezone.localdate(stamps[-1])
            )
            if history != story.RETURNED:
                self._fix(context, quarterly_return, data)
                submit(4)
        if history in (story.APPROVED, story.APPROVED_AFTER_CHANGES, story.REOPENED, story.REOPENED_APPROVED):
            approve(6)
        if history in (story.REOPENED, story.REOPENED_APPROVED):
            reason = figures.reopen_reason(spec, quarter)
            services.return_reopen(quarterly_return=quarterly_return, user=officer, reason=reason)
            stamps.append(clock.after(40))
            approved = None
            if history == story.REOPENED_APPROVED:
                self._fix(context, quarterly_return, data)
                submit(3)
                approve(5)
        self._stamp(quarterly_return, stamps, submitted, approved, resubmit_by=None if approved else resubmit_by)

    def _fill(self, context: GrantContext, quarterly_return, data, *, partial: bool, hold_explanations: bool):
        """The provider's editor enters the return; a draft has only its first spend line and its progress."""
        lines = list(context.lines.items())[: 1 if partial else None]
        # A line's spend over the grant never passes the line's amount, so the grant's never passes its own (the
        # portal refuses that); the demo's over-runs come out of what is left.
        spent_before = dict(
            SpendLine.objects.filter(budget_line__grant=context.grant)
            .exclude(quarterly_return=quarterly_return)
            .values("budget_line")
            .annotate(total=Sum("actual"))
            .values_list("budget_line", "total")
        )
        for name, line in lines:
            spend = data.spend[name]
            left = line.amount.amount - Decimal(spent_before.get(line.pk) or 0).quantize(Decimal("0.01"))
            services.return_record_spend(
                quarterly_return=quarterly_return,
                budget_line=line,
                actual=gbp(min(Decimal(spend.actual), max(left, Decimal(0)))),
                forecasts={number: gbp(amount) for number, amount in spend.forecasts.items()},
                variance_explanation="" if hold_explanations else spend.explanation,
                user=context.editor,
            )
        if partial:
            services.return_update_narrative(
                quarterly_return=quarterly_return, user=context.editor, progress=data.narrative["progress"]
            )
            return
        for indicator_spec, indicator in context.indicators:
            figure = data.indicators.get(indicator_spec.slug)
            if figure is None:
                continue
            services.return_record_indicator(
                quarterly_return=quarterly_return,
                indicator=indicator,
                user=context.editor,
                value=_decimal(figure.value),
                numerator=_decimal(figure.numerator),
                denominator=_decimal(figure.denominator),
            )
            for dimension, parts in figure.breakdowns.items():
                for category, count in parts.items():
                    services.return_record_indicator(
                        quarterly_return=quarterly_return,
                        indicator=indicator,
                        user=context.editor,
                        value=Decimal(count),
                        breakdown=dimension,
                        category=category,
                    )
        services.return_update_narrative(quarterly_return=quarterly_return, user=context.editor, **data.narrative)

    def _fix(self, context: GrantContext, quarterly_return, data) -> None:
        """The provider answers the officer: explains the variances and says the return was updated."""
        for name, spend in data.spend.items():
            if spend.explanation:
                services.return_record_spend(
                    quarterly_return=quarterly_return,
                    budget_line=context.lines[name],
                    actual=gbp(spend.actual),
                    forecasts={number: gbp(amount) for number, amount in spend.forecasts.items()},
                    variance_explanation=spend.explanation,
                    user=context.editor,
                )
        progress = f"{data.narrative['progress']} {story.FIX_NOTE}"
        services.return_update_narrative(quarterly_return=quarterly_return, user=context.editor, progress=progress)

    def _stamp(self, quarterly_return, stamps, submitted, approved, *, resubmit_by=None) -> None:
        transitions = list(quarterly_return.transitions.order_by("pk"))
        for transition, moment in zip(transitions, stamps, strict=True):
            transition.at = moment
        ReturnTransition.objects.bulk_update(transitions, ["at"])
        QuarterlyReturn.objects.filter(pk=quarterly_return.pk).update(
            submitted_at=submitted, approved_at=approved, resubmission_due_date=resubmit_by
        )
        if approved:
            quarterly_return.indicator_values.update(approved_at=approved)

    # --- Payments -------------------------------------------------------------------------------------------

    def _payments(self) -> None:
        """Move the demo's payments on to where today finds them: paid, approved, or still planned."""
        payments = list(
            Payment.objects.filter(grant__in=self.grants.values(), is_demo=True).exclude(status=Payment.Status.PAID)
        )
        released = {p.released_by_return_id for p in payments if p.released_by_return_id}
        first_approval = dict(
            ReturnTransition.objects.filter(quarterly_return_id__in=released, to_status=QuarterlyReturn.Status.APPROVED)
            .values("quarterly_return_id")
            .annotate(first=Min("at"))
            .values_list("quarterly_return_id", "first")
        )
        # A payment in arrears pays the spend its return reported, up to what was planned; one in advance, the plan.
        released = Payment.objects.filter(pk__in=[p.pk for p in payments], released_by_return__isnull=False)
        spent = {
            # Quantized: SQLite sums decimals as floats, and every amount is in pence.
            payment: gbp(Decimal(total).quantize(Decimal("0.01")))
            for payment, total in released.values("pk")
            .annotate(total=Sum("released_by_return__spend_lines__actual"))
            .values_list("pk", "total")
            if total is not None
        }
        for payment in payments:
            spec = self.spec_by_grant[payment.grant_id]
            if spec.payment_mode == story.ADVANCE:
                pay_on = payment.date
                ready = payment.date <= self.today + datetime.timedelta(days=31)
            else:
                approval = first_approval.get(payment.released_by_return_id)
                if approval is None:
                    continue
                # Arrears are paid in the quarterly payment run after the return's approval, so the last
                # quarter's approvals wait as approved payments on any day.
                pay_on, ready = Quarter.from_date(timezone.localdate(approval)).next().start, True
            if not ready:
                continue
            if payment.status == Payment.Status.PLANNED:
                services.payment_approve(payment=payment, user=self.finance)
            # Paid the day after it falls due at the latest, so the finance officer always has some to pay.
            if pay_on < self.today:
                short = spec.identifier.removeprefix("360G-SSVRA-")
                reference = f"DEMO-{short}-{payment.financial_year}Q{payment.quarter}"
                services.payment_mark_paid(
                    payment=payment,
                    date=pay_on,
                    reference=reference,
                    user=self.finance,
                    amount=min(spent.get(payment.pk, payment.amount), payment.amount),
                )

    # --- Closing ------------------------------------------------------------------------------------------------

    def _close_finished(self) -> None:
        """The office closes a grant once its last return is approved and paid; the story closes those that ended
        more than a year ago, and leaves those of the last year for the officer to close."""
        for grant in self.grants.values():
            grant.refresh_from_db(fields=["status"])
            if grant.status != Grant.Status.ACTIVE or grant.end_date > self.today - CLOSE_AFTER:
                continue
            plan = closure.grant_closure_plan(grant=grant)
            if not plan.closable:
                continue
            if grant.payment_mode == Grant.PaymentMode.IN_ARREARS:
                self._pay_balances(grant)
            closure.grant_close(grant=grant, user=self.officer, reason=story.CLOSE_REASON)

    def _pay_balances(self, grant: Grant) -> None:
        """Arrears paid each quarter's approved spend up to its plan: before closing, each year's balance is paid
        for the year's last quarter, so every year is paid what it spent."""
        spent = dict(
            SpendLine.objects.filter(
                quarterly_return__grant=grant, quarterly_return__status=QuarterlyReturn.Status.APPROVED
            )
            .values("quarterly_return__financial_year")
            .annotate(total=Sum("actual"))
            .values_list("quarterly_return__financial_year", "total")
        )
        paid = dict(
            Payment.objects.filter(grant=grant, status=Payment.Status.PAID)
            .values("financial_year")
            .annotate(total=Sum("amount"))
            .values_list("financial_year", "total")
        )
        short = grant.identifier.removeprefix("360G-SSVRA-")
        for year, total in sorted(spent.items()):
            balance = _pence(total) - _pence(paid.get(year))
            if balance <= 0:
                continue
            last = [q for q in grant.quarters if q.financial_year.start_year == year][-1]
            payment = services.payment_create(
                grant=grant,
                amount=gbp(balance),
                date=min(last.end + datetime.timedelta(days=60), self.today - DAY),
                quarter=last,
                status=Payment.Status.PAID,
                reference=f"DEMO-{short}-{year}-BALANCE",
                user=self.finance,
            )
            Payment.objects.filter(pk=payment.pk).update(is_demo=True)

    # --- The office's own figures ---------------------------------------------------------------------------

    def _office_figures(self) -> None:
        """Police data for the parks, the surveys and the Charter register: entered by the office, and approved
        by an officer except the last quarter's, which waits for review."""
        last = self.current.previous()
        wanted = []
        quarter = figures.quarter_from_key(story.OFFICE_FIGURES_FROM[story.PARKS_CRIMES])
        while quarter <= last:
            note = f"Police data, 12 months to {quarter.end:%B %Y}. "
            if quarter.sort_key == story.PARKS_RELEASE_QUARTER:
                note += "38% below the 2021 baseline, as the press release reports."
            else:
                note += story.DEMO_NOTE
            wanted.append((story.PARKS_CRIMES, quarter, {"value": Decimal(figures.parks_figure(quarter))}, note))
            quarter = quarter.next()
        quarter = figures.quarter_from_key(story.OFFICE_FIGURES_FROM[story.SIGNATORIES])
        while quarter <= last:
            value = {"value": Decimal(figures.signatories_figure(quarter))}
            wanted.append((story.SIGNATORIES, quarter, value, "Charter register at the quarter's end."))
            quarter = quarter.next()
        for sort_key, (numerator, denominator) in story.SURVEY_FIGURES.items():
            quarter = figures.quarter_from_key(sort_key)
            if quarter <= last:
                note = (
                    "Survey of women and girls, 2021: 67% (press release); respondent numbers are demo data."
                    if quarter.financial_year.start_year < story.FIRST_YEAR.start_year
                    else "Follow-up survey. " + story.DEMO_NOTE
                )
                fraction = {"numerator": Decimal(numerator), "denominator": Decimal(denominator)}
                wanted.append((story.SURVEY, quarter, fraction, note))

        indicators = [self.indicators[slug] for slug in (story.PARKS_CRIMES, story.SIGNATORIES, story.SURVEY)]
        have = {
            (v.indicator_id, v.period.sort_key): v
            for v in IndicatorValue.objects.filter(
                indicator__in=indicators, grant__isnull=True, source=IndicatorValue.Source.OFFICE, breakdown=""
            )
        }
        for slug, quarter, figure, note in wanted:
            indicator = self.indicators[slug]
            value = have.get((indicator.pk, quarter.sort_key))
            if value is None:
                value = services.indicator_value_record_office(
                    indicator=indicator, quarter=quarter, user=self.officer, note=note, **figure
                )
            if quarter < last and value.approved_at is None:
                services.indicator_value_approve(indicator_value=value, user=self.officer)
                reviewed = min(quarter.end + datetime.timedelta(days=45), self.today - DAY)
                moment = timezone.make_aware(datetime.datetime.combine(reviewed, datetime.time(11, 0)))
                IndicatorValue.objects.filter(pk=value.pk).update(approved_at=moment)


def _indicator_spec(slug: str) -> story.IndicatorSpec:
    return next(spec for spec in story.INDICATORS if spec.slug == slug)


def _pence(total) -> Decimal:
    """A database sum in pounds and pence (SQLite sums decimals as floats)."""
    return Decimal(total or 0).quantize(Decimal("0.01"))


def _decimal(number: int | None) -> Decimal | None:
    return None if number is None else Decimal(number)
