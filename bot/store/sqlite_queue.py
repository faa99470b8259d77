"""SQLite writers wait their turn in a queue the kernel keeps, not in SQLite's busy sleeps.

SQLite lets one writer in at a time. A second writer that finds the file locked sleeps
and tries again, for 1, 2, 5, 10 and up to 100 milliseconds per try, however soon the
lock is free. While the weekly fan-out writes the ledger (three short write transactions
per post), `/tip` (one short write, the person's recent tips) measured waits of hundreds of
milliseconds that way. Here each write transaction first takes an exclusive `flock` on a
file beside the database, so the next writer, in any thread or process, wakes the moment
the last one ends; SQLite then finds the file free. Reads take no turn: in WAL mode they
never wait for a writer.
"""

import fcntl
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.pool import ConnectionPoolEntry

_FD = "tipbot_writer_queue_fd"
_HELD = "tipbot_writer_queue_held"


def wait_turn(connection: Connection) -> None:
    """Block until this connection's write transaction is next (see the module docstring)."""
    info = connection.connection.info
    if _FD in info:
        fcntl.flock(info[_FD], fcntl.LOCK_EX)
        info[_HELD] = True


def queue_writers(engine: Engine, database: Path) -> None:
    """Give every connection of `engine` its own handle on `<database>.lock` to queue on."""
    lock_path = f"{database}.lock"

    def open_lock(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        # One open file per connection: flock shuts out every other open file of the lock,
        # in this process or another, and never the one that holds it.
        record.info[_FD] = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)

    def end_turn(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        # Back in the pool means committed or rolled back: the transaction is over.
        if record.info.pop(_HELD, False):
            fcntl.flock(record.info[_FD], fcntl.LOCK_UN)

    def close_lock(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        end_turn(dbapi_connection, record)
        descriptor = record.info.pop(_FD, None)
        if descriptor is not None:
            os.close(descriptor)

    event.listen(engine, "connect", open_lock)
    event.listen(engine, "checkin", end_turn)
    event.listen(engine, "close", close_lock)
    event.listen(engine, "detach", close_lock)
