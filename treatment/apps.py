from django.apps import AppConfig


class TreatmentConfig(AppConfig):
    name = "treatment"

    def ready(self) -> None:
        # The stored facts manage.py refresh_derived rebuilds (painclinic/derived.py).
        from treatment import derived

        derived.register()
