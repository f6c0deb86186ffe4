"""A form renderer that writes the plain inputs (text, number, date, email), the select box and
the text area in Python, with the markup of Django's own widget templates, character for
character.

Django renders every widget through templates: a select box includes one template per option and
one more for each option's attributes, so the patient list's three filter boxes (26 options)
cost ~3.5 ms of CPU on every page and every keystroke of the live search (issue #16). The output
here is the same string those templates produce (tests/painclinic/test_form_renderer.py renders
both ways and compares); every other widget falls back to the templates.

Use it on a form that is rendered on a hot page: ``default_renderer = FAST_WIDGETS``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, SafeString, mark_safe


def _formatted(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``: the filter keeps a safe string safe, escapes the rest."""
    text = str(value)
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html: ``False`` leaves the attribute out, ``True`` writes its
    name alone."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            out.append(f' {conditional_escape(name)}="{_formatted(value)}"')
    return "".join(out)


def _input(widget: dict[str, Any]) -> str:
    """django/forms/widgets/input.html (text.html includes it)."""
    value = widget["value"]
    shown = "" if value is None else f' value="{_formatted(value)}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def _option(option: dict[str, Any]) -> str:
    """django/forms/widgets/select_option.html."""
    return (
        f'<option value="{_formatted(option["value"])}"'
        f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>"
    )


def _select(widget: dict[str, Any]) -> str:
    """django/forms/widgets/select.html (its options all select_option.html)."""
    out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] != "django/forms/widgets/select_option.html":
                raise _NotPlain
            # The option's template ends with a line break, which its include keeps.
            out.append(f"\n  {_option(option)}\n")
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def _textarea(widget: dict[str, Any]) -> str:
    """django/forms/widgets/textarea.html."""
    value = widget["value"]
    shown = conditional_escape(value) if value else ""
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{shown}</textarea>"
    )


class _NotPlain(Exception):
    """A widget this module does not write (a custom option template): the templates do."""


_WRITERS = {
    # text, number, date and email are each the one include of input.html.
    "django/forms/widgets/text.html": _input,
    "django/forms/widgets/number.html": _input,
    "django/forms/widgets/date.html": _input,
    "django/forms/widgets/email.html": _input,
    "django/forms/widgets/input.html": _input,
    "django/forms/widgets/select.html": _select,
    "django/forms/widgets/textarea.html": _textarea,
}


class FastWidgetRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request=None) -> SafeString:
        writer = _WRITERS.get(template_name)
        if writer is not None:
            try:
                return mark_safe(writer(context["widget"]))
            except _NotPlain:
                pass
        return mark_safe(super().render(template_name, context, request=request))


FAST_WIDGETS = FastWidgetRenderer()


class PlainBootstrapForm(forms.Form):
    """A form written by a plain template with the markup crispy's Bootstrap 5 field gives it
    (patients/_search_field.html, _partials/_grid_form.html): the widget classes crispy would
    add are set here, "is-invalid" on a field with an error (Django adds its aria-invalid and
    aria-describedby), and the widgets are written in Python (``FAST_WIDGETS``)."""

    default_renderer = FAST_WIDGETS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            bootstrap = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{type(widget).__name__.lower()} {bootstrap}"

    def _post_clean(self):
        super()._post_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"
