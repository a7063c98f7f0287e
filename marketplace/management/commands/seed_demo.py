"""Demo data for `make run`: one account of each role with a known password.

Idempotent: users are looked up by email (blind index) and only created when missing, so a
second run changes nothing. Later issues add trainers, offerings and schedules here.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from marketplace import services
from marketplace.models import Role
from marketplace.queries import user_get_by_email

DEMO_PASSWORD = "traino-demo-2026"  # printed on purpose: demo accounts only
DEMO_USERS = [
    {"email": "staff@traino.demo", "name": "Stina Staff", "role": Role.STAFF},
    {"email": "trainer@traino.demo", "name": "Anna Lindqvist", "role": Role.TRAINER},
    {"email": "trainee@traino.demo", "name": "Erik Johansson", "role": Role.TRAINEE},
]


class Command(BaseCommand):
    help = "Load demo data (idempotent): a staff, a trainer and a trainee account."

    @transaction.atomic
    def handle(self, *args, **options):
        created = 0
        for spec in DEMO_USERS:
            if user_get_by_email(spec["email"]) is not None:
                continue
            user = services.user_create(password=DEMO_PASSWORD, **spec)
            if spec["role"] == Role.STAFF:
                user.is_superuser = True
                user.save(update_fields=["is_superuser"])
            created += 1
        self.stdout.write(self.style.SUCCESS(f"Demo data: {created} user(s) created."))
        self.stdout.write(f"Demo log-ins (password for all: {DEMO_PASSWORD}):")
        for spec in DEMO_USERS:
            self.stdout.write(f"  {spec['role']:<8} {spec['email']}")
