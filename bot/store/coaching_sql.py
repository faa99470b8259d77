"""The coaching domain's `CoachingStore` on SQLAlchemy Core, mixed into `SqlStore`.

What each method promises is written once, on the protocol (bot/coaching/store.py); the
comments here say how SQL keeps it. Every change to a person's commitment names both its id
and its author in the WHERE clause, so nobody else's is ever touched.
"""

import json
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    Row,
    and_,
    case,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from bot.coaching.models import (
    OPEN_STATES,
    STATE_AFTER,
    CheckIn,
    CheckInKind,
    CheckInStatus,
    Commitment,
    CommitmentDraft,
    FinalAnswer,
    Funnel,
    Profile,
    TipOutcomes,
)
from bot.store.database import reading
from bot.store.scope import Scoped
from bot.store.tables import checkins, coaching_profiles, commitments, deliveries, tips_served
from bot.workspace import Workspace


def _upsert(engine: Engine, table: Any) -> postgresql.Insert | sqlite.Insert:
    # INSERT ... ON CONFLICT is spelled the same on both backends but lives in each dialect.
    if engine.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _commitment(row: Row[Any]) -> Commitment:
    return Commitment(
        id=row.id,
        team_id=row.team_id,
        user_id=row.user_id,
        tip_id=row.tip_id,
        tip_title=row.tip_title,
        text=row.text,
        note=row.note,
        timezone=row.timezone,
        due_at=row.due_at,
        state=row.state,
        next_action_at=row.next_action_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        answered_at=row.answered_at,
        reflection=row.reflection,
        reflected_at=row.reflected_at,
        paused_reason=row.paused_reason,
        snoozes=row.snoozes,
        enterprise_id=row.enterprise_id,
    )


def _check_in(row: Row[Any]) -> CheckIn:
    return CheckIn(
        id=row.id,
        commitment_id=row.commitment_id,
        user_id=row.user_id,
        kind=row.kind,
        due_at=row.due_at,
        status=row.status,
        reason=row.reason,
        channel_id=row.channel_id,
        message_ts=row.message_ts,
        attempts=row.attempts,
        claimed_by=row.claimed_by,
        claimed_at=row.claimed_at,
        updated_at=row.updated_at,
        answer=row.answer,
        answered_at=row.answered_at,
    )


def _authors(commitment_id: int, user_id: str) -> ColumnElement[bool]:
    return and_(commitments.c.id == commitment_id, commitments.c.user_id == user_id)


def _still_due(commitment_id: int, due_at: datetime) -> ColumnElement[bool]:
    return and_(
        commitments.c.id == commitment_id,
        commitments.c.state == "active",
        commitments.c.due_at == due_at,
    )


def _dm(commitment_id: int, kind: CheckInKind, due_at: datetime) -> ColumnElement[bool]:
    return and_(
        checkins.c.commitment_id == commitment_id,
        checkins.c.kind == kind,
        checkins.c.due_at == due_at,
    )


_DUE = and_(commitments.c.state == "active", commitments.c.next_action_at.is_not(None))


