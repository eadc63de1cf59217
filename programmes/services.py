"""Every write to grants, payments, indicators and returns goes through these functions, which hold the rules."""

import codecs
import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath
from uuid import uuid4

import filetype
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from djmoney.money import Money
from wagtail.log_actions import log

from funding.fiscal import FinancialYear, Quarter
from funding.models import Allocation, User
from funding.money import ZERO, format_gbp, gbp, gbp_sum, money_validate
from funding.roles import Role
from funding.services import require_role
from programmes import lifecycle, notifications, profiles, signals
from programmes.models import (
    ADVANCE_APPROVAL_WINDOW,
    Breakdown,
    BudgetLine,
    BudgetProfile,
    EvidenceFile,
    Grant,
    GrantCharge,
    GrantVariation,
    Indicator,
    IndicatorValue,
    Payment,
    Programme,
    QuarterlyReturn,
    ReturnReminder,
    ReturnTransition,
    SpendForecast,
    SpendLine,
    Target,
)
from programmes.selectors import provider_user_emails

CHARGE_EXCEEDS_ALLOCATION = (
    "Charging {charge} to {stream} in {year} would take its commitments past the year's allocation of "
    "{allocation}: {remaining} remains. Reduce the charge, or give a reason to override."
)
CHARGE_NO_ALLOCATION = "{stream} has no allocation for {year}. Add one to the stream before charging grants to it."
CHARGE_OUTSIDE_GRANT = "The grant runs from {start} to {end}, so it cannot be charged to {year}."
CHARGES_DO_NOT_ADD_UP = "The charges to funding streams add up to {charged}, not the grant's amount of {amount}."
BUDGET_DOES_NOT_ADD_UP = "The budget lines add up to {budgeted}, not the grant's amount of {amount}."
PROFILE_DOES_NOT_ADD_UP = "The quarterly profile of {line} adds up to {profiled}, not the line's amount of {amount}."
PROFILE_OUTSIDE_GRANT = "{line} is profiled in {quarter}, outside the grant's dates."
PROFILE_QUARTER_TWICE = "{line} is profiled twice in {quarter}: give each quarter once."
PROFILE_REQUIRED = "{line} belongs to an active grant: give it a quarterly profile that adds up to its amount."
PAYMENT_EXCEEDS_GRANT = (
    "A payment of {payment} would take payments on {grant} to {total}, more than the grant's amount of "
    "{amount}: {remaining} remains. Reduce the payment, or give a reason to override."
)
VARIATION_NEEDS_REASON = "This grant is active: give the reason for the variation."
GRANT_CLOSED = "This grant is closed: its money, dates and budget can no longer change."
PAYMENT_GRANT_CLOSED = "{grant} is closed: no more payments can be planned for it."
PROFILE_RESPREAD = "The profile of {lines} was re-spread from {first} so that each year's profile equals its charges."
RETURN_OUTSIDE_GRANT = "{quarter} is outside the grant's dates ({start} to {end})."
RETURN_LOCKED = "This return is {status}: it cannot be changed."
RETURN_STALE = "Someone else saved this return since you opened it. Review their changes and try again."
TRANSITION_NOT_ALLOWED = "A return that is {current} cannot be {action}."
REASON_REQUIRED = "Give a reason: the provider sees it."
RETURN_INCOMPLETE = "The return cannot be submitted yet: {missing}."
RETURN_ANSWER_MISSING = "enter a figure for every indicator"


def _figures_changed(grant_id: int) -> None:
    signals.grant_figures_changed.send(sender=Grant, grant_id=grant_id)


def today() -> datetime.date:
    """Today's date, or the OUTTURN_TODAY setting where a demo or test fixes it."""
    if settings.OUTTURN_TODAY:
        return datetime.date.fromisoformat(settings.OUTTURN_TODAY)
    return timezone.localdate()


# --- Set-up data: programmes, indicators, targets ---------------------------------------------------------


def programme_save(*, programme: Programme, user: User) -> Programme:
    """Create or change a programme; its areas may be unsaved, as an edit form holds them."""
    require_role(user, Role.COMMISSIONING_OFFICER)
    programme.full_clean(exclude=["areas"])
    programme.save()
    return programme


def indicator_save(*, indicator: Indicator, user: User) -> Indicator:
    require_role(user, Role.COMMISSIONING_OFFICER)
    indicator.full_clean()
    indicator.save()
    return indicator


def target_save(*, target: Target, user: User) -> Target:
    require_role(user, Role.COMMISSIONING_OFFICER)
    target.full_clean()
    target.save()
    return target


# --- Grants, charges, budget lines ------------------------------------------------------------------------


def _committed_elsewhere(*, charge: GrantCharge) -> Money:
    """Commitments to the charge's stream and year by every other grant that still counts."""
    total = (
        GrantCharge.objects.filter(stream_id=charge.stream_id, financial_year=charge.financial_year)
        .exclude(grant__status=Grant.Status.CANCELLED)
        .exclude(grant_id=charge.grant_id)
        .aggregate(total=Sum("amount"))["total"]
    )
    return gbp(total or 0)


def charge_validate(*, charge: GrantCharge, user: User | None) -> None:
    """A charge stays within its stream's allocation for the year, unless an officer records why it may not."""
    grant, year = charge.grant, FinancialYear(charge.financial_year)
    if not (grant.start_date <= year.end and year.start <= grant.end_date):
        raise ValidationError(CHARGE_OUTSIDE_GRANT.format(start=grant.start_date, end=grant.end_date, year=year))
    allocation = Allocation.objects.filter(stream_id=charge.stream_id, financial_year=charge.financial_year).first()
    if allocation is None:
        raise ValidationError(CHARGE_NO_ALLOCATION.format(stream=charge.stream, year=year))
    remaining = allocation.amount - _committed_elsewhere(charge=charge)
    if charge.amount <= remaining:
        charge.override_reason, charge.overridden_by, charge.overridden_at = "", None, None
        return
    if not charge.override_reason.strip():
        raise ValidationError(
            CHARGE_EXCEEDS_ALLOCATION.format(
                charge=format_gbp(charge.amount),
                stream=charge.stream,
                year=year,
                allocation=format_gbp(allocation.amount),
                remaining=format_gbp(max(remaining, ZERO)),
            )
        )
    require_role(user, Role.COMMISSIONING_OFFICER)
    if charge.overridden_by_id is None:
        charge.overridden_by, charge.overridden_at = user, timezone.now()


def _profile_errors(*, line: BudgetLine, rows: list[BudgetProfile], grant_quarters: set[Quarter]) -> list[str]:
    errors = []
    profiled = gbp_sum(row.amount for row in rows)
    if profiled != line.amount:
        errors.append(
            PROFILE_DOES_NOT_ADD_UP.format(
                line=line.name, profiled=format_gbp(profiled), amount=format_gbp(line.amount)
            )
        )
    seen = set()
    for row in rows:
        if row.period in seen:
            errors.append(PROFILE_QUARTER_TWICE.format(line=line.name, quarter=row.period))
        seen.add(row.period)
        if row.period not in grant_quarters:
            errors.append(PROFILE_OUTSIDE_GRANT.format(line=line.name, quarter=row.period))
    return errors


