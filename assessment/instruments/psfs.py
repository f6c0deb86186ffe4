"""Patient-Specific Functional Scale (Stratford et al. 1995; instruments.md §17).

Free; the form is reproduced with the authors' permission, so the text may ship (§27.2). The
"items" are the patient's own activities (free text kept by the goals module, linked across visits);
this definition scores their 0-10 ratings.
"""

from __future__ import annotations

from .base import (
    PRORATE,
    ChangeRule,
    Instrument,
    Licence,
    MissingRule,
    ResponseScale,
    ScoreRule,
    ids,
    items_on_scale,
)

S_SCORE = (
    "instruments.md §17 [S:1][S:2]: Stratford P et al. Physiother Can 1995;47(4):258-63, doi:10.3138/ptc.47.4.258 "
    "(up to 3-5 activities, each 0-10; score = sum / number of activities)"
)
S_ACTIVITIES = (
    "instruments.md §17 [S:1][S:2]: the patient names up to 5 activities; the mean is over the activities "
    "rated, so at least 1 must be rated"
)
S_MDC = "instruments.md §17 [S:2]: MDC (90% CI) 2 points for the average score, 3 points for a single activity"
S_LICENCE = "instruments.md §17 [S:2][S:3]: PSFS form ('reproduced with the permission of the authors'); RehabMeasures 'Free'"

SCALE = ResponseScale(
    0,
    10,
    {
        0: "Unable to perform activity",
        10: "Able to perform activity at the same level as before the problem",
    },
)

PSFS = Instrument(
    key="psfs",
    version="Stratford1995",
    name="Patient-Specific Functional Scale",
    short_name="PSFS",
    citation="Stratford P et al. Physiother Can 1995;47(4):258-63, doi:10.3138/ptc.47.4.258",
    reference="instruments.md §17",
    licence=Licence(
        status="free",
        holder="P. Stratford et al.",
        url="https://www.sralab.org/rehabilitation-measures/patient-specific-functional-scale",
        item_text_bundled=True,
        note="Reproduced with the authors' permission; free. The instruction wording below is the app's own.",
        source=S_LICENCE,
    ),
    direction="higher_is_better",
    instructions="Name up to 5 important activities that you are unable to do, or have difficulty doing, because "
    "of your problem. Rate each from 0 (unable to perform) to 10 (able to perform at the same level as before).",
    items=items_on_scale(
        range(1, 6), SCALE, source=S_SCORE, labels={str(n): f"Activity {n}" for n in range(1, 6)}
    ),
    scores=(
        ScoreRule(
            id="total",
            label="mean activity score",
            role="total",
            items=ids(*range(1, 6)),
            aggregate="mean",
            missing=MissingRule(4, PRORATE, S_ACTIVITIES),
            range=(0, 10),
            source=S_SCORE,
        ),
    ),
    primary="total",
    change=(
        ChangeRule(
            id="mdc_mean", score="total", kind="mdc", improvement="increase", points=2, source=S_MDC
        ),
        ChangeRule(
            id="mdc_activity",
            score="total",
            kind="mdc",
            improvement="increase",
            points=3,
            per_item=True,
            source=S_MDC,
            note="Applies to each activity's own rating.",
        ),
    ),
    policy_notes=(
        "Activities not named are left unanswered; the score is the mean of the rated activities (1 to 5).",
        "Follow-ups must re-rate the same activities (same item numbers) for change to mean anything.",
    ),
)

INSTRUMENTS = (PSFS,)
