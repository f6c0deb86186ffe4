"""Break-glass lasts at most the session that opened it (patients/emergency_access.py): a log-in
or a log-out ends the user's open grants. painclinic/signals.py audits the same events."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from patients.emergency_access import end_emergency_access_of


@receiver(user_logged_in, dispatch_uid="patients_logged_in_ends_emergency_access")
def on_logged_in(sender, request, user, **kwargs) -> None:
    end_emergency_access_of(user)


@receiver(user_logged_out, dispatch_uid="patients_logged_out_ends_emergency_access")
def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        end_emergency_access_of(user)
