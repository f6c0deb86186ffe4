"""Optimistic concurrency for every record edited through a form (security.md E3, issue #15).

Two clinicians open the same record; both save. Without a check the later save silently
replaces the earlier one. The form carries a token of the values it was opened with; the service
locks the row, recomputes the token from what is saved now and refuses the save with
``EditConflict`` when they differ. The view answers 409, keeps everything typed and shows what is
saved now; saving again (with the new token) is a deliberate overwrite.

The token is a hash of the edited fields' saved values, so no model needs a version column: it
changes exactly when one of the fields the form shows changes. ``Patient`` keeps its version
column (the token mechanism is the same idea; its EditConflict is this class).
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from django import forms

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from django.db.models import QuerySet

TOKEN_FIELD = "edit_token"


class EditConflict(Exception):
    """Someone else saved the record after this form was opened."""

    def __init__(self, current: Any, differing_fields: list[str]) -> None:
        super().__init__("edit conflict")
        self.current = current
        # Fields where what this user typed differs from what is saved now.
        self.differing_fields = differing_fields


def _plain(value: Any) -> Any:
    if hasattr(value, "pk") and not isinstance(value, type):
        return value.pk
    if isinstance(value, float):
        return repr(value)
    return str(value) if not isinstance(value, str | int | bool | type(None)) else value


def posted_token(request: Any) -> str | None:
    """The token a form posted; None when the POST carries none (a script or a test posting
    the fields only), which skips the check: every page's form carries it, so a browser always
    takes part, and an empty or stale token is always refused."""
    return request.POST.get(TOKEN_FIELD)


def edit_token(obj: Any, fields: Iterable[str]) -> str:
    """A short hash of ``obj``'s saved values of ``fields`` (a decimal 0.80 and 0.8 differ only
    if the database would store them differently: both come from the row as read)."""
    values = {name: _plain(getattr(obj, name)) for name in fields}
    payload = json.dumps(values, sort_keys=True, default=str).encode()
    return hashlib.sha256(payload).hexdigest()[:32]


def conflict_rows(conflict: EditConflict, form: Any) -> list[tuple[str, Any]]:
    """(label, value saved now) of each field where the typed value differs: the 409 page."""
    rows = []
    for name in conflict.differing_fields:
        field = form.fields.get(name)
        value = getattr(conflict.current, name, None)
        display = getattr(conflict.current, f"get_{name}_display", None)
        if display:
            value = display()
        elif isinstance(value, float):
            value = f"{value:g}"  # no raw floats on a page
        rows.append((field.label if field is not None else name, value))
    return rows


def check_edit_token(
    current: Any, fields: Iterable[str], token: str | None, typed: Mapping[str, Any]
) -> None:
    """Raise EditConflict when ``current`` (the locked, saved row) is no longer what the form
    was opened with. ``typed`` names the differing fields for the 409 page. No token (None: no
    form, or a POST without the field, see ``posted_token``) checks nothing."""
    if token is None:
        return
    fields = list(fields)
    if token == edit_token(current, fields):
        return
    differing = [
        f for f in fields if f in typed and _plain(getattr(current, f)) != _plain(typed[f])
    ]
    raise EditConflict(current=current, differing_fields=differing)


def check_version(current: Any, expected: int, differing: Iterable[str]) -> None:
    """For the records with a ``version`` column (a patient's details; the signed versions of
    plans and medications): raise EditConflict when the newest version saved (``current``; None
    when there is none yet, version 0) is not the one the form was opened on. ``differing``
    names the fields where what was typed differs from ``current``, for the 409 page."""
    if (current.version if current is not None else 0) != expected:
        raise EditConflict(current=current, differing_fields=list(differing))


def locked_for_edit(
    queryset: QuerySet, pk: Any, fields: Iterable[str], token: str | None, typed: Mapping[str, Any]
) -> Any:
    """The row a form edits, locked until the transaction ends (two saves serialise) and checked
    against the form's token (``check_edit_token``): the first step of every edit service whose
    form carries a token."""
    current = queryset.select_for_update(no_key=True).get(pk=pk)
    check_edit_token(current, fields, token, typed)
    return current


# For the type checker the mixin is a form (it only ever sits on one); at run time a plain class.
if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class EditTokenFormMixin(_FormBase):
    """Adds the hidden token field to a form; ``edit_token_for(obj)`` sets it on GET.

    ``EDIT_TOKEN_FIELDS`` names the fields the token covers (the fields the form edits).
    """

    EDIT_TOKEN_FIELDS: tuple[str, ...] = ()

    def add_edit_token(self, obj: Any | None) -> None:
        """Call at the end of ``__init__`` (after the crispy helper is built)."""
        self.fields[TOKEN_FIELD] = forms.CharField(
            widget=forms.HiddenInput, required=False, max_length=64
        )
        if obj is not None and not self.is_bound:
            self.initial[TOKEN_FIELD] = edit_token(obj, self.EDIT_TOKEN_FIELDS)
        helper = getattr(self, "helper", None)
        if helper is not None and helper.layout is not None:
            helper.layout.fields.insert(0, TOKEN_FIELD)  # crispy renders only laid-out fields

    def typed(self) -> dict[str, Any]:
        """The cleaned values of every field but the token: what the edit service takes, by
        name (the token goes to it as posted, see ``posted_token``)."""
        return {name: value for name, value in self.cleaned_data.items() if name != TOKEN_FIELD}

    def rebase_on(self, current: Any) -> None:
        """After a conflict: keep what was typed, carry the token of what is saved now, so a
        second deliberate save goes through."""
        data = self.data.copy()  # type: ignore[attr-defined]
        data[self.add_prefix(TOKEN_FIELD)] = edit_token(current, self.EDIT_TOKEN_FIELDS)
        self.data = data


def posted_on_top_of(request: Any, current: Any) -> Any:
    """The typed values, now aimed at the version saved meanwhile (``current``; None when there is
    none yet): the 409 page re-shows everything typed, and saving it again goes on top of the
    other clinician's version, on purpose. For the records with a ``version`` field (treatment and
    taper plans, flare-up plans, medication versions)."""
    posted = request.POST.copy()
    posted["version"] = current.version if current is not None else 0
    return posted
