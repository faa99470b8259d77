"""Fixtures the domains' tests share: a migrated store on a real SQLite file, seeing TEAM."""

from collections.abc import Iterator

import pytest

from bot.store.database import engine_from_url, migrate
from bot.store.sql import SqlStore
from bot.time_source import utc_now
from tests.teams import TEAM


@pytest.fixture
def db_url(tmp_path) -> str:
    """A SQLite file in this test's temporary directory (not yet created)."""
    return f"sqlite:///{tmp_path / 'db' / 'tipbot.db'}"


@pytest.fixture
def store(db_url) -> Iterator[SqlStore]:
    """A migrated store on a real SQLite file."""
    engine = engine_from_url(db_url)
    migrate(engine, utc_now())
    yield SqlStore(engine).for_workspace(TEAM)
    engine.dispose()
