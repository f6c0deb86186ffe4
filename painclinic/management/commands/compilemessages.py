"""``manage.py compilemessages`` that compiles only the project's catalogues (locale/).

Django's command walks the whole tree for ``locale`` folders; in a checkout with its virtualenv
inside it, that would rewrite the .mo files of every installed package. The build runs this
(scripts/test.sh, scripts/run-demo.sh, Dockerfile); the .mo files are never committed.
"""

from __future__ import annotations

from django.core.management.commands import compilemessages

from painclinic.management.commands.makemessages import IGNORE


class Command(compilemessages.Command):
    def handle(self, *args, **options):
        options["ignore_patterns"] = [*(options.get("ignore_patterns") or []), *IGNORE]
        return super().handle(*args, **options)
