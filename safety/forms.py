from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safety.models import RiskSignal, SafetyAssessment, SafetyPlan
from safety.services import PLAN_FIELDS

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class RaiseSignalForm(forms.ModelForm):
    class Meta:
        model = RiskSignal
        fields = ["note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


class SafetyAssessmentForm(forms.ModelForm):
    class Meta:
        model = SafetyAssessment
        fields = [
            "assessed_at",
            "discussed",
            "current_thoughts",
            "plans",
            "means",
            "protective_factors",
            "outcome",
            "referral_to",
            "referral_when",
            "actions",
        ]
        widgets = {
            "assessed_at": DATETIME,
            "referral_when": DATETIME,
            "outcome": forms.RadioSelect,
            **{
                f: forms.Textarea(attrs={"rows": 2})
                for f in (
                    "discussed",
                    "current_thoughts",
                    "plans",
                    "means",
                    "protective_factors",
                    "actions",
                )
            },
        }
        help_texts = {
            "referral_to": _("For an urgent referral: the service or team."),
            "referral_when": _("For an urgent referral: when it was made."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessed_at"].input_formats = ["%Y-%m-%dT%H:%M"]
        self.fields["referral_when"].input_formats = ["%Y-%m-%dT%H:%M"]
        if not self.is_bound:
            self.initial.setdefault("assessed_at", timezone.localtime().replace(second=0))

    def clean_assessed_at(self):
        value = self.cleaned_data["assessed_at"]
        if value and value > timezone.now() + timezone.timedelta(minutes=5):
            raise forms.ValidationError(_("The conversation cannot be in the future."))
        return value


class SafetyPlanForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = SafetyPlan
        fields = [*PLAN_FIELDS, "change_reason"]  # the plan's fields as the service saves them
        widgets = {
            **{
                f: forms.Textarea(attrs={"rows": 3})
                for f in (
                    "warning_signs",
                    "internal_coping",
                    "distraction",
                    "people_to_ask",
                    "professionals",
                    "environment_safe",
                    "reasons_for_living",
                )
            },
            "review_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "warning_signs": _("In the patient's own words, one per line."),
            "professionals": _("Names and numbers, one per line; the crisis lines print anyway."),
            "environment_safe": _(
                "E.g. medicines kept by a relative, smaller quantities dispensed."
            ),
        }
