"""Jannick's record for the API tests (the persona matrix and the schemathesis run):
Jannick's signed TSK-11 and medication (the apps' own access_kwargs), and an AB study with the
first five of its planned sessions recorded, so a device can still add values."""

from datetime import date, timedelta

from sced import services
from tests.assessment.access_kwargs import url_kwargs as assessment_kwargs
from tests.medicines.access_kwargs import url_kwargs as medicines_kwargs
from tests.sced.conftest import BASELINE, fill, make_study


def api_record(patient, actor) -> dict:
    known = {}
    for build in (assessment_kwargs, medicines_kwargs):
        known.update(build(patient, actor))
    study = make_study(actor, patient, start_date=date.today() - timedelta(days=20))
    services.study_randomize(actor=actor, study=study, seed=7)
    measurements = fill(study, actor, (BASELINE * 3)[:5])
    known.update(
        study_id=study.pk,
        measure_id=study.measures.first().pk,
        measurement_id=measurements[0].pk,
    )
    return known
