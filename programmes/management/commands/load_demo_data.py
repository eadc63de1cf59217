"""`python manage.py load_demo_data`: the demo story, loaded or topped up (safe to run on every start)."""

import logging
import time

from django.core.management.base import BaseCommand, CommandError

from funding.fiscal import FinancialYear
from programmes import notifications
from programmes.demo import story
from programmes.demo.builder import DemoBuilder, row_counts
from programmes.services import today


class Command(BaseCommand):
    help = (
        "Load the demo data: the Violence Reduction Alliance's funders, programmes, grants, payments and returns "
        "from 2023/24 to the current financial year, and the demo logins. Adds only what is missing."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        day = today()
        before = row_counts()
        # Each save queues Wagtail's reference-index task, which the in-process backend logs at INFO: thousands
        # of lines that would bury the summary.
        tasks_logger = logging.getLogger("django_tasks")
        level = tasks_logger.level
        tasks_logger.setLevel(max(level, logging.WARNING))
        try:
            with notifications.muted():
                DemoBuilder(today=day).build()
        except ValueError as error:
            raise CommandError(str(error)) from error
        finally:
            tasks_logger.setLevel(level)
        after = row_counts()
        seconds = time.monotonic() - started

        if options["verbosity"] < 1:
            return
        created = {label: after[label] - before.get(label, 0) for label in after if after[label] != before.get(label)}
        years = f"{story.FIRST_YEAR.label} to {FinancialYear.from_date(day).label}"
        if created:
            rows = ", ".join(f"{count} {label.split('.')[1]}" for label, count in sorted(created.items()))
            self.stdout.write(f"Demo data for {years} (today {day:%-d %B %Y}): added {rows} in {seconds:.1f}s.")
        else:
            self.stdout.write(f"Demo data for {years} is already loaded ({seconds:.2f}s).")
        self.stdout.write(f"Demo logins, all with the password {story.DEMO_PASSWORD}:")
        names = {org_id: name for org_id, name, *_ in story.ORGANISATIONS}
        for login in story.DEMO_LOGINS:
            roles = "Superuser" if login.superuser else ", ".join(str(role) for role in login.roles)
            self.stdout.write(f"  {login.email:<32} {roles:<22} {names[login.organisation]}")
