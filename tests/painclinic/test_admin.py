"""The Django admin is for accounts, teams and configuration; it is no way around the record's
rules (issue #9). This walks EVERY model registered in the admin: a model that leads to a patient
is read-only there and each admin page that shows it writes one VIEW event per record shown; the
models left editable lead to no patient at all."""

from __future__ import annotations

from collections import deque

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from painclinic.admin import ClinicalRecordAdmin
from painclinic.models import AuditAction, AuditEvent, Role, User
from patients.models import Contact, Episode, Patient

# The audit log has its own rules (read-only; shows the patient by record id only).
LOG_MODELS = {AuditEvent}


def patient_path(model, depth: int = 5) -> str | None:
    """The ORM path from a model to its patient, found by walking foreign keys (independently of
    the admin's own ``patient_path``), or None when the model leads to no patient."""
    if model is Patient:
        return "pk"
    queue = deque([(model, "")])
    seen = {model}
    while queue:
        current, path = queue.popleft()
        if path.count("__") >= depth:
            continue
        for field in current._meta.get_fields():
            if not (field.many_to_one or field.one_to_one) or not field.concrete:
                continue
            target, step = field.related_model, f"{path}__{field.name}" if path else field.name
            if target is Patient:
                return step
            if target not in seen:
                seen.add(target)
                queue.append((target, step))
    return None


def registered():
    return [(model, model_admin) for model, model_admin in admin.site._registry.items()]


def clinical():
    return [
        (model, model_admin)
        for model, model_admin in registered()
        if model not in LOG_MODELS and patient_path(model) is not None
    ]


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def site_admin(django_user_model):
    return django_user_model.objects.create_superuser(
        "admin", "", "correct horse battery staple", role=Role.TEAM_LEAD
    )


@pytest.fixture
def demo(db):
    call_command("seed_demo", patients=4, stdout=None)
    call_command("seed_clinical_demo", stdout=None)
    call_command("seed_pmp", stdout=None)


# Clinical records deliberately NOT in the admin: they are read (access-checked, audited) and
# changed (through the services) in the app only. A new model that leads to a patient must be
# registered read-only (ClinicalRecordAdmin or a ClinicalInline) or be added here on purpose.
NOT_IN_ADMIN = {
    "safety.notification",  # a user's own inbox
    "patients.reviewnote",
    "patients.leadchange",
    "patients.careteamchange",  # shown on the care-team page and the timeline (issue #13)
    "patients.followupcall",  # its own page per episode (issue #13)
    "assessment.assessmentsession",
    "assessment.administration",
    "assessment.amendment",
    "assessment.patientlink",
    "assessment.matchedcaredecision",
    "assessment.formulation",
    # The first/latest result per episode and instrument: derived by the services, read by the
    # team review (issue #16); the administrations it points at are the record.
    "assessment.resultsummary",
    "treatment.planintervention",
    "treatment.suggestionrecord",
    "treatment.goalreview",
    "treatment.goalreviewamendment",
    "treatment.exposuresession",
    "treatment.pacingschedulechange",
    "treatment.pacinglogentry",
    "sced.measurementamendment",
    "sced.analysisplot",
    "programmes.enrolment",
    "programmes.enrolmentstatechange",
    "programmes.suitabilityscreening",
    "programmes.attendance",
    "programmes.groupclimaterating",
    "programmes.groupclimateamendment",
    "programmes.outcomescore",
    "programmes.outcomescoreamendment",
    "education.topiccovered",  # shown through education.services and its record page
    "education.techniqueused",
    # A supervisor's rating of a clinician (issue #13): staff supervision, read in the app only by
    # the clinician and their team lead (quality.selectors.ratings_visible_to).
    "quality.supervisorrating",
    # MDT (issue #13): the flag, the minutes and actions are read on the audited MDT pages.
    "patients.mdtflag",
    "mdt.discussion",
    "mdt.action",
}


def _inlines():
    """(parent admin, inline class) for every inline of every registered admin."""
    return [
        (model_admin, inline) for _, model_admin in registered() for inline in model_admin.inlines
    ]


def test_every_clinical_model_is_read_only_in_the_admin_or_deliberately_left_out():
    from django.apps import apps

    from painclinic.admin import ClinicalInline

    shown_read_only = {
        model for model, model_admin in clinical() if isinstance(model_admin, ClinicalRecordAdmin)
    } | {
        inline.model
        for parent, inline in _inlines()
        if isinstance(parent, ClinicalRecordAdmin) and issubclass(inline, ClinicalInline)
    }
    undecided = [
        model._meta.label_lower
        for model in apps.get_models()
        if patient_path(model) is not None
        and model not in LOG_MODELS
        and model not in shown_read_only
        and model._meta.label_lower not in NOT_IN_ADMIN
    ]
    assert undecided == [], (
        f"clinical models neither read-only in the admin nor left out: {undecided}"
    )
    listed_anyway = [
        model._meta.label_lower
        for model in admin.site._registry
        if model._meta.label_lower in NOT_IN_ADMIN
    ]
    assert listed_anyway == []


