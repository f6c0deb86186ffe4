"""Pure rules of the self-harm signal (no Django): which instrument flags raise it, when a
response is due, and the crisis contacts patient pages show.

Central rule (shared/reference/safety.md §1; NICE NG225 rec. 1.5): PHQ-9 item 9 is a signal for
a clinician's conversation and a safety plan, not a risk score. Nothing here computes a "risk
level" from a score, and a signal is never closed by a later answer: only a recorded response
resolves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# The instrument flags that are self-harm risk items: (instrument key, flag id). The instrument
# library marks the item with a FlagRule (assessment/instruments/phq9.py ``item9_self_harm``,
# LOINC 44260-8); any other definition's flag whose id ends in ``_self_harm`` counts too, so a
# new instrument with a risk item raises the signal by naming its flag that way.
RISK_FLAGS = frozenset({("phq9", "item9_self_harm")})
RISK_FLAG_SUFFIX = "_self_harm"


def is_risk_flag(instrument_key: str, flag_id: str) -> bool:
    return (instrument_key, flag_id) in RISK_FLAGS or flag_id.endswith(RISK_FLAG_SUFFIX)


@dataclass(frozen=True)
class RiskFinding:
    flag_id: str
    state: str  # "positive" | "unknown" (a negative answer raises nothing)
    value: float | int | None


def risk_findings(instrument_key: str, score: dict | None) -> list[RiskFinding]:
    """The risk flags of one stored score payload (assessment.instruments.payload shape). The flags
    are kept even when the total cannot be scored (instruments/base.py ``Unscorable.flags``)."""
    out = []
    for flag_id, flag in ((score or {}).get("flags") or {}).items():
        if not is_risk_flag(instrument_key, flag_id):
            continue
        if flag.get("state") in ("positive", "unknown"):
            out.append(RiskFinding(flag_id, flag["state"], flag.get("value")))
    return out


def add_working_days(start: datetime, days: int) -> datetime:
    """``start`` plus ``days`` working days (Monday to Friday), at the same time of day. A signal
    raised at the weekend counts from Monday's start. Bank holidays are not known here [U]: a
    clinic with a holiday calendar would skip those days too."""
    due = start
    while due.weekday() >= 5:  # raised on Saturday/Sunday: the clock starts on Monday 00:00
        due = (due + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    added = 0
    while added < days:
        due += timedelta(days=1)
        if due.weekday() < 5:
            added += 1
    return due


def gettext_noop(text: str) -> str:
    """Marks a patient-facing text for ``makemessages`` (which reads calls by this name) without
    importing Django into this pure module; the page translates it where it shows it
    (templates/safety/_crisis_contacts.html ``{% translate contact.detail %}``)."""
    return text


@dataclass(frozen=True)
class CrisisContact:
    label: str
    number: str
    detail: str


# Crisis contacts by country (shared/reference/safety.md §1 item 3). UK: 999 / A&E for immediate
# danger; NHS 111, mental-health option 2 (England) [S, NHS GP practice pages]; Samaritans
# 116 123, free, 24/7 [SAM V]; Shout text 85258 [S]. US: 988 Suicide & Crisis Lifeline, call or
# text [S]; 911 for emergencies [U].
CRISIS_CONTACTS = {
    "uk": {
        "danger": CrisisContact(
            "999",
            "999",
            gettext_noop(
                "Call 999 or go to A&E if you are in danger now or cannot keep yourself safe."
            ),
        ),
        "contacts": (
            CrisisContact(
                "NHS 111",
                "111",
                gettext_noop("Call 111 and choose the mental health option (option 2)."),
            ),
            CrisisContact(
                "Samaritans",
                "116 123",
                gettext_noop(
                    "Call 116 123, free from landlines and mobiles, any time, day or night."
                ),
            ),
            CrisisContact(
                "Shout", "85258", gettext_noop("Text SHOUT to 85258 if you would rather not talk.")
            ),
        ),
    },
    "us": {
        "danger": CrisisContact(
            "911",
            "911",
            gettext_noop("Call 911 if you are in danger now or cannot keep yourself safe."),
        ),
        "contacts": (
            CrisisContact(
                "988 Suicide & Crisis Lifeline",
                "988",
                gettext_noop("Call or text 988, any time, day or night."),
            ),
        ),
    },
}


def crisis_contacts(country: str) -> dict:
    return CRISIS_CONTACTS.get(country, CRISIS_CONTACTS["uk"])
