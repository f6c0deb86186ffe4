"""The leak suite: every URL declares its access decision, and every patient-scoped URL answers
each member of the cast as the policy says (security.md C1/C2; paperless-style leak tests).

This is the one run of the persona matrix over every app's patient URLs (each app adds its URL
parameters in tests/<app>/access_kwargs.py); the apps' own access tests check their audit trail
and that their pages are found here, without running the matrix again (issue #9: it ran 3 times).
"""

from __future__ import annotations

import importlib

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from painclinic import access
from patients.models import Episode

OUR_APPS = (
    "painclinic.",
    "patients.",
    "assessment.",
    "treatment.",
    "sced.",
    "medicines.",
    "safety.",
    "quality.",
    "review.",
    "api.",  # the HTTP API: its matrix over the personas is tests/api/test_access_matrix.py
    "rest_framework.",
    "drf_spectacular.",
    "education.",
    "mdt.",
)


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{entry.namespace}:" if entry.namespace else ""
            yield from _walk(entry.url_patterns, prefix + namespace)
        elif isinstance(entry, URLPattern):
            yield prefix + (entry.name or ""), entry


def our_urls():
    for name, pattern in _walk(get_resolver().url_patterns):
        if name.startswith("admin:"):
            # The admin site guards its own pages (staff only); tests/painclinic/test_admin.py
            # holds its clinical pages read-only and audited.
            continue
        module = getattr(pattern.callback, "__module__", "") or ""
        if module.startswith(OUR_APPS) or (name and not name.startswith("admin:")):
            yield name, pattern


def patient_urls():
    return [
        (name, pattern)
        for name, pattern in our_urls()
        if getattr(pattern.callback, "access_policy", None)
        in (access.PATIENT_READ, access.PATIENT_WRITE)
    ]


def test_every_url_of_ours_declares_an_access_decision():
    undecided = [
        name
        for name, pattern in our_urls()
        if getattr(pattern.callback, "access_policy", None) is None
    ]
    assert undecided == [], (
        f"views without an access decision (wrap them with painclinic.access.* or patients.access.patient_view): {undecided}"
    )


def test_patient_urls_are_found():
    # Guards the suite itself: if the walk found nothing, every matrix test would pass vacuously.
    names = {name for name, _ in patient_urls()}
    assert {"patients:detail", "patients:edit", "patients:contact_add"} <= names


def _kwargs_for(pattern: URLPattern, patient, known: dict) -> dict:
    missing = set(pattern.pattern.converters) - set(known)
    assert not missing, (
        f"add a fixture value for URL parameter(s) {missing} in tests/test_access.py"
    )
    return {key: known[key] for key in pattern.pattern.converters}


def url_parameters_for(patient, actor) -> dict:
    """Values for every URL parameter: each app creates its own objects for the patient."""
    episode = Episode.objects.filter(patient=patient).first()
    known = {"patient_id": patient.pk, "episode_id": episode.pk}
    for app in (
        "patients",
        "assessment",
        "treatment",
        "sced",
        "programmes",
        "medicines",
        "safety",
        "api",
        "education",
        "quality",
        "mdt",
    ):
        module = importlib.import_module(f"tests.{app}.access_kwargs")
        known.update(module.url_kwargs(patient, actor))
    return known


# Expected outcome per persona for Jannick's record. Jannick is on Ana's caseload in the North team.
#   "ok": the page answers (200 for GET; for POST 302 after a valid write or 400 for a form error)
#   404: the record is out of reach and its existence is not confirmed
#   "login": anonymous users are sent to the login page
PERSONAS = {
    "ana": "ok",  # on the care team
    "bob": "ok",  # leads the North team
    "dina": 404,  # same team, not on the care team: clinicians see their care-team patients only
    "charlie": 404,  # another team
    "fay": 404,  # leads another team
    "priya": 404,  # programme admin, not on the care team: no clinical detail
    "anonymous": "login",
}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", sorted(PERSONAS))
@pytest.mark.parametrize("method", ["get", "post"])
def test_patient_urls_answer_each_persona_as_the_policy_says(
    client, jannick, ana, bob, dina, charlie, fay, priya, persona, method
):
    users = {"ana": ana, "bob": bob, "dina": dina, "charlie": charlie, "fay": fay, "priya": priya}
    if persona != "anonymous":
        client.force_login(users[persona])
    expected = PERSONAS[persona]
    known = url_parameters_for(jannick, ana)
    leaks = []
    for name, pattern in patient_urls():
        url = reverse(name, kwargs=_kwargs_for(pattern, jannick, known))
        response = getattr(client, method)(url, {})
        status = response.status_code
        if status == 405:
            continue  # the view does not take this method at all
        if expected == "ok":
            good = status in (200, 302, 400)
            if status == 302:
                good = "/login/" not in response["Location"]
        elif expected == "login":
            good = status == 302 and "/login/" in response["Location"]
        else:
            good = status == expected
            if b"Jannick" in response.content:  # a 404 must not confirm whose record it is
                leaks.append(f"{method.upper()} {name} shows Jannick's name")
        if not good:
            leaks.append(f"{method.upper()} {name} -> {status} (expected {expected})")
    assert leaks == [], f"{persona}: " + "; ".join(leaks)


