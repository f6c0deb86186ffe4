"""A patient's record as a FHIR R4 Bundle (resource mapping: shared/reference/fhir.md §1).

Bundle type ``collection``, not ``document``: a document Bundle must open with a Composition
that a named author attests as one clinical document (R4 Bundle invariants bdl-9 to bdl-11,
Composition), and this export is a set of records taken from the system at a moment, not a
letter anyone signed. Every entry has a ``urn:uuid:`` fullUrl and every reference points to one,
so the Bundle stands on its own.

Ids are UUID v5 of the record's own key under the patient, so exporting the same record twice
gives the same ids (a receiver can update instead of duplicating), and nothing else about the
record can be read from them.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from assessment import instruments

from . import codes
from .questionnaire import answer_coding, canonical_url, is_choice, questionnaire, verified_loinc

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import date, datetime

    from .records import GoalRecord, MedicationRecord, PatientRecord, PlanRecord, ResultRecord

NAMESPACE = uuid.UUID("6f1c1c52-5b7e-4f5e-9a43-2f3c1b8e9d10")  # this export's own UUID namespace
SCORE_UNIT = {"unit": "{score}", "system": codes.UCUM, "code": "{score}"}  # fhir.md §1 [LOINC V]
SURVEY = {
    "coding": [
        {"system": codes.OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}
    ]  # observation-category "survey" (fhir.md §1 [S])
}


def resource_uuid(patient_id: str, kind: str, key: Any) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{patient_id}/{kind}/{key}"))


def _ref(resource: dict[str, Any]) -> dict[str, str]:
    return {"reference": f"urn:uuid:{resource['id']}"}


def _instant(value: datetime) -> str:
    # FHIR instant: seconds and a time zone are required; stored datetimes are aware (USE_TZ).
    return value.isoformat(timespec="seconds")


def _day(value: date) -> str:
    return value.isoformat()


def patient_resource(p: PatientRecord, *, base: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "Patient",
        "id": p.id,
        "identifier": [{"system": codes.local_systems(base)["mrn"], "value": p.identifier}],
        "name": [{"use": "official", "family": p.family_name, "given": [p.given_name]}],
        "gender": codes.GENDER.get(p.sex, "unknown"),
        "birthDate": _day(p.birth_date),
    }
    telecom = [
        {"system": system, "value": value}
        for system, value in (("phone", p.phone), ("email", p.email))
        if value
    ]
    if telecom:
        out["telecom"] = telecom
    return out


def _answer(definition, item_id: str, raw: Any, base: str) -> dict[str, Any] | None:
    """One QuestionnaireResponse answer, or None for a missing answer ("NA", None, blank)."""
    if raw is None or (isinstance(raw, str) and raw.strip().upper() in ("", "NA")):
        return None
    item = definition.item(item_id) if definition is not None else None
    try:
        number = float(raw)
    except (TypeError, ValueError):
        return {"valueString": str(raw)}
    if not number.is_integer():
        return {"valueDecimal": number}
    value = int(number)
    if item is not None and is_choice(item):
        return {"valueCoding": answer_coding(definition, item, value, base)}
    return {"valueInteger": value}


def _definition(key: str):
    try:
        return instruments.get(key)
    except KeyError:
        return None


def response_resource(r: ResultRecord, *, patient: dict[str, Any], base: str) -> dict[str, Any]:
    definition = _definition(r.instrument_key)
    items = []
    ordered = (
        [item.id for item in definition.items if item.id in r.answers]
        if definition is not None
        else sorted(r.answers)
    )
    for item_id in ordered:
        answer = _answer(definition, item_id, r.answers[item_id], base)
        if answer is None:
            continue  # an unanswered item has no answer element (missing, never "0")
        entry: dict[str, Any] = {"linkId": item_id, "answer": [answer]}
        item = definition.item(item_id) if definition is not None else None
        if item is not None:
            entry["text"] = (
                item.text if (definition.licence.item_text_bundled and item.text) else item.label
            )
        items.append(entry)
    out: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": resource_uuid(patient["id"], "QuestionnaireResponse", r.id),
        "questionnaire": f"{canonical_url(base, r.instrument_key)}|{r.definition_version}",
        # "amended": changed after it was completed (R4 questionnaire-answers-status).
        "status": "amended" if r.amended else "completed",
        "subject": _ref(patient),
        "authored": _day(r.on),
        "item": items,
    }
    return out


def _score_code(definition, key: str, score_id: str, base: str) -> dict[str, Any]:
    loinc = verified_loinc(definition, "score", score_id) if definition is not None else None
    rule = definition.score_rule(score_id) if definition is not None else None
    name = definition.short_name if definition is not None else key
    label = f"{name} {rule.label if rule is not None else score_id}"
    if loinc:
        return {"coding": [{"system": codes.LOINC, "code": loinc, "display": label}], "text": label}
    # No verified LOINC code for this score (instruments.md lists none, or only secondary ones):
    # the clinic's own code, so no receiving system mistakes it for a LOINC-coded measure.
    return {
        "coding": [
            {
                "system": codes.local_systems(base)["score"],
                "code": f"{key}.{score_id}",
                "display": label,
            }
        ],
        "text": label,
    }


def _band_of(score: dict[str, Any], score_id: str, primary: str | None) -> dict | None:
    band = (score.get("bands") or {}).get(score_id)
    if band is None and score_id == primary:
        band = score.get("band")
    return band if isinstance(band, dict) else None


def score_observations(
    r: ResultRecord, response: dict[str, Any], *, patient: dict[str, Any], base: str
) -> list[dict[str, Any]]:
    """One Observation per total and subscale of a scorable result, derived from its response.
    An unscorable result has no score, so no Observation: its response carries the answers."""
    if not r.score.get("scorable"):
        return []
    definition = _definition(r.instrument_key)
    primary = definition.primary if definition is not None else "total"
    values: list[tuple[str, Any]] = []
    if r.score.get("total") is not None and primary:
        values.append((primary, r.score["total"]))
    values += [
        (score_id, value)
        for score_id, value in (r.score.get("subscales") or {}).items()
        if value is not None and score_id != primary
    ]
    texts = r.score.get("texts") or {}
    if texts.get("profile"):
        # EQ-5D-5L (issue #14): the EQ VAS and the index from the clinic's value set are scores
        # of their own (derived beside the level sum); the health profile is a code, exported as
        # a string. Other instruments' derived short forms stay out, as before.
        values += [
            (score_id, value)
            for score_id, value in (r.score.get("derived") or {}).items()
            if value is not None
        ]
        values.append(("profile", str(texts["profile"])))
    out = []
    for score_id, value in values:
        observation: dict[str, Any] = {
            "resourceType": "Observation",
            "id": resource_uuid(patient["id"], "Observation", f"{r.id}/{score_id}"),
            "status": "amended" if r.amended else "final",
            "category": [SURVEY],
            "code": _score_code(definition, r.instrument_key, score_id, base),
            "subject": _ref(patient),
            "effectiveDateTime": _day(r.on),
            "derivedFrom": [_ref(response)],
        }
        if isinstance(value, str):
            observation["valueString"] = value
        else:
            observation["valueQuantity"] = {"value": value, **SCORE_UNIT}
        if r.signed_at is not None:
            observation["issued"] = _instant(r.signed_at)
        band = _band_of(r.score, score_id, primary)
        if band is not None and band.get("label"):
            # The band as words only: the instrument's bands are not an HL7 interpretation code.
            observation["interpretation"] = [{"text": str(band["label"])}]
        out.append(observation)
    return out


def goal_resource(g: GoalRecord, *, patient: dict[str, Any], base: str) -> dict[str, Any]:
    """A GAS goal: FHIR has no GAS element (fhir.md §1 [U design]), so the expected outcome is
    the target (GAS level 0 by the due date), the five level descriptions go in an extension of
    the clinic (and, for people, in a note), and each review is an Observation on the goal."""
    systems = codes.local_systems(base)
    if g.retired:
        status = "cancelled"
    elif g.episode_open:
        status = "active"
    else:
        status = "completed"
    levels = sorted(g.levels)
    return {
        "resourceType": "Goal",
        "id": resource_uuid(patient["id"], "Goal", g.id),
        "extension": [
            {
                "url": systems["gas_extension"],
                "extension": [
                    {"url": "baseline", "valueInteger": g.baseline_level},
                    {"url": "weight", "valueDecimal": g.weight},
                    *(
                        {
                            "url": "level",
                            "extension": [
                                {"url": "value", "valueInteger": level},
                                {"url": "description", "valueString": text},
                            ],
                        }
                        for level, text in levels
                    ),
                ],
            }
        ],
        "lifecycleStatus": status,
        "description": {"text": g.patient_words},
        "subject": _ref(patient),
        "startDate": _day(g.created_on),
        "target": [
            {
                "measure": {
                    "coding": [{"system": systems["gas"], "code": "level", "display": "GAS level"}]
                },
                "detailInteger": 0,  # GAS level 0: the expected outcome
                "dueDate": _day(g.by_when),
            }
        ],
        "note": [
            {"text": f"{g.what} ({g.how_much})"},
            {"text": "; ".join(f"{level:+d}: {text}" for level, text in levels)},
        ],
    }


def goal_review_observations(
    g: GoalRecord, goal: dict[str, Any], *, patient: dict[str, Any], base: str
) -> list[dict[str, Any]]:
    systems = codes.local_systems(base)
    return [
        {
            "resourceType": "Observation",
            "id": resource_uuid(patient["id"], "Observation", f"goal/{g.id}/{i}"),
            "status": "final",
            "code": {
                "coding": [
                    {"system": systems["gas"], "code": "attained", "display": "GAS level attained"}
                ]
            },
            "subject": _ref(patient),
            "focus": [_ref(goal)],
            "effectiveDateTime": _day(review.on),
            "valueInteger": review.level,
        }
        for i, review in enumerate(g.reviews)
    ]


def care_plan_resource(
    plan: PlanRecord, goals: dict[int, dict[str, Any]], *, patient: dict[str, Any], base: str
) -> dict[str, Any]:
    systems = codes.local_systems(base)
    out: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": resource_uuid(patient["id"], "CarePlan", plan.id),
        "status": "active" if plan.episode_open else "completed",
        "intent": "plan",
        "title": f"Treatment plan (version {plan.version})",
        "description": plan.formulation,
        "subject": _ref(patient),
        "created": _instant(plan.signed_at),
    }
    linked = [_ref(goals[goal_id]) for goal_id in plan.goal_ids if goal_id in goals]
    if linked:
        out["goal"] = linked
    if plan.interventions:
        out["activity"] = [
            {
                "detail": {
                    "code": {
                        "coding": [
                            {"system": systems["intervention"], "code": code, "display": display}
                        ],
                        "text": display,
                    },
                    "status": "in-progress" if plan.episode_open else "completed",
                }
            }
            for code, display in plan.interventions
        ]
    if plan.focus_areas:
        out["note"] = [{"text": plan.focus_areas}]
    return out


def medication_statement(
    m: MedicationRecord, *, patient: dict[str, Any], base: str, today: date
) -> dict[str, Any]:
    concept: dict[str, Any] = {"text": m.name}
    if m.product:
        concept["coding"] = [
            {
                "system": codes.local_systems(base)["opioid_product"],
                "code": m.product,
                "display": m.name,
            }
        ]
    period: dict[str, str] = {"start": _day(m.start_date)}
    if m.stop_date is not None:
        period["end"] = _day(m.stop_date)
    dosage: dict[str, Any] = {"asNeededBoolean": m.as_needed}
    if m.dose_text:
        dosage["text"] = m.dose_text
    if m.route:
        dosage["route"] = {"text": m.route}
    out: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "id": resource_uuid(patient["id"], "MedicationStatement", m.id),
        # "stopped" once the recorded stop date has come (R4 medication-statement-status).
        "status": "stopped" if m.stop_date is not None and m.stop_date <= today else "active",
        "medicationCodeableConcept": concept,
        "subject": _ref(patient),
        "effectivePeriod": period,
        "dateAsserted": _day(m.recorded_on),
        "dosage": [dosage],
    }
    if m.indication:
        out["reasonCode"] = [{"text": m.indication}]
    return out


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}


def patient_bundle(
    *,
    patient: PatientRecord,
    results: Sequence[ResultRecord],
    goals: Sequence[GoalRecord],
    plans: Sequence[PlanRecord],
    medications: Sequence[MedicationRecord],
    base: str,
    now: datetime,
    bundle_id: str | None = None,
) -> dict[str, Any]:
    """The whole export as a JSON-ready dict (see the module docstring)."""
    patient_res = patient_resource(patient, base=base)
    resources: list[dict[str, Any]] = [patient_res]

    keys = list(dict.fromkeys(r.instrument_key for r in results))
    for key in keys:
        definition = _definition(key)
        if definition is not None:
            resources.append(
                questionnaire(
                    definition, base=base, resource_id=resource_uuid("", "Questionnaire", key)
                )
            )
    for r in results:
        response = response_resource(r, patient=patient_res, base=base)
        resources.append(response)
        resources.extend(score_observations(r, response, patient=patient_res, base=base))

    goal_resources: dict[int, dict[str, Any]] = {}
    for g in goals:
        goal = goal_resource(g, patient=patient_res, base=base)
        goal_resources[g.id] = goal
        resources.append(goal)
        resources.extend(goal_review_observations(g, goal, patient=patient_res, base=base))
    resources.extend(
        care_plan_resource(plan, goal_resources, patient=patient_res, base=base) for plan in plans
    )
    resources.extend(
        medication_statement(m, patient=patient_res, base=base, today=now.date())
        for m in medications
    )
    return {
        "resourceType": "Bundle",
        "id": bundle_id or str(uuid.uuid4()),
        "meta": {"lastUpdated": _instant(now)},
        "type": "collection",
        "timestamp": _instant(now),
        "entry": [_entry(resource) for resource in resources],
    }


def questionnaire_bundle(
    definitions: Iterable[instruments.Instrument], *, base: str, now: datetime
) -> dict[str, Any]:
    """Instrument definitions alone (no patient data), as a collection of Questionnaires."""
    resources = [
        questionnaire(d, base=base, resource_id=resource_uuid("", "Questionnaire", d.key))
        for d in definitions
    ]
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "collection",
        "timestamp": _instant(now),
        "entry": [_entry(resource) for resource in resources],
    }
