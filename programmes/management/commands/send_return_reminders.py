"""E-mail providers about returns falling due or overdue; production runs it daily (see the README)."""

import argparse
import datetime
from collections import Counter

from django.core.management.base import BaseCommand

from programmes.models import ReturnReminder
from programmes.services import return_reminders_send, today


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date: give it as YYYY-MM-DD, like 2024-07-31") from error


class Command(BaseCommand):
    help = (
        "E-mail providers about returns due within 14 days, newly overdue, and weekly while they stay overdue. "
        "Each reminder goes once, however often this runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=iso_date, help="The day to send the reminders for (YYYY-MM-DD); by default, today."
        )

    def handle(self, *args, date: datetime.date | None = None, **options):
        sent = Counter(reminder.kind for reminder in return_reminders_send(on=date or today()))
        self.stdout.write(
            f"Sent {sent.total()} reminders: {sent[ReturnReminder.Kind.DUE_SOON]} due soon, "
            f"{sent[ReturnReminder.Kind.OVERDUE]} overdue, {sent[ReturnReminder.Kind.STILL_OVERDUE]} still overdue"
        )
