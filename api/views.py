"""The API's views: thin, like the pages. Every patient is resolved through the access policy
(``patients.access.get_patient_for_user``: 404 outside the user's reach, DENIED audited), every read of a
record is audited like the pages (one VIEW event per patient per request), every write goes
through the app's service (which audits it)."""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.permissions import API_AUTHENTICATED, API_PATIENT_READ, API_PATIENT_WRITE
from assessment import selectors as assessment_selectors
from assessment import services as assessment_services
from interop import services as interop_services
from medicines import selectors as medicine_selectors
from painclinic import audit, concurrency
from painclinic.models import AuditAction
from patients import access
from sced import selectors as sced_selectors
from sced import services as sced_services
from sced.models import AnalysisRun, Measure, Measurement, Study

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag of the version this change is based on (from the GET).",
)
PRECONDITION_FAILED = OpenApiResponse(description="The record changed since that ETag.")


def _field_errors(exc: DjangoValidationError, field: str = "non_field_errors") -> ValidationError:
    """A service's ValidationError as DRF's 400 body, with the field at fault."""
    if hasattr(exc, "error_dict"):
        return ValidationError(exc.message_dict)
    return ValidationError({field: exc.messages})


def etag_of(data) -> str:
    payload = json.dumps(data, sort_keys=True, default=str).encode()
    return '"' + hashlib.sha256(payload).hexdigest()[:32] + '"'


class ETagMixin:
    """A single-resource GET carries an ETag; ``If-None-Match`` with it answers 304."""

    def etag_response(self, request, data) -> Response:
        tag = etag_of(data)
        if request.headers.get("If-None-Match") == tag:
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
        else:
            response = Response(data)
        response["ETag"] = tag
        return response


class PatientScopedMixin:
    """Resolves ``patient_id`` through the one access policy and audits the read, as
    ``access.patient_view`` does for a page."""

    access_policy = API_PATIENT_READ
    _patient = None

    def get_patient(self):
        if self._patient is None:
            write = self.request.method not in SAFE_METHODS
            self._patient = access.get_patient_for_user(
                self.request, self.kwargs["patient_id"], write=write
            )
        return self._patient

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.get_patient()  # 404 (audited DENIED) before anything else happens

    def finalize_response(self, request, response, *args, **kwargs):
        patient = self._patient
        if patient is not None and not audit.patient_audited_in_request(patient.pk):
            audit.record_event(actor=request.user, action=AuditAction.VIEW, patient=patient)
        return super().finalize_response(request, response, *args, **kwargs)


# --- patients -----------------------------------------------------------------------------


class PatientList(generics.ListAPIView):
    """The patients in the user's reach (the same list as the patient list page)."""

    access_policy = API_AUTHENTICATED
    serializer_class = s.PatientSerializer

    def get_queryset(self):
        # The page's set form of the policy: counted and paged over the user's whole reach
        # (issue #16).
        return access.patients_listed_for(self.request.user).order_by(
            "family_name", "given_name", "pk"
        )

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        # Each patient named in the answer is a record view, as on the patient list page.
        rows = [(row["id"], row["id"]) for row in response.data["results"]]
        audit.record_views(actor=request.user, object_type="patients.patient", rows=rows)
        return response


class PatientDetail(PatientScopedMixin, ETagMixin, APIView):
    serializer_class = s.PatientSerializer

    @extend_schema(responses=s.PatientSerializer)
    def get(self, request, patient_id):
        return self.etag_response(request, s.PatientSerializer(self.get_patient()).data)


class FhirBundle(PatientScopedMixin, APIView):
    """The patient's record as a FHIR R4 Bundle (the same export as the record page's button:
    one EXPORT audit event, no second VIEW)."""

    @extend_schema(
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="A FHIR R4 Bundle")}
    )
    def get(self, request, patient_id):
        return Response(interop_services.export_patient_bundle(request.user, self.get_patient()))


