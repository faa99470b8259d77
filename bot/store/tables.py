"""The database schema, as SQLAlchemy Core tables (the current shape; see `database.migrate`)."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend; naive datetimes are refused, not guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to UTC; SQLite has no zone type, so it stores the naive UTC wall time."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            message = f"refusing to store naive datetime {value.isoformat()}; pass an aware one"
            raise ValueError(message)
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime whatever the backend handed back."""
        if value is None:
            return None
        if not isinstance(value, datetime):  # pragma: no cover - drivers return datetimes
            message = f"expected a datetime from the database, got {value!r}"
            raise TypeError(message)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Integer primary keys autoincrement on SQLite only as INTEGER, elsewhere 64-bit is safer.
_ID = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", UTCDateTime, nullable=False),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("channel_id", String(32), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("weekday", Integer, nullable=False),
    Column("time", String(5), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("subscribed_by", String(32), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("active_since", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("paused_reason", Text),
    Column("paused_at", UTCDateTime),
    CheckConstraint("kind IN ('channel', 'dm')", name="subscriptions_kind"),
    CheckConstraint("status IN ('active', 'paused')", name="subscriptions_status"),
    CheckConstraint("weekday BETWEEN 0 AND 6", name="subscriptions_weekday"),
)

rotations = Table(
    "rotations",
    metadata,
    Column("channel_id", String(32), primary_key=True),
    Column("round", Integer, nullable=False),
    Column("order", Text, nullable=False),  # a JSON array of tip ids
    Column("position", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("channel_id", String(32), nullable=False),
    Column("slot_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", Text),
    Column("tip_id", String(200)),
    Column("message_ts", String(32)),
    Column("attempts", Integer, nullable=False, default=0),
    Column("claimed_by", String(200)),
    Column("claimed_at", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
    # The exactly-once gate: whoever inserts this row first owns the slot.
    UniqueConstraint("channel_id", "slot_at", name="deliveries_channel_slot"),
    CheckConstraint(
        "status IN ('claimed', 'sent', 'missed', 'failed', 'retry')", name="deliveries_status"
    ),
    Index("deliveries_status_claimed_at", "status", "claimed_at"),
)

votes = Table(
    "votes",
    metadata,
    Column("channel_id", String(32), primary_key=True),
    Column("message_ts", String(32), primary_key=True),
    Column("user_id", String(32), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
)

shares = Table(
    "shares",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("tip_id", String(200), nullable=False),
    Column("channel_id", String(32), nullable=False),
    Column("user_id", String(32), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# Things done once across every process, remembered until they expire: a request that
# acted (so a replay of it does not act again), a DM to admins about the same broken file.
done_once = Table(
    "done_once",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("expires_at", UTCDateTime, nullable=False),
    Index("done_once_expires_at", "expires_at"),
)

# Which process runs the scheduler: one holder at a time, renewed while it lives.
leases = Table(
    "leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

# The last few tips each person was shown, so no process repeats one of them.
recent_tips = Table(
    "recent_tips",
    metadata,
    Column("user_id", String(32), primary_key=True),
    Column("tip_ids", Text, nullable=False),  # a JSON array, oldest first
    Column("updated_at", UTCDateTime, nullable=False),
)
