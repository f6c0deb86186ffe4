"""Forms of the assessment app. The administration form is generated from the definition."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Layout, Row, Submit
from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessment import instruments, red_flags, yellow_flags
from assessment.instruments import item_text
from assessment.models import (
    DAYS_IN_4_WEEKS,
    HEALTHCARE_MOST,
    HOURS_IN_A_WEEK,
    Battery,
    Pathway,
    TimePoint,
    WorkAndHealthcareUse,
    WorkStatus,
)
from painclinic.concurrency import TOKEN_FIELD, EditTokenFormMixin
from painclinic.models import User
from painclinic.validators import past_clinical_date

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RADIO_LIMIT = 11  # scales with more codes than this (PHODA 0-100) get a number box


BLANK = [("", "---------")]


class SessionStartForm(forms.Form):
    """A battery OR single instruments, never both, and nothing preselected: the first battery
    used to be preselected, so choosing a single instrument started the whole battery (issue
    #9). The time point is chosen too (a default would label every session a first visit)."""

    battery = forms.ModelChoiceField(
        queryset=Battery.objects.none(), label=_("Battery"), required=False
    )
    # Any instrument of the library can be given on its own, not only as part of a battery.
    instruments = forms.MultipleChoiceField(
        choices=(),
        required=False,
        label=_("Or single instruments"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (or Cmd) to choose several. Leave the battery empty."),
    )
    time_point = forms.ChoiceField(choices=BLANK + TimePoint.choices, label=_("Time point"))
    date = forms.DateField(widget=DATE_INPUT, label=_("Date"), validators=[past_clinical_date])
    # Issue #13: a WAI-SR or CARE rates one clinician, fixed now (not whoever leads later).
    rated_clinician = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Clinician rated by the alliance or empathy questionnaire"),
        help_text=_(
            "The clinician who ran the session the patient rates. Leave as it is if that is you."
        ),
    )

    def __init__(
        self, *args, teams=None, action: str = "", rated_choices=None, actor=None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        rated = self.fields["rated_clinician"]
        rated.queryset = rated_choices if rated_choices is not None else User.objects.none()
        rated.label_from_instance = lambda user: user.get_full_name() or user.username
        if actor is not None and not self.is_bound:
            self.initial.setdefault("rated_clinician", actor.pk)
        queryset = Battery.objects.filter(active=True, team__isnull=True)
        if teams is not None:
            queryset = Battery.objects.filter(active=True).filter(
                Q(team__isnull=True) | Q(team__in=teams)
            )
        self.fields["battery"].queryset = queryset
        self.fields["instruments"].choices = [
            (i.key, f"{i.short_name} – {i.name}") for i in instruments.all_instruments()
        ]
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.layout = Layout(
            Row(
                Column("battery", css_class="col-md-6"),
                Column("time_point", css_class="col-md-3"),
                Column("date", css_class="col-md-3"),
            ),
            Row(
                Column("instruments", css_class="col-md-6"),
                Column("rated_clinician", css_class="col-md-6"),
            ),
            Submit("start", _("Start session")),
        )

    def clean(self):
        cleaned = super().clean()
        battery, chosen = cleaned.get("battery"), cleaned.get("instruments")
        if not battery and not chosen:
            self.add_error("battery", _("Choose a battery, or one or more single instruments."))
        elif battery and chosen:
            self.add_error(
                "instruments",
                _(
                    "Choose either a battery or single instruments, not both: clear the battery "
                    "to give only the instruments you chose."
                ),
            )
        return cleaned

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("A session cannot be dated in the future."))
        return day


# The code of "does not apply" (definition.not_applicable), as the scorer takes it.
NOT_APPLICABLE = "NA"


def typed_code(value: str) -> int | str:
    """A posted choice as the scorer takes it: the raw code as int, or "NA"."""
    return NOT_APPLICABLE if value == NOT_APPLICABLE else int(value)


def item_choices(definition, item, uploaded_labels=None) -> list[tuple[str, str]]:
    """The answer codes of an item as radio choices: "code – label" where a label is known, the
    clinic's uploaded label first (instruments.item_text), else the definition's anchor."""
    labels = item.scale.labels or {}
    choices = []
    for code in range(item.scale.min, item.scale.max + 1):
        label = (
            item_text.option_label(uploaded_labels, item.id, code) if uploaded_labels else None
        ) or labels.get(code)
        choices.append((str(code), f"{code} – {label}" if label else str(code)))
    policy = definition.not_applicable
    if policy is not None and (policy.items is None or item.id in policy.items):
        choices.append((NOT_APPLICABLE, _("Does not apply")))
    return choices


class AdministrationForm(EditTokenFormMixin, forms.Form):
    """One field per item: radio buttons of the raw codes as printed (keyboard: arrow keys move
    within a group, Tab between items). Every field is optional: drafts keep partial answers;
    the scorer decides what can be scored. The form parses: ``answers()`` gives typed answers
    (int code, "NA" or None), which the service scores once. The edit token covers the saved answers: a second
    tab or clinician saving over a newer draft is refused (painclinic/concurrency.py)."""

    EDIT_TOKEN_FIELDS = ("answers",)

    def __init__(
        self,
        *args,
        definition,
        initial_answers: dict | None = None,
        administration=None,
        wording=None,
        **kwargs,
    ) -> None:
        """``wording``: the clinic's uploaded text of the questionnaire (an ItemText) in the
        language the form is shown in; without it the definition's own text or neutral label."""
        super().__init__(*args, **kwargs)
        self.definition = definition
        answers = initial_answers or {}
        uploaded_items = wording.items if wording is not None else {}
        uploaded_labels = wording.option_labels if wording is not None else None
        for item in definition.items:
            name = f"item_{item.id}"
            choices = item_choices(definition, item, uploaded_labels)
            label = uploaded_items.get(item.id) or item.text or item.label
            if len(choices) > RADIO_LIMIT:
                field = forms.IntegerField(
                    label=label,
                    required=False,
                    min_value=item.scale.min,
                    max_value=item.scale.max,
                )
            else:
                field = forms.TypedChoiceField(
                    label=label,
                    required=False,
                    choices=choices,
                    coerce=typed_code,
                    empty_value=None,
                    widget=forms.RadioSelect,
                )
            field.item = item
            self.fields[name] = field
            if answers.get(item.id) is not None:
                self.initial[name] = str(answers[item.id])
        self.add_edit_token(administration)

    def answers(self) -> dict[str, Any]:
        """Typed answers of a valid form: item id -> int code, "NA", or None (unanswered)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {item.id: data.get(f"item_{item.id}") for item in self.definition.items}

    def rows(self):
        """(item, bound field) pairs for the template."""
        return [(self.fields[name].item, self[name]) for name in self.fields if name != TOKEN_FIELD]


def answers_from_post(definition, data) -> dict[str, Any]:
    """Raw answers from a POST without validation (the score preview shows what is typed)."""
    return {item.id: (data.get(f"item_{item.id}") or None) for item in definition.items}


class AmendForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the amendment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown with the result: who amended it, when and why."),
    )


class MatchedCareForm(forms.Form):
    # No pathway preselected, not even the suggested one: the decision is the clinician's, and a
    # select without a blank option always has a value, so "required" would check nothing.
    chosen_pathway = forms.ChoiceField(choices=BLANK + Pathway.choices, label=_("Pathway decided"))
    rationale = forms.CharField(
        label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, action: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.layout = Layout(
            Row(
                Column("chosen_pathway", css_class="col-md-5"),
                Column("rationale", css_class="col-md-7"),
            ),
            Submit("decide", _("Record decision")),
        )


class FormulationForm(EditTokenFormMixin, forms.Form):
    # The red-flag state is no longer a select here: it is the dated red-flag screen
    # (RedFlagScreenForm, issue #10), which has items, an outcome and a referral follow-up.
    notes = forms.CharField(
        label=_("Formulation notes"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    EDIT_TOKEN_FIELDS = ("latest_formulation",)  # each save is a version: the newest is current

    def __init__(self, *args, action: str = "", formulation_state=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.add_edit_token(formulation_state)
        for _group, _title, items in yellow_flags.CHECKLIST:
            for item_id, label in items:
                self.fields[item_id] = forms.BooleanField(
                    label=label,
                    required=False,
                    widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
                )

    def groups(self):
        return [
            (group, title, [self[item_id] for item_id, _label in items])
            for group, title, items in yellow_flags.CHECKLIST
        ]

    def flags(self) -> dict[str, bool]:
        return {
            item_id: bool(self.cleaned_data.get(item_id)) for item_id in yellow_flags.CHECKLIST_IDS
        }


RED_FLAG_DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class RedFlagScreenForm(forms.Form):
    """Every item present / absent / not asked with nothing preselected (a preset answer would be
    recorded as asked when it was not)."""

    screened_on = forms.DateField(
        label=_("Date of the screen"), widget=RED_FLAG_DATE, validators=[past_clinical_date]
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=red_flags.OUTCOMES, widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        label=_("Clinical reasoning"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    referral_destination = forms.ChoiceField(
        label=_("Referred to"), choices=BLANK + list(red_flags.DESTINATIONS), required=False
    )
    referral_urgency = forms.ChoiceField(
        label=_("Urgency"), choices=BLANK + list(red_flags.URGENCIES), required=False
    )
    referral_date = forms.DateField(
        label=_("Date referred"),
        widget=RED_FLAG_DATE,
        required=False,
        validators=[past_clinical_date],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for key, label, _hint in red_flags.ITEMS:
            self.fields[key] = forms.ChoiceField(
                label=label,
                choices=red_flags.ANSWERS,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose present, absent or not asked.")},
            )

    def items(self):
        return [self[key] for key in red_flags.ITEM_KEYS]


class RedFlagOutcomeForm(forms.Form):
    referral_outcome = forms.CharField(
        label=_("What came of the referral"), widget=forms.Textarea(attrs={"rows": 2})
    )
    referral_outcome_on = forms.DateField(
        label=_("Date of the outcome"), widget=RED_FLAG_DATE, validators=[past_clinical_date]
    )


def short_names() -> dict[str, str]:
    return {definition.key: definition.short_name for definition in instruments.all_instruments()}


def _count(label, most: int, help_text=""):
    return forms.IntegerField(
        label=label, required=False, min_value=0, max_value=most, help_text=help_text
    )


class WorkAndHealthcareForm(forms.Form):
    """Work status and healthcare use at a session's time point (issue #14), entered by the
    clinician. Counts are optional: empty means "not asked", 0 means "none". The record's
    invariants (WorkAndHealthcareUse.problems) are shown beside the fields."""

    work_status = forms.ChoiceField(
        label=_("Work status"), choices=BLANK + WorkStatus.choices, widget=forms.RadioSelect
    )
    work_status_other = forms.CharField(label=_("If other: which"), required=False, max_length=120)
    hours_per_week = _count(_("Hours worked a week"), HOURS_IN_A_WEEK)
    days_off_for_pain_4_weeks = _count(
        _("Days off work because of pain in the past 4 weeks"), DAYS_IN_4_WEEKS
    )
    gp_visits_3_months = _count(_("GP visits"), HEALTHCARE_MOST)
    emergency_visits_3_months = _count(_("Emergency department visits"), HEALTHCARE_MOST)
    hospital_admissions_3_months = _count(_("Hospital admissions"), HEALTHCARE_MOST)
    scans_3_months = _count(_("Scans (X-ray, MRI, CT, ultrasound)"), HEALTHCARE_MOST)
    specialist_visits_3_months = _count(_("Visits to other specialists"), HEALTHCARE_MOST)

    def __init__(self, *args, action: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["work_status"].choices = WorkStatus.choices  # radios: no blank option
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.layout = Layout(
            Row(
                Column("work_status", css_class="col-md-4"),
                Column(
                    "work_status_other",
                    "hours_per_week",
                    "days_off_for_pain_4_weeks",
                    css_class="col-md-8",
                ),
            ),
            HTML(f'<h2 class="h6 mt-3">{_("Healthcare use in the past 3 months")}</h2>'),
            Row(
                Column("gp_visits_3_months", css_class="col-md-4"),
                Column("emergency_visits_3_months", css_class="col-md-4"),
                Column("hospital_admissions_3_months", css_class="col-md-4"),
            ),
            Row(
                Column("scans_3_months", css_class="col-md-4"),
                Column("specialist_visits_3_months", css_class="col-md-4"),
            ),
            Submit("save", _("Save work status and healthcare use")),
        )

    def clean(self):
        cleaned = super().clean()
        for name, message in WorkAndHealthcareUse.problems(cleaned).items():
            if name not in self.errors:
                self.add_error(name, message)


class PatientLinkForm(forms.Form):
    """The language of a self-report link: the patient's preferred language unless the clinician
    chooses another the clinic supports (issue #14). Left empty, the patient's own."""

    language = forms.ChoiceField(
        choices=list(settings.LANGUAGES),
        required=False,
        label=_("Language of the questionnaires"),
        help_text=_("The patient's preferred language is chosen; change it only if they ask."),
    )

    def __init__(self, *args, patient=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if patient is not None and not self.is_bound:
            self.initial.setdefault("language", patient.preferred_language)


ITEM_FILE_LIMIT = 256 * 1024  # bytes; a questionnaire's wording is a few kilobytes
ITEM_FILE_NOT_TEXT = _(
    "This file could not be read as text. Save it from the spreadsheet as “CSV UTF-8” or as "
    "tab-separated text and choose it again."
)
ITEM_FILE_TOO_BIG = _("This file is too big for one questionnaire's wording.")
ITEMS_REQUIRED = _("Choose a file, or paste one row per item: the item number, then its wording.")
FILE_AND_TEXT = _("Choose a file or paste the rows, not both.")


class ItemTextUploadForm(forms.Form):
    """The clinic's wording of one questionnaire in one language. The form reads the file or the
    pasted rows; the service checks them against the definition (every item present, no unknown
    item, no empty wording, sane lengths) and says what is wrong next to the field."""

    language = forms.ChoiceField(choices=BLANK + list(settings.LANGUAGES), label=_("Language"))
    licence_reference = forms.CharField(
        label=_("Licence reference"),
        max_length=200,
        help_text=_("The clinic's licence for this questionnaire: number, holder and date."),
    )
    instructions = forms.CharField(
        label=_("Instructions to the patient (stem)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    items_file = forms.FileField(
        label=_("Item wording as a file"),
        required=False,
        help_text=_(
            "A CSV or tab-separated file: one row per item, the item number then its wording."
        ),
    )
    items = forms.CharField(
        label=_("Or paste the item wording"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One row per item: the item number, a comma or tab, then the wording."),
    )
    option_labels = forms.CharField(
        label=_("Answer labels (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One row per answer: the code, then its label (0, Not at all). For one item only: "
            "item/code (9/0, Not at all). Without labels the definition's anchors are shown."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        upload, pasted = cleaned.get("items_file"), (cleaned.get("items") or "").strip()
        if upload and pasted:
            self.add_error("items", FILE_AND_TEXT)
        elif upload:
            if upload.size > ITEM_FILE_LIMIT:
                self.add_error("items_file", ITEM_FILE_TOO_BIG)
            else:
                try:
                    cleaned["items_text"] = upload.read().decode("utf-8-sig")
                except UnicodeDecodeError:
                    self.add_error("items_file", ITEM_FILE_NOT_TEXT)
        elif pasted:
            cleaned["items_text"] = cleaned["items"]
        else:
            self.add_error("items", ITEMS_REQUIRED)
        return cleaned
