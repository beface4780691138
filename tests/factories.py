"""factory_boy factories for every model the tests build."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import User
from reference.models import Country
from roster.duplicates import expert_name_key


def country(iso3: str) -> Country:
    return Country.objects.get(iso3=iso3)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    role = User.Role.FOCAL_POINT
    state = factory.LazyFunction(lambda: country("KEN"))
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class FocalPointFactory(UserFactory):
    role = User.Role.FOCAL_POINT


class SecretariatFactory(UserFactory):
    role = User.Role.SECRETARIAT
    state = None
    is_staff = True

    @factory.post_generation
    def in_group(obj, create, extracted, **kwargs):
        if create:
            from accounts.services import secretariat_group

            obj.groups.add(secretariat_group())


# --- roster factories (roster issue) ---


class ExpertFactory(DjangoModelFactory):
    class Meta:
        model = "roster.Expert"

    nominating_state = factory.LazyFunction(lambda: country("KEN"))
    nationality = factory.SelfAttribute("nominating_state")
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    name_key = factory.LazyAttribute(lambda o: expert_name_key(given_name=o.given_name, family_name=o.family_name))
    gender = "female"
    email = factory.Sequence(lambda n: f"expert{n}@example.org")
    current_position = "Senior prosecutor"
    employer = "Office of the Director of Public Prosecutions"
    sector = "prosecution"
    years_experience = 12
    days_per_year = 30
    status = "active"
    consent_given_at = factory.LazyFunction(timezone.now)
    consent_text_version = "2026-1"
    last_confirmed_at = factory.LazyFunction(timezone.now)


class ExpertLanguageFactory(DjangoModelFactory):
    class Meta:
        model = "roster.ExpertLanguage"

    expert = factory.SubFactory(ExpertFactory)
    language_id = "en"
    level = 6


class ExpertArticleFactory(DjangoModelFactory):
    class Meta:
        model = "roster.ExpertArticle"

    expert = factory.SubFactory(ExpertFactory)
    article_id = 46
    level = 3


class EmploymentFactory(DjangoModelFactory):
    class Meta:
        model = "roster.Employment"

    expert = factory.SubFactory(ExpertFactory)
    employer = "Ministry of Justice"
    position = "Head of the mutual legal assistance unit"
    start_year = 2015
    end_year = 2021
    description = "Incoming and outgoing requests under chapter IV."


class EducationFactory(DjangoModelFactory):
    class Meta:
        model = "roster.Education"

    expert = factory.SubFactory(ExpertFactory)
    institution = "University of Nairobi"
    degree = "LLM"
    field_of_study = "International criminal law"
    year = 2010


# --- needs factories (needs issue) ---
