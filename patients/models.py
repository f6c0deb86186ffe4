"""Patients, episodes of care (referral -> discharge), care teams and contacts."""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from patients.conditions import CONDITION_CHOICES


class Sex(models.TextChoices):
    # Sex recorded at birth, as in NHS data dictionaries; gender identity is a separate field.
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    INTERSEX = "intersex", _("Intersex")
    NOT_KNOWN = "not_known", _("Not known")
    NOT_STATED = "not_stated", _("Not stated")


class PatientQuerySet(models.QuerySet):
    def search(self, text: str) -> PatientQuerySet:
        text = text.strip()
        if not text:
            return self
        query = models.Q()
        for word in text.split():
            query &= (
                models.Q(identifier__icontains=word)
                | models.Q(given_name__icontains=word)
                | models.Q(family_name__icontains=word)
            )
        return self.filter(query)


class Patient(models.Model):
    # Opaque ids in URLs (security.md F6).
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    identifier = models.CharField(
        _("identifier"),
        max_length=32,
        help_text=_("The clinic's patient identifier (e.g. NHS or hospital number)."),
    )
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=16, choices=Sex.choices)
    gender = models.CharField(
        _("gender identity"), max_length=60, blank=True, help_text=_("In the patient's words.")
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.TextField(_("address"), blank=True)
    gp_name = models.CharField(_("GP"), max_length=120, blank=True)
    gp_practice = models.CharField(_("GP practice"), max_length=160, blank=True)
    # One of settings.LANGUAGES: it picks the language of a self-report link (issue #14). Whatever
    # the list does not say (a language the clinic has no texts in, a dialect, "some English") is
    # kept in words in ``language_note``; migration 0010 moved the free text of before there.
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the questionnaires and links the patient receives."),
    )
    language_note = models.CharField(
        _("language, in words"),
        max_length=60,
        blank=True,
        help_text=_("E.g. the language spoken at home, when it is not in the list above."),
    )
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)
    primary_condition = models.CharField(
        _("primary pain condition"), max_length=16, choices=CONDITION_CHOICES
    )
    pain_onset = models.DateField(
        _("pain onset"), null=True, blank=True, help_text=_("Approximate date the pain began.")
    )
    # Optimistic concurrency: a save names the version it started from (security.md E3).
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [models.Index(fields=["family_name", "given_name"], name="patient_name")]
        constraints = [
            # "ux-0001" and "UX-0001" are the same patient: hospital and NHS numbers are not
            # case-sensitive, so uniqueness is on the lower-cased identifier.
            models.UniqueConstraint(
                Lower("identifier"),
                name="patient_identifier_unique_ci",
                violation_error_message=_("This identifier is already in use."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def pain_duration_months(self) -> int | None:
        if self.pain_onset is None:
            return None
        today = date.today()
        return (today.year - self.pain_onset.year) * 12 + today.month - self.pain_onset.month


class EpisodeStatus(models.TextChoices):
    REFERRED = "referred", _("Referred")
    WAITING = "waiting", _("Waiting")
    ACTIVE = "active", _("Active")
    ON_HOLD = "on_hold", _("On hold")
    DISCHARGED = "discharged", _("Discharged")


OPEN_STATUSES = (
    EpisodeStatus.REFERRED,
    EpisodeStatus.WAITING,
    EpisodeStatus.ACTIVE,
    EpisodeStatus.ON_HOLD,
)

# The episode state machine. Discharge is final: a return is a new episode.
EPISODE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    EpisodeStatus.REFERRED: (EpisodeStatus.WAITING, EpisodeStatus.ACTIVE, EpisodeStatus.DISCHARGED),
    EpisodeStatus.WAITING: (EpisodeStatus.ACTIVE, EpisodeStatus.ON_HOLD, EpisodeStatus.DISCHARGED),
    EpisodeStatus.ACTIVE: (EpisodeStatus.ON_HOLD, EpisodeStatus.DISCHARGED),
    EpisodeStatus.ON_HOLD: (EpisodeStatus.ACTIVE, EpisodeStatus.WAITING, EpisodeStatus.DISCHARGED),
    EpisodeStatus.DISCHARGED: (),
}


class ReferralSource(models.TextChoices):
    GP = "gp", _("GP")
    SECONDARY_CARE = "secondary_care", _("Secondary care consultant")
    PHYSIOTHERAPY = "physiotherapy", _("Physiotherapy service")
    OCCUPATIONAL_HEALTH = "occupational_health", _("Occupational health")
    SELF = "self", _("Self-referral")
    OTHER = "other", _("Other")


class DischargeReason(models.TextChoices):
    GOALS_MET = "goals_met", _("Goals met / treatment completed")
    SELF_MANAGING = "self_managing", _("Self-managing")
    DECLINED = "declined", _("Declined further treatment")
    DID_NOT_ATTEND = "did_not_attend", _("Did not attend")
    REFERRED_ON = "referred_on", _("Referred to another service")
    NOT_SUITABLE = "not_suitable", _("Not suitable for the service")
    OTHER = "other", _("Other")


# The one rule for "the current episode" (issue #18): the most recent OPEN episode, by referral
# date, then by creation (id) when two share a date. Discharged episodes are never current.
CURRENT_EPISODE_ORDER = ("-referral_date", "-id")


def current_among(episodes) -> Episode | None:
    """The current episode among already-loaded ``episodes`` (same rule as
    ``EpisodeQuerySet.current_for``, for pages that have them in memory: no query)."""
    open_ = [episode for episode in episodes if episode.status in OPEN_STATUSES]
    return max(open_, key=lambda e: (e.referral_date, e.pk), default=None)


class EpisodeQuerySet(models.QuerySet["Episode"]):
    def open(self) -> EpisodeQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def current_for(self, patient: Patient) -> Episode | None:
        """The patient's current episode: the most recent open one (latest referral date; of
        two open episodes referred the same day, the one created last).

        None when no episode is open (the patient has no episode yet, or every episode is
        discharged): there is no fallback to a discharged episode, so a caller offers no
        episode-bound action (a new session, plan or screen) until a new episode is opened.
        Two open episodes (a re-referral while the old one is on hold) give the newer one."""
        return self.filter(patient=patient).open().order_by(*CURRENT_EPISODE_ORDER).first()

    def current_or_last_for(self, patient: Patient) -> Episode | None:
        """The current episode, else the most recent discharged one (None: no episode at all).
        For what may follow a discharge: a discharge or follow-up assessment belongs to the
        episode it follows."""
        return self.current_for(patient) or (
            self.filter(patient=patient).order_by(*CURRENT_EPISODE_ORDER).first()
        )


class Urgency(models.TextChoices):
    # Triage of a referral (issue #13): the team's own categories [U design].
    URGENT = "urgent", _("Urgent")
    SOON = "soon", _("Soon")
    ROUTINE = "routine", _("Routine")


class Pathway(models.TextChoices):
    # Which part of the service a triaged referral goes to (issue #13) [U design].
    MEDICAL = "medical", _("Medical (pain physician)")
    PHYSIOTHERAPY = "physiotherapy", _("Physiotherapy")
    PSYCHOLOGY = "psychology", _("Psychology")
    MULTIDISCIPLINARY = "multidisciplinary", _("Multidisciplinary assessment")
    PMP = "pmp", _("Pain Management Programme")


class Episode(models.Model):
    """An episode of care, from referral to discharge. A patient may have several over the years.

    Transitions (EPISODE_TRANSITIONS): referred -> waiting | active | discharged;
    waiting -> active | on hold | discharged; active -> on hold | discharged;
    on hold -> active | waiting | discharged. Every change is an EpisodeStatusChange row.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="episodes")
    team = models.ForeignKey("painclinic.Team", on_delete=models.PROTECT, related_name="episodes")
    referral_date = models.DateField(_("referral date"))
    referral_source = models.CharField(
        _("referral source"), max_length=32, choices=ReferralSource.choices
    )
    referral_reason = models.TextField(_("reason for referral"))
    status = models.CharField(max_length=16, choices=EpisodeStatus.choices)
    status_since = models.DateField()
    lead_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_episodes"
    )
    next_review_due = models.DateField(_("next review due"), null=True, blank=True)
    discharge_date = models.DateField(null=True, blank=True)
    discharge_reason = models.CharField(max_length=32, choices=DischargeReason.choices, blank=True)
    # Triage of the referral (issue #13): blank until someone triages it.
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, blank=True)
    pathway = models.CharField(_("pathway"), max_length=24, choices=Pathway.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Summary kept current by the assessment services (sign, amend:
    # assessment.services.refresh_last_signed_assessment): the session date of the episode's
    # latest signed result whose score in force is scorable. The team review's "overdue review"
    # list reads it instead of a correlated MAX per episode (issue #16).
    last_signed_assessment = models.DateField(null=True, blank=True, editable=False)
    # Kept current by the treatment services (a plan signed, a goal set:
    # treatment.services.refresh_plan_and_goal_facts): the yellow flags of the episode's latest
    # plan version (null: no plan) and whether it has any goal. The team review's "no goals or
    # plan" and "high risk without a plan" lists read them instead of probing the plans and goals
    # of each episode (issue #16: ~25 ms a request at 10,000 patients).
    latest_plan_flags = models.JSONField(null=True, blank=True, editable=False)
    has_goals = models.BooleanField(default=False, editable=False)
    # Kept current by the treatment services (a review recorded or amended:
    # treatment.services.refresh_gas_t_scores): the Kiresuk-Sherman T of the goals at their
    # latest review (levels in force), null when it cannot be scored. The team review's mean GAS
    # T per clinician averages it (issue #16: every review of the team was read per request).
    gas_t_score = models.FloatField(null=True, blank=True, editable=False)

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = list(CURRENT_EPISODE_ORDER)
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="discharged")
                | (models.Q(discharge_date__isnull=False) & ~models.Q(discharge_reason="")),
                name="episode_discharge_has_date_and_reason",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.patient} – referred {self.referral_date:%d %b %Y} ({self.get_status_display()})"
        )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EpisodeStatusChange(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=EpisodeStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=EpisodeStatus.choices)
    changed_on = models.DateField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_on", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} -> {self.to_status} on {self.changed_on}"


class CareTeamMember(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="care_team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_team_places"
    )
    added_on = models.DateField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["episode", "user"], name="care_team_unique_member")
        ]
        indexes = [models.Index(fields=["user", "episode"], name="care_team_user")]

    def __str__(self) -> str:
        return f"{self.user} on {self.episode}"


class CareTeamChangeKind(models.TextChoices):
    ADDED = "added", _("joined the care team")
    REMOVED = "removed", _("left the care team")


class CareTeamChange(models.Model):
    """Who joined or left an episode's care team, when and by whose hand (issue #13). A
    ``CareTeamMember`` row is a place held now (the access policy reads it); this is the history
    that stays when a member leaves, shown on the care-team page and the record's timeline."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="care_team_changes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=CareTeamChangeKind.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_on = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_on", "id"]

    def __str__(self) -> str:
        return f"{self.member} {self.get_kind_display()} on {self.changed_on}"


class FollowUpOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NOT_REACHED = "not_reached", _("Not reached")
    RESCHEDULED = "rescheduled", _("Rescheduled")


class FollowUpCall(models.Model):
    """A telephone follow-up after discharge (issue #13): due on a date, made by one clinician,
    with its outcome. Created with the discharge (``services.FOLLOW_UP_WEEKS``); editable. A call
    without an outcome whose date has passed is overdue and shows on the caller's caseload."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="follow_up_calls")
    due_on = models.DateField(_("due on"))
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="follow_up_calls",
        verbose_name=_("who calls"),
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=FollowUpOutcome.choices, blank=True
    )
    called_on = models.DateField(_("date of the call"), null=True, blank=True)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["caller", "outcome", "due_on"], name="follow_up_caller")]

    def __str__(self) -> str:
        return f"Follow-up call due {self.due_on}"

    @property
    def is_open(self) -> bool:
        return not self.outcome


class ContactType(models.TextChoices):
    ASSESSMENT = "assessment", _("Assessment")
    INDIVIDUAL = "individual", _("Individual session")
    GROUP = "group", _("Group session")
    REMOTE = "remote", _("Phone / video")
    CASE_CONFERENCE = "case_conference", _("Case conference")


class Contact(models.Model):
    """An encounter with the patient (or about them, for a case conference)."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="contacts")
    date = models.DateField(_("date"))
    contact_type = models.CharField(_("type"), max_length=20, choices=ContactType.choices)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"))
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contacts"
    )
    note = models.CharField(_("short note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["episode", "-date"], name="contact_episode_date")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gt=0, duration_minutes__lte=600),
                name="contact_duration_sensible",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_contact_type_display()} on {self.date}"


# --- For the MDT (issue #13) -----------------------------------------------------------------


class MdtFlagSource(models.TextChoices):
    RECORD = "record", _("Flagged on the record")
    PMP_SCREENING = "pmp_screening", _("PMP suitability screening")


class MdtFlag(models.Model):
    """The team flags a patient "for MDT" with a reason: the patient is on the agenda of the
    team's next case conference until a conference takes them (``taken_at``). Kept here, on the
    record layer, so that every clinical app can add a patient to the agenda (the PMP suitability
    screen does) and the case conferences (mdt/) read it."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="mdt_flags")
    team = models.ForeignKey("painclinic.Team", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason for the MDT"), max_length=500)
    source = models.CharField(
        max_length=16, choices=MdtFlagSource.choices, default=MdtFlagSource.RECORD
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    taken_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["raised_at", "id"]
        indexes = [models.Index(fields=["team", "taken_at"], name="mdt_flag_agenda")]

    def __str__(self) -> str:
        return f"For MDT: {self.patient} ({self.raised_at:%Y-%m-%d})"


# --- Caseload review (issue #6) ------------------------------------------------------------


class TeamSettings(models.Model):
    """Per-team settings of the team lead's caseload review (attention-list rules)."""

    team = models.OneToOneField(
        "painclinic.Team", on_delete=models.CASCADE, related_name="review_settings"
    )
    review_interval_days = models.PositiveSmallIntegerField(
        _("review interval (days)"),
        default=90,
        help_text=_("A patient with no signed assessment for longer is an overdue review."),
    )
    no_improvement_after_weeks = models.PositiveSmallIntegerField(
        _("no reliable improvement after (weeks)"), default=12
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Review settings of {self.team}"


class ReviewNote(models.Model):
    """A team lead's note to the clinician after a caseload review. Never edited: a new note
    follows an old one."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="review_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    addressed_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_notes_received"
    )
    text = models.TextField(_("note for the clinician"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    # The clinician it is addressed to marks it read; until then it shows on their caseload.
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["addressed_to", "acknowledged_at"], name="review_note_inbox")
        ]

    def __str__(self) -> str:
        return f"Review note for {self.addressed_to} on {self.created_at:%Y-%m-%d}"

    @property
    def is_read(self) -> bool:
        return self.acknowledged_at is not None


class LeadChange(models.Model):
    """A team lead's reassignment of an episode: who led it before and after, and whether the
    previous lead stayed on the care team (they keep access to the record and to the review
    notes addressed to them unless the lead chose to remove them). Shown on the timeline."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="lead_changes")
    from_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    to_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_on = models.DateField()
    previous_lead_kept = models.BooleanField(
        help_text=_("Whether the previous lead stayed on the care team.")
    )
    # The handover note (issue #13): what the new lead needs to know.
    note = models.CharField(_("handover note"), max_length=1000, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_on", "id"]

    def __str__(self) -> str:
        return f"Lead {self.from_lead} -> {self.to_lead} on {self.changed_on}"


class EmergencyAccessQuerySet(models.QuerySet):
    def active(self) -> EmergencyAccessQuerySet:
        from django.utils import timezone

        return self.filter(ended_at__isnull=True, expires_at__gt=timezone.now())


class EmergencyAccess(models.Model):
    """ "Break-glass": a clinician opened a patient outside their care teams, giving a reason
    (on call, cover). Time-limited, audited as such and reviewed by the patient's team lead
    (security.md C4; HIPAA 164.312(a)(2)(ii) emergency access procedure)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="emergency_accesses"
    )
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="emergency_accesses"
    )
    reason = models.TextField(_("reason"))
    started_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    # Set when the session that opened it ends (log-out, or the next log-in).
    ended_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    objects = EmergencyAccessQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["user", "patient", "expires_at"], name="emergency_reach")]

    def __str__(self) -> str:
        return f"{self.user} -> {self.patient_id} at {self.started_at:%Y-%m-%d %H:%M}"


# --- Consent and safeguarding (issue #10) -----------------------------------------------------
# Consent items: shared/reference/safety.md §4 "pain-service consent items" [U design]; the PMP
# group-confidentiality item is the programme's ground rule (issue #10).


class ConsentKind(models.TextChoices):
    TREATMENT = "treatment", _("Treatment")
    GP_SHARING = "gp_sharing", _("Sharing information with the GP")
    PATIENT_LINKS = "patient_links", _("Questionnaire and diary links by e-mail or text message")
    RESEARCH = "research", _("Use of single-case data in anonymised research")
    GROUP_CONFIDENTIALITY = (
        "group_confidentiality",
        _("Group confidentiality in a pain management programme"),
    )


class ConsentState(models.TextChoices):
    GIVEN = "given", _("given")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")


class ConsentRecord(models.Model):
    """One consent decision, dated. A withdrawal is a new record (state "withdrawn"), never a
    deletion or an edit: the latest record of a kind is the one in force."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(max_length=32, choices=ConsentKind.choices)
    state = models.CharField(max_length=16, choices=ConsentState.choices)
    decided_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["patient", "kind", "-decided_on", "-recorded_at", "-id"]
        indexes = [models.Index(fields=["patient", "kind"], name="consent_patient_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_state_display()} on {self.decided_on}"


class SafeguardingCategory(models.TextChoices):
    # Care Act 2014 statutory guidance categories of abuse and neglect [U: from memory]; child
    # protection (Children Act 1989 s47) [U] — safety.md §4.
    PHYSICAL = "physical", _("Physical abuse")
    DOMESTIC = "domestic", _("Domestic abuse")
    SEXUAL = "sexual", _("Sexual abuse")
    PSYCHOLOGICAL = "psychological", _("Psychological or emotional abuse")
    FINANCIAL = "financial", _("Financial or material abuse")
    MODERN_SLAVERY = "modern_slavery", _("Modern slavery")
    DISCRIMINATORY = "discriminatory", _("Discriminatory abuse")
    ORGANISATIONAL = "organisational", _("Organisational abuse")
    NEGLECT = "neglect", _("Neglect or self-neglect")
    CHILD = "child", _("A child at risk")
    OTHER = "other", _("Other")


class SafeguardingConcern(models.Model):
    """A safeguarding concern about the patient (or a child or adult close to them). Open until
    closed with a note; while open the record is marked for the care team."""

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="safeguarding_concerns"
    )
    raised_on = models.DateField(_("date raised"))
    raised_by = models.CharField(_("who raised it"), max_length=200)
    category = models.CharField(max_length=32, choices=SafeguardingCategory.choices)
    concern = models.TextField(_("the concern"))
    actions = models.TextField(_("actions taken"), blank=True)
    referred_to = models.CharField(
        _("referred to (local authority or agency)"), max_length=200, blank=True
    )
    referred_on = models.DateField(_("date referred"), null=True, blank=True)
    reference = models.CharField(_("their reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    closed_on = models.DateField(null=True, blank=True)
    closing_note = models.TextField(blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-raised_on", "-id"]

    def __str__(self) -> str:
        return f"safeguarding concern of {self.raised_on:%d %b %Y}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None
