"""Data migrations: what they fill in for rows written before them."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from programmes.models import ReturnReminder
from programmes.services import grant_activate
from tests.factories import funded_grant

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(target: tuple[str, str]):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state([target]).apps


def test_reminders_sent_before_deadlines_were_recorded_reminded_of_the_due_date(officer):
    grant = funded_grant()
    grant_activate(grant=grant, user=officer)
    q1 = grant.returns.get(quarter=1)
    old = migrate(("programmes", "0005_reminder_deadline"))
    Reminder = old.get_model("programmes", "ReturnReminder")
    Reminder.objects.create(quarterly_return_id=q1.pk, kind="overdue", week=0, recipients="a@example.org")
    migrate(("programmes", "0007_reminder_deadline_required"))
    assert ReturnReminder.objects.get().deadline == q1.due_date == datetime.date(2023, 7, 30)