def _amount_errors(*, grant: Grant) -> list[str]:
    """Whether the charges and the budget lines each add up to the grant's amount."""
    errors = []
    charged = gbp_sum(c.amount for c in grant.charges.all())
    if charged != grant.amount:
        errors.append(CHARGES_DO_NOT_ADD_UP.format(charged=format_gbp(charged), amount=format_gbp(grant.amount)))
    budgeted = gbp_sum(line.amount for line in grant.budget_lines.all())
    if budgeted != grant.amount:
        errors.append(BUDGET_DOES_NOT_ADD_UP.format(budgeted=format_gbp(budgeted), amount=format_gbp(grant.amount)))
    return errors


def grant_validate_totals(*, grant: Grant) -> None:
    """Charges and budget lines add up to the amount; each line's quarterly profile adds up to the line; and once
    every line is profiled, each financial year's profile equals what the grant charges the streams that year."""
    errors = _amount_errors(grant=grant)
    grant_quarters = set(grant.quarters)
    all_rows, all_profiled = [], True
    for line in grant.budget_lines.all():
        rows = list(line.profile.all())
        all_profiled = all_profiled and bool(rows)
        all_rows += rows
        if rows:
            errors += _profile_errors(line=line, rows=rows, grant_quarters=grant_quarters)
    if all_profiled and not errors:
        errors += profiles.year_mismatches(charges=list(grant.charges.all()), rows=all_rows)
    if errors:
        raise ValidationError(errors)


def _profile_lines(*, grant: Grant, spread: list[BudgetLine], first: Quarter) -> None:
    """Give the `spread` lines profiles from `first` on that make each year's profile equal its charges; every
    other line, and the spread lines' quarters before `first`, stay as they are."""
    spread_keys = {profiles.line_key(line) for line in spread}
    kept = [
        row
        for line in grant.budget_lines.all()
        for row in line.profile.all()
        if profiles.line_key(line) not in spread_keys or row.period < first
    ]
    new = profiles.profile_to_charges(
        grant=grant, charges=list(grant.charges.all()), spread=spread, kept=kept, first=first
    )
    for position, line in enumerate(spread):
        line.profile = new[position]


@transaction.atomic
def budget_profile_save(*, budget_line: BudgetLine, user: User) -> BudgetLine:
    """Replace a budget line's quarterly profile (held unsaved on the line, as an edit form holds it).

    The line's name, kind and amount belong to the grant (changing them on an active grant is a variation), so
    they change through grant_save(); here only the profile does.
    """
    require_role(user, Role.COMMISSIONING_OFFICER)
    grant = Grant.objects.select_for_update().get(pk=budget_line.grant_id)
    if grant.status == Grant.Status.CLOSED:
        raise ValidationError(GRANT_CLOSED)
    rows = list(budget_line.profile.all())
    if not rows and grant.status == Grant.Status.ACTIVE:
        raise ValidationError(PROFILE_REQUIRED.format(line=budget_line.name))
    errors = _profile_errors(line=budget_line, rows=rows, grant_quarters=set(grant.quarters)) if rows else []
    if errors:
        raise ValidationError(errors)
    budget_line.save()
    _figures_changed(budget_line.grant_id)
    return budget_line


def _reprofile_varied_lines(*, grant: Grant) -> str:
    """On an active grant, new lines and lines whose amount changed are re-spread from the current quarter on so
    that each year's profile still equals its charges; where that cannot be done with those lines alone (the
    charges moved between years), every line is re-spread from the current quarter. Returns what was done, in
    words, for the variation's record ("" when nothing was re-profiled)."""
    errors = _amount_errors(grant=grant)
    if errors:
        raise ValidationError(errors)
    stored = dict(BudgetLine.objects.filter(grant=grant).values_list("pk", "amount"))
    lines = list(grant.budget_lines.all())
    first = max(Quarter.from_date(today()), grant.quarters[0])
    varied = [line for line in lines if line.pk not in stored or stored[line.pk] != line.amount.amount]
    rows = [row for line in lines for row in line.profile.all()]
    if not varied and not profiles.year_mismatches(charges=list(grant.charges.all()), rows=rows):
        return ""
    try:
        _profile_lines(grant=grant, spread=varied, first=first)
        rows = [row for line in lines for row in line.profile.all()]
        if profiles.year_mismatches(charges=list(grant.charges.all()), rows=rows):
            raise ValidationError("")
        names = ", ".join(line.name for line in varied)
    except ValidationError:
        _profile_lines(grant=grant, spread=lines, first=first)
        names = "every budget line"
    grant.budget_lines = lines
    return PROFILE_RESPREAD.format(lines=names, first=first)


def _snapshot(grant: Grant) -> dict:
    """What a variation records about a grant, before and after."""
    return {
        "amount": str(grant.amount.amount),
        "start_date": grant.start_date.isoformat(),
        "end_date": grant.end_date.isoformat(),
        "charges": sorted([c.stream_id, c.financial_year, str(c.amount.amount)] for c in grant.charges.all()),
        "budget_lines": sorted(
            [line.name, line.cost_type, str(line.amount.amount)] for line in grant.budget_lines.all()
        ),
        "profile": sorted(
            [year, str(amount.amount)]
            for year, amount in profiles.profile_by_year(
                [row for line in grant.budget_lines.all() for row in line.profile.all()]
            ).items()
        ),
    }


def _variation_kinds(before: dict, after: dict) -> list[str]:
    kinds = []
    if before["amount"] != after["amount"]:
        kinds.append(GrantVariation.Kind.AMOUNT)
    if (before["start_date"], before["end_date"]) != (after["start_date"], after["end_date"]):
        kinds.append(GrantVariation.Kind.DATES)
    if before["budget_lines"] != after["budget_lines"] or before.get("profile") != after.get("profile"):
        kinds.append(GrantVariation.Kind.BUDGET)
    if before["charges"] != after["charges"]:
        kinds.append(GrantVariation.Kind.CHARGES)
    return kinds


