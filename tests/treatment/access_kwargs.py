"""URL parameters for treatment views, for the access suite (tests/test_access.py)."""


def url_kwargs(patient, actor) -> dict:
    """Create whatever treatment objects Jannick needs and return {url parameter: value}."""
    return {}
