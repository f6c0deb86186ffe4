"""Page-shaped reads. Every list starts from the access policy; queries are constant in rows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import connection, models
from django.db.models import (
    Exists,
    F,
    JSONField,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.functions import JSONObject

from painclinic.listing import Rows
from patients.access import care_team_episodes_q, patients_listed_for, patients_visible_to
from patients.models import (
    OPEN_STATUSES,
    CareTeamChange,
    CareTeamMember,
    ConsentKind,
    ConsentRecord,
    Contact,
    Episode,
    EpisodeStatus,
    EpisodeStatusChange,
    FollowUpCall,
    LeadChange,
    Patient,
    ReviewNote,
    SafeguardingConcern,
    current_among,
)

if TYPE_CHECKING:
    from datetime import date

    from painclinic.models import User


# The columns of the caseload page (review.views.caseload): the page names the patient and the
# lead clinician and shows the episode's dates; it reads nothing else (issue #16: the whole
# episode, patient, lead clinician and team were read and built into 200 objects per page).
CASELOAD_COLUMNS = (
    "id",
    "patient_id",
    "status",
    "referral_date",
    "next_review_due",
    "patient__given_name",
    "patient__family_name",
    "patient__identifier",
    "lead_clinician__first_name",
    "lead_clinician__last_name",
    "lead_clinician__username",
)


def caseload_for(user: User) -> Rows:
    """'My caseload': open episodes on whose care team the user is, as rows of the columns the
    page shows (``CASELOAD_COLUMNS``) with the last contact and whether the patient has an open
    safeguarding concern, in the same one query (counted without them). The page
    (review.views.caseload) adds the clinical badges on top (review.selectors)."""
    last_contact = (
        Contact.objects.filter(episode=OuterRef("pk")).order_by("-date").values("date")[:1]
    )
    episodes = Episode.objects.filter(
        care_team_episodes_q(user), status__in=OPEN_STATUSES
    ).order_by(F("next_review_due").asc(nulls_last=True), "patient__family_name", "pk")
    return Rows(
        episodes,
        CASELOAD_COLUMNS,
        last_contact=Subquery(last_contact),
        safeguarding_open=Exists(
            SafeguardingConcern.objects.filter(
                patient_id=OuterRef("patient_id"), closed_on__isnull=True
            )
        ),
    )


def person_name(first_name: str, last_name: str, username: str) -> str:
    """A user's name as ``str(user)`` gives it (painclinic.models.User.__str__: the full name,
    else the username), from the columns alone."""
    return f"{first_name} {last_name}".strip() or username


def unread_review_notes_for(user: User) -> QuerySet[ReviewNote]:
    """Review notes a team lead addressed to this clinician that they have not marked read, on
    patients they may still see (a note never reaches someone through a record they cannot open)."""
    visible = patients_visible_to(user).filter(pk=OuterRef("episode__patient_id"))
    return (
        ReviewNote.objects.filter(Exists(visible), addressed_to=user, acknowledged_at__isnull=True)
        .select_related("episode__patient", "author")
        .order_by("-created_at", "-id")
    )


WAITING_STATUSES = (EpisodeStatus.REFERRED, EpisodeStatus.WAITING)


def days_waiting(episode: Episode, today: date) -> int | None:
    """Days since referral for a patient not yet seen (referred or waiting)."""
    return days_waiting_since(episode.status, episode.referral_date, today)


def days_waiting_since(status: str, referral_date: date, today: date) -> int | None:
    """``days_waiting`` from an episode's status and referral date (a row of columns)."""
    if status in WAITING_STATUSES:
        return (today - referral_date).days
    return None


# The columns of the patient list (patients.views.patient_list): the whole patient row (address,
# contact details, notes) was read and built into an object for each of the page's patients
# (issue #16). ``latest_episode`` holds the latest episode's status, team and lead clinician.
PATIENT_LIST_COLUMNS = (
    "id",
    "family_name",
    "given_name",
    "identifier",
    "date_of_birth",
    "primary_condition",
    "last_contact",
    "latest_episode",
)
LATEST_EPISODE_KEYS = ("episode_status", "episode_team", "lead_first", "lead_last")


