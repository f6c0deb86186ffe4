"""Assessment records: batteries, sessions, administrations (signed = immutable), amendments,
patient self-report links, matched-care decisions and the fear-avoidance formulation.

Scoring itself lives in the pure library ``assessment.instruments``; these models store the raw
answers (codes as printed), the definition version and hash they were scored with, and the score.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessment.instruments import CATEGORY_RESULT

if TYPE_CHECKING:
    import datetime
    from collections.abc import Mapping


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
        indexes = [
            # The team review's process measures (WAI-SR and CARE, rated by the patient) read the
            # signed ones of the team: a partial index, not a scan of every administration
            # (issue #16: ~120,000 rows read at 10,000 patients for a handful).
            models.Index(
                fields=["session"],
                condition=models.Q(instrument_key__in=("waisr", "care"), state="signed"),
                name="administration_process_signed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_key} ({self.get_state_display()})"

    @property
    def is_signed(self) -> bool:
        return self.state == AdministrationState.SIGNED

    @property
    def result_is_category(self) -> bool:
        """The result is a category shown in words only (the PGIC), never a number."""
        return self.instrument_key in CATEGORY_RESULT

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
    # The language the patient reads the questionnaires in (settings.LANGUAGES): the patient's
    # preferred language unless the clinician chose another on issue. A link is issued only when
    # every questionnaire it carries has its wording in this language (issue #14).
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"patient link for session {self.session_id}"


class ItemTextQuerySet(models.QuerySet):
    def active(self) -> ItemTextQuerySet:
        return self.filter(retired_at__isnull=True)

    def of(self, definition) -> ItemTextQuerySet:
        """The texts of this definition's version: a new version of a questionnaire needs its
        own upload (the item ids or wording may have changed)."""
        return self.filter(instrument_key=definition.key, instrument_version=definition.version)


class ItemText(models.Model):
    """The licensed wording of one questionnaire (key + version) in one language, uploaded by
    the clinic under its own licence; kept apart from the definitions, which ship no wording
    where the licence does not allow it (instruments.md §27.2; issue #14).

    States: active (``retired_at`` null) -> retired (final). A newer upload retires the active
    one (``replaced_by`` points at it); an admin may also retire a text without a replacement.
    Retired texts stay as the history of what patients were shown. At most one active text per
    questionnaire version and language (constraint ``item_text_one_active``).
    """

    instrument_key = models.CharField(max_length=32)
    instrument_version = models.CharField(max_length=64)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    licence_reference = models.CharField(_("licence reference"), max_length=200)
    instructions = models.TextField(_("instructions (stem)"), blank=True)
    items = models.JSONField(default=dict)  # item id -> wording, every item of the definition
    # {"*": {code: label}} for every item, {item id: {code: label}} for one item (optional).
    option_labels = models.JSONField(default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    replaced_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ItemTextQuerySet.as_manager()

    class Meta:
        ordering = ["instrument_key", "language", "-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument_key", "instrument_version", "language"],
                condition=models.Q(retired_at__isnull=True),
                name="item_text_one_active",
            ),
            models.CheckConstraint(
                condition=~models.Q(licence_reference=""), name="item_text_has_licence"
            ),
        ]

    def __str__(self) -> str:
        return f"item text {self.instrument_key} {self.instrument_version} ({self.language})"

    @property
    def is_active(self) -> bool:
        return self.retired_at is None


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


class EQ5DValueSet(models.Model):
    """A country value set for the EQ-5D-5L index, supplied by the clinic as data (issue #14).

    Value sets are licensed data: none ships with the app (assessment/instruments/eq5d5l.py).
    ``values`` holds every one of the 3,125 health profiles -> index, checked complete and in
    range on upload (``eq5d5l.parse_value_set``); ``digest`` identifies the table, and a scored
    result records it in its definition version. Never edited: a corrected table is a new upload.
    The set in use is the one marked ``in_use`` (at most one; services.eq5d_value_set_upload)."""

    name = models.CharField(_("name"), max_length=120)
    country = models.CharField(_("country"), max_length=80)
    source_reference = models.CharField(_("source reference"), max_length=300)
    values = models.JSONField(default=dict)  # health profile ("21345") -> index value
    digest = models.CharField(max_length=64)
    in_use = models.BooleanField(_("in use for new results"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("EQ-5D-5L value set")
        constraints = [
            models.UniqueConstraint(
                fields=["in_use"], condition=models.Q(in_use=True), name="one_eq5d_value_set_in_use"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"


class WorkStatus(models.TextChoices):
    """Work status categories (issue #14; the National Pain Audit and ePPOC collect work status,
    instruments.md §25-26, but the reference gives no category list: these are ours, UNVERIFIED)."""

    FULL_TIME = "full_time", _("Working full time")
    PART_TIME = "part_time", _("Working part time")
    OFF_SICK = "off_sick", _("Employed, off sick")
    UNEMPLOYED_PAIN = "unemployed_pain", _("Not working because of pain")
    UNEMPLOYED_OTHER = "unemployed_other", _("Not working for another reason")
    RETIRED = "retired", _("Retired")
    STUDENT = "student", _("Student")
    HOMEMAKER = "homemaker", _("Homemaker or carer")
    OTHER = "other", _("Other")


class WorkAndHealthcareUse(models.Model):
    """Work status and healthcare use recorded at one assessment session (issue #14: "work status
    / healthcare use at each time point"), entered by the clinician.

    Not overwritten: each save is a new row for the session and the latest is the one in force
    (services.work_and_healthcare_record), like the formulation. Recall periods (4 weeks for days
    off work, 3 months for healthcare use) are the task's choice; the reference names the domains
    (instruments.md §25 ePPOC "health-service use and work status", §26 National Pain Audit "work
    status, ability to work") but not the items or periods: UNVERIFIED."""

    session = models.ForeignKey(
        AssessmentSession, on_delete=models.PROTECT, related_name="work_and_healthcare"
    )
    work_status = models.CharField(_("work status"), max_length=20, choices=WorkStatus.choices)
    work_status_other = models.CharField(_("other work status"), max_length=120, blank=True)
    hours_per_week = models.PositiveSmallIntegerField(
        _("hours worked a week"), null=True, blank=True
    )
    days_off_for_pain_4_weeks = models.PositiveSmallIntegerField(
        _("days off work because of pain, past 4 weeks"), null=True, blank=True
    )
    gp_visits_3_months = models.PositiveSmallIntegerField(_("GP visits"), null=True, blank=True)
    emergency_visits_3_months = models.PositiveSmallIntegerField(
        _("emergency department visits"), null=True, blank=True
    )
    hospital_admissions_3_months = models.PositiveSmallIntegerField(
        _("hospital admissions"), null=True, blank=True
    )
    scans_3_months = models.PositiveSmallIntegerField(
        _("scans (X-ray, MRI, CT, ultrasound)"), null=True, blank=True
    )
    specialist_visits_3_months = models.PositiveSmallIntegerField(
        _("visits to other specialists"), null=True, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("work status and healthcare use")
        verbose_name_plural = _("work status and healthcare use")

    def __str__(self) -> str:
        return f"work and healthcare use of {self.recorded_at:%d %b %Y}"

    HEALTHCARE_FIELDS = (
        "gp_visits_3_months",
        "emergency_visits_3_months",
        "hospital_admissions_3_months",
        "scans_3_months",
        "specialist_visits_3_months",
    )
    FIELDS = (
        "work_status",
        "work_status_other",
        "hours_per_week",
        "days_off_for_pain_4_weeks",
        *HEALTHCARE_FIELDS,
    )

    @property
    def in_work(self) -> bool:
        return self.work_status in IN_WORK

    @property
    def work_status_shown(self) -> str:
        if self.work_status == WorkStatus.OTHER and self.work_status_other:
            return self.work_status_other
        return str(self.get_work_status_display())

    @staticmethod
    def problems(data: Mapping[str, Any]) -> dict[str, str]:
        """Field -> message for a record (empty when it can be saved): the invariants, checked by
        the form beside its fields and by the service before it writes."""
        problems: dict[str, str] = {}
        status = data.get("work_status")
        label = str(WorkStatus(status).label).lower() if status in WorkStatus.values else ""
        if status == WorkStatus.OTHER and not (data.get("work_status_other") or "").strip():
            problems["work_status_other"] = str(WORK_OTHER_NEEDS_WORDS)
        hours = data.get("hours_per_week")
        if hours is not None:
            if not 0 <= hours <= HOURS_IN_A_WEEK:
                problems["hours_per_week"] = str(WORK_HOURS_RANGE)
            elif status not in IN_WORK and status and hours > 0:
                problems["hours_per_week"] = WORK_HOURS_NOT_WORKING.format(status=label)
        days = data.get("days_off_for_pain_4_weeks")
        if days is not None:
            if not 0 <= days <= DAYS_IN_4_WEEKS:
                problems["days_off_for_pain_4_weeks"] = str(DAYS_OFF_RANGE)
            elif status not in IN_WORK and status and days > 0:
                problems["days_off_for_pain_4_weeks"] = DAYS_OFF_NOT_IN_WORK.format(status=label)
        for name in WorkAndHealthcareUse.HEALTHCARE_FIELDS:
            count = data.get(name)
            if count is not None and not 0 <= count <= HEALTHCARE_MOST:
                problems[name] = HEALTHCARE_COUNT_RANGE.format(most=HEALTHCARE_MOST)
        return problems


# Invariants of a work status / healthcare use record (WorkAndHealthcareUse.problems).
HOURS_IN_A_WEEK = 168
DAYS_IN_4_WEEKS = 28
HEALTHCARE_MOST = 99  # a plausibility bound for 3 months (policy), not a clinical rule
# Who can have hours and days off work: in work, or employed and off sick.
IN_WORK = (WorkStatus.FULL_TIME, WorkStatus.PART_TIME, WorkStatus.OFF_SICK)
WORK_OTHER_NEEDS_WORDS = _("Say what the other work status is.")
WORK_HOURS_RANGE = _("Hours a week are between 0 and 168.")
WORK_HOURS_NOT_WORKING = _("Leave hours a week empty or 0: the patient is not in work ({status}).")
DAYS_OFF_RANGE = _("Days off work in the past 4 weeks are between 0 and 28.")
DAYS_OFF_NOT_IN_WORK = _("Leave days off work empty or 0: the patient is not in work ({status}).")
HEALTHCARE_COUNT_RANGE = _(
    "A number of visits, admissions or scans in 3 months is between 0 and {most}."
)


# The latest bands the team review lists as high-risk yellow flags (review.selectors
# HIGH_RISK_BANDS: STarT Back high, PHQ-9 severe and moderately severe): a partial index of them.
HIGH_RISK_BAND_NAMES = ("high", "moderately_severe", "severe")


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
    # The RCI classification of first against latest (selectors.change_classification:
    # reliably_improved, no_reliable_change, reliably_deteriorated or not_available), so the
    # team review lists and counts by it in SQL instead of classifying every episode's results
    # on each request (issue #16). Derived from the instrument's RCI parameters: a change of
    # those is a new definition and needs the summaries rebuilt (services.rebuild_all_result_summaries).
    classification = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["episode", "instrument_key"]
        constraints = [
            # Also the index of the review's reads: WHERE episode_id IN (the team's episodes).
            models.UniqueConstraint(
                fields=["episode", "instrument_key"], name="result_summary_episode_instrument"
            ),
        ]
        # The team review's lists and counts select episodes by these (issue #16): each a small
        # partial index, so a list's "has a reliable improvement" or "is in a high-risk band" is
        # an index-only read of the matching rows, not a scan of every summary.
        indexes = [
            models.Index(
                fields=["episode", "instrument_key"],
                condition=models.Q(classification="reliably_improved"),
                name="result_summary_improved",
            ),
            models.Index(
                fields=["episode", "instrument_key"],
                condition=models.Q(classification="reliably_deteriorated"),
                name="result_summary_deteriorated",
            ),
            models.Index(
                fields=["episode", "instrument_key"],
                condition=~models.Q(classification="not_available"),
                name="result_summary_classified",
            ),
            models.Index(
                fields=["episode", "instrument_key", "latest_band_name"],
                condition=models.Q(latest_band_name__in=HIGH_RISK_BAND_NAMES),
                name="result_summary_high_band",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_key} results of episode {self.episode_id}"
