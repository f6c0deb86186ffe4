"""Writes of the assessment app. Each service runs in one transaction and writes its audit event
inside it (shared/STYLE.md §3.2). Never log clinical content: field names only.

Signing policy (issue #3 leaves it open; decided here): an administration that cannot be scored
(e.g. too many unanswered items) MAY be signed. The signed record keeps the answers that were
given and the "cannot be scored" reason, which the clinician sees on every page; a signed
unscorable result is not a score, so ``selectors.latest_scores`` skips it. Refusing to sign would
lose the safety flags such a form still carries (PHQ-9 item 9 is computed whatever the total).
"""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop, pgettext_lazy

from assessment import instruments, red_flags, selectors, signals, tasks, yellow_flags
from assessment.instruments import InvalidAnswer, eq5d5l, item_text, payload
from assessment.instruments.base import definition_hash
from assessment.models import (
    RATED_INSTRUMENTS,
    Administration,
    AdministrationState,
    Amendment,
    AnswerSource,
    AssessmentSession,
    Battery,
    EQ5DValueSet,
    Formulation,
    ItemText,
    MatchedCareDecision,
    PatientLink,
    RedFlagScreen,
    ResultSummary,
    SafetyOverride,
    TimePoint,
    WorkAndHealthcareUse,
    WorkStatus,
)
from painclinic import access, audit, concurrency, tokens
from painclinic.chart_cache import prerender_on_commit
from painclinic.models import AuditAction
from painclinic.numbers import parse_int
from patients.models import ConsentKind
from patients.models import Episode as EpisodeModel
from patients.services import consent_require

if TYPE_CHECKING:
    from collections.abc import Mapping

    from painclinic.models import User
    from patients.models import Episode, Patient

ALREADY_SIGNED = gettext_noop("This result is signed; correct it with an amendment.")
NOT_SIGNED = gettext_noop("Only a signed result can be amended; a draft can still be changed.")
AMENDMENT_NEEDS_REASON = gettext_noop("An amendment needs a reason.")
AMENDMENT_CHANGES_NOTHING = gettext_noop("The amendment changes no answer.")
UNKNOWN_INSTRUMENT = gettext_noop("Unknown instrument {key!r}.")
EPISODE_NOT_OF_PATIENT = gettext_noop("The episode belongs to another patient.")
SESSION_DATE_IN_FUTURE = gettext_noop("A session cannot be dated in the future.")
# What the patient reads on the self-report link (context "patient": translated for every
# language the patient pages speak, tests/painclinic/test_translations.py).
LINK_INVALID = pgettext_lazy("patient", "This link is not valid. Ask your clinician for a new one.")
LINK_EXPIRED = pgettext_lazy("patient", "This link has expired. Ask your clinician for a new one.")
LINK_USED = pgettext_lazy(
    "patient", "These answers were already sent to your clinician. Thank you."
)
# An answer the questionnaire does not take (only a tampered form sends one: the page offers
# the answers as buttons), or a session the clinician has discarded meanwhile.
LINK_ANSWER_NOT_SAVED = pgettext_lazy(
    "patient",
    "This answer could not be saved. Please choose one of the answers shown, or ask your "
    "clinician for a new link.",
)
LINK_NOTHING_TO_FILL = gettext_noop("Every questionnaire of this session is already signed.")
NOTHING_TO_START = gettext_noop("Choose a battery, or one or more single instruments.")
SESSION_DISCARDED = gettext_noop(
    "This session was discarded; its questionnaires can no longer be filled."
)
SESSION_HAS_SIGNED = gettext_noop(
    "A session with a signed result cannot be discarded: correct a signed result with an amendment."
)
ASKS_ABOUT_CHANGE_AT_FIRST_VISIT = gettext_noop(
    "{names} asks about change since care began, so it is not given at the first visit: give it "
    "at a review, at discharge or at follow-up."
)
CHOSEN_PATHWAY_REQUIRED = gettext_noop("Choose the pathway you decided on.")
RATIONALE_REQUIRED = gettext_noop("Say why you chose a pathway other than the one suggested.")

# Someone saved the draft after this form was opened (painclinic/concurrency.py).
EditConflict = concurrency.EditConflict

PATIENT_LINK_ACTOR = "patient-link"  # audit actor_username for what a patient does via a link
LINK_LIFETIME = timedelta(days=7)  # long enough to fill at home before the visit


def _definition(key: str):
    """The definition answers are scored with: the registry's, except the EQ-5D-5L, which is
    built with the clinic's value set in use (if any) so that its index can be given; the value
    set's digest is then part of the stored definition version and hash."""
    try:
        definition = instruments.get(key)
    except KeyError:
        raise ValidationError(gettext(UNKNOWN_INSTRUMENT).format(key=key)) from None
    if definition.key == eq5d5l.EQ5D5L.key:
        value_set = selectors.eq5d_value_set_in_use(with_values=False)
        if value_set is not None:
            return _eq5d_with_value_set(value_set)
    return definition


# Built EQ-5D-5L definitions per value set. A value set is never edited (a correction is a new
# upload with a new id and digest), so a build can be kept for the life of the process: it saves
# loading the 3,125 values and checking them again (about 20 ms) on every draft save.
_EQ5D_BUILDS: dict[tuple[int, str], eq5d5l.EQ5D5LInstrument] = {}


