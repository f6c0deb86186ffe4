"""The checks a FHIR model library misses (fhir.md §4 [FR-TEST V]: it accepts wrong codes from
required value sets and does not follow references). ``bundle_problems`` returns readable
problems; an empty list means the Bundle passed. The test suite runs it beside the R4 models.

Checked:
- codes from the required value sets in ``codes.REQUIRED_CODES`` (and CarePlan activity status);
- every ``reference`` resolves to an entry's fullUrl, to a type the element allows;
- every QuestionnaireResponse names a Questionnaire in the Bundle, and answers only its linkIds;
- fullUrls unique, resource ids unique per type;
- dates, dateTimes and instants in ISO 8601 as FHIR writes them (an instant has a time zone).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .codes import REQUIRED_CODES

if TYPE_CHECKING:
    from collections.abc import Iterator

CAREPLAN_ACTIVITY_STATUS = frozenset(
    {
        "not-started",
        "scheduled",
        "in-progress",
        "on-hold",
        "completed",
        "cancelled",
        "stopped",
        "unknown",
        "entered-in-error",
    }
)

# Allowed target types of the references this export writes (hl7.org/fhir/R4, each element).
REFERENCE_TARGETS: dict[tuple[str, str], frozenset[str]] = {
    ("QuestionnaireResponse", "subject"): frozenset({"Patient"}),  # Reference(Any); we use Patient
    ("Observation", "subject"): frozenset({"Patient", "Group", "Device", "Location"}),
    ("Observation", "derivedFrom"): frozenset(
        {
            "DocumentReference",
            "ImagingStudy",
            "Media",
            "QuestionnaireResponse",
            "Observation",
            "MolecularSequence",
        }
    ),
    ("Goal", "subject"): frozenset({"Patient", "Group", "Organization"}),
    ("CarePlan", "subject"): frozenset({"Patient", "Group"}),
    ("CarePlan", "goal"): frozenset({"Goal"}),
    ("MedicationStatement", "subject"): frozenset({"Patient", "Group"}),
}

# Elements that are 1..1 in R4 (the models check these too; kept so this list stands alone).
REQUIRED_ELEMENTS: dict[str, tuple[str, ...]] = {
    "Questionnaire": ("status",),
    "QuestionnaireResponse": ("status",),
    "Observation": ("status", "code"),
    "Goal": ("lifecycleStatus", "description", "subject"),
    "CarePlan": ("status", "intent", "subject"),
    "MedicationStatement": ("status", "subject"),
}

DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
DATETIME = re.compile(
    r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$"
)
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
DATE_KEYS = {"birthDate", "dueDate", "startDate", "authored", "dateAsserted"}
DATETIME_KEYS = {"effectiveDateTime", "start", "end", "created"}
INSTANT_KEYS = {"issued", "timestamp", "lastUpdated"}


def _walk(node: Any, path: str = "") -> Iterator[tuple[str, str, Any]]:
    """(path, key, value) of every key in a JSON tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else key
            yield here, key, value
            yield from _walk(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}[{i}]")


def _references(resource: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(top-level element, reference) of every Reference in a resource."""
    for path, key, value in _walk(resource):
        if key == "reference" and isinstance(value, str):
            yield path.split(".")[0].split("[")[0], value


def bundle_problems(bundle: dict[str, Any]) -> list[str]:  # noqa: PLR0915 (a checklist read top to bottom)
    problems: list[str] = []
    if bundle.get("resourceType") != "Bundle":
        return ["not a Bundle"]
    if bundle.get("type") not in REQUIRED_CODES[("Bundle", "type")]:
        problems.append(f"Bundle.type {bundle.get('type')!r} is not a Bundle type")
    entries = bundle.get("entry") or []
    by_url: dict[str, dict[str, Any]] = {}
    ids: set[tuple[str, str]] = set()
    for i, entry in enumerate(entries):
        url, resource = entry.get("fullUrl"), entry.get("resource")
        if not url or not isinstance(resource, dict):
            problems.append(f"entry {i} has no fullUrl or no resource")
            continue
        if url in by_url:
            problems.append(f"fullUrl {url} appears twice")
        by_url[url] = resource
        key = (resource.get("resourceType", ""), resource.get("id", ""))
        if key in ids:
            problems.append(f"{key[0]}/{key[1]} appears twice")
        ids.add(key)
        if (
            url.startswith("urn:uuid:")
            and resource.get("id")
            and url != f"urn:uuid:{resource['id']}"
        ):
            problems.append(f"fullUrl {url} does not match the id {resource['id']}")

    questionnaires = {
        r.get("url"): r for r in by_url.values() if r.get("resourceType") == "Questionnaire"
    }
    for resource in by_url.values():
        rtype = resource.get("resourceType", "")
        where = f"{rtype}/{resource.get('id')}"
        for (code_type, element), allowed in REQUIRED_CODES.items():
            if code_type == rtype and element in resource and resource[element] not in allowed:
                problems.append(f"{where}.{element} {resource[element]!r} is not in the value set")
        for element in REQUIRED_ELEMENTS.get(rtype, ()):
            if element not in resource:
                problems.append(f"{where} has no {element}")
        for activity in resource.get("activity", []) if rtype == "CarePlan" else []:
            status = (activity.get("detail") or {}).get("status")
            if status not in CAREPLAN_ACTIVITY_STATUS:
                problems.append(f"{where} activity status {status!r} is not in the value set")
        for element, reference in _references(resource):
            target = by_url.get(reference)
            if target is None:
                problems.append(f"{where}.{element} -> {reference} is not in the Bundle")
                continue
            allowed = REFERENCE_TARGETS.get((rtype, element))
            if allowed is not None and target.get("resourceType") not in allowed:
                problems.append(
                    f"{where}.{element} -> {target.get('resourceType')} is not an allowed target"
                )
        if rtype == "QuestionnaireResponse":
            canonical = str(resource.get("questionnaire", "")).split("|")[0]
            q = questionnaires.get(canonical)
            if q is None:
                problems.append(f"{where} answers {canonical}, which is not in the Bundle")
            else:
                link_ids = {item["linkId"] for item in q.get("item", [])}
                stray = [
                    i["linkId"] for i in resource.get("item", []) if i["linkId"] not in link_ids
                ]
                if stray:
                    problems.append(f"{where} answers items {stray} its Questionnaire lacks")
        for path, key, value in _walk(resource):
            if not isinstance(value, str):
                continue
            if key in DATE_KEYS and not DATE.match(value):
                problems.append(f"{where}.{path} {value!r} is not an ISO date")
            elif key in DATETIME_KEYS and not DATETIME.match(value):
                problems.append(f"{where}.{path} {value!r} is not an ISO dateTime")
            elif key in INSTANT_KEYS and not INSTANT.match(value):
                problems.append(f"{where}.{path} {value!r} is not an instant with a time zone")
    for key in ("timestamp",):
        if key in bundle and not INSTANT.match(str(bundle[key])):
            problems.append(f"Bundle.{key} {bundle[key]!r} is not an instant with a time zone")
    return problems
