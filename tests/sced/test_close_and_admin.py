"""Ana closes a study when data collection ends; the admin shows studies read-only."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse

from painclinic.models import AuditAction, AuditEvent
from sced import services
from sced.models import AnalysisRun, Draw, Measurement, Study, StudyState
from tests.sced.conftest import fill


@pytest.mark.django_db
def test_closing_keeps_the_data_and_analysis_and_stops_entry(
    client, ana, jannick, ab_study, django_capture_on_commit_callbacks
):
    services.study_randomize(actor=ana, study=ab_study, seed=5)
    with django_capture_on_commit_callbacks(execute=True):
        fill(ab_study, ana, [8, 7])
    client.force_login(ana)
    kwargs = {"patient_id": jannick.pk, "study_id": ab_study.pk}
    close = reverse("sced:study_close", kwargs=kwargs)
    assert client.post(close, {}).status_code == 400  # not confirmed
    assert Study.objects.get(pk=ab_study.pk).state != StudyState.CLOSED
    assert client.post(close, {"close-confirm": "on"}).status_code == 302
    study = Study.objects.get(pk=ab_study.pk)
    assert study.state == StudyState.CLOSED
    assert study.closed_by == ana
    assert study.closed_at
    assert AuditEvent.objects.filter(
        actor=ana,
        patient=jannick,
        action=AuditAction.CHANGE,
        object_type="sced.study",
        changed_fields=["closed_at", "closed_by", "state"],
    ).exists()
    with pytest.raises(ValidationError, match="closed"):
        services.measurement_record(actor=ana, measure=study.measures.first(), value=5, session=3)
    response = client.post(
        reverse("sced:measurement_add", kwargs=kwargs),
        {"entry-measure": study.measures.first().pk, "entry-session": 3, "entry-value": 5},
    )
    assert response.status_code == 400
    assert "The study is closed." in response.content.decode()
    with pytest.raises(ValidationError, match="already closed"):
        services.study_close(actor=ana, study=study)
    assert Measurement.objects.count() == 2
    assert AnalysisRun.objects.filter(study=study).count() == 1
    page = client.get(reverse("sced:study_detail", kwargs=kwargs)).content.decode()
    assert "Closed by" in page
    assert 'id="entry"' not in page
    assert "Analysis" in page


@pytest.mark.django_db
def test_the_admin_is_read_only_and_never_deletes_measurements(rf, ana, ab_study):
    from sced.models import AnalysisRun, DiaryLink

    request = rf.get("/admin/")
    request.user = ana
    for model in (Study, Draw, AnalysisRun, Measurement, DiaryLink):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
    measurement_admin = admin.site._registry[Measurement]
    assert measurement_admin.get_actions(request) == {}
    assert "token_hash" in admin.site._registry[DiaryLink].exclude


@pytest.mark.django_db
def test_a_superuser_can_look_at_studies_in_the_admin(client, ab_study, django_user_model):
    boss = django_user_model.objects.create_superuser("root", "root@example.org", "x" * 16)
    client.force_login(boss)
    assert client.get(reverse("admin:sced_study_changelist")).status_code == 200
    assert client.get(reverse("admin:sced_study_change", args=[ab_study.pk])).status_code == 200
    assert client.get(reverse("admin:sced_measurement_changelist")).status_code == 200
