from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "safety"
    verbose_name = "Clinical safety"

    def ready(self) -> None:
        # The assessment app sends signals; this app, above it, listens (imports point down:
        # safety -> assessment -> patients -> painclinic; DESIGN.md "Architecture").
        from safety import receivers  # noqa: F401
