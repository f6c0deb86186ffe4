from __future__ import annotations

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from painclinic.models import AuditAction, AuditEvent, ClinicDetails, User


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autofocus=True)
        self.fields["password"].widget.attrs.update(autocomplete="current-password")


# Patients matched by the audit log's name search read by id (indexed); past this many, by join.
PATIENT_SEARCH_IDS = 500


def _midnight(day: date) -> datetime:
    """The first instant of ``day`` in the current time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


class AuditFilter(django_filters.FilterSet):
    actor = django_filters.ModelChoiceFilter(
        queryset=User.objects.none(), method="filter_actor", label=_("Who")
    )
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, label=_("Action"))
    patient = django_filters.CharFilter(
        method="filter_patient", label=_("Patient name or identifier")
    )
    # A day is the range of instants from its midnight to the next (in the clinic's time zone,
    # as ``at__date`` reads it): a range on the indexed column, where ``at__date`` converted
    # every event's time to a date (issue #16: a scan of the whole log, ~1.3 s at 500,000 events).
    since = django_filters.DateFilter(
        method="filter_since", label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    until = django_filters.DateFilter(
        method="filter_until", label=_("Until"), widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The team, and the site's administrators, whose admin pages are audited too.
        self.filters["actor"].queryset = User.objects.filter(
            Q(memberships__team__memberships__user=user) | Q(is_staff=True)
        ).distinct()

    def filter_actor(self, queryset, name, value):
        # A failed log-in has no actor, only the username typed (painclinic.signals).
        if not value:
            return queryset
        return queryset.filter(
            Q(actor=value) | Q(actor__isnull=True, actor_username=value.get_username())
        )

    def filter_since(self, queryset, name, value):
        return queryset.filter(at__gte=_midnight(value)) if value else queryset

    def filter_until(self, queryset, name, value):
        return queryset.filter(at__lt=_midnight(value + timedelta(days=1))) if value else queryset

    def filter_patient(self, queryset, name, value):
        """Every word must match the patient's identifier, given or family name. The matching
        patients are found first, so the log is read by its (patient, at) index for them rather
        than walked newest first comparing every event's patient (issue #16: ~1 s at 500,000
        events); a search matching very many patients is applied as a join as before."""
        words = value.split()
        if not words:
            return queryset
        match = Q()
        for word in words:
            match &= (
                Q(identifier__icontains=word)
                | Q(given_name__icontains=word)
                | Q(family_name__icontains=word)
            )
        patients = AuditEvent._meta.get_field("patient").related_model._default_manager
        ids = list(patients.filter(match).values_list("pk", flat=True)[: PATIENT_SEARCH_IDS + 1])
        if len(ids) > PATIENT_SEARCH_IDS:
            return queryset.filter(patient__in=patients.filter(match))
        return queryset.filter(patient_id__in=ids)


class CodeForm(forms.Form):
    """One code: six digits from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class ClinicDetailsForm(forms.ModelForm):
    """The letterhead: every field optional, so a clinic can fill it in step by step."""

    # A website typed without its scheme ("pain.example.org") reads as https (Django 6 default).
    website = forms.URLField(
        label=_("website"), max_length=200, required=False, assume_scheme="https"
    )

    class Meta:
        model = ClinicDetails
        fields = ("name", "address", "phone", "email", "website", "rereferral", "footer")
        widgets = {
            "address": forms.Textarea(attrs={"rows": 4}),
            "rereferral": forms.Textarea(attrs={"rows": 3}),
        }