def test_no_admin_edits_a_clinical_model_through_an_inline():
    from painclinic.admin import ClinicalInline

    editable = [
        f"{inline.model._meta.label} in {type(parent).__name__}"
        for parent, inline in _inlines()
        if patient_path(inline.model) is not None and not issubclass(inline, ClinicalInline)
    ]
    assert editable == []


def test_the_walk_finds_the_clinical_models():
    # Guards the walk itself: if it found nothing, every test below would pass vacuously.
    models = {model for model, _ in clinical()}
    assert {Patient, Episode, Contact} <= models
    assert len(models) >= 12


def test_every_model_left_editable_in_the_admin_leads_to_no_patient():
    editable = [
        model
        for model, model_admin in registered()
        if not isinstance(model_admin, ClinicalRecordAdmin) and model not in LOG_MODELS
    ]
    assert editable, "accounts and configuration stay editable"
    leaking = [model._meta.label for model in editable if patient_path(model) is not None]
    assert leaking == [], f"clinical models editable in the admin: {leaking}"


@pytest.mark.django_db
def test_clinical_models_refuse_add_change_and_delete(rf, site_admin):
    request = rf.get("/admin/")
    request.user = site_admin
    for model, model_admin in clinical() + [(m, admin.site._registry[m]) for m in LOG_MODELS]:
        name = model._meta.label
        assert isinstance(model_admin, ClinicalRecordAdmin) or model in LOG_MODELS, name
        assert not model_admin.has_add_permission(request), name
        assert not model_admin.has_change_permission(request), name
        assert not model_admin.has_delete_permission(request), name
        assert model_admin.has_view_permission(request), name
        assert not model_admin.get_actions(request), name  # no bulk delete either
        for inline in model_admin.get_inline_instances(request):
            assert not inline.has_add_permission(request, None), name
            assert not inline.has_change_permission(request), name
            assert not inline.has_delete_permission(request), name


@pytest.mark.django_db
def test_admin_changing_jannicks_phone_is_refused_and_nothing_changes(client, site_admin, demo):
    jannick = Patient.objects.get(identifier="DEMO-JANNICK")
    client.force_login(site_admin)
    response = client.post(_url(Patient, "change", jannick.pk), {"phone": "07700 900999"})
    assert response.status_code == 403
    contact = Contact.objects.filter(episode__patient=jannick).first()
    assert client.post(_url(Contact, "change", contact.pk), {"note": "x"}).status_code == 403
    assert client.post(_url(Patient, "add"), {"identifier": "X"}).status_code == 403
    episode = jannick.episodes.get()
    priya = User.objects.get(username="priya")
    changed_lead = {"lead_clinician": priya.pk, "care_team-TOTAL_FORMS": "1"}
    assert client.post(_url(Episode, "change", episode.pk), changed_lead).status_code == 403
    episode.refresh_from_db()
    assert episode.lead_clinician.username == "ana"
    assert not episode.care_team.filter(user=priya).exists()
    assert client.post(_url(Patient, "delete", jannick.pk), {"post": "yes"}).status_code == 403
    jannick.refresh_from_db()
    assert jannick.phone == "07700 900123"


@pytest.mark.django_db
def test_every_admin_page_showing_patient_data_audits_each_record_shown(client, site_admin, demo):
    client.force_login(site_admin)
    looked_at = set()
    for model, _ in clinical():
        path = patient_path(model)
        expected = dict(model._default_manager.values_list("pk", path))
        before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        response = client.get(_url(model, "changelist"))
        assert response.status_code == 200, model._meta.label
        listed = {obj.pk for obj in response.context["cl"].result_list}
        events = AuditEvent.objects.filter(id__gt=before)
        assert all(e.action == AuditAction.VIEW and e.actor == site_admin for e in events)
        assert sorted((e.object_id, e.patient_id) for e in events) == sorted(
            (str(pk), expected[pk]) for pk in listed
        ), f"{model._meta.label}: the list page must audit each record it listed"
        if not listed:
            continue
        looked_at.add(model)
        pk = next(iter(listed))
        for view in ("change", "history"):
            before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
            assert client.get(_url(model, view, pk)).status_code == 200
            events = list(AuditEvent.objects.filter(id__gt=before))
            assert [(e.action, e.object_id, e.patient_id) for e in events] == [
                (AuditAction.VIEW, str(pk), expected[pk])
            ], f"{model._meta.label} {view} page"
            assert events[0].object_type == model._meta.label_lower
    # The demo gives rows to most clinical models, so the walk really looked at pages.
    assert {Patient, Episode, Contact} <= looked_at
    assert len(looked_at) >= 8


@pytest.mark.django_db
def test_the_audit_log_in_the_admin_names_no_patient(client, site_admin, demo):
    jannick = Patient.objects.get(identifier="DEMO-JANNICK")
    client.force_login(site_admin)
    client.get(_url(Patient, "change", jannick.pk))
    event = AuditEvent.objects.filter(patient=jannick).latest("id")
    for url in (_url(AuditEvent, "changelist"), _url(AuditEvent, "change", event.pk)):
        page = client.get(url).content.decode()
        assert "Jannick" not in page
        assert "de Vries" not in page