def patient_list_for(user: User) -> QuerySet[Patient]:
    """The patient list: visible patients with their latest episode (status, team, lead
    clinician) and last contact, ordered by name. The list filters on ``episode_status`` and
    sorts on ``last_contact``; the page reads the rows as ``PATIENT_LIST_COLUMNS``
    (``painclinic.listing.Rows``), the latest episode's four figures in one subquery (issue #16:
    four subqueries each found the same episode again). The patients are the policy's
    ``patients_listed_for``: the same patients as ``patients_visible_to``, as one set (issue #16)."""
    latest_episode = Episode.objects.filter(patient=OuterRef("pk")).order_by(
        "-referral_date", "-id"
    )
    return (
        patients_listed_for(user)
        .annotate(
            episode_status=Subquery(latest_episode.values("status")[:1]),
            latest_episode=Subquery(
                latest_episode.values(
                    json=JSONObject(
                        episode_status="status",
                        episode_team="team__name",
                        lead_first="lead_clinician__first_name",
                        lead_last="lead_clinician__last_name",
                    )
                )[:1],
                output_field=JSONField(),
            ),
            last_contact=Subquery(
                Contact.objects.filter(episode__patient=OuterRef("pk"))
                .order_by("-date")
                .values("date")[:1]
            ),
        )
        .order_by("family_name", "given_name", "pk")
    )


@dataclass(frozen=True)
class TimelineEntry:
    day: date
    # "status", "contact", "lead" (a reassignment or handover), "care" (a care-team member joined
    # or left) or "follow_up" (a follow-up call made after discharge)
    kind: str
    episode: Episode
    item: Any


# The rows of the record besides its episodes, per kind: the model and the columns the page shows.
# Read in ONE query (issue #16: a prefetch per kind cost about 1.5 ms of ORM work each, more than
# its SQL), then their people in one more.
_RECORD_ROWS: tuple[tuple[str, type[models.Model], tuple[str, ...]], ...] = (
    (
        "status",
        EpisodeStatusChange,
        ("id", "episode_id", "from_status", "to_status", "changed_on", "changed_by_id", "note"),
    ),
    (
        "contact",
        Contact,
        ("id", "episode_id", "date", "contact_type", "duration_minutes", "clinician_id", "note"),
    ),
    (
        "lead",
        LeadChange,
        (
            "id",
            "episode_id",
            "from_lead_id",
            "to_lead_id",
            "changed_by_id",
            "changed_on",
            "previous_lead_kept",
            "note",
        ),
    ),
    (
        "care",
        CareTeamChange,
        ("id", "episode_id", "member_id", "kind", "changed_by_id", "changed_on"),
    ),
    (
        "follow_up",
        FollowUpCall,
        ("id", "episode_id", "due_on", "caller_id", "outcome", "called_on", "notes"),
    ),
    ("member", CareTeamMember, ("id", "episode_id", "user_id")),
    (
        "note",
        ReviewNote,
        (
            "id",
            "episode_id",
            "author_id",
            "addressed_to_id",
            "text",
            "created_at",
            "acknowledged_at",
        ),
    ),
)
# The people on the record: their name and discipline, never the rest of the account.
_PERSON_FIELDS = ("id", "username", "first_name", "last_name", "discipline")


def _record_rows_sql() -> str:
    quote = connection.ops.quote_name
    branches = []
    for kind, model, columns in _RECORD_ROWS:
        fields = {field.attname: field for field in model._meta.concrete_fields}
        column = {name: field.column or name for name, field in fields.items()}
        pairs = ", ".join(f"'{name}', t.{quote(column[name])}" for name in columns)
        branches.append(
            f"SELECT '{kind}', json_build_object({pairs}) FROM {quote(model._meta.db_table)} t "
            f"WHERE t.{quote(column['episode_id'])} = ANY(%s)"
        )
    return " UNION ALL ".join(branches)


