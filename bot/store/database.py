"""Connecting to the database (SQLite file or PostgreSQL) and migrating its schema at start.

Migrations are an ordered list of steps; `schema_version` records which have run. A fresh
database gets the current schema from `tables.metadata` and is stamped with the latest
version; an older one runs the steps it is missing. To change the schema, change
`tables.py` to the new shape and append a step that takes a database at the previous
version to it (for example an `ALTER TABLE ... ADD COLUMN`). Never edit a step that shipped.
"""

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    MetaData,
    column,
    create_engine,
    event,
    func,
    insert,
    inspect,
    literal,
    null,
    select,
    text,
)
from sqlalchemy import table as table_named
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import ConnectionPoolEntry

from bot.store.sqlite_queue import queue_writers, wait_turn
from bot.store.tables import (
    NO_TEAM,
    checkins,
    coaching_profiles,
    commitments,
    deliveries,
    done_once,
    leases,
    metadata,
    recent_tips,
    rotations,
    schema_version,
    shares,
    subscriptions,
    tips_served,
    votes,
)

# How long a SQLite connection waits for another process's write lock before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Any constant works; it only has to be the same in every process that migrates.
_POSTGRES_MIGRATION_LOCK = 7_310_242_771


def normalise_url(url: str) -> URL:
    """Parse `url`, mapping Heroku's `postgres://` and bare `postgresql://` to psycopg 3."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend in ("postgres", "postgresql") and parsed.drivername in ("postgres", "postgresql"):
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and parsed.drivername == "sqlite":
        return parsed.set(drivername="sqlite+pysqlite")
    return parsed


def _sqlite_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Let SQLAlchemy's "begin" hook below issue BEGIN itself instead of the driver's
    # implicit, deferred transactions.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers and a writer in different processes share the file.
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode, NORMAL syncs at checkpoints rather than at every commit (Rails 8's default
    # for SQLite too): a commit survives the process crashing or being killed, and only a
    # power cut or a kernel crash can lose the last moments of writes. Every /tip writes
    # (the person's recent tips), and a sync per commit cost more than the rest of the
    # request. Postgres is the choice when a machine's own crash must lose nothing.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


# The execution option that marks a connection's transaction as reads only (see `reading`).
READS_ONLY = "tipbot_reads_only"


def _sqlite_begin(connection: Connection) -> None:
    # Straight to the driver: this runs before every transaction, `/tip`'s included.
    driver = connection.connection.driver_connection
    if connection.get_execution_options().get(READS_ONLY):
        # WAL readers see the last commit and never wait for a writer.
        driver.execute("BEGIN")  # type: ignore[union-attr]
        return
    # Take the write lock at BEGIN: a deferred transaction that reads and then writes fails
    # at once with SQLITE_BUSY when another process wrote in between, whatever the timeout;
    # an immediate one waits its turn (in the writers' queue first, see sqlite_queue).
    wait_turn(connection)
    driver.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]


def reading(engine: Engine) -> Connection:
    """A connection for a transaction that only reads: on SQLite it takes no write lock."""
    return engine.connect().execution_options(**{READS_ONLY: True})


def engine_from_url(url: str) -> Engine:
    """Create an engine for a `sqlite:///path` or Postgres URL, ready for several processes."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() != "sqlite":
        # Heroku and friends drop idle connections; check before handing one out.
        return create_engine(parsed, pool_pre_ping=True)
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        parsed,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    if database and database != ":memory:" and not database.startswith("file:"):
        queue_writers(engine, Path(database).expanduser())
    return engine


def _create_tables(connection: Connection) -> None:
    """Step 1: the subscriptions, rotations, deliveries, votes and shares tables."""
    metadata.create_all(connection)


def _add_shared_state(connection: Connection) -> None:
    """Step 2: state every process shares: done_once, the scheduler lease, recent tips."""
    for table in (done_once, leases, recent_tips):
        table.create(connection)


def _add_coaching(connection: Connection) -> None:
    """Step 3: the coaching loop: commitments, the check-in ledger, profiles, tips served."""
    for table in (commitments, checkins, coaching_profiles, tips_served):
        table.create(connection)


# The tables that gained a workspace in step 4, in an order that keeps commitments ahead
# of the check-ins whose team is read from them.
_WORKSPACE_TABLES = (
    subscriptions,
    rotations,
    deliveries,
    votes,
    shares,
    done_once,
    recent_tips,
    commitments,
    checkins,
    coaching_profiles,
    tips_served,
)


