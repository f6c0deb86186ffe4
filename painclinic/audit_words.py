"""The audit log in words: which page a person used and which kind of record it showed.

The log stores URL names ("patients:detail") and model labels ("patients.episode") because they
are stable; a team lead reads "Patient record" and "episode of care" (issue #9: "what did they
look at?"). A page without its own words here is named from its URL name, never shown raw.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

VIEW_WORDS = {
    "home": "Home page",
    "login": "Log-in page",
    "logout": "Log out",
    "mfa_verify": "Two-step verification",
    "mfa_setup": "Set up two-step verification",
    "mfa_recovery_codes": "Recovery codes",
    "patients:emergency_access": "Emergency access to a patient",
    "team:emergency_reviews": "Review of emergency access",
    "team:emergency_review": "Review of emergency access",
    "caseload": "Caseload",
    "audit_log": "Audit log",
    "audit_log_export": "Audit log exported as CSV",
    "audit_verify": "Audit log checked for tampering",
    "worker_health": "Background workers",
    "api_tokens:tokens": "API tokens",
    "api_tokens:revoke": "Revoke an API token",
    "patients:list": "Patient list",
    "patients:register": "Register a patient",
    "patients:detail": "Patient record",
    "patients:edit": "Edit patient details",
    "patients:contact_add": "Record a contact",
    "patients:episode_status": "Change episode status",
    "patients:episode_review": "Set the review date",
    "team:dashboard": "Team caseload review",
    "team:reassign": "Team review of a patient / reassignment",
    "team:note": "Review note for the clinician",
    "team:settings": "Team review rules",
    "assessment:sessions": "Assessments",
    "assessment:session": "Assessment session",
    "assessment:administration": "Questionnaire",
    "assessment:amend": "Amend a signed questionnaire",
    "assessment:score_preview": "Score preview",
    "assessment:summary": "Assessment summary",
    "assessment:profile": "Yellow-flag profile",
    "assessment:chart": "Score chart",
    "assessment:decide": "Matched-care decision",
    "assessment:formulation": "Fear-avoidance formulation",
    "assessment:link_issue": "Questionnaire link for the patient",
    "assessment:link": "Patient's questionnaire link",
    "treatment:overview": "Treatment overview",
    "treatment:section": "Treatment overview section",
    "treatment:plan_edit": "Edit the treatment plan",
    "treatment:plan_history": "Treatment plan history",
    "treatment:suggestion_decide": "Decide on a treatment suggestion",
    "treatment:goal_add": "Add a goal",
    "treatment:goal_detail": "Goal",
    "treatment:goal_edit": "Edit a goal",
    "treatment:goal_retire": "Retire a goal",
    "treatment:goal_review": "Goal review",
    "treatment:review_amend": "Amend a goal review",
    "treatment:gas_chart": "Goal attainment chart",
    "treatment:hierarchy": "Fear hierarchy",
    "treatment:hierarchy_chart": "Fear hierarchy chart",
    "treatment:item_move": "Reorder the fear hierarchy",
    "treatment:item_retire": "Retire a hierarchy step",
    "treatment:item_sced": "Single-case study of a hierarchy step",
    "treatment:exposure_session_add": "Record an exposure",
    "treatment:exposure_chart": "Exposure chart",
    "treatment:pacing_list": "Pacing plans",
    "treatment:pacing_detail": "Pacing plan",
    "treatment:pacing_change": "Change a pacing plan",
    "treatment:pacing_log": "Pacing log",
    "treatment:pacing_chart": "Pacing chart",
    "treatment:flare_up": "Flare-up plan",
    "treatment:flare_up_print": "Flare-up plan (print)",
    "treatment:flare_up_pdf": "Flare-up plan (PDF)",
    "treatment:gp_letter": "GP letter",
    "treatment:gp_letter_pdf": "GP letter (PDF)",
    "treatment:summary": "Patient summary",
    "treatment:summary_pdf": "Patient summary (PDF)",
    "treatment:handout": "Patient handout",
    "treatment:handout_pdf": "Patient handout (PDF)",
    "treatment:clinician_summary": "Clinician summary",
    "treatment:clinician_summary_pdf": "Clinician summary (PDF)",
    "sced:study_list": "Single-case studies",
    "sced:study_create": "Set up a single-case study",
    "sced:study_detail": "Single-case study",
    "sced:study_randomize": "Randomise a single-case study",
    "sced:study_close": "Close a single-case study",
    "sced:measurement_add": "Enter a measurement",
    "sced:measurement_amend": "Amend a measurement",
    "sced:measurements_backfill": "Enter several measurements",
    "sced:measurements_import": "Import measurements",
    "sced:measurements_export": "Export measurements",
    "sced:results_panel": "Single-case results",
    "sced:analysis_retry": "Rerun a single-case analysis",
    "sced:plot_image": "Single-case plot",
    "sced:patient_summary": "Single-case summary for the patient",
    "sced:diary_link_issue": "Diary link for the patient",
    "sced:diary_link_revoke": "Revoke a diary link",
    "sced:diary": "Patient's diary link",
    "programmes:list": "Programmes",
    "programmes:cohort": "PMP cohort",
    "programmes:cohort_create": "Create a PMP cohort",
    "programmes:sessions_add": "Add PMP sessions",
    "programmes:staff_add": "Add PMP staff",
    "programmes:refer": "Refer to a PMP",
    "programmes:enrolment": "PMP referral",
    "programmes:screening": "PMP suitability screening",
    "programmes:transition": "PMP enrolment change",
    "programmes:attendance": "PMP attendance",
    "programmes:climate": "PMP group climate",
    "programmes:outcomes": "PMP cohort outcomes",
    "programmes:outcomes_csv": "PMP cohort outcomes (CSV)",
    "programmes:outcome": "PMP outcome score",
    "programmes:outcome_windows": "PMP outcome windows",
}

APP_WORDS = {
    "patients": "Patients",
    "team": "Team review",
    "assessment": "Assessment",
    "treatment": "Treatment",
    "sced": "Single-case studies",
    "programmes": "Programmes",
    "api": "HTTP API",  # issue #17: "HTTP API: patient detail"
}

ADMIN_VIEW_WORDS = {
    "changelist": "list of {plural}",
    "change": "{singular}",
    "history": "{singular} (history)",
}

# model label -> (singular, plural); other models use their verbose names.
OBJECT_WORDS = {
    "patients.patient": ("patient record", "patient records"),
    "patients.episode": ("episode of care", "episodes of care"),
    "patients.contact": ("contact", "contacts"),
    "patients.reviewnote": ("review note", "review notes"),
    "patients.teamsettings": ("team review rules", "team review rules"),
    "assessment.assessmentsession": ("assessment session", "assessment sessions"),
    "assessment.administration": ("questionnaire", "questionnaires"),
    "assessment.amendment": ("questionnaire amendment", "questionnaire amendments"),
    "assessment.patientlink": ("patient questionnaire link", "patient questionnaire links"),
    "assessment.matchedcaredecision": ("matched-care decision", "matched-care decisions"),
    "assessment.formulation": ("fear-avoidance formulation", "fear-avoidance formulations"),
    "treatment.treatmentplan": ("treatment plan", "treatment plans"),
    "treatment.hierarchyitem": ("fear hierarchy step", "fear hierarchy steps"),
    "treatment.exposuresession": ("exposure", "exposures"),
    "treatment.flareupplan": ("flare-up plan", "flare-up plans"),
    "treatment.suggestionrecord": ("treatment suggestion", "treatment suggestions"),
    "sced.study": ("single-case study", "single-case studies"),
    "sced.analysisrun": ("single-case analysis", "single-case analyses"),
    "sced.diarylink": ("patient diary link", "patient diary links"),
    "programmes.enrolment": ("PMP referral", "PMP referrals"),
    "programmes.suitabilityscreening": ("PMP suitability screening", "PMP suitability screenings"),
    "programmes.outcomescore": ("PMP outcome score", "PMP outcome scores"),
    "programmes.cohort": ("PMP cohort", "PMP cohorts"),
    "programmes.programme": ("programme", "programmes"),
    "painclinic.auditevent": ("audit log", "audit log entries"),
    "patients.emergencyaccess": ("emergency access", "emergency accesses"),
    "otp_totp.totpdevice": ("authenticator app", "authenticator apps"),
    "otp_static.staticdevice": ("recovery codes", "recovery codes"),
}


def _model_words(label: str, *, plural: bool = False) -> str:
    if label in OBJECT_WORDS:
        return OBJECT_WORDS[label][1 if plural else 0]
    try:
        meta = apps.get_model(label)._meta
    except (LookupError, ValueError):
        return label.rsplit(".", 1)[-1].replace("_", " ")
    return str(meta.verbose_name_plural if plural else meta.verbose_name)


def object_words(object_type: str, count: int = 1) -> str:
    """'patients.episode' -> 'episode of care'; with a count above one, '3 contacts'."""
    if not object_type:
        return ""
    if count > 1:
        return f"{count} {_model_words(object_type, plural=True)}"
    return _model_words(object_type)


def _humanize(name: str) -> str:
    return name.replace("_", " ").replace("-", " ").strip().capitalize()


def view_words(view_name: str) -> str:
    """A URL name in words: 'patients:detail' -> 'Patient record'. Admin pages are named after
    the model they show: 'admin:patients_contact_changelist' -> 'Admin: list of contacts'."""
    if not view_name:
        return ""
    if view_name in VIEW_WORDS:
        return VIEW_WORDS[view_name]
    namespace, _, name = view_name.rpartition(":")
    if namespace == "admin":
        for suffix, template in ADMIN_VIEW_WORDS.items():
            stem = name.removesuffix(f"_{suffix}")
            if stem != name and "_" in stem:
                app_label, model_name = stem.split("_", 1)
                label = f"{app_label}.{model_name}"
                return "Admin: " + template.format(
                    singular=_model_words(label), plural=_model_words(label, plural=True)
                )
        return "Admin: " + _humanize(name).lower()
    if namespace:
        return f"{APP_WORDS.get(namespace, _humanize(namespace))}: {_humanize(name).lower()}"
    return _humanize(name)


def field_words(object_type: str, name: str) -> str:
    """A changed field's name in words, from the model when it knows it: 'signed_at' ->
    'signed at', 'yellow_flags' -> 'yellow flags'."""
    try:
        field = apps.get_model(object_type)._meta.get_field(name)
    except (LookupError, ValueError, FieldDoesNotExist):  # a relation or a part ("care_team")
        return name.replace("_", " ")
    return str(getattr(field, "verbose_name", "") or name.replace("_", " "))


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]
