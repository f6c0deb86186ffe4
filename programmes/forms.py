"""Forms for PMP pages (crispy-forms + Bootstrap 5, as patients/forms.py)."""

from __future__ import annotations

from datetime import date, timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from painclinic.concurrency import EditTokenFormMixin
from painclinic.models import Discipline
from painclinic.validators import planned_clinical_date
from programmes.models import (
    COHORT_NAME_TAKEN,
    ENDS_BEFORE_START,
    ENROLMENT_TRANSITIONS,
    FOLLOW_UP_TOO_WIDE,
    Cohort,
    Component,
    EnrolmentState,
    OutcomeTimePoint,
    Programme,
    Readiness,
    SessionLength,
    WithdrawalReason,
    outcome_value_problem,
    past_date_problem,
    session_date_problem,
)
from programmes.services import WINDOW_FIELDS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OFFER_NEEDS_COHORT = _("Choose the cohort the place is in.")
WITHDRAWAL_NEEDS_REASON = _("Give the reason for withdrawal.")
GCQS_ITEMS = 12
# No answer is preset: an unanswered item must fail "required", not be saved as 0 (issue #9).
GCQS_SCALE = [("", "—"), *[(i, str(i)) for i in range(7)]]
AMENDMENT_REASON_HELP = _(
    "Only when correcting an entry already saved: say why. The earlier version is kept."
)


