"""``@pytest.mark.postgres`` (tests/conftest.py): such tests skip, saying why, on any other
database, and run on PostgreSQL."""

import pytest
from django.db import connection

from tests import conftest


class Item:
    """What the collection hook uses of a pytest item."""

    def __init__(self, *marks):
        self.marks = list(marks)

    def get_closest_marker(self, name):
        return next((mark for mark in self.marks if mark.name == name), None)

    def add_marker(self, marker):
        self.marks.append(marker.mark)


def skip_reasons(item: Item) -> list[str]:
    return [mark.kwargs["reason"] for mark in item.marks if mark.name == "skip"]


def test_on_sqlite_a_postgres_test_skips_with_its_reason(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    plain = Item(pytest.mark.postgres.mark)
    explained = Item(pytest.mark.postgres(reason="SQLite has no SELECT ... FOR UPDATE").mark)
    other = Item(pytest.mark.django_db.mark)

    conftest.pytest_collection_modifyitems(None, [plain, explained, other])

    assert skip_reasons(plain) == [
        "needs PostgreSQL (set DATABASE_URL to a PostgreSQL database); this run uses sqlite"
    ]
    assert skip_reasons(explained) == [
        "needs PostgreSQL (SQLite has no SELECT ... FOR UPDATE); this run uses sqlite"
    ]
    assert skip_reasons(other) == []


def test_on_postgresql_a_postgres_test_runs(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "postgresql")
    item = Item(pytest.mark.postgres.mark)

    conftest.pytest_collection_modifyitems(None, [item])

    assert skip_reasons(item) == []


def test_every_postgres_test_of_this_run_is_skipped_exactly_when_the_database_is_not(request):
    marked = [item for item in request.session.items if item.get_closest_marker("postgres")]

    skipped = [item for item in marked if item.get_closest_marker("skip")]

    assert len(skipped) == (0 if connection.vendor == "postgresql" else len(marked))
