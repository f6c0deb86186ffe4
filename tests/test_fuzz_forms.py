"""Property-based fuzz of every form and public endpoint (issue #15, security.md F/I5).

The URL list comes from the resolver, as in the access suite (tests/test_access.py): every URL of
ours that takes a POST gets hostile values (unicode, control characters, huge strings, mathtext
``$…$``, ``<script>``, SQL-ish text, huge/NaN/superscript numbers, year-1/9999/malformed dates)
in the fields its page shows, as a user allowed to use it; the public link pages get them
anonymously. No answer may be a 5xx, and a refusal (4xx) must leave every table of ours as it
was: nothing half-written. Bounded for CI: a fixed number of examples per URL, derandomized.
The figures (URLs, requests, 5xx) are printed (run with -s).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessment import services as assessment_services
from patients.models import Episode
from programmes import services as programme_services
from programmes.models import ProgrammeKind
from sced import services as sced_services
from tests.assessment.factories import made_up_wording
from tests.test_access import _walk, url_parameters_for

EXAMPLES_PER_URL = 10
OUR_APPS = (
    "patients",
    "assessment",
    "treatment",
    "sced",
    "programmes",
    "education",
    "quality",
    "mdt",
)
NOT_FUZZED = {"logout", "login"}  # the session itself; login has its own lockout suite

HOSTILE_TEXT = [
    "$x^2$",
    "$\\frac{1}{0}$",
    "$",
    "<script>alert(1)</script>",
    "'; DROP TABLE patients_patient; --",
    "' OR '1'='1",
    "\x00",
    "\x1b[31m\r\n\t",
    "\u202e\u200b\ufeff",
    "𝕏😀",
    " ",
    "x" * 20_000,
]
HOSTILE_NUMBERS = [
    "²",
    "٣",
    "9" * 5000,
    "1e309",
    "-1e309",
    "NaN",
    "inf",
    "-0",
    " 3 ",
    "-1",
    "2147483648",
    "1_000",
    "0x10",
]
HOSTILE_DATES = [
    "0001-01-01",
    "9999-12-31",
    "0000-00-00",
    "2024-02-30",
    "10000-01-01",
    "31/12/2024",
    "yesterday",
]
hostile = st.one_of(
    st.sampled_from(HOSTILE_TEXT + HOSTILE_NUMBERS + HOSTILE_DATES),
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
)

FIELD = re.compile(
    r"<(input|select|textarea)\b([^>]*)>(.*?)(?=</select>|</textarea>|$)", re.S | re.I
)
ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')
OPTION = re.compile(r'<option[^>]*value="([^"]*)"', re.I)
SKIP_FIELDS = {"csrfmiddlewaretoken"}


def form_fields(html: str) -> dict[str, str]:
    """The fields a page's forms post, each with the value the page would send."""
    found: dict[str, str] = {}
    for tag in re.finditer(r"<(input|select|textarea)\b([^>]*)>", html, re.I):
        attrs = dict(ATTR.findall(tag.group(2)))
        name = attrs.get("name")
        if not name or name in SKIP_FIELDS or attrs.get("type") in ("submit", "file"):
            continue
        value = unescape(attrs.get("value", ""))
        if tag.group(1).lower() == "select":
            rest = html[tag.end() : html.find("</select>", tag.end())]
            options = [o for o in OPTION.findall(rest) if o]
            value = unescape(options[0]) if options else ""
        if attrs.get("type") in ("checkbox", "radio") and name in found:
            continue
        found.setdefault(name, value)
    return found


def our_tables() -> list[str]:
    skip = {"painclinic_auditevent"}
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.app_label in (*OUR_APPS, "painclinic")
        and model._meta.db_table not in skip
        and not model._meta.proxy
        and model._meta.managed
    )


