"""The yellow-flag / fear-avoidance profile, as a pure function of plain scores.

Pure: no Django. Input is ``selectors.latest_scores`` / ``reliable_change_for`` output (plain
dicts); output is plain dataclasses the profile page renders and the treatment plan reads.

Sources: psychosocial "flags" (yellow: beliefs, emotions, behaviours; blue: perceptions of work;
black: system and context; orange: psychiatric; red: serious pathology) after Kendall, Linton &
Main 1997 and Nicholas et al. Phys Ther 2011;91:737-53. The fear-avoidance cycle after Vlaeyen &
Linton Pain 2000;85:317-32 and Vlaeyen, Crombez & Linton Pain 2016;157:1588-9. Matched care after
Hill et al. Lancet 2011;378:1560-71 (STarT Back: low -> advice and self-management; medium ->
physiotherapy; high -> psychologically informed physiotherapy).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

from assessment.instruments import CATEGORY_RESULT, payload

# --- domains ----------------------------------------------------------------------------------
# Each domain lists (instrument key, score id) in order of preference; the first with a signed
# result is shown. Score id "total" is the primary score; other ids are subscales or derived.
# The fourth field is what a raised flag says on the patient page; "{band}" is the band's label.
#
# Only psychosocial domains can raise a yellow flag (Kendall, Linton & Main 1997: beliefs,
# emotions, behaviours; blue flags: perceptions of work). Pain intensity and disability are
# outcomes, not flags (issue #9: an NRS of 5 was shown as a red "yellow flag: high pain
# intensity"): they are listed apart in OUTCOMES and never counted as flags.
DOMAINS: tuple[tuple[str, str, tuple[tuple[str, str], ...], str], ...] = (
    (
        "fear_of_movement",
        "Fear of movement",
        (("tsk11", "total"), ("tsk17", "total")),
        "High fear of movement",
    ),
    (
        "fear_avoidance_beliefs",
        "Fear-avoidance beliefs",
        (("fabq", "physical_activity"),),
        "High fear-avoidance beliefs about physical activity",
    ),
    ("catastrophizing", "Catastrophizing", (("pcs", "total"),), "High catastrophizing"),
    ("pain_anxiety", "Pain anxiety", (("pass20", "total"),), "High pain anxiety"),
    (
        "depression",
        "Depression",
        (("phq9", "total"), ("dass21", "depression")),
        "Depressive symptoms: {band}",
    ),
    (
        "anxiety",
        "Anxiety",
        (("gad7", "total"), ("dass21", "anxiety")),
        "Anxiety symptoms: {band}",
    ),
    ("self_efficacy", "Self-efficacy", (("pseq", "total"),), "Low pain self-efficacy"),
    ("acceptance", "Acceptance", (("cpaq8", "total"),), "Low acceptance of pain"),
    (
        "work",
        "Work",
        (("ompsq10", "total"), ("fabq", "work")),
        "High risk of long-term work disability",
    ),
)

# Outcomes: shown beside the flags (with their bands, as words) and placed on the cycle, but they
# never raise a flag.
OUTCOMES: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("pain_intensity", "Pain intensity", (("nrs", "total"), ("bpi", "severity"), ("peg", "total"))),
    (
        "interference",
        "Interference / disability",
        (
            ("peg", "total"),
            ("rmdq", "total"),
            ("odi", "total"),
            ("bpi", "interference"),
            ("psfs", "total"),
        ),
    ),
    # Issue #14, more outcome domains of the PMP source (instruments.md §26: the National Pain
    # Audit's EQ-5D with VAS; the FPM/BPS list's PGIC). The PGIC row shows the patient's category
    # of change (its band), never as a number to add up; the EQ-5D-5L rows show the index (only
    # with the clinic's value set), the EQ VAS and the level sum score.
    ("global_change", "Global impression of change", (("pgic", "total"),)),
    ("health_index", "Health index (EQ-5D-5L value set)", (("eq5d5l", "index"),)),
    ("health_rating", "Own rating of health today (0-100)", (("eq5d5l", "vas"),)),
    ("health_problems", "Health problems, level sum (5-25)", (("eq5d5l", "total"),)),
)
# Outcomes whose result is a category, shown in words only (the PGIC): no number beside it.
CATEGORY_ONLY = CATEGORY_RESULT
# Scores shown with three decimals, as value sets publish them (the EQ-5D-5L index).
THREE_DECIMALS = frozenset({("eq5d5l", "index")})
HEADLINES = {domain: text for domain, _label, _candidates, text in DOMAINS}

# Bands the library leaves open would be decided here as clinic POLICY and shown as such. None
# today: the TSK-11 policy cut-off (>= 24) lives in its definition (assessment/instruments/tsk.py)
# with evidence "unverified", so the profile, the suggestions and the attention lists agree; the
# page shows it as clinic policy and its reasoning in the instrument's "Sources and policy".
POLICY_BANDS: dict[tuple[str, str], tuple[tuple[float, float, str, str, int], ...]] = {}


def _is_policy_band(key: str, score: Mapping[str, Any], score_id: str) -> bool:
    """A band whose evidence is unverified is clinic policy, and the page says so: the total's
    as stored on the signed result (``band_policy``), a subscale's from its band's JSON."""
    if score_id == "total" and "band_policy" in score:
        return bool(score["band_policy"])
    if score_id == "total":
        band = score.get("band_detail") or (
            {"name": score["band"]} if score.get("band") is not None else None
        )
    else:
        band = (score.get("bands") or {}).get(score_id)
    return payload.is_policy_band(key, score_id, band)


# Level of a band from which a domain counts as a yellow flag (bands carry 0 none .. 4 most).
FLAG_LEVEL = 2


@dataclass(frozen=True)
class DomainRow:
    domain: str
    label: str
    key: str | None = None
    score_id: str = "total"
    value: float | int | None = None
    band: str | None = None
    band_label: str | None = None
    band_level: int | None = None
    policy_band: bool = False
    date: Any = None
    result_id: int | None = None
    change: str | None = None  # RCI classification, or None when not computed
    change_reason: str = ""
    higher_is_better: bool = False
    outcome: bool = False  # pain intensity, disability: shown, never a flag

    @property
    def category_only(self) -> bool:
        """The result is a category (PGIC): the page prints its words, not its code."""
        return self.key in CATEGORY_ONLY

    @property
    def three_decimals(self) -> bool:
        return (self.key, self.score_id) in THREE_DECIMALS

    @property
    def flagged(self) -> bool:
        return not self.outcome and self.band_level is not None and self.band_level >= FLAG_LEVEL


def _band_from(
    score: Mapping[str, Any], score_id: str
) -> tuple[str | None, str | None, int | None]:
    """(name, label, level) from a latest_scores entry for its total or a subscale."""
    if score_id == "total":
        band = score.get("band_detail") or None
        if band:
            return band.get("name"), band.get("label"), band.get("level")
        if score.get("band") is not None:
            return score["band"], score.get("band_label") or score["band"], score.get("band_level")
        return None, None, None
    bands = score.get("bands") or {}
    band = bands.get(score_id)
    if band:
        return band.get("name"), band.get("label"), band.get("level")
    return None, None, None


def _value(score: Mapping[str, Any], score_id: str) -> float | int | None:
    if score_id == "total":
        return score.get("total")
    return (score.get("subscales") or {}).get(score_id, (score.get("derived") or {}).get(score_id))


def policy_band(key: str, score_id: str, value: float | None) -> tuple[str, str, int] | None:
    for low, high, name, label, level in POLICY_BANDS.get((key, score_id), ()):
        if value is not None and low <= value <= high:
            return name, label, level
    return None


def _rows(
    domains,
    latest: Mapping[str, Mapping[str, Any]],
    change: Mapping[str, Mapping[str, Any]],
    higher_is_better: frozenset[str],
    *,
    outcome: bool,
) -> list[DomainRow]:
    rows = []
    for domain, label, candidates, *_headline in domains:
        row = DomainRow(domain, label, outcome=outcome)
        for key, score_id in candidates:
            score = latest.get(key)
            if score is None or _value(score, score_id) is None:
                continue
            value = _value(score, score_id)
            name, band_label, level = _band_from(score, score_id)
            from_policy = name is not None and _is_policy_band(key, score, score_id)
            if name is None:
                found = policy_band(key, score_id, value)
                if found:
                    name, band_label, level = found
                    from_policy = True
            rci = change.get(key) if score_id == "total" else None
            row = DomainRow(
                domain,
                label,
                key=key,
                score_id=score_id,
                value=value,
                band=name,
                band_label=band_label,
                band_level=level,
                policy_band=from_policy,
                date=score.get("date"),
                result_id=score.get("result_id"),
                change=(rci or {}).get("classification"),
                change_reason=(rci or {}).get("reason", ""),
                higher_is_better=key in higher_is_better,
                outcome=outcome,
            )
            break
        rows.append(row)
    return rows


HIGHER_IS_BETTER = frozenset({"pseq", "cpaq8", "psfs"})


def yellow_flag_profile(
    latest: Mapping[str, Mapping[str, Any]],
    change: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    higher_is_better: frozenset[str] = HIGHER_IS_BETTER,
) -> list[DomainRow]:
    """One row per psychosocial domain: the preferred instrument with a signed result, its band
    and change. Outcomes (pain intensity, disability) are not here: ``outcome_rows``."""
    return _rows(DOMAINS, latest, change or {}, higher_is_better, outcome=False)


def outcome_rows(
    latest: Mapping[str, Mapping[str, Any]],
    change: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    higher_is_better: frozenset[str] = HIGHER_IS_BETTER,
) -> list[DomainRow]:
    """One row per outcome (pain intensity, interference / disability); never flagged."""
    return _rows(OUTCOMES, latest, change or {}, higher_is_better, outcome=True)


def headline(rows: list[DomainRow], short_names: Mapping[str, str]) -> list[str]:
    """Short sentences for the patient page, most severe first, in the clinic's words:
    "High fear of movement (TSK-11 32)", "High risk of long-term work disability (ÖMPSQ-10 68)".
    Outcomes are never in it."""
    flagged = sorted((r for r in rows if r.flagged), key=lambda r: -(r.band_level or 0))
    out = []
    for row in flagged:
        name = short_names.get(row.key or "", row.key or "")
        text = HEADLINES.get(row.domain) or row.label
        band = (row.band_label or "").lower()
        text = text.format(band=band) if "{band}" in text and band else text.split(":")[0]
        out.append(f"{text} ({name} {_fmt(row.value)})")
    return out


def _fmt(value: float | int | None) -> str:
    if value is None:
        return "–"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


# --- matched care -----------------------------------------------------------------------------

PATHWAY_BY_RISK = {"low": "advice", "medium": "physiotherapy", "high": "pipt"}
# ÖMPSQ-10 has two bands; >= 50 is "high risk" (Linton 2011, instruments.md). POLICY: below the
# cut-off suggests advice and self-management, at or above it psychologically informed care.
PATHWAY_BY_OMPSQ = {"low_risk": "advice", "high_risk": "pipt"}


@dataclass(frozen=True)
class MatchedCareSuggestion:
    key: str
    category: str
    category_label: str
    pathway: str
    result_id: int | None
    date: Any
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "category": self.category,
            "pathway": self.pathway,
            "result_id": self.result_id,
        }


def risk_category(score: Mapping[str, Any] | None) -> str:
    """The group a pathway decision is based on: the band (STarT Back risk group, ÖMPSQ-10
    cut-off band) of a stored score, "" when it has none or cannot be scored."""
    if not score or not score.get("scorable"):
        return ""
    return (score.get("band") or {}).get("name") or ""


def matched_care_suggestion(
    latest: Mapping[str, Mapping[str, Any]],
) -> MatchedCareSuggestion | None:
    """STarT Back category (preferred, it was built for this) else ÖMPSQ-10 band -> pathway."""
    startback = latest.get("startback")
    if startback and startback.get("band") in PATHWAY_BY_RISK:
        return MatchedCareSuggestion(
            "startback",
            startback["band"],
            f"{startback['band'].capitalize()} risk",
            PATHWAY_BY_RISK[startback["band"]],
            startback.get("result_id"),
            startback.get("date"),
            "Hill et al. Lancet 2011;378:1560-71, STarT Back stratified care",
        )
    ompsq = latest.get("ompsq10")
    if ompsq and ompsq.get("band") in PATHWAY_BY_OMPSQ:
        return MatchedCareSuggestion(
            "ompsq10",
            ompsq["band"],
            "High risk" if ompsq["band"] == "high_risk" else "Below cut-off",
            PATHWAY_BY_OMPSQ[ompsq["band"]],
            ompsq.get("result_id"),
            ompsq.get("date"),
            "Linton et al. Spine 2011;36:1891-5 (cut-off 50); the pathway for each band is "
            "the clinic's policy",
        )
    return None


# --- fear-avoidance cycle and flags checklist --------------------------------------------------

# Stages of the cycle (Vlaeyen & Linton 2000) and the domains that place scores on them.
CYCLE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("pain_experience", "Pain experience", ("pain_intensity",)),
    ("catastrophizing", "Pain catastrophizing", ("catastrophizing",)),
    ("fear", "Pain-related fear", ("fear_of_movement", "fear_avoidance_beliefs", "pain_anxiety")),
    ("avoidance", "Avoidance / hypervigilance", ("fear_avoidance_beliefs",)),
    ("disuse", "Disuse, low mood, disability", ("interference", "depression", "work")),
)


def cycle_placement(rows: list[DomainRow]) -> list[dict[str, Any]]:
    by_domain = {row.domain: row for row in rows}
    stages = []
    for stage, label, domains in CYCLE:
        members = [by_domain[d] for d in domains if d in by_domain and by_domain[d].key]
        stages.append(
            {
                "stage": stage,
                "label": label,
                "rows": members,
                "active": any(r.flagged for r in members),
            }
        )
    return stages


CHECKLIST: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "yellow",
        "Yellow flags: beliefs, emotions, behaviours",
        (
            ("yellow_hurt_harm", "Believes hurt means harm / pain is dangerous"),
            ("yellow_catastrophizing", "Catastrophizing, thinking the worst"),
            ("yellow_fear_avoidance", "Fear-avoidance of movement or activity"),
            ("yellow_low_mood", "Low mood, withdrawal from social activity"),
            ("yellow_passive_coping", "Expects passive treatment to help more than active"),
            ("yellow_boom_bust", "Overactivity / boom-and-bust pattern"),
        ),
    ),
    (
        "blue",
        "Blue flags: perceptions of work",
        (
            ("blue_work_harm", "Believes work is harmful or too heavy"),
            ("blue_unsupported", "Feels unsupported by employer or colleagues"),
            ("blue_low_expectation", "Low expectation of returning to work"),
        ),
    ),
    (
        "black",
        "Black flags: system and context",
        (
            ("black_compensation", "Compensation or litigation in progress"),
            ("black_policy", "Employer or insurer policy is an obstacle (e.g. no modified duties)"),
            ("black_family", "Family overprotective or unsupportive"),
        ),
    ),
    (
        "orange",
        "Orange flags: psychiatric",
        (
            ("orange_depression", "Clinical depression"),
            ("orange_ptsd", "Post-traumatic stress"),
            ("orange_substance", "Substance misuse"),
            ("orange_other", "Other psychiatric disorder needing specialist care"),
        ),
    ),
)
CHECKLIST_IDS = tuple(item for _, _, items in CHECKLIST for item, _ in items)

RED_FLAG_STATES = (
    ("", "Not yet screened"),
    ("cleared", "Screened: cleared"),
    ("referred", "Screened: referred for medical review"),
)
