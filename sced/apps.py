from django.apps import AppConfig


class ScedConfig(AppConfig):
    name = "sced"
