"""Code systems and value sets used in the FHIR export.

Sources: HL7 FHIR R4 4.0.1 (hl7.org/fhir/R4) for the resource status value sets (all bound
"required"); shared/reference/fhir.md §1-§2 for the resource mapping and the LOINC codes.
Only LOINC codes marked verified in the instrument definitions are used
(``assessment.instruments`` ``LoincCode.evidence == "verified"``); every other score gets a code
from the clinic's own code system, because an unverified LOINC code in an export would be a
claim another system acts on.
"""

from __future__ import annotations

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
DATA_ABSENT_REASON = "http://terminology.hl7.org/CodeSystem/data-absent-reason"

# The clinic's base for its own canonical URLs and code systems. A deployment sets
# settings.FHIR_BASE_URL to its public address; the default is a reserved example domain
# (RFC 2606), so an export never claims somebody else's namespace.
DEFAULT_BASE_URL = "https://painclinic.example.org/fhir"


def local_systems(base: str) -> dict[str, str]:
    """The clinic's own code and identifier systems under ``base``."""
    return {
        # Scores without a verified LOINC code: "<instrument>.<score id>" (e.g. "tsk17.total").
        "score": f"{base}/CodeSystem/instrument-score",
        # Answer codes of an item: the printed answer code (ordinal) as text.
        "answer": f"{base}/CodeSystem/answer",
        # Goal Attainment Scaling level (-2..+2); no core FHIR element (fhir.md §1 [U design]).
        "gas": f"{base}/CodeSystem/goal-attainment-scaling",
        "intervention": f"{base}/CodeSystem/intervention",
        "opioid_product": f"{base}/CodeSystem/opioid-product",
        "mrn": f"{base}/identifier/patient",
        "questionnaire": f"{base}/Questionnaire",
        "gas_extension": f"{base}/StructureDefinition/goal-attainment-scaling-levels",
        "bundle": f"{base}/identifier/export",
    }


# LOINC answer codes of the PHQ/GAD frequency scale (fhir.md §2 [LOINC V]: LA6568-5,
# LA6569-3, LA6570-1, LA6571-9; loinc.org/LL358-3 [V]). Used only for the instruments whose own
# LOINC codes are verified and whose anchors read exactly so.
LOINC_FREQUENCY_ANSWERS = {
    "Not at all": "LA6568-5",
    "Several days": "LA6569-3",
    "More than half the days": "LA6570-1",
    "Nearly every day": "LA6571-9",
}

# Required value sets (hl7.org/fhir/R4, each element's binding "required"). The model library
# does not check these (fhir.md §4 [FR-TEST V]: Observation.status "finished" passed), so
# interop.fhir.checks does.
REQUIRED_CODES: dict[tuple[str, str], frozenset[str]] = {
    ("Bundle", "type"): frozenset(
        {
            "document",
            "message",
            "transaction",
            "transaction-response",
            "batch",
            "batch-response",
            "history",
            "searchset",
            "collection",
        }
    ),
    ("Patient", "gender"): frozenset({"male", "female", "other", "unknown"}),
    ("Questionnaire", "status"): frozenset({"draft", "active", "retired", "unknown"}),
    ("QuestionnaireResponse", "status"): frozenset(
        {"in-progress", "completed", "amended", "entered-in-error", "stopped"}
    ),
    ("Observation", "status"): frozenset(
        {
            "registered",
            "preliminary",
            "final",
            "amended",
            "corrected",
            "cancelled",
            "entered-in-error",
            "unknown",
        }
    ),
    ("Goal", "lifecycleStatus"): frozenset(
        {
            "proposed",
            "planned",
            "accepted",
            "active",
            "on-hold",
            "completed",
            "cancelled",
            "entered-in-error",
            "rejected",
        }
    ),
    ("CarePlan", "status"): frozenset(
        {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}
    ),
    ("CarePlan", "intent"): frozenset({"proposal", "plan", "order", "option"}),
    ("MedicationStatement", "status"): frozenset(
        {
            "active",
            "completed",
            "entered-in-error",
            "intended",
            "stopped",
            "on-hold",
            "unknown",
            "not-taken",
        }
    ),
}

# Patient.gender (administrative-gender) from the sex recorded at birth (patients.models.Sex):
# FHIR has no "intersex" or "not stated" code, so they map to "other" and "unknown".
GENDER = {
    "female": "female",
    "male": "male",
    "intersex": "other",
    "not_known": "unknown",
    "not_stated": "unknown",
}
