"""SCED dates follow the clinic's one rule (painclinic/validators.py): a backfilled line dated in
the future or before the clinic's records is refused with its line, the table kept as typed; a
study's first baseline day more than two years ahead is refused by the service too."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sced import services
from sced.models import Measurement, Study
from tests.sced.conftest import make_study


@pytest.mark.django_db
def test_a_backfilled_line_dated_tomorrow_or_in_1999_is_refused_with_its_line(client, ana, jannick):
    study = make_study(ana, jannick, start_date=date.today() - timedelta(days=3))
    services.study_randomize(actor=ana, study=study, seed=5, concealed=False)
    client.force_login(ana)
    tomorrow = date.today() + timedelta(days=1)
    table = f"{date.today() - timedelta(days=1):%Y-%m-%d} 7\n{tomorrow:%Y-%m-%d} 6\n1999-01-02 5\n"
    response = client.post(
        reverse(
            "sced:measurements_backfill",
            kwargs={"patient_id": jannick.pk, "study_id": study.pk},
        ),
        {"backfill-measure": study.measures.first().pk, "backfill-table": table},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Line 2: The date cannot be in the future" in page
    assert "Line 3: The date before 1 Jan 2000 is outside the clinic&#x27;s records" in page
    assert table in page  # the textarea, as typed
    assert not Measurement.objects.exists()


@pytest.mark.django_db
def test_a_study_starting_three_years_ahead_is_refused_by_the_service(ana, jannick):
    with pytest.raises(ValidationError, match="more than two years ahead"):
        make_study(ana, jannick, start_date=date.today() + timedelta(days=3 * 365))
    assert not Study.objects.exists()
