"""`python manage.py benchmark_reports [--scales 1 100] [--repeat 3]`: the board pack's time, queries and memory."""

import json

from django.core.management.base import BaseCommand, CommandError

from reports import report_benchmark


class Command(BaseCommand):
    help = (
        "Make the board pack for the last complete quarter from the demo data and at two scales of synthetic data, "
        "in throwaway databases, and print where its time goes, its queries and its memory. Fails if the query "
        "count differs between the scales."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scales", type=float, nargs=2, default=[1.0, 100.0], metavar=("SMALL", "LARGE"))
        parser.add_argument("--repeat", type=int, default=3, help="timed board packs at each scale after a warm-up")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, scales, repeat, seed, **options):
        if repeat < 1 or min(scales) <= 0:
            raise CommandError("Give scales more than 0 and --repeat of at least 1.")
        result = report_benchmark.run(scales=scales, repeat=repeat, seed=seed, stdout=self.stdout)
        self.stdout.write("")
        self.stdout.write(report_benchmark.table(result))
        self.stdout.write("")
        self.stdout.write(json.dumps(result, indent=2))
        queries = {figures["queries"] for figures in result["scales"].values()}
        if len(queries) > 1:
            raise CommandError(f"The board pack's query count changes with the data: {sorted(queries)}.")