@transaction.atomic
def grant_save(*, grant: Grant, user: User, variation_reason: str = "") -> Grant:
    """Create or change a grant with its charges and budget lines (which may be unsaved, as a form holds them).

    A change to an active grant's amount, dates, charges or budget is a variation: it needs a reason, must
    still add up, and is recorded with the values before and after.
    """
    require_role(user, Role.COMMISSIONING_OFFICER)
    if grant.pk and Grant.objects.filter(pk=grant.pk, status=Grant.Status.CLOSED).exists():
        raise ValidationError(GRANT_CLOSED)
    grant.full_clean(exclude=["charges", "budget_lines", "areas"])
    charges = list(grant.charges.all())
    for charge in charges:
        charge.grant = grant
        charge_validate(charge=charge, user=user)
    # Handing the checked charges back to the cluster makes grant.save() store the override details too.
    grant.charges = charges
    before = None
    if grant.pk:
        stored = Grant.objects.get(pk=grant.pk)
        if stored.status == Grant.Status.ACTIVE:
            before = _snapshot(stored)
    if before is not None:
        if _variation_kinds(before, _snapshot(grant)) and not variation_reason.strip():
            raise ValidationError(VARIATION_NEEDS_REASON)
        reprofiled = _reprofile_varied_lines(grant=grant)
        grant_validate_totals(grant=grant)
    grant.save()
    if before is not None:
        after = _snapshot(grant)
        if reprofiled:
            after["note"] = reprofiled
        for kind in _variation_kinds(before, after):
            GrantVariation.objects.create(
                grant=grant, kind=kind, reason=variation_reason, before=before, after=after, made_by=user
            )
        if (before["start_date"], before["end_date"]) != (after["start_date"], after["end_date"]):
            returns_sync(grant=grant)
    _figures_changed(grant.pk)
    return grant


@transaction.atomic
def grant_activate(*, grant: Grant, user: User) -> Grant:
    """Make a draft grant live: it must add up; unprofiled lines are profiled so that each year's profile equals
    its charges; its returns are created."""
    require_role(user, Role.COMMISSIONING_OFFICER)
    if grant.status != Grant.Status.DRAFT:
        raise ValidationError(f"Only a draft grant can be activated; this one is {grant.get_status_display().lower()}.")
    grant_validate_totals(grant=grant)
    for charge in grant.charges.all():
        charge_validate(charge=charge, user=user)
    unprofiled = [line for line in grant.budget_lines.all() if not line.profile.exists()]
    if unprofiled:
        _profile_lines(grant=grant, spread=unprofiled, first=grant.quarters[0])
        BudgetProfile.objects.bulk_create([row for line in unprofiled for row in line.profile.all()])
        grant_validate_totals(grant=Grant.objects.get(pk=grant.pk))
    grant.status = Grant.Status.ACTIVE
    grant.save(update_fields=["status"])
    returns_sync(grant=grant)
    _figures_changed(grant.pk)
    signals.grant_activated.send(sender=Grant, grant=grant, by=user)
    return grant


def return_due_date(*, grant: Grant, quarter: Quarter) -> datetime.date:
    days = grant.return_due_days if grant.return_due_days is not None else settings.RETURN_DUE_DAYS_DEFAULT
    return quarter.end + datetime.timedelta(days=days)


def returns_sync(*, grant: Grant) -> None:
    """One return for every quarter the grant is active: add missing ones, drop unstarted ones now outside it."""
    wanted = {q.sort_key: q for q in grant.quarters}
    existing = {r.period.sort_key: r for r in grant.returns.all()}
    for key, stale in existing.items():
        if key not in wanted:
            if stale.status != QuarterlyReturn.Status.NOT_STARTED:
                raise ValidationError(
                    f"The return for {stale.period} has been started, so the grant's dates must still include it."
                )
            stale.delete()
    QuarterlyReturn.objects.bulk_create(
        [
            QuarterlyReturn(
                grant=grant,
                financial_year=q.financial_year.start_year,
                quarter=q.number,
                due_date=return_due_date(grant=grant, quarter=q),
            )
            for key, q in wanted.items()
            if key not in existing
        ]
    )


# --- Payments ------------------------------------------------------------------------------------------------


def _payment_validate(*, payment: Payment, user: User) -> None:
    payment.full_clean(exclude=["override_reason", "overridden_by", "overridden_at"])
    grant = payment.grant
    others = gbp(
        Payment.objects.filter(grant=grant).exclude(pk=payment.pk).aggregate(total=Sum("amount"))["total"] or 0
    )
    if others + payment.amount <= grant.amount:
        return
    if not payment.override_reason.strip():
        raise ValidationError(
            PAYMENT_EXCEEDS_GRANT.format(
                payment=format_gbp(payment.amount),
                grant=grant.identifier,
                total=format_gbp(others + payment.amount),
                amount=format_gbp(grant.amount),
                remaining=format_gbp(max(grant.amount - others, ZERO)),
            )
        )
    if payment.overridden_by_id is None:
        payment.overridden_by, payment.overridden_at = user, timezone.now()


@transaction.atomic
def payment_create(
    *,
    grant: Grant,
    amount: Money,
    date: datetime.date,
    user: User,
    status: str = Payment.Status.PLANNED,
    reference: str = "",
    released_by_return: QuarterlyReturn | None = None,
    override_reason: str = "",
    quarter: Quarter | None = None,
) -> Payment:
    """Plan or record a payment; payments on a grant may not pass its amount without an officer's reason. A closed
    grant takes no more planned payments, though a payment the ledger made is still recorded (and flagged where it
    takes the grant past its amount).

    The quarter is the one the payment is for (by default its date's); it stays when the payment is made.
    """
    require_role(user, Role.FINANCE_OFFICER)
    locked = Grant.objects.select_for_update().get(pk=grant.pk)
    if locked.status == Grant.Status.CLOSED and status != Payment.Status.PAID:
        raise ValidationError(PAYMENT_GRANT_CLOSED.format(grant=locked.identifier))
    quarter = quarter or Quarter.from_date(date)
    payment = Payment(
        grant=grant,
        amount=amount,
        date=date,
        status=status,
        reference=reference,
        financial_year=quarter.financial_year.start_year,
        quarter=quarter.number,
        released_by_return=released_by_return,
        override_reason=override_reason,
    )
    _payment_validate(payment=payment, user=user)
    payment.save()
    _figures_changed(grant.pk)
    return payment


# Audit log actions of payments (registered with their labels in programmes/wagtail_hooks.py).
PAYMENT_APPROVE_LOG_ACTION = "outturn.payment.approve"
PAYMENT_PAID_LOG_ACTION = "outturn.payment.paid"

PAYMENTS_NONE_CHOSEN = "Choose the payments to approve."
PAYMENT_NOT_PLANNED = "The {payment} is already {status}: only a planned payment can be approved."
PAYMENT_NOT_RELEASED = (
    "The {payment} is not due for approval: {grant} is paid in arrears, and the quarter's return has not been "
    "approved yet."
)
PAYMENT_NOT_YET_DUE = (
    "The {payment} is not due for approval until {from_date}: a payment in advance is approved in the month before "
    "its date, {date}."
)
PAYMENT_ALREADY_PAID = "The {payment} is already paid."
PAYMENT_GONE = "A payment you chose no longer exists: nothing was approved. Reload the page and choose again."


