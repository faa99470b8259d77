"""Many workspaces in one minute: each at its own pace, dead ones stopped, once per slot.

The real minute job (NuggetJob, the Slack posters with a client per workspace's token, the
Pacer, a SQLite store) posts to the stand-in, which knows each workspace by its token and
records every call with the time it arrived and its workspace.
"""

import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Settings
from bot.nuggets.delivery import DeliveryReport
from bot.nuggets.models import Subscription
from bot.nuggets.schedule import Schedule
from bot.runner import load_current_library, open_store
from bot.scheduler import NuggetJob
from bot.services import Services
from bot.slack.posting import slack_posters
from bot.slack.workspace_clients import TokenPerWorkspace
from bot.store.sql import SqlStore
from bot.workspace import Workspace
from tests.slack_stand_in import Call, Reply, SlackStandIn

# Monday 3 June 2024, 09:00 UTC, and a tick half a minute later.
SLOT = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)
JUST_AFTER = SLOT + timedelta(seconds=30)
POSTED = "chat.postMessage"
RATE_LIMITED = Reply(
    {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}
)


def token_of(team: str) -> str:
    """Each workspace's bot token; the stand-in maps it back to the team."""
    return f"xoxb-{team}"


class Workspaces:
    """A database with channels subscribed in several workspaces, and the job that posts."""

    def __init__(self, settings: Settings, stand_in: SlackStandIn) -> None:
        self.settings = settings
        self.stand_in = stand_in
        self.store: SqlStore = open_store(settings)
        # Workspaces with no installation: no token, so never called.
        self.uninstalled: set[str] = set()
        # How often each workspace's token was looked up (a database read in OAuth mode).
        self.token_reads: Counter[str] = Counter()
        self.clients = TokenPerWorkspace(self.settings, self.token)

    def token(self, workspace: Workspace) -> str | None:
        """The workspace's bot token, None when it is not installed; each call counted."""
        self.token_reads[workspace.team_id] += 1
        return None if workspace.team_id in self.uninstalled else token_of(workspace.team_id)

    def subscribe(self, team: str, channels: int) -> list[str]:
        """Subscribe `channels` channels of `team` for Mondays 09:00 UTC, a day before SLOT."""
        self.stand_in.teams[token_of(team)] = team
        ids = [f"C{team}{n}" for n in range(channels)]
        for channel in ids:
            sub = Subscription.new(
                Workspace(team),
                channel,
                Schedule(0, "09:00", "UTC"),
                "U-admin",
                SLOT - timedelta(days=1),
            )
            self.store.save_subscription(sub)
        return ids

    def tick(self, at: datetime = JUST_AFTER) -> DeliveryReport | None:
        """One run of the minute job at `at`, as the scheduler builds it."""
        services = Services(
            settings=self.settings,
            library=load_current_library(self.settings),
            store=self.store,
            clock=lambda: at,
        )
        posters = slack_posters(self.settings, self.clients)
        return NuggetJob(services, *posters, before_tick=self.clients.next_tick).run()

    def posts(self, team: str) -> list[Call]:
        """Every post the stand-in recorded from `team`'s token, oldest first."""
        return [call for call in self.stand_in.calls_to(POSTED) if call.team == team]

    def ledger(self, team: str) -> Counter[str]:
        """The slot's ledger rows of `team` by status."""
        rows = self.store.for_workspace(Workspace(team)).deliveries(since=SLOT)
        return Counter(row.status for row in rows if row.slot_at == SLOT)


@pytest.fixture
def workspaces(settings: Settings, stand_in: SlackStandIn) -> Workspaces:
    """Several workspaces, none subscribed yet."""
    return Workspaces(settings, stand_in)


def once_each(calls: list[Call]) -> bool:
    """Whether no channel got more than one post."""
    return all(count == 1 for count in Counter(str(c.params["channel"]) for c in calls).values())


def test_a_429_storm_in_one_workspace_does_not_hold_back_another(workspaces: Workspaces) -> None:
    """A's first three calls get 429 Retry-After 1: B's posts all land before A's first one."""
    a_channels = workspaces.subscribe("TA", 3)
    b_channels = workspaces.subscribe("TB", 5)
    workspaces.stand_in.script_team("TA", RATE_LIMITED, RATE_LIMITED, RATE_LIMITED)
    started = time.monotonic()
    report = workspaces.tick()
    assert report is not None
    assert report.sent == 8
    a_posts, b_posts = workspaces.posts("TA"), workspaces.posts("TB")
    assert sorted(c.params["channel"] for c in a_posts) == a_channels
    assert sorted(c.params["channel"] for c in b_posts) == b_channels
    assert once_each(a_posts)
    assert once_each(b_posts)
    assert workspaces.stand_in.rate_limited == 3
    # A waited out Retry-After; B, with nothing to wait for, was done long before.
    assert a_posts[0].at - started >= 1.0
    assert max(c.at for c in b_posts) < min(c.at for c in a_posts)
    assert max(c.at for c in b_posts) - started < 1.0, "B waited for A's pause"
    assert workspaces.ledger("TA") == {"sent": 3}
    assert workspaces.ledger("TB") == {"sent": 5}


