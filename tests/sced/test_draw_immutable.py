"""Once Jannick's intervention start is drawn, the database keeps the draw as it is: a start moved
in SQL after seeing the series would make the randomization test meaningless (issue #15)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from sced import services
from sced.models import Draw

pytestmark = pytest.mark.django_db


@pytest.fixture
def draw(ana, ab_study):
    return services.study_randomize(actor=ana, study=ab_study, seed=5)


@pytest.mark.parametrize(
    "assignment",
    [
        "start = to_jsonb(99)",
        "seed = seed + 1",
        "admissible = '[8]'::jsonb",
        "tiers = '[1]'::jsonb",
        "concealed = NOT concealed",
        "drawn_at = drawn_at - interval '1 day'",
    ],
)
def test_the_database_refuses_to_change_a_drawn_start(draw, assignment, is_postgres):
    if not is_postgres:
        pytest.skip("SQL written for PostgreSQL")
    before = Draw.objects.values().get(pk=draw.pk)
    with (
        pytest.raises(DatabaseError, match="drawn once"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE sced_draw SET {assignment} WHERE id = %s", [draw.pk])
    assert Draw.objects.values().get(pk=draw.pk) == before


def test_the_database_refuses_to_delete_a_draw(draw):
    with pytest.raises(DatabaseError, match="drawn once"), transaction.atomic():
        Draw.objects.filter(pk=draw.pk).delete()
    with pytest.raises(DatabaseError, match="drawn once"), transaction.atomic():
        Draw.objects.filter(pk=draw.pk).update(start=draw.start + 1)
    assert Draw.objects.filter(pk=draw.pk).exists()


def test_saving_a_draw_unchanged_is_allowed(draw):
    draw.save()
    assert Draw.objects.get(pk=draw.pk).start == draw.start
