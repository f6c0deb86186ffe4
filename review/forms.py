"""Forms of the team lead's caseload review."""

from __future__ import annotations

from typing import Any

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from painclinic.form_renderer import PlainBootstrapForm
from patients.conditions import CONDITION_CHOICES
from patients.models import Episode, EpisodeStatus, Pathway, Urgency
from review.rules import ATTENTION_LISTS

SORTS = [
    ("name", _("Patient")),
    ("clinician", _("Clinician")),
    ("-waiting", _("Longest waiting")),
    ("list", _("List")),
]


class GridForm(PlainBootstrapForm):
    """A form written by the plain template _partials/_grid_form.html in one row of Bootstrap
    columns (``grid``: field name and column class) with a submit button (``grid_submit``: name
    and label): the markup crispy's Layout(Row(Column(...)), Submit(...)) gives it
    (painclinic.form_renderer.PlainBootstrapForm). Crispy took ~5 ms of CPU for the team
    review's two forms on every visit (issue #16); tests/review/test_team_dashboard.py renders
    both ways."""

    grid: tuple[tuple[str, str], ...] = ()
    grid_submit: tuple[str, Any] = ("submit", "")
    grid_method = "get"

    def __init__(self, *args, action: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.grid_action = action

    @property
    def grid_fields(self):
        return [(self[name], column) for name, column in self.grid]


class ReviewFilterForm(GridForm):
    clinician = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label=_("Clinician")
    )
    status = forms.ChoiceField(required=False, label=_("Status"))
    condition = forms.ChoiceField(required=False, label=_("Condition"))
    list = forms.ChoiceField(required=False, label=_("Attention list"))
    sort = forms.ChoiceField(required=False, choices=SORTS, label=_("Sort by"))

    grid = (
        ("clinician", "col-md-2"),
        ("status", "col-md-2"),
        ("condition", "col-md-3"),
        ("list", "col-md-3"),
        ("sort", "col-md-2"),
    )
    grid_submit = ("filter", _("Filter"))

    def __init__(self, *args, clinicians, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinician"].choices = [("", _("All"))] + [(c.pk, str(c)) for c in clinicians]
        self.fields["status"].choices = [("", _("All")), *list(EpisodeStatus.choices[:4])]
        self.fields["condition"].choices = [("", _("All")), *list(CONDITION_CHOICES)]
        self.fields["list"].choices = [("", _("All")), *list(ATTENTION_LISTS.items())]


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


class TeamSettingsForm(GridForm):
    review_interval_days = forms.IntegerField(
        min_value=7, max_value=730, label=_("Review interval (days)")
    )
    no_improvement_after_weeks = forms.IntegerField(
        min_value=1, max_value=104, label=_("No reliable improvement after (weeks)")
    )

    grid = (("review_interval_days", "col-md-6"), ("no_improvement_after_weeks", "col-md-6"))
    grid_submit = ("save_settings", _("Save rules"))
    grid_method = "post"


# --- The team's waiting list (issue #13) -------------------------------------------------------


class WaitingListFilter(django_filters.FilterSet):
    """Filter and sort the waiting list (django-filter): urgency, pathway, status, clinician;
    sorted by days since referral (longest first by default), urgency or name."""

    urgency = django_filters.ChoiceFilter(
        choices=[("none", _("Not triaged")), *Urgency.choices],
        method="filter_triage",
        label=_("Urgency"),
        empty_label=_("All"),
    )
    pathway = django_filters.ChoiceFilter(
        choices=[("none", _("Not triaged")), *Pathway.choices],
        method="filter_triage",
        label=_("Pathway"),
        empty_label=_("All"),
    )
    status = django_filters.ChoiceFilter(
        choices=[
            (EpisodeStatus.REFERRED, EpisodeStatus.REFERRED.label),
            (EpisodeStatus.WAITING, EpisodeStatus.WAITING.label),
        ],
        label=_("Status"),
        empty_label=_("All"),
    )
    clinician = django_filters.ModelChoiceFilter(
        field_name="lead_clinician", queryset=None, label=_("Lead clinician"), empty_label=_("All")
    )
    order = django_filters.OrderingFilter(
        fields=(
            ("referral_date", "referred"),
            ("urgency_rank", "urgency"),
            ("patient__family_name", "name"),
        ),
        field_labels={
            "referral_date": _("Longest waiting last"),
            "-referral_date": _("Longest waiting first"),
            "urgency_rank": _("Most urgent first"),
            "-urgency_rank": _("Least urgent first"),
            "patient__family_name": _("Name"),
            "-patient__family_name": _("Name (Z to A)"),
        },
        label=_("Sort by"),
        empty_label=_("Longest waiting first"),
    )

    class Meta:
        model = Episode
        fields: list[str] = []

    def __init__(self, *args, clinicians=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["clinician"].queryset = clinicians
        self.form.helper = FormHelper()
        self.form.helper.form_method = "get"
        self.form.helper.layout = Layout(
            Row(
                Column("urgency", css_class="col-md-2"),
                Column("pathway", css_class="col-md-3"),
                Column("status", css_class="col-md-2"),
                Column("clinician", css_class="col-md-2"),
                Column("order", css_class="col-md-3"),
            ),
            Submit("filter", _("Filter")),
        )

    def filter_triage(self, queryset, name, value):
        return queryset.filter(**{name: "" if value == "none" else value})

    @property
    def qs(self):
        queryset = super().qs
        if not getattr(self.form, "cleaned_data", {}).get("order"):
            queryset = queryset.order_by("referral_date", "pk")  # longest waiting first
        return queryset