def _eq5d_with_value_set(value_set: EQ5DValueSet) -> eq5d5l.EQ5D5LInstrument:
    key = (value_set.pk, value_set.digest)
    if key not in _EQ5D_BUILDS:
        _EQ5D_BUILDS[key] = eq5d5l.with_value_set(value_set.name, value_set.values)
    return _EQ5D_BUILDS[key]


def _normalise(value: Any) -> Any:
    """One raw answer as the scorer takes it. The clinician's form already gives typed answers
    (AdministrationForm: int, "NA" or None), for which this is the identity; the patient link
    posts one item's text at a time and is typed here."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.upper() == "NA":
            return "NA"
        number = parse_int(text)
        if number is not None:
            return number
    return value


def _typed_answers(definition, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Every item of the definition present, keyed by its printed id: raw code as int, "NA", or
    None for unanswered. ValidationError on an item the definition does not have."""
    cleaned: dict[str, Any] = {item.id: None for item in definition.items}
    for item_id, value in answers.items():
        item = definition.item(item_id)
        if item is None:
            raise ValidationError(
                gettext("{instrument} has no item {item!r}.").format(
                    instrument=definition.short_name, item=item_id
                ),
                code="invalid_answer",
            )
        cleaned[item.id] = _normalise(value)
    return cleaned


def score_answers_once(key: str, answers: Mapping[str, Any]) -> tuple[dict[str, Any], dict]:
    """Type the answers and score them once: (answers to store, score payload to store). The
    library's scorer is the one judge of validity: ValidationError with its message on an
    out-of-range code. The payload is ``instruments.payload.result_payload`` of that one score."""
    definition = _definition(key)
    cleaned = _typed_answers(definition, answers)
    try:
        result = definition.score(cleaned)
    except InvalidAnswer as exc:
        raise ValidationError(str(exc), code="invalid_answer") from exc
    return cleaned, payload.result_payload(definition, result)


