from django.urls import path

from education import views

app_name = "education"

P = "patients/<uuid:patient_id>/education/"

urlpatterns = [
    path(P, views.patient_education, name="patient"),
    path(f"{P}contacts/<int:contact_id>/", views.contact_record, name="contact"),
    path("education/curriculum/", views.curriculum, name="curriculum"),
    path("education/curriculum/change/", views.curriculum_change, name="curriculum_change"),
    path("education/techniques/", views.technique_summary, name="techniques"),
]
