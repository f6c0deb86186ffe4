"""Starting a session gives exactly what the clinician chose; a session started by mistake can be
discarded while nothing in it is signed (issue #9)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessment import selectors, services
from assessment.forms import SessionStartForm
from assessment.models import AssessmentSession, Battery, PatientLink
from painclinic.models import AuditAction, AuditEvent
from tests.assessment.factories import answers_all, made_up_wording

pytestmark = pytest.mark.django_db


def _sessions_url(patient):
    return reverse("assessment:sessions", kwargs={"patient_id": patient.pk})


def test_the_start_form_preselects_no_battery_and_no_time_point(client, jannick, ana):
    assert Battery.objects.filter(active=True).exists()  # the seeded clinic batteries
    form = SessionStartForm()
    assert form["battery"].value() is None
    assert form["time_point"].value() is None
    client.force_login(ana)
    page = client.get(_sessions_url(jannick)).content.decode()
    for name in ("battery", "time_point"):
        select = page.split(f'name="{name}"')[1].split("</select>")[0]
        assert not re.search(r'<option value="[^"]+" selected', select), name


def test_ana_gives_jannick_only_the_pcs_she_chose(client, jannick, ana):
    client.force_login(ana)
    response = client.post(
        _sessions_url(jannick),
        {"instruments": ["pcs"], "time_point": "review", "date": date.today().isoformat()},
    )
    assert response.status_code == 302
    session = AssessmentSession.objects.get(patient=jannick)
    assert list(session.administrations.values_list("instrument_key", flat=True)) == ["pcs"]
    assert session.battery is None
    assert session.time_point == "review"


def test_a_battery_and_single_instruments_together_are_refused_and_kept(client, jannick, ana):
    battery = Battery.objects.filter(active=True).first()
    client.force_login(ana)
    response = client.post(
        _sessions_url(jannick),
        {
            "battery": battery.pk,
            "instruments": ["pcs"],
            "time_point": "review",
            "date": date.today().isoformat(),
        },
    )
    assert response.status_code == 400
    assert b"not both" in response.content
    assert b'value="pcs" selected' in response.content  # what was chosen is kept
    assert not AssessmentSession.objects.exists()


def test_nothing_chosen_starts_nothing(client, jannick, ana):
    client.force_login(ana)
    response = client.post(
        _sessions_url(jannick), {"time_point": "review", "date": date.today().isoformat()}
    )
    assert response.status_code == 400
    assert not AssessmentSession.objects.exists()
    with pytest.raises(ValidationError, match=services.NOTHING_TO_START):
        services.session_start(
            actor=ana,
            patient=jannick,
            episode=jannick.episodes.get(),
            time_point="review",
            instrument_keys=[],
        )


def _session(patient, actor, keys=("tsk11", "pcs")):
    return services.session_start(
        actor=actor,
        patient=patient,
        episode=patient.episodes.get(),
        time_point="first_visit",
        instrument_keys=list(keys),
    )


def test_ana_discards_a_session_she_started_by_mistake(client, jannick, ana):
    session = _session(jannick, ana)
    draft = session.administrations.first()
    services.administration_save_draft(actor=ana, administration=draft, answers={"1": 3})
    made_up_wording("tsk11")
    made_up_wording("pcs")
    link, token = services.patient_link_issue(actor=ana, session=session)
    client.force_login(ana)
    detail = reverse(
        "assessment:session", kwargs={"patient_id": jannick.pk, "session_id": session.pk}
    )
    assert b"Discard this session" in client.get(detail).content

    response = client.post(
        reverse("assessment:discard", kwargs={"patient_id": jannick.pk, "session_id": session.pk})
    )

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.is_discarded
    assert session.discarded_by == ana
    assert session.administrations.count() == 2  # kept for the record, not deleted
    assert list(selectors.sessions_for(jannick)) == []
    assert selectors.drafts_waiting(jannick) == 0
    assert PatientLink.objects.get(pk=link.pk).revoked_at is not None
    with pytest.raises(ValidationError):
        services.patient_link_redeem(token=token)
    with pytest.raises(ValidationError, match=services.SESSION_DISCARDED):
        services.administration_sign(actor=ana, administration=draft)
    event = AuditEvent.objects.get(
        action=AuditAction.CHANGE, object_type="assessment.assessmentsession"
    )
    assert event.actor == ana
    assert event.patient == jannick
    assert event.changed_fields == ["discarded_at", "discarded_by"]
    page = client.get(detail).content.decode()
    assert "Discarded by Ana Costa" in page
    assert "Enter TSK-11" not in page


def test_a_session_with_a_signed_result_cannot_be_discarded(client, jannick, ana):
    session = _session(jannick, ana)
    tsk = session.administrations.get(instrument_key="tsk11")
    services.administration_sign(actor=ana, administration=tsk, answers=answers_all("tsk11", 3))
    with pytest.raises(ValidationError, match="cannot be discarded"):
        services.session_discard(actor=ana, session=session)
    client.force_login(ana)
    detail = reverse(
        "assessment:session", kwargs={"patient_id": jannick.pk, "session_id": session.pk}
    )
    assert b"Discard this session" not in client.get(detail).content
    response = client.post(
        reverse("assessment:discard", kwargs={"patient_id": jannick.pk, "session_id": session.pk}),
        follow=True,
    )
    assert b"cannot be discarded" in response.content
    session.refresh_from_db()
    assert not session.is_discarded


def test_only_the_care_team_may_discard(client, jannick, ana, dina):
    session = _session(jannick, ana)
    client.force_login(dina)
    response = client.post(
        reverse("assessment:discard", kwargs={"patient_id": jannick.pk, "session_id": session.pk})
    )
    assert response.status_code == 404
    session.refresh_from_db()
    assert not session.is_discarded
