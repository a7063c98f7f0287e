"""What bookings announces, for apps it must not import (payments, notifications).

Every signal is sent with ``sender=Booking`` after the change is committed (the services
send them from ``transaction.on_commit``), with keyword arguments ``booking`` (the row as
committed) and ``actor`` (the user who acted, None for the system). Receivers run in the
request or task that made the change: anything slow (Stripe, email) goes to Celery.

- ``booking_created``: a seat is held (status pending_payment) until ``hold_expires_at``.
- ``booking_confirmed``: payment arrived (pending_payment -> confirmed). Emails plug in here.
- ``booking_cancelled``: cancelled by the trainee, the trainer or staff; the decision is on
  the booking (``refund_amount``, ``refund_percent``, ``refund_reason``, ``cancelled_by``).
  Payments turns a refund_amount > 0 of a paid booking into a Stripe refund; a booking
  cancelled before payment has refund_amount 0 and reason ``not_paid`` (no money moved).
  Emails plug in here too.
- ``booking_expired``: an unpaid hold ran out (payments may cancel its PaymentIntent).
- ``booking_completed``: the session is over and counted as held (payouts may pay it).
- ``booking_no_show``: an attendance decision: ``kind`` is ``trainee`` (the trainer marked
  the trainee absent: no refund), ``trainer_reported`` (the trainee says the trainer did
  not come: payouts should hold the money), ``trainer_upheld`` (staff confirmed it: full
  refund, ``refund_amount`` set) or ``trainer_dismissed`` (staff dismissed the report:
  the booking is completed again).
"""

from django.dispatch import Signal

booking_created = Signal()
booking_confirmed = Signal()
booking_cancelled = Signal()
booking_expired = Signal()
booking_completed = Signal()
booking_no_show = Signal()
