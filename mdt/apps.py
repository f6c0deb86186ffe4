from django.apps import AppConfig


class MdtConfig(AppConfig):
    """MDT case conferences: the team's agenda, the conferences, their decisions and actions."""

    name = "mdt"
    verbose_name = "MDT case conferences"
