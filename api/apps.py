from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The versioned HTTP API: calls the clinical apps' services and selectors, never their models' internals."""

    name = "api"
    verbose_name = "HTTP API"
