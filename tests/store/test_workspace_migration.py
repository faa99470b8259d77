"""Migration step 4: a database from before workspaces is upgraded and keeps serving.

Its rows get the team id '' and the workspace a single-token tipbot runs for adopts them at
start; the ledger comes along, so a slot already posted is not posted again.
"""

import os
import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, insert, inspect, select

from bot.nuggets.delivery import FanOut
from bot.store import database
from bot.store.database import drop_all, engine_from_url, migrate
from bot.store.sql import SqlStore
from bot.store.tables import NO_TEAM, metadata
from bot.workspace import Workspace
from tests import old_schema
from tests.conftest import POSTGRES_ENV, start_bot
from tests.nuggets.fakes import FakeNotifier, FakePoster, make_tip
from tests.slack.coaching_requests import scheduler_job
from tests.teams import OTHER_TEAM, TEAM

# A Monday 09:00 UTC slot that the old tipbot posted, and the old rows' times.
SLOT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
BEFORE = SLOT - timedelta(days=10)
WEEK = timedelta(weeks=1)
TIPS = [make_tip(f"t{n}") for n in range(1, 4)]
ORG_TEAM = Workspace("T1", "E1")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def old_engine(request, tmp_path) -> Iterator[Engine]:
    """A database at version 3, in the shape tipbot had before workspaces, with rows in it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        url = os.environ.get(POSTGRES_ENV, "")
        if not url:
            pytest.skip(f"set {POSTGRES_ENV} to run against PostgreSQL")
    engine = engine_from_url(url)
    if request.param == "postgres":
        drop_all(engine)
    with engine.begin() as connection:
        old_schema.metadata.create_all(connection)
        connection.execute(insert(old_schema.schema_version).values(version=3, applied_at=BEFORE))
        write_old_rows(connection)
    yield engine
    engine.dispose()


def write_old_rows(connection) -> None:
    """A channel posted at SLOT, its vote and share, a person's DM, tips, commitment, profile."""
    old = old_schema
    connection.execute(
        insert(old.subscriptions),
        [
            {
                "channel_id": channel,
                "kind": kind,
                "weekday": 0,
                "time": "09:00",
                "timezone": "UTC",
                "subscribed_by": "U1",
                "created_at": BEFORE,
                "updated_at": BEFORE,
                "active_since": BEFORE,
                "status": "active",
            }
            for channel, kind in (("C1", "channel"), ("U1", "dm"))
        ],
    )
    connection.execute(
        insert(old.rotations).values(
            channel_id="C1", round=1, order='["t1", "t2", "t3"]', position=1, updated_at=SLOT
        )
    )
    connection.execute(
        insert(old.deliveries),
        [
            {
                "channel_id": channel,
                "slot_at": SLOT,
                "status": "sent",
                "tip_id": "t1",
                "message_ts": f"{n}.1",
                "attempts": 1,
                "updated_at": SLOT,
            }
            for n, channel in enumerate(("C1", "U1"), start=1)
        ],
    )
    connection.execute(
        insert(old.votes).values(channel_id="C1", message_ts="1.1", user_id="U2", created_at=SLOT)
    )
    connection.execute(
        insert(old.shares).values(tip_id="t1", channel_id="C9", user_id="U2", created_at=SLOT)
    )
    connection.execute(
        insert(old.recent_tips).values(user_id="U1", tip_ids='["t2"]', updated_at=SLOT)
    )
    connection.execute(
        insert(old.done_once).values(key="T1:trigger", expires_at=SLOT + timedelta(minutes=10))
    )
    connection.execute(
        insert(old.commitments).values(
            team_id="T1",
            user_id="U1",
            tip_id="t2",
            tip_title="Title t2",
            text="Try t2",
            timezone="UTC",
            due_at=SLOT + WEEK,
            state="active",
            next_action_at=SLOT + WEEK,
            created_at=SLOT,
            updated_at=SLOT,
            snoozes=0,
        )
    )
    commitment_id = connection.execute(select(old.commitments.c.id)).scalar_one()
    connection.execute(
        insert(old.checkins).values(
            commitment_id=commitment_id,
            user_id="U1",
            kind="checkin",
            due_at=SLOT - WEEK,
            status="sent",
            attempts=1,
            updated_at=SLOT,
        )
    )
    connection.execute(
        insert(old.coaching_profiles).values(
            user_id="U1", track="staff", focus='["mentoring"]', updated_at=SLOT
        )
    )
    connection.execute(insert(old.tips_served).values(day=SLOT.date(), count=4))


def teams_by_table(engine: Engine) -> dict[str, set[str]]:
    """Table -> the team ids its rows carry."""
    with engine.connect() as connection:
        return {
            table.name: set(connection.execute(select(table.c.team_id)).scalars())
            for table in metadata.sorted_tables
            if "team_id" in table.c
        }


