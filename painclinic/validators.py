"""Plausible dates: the one place that says which dates a clinician may type.

A referral in 1800, a review in 1999 or a date of birth next year is a typo, not a record: it is
refused with a message that says what to check, whatever form or service the date comes through.
Each validator raises django.core.exceptions.ValidationError, so forms (as a field validator or
in clean()) and services use the same rule. Called with the value only, each one is a plain
field validator: ``forms.DateField(validators=[past_clinical_date])``.

Windows (clinic policy, not a published rule):
- birth: not before 1 Jan 1900 (no living patient was born earlier), not in the future;
- history (pain onset, a diagnosis year): not before 1900, not before the patient's birth, not in
  the future;
- clinical events that already happened (referral, contact, status change, assessment, session,
  attendance, measurement): not before 1 Jan 2000, the earliest date a record of this service can
  carry (the service's electronic records start then), not before the patient's birth or the
  episode's referral when known, not in the future;
- planned dates (next review due, a session in the timetable): not before 1 Jan 2000 and not more
  than two years ahead.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

EARLIEST_BIRTH = date(1900, 1, 1)
EARLIEST_CLINICAL = date(2000, 1, 1)
PLANNING_HORIZON = timedelta(days=2 * 365 + 1)


def _day(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _fmt(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def validate_birth_date(value: date | None, *, today: date | None = None) -> None:
    if value is None:
        return
    day = _day(value)
    if day > _today(today):
        raise ValidationError(_("A date of birth cannot be in the future."), code="future")
    if day < EARLIEST_BIRTH:
        raise ValidationError(
            _("A date of birth before %(earliest)s is not plausible: check the year.")
            % {"earliest": _fmt(EARLIEST_BIRTH)},
            code="implausible",
        )


def validate_history_date(
    value: date | None,
    *,
    born: date | None = None,
    what: str = "",
    today: date | None = None,
) -> None:
    """A date in the patient's history (pain onset): after birth, not in the future."""
    if value is None:
        return
    what = what or _("This date")
    day = _day(value)
    if day > _today(today):
        raise ValidationError(_("%(what)s cannot be in the future.") % {"what": what}, "future")
    if born is not None and day < born:
        raise ValidationError(
            _("%(what)s cannot be before the date of birth (%(born)s).")
            % {"what": what, "born": _fmt(born)},
            code="before_birth",
        )
    if day < EARLIEST_BIRTH:
        raise ValidationError(
            _("%(what)s before %(earliest)s is not plausible: check the year.")
            % {"what": what, "earliest": _fmt(EARLIEST_BIRTH)},
            code="implausible",
        )


def past_clinical_date(
    value: date | datetime | None,
    *,
    born: date | None = None,
    not_before: date | None = None,
    not_before_label: str = "",
    what: str = "",
    today: date | None = None,
) -> None:
    """A clinical event that has already happened (referral, contact, assessment, attendance).

    ``not_before`` with its label: e.g. the episode's referral date ("the referral")."""
    if value is None:
        return
    what = what or _("This date")
    day = _day(value)
    if day > _today(today):
        raise ValidationError(_("%(what)s cannot be in the future.") % {"what": what}, "future")
    if born is not None and day < born:
        raise ValidationError(
            _("%(what)s cannot be before the patient's date of birth (%(born)s).")
            % {"what": what, "born": _fmt(born)},
            code="before_birth",
        )
    if not_before is not None and day < not_before:
        raise ValidationError(
            _("%(what)s cannot be before %(label)s (%(day)s).")
            % {"what": what, "label": not_before_label or _("the start"), "day": _fmt(not_before)},
            code="too_early",
        )
    if day < EARLIEST_CLINICAL:
        raise ValidationError(
            _("%(what)s before %(earliest)s is outside the clinic's records: check the year.")
            % {"what": what, "earliest": _fmt(EARLIEST_CLINICAL)},
            code="implausible",
        )


def planned_clinical_date(
    value: date | datetime | None,
    *,
    not_before: date | None = None,
    not_before_label: str = "",
    what: str = "",
    today: date | None = None,
) -> None:
    """A date that may lie ahead (next review due, a timetabled session): within the clinic's
    window and at most two years ahead."""
    if value is None:
        return
    what = what or _("This date")
    day = _day(value)
    if day > _today(today) + PLANNING_HORIZON:
        raise ValidationError(
            _("%(what)s is more than two years ahead: check the year.") % {"what": what},
            code="too_far",
        )
    if not_before is not None and day < not_before:
        raise ValidationError(
            _("%(what)s cannot be before %(label)s (%(day)s).")
            % {"what": what, "label": not_before_label or _("the start"), "day": _fmt(not_before)},
            code="too_early",
        )
    if day < EARLIEST_CLINICAL:
        raise ValidationError(
            _("%(what)s before %(earliest)s is outside the clinic's records: check the year.")
            % {"what": what, "earliest": _fmt(EARLIEST_CLINICAL)},
            code="implausible",
        )
