from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "safety"
    verbose_name = "Clinical safety"

    def ready(self) -> None:
        # The assessment app sends signals; this app, above it, listens (imports point down:
        # safety -> assessment -> patients -> painclinic; DESIGN.md "Architecture").
        from painclinic.backends import USER_QUERY_EXTRAS
        from safety import receivers, selectors  # noqa: F401

        # The navigation's "any unread notification?" read with the user (issue #16).
        USER_QUERY_EXTRAS[selectors.UNREAD_ATTR] = selectors.unread_exists_sql
