"""DEMO ONLY: print the current code of the demo authenticator (seed_demo_mfa), for trying
`make run` without a phone. Refused unless DJANGO_DEBUG is on."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from demo.management.commands.seed_demo_mfa import demo_code, refuse_unless_demo


class Command(BaseCommand):
    help = "DEMO ONLY: the current 6-digit code of the demo authenticator."

    def handle(self, *args, **options) -> None:
        refuse_unless_demo()
        self.stdout.write(demo_code())
