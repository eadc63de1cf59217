"""`python manage.py check_figures`: prove every money figure adds up, or name each record that does not."""

from django.core.management.base import BaseCommand, CommandError

from programmes.services import today
from reports.checks import figures_check


class Command(BaseCommand):
    help = (
        "Check every invariant of the money over the whole database: grants' charges, budget lines and profiles "
        "add up (per financial year too), the streams' shares add up to their grants, the dashboards equal the "
        "records behind them, nothing passes a limit unflagged, and the summary equals a fresh rebuild. Prints "
        "each violation with its record and exits non-zero if there is one."
    )

    def handle(self, *args, **options):
        violations = figures_check(on=today())
        for violation in violations:
            self.stderr.write(str(violation))
        if violations:
            raise CommandError(f"{len(violations)} figure{'s' if len(violations) != 1 else ''} do not reconcile.")
        if options["verbosity"] >= 1:
            self.stdout.write("Every figure reconciles.")
