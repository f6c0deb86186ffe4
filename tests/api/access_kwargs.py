"""URL parameters for the api app's pages, for the access suite (tests/test_access.py): the
actor's own API token (the revoke button). The API's endpoints have their own persona matrix,
tests/api/test_access_matrix.py, with tests/api/records.py."""

from api import tokens


def url_kwargs(patient, actor) -> dict:
    token, _raw = tokens.token_create(
        actor=actor, name="Ward tablet", scope="read", days=30, otp_verified=True
    )
    return {"token_id": token.pk}
