"""A store on each backend: a SQLite file always, PostgreSQL when TIPBOT_TEST_POSTGRES_URL is set.

PostgreSQL cases start from empty tables: every tipbot table is dropped and migrated again,
so point the variable at a throwaway database.
"""

import os
from collections.abc import Iterator

import pytest

from bot.clock import utc_now
from bot.store.database import drop_all, engine_from_url, migrate
from bot.store.sql import SqlStore

POSTGRES_ENV = "TIPBOT_TEST_POSTGRES_URL"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    """The URL of an empty, migrated database on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'data' / 'tipbot.db'}"
    else:
        url = os.environ.get(POSTGRES_ENV, "")
        if not url:
            pytest.skip(f"set {POSTGRES_ENV} to run against PostgreSQL")
    engine = engine_from_url(url)
    if request.param == "postgres":
        drop_all(engine)
    migrate(engine, utc_now())
    engine.dispose()
    return url


@pytest.fixture
def store(database_url) -> Iterator[SqlStore]:
    """A store on the migrated database."""
    engine = engine_from_url(database_url)
    yield SqlStore(engine)
    engine.dispose()
