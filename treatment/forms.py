"""Treatment forms. They validate input (pure validators allowed) and never write."""

from __future__ import annotations

import re
from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Fieldset, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from assessment.instruments.base import Unscorable
from painclinic.concurrency import EditTokenFormMixin
from painclinic.numbers import parse_float
from painclinic.validators import past_clinical_date, planned_clinical_date
from treatment import exposure, pacing
from treatment.models import (
    GAS_LEVEL_CHOICES,
    ExposureSession,
    Goal,
    HierarchyItem,
    Intervention,
    QuotaRuleKind,
    SuggestionDecision,
    YellowFlag,
)
from treatment.services import (
    GOAL_FIELDS,
    HIERARCHY_FIELDS,
    OUTCOME_FIELDS,
    PREDICTION_FIELDS,
    SCED_FEAR,
    SCED_PERFORMANCE,
    quota_rule_for,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NOT_IN_FUTURE = _("This date cannot be in the future.")
RATING_ATTRS = {"min": 0, "max": 100, "step": 1, "inputmode": "numeric"}


class PlanForm(forms.Form):
    """The formulation-led plan. One checkbox + 'delivered by' per intervention."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    formulation = forms.CharField(
        label=_("Formulation"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("How the pain problem is maintained for this patient, in plain words."),
    )
    yellow_flags = forms.MultipleChoiceField(
        label=_("Yellow flags this plan addresses"),
        choices=YellowFlag.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    focus_areas = forms.CharField(
        label=_("Focus areas"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    change_reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=300,
        required=False,
        help_text=_("Needed when you change a signed plan; the previous version is kept."),
    )

    def __init__(
        self, *args, team=(), profile_flags=(), action: str = "", new: bool = False, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        people = [("", "—")] + [(u.pk, u.get_full_name() or u.username) for u in team]
        self._team = {str(u.pk): u for u in team}
        rows = []
        for value, label in Intervention.choices:
            self.fields[f"iv_{value}"] = forms.BooleanField(label=label, required=False)
            self.fields[f"by_{value}"] = forms.ChoiceField(
                label=_("Delivered by"), choices=people, required=False
            )
            rows.append(
                Row(
                    Column(f"iv_{value}", css_class="col-md-7 pt-md-2"),
                    Column(f"by_{value}", css_class="col-md-5"),
                )
            )
        if profile_flags:
            labels = dict(YellowFlag.choices)
            self.fields["yellow_flags"].choices = [
                (
                    value,
                    f"{labels[value]} ({_('in the profile')})"
                    if value in profile_flags
                    else labels[value],
                )
                for value, _label in YellowFlag.choices
            ]
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.form_id = "plan-form"
        self.helper.layout = Layout(
            "version",
            Fieldset(_("Formulation"), "formulation", "yellow_flags", "focus_areas"),
            Fieldset(_("Interventions"), *rows),
            *([] if new else ["change_reason"]),
            Submit("sign", _("Sign the plan")),
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        chosen: dict = {}
        for value, _label in Intervention.choices:
            if cleaned.get(f"iv_{value}"):
                chosen[value] = self._team.get(cleaned.get(f"by_{value}") or "")
        cleaned["interventions"] = chosen
        return cleaned

    @staticmethod
    def initial_from(plan, accepted: set[str]) -> dict:
        if plan is None:
            initial: dict = {"version": 0}
            for kind in accepted:
                initial[f"iv_{kind}"] = True
            return initial
        initial = {
            "version": plan.version,
            "formulation": plan.formulation,
            "yellow_flags": plan.yellow_flags,
            "focus_areas": plan.focus_areas,
        }
        for i in plan.interventions.all():
            initial[f"iv_{i.kind}"] = True
            initial[f"by_{i.kind}"] = str(i.delivered_by_id or "")
        return initial


class SuggestionDecisionForm(forms.Form):
    rule_key = forms.CharField(max_length=64, widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=SuggestionDecision.choices)
    note = forms.CharField(max_length=300, required=False, label=_("Note"))


class GoalForm(EditTokenFormMixin, forms.ModelForm):
    class Meta:
        model = Goal
        fields = list(GOAL_FIELDS)  # one list: the service writes the same fields
        widgets = {"by_when": DATE_INPUT, "patient_words": forms.Textarea(attrs={"rows": 2})}

    EDIT_TOKEN_FIELDS = GOAL_FIELDS

    def __init__(self, *args, submit_label=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["weight"].help_text = _(
            "1 for equal weights; or importance × difficulty, each 0-3 (Turner-Stokes 2009)."
        )
        self.helper = FormHelper()
        self.helper.form_id = "goal-form"
        self.helper.layout = Layout(
            Fieldset(
                _("The goal"),
                "patient_words",
                Row(
                    Column("domain", css_class="col-md-3"),
                    Column("what", css_class="col-md-4"),
                    Column("how_much", css_class="col-md-3"),
                    Column("by_when", css_class="col-md-2"),
                ),
            ),
            Fieldset(
                _("Goal Attainment Scale"),
                HTML(
                    '<p class="small text-body-secondary">'
                    + str(_("Describe each level; 0 is the expected outcome by the date."))
                    + "</p>"
                ),
                "level_plus_2",
                "level_plus_1",
                "level_0",
                "level_minus_1",
                "level_minus_2",
                Row(
                    Column("baseline_level", css_class="col-md-3"),
                    Column("weight", css_class="col-md-3"),
                    Column("linked_measure", css_class="col-md-3"),
                    Column("linked_measure_label", css_class="col-md-3"),
                ),
            ),
            Submit("save_goal", submit_label or _("Set the goal")),
        )
        self.add_edit_token(self.instance if self.instance.pk else None)

    def clean_by_when(self) -> date:
        day = self.cleaned_data["by_when"]
        unchanged = self.instance.pk is not None and day == self.instance.by_when
        if day < date.today() and not unchanged:
            raise forms.ValidationError(_("The target date cannot be in the past."))
        # A target is a planned date: at most two years ahead (painclinic/validators.py).
        planned_clinical_date(day, what=_("The target date"))
        return day


class RetireForm(forms.Form):
    """Retire a goal or a hierarchy step: soft, with a reason (it stays on record)."""

    reason = forms.CharField(label=_("Reason for retiring"), max_length=300)


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])


class GoalReviewForm(forms.Form):
    review_date = forms.DateField(
        label=_("Review date"), widget=DATE_INPUT, validators=[past_clinical_date]
    )
    attained_level = forms.TypedChoiceField(
        label=_("Level attained"), choices=[("", "—"), *GAS_LEVEL_CHOICES], coerce=int
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, action: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("review_date", date.today())
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.form_id = "review-form"
        self.helper.layout = Layout(
            Row(
                Column("review_date", css_class="col-md-4"),
                Column("attained_level", css_class="col-md-8"),
            ),
            "note",
            Submit("record_review", _("Record the review")),
        )

    def clean_review_date(self) -> date:
        day = self.cleaned_data["review_date"]
        if day > date.today():
            raise forms.ValidationError(NOT_IN_FUTURE)
        return day


class GoalReviewAmendForm(forms.Form):
    attained_level = forms.TypedChoiceField(
        label=_("Corrected level"), choices=GAS_LEVEL_CHOICES, coerce=int
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    reason = forms.CharField(label=_("Reason for the correction"), max_length=300)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "attained_level", "note", "reason", Submit("amend", _("Save the correction"))
        )


class HierarchyItemForm(forms.ModelForm):
    class Meta:
        model = HierarchyItem
        fields = list(HIERARCHY_FIELDS)

    def __init__(self, *args, action: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fear_rating"].widget.attrs.update(RATING_ATTRS)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.form_id = "hierarchy-form"
        self.helper.layout = Layout(
            Row(
                Column("activity", css_class="col-md-5"),
                Column("fear_rating", css_class="col-md-3"),
                Column("phoda_source", css_class="col-md-4"),
            ),
            "feared_consequence",
            Submit("add_item", _("Add to the hierarchy")),
        )


class ExposurePredictionForm(forms.ModelForm):
    """Step 1, before the behavioural experiment: the patient's prediction (models.ExposureSession)."""

    class Meta:
        model = ExposureSession
        fields = list(PREDICTION_FIELDS)
        widgets = {"date": DATE_INPUT}
        help_texts = {
            "expectancy_before": _(
                "0 = it will not happen at all, 100 = it will certainly happen."
            ),
        }

    def __init__(self, *args, item: HierarchyItem | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("expectancy_before", "fear_before"):
            self.fields[name].widget.attrs.update(RATING_ATTRS)
        if not self.is_bound:
            self.initial.setdefault("date", date.today())
            if item is not None:
                self.initial.setdefault("prediction", item.feared_consequence)
        self.helper = FormHelper()
        self.helper.form_id = "prediction-form"
        self.helper.layout = Layout(
            "prediction",
            Row(
                Column("date", css_class="col-md-4"),
                Column("expectancy_before", css_class="col-md-4"),
                Column("fear_before", css_class="col-md-4"),
            ),
            Submit("record_prediction", _("Record the prediction")),
        )

    def clean_date(self) -> date:
        day = self.cleaned_data["date"]
        if day > date.today():
            raise forms.ValidationError(NOT_IN_FUTURE)
        return day


class ExposureOutcomeForm(forms.ModelForm):
    """Step 2, after the experiment: what happened, against the prediction recorded before it."""

    class Meta:
        model = ExposureSession
        fields = list(OUTCOME_FIELDS)
        widgets = {"what_happened": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "outcome_observed": _("0 = it did not happen at all, 100 = it happened fully."),
        }

    def __init__(self, *args, session: ExposureSession, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.session = session
        for name in self.Meta.fields:  # every outcome rating is needed to learn from it
            self.fields[name].required = True
            if name != "what_happened":
                self.fields[name].widget.attrs.update(RATING_ATTRS)
        self.helper = FormHelper()
        self.helper.form_id = "outcome-form"
        self.helper.layout = Layout(
            Row(Column("outcome_observed", css_class="col-md-4")),
            "what_happened",
            Row(
                Column("fear_peak", css_class="col-md-4"),
                Column("fear_after", css_class="col-md-4"),
                Column("expectancy_after", css_class="col-md-4"),
            ),
            Submit("log_outcome", _("Log the outcome")),
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        needed = ("outcome_observed", "expectancy_after", "fear_peak", "fear_after")
        if all(cleaned.get(n) is not None for n in needed):
            try:  # the pure core is the one place that says what a valid experiment is
                exposure.BehaviouralExperiment(
                    session=1,
                    item="check",
                    expectancy_before=float(self.session.expectancy_before),
                    fear_before=float(self.session.fear_before),
                    **{n: float(cleaned[n]) for n in needed},
                )
            except exposure.ExposureRatingError as exc:
                self.add_error(exc.field if exc.field in self.fields else None, str(exc))
            if cleaned["fear_peak"] < max(self.session.fear_before, cleaned["fear_after"]):
                self.add_error(
                    "fear_peak", _("Peak fear cannot be lower than fear before or after.")
                )
        return cleaned


class ExposureNotDoneForm(forms.Form):
    """Close a pending prediction whose experiment did not take place."""

    reason = forms.CharField(
        label=_("Why the experiment did not take place"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. the patient was unwell that day")}),
    )


class ScedOutcomeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (SCED_FEAR, _("Daily fear of the activity (0-100, lower is better)")),
            (SCED_PERFORMANCE, _("Daily performance of the activity (0-100, higher is better)")),
        ],
    )


# Minutes, metres or steps in a day: a million is beyond any activity, and keeps the quota
# arithmetic (means, proportions, increments) far from float overflow (1e308 * 2 = inf).
BASELINE_MAX = 1_000_000


def _parse_numbers(text: str) -> list[float]:
    parts = [p for p in re.split(r"[\s,;]+", text.strip()) if p]
    values = []
    for part in parts:
        value = parse_float(part)  # refuses NaN, inf, 1e309 and non-ASCII digits
        if value is None:
            raise forms.ValidationError(
                _("'%(part)s' is not a number."), params={"part": part[:40]}
            )
        if value < 0:
            raise forms.ValidationError(_("Baseline values cannot be negative."))
        if value > BASELINE_MAX:
            raise forms.ValidationError(
                _("Baseline values above %(max)s are not plausible."),
                params={"max": f"{BASELINE_MAX:,}"},
            )
        values.append(value)
    return values


class PacingPlanForm(forms.Form):
    activity = forms.CharField(label=_("Activity"), max_length=200)
    unit = forms.CharField(label=_("Unit"), max_length=40, initial="minutes")
    baseline = forms.CharField(
        label=_("Baseline recordings"),
        help_text=_("At least three, separated by commas, e.g. 12, 20, 8, 15."),
    )
    rule_kind = forms.ChoiceField(
        label=_("Starting quota rule"),
        choices=QuotaRuleKind.choices,
        initial=QuotaRuleKind.PROPORTION_OF_MEAN,
    )
    rule_proportion = forms.DecimalField(
        label=_("Proportion"), min_value=0.05, max_value=1, decimal_places=2, initial=0.8,
        help_text=_("0.8 = 80% of the baseline (baseline minus 20%)."),
    )  # fmt: skip
    increment_kind = forms.ChoiceField(
        label=_("Increment rule"),
        choices=[("fixed", _("Add a fixed amount each step")), ("percent", _("Add a percentage each step"))],
    )  # fmt: skip
    increment_amount = forms.DecimalField(label=_("Increment"), min_value=0.01, decimal_places=2)
    steps = forms.IntegerField(label=_("Number of steps"), min_value=1, max_value=52, initial=6)
    days_per_step = forms.IntegerField(
        label=_("Days per step"), min_value=1, max_value=28, initial=7
    )
    target = forms.DecimalField(label=_("Target (optional)"), required=False, min_value=0.01)
    start_date = forms.DateField(
        label=_("First day of the quota"), widget=DATE_INPUT, validators=[planned_clinical_date]
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("start_date", date.today())
        self.helper = FormHelper()
        self.helper.form_id = "pacing-form"
        self.helper.layout = Layout(
            Row(Column("activity", css_class="col-md-8"), Column("unit", css_class="col-md-4")),
            "baseline",
            Row(
                Column("rule_kind", css_class="col-md-6"),
                Column("rule_proportion", css_class="col-md-6"),
            ),
            Row(
                Column("increment_kind", css_class="col-md-4"),
                Column("increment_amount", css_class="col-md-2"),
                Column("steps", css_class="col-md-2"),
                Column("days_per_step", css_class="col-md-2"),
                Column("target", css_class="col-md-2"),
            ),
            Row(Column("start_date", css_class="col-md-4")),
            Submit("create_pacing", _("Set the quota")),
        )

    def clean_baseline(self) -> list[float]:
        return _parse_numbers(self.cleaned_data["baseline"])

    def clean(self) -> dict:
        cleaned = super().clean()
        self.clean_schedule(self, cleaned)
        return cleaned

    @staticmethod
    def clean_schedule(form: forms.Form, cleaned: dict) -> None:
        """The starting quota and the schedule the pure core would make, or the field errors."""
        self = form
        baseline, kind = cleaned.get("baseline"), cleaned.get("rule_kind")
        proportion = cleaned.get("rule_proportion")
        if baseline is not None and kind and proportion is not None:
            start = pacing.starting_quota(baseline, quota_rule_for(kind, float(proportion)))
            if isinstance(start, Unscorable):
                self.add_error("baseline", start.reason)
            elif cleaned.get("increment_kind") and cleaned.get("increment_amount"):
                try:
                    pacing.quota_schedule(
                        start.value,
                        pacing.IncrementRule(
                            cleaned["increment_kind"], float(cleaned["increment_amount"])
                        ),
                        steps=cleaned.get("steps") or 1,
                        target=float(cleaned["target"]) if cleaned.get("target") else None,
                    )
                except ValueError as exc:
                    self.add_error(None, str(exc))


class PacingLogForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DATE_INPUT, validators=[planned_clinical_date])
    done = forms.DecimalField(label=_("Done"), min_value=0, max_digits=8, decimal_places=2)

    def __init__(self, *args, action: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("day", date.today())
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.layout = Layout(
            Row(Column("day", css_class="col-md-5"), Column("done", css_class="col-md-4")),
            Submit("log", _("Log the day")),
        )


class FlareUpForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    triggers = forms.CharField(
        label=_("What can trigger a flare-up"), widget=forms.Textarea(attrs={"rows": 3})
    )
    early_signs = forms.CharField(label=_("Early signs"), widget=forms.Textarea(attrs={"rows": 3}))
    self_management = forms.CharField(
        label=_("What I will do"), widget=forms.Textarea(attrs={"rows": 4})
    )
    contacts = forms.CharField(
        label=_("When and whom to contact"), widget=forms.Textarea(attrs={"rows": 3})
    )
    opportunity_text = forms.CharField(
        label=_("Setbacks are a chance to practise (edit to the patient's words)"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    safety_net = forms.CharField(
        label=_("Seek urgent help if… (required: edit to suit the patient, do not remove)"),
        widget=forms.Textarea(attrs={"rows": 12}),
        error_messages={
            "required": _(
                "The plan must say when to seek urgent help. Edit the section to suit the "
                "patient; it cannot be left empty."
            )
        },
    )
    change_reason = forms.CharField(
        label=_("Reason for the change"), max_length=300, required=False
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "flare-up-form"
        self.helper.layout = Layout(
            "version",
            "triggers",
            "early_signs",
            "self_management",
            "contacts",
            "opportunity_text",
            "safety_net",
            "change_reason",
            Submit("sign_flare_up", _("Sign the flare-up plan")),
        )


class PacingScheduleChangeForm(EditTokenFormMixin, forms.Form):
    """A new version of the schedule from a given day (services.pacing_schedule_change). The
    edit token covers the latest version: two changes from the same page cannot both land."""

    EDIT_TOKEN_FIELDS = ("latest_change",)

    effective_from = forms.DateField(
        label=_("New schedule from"), widget=DATE_INPUT, validators=[planned_clinical_date]
    )
    baseline = forms.CharField(
        label=_("New baseline recordings (optional)"),
        required=False,
        help_text=_("Leave empty to keep the baseline; at least three values to re-baseline."),
    )
    rule_kind = PacingPlanForm.base_fields["rule_kind"]
    rule_proportion = PacingPlanForm.base_fields["rule_proportion"]
    increment_kind = PacingPlanForm.base_fields["increment_kind"]
    increment_amount = PacingPlanForm.base_fields["increment_amount"]
    steps = PacingPlanForm.base_fields["steps"]
    days_per_step = PacingPlanForm.base_fields["days_per_step"]
    target = PacingPlanForm.base_fields["target"]
    reason = forms.CharField(label=_("Reason for the change"), max_length=300)

    def __init__(self, *args, current_baseline=(), schedule_state=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._current_baseline = list(current_baseline)
        if not self.is_bound:
            self.initial.setdefault("effective_from", date.today())
        self.helper = FormHelper()
        self.helper.form_id = "pacing-change-form"
        self.helper.layout = Layout(
            Row(
                Column("effective_from", css_class="col-md-4"),
                Column("baseline", css_class="col-md-8"),
            ),
            Row(
                Column("rule_kind", css_class="col-md-6"),
                Column("rule_proportion", css_class="col-md-6"),
            ),
            Row(
                Column("increment_kind", css_class="col-md-4"),
                Column("increment_amount", css_class="col-md-2"),
                Column("steps", css_class="col-md-2"),
                Column("days_per_step", css_class="col-md-2"),
                Column("target", css_class="col-md-2"),
            ),
            "reason",
            Submit("change_schedule", _("Start the new schedule")),
        )
        self.add_edit_token(schedule_state)

    def clean_baseline(self) -> list[float]:
        text = self.cleaned_data["baseline"]
        return _parse_numbers(text) if text.strip() else []

    def clean_effective_from(self) -> date:
        day = self.cleaned_data["effective_from"]
        if day < date.today():
            raise forms.ValidationError(
                _("A new schedule starts today or later: the days already past keep their quota.")
            )
        return day

    def clean(self) -> dict:
        cleaned = super().clean()
        # The same checks as a new plan, through the pure core, on the baseline that will apply.
        PacingPlanForm.clean_schedule(
            self, {**cleaned, "baseline": cleaned.get("baseline") or self._current_baseline}
        )
        return cleaned
