from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo seeding and benchmarks: the top of the house, free to use every clinical app."""

    name = "demo"
    verbose_name = "Demo data and benchmarks"
