import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory, Password

from marketplace.models import Role, User
from payments.money import trainer_share

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


def _held_booking():
    """A pending booking of a new trainer's Monday session (see ScheduleFactory)."""
    from bookings import booking_services

    schedule = ScheduleFactory()
    return booking_services.book_slot(
        trainee=UserFactory(),
        schedule_id=schedule.pk,
        start=datetime.datetime(2027, 1, 4, 6, 0, tzinfo=datetime.UTC),
        now=datetime.datetime(2027, 1, 1, 12, 0, tzinfo=datetime.UTC),
    )


class TransactionFactory(DjangoModelFactory):
    """A card payment of a booking's price, split by the default 15 % fee. The booking is
    left as it is (pending unless given a confirmed one); pass ``booking=`` to choose it."""

    class Meta:
        model = "payments.Transaction"

    booking = factory.LazyFunction(_held_booking)
    trainer = factory.SelfAttribute("booking.trainer")
    payment_intent_id = factory.Sequence(lambda n: f"pi_test{n:010d}")
    charge_id = factory.Sequence(lambda n: f"ch_test{n:010d}")
    idempotency_key = factory.LazyAttribute(lambda o: f"booking-{o.booking.pk}-intent")
    currency = factory.SelfAttribute("booking.currency")
    gross_amount = factory.SelfAttribute("booking.price_amount")
    fee_percent = 15
    trainer_amount = factory.LazyAttribute(lambda o: trainer_share(o.gross_amount, o.fee_percent))
    platform_fee = factory.LazyAttribute(lambda o: o.gross_amount - o.trainer_amount)
    charged_at = factory.LazyFunction(timezone.now)
