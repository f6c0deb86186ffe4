"""Forms of the team lead's caseload review."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from patients.conditions import CONDITION_CHOICES
from patients.models import EpisodeStatus
from review.rules import ATTENTION_LISTS

SORTS = [
    ("name", _("Patient")),
    ("clinician", _("Clinician")),
    ("-waiting", _("Longest waiting")),
    ("list", _("List")),
]


class ReviewFilterForm(forms.Form):
    clinician = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label=_("Clinician")
    )
    status = forms.ChoiceField(required=False, label=_("Status"))
    condition = forms.ChoiceField(required=False, label=_("Condition"))
    list = forms.ChoiceField(required=False, label=_("Attention list"))
    sort = forms.ChoiceField(required=False, choices=SORTS, label=_("Sort by"))

    def __init__(self, *args, clinicians, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinician"].choices = [("", _("All"))] + [(c.pk, str(c)) for c in clinicians]
        self.fields["status"].choices = [("", _("All")), *list(EpisodeStatus.choices[:4])]
        self.fields["condition"].choices = [("", _("All")), *list(CONDITION_CHOICES)]
        self.fields["list"].choices = [("", _("All")), *list(ATTENTION_LISTS.items())]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Row(
                Column("clinician", css_class="col-md-2"),
                Column("status", css_class="col-md-2"),
                Column("condition", css_class="col-md-3"),
                Column("list", css_class="col-md-3"),
                Column("sort", css_class="col-md-2"),
            ),
            Submit("filter", _("Filter")),
        )


class ReassignForm(forms.Form):
    to_clinician = forms.ModelChoiceField(
        queryset=None,
        label=_("New lead clinician"),
        error_messages={
            "invalid_choice": _("Choose a clinician of the team who gives clinical care.")
        },
    )
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Note for the clinician")
    )

    remove_previous_lead = forms.BooleanField(
        required=False,
        label=_("Remove the current lead clinician from the care team"),
        help_text=_(
            "By default the current lead stays on the care team: they keep access to the record "
            "and to the review notes addressed to them."
        ),
    )

    def __init__(self, *args, clinicians, action: str = "", previous_lead=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only clinicians of the episode's team may take it over (painclinic.access.clinical_staff,
        # chosen by the view).
        self.fields["to_clinician"].queryset = clinicians
        if previous_lead is not None:
            self.fields["remove_previous_lead"].label = _("Remove %(name)s from the care team") % {
                "name": previous_lead
            }
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.layout = Layout(
            "to_clinician", "note", "remove_previous_lead", Submit("reassign", _("Continue"))
        )


class ReviewNoteForm(forms.Form):
    text = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label=_("Review note")
    )

    def __init__(self, *args, action: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.layout = Layout("text", Submit("add_note", _("Leave note")))


class TeamSettingsForm(forms.Form):
    review_interval_days = forms.IntegerField(
        min_value=7, max_value=730, label=_("Review interval (days)")
    )
    no_improvement_after_weeks = forms.IntegerField(
        min_value=1, max_value=104, label=_("No reliable improvement after (weeks)")
    )

    def __init__(self, *args, action: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.layout = Layout(
            Row(
                Column("review_interval_days", css_class="col-md-6"),
                Column("no_improvement_after_weeks", css_class="col-md-6"),
            ),
            Submit("save_settings", _("Save rules")),
        )
