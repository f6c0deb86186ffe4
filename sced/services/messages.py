"""The SCED services' messages and settings, in one place for every service module."""

from __future__ import annotations

from django.utils.translation import gettext_noop, pgettext_lazy

from sced.stats.limits import (
    MAX_STUDY_SESSIONS,
)

# The analysis options and their defaults live in sced/stats/inputs.py (AnalysisOptions).
DEFAULT_A_LENGTH = 7
DEFAULT_B_LENGTH = 14

MSG_DESIGN = gettext_noop("Unknown design {design!r}.")
MSG_NO_MEASURES = gettext_noop("A study needs at least one outcome measure.")
MSG_MEASURE_KEYS = gettext_noop(
    "Measure {i}: give its name, its lowest and highest value and its direction of improvement."
)
MSG_IMPROVEMENT = gettext_noop(
    "Measure {name!r}: choose the direction of improvement (higher is better, or lower is better)."
)
MSG_RANGE = gettext_noop("Measure {name!r}: the lowest value must be below the highest.")
MSG_DUPLICATE_MEASURE = gettext_noop("Two measures are called {name!r}.")
MSG_MIN_PHASE = gettext_noop("The minimum phase length must be at least 1.")
MSG_PHASE_TOO_SHORT = gettext_noop(
    "Phase {label} is planned with {n} sessions, fewer than the minimum phase length {L}."
)
MSG_QUESTION = gettext_noop("State the clinical question.")
MSG_ATD_PLAN = gettext_noop(
    "An alternating-treatments study needs its number of sessions and the largest number of "
    "consecutive sessions of one condition."
)
MSG_ATD_EVEN = gettext_noop(
    "{n} sessions cannot be split equally between the two conditions: give an even number."
)
MSG_CRITERIA_NEEDED = gettext_noop(
    "A changing-criterion study needs its criterion phases: a criterion and a number of "
    "sessions for each."
)
MSG_CRITERION_STARTED = gettext_noop(
    "Values are recorded up to session {first}, so phase {label} has started: its criterion was "
    "set before the phase and stays as it is."
)
MSG_CRITERION_UNKNOWN = gettext_noop("This study has no criterion phase {label}.")
MSG_NOT_RANDOMIZABLE = gettext_noop(
    "Randomization of the start point is available for AB, ABA, ABAB and multiple-baseline designs."
)
MSG_ALREADY_DRAWN = gettext_noop(
    "The start point was drawn on {when}; a study is randomized only once."
)
# The randomization test is valid only for a start drawn before the data (sced.md §5 P12).
MSG_DATA_EXIST = gettext_noop(
    "Values have already been entered: the start must be drawn before data collection, or the "
    "randomization test is not valid."
)
MSG_NO_ADMISSIBLE = gettext_noop("No admissible start point between session {lo} and {hi}.")
MSG_RANDOMIZE_FIRST = gettext_noop(
    "Draw the intervention start before entering data: the randomization test is valid only for "
    "a start drawn before the data were seen."
)
MSG_VALUE_RANGE = gettext_noop("{measure}: {value:g} is outside {lo:g}–{hi:g}.")
MSG_ALREADY_RECORDED = gettext_noop(
    "{measure}: session {session} already has a value; amend it, or strike it out if it was "
    "entered in error."
)
MSG_NEEDS_SESSION = gettext_noop(
    "Give a session number, or a date once the study has a first baseline day."
)
MSG_BEFORE_START = gettext_noop("{day} is before the first baseline day {start}.")
MSG_DUPLICATE_ROW = gettext_noop("{measure}: session {session} appears twice.")
MSG_OUTSIDE_PLAN = gettext_noop(
    "{measure}: session {session} is after the {planned} planned sessions. Check the session; if "
    "the study really runs longer, tick the box to confirm."
)
MSG_REASON = gettext_noop("Say why the value is amended.")
MSG_STRIKE_REASON = gettext_noop("Say why the value is struck out.")
MSG_STRUCK = gettext_noop("This value was struck out on {when}; it is kept as it is.")
MSG_SAME_VALUE = gettext_noop("The amended value is the value already recorded.")
MSG_STUDY_CLOSED = gettext_noop("The study is closed.")
MSG_IMPORT_MEASURE = gettext_noop(
    "Line {line}: case {case!r} is not a measure of this study ({names})."
)
MSG_IMPORT_PHASE = gettext_noop(
    "Line {line}: session {session} belongs to phase {expected} of the plan, the file says {got!r}."
)
MSG_IMPORT_SESSION = gettext_noop(
    "Line {line}: mt (session) {mt!r} is not a whole session number ≥ 1."
)
MSG_IMPORT_NO_MT = gettext_noop(
    "The file has no mt column: give each value's session number in a column called mt, so no "
    "value is filed under a session it was not meant for."
)
MSG_IMPORT_FIELDS = gettext_noop("Line {line}: {found} fields where the header has {expected}.")
MSG_IMPORT_BLANK = gettext_noop("Line {line}: the {column} column is empty.")
MSG_IMPORT_TOO_LONG = (
    "The file has more than {max:,} measurements; a study holds at most "
    + f"{MAX_STUDY_SESSIONS:,} sessions per measure. "
    + "Split the file or check that it belongs to this study."
)
MSG_RETRY_ONLY_FAILED = gettext_noop(
    "The analysis is on its way; it can be retried once it has failed or is stuck."
)
MSG_PLOTS_RETRY_ONLY_FAILED = gettext_noop(
    "The graphs are being drawn or are ready; a retry is only offered when drawing them failed."
)
MSG_ANALYSIS_KEPT_STOPPING = gettext_noop(
    "The analysis stopped {n} times before it finished (it may be too large for the time allowed)."
)
# A run that stopped this many times while running is failed, not sent again (sweep).
ANALYSIS_MAX_ATTEMPTS = 3
MSG_MBD_TIERS = gettext_noop(
    "A multiple-baseline study needs at least two tiers (one outcome measure per behaviour or "
    "setting)."
)
MSG_MBD_WINDOW = gettext_noop(
    "Sessions {lo}–{hi} leave {n} possible start points for {tiers} tiers: widen the window or "
    "plan longer phases."
)
MSG_ALREADY_CLOSED = gettext_noop("The study is already closed.")
MSG_CLOSE_CONFIRM = gettext_noop("Tick the box to confirm that data collection has ended.")
MSG_DIARY_NO_START_DATE = gettext_noop(
    "Set the first baseline day of the study before issuing a diary link: the patient's values "
    "get their session from the date."
)
MSG_DIARY_DAYS = gettext_noop("A link is valid for 1 to {max} days.")
MSG_DIARY_PLAN_OVER = gettext_noop(
    "The planned sessions ended on {day}: a diary link would file values in no planned session. "
    "Enter any extra session yourself (it asks for a confirmation)."
)
MSG_DIARY_KIND = gettext_noop("Unknown kind of link.")
MSG_DIARY_ALREADY_REVOKED = gettext_noop("The link was already revoked.")
# What the patient reads (plain words; no clinical detail, no other page). Context "patient":
# translated for every language the patient pages speak (tests/painclinic/test_translations.py);
# the diary view renders them in the patient's language (sced/views.py ``diary``).
LINK_INVALID = pgettext_lazy("patient", "This link is not valid. Ask your clinician for a new one.")
LINK_EXPIRED = pgettext_lazy("patient", "This link has expired. Ask your clinician for a new one.")
LINK_USED = pgettext_lazy("patient", "Today's values were already sent with this link. Thank you.")
LINK_CLOSED = pgettext_lazy("patient", "This diary has ended. Thank you for your values.")
LINK_NOT_STARTED = pgettext_lazy(
    "patient", "Your diary starts on {day}. Please open this link again then."
)
LINK_ENDED = pgettext_lazy("patient", "Your diary ended on {day}. Thank you for your values.")
LINK_ALREADY_TODAY = pgettext_lazy(
    "patient", "You have already entered today's value. Please come back tomorrow."
)
LINK_VALUE_MISSING = pgettext_lazy("patient", "Please enter a value for {measure}.")
LINK_VALUE_RANGE = pgettext_lazy("patient", "{measure}: please enter a number from {lo} to {hi}.")

DIARY_ACTOR = "patient-diary-link"  # audit actor_username for values a patient enters by link
DIARY_MAX_DAYS = 90
