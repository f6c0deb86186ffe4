import pytest
from django.core.management import call_command

from programmes.models import Cohort, Enrolment


@pytest.mark.django_db
def test_seed_pmp_is_idempotent(susan, priya):
    call_command("seed_pmp")
    call_command("seed_pmp")
    assert Cohort.objects.count() == 1
    assert Enrolment.objects.get(patient=susan).state == "enrolled"
    assert Cohort.objects.get().sessions.count() == 12
