"""Roland-Morris Disability Questionnaire, 24 items (instruments.md §12).

The published form needs no permission (Roland & Fairbank 2000), so the text may ship (§27.2);
this definition ships neutral labels until the exact published English wording is imported
from the appendix of Roland & Fairbank 2000 and checked (item_text_bundled=False).
"""

from __future__ import annotations

from .base import (
    ChangeRule,
    FlagRule,
    Instrument,
    Interval,
    Licence,
    NotApplicablePolicy,
    ResponseScale,
    ScoreRule,
    ids,
    items_on_scale,
    no_missing,
)

S_ITEMS = (
    "instruments.md §12 [S:1][S:2]: Roland M, Morris R. Spine 1983;8(2):141-4, "
    "doi:10.1097/00007632-198303000-00004 (24 statements ticked if they apply today, each 1/0; score 0-24)"
)
S_NA = (
    "instruments.md §12 [S:2]: 'If patients indicate in any way that an item is not applicable to them, the "
    "item is scored No' (scientificspine.com; SECONDARY)"
)
S_MISSING = (
    "instruments.md §12 [S:3]: no standard for blank items (proportional rescoring studied, not standard); "
    "policy: score only when every item is explicitly yes or no"
)
S_MIC = "instruments.md §12 [S:4]: Ostelo RW et al. Spine 2008;33(1):90-4 (MIC 5 points or 30%)"
S_RECOVERY = "instruments.md §12 [S:5]: Kamper SJ et al. Eur Spine J 2010;19(9):1495-501 (RMDQ <= 2 identifies self-rated recovery)"
S_LICENCE = (
    "instruments.md §12 [S:6]: Roland M, Fairbank J. Spine 2000;25(24):3115-24: 'When used in the forms "
    "reproduced in the appendices, no permission is required from the authors or from Spine'"
)

TICK = ResponseScale(0, 1, {0: "No (not ticked)", 1: "Yes (ticked: applies today)"})

RMDQ = Instrument(
    key="rmdq",
    version="Roland1983-24",
    name="Roland-Morris Disability Questionnaire (24 items)",
    short_name="RMDQ",
    citation="Roland M, Morris R. Spine 1983;8(2):141-4, doi:10.1097/00007632-198303000-00004",
    reference="instruments.md §12",
    licence=Licence(
        status="free",
        holder="M. Roland, R. Morris",
        url="https://doi.org/10.1097/00007632-200012150-00006",
        item_text_bundled=False,
        note="No permission is required for the forms in the appendices of Roland & Fairbank 2000. Text not yet "
        "bundled: import the published English wording and confirm before shipping it.",
        source=S_LICENCE,
    ),
    direction="higher_is_worse",
    items=items_on_scale(range(1, 25), TICK, source=S_ITEMS),
    scores=(
        ScoreRule(
            id="total",
            label="total",
            role="total",
            items=ids(*range(1, 25)),
            aggregate="sum",
            missing=no_missing(S_MISSING),
            range=(0, 24),
            source=S_ITEMS,
        ),
    ),
    primary="total",
    not_applicable=NotApplicablePolicy(treat_as="code", code=0, source=S_NA, evidence="secondary"),
    flags=(
        FlagRule(
            id="recovered",
            label="RMDQ <= 2: self-rated recovery",
            kind="score",
            target="total",
            when=Interval(None, 2),
            message="A score of 2 or less best identifies self-rated recovery in LBP.",
            source=S_RECOVERY,
        ),
    ),
    change=(
        ChangeRule(
            id="mic",
            score="total",
            kind="mic",
            improvement="decrease",
            points=5,
            percent=30,
            combine="either",
            source=S_MIC,
            note="MIC 5 points or 30% (Ostelo 2008).",
        ),
    ),
    policy_notes=(
        "Use a checkbox list submitted as a whole: every item must be yes or no; a blank is unanswered and "
        "the questionnaire is not scored.",
        "'Does not apply' is scored as 'no'.",
        "Scores < 4 and > 20 show floor and ceiling effects.",
    ),
    unverified=("'Not applicable = no' rule is SECONDARY.",),
)

INSTRUMENTS = (RMDQ,)
