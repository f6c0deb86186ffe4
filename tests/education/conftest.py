from __future__ import annotations

import pytest

from education.models import BehaviourChangeTechnique, Topic


@pytest.fixture
def topics(db):
    """The seeded curriculum, by its stable keys."""
    return {t.slug: t for t in Topic.objects.exclude(slug="")}


@pytest.fixture
def bct(db):
    """Look a technique up by its BCTTv1 number."""
    return lambda code: BehaviourChangeTechnique.objects.get(code=code)