def payment_described(payment: Payment) -> str:
    """A payment as a message names it: "Q2 2023/24 payment of £10,000.00 to 360G-SSVRA-2023-NAV"."""
    return f"{payment.period} payment of {format_gbp(payment.amount)} to {payment.grant.identifier}"


def _not_due_reason(payment: Payment) -> str:
    described = payment_described(payment)
    if payment.status != Payment.Status.PLANNED:
        return PAYMENT_NOT_PLANNED.format(payment=described, status=payment.get_status_display().lower())
    if payment.grant.payment_mode == Grant.PaymentMode.IN_ADVANCE:
        from_date = payment.date - ADVANCE_APPROVAL_WINDOW
        return PAYMENT_NOT_YET_DUE.format(
            payment=described, from_date=f"{from_date:%-d %B %Y}", date=f"{payment.date:%-d %B %Y}"
        )
    return PAYMENT_NOT_RELEASED.format(payment=described, grant=payment.grant.identifier)


@transaction.atomic
def payments_approve(*, payments: list[Payment], user: User) -> list[Payment]:
    """Approve payments due for approval (`Payment.objects.due_for_approval`), all of them or none.

    The rows are locked and read again, so two finance officers approving at once cannot both approve one payment;
    a ValidationError names every payment that cannot be approved, and then nothing is. Each approval records who
    and when, and is written to the audit log in the same transaction.
    """
    require_role(user, Role.FINANCE_OFFICER)
    pks = sorted({payment.pk for payment in payments})
    if not pks:
        raise ValidationError(PAYMENTS_NONE_CHOSEN)
    on = today()
    locked = list(Payment.objects.select_for_update().filter(pk__in=pks).order_by("pk").values_list("pk", flat=True))
    if len(locked) != len(pks):
        raise ValidationError(PAYMENT_GONE)
    current = list(
        Payment.objects.filter(pk__in=pks)
        .select_related("grant")
        .with_due_for_approval(on)
        .order_by("financial_year", "quarter", "date", "pk")
    )
    errors = [_not_due_reason(payment) for payment in current if not payment.is_due_for_approval]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    for payment in current:
        payment.status, payment.approved_by, payment.approved_at = Payment.Status.APPROVED, user, now
        payment.save(update_fields=["status", "approved_by", "approved_at"])
        log(instance=payment, action=PAYMENT_APPROVE_LOG_ACTION, user=user, data={"amount": str(payment.amount.amount)})
    for grant_id in sorted({payment.grant_id for payment in current}):
        _figures_changed(grant_id)
    return current


def payment_approve(*, payment: Payment, user: User) -> Payment:
    """Approve one payment due for approval, recording who and when; see `payments_approve`."""
    (approved,) = payments_approve(payments=[payment], user=user)
    for field in ("status", "approved_by", "approved_at"):
        setattr(payment, field, getattr(approved, field))
    return payment


@transaction.atomic
def payment_mark_paid(
    *,
    payment: Payment,
    date: datetime.date,
    reference: str,
    user: User,
    amount: Money | None = None,
    log_action: str = PAYMENT_PAID_LOG_ACTION,
    log_data: dict | None = None,
) -> Payment:
    """Record that a planned or approved payment was made. `amount` is what was paid where it differs from the
    plan (a payment in arrears pays the spend reported); paying more may not take the grant past its amount.

    The audit log records who, the date paid, the amount and the ledger's reference, in the same transaction; a
    caller that knows more (the finance import: which file and row) gives its own action and adds to the data.
    """
    require_role(user, Role.FINANCE_OFFICER)
    stored = Payment.objects.select_for_update().filter(pk=payment.pk).values_list("status", flat=True).first()
    if Payment.Status.PAID in (stored, payment.status):
        raise ValidationError(PAYMENT_ALREADY_PAID.format(payment=payment_described(payment)))
    pays_more = amount is not None and amount > payment.amount
    payment.status, payment.date, payment.reference = Payment.Status.PAID, date, reference
    payment.amount = payment.amount if amount is None else amount
    if pays_more:
        Grant.objects.select_for_update().filter(pk=payment.grant_id).first()
        _payment_validate(payment=payment, user=user)
    else:
        payment.full_clean(exclude=["override_reason", "overridden_by", "overridden_at"])
    payment.save()
    data = {"date": date.isoformat(), "reference": reference, "amount": str(payment.amount.amount), **(log_data or {})}
    log(instance=payment, action=log_action, user=user, data=data)
    _figures_changed(payment.grant_id)
    return payment


# --- Indicators ----------------------------------------------------------------------------------------------


def _value_fields(indicator: Indicator, value, numerator, denominator) -> dict:
    if indicator.unit == Indicator.Unit.PERCENTAGE:
        if numerator is None or denominator is None:
            raise ValidationError(f"Give {indicator} as a number of a total (numerator and denominator).")
        if denominator <= 0:
            raise ValidationError(f"For {indicator}, the denominator must be more than 0.")
        if numerator > denominator:
            raise ValidationError(f"For {indicator}, the numerator cannot be more than the denominator.")
        return {"value": None, "numerator": numerator, "denominator": denominator}
    if value is None:
        raise ValidationError(f"Enter a value for {indicator}.")
    if indicator.unit == Indicator.Unit.COUNT and value != value.to_integral_value():
        raise ValidationError(f"{indicator} is a count: enter a whole number.")
    return {"value": value, "numerator": None, "denominator": None}


@transaction.atomic
def indicator_value_record_office(
    *,
    indicator: Indicator,
    quarter: Quarter,
    user: User,
    value: Decimal | None = None,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    grant: Grant | None = None,
    note: str = "",
) -> IndicatorValue:
    """An office-entered figure (police data, a survey). It counts only once an officer approves it."""
    require_role(user, Role.COMMISSIONING_OFFICER)
    fields = _value_fields(indicator, value, numerator, denominator)
    indicator_value, _ = IndicatorValue.objects.update_or_create(
        indicator=indicator,
        grant=grant,
        financial_year=quarter.financial_year.start_year,
        quarter=quarter.number,
        breakdown="",
        category="",
        defaults={
            **fields,
            "source": IndicatorValue.Source.OFFICE,
            "note": note,
            "entered_by": user,
            "approved_at": None,
            "approved_by": None,
        },
    )
    return indicator_value


@transaction.atomic
def indicator_value_approve(*, indicator_value: IndicatorValue, user: User) -> IndicatorValue:
    require_role(user, Role.COMMISSIONING_OFFICER)
    if indicator_value.source != IndicatorValue.Source.OFFICE:
        raise ValidationError("A provider's figure is approved with its return.")
    indicator_value.approved_at, indicator_value.approved_by = timezone.now(), user
    indicator_value.save(update_fields=["approved_at", "approved_by"])
    return indicator_value


# --- Quarterly returns ---------------------------------------------------------------------------------------

Status = QuarterlyReturn.Status
EDITABLE = lifecycle.EDITABLE  # the provider may change a return while it owes it (programmes/lifecycle.py)


