"""Accounts (user, role, team) and the append-only audit log."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import connections, models, router, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from painclinic import audit_chain


class Discipline(models.TextChoices):
    PHYSIOTHERAPIST = "physiotherapist", _("Physiotherapist")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    DOCTOR = "doctor", _("Doctor")
    OCCUPATIONAL_THERAPIST = "occupational_therapist", _("Occupational therapist")
    NURSE = "nurse", _("Nurse")
    PHARMACIST = "pharmacist", _("Pharmacist")
    # Disciplines of a multidisciplinary pain team named by issue #13: they attend case
    # conferences; "doctor" stands for the physician.
    SOCIAL_WORKER = "social_worker", _("Social worker")
    ADDICTION_SPECIALIST = "addiction_specialist", _("Addiction specialist")
    OTHER = "other", _("Other")


class Role(models.TextChoices):
    CLINICIAN = "clinician", _("Clinician")
    TEAM_LEAD = "team_lead", _("Team lead")
    PROGRAMME_ADMIN = "programme_admin", _("Programme admin")


class User(AbstractUser):
    """A person who logs in. Individual accounts only (security.md A1)."""

    discipline = models.CharField(
        max_length=32, choices=Discipline.choices, default=Discipline.OTHER
    )
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.CLINICIAN)

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            # "Ana" and "ana" would be two accounts for one person; Django's UserCreationForm
            # already refuses such a username, the database now does too (issue: natural keys
            # compared case-sensitively).
            models.UniqueConstraint(
                Lower("username"),
                name="user_username_unique_ci",
                violation_error_message=_("A user with that username already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_team_lead(self) -> bool:
        return self.role == Role.TEAM_LEAD

    @property
    def is_programme_admin(self) -> bool:
        return self.role == Role.PROGRAMME_ADMIN


class Team(models.Model):
    """A clinical team (service). A patient's episode is held by one team."""

    name = models.CharField(max_length=120, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="teams"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="team_name_unique_ci",
                violation_error_message=_("A team with that name already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    joined_on = models.DateField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="membership_unique_team_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class AuditAction(models.TextChoices):
    VIEW = "view", _("viewed")
    CREATE = "create", _("created")
    CHANGE = "change", _("changed")
    EXPORT = "export", _("exported")
    REASSIGN = "reassign", _("reassigned")
    DENIED = "denied", _("was denied access to")
    LOGIN = "login", _("logged in")
    LOGIN_FAILED = "login_failed", _("failed to log in")
    LOGOUT = "logout", _("logged out")
    # Two-step verification (painclinic/mfa.py).
    MFA_ENROLLED = "mfa_enrolled", _("set up two-step verification")
    MFA_VERIFIED = "mfa_verified", _("passed two-step verification")
    MFA_FAILED = "mfa_failed", _("entered a wrong verification code")
    MFA_LOCKED = "mfa_locked", _("was refused two-step verification after too many wrong codes")
    MFA_RECOVERY_USED = "mfa_recovery_used", _("used a recovery code")
    MFA_CODES_ISSUED = "mfa_codes_issued", _("was given new recovery codes")
    # Emergency access to a patient outside the user's care teams (patients/emergency_access.py).
    BREAK_GLASS = "break_glass", _("opened by emergency access")


class AuditEventQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Chained like ``save``: hashes assigned in id order under the chain lock."""
        objs = list(objs)
        if not objs:
            return objs
        # No savepoint: a failed audit INSERT must fail the caller's whole transaction anyway.
        with transaction.atomic(using=self.db, savepoint=False):
            _chain(objs, using=self.db)
            return super().bulk_create(objs, *args, **kwargs)

    def append_event(self, **values: Any) -> AuditEvent:
        """One event, chained exactly as ``save`` chains it, in one statement (migration 0013):
        ``record_event``'s detail pages and saves. ``values`` are the model's fields (``at`` is
        set here when not given).

        Before, an event took BEGIN, the chain's lock and head, the INSERT and COMMIT outside a
        transaction, and the lock-and-head plus the INSERT inside a save's. The function takes
        the lock and reads the head after it (migration 0011), hashes the canonical content
        computed here from the very values sent (``audit_chain.canonical``, as ``audit_verify``
        recomputes it), inserts the row and returns its id and hash. Elsewhere than PostgreSQL
        (the quick start's SQLite) ``save`` writes it."""
        values.setdefault("at", timezone.now())
        event = AuditEvent(**values)
        connection = connections[self.db]
        if connection.vendor != "postgresql":
            event.save(using=self.db)
            return event
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT event_id, event_hash FROM painclinic_audit_append_event(%s, %s, %s, %s,"
                " %s::uuid, %s, %s, %s, %s::jsonb, %s::inet, %s, %s, %s, %s::bytea)",
                [
                    event.at, event.actor_id, event.actor_username, event.action,
                    event.patient_id, event.object_type, event.object_id, event.view_name,
                    json.dumps(event.changed_fields), event.client_address or None,
                    event.request_id, event.user_agent, event.break_glass,
                    audit_chain.canonical(event),
                ],
            )  # fmt: skip
            event.pk, event.chain_hash = cursor.fetchone()
        event._state.adding = False
        event._state.db = self.db
        return event

    def append_views(
        self,
        *,
        actor_id: int,
        actor_username: str,
        action: str,
        object_type: str,
        view_name: str,
        client_address: str | None,
        request_id: str,
        user_agent: str,
        rows: list[tuple[str, Any, bool]],
    ) -> int:
        """One event per (object id, patient id, break-glass) row, all from one request, chained
        exactly as ``bulk_create`` chains them, in one statement of column arrays.

        A list page audits the 50 records it names: building 50 model instances and compiling
        a 50 x 14-value INSERT cost ~5 ms of CPU a page (issue #16); here only the five values
        that differ per row travel as arrays, and the hashes are computed from the same values
        the row stores (``audit_chain.canonical``), so ``audit_verify`` checks them as before.
        Rows are numbered (``WITH ORDINALITY``) so that ids follow the chain's order.
        Elsewhere than PostgreSQL (the quick start's SQLite) ``bulk_create`` writes them.
        """
        if not rows:
            return 0
        at = timezone.now()
        shared = {
            "at": at,
            "actor_id": actor_id,
            "actor_username": actor_username,
            "action": action,
            "object_type": object_type,
            "view_name": view_name,
            "changed_fields": [],
            "client_address": client_address,
            "request_id": request_id,
            "user_agent": user_agent,
        }
        if connections[self.db].vendor != "postgresql":
            self.bulk_create(
                AuditEvent(**shared, object_id=object_id, patient_id=patient_id, break_glass=bg)
                for object_id, patient_id, bg in rows
            )
            return len(rows)
        # One statement (migration 0012; issue #16): the function takes the chain's lock, reads
        # its head, links each event's canonical content (computed here from the very values
        # sent, so ``audit_verify`` checks them as before) and inserts the rows in that order.
        # No transaction of its own: a lone statement is one (the lock is held until its rows
        # commit), and inside the caller's transaction the lock is held until the caller's
        # COMMIT, as ``bulk_create`` holds it.
        contents = audit_chain.canonical_rows(SimpleNamespace(**shared), rows)
        with connections[self.db].cursor() as cursor:
            cursor.execute(
                "SELECT painclinic_audit_append_views(%s, %s, %s, %s, %s, %s, %s::inet, %s, %s,"
                " %s::uuid[], %s::text[], %s::bytea[], %s::boolean[])",
                [
                    at, actor_id, actor_username, action, object_type, view_name,
                    client_address, request_id, user_agent,
                    [patient_id for _, patient_id, _ in rows],
                    [object_id for object_id, _, _ in rows],
                    contents,
                    [bg for _, _, bg in rows],
                ],
            )  # fmt: skip
            return cursor.fetchone()[0]


def _chain(events: list[Any], *, using: str) -> None:
    previous = audit_chain.lock_head(connections[using])
    if previous is None:
        previous = (
            AuditEvent.objects.using(using)
            .order_by("-id")
            .values_list("chain_hash", flat=True)
            .first()
        ) or audit_chain.GENESIS
    for event in events:
        event.chain_hash = audit_chain.link(previous, event)
        previous = event.chain_hash


class AuditEvent(models.Model):
    """One access to, or change of, patient-scoped data; or an authentication event.

    Append-only: the database refuses UPDATE and DELETE on this table (trigger in migration
    0003; security.md D2). Tamper-evident: ``chain_hash`` links each event to the one before
    (``painclinic.audit_chain``; ``manage.py audit_verify``). It records who, what, when and from where, never the clinical
    content itself (security.md D1): only object type/id and the *names* of changed fields.
    """

    # Not auto_now_add: the time is part of the hashed content, so it is set before hashing.
    at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=True,
    )
    # For failed logins there is no actor; the username typed is kept (no password, ever).
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    view_name = models.CharField(max_length=120, blank=True)
    changed_fields = models.JSONField(default=list, blank=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    chain_hash = models.CharField(max_length=64, blank=True, editable=False)
    # Set on every event written while the actor reached the patient only by emergency access.
    break_glass = models.BooleanField(default=False, db_default=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["patient", "-at"], name="audit_patient_at"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at"),
            # The audit log page reads a page of requests' events by request id (selectors).
            models.Index(fields=["request_id"], name="audit_request_id"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_type}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            super().save(*args, **kwargs)  # refused by the database (append-only)
            return
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            _chain([self], using=using)
            super().save(*args, **kwargs)


class ClinicDetails(models.Model):
    """The clinic's own details, printed as the letterhead of every letter (issue #14).

    One row for the deployment (one clinic per installation, DESIGN.md): the primary key is fixed
    at ``SINGLETON_PK`` and a check constraint refuses any other. It is created the first time a
    team lead saves the page (``services.clinic_details_update``); until then the selector returns
    an unsaved empty record and the letters print no letterhead rather than an invented one.
    """

    SINGLETON_PK = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_PK, editable=False)
    name = models.CharField(_("clinic name"), max_length=160, blank=True)
    address = models.TextField(
        _("address"), max_length=600, blank=True, help_text=_("One line per line of the address.")
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), max_length=200, blank=True)
    rereferral = models.TextField(
        _("how to refer a patient again"),
        max_length=600,
        blank=True,
        help_text=_(
            "Printed in discharge letters, e.g. 'Send a new referral through the e-referral "
            "service; within 12 months of discharge a letter to the team is enough.'"
        ),
    )
    footer = models.CharField(
        _("footer line"),
        max_length=200,
        blank=True,
        help_text=_("Printed at the foot of each letter, e.g. the organisation's registration."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("clinic details")
        verbose_name_plural = _("clinic details")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="clinic_details_single_row")
        ]

    def __str__(self) -> str:
        return self.name or "Clinic details"

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.splitlines() if line.strip()]

    @property
    def is_empty(self) -> bool:
        return not (self.name or self.address.strip() or self.phone or self.email or self.website)
