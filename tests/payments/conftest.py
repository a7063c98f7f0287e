import pytest

from payments import handlers
from traino.celery import app


@pytest.fixture
def eager_retries():
    """Let an eager task's retries run inline, as a worker would run them.

    With task_eager_propagates (the test setting) Celery raises the first Retry to the caller
    instead of running the retry; without it, apply() runs each retry in turn.
    """
    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = before


@pytest.fixture
def recorded(monkeypatch):
    """A handler for the type "test.recorded" that notes each event it is given."""
    calls = []
    monkeypatch.setitem(handlers.HANDLERS, "test.recorded", lambda e: calls.append(e.pk))
    return calls