def _ensure_editable(quarterly_return: QuarterlyReturn, version: int | None) -> QuarterlyReturn:
    """The return as the database holds it now, locked, if the provider may still change it.

    Callers write to this fresh copy, never to the one they were handed, which may be out of date.
    """
    current = QuarterlyReturn.objects.select_for_update().select_related("grant").get(pk=quarterly_return.pk)
    if current.status not in EDITABLE:
        raise ValidationError(RETURN_LOCKED.format(status=current.get_status_display().lower()))
    if version is not None and version != current.version:
        raise ValidationError(RETURN_STALE)
    return current


def _ensure_provider(user: User, quarterly_return: QuarterlyReturn, *roles: Role) -> None:
    if user.organisation_id != quarterly_return.grant.provider_id or not user.has_role(*roles):
        raise PermissionDenied("Only the provider's own users can change its returns.")


def _touch(quarterly_return: QuarterlyReturn, user: User) -> None:
    """Record an edit: the version rises, and a first edit starts the return (not started to draft)."""
    if lifecycle.START.allowed_from(quarterly_return.status):
        _transition(quarterly_return=quarterly_return, to=lifecycle.START.target, user=user)
    quarterly_return.version += 1
    quarterly_return.save()


def _transition(*, quarterly_return: QuarterlyReturn, to: str, user: User, reason: str = "") -> None:
    ReturnTransition.objects.create(
        quarterly_return=quarterly_return,
        from_status=quarterly_return.status,
        to_status=to,
        by=user,
        at=timezone.now(),
        reason=reason,
    )
    quarterly_return.status = to


def return_validate_period(*, grant: Grant, quarter: Quarter) -> None:
    if not quarter.overlaps(grant.start_date, grant.end_date):
        raise ValidationError(RETURN_OUTSIDE_GRANT.format(quarter=quarter, start=grant.start_date, end=grant.end_date))


@transaction.atomic
def return_create(*, grant: Grant, quarter: Quarter) -> QuarterlyReturn:
    """A return for one quarter, which must lie within the grant's dates."""
    return_validate_period(grant=grant, quarter=quarter)
    quarterly_return = QuarterlyReturn(
        grant=grant,
        financial_year=quarter.financial_year.start_year,
        quarter=quarter.number,
        due_date=return_due_date(grant=grant, quarter=quarter),
    )
    quarterly_return.full_clean()
    quarterly_return.save()
    return quarterly_return


NARRATIVE_FIELDS = ("progress", "challenges", "risks", "risk_rating", "case_study", "next_quarter_plans")


@transaction.atomic
def return_update_narrative(
    *, quarterly_return: QuarterlyReturn, user: User, version: int | None = None, **narrative: str
) -> QuarterlyReturn:
    _ensure_provider(user, quarterly_return, *lifecycle.EDIT_ROLES)
    quarterly_return = _ensure_editable(quarterly_return, version)
    unknown = set(narrative) - set(NARRATIVE_FIELDS)
    if unknown:
        raise ValueError(f"Not narrative fields: {', '.join(sorted(unknown))}")
    for name, text in narrative.items():
        setattr(quarterly_return, name, text)
    quarterly_return.full_clean()
    _touch(quarterly_return, user)
    return quarterly_return


@transaction.atomic
def return_record_spend(
    *,
    quarterly_return: QuarterlyReturn,
    budget_line: BudgetLine,
    actual: Money,
    user: User,
    forecasts: dict[int, Money] | None = None,
    variance_explanation: str = "",
    version: int | None = None,
) -> SpendLine:
    """Spend on one budget line this quarter, and the forecast for each remaining quarter of the year."""
    _ensure_provider(user, quarterly_return, *lifecycle.EDIT_ROLES)
    quarterly_return = _ensure_editable(quarterly_return, version)
    if budget_line.grant_id != quarterly_return.grant_id:
        raise ValidationError(f"{budget_line.name} is not a budget line of this grant.")
    remaining = {q.number for q in quarterly_return.period.remaining_in_year()}
    forecasts = forecasts or {}
    if set(forecasts) - remaining:
        raise ValidationError(f"Forecasts are for the remaining quarters of {quarterly_return.period.financial_year}.")
    money_validate(actual, label=f"The spend on {budget_line.name}")
    for number, amount in forecasts.items():
        money_validate(amount, label=f"The Q{number} forecast for {budget_line.name}")
    spend_line, _ = SpendLine.objects.update_or_create(
        quarterly_return=quarterly_return,
        budget_line=budget_line,
        defaults={"actual": actual, "variance_explanation": variance_explanation},
    )
    for number, amount in forecasts.items():
        SpendForecast.objects.update_or_create(
            quarterly_return=quarterly_return, budget_line=budget_line, quarter=number, defaults={"amount": amount}
        )
    _touch(quarterly_return, user)
    return spend_line


@transaction.atomic
def return_record_indicator(
    *,
    quarterly_return: QuarterlyReturn,
    indicator: Indicator,
    user: User,
    value: Decimal | None = None,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    breakdown: str = "",
    category: str = "",
    version: int | None = None,
) -> IndicatorValue:
    _ensure_provider(user, quarterly_return, *lifecycle.EDIT_ROLES)
    quarterly_return = _ensure_editable(quarterly_return, version)
    fields = _value_fields(indicator, value, numerator, denominator)
    indicator_value, _ = IndicatorValue.objects.update_or_create(
        indicator=indicator,
        grant=quarterly_return.grant,
        financial_year=quarterly_return.financial_year,
        quarter=quarterly_return.quarter,
        breakdown=breakdown,
        category=category,
        defaults={
            **fields,
            "quarterly_return": quarterly_return,
            "source": IndicatorValue.Source.RETURN,
            "entered_by": user,
        },
    )
    _touch(quarterly_return, user)
    return indicator_value


def return_missing_sections(*, quarterly_return: QuarterlyReturn) -> list[str]:
    """What still has to be filled in before the return can be submitted, in words a provider can act on."""
    missing = []
    # BudgetLine.objects, not grant.budget_lines: after a prefetch, modelcluster's manager ignores the grant.
    lines = set(BudgetLine.objects.filter(grant_id=quarterly_return.grant_id).values_list("pk", flat=True))
    if lines - set(quarterly_return.spend_lines.values_list("budget_line_id", flat=True)):
        missing.append("enter the spend for every budget line")
    unanswered = (
        Indicator.objects.filter(programme_id=quarterly_return.grant.programme_id, scope=Indicator.Scope.PROGRAMME)
        .exclude(values__quarterly_return=quarterly_return, values__breakdown="")
        .exists()
    )
    if unanswered:
        missing.append(RETURN_ANSWER_MISSING)
    if not quarterly_return.progress.strip():
        missing.append("describe the progress made this quarter")
    if not quarterly_return.risk_rating:
        missing.append("give the risk rating")
    return missing


