"""What is stored about one person, to print (`tipbot export`) or delete (`tipbot forget`).

`PERSONAL_COLUMNS` is the one table of where a Slack user id can be stored; both commands
read it, and a test checks it against the schema so a new column cannot be forgotten.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Engine, Table, delete, or_, select, update

from bot.store.database import reading
from bot.store.interface import PersonalData
from bot.store.scope import Scoped
from bot.store.tables import (
    checkins,
    coaching_profiles,
    commitments,
    deliveries,
    recent_tips,
    rotations,
    shares,
    subscriptions,
    votes,
)

# Every column that can hold a person's Slack user id. A DM subscription, its rotation and
# its ledger are keyed by the person's own id (bot/slack/answers/subscriptions.py).
PERSONAL_COLUMNS: tuple[Column[Any], ...] = (
    subscriptions.c.channel_id,
    subscriptions.c.subscribed_by,
    rotations.c.channel_id,
    deliveries.c.channel_id,
    votes.c.user_id,
    shares.c.user_id,
    recent_tips.c.user_id,
    commitments.c.user_id,
    checkins.c.user_id,
    coaching_profiles.c.user_id,
)
# Columns that name who started something other people still use: cleared, not deleted.
ANONYMISED = frozenset({("subscriptions", "subscribed_by")})
NOBODY = ""


def _tables() -> dict[str, Table]:
    tables: dict[str, Table] = {}
    for column in PERSONAL_COLUMNS:
        table = column.table
        assert isinstance(table, Table)
        tables.setdefault(table.name, table)
    return tables


def _json_ready(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class PersonalSql(Scoped):
    """`Store.personal_data` and `Store.forget_person` for `SqlStore`.

    Scoped to a workspace they cover that workspace's rows; unscoped, every workspace's
    (a person's user id names them in each workspace they are in).
    """

    _engine: Engine

    def personal_data(self, user_id: str) -> PersonalData:
        found: PersonalData = {}
        with reading(self._engine) as connection:
            for name, table in _tables().items():
                naming = [column == user_id for column in PERSONAL_COLUMNS if column.table is table]
                query = select(table).where(or_(*naming), self._ours(table))
                rows = connection.execute(query).mappings().all()
                found[name] = [
                    {key: _json_ready(value) for key, value in row.items()} for row in rows
                ]
        return found

    def forget_person(self, user_id: str) -> dict[str, int]:
        """One transaction: clear the columns in ANONYMISED first, then delete the rest."""
        counts: dict[str, int] = {}
        with self._engine.begin() as connection:
            for column in PERSONAL_COLUMNS:
                table = column.table
                assert isinstance(table, Table)
                if (table.name, column.name) in ANONYMISED:
                    statement: Any = (
                        update(table)
                        .where(column == user_id, self._ours(table))
                        .where(*(other != user_id for other in _keys(table)))
                        .values({column.name: NOBODY})
                    )
                else:
                    statement = delete(table).where(column == user_id, self._ours(table))
                affected = len(connection.execute(statement.returning(*_keys(table))).all())
                counts[table.name] = counts.get(table.name, 0) + affected
        return counts


def _keys(table: Table) -> list[Column[Any]]:
    return list(table.primary_key.columns)
