"""Demo data: two teams, a user for each role, Jannick and Susan, and a synthetic caseload.

Idempotent: running it twice changes nothing. `--patients N` makes larger sets for benchmarks
(bulk inserts; 10,000 patients take seconds).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction

from painclinic.access import may_give_clinical_care
from painclinic.models import Discipline, Membership, Role, Team, User
from patients.conditions import CONDITION_CHOICES
from patients.models import (
    CareTeamMember,
    Contact,
    ContactType,
    Episode,
    EpisodeStatus,
    EpisodeStatusChange,
    Patient,
    ReferralSource,
    Sex,
)

DEMO_PASSWORD = "painclinic-demo"

TEAMS = ("Pain Rehabilitation North", "Pain Rehabilitation South")

# username, first, last, role, discipline, team index
USERS = (
    ("ana", "Ana", "Costa", Role.CLINICIAN, Discipline.PHYSIOTHERAPIST, 0),
    ("bob", "Bob", "Hughes", Role.TEAM_LEAD, Discipline.PSYCHOLOGIST, 0),
    ("dina", "Dina", "Okafor", Role.CLINICIAN, Discipline.PSYCHOLOGIST, 0),
    ("emil", "Emil", "Sørensen", Role.CLINICIAN, Discipline.DOCTOR, 0),
    ("charlie", "Charlie", "Nguyen", Role.CLINICIAN, Discipline.OCCUPATIONAL_THERAPIST, 1),
    ("fay", "Fay", "Morgan", Role.TEAM_LEAD, Discipline.NURSE, 1),
    ("gus", "Gus", "Patel", Role.CLINICIAN, Discipline.PHYSIOTHERAPIST, 1),
    ("priya", "Priya", "Shah", Role.PROGRAMME_ADMIN, Discipline.OTHER, 0),
)

GIVEN = [
    "Aisha",
    "Ben",
    "Carla",
    "David",
    "Elif",
    "Farah",
    "George",
    "Hana",
    "Ivan",
    "Julia",
    "Kofi",
    "Lena",
    "Marek",
    "Nadia",
    "Omar",
    "Paula",
    "Quentin",
    "Rosa",
    "Samir",
    "Tara",
    "Umar",
    "Vera",
    "Wen",
    "Xavier",
    "Yara",
    "Zoe",
]
FAMILY = [
    "Adams",
    "Baker",
    "Chen",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Hansen",
    "Ito",
    "Jones",
    "Kowalski",
    "Larsen",
    "Murphy",
    "Novak",
    "Olsen",
    "Price",
    "Quinn",
    "Rossi",
    "Smith",
    "Taylor",
    "Usman",
    "Virtanen",
    "Walsh",
    "Young",
    "Zimmer",
]
REASONS = (
    "Persistent low back pain, off work, asking for help to return.",
    "Widespread pain and fatigue; struggling with daily activities.",
    "Neck and shoulder pain after a car accident; poor sleep.",
    "Knee pain limiting walking; worried about damage.",
    "Chronic headache with low mood.",
)


class Command(BaseCommand):
    help = "Create demo teams, users, the two illustrative patients and a synthetic caseload."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--patients", type=int, default=60, help="synthetic patients (default 60)"
        )
        parser.add_argument("--seed", type=int, default=20251123)

    @transaction.atomic
    def handle(self, *args, patients: int, seed: int, **options) -> None:
        teams = [Team.objects.get_or_create(name=name)[0] for name in TEAMS]
        users = {}
        for username, first, last, role, discipline, team_index in USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "role": role,
                    "discipline": discipline,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            Membership.objects.get_or_create(team=teams[team_index], user=user)
            users[username] = user
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser(
                "admin",
                "",
                DEMO_PASSWORD,
                first_name="Site",
                last_name="Administrator",
                role=Role.TEAM_LEAD,
            )
        self._illustrative_patients(teams[0], users)
        made = self._synthetic_caseload(patients, teams, users, random.Random(seed))
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({made} synthetic patients added)."))

    def _illustrative_patients(self, team: Team, users: dict[str, User]) -> None:
        today = date.today()
        if not Patient.objects.filter(identifier="DEMO-JANNICK").exists():
            jannick = Patient.objects.create(
                identifier="DEMO-JANNICK",
                given_name="Jannick",
                family_name="de Vries",
                date_of_birth=date(today.year - 38, 3, 14),
                sex=Sex.MALE,
                gender="Man",
                phone="07700 900123",
                preferred_language="en-gb",
                gp_name="Dr R. Patel",
                gp_practice="Riverside Surgery",
                primary_condition="MG30.04",
                pain_onset=today - timedelta(days=270),
                created_by=users["ana"],
            )
            episode = self._episode(
                jannick,
                team,
                users["ana"],
                today - timedelta(days=40),
                EpisodeStatus.ACTIVE,
                "Low back pain for 9 months, off work from the warehouse. Avoids lifting and "
                "bending; wants to return to work and play football with his son.",
                [users["ana"], users["dina"]],
            )
            episode.next_review_due = today + timedelta(days=14)
            episode.save()
            self._consents(jannick, users["ana"], today - timedelta(days=21))
            self._contacts(
                episode,
                users["ana"],
                [
                    (
                        today - timedelta(days=21),
                        ContactType.ASSESSMENT,
                        60,
                        "First assessment; yellow-flag screen planned.",
                    ),
                    (
                        today - timedelta(days=14),
                        ContactType.INDIVIDUAL,
                        45,
                        "Pain education; fear hierarchy started.",
                    ),
                    (
                        today - timedelta(days=7),
                        ContactType.INDIVIDUAL,
                        45,
                        "Baseline diary reviewed.",
                    ),
                ],
            )
        if not Patient.objects.filter(identifier="DEMO-SUSAN").exists():
            susan = Patient.objects.create(
                identifier="DEMO-SUSAN",
                given_name="Susan",
                family_name="Whitfield",
                date_of_birth=date(today.year - 54, 9, 2),
                sex=Sex.FEMALE,
                gender="Woman",
                phone="07700 900456",
                preferred_language="en-gb",
                gp_name="Dr M. Osei",
                gp_practice="Hillside Medical Centre",
                primary_condition="MG30.00",
                pain_onset=today - timedelta(days=6 * 365),
                created_by=users["dina"],
            )
            episode = self._episode(
                susan,
                team,
                users["dina"],
                today - timedelta(days=65),
                EpisodeStatus.ACTIVE,
                "Widespread pain for 6 years, low mood, boom-and-bust activity, poor sleep. "
                "Wants to garden and see friends again. Consider PMP.",
                [users["dina"], users["ana"], users["emil"]],
            )
            episode.next_review_due = today - timedelta(days=3)
            episode.save()
            self._consents(susan, users["dina"], today - timedelta(days=50))
            self._contacts(
                episode,
                users["dina"],
                [
                    (
                        today - timedelta(days=50),
                        ContactType.ASSESSMENT,
                        90,
                        "Joint assessment with physiotherapy.",
                    ),
                    (
                        today - timedelta(days=30),
                        ContactType.REMOTE,
                        30,
                        "Activity diary reviewed.",
                    ),
                ],
            )

    def _consents(self, patient, clinician, on) -> None:
        """Consent recorded at the first assessment, so the demo's links and GP letters can go
        out (they check it: issue #10). Research use is left unrecorded."""
        from patients.models import ConsentKind, ConsentRecord, ConsentState

        for kind in (ConsentKind.TREATMENT, ConsentKind.GP_SHARING, ConsentKind.PATIENT_LINKS):
            ConsentRecord.objects.create(
                patient=patient,
                kind=kind,
                state=ConsentState.GIVEN,
                decided_on=on,
                recorded_by=clinician,
            )

    def _episode(self, patient, team, lead, referral, status, reason, care_team) -> Episode:
        episode = Episode.objects.create(
            patient=patient,
            team=team,
            referral_date=referral,
            referral_source=ReferralSource.GP,
            referral_reason=reason,
            status=status,
            status_since=referral + timedelta(days=10),
            lead_clinician=lead,
        )
        EpisodeStatusChange.objects.create(
            episode=episode,
            to_status=EpisodeStatus.REFERRED,
            changed_on=referral,
            changed_by=lead,
            note="Referral received",
        )
        if status != EpisodeStatus.REFERRED:
            EpisodeStatusChange.objects.create(
                episode=episode,
                from_status=EpisodeStatus.REFERRED,
                to_status=status,
                changed_on=referral + timedelta(days=10),
                changed_by=lead,
            )
        for member in care_team:
            CareTeamMember.objects.get_or_create(episode=episode, user=member)
        return episode

    def _contacts(self, episode, clinician, rows) -> None:
        for day, kind, minutes, note in rows:
            Contact.objects.create(
                episode=episode,
                date=day,
                contact_type=kind,
                duration_minutes=minutes,
                clinician=clinician,
                note=note,
            )

    def _synthetic_caseload(self, count, teams, users, rng: random.Random) -> int:
        today = date.today()
        existing = set(
            Patient.objects.filter(identifier__startswith="SYN-").values_list(
                "identifier", flat=True
            )
        )
        clinicians = {
            team.pk: [
                u
                for u in users.values()
                if u.memberships.filter(team=team).exists() and may_give_clinical_care(u)
            ]
            for team in teams
        }
        conditions = [code for code, _label in CONDITION_CHOICES]
        new_patients, plans = [], []
        for i in range(1, count + 1):
            identifier = f"SYN-{i:06d}"
            if identifier in existing:
                continue
            team = teams[i % len(teams)]
            born = today - timedelta(days=rng.randint(19 * 365, 82 * 365))
            patient = Patient(
                identifier=identifier,
                given_name=rng.choice(GIVEN),
                family_name=rng.choice(FAMILY),
                date_of_birth=born,
                sex=rng.choice([Sex.FEMALE, Sex.MALE]),
                primary_condition=rng.choice(conditions),
                pain_onset=today - timedelta(days=rng.randint(100, 4000)),
            )
            new_patients.append(patient)
            plans.append((patient, team))
        Patient.objects.bulk_create(new_patients, batch_size=2000)
        episodes, memberships, changes = [], [], []
        statuses = (
            [EpisodeStatus.WAITING] * 3
            + [EpisodeStatus.ACTIVE] * 5
            + [EpisodeStatus.ON_HOLD, EpisodeStatus.REFERRED, EpisodeStatus.DISCHARGED]
        )
        for patient, team in plans:
            lead = rng.choice(clinicians[team.pk])
            referral = today - timedelta(days=rng.randint(5, 300))
            status = rng.choice(statuses)
            episodes.append(
                Episode(
                    patient=patient,
                    team=team,
                    referral_date=referral,
                    referral_source=rng.choice(ReferralSource.values),
                    referral_reason=rng.choice(REASONS),
                    status=status,
                    status_since=referral,
                    lead_clinician=lead,
                    next_review_due=today + timedelta(days=rng.randint(-20, 60))
                    if status == EpisodeStatus.ACTIVE
                    else None,
                    discharge_date=referral + timedelta(days=4)
                    if status == EpisodeStatus.DISCHARGED
                    else None,
                    discharge_reason="goals_met" if status == EpisodeStatus.DISCHARGED else "",
                )
            )
        Episode.objects.bulk_create(episodes, batch_size=2000)
        contacts = []
        for episode in episodes:
            memberships.append(CareTeamMember(episode=episode, user=episode.lead_clinician))
            changes.append(
                EpisodeStatusChange(
                    episode=episode,
                    to_status=EpisodeStatus.REFERRED,
                    changed_on=episode.referral_date,
                    changed_by=episode.lead_clinician,
                    note="Referral received",
                )
            )
            if episode.status != EpisodeStatus.REFERRED:
                changes.append(
                    EpisodeStatusChange(
                        episode=episode,
                        from_status=EpisodeStatus.REFERRED,
                        to_status=episode.status,
                        changed_on=episode.referral_date,
                        changed_by=episode.lead_clinician,
                    )
                )
            if episode.status in (EpisodeStatus.ACTIVE, EpisodeStatus.ON_HOLD):
                for _ in range(rng.randint(1, 4)):
                    contacts.append(
                        Contact(
                            episode=episode,
                            date=min(
                                today, episode.referral_date + timedelta(days=rng.randint(1, 120))
                            ),
                            contact_type=rng.choice(ContactType.values),
                            duration_minutes=rng.choice([30, 45, 60]),
                            clinician=episode.lead_clinician,
                        )
                    )
        CareTeamMember.objects.bulk_create(memberships, batch_size=2000)
        EpisodeStatusChange.objects.bulk_create(changes, batch_size=2000)
        Contact.objects.bulk_create(contacts, batch_size=2000)
        return len(new_patients)
