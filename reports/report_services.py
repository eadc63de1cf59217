"""Board and funder reports: who may ask for which, asking for one, and making it in the background.

A report is asked for in a request and made by a django-tasks task once the request's transaction commits: in
the request's own process with the embedded defaults, by `manage.py db_worker` in production. The made file is
kept in private storage and downloaded through a view that asks `reports_for` first.
"""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task
from wagtail.log_actions import log

from funding.fiscal import Quarter
from funding.models import FundingStream, User
from funding.roles import RECORD_READER_ROLES, Role
from reports.documents import MAKERS, formats_of
from reports.models import Report

logger = logging.getLogger(__name__)
REPORT_REQUEST_LOG_ACTION = "outturn.report.request"

# Who may ask for and download each kind (DESIGN.md, "Who may do what": reports are for those who read the office's
# records, never a provider's; the funder's claim is finance's, with the commissioning officers who own the streams).
REPORT_ROLES: dict[str, frozenset[Role]] = {
    Report.Kind.BOARD_PACK: RECORD_READER_ROLES,
    Report.Kind.FUNDER_RETURN: RECORD_READER_ROLES - {Role.BOARD_VIEWER},
}


def report_kinds_for(user: User) -> list[str]:
    return [kind for kind, roles in REPORT_ROLES.items() if user.is_active and user.has_role(*roles)]


def reports_for(*, user: User) -> QuerySet[Report]:
    """The reports a user may see and download: every copy of each kind their roles allow, whoever asked."""
    return Report.objects.filter(kind__in=report_kinds_for(user)).select_related("requested_by", "stream")


def report_request(
    *,
    user: User,
    kind: str,
    file_format: str,
    financial_year: int,
    quarter: int | None = None,
    stream: FundingStream | None = None,
) -> Report:
    if kind not in report_kinds_for(user):
        raise PermissionDenied
    errors = {}
    if file_format not in formats_of(kind):
        errors["file_format"] = f"A {Report.Kind(kind).label.lower()} is made as {_formats_words(kind)}."
    if kind == Report.Kind.BOARD_PACK and not quarter:
        errors["quarter"] = "Choose the quarter the board pack reports on."
    if kind == Report.Kind.FUNDER_RETURN and stream is None:
        errors["stream"] = "Choose the funding stream whose funder the return is for."
    if errors:
        raise ValidationError(errors)
    report = Report.objects.create(
        kind=kind,
        file_format=file_format,
        financial_year=financial_year,
        quarter=quarter or None,
        stream=stream if kind == Report.Kind.FUNDER_RETURN else None,
        requested_by=user,
    )
    log(instance=report, action=REPORT_REQUEST_LOG_ACTION, user=user)
    transaction.on_commit(lambda: report_make_task.enqueue(report_id=report.pk), robust=True)
    return report


def report_request_again(*, user: User, report: Report) -> Report:
    """The same report made again from today's figures; the earlier copy is kept as it was."""
    return report_request(
        user=user,
        kind=report.kind,
        file_format=report.file_format,
        financial_year=report.financial_year,
        quarter=report.quarter,
        stream=report.stream,
    )


def _formats_words(kind: str) -> str:
    return " or ".join(str(Report.Format(value).label) for value in formats_of(kind))


def default_quarter(*, on) -> Quarter:
    """The last complete quarter on a day: the one a board pack reports on unless asked otherwise."""
    return Quarter.from_date(on).previous()


def report_filename(report: Report) -> str:
    period = report.period.label.replace("/", "-").replace(" ", "-")
    stream = f"-{report.stream.slug}" if report.stream_id else ""
    return f"{report.kind}{stream}-{period}.{report.file_format}".lower()


@task()
def report_make_task(*, report_id: int) -> None:
    report_make(report_id=report_id)


def report_make(*, report_id: int) -> Report:
    """Make a queued report's file. A failure is recorded on the report, with its reason, and logged: the office
    sees it and can ask again; it never leaves an empty file behind."""
    report = Report.objects.select_related("stream", "requested_by").get(pk=report_id)
    report.status, report.started_at, report.progress = Report.Status.RUNNING, timezone.now(), 0
    report.save(update_fields=["status", "started_at", "progress"])

    def progress(percent: int) -> None:
        Report.objects.filter(pk=report.pk).update(progress=max(0, min(99, percent)))

    try:
        content = MAKERS[(report.kind, report.file_format)](report, progress)
    except Exception as error:
        logger.exception("Report %s (%s, %s) failed", report.pk, report.kind, report.period_label)
        report.status, report.error, report.finished_at = Report.Status.FAILED, _error_words(error), timezone.now()
        report.save(update_fields=["status", "error", "finished_at"])
        return report
    report.file.save(report_filename(report), ContentFile(content), save=False)
    report.size, report.status, report.progress = len(content), Report.Status.READY, 100
    report.finished_at = timezone.now()
    report.save(update_fields=["file", "size", "status", "progress", "finished_at"])
    return report


def _error_words(error: Exception) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
