"""Pages speak the clinic's language (issue #9, "What a clinician reads").

The demo clinic is seeded as `make run` seeds it; then a clinician (Ana), a team lead (Bob) and a
programme admin (Priya) each open every page the URL resolver knows (with the parameters the
access suite builds, tests/test_access.py) and every page linked from those pages (bounded), and
a patient opens the questionnaire and diary links a clinician sends. What a user can read on each
page -- its text, and the title / aria-label / alt / placeholder text that assistive technology
reads out, chart alt texts included -- must carry no internal reference: no file names, reference
section marks, issue numbers, confidence marks, raw floats, "(s)" plurals, raw enum values, or a
Python None / nan shown as a value.
"""

from __future__ import annotations

import base64
import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from painclinic.models import User
from patients.models import Patient
from tests.assessment.factories import made_up_wording
from tests.test_access import our_urls, url_parameters_for

FORBIDDEN = {
    "section mark": re.compile("§"),
    "file name (.md)": re.compile(r"\.md\b"),
    "file name (.py)": re.compile(r"\.py\b"),
    "issue number": re.compile(r"issue #\d", re.IGNORECASE),
    "confidence mark": re.compile(r"UNVERIFIED"),
    "TODO": re.compile(r"\bTODO\b"),
    # Four or more decimals; a DOI such as 10.1037/1040-3590 is a citation, not a number.
    "raw float": re.compile(r"(?<![\d./:-])\d+\.\d{4,}(?![\d/])"),
    "(s) plural": re.compile(r"\(s\)"),
    # snake_case values and keys: "below_cutoff", "not_suitable", "pooled_A_vs_B".
    "raw enum value": re.compile(r"\b[a-z][a-z0-9]*(?:_[A-Za-z0-9]+)+\b"),
    # Instrument definition keys ("Sullivan1995", "Hill2008") and instrument keys ("tsk11",
    # "TSK11", "generic-0-10"): the pages use the instruments' names ("TSK-11", "PCS").
    "definition key": re.compile(r"\b[A-Z][a-z]+(?:19|20)\d\d[a-z]?\b"),
    "instrument key": re.compile(
        r"\b(?:nrs|ompsq10|ompq21|startback|tsk17|tsk11|pcs|fabq|pseq|bpi|odi|rmdq|phq9|gad7"
        r"|dass21|cpaq8|pass20|psfs|phoda|waisr|gcqs|pgic|eq5d5l|OMPSQ10|OMPQ21|TSK17|TSK11|PHQ9|GAD7|DASS21"
        r"|CPAQ8|PASS20|generic-[\w-]+)\b"
    ),
    # A label and its suffix both carrying a word: "(clinic policy) policy".
    "doubled word": re.compile(r"\b([A-Za-z]{3,})\)\s+\1\b", re.IGNORECASE),
    # None as a displayed value: alone in its text, after a label or before a separator ("PEG:
    # None", "None / 10"); English "None of these" is fine. nan is never English.
    "None or nan shown as a value": re.compile(
        r"(?:^|[:=(/·|]\s*)None(?=\s*(?:$|[,;:/·|)]))|\b(?:nan|NaN)\b"
    ),
}

# snake_case words that are legitimate text on a page (none so far; keep it short).
SNAKE_CASE_ALLOWED: frozenset[str] = frozenset()

PERSONAS = ("ana", "bob", "priya")  # clinician, team lead, programme admin
MAX_PAGES_PER_PERSONA = 400
MAX_VARIANTS_PER_URL_NAME = 4  # query strings and other patients' copies of one page
SKIP_PREFIXES = ("/admin/", "/static/", "/media/", "/logout/", "/accounts/logout/")


