from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = "Patients, episodes and contacts"

    def ready(self) -> None:
        from patients import signals  # noqa: F401  (registers the receivers; models are loaded)
