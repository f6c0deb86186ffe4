from django.apps import AppConfig


class ReviewConfig(AppConfig):
    """The team lead's caseload review, attention rules and process measures (reads every clinical app)."""

    name = "review"
    verbose_name = "Team review"
