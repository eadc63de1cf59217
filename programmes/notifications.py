"""E-mail about quarterly returns: each step of the review workflow, and the reminders about returns falling due.

The workflow's signals are sent inside the service's transaction, so messages are queued only once it commits:
a refused or rolled-back change tells nobody anything. Every message goes out through a django-tasks task, which
the embedded defaults run in-process and production can hand to a worker.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from programmes.models import QuarterlyReturn, ReturnReminder
from programmes.selectors import provider_user_emails, review_officer_emails

REVIEW_URL_NAME = "outturn_review:review"


@task()
def email_send(*, subject: str, body: str, to: list[str]) -> None:
    EmailMessage(subject=subject, body=body, to=to).send()


def _absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def portal_url(quarterly_return: QuarterlyReturn) -> str:
    return _absolute(reverse("portal:return", kwargs={"pk": quarterly_return.pk}))


def subject(quarterly_return: QuarterlyReturn, what: str) -> str:
    """Says what happened to which return: "Q2 2024/25 return for 360G-SSVRA-2024-001 approved"."""
    return f"{quarterly_return.period} return for {quarterly_return.grant.identifier} {what}"


def message(template: str, *, quarterly_return: QuarterlyReturn, what: str, to: list[str], **context) -> dict:
    """The task's arguments for one e-mail: plain strings, so that any task backend can store them."""
    body = render_to_string(
        f"programmes/email/{template}.txt",
        {"quarterly_return": quarterly_return, "grant": quarterly_return.grant, **context},
    )
    return {"subject": subject(quarterly_return, what), "body": body, "to": to}


_muted = ContextVar("programmes_notifications_muted", default=False)


@contextmanager
def muted():
    """No e-mail about workflow events inside the block: the demo loader replays a story that has already
    happened, and nobody should hear about it."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def send_on_commit(*messages: dict) -> None:
    if _muted.get():
        return

    def enqueue():
        for kwargs in messages:
            if kwargs["to"]:
                email_send.enqueue(**kwargs)

    # robust: a mail server that is down must not turn a change that has been saved into an error page.
    transaction.on_commit(enqueue, robust=True)


def _to_provider(quarterly_return: QuarterlyReturn) -> list[str]:
    return provider_user_emails(organisation_id=quarterly_return.grant.provider_id)


# --- Signal receivers (connected in ProgrammesConfig.ready) ----------------------------------------------------


def on_return_submitted(sender, *, quarterly_return: QuarterlyReturn, by, **kwargs) -> None:
    """A receipt for the provider; for the office, word that the return is ready for review."""
    send_on_commit(
        message(
            "return_received",
            quarterly_return=quarterly_return,
            what="received",
            to=_to_provider(quarterly_return),
            submitted_by=by,
            portal_url=portal_url(quarterly_return),
        ),
        message(
            "return_ready_for_review",
            quarterly_return=quarterly_return,
            what="ready for review",
            to=review_officer_emails(grant=quarterly_return.grant),
            review_url=_absolute(reverse(REVIEW_URL_NAME, args=[quarterly_return.pk])),
        ),
    )


def _to_provider_about(template: str, what: str):
    """A receiver that tells the provider's users what happened to their return (with the office's reason)."""

    def receiver(sender, *, quarterly_return: QuarterlyReturn, reason: str = "", **kwargs) -> None:
        send_on_commit(
            message(
                template,
                quarterly_return=quarterly_return,
                what=what,
                to=_to_provider(quarterly_return),
                reason=reason,
                portal_url=portal_url(quarterly_return),
            )
        )

    receiver.__name__ = f"on_{template}"
    return receiver


on_return_sent_back = _to_provider_about("return_sent_back", "returned for changes")
on_return_approved = _to_provider_about("return_approved", "approved")
on_return_reopened = _to_provider_about("return_reopened", "reopened")


# --- Reminders --------------------------------------------------------------------------------------------------


def _reminder_what(reminder: ReturnReminder) -> str:
    deadline, weeks = reminder.deadline, reminder.week
    if reminder.kind == ReturnReminder.Kind.DUE_SOON:
        return f"due on {deadline.day} {deadline:%B %Y}"
    if reminder.kind == ReturnReminder.Kind.OVERDUE:
        return "overdue"
    return f"{weeks} week{'s' if weeks > 1 else ''} overdue"


def reminder_queue(*, reminder: ReturnReminder) -> None:
    """Queue a reminder's e-mail now: the caller writes the reminder in the same transaction, so that the record
    of a reminder and the reminder itself go together."""
    quarterly_return = reminder.quarterly_return
    email_send.enqueue(
        **message(
            "return_reminder",
            quarterly_return=quarterly_return,
            what=_reminder_what(reminder),
            to=reminder.recipients.splitlines(),
            reminder=reminder,
            deadline=reminder.deadline,
            weeks_overdue=reminder.week,
            portal_url=portal_url(quarterly_return),
        )
    )


# --- Invitations to the provider portal -----------------------------------------------------------------------


def set_password_link(*, user) -> str:
    """Where the user sets a password: the portal's password page, with a token that works once and expires after
    PASSWORD_RESET_TIMEOUT."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return _absolute(reverse("portal:password_reset_confirm", kwargs={"uidb64": uid, "token": token}))


def on_user_invited(sender, *, user, invited_by, **kwargs) -> None:
    context = {
        "user": user,
        "invited_by": invited_by,
        "organisation": user.organisation,
        "link": set_password_link(user=user),
        "days": settings.PASSWORD_RESET_TIMEOUT // (60 * 60 * 24),
        "sign_in_url": _absolute(reverse("portal:login")),
    }
    invitation = {
        "subject": " ".join(render_to_string("portal/email/user_invitation_subject.txt", context).split()),
        "body": render_to_string("portal/email/user_invitation.txt", context),
        "to": [user.email],
    }
    send_on_commit(invitation)
