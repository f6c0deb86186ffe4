"""The POST round trip of a form page: when the form is valid, one service call; what the service
refuses goes onto the form (400), a save over someone else's (``EditConflict``,
painclinic/concurrency.py) keeps everything typed and shows what is saved now (409)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from painclinic.concurrency import EditConflict, conflict_rows

if TYPE_CHECKING:
    from collections.abc import Callable


@dataclass(frozen=True)
class FormSave:
    """What became of a form's save: saved (``result``: what the service returned), refused
    (the errors are on the form), or refused because someone saved the record meanwhile
    (``conflict``)."""

    form: Any = None
    saved: bool = False
    conflict: EditConflict | None = None
    result: Any = None

    @property
    def status(self) -> int:
        """The status of the page that shows the form again: 409 on a conflict, else 400."""
        return 409 if self.conflict else 400

    def context(self) -> dict[str, Any]:
        """For the page and its ``_edit_conflict.html``: the conflict and, field by field, what
        is saved now where it differs from what was typed."""
        return {
            "conflict": self.conflict,
            "conflict_rows": conflict_rows(self.conflict, self.form) if self.conflict else [],
        }


def save_form(
    form: Any,
    save: Callable[[], Any],
    *,
    refused: Callable[[Any, ValidationError], None] | None = None,
) -> FormSave:
    """``save()`` when the bound ``form`` is valid. A ValidationError goes onto the form
    (``refused(form, exc)`` where the page places it itself, e.g. per field). An EditConflict
    (only a form with the edit token meets one) keeps everything typed and carries the token of
    what is saved now (``rebase_on``), so saving again is a deliberate overwrite. The view then
    says "saved" and redirects, or shows the form again with ``status`` and ``context()``."""
    if not form.is_valid():
        return FormSave(form)
    try:
        result = save()
    except ValidationError as exc:
        if refused is None:
            form.add_error(None, exc)
        else:
            refused(form, exc)
        return FormSave(form)
    except EditConflict as exc:
        form.rebase_on(exc.current)
        return FormSave(form, conflict=exc)
    return FormSave(form, saved=True, result=result)
