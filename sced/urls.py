from django.urls import path

from sced import views

app_name = "sced"

P = "patients/<uuid:patient_id>/sced/"
S = P + "<int:study_id>/"

urlpatterns = [
    path(P, views.study_list, name="study_list"),
    path(P + "new/", views.study_create, name="study_create"),
    path(P + "summary/", views.patient_summary, name="patient_summary"),
    path(S, views.study_detail, name="study_detail"),
    path(S + "results/", views.results_panel, name="results_panel"),
    path(S + "measures/new/", views.measure_edit, name="measure_add"),
    path(S + "measures/<int:measure_id>/", views.measure_edit, name="measure_edit"),
    path(S + "randomize/", views.study_randomize, name="study_randomize"),
    path(S + "criteria/", views.study_criterion_set, name="study_criterion_set"),
    path(S + "values/", views.measurement_add, name="measurement_add"),
    path(S + "backfill/", views.measurements_backfill, name="measurements_backfill"),
    path(S + "values/session/", views.measurements_session, name="measurements_session"),
    path(S + "import/", views.measurements_import, name="measurements_import"),
    path(S + "export.csv", views.measurements_export, name="measurements_export"),
    path(
        S + "values/<int:measurement_id>/amend/",
        views.measurement_amend,
        name="measurement_amend",
    ),
    path(
        S + "values/<int:measurement_id>/strike-out/",
        views.measurement_strike_out,
        name="measurement_strike_out",
    ),
    path(S + "close/", views.study_close, name="study_close"),
    path(S + "diary-links/", views.diary_link_issue, name="diary_link_issue"),
    path(
        S + "diary-links/<int:link_id>/revoke/", views.diary_link_revoke, name="diary_link_revoke"
    ),
    path(S + "runs/<int:run_id>/retry/", views.analysis_retry, name="analysis_retry"),
    path(
        S + "runs/<int:run_id>/plots/<int:plot_id>.<str:fmt>",
        views.plot_image,
        name="plot_image",
    ),
    path(S + "runs/<int:run_id>/measures.svg", views.measures_plot, name="measures_plot"),
    # The patient's daily diary: public, reachable only with the token (sced_diary/*).
    path("d/<str:token>/", views.diary, name="diary"),
]
