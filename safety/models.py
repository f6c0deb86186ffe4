"""Clinical safety records: the self-harm risk signal on the patient, the clinician's recorded
response (a safety assessment), the patient's safety plan (versioned) and in-product
notifications to the care team.

A signal is attached to the patient, not to a result: it outlives an amendment, an unscorable
total and a later questionnaire answered "not at all", and only a recorded safety assessment
resolves it (shared/reference/safety.md §1: "never auto-close"; DESIGN.md "Safety first").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignalSource(models.TextChoices):
    QUESTIONNAIRE = "questionnaire", _("Questionnaire entered by a clinician")
    PATIENT_LINK = "patient_link", _("Questionnaire answered by the patient through a link")
    CLINICIAN = "clinician", _("Raised by a clinician")


class RiskSignal(models.Model):
    """One reason for a self-harm safety response. Raised from an administration at most once per
    risk flag (unique constraint: idempotent per administration), or by a clinician's entry."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="risk_signals"
    )
    source = models.CharField(max_length=16, choices=SignalSource.choices)
    administration = models.ForeignKey(
        "assessment.Administration",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    flag_id = models.CharField(max_length=64, blank=True)
    # True: the risk item was answered above 0. False: it was left unanswered ("unknown", never
    # "no risk"): the clinician asks it.
    answered = models.BooleanField(default=True)
    answer_value = models.SmallIntegerField(null=True, blank=True)
    note = models.TextField(_("what prompted this"), blank=True)  # a clinician's own entry
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    raised_at = models.DateTimeField()
    response = models.ForeignKey(
        "SafetyAssessment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resolved_signals",
    )

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "flag_id"],
                condition=models.Q(administration__isnull=False),
                name="risk_signal_once_per_administration_flag",
            )
        ]
        indexes = [models.Index(fields=["patient", "response"], name="risk_signal_open")]

    def __str__(self) -> str:
        return f"self-harm signal of {self.raised_at:%d %b %Y}"

    @property
    def is_open(self) -> bool:
        return self.response_id is None


class Outcome(models.TextChoices):
    NO_IMMEDIATE_RISK = "no_immediate_risk", _("No immediate risk identified; care continues")
    SAFETY_PLAN = "safety_plan", _("Safety plan made or reviewed with the patient")
    URGENT_REFERRAL = "urgent_referral", _("Urgent referral")
    UNABLE_TO_CONTACT = "unable_to_contact", _("Unable to contact the patient (say what was done)")


class SafetyAssessment(models.Model):
    """The clinician's recorded response: a conversation, not a score (NICE NG225 rec. 1.5: no
    risk scales or low/medium/high stratification; safety.md §1 item 4: who, when, outcome)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="safety_assessments"
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(_("when the conversation took place"))
    discussed = models.TextField(_("what was discussed"))
    current_thoughts = models.TextField(_("current thoughts"), blank=True)
    plans = models.TextField(_("plans"), blank=True)
    means = models.TextField(_("access to means"), blank=True)
    protective_factors = models.TextField(_("protective factors"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices)
    referral_to = models.CharField(_("referred to"), max_length=200, blank=True)
    referral_when = models.DateTimeField(_("referral made on"), null=True, blank=True)
    actions = models.TextField(_("actions taken"), blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_at", "-id"]

    def __str__(self) -> str:
        return f"safety assessment of {self.assessed_at:%d %b %Y}"


class SafetyPlan(models.Model):
    """One version of the patient's safety plan, Stanley & Brown components (Stanley & Brown
    2012, Cogn Behav Pract 19:256-64; safety.md §2) plus reasons for living. Append-only like the
    treatment plan (treatment.models.TreatmentPlan): a change writes version n+1."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="safety_plans"
    )
    version = models.PositiveIntegerField()
    warning_signs = models.TextField(_("warning signs that a crisis may be starting"))
    internal_coping = models.TextField(_("things I can do on my own to take my mind off it"))
    distraction = models.TextField(_("people and places that take my mind off things"), blank=True)
    people_to_ask = models.TextField(_("people I can ask for help"), blank=True)
    professionals = models.TextField(
        _("professionals and services I can contact, with their numbers"), blank=True
    )
    environment_safe = models.TextField(_("making my surroundings safer"), blank=True)
    reasons_for_living = models.TextField(_("my reasons for living"), blank=True)
    review_date = models.DateField(_("review date"), null=True, blank=True)
    copies_with = models.CharField(_("who has a copy"), max_length=200, blank=True)
    change_reason = models.CharField(_("reason for the change"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["patient", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "version"], name="safety_plan_one_row_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"Safety plan v{self.version}"


class Notification(models.Model):
    """An in-product message to one user. Says only that something needs them and where: the
    content stays in the record, behind the access policy."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signal = models.ForeignKey(
        RiskSignal, on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "signal"],
                condition=models.Q(signal__isnull=False),
                name="notification_once_per_user_signal",
            )
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.message