def test_a_dead_workspace_stops_at_once_and_a_failing_one_is_never_reposted(
    workspaces: Workspaces,
) -> None:
    """invalid_auth stops TA's posts (all 20 slots left to retry); TB's 500s end 'failed',
    each called once; TD, not installed, is never called; TC gets every post."""
    workspaces.subscribe("TA", 20)
    workspaces.subscribe("TB", 5)
    c_channels = workspaces.subscribe("TC", 10)
    workspaces.subscribe("TD", 3)
    workspaces.uninstalled.add("TD")
    stand_in = workspaces.stand_in
    stand_in.answer_team("TA", Reply({"ok": False, "error": "invalid_auth"}))
    stand_in.answer_team("TB", Reply({"ok": False, "error": "internal_error"}, status=500))
    report = workspaces.tick()
    assert report is not None, "healthy workspaces make it a normal tick"
    assert sorted(c.params["channel"] for c in workspaces.posts("TC")) == c_channels
    assert workspaces.ledger("TC") == {"sent": 10}
    # At most the 8 TA posts already started when Slack first said invalid_auth.
    assert 1 <= len(workspaces.posts("TA")) <= 8
    assert workspaces.ledger("TA") == {"retry": 20}
    assert len(workspaces.posts("TB")) == 5
    assert once_each(workspaces.posts("TB"))
    assert workspaces.ledger("TB") == {"failed": 5}
    rows = workspaces.store.for_workspace(Workspace("TB")).deliveries(since=SLOT)
    assert all("may have posted" in str(row.reason) for row in rows)
    assert workspaces.posts("TD") == []
    assert workspaces.ledger("TD") == {"retry": 3}

    # The token is fixed and TD installed: the next tick posts what waited, and nothing of TB.
    stand_in.answer_team("TA", Reply({"ok": True}))
    stand_in.answer_team("TB", Reply({"ok": True}))
    workspaces.uninstalled.clear()
    report = workspaces.tick(JUST_AFTER + timedelta(minutes=1))
    assert report is not None
    assert workspaces.ledger("TA") == {"sent": 20}
    assert workspaces.ledger("TD") == {"sent": 3}
    assert len(workspaces.posts("TB")) == 5, "a slot Slack may have posted is never re-sent"
    assert workspaces.ledger("TB") == {"failed": 5}


def test_calls_in_flight_never_exceed_the_cap(settings: Settings, stand_in: SlackStandIn) -> None:
    """30 workspaces of 3 channels, a cap of 4, each call answered after 50 ms: at most 4
    at once at the stand-in, several at once, and every slot posted once."""
    stand_in.latency = 0.05
    workspaces = Workspaces(replace(settings, slack_calls_in_flight=4), stand_in)
    for n in range(30):
        workspaces.subscribe(f"T{n:02d}", 3)
    report = workspaces.tick()
    assert report is not None
    assert report.sent == 90
    posts = stand_in.calls_to(POSTED)
    assert len(posts) == 90
    assert len({(c.team, c.params["channel"]) for c in posts}) == 90
    assert 2 <= stand_in.max_in_flight <= 4


def test_each_workspaces_token_is_looked_up_once_a_tick(workspaces: Workspaces) -> None:
    """Ten posts in TA and four in TB read each token once; the next week's tick reads
    them again (so a new token or an uninstall counts from the next tick on)."""
    workspaces.subscribe("TA", 10)
    workspaces.subscribe("TB", 4)

    first = workspaces.tick()
    assert workspaces.token_reads == {"TA": 1, "TB": 1}
    workspaces.uninstalled.add("TB")
    second = workspaces.tick(JUST_AFTER + timedelta(weeks=1))

    assert workspaces.token_reads == {"TA": 2, "TB": 2}
    assert first is not None
    assert first.sent == 14
    assert second is not None
    assert second.sent == 10
    assert len(workspaces.posts("TA")) == 20
    assert len(workspaces.posts("TB")) == 4
