"""The study page's queries are pinned and do not grow with the number of measurements."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sced import services
from tests.sced.conftest import fill, make_study

# session, user, patient (access policy), study + draw, measures, measurements, amendments,
# latest run, its plots, the diary links with who issued them, the audit INSERT, then the session save (3 with the
# test savepoints).
# (+1 since two-step verification: the authenticator that verified the session, issue #15.)
# +2: the audit chain locks its head and reads it before the INSERT (issue #15).
# Issue #10: the unread notifications and the self-harm banner's open signals (+2).
# -3 (issue #16): the session is renewed once a minute, not saved (3 queries) on every page.
# -4 (issue #16): the measure choices of the entry forms come from the measures the page has
# already read (each select was a query, run twice).
# -1 (issue #16): the audit chain's lock and head are read in one statement.
# -1 (issue #16): the session's authenticator is read with the user (no query of its own).
# -1 (issue #16): whether there are unread notifications is read with the user.
# - 1: the page's audit event is one statement (painclinic migration 0013)
STUDY_DETAIL_QUERIES = 12


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_study_page_queries_do_not_grow_with_measurements(
    client, ana, jannick, ab_study, django_capture_on_commit_callbacks
):
    services.study_randomize(actor=ana, study=ab_study, seed=11)
    client.force_login(ana)
    url = reverse("sced:study_detail", kwargs={"patient_id": jannick.pk, "study_id": ab_study.pk})
    with django_capture_on_commit_callbacks(execute=True):
        measurements = fill(ab_study, ana, [8, 7, 8])
        services.measurement_amend(actor=ana, measurement=measurements[0], value=7, reason="typo")
    few = _count(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        services.measurements_record(
            actor=ana,
            study=ab_study,
            rows=[services.Row(ab_study.measures.first(), 5.0, session=s) for s in range(4, 61)],
            confirm_outside_plan=True,  # 60 sessions where 21 are planned
        )
    many = _count(client, url)
    assert few == many == STUDY_DETAIL_QUERIES


@pytest.mark.django_db
def test_the_page_built_without_the_queries_shows_the_same_choices_and_links(
    client, ana, jannick, ab_study, django_capture_on_commit_callbacks
):
    """The entry forms' measure options come from the measures the page read (in their order,
    with the next expected one selected) and each row's links are the ones ``reverse`` gives;
    a bound form still checks the measure against the database."""
    from sced.forms import ValueForm
    from sced.models import Measure

    ids = {"patient_id": jannick.pk, "study_id": ab_study.pk}
    services.measure_save(
        actor=ana,
        study=ab_study,
        measure=None,
        name="Walking",
        unit="minutes",
        range_min=0,
        range_max=120,
        improvement="increase",
        description="",
    )
    services.study_randomize(actor=ana, study=ab_study, seed=11)
    with django_capture_on_commit_callbacks(execute=True):
        values = fill(ab_study, ana, [8, 7, 8])
    client.force_login(ana)
    html = client.get(reverse("sced:study_detail", kwargs=ids)).content.decode()
    measures = list(Measure.objects.filter(study=ab_study))
    assert len(measures) == 2
    for prefix in ("entry", "backfill"):
        select = html.split(f'name="{prefix}-measure"', 1)[1].split("</select>", 1)[0]
        options = [f'<option value="{m.pk}"' for m in measures]
        assert [select.index(o) for o in options] == sorted(select.index(o) for o in options)
        for m in measures:
            assert f">{m}</option>" in select
    assert f'<option value="{measures[0].pk}" selected>' in html
    for m in values:
        for name in ("sced:measurement_amend", "sced:measurement_strike_out"):
            assert f'href="{reverse(name, kwargs={**ids, "measurement_id": m.pk})}"' in html
    other = make_study(ana, jannick).measures.get()
    form = ValueForm(
        {"entry-measure": other.pk, "entry-session": 4, "entry-value": 5},
        study=ab_study,
        measures=measures,
        prefix="entry",
    )
    assert not form.is_valid()
    assert "measure" in form.errors