@transaction.atomic
def return_submit(*, quarterly_return: QuarterlyReturn, user: User, version: int | None = None) -> QuarterlyReturn:
    """A provider approver signs the return off and sends it to the office.

    Given the `version` the approver checked, it is refused as stale if anyone changed the return since. It opens
    the day after its quarter ends (lifecycle.SUBMISSION_NOT_OPEN before then). A return sent back keeps its
    resubmission date, so that whether this submission was late is judged against it.
    """
    transition = lifecycle.SUBMIT
    _ensure_provider(user, quarterly_return, *transition.roles)
    quarterly_return = _ensure_editable(quarterly_return, version)
    if not transition.allowed_from(quarterly_return.status):
        raise ValidationError(
            TRANSITION_NOT_ALLOWED.format(current=quarterly_return.get_status_display().lower(), action=transition.done)
        )
    not_open = lifecycle.submission_not_open(quarterly_return=quarterly_return, on=today())
    if not_open:
        raise ValidationError(not_open)
    missing = return_missing_sections(quarterly_return=quarterly_return)
    if missing:
        raise ValidationError(RETURN_INCOMPLETE.format(missing="; ".join(missing)))
    _transition(quarterly_return=quarterly_return, to=transition.target, user=user)
    quarterly_return.submitted_at, quarterly_return.submitted_by = timezone.now(), user
    quarterly_return.version += 1
    quarterly_return.save()
    _figures_changed(quarterly_return.grant_id)
    signals.return_submitted.send(sender=QuarterlyReturn, quarterly_return=quarterly_return, by=user)
    return quarterly_return


def _office_transition(
    *, quarterly_return: QuarterlyReturn, user: User, transition: lifecycle.Transition, reason: str = ""
) -> QuarterlyReturn:
    """Check, as the lifecycle's table says, who may, the reason where one is needed, and the status, on the locked
    row; record the transition.

    Works on a fresh, locked copy of the return, so a stale copy in the caller's hands cannot be written back.
    """
    require_role(user, *transition.roles)
    if transition.reason_required and not reason.strip():
        raise ValidationError(REASON_REQUIRED)
    current = QuarterlyReturn.objects.select_for_update().select_related("grant").get(pk=quarterly_return.pk)
    if lifecycle.is_final(current):
        raise ValidationError(lifecycle.RETURN_FINAL.format(grant=current.grant.identifier))
    if not transition.allowed_from(current.status):
        raise ValidationError(
            TRANSITION_NOT_ALLOWED.format(current=current.get_status_display().lower(), action=transition.done)
        )
    _transition(quarterly_return=current, to=transition.target, user=user, reason=reason)
    current.version += 1
    return current


@transaction.atomic
def return_send_back(*, quarterly_return: QuarterlyReturn, user: User, reason: str) -> QuarterlyReturn:
    """The officer returns a submitted return for changes, saying what to change. The provider owes it again by
    its resubmission date: RETURN_RESUBMISSION_WORKING_DAYS working days from today, never before its due date."""
    quarterly_return = _office_transition(
        quarterly_return=quarterly_return, user=user, transition=lifecycle.SEND_BACK, reason=reason
    )
    quarterly_return.resubmission_due_date = lifecycle.resubmission_due_date(
        due_date=quarterly_return.due_date, sent_back_on=today()
    )
    quarterly_return.save()
    _figures_changed(quarterly_return.grant_id)
    signals.return_sent_back.send(sender=QuarterlyReturn, quarterly_return=quarterly_return, by=user, reason=reason)
    return quarterly_return


@transaction.atomic
def return_approve(*, quarterly_return: QuarterlyReturn, user: User) -> QuarterlyReturn:
    """Approval locks the return and makes its figures count; in arrears, the quarter's payment becomes due. The
    provider owes nothing more, so a resubmission date it had goes."""
    quarterly_return = _office_transition(quarterly_return=quarterly_return, user=user, transition=lifecycle.APPROVE)
    now = timezone.now()
    quarterly_return.approved_at = now
    quarterly_return.resubmission_due_date = None
    quarterly_return.save()
    quarterly_return.indicator_values.update(approved_at=now, approved_by=user)
    if quarterly_return.grant.payment_mode == Grant.PaymentMode.IN_ARREARS:
        quarterly_return.grant.payments.filter(
            status=Payment.Status.PLANNED,
            financial_year=quarterly_return.financial_year,
            quarter=quarterly_return.quarter,
            released_by_return__isnull=True,
        ).update(released_by_return=quarterly_return)
    _figures_changed(quarterly_return.grant_id)
    signals.return_approved.send(sender=QuarterlyReturn, quarterly_return=quarterly_return, by=user)
    return quarterly_return


@transaction.atomic
def return_reopen(*, quarterly_return: QuarterlyReturn, user: User, reason: str) -> QuarterlyReturn:
    """Unlock an approved return: back to returned for changes, its figures withdrawn until approved again. It has
    no resubmission date: it is the office's to finish, never overdue, and the provider gets no reminders."""
    quarterly_return = _office_transition(
        quarterly_return=quarterly_return, user=user, transition=lifecycle.REOPEN, reason=reason
    )
    quarterly_return.approved_at = None
    quarterly_return.resubmission_due_date = None
    quarterly_return.save()
    quarterly_return.indicator_values.update(approved_at=None, approved_by=None)
    _figures_changed(quarterly_return.grant_id)
    signals.return_reopened.send(sender=QuarterlyReturn, quarterly_return=quarterly_return, by=user, reason=reason)
    return quarterly_return


# --- Reminders ----------------------------------------------------------------------------------------------

REMINDER_DUE_SOON_DAYS = 14


def return_reminder_kind(*, quarterly_return: QuarterlyReturn, on: datetime.date) -> tuple[str, int] | None:
    """The reminder an open return calls for on a day, as (kind, weeks): due within 14 days of its deadline (the
    day itself included), overdue in its first week, then once for each whole week it stays overdue. The deadline
    is the due date, or the resubmission date once the return has been sent back; a return the office reopened
    has none, and calls for no reminder."""
    deadline = quarterly_return.deadline
    if quarterly_return.status not in lifecycle.EDITABLE or deadline is None:
        return None
    days_late = (on - deadline).days
    if days_late > 0:
        weeks = days_late // 7
        return (ReturnReminder.Kind.STILL_OVERDUE, weeks) if weeks else (ReturnReminder.Kind.OVERDUE, 0)
    if -days_late <= REMINDER_DUE_SOON_DAYS:
        return ReturnReminder.Kind.DUE_SOON, 0
    return None


