"""Every word a template shows is marked for translation (issue #14, "Licensed item text and
languages").

Each template under templates/ is split with Django's own template lexer; what is left once the
``{% translate %}`` / ``{% blocktranslate %}`` output, variables, tags and comments are taken out is
read as HTML. A text node, or an attribute a person reads (title, alt, aria-label, placeholder),
that still holds a word is a string a translator never sees: the test names the template, the line
and the text, so a new unmarked string fails CI.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

TEMPLATES = Path(settings.BASE_DIR) / "templates"
HOLE = "\x00"  # where a variable, a tag or a translated string stood

# What may stand outside the translate tags: no word a translator would translate.
# Names and abbreviations that are written the same in every language.
ALLOWED_WORDS = {
    "painclinic",  # the product's name
    "GAS",  # Goal Attainment Scaling, the method's own abbreviation
    "GCQ",  # the Group Climate Questionnaire (GCQ-S), an instrument's name
    "PHODA",  # the Photograph Series of Daily Activities, an instrument's name
    "ICD",  # the WHO's classification (ICD-11)
    "RC",  # the reliable change index, as the outcome tables print it beside its value
    "CI",  # confidence interval, after "95%"
    "mg",  # SI units: milligram, millisecond
    "ms",
}
# A "word": two or more letters. Punctuation, numbers, symbols (·, –, ±, ≥, →, %, /) and single
# letters (phase labels A and B, the x of "2 x 10") are not words and pass.
WORD = re.compile(r"[^\W\d_]{2,}")
READ_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder", "aria-description", "label"}
SKIP_TAGS = {"script", "style"}
CONTROL_TAGS = {
    "if", "elif", "else", "endif", "for", "empty", "endfor", "with", "endwith", "block",
    "endblock", "load", "extends", "spaceless", "endspaceless", "comment", "endcomment",
    "autoescape", "endautoescape", "ifchanged", "endifchanged",
}  # fmt: skip


def _strip_template(source: str) -> list[tuple[int, str]]:
    """(line, text) chunks of the template with every template construct replaced by HOLE and
    the contents of blocktranslate, comment and verbatim blocks removed."""
    out: list[tuple[int, str]] = []
    depth = {"blocktranslate": 0, "comment": 0, "attribute block": 0}
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if name in ("blocktranslate", "blocktrans"):
                depth["blocktranslate"] += 1
            elif name in ("endblocktranslate", "endblocktrans"):
                depth["blocktranslate"] -= 1
            elif name == "comment":
                depth["comment"] += 1
            elif name == "endcomment":
                depth["comment"] -= 1
            elif name == "block" and token.contents.split()[1:2] in (
                ["body_class"],
                ["body_attributes"],
            ):
                depth["attribute block"] += 1
            elif name == "endblock" and depth["attribute block"]:
                depth["attribute block"] -= 1
            # A control tag outputs nothing: taking it out keeps `<tr{% if x %} class="y"{% endif %}>`
            # one HTML tag. Any other tag (translate, url, an inclusion tag) outputs something.
            out.append((token.lineno, "" if name in CONTROL_TAGS else HOLE))
        elif token.token_type == TokenType.TEXT:
            if any(depth.values()):
                continue
            out.append((token.lineno, token.contents))
        elif token.token_type == TokenType.VAR:
            out.append((token.lineno, HOLE))
    return out


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skip = 0
        self.line_offsets: list[tuple[int, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP_TAGS:
            self._skip += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self.found.append((self.getpos()[0], value))

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_TAGS and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.found.append((self.getpos()[0], data))


def unmarked_text(source: str) -> list[tuple[int, str]]:
    """(line, text) of every visible word outside the translate tags."""
    chunks = _strip_template(source)
    joined = "".join(text for _line, text in chunks)
    parser = _Visible()
    parser.feed(joined)
    parser.close()
    problems = []
    for line, text in parser.found:
        for piece in text.split(HOLE):
            words = [w for w in WORD.findall(piece) if w not in ALLOWED_WORDS]
            if words:
                problems.append((line, " ".join(piece.split())))
    return problems


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def test_the_template_folder_is_read():
    # Guard against a test that passes because it read nothing.
    assert len(_templates()) > 100


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_every_visible_word_is_marked_for_translation(path):
    problems = unmarked_text(path.read_text(encoding="utf-8"))
    assert not problems, "\n".join(
        f"{path.relative_to(TEMPLATES)} (near line {line}): {text!r}" for line, text in problems
    )


def test_the_checker_finds_an_unmarked_word_and_passes_a_marked_one():
    assert unmarked_text("<p>Hello there</p>") == [(1, "Hello there")]
    assert unmarked_text('<a title="Open the record">x</a>') == [(1, "Open the record")]
    marked = (
        '{% load i18n %}<p>{% translate "Hello" %} · {{ n }} %</p>'
        "{% blocktranslate %}Hi {{ n }}{% endblocktranslate %}"
        '<script>let a = "word";</script>{% comment %}notes{% endcomment %}<b>painclinic</b>'
    )
    assert unmarked_text(marked) == []
