from django.urls import path

from patients import team_views

app_name = "team"

urlpatterns = [
    path("team/", team_views.dashboard, name="dashboard"),
    path("team/settings/", team_views.settings, name="settings"),
    path("team/patients/<uuid:patient_id>/", team_views.reassign, name="reassign"),
    path("team/patients/<uuid:patient_id>/notes/", team_views.note, name="note"),
]
