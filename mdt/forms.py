"""Forms of the MDT case conferences (issue #13)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from painclinic.concurrency import EditTokenFormMixin

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MdtFlagForm(forms.Form):
    """Flag the patient for the team's MDT, with a reason."""

    reason = forms.CharField(
        max_length=500,
        label=_("What should the team discuss?"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, action: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.layout = Layout("reason", Submit("flag", _("Add to the MDT agenda")))

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError(_("Say what the team should discuss."))
        return reason


class _PersonChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj} ({obj.get_discipline_display()})"


class _FlagChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.patient.full_name}: {obj.reason}"


class PrepareForm(forms.Form):
    held_on = forms.DateField(label=_("Date of the conference"), widget=DATE_INPUT)
    attendees = _PersonChoice(
        queryset=None,
        label=_("Attendees"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    flags = _FlagChoice(
        queryset=None,
        label=_("Patients from the agenda"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one patient from the agenda.")},
    )

    def __init__(self, *args, attendees, agenda, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = attendees
        self.fields["flags"].queryset = agenda
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("held_on", css_class="col-md-4")),
            Row(Column("attendees", css_class="col-md-6"), Column("flags", css_class="col-md-6")),
            Submit("prepare", _("Prepare the conference")),
        )


class DiscussionForm(EditTokenFormMixin, forms.Form):
    EDIT_TOKEN_FIELDS = ("question", "summary", "decisions")
    question = forms.CharField(
        label=_("Question for the MDT"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    summary = forms.CharField(
        label=_("Discussion summary"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    decisions = forms.CharField(
        label=_("Decisions"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, action: str = "", discussion=None, **kwargs) -> None:
        if discussion is not None:
            kwargs.setdefault(
                "initial", {name: getattr(discussion, name) for name in self.EDIT_TOKEN_FIELDS}
            )
            kwargs.setdefault("prefix", f"d{discussion.pk}")
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.layout = Layout(
            "question", "summary", "decisions", Submit("save", _("Save the discussion"))
        )
        self.add_edit_token(discussion)


class ActionForm(forms.Form):
    text = forms.CharField(label=_("Action"), max_length=500)
    owner = forms.TypedChoiceField(coerce=int, label=_("Who"))
    due_on = forms.DateField(label=_("Due"), widget=DATE_INPUT)

    def __init__(self, *args, action: str = "", owners=None, discussion=None, **kwargs) -> None:
        if discussion is not None:
            kwargs.setdefault("prefix", f"a{discussion.pk}")
        super().__init__(*args, **kwargs)
        # ``owners`` is a list read once per page: a conference of 12 patients has 12 pickers.
        self.owners = {person.pk: person for person in owners or ()}
        self.fields["owner"].choices = [("", "---------")] + [
            (person.pk, f"{person} ({person.get_discipline_display()})")
            for person in self.owners.values()
        ]
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.layout = Layout(
            Row(
                Column("text", css_class="col-md-6"),
                Column("owner", css_class="col-md-3"),
                Column("due_on", css_class="col-md-3"),
            ),
            Submit("add_action", _("Add the action")),
        )

    def clean_owner(self):
        return self.owners[self.cleaned_data["owner"]]
