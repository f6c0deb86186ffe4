"""Assessment records: batteries, sessions, administrations (signed = immutable), amendments,
patient self-report links, matched-care decisions and the fear-avoidance formulation.

Scoring itself lives in the pure library ``assessment.instruments``; these models store the raw
answers (codes as printed), the definition version and hash they were scored with, and the score.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    import datetime


class TimePoint(models.TextChoices):
    FIRST_VISIT = "first_visit", _("Referral / first visit")
    REVIEW = "review", _("Review")
    DISCHARGE = "discharge", _("Discharge")
    FOLLOW_UP = "follow_up", _("Follow-up")


class Battery(models.Model):
    """An ordered list of instrument keys a team uses at a time point.

    ``team`` is null for the clinic-wide batteries seeded by migration 0002; a team adds its own
    in the admin. Keys are checked against the instrument registry by ``battery_keys_problems``.
    """

    name = models.CharField(_("name"), max_length=120)
    team = models.ForeignKey(
        "painclinic.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="batteries"
    )
    instrument_keys = models.JSONField(_("instruments, in order"), default=list)
    time_point = models.CharField(
        _("usual time point"), max_length=16, choices=TimePoint.choices, blank=True
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "batteries"

    def __str__(self) -> str:
        return self.name


class AssessmentSession(models.Model):
    """One sitting at a time point: the administrations of a battery for one episode."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="assessment_sessions"
    )
    episode = models.ForeignKey(
        "patients.Episode", on_delete=models.PROTECT, related_name="assessment_sessions"
    )
    time_point = models.CharField(_("time point"), max_length=16, choices=TimePoint.choices)
    date = models.DateField(_("date"))
    battery = models.ForeignKey(
        Battery, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    administered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # A session started by mistake is discarded, not deleted, while nothing in it is signed
    # (services.session_discard): the row stays for the audit trail, its drafts can no longer
    # be filled and it leaves the patient's lists.
    discarded_at = models.DateTimeField(null=True, blank=True)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The clinician marks the session over (services.session_end): from then on the process
    # measures of the session (the patient's rating of it) are shown to the clinician
    # (``ratings_visible``). Issue #13.
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["patient", "-date"], name="assess_session_patient")]

    def __str__(self) -> str:
        return f"{self.get_time_point_display()} {self.date:%d %b %Y}"

    @property
    def is_discarded(self) -> bool:
        return self.discarded_at is not None

    def ratings_visible(self, today: datetime.date | None = None) -> bool:
        """Whether the clinician may see the patient's ratings of this session (WAI-SR, CARE).

        The rating is about the session; seen while the session is running it would bias both
        the patient's answers and the clinician (Hatcher & Gillaspy 2006 and Mercer 2004 give the
        questionnaires to the patient to fill privately; the "after the session" rule is the
        clinic's reading of that, issue #13). Rule: hidden until the clinician marks the session
        ended, and at the latest until the day of the session is over (so a rating is never
        hidden for ever because nobody pressed the button)."""
        today = today or timezone.localdate()
        return self.ended_at is not None or today > self.date


# Process measures in which the patient rates one clinician (instruments.md §19 WAI-SR: the
# client's alliance with the therapist; §21 CARE: the clinician's empathy). GCQ-S rates a group,
# not a clinician, and stays out.
RATED_INSTRUMENTS = ("waisr", "care")


class AdministrationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")


class AnswerSource(models.TextChoices):
    CLINICIAN = "clinician", _("Entered by clinician")
    PATIENT_LINK = "patient_link", _("Self-report link")