def return_reminders_send(*, on: datetime.date) -> list[ReturnReminder]:
    """E-mail providers about their active grants' returns that they owe by a deadline within 14 days or that are
    overdue (`QuarterlyReturn.deadline`: reopened returns have none), and return the reminders sent.

    A reminder goes once for each deadline, however often this runs: one already recorded is skipped (a return sent
    back has a new deadline, so its reminders start again), and the record is unique and
    written in the same transaction that queues the e-mail, so of two runs at once only one sends it. A run that
    missed days sends only the reminder the day calls for, not each one it missed.
    """
    returns = (
        QuarterlyReturn.objects.owed_by(on + datetime.timedelta(days=REMINDER_DUE_SOON_DAYS))
        .filter(grant__status=Grant.Status.ACTIVE)
        .select_related("grant", "grant__lead_officer")
        .prefetch_related("reminders")
        .order_by("due_date", "pk")
    )
    recipients_by_provider: dict[int, list[str]] = {}
    sent = []
    for quarterly_return in returns:
        kind, week = return_reminder_kind(quarterly_return=quarterly_return, on=on)
        deadline = quarterly_return.deadline
        if any((r.deadline, r.kind, r.week) == (deadline, kind, week) for r in quarterly_return.reminders.all()):
            continue
        provider_id = quarterly_return.grant.provider_id
        if provider_id not in recipients_by_provider:
            recipients_by_provider[provider_id] = provider_user_emails(organisation_id=provider_id)
        recipients = recipients_by_provider[provider_id]
        if not recipients:
            continue  # nobody to tell yet: not recorded, so it goes once the provider has a user
        try:
            with transaction.atomic():
                reminder = ReturnReminder.objects.create(
                    quarterly_return=quarterly_return,
                    deadline=deadline,
                    kind=kind,
                    week=week,
                    recipients="\n".join(recipients),
                )
                notifications.reminder_queue(reminder=reminder)
        except IntegrityError:
            continue  # another run sent this one first
        sent.append(reminder)
    return sent


# --- Returns as the provider portal saves them, a section at a time; evidence files -------------------------

