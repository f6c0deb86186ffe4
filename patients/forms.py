from __future__ import annotations

from datetime import date

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from painclinic.access import clinical_staff, may_give_clinical_care
from painclinic.concurrency import EditTokenFormMixin
from painclinic.form_renderer import FAST_WIDGETS, PlainBootstrapForm
from painclinic.models import Team, User
from painclinic.validators import (
    past_clinical_date,
    planned_clinical_date,
    validate_birth_date,
    validate_history_date,
)
from patients.access import patients_visible_to
from patients.conditions import CONDITION_CHOICES
from patients.models import (
    EPISODE_TRANSITIONS,
    ConsentKind,
    ConsentState,
    Contact,
    ContactType,
    DischargeReason,
    EpisodeStatus,
    FollowUpOutcome,
    Pathway,
    Patient,
    ReferralSource,
    SafeguardingCategory,
    Urgency,
)
from patients.services import PATIENT_EDITABLE_FIELDS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

PATIENT_FIELDS = list(PATIENT_EDITABLE_FIELDS)  # one list: the form shows what the service saves

# Only clinicians of the team can lead (painclinic.access.clinical_staff; issue #9).
CHOOSE_A_CLINICIAN = _("Choose a clinician of the team who gives clinical care.")


def _episode_window(episode) -> dict:
    """The bounds an episode puts on its dates: the patient's birth and the referral."""
    if episode is None:
        return {}
    return {
        "born": episode.patient.date_of_birth,
        "not_before": episode.referral_date,
        "not_before_label": _("the referral"),
    }


IDENTIFIER_IN_USE = _(
    "This identifier is already in use (identifiers are compared without regard to case). "
    "Check the number with the referral letter."
)


def _patient_layout() -> list:
    return [
        Fieldset(
            _("Identity"),
            Row(Column("identifier", css_class="col-md-4")),
            Row(
                Column("given_name", css_class="col-md-6"),
                Column("family_name", css_class="col-md-6"),
            ),
            Row(
                Column("date_of_birth", css_class="col-md-4"),
                Column("sex", css_class="col-md-4"),
                Column("gender", css_class="col-md-4"),
            ),
        ),
        Fieldset(
            _("Contact and communication"),
            Row(Column("phone", css_class="col-md-6"), Column("email", css_class="col-md-6")),
            "address",
            Row(
                Column("preferred_language", css_class="col-md-4"),
                Column("language_note", css_class="col-md-4"),
                Column("interpreter_needed", css_class="col-md-4 pt-md-4"),
            ),
        ),
        Fieldset(
            _("GP and pain"),
            Row(
                Column("gp_name", css_class="col-md-6"), Column("gp_practice", css_class="col-md-6")
            ),
            Row(
                Column("primary_condition", css_class="col-md-8"),
                Column("pain_onset", css_class="col-md-4"),
            ),
        ),
    ]


def identifier_in_use_error(identifier: str, *, user: User | None, exclude_pk=None) -> str | None:
    """The error for an identifier already used by another patient (compared case-insensitively),
    or None. The existing record is named only to a user who may see it; anyone else reads a
    neutral message, so the form does not reveal whose number it is (security.md: no leaks)."""
    existing = Patient.objects.filter(identifier__iexact=identifier.strip())
    if exclude_pk is not None:
        existing = existing.exclude(pk=exclude_pk)
    found = existing.first()
    if found is None:
        return None
    if user is not None and patients_visible_to(user).filter(pk=found.pk).exists():
        return _(
            "%(name)s (born %(born)s) is already registered with the identifier %(id)s. "
            "Open their record instead of registering them again."
        ) % {
            "name": found.full_name,
            "born": f"{found.date_of_birth.day} {found.date_of_birth:%b %Y}",
            "id": found.identifier,
        }
    return IDENTIFIER_IN_USE


