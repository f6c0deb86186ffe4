from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from painclinic.models import AuditAction, AuditEvent, ClinicDetails, User


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autofocus=True)
        self.fields["password"].widget.attrs.update(autocomplete="current-password")


class AuditFilter(django_filters.FilterSet):
    actor = django_filters.ModelChoiceFilter(
        queryset=User.objects.none(), method="filter_actor", label=_("Who")
    )
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, label=_("Action"))
    patient = django_filters.CharFilter(
        method="filter_patient", label=_("Patient name or identifier")
    )
    since = django_filters.DateFilter(
        field_name="at",
        lookup_expr="date__gte",
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        field_name="at",
        lookup_expr="date__lte",
        label=_("Until"),
        widget=forms.DateInput(attrs={"type": "date"}),
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

    def filter_patient(self, queryset, name, value):
        """Every word must match the patient's identifier, given or family name."""
        for word in value.split():
            queryset = queryset.filter(
                Q(patient__identifier__icontains=word)
                | Q(patient__given_name__icontains=word)
                | Q(patient__family_name__icontains=word)
            )
        return queryset


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
