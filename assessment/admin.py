"""Admin: teams configure their batteries here. Clinical records are read-only in the admin:
they change only through the services (signing, amendments), which audit."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext

from assessment import instruments
from assessment.models import Battery, RedFlagScreen, SafetyOverride
from painclinic.admin import ClinicalRecordAdmin


class BatteryForm(forms.ModelForm):
    class Meta:
        model = Battery
        fields = ["name", "team", "time_point", "instrument_keys", "active"]
        help_texts = {
            "instrument_keys": 'A JSON list of instrument keys in order, e.g. ["nrs", "tsk11"].'
        }

    def clean_instrument_keys(self):
        keys = self.cleaned_data["instrument_keys"]
        if not isinstance(keys, list) or not keys:
            raise forms.ValidationError(gettext("Give a non-empty list of instrument keys."))
        known = {definition.key for definition in instruments.all_instruments()}
        unknown = [key for key in keys if key not in known]
        if unknown:
            raise forms.ValidationError(
                gettext("Unknown instrument keys: {keys}.").format(
                    keys=", ".join(map(str, unknown))
                )
            )
        return keys


@admin.register(Battery)
class BatteryAdmin(admin.ModelAdmin):
    form = BatteryForm
    list_display = ["name", "team", "time_point", "active"]
    list_filter = ["active", "team"]


@admin.register(RedFlagScreen)
class RedFlagScreenAdmin(ClinicalRecordAdmin):
    patient_path = "episode__patient"
    list_display = ("__str__", "episode")
    list_select_related = ("episode__patient",)


@admin.register(SafetyOverride)
class SafetyOverrideAdmin(ClinicalRecordAdmin):
    patient_path = "episode__patient"
    list_display = ("__str__", "episode")
    list_select_related = ("episode__patient",)
