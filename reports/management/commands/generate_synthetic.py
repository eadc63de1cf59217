"""`python manage.py generate_synthetic --scale N [--seed S] [--replace]`: a large estate to measure with."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from programmes.services import today
from reports.figures import figures_rebuild
from reports.synthetic import Sizes, SyntheticEstate, domain_delete, domain_row_counts, outside_references


class Command(BaseCommand):
    help = (
        "Build a large, reproducible synthetic estate with bulk inserts: scale 1 is a few times the demo (100 "
        "grants), scale 100 a national one (10,000 grants, millions of indicator values). Refuses a database that "
        "already has data unless --replace is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1 is 100 grants; fractions are allowed")
        parser.add_argument("--seed", type=int, default=1, help="the same seed, scale and day give the same data")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="first DELETE everything in the database's funding, programmes and reports tables, and the users "
            "of its organisations (superusers are kept, without an organisation)",
        )

    def handle(self, *args, scale, seed, replace, **options):
        if scale <= 0:
            raise CommandError("Give a scale more than 0, such as 1 or 0.2.")
        verbose = options["verbosity"] >= 1
        started = time.monotonic()
        # One transaction: all or nothing, and on SQLite far faster than committing each insert.
        with transaction.atomic():
            existing = domain_row_counts()
            if existing and not replace:
                raise CommandError(
                    f"This database already has data ({_rows(existing)}). Run again with --replace to delete all "
                    "of it, and the users of its organisations except superusers, before generating."
                )
            if existing:
                blocking = outside_references()
                if blocking:
                    raise CommandError(
                        f"--replace cannot delete this database's data: {_rows(blocking)} refer to it. Delete "
                        "those first, or generate into an empty database."
                    )
                deleted = domain_delete()
                if verbose:
                    self.stdout.write(f"--replace: deleted {_rows(deleted)}.")
            built = SyntheticEstate(scale=scale, seed=seed, today=today()).build()
            generated = time.monotonic()
            summary_rows = figures_rebuild()
        finished = time.monotonic()
        if not verbose:
            return
        sizes = Sizes.for_scale(scale)
        self.stdout.write(
            f"Synthetic estate at scale {scale:g} (seed {seed}, {sizes.grants:,} grants), as on {today()}:"
        )
        width = max(len(label) for label in built)
        for label, count in built.items():
            self.stdout.write(f"  {label:<{width}} {count:>12,}")
        self.stdout.write(
            f"  {'total':<{width}} {sum(built.values()):>12,} rows in {generated - started:.1f}s; "
            f"{summary_rows:,} summary rows rebuilt in {finished - generated:.1f}s."
        )


def _rows(counts: dict[str, int]) -> str:
    return ", ".join(f"{count:,} {label}" for label, count in counts.items())
