"""What a clinician reads on an assessment page: the visible text, and the patterns that must
never be in it (issue #9, "What a clinician reads").

``visible_text`` keeps what a person sees or hears: text nodes outside <script>/<style>/<head>,
plus ``title``, ``alt``, ``aria-label`` and ``placeholder`` (tooltips and screen readers read them).
``assert_plain_language`` fails with every offending snippet, so one run shows them all.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Provenance and internal keys: in code comments, never on a page.
FORBIDDEN = {
    "section sign (reference section)": re.compile(r"§"),
    "file name (.md)": re.compile(r"\.md\b"),
    "file name (.py)": re.compile(r"\.py\b"),
    "issue number": re.compile(r"issue #", re.IGNORECASE),
    "confidence mark": re.compile(r"UNVERIFIED"),
    "raw float": re.compile(r"\d\.\d{4,}"),
    "snake_case key": re.compile(r"\b[a-z]+_[a-z_]+\b"),
    "definition key (AuthorYear)": re.compile(r"\b[A-Z][a-z]+(?:19|20)\d\d\b"),
    "reference marker ([S:1], (P9))": re.compile(r"\[S:\d+\]|\(P\d+\)"),
    "duplicated word": re.compile(r"\b(\w{4,})\)? \1\b", re.IGNORECASE),
}

_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder")
_HIDDEN_TAGS = {"script", "style", "head", "template"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
            return
        for name, value in attrs:
            if name in _ATTRIBUTES and value:
                self.parts.append(value)

    def handle_endtag(self, tag) -> None:
        if tag in _HIDDEN_TAGS and self._hidden:
            self._hidden -= 1

    def handle_data(self, data) -> None:
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str | bytes) -> str:
    parser = _Text()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    return "\n".join(parser.parts)


def problems(text: str) -> list[str]:
    found = []
    for what, pattern in FORBIDDEN.items():
        for match in pattern.finditer(text):
            start, end = max(0, match.start() - 40), match.end() + 40
            found.append(f"{what}: …{text[start:end]!r}…")
    return found


def assert_plain_language(html: str | bytes, *, page: str = "") -> str:
    """The page's visible text, after checking it holds none of the forbidden patterns."""
    text = visible_text(html)
    found = problems(text)
    assert not found, f"{page} shows internal wording:\n" + "\n".join(found)
    return text
