"""A web process's start (painclinic/warmup.py, run by wsgi.py in every gunicorn worker): the
slow imports happen before the first request, and what they built is frozen out of the garbage
collector's full collections (issue #16: a full collection walked ~250,000 start-up objects
about every 20 team-review requests, ~140 ms at a time)."""

from __future__ import annotations

import gc
import logging

from painclinic import warmup


def test_the_warm_up_freezes_what_the_process_built_at_start(settings):
    settings.WSGI_WARM_UP = []
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        warmup.warm_up_web_process()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # the test process goes on collecting as before


def test_a_failing_warm_up_is_logged_and_the_process_still_starts(settings, caplog):
    settings.WSGI_WARM_UP = ["painclinic.warmup.no_such_function"]
    try:
        with caplog.at_level(logging.ERROR, logger="painclinic.warmup"):
            warmup.warm_up_web_process()
        assert "warm-up painclinic.warmup.no_such_function failed" in caplog.text
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
