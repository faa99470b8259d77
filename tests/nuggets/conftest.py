"""Fixtures for the nuggets domain: a real SQLite store and fake Slack edges."""

import pytest

from tests.domain_fixtures import db_url, store  # noqa: F401  (fixtures)
from tests.nuggets.fakes import FakeNotifier, FakePoster


@pytest.fixture
def poster() -> FakePoster:
    """A poster that records posts instead of calling Slack."""
    return FakePoster()


@pytest.fixture
def notifier() -> FakeNotifier:
    """A notifier that records pause notices instead of DMing anyone."""
    return FakeNotifier()
