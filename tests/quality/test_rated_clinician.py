"""Process measures are credited to the clinician the patient rated (issue #13): chosen when the
measure is issued, kept through a reassignment, and a CARE rating of the doctor stays with the
doctor. The patient's rating by link is hidden from the clinician until the session is over."""

from __future__ import annotations

import importlib
import re
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessment import services
from assessment.models import Administration, AnswerSource, TimePoint
from painclinic.models import Discipline, Role
from patients import services as patient_services
from patients.models import LeadChange
from review import selectors as review_selectors
from tests.assessment.factories import made_up_wording
from tests.factories import UserFactory

WAISR = {str(i): 4 for i in range(1, 13)}  # total 48
CARE = {str(i): 5 for i in range(1, 11)}  # total 50


def _issue(patient, actor, keys, rated=None, on=None):
    return services.session_start(
        actor=actor,
        patient=patient,
        episode=patient.episodes.get(),
        time_point=TimePoint.REVIEW,
        instrument_keys=keys,
        rated_clinician=rated,
        on=on,
    )


def _measure(rows, clinician, label):
    row = next(r for r in rows if r.clinician == clinician)
    return dict(row.measures)[label]


@pytest.fixture
def doctor(north):
    return UserFactory(
        username="dr_lee",
        first_name="Sam",
        last_name="Lee",
        role=Role.CLINICIAN,
        discipline=Discipline.DOCTOR,
        team=north,
    )


@pytest.mark.django_db
def test_the_rated_clinician_defaults_to_the_clinician_issuing_and_only_on_process_measures(
    jannick, ana
):
    session = _issue(jannick, ana, ["waisr", "tsk11"])
    waisr, tsk = session.administrations.order_by("position")
    assert waisr.rated_clinician == ana
    assert tsk.rated_clinician is None


@pytest.mark.django_db
def test_an_alliance_rating_stays_with_ana_after_bob_reassigns_the_patient_to_dina(
    jannick, ana, bob, dina
):
    session = _issue(jannick, ana, ["waisr"])
    services.administration_sign(
        actor=ana, administration=session.administrations.get(), answers=WAISR
    )
    patient_services.patient_reassign(actor=bob, episode=jannick.episodes.get(), to_clinician=dina)
    rows = review_selectors.caseload_review(bob)["clinicians"]
    assert _measure(rows, ana, "WAI-SR (working alliance)").n == 1
    assert _measure(rows, dina, "WAI-SR (working alliance)").n == 0


@pytest.mark.django_db
def test_a_care_rating_of_the_doctor_stays_with_the_doctor_not_the_lead_physiotherapist(
    jannick, ana, bob, doctor
):
    session = _issue(jannick, ana, ["care"], rated=doctor)
    services.administration_sign(
        actor=ana, administration=session.administrations.get(), answers=CARE
    )
    rows = review_selectors.caseload_review(bob)["clinicians"]
    assert _measure(rows, doctor, "CARE (empathy)").n == 1
    assert _measure(rows, ana, "CARE (empathy)").n == 0


@pytest.mark.django_db
def test_the_start_form_offers_the_team_and_care_team_and_records_the_choice(
    client, jannick, ana, doctor
):
    client.force_login(ana)
    url = reverse("assessment:sessions", kwargs={"patient_id": jannick.pk})
    page = client.get(url).content.decode()
    assert "Sam Lee" in page
    response = client.post(
        url,
        {
            "instruments": ["care"],
            "time_point": TimePoint.REVIEW,
            "date": date.today().isoformat(),
            "rated_clinician": doctor.pk,
        },
    )
    assert response.status_code == 302
    assert Administration.objects.get(instrument_key="care").rated_clinician == doctor


@pytest.mark.django_db
def test_a_clinician_of_another_team_cannot_be_chosen_as_rated(client, jannick, ana, charlie):
    client.force_login(ana)
    response = client.post(
        reverse("assessment:sessions", kwargs={"patient_id": jannick.pk}),
        {
            "instruments": ["care"],
            "time_point": TimePoint.REVIEW,
            "date": date.today().isoformat(),
            "rated_clinician": charlie.pk,
        },
    )
    assert response.status_code == 400
    assert not Administration.objects.filter(instrument_key="care").exists()


# --- hidden until the session is over --------------------------------------------------------


# The session page's result cell for this WAI-SR: its total (48) first.
WAISR_TOTAL_CELL = re.compile(r"<td>48(\.0)?\s")


def _rated_by_link(patient, ana):
    session = _issue(patient, ana, ["waisr"])
    made_up_wording("waisr")
    _link, token = services.patient_link_issue(actor=ana, session=session)
    administration = session.administrations.get()
    for item, value in WAISR.items():
        services.patient_link_save_answer(
            token=token, administration_id=administration.pk, item_id=item, value=value
        )
    services.patient_link_submit(token=token)
    administration.refresh_from_db()
    return session, administration


