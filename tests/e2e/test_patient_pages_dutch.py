"""Jannick reads Dutch: his daily diary opens in Dutch on his phone, without any setting in the
browser (the page follows the language on his record, painclinic/i18n.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from sced import services
from sced.models import Measurement
from tests.sced.conftest import make_study


@pytest.mark.django_db(transaction=True)
def test_jannick_fills_his_diary_in_dutch(page, live_server, ana, jannick):
    jannick.preferred_language = "nl"
    jannick.save(update_fields=["preferred_language"])
    study = make_study(ana, jannick, start_date=timezone.localdate() - timedelta(days=2))
    services.study_randomize(actor=ana, study=study, seed=5)
    _link, token = services.diary_link_issue(actor=ana, study=study, days=14)

    # His phone asks for English pages: the diary is in Dutch all the same.
    phone = page.context.browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    mobile = phone.new_page()
    mobile.goto(live_server.url + reverse("sced:diary", args=[token]))
    expect(mobile.locator("html")).to_have_attribute("lang", "nl")
    expect(mobile.get_by_role("heading", name="Mijn dagboek")).to_be_visible()
    expect(mobile.get_by_text("Kies een getal van 0 tot en met 10")).to_be_visible()
    mobile.screenshot(path="test-artifacts/screenshots/i18n_01_diary_dutch.png", full_page=True)
    mobile.get_by_text("3", exact=True).click()
    mobile.get_by_role("button", name="Waarden van vandaag bewaren").click()
    expect(mobile.get_by_role("heading", name="Dank u wel")).to_be_visible()
    expect(mobile.get_by_text("zijn bewaard en naar uw behandelaar gestuurd")).to_be_visible()
    mobile.screenshot(
        path="test-artifacts/screenshots/i18n_02_diary_saved_dutch.png", full_page=True
    )
    phone.close()
    assert Measurement.objects.get().value == 3.0
