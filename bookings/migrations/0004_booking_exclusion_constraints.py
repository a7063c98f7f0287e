"""PostgreSQL refuses double booking itself: two exclusion constraints over the booking's
time range, counting active bookings only (pending_payment, confirmed).

- booking_trainer_time_not_sold_twice: one trainer's time is never in two different slots
  at once (bookings of the same slot share it: group sessions);
- booking_trainee_no_overlap: one trainee never holds two overlapping bookings.

``slot_id WITH <>`` and ``trainer_id WITH =`` in a GiST index need btree_gist. SQLite has
no exclusion constraints: there every write transaction holds the write lock from its
start, and bookings.booking_services checks the same rules. The constraints live here and
not in Booking.Meta, so the model state (and makemigrations on SQLite) never sees them.
"""

from django.db import migrations

ACTIVE = "status IN ('pending_payment', 'confirmed')"
CONSTRAINTS = {
    "booking_trainer_time_not_sold_twice": (
        "trainer_id WITH =, tstzrange(start, \"end\", '[)') WITH &&, slot_id WITH <>"
    ),
    "booking_trainee_no_overlap": "trainee_id WITH =, tstzrange(start, \"end\", '[)') WITH &&",
}


def add_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Trusted since PostgreSQL 13: the database owner may create it. Never dropped on the
    # way back (something else may use it).
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for name, expressions in CONSTRAINTS.items():
        schema_editor.execute(
            f"ALTER TABLE bookings_booking ADD CONSTRAINT {name} "
            f"EXCLUDE USING gist ({expressions}) WHERE ({ACTIVE})"
        )


def drop_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in CONSTRAINTS:
        schema_editor.execute(f"ALTER TABLE bookings_booking DROP CONSTRAINT IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0003_bookings"),
    ]

    operations = [
        migrations.RunPython(add_constraints, drop_constraints),
    ]
