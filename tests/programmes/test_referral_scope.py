"""Ana refers Susan (North) to a pain management programme: only North's programmes are offered,
and a forged referral to South's programme is refused, so South's lead never learns who Susan is
(issue #15)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from programmes import services
from programmes.models import Enrolment, ProgrammeKind
from programmes.policy import can_view_pmp

pytestmark = pytest.mark.django_db


@pytest.fixture
def south_pmp(south, fay):
    return services.programme_create(
        actor=fay, team=south, name="Residential PMP South", kind=ProgrammeKind.RESIDENTIAL
    )


def test_the_referral_form_offers_only_the_programmes_of_susans_team(
    client, ana, susan, pmp, south_pmp
):
    client.force_login(ana)
    page = client.get(reverse("programmes:refer", kwargs={"patient_id": susan.pk}))
    assert page.status_code == 200
    offered = list(page.context["form"].fields["programme"].queryset)
    assert offered == [pmp]
    assert "Residential PMP South" not in page.content.decode()


def test_a_forged_referral_to_another_teams_programme_is_refused_and_nothing_is_created(
    client, ana, susan, fay, pmp, south_pmp
):
    client.force_login(ana)
    response = client.post(
        reverse("programmes:refer", kwargs={"patient_id": susan.pk}),
        {"programme": south_pmp.pk, "referred_on": date.today().isoformat()},
    )
    assert response.status_code == 400
    assert not Enrolment.objects.filter(programme=south_pmp).exists()
    assert not can_view_pmp(fay, susan)


def test_the_service_refuses_another_teams_programme_too(ana, susan, south_pmp):
    with pytest.raises(ValidationError, match="another team"):
        services.enrolment_refer(
            actor=ana,
            patient=susan,
            programme=south_pmp,
            referred_on=date.today() - timedelta(days=1),
        )
    assert not Enrolment.objects.exists()
