from django.urls import path

from patients import emergency_views, views

app_name = "patients"

urlpatterns = [
    path("", views.patient_list, name="list"),
    path("register/", views.patient_register, name="register"),
    path("emergency-access/", emergency_views.request_access, name="emergency_access"),
    path("<uuid:patient_id>/", views.patient_detail, name="detail"),
    path("<uuid:patient_id>/edit/", views.patient_edit, name="edit"),
    path("<uuid:patient_id>/consent/", views.consent, name="consent"),
    path("<uuid:patient_id>/safeguarding/", views.safeguarding, name="safeguarding"),
    path("<uuid:patient_id>/care-team/", views.care_team, name="care_team"),
    path("<uuid:patient_id>/episodes/new/", views.episode_new, name="episode_new"),
    path(
        "<uuid:patient_id>/episodes/<int:episode_id>/follow-ups/",
        views.follow_ups,
        name="follow_ups",
    ),
    path(
        "<uuid:patient_id>/episodes/<int:episode_id>/contacts/",
        views.contact_add,
        name="contact_add",
    ),
    path(
        "<uuid:patient_id>/episodes/<int:episode_id>/change/",
        views.episode_change,
        name="episode_change",
    ),
    path(
        "<uuid:patient_id>/episodes/<int:episode_id>/status/",
        views.episode_status,
        name="episode_status",
    ),
    path(
        "<uuid:patient_id>/episodes/<int:episode_id>/review/",
        views.episode_review,
        name="episode_review",
    ),
    path(
        "<uuid:patient_id>/episodes/<int:episode_id>/triage/",
        views.episode_triage,
        name="episode_triage",
    ),
    path(
        "<uuid:patient_id>/review-notes/<int:note_id>/read/",
        views.review_note_acknowledge,
        name="review_note_read",
    ),
]
