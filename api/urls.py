"""/api/v1/: every view declares its access (tests/test_access.py reads ``access_policy``)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import views
from api.permissions import API_AUTHENTICATED

app_name = "api"


def declared(view_class, **initkwargs):
    view = view_class.as_view(**initkwargs)
    view.access_policy = getattr(view_class, "access_policy", API_AUTHENTICATED)
    return view


P = "patients/<uuid:patient_id>/"
S = P + "sced-studies/<int:study_id>/"

urlpatterns = [
    path("schema/", declared(SpectacularAPIView), name="schema"),
    # Swagger UI with its start-up script as a file of its own (the CSP allows no inline script),
    # its files from drf-spectacular-sidecar (no CDN).
    path(
        "docs/",
        declared(
            SpectacularSwaggerSplitView,
            url_name="api:schema",
            template_name="api/swagger_ui.html",
        ),
        name="docs",
    ),
    path("patients/", declared(views.PatientList), name="patient_list"),
    path(P, declared(views.PatientDetail), name="patient_detail"),
    path(P + "episodes/", declared(views.EpisodeList), name="episode_list"),
    path(P + "fhir/", declared(views.FhirBundle), name="fhir_bundle"),
    path(P + "assessment-results/", declared(views.AssessmentResultList), name="result_list"),
    path(P + "assessment-drafts/", declared(views.AssessmentDraftCreate), name="draft_create"),
    path(P + "medications/", declared(views.MedicationList), name="medication_list"),
    path(P + "sced-studies/", declared(views.StudyList), name="study_list"),
    path(S, declared(views.StudyDetail), name="study_detail"),
    path(S + "measurements/", declared(views.MeasurementListCreate), name="measurement_list"),
    path(
        S + "measurements/<int:measurement_id>/",
        declared(views.MeasurementDetail),
        name="measurement_detail",
    ),
    path(S + "analyses/", declared(views.AnalysisList), name="analysis_list"),
]
