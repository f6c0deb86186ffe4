"""Medication, naloxone and taper forms. The rules live in services (validate_*); the forms call
them in ``clean`` so that a mistake comes back beside its field with everything typed kept."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from medicines import services
from medicines.core.products import MG, PRODUCTS, UG_PER_H
from medicines.models import Frequency, TaperBasis

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER = {"step": "any", "inputmode": "decimal"}


def _apply(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class MedicationForm(forms.Form):
    product = forms.ChoiceField(
        label=_("Opioid"),
        required=False,
        choices=[
            ("", _("— not an opioid: type its name below —")),
            *sorted(((k, p.name) for k, p in PRODUCTS.items()), key=lambda c: c[1]),
        ],
        help_text=_("Combination products count the opioid only: give the opioid's strength."),
    )
    name = forms.CharField(
        label=_("Other medicine"),
        required=False,
        max_length=120,
        help_text=_("For anything that is not an opioid, e.g. pregabalin 150 mg twice a day."),
    )
    strength = forms.DecimalField(
        label=_("Strength"), required=False, min_value=0, max_digits=8, decimal_places=2,
        widget=forms.NumberInput(attrs=NUMBER),
    )  # fmt: skip
    unit = forms.ChoiceField(
        label=_("Unit"),
        choices=[(MG, "mg"), (UG_PER_H, _("µg/h (patch)"))],
        required=False,
    )
    units_per_dose = forms.DecimalField(
        label=_("Tablets, capsules or patches per dose"), required=False, min_value=0,
        max_digits=5, decimal_places=2, initial=1, widget=forms.NumberInput(attrs=NUMBER),
    )  # fmt: skip
    frequency = forms.ChoiceField(
        label=_("How often"), choices=Frequency.choices, initial=Frequency.REGULAR,
        widget=forms.RadioSelect,
    )  # fmt: skip
    doses_per_day = forms.DecimalField(
        label=_("Doses a day (regular)"), required=False, min_value=0, max_digits=5,
        decimal_places=2, widget=forms.NumberInput(attrs=NUMBER),
    )  # fmt: skip
    max_doses_per_day = forms.DecimalField(
        label=_("At most, doses a day (as needed)"), required=False, min_value=0, max_digits=5,
        decimal_places=2, widget=forms.NumberInput(attrs=NUMBER),
    )  # fmt: skip
    reported_doses_per_day = forms.DecimalField(
        label=_("Doses a day the patient reports taking (as needed)"), required=False,
        min_value=0, max_digits=5, decimal_places=2, widget=forms.NumberInput(attrs=NUMBER),
    )  # fmt: skip
    route = forms.CharField(
        label=_("Route (other medicines)"), required=False, max_length=40,
        help_text=_("An opioid's route comes from the product."),
    )  # fmt: skip
    start_date = forms.DateField(label=_("Started"), widget=DATE_INPUT, initial=date.today)
    stop_date = forms.DateField(label=_("Stopped"), widget=DATE_INPUT, required=False)
    prescriber = forms.CharField(label=_("Prescriber"), required=False, max_length=120)
    indication = forms.CharField(label=_("What it is for"), required=False, max_length=200)

    change = False

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                services.validate_medication({**data, "effective_from": data.get("effective_from")})
            except ValidationError as exc:
                _apply(self, exc)
        return data


class MedicationChangeForm(MedicationForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    effective_from = forms.DateField(
        label=_("The change applies from"), widget=DATE_INPUT, initial=date.today
    )
    change_reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=300,
        required=False,
        help_text=_("Needed for any change; the previous version is kept."),
    )

    change = True

    @classmethod
    def initial_from(cls, version) -> dict:
        initial = {f: getattr(version, f) for f in services.MEDICATION_FIELDS}
        return {**initial, "version": version.version, "effective_from": date.today()}


class NaloxoneForm(forms.Form):
    offered_on = forms.DateField(
        label=_("Naloxone offered on"), widget=DATE_INPUT, initial=date.today
    )
    accepted = forms.BooleanField(label=_("The patient accepted a naloxone kit"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def clean_offered_on(self):
        day = self.cleaned_data["offered_on"]
        if day > date.today():
            raise ValidationError(_("The offer date is in the future."))
        return day


class TaperPlanForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    start_date = forms.DateField(label=_("First step on"), widget=DATE_INPUT, initial=date.today)
    start_dose = forms.DecimalField(
        label=_("Starting dose (mg oral morphine equivalent a day)"), min_value=0,
        max_digits=8, decimal_places=1, widget=forms.NumberInput(attrs=NUMBER),
    )  # fmt: skip
    target_dose = forms.DecimalField(
        label=_("Target dose (mg oral morphine equivalent a day)"), min_value=0, max_digits=8,
        decimal_places=1, initial=0, widget=forms.NumberInput(attrs=NUMBER),
        help_text=_("A lower stable dose is an acceptable goal."),
    )  # fmt: skip
    percent = forms.DecimalField(
        label=_("Reduction per step (%)"), min_value=0, max_digits=4, decimal_places=1,
        initial=10, widget=forms.NumberInput(attrs=NUMBER),
        help_text=_("Usual after a year or more of use: about 10 % a month or slower."),
    )  # fmt: skip
    basis = forms.ChoiceField(
        label=_("The percentage is"), choices=TaperBasis.choices, initial=TaperBasis.CURRENT
    )
    interval_days = forms.IntegerField(
        label=_("Days between steps"), min_value=1, initial=28,
        help_text=_("28 days = monthly. Follow up at least monthly."),
    )  # fmt: skip
    reason = forms.CharField(label=_("Why taper"), widget=forms.Textarea(attrs={"rows": 2}))
    shared_decision = forms.CharField(
        label=_("What the patient and clinician agreed"), widget=forms.Textarea(attrs={"rows": 2})
    )
    change_reason = forms.CharField(
        label=_("Reason for the change"), max_length=300, required=False,
        help_text=_("Needed when you change a signed taper plan; the previous version is kept."),
    )  # fmt: skip

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                services.validate_taper(data)
            except ValidationError as exc:
                _apply(self, exc)
        return data

    @classmethod
    def initial_from(cls, plan) -> dict:
        return {
            "version": plan.version,
            **{f: getattr(plan, f) for f in services.TAPER_FIELDS},
        }


class TaperStepForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DATE_INPUT, initial=date.today)
    dose_before = forms.DecimalField(
        label=_("Dose before (mg oral morphine equivalent a day)"), min_value=0, max_digits=8,
        decimal_places=1, widget=forms.NumberInput(attrs=NUMBER),
    )  # fmt: skip
    dose_after = forms.DecimalField(
        label=_("Dose after (mg oral morphine equivalent a day)"), min_value=0, max_digits=8,
        decimal_places=1, widget=forms.NumberInput(attrs=NUMBER),
    )  # fmt: skip
    paused = forms.BooleanField(label=_("Pause the taper at this dose"), required=False)
    increase_marked = forms.BooleanField(
        label=_("This step increases the dose, on purpose"), required=False
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)
    shared_decision = forms.BooleanField(
        label=_("Decided together with the patient"), required=False
    )
    withdrawal = forms.CharField(label=_("Withdrawal symptoms"), required=False, max_length=300)
    pain = forms.CharField(label=_("Pain"), required=False, max_length=300)
    mood = forms.CharField(label=_("Mood"), required=False, max_length=300)
    function = forms.CharField(label=_("Function"), required=False, max_length=300)
    next_review = forms.DateField(label=_("Next review"), widget=DATE_INPUT, required=False)

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                services.validate_step(data)
            except ValidationError as exc:
                _apply(self, exc)
        return data
