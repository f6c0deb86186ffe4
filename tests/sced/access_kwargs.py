"""URL parameters for sced views, for the access suite (tests/test_access.py)."""


def url_kwargs(patient, actor) -> dict:
    """Create whatever sced objects Jannick needs and return {url parameter: value}."""
    return {}
