from __future__ import annotations

import importlib

import pytest

from education.models import BehaviourChangeTechnique, Topic


def seed_education() -> None:
    """What migration 0002 seeds (the curriculum and BCTTv1), seeded again when an earlier
    browser test's flush (transaction=True) emptied the tables; the migration's own
    get_or_create / update_or_create, so it is idempotent."""
    from django.apps import apps

    migration = importlib.import_module("education.migrations.0002_education_seed_educ")
    migration.seed(apps, None)


@pytest.fixture(autouse=True)
def _education_seeded(db):
    if not BehaviourChangeTechnique.objects.exists() or not Topic.objects.exists():
        seed_education()


@pytest.fixture
def topics(db):
    """The seeded curriculum, by its stable keys."""
    return {t.slug: t for t in Topic.objects.exclude(slug="")}


@pytest.fixture
def bct(db):
    """Look a technique up by its BCTTv1 number."""
    return lambda code: BehaviourChangeTechnique.objects.get(code=code)
