"""Reads of the assessment app. Page-shaped queries live here; views never filter by hand.

Contracts other apps rely on (issue #3):
- ``latest_scores(patient)`` -> {key: {"key", "total", "band", "band_label", "band_level",
  "band_policy", "subscales", "derived", "flags", "date", "result_id"}}: the latest SIGNED,
  scorable result per instrument, with amended values where amended. One query. The band is the
  one stored when the result was signed or amended (never re-derived); ``band_policy``: its
  cut-off is clinic policy. Pages print ``band_label``, never the band's name.
- ``reliable_change_for(patient)`` -> {key: {...}}: first vs latest signed scorable result,
  classified by the Jacobson-Truax RCI with the instrument's own parameters.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Case, CharField, Max, Q, When
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.utils.translation import gettext_lazy as _

from assessment import instruments, red_flags, yellow_flags
from assessment.instruments import change, payload
from assessment.models import (
    Administration,
    AdministrationState,
    AssessmentSession,
    EQ5DValueSet,
    Formulation,
    ItemText,
    MatchedCareDecision,
    RedFlagScreen,
    ResultSummary,
    SafetyOverride,
    WorkAndHealthcareUse,
)
from painclinic.access import clinical_staff
from painclinic.models import User
from patients.models import OPEN_STATUSES, Episode

if TYPE_CHECKING:
    from collections.abc import Iterable

    from assessment.instruments.base import ReliableChangeParameters
    from patients.models import Patient

NOT_AVAILABLE = "not_available"
REASON_ONE_RESULT = "Only one signed result: no change to classify yet."
REASON_NO_PARAMETERS = (
    "The {name} definition has no reliable-change parameters (SD and reliability, or SEM) for "
    "its total score."
)
REASON_NO_DIRECTION = "The {name} definition does not say whether higher scores are worse."
REASON_NO_TOTAL = "{name} has no total score to compare."


@dataclass(frozen=True)
class SignedResult:
    """One signed, scorable result with its current (amended) values, as plain data."""

    key: str
    result_id: int
    date: date
    score: dict[str, Any]
    amended: bool
    band: payload.StoredBand | None = None  # stored when signed or amended (never re-derived)

    @property
    def total(self) -> float | int | None:
        return self.score.get("total")

    def as_latest(self) -> dict[str, Any]:
        band = self.band
        return {
            "key": self.key,
            "total": self.total,
            "band": band.name if band else None,
            # What a page prints: the band's label ("Below clinical cut-off"), never its name.
            "band_label": band.label if band else None,
            "band_level": band.level if band else None,
            "band_policy": band.policy if band else False,
            "subscales": dict(self.score.get("subscales") or {}),
            "derived": dict(self.score.get("derived") or {}),
            "flags": dict(self.score.get("flags") or {}),
            "date": self.date,
            "result_id": self.result_id,
        }


def signed_scorable():
    """Signed administrations whose score in force (the amendment's, if any) is scorable."""
    return Administration.objects.filter(state=AdministrationState.SIGNED).filter(
        Q(current_amendment__isnull=True, score__scorable=True)
        | Q(current_amendment__isnull=False, current_amendment__new_score__scorable=True)
    )


def last_signed_assessment_of(episode_ref):
    """Subquery: the session date of the latest signed scorable result of the episode
    ``episode_ref`` (an OuterRef) -- the source of Episode.last_signed_assessment."""
    return (
        signed_scorable()
        .filter(session__episode=episode_ref)
        .order_by()
        .values("session__episode")
        .annotate(d=Max("session__date"))
        .values("d")
    )


def last_signed_assessment_by_episode(episode_ids: Iterable[int] | None = None) -> dict[int, Any]:
    """Every episode's Episode.last_signed_assessment at once (of ``episode_ids`` only, when
    given), in one grouped scan (the per-row subquery above took minutes over 10,000 episodes):
    for a bulk load that bypassed the services (``manage.py refresh_derived``). Episodes with no
    signed scorable result are absent (their column is null)."""
    rows = signed_scorable()
    if episode_ids is not None:
        rows = rows.filter(session__episode_id__in=list(episode_ids))
    return dict(
        rows.order_by()
        .values("session__episode")
        .annotate(d=Max("session__date"))
        .values_list("session__episode", "d")
    )


def _in_force():
    """The total and the band name of the score in force (the amendment's, if any), picked out
    in SQL: decoding each row's whole score JSON (~1.3 KB with its sources) cost more than the
    query (issue #16). An amendment's new_score is never NULL, so "amended" is "has a current
    amendment"."""
    amended = Q(current_amendment__isnull=False)
    return {
        "total_in_force": Case(
            When(amended, then=KeyTransform("total", "current_amendment__new_score")),
            default=KeyTransform("total", "score"),
        ),
        "band_in_force": Case(
            When(
                amended,
                then=KeyTextTransform("name", KeyTransform("band", "current_amendment__new_score")),
            ),
            default=KeyTextTransform("name", KeyTransform("band", "score")),
            output_field=CharField(),
        ),
    }


def result_summaries_computed(episode_ids: Iterable[int] | None = None) -> list[ResultSummary]:
    """The ResultSummary rows the administrations give (unsaved): per episode and instrument, the
    first and the latest signed scorable result in the order of ``signed_results``. Every
    episode when ``episode_ids`` is None (the bulk fill of the bench seed). One query; the
    services (``refresh_result_summaries``) store what this returns."""
    rows = signed_scorable()
    if episode_ids is not None:
        rows = rows.filter(session__episode_id__in=list(episode_ids))
    rows = (
        rows.annotate(**_in_force())
        .order_by("session__episode_id", "instrument_key", "session__date", "signed_at", "id")
        .values_list(
            "session__episode_id",
            "instrument_key",
            "id",
            "session__date",
            "total_in_force",
            "current_amendment_id",
            "band_in_force",
        )
    )
    out: list[ResultSummary] = []
    current: ResultSummary | None = None
    # Fetched whole, not through ``.iterator()``: a server-side cursor makes PostgreSQL plan for the
    # first rows, and over 120,000 results (the 10,000-patient bench) it chose a nested loop that
    # ran for over ten minutes; the plain query takes about 2 s (EXPLAIN ANALYZE, issue #16).
    for episode_id, key, result_id, day, total, amendment_id, band in rows:
        if current is None or (current.episode_id, current.instrument_key) != (episode_id, key):
            current = ResultSummary(
                episode_id=episode_id,
                instrument_key=key,
                first_result_id=result_id,
                first_date=day,
                first_total=total,
                first_amended=amendment_id is not None,
            )
            out.append(current)
        current.latest_result_id = result_id
        current.latest_date = day
        current.latest_total = total
        current.latest_amended = amendment_id is not None
        current.latest_band_name = band or ""
    for summary in out:
        summary.classification = change_classification(
            summary.instrument_key,
            summary.first_total,
            summary.latest_total,
            remeasured=summary.first_result_id != summary.latest_result_id,
        )
    return out


@lru_cache(maxsize=8192)
def change_classification(
    key: str, first_total: float | None, latest_total: float | None, *, remeasured: bool
) -> str:
    """The RCI classification (``reliable_change``) of a first and a latest total, stored with
    each ResultSummary so the team review selects by it in SQL (issue #16). It reads only the
    totals (as the summary stores them: floats), the instrument and whether there are two
    results; a team has thousands of pairs but few distinct ones, so each is classified once."""
    as_stored = [None if t is None else float(t) for t in (first_total, latest_total)]
    first, latest = (SignedResult(key, 0, date.min, {"total": t}, amended=False) for t in as_stored)
    return reliable_change([first, latest] if remeasured else [latest])["classification"]


def signed_results(patient: Patient) -> dict[str, list[SignedResult]]:
    """Every signed scorable result of the patient, by instrument key, oldest first. One query.

    Ordered by session date, then signing time, then id, so "latest" is well defined when two
    results share a date. Unscorable signed results are not scores and are left out (services.py
    module docstring)."""
    rows = (
        Administration.objects.filter(session__patient=patient, state=AdministrationState.SIGNED)
        .order_by("session__date", "signed_at", "id")
        .values_list(
            "id",
            "instrument_key",
            "score",
            "session__date",
            "current_amendment__new_score",
            "band_name",
            "band_label",
            "band_level",
            "band_policy",
        )
    )
    by_key: dict[str, list[SignedResult]] = defaultdict(list)
    for result_id, key, score, day, amended_score, *band_columns in rows:
        current = amended_score if amended_score is not None else score
        if not current or not current.get("scorable"):
            continue
        name, label, level, policy = band_columns
        band = payload.StoredBand(name, label, level, policy) if name else None
        by_key[key].append(
            SignedResult(key, result_id, day, current, amended_score is not None, band)
        )
    return dict(by_key)


def _detailed(result: SignedResult) -> dict[str, Any]:
    return {
        **result.as_latest(),
        "bands": dict(result.score.get("bands") or {}),
        "amended": result.amended,
    }


def profile_data(patient: Patient) -> dict[str, Any]:
    """Everything the profile page needs from results, from one query: latest (with band labels
    and subscale bands), RCI per instrument, and each instrument's series for the charts."""
    results = signed_results(patient)
    return {
        "latest": {key: _detailed(rows[-1]) for key, rows in results.items()},
        "change": {key: reliable_change(rows) for key, rows in results.items()},
        "series": {
            key: [(r.date, r.total, r.result_id) for r in rows] for key, rows in results.items()
        },
    }


def latest_scores(patient: Patient) -> dict[str, dict]:
    """The latest signed scorable result per instrument key (contract: module docstring)."""
    return {key: results[-1].as_latest() for key, results in signed_results(patient).items()}


def _rci_parameters(definition) -> ReliableChangeParameters | None:
    wanted = definition.primary or "total"
    for parameters in definition.rci:
        if parameters.score == wanted:
            return parameters
    return None


def reliable_change(results: list[SignedResult]) -> dict[str, Any]:
    """Baseline (first) vs latest of one instrument's results, classified by the RCI."""
    key = results[0].key
    baseline, latest = results[0], results[-1]
    out: dict[str, Any] = {
        "key": key,
        "baseline": {
            "total": baseline.total,
            "date": baseline.date,
            "result_id": baseline.result_id,
        },
        "latest": {"total": latest.total, "date": latest.date, "result_id": latest.result_id},
        "difference": None,
        "rc": None,
        "smallest_reliable_change": None,
        "classification": NOT_AVAILABLE,
        "reason": "",
        "source": "",
    }
    try:
        definition = instruments.get(key)
    except KeyError as exc:
        out["reason"] = str(exc.args[0])
        return out
    name = definition.short_name
    if len(results) < 2:
        out["reason"] = REASON_ONE_RESULT
        return out
    if baseline.total is None or latest.total is None:
        out["reason"] = REASON_NO_TOTAL.format(name=name)
        return out
    if definition.direction not in change.DIRECTIONS:
        out["reason"] = REASON_NO_DIRECTION.format(name=name)
        return out
    parameters = _rci_parameters(definition)
    if parameters is None:
        out["reason"] = REASON_NO_PARAMETERS.format(name=name)
        return out
    result = change.reliable_change_from_parameters(
        baseline.total, latest.total, parameters, direction=definition.direction
    )
    if isinstance(result, instruments.Unscorable):
        out["reason"] = result.reason
        return out
    out.update(
        difference=result.difference,
        rc=result.rc,
        smallest_reliable_change=result.smallest_reliable_change,
        classification=result.classification,
        source=f"{result.source}; parameters: {parameters.source}",
    )
    return out


def reliable_change_for(patient: Patient) -> dict[str, dict]:
    """Per instrument key: first vs latest signed scorable result with the RCI classification
    (reliably_improved / no_reliable_change / reliably_deteriorated / not_available + reason)."""
    return {key: reliable_change(results) for key, results in signed_results(patient).items()}


# --- pages ------------------------------------------------------------------------------------


def sessions_for(patient: Patient):
    return (
        AssessmentSession.objects.filter(patient=patient, discarded_at__isnull=True)
        .select_related("battery", "administered_by", "episode")
        .prefetch_related("administrations")
    )


def session_administrations(session: AssessmentSession) -> list[Administration]:
    return list(
        session.administrations.select_related(
            "signed_by", "current_amendment", "rated_clinician", "session"
        ).order_by("position", "id")
    )


def latest_decision(patient: Patient) -> MatchedCareDecision | None:
    """The decision in force, with the amendment that flagged it for review (if any)."""
    return (
        MatchedCareDecision.objects.filter(patient=patient)
        .select_related("decided_by", "review_amendment__amended_by")
        .first()
    )


def decision_at_stake(administration: Administration, score: dict | None):
    """The pathway decision resting on this signed result that an amendment to ``score`` would
    flag for review (services._flag_decisions_for_review), or None. For the amendment preview."""
    if not administration.is_signed or not score or score.get("error"):
        return None
    return (
        MatchedCareDecision.objects.filter(
            administration=administration, review_amendment__isnull=True
        )
        .exclude(risk_category=yellow_flags.risk_category(score))
        .first()
    )


def latest_formulation(patient: Patient) -> Formulation | None:
    return Formulation.objects.filter(patient=patient).select_related("recorded_by").first()


def drafts_waiting(patient: Patient) -> int:
    return Administration.objects.filter(
        session__patient=patient,
        session__discarded_at__isnull=True,
        state=AdministrationState.DRAFT,
    ).count()


# --- red-flag screen (issue #10) -------------------------------------------------------------


def red_flag_screens(episode) -> list:
    if episode is None:
        return []
    screens = list(
        RedFlagScreen.objects.filter(episode=episode)
        .select_related("recorded_by", "referral_outcome_by")
        .prefetch_related("overrides__decided_by")
    )
    destinations = dict(red_flags.DESTINATIONS)
    urgencies = dict(red_flags.URGENCIES)
    for screen in screens:
        screen.present_labels = [
            red_flags.ITEM_LABELS[k] for k in red_flags.present_items(screen.answers)
        ]
        screen.not_asked_labels = [
            red_flags.ITEM_LABELS[k]
            for k in red_flags.ITEM_KEYS
            if screen.answers.get(k) == red_flags.NOT_ASKED
        ]
        screen.destination_label = destinations.get(screen.referral_destination, "")
        screen.urgency_label = urgencies.get(screen.referral_urgency, "")
    return screens


def red_flag_status(patient: Patient) -> dict:
    """What the record says about red flags: not screened, the latest screen, an open referral."""
    episode = Episode.objects.current_for(patient)
    screens = list(RedFlagScreen.objects.filter(episode=episode)) if episode else []
    open_referral = next((s for s in screens if s.referral_open), None)
    return {
        "episode": episode,
        "latest": screens[0] if screens else None,
        "open_referral": open_referral,
    }


def safety_gate_status(episode, context: str) -> dict | None:
    """What a planning page shows about an open red-flag referral: the referral and any override
    already recorded for this kind of plan. None when no referral is open."""
    if episode is None:
        return None
    screen = (
        RedFlagScreen.objects.filter(
            episode=episode, outcome="referred", referral_outcome_at__isnull=True
        )
        .order_by("-screened_on", "-recorded_at", "-id")
        .first()
    )
    if screen is None:
        return None
    return {
        "screen": screen,
        "destination": dict(red_flags.DESTINATIONS).get(screen.referral_destination, ""),
        "urgency": dict(red_flags.URGENCIES).get(screen.referral_urgency, ""),
        "override": SafetyOverride.objects.filter(screen=screen, context=context)
        .select_related("decided_by")
        .first(),
    }


def patients_needing_clinical_review(patient_ids) -> set:
    """Patients (of ``patient_ids``) with a red-flag referral still open: the programme pages say
    only "needs clinical review before the next session", never why (issue #10). One query."""
    ids = list(patient_ids)
    if not ids:
        return set()
    return set(
        RedFlagScreen.objects.filter(
            episode__patient_id__in=ids,
            episode__status__in=OPEN_STATUSES,
            outcome="referred",
            referral_outcome_at__isnull=True,
        ).values_list("episode__patient_id", flat=True)
    )


def signed_administrations(patient: Patient) -> list[dict[str, Any]]:
    """Every signed result of the patient, scorable or not, oldest first, as plain data with the
    answers and score in force (an amendment's values where amended). One query. For exports
    (interop): a record holds the unscorable results too, with their answers."""
    rows = (
        Administration.objects.filter(session__patient=patient, state=AdministrationState.SIGNED)
        .order_by("session__date", "signed_at", "id")
        .values(
            "id",
            "instrument_key",
            "definition_version",
            "answers",
            "score",
            "signed_at",
            "session__date",
            "current_amendment__new_answers",
            "current_amendment__new_score",
        )
    )
    return [
        {
            "id": row["id"],
            "instrument_key": row["instrument_key"],
            "definition_version": row["definition_version"],
            "answers": row["current_amendment__new_answers"] or row["answers"] or {},
            "score": row["current_amendment__new_score"] or row["score"] or {},
            "signed_at": row["signed_at"],
            "date": row["session__date"],
            "amended": row["current_amendment__new_score"] is not None,
        }
        for row in rows
    ]


def signed_score_rows(patient_ids, keys, *, date_from, date_to):
    """Signed results of several patients for some instruments between two session dates, in ONE
    query (programme cohorts): rows of (result id, patient id, instrument key, session date,
    score as signed, amended score or None)."""
    return Administration.objects.filter(
        session__patient_id__in=patient_ids,
        state=AdministrationState.SIGNED,
        instrument_key__in=keys,
        session__date__gte=date_from,
        session__date__lte=date_to,
    ).values_list(
        "id",
        "session__patient_id",
        "instrument_key",
        "session__date",
        "score",
        "current_amendment__new_score",
    )


def clinicians_who_may_be_rated(episode):
    """Whom a process measure may rate: the clinical staff of the episode's team and its care
    team (a visiting doctor on the care team may be the one a CARE rating is about). Lazy."""
    if episode is None:
        return User.objects.none()
    return (
        User.objects.filter(
            Q(pk__in=clinical_staff(episode.team).values("pk"))
            | Q(pk__in=episode.care_team.values("user_id"))
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def eq5d_value_set_in_use(*, with_values: bool = True) -> EQ5DValueSet | None:
    """The clinic's EQ-5D-5L value set that new results take their index from, if any.
    ``with_values=False`` leaves the 3,125 values unloaded (read on first use of ``values``)."""
    queryset = EQ5DValueSet.objects.filter(in_use=True)
    if not with_values:
        queryset = queryset.defer("values")
    return queryset.first()


def work_and_healthcare_current(session: AssessmentSession) -> WorkAndHealthcareUse | None:
    """The record in force for a session (the latest save), or None."""
    return session.work_and_healthcare.select_related("recorded_by").first()


def work_and_healthcare_over_time(patient: Patient) -> list[WorkAndHealthcareUse]:
    """The record in force of each session of the patient that has one, oldest time point first
    (discarded sessions left out). One query whatever the number of sessions."""
    rows = (
        WorkAndHealthcareUse.objects.filter(
            session__patient=patient, session__discarded_at__isnull=True
        )
        .select_related("session")
        .order_by("session_id", "-recorded_at", "-id")
    )
    latest: dict[int, WorkAndHealthcareUse] = {}
    for row in rows:
        latest.setdefault(row.session_id, row)
    return sorted(latest.values(), key=lambda r: (r.session.date, r.session_id))


# --- licensed item text (issue #14) -----------------------------------------------------------
# English is the language the definitions are written in: where a definition may bundle its
# wording (instruments.md §27.2: PHQ-9, GAD-7, PEG, NRS, PSFS) English needs no upload. Every
# other language, and every licensed questionnaire, needs the clinic's upload.

BUNDLED_LANGUAGE = "en-gb"


def language_name(code: str) -> str:
    return dict(settings.LANGUAGES).get(code, code)


def _active_texts(definitions, language: str | None = None) -> list[ItemText]:
    if not definitions:
        return []
    versions = Q()
    for definition in definitions:
        versions |= Q(instrument_key=definition.key, instrument_version=definition.version)
    queryset = ItemText.objects.active().filter(versions)
    if language is not None:
        queryset = queryset.filter(language=language)
    return list(queryset)


def item_texts_for(keys, language: str) -> dict[str, ItemText]:
    """Instrument key -> the active uploaded wording in ``language`` (one query)."""
    definitions = [instruments.get(key) for key in dict.fromkeys(keys)]
    return {text.instrument_key: text for text in _active_texts(definitions, language)}


def has_wording(definition, language: str, uploaded: ItemText | None) -> bool:
    return uploaded is not None or (
        language == BUNDLED_LANGUAGE and definition.licence.item_text_bundled
    )


def instruments_without_wording(keys, language: str) -> list:
    """The definitions among ``keys`` a patient could not read in ``language``: no bundled
    English text and no active upload. In the order given, each once."""
    texts = item_texts_for(keys, language)
    return [
        definition
        for definition in (instruments.get(key) for key in dict.fromkeys(keys))
        if not has_wording(definition, language, texts.get(definition.key))
    ]


# The licence of a questionnaire in the clinic's words (instruments.md §27.2; base.LICENCE_STATUSES).
LICENCE_WORDS = {
    "free": _("Free to use"),
    "free_ask_commercial": _("Free for clinical use; terms for software not yet confirmed"),
    "restricted": _("Licence needed"),
    "unverified": _("Licence terms not confirmed"),
}


@dataclass(frozen=True)
class WordingRow:
    """One questionnaire on the wording page: its licence and, per language, where its
    wording comes from ("bundled", the active upload, or nothing)."""

    definition: Any
    languages: list[tuple[str, str, ItemText | None, bool]]  # code, name, upload, bundled

    @property
    def needs_upload(self) -> bool:
        return not self.definition.licence.item_text_bundled

    @property
    def licence_holder(self) -> str:
        """The holder as the definition names it, without the parts it marks as unverified
        (the definition keeps the mark; a page speaks the clinic's language)."""
        parts = [p.strip() for p in self.definition.licence.holder.split(";")]
        kept = [p for p in parts if p and "UNVERIFIED" not in p]
        return "; ".join(kept) if kept else str(_("holder not confirmed"))

    @property
    def licence_words(self) -> str:
        return str(LICENCE_WORDS.get(self.definition.licence.status, ""))


def item_text_overview() -> list[WordingRow]:
    """Every questionnaire of the library with its licence status and the languages it has
    wording in (one query)."""
    definitions = instruments.all_instruments()
    active = {(t.instrument_key, t.language): t for t in _active_texts(definitions)}
    return [
        WordingRow(
            definition=definition,
            languages=[
                (
                    code,
                    name,
                    active.get((definition.key, code)),
                    code == BUNDLED_LANGUAGE and definition.licence.item_text_bundled,
                )
                for code, name in settings.LANGUAGES
            ],
        )
        for definition in definitions
    ]


def item_text_history(definition) -> list[ItemText]:
    """Every upload of this questionnaire version, newest first, active and retired."""
    return list(
        ItemText.objects.of(definition)
        .select_related("uploaded_by", "retired_by")
        .order_by("language", "-uploaded_at", "-id")
    )
