from tests.programmes.conftest import cohort, full_cohort, pmp, susan_referred  # noqa: F401
