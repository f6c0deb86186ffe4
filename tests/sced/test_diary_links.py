"""Jannick enters his daily fear on his phone through a link from Ana: one value a day, through
the same service as the clinicians, and nothing else of his record is reachable."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from painclinic.models import AuditAction, AuditEvent
from sced import services
from sced.models import AnalysisRun, DiaryLink, DiaryLinkKind, Measurement
from tests.sced.conftest import make_study


@pytest.fixture
def diary_study(ana, jannick):
    """Randomized AB study whose baseline began four days ago (today is session 5)."""
    study = make_study(ana, jannick, start_date=timezone.localdate() - timedelta(days=4))
    services.study_randomize(actor=ana, study=study, seed=5)
    return study


def _url(token):
    return reverse("sced:diary", args=[token])


def _post(client, token, study, value):
    measure = study.measures.first()
    return client.post(_url(token), {f"diary-m{measure.pk}": value})


@pytest.mark.django_db
def test_the_token_is_random_and_only_its_hash_is_stored(ana, jannick, diary_study):
    link, token = services.diary_link_issue(actor=ana, study=diary_study, days=14)
    _, other = services.diary_link_issue(actor=ana, study=diary_study, days=14)
    assert len(token) >= 43
    assert token != other
    assert link.token_hash == services.diary_token_hash(token) != token
    assert not DiaryLink.objects.filter(token_hash=token).exists()
    assert link.kind == DiaryLinkKind.RECURRING
    assert (
        AuditEvent.objects.filter(
            actor=ana, patient=jannick, action=AuditAction.CREATE, object_type="sced.diarylink"
        ).count()
        == 2
    )


@pytest.mark.django_db
def test_links_are_refused_before_randomization_without_a_first_day_or_when_closed(ana, jannick):
    study = make_study(ana, jannick, start_date=date.today())
    with pytest.raises(ValidationError, match="Draw the intervention start"):
        services.diary_link_issue(actor=ana, study=study)
    no_day = make_study(ana, jannick, clinical_question="q2")
    services.study_randomize(actor=ana, study=no_day, seed=1)
    with pytest.raises(ValidationError, match="first baseline day"):
        services.diary_link_issue(actor=ana, study=no_day)
    services.study_randomize(actor=ana, study=study, seed=1)
    with pytest.raises(ValidationError, match="1 to 90 days"):
        services.diary_link_issue(actor=ana, study=study, days=365)
    services.study_close(actor=ana, study=study)
    with pytest.raises(ValidationError, match="closed"):
        services.diary_link_issue(actor=ana, study=study)


@pytest.mark.django_db
def test_a_recurring_link_takes_todays_value_once_through_the_clinicians_service(
    client, jannick, ana, diary_study, django_capture_on_commit_callbacks
):
    _, token = services.diary_link_issue(actor=ana, study=diary_study, days=14)
    page = client.get(_url(token))
    assert page.status_code == 200
    html = page.content.decode()
    today = timezone.localdate()
    assert "Fear of lifting a crate" in html
    assert "Choose a number from 0 to 10" in html
    assert "0 means none at all, 10 the most" in html
    assert today.strftime("%-d") in html
    assert today.strftime("%B") in html
    # Nothing else of the record: no name, no navigation, no other study or patient link.
    assert jannick.full_name not in html
    assert "/patients/" not in html
    assert 'class="btn-check"' in html  # 0-10 as big buttons
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, token, diary_study, "6")
    assert response.status_code == 200
    assert "saved" in response.content.decode()
    m = Measurement.objects.get()
    assert (m.session, m.date, m.value, m.recorded_by) == (5, today, 6.0, None)
    # Analysis enqueued on commit, as for a clinician's value.
    assert AnalysisRun.objects.filter(study=diary_study).count() == 1
    event = AuditEvent.objects.get(
        action=AuditAction.CREATE, object_type="sced.study", changed_fields=["measurements"]
    )
    assert event.actor is None
    assert event.actor_username == services.DIARY_ACTOR
    assert event.patient_id == jannick.pk
    # A second value for the same day is refused, kindly.
    again = client.get(_url(token))
    assert "already entered today" in again.content.decode()
    assert "already entered today" in _post(client, token, diary_study, "2").content.decode()
    with pytest.raises(ValidationError, match="already entered today"):
        services.diary_record(token=token, values={diary_study.measures.first().pk: 2.0})
    assert Measurement.objects.count() == 1
    # Tomorrow is a new day on the same link.
    services.diary_record(
        token=token,
        values={diary_study.measures.first().pk: 4.0},
        today=today + timedelta(days=1),
    )
    assert list(Measurement.objects.values_list("session", flat=True).order_by("session")) == [
        5,
        6,
    ]


@pytest.mark.django_db
def test_out_of_range_or_missing_values_are_shown_again_and_nothing_is_saved(
    client, ana, diary_study
):
    _, token = services.diary_link_issue(actor=ana, study=diary_study)
    response = _post(client, token, diary_study, "11")
    assert response.status_code == 400
    assert "less than or equal to 10" in response.content.decode()
    assert _post(client, token, diary_study, "").status_code == 400
    assert not Measurement.objects.exists()


@pytest.mark.django_db
def test_a_single_use_link_is_used_up_by_its_first_day(client, ana, diary_study):
    link, token = services.diary_link_issue(
        actor=ana, study=diary_study, kind=DiaryLinkKind.SINGLE, days=2
    )
    assert _post(client, token, diary_study, "7").status_code == 200
    link.refresh_from_db()
    assert link.used_at is not None
    assert link.status(timezone.now()) == "used"
    response = client.get(_url(token))
    assert response.status_code == 410
    assert "already sent" in response.content.decode()


@pytest.mark.django_db
def test_expired_revoked_unknown_and_closed_links_open_nothing(client, ana, jannick, diary_study):
    expired, expired_token = services.diary_link_issue(actor=ana, study=diary_study)
    DiaryLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(_url(expired_token))
    assert response.status_code == 410
    assert "has expired" in response.content.decode()
    assert _post(client, expired_token, diary_study, "5").status_code == 410

    revoked, revoked_token = services.diary_link_issue(actor=ana, study=diary_study)
    services.diary_link_revoke(actor=ana, link=revoked)
    assert client.get(_url(revoked_token)).status_code == 404
    assert AuditEvent.objects.filter(
        actor=ana, action=AuditAction.CHANGE, object_type="sced.diarylink"
    ).exists()
    assert client.get(_url("not-a-token")).status_code == 404

    _, open_token = services.diary_link_issue(actor=ana, study=diary_study)
    services.study_close(actor=ana, study=diary_study)
    response = client.get(_url(open_token))
    assert response.status_code == 410
    assert "diary has ended" in response.content.decode()
    assert not Measurement.objects.exists()


@pytest.mark.django_db
def test_before_the_first_day_the_link_says_when_to_come_back(client, ana, jannick):
    study = make_study(ana, jannick, start_date=timezone.localdate() + timedelta(days=3))
    services.study_randomize(actor=ana, study=study, seed=5)
    _, token = services.diary_link_issue(actor=ana, study=study)
    response = client.get(_url(token))
    assert response.status_code == 200
    assert "Your diary starts on" in response.content.decode()


@pytest.mark.django_db
def test_the_first_opening_is_audited_once(client, ana, jannick, diary_study):
    _, token = services.diary_link_issue(actor=ana, study=diary_study)
    client.get(_url(token))
    client.get(_url(token))
    views = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="sced.diarylink")
    assert [(e.actor_username, e.patient_id) for e in views] == [(services.DIARY_ACTOR, jannick.pk)]


@pytest.mark.django_db
def test_ana_issues_lists_and_revokes_links_from_the_study_page(client, ana, jannick, diary_study):
    client.force_login(ana)
    issue = reverse(
        "sced:diary_link_issue", kwargs={"patient_id": jannick.pk, "study_id": diary_study.pk}
    )
    response = client.post(issue, {"diary-kind": "recurring", "diary-days": "10"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "shown only once" in html
    assert "/d/" in html
    link = DiaryLink.objects.get()
    assert round((link.expires_at - link.created_at).total_seconds() / 86400) == 10
    assert client.post(issue, {"diary-kind": "recurring", "diary-days": "0"}).status_code == 400
    revoke = reverse(
        "sced:diary_link_revoke",
        kwargs={"patient_id": jannick.pk, "study_id": diary_study.pk, "link_id": link.pk},
    )
    assert client.post(revoke).status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert link.revoked_by == ana
    detail = reverse(
        "sced:study_detail", kwargs={"patient_id": jannick.pk, "study_id": diary_study.pk}
    )
    page = client.get(detail).content.decode()
    assert "Patient diary links" in page
    assert "revoked" in page
    assert "/d/" not in page  # the address is never shown again


@pytest.mark.django_db(transaction=True)
def test_two_sends_racing_on_a_single_use_link_record_one_day(ana, jannick):
    """The row lock serialises the two sends: the second sees the link used (or the day
    recorded) and writes nothing."""
    import threading

    from django.db import connection

    study = make_study(ana, jannick, start_date=timezone.localdate())
    services.study_randomize(actor=ana, study=study, seed=5)
    _, token = services.diary_link_issue(actor=ana, study=study, kind=DiaryLinkKind.SINGLE)
    measure_id = study.measures.first().pk
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def send(value):
        try:
            barrier.wait()
            services.diary_record(token=token, values={measure_id: value})
            outcomes.append("saved")
        except ValidationError as exc:
            outcomes.append(getattr(exc, "code", "refused") or "refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(v,)) for v in (3.0, 4.0)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["saved", "used"]
    assert Measurement.objects.filter(measure__study=study).count() == 1