class CoachingSql(Scoped):
    """`CoachingStore` for `SqlStore`: commitments, the check-in ledger, profiles, stats.

    Methods keyed by a commitment id (unique across workspaces) work unscoped, for the
    scheduler; scoped, they touch only the workspace's commitments, so a forged button from
    another workspace finds nothing.
    """

    _engine: Engine

    # Commitments ----------------------------------------------------------------------

    def save_commitment(self, draft: CommitmentDraft, now: datetime) -> tuple[Commitment, bool]:
        """One upsert against the partial unique index over open commitments, after reading
        whether an open one exists (in the same transaction) to say which it was. Two
        submissions racing on PostgreSQL may both be told "new"; the row is still one."""
        self._check_workspace(Workspace(draft.team_id, draft.enterprise_id))
        statement = _upsert(self._engine, commitments).values(
            team_id=draft.team_id,
            enterprise_id=draft.enterprise_id,
            user_id=draft.user_id,
            tip_id=draft.tip_id,
            tip_title=draft.tip_title,
            text=draft.text,
            note=draft.note,
            timezone=draft.timezone,
            due_at=draft.due_at,
            state="active",
            next_action_at=draft.due_at,
            created_at=now,
            updated_at=now,
            snoozes=0,
        )
        new = statement.excluded
        upsert = statement.on_conflict_do_update(
            index_elements=[commitments.c.team_id, commitments.c.user_id, commitments.c.tip_id],
            index_where=commitments.c.state.in_(OPEN_STATES),
            set_={
                "tip_title": new.tip_title,
                "text": new.text,
                "note": new.note,
                "timezone": new.timezone,
                "due_at": new.due_at,
                "state": "active",
                "next_action_at": new.due_at,
                "updated_at": new.updated_at,
                "paused_reason": None,
            },
        ).returning(*commitments.c)
        existing = select(commitments.c.id).where(
            commitments.c.team_id == draft.team_id,
            commitments.c.user_id == draft.user_id,
            commitments.c.tip_id == draft.tip_id,
            commitments.c.state.in_(OPEN_STATES),
        )
        with self._engine.begin() as connection:
            edited = connection.execute(existing).first() is not None
            row = connection.execute(upsert).one()
        return _commitment(row), not edited

    def get_commitment(self, commitment_id: int, user_id: str) -> Commitment | None:
        with reading(self._engine) as connection:
            row = connection.execute(
                select(commitments).where(_authors(commitment_id, user_id), self._ours(commitments))
            ).first()
        return None if row is None else _commitment(row)

    def commitments_of(self, user_id: str) -> list[Commitment]:
        query = (
            select(commitments)
            .where(self._person(commitments, user_id))
            .order_by(commitments.c.created_at.desc(), commitments.c.id.desc())
        )
        with reading(self._engine) as connection:
            return [_commitment(row) for row in connection.execute(query)]

    def answer_commitment(
        self,
        commitment_id: int,
        user_id: str,
        due_at: datetime,
        answer: FinalAnswer,
        now: datetime,
    ) -> Commitment | None:
        """A conditional UPDATE is the compare-and-set; RETURNING says whether it won."""
        ending = (
            update(commitments)
            .where(_authors(commitment_id, user_id), _still_due(commitment_id, due_at))
            .where(self._ours(commitments))
            .values(state=STATE_AFTER[answer], answered_at=now, updated_at=now, next_action_at=None)
            .returning(*commitments.c)
        )
        with self._engine.begin() as connection:
            row = connection.execute(ending).first()
            if row is None:
                return None
            connection.execute(
                update(checkins)
                .where(_dm(commitment_id, "checkin", due_at))
                .values(answer=answer, answered_at=now)
            )
        return _commitment(row)

    def snooze_commitment(
        self, commitment_id: int, user_id: str, due_at: datetime, new_due: datetime, now: datetime
    ) -> Commitment | None:
        moving = (
            update(commitments)
            .where(_authors(commitment_id, user_id), _still_due(commitment_id, due_at))
            .where(self._ours(commitments))
            .values(
                due_at=new_due,
                next_action_at=new_due,
                snoozes=commitments.c.snoozes + 1,
                updated_at=now,
            )
            .returning(*commitments.c)
        )
        with self._engine.begin() as connection:
            row = connection.execute(moving).first()
            if row is None:
                return None
            connection.execute(
                update(checkins)
                .where(_dm(commitment_id, "checkin", due_at))
                .values(answer="not_yet", answered_at=now)
            )
        return _commitment(row)

    def save_reflection(
        self, commitment_id: int, user_id: str, reflection: str, now: datetime
    ) -> bool:
        with self._engine.begin() as connection:
            saved = connection.execute(
                update(commitments)
                .where(_authors(commitment_id, user_id), self._ours(commitments))
                .where(commitments.c.state.in_(("done", "partly")))
                .values(reflection=reflection, reflected_at=now, updated_at=now)
                .returning(commitments.c.id)
            )
            return saved.first() is not None

    def resume_commitments(self, user_id: str, now: datetime) -> int:
        due = case((commitments.c.due_at < now, now), else_=commitments.c.due_at)
        with self._engine.begin() as connection:
            resumed = connection.execute(
                update(commitments)
                .where(self._person(commitments, user_id), commitments.c.state == "paused")
                .values(
                    state="active",
                    paused_reason=None,
                    due_at=due,
                    next_action_at=due,
                    updated_at=now,
                )
                .returning(commitments.c.id)
            )
            return len(resumed.all())

    # What the scheduler does --------------------------------------------------------------

    def due_commitments(self, now: datetime) -> list[Commitment]:
        query = (
            select(commitments)
            .where(_DUE, commitments.c.next_action_at <= now, self._ours(commitments))
            .order_by(commitments.c.due_at, commitments.c.id)
        )
        with reading(self._engine) as connection:
            return [_commitment(row) for row in connection.execute(query)]

    def due_check_ins(self, now: datetime) -> list[CheckIn]:
        query = (
            select(checkins)
            .join(
                commitments,
                and_(
                    checkins.c.commitment_id == commitments.c.id,
                    checkins.c.due_at == commitments.c.due_at,
                ),
            )
            .where(_DUE, commitments.c.next_action_at <= now, self._ours(commitments))
        )
        with reading(self._engine) as connection:
            return [_check_in(row) for row in connection.execute(query)]

    def schedule_next_look(
        self, commitment_id: int, due_at: datetime, next_action_at: datetime | None
    ) -> bool:
        with self._engine.begin() as connection:
            moved = connection.execute(
                update(commitments)
                .where(_still_due(commitment_id, due_at), self._ours(commitments))
                .values(next_action_at=next_action_at)
                .returning(commitments.c.id)
            )
            return moved.first() is not None

    def lapse_commitment(self, commitment_id: int, due_at: datetime, now: datetime) -> bool:
        with self._engine.begin() as connection:
            lapsed = connection.execute(
                update(commitments)
                .where(_still_due(commitment_id, due_at), self._ours(commitments))
                .values(state="lapsed", next_action_at=None, updated_at=now)
                .returning(commitments.c.id)
            )
            return lapsed.first() is not None

    def pause_commitments(self, user_id: str, reason: str, now: datetime) -> int:
        with self._engine.begin() as connection:
            paused = connection.execute(
                update(commitments)
                .where(self._person(commitments, user_id), commitments.c.state == "active")
                .values(state="paused", paused_reason=reason, updated_at=now)
                .returning(commitments.c.id)
            )
            return len(paused.all())

    # The check-in ledger ------------------------------------------------------------------

    def claim_check_in(
        self, commitment: Commitment, kind: CheckInKind, claimed_by: str, now: datetime
    ) -> bool:
        """Lock the commitment (SQLite locks the database) and check it is still active and
        due, so a check-in never follows an answer given a moment before; then insert the
        row, whose unique constraint picks the one winner."""
        still_due = (
            select(commitments.c.id)
            .where(_still_due(commitment.id, commitment.due_at), self._ours(commitments))
            .with_for_update()
        )
        try:
            with self._engine.begin() as connection:
                if connection.execute(still_due).first() is None:
                    return False
                connection.execute(
                    insert(checkins).values(
                        team_id=commitment.team_id,
                        commitment_id=commitment.id,
                        user_id=commitment.user_id,
                        kind=kind,
                        due_at=commitment.due_at,
                        status="claimed",
                        attempts=1,
                        claimed_by=claimed_by,
                        claimed_at=now,
                        updated_at=now,
                    )
                )
        except IntegrityError:
            return False
        return True

    def reclaim_check_in(
        self,
        commitment_id: int,
        kind: CheckInKind,
        due_at: datetime,
        claimed_by: str,
        now: datetime,
    ) -> bool:
        with self._engine.begin() as connection:
            taken = connection.execute(
                update(checkins)
                .where(_dm(commitment_id, kind, due_at), checkins.c.status == "retry")
                .where(self._ours(checkins))
                .values(
                    status="claimed",
                    attempts=checkins.c.attempts + 1,
                    claimed_by=claimed_by,
                    claimed_at=now,
                    updated_at=now,
                )
                .returning(checkins.c.id)
            )
            return taken.first() is not None

    def finish_check_in(
        self,
        commitment_id: int,
        kind: CheckInKind,
        due_at: datetime,
        status: CheckInStatus,
        *,
        now: datetime,
        reason: str | None = None,
        channel_id: str | None = None,
        message_ts: str | None = None,
        expect: CheckInStatus | None = None,
        claimed_before: datetime | None = None,
    ) -> bool:
        values: dict[str, Any] = {"status": status, "reason": reason, "updated_at": now}
        if channel_id is not None:
            values["channel_id"] = channel_id
        if message_ts is not None:
            values["message_ts"] = message_ts
        statement = (
            update(checkins)
            .where(_dm(commitment_id, kind, due_at), self._ours(checkins))
            .values(**values)
        )
        if expect is not None:
            statement = statement.where(checkins.c.status == expect)
        if claimed_before is not None:
            statement = statement.where(
                checkins.c.status == "claimed", checkins.c.claimed_at < claimed_before
            )
        with self._engine.begin() as connection:
            finished = connection.execute(statement.returning(checkins.c.id))
            return finished.first() is not None

    def record_missed_check_in(
        self, commitment: Commitment, kind: CheckInKind, reason: str, now: datetime
    ) -> bool:
        with self._engine.begin() as connection:
            inserted = connection.execute(
                _upsert(self._engine, checkins)
                .values(
                    team_id=commitment.team_id,
                    commitment_id=commitment.id,
                    user_id=commitment.user_id,
                    kind=kind,
                    due_at=commitment.due_at,
                    status="missed",
                    reason=reason,
                    attempts=0,
                    updated_at=now,
                )
                .on_conflict_do_nothing(index_elements=["commitment_id", "kind", "due_at"])
                # An INSERT's rowcount is -1 on PostgreSQL: a row back means it went in.
                .returning(checkins.c.id)
            )
            return inserted.first() is not None

    def check_ins_of(self, commitment_id: int) -> list[CheckIn]:
        query = (
            select(checkins)
            .where(checkins.c.commitment_id == commitment_id, self._ours(checkins))
            .order_by(checkins.c.due_at, checkins.c.id)
        )
        with reading(self._engine) as connection:
            return [_check_in(row) for row in connection.execute(query)]

    def stale_check_in_claims(self, older_than: datetime) -> list[CheckIn]:
        query = (
            select(checkins)
            .where(checkins.c.status == "claimed", checkins.c.claimed_at < older_than)
            .where(self._ours(checkins))
            .order_by(checkins.c.due_at, checkins.c.id)
        )
        with reading(self._engine) as connection:
            return [_check_in(row) for row in connection.execute(query)]

    # Track and focus ------------------------------------------------------------------

    def get_profile(self, user_id: str) -> Profile | None:
        query = select(coaching_profiles).where(self._person(coaching_profiles, user_id))
        with reading(self._engine) as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        focus = tuple(str(topic) for topic in json.loads(row.focus))
        return Profile(user_id=row.user_id, track=row.track, focus=focus)

    def save_profile(self, profile: Profile, now: datetime) -> None:
        values = {
            "team_id": self._team_id(),
            "user_id": profile.user_id,
            "track": profile.track,
            "focus": json.dumps(list(profile.focus)),
            "updated_at": now,
        }
        statement = _upsert(self._engine, coaching_profiles).values(**values)
        with self._engine.begin() as connection:
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=[coaching_profiles.c.team_id, coaching_profiles.c.user_id],
                    set_={
                        key: value
                        for key, value in values.items()
                        if key not in ("team_id", "user_id")
                    },
                )
            )

    # Aggregates for admins, without names -------------------------------------------------

    def commitment_outcomes(self) -> list[TipOutcomes]:
        query = (
            select(
                commitments.c.tip_id,
                func.max(commitments.c.tip_title),
                commitments.c.state,
                func.count(),
            )
            .where(self._ours(commitments))
            .group_by(commitments.c.tip_id, commitments.c.state)
        )
        counts: dict[str, dict[str, int]] = {}
        titles: dict[str, str] = {}
        with reading(self._engine) as connection:
            for tip_id, title, state, count in connection.execute(query):
                counts.setdefault(tip_id, {})[state] = int(count)
                titles[tip_id] = str(title)
        outcomes = [
            TipOutcomes(
                tip_id=tip_id,
                title=titles[tip_id],
                made=sum(by_state.values()),
                done=by_state.get("done", 0),
                partly=by_state.get("partly", 0),
                dropped=by_state.get("dropped", 0),
                lapsed=by_state.get("lapsed", 0),
            )
            for tip_id, by_state in counts.items()
        ]
        return sorted(outcomes, key=lambda o: (-o.made, -o.done, o.tip_id))

    def coaching_funnel(self, since: datetime) -> Funnel:
        picked = select(func.coalesce(func.sum(tips_served.c.count), 0)).where(
            tips_served.c.day >= since.date(), self._ours(tips_served)
        )
        posted = select(func.count()).where(
            deliveries.c.status == "sent", deliveries.c.slot_at >= since, self._ours(deliveries)
        )
        made = select(func.count()).where(
            commitments.c.created_at >= since, self._ours(commitments)
        )
        answered = select(func.count()).where(checkins.c.answered_at >= since, self._ours(checkins))
        done = select(func.count()).where(
            commitments.c.state == "done",
            commitments.c.answered_at >= since,
            self._ours(commitments),
        )
        with reading(self._engine) as connection:
            return Funnel(
                tips_served=int(connection.execute(picked).scalar_one())
                + int(connection.execute(posted).scalar_one()),
                commitments=int(connection.execute(made).scalar_one()),
                check_ins_answered=int(connection.execute(answered).scalar_one()),
                done=int(connection.execute(done).scalar_one()),
            )