@pytest.mark.django_db
def test_charlie_from_another_team_gets_404_not_403_for_jannicks_record(client, jannick, charlie):
    client.force_login(charlie)
    response = client.get(reverse("patients:detail", kwargs={"patient_id": jannick.pk}))
    assert response.status_code == 404
    assert b"Jannick" not in response.content


@pytest.mark.django_db
def test_an_unknown_patient_id_is_the_same_404_as_a_hidden_one(client, ana):
    import uuid

    client.force_login(ana)
    response = client.get(reverse("patients:detail", kwargs={"patient_id": uuid.uuid4()}))
    assert response.status_code == 404


@pytest.mark.django_db
def test_lists_show_only_reachable_patients(client, jannick, susan, charlie, dina):
    from tests.factories import EpisodeFactory

    EpisodeFactory(
        lead_clinician=charlie,
        team=charlie.teams.first(),
        care_team=[charlie],
        patient__given_name="Carmen",
        patient__family_name="Ortiz",
    )
    client.force_login(charlie)
    for url in (reverse("caseload"), reverse("patients:list")):
        content = client.get(url).content.decode()
        assert "Carmen" in content
        assert "Jannick" not in content, f"leaked on {url}"
        assert "Susan" not in content, f"leaked on {url}"
    client.force_login(dina)
    assert "Jannick" not in client.get(reverse("patients:list")).content.decode()


@pytest.mark.django_db
def test_team_lead_lists_every_patient_of_the_team_but_not_other_teams(
    client, jannick, bob, charlie
):
    from tests.factories import EpisodeFactory

    EpisodeFactory(
        lead_clinician=charlie,
        team=charlie.teams.first(),
        care_team=[charlie],
        patient__given_name="Carmen",
        patient__family_name="Ortiz",
    )
    client.force_login(bob)
    content = client.get(reverse("patients:list")).content.decode()
    assert "Jannick" in content
    assert "Carmen" not in content


@pytest.mark.django_db
def test_inactive_user_sees_nothing(client, jannick, ana):
    client.force_login(ana)
    ana.is_active = False
    ana.save()
    response = client.get(reverse("patients:detail", kwargs={"patient_id": jannick.pk}))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name", ["audit_log", "audit_log_export", "worker_health", "clinic_details"]
)
def test_team_lead_pages_refuse_clinicians(client, ana, bob, url_name):
    client.force_login(ana)
    assert client.get(reverse(url_name)).status_code == 403
    client.force_login(bob)
    assert client.get(reverse(url_name)).status_code == 200


# The clinic's licensed questionnaire wording (issue #14): team leads and the site's staff only.
ITEM_TEXT_URLS = (
    ("assessment:item_texts", {}, "get"),
    ("assessment:item_text", {"key": "tsk11"}, "get"),
    ("assessment:item_text", {"key": "tsk11"}, "post"),
    ("assessment:item_text_retire", {"key": "tsk11"}, "post"),
)


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "kwargs", "method"), ITEM_TEXT_URLS)
def test_only_team_leads_and_staff_reach_the_questionnaire_wording_pages(
    client, ana, bob, fay, priya, url_name, kwargs, method
):
    from tests.factories import UserFactory

    url = reverse(url_name, kwargs=kwargs)
    answer = getattr(client, method)(url, {})
    assert answer.status_code == 302
    assert "/login/" in answer["Location"]
    for refused in (ana, priya):
        client.force_login(refused)
        assert getattr(client, method)(url, {}).status_code == 403, refused
    staff = UserFactory(username="site-staff", is_staff=True)
    for allowed in (bob, fay, staff):  # the wording is the clinic's, not one team's
        client.force_login(allowed)
        status = getattr(client, method)(url, {}).status_code
        assert status in (200, 302, 400), (allowed, status)


def test_the_wording_pages_are_in_the_resolver_walk():
    names = {name for name, _ in our_urls()}
    assert {name for name, _kwargs, _method in ITEM_TEXT_URLS} <= names
