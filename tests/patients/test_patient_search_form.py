"""The patient list's search form, written by a plain template (issue #16: crispy and Django's
widget templates cost ~4.5 ms a page), shows the same fields, labels, values, errors and
accessibility attributes as crispy's Bootstrap 5 field did."""

from __future__ import annotations

import re

import pytest
from django.http import QueryDict
from django.template import engines
from django.template.loader import render_to_string
from django.urls import reverse

from patients.forms import PatientFilter
from patients.models import Patient

CRISPY = engines["django"].from_string(
    "{% load crispy_forms_filters %}{% for field in filter.form %}"
    "{{ field|as_crispy_field }}{% endfor %}"
)


def _plain(filterset) -> str:
    return "".join(
        render_to_string("patients/_search_field.html", {"field": field})
        for field in filterset.form
    )


def _squeeze(html: str) -> str:
    """Markup without the whitespace between tags and inside them that the browser ignores."""
    html = re.sub(r"\s+", " ", html)
    html = re.sub(r">\s+", ">", html)
    html = re.sub(r"\s+<", "<", html)
    return re.sub(r"<label\s+", "<label ", html).strip()


def _crispy(query: str) -> str:
    filterset = PatientFilter(QueryDict(query), queryset=Patient.objects.none())
    filterset.is_valid()
    # crispy adds its own widget classes: give it widgets without ours
    for field in filterset.form.fields.values():
        field.widget.attrs.pop("class", None)
    return CRISPY.render({"filter": filterset})


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=walsh",
        "q=O%27Brien+%26+%3Cb%3E&status=active&condition=MG30.00&order=-born",
        "status=bogus&condition=nope&order=sideways",
        "order=name,born",
    ],
)
def test_the_search_form_reads_as_crispy_wrote_it(query):
    filterset = PatientFilter(QueryDict(query), queryset=Patient.objects.none())
    filterset.is_valid()
    assert _squeeze(_plain(filterset)) == _squeeze(_crispy(query))


def test_a_wrong_choice_is_announced_on_its_field():
    filterset = PatientFilter(QueryDict("status=bogus"), queryset=Patient.objects.none())
    filterset.is_valid()
    html = _plain(filterset)
    assert (
        '<select name="status" class="select form-select is-invalid" aria-invalid="true" '
        'aria-describedby="id_status_error" id="id_status">' in html
    )
    assert '<div id="id_status_error" class="invalid-feedback">' in html


@pytest.mark.django_db
def test_the_list_page_shows_the_search_form(client, ana):
    client.force_login(ana)
    html = client.get(reverse("patients:list"), {"q": "walsh"}).content.decode()
    assert '<label for="id_q" class="form-label">' in html
    assert (
        '<input type="text" name="q" value="walsh" class="textinput form-control" id="id_q">'
        in html
    )
    for name in ("status", "condition", "order"):
        assert f'id="id_{name}"' in html
