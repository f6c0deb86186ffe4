from django.urls import path

from programmes import views

app_name = "programmes"

urlpatterns = [
    path("programmes/", views.programme_list, name="list"),
    path("programmes/<int:programme_id>/cohorts/new/", views.cohort_create, name="cohort_create"),
    path("programmes/cohorts/<int:cohort_id>/", views.cohort_detail, name="cohort"),
    path("programmes/cohorts/<int:cohort_id>/staff/", views.staff_add, name="staff_add"),
    path("programmes/cohorts/<int:cohort_id>/sessions/", views.sessions_add, name="sessions_add"),
    path(
        "programmes/cohorts/<int:cohort_id>/sessions/<int:session_id>/attendance/",
        views.attendance,
        name="attendance",
    ),
    path(
        "programmes/cohorts/<int:cohort_id>/sessions/<int:session_id>/gcqs/",
        views.climate,
        name="climate",
    ),
    path("programmes/cohorts/<int:cohort_id>/outcomes/", views.cohort_outcomes, name="outcomes"),
    path(
        "programmes/cohorts/<int:cohort_id>/outcomes/windows/",
        views.outcome_windows,
        name="outcome_windows",
    ),
    path(
        "programmes/cohorts/<int:cohort_id>/outcomes.csv",
        views.cohort_outcomes_csv,
        name="outcomes_csv",
    ),
    path(
        "programmes/cohorts/<int:cohort_id>/participant-outcomes.csv",
        views.cohort_participants_csv,
        name="participants_csv",
    ),
    path("programmes/enrolments/<int:enrolment_id>/", views.enrolment_detail, name="enrolment"),
    path("programmes/enrolments/<int:enrolment_id>/screening/", views.screening, name="screening"),
    path("programmes/enrolments/<int:enrolment_id>/step/", views.transition, name="transition"),
    path("programmes/enrolments/<int:enrolment_id>/scores/", views.outcome, name="outcome"),
    path("patients/<uuid:patient_id>/programmes/refer/", views.refer, name="refer"),
    path(
        "patients/<uuid:patient_id>/programmes/<int:enrolment_id>/screening/",
        views.refer_screening,
        name="refer_screening",
    ),
]
