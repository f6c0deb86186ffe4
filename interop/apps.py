from django.apps import AppConfig


class InteropConfig(AppConfig):
    """FHIR R4 export and de-identified research exports."""

    name = "interop"
    verbose_name = "Interoperability"