class Administration(models.Model):
    """One instrument given in a session.

    States: DRAFT -> SIGNED (final). A draft keeps partial answers and may be saved any number of
    times. Signing stores the score and makes ``answers``, ``score``, the definition identity and
    the signature immutable: a PostgreSQL trigger (migration 0003) refuses any UPDATE of them and
    any DELETE of a signed row. A correction is an ``Amendment``; ``current_amendment`` (the one
    column that may still change) points at the latest, whose values are the current ones.
    """

    session = models.ForeignKey(
        AssessmentSession, on_delete=models.PROTECT, related_name="administrations"
    )
    position = models.PositiveSmallIntegerField(default=0)
    instrument_key = models.CharField(max_length=32)
    definition_version = models.CharField(max_length=64)
    definition_hash = models.CharField(max_length=64)
    answers = models.JSONField(default=dict)  # item id -> raw code | "NA" | None
    score = models.JSONField(null=True, blank=True)  # instruments.payload.result_payload shape
    state = models.CharField(
        max_length=8, choices=AdministrationState.choices, default=AdministrationState.DRAFT
    )
    source = models.CharField(
        max_length=16, choices=AnswerSource.choices, default=AnswerSource.CLINICIAN
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    current_amendment = models.ForeignKey(
        "Amendment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The band of the result in force (the signed score, or the latest amendment's), stored when
    # it is signed or amended (services; instruments.payload.stored_band) so pages read it and
    # never re-derive it. Empty on drafts, on unscorable results and on totals without bands.
    # ``band_policy``: the cut-off is clinic policy (unverified evidence), and the page says so.
    band_name = models.CharField(max_length=32, blank=True)
    band_label = models.CharField(max_length=120, blank=True)
    band_level = models.PositiveSmallIntegerField(null=True, blank=True)
    band_policy = models.BooleanField(default=False)
    # The clinician the patient rates (process measures only: RATED_INSTRUMENTS), fixed when the
    # measure is issued: the clinician who ran the session being rated, chosen on issue and
    # defaulting to the clinician starting it. Aggregates per clinician (review/) read this, so a
    # reassignment of the lead never moves a rating (issue #13). Null on other instruments, and
    # on ratings recorded before this field whose history did not tell who was rated
    # (migration: "not recorded" on pages, never a guess).
    rated_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="draft")
                | (
                    models.Q(signed_by__isnull=False)
                    & models.Q(signed_at__isnull=False)
                    & models.Q(score__isnull=False)
                ),
                name="administration_signed_has_signature",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_key} ({self.get_state_display()})"

    @property
    def is_signed(self) -> bool:
        return self.state == AdministrationState.SIGNED

    @property
    def is_rating(self) -> bool:
        """A process measure in which the patient rates a clinician (RATED_INSTRUMENTS)."""
        return self.instrument_key in RATED_INSTRUMENTS

    @property
    def hidden_from_clinician(self) -> bool:
        """The patient's own rating (given by link) of a session not yet over
        (AssessmentSession.ratings_visible). A rating the clinician types in from paper is not
        hidden: they are entering it."""
        return (
            self.is_rating
            and self.source == AnswerSource.PATIENT_LINK
            and not self.session.ratings_visible()
        )

    @property
    def current_answers(self) -> dict:
        return self.current_amendment.new_answers if self.current_amendment_id else self.answers

    @property
    def current_score(self) -> dict | None:
        return self.current_amendment.new_score if self.current_amendment_id else self.score

    @property
    def band(self) -> dict | None:
        """The band as the score templates read it: a signed result's stored band (of the result
        in force); a draft's is that of the score saved with the draft (not yet final)."""
        if not self.is_signed:
            score = self.score or {}
            return (score.get("band") or None) if score.get("scorable") else None
        if not self.band_name:
            return None
        return {"name": self.band_name, "label": self.band_label, "level": self.band_level}


class Amendment(models.Model):
    """A correction of a signed administration: keeps the old and the new values, who, when, why.

    Append-only (trigger in migration 0003): amendments are never changed or deleted.
    """

    administration = models.ForeignKey(
        Administration, on_delete=models.PROTECT, related_name="amendments"
    )
    old_answers = models.JSONField()
    old_score = models.JSONField()
    new_answers = models.JSONField()
    new_score = models.JSONField()
    reason = models.TextField(_("reason for the amendment"))
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    amended_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["amended_at", "id"]

    def __str__(self) -> str:
        return f"amendment of {self.administration_id} on {self.amended_at:%d %b %Y}"


