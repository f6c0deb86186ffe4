"""Routes of the MDT case conferences (issue #13), namespace ``mdt``."""

from django.urls import path

from mdt import views

app_name = "mdt"

urlpatterns = [
    path("mdt/", views.index, name="index"),
    path("mdt/prepare/", views.prepare, name="prepare"),
    path("mdt/<int:conference_id>/", views.conference, name="conference"),
    path(
        "mdt/<int:conference_id>/discussions/<int:discussion_id>/",
        views.discussion,
        name="discussion",
    ),
    path(
        "mdt/<int:conference_id>/discussions/<int:discussion_id>/actions/",
        views.action_add,
        name="action_add",
    ),
    path("mdt/actions/<int:action_id>/done/", views.action_done, name="action_done"),
    path("patients/<uuid:patient_id>/mdt/", views.patient_section, name="patient_section"),
    path("patients/<uuid:patient_id>/mdt/flag/", views.patient_flag, name="patient_flag"),
]
