"""Validate a FHIR export the way the test suite trusts: the pinned R4 (4.0.1) models of
fhir.resources 6.4.0 for structure and datatypes, then interop.fhir.checks for what the models
miss (required value sets, references, ids, ISO dates)."""

from __future__ import annotations

import importlib

from fhir.resources import __fhir_version__
from fhir.resources.bundle import Bundle

from interop.fhir.checks import bundle_problems


def r4_model(resource: dict):
    module = importlib.import_module(f"fhir.resources.{resource['resourceType'].lower()}")
    return getattr(module, resource["resourceType"])


def validate_r4(bundle: dict) -> list[str]:
    """Raise pydantic's ValidationError on a structural error; return the extra problems."""
    assert __fhir_version__ == "4.0.1"
    Bundle.parse_obj(bundle)
    for entry in bundle.get("entry", []):
        r4_model(entry["resource"]).parse_obj(entry["resource"])  # each by its own R4 class
    return bundle_problems(bundle)