class PatientLink(models.Model):
    """A single-use, expiring link through which a patient fills a session's battery.

    The token itself is never stored: only its SHA-256 (a database leak gives no usable links).
    States: open (``submitted_at`` null, not expired) -> submitted (final). Expired or submitted
    links give access to nothing. The link reaches exactly one session's DRAFT administrations.
    """

    session = models.ForeignKey(
        AssessmentSession, on_delete=models.PROTECT, related_name="patient_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    first_opened_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"patient link for session {self.session_id}"


class Pathway(models.TextChoices):
    """Stratified (matched) care pathways of the STarT Back trial (Hill et al. Lancet 2011)."""

    ADVICE = "advice", _("Advice and self-management")
    PHYSIOTHERAPY = "physiotherapy", _("Physiotherapy")
    PSYCHOLOGICALLY_INFORMED = "pipt", _("Psychologically informed physiotherapy")
    OTHER = "other", _("Other (say why)")


class MatchedCareDecision(models.Model):
    """The clinician's decision beside the pathway a risk category suggests. Append-only by use:
    a later decision is a new row; the latest is current."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="matched_care_decisions"
    )
    administration = models.ForeignKey(
        Administration, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    instrument_key = models.CharField(max_length=32, blank=True)
    risk_category = models.CharField(max_length=32, blank=True)
    suggested_pathway = models.CharField(max_length=16, choices=Pathway.choices, blank=True)
    chosen_pathway = models.CharField(_("pathway chosen"), max_length=16, choices=Pathway.choices)
    rationale = models.TextField(_("rationale"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    # Set when the result the decision was based on is amended and its risk group changes
    # (services.administration_amend): the decision was made on a score that no longer stands.
    # Cleared by nobody: a clinician re-confirms or changes it by recording a new decision.
    review_amendment = models.ForeignKey(
        "Amendment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_chosen_pathway_display()} on {self.decided_at:%d %b %Y}"

    @property
    def needs_review(self) -> bool:
        return self.review_amendment_id is not None

    @property
    def follows_suggestion(self) -> bool:
        return bool(self.suggested_pathway) and self.suggested_pathway == self.chosen_pathway


class Formulation(models.Model):
    """The clinician's fear-avoidance formulation and flags checklist. Each save is a new version
    (records are not overwritten); the latest is current."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="formulations"
    )
    flags = models.JSONField(default=dict)  # checklist id -> True/False (yellow_flags.CHECKLIST)
    red_flags = models.CharField(max_length=16, blank=True)  # yellow_flags.RED_FLAG_STATES
    notes = models.TextField(_("formulation notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"formulation of {self.recorded_at:%d %b %Y}"


class RedFlagScreen(models.Model):
    """A dated red-flag screen of one episode (assessment/red_flags.py). Each screen is a new row;
    a later screen supersedes an earlier one, nothing is edited. Only the referral's follow-up
    (its outcome, once known) is added to a referred screen, once."""

    episode = models.ForeignKey(
        "patients.Episode", on_delete=models.PROTECT, related_name="red_flag_screens"
    )
    screened_on = models.DateField(_("date of the screen"))
    answers = models.JSONField(default=dict)  # item key -> present / absent / not_asked
    outcome = models.CharField(max_length=16)  # red_flags.OUTCOMES
    rationale = models.TextField(_("clinical reasoning"), blank=True)
    referral_destination = models.CharField(max_length=32, blank=True)
    referral_urgency = models.CharField(max_length=16, blank=True)
    referral_date = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    # Follow-up of a referral: open until its outcome is recorded.
    referral_outcome = models.TextField(_("outcome of the referral"), blank=True)
    referral_outcome_on = models.DateField(null=True, blank=True)
    referral_outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    referral_outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-screened_on", "-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"red-flag screen of {self.screened_on:%d %b %Y}"

    @property
    def referral_open(self) -> bool:
        return self.outcome == "referred" and self.referral_outcome_at is None


class SafetyOverride(models.Model):
    """A clinician's explicit decision to go ahead with exposure, graded activity/pacing or a PMP
    offer while a red-flag referral is open (issue #10), with the reason."""

    episode = models.ForeignKey(
        "patients.Episode", on_delete=models.PROTECT, related_name="safety_overrides"
    )
    screen = models.ForeignKey(RedFlagScreen, on_delete=models.PROTECT, related_name="overrides")
    context = models.CharField(max_length=16)  # services.OVERRIDE_CONTEXTS
    reason = models.TextField(_("reason to go ahead"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"override of {self.decided_at:%d %b %Y}"


class ResultSummary(models.Model):
    """The first and the latest signed scorable result of one episode on one instrument: a
    summary the team review reads (issue #16) instead of picking them out of every
    administration on each request (two DISTINCT ON scans, ~90-100 ms each at 1,000 patients).

    Derived data, never edited by hand: ``services.refresh_result_summaries`` rewrites an
    episode's rows from its administrations whenever a service changes which results are signed
    and scorable or what they say (sign, amend: an amendment can change a total, a band, or make
    a result unscorable, which takes it out, as a void would). Migration 0010 filled it; the
    bench seed refills it after its bulk copy. "First" and "latest" follow the order of
    ``selectors.signed_results``: session date, then signing time, then id. Totals and bands
    are those of the result in force (the amendment's, if any).
    """

    episode = models.ForeignKey("patients.Episode", on_delete=models.CASCADE, related_name="+")
    instrument_key = models.CharField(max_length=32)
    first_result = models.ForeignKey(Administration, on_delete=models.CASCADE, related_name="+")
    first_date = models.DateField()
    first_total = models.FloatField(null=True)  # None: the instrument has no total
    first_amended = models.BooleanField(default=False)
    latest_result = models.ForeignKey(Administration, on_delete=models.CASCADE, related_name="+")
    latest_date = models.DateField()
    latest_total = models.FloatField(null=True)
    latest_amended = models.BooleanField(default=False)
    latest_band_name = models.CharField(max_length=32, blank=True)  # "" when it has no band

    class Meta:
        ordering = ["episode", "instrument_key"]
        constraints = [
            # Also the index of the review's reads: WHERE episode_id IN (the team's episodes).
            models.UniqueConstraint(
                fields=["episode", "instrument_key"], name="result_summary_episode_instrument"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_key} results of episode {self.episode_id}"
