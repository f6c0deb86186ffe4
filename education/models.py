"""Pain education and behaviour change, recorded (issue #14).

- ``Topic``: the clinic's pain-education curriculum, seeded from the reference and edited by a
  team lead (add, retire, reorder). A retired topic leaves the curriculum but stays on every
  record that names it (PROTECT; never deleted).
- ``BehaviourChangeTechnique``: the 93 techniques of BCTTv1 as data (Michie et al. 2013).
- ``ContactEducation``: what was taught and which techniques were used at one contact
  (patients.Contact): one per contact, written once by a clinician.
- ``TopicCovered``: one topic at that contact with its teach-back check and any misconceptions
  heard; ``TechniqueUsed``: one coded technique at that contact.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Topic(models.Model):
    title = models.CharField(_("topic"), max_length=120, unique=True)
    summary = models.CharField(_("what it covers"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    # Stable key of a seeded topic (the migration and tests); empty for topics a lead added.
    slug = models.SlugField(max_length=40, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class BehaviourChangeTechnique(models.Model):
    """One BCTTv1 technique: its number as published ("4.3") and label."""

    code = models.CharField(max_length=8, unique=True)
    group_number = models.PositiveSmallIntegerField()
    group_name = models.CharField(max_length=60)
    number = models.PositiveSmallIntegerField()  # position inside the group, for sorting
    label = models.CharField(max_length=120)
    pain_relevant = models.BooleanField(default=False)
    pain_rank = models.PositiveSmallIntegerField(null=True, blank=True)  # order offered first

    class Meta:
        ordering = ["group_number", "number"]

    def __str__(self) -> str:
        return f"{self.code} {self.shown_label}"

    @property
    def shown_label(self) -> str:
        """The label as pages show it: the taxonomy's "goal(s)" reads "goals" (house style: no
        "(s)" plurals on pages); ``label`` keeps the published wording."""
        return self.label.replace("(s)", "s")


class Understanding(models.TextChoices):
    """The teach-back check: the patient explains the topic back in their own words."""

    UNDERSTOOD = "understood", _("Understood")
    PARTLY = "partly", _("Partly")
    NOT_YET = "not_yet", _("Not yet")


class ContactEducation(models.Model):
    contact = models.OneToOneField(
        "patients.Contact", on_delete=models.PROTECT, related_name="education"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="education_records"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["patient"], name="education_patient")]

    def __str__(self) -> str:
        return f"Education at {self.contact}"


class TopicCovered(models.Model):
    record = models.ForeignKey(
        ContactEducation, on_delete=models.PROTECT, related_name="topics_covered"
    )
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+")
    understanding = models.CharField(max_length=12, choices=Understanding.choices)
    misconceptions = models.CharField(_("misconceptions heard"), max_length=500, blank=True)

    class Meta:
        ordering = ["topic__position", "topic_id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "topic"], name="education_topic_once")
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({self.get_understanding_display()})"


class TechniqueUsed(models.Model):
    record = models.ForeignKey(
        ContactEducation, on_delete=models.PROTECT, related_name="techniques_used"
    )
    technique = models.ForeignKey(
        BehaviourChangeTechnique, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["technique__group_number", "technique__number"]
        constraints = [
            models.UniqueConstraint(fields=["record", "technique"], name="education_bct_once")
        ]

    def __str__(self) -> str:
        return str(self.technique)
