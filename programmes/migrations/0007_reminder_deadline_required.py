from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0006_reminder_deadline_from_due_date"),
    ]

    operations = [
        migrations.AlterField(
            model_name="returnreminder",
            name="deadline",
            field=models.DateField(),
        ),
    ]
