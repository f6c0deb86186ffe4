from django.apps import AppConfig
from django.core import checks

from assessment.checks import check_instrument_definitions


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "Assessment"

    def ready(self) -> None:
        checks.register(check_instrument_definitions, "assessment")