def row_counts(tables: list[str]) -> tuple[int, ...]:
    sql = "SELECT " + ", ".join(f'(SELECT count(*) FROM "{t}")' for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def _known_parameters(jannick, ana, priya, north) -> dict:
    known = url_parameters_for(jannick, ana)
    programme = programme_services.programme_create(
        actor=priya, team=north, name="Fuzz PMP", kind=ProgrammeKind.OUTPATIENT
    )
    start = date.today() - timedelta(weeks=2)
    cohort = programme_services.cohort_create(
        actor=priya,
        programme=programme,
        data={
            "name": "Fuzz cohort",
            "start_date": start,
            "end_date": start + timedelta(weeks=12),
            "venue": "Gym",
            "capacity": 10,
        },
    )
    programme_services.sessions_add(
        actor=priya,
        cohort=cohort,
        first_date=start,
        length="am",
        hours=None,
        components=["education"],
        weeks=2,
    )
    known.update(
        programme_id=programme.pk,
        cohort_id=cohort.pk,
        session_id=cohort.sessions.first().pk,
    )
    return known


def _public_links(jannick, ana) -> list[str]:
    session = assessment_services.session_start(
        actor=ana,
        patient=jannick,
        episode=Episode.objects.current_for(jannick),
        time_point="first_visit",
        instrument_keys=["tsk11", "phq9"],
    )
    made_up_wording("tsk11")
    _link, token = assessment_services.patient_link_issue(actor=ana, session=session)
    study = Episode.objects.current_for(jannick).sced_studies.first()
    _diary, diary_token = sced_services.diary_link_issue(actor=ana, study=study)
    return [
        reverse("assessment:link", args=[token]),
        reverse("sced:diary", args=[diary_token]),
    ]


class Tally:
    def __init__(self) -> None:
        self.requests = 0
        self.server_errors: list[str] = []
        self.half_written: list[str] = []
        self.urls = 0


def fuzz_url(client: Client, url: str, fields: dict[str, str], tally: Tally, tables) -> None:
    names = sorted(fields)

    @settings(
        max_examples=EXAMPLES_PER_URL,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.fixed_dictionaries({n: st.one_of(st.just(fields[n]), hostile) for n in names}))
    def one(data):
        before = row_counts(tables)
        response = client.post(url, data)
        tally.requests += 1
        if response.status_code >= 500:
            tally.server_errors.append(f"POST {url} {data!r:.300} -> {response.status_code}")
        elif 400 <= response.status_code < 500 and row_counts(tables) != before:
            tally.half_written.append(f"POST {url} -> {response.status_code} wrote rows")

    one()


@pytest.mark.django_db
def test_no_form_or_public_endpoint_answers_5xx_or_half_writes(
    jannick, ana, bob, priya, north, settings
):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    known = _known_parameters(jannick, ana, priya, north)
    public = _public_links(jannick, ana)
    tables = our_tables()
    users = [ana, bob, priya]
    clients = []
    for user in users:
        c = Client(raise_request_exception=False)
        c.force_login(user)
        clients.append(c)
    tally = Tally()
    pages: dict[str, dict[str, str]] = {}
    targets: list[tuple[Client, str, str]] = []
    every_field: dict[str, str] = {}
    for name, pattern in _walk(get_resolver().url_patterns):
        if name.startswith("admin:") or name.split(":")[-1] in NOT_FUZZED:
            continue
        converters = set(pattern.pattern.converters)
        if "token" in converters or not converters <= set(known):
            continue
        url = reverse(name, kwargs={k: known[k] for k in converters})
        for c in clients:
            page = c.get(url)
            if page.status_code in (403, 404) or (
                page.status_code == 302 and "/login/" in page["Location"]
            ):
                continue
            assert page.status_code < 500, f"GET {url} -> {page.status_code}"
            html = page.content.decode(errors="replace") if page.status_code == 200 else ""
            pages[url] = form_fields(html)
            every_field.update(pages[url])
            targets.append((c, name, url))
            break
    for c, _name, url in targets:
        probe = c.post(url, {})
        tally.requests += 1
        if probe.status_code == 405:
            continue
        if probe.status_code >= 500:
            tally.server_errors.append(f"POST {url} {{}} -> {probe.status_code}")
        tally.urls += 1
        fuzz_url(c, url, pages[url] or every_field, tally, tables)
    anonymous = Client(raise_request_exception=False)
    for url in public:
        fields = form_fields(anonymous.get(url).content.decode())
        tally.urls += 1
        fuzz_url(anonymous, url, fields or {"value": ""}, tally, tables)
    print(
        f"\nfuzz: {tally.urls} URLs, {tally.requests} requests, "
        f"{len(tally.server_errors)} 5xx, {len(tally.half_written)} half-written refusals"
    )
    assert tally.urls >= 40, "the resolver walk found too few form URLs"
    assert tally.server_errors == [], "\n".join(tally.server_errors[:30])
    assert tally.half_written == [], "\n".join(tally.half_written[:30])
