from django.urls import path

from interop import views

app_name = "interop"

urlpatterns = [
    path(
        "patients/<uuid:patient_id>/export/fhir/",
        views.patient_fhir_export,
        name="patient_fhir",
    ),
    path("export/fhir/questionnaires/", views.questionnaires_export, name="questionnaires"),
    path("export/research/", views.research_export, name="research_export"),
    path(
        "export/research/sced.zip",
        views.research_export_download,
        name="research_export_download",
    ),
]
