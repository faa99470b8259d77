"""Exactly once across real processes: schedulers racing on one database (SQLite or Postgres)."""

import os
import random
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.nuggets.delivery import FanOut
from bot.nuggets.models import Subscription
from bot.nuggets.schedule import Schedule
from bot.store.database import MIGRATIONS, drop_all
from bot.store.tables import schema_version
from tests.nuggets.fakes import FakePoster, make_tip
from tests.racing import race, separate_store
from tests.teams import TEAM

REPO = Path(__file__).resolve().parents[2]
SLOT = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
CHANNELS = [f"C{n:03d}" for n in range(40)]

# A scheduler process: waits for the start signal, runs one tick, logs each post it made.
SCHEDULER = textwrap.dedent(
    """
    import os, random, sys, time
    from datetime import datetime, timedelta
    from bot.time_source import utc_now
    from bot.nuggets.delivery import FanOut
    from bot.store.database import drop_all, engine_from_url, migrate
    from bot.store.sql import SqlStore
    from tests.nuggets.fakes import make_tip

    url, now, worker, log_path, go_path = sys.argv[1:]

    class Poster:
        def post_nugget(self, workspace, channel_id, tip, slot_at, *, kind="channel"):
            with open(log_path, "a") as log:
                log.write(f"{channel_id} {slot_at.isoformat()}\\n")
            time.sleep(0.001)
            return "1.0"

    class Notifier:
        def subscription_paused(self, sub, reason):
            raise AssertionError(reason)

    engine = engine_from_url(url)
    migrate(engine, utc_now())  # every process migrates at start, as the bot does
    store = SqlStore(engine)
    open(f"{go_path}.{worker}", "w").close()
    while not os.path.exists(go_path):
        time.sleep(0.001)
    fan_out = FanOut(
        store, lambda: [make_tip(f"t{n}") for n in range(5)], Poster(), Notifier(),
        grace=timedelta(hours=12), worker_id=worker, rng=random.Random(worker),
    )
    report = fan_out.deliver_due(datetime.fromisoformat(now))
    print(report.sent, report.skipped, len(report.failures))
    """
)


def subscribe_all(store):
    """Subscribe every channel to Monday 09:00 UTC, a week before SLOT."""
    for channel in CHANNELS:
        store.save_subscription(
            Subscription.new(
                TEAM, channel, Schedule(0, "09:00", "UTC"), "U1", SLOT - timedelta(days=6)
            )
        )


def run_racing_processes(url, tmp_path, now, count):
    """Start `count` scheduler processes, release them together, return their post logs."""
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                SCHEDULER,
                url,
                now.isoformat(),
                f"proc-{n}",
                str(tmp_path / f"posts-{n}.log"),
                str(go),
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(count)
    ]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"go.proc-{n}").exists() for n in range(count)):
        assert time.monotonic() < deadline, "scheduler processes did not start"
        assert all(process.poll() is None for process in processes), [
            process.communicate() for process in processes
        ]
        time.sleep(0.01)
    go.touch()
    outputs = [process.communicate(timeout=90) for process in processes]
    for process, (_, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr
    posts = []
    for n in range(count):
        log = tmp_path / f"posts-{n}.log"
        if log.exists():
            posts.extend(log.read_text().split("\n")[:-1])
    return posts, [stdout for stdout, _ in outputs]


def test_three_scheduler_processes_post_each_slot_once(database_url, store, tmp_path):
    """Three processes tick at the same slot against one database: 40 channels, 40 posts."""
    subscribe_all(store)
    posts, outputs = run_racing_processes(database_url, tmp_path, SLOT, 3)
    assert sorted(posts) == [f"{channel} {SLOT.isoformat()}" for channel in CHANNELS]
    assert sum(int(output.split()[0]) for output in outputs) == len(CHANNELS)
    assert {row.status for row in store.deliveries()} == {"sent"}


def test_processes_restarting_later_do_not_post_again(database_url, store, tmp_path):
    """A second wave of processes (a restart) an hour later posts nothing new."""
    subscribe_all(store)
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    first, _ = run_racing_processes(database_url, tmp_path / "first", SLOT, 2)
    assert len(first) == len(CHANNELS)
    posts, _ = run_racing_processes(database_url, tmp_path / "second", SLOT + timedelta(hours=1), 2)
    assert posts == []
    assert len(store.deliveries()) == len(CHANNELS)


def test_threads_racing_deliver_due_post_each_slot_once(database_url, store):
    """Four threads with their own engines tick at once: one post per channel."""
    subscribe_all(store)
    poster = FakePoster()

    def run(worker):
        with separate_store(database_url) as own_store:
            fan_out = FanOut(
                own_store,
                lambda: [make_tip("t1"), make_tip("t2")],
                poster,
                _Unused(),
                grace=timedelta(hours=12),
                worker_id=worker,
                rng=random.Random(worker),
            )
            fan_out.deliver_due(SLOT + timedelta(minutes=1))

    assert race([f"w{n}" for n in range(4)], run) == []
    assert sorted(channel for channel, _, _ in poster.posts) == CHANNELS


class _Unused:
    def subscription_paused(self, sub, reason):
        raise AssertionError(reason)


def test_processes_starting_on_an_empty_database_migrate_it_once(database_url, store, tmp_path):
    """Three processes migrating a brand-new database at once all start; one version row."""
    drop_all(store.engine)
    posts, _ = run_racing_processes(database_url, tmp_path, SLOT, 3)
    assert posts == []
    with store.engine.connect() as connection:
        versions = connection.execute(select(schema_version.c.version)).scalars().all()
    assert versions == [len(MIGRATIONS)]
