"""The schema as tipbot stored it at migration version 3, before rows carried a workspace.

Tests build an old database from it, to prove migration step 4 upgrades one and keeps what
was stored. A copy of bot/store/tables.py as it was; never change it to match today's.
"""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from bot.store.tables import UTCDateTime

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

# One person's commitment to try one tip (bot/coaching/models.py). At most one open
# (active or paused) commitment per person per tip: committing again edits it.
commitments = Table(
    "commitments",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("team_id", String(32), nullable=False),
    Column("user_id", String(32), nullable=False),
    Column("tip_id", String(200), nullable=False),
    Column("tip_title", Text, nullable=False),  # a snapshot: the tip may be edited or removed
    Column("text", Text, nullable=False),
    Column("note", Text),
    Column("timezone", String(64), nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("state", String(16), nullable=False),
    Column("next_action_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("answered_at", UTCDateTime),
    Column("reflection", Text),
    Column("reflected_at", UTCDateTime),
    Column("paused_reason", Text),
    Column("snoozes", Integer, nullable=False, default=0),
    CheckConstraint(
        "state IN ('active', 'paused', 'done', 'partly', 'dropped', 'lapsed')",
        name="commitments_state",
    ),
    Index(
        "commitments_one_open_per_tip",
        "team_id",
        "user_id",
        "tip_id",
        unique=True,
        sqlite_where=text("state IN ('active', 'paused')"),
        postgresql_where=text("state IN ('active', 'paused')"),
    ),
    # What the scheduler reads every minute: active commitments with something to do.
    Index("commitments_state_next_action_at", "state", "next_action_at"),
    Index("commitments_user_id", "user_id"),
)

# The check-in ledger: one row per DM (the check-in, the reminder) per commitment's due time.
checkins = Table(
    "checkins",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("commitment_id", _ID, nullable=False),
    Column("user_id", String(32), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", Text),
    Column("channel_id", String(32)),
    Column("message_ts", String(32)),
    Column("attempts", Integer, nullable=False, default=0),
    Column("claimed_by", String(200)),
    Column("claimed_at", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("answer", String(16)),
    Column("answered_at", UTCDateTime),
    # The exactly-once gate, as for weekly posts: whoever inserts this row first sends the DM.
    UniqueConstraint("commitment_id", "kind", "due_at", name="checkins_commitment_kind_due"),
    CheckConstraint("kind IN ('checkin', 'reminder')", name="checkins_kind"),
    CheckConstraint(
        "status IN ('claimed', 'sent', 'missed', 'failed', 'retry')", name="checkins_status"
    ),
    CheckConstraint(
        "answer IS NULL OR answer IN ('done', 'partly', 'not_yet', 'drop')",
        name="checkins_answer",
    ),
    Index("checkins_status_claimed_at", "status", "claimed_at"),
    Index("checkins_user_id", "user_id"),
)

# A person's track and focus topics, which the tips they are shown favour.
coaching_profiles = Table(
    "coaching_profiles",
    metadata,
    Column("user_id", String(32), primary_key=True),
    Column("track", String(16)),
    Column("focus", Text, nullable=False),  # a JSON array of at most three topics
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint(
        "track IS NULL OR track IN ('senior', 'staff', 'both')", name="coaching_profiles_track"
    ),
)

# How many tips the picker served each UTC day (/tip, Another tip, the Home tab), without
# names: the top of the coaching funnel in /tip stats.
tips_served = Table(
    "tips_served",
    metadata,
    Column("day", Date, primary_key=True),
    Column("count", Integer, nullable=False),
)
