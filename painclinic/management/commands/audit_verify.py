"""Check the audit log's hash chain; exit 1 at the first broken link (issue #15)."""

from __future__ import annotations

from datetime import UTC

from django.core.management.base import BaseCommand, CommandError

from painclinic.selectors import audit_chain_check


class Command(BaseCommand):
    help = "Recompute the audit log's hash chain and report OK or the first broken link."

    def handle(self, *args, **options) -> None:
        result = audit_chain_check()
        if result.ok:
            self.stdout.write(f"OK: {result.events} events, chain head {result.head}")
            return
        raise CommandError(
            f"audit chain broken at event {result.broken_id} "
            f"({result.broken_at.astimezone(UTC).isoformat(timespec='seconds')}): that event was "
            f"changed, inserted outside the app, or the event before it was deleted "
            f"({result.events - 1} events before it check out)"
        )
