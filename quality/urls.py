from django.urls import path

from quality import views

app_name = "quality"

urlpatterns = [
    path("quality/ratings/", views.ratings, name="ratings"),
    path("quality/ratings/new/<slug:scale>/", views.rating_new, name="rating_new"),
    path("quality/ratings/<int:rating_id>/", views.rating_detail, name="rating"),
    path("quality/outcomes/", views.outcomes, name="outcomes"),
    path("patients/<uuid:patient_id>/alliance/", views.alliance_page, name="alliance"),
    path(
        "patients/<uuid:patient_id>/alliance/chart.png", views.alliance_chart, name="alliance_chart"
    ),
]
