"""`python manage.py load_demo_site`: the public site's demo pages, after `load_demo_data` (safe to run again)."""

import logging
import time

from django.core.management.base import BaseCommand
from wagtail.models import Page

from cms.demo import build_demo_site


class Command(BaseCommand):
    help = (
        "Build the public site's demo page tree and the pages of the demo programmes and funding streams. "
        "Adds only what is missing."
    )

    def handle(self, *args, **options):
        started, before = time.monotonic(), Page.objects.count()
        # Wagtail logs every page created and published at INFO: dozens of lines that would bury the summary.
        wagtail_logger = logging.getLogger("wagtail")
        level = wagtail_logger.level
        wagtail_logger.setLevel(max(level, logging.WARNING))
        try:
            home = build_demo_site()
        finally:
            wagtail_logger.setLevel(level)
        if options["verbosity"] >= 1:
            added = Page.objects.count() - before
            self.stdout.write(
                f"Demo public site at {home.get_full_url()}: added {added} pages in {time.monotonic() - started:.1f}s."
            )
