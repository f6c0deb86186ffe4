from rest_framework.pagination import LimitOffsetPagination


class LimitOffset(LimitOffsetPagination):
    """``?limit=&offset=``: 25 a page unless asked, never more than 100 (a client cannot pull a
    whole caseload in one request)."""

    default_limit = 25
    max_limit = 100
