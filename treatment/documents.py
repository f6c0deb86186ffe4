"""The printable treatment documents as PDF: the same HTML as the print pages, through WeasyPrint
(issue #5: "a printable treatment summary for the patient and a letter to the GP/referrer (HTML
to PDF)"). No ORM: callers pass the rendered HTML.

WeasyPrint fetches every URL it meets in the HTML (stylesheets, images, fonts). A patient's own
words are escaped by the templates, but anything that ever slips through must not make the
server call out (SSRF, tracking pixels, intranet addresses): ``StaticOnlyFetcher`` serves only our
own static files, read from disk, and ``data:`` URLs (the charts, inlined); it refuses everything
else (stack.md gotcha 16; WeasyPrint docs, "URL Fetchers" and "Security").
"""

from __future__ import annotations

import base64
import logging
import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.utils._os import safe_join

logger = logging.getLogger(__name__)

REFUSED = "refused: only the clinic's own static files are fetched for a PDF"


def svg_data_uri(svg: str | bytes) -> str:
    """A chart as a ``data:`` URI, so neither the browser nor WeasyPrint fetches a URL for it."""
    data = svg.encode("utf-8") if isinstance(svg, str) else svg
    return "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii")


def _static_prefix() -> str:
    path = urlsplit(settings.STATIC_URL).path
    return "/" + path.strip("/") + "/"


def static_file_for(path: str) -> Path | None:
    """The file on disk behind a static URL path ('/static/css/x.css'), or None.

    Collected files first (STATIC_ROOT holds the hashed names that ``{% static %}`` writes when
    the manifest storage is on), then the finders (development). ``safe_join`` refuses '..'.
    """
    prefix = _static_prefix()
    if not path.startswith(prefix):
        return None
    relative = unquote(path[len(prefix) :])
    if not relative or "\x00" in relative:
        return None
    candidates = []
    if settings.STATIC_ROOT:
        try:
            candidates.append(Path(safe_join(str(settings.STATIC_ROOT), relative)))
        except (SuspiciousFileOperation, ValueError):
            return None
    found = finders.find(relative)
    if found:
        candidates.append(Path(found))
    return next((c for c in candidates if c.is_file()), None)


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves ``data:`` URLs and our own static files from disk; refuses everything else."""

        def __init__(self, origin: str) -> None:
            super().__init__(allowed_protocols=("data", "http", "https"), allow_redirects=False)
            self.origin = origin.rstrip("/")
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)  # urllib's DataHandler: no network
            origin = f"{scheme}://{parts.netloc}".lower()
            found = static_file_for(parts.path) if origin == self.origin.lower() else None
            if found is None:
                self.refused.append(url)
                logger.warning("PDF: %s: %s", REFUSED, origin)  # the origin only, no path
                raise ValueError(REFUSED)
            mime = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, found.read_bytes(), {"Content-Type": mime})

    return StaticOnlyFetcher


def static_only_fetcher(origin: str):
    """A WeasyPrint URL fetcher for pages whose links start with ``origin`` ('https://host')."""
    return _fetcher_class()(origin)


_per_thread = threading.local()


def font_configuration():
    """One WeasyPrint ``FontConfiguration`` per thread, kept for the process's life (issue #16).

    WeasyPrint makes a new one for every document unless given one: Fontconfig's configuration
    and font list are loaded again and Pango's font map starts empty, so every PDF paid for its
    fonts again. Our stylesheets declare no ``@font-face`` (nothing is added to the shared
    configuration per document). Per thread: a Pango font map is not meant to be shared between
    threads (the development server and the test live server are threaded)."""
    config = getattr(_per_thread, "font_config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _per_thread.font_config = FontConfiguration()
    return config


def html_to_pdf(html: str, *, base_url: str, fetcher=None) -> bytes:
    """PDF bytes of a rendered page. ``base_url``: the page's own absolute URL, so that relative
    links resolve to our origin and the fetcher can recognise them."""
    from weasyprint import HTML

    origin = "{0.scheme}://{0.netloc}".format(urlsplit(base_url))
    fetcher = fetcher or static_only_fetcher(origin)
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher, media_type="print")
    return document.write_pdf(font_config=font_configuration())


WARM_UP_HTML = (
    "<!doctype html><html><body><p>PDF warm-up</p><table><tr><td>1</td></tr></table></body></html>"
)


def warm_up() -> None:
    """Import WeasyPrint and lay out one tiny page, so that a web process pays for WeasyPrint's
    import, Fontconfig and Pango's first fonts when it starts, not in a clinician's first PDF
    (issue #16: the first summary PDF took 11.7 s). Called from painclinic/wsgi.py through
    settings.WSGI_WARM_UP."""
    html_to_pdf(WARM_UP_HTML, base_url="http://localhost/")