SPEND_VARIANCE_LIMIT = Decimal("0.10")  # spend further than this from the quarter's profile is explained
SPEND_VARIANCE_UNEXPLAINED = "Explain why spend on {line} is more than 10% from the {planned} planned"
SPEND_PAST_GRANT = (
    "This quarter's spend of {spent} would take spend on the grant to {total}, more than its amount of {amount}: "
    "{left} is left to spend"
)
INDICATOR_NOT_IN_PROGRAMME = "{indicator} is not one of this grant's programme indicators."
DENOMINATOR_NOT_POSITIVE = "Enter the total that {indicator} is out of as a number more than 0"
BREAKDOWN_EXCEEDS_TOTAL = "The {breakdown} breakdown of {indicator} adds up to {added}, more than the total of {total}"

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# What a provider may upload, by the extension its content is detected as: a name for people, the served type.
EVIDENCE_TYPES = {
    "pdf": ("a PDF", "application/pdf"),
    "png": ("a PNG image", "image/png"),
    "jpg": ("a JPEG image", "image/jpeg"),
    "docx": ("a Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("an Excel spreadsheet", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": ("a CSV file", "text/csv"),
}
EVIDENCE_KINDS = "a PDF, PNG, JPEG, Word (.docx), Excel (.xlsx) or CSV file"
EVIDENCE_EMPTY = "{name} is empty: choose a file with something in it"
EVIDENCE_TOO_BIG = "{name} is larger than 10 MB: choose a file of 10 MB or less"
EVIDENCE_TYPE_NOT_ALLOWED = "{name} must be " + EVIDENCE_KINDS
EVIDENCE_CONTENT_IS_ANOTHER_TYPE = "{name} is not {named}: its content is {content}. Rename it or choose the right file"
EVIDENCE_CONTENT_NOT_ALLOWED = "{name} is not {named}: its content is not a type you can upload. Choose " + (
    EVIDENCE_KINDS
)


def spend_needs_explanation(*, actual: Money, planned: Money) -> bool:
    """Spend more than 10% above or below the quarter's profile (so any spend against none planned) is explained."""
    return abs(actual.amount - planned.amount) > planned.amount * SPEND_VARIANCE_LIMIT


@dataclass(frozen=True)
class SpendEntry:
    """One budget line's figures for return_record_spending; `key` names it in the caller's terms for errors."""

    budget_line: BudgetLine
    actual: Money
    forecasts: dict[int, Money]
    variance_explanation: str = ""
    key: str = NON_FIELD_ERRORS


@transaction.atomic
def return_record_spending(
    *, quarterly_return: QuarterlyReturn, user: User, entries: list[SpendEntry], version: int | None = None
) -> list[SpendLine]:
    """Spend and forecasts for several budget lines at once, all saved or none.

    Spend more than 10% from the quarter's profile needs an explanation (the error is keyed by the entry's key),
    and the grant's spend over all its returns cannot pass the grant's amount (a non-field error naming what is
    left). The grant is locked while it is checked, so two returns cannot both take the last pound.
    """
    _ensure_provider(user, quarterly_return, Role.PROVIDER_EDITOR, Role.PROVIDER_APPROVER)
    quarterly_return = _ensure_editable(quarterly_return, version)
    grant = Grant.objects.select_for_update().get(pk=quarterly_return.grant_id)
    planned = dict(
        BudgetProfile.objects.filter(
            budget_line__grant=grant, financial_year=quarterly_return.financial_year, quarter=quarterly_return.quarter
        ).values_list("budget_line_id", "amount")
    )
    errors: dict[str, list[str]] = {}
    for entry in entries:
        line_planned = gbp(planned.get(entry.budget_line.pk, 0))
        unexplained = not entry.variance_explanation.strip()
        if unexplained and spend_needs_explanation(actual=entry.actual, planned=line_planned):
            errors.setdefault(entry.key, []).append(
                SPEND_VARIANCE_UNEXPLAINED.format(line=entry.budget_line.name, planned=format_gbp(line_planned))
            )
    spent = gbp_sum(entry.actual for entry in entries)
    # Every other figure counts: other returns', and this return's lines not entered now.
    elsewhere = gbp(
        SpendLine.objects.filter(quarterly_return__grant=grant)
        .exclude(quarterly_return=quarterly_return, budget_line__in=[entry.budget_line for entry in entries])
        .aggregate(total=Sum("actual"))["total"]
        or 0
    )
    if elsewhere + spent > grant.amount:
        errors.setdefault(NON_FIELD_ERRORS, []).append(
            SPEND_PAST_GRANT.format(
                spent=format_gbp(spent),
                total=format_gbp(elsewhere + spent),
                amount=format_gbp(grant.amount),
                left=format_gbp(max(grant.amount - elsewhere, ZERO)),
            )
        )
    if errors:
        raise ValidationError(errors)
    return [
        return_record_spend(
            quarterly_return=quarterly_return,
            budget_line=entry.budget_line,
            actual=entry.actual,
            user=user,
            forecasts=entry.forecasts,
            variance_explanation=entry.variance_explanation,
        )
        for entry in entries
    ]


@dataclass(frozen=True)
class IndicatorEntry:
    """One figure for return_record_indicators: an indicator's total, or one category of one of its breakdowns."""

    indicator: Indicator
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    breakdown: str = ""
    category: str = ""
    key: str = NON_FIELD_ERRORS


def _plain_number(number: Decimal) -> str:
    return f"{number.normalize():f}"


def _breakdown_errors(entries: list[IndicatorEntry]) -> dict[str, list[str]]:
    """A breakdown's categories cannot add up to more than the indicator's total (reported at its first category)."""
    totals = {entry.indicator.pk: entry.value for entry in entries if not entry.breakdown}
    groups: dict[tuple[int, str], list[IndicatorEntry]] = defaultdict(list)
    for entry in entries:
        if entry.breakdown and entry.value is not None:
            groups[entry.indicator.pk, entry.breakdown].append(entry)
    errors: dict[str, list[str]] = {}
    for (indicator_pk, breakdown), group in groups.items():
        total, added = totals.get(indicator_pk), sum(entry.value for entry in group)
        if total is not None and added > total:
            errors[group[0].key] = [
                BREAKDOWN_EXCEEDS_TOTAL.format(
                    breakdown=Breakdown(breakdown).label.lower(),
                    indicator=group[0].indicator.name,
                    added=_plain_number(added),
                    total=_plain_number(total),
                )
            ]
    return errors


@transaction.atomic
def return_record_indicators(
    *, quarterly_return: QuarterlyReturn, user: User, entries: list[IndicatorEntry], version: int | None = None
) -> list[IndicatorValue]:
    """Figures for the programme's indicators, totals and breakdowns, all saved or none.

    A breakdown cannot add up to more than its total. Each indicator entered keeps exactly the breakdown
    categories given: one left out is removed from the return. Errors are keyed by each entry's key.
    """
    _ensure_provider(user, quarterly_return, Role.PROVIDER_EDITOR, Role.PROVIDER_APPROVER)
    quarterly_return = _ensure_editable(quarterly_return, version)
    errors = _breakdown_errors(entries)
    programme_id = quarterly_return.grant.programme_id
    recorded = []
    for entry in entries:
        if entry.indicator.programme_id != programme_id:
            errors.setdefault(entry.key, []).append(INDICATOR_NOT_IN_PROGRAMME.format(indicator=entry.indicator))
            continue
        if entry.denominator is not None and entry.denominator <= 0:
            errors.setdefault(entry.key, []).append(DENOMINATOR_NOT_POSITIVE.format(indicator=entry.indicator))
            continue
        try:
            recorded.append(
                return_record_indicator(
                    quarterly_return=quarterly_return,
                    indicator=entry.indicator,
                    user=user,
                    value=entry.value,
                    numerator=entry.numerator,
                    denominator=entry.denominator,
                    breakdown=entry.breakdown,
                    category=entry.category,
                )
            )
        except ValidationError as error:
            errors.setdefault(entry.key, []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    given = {(entry.indicator.pk, entry.breakdown, entry.category) for entry in entries}
    left_out = [
        value.pk
        for value in quarterly_return.indicator_values.filter(indicator__in={entry.indicator for entry in entries})
        if (value.indicator_id, value.breakdown, value.category) not in given
    ]
    IndicatorValue.objects.filter(pk__in=left_out).delete()
    return recorded


def upload_content_type(upload: UploadedFile) -> str | None:
    """What an uploaded file (evidence, a ledger file) is, as an EVIDENCE_TYPES key, read from its bytes and never
    from its name.

    Binary formats by their signature (a .docx or .xlsx by the parts inside the zip); anything without one is a
    CSV if it is UTF-8 text with no NUL bytes.
    """
    upload.seek(0)
    detected = filetype.guess(upload.read(8192))
    upload.seek(0)
    if detected is not None:
        return detected.extension if detected.extension in EVIDENCE_TYPES else None
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        for chunk in upload.chunks():
            if b"\x00" in chunk:
                return None
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    finally:
        upload.seek(0)
    return "csv"


def evidence_validate(*, upload: UploadedFile) -> str:
    """Refuse a file that is empty, over 10 MB, of a type not taken, or whose content is not what its name says.

    Returns the file's type (an EVIDENCE_TYPES key).
    """
    name = PurePath(upload.name or "").name
    extension = PurePath(name).suffix.lower().lstrip(".")
    named = "jpg" if extension == "jpeg" else extension
    if not upload.size:
        raise ValidationError(EVIDENCE_EMPTY.format(name=name))
    if upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(EVIDENCE_TOO_BIG.format(name=name))
    if named not in EVIDENCE_TYPES:
        raise ValidationError(EVIDENCE_TYPE_NOT_ALLOWED.format(name=name))
    content = upload_content_type(upload)
    if content is None:
        raise ValidationError(EVIDENCE_CONTENT_NOT_ALLOWED.format(name=name, named=EVIDENCE_TYPES[named][0]))
    if content != named:
        raise ValidationError(
            EVIDENCE_CONTENT_IS_ANOTHER_TYPE.format(
                name=name, named=EVIDENCE_TYPES[named][0], content=EVIDENCE_TYPES[content][0]
            )
        )
    return content


@transaction.atomic
def evidence_add(*, quarterly_return: QuarterlyReturn, upload: UploadedFile, user: User) -> EvidenceFile:
    """Attach a file to a return while the provider may still change it, kept in private storage.

    It is stored under a random name: the person's file name is only shown, never used as a path.
    """
    _ensure_provider(user, quarterly_return, Role.PROVIDER_EDITOR, Role.PROVIDER_APPROVER)
    quarterly_return = _ensure_editable(quarterly_return, None)
    kind = evidence_validate(upload=upload)
    evidence = EvidenceFile(
        quarterly_return=quarterly_return,
        original_name=PurePath(upload.name).name[-255:],
        content_type=EVIDENCE_TYPES[kind][1],
        size=upload.size,
        uploaded_by=user,
    )
    evidence.file.save(f"{uuid4().hex}.{kind}", upload, save=False)
    # The file is written before its row: if the row cannot be written, the file must not stay behind.
    stored_name = evidence.file.name
    try:
        evidence.save()
        _touch(quarterly_return, user)
    except Exception:
        evidence.file.storage.delete(stored_name)
        raise
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: EvidenceFile, user: User) -> None:
    """Delete a file from a return the provider may still change; the stored file goes once the deletion commits."""
    quarterly_return = evidence.quarterly_return
    _ensure_provider(user, quarterly_return, Role.PROVIDER_EDITOR, Role.PROVIDER_APPROVER)
    quarterly_return = _ensure_editable(quarterly_return, None)
    storage, stored_name = evidence.file.storage, evidence.file.name
    evidence.delete()
    _touch(quarterly_return, user)
    transaction.on_commit(lambda: storage.delete(stored_name))
