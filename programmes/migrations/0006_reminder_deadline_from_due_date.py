from django.db import migrations
from django.db.models import OuterRef, Subquery


def deadline_from_due_date(apps, schema_editor):
    """Every reminder sent before resubmission dates existed reminded of its return's due date."""
    ReturnReminder = apps.get_model("programmes", "ReturnReminder")
    QuarterlyReturn = apps.get_model("programmes", "QuarterlyReturn")
    due = QuarterlyReturn.objects.filter(pk=OuterRef("quarterly_return")).values("due_date")
    ReturnReminder.objects.filter(deadline__isnull=True).update(deadline=Subquery(due))


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0005_reminder_deadline"),
    ]

    operations = [
        migrations.RunPython(deadline_from_due_date, migrations.RunPython.noop),
    ]
