"""factory_boy factories for the whole project (shared/STYLE.md §3.9)."""

from __future__ import annotations

from datetime import date, timedelta

import factory

from painclinic.models import Discipline, Membership, Role, Team, User
from patients.models import (
    CareTeamMember,
    Contact,
    ContactType,
    Episode,
    EpisodeStatus,
    Patient,
    ReferralSource,
    Sex,
)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Pain team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.CLINICIAN
    discipline = Discipline.PHYSIOTHERAPIST
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def team(self, create, extracted, **kwargs):
        if create and extracted is not None:
            Membership.objects.get_or_create(team=extracted, user=self)


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    identifier = factory.Sequence(lambda n: f"P{n:07d}")
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = factory.LazyFunction(lambda: date.today() - timedelta(days=45 * 365))
    sex = Sex.FEMALE
    primary_condition = "MG30.04"


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Episode
        skip_postgeneration_save = True

    patient = factory.SubFactory(PatientFactory)
    team = factory.SubFactory(TeamFactory)
    referral_date = factory.LazyFunction(lambda: date.today() - timedelta(days=30))
    referral_source = ReferralSource.GP
    referral_reason = "Persistent pain"
    status = EpisodeStatus.ACTIVE
    status_since = factory.SelfAttribute("referral_date")
    lead_clinician = factory.SubFactory(UserFactory)

    @factory.post_generation
    def care_team(self, create, extracted, **kwargs):
        if not create:
            return
        members = list(extracted) if extracted is not None else [self.lead_clinician]
        for member in members:
            CareTeamMember.objects.get_or_create(episode=self, user=member)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    episode = factory.SubFactory(EpisodeFactory)
    date = factory.LazyFunction(lambda: date.today() - timedelta(days=2))
    contact_type = ContactType.INDIVIDUAL
    duration_minutes = 45
    clinician = factory.SelfAttribute("episode.lead_clinician")
    note = "Session note"