class VisibleText(HTMLParser):
    """The text a user can read or hear on an HTML page, as separate chunks, and its links."""

    SKIPPED = {"script", "style", "template", "metadata"}  # metadata: an SVG's RDF header
    READ_OUT = ("title", "aria-label", "alt", "placeholder", "aria-description")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.links: list[str] = []
        self.images: list[str] = []
        self.texts: list[str] = []  # the text alone, in reading order (no attributes)
        self._skipping = 0

    def handle_starttag(self, tag, attrs) -> None:
        attributes = dict(attrs)
        if tag in self.SKIPPED:
            self._skipping += 1
            return
        for name in self.READ_OUT:
            if attributes.get(name):
                self.chunks.append(attributes[name])
        if tag == "input" and attributes.get("type") in ("submit", "button", "reset"):
            self.chunks.append(attributes.get("value") or "")
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag == "img" and attributes.get("src"):
            self.images.append(attributes["src"])

    def handle_startendtag(self, tag, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag in self.SKIPPED:
            self._skipping -= 1

    def handle_endtag(self, tag) -> None:
        if tag in self.SKIPPED and self._skipping:
            self._skipping -= 1

    def handle_data(self, data) -> None:
        if not self._skipping and data.strip():
            self.chunks.append(" ".join(data.split()))
            self.texts.append(self.chunks[-1])


def faults_in(
    chunks: list[str], skip: frozenset[str] = frozenset(), texts: list[str] | None = None
) -> list[tuple[str, str]]:
    """(pattern name, the offending text) for every forbidden pattern found in the chunks;
    ``texts``, the page's text in reading order, is also read as one phrase for doubled words."""
    found = []
    for chunk in chunks:
        for name, pattern in FORBIDDEN.items():
            if name in skip:
                continue
            for match in pattern.finditer(chunk):
                if name == "raw enum value" and match.group(0) in SNAKE_CASE_ALLOWED:
                    continue
                found.append((name, chunk[:160]))
                break
    # A label and a badge beside it are separate chunks but read as one phrase.
    doubled = FORBIDDEN["doubled word"]
    if "doubled word" not in skip and not any(n == "doubled word" for n, _ in found):
        text = " ".join(chunks if texts is None else texts)
        if match := doubled.search(text):
            found.append(("doubled word", text[max(0, match.start() - 60) : match.end() + 20]))
    return found


def read(html: str) -> VisibleText:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser


# --- the checker checks itself ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "fault"),
    [
        ("<p>Threshold (instruments.md §20)</p>", "section mark"),
        ("<p>See treatment/exposure.py</p>", "file name (.py)"),
        ("<p>as named in issue #6</p>", "issue number"),
        ("<p>UNVERIFIED policy</p>", "confidence mark"),
        ("<p>PEG: 7.333333333333333</p>", "raw float"),
        ("<p>1 measure(s)</p>", "(s) plural"),
        ("<p>Result: below_cutoff</p>", "raw enum value"),
        ('<img src="x.svg" alt="Effect size pooled_A_vs_B">', "raw enum value"),
        ('<a href="/x" title="see sced.md">x</a>', "file name (.md)"),
        ('<button aria-label="TODO">x</button>', "TODO"),
        ("<dd>None</dd>", "None or nan shown as a value"),
        ("<p>PEG: None</p>", "None or nan shown as a value"),
        ("<p>Tau nan / 1</p>", "None or nan shown as a value"),
        ("<p>None recorded yet.</p>", None),
        ("<p>Definition Sullivan1995</p>", "definition key"),
        ("<p>doi:10.1037/1040-3590.7.4.524</p>", None),
        ("<h2>NRS (generic-0-10)</h2>", "instrument key"),
        ("<li>TSK11: 33</li>", "instrument key"),
        ("<li>TSK-11: 33, PHQ-9: 12</li>", None),
        ("<p>High fear of movement (clinic policy) policy</p>", "doubled word"),
        ("<p>80% of the baseline (baseline minus 20%)</p>", None),
        (
            '<span class="badge">High fear of movement (clinic policy)</span> '
            '<abbr title="No published cut-off">policy</abbr>',
            "doubled word",
        ),
        ("<svg><title>x</title><text>NRS (generic-0-10)</text></svg>", "instrument key"),
        ("<td>nan</td>", "None or nan shown as a value"),
    ],
)
def test_the_checker_finds_each_kind_of_internal_reference(html, fault):
    page = read(html)
    names = {name for name, _ in faults_in(page.chunks, texts=page.texts)}
    assert (fault in names) if fault else names == set()


