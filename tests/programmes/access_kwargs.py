"""URL parameters of the programmes app for the access suite. The only patient-scoped URL
(refer) needs nothing beyond patient_id; cohort and enrolment pages are reached through
``programmes_run_by`` and tested in tests/programmes/test_pmp_access.py."""


def url_kwargs(patient, actor) -> dict:
    return {}