class PatientForm(forms.ModelForm):
    def __init__(self, *args, user: User | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    class Meta:
        model = Patient
        fields = PATIENT_FIELDS
        widgets = {
            "date_of_birth": DATE_INPUT,
            "pain_onset": DATE_INPUT,
            "address": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_identifier(self) -> str:
        identifier = self.cleaned_data["identifier"].strip()
        error = identifier_in_use_error(identifier, user=self.user, exclude_pk=self.instance.pk)
        if error:
            raise forms.ValidationError(error)
        return identifier

    def clean_date_of_birth(self) -> date:
        born = self.cleaned_data["date_of_birth"]
        validate_birth_date(born)
        return born

    def clean(self) -> dict:
        cleaned = super().clean()
        onset, born = cleaned.get("pain_onset"), cleaned.get("date_of_birth")
        try:
            validate_history_date(onset, born=born, what=_("Pain onset"))
        except forms.ValidationError as exc:
            self.add_error("pain_onset", exc)
        return cleaned


class PatientEditForm(PatientForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "version", *_patient_layout(), Submit("save", _("Save changes"))
        )


class PatientRegisterForm(PatientForm):
    """A new patient and the referral that brings them (their first episode)."""

    team = forms.ModelChoiceField(queryset=Team.objects.none(), label=_("Team"))
    lead_clinician = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=_("Lead clinician"),
        error_messages={"invalid_choice": CHOOSE_A_CLINICIAN},
    )
    referral_date = forms.DateField(widget=DATE_INPUT, label=_("Referral date"))
    referral_source = forms.ChoiceField(choices=ReferralSource.choices, label=_("Referred by"))
    referral_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label=_("Reason for referral")
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        teams = Team.objects.filter(memberships__user=user)
        self.fields["team"].queryset = teams
        self.fields["lead_clinician"].queryset = clinical_staff(teams)
        if not self.is_bound:
            if may_give_clinical_care(user):
                self.initial.setdefault("lead_clinician", user.pk)
            self.initial.setdefault("referral_date", date.today())
            first_team = teams.first()
            if first_team is not None:
                self.initial.setdefault("team", first_team.pk)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            *_patient_layout(),
            Fieldset(
                _("Referral"),
                Row(
                    Column("team", css_class="col-md-4"),
                    Column("lead_clinician", css_class="col-md-4"),
                    Column("referral_date", css_class="col-md-4"),
                ),
                Row(Column("referral_source", css_class="col-md-4")),
                "referral_reason",
            ),
            Submit("register", _("Register patient")),
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        try:
            past_clinical_date(
                cleaned.get("referral_date"),
                born=cleaned.get("date_of_birth"),
                what=_("The referral date"),
            )
        except forms.ValidationError as exc:
            self.add_error("referral_date", exc)
        team, lead = cleaned.get("team"), cleaned.get("lead_clinician")
        if team and lead and not team.memberships.filter(user=lead).exists():
            self.add_error("lead_clinician", _("The lead clinician must be a member of the team."))
        return cleaned


class ContactForm(forms.ModelForm):
    # On every visit of the record: its inputs, select and text area written in Python, the
    # same markup as Django's widget templates (painclinic.form_renderer; issue #16).
    default_renderer = FAST_WIDGETS

    class Meta:
        model = Contact
        fields = ["date", "contact_type", "duration_minutes", "note"]
        widgets = {"date": DATE_INPUT, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, action: str = "", episode=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.episode = episode
        self.fields["duration_minutes"].widget.attrs.update(min=1, max=600)
        if not self.is_bound:
            self.initial.setdefault("date", date.today())
            self.initial.setdefault("contact_type", ContactType.INDIVIDUAL)
            self.initial.setdefault("duration_minutes", 45)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.layout = Layout(
            Row(
                Column("date", css_class="col-md-4"),
                Column("contact_type", css_class="col-md-4"),
                Column("duration_minutes", css_class="col-md-4"),
            ),
            "note",
            Submit("record", _("Record contact")),
        )

    def clean_date(self) -> date:
        day = self.cleaned_data["date"]
        past_clinical_date(day, what=_("The contact date"), **_episode_window(self.episode))
        return day

    def clean_duration_minutes(self) -> int:
        minutes = self.cleaned_data["duration_minutes"]
        if not 1 <= minutes <= 600:
            raise forms.ValidationError(_("A contact lasts between 1 and 600 minutes."))
        return minutes


class OutlineSubmit(Submit):
    """A secondary submit button, drawn in outline. crispy's Submit adds ``css_class`` to its
    "btn btn-primary", and Bootstrap's outline colours over a filled primary button write blue on
    blue: the button showed no label (seen on the record's episode section)."""

    field_classes = "btn btn-outline-primary"


class EpisodeStatusForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"))
    changed_on = forms.DateField(widget=DATE_INPUT, label=_("From"))
    discharge_reason = forms.ChoiceField(
        choices=[("", "—"), *DischargeReason.choices],
        required=False,
        label=_("Discharge reason"),
    )
    note = forms.CharField(required=False, max_length=300, label=_("Note"))

    def __init__(
        self, *args, current_status: str, action: str = "", episode=None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.episode = episode
        allowed = EPISODE_TRANSITIONS[current_status]
        self.fields["to_status"].choices = [(s, EpisodeStatus(s).label) for s in allowed]
        if not self.is_bound:
            self.initial.setdefault("changed_on", date.today())
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.layout = Layout(
            Row(
                Column("to_status", css_class="col-md-3"),
                Column("changed_on", css_class="col-md-3"),
                Column("discharge_reason", css_class="col-md-3"),
                Column("note", css_class="col-md-3"),
            ),
            OutlineSubmit("change_status", _("Change status")),
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("to_status") == EpisodeStatus.DISCHARGED and not cleaned.get(
            "discharge_reason"
        ):
            self.add_error("discharge_reason", _("Give the reason for discharge."))
        try:
            past_clinical_date(
                cleaned.get("changed_on"), what=_("The date"), **_episode_window(self.episode)
            )
        except forms.ValidationError as exc:
            self.add_error("changed_on", exc)
        return cleaned


class ReviewDateForm(EditTokenFormMixin, forms.Form):
    EDIT_TOKEN_FIELDS = ("next_review_due",)
    next_review_due = forms.DateField(widget=DATE_INPUT, required=False, label=_("Next review due"))

    def __init__(self, *args, action: str = "", episode=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.episode = episode
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.layout = Layout(
            Row(Column("next_review_due", css_class="col-md-4")),
            OutlineSubmit("save_review", _("Save review date")),
        )
        self.add_edit_token(episode)

    def clean_next_review_due(self) -> date | None:
        day = self.cleaned_data["next_review_due"]
        window = _episode_window(self.episode)
        window.pop("born", None)
        planned_clinical_date(day, what=_("The next review"), **window)
        return day


class TriageForm(EditTokenFormMixin, forms.Form):
    """Triage of a referral (issue #13): urgency and pathway, for the team's waiting list."""

    EDIT_TOKEN_FIELDS = ("urgency", "pathway")
    urgency = forms.ChoiceField(
        required=False, choices=[("", _("Not triaged")), *list(Urgency.choices)], label=_("Urgency")
    )
    pathway = forms.ChoiceField(
        required=False, choices=[("", _("Not triaged")), *list(Pathway.choices)], label=_("Pathway")
    )

    def __init__(self, *args, action: str = "", episode=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.layout = Layout(
            Row(Column("urgency", css_class="col-md-4"), Column("pathway", css_class="col-md-6")),
            Submit("save_triage", _("Save triage")),
        )
        self.add_edit_token(episode)


class PatientSearchForm(PlainBootstrapForm):
    """The patient list's search form, written by a plain template
    (patients/_search_field.html) with the markup crispy's Bootstrap 5 field gives it
    (painclinic.form_renderer.PlainBootstrapForm). Crispy and Django's widget templates cost
    ~4.5 ms of CPU on each page and each keystroke of the live search (issue #16)."""


class PatientFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Name or identifier"))
    status = django_filters.ChoiceFilter(
        field_name="episode_status", choices=EpisodeStatus.choices, label=_("Episode status")
    )
    condition = django_filters.ChoiceFilter(
        field_name="primary_condition", choices=CONDITION_CHOICES, label=_("Condition")
    )
    order = django_filters.OrderingFilter(
        fields=(
            ("family_name", "name"),
            ("date_of_birth", "born"),
            ("last_contact", "last_contact"),
        ),
        label=_("Sort by"),
    )

    class Meta:
        model = Patient
        fields: list[str] = []
        form = PatientSearchForm

    def filter_search(self, queryset, name, value):
        return queryset.search(value)


# --- Consent and safeguarding (issue #10) -----------------------------------------------------


DATE_INPUT_BOXED = forms.DateInput(
    attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"
)


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Consent to"), choices=[("", "---------"), *ConsentKind.choices]
    )
    state = forms.ChoiceField(
        label=_("Decision"), choices=ConsentState.choices, widget=forms.RadioSelect
    )
    decided_on = forms.DateField(
        label=_("Date"), widget=DATE_INPUT_BOXED, validators=[past_clinical_date]
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class SafeguardingForm(forms.Form):
    raised_on = forms.DateField(
        label=_("Date raised"), widget=DATE_INPUT_BOXED, validators=[past_clinical_date]
    )
    raised_by = forms.CharField(label=_("Who raised it"), max_length=200)
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "---------"), *SafeguardingCategory.choices]
    )
    concern = forms.CharField(label=_("The concern"), widget=forms.Textarea(attrs={"rows": 3}))
    actions = forms.CharField(
        label=_("Actions taken"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    referred_to = forms.CharField(
        label=_("Referred to (local authority or agency)"), max_length=200, required=False
    )
    referred_on = forms.DateField(
        label=_("Date referred"),
        widget=DATE_INPUT_BOXED,
        required=False,
        validators=[past_clinical_date],
    )
    reference = forms.CharField(label=_("Their reference"), max_length=100, required=False)


class SafeguardingCloseForm(forms.Form):
    concern_id = forms.IntegerField(widget=forms.HiddenInput)
    closed_on = forms.DateField(
        label=_("Date closed"), widget=DATE_INPUT_BOXED, validators=[past_clinical_date]
    )
    closing_note = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 2}))


# --- The care team, the lead handover, re-referral and follow-up calls (issue #13) ------------


class CareTeamAddForm(forms.Form):
    """Add a clinician of the episode's team (only those who give clinical care are offered)."""

    member = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=_("Clinician to add"),
        error_messages={"invalid_choice": CHOOSE_A_CLINICIAN},
    )

    def __init__(self, *args, episode=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if episode is not None:
            self.fields["member"].queryset = (
                clinical_staff(episode.team)
                .exclude(care_team_places__episode=episode)
                .order_by("last_name", "first_name", "username")
            )
        self.fields["member"].label_from_instance = lambda user: (
            f"{user.get_full_name() or user.username} ({user.get_discipline_display()})"
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Row(Column("member", css_class="col-md-8")))


class CareTeamRemoveForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class HandoverForm(EditTokenFormMixin, forms.Form):
    EDIT_TOKEN_FIELDS = ("lead_clinician",)
    to_clinician = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=_("New lead clinician"),
        error_messages={"invalid_choice": CHOOSE_A_CLINICIAN},
    )
    note = forms.CharField(
        label=_("Handover note"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the new lead needs to know: plans, risks, what the patient expects."),
    )
    keep_previous_lead = forms.BooleanField(
        label=_("The previous lead stays on the care team"), required=False, initial=True
    )

    def __init__(self, *args, episode=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if episode is not None:
            self.fields["to_clinician"].queryset = clinical_staff(episode.team).exclude(
                pk=episode.lead_clinician_id
            )
        self.fields["to_clinician"].label_from_instance = lambda user: (
            f"{user.get_full_name() or user.username} ({user.get_discipline_display()})"
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("to_clinician", css_class="col-md-8")), "note", "keep_previous_lead"
        )
        self.add_edit_token(episode)


class ReReferralForm(forms.Form):
    """A new episode for a discharged patient, in the team of the last episode."""

    lead_clinician = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=_("Lead clinician"),
        error_messages={"invalid_choice": CHOOSE_A_CLINICIAN},
    )
    referral_date = forms.DateField(label=_("Referral date"), widget=DATE_INPUT)
    referral_source = forms.ChoiceField(label=_("Referral source"), choices=ReferralSource.choices)
    referral_reason = forms.CharField(
        label=_("Reason for referral"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, team=None, patient=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        if team is not None:
            self.fields["lead_clinician"].queryset = clinical_staff(team)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(
                Column("referral_date", css_class="col-md-4"),
                Column("referral_source", css_class="col-md-4"),
                Column("lead_clinician", css_class="col-md-4"),
            ),
            "referral_reason",
            Submit("open_episode", _("Open the new episode")),
        )

    def clean_referral_date(self) -> date:
        day = self.cleaned_data["referral_date"]
        born = self.patient.date_of_birth if self.patient is not None else None
        past_clinical_date(day, born=born, what=_("The referral date"))
        return day


class FollowUpAddForm(forms.Form):
    due_on = forms.DateField(label=_("Due on"), widget=DATE_INPUT)
    caller = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=_("Who calls"),
        error_messages={"invalid_choice": CHOOSE_A_CLINICIAN},
    )

    def __init__(self, *args, episode=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if episode is not None:
            self.fields["caller"].queryset = clinical_staff(episode.team)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("due_on", css_class="col-md-4"), Column("caller", css_class="col-md-8"))
        )


