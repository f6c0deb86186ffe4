"""MDT case conferences (issue #13): the team meets, discusses the patients on its agenda, and
records for each the question, the discussion, the decisions and the actions (owner, due date,
done by whom and when)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from painclinic.models import Discipline


class CaseConference(models.Model):
    team = models.ForeignKey("painclinic.Team", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("date"))
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["team", "-held_on"], name="mdt_conference_team")]

    def __str__(self) -> str:
        return f"MDT of {self.held_on:%d %b %Y}"


class Attendee(models.Model):
    """Who attended, with the discipline they brought (kept as it was on the day)."""

    conference = models.ForeignKey(
        CaseConference, on_delete=models.CASCADE, related_name="attendees"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    discipline = models.CharField(max_length=32, choices=Discipline.choices)

    class Meta:
        ordering = ["discipline", "user__last_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "user"], name="mdt_attendee_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_discipline_display()})"


class Discussion(models.Model):
    """One patient discussed at a conference."""

    conference = models.ForeignKey(
        CaseConference, on_delete=models.PROTECT, related_name="discussions"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="mdt_discussions"
    )
    flag = models.ForeignKey(
        "patients.MdtFlag", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    question = models.TextField(_("question for the MDT"), max_length=2000)
    summary = models.TextField(_("discussion summary"), max_length=5000, blank=True)
    decisions = models.TextField(_("decisions"), max_length=5000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["conference", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "patient"], name="mdt_patient_once_per_conference"
            )
        ]

    def __str__(self) -> str:
        return f"{self.patient} at {self.conference}"


class Action(models.Model):
    """An action agreed at the MDT: what, who, by when; done with who and when."""

    discussion = models.ForeignKey(Discussion, on_delete=models.PROTECT, related_name="actions")
    text = models.CharField(_("action"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mdt_actions"
    )
    due_on = models.DateField(_("due date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["owner", "done_at"], name="mdt_action_owner_open")]

    def __str__(self) -> str:
        return f"MDT action due {self.due_on}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