def _old_value(name: str, old_columns: set[str]) -> ColumnElement[Any]:
    """What an old row's column `name` is copied as into the new shape of the table."""
    if name in old_columns:
        return column(name)
    if name == "team_id":
        # Check-ins belong to their commitment's workspace; everything else waits to be
        # adopted by the workspace tipbot runs for (see SqlStore.adopt_rows_without_team).
        return literal(NO_TEAM)
    return null()


def _rebuild(connection: Connection, new: Any) -> None:
    """Copy a table aside, create it in its current shape, copy the rows back, drop the copy.

    The same on SQLite (which cannot change a primary key in place) and PostgreSQL; the copy
    made with CREATE TABLE AS has no constraints or indexes, so no name clashes.
    """
    old_columns = {column["name"] for column in inspect(connection).get_columns(new.name)}
    if old_columns == set(new.c.keys()):
        return  # created in today's shape by an earlier step of this same upgrade
    quote = connection.dialect.identifier_preparer.quote
    aside = f"{new.name}_before_workspaces"
    # Table names come from tables.py, never from input.
    copy = f"CREATE TABLE {quote(aside)} AS SELECT * FROM {quote(new.name)}"  # noqa: S608
    connection.execute(text(copy))
    connection.execute(text(f"DROP TABLE {quote(new.name)}"))
    new.create(connection)
    old = table_named(aside, *(column(name) for name in old_columns))
    names = list(new.c.keys())
    copied = select(*(_old_value(name, old_columns).label(name) for name in names))
    connection.execute(insert(new).from_select(names, copied.select_from(old)))
    connection.execute(text(f"DROP TABLE {quote(aside)}"))
    if connection.dialect.name == "postgresql" and "id" in names:
        # The new table's id sequence starts at 1; carry on after the copied ids.
        carry_on = (
            f"SELECT setval(pg_get_serial_sequence('{new.name}', 'id'), "  # noqa: S608
            f"coalesce(max(id), 0) + 1, false) FROM {quote(new.name)}"
        )
        connection.execute(text(carry_on))


def _add_workspaces(connection: Connection) -> None:
    """Step 4: every row carries its workspace; team ids lead the keys (tables rebuilt)."""
    for workspace_table in _WORKSPACE_TABLES:
        _rebuild(connection, workspace_table)
    # A check-in is its commitment's, and commitments always recorded their team.
    connection.execute(
        checkins.update()
        .where(checkins.c.team_id == NO_TEAM)
        .values(
            team_id=func.coalesce(
                select(commitments.c.team_id)
                .where(commitments.c.id == checkins.c.commitment_id)
                .scalar_subquery(),
                NO_TEAM,
            )
        )
    )


# Append only. Index + 1 is the version a step brings the database to.
MIGRATIONS: list[Callable[[Connection], None]] = [
    _create_tables,
    _add_shared_state,
    _add_coaching,
    _add_workspaces,
]


def _lock_for_migration(connection: Connection) -> None:
    # Two processes starting at once must not both run a step. SQLite is already locked
    # by BEGIN IMMEDIATE; PostgreSQL gets a transaction-scoped advisory lock.
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(_POSTGRES_MIGRATION_LOCK)))


def _stamp(connection: Connection, version: int, applied_at: datetime) -> None:
    connection.execute(insert(schema_version).values(version=version, applied_at=applied_at))


def schema_version_of(engine: Engine) -> int:
    """The migration version the database is at; 0 for an empty database."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(schema_version.name):
            return 0
        version = connection.execute(select(func.max(schema_version.c.version))).scalar()
        return int(version or 0)


def migrate(engine: Engine, applied_at: datetime) -> int:
    """Create or upgrade the schema to the latest version; safe to run from many processes."""
    with engine.begin() as connection:
        _lock_for_migration(connection)
        if not inspect(connection).has_table(schema_version.name):
            # A brand-new database: build the current shape in one go.
            metadata.create_all(connection)
            latest = len(MIGRATIONS)
            _stamp(connection, latest, applied_at)
            return latest
        current = connection.execute(select(func.max(schema_version.c.version))).scalar() or 0
        for version, step in enumerate(MIGRATIONS[current:], start=current + 1):
            step(connection)
            _stamp(connection, version, applied_at)
        return len(MIGRATIONS)


def create_library_tables(engine: Engine, tables: MetaData) -> None:
    """Create the tables a library defines (Slack's installation and OAuth state stores).

    They are the library's shape, not ours, so they stay out of MIGRATIONS; created under
    the migration lock, so workers starting at once do not race to create them.
    """
    with engine.begin() as connection:
        _lock_for_migration(connection)
        tables.create_all(connection)


def drop_all(engine: Engine) -> None:
    """Drop every tipbot table (tests use it to start each case from an empty database)."""
    with engine.begin() as connection:
        metadata.drop_all(connection)
