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

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from assessment import instruments, red_flags, selectors, signals, yellow_flags
from assessment.instruments import InvalidAnswer, payload
from assessment.instruments.base import definition_hash
from assessment.models import (
    RATED_INSTRUMENTS,
    Administration,
    AdministrationState,
    Amendment,
    AnswerSource,
    AssessmentSession,
    Battery,
    Formulation,
    MatchedCareDecision,
    PatientLink,
    RedFlagScreen,
    ResultSummary,
    SafetyOverride,
)
from painclinic import access, audit, concurrency, tokens
from painclinic.models import AuditAction
from painclinic.numbers import parse_int
from patients.models import ConsentKind
from patients.models import Episode as EpisodeModel
from patients.services import consent_require

if TYPE_CHECKING:
    from collections.abc import Mapping

    from painclinic.models import User
    from patients.models import Episode, Patient

ALREADY_SIGNED = "This result is signed; correct it with an amendment."
NOT_SIGNED = "Only a signed result can be amended; a draft can still be changed."
AMENDMENT_NEEDS_REASON = "An amendment needs a reason."
AMENDMENT_CHANGES_NOTHING = "The amendment changes no answer."
UNKNOWN_INSTRUMENT = "Unknown instrument {key!r}."
EPISODE_NOT_OF_PATIENT = "The episode belongs to another patient."
SESSION_DATE_IN_FUTURE = "A session cannot be dated in the future."
LINK_INVALID = "This link is not valid. Ask your clinician for a new one."
LINK_EXPIRED = "This link has expired. Ask your clinician for a new one."
LINK_USED = "These answers were already sent to your clinician. Thank you."
LINK_NOTHING_TO_FILL = "Every questionnaire of this session is already signed."
NOTHING_TO_START = "Choose a battery, or one or more single instruments."
SESSION_DISCARDED = "This session was discarded; its questionnaires can no longer be filled."
SESSION_HAS_SIGNED = (
    "A session with a signed result cannot be discarded: correct a signed result with an amendment."
)
CHOSEN_PATHWAY_REQUIRED = "Choose the pathway you decided on."
RATIONALE_REQUIRED = "Say why you chose a pathway other than the one suggested."

# Someone saved the draft after this form was opened (painclinic/concurrency.py).
EditConflict = concurrency.EditConflict

PATIENT_LINK_ACTOR = "patient-link"  # audit actor_username for what a patient does via a link
LINK_LIFETIME = timedelta(days=7)  # long enough to fill at home before the visit


def _definition(key: str):
    try:
        return instruments.get(key)
    except KeyError:
        raise ValidationError(UNKNOWN_INSTRUMENT.format(key=key)) from None


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
                f"{definition.short_name} has no item {item_id!r}.", code="invalid_answer"
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
        raise ValidationError(EPISODE_NOT_OF_PATIENT)
    if on > timezone.localdate():
        raise ValidationError(SESSION_DATE_IN_FUTURE)
    if instrument_keys:
        keys = list(instrument_keys)
    elif battery is not None:
        keys = list(battery.instrument_keys)
    else:
        keys = []
    if not keys:
        raise ValidationError(NOTHING_TO_START, code="nothing_to_start")
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
    locked = AssessmentSession.objects.select_for_update().get(pk=session.pk)
    if locked.discarded_at is not None:
        raise ValidationError(SESSION_DISCARDED, code="discarded")
    # Lock the drafts too: a sign racing the discard either lands first (and we refuse) or
    # waits and then finds the session discarded (_lock_draft).
    states = list(
        Administration.objects.select_for_update()
        .filter(session=locked)
        .values_list("state", flat=True)
    )
    if AdministrationState.SIGNED in states:
        raise ValidationError(SESSION_HAS_SIGNED, code="signed")
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


SESSION_ALREADY_ENDED = "This session is already marked as ended."
RATING_HIDDEN = (
    "The patient's rating of this session is shown once the session is over: mark the session "
    "ended first."
)