def test_the_checker_reads_what_users_read_and_nothing_else():
    page = read(
        "<style>.a_b{}</style><script>var x_y = None;</script>"
        '<p>None of these.</p><input type="hidden" name="form_id" value="some_key">'
        '<input type="submit" value="save_now"><a href="/patients/?sort=family_name">Sort</a>'
    )
    assert faults_in(page.chunks) == [("raw enum value", "save_now")]
    assert page.links == ["/patients/?sort=family_name"]


def test_the_checker_reads_the_words_drawn_in_an_svg_chart():
    from treatment import charts

    chunks = read(charts.gas_chart([("Baseline", 40.0), ("Review 1", 60.0)])).chunks
    assert "Baseline" in chunks
    assert "60.0" in chunks
    assert not any("Matplotlib" in chunk or "image/svg" in chunk for chunk in chunks)


# --- the crawl --------------------------------------------------------------------------------


def _start_urls(known: dict) -> list[str]:
    """Every GET-able page of ours the resolver knows, with the access suite's parameters."""
    urls = []
    for name, pattern in our_urls():
        if not name or name.startswith("admin:") or name in ("logout", "login"):
            continue
        converters = set(pattern.pattern.converters)
        if "token" in converters:
            continue  # the patient's links: opened below with real tokens
        assert converters <= set(known), f"no test value for {converters - set(known)} ({name})"
        urls.append(reverse(name, kwargs={key: known[key] for key in converters}))
    return urls


def _url_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def _crawl(client: Client, start: list[str]) -> tuple[dict[str, list], int, int]:
    """Open the start pages, then pages linked from them (same site, bounded). Returns the faults
    per page, how many HTML pages and how many SVG charts were read."""
    queue = list(dict.fromkeys(start))
    seen = set(queue)
    variants: Counter[str] = Counter()
    faults: dict[str, list] = {}
    pages = charts = 0
    while queue and pages < MAX_PAGES_PER_PERSONA:
        url = queue.pop(0)
        name = _url_name(urlsplit(url).path) or url
        try:
            response = client.get(url)
        except Exception as exc:  # a crash is a page nobody can read
            faults.setdefault(f"{name} {url}", []).append(("crash", repr(exc)[:160]))
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        page = read(response.content.decode())
        found = faults_in(page.chunks, texts=page.texts)
        if found:
            faults[f"{name} {url}"] = found
        for src in page.images:  # the words drawn in our SVG charts (titles, axes, legends)
            chart = _chart_text(client, src, seen)
            if chart is not None:
                charts += 1
                chart_name, chunks = chart
                if found := faults_in(chunks):
                    faults[f"{chart_name} {src[:80]}"] = found
        for href in page.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target in seen or parts.path.startswith(SKIP_PREFIXES):
                continue
            target_name = _url_name(parts.path)
            if target_name is None or variants[target_name] >= MAX_VARIANTS_PER_URL_NAME:
                continue
            variants[target_name] += 1
            seen.add(target)
            queue.append(target)
    return faults, pages, charts


def _chart_text(client: Client, src: str, seen: set[str]) -> tuple[str, list[str]] | None:
    """(URL name, text chunks) of an SVG chart on the page, once per chart; None otherwise."""
    if src.startswith("data:image/svg+xml;base64,"):
        svg = base64.b64decode(src.split(",", 1)[1]).decode()
        return "inline chart", read(svg).chunks
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or src in seen:
        return None
    if parts.path.startswith(SKIP_PREFIXES) or not parts.path.endswith(".svg"):
        return None
    seen.add(src)
    response = client.get(src)
    if response.status_code != 200 or "svg" not in response.get("Content-Type", ""):
        return None
    return _url_name(parts.path) or src, read(response.content.decode()).chunks


