import datetime

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


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = "marketplace.Category"
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"category-{n}")
    name_en = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())
    name_sv = factory.LazyAttribute(lambda o: f"{o.name_en} (sv)")


class TrainerProfileFactory(DjangoModelFactory):
    """A published trainer in central Stockholm; set min_price_amount or add offerings."""

    class Meta:
        model = "marketplace.TrainerProfile"

    user = factory.SubFactory(TrainerUserFactory)
    display_name = factory.Faker("name", locale="sv_SE")
    slug = factory.Sequence(lambda n: f"trainer-{n}")
    city = "Stockholm"
    latitude = 59.3326
    longitude = 18.0649
    is_published = True
    min_price_amount = 45000


class OfferingFactory(DjangoModelFactory):
    class Meta:
        model = "marketplace.Offering"

    trainer = factory.SubFactory(TrainerProfileFactory)
    title = "Personal training"
    duration_minutes = 60
    price_amount = 45000
    currency = "SEK"


class ScheduleFactory(DjangoModelFactory):
    """Weekly on Mondays at 07:00 Stockholm time from 2027-01-04, for the offering's trainer."""

    class Meta:
        model = "bookings.Schedule"

    offering = factory.SubFactory(OfferingFactory)
    trainer = factory.SelfAttribute("offering.trainer")
    starts_on = datetime.date(2027, 1, 4)
    start_time = datetime.time(7, 0)
    time_zone = "Europe/Stockholm"
    rrule = "FREQ=WEEKLY;BYDAY=MO"


def coming_schedule(offering, **fields):
    """A weekly schedule of ``offering`` from tomorrow: its trainer has a coming session, which
    publishing a page needs."""
    from django.utils import timezone

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return ScheduleFactory(offering=offering, starts_on=tomorrow, rrule="FREQ=WEEKLY", **fields)


class ConnectedAccountFactory(DjangoModelFactory):
    """A trainer's Stripe account that exists at Stripe (set stripe_account_id=None for not yet)."""

    class Meta:
        model = "payments.ConnectedAccount"

    trainer = factory.SubFactory(TrainerProfileFactory)
    stripe_account_id = factory.Sequence(lambda n: f"acct_test{n:08d}")
    idempotency_key = factory.LazyAttribute(lambda o: f"account-{o.trainer.pk}")
    country = "SE"
