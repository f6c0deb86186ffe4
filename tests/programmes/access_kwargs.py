"""URL parameters of the programmes app for the access suite. The patient-scoped URLs are the
referral page and the screening of a referral (``enrolment_id``, a referral of the patient);
cohort and enrolment pages are reached through ``programmes_run_by`` and tested in
tests/programmes/test_pmp_pages.py."""

from datetime import date

from programmes.models import Enrolment, EnrolmentState, Programme


def url_kwargs(patient, actor) -> dict:
    team = patient.episodes.first().team
    programme, _ = Programme.objects.get_or_create(
        team=team, name="Access suite PMP", defaults={"kind": "outpatient"}
    )
    enrolment = Enrolment.objects.create(
        programme=programme,
        patient=patient,
        state=EnrolmentState.REFERRED,
        state_since=date.today(),
        referred_on=date.today(),
        referred_by=actor,
    )
    return {"enrolment_id": enrolment.pk}
