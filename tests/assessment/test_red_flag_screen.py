"""Ana screens Jannick for red flags: every item answered, nothing preselected; a referral stays
on Bob's attention list until its outcome is recorded; the screen says how little red flags
predict; a new screen is a new record."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from assessment import red_flags, services
from assessment.models import RedFlagScreen
from painclinic.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def _answers(**present):
    return {key: present.get(key, red_flags.ABSENT) for key in red_flags.ITEM_KEYS}


def _post(client, patient, **data):
    return client.post(reverse("assessment:red_flags", args=[patient.pk]), data)


def _refer(client, jannick, when=None):
    when = when or date.today()
    return _post(
        client,
        jannick,
        action="screen",
        screened_on=when.isoformat(),
        outcome="referred",
        referral_destination="spinal_on_call",
        referral_urgency="emergency",
        referral_date=when.isoformat(),
        **_answers(saddle_numbness=red_flags.PRESENT, bladder_bowel=red_flags.PRESENT),
    )


def _attention(client, bob):
    client.force_login(bob)
    return client.get(reverse("team:dashboard")).content.decode()


def test_the_screen_lists_every_item_with_nothing_preselected_and_says_its_limits(
    client, ana, jannick
):
    client.force_login(ana)
    page = client.get(reverse("assessment:red_flags", args=[jannick.pk]))
    content = page.content.decode()
    for _key, label, _hint in red_flags.ITEMS:
        assert label.replace("'", "&#x27;") in content
    assert "checked" not in content.split('id="red-flag-form"')[1]
    assert "predict serious disease poorly" in content
    assert "Sources" in content
    assert "Downie" in content
    assert "not_asked" not in content.split("</form>")[-1]  # no raw keys outside the inputs


def test_an_unanswered_item_is_refused_and_what_was_typed_is_kept(client, ana, jannick):
    client.force_login(ana)
    answers = _answers()
    del answers["history_of_cancer"]
    page = _post(
        client,
        jannick,
        action="screen",
        screened_on=date.today().isoformat(),
        outcome="cleared",
        rationale="Mechanical pattern",
        **answers,
    )
    assert page.status_code == 400
    assert "Choose present, absent or not asked." in page.content.decode()
    assert "Mechanical pattern" in page.content.decode()
    assert not RedFlagScreen.objects.exists()


def test_clearing_despite_a_present_flag_needs_the_reasoning(client, ana, jannick):
    client.force_login(ana)
    page = _post(
        client,
        jannick,
        action="screen",
        screened_on=date.today().isoformat(),
        outcome="cleared",
        **_answers(age_over_50=red_flags.PRESENT),
    )
    assert page.status_code == 400
    assert "say why it is cleared" in page.content.decode()
    assert not RedFlagScreen.objects.exists()


def test_a_referral_needs_where_how_urgent_and_when(client, ana, jannick):
    client.force_login(ana)
    page = _post(
        client,
        jannick,
        action="screen",
        screened_on=date.today().isoformat(),
        outcome="referred",
        **_answers(weight_loss=red_flags.PRESENT),
    )
    assert page.status_code == 400
    content = page.content.decode()
    assert "Say where the patient is referred." in content
    assert "Say how urgent the referral is." in content
    assert not RedFlagScreen.objects.exists()


def test_a_referral_stays_on_the_leads_list_until_its_outcome_is_recorded(
    client, ana, bob, jannick
):
    client.force_login(ana)
    assert _refer(client, jannick).status_code == 302
    screen = RedFlagScreen.objects.get()
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="assessment.redflagscreen"
    ).exists()

    content = _attention(client, bob)
    assert "Red-flag referral awaiting its outcome" in content
    assert "outcome not yet recorded" in content

    # A later screen that clears does not close the earlier referral's follow-up.
    client.force_login(ana)
    _post(
        client,
        jannick,
        action="screen",
        screened_on=date.today().isoformat(),
        outcome="cleared",
        **_answers(),
    )
    assert RedFlagScreen.objects.count() == 2
    assert "outcome not yet recorded" in _attention(client, bob)

    client.force_login(ana)
    refused = _post(client, jannick, action="outcome", referral_outcome="", referral_outcome_on="")
    assert refused.status_code == 400
    done = _post(
        client,
        jannick,
        action="outcome",
        referral_outcome="MRI: no cauda equina compression.",
        referral_outcome_on=date.today().isoformat(),
    )
    assert done.status_code == 302
    screen.refresh_from_db()
    assert not screen.referral_open
    assert screen.referral_outcome_by == ana
    assert "outcome not yet recorded" not in _attention(client, bob)
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGE, object_type="assessment.redflagscreen"
    ).exists()


def test_the_profile_and_formulation_show_the_screen_not_a_select(client, ana, jannick):
    client.force_login(ana)
    page = client.get(reverse("assessment:formulation", args=[jannick.pk])).content.decode()
    assert "not yet screened in this episode" in page
    assert 'name="red_flags"' not in page
    _refer(client, jannick, when=date.today() - timedelta(days=1))
    profile = client.get(reverse("assessment:profile", args=[jannick.pk])).content.decode()
    assert "outcome not yet recorded" in profile


def test_a_future_screen_is_refused(ana, jannick):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.red_flag_screen_record(
            actor=ana,
            episode=jannick.episodes.get(),
            data={
                **_answers(),
                "outcome": "cleared",
                "screened_on": date.today() + timedelta(days=2),
            },
        )


def test_the_pure_rule_lists_an_open_referral_whatever_the_episode_status():
    from review import rules as review

    facts = review.CaseFacts(
        episode_id=1,
        status="waiting",
        referral_date=date(2026, 1, 5),
        status_since=date(2026, 1, 5),
        red_flag_referral=(date(2026, 2, 3), "emergency"),
    )
    found = review.attention_for(facts, review.ReviewRules(), date(2026, 2, 10))
    assert found[0].list_key == review.RED_FLAG_REFERRAL
    assert found[0].reasons == (
        "Referred for red flags on 3 Feb 2026 (emergency); outcome not yet recorded.",
    )
