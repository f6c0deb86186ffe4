from django.contrib import admin
from django.urls import include, path

from painclinic import mfa_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("mfa/verify/", mfa_views.verify, name="mfa_verify"),
    path("mfa/setup/", mfa_views.setup, name="mfa_setup"),
    path("mfa/recovery-codes/", mfa_views.recovery_codes, name="mfa_recovery_codes"),
    path("patients/", include("patients.urls")),
    path("", include("assessment.urls")),
    path("", include("treatment.urls")),
    path("", include("sced.urls")),
    path("", include("medicines.urls")),
    path("", include("programmes.urls")),
    path("", include("safety.urls")),
    path("", include("education.urls")),
    path("", include("quality.urls")),
    path("", include("review.urls")),
    path("", include("mdt.urls")),
    path("", include("interop.urls")),
    path("api/v1/", include("api.urls")),
    path("account/api-tokens/", include("api.page_urls")),
    path("audit/check/", views.audit_verify, name="audit_verify"),
    path("audit/", include("patients.audit_urls")),
    path("clinic/details/", views.clinic_details, name="clinic_details"),
    path("system/workers/", views.worker_health, name="worker_health"),
    path("admin/", admin.site.urls),
]

handler500 = "painclinic.views.server_error"
