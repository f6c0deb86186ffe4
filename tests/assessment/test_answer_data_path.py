"""An answer's way to a signed score: the form types it, the service scores it once, signing
stores the band, and every page reads that stored band.

Jannick's TSK-11 and PHQ-9 tell the story: the TSK-11 band (>= 24) is clinic policy (its cut-off
is not published), the PHQ-9 bands are published; an amendment moves the band in force.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from assessment import instruments, selectors, services
from assessment.forms import AdministrationForm
from assessment.instruments import scoring
from assessment.models import Administration
from tests.assessment.factories import answers_all, signed_result

pytestmark = pytest.mark.django_db


def _draft(patient, actor, key):
    session = services.session_start(
        actor=actor,
        patient=patient,
        episode=patient.episodes.get(),
        time_point="first_visit",
        instrument_keys=[key],
    )
    return session.administrations.get()


@pytest.fixture
def score_calls(monkeypatch):
    """Every call of the library's one scorer, by instrument key."""
    calls: list[str] = []
    original = scoring.score_answers

    def counting(instrument, answers):
        calls.append(instrument.key)
        return original(instrument, answers)

    monkeypatch.setattr(scoring, "score_answers", counting)
    return calls


def test_the_form_gives_typed_answers_the_scorer_takes_as_they_are(jannick, ana):
    definition = instruments.get("odi")
    data = {"item_1": "2", "item_2": "NA", "item_3": ""}
    form = AdministrationForm(data, definition=definition)

    assert form.is_valid(), form.errors
    answers = form.answers()
    assert answers["1"] == 2
    assert isinstance(answers["1"], int)
    assert answers["2"] == "NA"  # "does not apply", as the definition allows for ODI
    assert answers["3"] is None
    assert answers["10"] is None


def test_saving_a_draft_and_signing_each_score_the_answers_once(jannick, ana, score_calls):
    draft = _draft(jannick, ana, "tsk11")

    services.administration_save_draft(
        actor=ana, administration=draft, answers=answers_all("tsk11", 2)
    )
    assert score_calls == ["tsk11"]

    signed = services.administration_sign(
        actor=ana, administration=draft, answers=answers_all("tsk11", 3)
    )
    assert score_calls == ["tsk11", "tsk11"]
    assert signed.score["total"] == 33


def test_an_amendment_scores_the_new_answers_once(jannick, ana, score_calls):
    result = signed_result(patient=jannick, key="phq9", answers=answers_all("phq9", 2), actor=ana)
    score_calls.clear()

    services.administration_amend(
        actor=ana, administration=result, answers=answers_all("phq9", 1), reason="misread item"
    )
    assert score_calls == ["phq9"]


def test_signing_stores_the_band_with_its_label_and_whether_it_is_clinic_policy(jannick, ana):
    tsk = signed_result(patient=jannick, key="tsk11", answers=answers_all("tsk11", 3), actor=ana)
    phq = signed_result(patient=jannick, key="phq9", answers=answers_all("phq9", 2), actor=ana)
    tsk.refresh_from_db()
    phq.refresh_from_db()

    assert tsk.band_name == tsk.score["band"]["name"] == "high"
    assert tsk.band_label == tsk.score["band"]["label"]
    assert tsk.band_level == 3
    assert tsk.band_policy is True  # no published TSK-11 cut-off: the page says "clinic policy"
    assert phq.band_name == phq.score["band"]["name"]  # PHQ-9 18: moderately severe
    assert phq.band_label == phq.score["band"]["label"]
    assert phq.band_policy is False  # Kroenke 2001: a published cut-off


def test_a_draft_has_no_stored_band(jannick, ana):
    draft = services.administration_save_draft(
        actor=ana, administration=_draft(jannick, ana, "phq9"), answers=answers_all("phq9", 2)
    )
    draft.refresh_from_db()
    assert draft.band_name == ""
    assert draft.band_level is None
    assert draft.band == draft.score["band"]  # what it would sign as, shown on the draft


def test_an_amendment_moves_the_band_in_force(jannick, ana):
    result = signed_result(patient=jannick, key="tsk11", answers=answers_all("tsk11", 3), actor=ana)
    amendment = services.administration_amend(
        actor=ana, administration=result, answers=answers_all("tsk11", 1), reason="misread scale"
    )
    result.refresh_from_db()

    assert amendment.new_score["total"] == 11
    assert result.band_name == (amendment.new_score["band"] or {}).get("name", "")
    assert result.band_name != "high"
    assert selectors.latest_scores(jannick)["tsk11"]["band"] == (result.band_name or None)


def test_pages_read_the_stored_band_not_a_fresh_derivation(client, jannick, ana):
    result = signed_result(patient=jannick, key="phq9", answers=answers_all("phq9", 2), actor=ana)
    # The band columns are outside the signed-row trigger: a relabelled band stands in for a
    # later change of the definition's wording, which must not change what was signed.
    Administration.objects.filter(pk=result.pk).update(band_label="Band as signed")

    assert selectors.latest_scores(jannick)["phq9"]["band_label"] == "Band as signed"
    client.force_login(ana)
    page = client.get(
        reverse(
            "assessment:administration",
            kwargs={"patient_id": jannick.pk, "administration_id": result.pk},
        )
    ).content.decode()
    assert "Band as signed" in page


def test_the_migration_fills_the_band_of_results_signed_before_it(jannick, ana):
    migration = importlib.import_module("assessment.migrations.0006_stored_band_assess")
    tsk = signed_result(patient=jannick, key="tsk11", answers=answers_all("tsk11", 3), actor=ana)
    phq = signed_result(patient=jannick, key="phq9", answers=answers_all("phq9", 2), actor=ana)
    amendment = services.administration_amend(
        actor=ana,
        administration=phq,
        answers=answers_all("phq9", 0),
        reason="answers entered in the wrong rows",
    )
    # As before the migration: signed results without a stored band, one stored before the
    # score's JSON carried the band's evidence (the definitions then say it is policy).
    Administration.objects.filter(pk__in=[tsk.pk, phq.pk]).update(
        band_name="", band_label="", band_level=None, band_policy=False
    )
    old_style = dict(
        tsk.score, band={k: v for k, v in tsk.score["band"].items() if k != "evidence"}
    )
    assert "evidence" not in old_style["band"]

    migration.fill_signed_bands(django_apps, None)
    tsk.refresh_from_db()
    phq.refresh_from_db()

    assert (tsk.band_name, tsk.band_level, tsk.band_policy) == ("high", 3, True)
    assert phq.band_name == (amendment.new_score.get("band") or {}).get("name", "")
    assert migration._is_policy("tsk11", old_style["band"]) is True
    assert migration._is_policy("phq9", {"name": phq.score["band"]["name"]}) is False
