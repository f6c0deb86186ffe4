"""The audit log pages (mounted at /audit/ by painclinic/urls.py; names without a namespace)."""

from django.urls import path

from patients import audit_views

urlpatterns = [
    path("", audit_views.audit_log, name="audit_log"),
    path("export.csv", audit_views.audit_log_export, name="audit_log_export"),
]
