"""Reviews: who may review a session, when and how often; the trainer's one reply; reports;
staff hiding and restoring; the trainer's average kept on the profile; the email."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail

from bookings import booking_services, review_services
from bookings.models import Review, ReviewReport
from bookings.review_errors import (
    AlreadyReplied,
    AlreadyReported,
    AlreadyReviewed,
    NotCompleted,
    NotReviewer,
    ReviewWindowClosed,
)
from tests.bookings.conftest import MONDAY, NEXT_MONDAY, book, confirm
from tests.factories import UserFactory
from traino.exceptions import InvalidInput, NotAllowed

pytestmark = pytest.mark.django_db

END = MONDAY + timedelta(hours=1)
AFTER = END + timedelta(days=1)


def completed(trainee, schedule, start=MONDAY):
    booking = confirm(book(trainee, schedule, start=start))
    booking_services.bookings_complete_finished(now=start + timedelta(hours=1))
    booking.refresh_from_db()
    assert booking.status == "completed"
    return booking


def review(booking, rating=5, text="", now=AFTER, trainee=None):
    return review_services.review_create(
        booking_id=booking.pk,
        trainee=trainee or booking.trainee,
        rating=rating,
        text=text,
        now=now,
    )


@pytest.fixture
def booking(schedule, trainee):
    return completed(trainee, schedule)


@pytest.fixture
def staff(db):
    return UserFactory(role="staff", name="Sam Staff")


def rating_of(booking):
    booking.trainer.refresh_from_db()
    return booking.trainer.rating_avg, booking.trainer.rating_count


# --- who, when, how often ------------------------------------------------------------------


def test_the_trainee_of_a_completed_session_reviews_it_and_the_average_follows(booking):
    created = review(booking, rating=4, text="Tough but kind. Tack!")

    assert created.rating == 4
    assert created.text == "Tough but kind. Tack!"
    assert created.trainer_id == booking.trainer_id
    assert created.author_name == "Maja S."
    assert rating_of(booking) == (Decimal("4.00"), 1)


def test_someone_else_cannot_review_the_session(booking):
    for other in (UserFactory(), booking.trainer.user):
        with pytest.raises(NotReviewer) as refused:
            review(booking, trainee=other)
        assert refused.value.status == 403
        assert refused.value.code == "NOT_ALLOWED"
    assert not Review.objects.exists()


def test_a_session_that_has_not_taken_place_cannot_be_reviewed(schedule, trainee):
    booking = confirm(book(trainee, schedule))

    with pytest.raises(NotCompleted) as refused:
        review(booking, now=MONDAY - timedelta(days=1))

    assert refused.value.status == 409
    assert refused.value.code == "SESSION_NOT_COMPLETED"


def test_a_session_is_reviewed_once(booking):
    review(booking, rating=5)

    with pytest.raises(AlreadyReviewed) as refused:
        review(booking, rating=1)

    assert refused.value.status == 409
    assert refused.value.code == "ALREADY_REVIEWED"
    assert rating_of(booking) == (Decimal("5.00"), 1)


def test_the_window_closes_thirty_days_after_the_end(booking):
    review(booking, now=END + timedelta(days=30))  # the last moment still counts
    Review.objects.all().delete()

    with pytest.raises(ReviewWindowClosed) as refused:
        review(booking, now=END + timedelta(days=30, seconds=1))

    assert refused.value.code == "REVIEW_WINDOW_CLOSED"
    assert "30 days" in str(refused.value.message)


@pytest.mark.parametrize("rating", [0, 6, -1, True, "5", None])
def test_the_rating_is_one_to_five_stars(booking, rating):
    with pytest.raises(InvalidInput) as refused:
        review(booking, rating=rating)

    assert list(refused.value.fields) == ["rating"]


def test_the_text_is_at_most_two_thousand_characters(booking):
    review(booking, text="å" * 2000)
    Review.objects.all().delete()

    with pytest.raises(InvalidInput) as refused:
        review(booking, text="a" * 2001)

    assert list(refused.value.fields) == ["text"]


def test_the_trainer_is_emailed_after_commit(booking, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        review(booking, rating=5, text="Fantastiskt pass")

    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [booking.trainer.user.email]
    assert "Maja S." in message.subject and "★★★★★" in message.subject
    assert "Fantastiskt pass" in message.body
    assert "Svensson" not in message.body


def test_no_email_when_the_review_is_refused(booking, django_capture_on_commit_callbacks):
    review(booking)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(AlreadyReviewed),
    ):
        review(booking)

    assert callbacks == []


# --- average across reviews, hide and restore -----------------------------------------------


def test_the_average_counts_visible_reviews_and_follows_hide_and_restore(schedule, trainee, staff):
    first = review(completed(trainee, schedule), rating=5, now=AFTER)
    other = UserFactory(name="Olle Berg")
    second_booking = completed(other, schedule, start=NEXT_MONDAY)
    review(second_booking, rating=2, now=NEXT_MONDAY + timedelta(days=1))
    third = UserFactory(name="Ida")
    third_booking = completed(third, schedule, start=NEXT_MONDAY + timedelta(days=7))
    review(third_booking, rating=4, now=NEXT_MONDAY + timedelta(days=8))
    assert rating_of(first.booking) == (Decimal("3.67"), 3)

    review_services.review_hide(review_id=first.pk, by=staff)
    assert rating_of(first.booking) == (Decimal("3.00"), 2)
    review_services.review_hide(review_id=first.pk, by=staff)  # twice changes nothing
    assert rating_of(first.booking) == (Decimal("3.00"), 2)

    review_services.review_restore(review_id=first.pk, by=staff)
    assert rating_of(first.booking) == (Decimal("3.67"), 3)


def test_hiding_the_only_review_leaves_the_trainer_unrated(booking, staff):
    created = review(booking)

    hidden = review_services.review_hide(review_id=created.pk, by=staff)

    assert hidden.is_hidden and hidden.hidden_by == staff and hidden.hidden_at is not None
    assert rating_of(booking) == (None, 0)


def test_only_staff_hide_reviews(booking):
    created = review(booking, rating=1)

    with pytest.raises(NotAllowed):
        review_services.review_hide(review_id=created.pk, by=booking.trainer.user)

    assert not Review.objects.get(pk=created.pk).is_hidden


# --- reply and report -------------------------------------------------------------------------


def test_the_trainer_replies_once(booking):
    created = review(booking, rating=3)
    trainer_user = booking.trainer.user

    replied = review_services.review_reply(
        review_id=created.pk, by=trainer_user, text="Thanks, see you next week!"
    )
    assert replied.reply == "Thanks, see you next week!"
    assert replied.replied_at is not None

    with pytest.raises(AlreadyReplied) as refused:
        review_services.review_reply(review_id=created.pk, by=trainer_user, text="Again")
    assert refused.value.status == 409
    assert Review.objects.get(pk=created.pk).reply == "Thanks, see you next week!"


def test_only_the_reviewed_trainer_replies(booking):
    created = review(booking)

    for someone in (booking.trainee, UserFactory()):
        with pytest.raises(NotAllowed):
            review_services.review_reply(review_id=created.pk, by=someone, text="Hi")

    assert Review.objects.get(pk=created.pk).replied_at is None


def test_an_empty_reply_is_refused(booking):
    created = review(booking)

    with pytest.raises(InvalidInput) as refused:
        review_services.review_reply(review_id=created.pk, by=booking.trainer.user, text="  ")

    assert list(refused.value.fields) == ["text"]


def test_a_review_is_reported_once_per_person(booking):
    created = review(booking, rating=1, text="Rude words")
    reporter = UserFactory()

    report = review_services.review_report(review_id=created.pk, by=reporter, reason="Abusive")
    with pytest.raises(AlreadyReported):
        review_services.review_report(review_id=created.pk, by=reporter)
    review_services.review_report(review_id=created.pk, by=booking.trainer.user)

    assert report.reason == "Abusive"
    assert ReviewReport.objects.filter(review=created).count() == 2


# --- the admin --------------------------------------------------------------------------------


def test_staff_hide_and_restore_in_the_admin(client, booking, staff):
    from django.urls import reverse

    created = review(booking, rating=1)
    review_services.review_report(review_id=created.pk, by=UserFactory(), reason="Rude")
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    changelist = reverse("admin:bookings_review_changelist")

    listed = client.get(changelist, {"reported": "yes"})
    client.post(changelist, {"action": "hide_reviews", "_selected_action": [created.pk]})
    hidden = rating_of(booking)
    client.post(changelist, {"action": "restore_reviews", "_selected_action": [created.pk]})

    assert listed.status_code == 200 and b"Rude" not in listed.content
    assert f">{created.pk}<".encode() in listed.content
    assert hidden == (None, 0)
    assert rating_of(booking) == (Decimal("1.00"), 1)
    assert client.get(reverse("admin:bookings_review_change", args=[created.pk])).status_code == 200
