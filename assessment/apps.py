from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "Assessment"

    def ready(self) -> None:
        from django.core import checks

        from assessment.checks import check_instrument_definitions

        checks.register(check_instrument_definitions, "assessment")