def _record_rows(episodes: list[Episode]) -> dict[str, list[Any]]:
    """The rows of ``_RECORD_ROWS`` of these episodes as model instances (only the columns read;
    each row's episode set), grouped by kind in the models' own order."""
    by_kind: dict[str, list[Any]] = {kind: [] for kind, _, _ in _RECORD_ROWS}
    if not episodes:
        return by_kind
    models_of = {kind: (model, columns) for kind, model, columns in _RECORD_ROWS}
    episode_of = {episode.pk: episode for episode in episodes}
    ids = list(episode_of)
    with connection.cursor() as cursor:
        cursor.execute(_record_rows_sql(), [ids] * len(_RECORD_ROWS))
        fetched = cursor.fetchall()
    for kind, data in fetched:
        if isinstance(data, str):
            data = json.loads(data)
        model, columns = models_of[kind]
        fields = {field.attname: field for field in model._meta.concrete_fields}
        values = [fields[name].to_python(data[name]) for name in columns]
        row: Any = model.from_db(connection.alias, columns, values)
        episode_field: Any = model._meta.get_field("episode")
        episode_field.set_cached_value(row, episode_of[row.episode_id])
        by_kind[kind].append(row)
    for kind, model, _ in _RECORD_ROWS:
        _sort_as_model(by_kind[kind], model)
    return by_kind


def _sort_as_model(rows: list[Any], model: type[models.Model]) -> None:
    """In the model's Meta.ordering: plain fields, all ascending or all descending ("-")."""
    ordering = [str(name) for name in model._meta.ordering or ["id"]]
    directions = {name.startswith("-") for name in ordering}
    if len(directions) != 1:
        raise ValueError(f"{model.__name__}: mixed ordering directions")
    names = [name.lstrip("-") for name in ordering]
    rows.sort(key=lambda row: tuple(getattr(row, name) for name in names), reverse=directions.pop())


def patient_overview(patient: Patient) -> dict[str, Any]:
    """Episodes (with care team, status history and contacts) and a merged timeline."""
    episodes = list(Episode.objects.filter(patient=patient).select_related("team"))
    rows = _record_rows(episodes)
    person_ids = {episode.lead_clinician_id for episode in episodes}
    for kind, _model, columns in _RECORD_ROWS:
        person_columns = [name for name in columns if name != "episode_id" and name.endswith("_id")]
        person_ids.update(getattr(row, name) for row in rows[kind] for name in person_columns)
    person_ids.discard(None)
    people = {
        person.pk: person
        for person in get_user_model().objects.filter(pk__in=person_ids).only(*_PERSON_FIELDS)
    }
    for kind, model, columns in _RECORD_ROWS:
        fks: list[Any] = [
            field
            for field in model._meta.concrete_fields
            if field.is_relation and field.attname in columns and field.name != "episode"
        ]
        for row in rows[kind]:
            for field in fks:
                field.set_cached_value(row, people.get(getattr(row, field.attname)))
    patient_field = Episode._meta.get_field("patient")
    lead_field = Episode._meta.get_field("lead_clinician")
    members: dict[int, list[CareTeamMember]] = {episode.pk: [] for episode in episodes}
    for member in rows["member"]:
        members[member.episode_id].append(member)
    for episode in episodes:
        patient_field.set_cached_value(episode, patient)
        lead_field.set_cached_value(episode, people.get(episode.lead_clinician_id))
        episode.care_team_members = members[episode.pk]  # type: ignore[attr-defined]
    timeline: list[TimelineEntry] = []
    for episode in episodes:
        for kind, day in (
            ("status", "changed_on"),
            ("contact", "date"),
            ("lead", "changed_on"),
            ("care", "changed_on"),
        ):
            timeline.extend(
                TimelineEntry(getattr(row, day), kind, episode, row)
                for row in rows[kind]
                if row.episode_id == episode.pk
            )
        timeline.extend(
            TimelineEntry(call.called_on, "follow_up", episode, call)
            for call in rows["follow_up"]
            if call.episode_id == episode.pk and call.outcome and call.called_on is not None
        )
    # Newest first; on the same day a status change sorts after the contact that caused it.
    timeline.sort(
        key=lambda entry: (entry.day, entry.kind != "contact", entry.item.pk), reverse=True
    )
    current = current_among(episodes)  # the current-episode rule, on the loaded episodes
    return {
        "episodes": episodes,
        "timeline": timeline,
        "current_episode": current,
        "review_notes": rows["note"],
    }


