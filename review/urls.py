"""Routes of the review app: the clinician's caseload (no namespace: ``caseload``) and the team
lead's pages under the ``team`` namespace (their names and paths unchanged since they moved here
from patients/)."""

from django.urls import include, path

from patients import emergency_views
from review import views

team_patterns = [
    path("team/", views.dashboard, name="dashboard"),
    path("team/settings/", views.settings, name="settings"),
    path("team/export.csv", views.export, name="export"),
    path("team/outcomes/", views.outcomes, name="outcomes"),
    path("team/outcomes/chart.png", views.outcomes_chart, name="outcomes_chart"),
    path("team/waiting-list/", views.waiting_list, name="waiting_list"),
    path("team/waiting-list/export.csv", views.waiting_list_export, name="waiting_list_export"),
    path("team/emergency-access/", emergency_views.review_list, name="emergency_reviews"),
    path(
        "team/emergency-access/<int:grant_id>/review/",
        emergency_views.review,
        name="emergency_review",
    ),
    path("team/patients/<uuid:patient_id>/", views.reassign, name="reassign"),
    path("team/patients/<uuid:patient_id>/notes/", views.note, name="note"),
]

urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("", include((team_patterns, "team"))),
]