class EpisodeList(PatientScopedMixin, generics.ListAPIView):
    serializer_class = s.EpisodeSerializer

    def get_queryset(self):
        return (
            self.get_patient()
            .episodes.select_related("team", "lead_clinician")
            .order_by("-referral_date", "-id")
        )


# --- assessment ---------------------------------------------------------------------------


class AssessmentResultList(PatientScopedMixin, generics.ListAPIView):
    """Signed, scorable results with their current (amended) values, oldest first."""

    serializer_class = s.AssessmentResultSerializer

    def get_queryset(self):
        results = assessment_selectors.signed_results(self.get_patient())
        rows = [r.as_latest() | {"amended": r.amended} for rs in results.values() for r in rs]
        return sorted(rows, key=lambda r: (r["date"], r["result_id"]))


class AssessmentDraftCreate(PatientScopedMixin, APIView):
    """Start a session with one instrument and save the answers as a draft. Signing stays in the
    browser: a clinician reads the draft there and signs it."""

    access_policy = API_PATIENT_WRITE

    @extend_schema(request=s.DraftInputSerializer, responses={201: s.DraftSerializer})
    def post(self, request, patient_id):
        patient = self.get_patient()
        data = s.DraftInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        episode = patient.episodes.filter(pk=values["episode_id"]).first()
        if episode is None:
            raise ValidationError({"episode_id": ["This patient has no such episode."]})
        try:
            with transaction.atomic():
                session = assessment_services.session_start(
                    actor=request.user,
                    patient=patient,
                    episode=episode,
                    time_point=values["time_point"],
                    on=values.get("date"),
                    instrument_keys=[values["instrument_key"]],
                )
                administration = assessment_services.administration_save_draft(
                    actor=request.user,
                    administration=session.administrations.get(),
                    answers=values["answers"],
                )
        except DjangoValidationError as exc:
            field = "answers" if getattr(exc, "code", "") == "invalid_answer" else "instrument_key"
            if any(m in " ".join(exc.messages) for m in ("date", "future")):
                field = "date"
            raise _field_errors(exc, field) from exc
        body = s.DraftSerializer(
            {
                "id": administration.pk,
                "session_id": session.pk,
                "instrument_key": administration.instrument_key,
                "state": administration.state,
                "answers": administration.answers,
                "score": administration.score,
            }
        ).data
        return Response(body, status=status.HTTP_201_CREATED)


# --- medicines ----------------------------------------------------------------------------


class MedicationList(PatientScopedMixin, generics.ListAPIView):
    """Each medication's current (newest) version, current and stopped."""

    serializer_class = s.MedicationSerializer

    def get_queryset(self):
        return [
            {
                **{f: getattr(v, f) for f in s.MedicationSerializer().fields},
                "medication_id": v.medication_id,
            }
            for v in medicine_selectors.latest_versions(self.get_patient())
        ]


# --- SCED ---------------------------------------------------------------------------------


class StudyScopedMixin(PatientScopedMixin):
    def get_study(self) -> Study:
        try:
            return sced_selectors.study_page(self.kwargs["study_id"], self.get_patient())
        except Study.DoesNotExist:
            raise Http404("No such study.") from None


class StudyList(PatientScopedMixin, generics.ListAPIView):
    serializer_class = s.StudySerializer

    def get_queryset(self):
        return sced_selectors.studies_of(self.get_patient())


class StudyDetail(StudyScopedMixin, ETagMixin, APIView):
    @extend_schema(responses=s.StudyDetailSerializer)
    def get(self, request, patient_id, study_id):
        return self.etag_response(request, s.StudyDetailSerializer(self.get_study()).data)