def tick(store: SqlStore, poster: FakePoster, now: datetime) -> None:
    """One run of the weekly fan-out, as the scheduler does it."""
    FanOut(
        store=store,
        tips=lambda: TIPS,
        poster=poster,
        notifier=FakeNotifier(),
        grace=timedelta(hours=12),
        worker_id="w1",
        rng=random.Random(0),
    ).deliver_due(now)


def test_the_upgrade_keeps_every_row_and_marks_it_as_no_workspaces_yet(old_engine):
    """Every table is in today's shape; rows carry team '' except the coaching loop's."""
    assert migrate(old_engine, SLOT) == len(database.MIGRATIONS) == 4
    for table in metadata.sorted_tables:
        columns = {column["name"] for column in inspect(old_engine).get_columns(table.name)}
        assert columns == set(table.c.keys()), table.name
    teams = teams_by_table(old_engine)
    assert teams.pop("commitments") == teams.pop("checkins") == {"T1"}
    assert teams == {key: {NO_TEAM} for key in teams}
    assert not [name for name in inspect(old_engine).get_table_names() if "before" in name]
    # Ids carry on after the copied ones (PostgreSQL's sequences were made anew).
    store = SqlStore(old_engine).for_workspace(TEAM)
    assert store.claim_delivery("C1", SLOT + WEEK, "w1", SLOT + WEEK)
    ids = [row.id for row in SqlStore(old_engine).deliveries()]
    assert len(set(ids)) == 3


def test_the_running_workspace_adopts_the_old_rows_and_posts_each_slot_once(old_engine):
    """After adoption the channel is the workspace's: SLOT is not posted again, the next is."""
    migrate(old_engine, SLOT)
    everyone = SqlStore(old_engine)

    adopted = everyone.adopt_rows_without_team(ORG_TEAM)

    assert adopted["subscriptions"] == 2
    assert adopted["deliveries"] == 2
    assert "done_once" not in adopted, "old replay guards expire on their own"
    teams = teams_by_table(old_engine)
    assert teams.pop("done_once") == {NO_TEAM}
    assert teams == {key: {"T1"} for key in teams}
    store = everyone.for_workspace(ORG_TEAM)
    channel = store.get_subscription("C1")
    assert channel is not None
    assert channel.workspace == ORG_TEAM, "the org id comes along, for the org's token"
    assert store.vote_count("C1", "1.1") == 1
    assert store.recent_tip_ids("U1") == ["t2"]
    assert store.shares_by_tip() == {"t1": 1}
    assert store.helpful_votes_by_tip() == {"t1": 1}

    poster = FakePoster()
    tick(everyone, poster, SLOT + timedelta(minutes=5))
    assert poster.posts == [], "SLOT is in the ledger already"
    tick(everyone, poster, SLOT + WEEK + timedelta(minutes=1))
    assert sorted(channel for channel, _, _ in poster.posts) == ["C1", "U1"]
    (c1,) = [tip for channel, tip, _ in poster.posts if channel == "C1"]
    assert c1 == "t2", "the rotation carried on where the old one stood"
    assert everyone.adopt_rows_without_team(ORG_TEAM) == dict.fromkeys(adopted, 0)


def test_a_row_the_workspace_already_has_is_not_overwritten_by_adoption(old_engine):
    """Should the workspace have a row for the same key, the old one waits rather than clash."""
    migrate(old_engine, SLOT)
    store = SqlStore(old_engine).for_workspace(TEAM)
    store.remember_recent_choice("U1", lambda _seen: "t3", 5, SLOT)

    adopted = SqlStore(old_engine).adopt_rows_without_team(TEAM)

    assert adopted["recent_tips"] == 0
    assert store.recent_tip_ids("U1") == ["t3"]
    assert adopted["subscriptions"] == 2


def test_an_upgraded_database_keeps_serving_its_channel_through_slack(
    old_engine, settings, stand_in
):
    """tipbot starts on the old database: `/tip schedule` still knows the channel, SLOT is
    not posted again, and the next week's slot goes out to the channel and the DM."""
    migrate(old_engine, SLOT)
    url = old_engine.url.render_as_string(hide_password=False)
    with start_bot(replace(settings, database_url=url), stand_in) as bot:
        reply = bot.command("schedule", channel_id="C1")
        assert "This channel gets one tip Mondays at 09:00 (UTC)" in reply.json()["text"]
        reply = bot.command("schedule", channel_id="C1", team_id=OTHER_TEAM.team_id)
        assert "isn't subscribed" in reply.json()["text"], "another team's C1 is not this one"
        job = scheduler_job(bot.services)
        bot.services.clock = lambda: SLOT + timedelta(minutes=5)
        job.run()
        assert stand_in.calls_to("chat.postMessage") == [], "SLOT was posted before the upgrade"
        bot.services.clock = lambda: SLOT + WEEK + timedelta(minutes=1)
        job.run()
        posted = sorted(call.params["channel"] for call in stand_in.calls_to("chat.postMessage"))
        assert posted == ["C1", "U1", "U1"], "the two weekly tips, and the commitment's check-in"
    assert teams_by_table(old_engine)["subscriptions"] == {"T1"}
