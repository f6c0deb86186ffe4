from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from patients.emergency_access import MIN_REASON_LENGTH


class EmergencyAccessForm(forms.Form):
    identifier = forms.CharField(
        label=_("Patient identifier"),
        max_length=64,
        help_text=_("The clinic's identifier (e.g. NHS or hospital number), exactly."),
    )
    reason = forms.CharField(
        label=_("Why do you need this record?"),
        min_length=MIN_REASON_LENGTH,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: on call tonight, covering for the patient's physiotherapist."),
    )


class EmergencyReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Review note"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
