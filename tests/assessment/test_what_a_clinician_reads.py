"""What a clinician reads on the assessment pages: the clinic's words, never internal references,
raw floats, internal keys or a pain score dressed up as a psychosocial flag (issue #9).

``test_no_assessment_page_shows_internal_wording`` renders every assessment page for Jannick- and
Susan-like records and runs ``plain_language.assert_plain_language`` on each; the other tests pin
the single faults the issue names.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from assessment import instruments, provenance, selectors, services, yellow_flags
from tests.assessment.factories import answers_all, made_up_wording, signed_result
from tests.assessment.plain_language import assert_plain_language, problems, visible_text

pytestmark = pytest.mark.django_db
TODAY = date.today()


def _numbered(codes):
    return {str(number): code for number, code in enumerate(codes, start=1)}


JANNICK = {
    "peg": _numbered([7, 7, 8]),  # 7.333…
    "startback": _numbered([1, 1, 0, 1, 1, 1, 1, 1, 4]),
    "tsk11": answers_all("tsk11", 3),
    "pcs": answers_all("pcs", 3),
    "phq9": _numbered([2, 1, 2, 1, 1, 1, 1, 0, None]),  # item 9 missing: estimated
    "ompsq10": _numbered([7] * 9 + [5]),  # 56 (items 4 and 5 are reversed)
    "nrs": {"1": 5},
    "fabq": answers_all("fabq", 4),
    "odi": answers_all("odi", 3),
}
SUSAN = {
    "peg": _numbered([6, 8, 8]),
    "phq9": _numbered([2, 2, 2, 1, 2, 2, 1, 1, 0]),
    "gad7": _numbered([1, 1, 2, 1, 1, 1, 1]),
    "pseq": _numbered([2, 3, 2, 3, 2, 2, 3, 2, 2, 1]),
}


def _sign_all(patient, actor, answers, on):
    return {
        key: signed_result(patient=patient, key=key, answers=given, actor=actor, on=on)
        for key, given in answers.items()
    }


@pytest.fixture
def jannick_screened(jannick, ana):
    results = _sign_all(jannick, ana, JANNICK, TODAY - timedelta(days=21))
    signed_result(
        patient=jannick, key="tsk11", answers=answers_all("tsk11", 2), actor=ana, on=TODAY
    )
    suggestion = yellow_flags.matched_care_suggestion(selectors.latest_scores(jannick))
    services.matched_care_decide(
        actor=ana, patient=jannick, chosen_pathway="pipt", suggestion=suggestion.as_dict()
    )
    services.administration_amend(
        actor=ana,
        administration=results["startback"],
        answers=JANNICK["startback"] | {"5": 0, "6": 0},
        reason="Items 5 and 6 misread",
    )
    return results


def _pages(patient):
    kwargs = {"patient_id": patient.pk}
    urls = [
        reverse(f"assessment:{name}", kwargs=kwargs)
        for name in ("profile", "sessions", "summary", "formulation")
    ]
    for session in patient.assessment_sessions.all():
        urls.append(reverse("assessment:session", kwargs={**kwargs, "session_id": session.pk}))
        for administration in session.administrations.all():
            ids = {**kwargs, "administration_id": administration.pk}
            urls.append(reverse("assessment:administration", kwargs=ids))
            if administration.is_signed:
                urls.append(reverse("assessment:amend", kwargs=ids))
    return urls


def test_no_assessment_page_shows_internal_wording(client, jannick_screened, jannick, susan, ana):
    _sign_all(susan, ana, SUSAN, TODAY - timedelta(days=50))
    draft = services.session_start(
        actor=ana,
        patient=susan,
        episode=susan.episodes.get(),
        time_point="review",
        instrument_keys=["fabq", "bpi", "odi"],
    )
    client.force_login(ana)
    checked = 0
    for patient in (jannick, susan):
        for url in _pages(patient):
            response = client.get(url)
            assert response.status_code == 200, url
            assert_plain_language(response.content, page=url)
            checked += 1
    # the live preview and a form returned with errors speak the same language
    fabq = draft.administrations.get(instrument_key="fabq")
    preview = client.post(
        reverse(
            "assessment:score_preview",
            kwargs={"patient_id": susan.pk, "administration_id": fabq.pk},
        ),
        {f"item_{i}": "5" for i in range(1, 17)},
    )
    assert_plain_language(preview.content, page="FABQ preview")
    refused = client.post(
        reverse("assessment:decide", kwargs={"patient_id": jannick.pk}),
        {"chosen_pathway": "advice"},
    )
    assert refused.status_code == 400
    assert_plain_language(refused.content, page="decision form with errors")
    # the self-report link the patient opens (with the clinic's uploaded wording)
    for key in ("fabq", "bpi", "odi"):
        made_up_wording(key)
    _link, token = services.patient_link_issue(actor=ana, session=draft)
    client.logout()
    assert_plain_language(client.get(f"/p/{token}/").content, page="patient link")
    assert checked > 30


def test_the_helper_catches_what_the_issue_found():
    for shown in (
        "UNVERIFIED policy",
        "(instruments.md §20)",
        "as named in issue #6",
        "definition Hill2008",
        "PEG: 7.333333333333333",
        "Band: below_cutoff",
        "High fear of movement (clinic policy) policy",
        "treatment/exposure.py",
        "(P9)",
    ):
        assert problems(visible_text(f"<p>{shown}</p>")), shown
    assert not problems(visible_text("<p>High fear of movement (TSK-11 35) · 7.3</p>"))


def test_a_pain_score_of_5_is_an_outcome_not_a_yellow_flag(client, jannick, ana):
    signed_result(patient=jannick, key="nrs", answers={"1": 5}, actor=ana)
    signed_result(patient=jannick, key="odi", answers=answers_all("odi", 3), actor=ana)
    latest = selectors.latest_scores(jannick)
    assert "pain_intensity" not in {row.domain for row in yellow_flags.yellow_flag_profile(latest)}
    outcomes = {row.domain: row for row in yellow_flags.outcome_rows(latest)}
    assert outcomes["pain_intensity"].value == 5
    assert not outcomes["pain_intensity"].flagged
    assert outcomes["interference"].key == "odi"
    assert not outcomes["interference"].flagged
    client.force_login(ana)
    summary = client.get(reverse("assessment:summary", kwargs={"patient_id": jannick.pk}))
    assert b"yellow flag" not in summary.content.replace(b"No yellow flag", b"")
    assert b"pain intensity" not in summary.content.lower()
    page = client.get(reverse("assessment:profile", kwargs={"patient_id": jannick.pk}))
    outcomes_table = page.content.decode().split('data-testid="outcomes"')[1]
    assert "NRS" in outcomes_table.split("</table>")[0]
    assert "domain-flagged" not in outcomes_table.split("</table>")[0]


def test_headlines_read_as_sentences(client, jannick_screened, jannick, ana):
    client.force_login(ana)
    text = visible_text(
        client.get(reverse("assessment:profile", kwargs={"patient_id": jannick.pk})).content
    )
    assert "High risk of long-term work disability (ÖMPSQ-10 56)" in text
    assert "High work" not in text
    assert "policy policy" not in text.lower()
    assert "Depressive symptoms: moderate (PHQ-9 10.1)" in text
    assert "FABQ – Physical activity" in text  # the score's name, not "physical_activity"


def test_scores_are_shown_to_the_instruments_precision(client, jannick, ana):
    peg = signed_result(patient=jannick, key="peg", answers=JANNICK["peg"], actor=ana)
    client.force_login(ana)
    for url in (
        reverse(
            "assessment:administration",
            kwargs={"patient_id": jannick.pk, "administration_id": peg.pk},
        ),
        reverse("assessment:profile", kwargs={"patient_id": jannick.pk}),
    ):
        text = visible_text(client.get(url).content)
        assert "7.3" in text
        assert "7.33" not in text


def test_an_estimated_item_is_said_in_words(client, jannick, ana):
    phq9 = signed_result(patient=jannick, key="phq9", answers=JANNICK["phq9"], actor=ana)
    client.force_login(ana)
    text = visible_text(
        client.get(
            reverse(
                "assessment:administration",
                kwargs={"patient_id": jannick.pk, "administration_id": phq9.pk},
            )
        ).content
    )
    assert "item 9 missing — estimated from the mean of the other answers" in text
    assert "missing 9 estimated" not in text
    assert "PHQ-2" in text
    assert "PHQ2" not in text


def test_each_instrument_has_a_readable_sources_and_policy_disclosure(client, jannick, ana):
    tsk = signed_result(patient=jannick, key="tsk11", answers=answers_all("tsk11", 3), actor=ana)
    client.force_login(ana)
    page = client.get(
        reverse(
            "assessment:administration",
            kwargs={"patient_id": jannick.pk, "administration_id": tsk.pk},
        )
    ).content.decode()
    disclosure = page.split('data-testid="sources-and-policy"')[1].split("</details>")[0]
    assert "Sources and policy" in disclosure
    assert "Woby SR et al. Pain 2005" in disclosure
    assert "clinic policy" in disclosure.lower()  # the TSK-11 cut-off's reasoning is here
    assert not problems(visible_text(disclosure))


def test_every_source_string_of_every_definition_reads_cleanly():
    """The definitions (another engineer's) cite sources for code; the page shows them through
    ``provenance.readable_source``, which must leave nothing internal in any of them."""
    left = []
    for definition in instruments.all_instruments():
        shown = provenance.sources_and_policy(definition)
        lines = [shown["citation"], shown["version"]] + [
            line
            for part in ("scoring", "bands", "flags", "policy", "unverified")
            for line in shown[part]
        ]
        left += [f"{definition.key}: {p}" for line in lines for p in problems(line)]
    assert left == []


def test_the_note_for_an_estimated_item():
    note = "PHQ-9: 8 of 9 items answered; missing 9 estimated from the mean of the answered items."
    assert provenance.readable_note(note) == (
        "PHQ-9: item 9 missing — estimated from the mean of the other answers "
        "(8 of 9 items answered)."
    )
    two = (
        "GAD-7: 5 of 7 items answered; missing 3, 6 estimated from the mean of the answered items."
    )
    assert "items 3 and 6 missing" in provenance.readable_note(two)


def test_a_chart_is_titled_with_the_instruments_name_not_its_definition_key(jannick, ana):
    from assessment import figures

    spec = figures.chart_spec(jannick, "nrs", [(TODAY, 5, 1)])
    assert spec["title"] == "Numeric Rating Scale for pain intensity (0-10)"
    assert not problems(spec["title"])


def test_the_demo_patients_assessment_pages_speak_the_clinics_language(client):
    """The same sweep over what `make run` seeds: the demo Jannick and Susan, each as their lead
    clinician sees them."""
    from django.core.management import call_command

    from patients.models import Patient

    call_command("seed_demo", patients=2, stdout=None)
    call_command("seed_clinical_demo")
    swept = 0
    for identifier in ("DEMO-JANNICK", "DEMO-SUSAN"):
        patient = Patient.objects.get(identifier=identifier)
        client.force_login(patient.episodes.order_by("-referral_date").first().lead_clinician)
        for url in _pages(patient):
            response = client.get(url)
            assert response.status_code == 200, url
            assert_plain_language(response.content, page=f"{identifier} {url}")
            swept += 1
    assert swept > 20
