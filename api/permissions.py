"""The API's permission class: it delegates to the one access policy (painclinic/access.py).

No second permission system: this class only asks "is there an active user, and does the token's
scope allow this method?". Which patients a user reaches is decided by
``patients.access.get_patient_for_user`` / ``patients_visible_to`` in the views, exactly as on the
pages; a patient outside the user's reach is a 404 (security.md C2).
"""

from __future__ import annotations

from rest_framework import permissions

from api.models import ApiToken

# Access declarations read by tests/test_access.py (every URL declares its access).
API_AUTHENTICATED = "api-authenticated"  # any active user; lists start from patients_visible_to
API_PATIENT_READ = "api-patient-read"  # resolves patient_id through the policy, read
API_PATIENT_WRITE = "api-patient-write"  # resolves patient_id through the policy, write on POST


class PolicyPermission(permissions.BasePermission):
    message = "A read-only token cannot change anything; create a read and write token."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        token = request.auth
        if isinstance(token, ApiToken):
            return token.may_write
        return True  # a verified session (the documentation page) acts as on the pages
