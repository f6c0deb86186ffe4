"""URL parameters for the API (tests/api/test_access_matrix.py): the other apps' objects."""

from tests.assessment.access_kwargs import url_kwargs as assessment_kwargs
from tests.medicines.access_kwargs import url_kwargs as medicines_kwargs
from tests.sced.access_kwargs import url_kwargs as sced_kwargs


def url_kwargs(patient, actor) -> dict:
    known = {}
    for build in (assessment_kwargs, sced_kwargs, medicines_kwargs):
        known.update(build(patient, actor))
    return known
