"""`python manage.py benchmark [--scales 1 100] [--repeat 5]`: the back office's pages at two scales."""

import json

from django.core.management.base import BaseCommand, CommandError

from reports import benchmark


class Command(BaseCommand):
    help = (
        "Time the back office's pages through the test client at two scales of synthetic data, in a throwaway "
        "database, and print a table and JSON. Fails if a page's query count differs between the scales."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scales", type=float, nargs=2, default=[1.0, 100.0], metavar=("SMALL", "LARGE"))
        parser.add_argument("--repeat", type=int, default=5, help="timed requests per page after a warm-up")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, scales, repeat, seed, **options):
        if repeat < 1 or min(scales) <= 0:
            raise CommandError("Give scales more than 0 and --repeat of at least 1.")
        try:
            result = benchmark.run(scales=scales, repeat=repeat, seed=seed, stdout=self.stdout)
        except benchmark.BenchmarkError as error:
            raise CommandError(str(error)) from error
        self.stdout.write("")
        self.stdout.write(benchmark.table(result))
        self.stdout.write("")
        self.stdout.write(json.dumps(result, indent=2))
        growing = [page["label"] for page in result["pages"] if not page["queries_stable"]]
        if growing:
            raise CommandError(f"The query count changes with the data on: {', '.join(growing)}.")
