"""The letters (issue #14): Jannick's letter to the GP, his discharge letter and the letter to the
clinician who referred Susan to the pain management programme. Each says the scores in the
clinic's words with their reliability, carries the clinic's letterhead and the advice on
setbacks, keeps the signature on the page of the text it signs, passes the consent gate and is
one EXPORT audit event per export."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.urls import reverse

from assessment import instruments
from painclinic import services as painclinic_services
from painclinic.models import AuditAction, AuditEvent
from patients.models import ConsentRecord, DischargeReason, Episode, EpisodeStatus
from patients.services import episode_change_status
from programmes.models import Direction as ProgrammeDirection
from programmes.models import ProgrammeMeasure
from tests.assessment.factories import answers_all, signed_result
from tests.test_page_language import read
from tests.treatment.factories import goal_for, plan_for, review_for
from tests.treatment.factories_letters import participant_for
from tests.treatment.test_documents_language import faults
from treatment import letters, services
from treatment.models import TreatmentPlan

PDFTOTEXT = shutil.which("pdftotext")
PDFINFO = shutil.which("pdfinfo")
PDFTOPPM = shutil.which("pdftoppm")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
TODAY = date.today()
BASELINE = TODAY - timedelta(days=25)  # after the referral, 30 days ago

pytestmark = pytest.mark.django_db


def peg(*codes: int) -> dict[str, int]:
    return dict(zip((item.id for item in instruments.get("peg").items), codes, strict=True))


def tsk11(total: int) -> dict[str, int]:
    """TSK-11 answers (11 items scored 1-4) summing to ``total``."""
    base, extra = divmod(total, 11)
    return {str(n): base + (1 if n <= extra else 0) for n in range(1, 12)}


def sign(patient, actor, key, answers, on):
    return signed_result(patient=patient, key=key, answers=answers, actor=actor, on=on)


@pytest.fixture
def clinic(bob):
    return painclinic_services.clinic_details_update(
        actor=bob,
        data={
            "name": "North Pain Rehabilitation Service",
            "address": "Level 2, Riverside Health Centre\n12 Mill Lane\nNorthtown NT1 4AB",
            "phone": "01234 567890",
            "email": "pain.north@example.org",
            "website": "https://pain.example.org",
            "rereferral": "Within 12 months of discharge, a letter to the team is enough.",
            "footer": "North Community Health NHS Trust",
        },
    )


@pytest.fixture
def jannick_treated(jannick, ana, clinic):
    """Jannick at his first visit and three months later: TSK-11 35 -> 24 (SEM 2.54: reliable),
    ODI 60% -> 20% (beyond its 10-point smallest detectable change, and beyond the 10-point
    MIC), PCS 26 -> 13 (no reliability published), PEG 7.3 -> 4. A plan, a goal met as expected."""
    for on, tsk, odi, pcs, pain in (
        (BASELINE, 35, 3, 2, (7, 7, 8)),
        (TODAY, 24, 1, 1, (4, 4, 4)),
    ):
        sign(jannick, ana, "tsk11", tsk11(tsk), on)
        sign(jannick, ana, "odi", answers_all("odi", odi), on)
        sign(jannick, ana, "pcs", answers_all("pcs", pcs), on)
        sign(jannick, ana, "peg", peg(*pain), on)
    plan_for(jannick, ana)
    review_for(goal_for(jannick, ana, what="Play football with his son"), ana, level=0)
    return jannick


def url(name, patient, **kwargs):
    return reverse(f"treatment:{name}", kwargs={"patient_id": patient.pk, **kwargs})


def text_of(response) -> str:
    return " ".join(" ".join(read(response.content.decode()).chunks).split())


def pdf_pages(data: bytes, tmp_path) -> list[str]:
    """The text of each page of a PDF, read page by page (pdftotext -f N -l N)."""
    path = tmp_path / "letter.pdf"
    path.write_bytes(data)
    info = subprocess.run([PDFINFO, str(path)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1))
    out = []
    for n in range(1, pages + 1):
        page = subprocess.run(
            [PDFTOTEXT, "-f", str(n), "-l", str(n), str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        out.append(" ".join(page.split()))
    return out


class TestTheWordsOfJannicksLetterToTheGP:
    def test_each_score_first_to_latest_with_its_reliability_in_words(self, jannick_treated, ana):
        letter = letters.gp_letter(jannick_treated, ana)
        said = {line.measure: line.sentence for line in letter.outcomes}
        assert said["Fear of movement (TSK-11)"] == (
            "Fear of movement (TSK-11): 35 → 24, a reliable improvement, large enough to matter to patients"
        )
        assert said["Disability from back pain (ODI)"] == (
            "Disability from back pain (ODI): 60% → 20%, a reliable improvement, large enough "
            "to matter to patients"
        )
        assert said["Pain catastrophising (PCS)"] == (
            "Pain catastrophising (PCS): 26 → 13, a change of 13 points; reliability not known"
        )
        peg_line = next(line for line in letter.outcomes if "(PEG)" in line.measure)
        assert peg_line.sentence.endswith(
            ": 7.3 → 4, a change of 3.3 points; reliability not known"
        )

    def test_a_small_change_on_a_reliable_scale_is_no_reliable_change(self, jannick, ana, clinic):
        sign(jannick, ana, "tsk11", tsk11(35), BASELINE)
        sign(jannick, ana, "tsk11", tsk11(33), TODAY)
        (line,) = letters.gp_letter(jannick, ana).outcomes
        assert line.sentence == "Fear of movement (TSK-11): 35 → 33, no reliable change"
        assert line.scale == "scored 11–44, higher is worse"

    def test_a_reliable_deterioration_is_named(self, jannick, ana, clinic):
        sign(jannick, ana, "tsk11", tsk11(24), BASELINE)
        sign(jannick, ana, "tsk11", tsk11(35), TODAY)
        (line,) = letters.gp_letter(jannick, ana).outcomes
        assert line.change == "a reliable deterioration"

    def test_one_measurement_is_not_called_a_change(self, jannick, ana, clinic):
        sign(jannick, ana, "tsk11", tsk11(35), TODAY)
        (line,) = letters.gp_letter(jannick, ana).outcomes
        assert line.sentence == "Fear of movement (TSK-11): 35, one measurement so far"

    def test_subscales_of_the_bpi_each_have_their_line(self, jannick, ana, clinic):
        items = instruments.get("bpi").items
        sign(jannick, ana, "bpi", {i.id: 7 for i in items}, BASELINE)
        sign(jannick, ana, "bpi", {i.id: 4 for i in items}, TODAY)
        sentences = [line.sentence for line in letters.gp_letter(jannick, ana).outcomes]
        interference = next(s for s in sentences if s.startswith("Interference"))
        assert (
            interference
            == "Interference (BPI-SF): 7 → 4, a change of 3 points; reliability not known"
        )

    def test_the_page_says_it_with_letterhead_goal_advice_and_medicines(
        self, client, jannick_treated, ana
    ):
        client.force_login(ana)
        text = text_of(client.get(url("gp_letter", jannick_treated)))
        assert faults(text, patient_facing=False) == []
        assert "North Pain Rehabilitation Service" in text
        assert "12 Mill Lane" in text
        assert "01234 567890" in text
        assert "North Community Health NHS Trust" in text  # the footer line
        assert "Fear of movement (TSK-11): 35 → 24, a reliable improvement, large enough" in text
        assert "Play football with his son" in text
        assert "achieved as expected" in text
        assert "No medicines recorded." in text  # nothing invented
        assert "Setbacks and flare-ups are expected" in text
        assert "unless there are new red-flag features" in text

    def test_without_clinic_details_no_letterhead_is_invented(self, client, jannick, ana):
        client.force_login(ana)
        html = client.get(url("gp_letter", jannick)).content.decode()
        assert 'class="letterhead"' not in html
        assert "Yours sincerely" in html


class TestJannicksDischargeLetter:
    @pytest.fixture
    def discharged(self, jannick_treated, ana):
        episode = Episode.objects.get(patient=jannick_treated)
        return episode_change_status(
            actor=ana,
            episode=episode,
            to_status=EpisodeStatus.DISCHARGED,
            changed_on=TODAY,
            discharge_reason=DischargeReason.GOALS_MET,
        )

    def test_reason_what_was_done_outcomes_and_how_to_refer_again(
        self, client, discharged, jannick_treated, ana
    ):
        client.force_login(ana)
        response = client.get(
            url("discharge_letter", jannick_treated, discharged_episode_id=discharged.pk)
        )
        assert response.status_code == 200
        text = text_of(response)
        assert faults(text, patient_facing=False) == []
        assert "Reason for discharge: goals met / treatment completed." in text
        assert "Graded exposure in vivo" in text or "Pain education" in text  # the plan
        assert "Disability from back pain (ODI): 60% → 20%, a reliable improvement" in text
        assert "Within 12 months of discharge, a letter to the team is enough." in text
        assert "Setbacks and flare-ups are expected" in text

    def test_an_open_episode_has_no_discharge_letter_yet(self, client, jannick_treated, ana):
        client.force_login(ana)
        episode = Episode.objects.get(patient=jannick_treated)
        response = client.get(
            url("discharge_letter", jannick_treated, discharged_episode_id=episode.pk)
        )
        assert response.status_code == 404

    def test_the_programme_he_attended_is_listed(self, client, discharged, jannick_treated, ana):
        participant_for(jannick_treated, ana, weeks_ago=1)
        client.force_login(ana)
        text = text_of(
            client.get(
                url("discharge_letter", jannick_treated, discharged_episode_id=discharged.pk)
            )
        )
        assert "Outpatient pain management programme, " in text
        assert "attended 0 of 0" not in text  # a programme without a timetable yet


class TestTheLetterToTheReferrerAfterTheProgramme:
    def test_attendance_outcomes_before_and_after_and_the_plan(self, client, susan, ana, clinic):
        enrolment = participant_for(susan, ana, weeks_ago=1)
        programme = enrolment.programme
        programme.follow_up_weeks = 12
        programme.save()
        ProgrammeMeasure.objects.create(
            programme=programme,
            instrument_key="tsk11",
            label="TSK-11",
            direction=ProgrammeDirection.HIGHER_IS_WORSE,
        )
        cohort = enrolment.cohort
        sign(susan, ana, "tsk11", tsk11(36), cohort.start_date)
        sign(susan, ana, "tsk11", tsk11(25), cohort.end_date)
        client.force_login(ana)
        text = text_of(client.get(url("pmp_letter", susan, participant_id=enrolment.pk)))
        assert faults(text, patient_facing=False) == []
        assert "Susan took part in the Outpatient pain management programme." in text
        assert "The programme has now ended" in text
        assert (
            "Fear of movement (TSK-11): 36 → 25, a reliable improvement, large enough to matter to patients."
            in text
        )
        follow_up = cohort.end_date + timedelta(weeks=12)
        assert f"follow-up around {follow_up:%B %Y}" in text

    def test_priya_who_runs_the_programme_cannot_print_a_participants_scores(
        self, client, susan, ana, priya
    ):
        enrolment = participant_for(susan, ana)
        client.force_login(priya)
        assert client.get(url("pmp_letter", susan, participant_id=enrolment.pk)).status_code == 404

    def test_another_patients_programme_place_is_a_404(self, client, susan, jannick, ana):
        enrolment = participant_for(susan, ana)
        client.force_login(ana)
        response = client.get(url("pmp_letter", jannick, participant_id=enrolment.pk))
        assert response.status_code == 404


class TestEveryLetterIsGatedAndAuditedOnce:
    @pytest.fixture
    def urls(self, jannick, ana):
        episode = Episode.objects.get(patient=jannick)
        episode_change_status(
            actor=ana,
            episode=episode,
            to_status=EpisodeStatus.DISCHARGED,
            changed_on=TODAY,
            discharge_reason=DischargeReason.SELF_MANAGING,
        )
        enrolment = participant_for(jannick, ana)
        return {
            "gp_letter": url("gp_letter", jannick),
            "gp_letter_pdf": url("gp_letter_pdf", jannick),
            "discharge_letter": url("discharge_letter", jannick, discharged_episode_id=episode.pk),
            "discharge_letter_pdf": url(
                "discharge_letter_pdf", jannick, discharged_episode_id=episode.pk
            ),
            "pmp_letter": url("pmp_letter", jannick, participant_id=enrolment.pk),
            "pmp_letter_pdf": url("pmp_letter_pdf", jannick, participant_id=enrolment.pk),
        }

    def test_each_export_is_one_export_event(self, client, ana, jannick, urls):
        client.force_login(ana)
        for document, address in urls.items():
            since = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
            response = client.get(address)
            assert response.status_code == 200, document
            events = list(AuditEvent.objects.filter(id__gt=since))
            assert [(e.action, e.object_type, e.patient_id) for e in events] == [
                (AuditAction.EXPORT, f"treatment.{document}", jannick.pk)
            ], document

    def test_without_consent_to_share_no_letter_is_made(self, client, ana, jannick, urls):
        ConsentRecord.objects.filter(patient=jannick, kind="gp_sharing").delete()
        client.force_login(ana)
        for document, address in urls.items():
            response = client.get(address)
            assert response.status_code == 403, document
            assert b"Record consent" in response.content
            assert not AuditEvent.objects.filter(
                action=AuditAction.EXPORT, patient=jannick
            ).exists()


class TestThePrintedLetter:
    @pytest.fixture(autouse=True)
    def _poppler(self):
        assert PDFTOTEXT, "pdftotext (poppler-utils) reads the PDFs page by page"
        assert PDFINFO, "pdfinfo (poppler-utils) counts the pages"

    def test_the_signature_stays_on_the_page_of_the_closing_text(
        self, client, jannick_treated, ana, tmp_path
    ):
        """However long the body, the closing paragraph, 'Yours sincerely' and the signature
        share a page. The formulation is lengthened a line or two at a time from where the letter
        just fits on one page, so the page break falls inside the closing in turn (without
        letters.css keeping the closing together, the advice stays on page 1 and the signature
        goes to page 2: this test fails)."""
        client.force_login(ana)
        signer = ana.get_full_name()
        seen_pages = set()
        for extra_lines in range(1, 13, 2):
            plan = TreatmentPlan.objects.filter(episode__patient=jannick_treated).latest("version")
            services.plan_save(
                actor=ana,
                episode=plan.episode,
                formulation="\n".join(
                    f"Line {n}: avoids lifting and bending since the injury."
                    for n in range(extra_lines)
                ),
                yellow_flags=["fear_of_movement"],
                focus_areas="Lifting and bending",
                interventions={"graded_exposure": ana},
                expected_version=plan.version,
                change_reason="A longer formulation after the review",
            )
            pages = pdf_pages(client.get(url("gp_letter_pdf", jannick_treated)).content, tmp_path)
            seen_pages.add(len(pages))
            (signed,) = [p for p in pages if "Yours sincerely" in p]
            assert signer in signed
            assert "Please contact us if you have any questions." in signed
            assert "unless there are new red-flag features" in signed
        assert max(seen_pages) >= 2  # the letters did run over a page

    def test_each_letter_as_a_picture_for_a_human_to_look_at(
        self, client, jannick_treated, susan, ana, tmp_path
    ):
        """Page 1 of each letter as PNG in test-artifacts/screenshots (pdftoppm), for the eye;
        the assertion is only that each page was drawn."""
        assert PDFTOPPM, "pdftoppm (poppler-utils) draws the pages"
        episode = Episode.objects.get(patient=jannick_treated)
        episode_change_status(
            actor=ana,
            episode=episode,
            to_status=EpisodeStatus.DISCHARGED,
            changed_on=TODAY,
            discharge_reason=DischargeReason.GOALS_MET,
        )
        enrolment = participant_for(jannick_treated, ana, weeks_ago=1)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        client.force_login(ana)
        for name, address in (
            ("letter_gp", url("gp_letter_pdf", jannick_treated)),
            (
                "letter_discharge",
                url("discharge_letter_pdf", jannick_treated, discharged_episode_id=episode.pk),
            ),
            ("letter_pmp", url("pmp_letter_pdf", jannick_treated, participant_id=enrolment.pk)),
        ):
            pdf = tmp_path / f"{name}.pdf"
            pdf.write_bytes(client.get(address).content)
            subprocess.run(
                [
                    PDFTOPPM,
                    "-png",
                    "-r",
                    "80",
                    "-f",
                    "1",
                    "-l",
                    "2",
                    str(pdf),
                    str(ARTIFACTS / name),
                ],
                check=True,
            )
            assert (ARTIFACTS / f"{name}-1.png").stat().st_size > 0

    def test_the_pdf_speaks_plainly_and_has_the_letterhead(
        self, client, jannick_treated, ana, tmp_path
    ):
        client.force_login(ana)
        response = client.get(url("gp_letter_pdf", jannick_treated))
        assert response["Content-Type"] == "application/pdf"
        text = " ".join(pdf_pages(response.content, tmp_path))
        assert faults(text, patient_facing=False) == []
        assert "North Pain Rehabilitation Service" in text
        assert "Fear of movement (TSK-11): 35 → 24, a reliable improvement, large enough" in text


class TestWhereAClinicianFindsTheLetters:
    def test_the_record_links_the_discharge_letter_of_a_discharged_episode(
        self, client, jannick, ana
    ):
        episode = Episode.objects.get(patient=jannick)
        client.force_login(ana)
        link = url("discharge_letter", jannick, discharged_episode_id=episode.pk)
        assert (
            link not in client.get(reverse("patients:detail", args=[jannick.pk])).content.decode()
        )
        episode_change_status(
            actor=ana,
            episode=episode,
            to_status=EpisodeStatus.DISCHARGED,
            changed_on=TODAY,
            discharge_reason=DischargeReason.GOALS_MET,
        )
        assert link in client.get(reverse("patients:detail", args=[jannick.pk])).content.decode()

    def test_the_programme_referrals_page_links_the_letter_to_the_referrer(
        self, client, susan, ana
    ):
        enrolment = participant_for(susan, ana)
        client.force_login(ana)
        page = client.get(reverse("programmes:refer", args=[susan.pk])).content.decode()
        assert url("pmp_letter", susan, participant_id=enrolment.pk) in page

    def test_the_treatment_page_links_the_gp_letter(self, client, jannick, ana):
        client.force_login(ana)
        page = client.get(reverse("treatment:overview", args=[jannick.pk])).content.decode()
        assert url("gp_letter", jannick) in page