@pytest.mark.django_db
def test_the_patients_rating_is_hidden_until_ana_marks_the_session_ended(client, jannick, ana):
    session, administration = _rated_by_link(jannick, ana)
    assert administration.source == AnswerSource.PATIENT_LINK
    client.force_login(ana)
    session_url = reverse(
        "assessment:session", kwargs={"patient_id": jannick.pk, "session_id": session.pk}
    )
    result_url = reverse(
        "assessment:administration",
        kwargs={"patient_id": jannick.pk, "administration_id": administration.pk},
    )
    page = client.get(session_url).content.decode()
    assert "Shown once the session is over" in page
    assert not WAISR_TOTAL_CELL.search(page)  # the total's cell, not a digit in an id or URL
    hidden = client.get(result_url).content.decode()
    assert "not shown yet" in hidden
    assert 'name="sign"' not in hidden
    with pytest.raises(ValidationError) as refused:
        services.administration_sign(actor=ana, administration=administration)
    assert refused.value.code == "rating_hidden"

    response = client.post(
        reverse("assessment:end", kwargs={"patient_id": jannick.pk, "session_id": session.pk})
    )
    assert response.status_code == 302
    page = client.get(session_url).content.decode()
    assert "Shown once the session is over" not in page
    assert WAISR_TOTAL_CELL.search(page)
    services.administration_sign(actor=ana, administration=administration)


@pytest.mark.django_db
def test_the_patients_rating_shows_from_the_day_after_the_session_without_the_button(jannick, ana):
    session = _issue(jannick, ana, ["waisr"], on=date.today() - timedelta(days=1))
    assert session.ratings_visible()
    today = _issue(jannick, ana, ["waisr"])
    assert not today.ratings_visible()
    assert today.ratings_visible(today=date.today() + timedelta(days=1))


@pytest.mark.django_db
def test_a_rating_typed_in_by_the_clinician_from_paper_is_not_hidden(jannick, ana):
    session = _issue(jannick, ana, ["waisr"])
    administration = session.administrations.get()
    assert not administration.hidden_from_clinician
    services.administration_sign(actor=ana, administration=administration, answers=WAISR)


@pytest.mark.django_db
def test_a_session_is_ended_once(jannick, ana):
    session = _issue(jannick, ana, ["waisr"])
    services.session_end(actor=ana, session=session)
    with pytest.raises(ValidationError):
        services.session_end(actor=ana, session=session)


@pytest.mark.django_db
def test_the_link_page_tells_the_patient_the_rating_is_private(client, jannick, ana):
    session = _issue(jannick, ana, ["waisr"])
    made_up_wording("waisr")
    _link, token = services.patient_link_issue(actor=ana, session=session)
    page = client.get(reverse("assessment:link", args=[token])).content.decode()
    assert "only after the session is over" in page


# --- the data migration -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_migration_credits_the_lead_at_the_time_and_leaves_an_unknowable_day_unrecorded(
    jannick, ana, bob, dina
):
    episode = jannick.episodes.get()
    early = _issue(jannick, ana, ["waisr"], on=date.today() - timedelta(days=20))
    same_day = _issue(jannick, ana, ["care"], on=date.today() - timedelta(days=10))
    late = _issue(jannick, ana, ["waisr"], on=date.today() - timedelta(days=2))
    LeadChange.objects.create(
        episode=episode,
        from_lead=ana,
        to_lead=dina,
        changed_by=bob,
        changed_on=date.today() - timedelta(days=10),
        previous_lead_kept=True,
    )
    episode.lead_clinician = dina
    episode.save()
    Administration.objects.update(rated_clinician=None)  # as before the field existed

    migration = importlib.import_module("assessment.migrations.0007_rated_clinician_quality")
    migration.credit_lead_at_the_time(apps, None)

    def rated(session):
        return session.administrations.get().rated_clinician

    assert rated(early) == ana  # before the change: the lead it changed from
    assert rated(same_day) is None  # changed that very day: not knowable, not guessed
    assert rated(late) == dina  # after it: the new lead


@pytest.mark.django_db
def test_once_signed_the_rated_clinician_cannot_be_changed_even_in_the_database(jannick, ana, dina):
    from django.db import DatabaseError, transaction

    session = _issue(jannick, ana, ["waisr"])
    signed = services.administration_sign(
        actor=ana, administration=session.administrations.get(), answers=WAISR
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        Administration.objects.filter(pk=signed.pk).update(rated_clinician=dina)
    signed.refresh_from_db()
    assert signed.rated_clinician == ana