# --- Consent and safeguarding (issue #10) -----------------------------------------------------


def consent_overview(patient: Patient) -> dict[str, Any]:
    """Per kind the decision in force (latest), and the whole dated history, newest first."""
    history = list(
        ConsentRecord.objects.filter(patient=patient)
        .select_related("recorded_by")
        .order_by("-decided_on", "-recorded_at", "-id")
    )
    latest: dict[str, Any] = {}
    for record in history:
        latest.setdefault(record.kind, record)
    return {
        "in_force": [(label, latest.get(kind)) for kind, label in ConsentKind.choices],
        "history": history,
    }


def safeguarding_concerns(patient: Patient) -> list:
    return list(
        SafeguardingConcern.objects.filter(patient=patient).select_related(
            "recorded_by", "closed_by"
        )
    )


def has_open_safeguarding(patient: Patient) -> bool:
    return SafeguardingConcern.objects.filter(patient=patient, closed_on__isnull=True).exists()


def patients_with_consent_in_force(patient_ids, kind: str) -> set:
    """Of ``patient_ids``, those whose latest decision of ``kind`` is "given" (the rule of
    ``services.consent_in_force``: a withdrawal is a newer record), in one query."""
    from patients.models import ConsentRecord, ConsentState

    latest: dict[Any, str] = {}
    for patient_id, state in (
        ConsentRecord.objects.filter(patient_id__in=list(patient_ids), kind=kind)
        .order_by("patient_id", "-decided_on", "-recorded_at", "-id")
        .values_list("patient_id", "state")
    ):
        latest.setdefault(patient_id, state)
    return {pid for pid, state in latest.items() if state == ConsentState.GIVEN}


# --- The care team, earlier episodes and follow-up calls (issue #13) ---------------------------


def care_team_overview(episode: Episode) -> dict[str, Any]:
    """An episode's care team now (lead first, then by name) and its history: who joined or left
    and the lead handovers, oldest first."""
    members = sorted(
        CareTeamMember.objects.filter(episode=episode).select_related("user"),
        key=lambda m: (
            m.user_id != episode.lead_clinician_id,
            m.user.last_name,
            m.user.first_name,
            m.user.username,
        ),
    )
    changes = [
        ("care", change.changed_on, change.pk, change)
        for change in CareTeamChange.objects.filter(episode=episode).select_related(
            "member", "changed_by"
        )
    ]
    leads = [
        ("lead", change.changed_on, change.pk, change)
        for change in LeadChange.objects.filter(episode=episode).select_related(
            "from_lead", "to_lead", "changed_by"
        )
    ]
    rows: list[tuple[str, Any, int, Any]] = [*changes, *leads]
    history = sorted(rows, key=lambda row: (row[1], row[3].recorded_at, row[0]), reverse=True)
    return {"members": members, "history": [(kind, item) for kind, _, _, item in history]}


def follow_up_calls(episode: Episode) -> list[FollowUpCall]:
    return list(FollowUpCall.objects.filter(episode=episode).select_related("caller"))


def overdue_follow_ups_for(user: User, today: date) -> QuerySet[FollowUpCall]:
    """Follow-up calls this clinician is to make whose date has passed without an outcome, on
    patients they may still see: the caseload's panel (one query, whatever their number)."""
    visible = patients_visible_to(user).filter(pk=OuterRef("episode__patient_id"))
    return (
        FollowUpCall.objects.filter(Exists(visible), caller=user, outcome="", due_on__lt=today)
        .select_related("episode__patient")
        .order_by("due_on", "id")
    )
