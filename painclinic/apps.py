from django.apps import AppConfig


class PainclinicConfig(AppConfig):
    name = "painclinic"
    verbose_name = "painclinic: accounts, access and audit"

    def ready(self) -> None:
        # Registers checks and receivers, and binds @shared_task to the project's Celery app.
        from painclinic import celery, checks, signals  # noqa: F401
