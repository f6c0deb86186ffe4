"""The clinic sets the daily OME at which Bob's opioid review lists a patient
(OME_REVIEW_THRESHOLD_MG); unset, it is the first threshold of the table behind each figure. A
threshold that is not a plausible number of mg stops start-up, like a misspelt OME_TABLE."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.urls import reverse

from medicines import services

REPO = Path(__file__).resolve().parents[2]
LONG_AGO = date.today() - timedelta(days=100)


def _oxycodone(ana, patient, mg_twice_a_day):
    services.medication_add(actor=ana, patient=patient, data={"product": "oxycodone_oral",
                            "strength": mg_twice_a_day, "doses_per_day": 2,
                            "start_date": LONG_AGO})  # fmt: skip


@pytest.mark.django_db
def test_the_clinics_own_threshold_decides_who_bob_reviews(client, ana, bob, jannick, susan,
                                                           settings):  # fmt: skip
    settings.OME_TABLE = "cdc2022"
    settings.OME_REVIEW_THRESHOLD_MG = 100
    _oxycodone(ana, jannick, 40)  # CDC 2022: 80 mg oxycodone x 1.5 = 120 MME a day
    _oxycodone(ana, susan, 30)  # 90 MME a day: above CDC's 50, below the clinic's 100
    client.force_login(bob)
    page = client.get(reverse("medicines:opioid_review")).content.decode()
    assert (
        "120.0 mg oral morphine a day (the clinic&#x27;s review threshold: at or above 100)" in page
    )
    assert "Susan" not in page
    assert "review threshold of 100 mg oral morphine a day" in page


@pytest.mark.django_db
def test_unset_the_threshold_is_the_tables_first(client, ana, bob, jannick, susan, settings):
    settings.OME_TABLE = "opioids_aware"
    settings.OME_REVIEW_THRESHOLD_MG = None
    _oxycodone(ana, jannick, 40)  # Opioids Aware: 80 mg oxycodone x 1.5 = 120 mg a day
    _oxycodone(ana, susan, 30)  # 90 mg a day: below Opioids Aware's 120
    client.force_login(bob)
    page = client.get(reverse("medicines:opioid_review")).content.decode()
    assert "(Opioids Aware (Faculty of Pain Medicine): at or above 120)" in page
    assert "Susan" not in page


@pytest.mark.parametrize(
    ("value", "message"),
    [("lots", "is not a number of mg"), ("0", "must be more than 0"), ("5000", "at most 1000")],
)
def test_an_implausible_threshold_stops_start_up(value, message):
    env = {**os.environ, "OME_REVIEW_THRESHOLD_MG": value}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=REPO, env={**env, "DJANGO_SETTINGS_MODULE": "painclinic.settings"},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "OME_REVIEW_THRESHOLD_MG" in result.stderr
    assert message in result.stderr
