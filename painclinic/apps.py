from django.apps import AppConfig


class PainclinicConfig(AppConfig):
    name = "painclinic"
    verbose_name = "painclinic: accounts, access and audit"

    def ready(self) -> None:
        from painclinic import checks, signals  # noqa: F401  (registers checks and receivers)
