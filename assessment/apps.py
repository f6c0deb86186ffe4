from django.apps import AppConfig
from django.core import checks

from assessment.checks import check_instrument_definitions


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "Assessment"

    def ready(self) -> None:
        checks.register(check_instrument_definitions, "assessment")
        # The stored facts manage.py refresh_derived rebuilds (painclinic/derived.py).
        from assessment import derived

        derived.register()

        _use_clinic_rnpq_key()


def _use_clinic_rnpq_key() -> None:
    """Score the rNPQ against the clinic's key when settings.RNPQ_SCORING_KEY gives one."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    from assessment import instruments
    from assessment.instruments import rnpq

    letters = getattr(settings, "RNPQ_SCORING_KEY", "")
    if not letters:
        return
    if len(letters) != 12 or set(letters) - {"T", "F"}:
        raise ImproperlyConfigured("RNPQ_SCORING_KEY: 12 letters, T or F, for items 1-12.")
    key: dict[str | int, bool] = {
        str(i): letter == "T" for i, letter in enumerate(letters, start=1)
    }
    instruments.use_clinic_definition(rnpq.with_key(key))
