"""Listeners on the assessment app's signals (assessment/signals.py). They run inside the
sender's transaction, so a signal is raised with the answers that raise it or not at all."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from assessment.signals import administration_saved, patient_link_submitted
from safety import selectors, services
from safety.models import Notification


@receiver(administration_saved, dispatch_uid="safety.raise_from_administration")
def raise_from_administration(sender, *, administration, actor, stage, **kwargs):
    services.signals_raise_from_administration(
        administration=administration, actor=actor, stage=stage
    )


@receiver(patient_link_submitted, dispatch_uid="safety.raise_from_link")
def raise_from_link(sender, *, link, administrations, **kwargs):
    services.signals_raise_from_link(link=link, administrations=administrations)


@receiver(post_save, sender=Notification, dispatch_uid="safety.notification_saved")
@receiver(post_delete, sender=Notification, dispatch_uid="safety.notification_deleted")
def notification_changed(sender, **kwargs):
    selectors.notifications_changed()
