from django.apps import AppConfig


class PainclinicConfig(AppConfig):
    name = "painclinic"
    verbose_name = "painclinic: accounts, access and audit"

    def ready(self) -> None:
        # Registers checks and receivers, and loads the Celery app with Django so that every task
        # sent binds to it (`celery -A painclinic` finds painclinic/celery.py on its own).
        from painclinic import celery, checks, signals  # noqa: F401
