"""Jannick answers PHQ-9 item 9. The answer is a signal for Ana's conversation with him and a
safety plan, not a risk score (NICE NG225; shared/reference/safety.md §1): it stays on his record
until she records her response, whatever happens to the questionnaire afterwards."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assessment import services as assessment
from painclinic.models import AuditEvent
from safety import services
from safety.models import Notification, Outcome, RiskSignal
from safety.rules import add_working_days
from safety.selectors import is_overdue, open_signals, unread_count
from tests.assessment.factories import answers_all, signed_result

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def phq9(item9, rest=1):
    answers = answers_all("phq9", rest)
    answers["9"] = item9
    return answers


def _respond(actor, patient, **extra):
    data = {
        "assessed_at": timezone.now(),
        "discussed": "Talked through the thoughts he described; he feels able to keep safe.",
        "outcome": Outcome.SAFETY_PLAN,
        **extra,
    }
    return services.safety_assessment_record(actor=actor, patient=patient, data=data)


def test_a_signed_phq9_with_item9_above_0_raises_one_signal_on_the_patient(jannick, ana):
    result = signed_result(patient=jannick, key="phq9", answers=phq9(1), actor=ana)
    signal = open_signals(jannick).get()
    assert signal.administration == result
    assert signal.answered
    assert signal.answer_value == 1
    assert AuditEvent.objects.filter(object_type="safety.risksignal", action="create").count() == 1


def test_saving_the_same_draft_again_does_not_raise_a_second_signal(jannick, ana):
    session = assessment.session_start(
        actor=ana,
        patient=jannick,
        episode=jannick.episodes.get(),
        time_point="first_visit",
        instrument_keys=["phq9"],
    )
    draft = session.administrations.get()
    assessment.administration_save_draft(actor=ana, administration=draft, answers={"9": 2})
    assessment.administration_save_draft(actor=ana, administration=draft, answers={"9": 2, "1": 1})
    assessment.administration_sign(actor=ana, administration=draft, answers=phq9(2))
    assert RiskSignal.objects.filter(patient=jannick).count() == 1


def test_the_signal_survives_an_amendment_of_item9_to_0(jannick, ana):
    result = signed_result(patient=jannick, key="phq9", answers=phq9(1), actor=ana)
    assessment.administration_amend(
        actor=ana, administration=result, answers=phq9(0), reason="Mis-keyed item 9."
    )
    assert open_signals(jannick).count() == 1


def test_an_unscorable_phq9_keeps_its_signal(jannick, ana):
    # Only items 1 and 9 answered: the total cannot be scored, item 9 still raises the signal.
    result = signed_result(patient=jannick, key="phq9", answers={"1": 0, "9": 3}, actor=ana)
    assert result.score["scorable"] is False
    assert open_signals(jannick).get().answer_value == 3


def test_an_unanswered_item9_is_unknown_not_no_risk(jannick, ana, client):
    answers = phq9(None)
    del answers["9"]
    signed_result(patient=jannick, key="phq9", answers=answers, actor=ana)
    signal = open_signals(jannick).get()
    assert signal.answered is False
    client.force_login(ana)
    page = client.get(reverse("patients:detail", kwargs={"patient_id": jannick.pk}))
    assert "Self-harm question not answered — response needed" in page.content.decode()


def test_a_later_phq9_with_item9_0_leaves_the_signal_open_until_a_response(jannick, ana, client):
    signed_result(patient=jannick, key="phq9", answers=phq9(1), actor=ana)
    signed_result(patient=jannick, key="phq9", answers=phq9(0), actor=ana)
    assert open_signals(jannick).count() == 1
    client.force_login(ana)
    page = client.get(reverse("patients:detail", kwargs={"patient_id": jannick.pk}))
    assert "Self-harm risk — response needed" in page.content.decode()
    _respond(ana, jannick)
    assert open_signals(jannick).count() == 0
    page = client.get(reverse("patients:detail", kwargs={"patient_id": jannick.pk}))
    assert "Self-harm risk — response needed" not in page.content.decode()


def test_an_urgent_referral_needs_where_and_when(jannick, ana):
    from django.core.exceptions import ValidationError

    signed_result(patient=jannick, key="phq9", answers=phq9(2), actor=ana)
    with pytest.raises(ValidationError):
        _respond(ana, jannick, outcome=Outcome.URGENT_REFERRAL)
    assert open_signals(jannick).count() == 1  # nothing half-written


def test_a_signal_is_overdue_after_one_working_day_skipping_the_weekend(jannick, ana):
    friday_noon = datetime(2026, 12, 4, 12, 0, tzinfo=LONDON)
    assert add_working_days(friday_noon, 1) == datetime(2026, 12, 7, 12, 0, tzinfo=LONDON)
    with time_machine.travel(friday_noon, tick=False) as traveller:
        signed_result(patient=jannick, key="phq9", answers=phq9(1), actor=ana)
        raised = open_signals(jannick).get().raised_at
        traveller.move_to(friday_noon + timedelta(days=2))  # Sunday noon: not yet
        assert not is_overdue(raised)
        traveller.move_to(friday_noon + timedelta(days=3, minutes=1))  # Monday 12:01
        assert is_overdue(raised)


def test_the_team_leads_review_lists_the_signal_first_and_overdue(jannick, ana, bob, client):
    friday_noon = datetime(2026, 12, 4, 12, 0, tzinfo=LONDON)
    with time_machine.travel(friday_noon, tick=False) as traveller:
        signed_result(patient=jannick, key="phq9", answers=phq9(1), actor=ana)
        client.force_login(bob)
        first_row = _first_attention_row(client)
        assert "Self-harm risk — response needed" in first_row
        assert "due by 7 Dec 2026" in first_row
        assert "overdue" not in first_row
        traveller.move_to(friday_noon + timedelta(days=4))  # Tuesday: past Monday noon
        client.force_login(bob)
        first_row = _first_attention_row(client)
        assert "Self-harm risk — response needed" in first_row
        assert "overdue since 7 Dec 2026" in first_row


def _first_attention_row(client):
    page = client.get(reverse("team:dashboard")).content.decode()
    attention = page.split('id="h-attention"')[1]
    return attention.split("<tbody>")[1].split("</tr>")[0]


def _link_session(jannick, ana):
    session = assessment.session_start(
        actor=ana,
        patient=jannick,
        episode=jannick.episodes.get(),
        time_point="first_visit",
        instrument_keys=["phq9"],
    )
    _link, token = assessment.patient_link_issue(actor=ana, session=session)
    return session, token


def test_answers_by_link_tell_the_care_team_at_once_without_signing(jannick, ana, client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ana.email = "ana@clinic.example"
    ana.save()
    session, token = _link_session(jannick, ana)
    phq = session.administrations.get()
    url = reverse("assessment:link", args=[token])
    data = {f"a{phq.pk}-item_{i}": "0" for i in range(1, 9)} | {f"a{phq.pk}-item_9": "1"}
    with pytest.MonkeyPatch.context():
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            sent = client.post(url, {**data, "send": "1"})
    body = sent.content.decode()
    # The patient sees the crisis contacts, prominently, in calm words.
    assert "If you are in danger now" in body
    assert "116 123" in body
    assert "999" in body
    phq.refresh_from_db()
    assert phq.state == "draft"  # nobody signed it, and the team knows anyway
    signal = open_signals(jannick).get()
    assert signal.source == "patient_link"
    assert Notification.objects.filter(user=ana, signal=signal).count() == 1
    assert unread_count(ana) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana@clinic.example"]
    assert "answered a question about self-harm" in message.body
    assert jannick.given_name not in message.body + message.subject  # no patient content
    assert "PHQ" not in message.body


def test_an_answer_saved_by_link_tells_the_team_before_the_patient_presses_send(
    jannick, ana, client
):
    # The page offers help and says the team will be in touch as soon as item 9 is answered
    # above 0: the team must then be told even if the patient closes the page without sending.
    session, token = _link_session(jannick, ana)
    phq = session.administrations.get()
    url = reverse("assessment:link", args=[token])
    saved = client.post(url, {f"a{phq.pk}-item_9": "1"}, HTTP_HX_REQUEST="true")
    assert "If you are in danger now" in saved.content.decode()
    assert open_signals(jannick).get().source == "patient_link"
    assert unread_count(ana) == 1
    # Sending later (with item 9 changed to 0) neither closes the signal nor notifies twice.
    data = {f"a{phq.pk}-item_{i}": "0" for i in range(1, 10)}
    client.post(url, {**data, "send": "1"})
    assert open_signals(jannick).count() == 1
    assert Notification.objects.filter(user=ana).count() == 1


def test_the_thank_you_page_always_gives_crisis_contacts(jannick, ana, client):
    session, token = _link_session(jannick, ana)
    phq = session.administrations.get()
    url = reverse("assessment:link", args=[token])
    data = {f"a{phq.pk}-item_{i}": "0" for i in range(1, 10)}
    body = client.post(url, {**data, "send": "1"}).content.decode()
    assert "If you need help before you see your clinician" in body
    assert "If you are in danger now" not in body
    assert "116 123" in body
    assert not open_signals(jannick).exists()


def test_notifications_page_lists_and_marks_read_audited(jannick, ana, client):
    session, token = _link_session(jannick, ana)
    phq = session.administrations.get()
    data = {f"a{phq.pk}-item_{i}": "0" for i in range(1, 9)} | {f"a{phq.pk}-item_9": "2"}
    client.post(reverse("assessment:link", args=[token]), {**data, "send": "1"})
    client.force_login(ana)
    page = client.get(reverse("caseload")).content.decode()
    assert 'data-testid="nav-notifications"' in page
    assert "1<span" in page
    assert 'data-testid="caseload-safety"' in page
    listing = client.get(reverse("safety:notifications")).content.decode()
    assert "answered a question about self-harm" in listing
    assert AuditEvent.objects.filter(object_type="safety.notification", action="view").exists()
    client.post(reverse("safety:notifications_read"))
    assert unread_count(ana) == 0
    assert AuditEvent.objects.filter(
        object_type="safety.notification", action="change", actor=ana
    ).exists()


def test_someone_without_access_to_the_record_sees_no_banner(jannick, ana, charlie):
    from django.template import Context, Template
    from django.test import RequestFactory

    signed_result(patient=jannick, key="phq9", answers=phq9(1), actor=ana)
    request = RequestFactory().get("/")
    request.user = charlie  # another team
    html = Template("{% load safety_tags %}{% safety_banner %}").render(
        Context({"patient": jannick, "request": request})
    )
    assert html.strip() == ""


def test_the_safety_plan_is_versioned_and_prints_with_crisis_contacts(jannick, ana, client):
    from django.core.exceptions import ValidationError

    first = services.safety_plan_save(
        actor=ana,
        patient=jannick,
        data={"warning_signs": "Not sleeping.", "internal_coping": "Walk the dog."},
        expected_version=0,
    )
    with pytest.raises(ValidationError):  # a change needs a reason
        services.safety_plan_save(
            actor=ana,
            patient=jannick,
            data={"warning_signs": "Not sleeping.", "internal_coping": "Call my brother."},
            expected_version=1,
        )
    second = services.safety_plan_save(
        actor=ana,
        patient=jannick,
        data={"warning_signs": "Not sleeping.", "internal_coping": "Call my brother."},
        expected_version=1,
        change_reason="Reviewed with Jannick.",
    )
    assert (first.version, second.version) == (1, 2)
    client.force_login(ana)
    url = reverse("safety:plan_print", kwargs={"patient_id": jannick.pk, "version": 2})
    body = client.get(url).content.decode()
    assert "Call my brother." in body
    assert "116 123" in body
    assert "NHS 111" in body
    assert AuditEvent.objects.filter(object_type="safety.safetyplan", action="export").exists()


def test_us_clinics_print_988(jannick, ana, client, settings):
    settings.CLINIC_CRISIS_CONTACTS = "us"
    services.safety_plan_save(
        actor=ana,
        patient=jannick,
        data={"warning_signs": "x", "internal_coping": "y"},
        expected_version=0,
    )
    client.force_login(ana)
    url = reverse("safety:plan_print", kwargs={"patient_id": jannick.pk, "version": 1})
    body = client.get(url).content.decode()
    assert "988" in body
    assert "116 123" not in body


def test_a_used_link_still_gives_crisis_contacts(jannick, ana, client):
    _session, token = _link_session(jannick, ana)
    url = reverse("assessment:link", args=[token])
    client.post(url, {"send": "1"})
    closed = client.get(url).content.decode()
    assert "If you need help now" in closed
    assert "116 123" in closed


def test_the_unread_badge_read_with_the_user_gives_way_to_a_notification_raised_since(
    jannick, ana, client
):
    """Whether Ana has unread notifications is read with her user, in the query every page
    makes anyway (issue #16). A notification this process raises or marks read after that
    read is never missed: the navigation then asks the database again."""
    client.force_login(ana)
    user = client.get(reverse("caseload")).wsgi_request.user
    assert user.safety_unread_any is False
    assert unread_count(user) == 0
    signed_result(patient=jannick, key="phq9", answers=phq9(1), actor=ana)
    Notification.objects.create(
        user=ana, patient=jannick, signal=open_signals(jannick).get(), message="x"
    )
    assert unread_count(user) == 1  # the answer read with the user is older than the change
    user = client.get(reverse("caseload")).wsgi_request.user
    assert user.safety_unread_any is True
    services.notification_mark_read(user=ana)
    assert unread_count(user) == 0
