from django.apps import AppConfig


class ScedConfig(AppConfig):
    name = "sced"

    def ready(self) -> None:
        # The stored facts manage.py refresh_derived rebuilds (painclinic/derived.py).
        from sced import derived

        derived.register()
