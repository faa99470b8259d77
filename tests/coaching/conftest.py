"""Fixtures for the coaching domain: a real SQLite store and a poster that records DMs."""

import pytest

from tests.coaching.fakes import FakeCheckInPoster
from tests.domain_fixtures import db_url, store  # noqa: F401  (fixtures)


@pytest.fixture
def poster() -> FakeCheckInPoster:
    """A poster that records check-in DMs instead of calling Slack."""
    return FakeCheckInPoster()
