"""The patient's summary and handout, the clinicians' summary and the GP letter speak the same plain language as the pages
(issue #9): no instrument key, band name, definition key or raw float, and no GAS formula on the
patient's summary -- in the print page and in the PDF text alike (pdftotext)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from assessment import instruments
from tests.assessment.factories import answers_all, signed_result
from tests.test_page_language import faults_in, read
from tests.treatment.factories import (
    exposure_session_for,
    goal_for,
    hierarchy_item_for,
    plan_for,
    review_for,
)
from treatment import services
from treatment.models import DEFAULT_SETBACK_TEXT, SAFETY_NET_DEFAULT

PDFTOTEXT = shutil.which("pdftotext")

# What must not reach a document, beyond what no page may show (tests/test_page_language.py).
IN_NO_DOCUMENT = {
    "instrument key (peg)": re.compile(r"\bpeg\b"),  # an English word, so only checked here
    "band name": re.compile(r"\((?:below_cutoff|clinically_relevant|high|low|moderate)\)"),
}
GAS_FORMULA = re.compile(r"Kiresuk|ρ|rho|√|Turner-Stokes|T-score", re.IGNORECASE)


def url(name, patient):
    return reverse(f"treatment:{name}", kwargs={"patient_id": patient.pk})


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    out = subprocess.run([PDFTOTEXT, str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())  # a line break in the PDF is a space in the sentence


def faults(text: str, *, patient_facing: bool) -> list[str]:
    found = [f"{name}: {chunk}" for name, chunk in faults_in([text])]
    patterns = dict(IN_NO_DOCUMENT, **({"GAS formula": GAS_FORMULA} if patient_facing else {}))
    for name, pattern in patterns.items():
        found += [f"{name}: {m.group(0)!r}" for m in pattern.finditer(text)]
    return found


@pytest.fixture
def jannick_in_treatment(jannick, ana):
    """PEG 7.33 (a mean of three items), PCS 26 (below the cut-off), TSK-11 33 (high by clinic
    policy); a plan, a goal reviewed at +1 (T = 60), one behavioural experiment."""
    peg = dict(zip((item.id for item in instruments.get("peg").items), (7, 7, 8), strict=True))
    signed_result(patient=jannick, key="peg", answers=peg, actor=ana)
    signed_result(patient=jannick, key="pcs", answers=answers_all("pcs", 2), actor=ana)
    signed_result(patient=jannick, key="tsk11", answers=answers_all("tsk11", 3), actor=ana)
    signed_result(patient=jannick, key="fabq", answers=answers_all("fabq", 3), actor=ana)
    plan_for(jannick, ana)
    review_for(goal_for(jannick, ana), ana, level=1)
    exposure_session_for(hierarchy_item_for(jannick, ana), ana, before=80, after=30)
    services.flare_up_plan_save(
        actor=ana,
        patient=jannick,
        data={
            "triggers": "Long days at work",
            "early_signs": "Stiff back in the morning",
            "self_management": "Halve the quota for two days",
            "contacts": "The pain team",
            "opportunity_text": str(DEFAULT_SETBACK_TEXT),
            "safety_net": str(SAFETY_NET_DEFAULT),
        },
        expected_version=0,
    )
    return jannick


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page", "pdf", "patient_facing"),
    [
        ("summary", "summary_pdf", True),
        ("handout", "handout_pdf", True),
        ("clinician_summary", "clinician_summary_pdf", True),
        ("gp_letter", "gp_letter_pdf", False),
        ("flare_up_print", "flare_up_pdf", True),
    ],
)
def test_documents_use_the_pages_plain_labels(
    client, ana, jannick_in_treatment, tmp_path, page, pdf, patient_facing
):
    assert PDFTOTEXT, "pdftotext (poppler-utils) is needed to read the PDFs"
    client.force_login(ana)
    html = client.get(url(page, jannick_in_treatment)).content.decode()
    html_text = " ".join(read(html).chunks)
    pdf_bytes = client.get(url(pdf, jannick_in_treatment)).content
    for text in (html_text, pdf_text(pdf_bytes, tmp_path)):
        assert faults(text, patient_facing=patient_facing) == []
        assert "Jannick" in text
        if page == "gp_letter":
            # What each instrument measures and its name, totals as the instrument reports
            # them (a mean to one decimal), band labels (issue #14).
            assert "(PEG): 7.3, one measurement so far" in text
            assert "Pain catastrophising (PCS): 26 (below clinical cut-off)" in text
            assert "Fear of movement (TSK-11): 33" in text
            # No total: each subscale on its own line, by its label.
            assert "Physical activity (FABQ): 12" in text
            assert "Work (FABQ): 21" in text
            # Expected 80, happened 0; 80 before, 30 after.
            assert "happened 80 points less" in text
            assert "50 points lower" in text
        elif page == "clinician_summary":
            assert "60.0" in text  # the goal score, without the formula behind it
        elif page in ("summary", "handout"):
            # The patient's own documents: his goal in his words, and no score at all (#14).
            assert "I want to play football with my son again" in text
            assert "60.0" not in text
        else:
            assert "Halve the quota" in text


def test_the_checks_catch_what_the_documents_used_to_print():
    before = (
        "TSK11: 33 (high), PEG: 7.333333333333333, PCS: 26 (below_cutoff) · Definition "
        "Sullivan1995 · T = 50 when every goal is attained as expected. Kiresuk & Sherman 1968 "
        "with weights, ρ = 0.3"
    )
    found = " ".join(faults(before, patient_facing=True))
    for kind in ("instrument key", "raw float", "raw enum value", "definition key", "GAS formula"):
        assert kind in found
