"""System check: every instrument definition is sound (STYLE.md §3.3).

Each ``validation.definition_problems`` entry becomes a ``checks.Error`` with the problem's
stable id (assessment.E001 ...), so ``manage.py check`` fails in CI on a broken definition, the
way ``django/contrib/auth/checks.py`` reports model problems. Registered in
``AssessmentConfig.ready()``.
"""

from __future__ import annotations

from django.core import checks

from assessment import instruments
from assessment.instruments import validation


def check_instrument_definitions(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for definition in instruments.all_instruments():
        for problem in validation.definition_problems(definition):
            errors.append(
                checks.Error(
                    problem.message,
                    hint="Fix the definition in assessment/instruments/ "
                    "(rules and sources: shared/reference/instruments.md).",
                    obj=f"assessment.instruments:{definition.key}",
                    id=problem.code,
                )
            )
    return errors
