"""What the API shows and accepts. Explicit fields only (security.md C3: no ``__all__``, no mass
assignment); input serializers only validate shapes, the services decide the clinical rules."""

from __future__ import annotations

from rest_framework import serializers

from assessment.models import TimePoint
from patients.models import Episode, Patient
from sced.models import AnalysisRun, Measure, Measurement, Study


class PatientSerializer(serializers.ModelSerializer):
    class Meta:
        model = Patient
        fields = (
            "id",
            "identifier",
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "gender",
            "preferred_language",
            "interpreter_needed",
            "primary_condition",
            "pain_onset",
            "gp_name",
            "gp_practice",
            "version",
            "updated_at",
        )
        read_only_fields = fields


class EpisodeSerializer(serializers.ModelSerializer):
    team = serializers.CharField(source="team.name", read_only=True)
    lead_clinician = serializers.CharField(source="lead_clinician.get_full_name", read_only=True)
    # Empty while the episode is open (a model choice field allows "").
    discharge_reason = serializers.CharField(read_only=True)

    class Meta:
        model = Episode
        fields = (
            "id",
            "team",
            "lead_clinician",
            "referral_date",
            "referral_source",
            "status",
            "status_since",
            "next_review_due",
            "discharge_date",
            "discharge_reason",
        )
        read_only_fields = fields


class AssessmentResultSerializer(serializers.Serializer):
    """One signed, scorable result with its current (amended) values."""

    result_id = serializers.IntegerField()
    instrument = serializers.CharField(source="key")
    date = serializers.DateField()
    amended = serializers.BooleanField()
    total = serializers.FloatField(allow_null=True)
    band = serializers.CharField(allow_null=True)
    band_label = serializers.CharField(allow_null=True)
    subscales = serializers.DictField()
    flags = serializers.DictField()


class DraftInputSerializer(serializers.Serializer):
    episode_id = serializers.IntegerField(min_value=1)
    instrument_key = serializers.CharField(max_length=64)
    time_point = serializers.ChoiceField(choices=TimePoint.choices)
    date = serializers.DateField(required=False)
    answers = serializers.DictField(
        child=serializers.CharField(allow_blank=True, allow_null=True, max_length=16),
        allow_empty=True,
        help_text="Item id to the answer code as printed on the form (a number, or NA).",
    )


class DraftSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    session_id = serializers.IntegerField()
    instrument_key = serializers.CharField()
    state = serializers.CharField()
    answers = serializers.DictField()
    score = serializers.DictField()


class MedicationSerializer(serializers.Serializer):
    medication_id = serializers.IntegerField()
    version = serializers.IntegerField()
    name = serializers.CharField()
    product = serializers.CharField(allow_blank=True)
    strength = serializers.DecimalField(max_digits=12, decimal_places=3, allow_null=True)
    unit = serializers.CharField(allow_blank=True)
    units_per_dose = serializers.DecimalField(max_digits=12, decimal_places=3, allow_null=True)
    frequency = serializers.CharField(allow_blank=True)
    doses_per_day = serializers.DecimalField(max_digits=12, decimal_places=3, allow_null=True)
    route = serializers.CharField(allow_blank=True)
    start_date = serializers.DateField(allow_null=True)
    stop_date = serializers.DateField(allow_null=True)
    indication = serializers.CharField(allow_blank=True)


class MeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Measure
        fields = ("id", "name", "unit", "range_min", "range_max", "improvement", "position")
        read_only_fields = fields


class StudySerializer(serializers.ModelSerializer):
    episode_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = Study
        fields: tuple[str, ...] = (
            "id",
            "episode_id",
            "clinical_question",
            "design",
            "planned_phase_lengths",
            "min_phase_length",
            "start_date",
            "state",
            "created_at",
            "closed_at",
        )
        read_only_fields: tuple[str, ...] = fields


class StudyDetailSerializer(StudySerializer):
    measures = MeasureSerializer(many=True, read_only=True)

    class Meta(StudySerializer.Meta):
        fields: tuple[str, ...] = (*StudySerializer.Meta.fields, "measures")
        read_only_fields: tuple[str, ...] = fields


class MeasurementSerializer(serializers.ModelSerializer):
    measure_id = serializers.IntegerField(read_only=True)
    struck_out = serializers.SerializerMethodField()

    class Meta:
        model = Measurement
        fields = (
            "id",
            "measure_id",
            "session",
            "date",
            "original_value",
            "value",
            "recorded_at",
            "struck_out",
        )
        read_only_fields = fields

    def get_struck_out(self, obj) -> bool:
        return obj.struck_out_at is not None


class MeasurementInputSerializer(serializers.Serializer):
    """A device or a diary sends one value: at a session, or on a date (the session follows from
    the study's start date, as for the patient's own diary)."""

    measure_id = serializers.IntegerField(min_value=1)
    value = serializers.FloatField()
    session = serializers.IntegerField(min_value=1, max_value=10000, required=False)
    date = serializers.DateField(required=False)
    confirm_outside_plan = serializers.BooleanField(default=False)

    def validate(self, attrs):
        if ("session" in attrs) == ("date" in attrs):
            raise serializers.ValidationError({"session": ["Give either a session or a date."]})
        return attrs


class MeasurementAmendSerializer(serializers.Serializer):
    value = serializers.FloatField()
    reason = serializers.CharField(max_length=200)


class AnalysisRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = AnalysisRun
        fields = ("id", "state", "input_hash", "results", "created_at", "finished_at")
        read_only_fields = fields
