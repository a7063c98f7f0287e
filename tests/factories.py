import factory
from factory.django import DjangoModelFactory, Password

from marketplace.models import Role, User

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.se")
    name = factory.Faker("name", locale="sv_SE")
    role = Role.TRAINEE
    password = Password(DEFAULT_PASSWORD)


class TrainerUserFactory(UserFactory):
    role = Role.TRAINER
