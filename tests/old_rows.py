"""Rows as an older tipbot stored them, written straight to the database."""

from datetime import datetime

from bot.store.interface import Store
from bot.store.sql import SqlStore
from bot.store.tables import NO_TEAM, subscriptions


def insert_old_subscription(
    store: Store, channel_id: str, timezone: str, at: datetime, kind: str = "channel"
) -> None:
    """An active Monday 09:00 subscription in `timezone`, which today's code may refuse."""
    assert isinstance(store, SqlStore), "old rows go straight into the SQL tables"
    with store.engine.begin() as connection:
        connection.execute(
            subscriptions.insert().values(
                team_id=store.workspace.team_id if store.workspace else NO_TEAM,
                channel_id=channel_id,
                kind=kind,
                weekday=0,
                time="09:00",
                timezone=timezone,
                subscribed_by="U1",
                created_at=at,
                updated_at=at,
                active_since=at,
                status="active",
            )
        )
