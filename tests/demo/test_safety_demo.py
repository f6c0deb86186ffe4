"""`make run` shows one patient with an unanswered self-harm signal from a self-report link."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from safety.models import Notification, RiskSignal

pytestmark = pytest.mark.django_db


def test_the_demo_has_one_open_signal_from_a_link_and_seeding_twice_adds_nothing(client):
    call_command("seed_demo", patients=10, stdout=None)
    for _ in range(2):
        call_command("seed_safety_demo", stdout=None)
    signal = RiskSignal.objects.get()
    assert signal.source == "patient_link"
    assert signal.is_open
    assert signal.answer_value == 1
    assert signal.administration.state == "draft"  # nobody has signed it yet
    assert Notification.objects.filter(user__username="ana", signal=signal).exists()
    client.post(reverse("login"), {"username": "ana", "password": "painclinic-demo"})
    caseload = client.get(reverse("caseload")).content.decode()
    assert "Self-harm risk — response needed" in caseload
