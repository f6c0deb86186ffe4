from django.urls import path

from medicines import views

app_name = "medicines"

P = "patients/<uuid:patient_id>/medicines/"

urlpatterns = [
    path("team/opioid-review/", views.opioid_review, name="opioid_review"),
    path(P, views.medicine_list, name="list"),
    path(f"{P}new/", views.medication_add, name="add"),
    path(f"{P}<int:medication_id>/change/", views.medication_change, name="change"),
    path(f"{P}<int:medication_id>/history/", views.medication_history, name="history"),
    path(f"{P}ome/recompute/", views.ome_recompute, name="ome_recompute"),
    path(f"{P}naloxone/", views.naloxone, name="naloxone"),
    path(f"{P}taper/", views.taper_plan, name="taper"),
    path(f"{P}taper/steps/new/", views.taper_step, name="taper_step"),
    path(f"{P}ome.svg", views.ome_chart, name="ome_chart"),
    path(f"{P}ome-outcomes.svg", views.ome_outcomes_chart, name="ome_outcomes_chart"),
]
