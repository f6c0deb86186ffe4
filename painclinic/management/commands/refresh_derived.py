"""Rebuild every derived (stored) column from the records, or check that none is stale.

After a bulk load, a partial restore or a fix in SQL that bypassed the services, the facts the
pages read (painclinic/derived.py) may no longer match the records. This command walks every
registered fact in batches, each in its own transaction, prints per fact how many rows it
rewrote and how long it took, and rewrites only stale rows, so a second run rewrites 0.
``--check`` (or ``--dry-run``) writes nothing, names the stale facts and exits 1 when any are
stale: for after a restore and for monitoring.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from painclinic import derived


class Command(BaseCommand):
    help = "Rebuild the derived columns the services keep current (or, with --check, count stale rows)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--check",
            "--dry-run",
            action="store_true",
            dest="check",
            help="Write nothing; count the stale rows of each fact and exit 1 if any.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=derived.DEFAULT_BATCH_SIZE,
            help="Rows per batch and transaction (default %(default)s).",
        )
        parser.add_argument(
            "--fact",
            action="append",
            dest="facts",
            metavar="NAME",
            help="Only this fact (repeatable); --list shows the names.",
        )
        parser.add_argument("--list", action="store_true", help="List the facts and stop.")

    def handle(self, *args, check: bool, batch_size: int, facts, list: bool, **options) -> None:
        registered = derived.registered()
        if list:
            for fact in registered:
                self.stdout.write(f"{fact.name}\t{fact.description}")
            return
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        if facts:
            unknown = sorted(set(facts) - {f.name for f in registered})
            if unknown:
                raise CommandError(f"unknown fact: {', '.join(unknown)} (see --list)")
            registered = [f for f in registered if f.name in facts]
        verb = "stale" if check else "rewritten"
        stale = []
        for fact in registered:
            outcome = derived.run(fact, write=not check, batch_size=batch_size)
            self.stdout.write(
                f"{outcome.name}: {outcome.rows:,} {verb} of {outcome.examined:,} "
                f"({outcome.batches} batches, {outcome.seconds:.2f} s)"
            )
            if outcome.rows:
                stale.append(f"{outcome.name} ({outcome.rows:,})")
        if check and stale:
            raise CommandError(f"stale derived columns: {', '.join(stale)}")
