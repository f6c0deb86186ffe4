"""CTS-R, the Revised Cognitive Therapy Scale (competence.md §1).

- 12 items, items 1–5 general and 6–12 specific to cognitive therapy [CTSR-M V].
- Each item 0–6 (0 non-adherence … 6 adherence with very high skill), rating adherence and skill
  together [CTSR-M V]. Half points are allowed by some courses' local policy [U]: accepted here,
  as multiples of 0.5.
- Total 0–72. Competence threshold 36 (a mean of 3 an item), the mark UK training courses use
  [CBTW S; the manual's own wording not read, U]. Some courses also ask for a minimum score on
  each item [S, practitioner blog]: not applied as a rule; the items under 3 are listed.
- Caveats shown with the result: inter-rater agreement is modest (ICCs under 0.5 in IAPT
  trainees, Roth et al. 2019 [CBTW S]) and CTS-R competence was not associated with patient
  outcome in LIN19 [V].
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import InvalidRating, Item, Result, Scale, number

if TYPE_CHECKING:
    from collections.abc import Mapping

ITEMS = (
    Item("1", "Agenda setting and adherence", "General"),
    Item("2", "Feedback", "General"),
    Item("3", "Collaboration", "General"),
    Item("4", "Pacing and efficient use of time", "General"),
    Item("5", "Interpersonal effectiveness", "General"),
    Item("6", "Eliciting appropriate emotional expression", "Cognitive therapy"),
    Item("7", "Eliciting key cognitions", "Cognitive therapy"),
    Item("8", "Eliciting behaviours", "Cognitive therapy"),
    Item("9", "Guided discovery", "Cognitive therapy"),
    Item("10", "Conceptual integration", "Cognitive therapy"),
    Item("11", "Application of change methods", "Cognitive therapy"),
    Item("12", "Homework setting", "Cognitive therapy"),
)
ITEM_MIN, ITEM_MAX = 0, 6  # [CTSR-M V]
COMPETENCE_THRESHOLD = 36  # total; UK training courses [CBTW S; manual wording U]
ITEM_LOW = 3  # the per-item mean the threshold implies; items under it are listed [S]
ANCHORS = {
    0: "0 – non-adherence",
    1: "1 – novice",
    2: "2 – advanced beginner",
    3: "3 – competent",
    4: "4 – proficient",
    5: "5 – expert",
    6: "6 – very high skill",
}  # the Dreyfus levels the manual's anchors follow [CTSR-M V]; the short labels are ours [U]
OPTIONS = tuple(
    (v / 2, ANCHORS.get(v // 2, "") if v % 2 == 0 else f"{v / 2:.1f}")
    for v in range(ITEM_MIN * 2, ITEM_MAX * 2 + 1)
)


def score(values: Mapping[str, Any]) -> Result:
    missing = [item.label for item in ITEMS if values.get(item.id) in (None, "")]
    if missing:
        raise InvalidRating("Every item of the CTS-R needs a score; missing: " + ", ".join(missing))
    scores: dict[str, float] = {}
    for item in ITEMS:
        try:
            value = float(values[item.id])
        except (TypeError, ValueError):
            raise InvalidRating(f"{item.label}: give a score from 0 to 6.") from None
        if not ITEM_MIN <= value <= ITEM_MAX or (value * 2) != int(value * 2):
            raise InvalidRating(f"{item.label}: give a score from 0 to 6 (whole or half points).")
        scores[item.id] = value
    total = sum(scores.values())
    low = [item.label for item in ITEMS if scores[item.id] < ITEM_LOW]
    return Result(
        summary=f"{number(str(total))} of 72",
        band="competent" if total >= COMPETENCE_THRESHOLD else "below the competence mark",
        parts={
            "Total": total,
            "Mean per item": round(total / len(ITEMS), 2),
            "Items under 3": "; ".join(low) if low else "none",
        },
        threshold_note=(
            "A total of 36 (an average of 3 an item) is the competence mark UK training courses "
            "use. Raters often disagree, and the competence mark has not been shown to predict "
            "patients' outcomes: read it as feedback for supervision."
        ),
    )


CTSR = Scale(
    key="ctsr",
    name="CTS-R (cognitive therapy competence)",
    use="A CBT session, rated from a recording.",
    items=ITEMS,
    options=OPTIONS,
    scorer=score,
    source="James, Blackburn & Reichelt 2001 (CTS-R manual); Blackburn et al. 2001",
)
