"""The `Store` interface (with the nuggets domain's `NuggetStore`) on SQLAlchemy Core."""

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Row,
    Select,
    Table,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from bot.nuggets.models import Delivery, DeliveryStatus, Subscription
from bot.nuggets.rotation import Rotation
from bot.nuggets.schedule import Schedule
from bot.store.coaching_sql import CoachingSql
from bot.store.database import reading
from bot.store.interface import Store
from bot.store.personal_sql import PersonalSql
from bot.store.tables import (
    checkins,
    commitments,
    deliveries,
    done_once,
    leases,
    recent_tips,
    rotations,
    shares,
    subscriptions,
    tips_served,
    votes,
)
from bot.workspace import Workspace

__all__ = ["SqlStore"]


def _upsert(connection: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    # INSERT ... ON CONFLICT is spelled the same on both backends but lives in each dialect.
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    if connection.dialect.name == "sqlite":
        return sqlite.insert(table)
    message = f"tipbot supports SQLite and PostgreSQL, not {connection.dialect.name}"
    raise NotImplementedError(message)


def _subscription(row: Row[Any]) -> Subscription:
    return Subscription(
        channel_id=row.channel_id,
        schedule=Schedule(weekday=row.weekday, time=row.time, timezone=row.timezone),
        subscribed_by=row.subscribed_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        active_since=row.active_since,
        kind=row.kind,
        status=row.status,
        paused_reason=row.paused_reason,
        paused_at=row.paused_at,
    )


def _delivery(row: Row[Any]) -> Delivery:
    return Delivery(
        id=row.id,
        channel_id=row.channel_id,
        slot_at=row.slot_at,
        status=row.status,
        reason=row.reason,
        tip_id=row.tip_id,
        message_ts=row.message_ts,
        attempts=row.attempts,
        claimed_by=row.claimed_by,
        claimed_at=row.claimed_at,
        updated_at=row.updated_at,
    )


@dataclass(frozen=True)
class _RecentTipStatements:
    read: Select[str]
    save: postgresql.Insert | sqlite.Insert
    count: postgresql.Insert | sqlite.Insert


@functools.cache
def _recent_tip_statements(dialect: str) -> _RecentTipStatements:
    read = (
        select(recent_tips.c.tip_ids)
        .where(recent_tips.c.user_id == bindparam("user"))
        .with_for_update()
    )
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    new = insert(recent_tips).values(
        user_id=bindparam("user"), tip_ids=bindparam("tips"), updated_at=bindparam("now")
    )
    save = new.on_conflict_do_update(
        index_elements=[recent_tips.c.user_id],
        set_={"tip_ids": new.excluded.tip_ids, "updated_at": new.excluded.updated_at},
    )
    served = insert(tips_served).values(day=bindparam("day"), count=1)
    count = served.on_conflict_do_update(
        index_elements=[tips_served.c.day], set_={"count": tips_served.c.count + 1}
    )
    return _RecentTipStatements(read, save, count)


def _slot(channel_id: str, slot_at: datetime) -> ColumnElement[bool]:
    return and_(deliveries.c.channel_id == channel_id, deliveries.c.slot_at == slot_at)


class SqlStore(CoachingSql, PersonalSql, Store):
    """`Store` on an SQLAlchemy engine, SQLite or PostgreSQL; run `database.migrate` first.

    What each method promises is written once, on the protocols it implements
    (bot/nuggets/store.py, bot/coaching/store.py and bot/store/interface.py), and `help()`
    shows it here too; the comments below, and in the mixins for coaching
    (coaching_sql.py) and personal data (personal_sql.py), say how SQL keeps them.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @property
    def engine(self) -> Engine:
        """The engine this store talks to."""
        return self._engine

    # Subscriptions -------------------------------------------------------------------

    def save_subscription(self, sub: Subscription) -> None:
        """One upsert; a CASE moves `active_since` only for a new schedule or a resumed pause."""
        with self._engine.begin() as connection:
            statement = _upsert(connection, subscriptions).values(
                channel_id=sub.channel_id,
                kind=sub.kind,
                weekday=sub.schedule.weekday,
                time=sub.schedule.time,
                timezone=sub.schedule.timezone,
                subscribed_by=sub.subscribed_by,
                created_at=sub.created_at,
                updated_at=sub.updated_at,
                active_since=sub.active_since,
                status="active",
                paused_reason=None,
                paused_at=None,
            )
            new = statement.excluded
            current = subscriptions.c
            starts_afresh = or_(
                current.weekday != new.weekday,
                current.time != new.time,
                current.timezone != new.timezone,
                current.status != "active",
            )
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=[current.channel_id],
                    set_={
                        "kind": new.kind,
                        "weekday": new.weekday,
                        "time": new.time,
                        "timezone": new.timezone,
                        "subscribed_by": new.subscribed_by,
                        "updated_at": new.updated_at,
                        "active_since": case(
                            (starts_afresh, new.updated_at), else_=current.active_since
                        ),
                        "status": "active",
                        "paused_reason": None,
                        "paused_at": None,
                    },
                )
            )

    def get_subscription(self, channel_id: str) -> Subscription | None:
        with reading(self._engine) as connection:
            row = connection.execute(
                select(subscriptions).where(subscriptions.c.channel_id == channel_id)
            ).first()
        return None if row is None else _subscription(row)

    def delete_subscription(self, channel_id: str) -> bool:
        with self._engine.begin() as connection:
            result = connection.execute(
                delete(subscriptions).where(subscriptions.c.channel_id == channel_id)
            )
        return result.rowcount == 1

    def active_subscriptions(self) -> list[Subscription]:
        query = select(subscriptions).where(subscriptions.c.status == "active")
        with reading(self._engine) as connection:
            rows = connection.execute(query.order_by(subscriptions.c.channel_id)).all()
        return [_subscription(row) for row in rows]

    def all_subscriptions(self) -> list[Subscription]:
        with reading(self._engine) as connection:
            rows = connection.execute(
                select(subscriptions).order_by(subscriptions.c.channel_id)
            ).all()
        return [_subscription(row) for row in rows]

    def pause_subscription(self, channel_id: str, reason: str, at: datetime) -> bool:
        with self._engine.begin() as connection:
            result = connection.execute(
                update(subscriptions)
                .where(subscriptions.c.channel_id == channel_id)
                .where(subscriptions.c.status == "active")
                .values(status="paused", paused_reason=reason, paused_at=at, updated_at=at)
            )
        return result.rowcount == 1

    # Rotations -----------------------------------------------------------------------

    def load_rotation(self, channel_id: str) -> Rotation | None:
        with reading(self._engine) as connection:
            row = connection.execute(
                select(rotations).where(rotations.c.channel_id == channel_id)
            ).first()
        if row is None:
            return None
        order = json.loads(row.order)
        return Rotation(round=row.round, order=tuple(str(i) for i in order), position=row.position)

    def save_rotation(self, channel_id: str, rotation: Rotation, now: datetime) -> None:
        values = {
            "channel_id": channel_id,
            "round": rotation.round,
            "order": json.dumps(list(rotation.order)),
            "position": rotation.position,
            "updated_at": now,
        }
        with self._engine.begin() as connection:
            statement = _upsert(connection, rotations).values(**values)
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=[rotations.c.channel_id],
                    set_={key: value for key, value in values.items() if key != "channel_id"},
                )
            )

    # The delivery ledger ---------------------------------------------------------------

    def claim_delivery(
        self, channel_id: str, slot_at: datetime, claimed_by: str, now: datetime
    ) -> bool:
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    insert(deliveries).values(
                        channel_id=channel_id,
                        slot_at=slot_at,
                        status="claimed",
                        attempts=1,
                        claimed_by=claimed_by,
                        claimed_at=now,
                        updated_at=now,
                    )
                )
        except IntegrityError:
            # The unique (channel_id, slot_at) constraint: someone else owns this slot.
            return False
        return True

    def reclaim_retry(
        self, channel_id: str, slot_at: datetime, claimed_by: str, now: datetime
    ) -> bool:
        with self._engine.begin() as connection:
            result = connection.execute(
                update(deliveries)
                .where(_slot(channel_id, slot_at))
                .where(deliveries.c.status == "retry")
                .values(
                    status="claimed",
                    attempts=deliveries.c.attempts + 1,
                    claimed_by=claimed_by,
                    claimed_at=now,
                    updated_at=now,
                )
            )
        return result.rowcount == 1

    def finish_delivery(
        self,
        channel_id: str,
        slot_at: datetime,
        status: DeliveryStatus,
        *,
        now: datetime,
        reason: str | None = None,
        tip_id: str | None = None,
        message_ts: str | None = None,
        expect: DeliveryStatus | None = None,
        claimed_before: datetime | None = None,
    ) -> bool:
        values: dict[str, Any] = {"status": status, "reason": reason, "updated_at": now}
        # Keep what earlier attempts learned (the chosen tip) unless told something new.
        if tip_id is not None:
            values["tip_id"] = tip_id
        if message_ts is not None:
            values["message_ts"] = message_ts
        statement = update(deliveries).where(_slot(channel_id, slot_at)).values(**values)
        if expect is not None:
            statement = statement.where(deliveries.c.status == expect)
        if claimed_before is not None:
            statement = statement.where(deliveries.c.status == "claimed").where(
                deliveries.c.claimed_at < claimed_before
            )
        with self._engine.begin() as connection:
            result = connection.execute(statement)
        return result.rowcount == 1

    def record_missed(self, channel_id: str, slot_at: datetime, reason: str, now: datetime) -> bool:
        with self._engine.begin() as connection:
            result = connection.execute(
                _upsert(connection, deliveries)
                .values(
                    channel_id=channel_id,
                    slot_at=slot_at,
                    status="missed",
                    reason=reason,
                    attempts=0,
                    updated_at=now,
                )
                .on_conflict_do_nothing(index_elements=["channel_id", "slot_at"])
                # rowcount is not reliable for INSERT ... RETURNING on PostgreSQL, so ask
                # for the new id explicitly: no id back means the slot already had a row.
                .returning(deliveries.c.id)
            )
            return result.first() is not None

    def deliveries(
        self, channel_id: str | None = None, since: datetime | None = None
    ) -> list[Delivery]:
        query = select(deliveries).order_by(deliveries.c.slot_at, deliveries.c.id)
        if channel_id is not None:
            query = query.where(deliveries.c.channel_id == channel_id)
        if since is not None:
            query = query.where(deliveries.c.slot_at >= since)
        with reading(self._engine) as connection:
            return [_delivery(row) for row in connection.execute(query)]

    def stale_claims(self, older_than: datetime) -> list[Delivery]:
        query = (
            select(deliveries)
            .where(deliveries.c.status == "claimed")
            .where(deliveries.c.claimed_at < older_than)
            .order_by(deliveries.c.slot_at, deliveries.c.id)
        )
        with reading(self._engine) as connection:
            return [_delivery(row) for row in connection.execute(query)]

    def last_sent(self, channel_id: str) -> Delivery | None:
        query = (
            select(deliveries)
            .where(deliveries.c.channel_id == channel_id)
            .where(deliveries.c.status == "sent")
            .order_by(deliveries.c.slot_at.desc())
            .limit(1)
        )
        with reading(self._engine) as connection:
            row = connection.execute(query).first()
        return None if row is None else _delivery(row)

    # Done once -------------------------------------------------------------------------

    def first_time(self, key: str, now: datetime, remember_for: timedelta) -> bool:
        with self._engine.begin() as connection:
            connection.execute(delete(done_once).where(done_once.c.expires_at < now))
            inserted = connection.execute(
                _upsert(connection, done_once)
                .values(key=key, expires_at=now + remember_for)
                .on_conflict_do_nothing()
                # An INSERT's rowcount is -1 on PostgreSQL: a row back means it went in.
                .returning(done_once.c.key)
            )
            return inserted.first() is not None

    # The scheduler lease --------------------------------------------------------------

    def take_lease(self, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
        with self._engine.begin() as connection:
            statement = _upsert(connection, leases).values(
                name=name, holder=holder, expires_at=now + ttl
            )
            taken = connection.execute(
                statement.on_conflict_do_update(
                    index_elements=[leases.c.name],
                    set_={"holder": statement.excluded.holder, "expires_at": now + ttl},
                    where=or_(leases.c.holder == holder, leases.c.expires_at < now),
                )
                # An INSERT's rowcount is -1 on PostgreSQL: a row back means ours now.
                .returning(leases.c.holder)
            )
            return taken.first() is not None

    def release_lease(self, name: str, holder: str) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                delete(leases).where(leases.c.name == name, leases.c.holder == holder)
            )

    def lease_holder(self, name: str, now: datetime) -> str | None:
        query = select(leases.c.holder).where(leases.c.name == name, leases.c.expires_at >= now)
        with reading(self._engine) as connection:
            return connection.execute(query).scalar_one_or_none()

    # Recent tips ----------------------------------------------------------------------

    def recent_tip_ids(self, user_id: str) -> list[str]:
        query = select(recent_tips.c.tip_ids).where(recent_tips.c.user_id == user_id)
        with reading(self._engine) as connection:
            stored = connection.execute(query).scalar_one_or_none()
        return list(json.loads(stored)) if stored else []

    def remember_recent_choice(
        self, user_id: str, choose: Callable[[list[str]], str], keep: int, now: datetime
    ) -> str:
        """Lock the user's row (SQLite locks the database) from the read to the write.

        Runs on every `/tip`, so its statements are built once, not per call.
        """
        with self._engine.begin() as connection:
            statements = _recent_tip_statements(connection.dialect.name)
            stored = connection.execute(statements.read, {"user": user_id}).scalar_one_or_none()
            seen: list[str] = json.loads(stored) if stored else []
            chosen = choose(seen)
            kept = [*(earlier for earlier in seen if earlier != chosen), chosen][-keep:]
            values = {"user": user_id, "tips": json.dumps(kept), "now": now}
            connection.execute(statements.save, values)
            connection.execute(statements.count, {"day": now.astimezone(UTC).date()})
        return chosen

    # Votes and shares ----------------------------------------------------------------

    def toggle_vote(
        self, channel_id: str, message_ts: str, user_id: str, now: datetime
    ) -> tuple[bool, int]:
        post = and_(votes.c.channel_id == channel_id, votes.c.message_ts == message_ts)
        with self._engine.begin() as connection:
            removed = connection.execute(delete(votes).where(post, votes.c.user_id == user_id))
            voted = removed.rowcount == 0
            if voted:
                # DO NOTHING: a double click racing in another process still counts once.
                connection.execute(
                    _upsert(connection, votes)
                    .values(
                        channel_id=channel_id,
                        message_ts=message_ts,
                        user_id=user_id,
                        created_at=now,
                    )
                    .on_conflict_do_nothing()
                )
            count = connection.execute(select(func.count()).select_from(votes).where(post))
            return voted, int(count.scalar_one())

    def vote_count(self, channel_id: str, message_ts: str) -> int:
        query = (
            select(func.count())
            .select_from(votes)
            .where(votes.c.channel_id == channel_id, votes.c.message_ts == message_ts)
        )
        with reading(self._engine) as connection:
            return int(connection.execute(query).scalar_one())

    def record_share(self, tip_id: str, channel_id: str, user_id: str, at: datetime) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                insert(shares).values(
                    tip_id=tip_id, channel_id=channel_id, user_id=user_id, created_at=at
                )
            )

    # Stats ---------------------------------------------------------------------------

    def helpful_votes_by_tip(self) -> dict[str, int]:
        """Tip id -> "Helpful" votes on the weekly posts that carried it."""
        # Votes name the message; the ledger knows which tip that message carried.
        query = (
            select(deliveries.c.tip_id, func.count())
            .select_from(
                votes.join(
                    deliveries,
                    and_(
                        votes.c.channel_id == deliveries.c.channel_id,
                        votes.c.message_ts == deliveries.c.message_ts,
                    ),
                )
            )
            .where(deliveries.c.tip_id.is_not(None))
            .group_by(deliveries.c.tip_id)
        )
        with reading(self._engine) as connection:
            return {str(tip): int(count) for tip, count in connection.execute(query)}

    def shares_by_tip(self) -> dict[str, int]:
        query = select(shares.c.tip_id, func.count()).group_by(shares.c.tip_id)
        with reading(self._engine) as connection:
            return {str(tip): int(count) for tip, count in connection.execute(query)}

    def delivery_counts(self, since: datetime) -> dict[str, int]:
        query = (
            select(deliveries.c.status, func.count())
            .where(deliveries.c.slot_at >= since)
            .group_by(deliveries.c.status)
        )
        with reading(self._engine) as connection:
            return {str(status): int(count) for status, count in connection.execute(query)}

    def forget_workspace(self, workspace: Workspace) -> dict[str, int]:
        # Only the tables that carry a team so far: commitments, and their check-ins.
        owned = select(commitments.c.id).where(commitments.c.team_id == workspace.team_id)
        with self._engine.begin() as connection:
            gone_checkins = connection.execute(
                delete(checkins).where(checkins.c.commitment_id.in_(owned))
            ).rowcount
            gone_commitments = connection.execute(
                delete(commitments).where(commitments.c.team_id == workspace.team_id)
            ).rowcount
        return {"checkins": gone_checkins, "commitments": gone_commitments}