class MeasurementListCreate(StudyScopedMixin, generics.ListAPIView):
    """Values of the study, oldest session first; POST records one (a device or a diary)."""

    serializer_class = s.MeasurementSerializer
    access_policy = API_PATIENT_WRITE

    def get_queryset(self):
        return Measurement.objects.filter(measure__study=self.get_study()).order_by(
            "session", "measure__position", "id"
        )

    @extend_schema(request=s.MeasurementInputSerializer, responses={201: s.MeasurementSerializer})
    def post(self, request, patient_id, study_id):
        study = self.get_study()
        data = s.MeasurementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        measure = Measure.objects.filter(study=study, pk=values["measure_id"]).first()
        if measure is None:
            raise ValidationError({"measure_id": ["This study has no such measure."]})
        row = sced_services.Row(
            measure, values["value"], session=values.get("session"), day=values.get("date")
        )
        try:
            (created,) = sced_services.measurements_record(
                actor=request.user,
                study=study,
                rows=[row],
                confirm_outside_plan=values["confirm_outside_plan"],
            )
        except DjangoValidationError as exc:
            field = "value" if any("range" in m or "between" in m for m in exc.messages) else None
            raise _field_errors(exc, field or "non_field_errors") from exc
        return Response(s.MeasurementSerializer(created).data, status=status.HTTP_201_CREATED)


class MeasurementDetail(StudyScopedMixin, ETagMixin, APIView):
    """One value; PATCH amends it (keeps the old value, who, when, why) and needs ``If-Match``
    with the ETag of the GET: 412 when someone amended it meanwhile (optimistic concurrency,
    painclinic/concurrency.py's edit token of the value)."""

    access_policy = API_PATIENT_WRITE

    def get_measurement(self) -> Measurement:
        measurement = Measurement.objects.filter(
            measure__study=self.get_study(), pk=self.kwargs["measurement_id"]
        ).first()
        if measurement is None:
            raise Http404("No such measurement.")
        return measurement

    @staticmethod
    def tag(measurement: Measurement) -> str:
        return '"' + concurrency.edit_token(measurement, ("value",)) + '"'

    @extend_schema(responses=s.MeasurementSerializer)
    def get(self, request, patient_id, study_id, measurement_id):
        measurement = self.get_measurement()
        response = Response(s.MeasurementSerializer(measurement).data)
        response["ETag"] = self.tag(measurement)
        return response

    @extend_schema(
        request=s.MeasurementAmendSerializer,
        parameters=[IF_MATCH],
        responses={
            200: s.MeasurementSerializer,
            412: PRECONDITION_FAILED,
            428: OpenApiResponse(description="If-Match is required."),
        },
    )
    def patch(self, request, patient_id, study_id, measurement_id):
        measurement = self.get_measurement()
        data = s.MeasurementAmendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if_match = request.headers.get("If-Match")
        if not if_match:
            return Response(
                {"detail": "Send If-Match with the ETag of the value you are changing."},
                status=status.HTTP_428_PRECONDITION_REQUIRED,
            )
        try:
            sced_services.measurement_amend(
                actor=request.user,
                measurement=measurement,
                value=data.validated_data["value"],
                reason=data.validated_data["reason"],
                edit_token=if_match.strip().removeprefix("W/").strip('"'),
            )
        except concurrency.EditConflict:
            response = Response(
                {"detail": "Someone changed this value since you read it; read it again."},
                status=status.HTTP_412_PRECONDITION_FAILED,
            )
            response["ETag"] = self.tag(Measurement.objects.get(pk=measurement.pk))
            return response
        except DjangoValidationError as exc:
            field = "reason" if any("reason" in m.lower() for m in exc.messages) else "value"
            raise _field_errors(exc, field) from exc
        measurement.refresh_from_db()
        response = Response(s.MeasurementSerializer(measurement).data)
        response["ETag"] = self.tag(measurement)
        return response


class AnalysisList(StudyScopedMixin, generics.ListAPIView):
    """The study's analysis runs, newest first (the first is the one of the data in force when
    its input matches the study's)."""

    serializer_class = s.AnalysisRunSerializer

    def get_queryset(self):
        return (
            AnalysisRun.objects.filter(study=self.get_study())
            .defer("inputs")
            .order_by("-created_at", "-id")
        )
