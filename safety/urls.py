from django.urls import path

from safety import views

app_name = "safety"

P = "patients/<uuid:patient_id>/safety/"

urlpatterns = [
    path(P, views.patient_safety, name="patient"),
    path(f"{P}raise/", views.signal_raise, name="raise"),
    path(f"{P}assessment/", views.assessment_record, name="assessment"),
    path(f"{P}plan/", views.plan_edit, name="plan"),
    path(f"{P}plan/<int:version>/print/", views.plan_print, name="plan_print"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
]
