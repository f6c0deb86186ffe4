"""Jannick's handout and his own summary (issue #14, "Patient materials"): built from his record
in his words, no scores or method names, each export audited once; Susan, with nothing recorded
yet, gets the same documents with their empty parts left out or said kindly. The clinicians'
summary keeps what the summary printed before."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, timedelta

import pytest
from django.urls import reverse

from assessment import services as assessment_services
from education import selectors as education_selectors
from education import services as education_services
from painclinic.models import AuditAction, AuditEvent
from patients.models import Contact
from tests.education.conftest import seed_education
from tests.test_page_language import faults_in, read
from tests.treatment.factories import (
    goal_for,
    hierarchy_item_for,
    pacing_plan_for,
    plan_for,
    review_for,
)
from treatment import handout_texts as texts
from treatment import services
from treatment.handouts import plain_amount
from treatment.models import DEFAULT_SETBACK_TEXT, SAFETY_NET_DEFAULT

PDFTOTEXT = shutil.which("pdftotext")
# What a patient's document must not print: questionnaire names, scores and the clinicians'
# method words (the GP letter and the clinician summary may).
CLINICIAN_WORDS = re.compile(
    r"TSK|PCS|PEG|T-score|Kiresuk|\bGAS\b|in vivo|formulation|kinesiophobia|catastrophi[sz]"
    r"|yellow flag|hierarchy|quota rule|baseline|fear rating|/100",
    re.IGNORECASE,
)


def url(name, patient):
    return reverse(f"treatment:{name}", kwargs={"patient_id": patient.pk})


def visible(html: str) -> str:
    return " ".join(" ".join(read(html).chunks).split())


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    out = subprocess.run([PDFTOTEXT, str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def flare_up_for(patient, actor):
    return services.flare_up_plan_save(
        actor=actor,
        patient=patient,
        data={
            "triggers": "Long days at work",
            "early_signs": "Stiff back in the morning",
            "self_management": "Halve my walking for two days, then build up again",
            "contacts": "The pain team, Monday to Friday: 01234 567890",
            "opportunity_text": str(DEFAULT_SETBACK_TEXT),
            "safety_net": str(SAFETY_NET_DEFAULT),
        },
        expected_version=0,
    )


@pytest.fixture
def jannick_with_a_plan(jannick, ana):
    """Two feared activities on his hierarchy (bending the easier), a goal in his words reviewed
    at +1, a walking quota (baseline 20, 10, 15 minutes: 80 % of the mean is 12 minutes, then 2
    more each week; started six days ago), a flare-up plan, and three education topics taught."""
    plan_for(jannick, ana)  # formulation "Fear of movement keeps Jannick from lifting."
    hierarchy_item_for(jannick, ana, activity="Bending to tie my shoes", fear=40)
    hierarchy_item_for(jannick, ana, activity="Lifting a crate of 10 kg", fear=70)
    review_for(goal_for(jannick, ana), ana, level=1)  # T = 60 on the clinicians' summary
    pacing_plan_for(jannick, ana)
    flare_up_for(jannick, ana)
    if not education_selectors.curriculum().exists():
        seed_education()
    by_slug = {t.slug: t for t in education_selectors.curriculum()}
    education_services.contact_education_record(
        actor=ana,
        patient=jannick,
        contact=Contact.objects.filter(episode__patient=jannick).first(),
        topics={
            by_slug["neurophysiology"].pk: ("understood", ""),
            by_slug["hurt_not_harm"].pk: ("partly", "Thinks bending will damage his back"),
            by_slug["fear_avoidance"].pk: ("not_yet", ""),
        },
        technique_ids=[],
    )
    return jannick


@pytest.mark.django_db
class TestJannicksHandout:
    def test_his_cycle_is_told_with_his_feared_activity_and_his_own_worry(
        self, client, ana, jannick_with_a_plan
    ):
        client.force_login(ana)
        html = client.get(url("handout", jannick_with_a_plan)).content.decode()
        text = visible(html)
        assert str(texts.HANDOUT_TITLE) in text
        cycle = text[text.index(str(texts.CYCLE_HEADING)) : text.index(str(texts.WAY_OUT_HEADING))]
        # The most feared step, and the consequence he fears, in his words.
        assert "Lifting a crate of 10 kg" in cycle
        assert "“My back will break and I will end up in a wheelchair”" in cycle
        way_out = text[
            text.index(str(texts.WAY_OUT_HEADING)) : text.index(str(texts.GOALS_HEADING))
        ]
        assert way_out.index("Bending to tie my shoes") < way_out.index("Lifting a crate")

    def test_his_goal_his_walking_amount_and_his_flare_up_plan_are_there(
        self, client, ana, jannick_with_a_plan
    ):
        client.force_login(ana)
        text = visible(client.get(url("handout", jannick_with_a_plan)).content.decode())
        assert "“I want to play football with my son again”" in text
        by_when = (date.today() + timedelta(days=84)).strftime("%-d %B %Y")
        assert f"We will look at this goal with you by {by_when}." in text
        # 80 % of a 15-minute mean is 12 minutes this week; 14 from next week.
        assert "12 minutes" in text
        assert "14 minutes" in text
        assert "Halve my walking for two days" in text
        assert "01234 567890" in text
        assert str(texts.URGENT_HEADING) in text
        assert "Call 999 or go to A&E" in text

    def test_no_score_no_method_word_and_no_clinician_note_reaches_him(
        self, client, ana, jannick_with_a_plan
    ):
        client.force_login(ana)
        text = visible(client.get(url("handout", jannick_with_a_plan)).content.decode())
        assert CLINICIAN_WORDS.findall(text) == []
        assert "Fear of movement keeps Jannick" not in text  # the plan's formulation
        assert "60.0" not in text
        assert [f for f in faults_in([text])] == []

    def test_the_pdf_says_the_same_and_is_one_export(
        self, client, ana, jannick_with_a_plan, tmp_path
    ):
        assert PDFTOTEXT, "pdftotext (poppler-utils) is needed to read the PDFs"
        client.force_login(ana)
        since = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
        response = client.get(url("handout_pdf", jannick_with_a_plan))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert 'filename="handout.pdf"' in response["Content-Disposition"]
        events = AuditEvent.objects.filter(id__gt=since)
        assert [(e.action, e.object_type) for e in events] == [
            (AuditAction.EXPORT, "treatment.handout_pdf")
        ]
        text = pdf_text(response.content, tmp_path)
        assert "Lifting a crate of 10 kg" in text
        assert "I want to play football with my son again" in text
        assert "Back to treatment" not in text
        assert CLINICIAN_WORDS.findall(text) == []

    def test_charlie_from_another_team_gets_no_handout(self, client, charlie, jannick):
        client.force_login(charlie)
        for name in ("handout", "handout_pdf", "summary", "summary_pdf"):
            assert client.get(url(name, jannick)).status_code == 404, name
        assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.django_db
class TestSusanWithNothingRecordedYet:
    def test_her_handout_says_kindly_what_is_not_there_yet(self, client, ana, susan):
        client.force_login(ana)
        response = client.get(url("handout", susan))
        assert response.status_code == 200
        text = visible(response.content.decode())
        assert str(texts.GOALS_NONE) in text
        assert str(texts.FLARE_NONE) in text
        assert "Call 999 or go to A&E" in text  # the safety-netting is always there
        # No cycle without a feared activity or a fear-avoidance flag, no pacing without a plan.
        assert str(texts.CYCLE_HEADING) not in text
        assert str(texts.PACING_HEADING) not in text

    def test_her_boom_and_bust_flag_brings_the_pacing_words_without_a_plan(
        self, client, ana, susan
    ):
        assessment_services.formulation_record(
            actor=ana,
            patient=susan,
            flags={"yellow_boom_bust": True},
            notes="Overdoes it on good days",
        )
        client.force_login(ana)
        text = visible(client.get(url("handout", susan)).content.decode())
        assert str(texts.BOOM_BUST_TEXT) in text
        assert "Overdoes it on good days" not in text  # the clinician's note stays clinical

    def test_her_fear_avoidance_flag_brings_the_cycle_in_general_words(self, client, ana, susan):
        assessment_services.formulation_record(
            actor=ana,
            patient=susan,
            flags={"yellow_fear_avoidance": True},
            notes="",
        )
        client.force_login(ana)
        text = visible(client.get(url("handout", susan)).content.decode())
        assert str(texts.CYCLE_WORRY_GENERAL) in text
        assert str(texts.WAY_OUT_GENERAL) in text

    def test_her_summary_says_kindly_what_is_not_there_yet(self, client, ana, susan):
        client.force_login(ana)
        text = visible(client.get(url("summary", susan)).content.decode())
        assert str(texts.TALKED_NONE) in text
        assert str(texts.GOALS_NONE) in text
        assert str(texts.PLAN_NONE) in text
        assert "Your main contact at the pain team is Ana Costa." in text


@pytest.mark.django_db
class TestTheSummaryIsHisAndTheClinicianSummaryIsTheTeams:
    def test_his_summary_tells_what_we_talked_about_his_plan_and_whom_to_call(
        self, client, ana, jannick_with_a_plan
    ):
        client.force_login(ana)
        text = visible(client.get(url("summary", jannick_with_a_plan)).content.decode())
        assert str(texts.SUMMARY_TITLE) in text
        talked = text[
            text.index(str(texts.TALKED_HEADING)) : text.index(str(texts.WORKING_HEADING))
        ]
        for slug in ("neurophysiology", "hurt_not_harm", "fear_avoidance"):
            assert str(texts.TOPIC_WORDS[slug]) in talked
        assert str(texts.TOPIC_WORDS["sleep"]) not in talked  # not taught yet
        assert "Thinks bending will damage his back" not in text  # the clinician's note
        assert "“I want to play football with my son again”" in text
        assert "Walking: 12 minutes a day, for now" in text
        plan = text[text.index(str(texts.PLAN_HEADING)) :]
        assert str(texts.INTERVENTION_WORDS["graded_exposure"]) in plan
        assert str(texts.INTERVENTION_WORDS["pain_education"]) in plan
        assert "Your main contact at the pain team is Ana Costa." in text
        assert "Halve my walking for two days" in text
        assert "Call 999 or go to A&E" in text

    def test_his_summary_prints_no_score_formula_or_formulation(
        self, client, ana, jannick_with_a_plan
    ):
        client.force_login(ana)
        text = visible(client.get(url("summary", jannick_with_a_plan)).content.decode())
        assert CLINICIAN_WORDS.findall(text) == []
        assert "60.0" not in text
        assert "Fear of movement keeps Jannick" not in text
        assert "Graded exposure in vivo" not in text  # the intervention's clinical name

    def test_the_clinician_summary_keeps_the_formulation_and_the_goal_score(
        self, client, ana, jannick_with_a_plan
    ):
        client.force_login(ana)
        since = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
        text = visible(client.get(url("clinician_summary", jannick_with_a_plan)).content.decode())
        assert "Fear of movement keeps Jannick from lifting." in text
        assert "60.0" in text
        assert [(e.action, e.object_type) for e in AuditEvent.objects.filter(id__gt=since)] == [
            (AuditAction.EXPORT, "treatment.clinician_summary")
        ]


@pytest.mark.parametrize(
    ("value", "shown"), [(12.0, "12"), (13.6, "14"), (2.5, "2.5"), (3.0, "3"), (0.25, "0.2")]
)
def test_an_amount_is_printed_as_a_patient_reads_it(value, shown):
    assert plain_amount(value) == shown


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["handout", "summary"])
def test_more_walking_plans_and_taught_contacts_add_no_query(
    client, ana, jannick_with_a_plan, name
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ContactFactory

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(name, jannick_with_a_plan)).status_code == 200
        return len(captured)

    client.force_login(ana)
    before = queries()
    topic = education_selectors.curriculum().get(slug="sleep")
    episode = Contact.objects.filter(episode__patient=jannick_with_a_plan).first().episode
    for _ in range(3):
        pacing_plan_for(jannick_with_a_plan, ana)
        education_services.contact_education_record(
            actor=ana,
            patient=jannick_with_a_plan,
            contact=ContactFactory(episode=episode, clinician=ana),
            topics={topic.pk: ("understood", "")},
            technique_ids=[],
        )
    assert queries() == before


@pytest.mark.django_db
def test_markup_in_his_own_words_is_printed_as_text_and_nothing_is_fetched(
    client, ana, jannick, monkeypatch
):
    from treatment import documents

    services.hierarchy_item_add(
        actor=ana,
        patient=jannick,
        data={
            "activity": '<img src="http://tracker.example/pixel.png"> lifting',
            "fear_rating": 60,
            "feared_consequence": '<link rel="stylesheet" href="http://169.254.169.254/x">',
            "phoda_source": "",
        },
    )
    fetched = []
    real = documents.static_only_fetcher

    def spy(origin):
        fetcher = real(origin)
        fetched.append(fetcher)
        return fetcher

    monkeypatch.setattr(documents, "static_only_fetcher", spy)
    client.force_login(ana)
    html = client.get(url("handout", jannick)).content.decode()
    assert "&lt;img src=" in html
    response = client.get(url("handout_pdf", jannick))
    assert response.content.startswith(b"%PDF")
    (fetcher,) = fetched
    assert fetcher.refused == []  # escaped by the template: the words are text, not HTML