def _patient_link_urls(known: dict, actor: User) -> list[str]:
    """A questionnaire link and a diary link, as the patient receives them."""
    from assessment import services as assessment_services
    from assessment.models import AssessmentSession
    from sced import services as sced_services
    from sced.models import Study

    session = AssessmentSession.objects.get(pk=known["session_id"])
    made_up_wording("pcs")  # the draft the link carries: the clinic's (invented) wording
    _link, questionnaire = assessment_services.patient_link_issue(actor=actor, session=session)
    study = Study.objects.get(pk=known["study_id"])
    _diary, diary = sced_services.diary_link_issue(actor=actor, study=study)
    return [
        reverse("assessment:link", kwargs={"token": questionnaire}),
        reverse("sced:diary", kwargs={"token": diary}),
    ]


def _report(faults: dict[str, list]) -> str:
    lines = []
    for page, found in sorted(faults.items()):
        for name, text in found:
            lines.append(f"  {page}: {name}: {text!r}")
    return "\n".join(lines)


@pytest.mark.django_db
def test_no_page_shows_internal_references_raw_values_or_jargon_to_any_persona():
    call_command("seed_demo", patients=20, stdout=None)
    call_command("seed_clinical_demo")
    call_command("seed_pmp")
    jannick = Patient.objects.get(identifier="DEMO-JANNICK")
    ana = User.objects.get(username="ana")
    known = url_parameters_for(jannick, ana)
    from programmes.models import Cohort

    cohort = Cohort.objects.first()
    enrolment = cohort.enrolments.first()
    known.update(
        programme_id=cohort.programme_id,
        cohort_id=cohort.pk,
        enrolment_id=enrolment.pk,
    )
    start = _start_urls(known)
    # The programme pages take a cohort session; the access suite's session_id is an assessment
    # session, so the attendance and climate pages are reached through the cohort page's links.

    all_faults: dict[str, list] = {}
    read_pages = {}
    read_charts = 0
    for username in PERSONAS:
        client = Client()
        client.force_login(User.objects.get(username=username))
        faults, pages, charts = _crawl(client, start)
        read_pages[username] = pages
        read_charts += charts
        all_faults.update({f"[{username}] {page}": found for page, found in faults.items()})
    patient = Client()
    faults, pages, _charts = _crawl(patient, _patient_link_urls(known, ana))
    read_pages["patient"] = pages
    all_faults.update({f"[patient] {page}": found for page, found in faults.items()})

    # Guards the crawl itself: a login redirect or a broken seed would pass vacuously.
    assert read_pages["ana"] >= 40
    assert read_pages["bob"] >= 20
    assert read_pages["priya"] >= 5
    assert read_pages["patient"] == 2
    assert read_charts >= 4  # the treatment charts at least (GAS, exposure, hierarchy, pacing)
    assert not all_faults, "pages show internal references or raw values:\n" + _report(all_faults)


# Template sources, comments included: a template is what a maintainer of the page reads, and a
# comment is one edit away from the page. Provenance (reference files, their sections, issue
# numbers, confidence marks) lives in the Python code that the template's comment points to.
TEMPLATE_FORBIDDEN = {
    "reference file": re.compile(r"\b[\w/]*\.md\b"),
    "section mark": re.compile("§"),
    "issue number": re.compile(r"issue #\d", re.IGNORECASE),
    "confidence mark": re.compile(r"UNVERIFIED"),
}


def test_no_template_source_carries_internal_references():
    from pathlib import Path

    from django.conf import settings

    found = []
    templates = [p for d in settings.TEMPLATES[0]["DIRS"] for p in Path(d).rglob("*.html")]
    assert len(templates) > 100  # the project's templates were found
    for path in templates:
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for name, pattern in TEMPLATE_FORBIDDEN.items():
                if pattern.search(line):
                    found.append(f"{path.name}:{number} {name}: {line.strip()[:80]}")
    assert found == []
