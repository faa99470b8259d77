"""Database URLs, SQLite settings for sharing one file, and automatic migrations."""

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, inspect, select, text

from bot.store import database
from bot.store.database import (
    drop_all,
    engine_from_url,
    migrate,
    normalise_url,
    schema_version_of,
)
from bot.store.tables import schema_version
from tests import old_schema

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)

TABLES = {"schema_version", "subscriptions", "rotations", "deliveries", "votes", "shares"}
COACHING_TABLES = ("commitments", "checkins", "coaching_profiles", "tips_served")


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgres://u:p@db.example.com:5432/tipbot", "postgresql+psycopg"),
        ("postgresql://u:p@db.example.com/tipbot", "postgresql+psycopg"),
        ("postgresql+psycopg://u:p@db.example.com/tipbot", "postgresql+psycopg"),
        ("sqlite:///data/tipbot.db", "sqlite+pysqlite"),
    ],
)
def test_urls_are_normalised_to_the_installed_drivers(url, driver):
    """Heroku's postgres:// and plain postgresql:// use psycopg 3; sqlite uses pysqlite."""
    normalised = normalise_url(url)
    assert normalised.drivername == driver
    assert normalised.database == make_database(url)


def make_database(url):
    """The database name or path part of a URL."""
    return url.rsplit("/", 1)[1] if url.startswith("postgres") else "data/tipbot.db"


def test_a_sqlite_engine_creates_its_directory_and_shares_the_file_safely(tmp_path):
    """The parent directory is created; WAL and a busy timeout let processes share the file."""
    path = tmp_path / "nested" / "dir" / "tipbot.db"
    engine = engine_from_url(f"sqlite:///{path}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    assert path.parent.is_dir()
    engine.dispose()


def test_migrate_creates_every_table_and_is_idempotent(database_url):
    """Running migrate again at start changes nothing and keeps one version row."""
    engine = engine_from_url(database_url)
    assert migrate(engine, NOW) == len(database.MIGRATIONS)
    assert migrate(engine, NOW) == len(database.MIGRATIONS)
    assert set(inspect(engine).get_table_names()) >= TABLES
    with engine.connect() as connection:
        versions = connection.execute(select(schema_version.c.version)).scalars().all()
    assert versions == [len(database.MIGRATIONS)]
    assert schema_version_of(engine) == len(database.MIGRATIONS)
    engine.dispose()


def test_an_appended_step_upgrades_an_existing_database_once(database_url, monkeypatch):
    """A later session appends a step; databases at the old version run it exactly once."""
    calls = []

    def add_note_table(connection: Connection) -> None:
        calls.append(1)
        connection.execute(text("CREATE TABLE migration_note (id INTEGER PRIMARY KEY)"))

    latest = len(database.MIGRATIONS) + 1
    monkeypatch.setattr(database, "MIGRATIONS", [*database.MIGRATIONS, add_note_table])
    engine = engine_from_url(database_url)
    try:
        assert migrate(engine, NOW) == latest
        assert migrate(engine, NOW) == latest
        assert calls == [1]
        assert "migration_note" in inspect(engine).get_table_names()
        assert schema_version_of(engine) == latest
    finally:
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS migration_note"))
        engine.dispose()


def test_a_fresh_database_is_stamped_with_the_latest_version(database_url, monkeypatch):
    """A new database gets the current tables at once and skips the upgrade steps."""
    engine = engine_from_url(database_url)
    drop_all(engine)
    latest = len(database.MIGRATIONS) + 1
    monkeypatch.setattr(database, "MIGRATIONS", [*database.MIGRATIONS, _must_not_run])
    assert migrate(engine, NOW) == latest
    assert schema_version_of(engine) == latest
    engine.dispose()


def _must_not_run(connection: Connection) -> None:
    raise AssertionError("a fresh database already has the current schema")


def test_many_processes_migrating_a_fresh_database_at_once_agree(database_url):
    """Six threads with their own engines migrate an empty database: no errors, one version."""
    engine = engine_from_url(database_url)
    drop_all(engine)
    engine.dispose()
    barrier = threading.Barrier(6)
    errors = []

    def run():
        own = engine_from_url(database_url)
        try:
            barrier.wait()
            migrate(own, NOW)
        except Exception as error:
            errors.append(error)
        finally:
            own.dispose()

    threads = [threading.Thread(target=run) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    engine = engine_from_url(database_url)
    with engine.connect() as connection:
        versions = connection.execute(select(schema_version.c.version)).scalars().all()
        assert versions == [len(database.MIGRATIONS)]
    engine.dispose()


def test_a_database_at_version_1_gains_the_shared_state_tables(tmp_path):
    """A database as deployed before step 2 gets done_once, leases and recent_tips."""
    engine = engine_from_url(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as connection:
        old_schema.metadata.create_all(connection)
        # A database of that time had none of the tables added since.
        for table in ("done_once", "leases", "recent_tips", *COACHING_TABLES):
            connection.execute(text(f"DROP TABLE {table}"))
        connection.execute(text("INSERT INTO schema_version VALUES (1, '2026-11-01 00:00:00')"))
    new_tables = {"done_once", "leases", "recent_tips"}
    assert not new_tables & set(inspect(engine).get_table_names())
    assert migrate(engine, NOW) == len(database.MIGRATIONS)
    assert new_tables <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_a_database_at_version_2_gains_the_coaching_tables(tmp_path):
    """A database as deployed before step 3 gets commitments, check-ins, profiles, counts."""
    engine = engine_from_url(f"sqlite:///{tmp_path / 'old.db'}")
    coaching = set(COACHING_TABLES)
    with engine.begin() as connection:
        old_schema.metadata.create_all(connection)
        for table in COACHING_TABLES:
            connection.execute(text(f"DROP TABLE {table}"))
        connection.execute(text("INSERT INTO schema_version VALUES (2, '2026-11-01 00:00:00')"))
        connection.execute(
            text(
                "INSERT INTO subscriptions VALUES ('C1', 'channel', 0, '09:00', 'UTC', 'U1', "
                "'2026-11-01 00:00:00', '2026-11-01 00:00:00', '2026-11-01 00:00:00', "
                "'active', NULL, NULL)"
            )
        )
    assert not coaching & set(inspect(engine).get_table_names())
    assert migrate(engine, NOW) == len(database.MIGRATIONS) == 4
    assert coaching <= set(inspect(engine).get_table_names())
    indexes = {index["name"] for index in inspect(engine).get_indexes("commitments")}
    assert "commitments_one_open_per_tip" in indexes
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT channel_id FROM subscriptions")).scalars().all()
    assert kept == ["C1"], "the upgrade keeps what was stored"
    engine.dispose()
