"""The red-flag screen for serious spinal pathology and other causes to exclude in chronic pain.
PURE: no Django (STYLE.md §3.2).

Sources (shared/reference/safety.md §3, §5; marks: V = primary source read, S = secondary,
U = memory or design proposal):
- Conditions to exclude: cauda equina syndrome, spinal fracture, malignancy, infection
  (IFOMPT framework, Finucane 2020, doi:10.2519/jospt.2020.9971) [V]; inflammatory disease such
  as axial spondyloarthritis (NICE NG59) [S]; progressive/severe neurological deficit [U].
- Flags: history of cancer, unexplained weight loss, significant trauma / minor trauma with
  osteoporosis or steroid use, night pain (Verhagen 2016, doi:10.1007/s00586-016-4684-0) [V];
  fever/immunosuppression/IV drug use, age over 50, saddle anaesthesia, new bladder/bowel/sexual
  dysfunction, bilateral or progressive leg weakness [S]; lump or change in back shape, chest
  pain, unsteady walking or band-like trunk pain (NHS back-pain urgent-help advice; Northern HSCT
  page) [S/V].
- Accuracy is poor: 16 guidelines endorse 46 different flags mostly without accuracy data
  (Verhagen 2016) [V]; most flags give "virtually no change" in probability; a history of
  malignancy raises it to about 33%, several fracture flags together to about 90% (Downie 2013,
  doi:10.1136/bmj.f7095) [V]; use within clinical reasoning, not as a checklist (Finucane 2020) [V].
- Suspected cauda equina: two-tier national pathway, emergency vs urgent (GIRFT 2023) [V/S].
- Referral destinations and urgencies follow safety.md's record design [U].
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

PRESENT = "present"
ABSENT = "absent"
NOT_ASKED = "not_asked"
ANSWERS = (
    (PRESENT, "Present"),
    (ABSENT, "Absent"),
    (NOT_ASKED, "Not asked"),
)

# (key, label, hint). Order: the cauda equina signs first (emergency), then the rest.
ITEMS = (
    ("saddle_numbness", "Numbness around the genitals, buttocks or anus (saddle numbness)", ""),
    (
        "bladder_bowel",
        "New difficulty passing urine, or loss of bladder or bowel control; new sexual dysfunction",
        "",
    ),
    (
        "both_legs",
        "Pain, tingling, weakness or numbness in both legs, or getting worse",
        "",
    ),
    (
        "neuro_deficit",
        "Progressive or severe neurological deficit, unsteady walking",
        "",
    ),
    ("history_of_cancer", "History of cancer", ""),
    ("weight_loss", "Unexplained weight loss", ""),
    (
        "fever_infection",
        "Fever, immunosuppression or intravenous drug use",
        "",
    ),
    (
        "trauma",
        "Significant trauma, or minor trauma with osteoporosis",
        "",
    ),
    ("steroids", "Prolonged corticosteroid use", ""),
    ("age_over_50", "Age over 50 with new back pain", ""),
    ("night_pain", "Pain at night or at rest, not eased by rest", ""),
    (
        "inflammatory",
        "Inflammatory features (long morning stiffness, better with movement, onset before 45)",
        "",
    ),
    ("lump_deformity", "Lump, swelling or change in the shape of the back", ""),
    ("chest_trunk_pain", "Chest pain or band-like pain around the trunk", ""),
)
ITEM_KEYS = tuple(key for key, _, _ in ITEMS)
ITEM_LABELS = {key: label for key, label, _ in ITEMS}

CLEARED = "cleared"
REFERRED = "referred"
OUTCOMES = ((CLEARED, "Cleared: no further action now"), (REFERRED, "Referred for medical review"))

DESTINATIONS = (
    ("ed", "Emergency department"),
    ("spinal_on_call", "Spinal on-call team"),
    ("urgent_gp", "GP, urgently"),
    ("cancer_pathway", "Suspected-cancer pathway"),
    ("rheumatology", "Rheumatology"),
    ("infection", "Infection team"),
    ("other", "Other (say where in the notes)"),
)
URGENCIES = (
    ("emergency", "Emergency, the same day"),
    ("urgent", "Urgent (within about two weeks)"),
    ("routine", "Routine"),
)

# Shown wherever the screen is shown (plain words; sources in the page's disclosure).
ACCURACY_NOTE = (
    "Red flags on their own predict serious disease poorly: most change its likelihood very "
    "little, and guidelines do not agree on which to ask. Use the answers within your clinical "
    "reasoning to set a level of concern, and ask again when symptoms change."
)
ACCURACY_SOURCES = (
    "Verhagen AP et al. Red flags presented in current low back pain guidelines: a review. "
    "Eur Spine J 2016;25(9):2788-802.",
    "Downie A et al. Red flags to screen for malignancy and fracture in patients with low back "
    "pain: systematic review. BMJ 2013;347:f7095.",
    "Finucane LM et al. International framework for red flags for potential serious spinal "
    "pathologies. J Orthop Sports Phys Ther 2020;50(7):350-72.",
    "NICE NG59. Low back pain and sciatica in over 16s (2016, updated 2020).",
    "GIRFT / NHS England. National Suspected Cauda Equina Syndrome Pathway (2023).",
)


def present_items(answers: Mapping[str, str]) -> list[str]:
    return [key for key in ITEM_KEYS if answers.get(key) == PRESENT]


def check_screen(
    answers: Mapping[str, str],
    outcome: str,
    rationale: str,
    destination: str,
    urgency: str,
    *,
    referral_date_given: bool,
) -> dict[str, str]:
    """Field -> message for what is missing; empty when the screen can be recorded."""
    errors: dict[str, str] = {}
    valid = {value for value, _ in ANSWERS}
    for key in ITEM_KEYS:
        if answers.get(key) not in valid:
            errors[key] = "Choose present, absent or not asked."
    if outcome not in (CLEARED, REFERRED):
        errors["outcome"] = "Choose cleared or referred."
    elif outcome == CLEARED and present_items(answers) and not rationale.strip():
        # FIN20: flags are weighed within clinical reasoning; clearing despite a flag needs it said.
        errors["rationale"] = "A flag is present: say why it is cleared."
    elif outcome == REFERRED:
        if destination not in {v for v, _ in DESTINATIONS}:
            errors["referral_destination"] = "Say where the patient is referred."
        if urgency not in {v for v, _ in URGENCIES}:
            errors["referral_urgency"] = "Say how urgent the referral is."
        if not referral_date_given:
            errors["referral_date"] = "Give the date of the referral."
    return errors