@transaction.atomic
def session_end(*, actor: User, session: AssessmentSession) -> AssessmentSession:
    """Mark the session over: the patient's ratings of it (WAI-SR, CARE) become visible to the
    clinician (AssessmentSession.ratings_visible). Once only; audited."""
    locked = AssessmentSession.objects.select_for_update().get(pk=session.pk)
    if locked.ended_at is not None:
        raise ValidationError(SESSION_ALREADY_ENDED, code="ended")
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
    locked = Administration.objects.select_for_update().get(pk=administration.pk)
    if locked.state != AdministrationState.DRAFT:
        raise ValidationError(ALREADY_SIGNED, code="signed")
    # A fresh statement after the lock: sees a discard committed while we waited for the row.
    if AssessmentSession.objects.filter(pk=locked.session_id, discarded_at__isnull=False).exists():
        raise ValidationError(SESSION_DISCARDED, code="discarded")
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
    if edit_token is not None:  # the form's token: refused if the draft changed since it opened
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
    list(EpisodeModel.objects.select_for_update().filter(pk=episode_id).values_list("pk"))
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
        raise ValidationError(RATING_HIDDEN, code="rating_hidden")
    if edit_token is not None:
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
        raise ValidationError(AMENDMENT_NEEDS_REASON, code="reason")
    locked = (
        Administration.objects.select_for_update(of=("self",))
        .select_related("current_amendment", "session__patient")
        .get(pk=administration.pk)
    )
    if locked.state != AdministrationState.SIGNED:
        raise ValidationError(NOT_SIGNED, code="not_signed")
    old_answers, old_score = locked.current_answers, locked.current_score
    definition = _definition(locked.instrument_key)
    if _typed_answers(definition, answers) == _typed_answers(definition, old_answers):
        raise ValidationError(AMENDMENT_CHANGES_NOTHING, code="unchanged")
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
    return amendment


def _flag_decisions_for_review(
    *, actor: User, administration: Administration, amendment: Amendment
) -> None:
    """A pathway decision made on this result's old group no longer rests on the result in force:
    flag it for review (shown on the profile until a clinician records a new decision). Issue #9:
    an amendment that changes the STarT Back group must not leave the old decision standing."""
    new_category = yellow_flags.risk_category(amendment.new_score)
    stale = list(
        MatchedCareDecision.objects.select_for_update()
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


@transaction.atomic
def patient_link_issue(
    *, actor: User, session: AssessmentSession, lifetime: timedelta = LINK_LIFETIME
) -> tuple[PatientLink, str]:
    """Issue a single-use link for the session's draft administrations. Returns the link and
    the token, which is shown once and never stored (only its SHA-256 is)."""
    if session.discarded_at is not None:
        raise ValidationError(SESSION_DISCARDED, code="discarded")
    if not session.administrations.filter(state=AdministrationState.DRAFT).exists():
        raise ValidationError(LINK_NOTHING_TO_FILL)
    # A link goes to the patient by e-mail or text message: only with their consent (issue #10).
    consent_require(session.patient, ConsentKind.PATIENT_LINKS)
    token, hashed = tokens.issue_token()
    link = PatientLink.objects.create(
        session=session,
        token_hash=hashed,
        expires_at=timezone.now() + lifetime,
        created_by=actor,
    )
    audit.record_event(actor=actor, action=AuditAction.CREATE, patient=session.patient, obj=link)
    return link, token


def _link_for_token(token: str, *, lock: bool) -> PatientLink:
    queryset = PatientLink.objects.select_related("session__patient")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
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
        raise ValidationError(CHOSEN_PATHWAY_REQUIRED)
    suggestion = suggestion or {}
    suggested = suggestion.get("pathway") or ""
    if suggested and chosen_pathway != suggested and not rationale.strip():
        raise ValidationError(RATIONALE_REQUIRED, code="rationale")
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
        type(patient).objects.select_for_update().get(pk=patient.pk)  # serialise the saves
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
NEEDS_CLINICAL_REVIEW = "This participant needs clinical review before the next session."
OVERRIDE_NEEDS_REASON = (
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
        errors["screened_on"] = "Give the date of the screen."
    elif screened_on > timezone.localdate():
        errors["screened_on"] = "The screen cannot be dated in the future."
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
    screen = RedFlagScreen.objects.select_for_update().get(pk=screen.pk)
    if not screen.referral_open:
        raise ValidationError("This referral's outcome is already recorded.")
    errors = {}
    if not outcome.strip():
        errors["referral_outcome"] = ["Say what came of the referral."]
    if on is None:
        errors["referral_outcome_on"] = ["Give the date of the outcome."]
    elif on > timezone.localdate():
        errors["referral_outcome_on"] = ["The outcome cannot be dated in the future."]
    elif screen.referral_date and on < screen.referral_date:
        errors["referral_outcome_on"] = ["The outcome cannot be before the referral."]
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
        raise ValidationError({"override_reason": [NEEDS_CLINICAL_REVIEW]})
    if not (override_reason or "").strip():
        raise ValidationError({"override_reason": [OVERRIDE_NEEDS_REASON]})
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