def _helper(action: str, layout: list, button: str, name: str) -> FormHelper:
    helper = FormHelper()
    helper.form_action = action
    helper.layout = Layout(*layout, Submit(name, button, css_class="btn-primary"))
    return helper


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["name", "start_date", "end_date", "venue", "capacity"]
        widgets = {"start_date": DATE_INPUT, "end_date": DATE_INPUT}

    def __init__(self, *args, action: str = "", programme: Programme | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.helper = _helper(
            action,
            [
                Row(Column("name", css_class="col-md-6"), Column("venue", css_class="col-md-6")),
                Row(
                    Column("start_date", css_class="col-md-4"),
                    Column("end_date", css_class="col-md-4"),
                    Column("capacity", css_class="col-md-4"),
                ),
            ],
            _("Create cohort"),
            "create_cohort",
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", ENDS_BEFORE_START)
        name = cleaned.get("name")
        if self.programme is not None and name:
            # The constraint compares names case-insensitively (cohort_unique_programme_name_ci).
            taken = Cohort.objects.filter(programme=self.programme, name__iexact=name.strip())
            if taken.exclude(pk=self.instance.pk).exists():
                self.add_error("name", COHORT_NAME_TAKEN)
        return cleaned


class StaffForm(forms.Form):
    name = forms.CharField(max_length=120, label=_("Staff name"))
    discipline = forms.ChoiceField(choices=Discipline.choices, label=_("Discipline"))

    def __init__(self, *args, action: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            action,
            [Row(Column("name", css_class="col-md-6"), Column("discipline", css_class="col-md-6"))],
            _("Add to roster"),
            "add_staff",
        )


class SessionForm(forms.Form):
    first_date = forms.DateField(
        widget=DATE_INPUT, label=_("Session date"), validators=[planned_clinical_date]
    )
    length = forms.ChoiceField(choices=SessionLength.choices, label=_("Length"))
    hours = forms.DecimalField(
        required=False,
        min_value=0.5,
        max_value=12,
        decimal_places=1,
        label=_("Hours of input"),
        help_text=_("Leave empty for 3 h a half-day, 6 h a full day."),
    )
    components = forms.MultipleChoiceField(
        choices=Component.choices, widget=forms.CheckboxSelectMultiple, label=_("Components")
    )
    title = forms.CharField(max_length=160, required=False, label=_("Title"))
    weeks = forms.IntegerField(
        min_value=1, max_value=26, initial=1, label=_("Repeat weekly for (weeks)")
    )

    def __init__(self, *args, cohort=None, action: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        if cohort is not None:
            self.fields["first_date"].widget.attrs.update(
                {"min": cohort.start_date.isoformat(), "max": cohort.end_date.isoformat()}
            )
            self.fields["first_date"].help_text = _("Between %(start)s and %(end)s.") % {
                "start": f"{cohort.start_date:%d %b %Y}",
                "end": f"{cohort.end_date:%d %b %Y}",
            }
        self.helper = _helper(
            action,
            [
                Row(
                    Column("first_date", css_class="col-md-3"),
                    Column("length", css_class="col-md-3"),
                    Column("hours", css_class="col-md-3"),
                    Column("weeks", css_class="col-md-3"),
                ),
                Row(Column("title", css_class="col-md-6")),
                "components",
            ],
            _("Add to timetable"),
            "add_sessions",
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("length") == SessionLength.HOURS and cleaned.get("hours") is None:
            self.add_error("hours", _("Give the hours for a session booked in hours."))
        first, weeks = cleaned.get("first_date"), cleaned.get("weeks")
        if self.cohort is not None and first and weeks:
            for week in range(weeks):
                problem = session_date_problem(self.cohort, first + timedelta(weeks=week))
                if problem:
                    field = "first_date" if week == 0 else "weeks"
                    self.add_error(field, problem)
                    break
        return cleaned


class ReferForm(forms.Form):
    programme = forms.ModelChoiceField(queryset=None, label=_("Programme"))
    referred_on = forms.DateField(widget=DATE_INPUT, label=_("Referred on"))

    def __init__(self, *args, programmes, action: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
        if not self.is_bound:
            self.initial.setdefault("referred_on", date.today())
        self.helper = _helper(
            action,
            [
                Row(
                    Column("programme", css_class="col-md-6"),
                    Column("referred_on", css_class="col-md-4"),
                )
            ],
            _("Refer to the programme"),
            "refer",
        )

    def clean_referred_on(self) -> date:
        day = self.cleaned_data["referred_on"]
        if past_date_problem(day):
            raise forms.ValidationError(past_date_problem(day))
        return day


YES_NO = [(True, _("Yes")), (False, _("No"))]


def _yes_no(label, help_text="") -> forms.TypedChoiceField:
    """A caution answered yes or no, neither preset: an unticked box used to stand for "no"
    whether or not anybody had asked (issue #9: no form presets answers)."""
    return forms.TypedChoiceField(
        choices=YES_NO,
        coerce=lambda v: v in (True, "True"),
        widget=forms.RadioSelect,
        label=label,
        help_text=help_text,
    )


class ScreeningForm(forms.Form):
    """The suitability screening: a clinician's entry (programmes.policy)."""

    screened_on = forms.DateField(widget=DATE_INPUT, label=_("Screened on"))
    readiness = forms.ChoiceField(choices=[("", "—"), *Readiness.choices], label=_("Readiness"))
    practical_barriers = forms.CharField(
        max_length=300,
        required=False,
        label=_("Practical barriers to group attendance"),
        help_text=_("e.g. transport, work hours, caring duties, interpreter."),
    )
    acute_psychiatric_need = _yes_no(
        _("Acute psychiatric need (e.g. active psychosis, severe PTSD)")
    )
    severe_cognitive_impairment = _yes_no(_("Severe cognitive impairment"))
    profound_disability_or_fatigue = _yes_no(_("Profound disability or fatigue"))
    litigation_pending = _yes_no(
        _("Litigation or compensation claim pending"),
        _("Recorded for planning; not an exclusion."),
    )

    def __init__(self, *args, action: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("screened_on", date.today())
        self.helper = _helper(
            action,
            [
                Row(
                    Column("screened_on", css_class="col-md-4"),
                    Column("readiness", css_class="col-md-8"),
                ),
                "practical_barriers",
                "acute_psychiatric_need",
                "severe_cognitive_impairment",
                "profound_disability_or_fatigue",
                "litigation_pending",
            ],
            _("Record screening"),
            "record_screening",
        )

    def clean_screened_on(self) -> date:
        day = self.cleaned_data["screened_on"]
        if past_date_problem(day):
            raise forms.ValidationError(past_date_problem(day))
        return day


TRANSITION_BUTTONS = {
    EnrolmentState.SCREENED: _("Mark screened"),
    EnrolmentState.OFFERED: _("Offer a place"),
    EnrolmentState.ENROLLED: _("Enrol"),
    EnrolmentState.COMPLETED: _("Mark completed"),
    EnrolmentState.WITHDRAWN: _("Withdraw"),
}


class TransitionForm(forms.Form):
    to_state = forms.ChoiceField(label=_("Next step"))
    changed_on = forms.DateField(widget=DATE_INPUT, label=_("On"))
    cohort = forms.ModelChoiceField(queryset=None, required=False, label=_("Cohort"))
    reason = forms.ChoiceField(
        choices=[("", "—"), *WithdrawalReason.choices], required=False, label=_("Withdrawal reason")
    )

    def __init__(self, *args, current_state: str, cohorts, action: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        allowed = [s for s in ENROLMENT_TRANSITIONS[current_state] if s != EnrolmentState.SCREENED]
        self.fields["to_state"].choices = [(s, EnrolmentState(s).label) for s in allowed]
        self.fields["cohort"].queryset = cohorts
        if not self.is_bound:
            self.initial.setdefault("changed_on", date.today())
        self.helper = _helper(
            action,
            [
                Row(
                    Column("to_state", css_class="col-md-3"),
                    Column("changed_on", css_class="col-md-3"),
                    Column("cohort", css_class="col-md-3"),
                    Column("reason", css_class="col-md-3"),
                )
            ],
            _("Save step"),
            "save_step",
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("to_state") == EnrolmentState.OFFERED and not cleaned.get("cohort"):
            self.add_error("cohort", OFFER_NEEDS_COHORT)
        if cleaned.get("to_state") == EnrolmentState.WITHDRAWN and not cleaned.get("reason"):
            self.add_error("reason", WITHDRAWAL_NEEDS_REASON)
        day = cleaned.get("changed_on")
        if past_date_problem(day):
            self.add_error("changed_on", past_date_problem(day))
        return cleaned


class ClimateForm(forms.Form):
    """GCQ-S (instruments.md §20): 12 items, 0 not at all … 6 extremely."""

    enrolment = forms.ModelChoiceField(queryset=None, label=_("Participant"))

    def __init__(self, *args, participants, action: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].queryset = participants
        self.fields["enrolment"].label_from_instance = lambda e: e.patient.full_name
        for number in range(1, GCQS_ITEMS + 1):
            self.fields[f"item_{number}"] = forms.TypedChoiceField(
                choices=GCQS_SCALE,
                coerce=int,
                empty_value=None,
                required=True,
                label=_("Item %(n)s") % {"n": number},
            )
        self.fields["reason"] = forms.CharField(
            max_length=300,
            required=False,
            label=_("Reason for the amendment"),
            help_text=AMENDMENT_REASON_HELP,
        )
        self.helper = _helper(
            action,
            [
                "enrolment",
                Row(*[Column(f"item_{n}", css_class="col-md-2") for n in range(1, 13)]),
                "reason",
            ],
            _("Save GCQ-S"),
            "save_gcqs",
        )

    def answers(self) -> dict[str, int]:
        return {str(n): self.cleaned_data[f"item_{n}"] for n in range(1, GCQS_ITEMS + 1)}


class OutcomeForm(forms.Form):
    measure = forms.ModelChoiceField(queryset=None, label=_("Measure"))
    time_point = forms.ChoiceField(
        choices=[("", "—"), *OutcomeTimePoint.choices], label=_("Time point")
    )
    value = forms.FloatField(label=_("Score"))
    recorded_on = forms.DateField(widget=DATE_INPUT, label=_("Date"))
    reason = forms.CharField(
        max_length=300,
        required=False,
        label=_("Reason for the amendment"),
        help_text=AMENDMENT_REASON_HELP,
    )

    def __init__(self, *args, measures, action: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = measures
        if not self.is_bound:
            self.initial.setdefault("recorded_on", date.today())
        self.fields["recorded_on"].widget.attrs["max"] = date.today().isoformat()
        self.helper = _helper(
            action,
            [
                Row(
                    Column("measure", css_class="col-md-3"),
                    Column("time_point", css_class="col-md-3"),
                    Column("value", css_class="col-md-3"),
                    Column("recorded_on", css_class="col-md-3"),
                ),
                "reason",
            ],
            _("Save score"),
            "save_score",
        )

    def clean(self) -> dict:
        # The instrument library's range and the calendar, as the service checks them (the
        # service is the guard; this says it beside the field).
        cleaned = super().clean()
        measure, value = cleaned.get("measure"), cleaned.get("value")
        if measure is not None and value is not None:
            problem = outcome_value_problem(measure, value)
            if problem:
                self.add_error("value", problem)
        day = cleaned.get("recorded_on")
        if past_date_problem(day):
            self.add_error("recorded_on", past_date_problem(day))
        return cleaned


class WindowsForm(EditTokenFormMixin, forms.ModelForm):
    """The programme's outcome windows (defaults in models.Programme: 6/1, ±4, 12 ± 4 weeks)."""

    EDIT_TOKEN_FIELDS = tuple(WINDOW_FIELDS)

    class Meta:
        model = Programme
        fields = list(WINDOW_FIELDS)

    def __init__(self, *args, action: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in WINDOW_FIELDS:
            self.fields[name].max_value = 52
            self.fields[name].widget.attrs.update({"min": 0, "max": 52})
            self.fields[name].validators.append(MaxValueValidator(52))
        self.helper = _helper(
            action,
            [
                Row(
                    *[Column(name, css_class="col-md") for name in WINDOW_FIELDS],
                )
            ],
            _("Save windows"),
            "save_windows",
        )
        self.add_edit_token(self.instance if self.instance.pk else None)

    def clean(self) -> dict:
        data = super().clean()
        weeks, around = data.get("follow_up_weeks"), data.get("follow_up_weeks_around")
        if weeks is not None and around is not None and around >= weeks:
            raise forms.ValidationError(FOLLOW_UP_TOO_WIDE)
        return data
