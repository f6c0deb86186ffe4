"""Patient Global Impression of Change, PGIC (issue #14: more outcome domains of the PMP source).

What the reference says (shared/reference/instruments.md §26 [S:6]): the FPM/BPS "Outcome
Measures" (January 2019) list the PGIC among the recommended outcome measures. VERIFIED (table of
contents only). The reference gives NOTHING else about it: not the scale, the wording, the
scoring, a cut-off or the licence. Every rule below that goes beyond "it is recommended" is
therefore UNVERIFIED and says so.

- One rating on 7 ordered categories, 1 "very much improved" .. 4 "no change" .. 7 "very much
  worse": the categories of the Clinical Global Impression - Improvement item (CGI-I) in Guy W,
  *ECDEU Assessment Manual for Psychopharmacology*, Rockville MD: US DHEW 1976, pp. 217-222,
  asked of the patient about their own condition. UNVERIFIED (the manual was not re-read; the
  reference does not carry it). Hurst H, Bolton J, J Manipulative Physiol Ther 2004;27(1):26-35,
  doi:10.1016/j.jmpt.2003.11.003, is the usual citation for the PGIC as a patient-rated anchor of
  clinically important change; their form's categories run differently (from "no change or worse"
  to "a great deal better"), so they are NOT mixed in here. UNVERIFIED.
- The result is the category itself: no total is added up and no band beyond the category (the
  task, issue #14). The code 1-7 is kept so that a series can be charted; pages print the
  category's words.
- Asked at follow-up only: it rates change since care began, so a first visit has nothing to
  compare with (``ASKS_ABOUT_CHANGE`` in ``__init__``; the session service refuses it at the
  first visit). Logical consequence of the question, not a sourced rule.
- Licence: not stated in the reference (UNVERIFIED). Guy's manual is a US government
  publication, often described as public domain (UNVERIFIED); the PGIC question stem as the
  clinic uses it is not bundled. The seven category words are generic descriptors of change.

Pure: standard library only.
"""

from __future__ import annotations

from .base import Band, Instrument, Item, Licence, ResponseScale, ScoreRule, no_missing

S_RECOMMENDED = (
    "instruments.md §26 [S:6]: FPM/BPS Outcome Measures (Jan 2019) recommend the PGIC "
    "(VERIFIED, table of contents only)"
)
S_CATEGORIES = (
    "Guy W. ECDEU Assessment Manual for Psychopharmacology, US DHEW 1976, pp. 217-222 (CGI-I, "
    "7 categories), rated by the patient (UNVERIFIED: not in instruments.md)"
)
S_HURST = (
    "Hurst H, Bolton J. J Manipulative Physiol Ther 2004;27(1):26-35, "
    "doi:10.1016/j.jmpt.2003.11.003 (PGIC as anchor of important change; UNVERIFIED: not in "
    "instruments.md)"
)
S_MISSING = "One rating: unanswered is not scored (policy)"
S_LICENCE = (
    "instruments.md gives no licence for the PGIC (UNVERIFIED); the CGI is a US government "
    "publication (UNVERIFIED); no item wording is bundled"
)

CATEGORIES: tuple[tuple[int, str, str, int], ...] = (
    # code, band name, words, band level (colour: improvement 0, no change 1, worse 2-4)
    (1, "very_much_improved", "Very much improved", 0),
    (2, "much_improved", "Much improved", 0),
    (3, "minimally_improved", "Minimally improved", 0),
    (4, "no_change", "No change", 1),
    (5, "minimally_worse", "Minimally worse", 2),
    (6, "much_worse", "Much worse", 3),
    (7, "very_much_worse", "Very much worse", 4),
)

SCALE = ResponseScale(1, 7, {code: words for code, _name, words, _level in CATEGORIES})

PGIC = Instrument(
    key="pgic",
    version="CGI-I-7",
    name="Patient Global Impression of Change",
    short_name="PGIC",
    citation=(
        "Categories after Guy W. ECDEU Assessment Manual for Psychopharmacology (1976), CGI "
        "improvement item; see Hurst H, Bolton J. J Manipulative Physiol Ther 2004;27(1):26-35."
    ),
    reference="instruments.md §26",
    licence=Licence(
        status="unverified",
        holder="Guy W (1976), US Department of Health, Education and Welfare (UNVERIFIED)",
        url="https://doi.org/10.1016/j.jmpt.2003.11.003",
        item_text_bundled=False,
        note=(
            "The reference states no licence (UNVERIFIED). The question as the clinic asks it is "
            "not bundled; the seven categories are generic words for change."
        ),
        source=S_LICENCE,
        evidence="unverified",
    ),
    direction="higher_is_worse",
    items=(
        Item(
            id="1",
            label="Impression of change since care began",
            scale=SCALE,
            source=S_CATEGORIES,
        ),
    ),
    scores=(
        ScoreRule(
            id="total",
            label="impression of change",
            role="total",
            items=("1",),
            aggregate="sum",
            missing=no_missing(S_MISSING),
            range=(1, 7),
            source=S_CATEGORIES,
            evidence="unverified",
            # The "band" is the category itself, one per code: nothing beyond the rating. Its
            # evidence is "policy" (how we print a code), not "unverified": it is no cut-off, so
            # pages must not call it a clinic-policy cut-off.
            bands=tuple(
                Band(name, words, code, code, level, S_CATEGORIES, evidence="policy")
                for code, name, words, level in CATEGORIES
            ),
        ),
    ),
    primary="total",
    policy_notes=(
        "The result is the patient's category of change; no total or cut-off is added.",
        "Given at reviews, discharge and follow-up, never at the first visit: it asks about "
        "change since care began.",
        S_RECOMMENDED,
    ),
    unverified=(S_CATEGORIES, S_HURST, S_LICENCE),
)

INSTRUMENTS = (PGIC,)
