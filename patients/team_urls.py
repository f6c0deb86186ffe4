from django.urls import path

from patients import emergency_views, team_views

app_name = "team"

urlpatterns = [
    path("team/", team_views.dashboard, name="dashboard"),
    path("team/settings/", team_views.settings, name="settings"),
    path("team/emergency-access/", emergency_views.review_list, name="emergency_reviews"),
    path(
        "team/emergency-access/<int:grant_id>/review/",
        emergency_views.review,
        name="emergency_review",
    ),
    path("team/patients/<uuid:patient_id>/", team_views.reassign, name="reassign"),
    path("team/patients/<uuid:patient_id>/notes/", team_views.note, name="note"),
]
