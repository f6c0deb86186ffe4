"""Forms of the quality app: a supervisor's rating, generated from the scale's items."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from painclinic.validators import past_clinical_date
from quality import scales

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ITEM_PREFIX = "item_"


class SupervisorRatingForm(forms.Form):
    clinician = forms.ModelChoiceField(queryset=None, label=_("Clinician rated"))
    session_date = forms.DateField(
        widget=DATE_INPUT, label=_("Date of the session rated"), validators=[past_clinical_date]
    )
    contact = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Session in the record (optional)"),
        help_text=_("A recent contact of the team; leave empty for a recording not on record."),
    )
    segment = forms.CharField(
        max_length=80,
        required=False,
        label=_("Part of the recording rated"),
        help_text=_("For example: minutes 10 to 30."),
    )
    feedback = forms.CharField(
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Feedback for the clinician"),
    )

    def __init__(self, *args, scale: scales.Scale, clinicians, contacts, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("session_date", timezone.localdate())
        self.scale = scale
        self.fields["clinician"].queryset = clinicians
        self.fields["clinician"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["contact"].queryset = contacts
        self.fields["contact"].label_from_instance = lambda c: (
            f"{c.date:%d %b %Y} · {c.get_contact_type_display()} · {c.clinician.get_full_name()}"
        )
        choices = [("", "---------")] + [(str(v), label) for v, label in scale.options]
        for item in scale.items:
            self.fields[ITEM_PREFIX + item.id] = forms.ChoiceField(
                choices=choices, label=item.label, required=True
            )
        self.helper = FormHelper()
        self.helper.form_tag = False

    def item_fields(self):
        return [self[ITEM_PREFIX + item.id] for item in self.scale.items]

    def values(self) -> dict[str, str]:
        return {item.id: self.cleaned_data[ITEM_PREFIX + item.id] for item in self.scale.items}

    def clean(self):
        cleaned = super().clean()
        clinician, contact = cleaned.get("clinician"), cleaned.get("contact")
        if clinician and contact and contact.clinician_id != clinician.pk:
            self.add_error("contact", _("That session was not with this clinician."))
        if not self.errors:
            try:
                self.scale.score(self.values())
            except scales.InvalidRating as exc:
                self.add_error(None, str(exc))
        return cleaned