def score_answers(key: str, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The score payload of ``answers`` (the live preview of what is typed; writes nothing)."""
    return score_answers_once(key, answers)[1]


def _band_fields(key: str, score: Mapping[str, Any] | None) -> dict[str, Any]:
    """The band columns of a result in force (Administration.band_*), from its one score."""
    band = payload.stored_band(key, score)
    if band is None:
        return {"band_name": "", "band_label": "", "band_level": None, "band_policy": False}
    return {
        "band_name": band.name,
        "band_label": band.label,
        "band_level": band.level,
        "band_policy": band.policy,
    }


# The link's token: painclinic.tokens (shared with the SCED diary link).
token_hash = tokens.token_hash


# --- sessions and administrations -------------------------------------------------------------


@transaction.atomic
def session_start(
    *,
    actor: User,
    patient: Patient,
    episode: Episode,
    time_point: str,
    on: date | None = None,
    battery: Battery | None = None,
    instrument_keys: list[str] | None = None,
    rated_clinician: User | None = None,
) -> AssessmentSession:
    """Start a session and create one empty DRAFT administration per instrument of
    ``instrument_keys`` (the clinician's own choice) or else of the battery, in order.

    A process measure (RATED_INSTRUMENTS) records the clinician it rates: ``rated_clinician``,
    the clinician who ran the session being rated, defaulting to the clinician starting this one
    (issue #13). Aggregates per clinician read it, never the lead of the day."""
    on = on or timezone.localdate()
    if episode.patient_id != patient.pk:
        raise ValidationError(gettext(EPISODE_NOT_OF_PATIENT))
    if on > timezone.localdate():
        raise ValidationError(gettext(SESSION_DATE_IN_FUTURE))
    if instrument_keys:
        keys = list(instrument_keys)
    elif battery is not None:
        keys = list(battery.instrument_keys)
    else:
        keys = []
    if not keys:
        raise ValidationError(gettext(NOTHING_TO_START), code="nothing_to_start")
    if time_point == TimePoint.FIRST_VISIT and (
        asks := [key for key in keys if key in instruments.ASKS_ABOUT_CHANGE]
    ):
        names = ", ".join(_definition(key).short_name for key in asks)
        raise ValidationError(
            gettext(ASKS_ABOUT_CHANGE_AT_FIRST_VISIT).format(names=names), code="change"
        )
    definitions = [_definition(key) for key in keys]
    session = AssessmentSession.objects.create(
        patient=patient,
        episode=episode,
        time_point=time_point,
        date=on,
        battery=battery,
        administered_by=actor,
    )
    Administration.objects.bulk_create(
        Administration(
            session=session,
            position=position,
            instrument_key=definition.key,
            definition_version=definition.version,
            definition_hash=definition_hash(definition),
            answers={},
            rated_clinician=(rated_clinician or actor)
            if definition.key in RATED_INSTRUMENTS
            else None,
        )
        for position, definition in enumerate(definitions)
    )
    audit.record_event(actor=actor, action=AuditAction.CREATE, patient=patient, obj=session)
    return session


@transaction.atomic
def session_discard(*, actor: User, session: AssessmentSession) -> AssessmentSession:
    """Discard a session started by mistake (the wrong battery, the wrong patient) while nothing
    in it is signed. The session and its drafts are kept, marked discarded (who, when), for the
    audit trail; open self-report links are revoked. Refused once any result is signed: a signed
    result is part of the record and is corrected by an amendment."""
    locked = AssessmentSession.objects.select_for_update(no_key=True).get(pk=session.pk)
    if locked.discarded_at is not None:
        raise ValidationError(gettext(SESSION_DISCARDED), code="discarded")
    # Lock the drafts too: a sign racing the discard either lands first (and we refuse) or
    # waits and then finds the session discarded (_lock_draft).
    states = list(
        Administration.objects.select_for_update(no_key=True)
        .filter(session=locked)
        .values_list("state", flat=True)
    )
    if AdministrationState.SIGNED in states:
        raise ValidationError(gettext(SESSION_HAS_SIGNED), code="signed")
    now = timezone.now()
    locked.discarded_at, locked.discarded_by = now, actor
    locked.save(update_fields=["discarded_at", "discarded_by"])
    PatientLink.objects.filter(
        session=locked, submitted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=locked.patient,
        obj=locked,
        changed_fields=["discarded_at", "discarded_by"],
    )
    return locked


SESSION_ALREADY_ENDED = gettext_noop("This session is already marked as ended.")
RATING_HIDDEN = gettext_noop(
    "The patient's rating of this session is shown once the session is over: mark the session "
    "ended first."
)


@transaction.atomic
def session_end(*, actor: User, session: AssessmentSession) -> AssessmentSession:
    """Mark the session over: the patient's ratings of it (WAI-SR, CARE) become visible to the
    clinician (AssessmentSession.ratings_visible). Once only; audited."""
    locked = AssessmentSession.objects.select_for_update(no_key=True).get(pk=session.pk)
    if locked.ended_at is not None:
        raise ValidationError(gettext(SESSION_ALREADY_ENDED), code="ended")
    locked.ended_at, locked.ended_by = timezone.now(), actor
    locked.save(update_fields=["ended_at", "ended_by"])
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=locked.patient,
        obj=locked,
        changed_fields=["ended_at", "ended_by"],
    )
    return locked


def _lock_draft(administration: Administration) -> Administration:
    # Lock the row: two tabs (or the clinician and the patient link) saving at once would
    # otherwise both read DRAFT, and a save could land after the other one signed.
    locked = Administration.objects.select_for_update(no_key=True).get(pk=administration.pk)
    if locked.state != AdministrationState.DRAFT:
        raise ValidationError(gettext(ALREADY_SIGNED), code="signed")
    # A fresh statement after the lock: sees a discard committed while we waited for the row.
    if AssessmentSession.objects.filter(pk=locked.session_id, discarded_at__isnull=False).exists():
        raise ValidationError(gettext(SESSION_DISCARDED), code="discarded")
    return locked


@transaction.atomic
def administration_save_draft(
    *,
    actor: User | None,
    administration: Administration,
    answers: Mapping[str, Any],
    source: str = AnswerSource.CLINICIAN,
    merge: bool = False,
    edit_token: str | None = None,
) -> Administration:
    """Save (partial) answers of a draft; unanswered items are kept as None. ``merge`` keeps the
    answers already saved and overwrites only the items given (the patient link saves one item at
    a time). The score is recomputed so a draft shows what it would sign as."""
    locked = _lock_draft(administration)
    # The form's token: refused if the draft changed since it opened.
    concurrency.check_edit_token(locked, ("answers",), edit_token, {"answers": answers})
    new = dict(locked.answers) if merge else {}
    new.update({str(k): v for k, v in answers.items()})
    locked.answers, locked.score = score_answers_once(locked.instrument_key, new)
    locked.source = source
    locked.save(update_fields=["answers", "score", "source", "updated_at"])
    patient = locked.session.patient
    if actor is None:
        audit.record_event(
            actor=None,
            actor_username=PATIENT_LINK_ACTOR,
            action=AuditAction.CHANGE,
            patient=patient,
            obj=locked,
            changed_fields=["answers"],
        )
        # The patient's page offers help the moment they answer a risk item above 0 and says the
        # care team will be in touch: so the team is told then, not only if they press "send".
        signals.administration_saved.send(
            sender=Administration, administration=locked, actor=None, stage="link_draft"
        )
    else:
        audit.record_event(
            actor=actor,
            action=AuditAction.CHANGE,
            patient=patient,
            obj=locked,
            changed_fields=["answers"],
        )
        signals.administration_saved.send(
            sender=Administration, administration=locked, actor=actor, stage="draft"
        )
    return locked


def refresh_last_signed_assessment(episode_id: int | None) -> None:
    """Recompute Episode.last_signed_assessment from the signed results (one UPDATE). Called by
    every service that changes which results are signed and scorable (sign, amend), so the team
    review reads a current column (issue #16)."""
    if episode_id is None:
        return
    EpisodeModel.objects.filter(pk=episode_id).update(
        last_signed_assessment=Subquery(selectors.last_signed_assessment_of(OuterRef("pk")))
    )


def _charts_changed(patient_id: Any) -> None:
    """The patient's measure charts show other data now: draw them after the commit, off the
    request (issue #16)."""
    prerender_on_commit(tasks.prerender_charts, (str(patient_id),))


def refresh_result_summaries(episode_id: int | None) -> None:
    """Rewrite the episode's ResultSummary rows (first and latest signed scorable result per
    instrument) from its administrations. Called, like ``refresh_last_signed_assessment``, by
    every service that changes which results are signed and scorable or what they say (sign,
    amend), inside its transaction, so the team review reads current rows (issue #16).

    Two signatures on one episode at the same time would each read only their own new result
    (neither sees the other's uncommitted row) and the later commit would leave the other out:
    the episode row is locked first, so the second waits for the first to commit and then reads
    both. Four queries (lock, read, delete, insert) whatever the number of results."""
    if episode_id is None:
        return
    list(
        EpisodeModel.objects.select_for_update(no_key=True).filter(pk=episode_id).values_list("pk")
    )
    rows = selectors.result_summaries_computed([episode_id])
    ResultSummary.objects.filter(episode_id=episode_id).delete()
    ResultSummary.objects.bulk_create(rows)


def rebuild_all_result_summaries() -> int:
    """Rewrite every ResultSummary row from the administrations, for a bulk load that bypassed
    the services (the bench seed's ``bulk_create``). Returns the number of rows."""
    rows = selectors.result_summaries_computed()
    ResultSummary.objects.all().delete()
    return len(ResultSummary.objects.bulk_create(rows, batch_size=5_000))


def _refresh_episode_summaries(episode_id: int | None) -> None:
    """Every summary of the episode that the signed results feed (issue #16)."""
    refresh_result_summaries(episode_id)
    refresh_last_signed_assessment(episode_id)


@transaction.atomic
def administration_sign(
    *,
    actor: User,
    administration: Administration,
    answers: Mapping[str, Any] | None = None,
    edit_token: str | None = None,
) -> Administration:
    """Sign a draft (optionally saving ``answers`` first). Final: the row becomes immutable.

    The answers are scored once with the current definition; the score, the definition's
    version and hash and the band of the total are stored with it, so a later change of a
    definition never changes what was signed and pages read the band as signed. Unscorable
    results may be signed (module docstring).
    """
    locked = _lock_draft(administration)
    if locked.hidden_from_clinician:
        raise ValidationError(gettext(RATING_HIDDEN), code="rating_hidden")
    concurrency.check_edit_token(locked, ("answers",), edit_token, {"answers": answers})
    locked.answers, locked.score = score_answers_once(
        locked.instrument_key, locked.answers if answers is None else answers
    )
    definition = _definition(locked.instrument_key)
    locked.definition_version = definition.version
    locked.definition_hash = definition_hash(definition)
    for field, value in _band_fields(locked.instrument_key, locked.score).items():
        setattr(locked, field, value)
    locked.state = AdministrationState.SIGNED
    locked.signed_by = actor
    locked.signed_at = timezone.now()
    locked.save()
    _refresh_episode_summaries(locked.session.episode_id)
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=locked.session.patient,
        obj=locked,
        changed_fields=["answers", "score", "state", "signed_by", "signed_at"],
    )
    signals.administration_saved.send(
        sender=Administration, administration=locked, actor=actor, stage="signed"
    )
    _charts_changed(locked.session.patient_id)
    return locked


@transaction.atomic
def administration_amend(
    *, actor: User, administration: Administration, answers: Mapping[str, Any], reason: str
) -> Amendment:
    """Correct a signed result: an Amendment keeps the old answers and score beside the new ones,
    who, when and why; the administration's own signed values are never touched (the database
    refuses it) and ``current_amendment`` points at the new current values."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(gettext(AMENDMENT_NEEDS_REASON), code="reason")
    locked = (
        Administration.objects.select_for_update(no_key=True, of=("self",))
        .select_related("current_amendment", "session__patient")
        .get(pk=administration.pk)
    )
    if locked.state != AdministrationState.SIGNED:
        raise ValidationError(gettext(NOT_SIGNED), code="not_signed")
    old_answers, old_score = locked.current_answers, locked.current_score
    definition = _definition(locked.instrument_key)
    if _typed_answers(definition, answers) == _typed_answers(definition, old_answers):
        raise ValidationError(gettext(AMENDMENT_CHANGES_NOTHING), code="unchanged")
    new_answers, new_score = score_answers_once(locked.instrument_key, answers)
    amendment = Amendment.objects.create(
        administration=locked,
        old_answers=old_answers,
        old_score=old_score,
        new_answers=new_answers,
        new_score=new_score,
        reason=reason,
        amended_by=actor,
    )
    # The band in force follows the amendment (the band columns are outside the signed-row
    # trigger of migration 0003, like current_amendment).
    band = _band_fields(locked.instrument_key, new_score)
    Administration.objects.filter(pk=locked.pk).update(
        current_amendment=amendment, updated_at=timezone.now(), **band
    )
    locked.current_amendment = amendment
    for field, value in band.items():
        setattr(locked, field, value)
    _refresh_episode_summaries(locked.session.episode_id)
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=locked.session.patient,
        obj=locked,
        changed_fields=["answers", "score"],
    )
    audit.record_event(
        actor=actor, action=AuditAction.CREATE, patient=locked.session.patient, obj=amendment
    )
    _flag_decisions_for_review(actor=actor, administration=locked, amendment=amendment)
    signals.result_amended.send(
        sender=Administration, administration=locked, amendment=amendment, actor=actor
    )
    signals.administration_saved.send(
        sender=Administration, administration=locked, actor=actor, stage="amended"
    )
    _charts_changed(locked.session.patient_id)
    return amendment


def _flag_decisions_for_review(
    *, actor: User, administration: Administration, amendment: Amendment
) -> None:
    """A pathway decision made on this result's old group no longer rests on the result in force:
    flag it for review (shown on the profile until a clinician records a new decision). Issue #9:
    an amendment that changes the STarT Back group must not leave the old decision standing."""
    new_category = yellow_flags.risk_category(amendment.new_score)
    stale = list(
        MatchedCareDecision.objects.select_for_update(no_key=True)
        .filter(administration=administration, review_amendment__isnull=True)
        .exclude(risk_category=new_category)
    )
    for decision in stale:
        decision.review_amendment = amendment
        decision.save(update_fields=["review_amendment"])
        audit.record_event(
            actor=actor,
            action=AuditAction.CHANGE,
            patient=administration.session.patient,
            obj=decision,
            changed_fields=["review_amendment"],
        )


# --- patient self-report link -----------------------------------------------------------------


# The clinician reads this when a link is refused; it names what to do (issue #14).
LINK_NEEDS_WORDING_ONE = gettext_lazy(
    "A self-report link in %(language)s cannot be issued: %(names)s has no wording in "
    "%(language)s yet, so the patient would see item numbers without questions. A team lead "
    "or the clinic's administrator can upload the licensed wording on the “Questionnaire "
    "wording” page; or choose another language, or enter the answers with the patient."
)
LINK_NEEDS_WORDING_MANY = gettext_lazy(
    "A self-report link in %(language)s cannot be issued: %(names)s have no wording in "
    "%(language)s yet, so the patient would see item numbers without questions. A team lead "
    "or the clinic's administrator can upload the licensed wording on the “Questionnaire "
    "wording” page; or choose another language, or enter the answers with the patient."
)
UNKNOWN_LANGUAGE = gettext_lazy("Choose one of the clinic's languages.")


def _check_language(language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(UNKNOWN_LANGUAGE, code="unknown_language")


@transaction.atomic
def patient_link_issue(
    *,
    actor: User,
    session: AssessmentSession,
    language: str | None = None,
    lifetime: timedelta = LINK_LIFETIME,
) -> tuple[PatientLink, str]:
    """Issue a single-use link for the session's draft administrations, in ``language`` (the
    patient's preferred language when not given). Returns the link and the token, which is shown
    once and never stored (only its SHA-256 is).

    Refused, creating nothing, when a questionnaire of the link has no wording in that language
    (``code="wording_missing"``): a licensed questionnaire needs the clinic's upload, any
    language but English needs one for every questionnaire (issue #14)."""
    if session.discarded_at is not None:
        raise ValidationError(gettext(SESSION_DISCARDED), code="discarded")
    language = language or session.patient.preferred_language
    _check_language(language)
    keys = list(
        session.administrations.filter(state=AdministrationState.DRAFT)
        .order_by("position", "id")
        .values_list("instrument_key", flat=True)
    )
    if not keys:
        raise ValidationError(gettext(LINK_NOTHING_TO_FILL))
    missing = selectors.instruments_without_wording(keys, language)
    if missing:
        names = [definition.short_name for definition in missing]
        message = LINK_NEEDS_WORDING_ONE if len(names) == 1 else LINK_NEEDS_WORDING_MANY
        raise ValidationError(
            message,
            code="wording_missing",
            params={
                "names": _and_list(names),
                "language": selectors.language_name(language),
            },
        )
    # A link goes to the patient by e-mail or text message: only with their consent (issue #10).
    consent_require(session.patient, ConsentKind.PATIENT_LINKS)
    token, hashed = tokens.issue_token()
    link = PatientLink.objects.create(
        session=session,
        token_hash=hashed,
        expires_at=timezone.now() + lifetime,
        created_by=actor,
        language=language,
    )
    audit.record_event(actor=actor, action=AuditAction.CREATE, patient=session.patient, obj=link)
    return link, token


def _link_for_token(token: str, *, lock: bool) -> PatientLink:
    queryset = PatientLink.objects.select_related("session__patient")
    if lock:
        queryset = queryset.select_for_update(no_key=True, of=("self",))
    link = queryset.filter(token_hash=token_hash(token)).first()
    if link is None or link.revoked_at is not None:
        raise ValidationError(LINK_INVALID, code="invalid")
    if link.submitted_at is not None:
        raise ValidationError(LINK_USED, code="used")
    if link.expires_at <= timezone.now():
        raise ValidationError(LINK_EXPIRED, code="expired")
    return link


@transaction.atomic
def patient_link_redeem(*, token: str) -> PatientLink:
    """Open a link: the link if it is usable (ValidationError otherwise). Marks the first opening.

    ``select_for_update`` serialises this with ``patient_link_submit``: without the row lock, a
    patient opening the link on a second phone while the first submits could read "not yet
    submitted" and keep saving answers into a session the clinician is already reviewing.
    """
    link = _link_for_token(token, lock=True)
    if link.first_opened_at is None:
        link.first_opened_at = timezone.now()
        link.save(update_fields=["first_opened_at"])
        audit.record_event(
            actor=None,
            actor_username=PATIENT_LINK_ACTOR,
            action=AuditAction.VIEW,
            patient=link.session.patient,
            obj=link,
        )
    return link


def patient_link_administrations(link: PatientLink) -> list[Administration]:
    """The draft administrations a link may fill: nothing else is reachable through it."""
    return list(link.session.administrations.filter(state=AdministrationState.DRAFT))


@transaction.atomic
def patient_link_save_answer(
    *, token: str, administration_id: int, item_id: str, value: Any
) -> Administration:
    """Save one answer given through the link (answers are saved as the patient goes)."""
    link = _link_for_token(token, lock=True)  # same lock as redeem/submit: see patient_link_redeem
    administration = Administration.objects.filter(
        pk=administration_id, session=link.session, state=AdministrationState.DRAFT
    ).first()
    if administration is None:
        raise ValidationError(LINK_INVALID, code="invalid")
    return administration_save_draft(
        actor=None,
        administration=administration,
        answers={item_id: value},
        source=AnswerSource.PATIENT_LINK,
        merge=True,
    )


@transaction.atomic
def patient_link_submit(*, token: str) -> PatientLink:
    """The patient sends the answers: the link is used up (single use). The administrations stay
    DRAFT for the clinician to review and sign."""
    link = _link_for_token(token, lock=True)
    link.submitted_at = timezone.now()
    link.save(update_fields=["submitted_at"])
    audit.record_event(
        actor=None,
        actor_username=PATIENT_LINK_ACTOR,
        action=AuditAction.CHANGE,
        patient=link.session.patient,
        obj=link,
        changed_fields=["submitted_at"],
    )
    signals.patient_link_submitted.send(
        sender=PatientLink, link=link, administrations=patient_link_administrations(link)
    )
    return link


def _and_list(names: list[str]) -> str:
    """ "PCS", "PCS and TSK-11", "PCS, ODI and TSK-11"."""
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def patient_link_wording(link: PatientLink, administrations: list[Administration]) -> dict:
    """Instrument key -> the uploaded wording in the link's language, for the fill page."""
    return selectors.item_texts_for([a.instrument_key for a in administrations], link.language)


# --- licensed item text (issue #14) ----------------------------------------------------------

ITEM_TEXT_NOT_ALLOWED = (
    "Only team leads and the clinic's administrators upload questionnaire wording."
)
LICENCE_REFERENCE_REQUIRED = gettext_lazy(
    "Give the clinic's licence reference (e.g. the licence number or agreement date)."
)
NO_ACTIVE_TEXT = gettext_lazy("There is no wording in this language to retire.")


def _check_may_manage_item_text(actor: User) -> None:
    if not access.can_manage_item_text(actor):
        raise PermissionDenied(ITEM_TEXT_NOT_ALLOWED)


@transaction.atomic
def item_text_upload(
    *,
    actor: User,
    instrument_key: str,
    language: str,
    licence_reference: str,
    items_text: str,
    instructions: str = "",
    options_text: str = "",
) -> ItemText:
    """Store the clinic's wording of a questionnaire in one language. Checked against the
    definition first (every item, no unknown ids, no empty text, sane lengths: see
    ``instruments.item_text.parse_upload``); a ValidationError keyed by field otherwise, and
    nothing is written. The active text of that version and language, if any, is retired and
    points at the new one: it stays as history."""
    _check_may_manage_item_text(actor)
    definition = _definition(instrument_key)
    errors: dict[str, list] = {}
    if language not in dict(settings.LANGUAGES):
        errors["language"] = [UNKNOWN_LANGUAGE]
    licence_reference = (licence_reference or "").strip()
    if not licence_reference:
        errors["licence_reference"] = [LICENCE_REFERENCE_REQUIRED]
    parsed = item_text.parse_upload(
        definition, items_text=items_text, instructions=instructions, options_text=options_text
    )
    for field_name, messages in parsed.errors.items():
        errors.setdefault(field_name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    previous = (
        ItemText.objects.active()
        .of(definition)
        .filter(language=language)
        .select_for_update(no_key=True)
        .first()
    )
    now = timezone.now()
    if previous is not None:
        previous.retired_at, previous.retired_by = now, actor
        previous.save(update_fields=["retired_at", "retired_by"])
    text = ItemText.objects.create(
        instrument_key=definition.key,
        instrument_version=definition.version,
        language=language,
        licence_reference=licence_reference,
        instructions=parsed.instructions,
        items=dict(parsed.items),
        option_labels={scope: dict(labels) for scope, labels in parsed.option_labels.items()},
        uploaded_by=actor,
    )
    audit.record_event(actor=actor, action=AuditAction.CREATE, obj=text)
    if previous is not None:
        previous.replaced_by = text
        previous.save(update_fields=["replaced_by"])
        audit.record_event(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=previous,
            changed_fields=["retired_at", "retired_by", "replaced_by"],
        )
    return text


@transaction.atomic
def item_text_retire(*, actor: User, instrument_key: str, language: str) -> ItemText:
    """Withdraw the active wording of a questionnaire in one language (e.g. the licence ended):
    new links in that language are refused from now on. The text stays as history."""
    _check_may_manage_item_text(actor)
    definition = _definition(instrument_key)
    text = (
        ItemText.objects.active()
        .of(definition)
        .filter(language=language)
        .select_for_update(no_key=True)
        .first()
    )
    if text is None:
        raise ValidationError(NO_ACTIVE_TEXT, code="nothing_to_retire")
    text.retired_at, text.retired_by = timezone.now(), actor
    text.save(update_fields=["retired_at", "retired_by"])
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=text,
        changed_fields=["retired_at", "retired_by"],
    )
    return text


# --- matched care and formulation -------------------------------------------------------------


@transaction.atomic
def matched_care_decide(
    *,
    actor: User,
    patient: Patient,
    chosen_pathway: str,
    rationale: str = "",
    suggestion: Mapping[str, Any] | None = None,
) -> MatchedCareDecision:
    """Record the clinician's pathway decision beside the suggestion of the risk screen
    (``yellow_flags.matched_care_suggestion``). Departing from the suggestion needs a rationale."""
    if not chosen_pathway:
        raise ValidationError(gettext(CHOSEN_PATHWAY_REQUIRED))
    suggestion = suggestion or {}
    suggested = suggestion.get("pathway") or ""
    if suggested and chosen_pathway != suggested and not rationale.strip():
        raise ValidationError(gettext(RATIONALE_REQUIRED), code="rationale")
    decision = MatchedCareDecision.objects.create(
        patient=patient,
        administration_id=suggestion.get("result_id"),
        instrument_key=suggestion.get("key") or "",
        risk_category=suggestion.get("category") or "",
        suggested_pathway=suggested,
        chosen_pathway=chosen_pathway,
        rationale=rationale.strip(),
        decided_by=actor,
    )
    audit.record_event(actor=actor, action=AuditAction.CREATE, patient=patient, obj=decision)
    _charts_changed(patient.pk)  # the decision is marked on every chart
    return decision


@transaction.atomic
def formulation_state(patient: Patient) -> SimpleNamespace:
    """What a formulation form was opened on: the newest version (its edit token's field)."""
    latest = Formulation.objects.filter(patient=patient).order_by("-recorded_at", "-id").first()
    return SimpleNamespace(latest_formulation=latest.pk if latest else 0)


@transaction.atomic
def formulation_record(
    *,
    actor: User,
    patient: Patient,
    flags: Mapping[str, bool],
    notes: str,
    red_flags: str = "",
    edit_token: str | None = None,
) -> Formulation:
    """Save a new version of the formulation (earlier versions are kept). With the form's
    ``edit_token``: EditConflict when someone saved a newer version since it was opened."""
    if edit_token is not None:
        type(patient).objects.select_for_update(no_key=True).get(
            pk=patient.pk
        )  # serialise the saves
        concurrency.check_edit_token(
            formulation_state(patient), ("latest_formulation",), edit_token, {}
        )
    formulation = Formulation.objects.create(
        patient=patient,
        flags={key: bool(value) for key, value in flags.items()},
        red_flags=red_flags,
        notes=notes,
        recorded_by=actor,
    )
    audit.record_event(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=formulation,
        changed_fields=["flags", "notes"],
    )
    return formulation


# --- red-flag screen and the safety gate (issue #10) ---------------------------------------

# Where the gate applies: planning exposure, graded activity/pacing, or a PMP offer.
OVERRIDE_CONTEXTS = {
    "exposure": "exposure",
    "pacing": "graded activity or pacing",
    "pmp": "a pain management programme",
}
NEEDS_CLINICAL_REVIEW = gettext_noop(
    "This participant needs clinical review before the next session."
)
OVERRIDE_NEEDS_REASON = gettext_noop(
    "A red-flag referral is still open. To go ahead, say why it is safe to do so now."
)


@transaction.atomic
def red_flag_screen_record(
    *, actor: User, episode: Episode, data: Mapping[str, Any]
) -> RedFlagScreen:
    """Record a new red-flag screen (earlier screens are kept; none is edited)."""
    answers = {key: data.get(key, "") for key in red_flags.ITEM_KEYS}
    outcome = data.get("outcome", "")
    referred = outcome == red_flags.REFERRED
    errors = red_flags.check_screen(
        answers,
        outcome,
        data.get("rationale", "") or "",
        data.get("referral_destination", "") or "",
        data.get("referral_urgency", "") or "",
        referral_date_given=bool(data.get("referral_date")),
    )
    screened_on = data.get("screened_on")
    if not screened_on:
        errors["screened_on"] = gettext("Give the date of the screen.")
    elif screened_on > timezone.localdate():
        errors["screened_on"] = gettext("The screen cannot be dated in the future.")
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    screen = RedFlagScreen.objects.create(
        episode=episode,
        screened_on=screened_on,
        answers=answers,
        outcome=outcome,
        rationale=(data.get("rationale") or "").strip(),
        referral_destination=data.get("referral_destination", "") if referred else "",
        referral_urgency=data.get("referral_urgency", "") if referred else "",
        referral_date=data.get("referral_date") if referred else None,
        recorded_by=actor,
    )
    audit.record_event(
        actor=actor,
        action=AuditAction.CREATE,
        patient=episode.patient,
        obj=screen,
        changed_fields=["answers", "outcome", "referral"],
    )
    return screen


@transaction.atomic
def red_flag_referral_outcome_record(
    *, actor: User, screen: RedFlagScreen, outcome: str, on: date | None
) -> RedFlagScreen:
    """Close a referral's follow-up with what came of it (once; it is not edited later)."""
    screen = RedFlagScreen.objects.select_for_update(no_key=True).get(pk=screen.pk)
    if not screen.referral_open:
        raise ValidationError(gettext("This referral's outcome is already recorded."))
    errors = {}
    if not outcome.strip():
        errors["referral_outcome"] = [gettext("Say what came of the referral.")]
    if on is None:
        errors["referral_outcome_on"] = [gettext("Give the date of the outcome.")]
    elif on > timezone.localdate():
        errors["referral_outcome_on"] = [gettext("The outcome cannot be dated in the future.")]
    elif screen.referral_date and on < screen.referral_date:
        errors["referral_outcome_on"] = [gettext("The outcome cannot be before the referral.")]
    if errors:
        raise ValidationError(errors)
    screen.referral_outcome = outcome.strip()
    screen.referral_outcome_on = on
    screen.referral_outcome_by = actor
    screen.referral_outcome_at = timezone.now()
    screen.save(
        update_fields=[
            "referral_outcome",
            "referral_outcome_on",
            "referral_outcome_by",
            "referral_outcome_at",
        ]
    )
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=screen.episode.patient,
        obj=screen,
        changed_fields=["referral_outcome", "referral_outcome_on"],
    )
    return screen


def open_red_flag_referral(episode: Episode | None) -> RedFlagScreen | None:
    """The latest red-flag referral of the episode whose outcome is not yet recorded."""
    if episode is None:
        return None
    return (
        RedFlagScreen.objects.filter(
            episode=episode, outcome="referred", referral_outcome_at__isnull=True
        )
        .select_related("recorded_by")
        .first()
    )


@transaction.atomic
def safety_gate(
    *, actor: User, episode: Episode | None, context: str, override_reason: str = ""
) -> SafetyOverride | None:
    """The service-level check before exposure, graded activity/pacing or a PMP offer is planned:
    while a red-flag referral is open, going ahead needs a clinician's explicit override with a
    reason, recorded and audited. None when nothing is open."""
    if context not in OVERRIDE_CONTEXTS:
        raise ValueError(f"unknown safety-gate context {context!r}")
    screen = open_red_flag_referral(episode)
    if screen is None:
        return None
    # One override per open referral and kind of plan: once a clinician has gone ahead with, e.g.,
    # exposure, the next step of it is not asked again (the override stays shown).
    earlier = SafetyOverride.objects.filter(screen=screen, context=context).first()
    if earlier is not None:
        return earlier
    if not access.may_give_clinical_care(actor):
        # The programme admin gives no clinical care: told only that a clinician must review.
        raise ValidationError({"override_reason": [gettext(NEEDS_CLINICAL_REVIEW)]})
    if not (override_reason or "").strip():
        raise ValidationError({"override_reason": [gettext(OVERRIDE_NEEDS_REASON)]})
    override = SafetyOverride.objects.create(
        episode=episode,
        screen=screen,
        context=context,
        reason=override_reason.strip(),
        decided_by=actor,
    )
    audit.record_event(
        actor=actor,
        action=AuditAction.CREATE,
        patient=episode.patient,
        obj=override,
        changed_fields=["context", "reason"],
    )
    return override


# --- EQ-5D-5L value sets (clinic data) -----------------------------------------------------------

VALUE_SET_FIELDS_REQUIRED = "Give the value set's name, its country and its source reference."


@transaction.atomic
def eq5d_value_set_upload(
    *,
    actor: User,
    name: str,
    country: str,
    source_reference: str,
    table: str,
    use_now: bool = True,
) -> EQ5DValueSet:
    """Store a country value set for the EQ-5D-5L index, supplied by the clinic (issue #14).

    ``table``: one row per health profile, the profile then its index (``eq5d5l.parse_value_set``
    reads it). Refused as a whole (ValidationError listing the problems: missing or repeated
    profiles, values that are not numbers or outside -1..1, full health not the highest) so that
    no half set is ever stored. ``use_now``: results scored from now on take their index from this
    set, and the set in use before stops being used (signed results keep the index they were
    signed with). Audited; the values themselves are not logged."""
    name, country, source_reference = name.strip(), country.strip(), source_reference.strip()
    if not (name and country and source_reference):
        raise ValidationError(VALUE_SET_FIELDS_REQUIRED, code="required")
    values, problems = eq5d5l.parse_value_set(table)
    if problems:
        raise ValidationError(problems, code="value_set")
    if use_now:
        EQ5DValueSet.objects.select_for_update(no_key=True).filter(in_use=True).update(in_use=False)
    value_set = EQ5DValueSet.objects.create(
        name=name,
        country=country,
        source_reference=source_reference,
        values=values,
        digest=eq5d5l.value_set_digest(values),
        in_use=use_now,
        uploaded_by=actor,
    )
    audit.record_event(
        actor=actor,
        action=AuditAction.CREATE,
        obj=value_set,
        changed_fields=["name", "country", "source_reference", "values", "in_use"],
    )
    return value_set


# --- work status and healthcare use at a time point ----------------------------------------------

WORK_STATUS_REQUIRED = "Choose the patient's work status."


@transaction.atomic
def work_and_healthcare_record(
    *, actor: User, session: AssessmentSession, data: Mapping[str, Any]
) -> WorkAndHealthcareUse:
    """Record the patient's work status and healthcare use at this session's time point.

    Each save is a new row for the session (records are not overwritten); the latest is the one
    in force. Refused on a discarded session and on a record with problems
    (``WorkAndHealthcareUse.problems``: ValidationError keyed by field). Audited (field names)."""
    locked = AssessmentSession.objects.select_for_update(no_key=True).get(pk=session.pk)
    if locked.discarded_at is not None:
        raise ValidationError(SESSION_DISCARDED, code="discarded")
    if data.get("work_status") not in WorkStatus.values:
        raise ValidationError({"work_status": WORK_STATUS_REQUIRED})
    problems = WorkAndHealthcareUse.problems(data)
    if problems:
        raise ValidationError(problems)
    values = {name: data.get(name) for name in WorkAndHealthcareUse.FIELDS}
    values["work_status_other"] = (
        (values["work_status_other"] or "").strip()
        if data["work_status"] == WorkStatus.OTHER
        else ""
    )
    record = WorkAndHealthcareUse.objects.create(session=locked, recorded_by=actor, **values)
    audit.record_event(
        actor=actor,
        action=AuditAction.CREATE,
        patient=locked.patient,
        obj=record,
        changed_fields=[n for n in WorkAndHealthcareUse.FIELDS if values[n] not in (None, "")],
    )
    return record
