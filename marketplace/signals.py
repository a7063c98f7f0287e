"""Signals about offerings, for apps the marketplace must not import (bookings).

Both are sent with ``sender=Offering`` and the keyword arguments

- ``offering``: the Offering. For a change it carries the new values; for a deletion it is
  the row as it was (its ``pk`` still set, though the row is gone after ``offering_changed``).
- ``changes``: set of the field names whose value differs from the stored row, from
  ``title``, ``description``, ``duration_minutes``, ``price_amount``, ``currency``,
  ``capacity``, ``latitude``, ``longitude``, ``location_name``, ``is_public_place``,
  ``is_active`` and ``trainer``; every one of them for a new offering, an empty set for a deletion.
- ``created``: a new offering. ``deleted``: the offering is being / was deleted.

``offering_will_change`` is sent before the write, inside the writing transaction (the
offering row is locked). A receiver refuses the change by raising a
``traino.exceptions.DomainError`` subclass (with ``fields`` naming the offering's field it is
about, when there is one): the service lets it propagate and the transaction rolls back;
pages and the admin show it on their form (``traino.forms.add_domain_error``). Use it for
checks such as "this duration would make the trainer's schedules overlap". It may be sent
more than once for one write: ``services.offering_validate`` sends it while a form is
validated, and the service again under the lock, so a receiver only checks.

``offering_changed`` is sent after the write and the profile's lowest-price refresh, inside
the same transaction: receivers may write (invalidate caches, re-check overlaps) and are
rolled back with it; anything leaving the database should go through
``transaction.on_commit``.

They are sent by ``services.offering_create`` / ``offering_update`` / ``offering_delete``
(the pages and the Django admin write through them); never when nothing changed. Raw
``save()`` or queryset ``update()`` calls bypass them, so writes go through the services.
"""

from django.dispatch import Signal

offering_will_change = Signal()
offering_changed = Signal()

# What publishing a trainer's page needs beyond the marketplace's own rules (a location, an
# active offering): sent with ``sender=TrainerProfile`` and ``profile`` by
# ``queries.publish_requirements``, which ``services.trainer_publish`` checks and the trainer's
# setup checklist shows. Each receiver returns a list of ``queries.PublishRequirement``
# (bookings: an active schedule with a coming session). Receivers only read.
trainer_publish_requirements = Signal()

# Sent by ``manage.py seed_demo`` after the demo trainers exist, with ``trainer_ids`` (every
# demo trainer's profile id, new or not) and ``trainee_ids`` (the demo trainee account): apps
# add their demo data (bookings: schedules, and the demo trainee's bookings).
# A receiver may return a line of text for the command to print.
demo_trainers_seeded = Signal()

# Sent by ``services.user_delete`` inside its transaction, before anything is deleted, with
# ``user``, ``cancel_bookings`` (the caller confirmed cancelling what is in the way) and
# ``actor``. A receiver refuses by raising a DomainError, and returns True when rows that
# must be kept (bookings and their trail) refer to the user: the account is then
# anonymised instead of deleted.
user_will_be_deleted = Signal()

# Sent by ``account_services.user_data_export`` with ``sender=User`` and ``user``: each
# receiver returns a dict of top-level sections to add to the user's data download (bookings:
# "bookings", "schedules", "calendar_feed"), JSON-ready and without secrets.
user_data_requested = Signal()
