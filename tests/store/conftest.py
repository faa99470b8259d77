"""A store on each backend: a SQLite file always, PostgreSQL when TIPBOT_TEST_POSTGRES_URL is set.

PostgreSQL cases start from empty tables: every tipbot table is dropped and migrated again,
so point the variable at a throwaway database.
"""

from collections.abc import Iterator

import pytest

from bot.store.database import engine_from_url
from bot.store.sql import SqlStore
from tests.teams import TEAM


@pytest.fixture
def store(database_url) -> Iterator[SqlStore]:
    """A store on the migrated database."""
    engine = engine_from_url(database_url)
    yield SqlStore(engine).for_workspace(TEAM)
    engine.dispose()
