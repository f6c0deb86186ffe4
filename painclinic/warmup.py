"""Work a web process does once when it starts, so that no clinician's request pays for it
(issue #16: the exposure charts took 1.3-1.7 s and the first summary PDF 11.7 s, most of it
importing matplotlib and WeasyPrint and loading fonts inside the request).

``painclinic/wsgi.py`` calls :func:`warm_up_web_process` after building the application
(gunicorn imports it once per worker process); tests, commands and the development server do not
import wsgi.py, so they start as fast as before. Bottom layer: the apps' warm-up functions are
named by strings in ``settings.WSGI_WARM_UP``.
"""

from __future__ import annotations

import gc
import logging
import time

from django.conf import settings
from django.urls import get_resolver
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def warm_up_web_process() -> None:
    """Import every view (the URLconf: chart and PDF modules with matplotlib and WeasyPrint),
    then run each ``settings.WSGI_WARM_UP`` function. A warm-up that fails is logged and
    skipped: the process still serves, only its first chart or PDF is slower."""
    started = time.monotonic()
    get_resolver().url_patterns  # noqa: B018  (imports every urls and views module)
    for path in getattr(settings, "WSGI_WARM_UP", ()):
        try:
            import_string(path)()
        except Exception:  # never stop a web process from starting
            logger.exception("warm-up %s failed", path)
    freeze_startup_objects()
    logger.info("web process warmed up in %.1f s", time.monotonic() - started)


def freeze_startup_objects() -> None:
    """Move everything the process has built so far (Django, the URLconf, matplotlib, WeasyPrint:
    ~250,000 objects) out of the garbage collector's reach: they live as long as the process, and
    every full collection walked them all. Measured at 10,000 patients (issue #16): a full
    collection came about every 20 team-review requests and cost ~140 ms, 7 ms a request on
    average and the whole of one request's p95; frozen, 0.9 ms. Python's advice for pre-fork
    servers (the ``gc.freeze`` documentation); collect first so no garbage is frozen with it."""
    gc.collect()
    gc.freeze()
