"""Supervisor ratings of a clinician's competence and fidelity (issue #13).

A rating is recorded once by a supervisor and never changed (a new rating supersedes nothing:
supervision keeps every rating). The items are stored as entered and the result as the pure core
(quality.scales) scored it, with the scale's key, so a page never re-derives a band.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScaleKey(models.TextChoices):
    CTSR = "ctsr", _("CTS-R (cognitive therapy competence)")
    EXPOSURE = "exposure", _("Graded exposure fidelity checklist")
    MITI = "miti", _("MITI 4 global scores (motivational interviewing)")


class SupervisorRating(models.Model):
    scale = models.CharField(_("scale"), max_length=16, choices=ScaleKey.choices)
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supervisor_ratings",
        verbose_name=_("clinician rated"),
    )
    # The team whose lead may read the rating: the team the rater and the clinician share.
    team = models.ForeignKey("painclinic.Team", on_delete=models.PROTECT, related_name="+")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey(
        "patients.Contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("session rated"),
    )
    session_date = models.DateField(_("date of the session rated"))
    segment = models.CharField(_("part of the recording rated"), max_length=80, blank=True)
    items = models.JSONField(default=dict)  # item id -> value as entered
    result = models.JSONField(default=dict)  # quality.scales.Result.as_dict()
    feedback = models.TextField(_("feedback for the clinician"), max_length=4000, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-session_date", "-id"]
        indexes = [models.Index(fields=["clinician", "-session_date"], name="quality_rating_clin")]

    def __str__(self) -> str:
        return f"{self.get_scale_display()} of {self.clinician} on {self.session_date}"