class FollowUpForm(EditTokenFormMixin, forms.Form):
    """One call: its date and caller, and once made its outcome and notes."""

    EDIT_TOKEN_FIELDS = ("due_on", "caller", "outcome", "called_on", "notes")
    call_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    due_on = forms.DateField(label=_("Due on"), widget=DATE_INPUT)
    caller = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=_("Who calls"),
        error_messages={"invalid_choice": CHOOSE_A_CLINICIAN},
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[("", _("Not called yet")), *FollowUpOutcome.choices],
    )
    called_on = forms.DateField(label=_("Date of the call"), widget=DATE_INPUT, required=False)
    new_due_on = forms.DateField(
        label=_("New date (when rescheduled)"), widget=DATE_INPUT, required=False
    )
    notes = forms.CharField(
        label=_("Notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, episode=None, call=None, **kwargs) -> None:
        data = args[0] if args else kwargs.get("data")
        if call is not None and data is None and "initial" not in kwargs:
            kwargs["initial"] = {
                "call_id": call.pk,
                "due_on": call.due_on,
                "caller": call.caller_id,
                "outcome": call.outcome,
                "called_on": call.called_on,
                "notes": call.notes,
            }
        super().__init__(*args, **kwargs)
        if episode is not None:
            self.fields["caller"].queryset = clinical_staff(episode.team)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "call_id",
            Row(Column("due_on", css_class="col-md-4"), Column("caller", css_class="col-md-8")),
            Row(
                Column("outcome", css_class="col-md-4"),
                Column("called_on", css_class="col-md-4"),
                Column("new_due_on", css_class="col-md-4"),
            ),
            "notes",
        )
        self.add_edit_token(call)
