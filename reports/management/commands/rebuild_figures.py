"""`python manage.py rebuild_figures`: recompute the dashboards' money summary from the base tables."""

import time

from django.core.management.base import BaseCommand

from reports.figures import figures_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the money summary the dashboards read. Every change through the services keeps it current; "
        "run this after loading data by other means, such as a restore or a bulk load."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        rows = figures_rebuild()
        if options["verbosity"] >= 1:
            self.stdout.write(f"Rebuilt {rows} summary rows in {time.monotonic() - started:.1f}s.")
