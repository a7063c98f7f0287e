"""queries.trainers_page: the discovery list's paging and bounded count, without HTTP."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.queries import BoundingBox, trainers_page
from tests.factories import TrainerProfileFactory

pytestmark = pytest.mark.django_db

STOCKHOLM = BoundingBox(west=17.9, south=59.2, east=18.2, north=59.4)


def test_a_middle_page_has_a_next_page_and_a_bounded_count():
    trainers = TrainerProfileFactory.create_batch(5)

    page = trainers_page(bbox=STOCKHOLM, number=2, page_size=2, count_limit=3)

    assert [t.pk for t in page.trainers] == [trainers[2].pk, trainers[3].pk]
    assert (page.has_next, page.count, page.count_exact) == (True, 3, False)
    assert set(page.categories) == {trainers[2].pk, trainers[3].pk}


def test_the_last_page_knows_the_total_without_counting():
    trainers = TrainerProfileFactory.create_batch(5)

    with CaptureQueriesContext(connection) as queries:
        page = trainers_page(bbox=STOCKHOLM, number=3, page_size=2, count_limit=100)

    assert [t.pk for t in page.trainers] == [trainers[4].pk]
    assert (page.has_next, page.count, page.count_exact, page.last_number) == (False, 5, True, 3)
    assert not any("COUNT(" in q["sql"] for q in queries)


def test_a_page_past_the_end_is_empty_and_says_which_page_is_last():
    TrainerProfileFactory.create_batch(3)

    page = trainers_page(bbox=STOCKHOLM, number=9, page_size=2, count_limit=100)

    assert (page.trainers, page.count, page.count_exact, page.last_number) == ([], 3, True, 2)


def test_no_trainers_is_one_empty_page():
    page = trainers_page(bbox=STOCKHOLM, number=1, page_size=2, count_limit=100)

    assert (page.trainers, page.has_next, page.count, page.last_number) == ([], False, 0, 1)
