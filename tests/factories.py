"""factory_boy factories for every model the tests build."""

import factory
from factory.django import DjangoModelFactory

from accounts.models import User
from reference.models import Country


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


# --- needs factories (needs issue) ---
