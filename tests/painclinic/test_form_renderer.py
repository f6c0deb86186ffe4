"""The Python-written widgets give the same markup as Django's widget templates (issue #16)."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from painclinic.form_renderer import FAST_WIDGETS

CHOICES = [
    ("", "---------"),
    ("a&b", 'Tom & "Jerry" <x>'),
    ("MG30.0", "Chronic primary pain"),
    ("Group", [("g1", "One"), ("g2", "Two")]),
]


class _Form(forms.Form):
    text = forms.CharField(required=False, max_length=20)
    choice = forms.ChoiceField(choices=CHOICES)
    grouped = forms.ChoiceField(choices=CHOICES, required=False)
    number = forms.IntegerField(required=False)
    many = forms.MultipleChoiceField(choices=CHOICES[:3], required=False)
    flag = forms.BooleanField(required=False)
    note = forms.CharField(required=False, widget=forms.Textarea)
    radio = forms.ChoiceField(choices=CHOICES[1:3], widget=forms.RadioSelect, required=False)
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    email = forms.EmailField(required=False)
    rows = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"text": 'O\'Brien & "Sons" <b>', "choice": "a&b", "grouped": "g2", "number": "7"},
        {"text": "x" * 30, "choice": "nope", "number": "seven", "many": ["a&b", "MG30.0"]},
        {"flag": "on", "note": "<script>", "radio": "MG30.0"},
        {"day": "2026-02-30", "email": "a&b@x", "rows": 'Line 1\n<b>Line 2</b> & "3"'},
        {"day": "2026-12-07", "email": "ana@example.org", "rows": "   "},
    ],
)
def test_each_widget_is_written_as_the_templates_write_it(data):
    templates, fast = _Form(data, renderer=DjangoTemplates()), _Form(data, renderer=FAST_WIDGETS)
    if data is not None:
        templates.is_valid(), fast.is_valid()
    for name in _Form.base_fields:
        assert str(fast[name]) == str(templates[name]), name
        extra = {"class": "select form-select is-invalid", "data-x": True, "hidden": False}
        assert fast[name].as_widget(attrs=extra) == templates[name].as_widget(attrs=extra), name


def test_a_safe_value_stays_unescaped_as_in_the_templates():
    widget = forms.TextInput(attrs={"title": mark_safe("a &amp; b")})
    assert widget.render("t", mark_safe("&lt;"), renderer=FAST_WIDGETS) == widget.render(
        "t", mark_safe("&lt;"), renderer=DjangoTemplates()
    )
