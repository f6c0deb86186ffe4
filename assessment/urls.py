from django.urls import path

from assessment import views

app_name = "assessment"

P = "patients/<uuid:patient_id>/assessment/"

urlpatterns = [
    path(P, views.session_list, name="sessions"),
    path(P + "sessions/<int:session_id>/", views.session_detail, name="session"),
    path(P + "sessions/<int:session_id>/link/", views.patient_link_issue, name="link_issue"),
    path(P + "sessions/<int:session_id>/discard/", views.session_discard, name="discard"),
    path(P + "sessions/<int:session_id>/end/", views.session_end, name="end"),
    path(
        P + "sessions/<int:session_id>/work-and-healthcare/",
        views.work_and_healthcare,
        name="work_and_healthcare",
    ),
    path(
        P + "results/<int:administration_id>/",
        views.administration_form,
        name="administration",
    ),
    path(
        P + "results/<int:administration_id>/preview/",
        views.score_preview,
        name="score_preview",
    ),
    path(
        P + "results/<int:administration_id>/amend/",
        views.administration_amend,
        name="amend",
    ),
    path(P + "profile/", views.profile, name="profile"),
    path(P + "profile/charts/<slug:key>.png", views.profile_chart, name="chart"),
    path(P + "profile/decision/", views.matched_care_decide, name="decide"),
    path(P + "formulation/", views.formulation, name="formulation"),
    path(P + "red-flags/", views.red_flag_screen, name="red_flags"),
    path(P + "summary/", views.summary, name="summary"),
    path("p/<str:token>/", views.patient_link, name="link"),
    # The clinic's licensed wording of the questionnaires (issue #14): team leads and admins.
    path("questionnaire-wording/", views.item_text_list, name="item_texts"),
    path("questionnaire-wording/<slug:key>/", views.item_text_upload, name="item_text"),
    path(
        "questionnaire-wording/<slug:key>/retire/", views.item_text_retire, name="item_text_retire"
    ),
]
