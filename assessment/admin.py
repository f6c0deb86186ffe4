"""Admin: teams configure their batteries here. Clinical records are read-only in the admin:
they change only through the services (signing, amendments), which audit."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assessment import instruments, services
from assessment.instruments import eq5d5l
from assessment.models import (
    Battery,
    EQ5DValueSet,
    RedFlagScreen,
    SafetyOverride,
    TimePoint,
    WorkAndHealthcareUse,
)
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

    def clean(self):
        cleaned = super().clean()
        keys = cleaned.get("instrument_keys") or []
        asks = [key for key in keys if key in instruments.ASKS_ABOUT_CHANGE]
        if cleaned.get("time_point") == TimePoint.FIRST_VISIT and asks:
            names = ", ".join(instruments.get(key).short_name for key in asks)
            self.add_error(
                "instrument_keys",
                gettext(services.ASKS_ABOUT_CHANGE_AT_FIRST_VISIT).format(names=names),
            )
        return cleaned


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


class EQ5DValueSetUploadForm(forms.ModelForm):
    """Upload of a country value set for the EQ-5D-5L index (clinic data, licensed: none ships).
    The table is a file or pasted text, one row per health profile: profile, index."""

    table_file = forms.FileField(
        label=_("Value set file (CSV: profile, index)"),
        required=False,
        help_text=_("3,125 rows, one per health profile from 11111 to 55555, then its index."),
    )
    table_text = forms.CharField(
        label=_("Or paste the table"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    use_now = forms.BooleanField(
        label=_("Use this value set for results scored from now on"), required=False, initial=True
    )

    class Meta:
        model = EQ5DValueSet
        fields = ["name", "country", "source_reference"]

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("table_file")
        text = cleaned.get("table_text") or ""
        if upload is not None:
            if upload.size > 2_000_000:
                raise ValidationError(_("The file is too large for a value set (at most 2 MB)."))
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationError(_("The file must be a text (CSV) file in UTF-8.")) from None
        if not text.strip():
            raise ValidationError(_("Give the value set as a file or paste it."))
        _values, problems = eq5d5l.parse_value_set(text)  # the service checks the same again
        if problems:
            raise ValidationError(problems)
        cleaned["table"] = text
        return cleaned


@admin.register(EQ5DValueSet)
class EQ5DValueSetAdmin(admin.ModelAdmin):
    """Value sets are uploaded here and never edited: a corrected table is a new upload (the
    service checks it complete and in range, stores it and audits it)."""

    form = EQ5DValueSetUploadForm
    list_display = ["name", "country", "in_use", "uploaded_by", "uploaded_at"]
    readonly_fields = [
        "name",
        "country",
        "source_reference",
        "digest",
        "in_use",
        "uploaded_by",
        "uploaded_at",
    ]

    def has_change_permission(self, request, obj=None) -> bool:
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # results record which set scored them

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def save_model(self, request, obj, form, change) -> None:
        saved = services.eq5d_value_set_upload(
            actor=request.user,
            name=form.cleaned_data["name"],
            country=form.cleaned_data["country"],
            source_reference=form.cleaned_data["source_reference"],
            table=form.cleaned_data["table"],
            use_now=form.cleaned_data.get("use_now", False),
        )
        obj.pk = saved.pk
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})


@admin.register(WorkAndHealthcareUse)
class WorkAndHealthcareUseAdmin(ClinicalRecordAdmin):
    patient_path = "session__patient"
    list_display = ("__str__", "session")
    list_select_related = ("session__patient",)
