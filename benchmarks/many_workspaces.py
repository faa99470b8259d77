"""Benchmark 6: one slot due in 1,000 workspaces at once (issue 11, section 3).

1,000 workspaces with 5 subscribed channels each, all due in the same minute, tipbot in
OAuth mode: each workspace has its own install in slack-sdk's installation store, in the
same SQLite file as the subscriptions (the last few are Enterprise Grid workspaces whose
token is their org's org-wide install). The stand-in knows each workspace by its bot token,
answers every call after 100 ms, and allows 1 chat.postMessage a second per channel and 20 a
second per workspace (a second's burst, then 429 with Retry-After). tipbot's minute job
(NuggetJob with the Slack posters and the clients `tipbot serve` and `tipbot clock` build in
OAuth mode, bot.runner.posting_clients: each workspace's token from the installation store,
the Pacer, a real SqlStore on SQLite) runs in its own process, started with spawn, its clock
a second after the slot; the stand-in stays in this process. At most `calls_in_flight` (64)
calls are in flight, so the floor is 5,000 x 0.1 s / 64 = 7.8 s.

Two runs on fresh databases: every workspace healthy; then one workspace whose every call is
answered `invalid_auth` and another whose every call is answered HTTP 500. Targets: within
1.2x the floor, 0 lost, 0 duplicates, peak RSS of the fan-out's process under 300 MB, the
dead workspace's slots left to 'retry' and the 500 workspace's 'failed', each posted at most
once.

`--quick`: 300 workspaces. `python -m benchmarks.many_workspaces --workspaces 200` (or
`--in-flight 32`) runs other sizes.
"""

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing.queues import Queue
from pathlib import Path

from slack_sdk.oauth.installation_store import Installation

from benchmarks.report import render_table, verdict
from bot.config import Settings
from bot.nuggets.models import Subscription
from bot.nuggets.schedule import Schedule
from bot.runner import load_current_library, nugget_job, open_store
from bot.scheduler import NuggetJob
from bot.services import Services
from bot.slack.installations import open_installations
from bot.store.database import engine_from_url, migrate
from bot.store.sql import SqlStore
from bot.workspace import Workspace
from tests.slack_stand_in import Reply, SlackStandIn

REPO = Path(__file__).resolve().parents[1]
WORKSPACES = 1_000
QUICK_WORKSPACES = 300
CHANNELS_PER_WORKSPACE = 5
LATENCY_SECONDS = 0.1
PER_WORKSPACE_PER_SECOND = 20.0
PER_CHANNEL_PER_SECOND = 1.0
CALLS_IN_FLIGHT = 64
# Monday 3 June 2024, 09:00 UTC: every channel's slot. The clock reads one second after it.
SLOT = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)
TICK_AT = SLOT + timedelta(seconds=1)
SUBSCRIBED_AT = SLOT - timedelta(days=1)
SUBSCRIBER = "U0BENCH"
# The workspaces that answer every call with an error in the second run.
DEAD = "T0000001"
BROKEN = "T0000002"
# Targets from issue 11, section 3.
MAX_FLOOR_RATIO = 1.2
MAX_RSS_MB = 300.0
POSTED = "chat.postMessage"
# The last this many workspaces are each in an Enterprise Grid org installed org-wide, so
# their token is found by the org after the workspace's own install is looked for in vain.
ORG_WIDE = 10


def team_ids(count: int) -> list[str]:
    """The workspaces' team ids."""
    return [f"T{index:07d}" for index in range(1, count + 1)]


def workspace_of(team_id: str, count: int) -> Workspace:
    """A workspace as its subscriptions know it: the last ORG_WIDE are in a Grid org each."""
    index = int(team_id.removeprefix("T"))
    if index > count - ORG_WIDE:
        return Workspace(team_id, f"E{index:07d}")
    return Workspace(team_id)


def token_of(team_id: str) -> str:
    """The bot token the benchmark gives a workspace (the stand-in maps it back)."""
    return f"xoxb-bench-{team_id}"


def channel_ids(team_id: str) -> list[str]:
    """A workspace's subscribed channels; ids repeat across workspaces, as Slack's may."""
    return [f"C{index:07d}" for index in range(1, CHANNELS_PER_WORKSPACE + 1)]


@dataclass(frozen=True)
class Plan:
    """What the fan-out process works against."""

    database_url: str
    api_url: str
    workspaces: int
    calls_in_flight: int


@dataclass(frozen=True)
class Outcome:
    """What the fan-out process reports back: times are `time.monotonic()` (system-wide)."""

    started_at: float
    finished_at: float
    peak_rss_mb: float
    # CPU seconds the fan-out's process spent in the tick (user + system).
    cpu_seconds: float = 0.0
    sent: int = 0
    failed: int = 0
    retry: int = 0
    error: str | None = None


def oauth_settings(database_url: str, api_url: str = "", calls_in_flight: int = 1) -> Settings:
    """tipbot in OAuth mode (an app's client id and secret, no SLACK_BOT_TOKEN)."""
    return Settings(
        bot_token="",
        signing_secret="bench-signing-secret",
        client_id="bench-client-id",
        client_secret="bench-client-secret",
        api_url=api_url,
        tips_dir=REPO / "tips",
        database_url=database_url,
        scheduler_enabled=False,
        slack_calls_in_flight=calls_in_flight,
    )


def fan_out_job(plan: Plan) -> NuggetJob:
    """tipbot's minute job as the scheduler builds it in OAuth mode (bot.runner's wiring)."""
    settings = oauth_settings(plan.database_url, plan.api_url, plan.calls_in_flight)
    services = Services(
        settings=settings,
        library=load_current_library(settings),
        store=open_store(settings),
        clock=lambda: TICK_AT,
    )
    return nugget_job(services)


def fan_out_once(plan: Plan, results: "Queue[Outcome]") -> None:
    """Build the job, run one tick, and send back its report and this process's peak RSS."""
    job = fan_out_job(plan)
    cpu_before = cpu_seconds()
    started = time.monotonic()
    try:
        report = job.run()
    except BaseException:
        results.put(Outcome(started, time.monotonic(), peak_rss_mb(), error=traceback.format_exc()))
        raise
    finished = time.monotonic()
    if report is None:
        results.put(Outcome(started, finished, peak_rss_mb(), error="the tick failed; see log"))
        return
    results.put(
        Outcome(
            started_at=started,
            finished_at=finished,
            peak_rss_mb=peak_rss_mb(),
            cpu_seconds=cpu_seconds() - cpu_before,
            sent=report.sent,
            failed=report.failed,
            retry=report.retry,
        )
    )


def cpu_seconds() -> float:
    """User and system CPU time of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def installation(workspace: Workspace) -> Installation:
    """The install that gives `workspace` its token: its own, or its org's org-wide one."""
    org_wide = workspace.enterprise_id is not None
    return Installation(
        app_id="ABENCH",
        enterprise_id=workspace.enterprise_id,
        team_id=None if org_wide else workspace.team_id,
        bot_token=token_of(workspace.team_id),
        bot_id=f"B{workspace.team_id}",
        bot_user_id="UBOT",
        bot_scopes=["chat:write", "commands"],
        user_id="UINSTALLER",
        is_enterprise_install=org_wide,
        installed_at=SUBSCRIBED_AT.timestamp(),
    )


@contextmanager
def fresh_database(workspaces: int) -> Iterator[str]:
    """A migrated SQLite database with every workspace installed (through the installation
    store tipbot's OAuth flow saves to) and its channels subscribed before SLOT."""
    with tempfile.TemporaryDirectory(prefix="tipbot-workspaces-") as directory:
        url = f"sqlite:///{Path(directory) / 'tipbot.db'}"
        engine = engine_from_url(url)
        try:
            migrate(engine, SUBSCRIBED_AT)
            store = SqlStore(engine)
            installs = open_installations(oauth_settings(url), engine)
            mondays_9 = Schedule(0, "09:00", "UTC")
            for team_id in team_ids(workspaces):
                workspace = workspace_of(team_id, workspaces)
                installs.store.save(installation(workspace))
                for channel in channel_ids(team_id):
                    sub = Subscription.new(workspace, channel, mondays_9, SUBSCRIBER, SUBSCRIBED_AT)
                    store.save_subscription(sub)
        finally:
            engine.dispose()
        yield url


def ledger_statuses(url: str) -> dict[str, Counter[str]]:
    """The slot's ledger rows by status, per workspace."""
    engine = engine_from_url(url)
    try:
        rows = SqlStore(engine).deliveries(since=SLOT)
    finally:
        engine.dispose()
    by_team: dict[str, Counter[str]] = {}
    for row in rows:
        if row.slot_at == SLOT:
            by_team.setdefault(row.workspace.team_id, Counter())[row.status] += 1
    return by_team


@dataclass
class Run:
    """One fan-out: what the process reported, what Slack received, what the ledger says."""

    name: str
    workspaces: int
    calls_in_flight: int
    outcome: Outcome
    max_in_flight: int
    rate_limited: int
    posts: int
    lost: int
    duplicates: int
    ledger: Counter[str]
    # When the stand-in recorded the first and the last post, in seconds from the tick's start.
    first_post: float
    last_post: float
    # Workspaces answering errors: what reached the stand-in and what the ledger says.
    dead: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        """The tick's wall-clock time."""
        return self.outcome.finished_at - self.outcome.started_at

    @property
    def floor_seconds(self) -> float:
        """Every post waiting out the latency, `calls_in_flight` at a time."""
        posts = self.workspaces * CHANNELS_PER_WORKSPACE
        return posts * LATENCY_SECONDS / self.calls_in_flight

    @property
    def floor_ratio(self) -> float:
        """Elapsed over the floor."""
        return self.seconds / self.floor_seconds

    def missed_targets(self) -> list[str]:
        """Which targets this run misses, in words."""
        missed = list(self.problems)
        if self.floor_ratio > MAX_FLOOR_RATIO:
            missed.append(f"{self.floor_ratio:.2f}x the floor (max {MAX_FLOOR_RATIO}x)")
        if self.lost:
            missed.append(f"{self.lost} channels got no post")
        if self.duplicates:
            missed.append(f"{self.duplicates} duplicate posts")
        if self.outcome.peak_rss_mb >= MAX_RSS_MB:
            missed.append(f"peak RSS {self.outcome.peak_rss_mb:.0f} MB (max {MAX_RSS_MB:.0f})")
        if self.max_in_flight > self.calls_in_flight:
            missed.append(f"{self.max_in_flight} calls in flight (cap {self.calls_in_flight})")
        if self.outcome.error:
            missed.append(f"the fan-out failed: {self.outcome.error.strip().splitlines()[-1]}")
        return missed


def measure(name: str, workspaces: int, calls_in_flight: int, broken: bool) -> Run:
    """One fan-out of the slot to every workspace's channels, on a fresh database."""
    teams = team_ids(workspaces)
    stand_in = SlackStandIn()
    stand_in.teams = {token_of(team): team for team in teams}
    stand_in.latency = LATENCY_SECONDS
    stand_in.limit_per_workspace(POSTED, PER_WORKSPACE_PER_SECOND)
    stand_in.limit_per_channel(POSTED, PER_CHANNEL_PER_SECOND)
    if broken:
        stand_in.answer_team(DEAD, Reply({"ok": False, "error": "invalid_auth"}))
        stand_in.answer_team(BROKEN, Reply({"ok": False, "error": "internal_error"}, status=500))
    stand_in.start()
    try:
        with fresh_database(workspaces) as url:
            plan = Plan(url, stand_in.api_url, workspaces, calls_in_flight)
            outcome = run_process(plan, timeout=120 + 20 * plan.workspaces / 64)
            ledger = ledger_statuses(url)
        calls = stand_in.calls_to(POSTED)
        rate_limited, max_in_flight = stand_in.rate_limited, stand_in.max_in_flight
    finally:
        stand_in.stop()
    dead_teams = {DEAD, BROKEN} if broken else set()
    accepted = Counter((call.team, str(call.params.get("channel"))) for call in calls)
    wanted = [(team, channel) for team in teams for channel in channel_ids(team)]
    live = [key for key in wanted if key[0] not in dead_teams]
    total: Counter[str] = Counter()
    for counts in ledger.values():
        total.update(counts)
    run = Run(
        name=name,
        workspaces=workspaces,
        calls_in_flight=calls_in_flight,
        outcome=outcome,
        max_in_flight=max_in_flight,
        rate_limited=rate_limited,
        posts=sum(accepted[key] for key in live),
        lost=sum(1 for key in live if not accepted[key]),
        duplicates=sum(count - 1 for count in accepted.values() if count > 1),
        ledger=total,
        first_post=min((c.at for c in calls), default=outcome.started_at) - outcome.started_at,
        last_post=max((c.at for c in calls), default=outcome.started_at) - outcome.started_at,
    )
    live_sent = sum(ledger.get(team, Counter())["sent"] for team in teams if team not in dead_teams)
    if live_sent != len(live):
        run.problems.append(f"the ledger says {live_sent} sent, {len(live)} expected")
    for team, expected in ((DEAD, "retry"), (BROKEN, "failed")):
        if team not in dead_teams:
            continue
        reached = sum(count for (called, _), count in accepted.items() if called == team)
        statuses = ledger.get(team, Counter())
        run.dead[team] = f"{reached} calls, ledger {describe(statuses)}"
        if statuses[expected] != CHANNELS_PER_WORKSPACE:
            run.problems.append(f"{team}: ledger {describe(statuses)}, expected all {expected}")
    return run


def run_process(plan: Plan, timeout: float) -> Outcome:
    """Run the fan-out in its own process (spawned, as a clock process would start fresh)."""
    context = multiprocessing.get_context("spawn")
    results: Queue[Outcome] = context.Queue()
    process = context.Process(target=fan_out_once, args=(plan, results), name="fan-out")
    process.start()
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                return results.get(timeout=1.0)
            except Exception:
                if process.exitcode not in (None, 0) or time.monotonic() > deadline:
                    message = f"the fan-out process did not report (exit {process.exitcode})"
                    raise RuntimeError(message) from None
    finally:
        process.join(timeout=10)
        if process.is_alive():
            process.terminate()
            process.join()


def describe(ledger: Counter[str]) -> str:
    """Status counts, most common first: "sent 5000"."""
    return ", ".join(f"{status} {count:,}" for status, count in ledger.most_common()) or "empty"


def render(runs: list[Run]) -> tuple[str, bool]:
    """The results table with notes, and whether every run met every target."""
    rows = []
    notes: list[str] = []
    all_met = True
    for run in runs:
        missed = run.missed_targets()
        all_met = all_met and not missed
        notes.extend(f"  FAIL {run.name}: {why}" for why in missed)
        notes.extend(f"  {run.name}: {team} {what}" for team, what in run.dead.items())
        rows.append(
            [
                run.name,
                f"{run.workspaces:,}",
                f"{run.workspaces * CHANNELS_PER_WORKSPACE:,}",
                f"{run.seconds:.2f}",
                f"{run.floor_seconds:.2f}",
                f"{run.floor_ratio:.2f}x",
                f"{run.first_post:.2f}",
                f"{run.last_post:.2f}",
                f"{run.max_in_flight}/{run.calls_in_flight}",
                str(run.rate_limited),
                f"{run.posts:,}",
                str(run.lost),
                str(run.duplicates),
                f"{run.outcome.peak_rss_mb:.0f}",
                f"{run.outcome.cpu_seconds:.1f}",
                describe(run.ledger),
                verdict(not missed),
            ]
        )
    headers = ["run", "workspaces", "channels", "elapsed s", "floor s", "/floor"]
    headers += ["1st post s", "last post s"]
    headers += [
        "in flight max/cap",
        "429s",
        "posts",
        "lost",
        "dup",
        "RSS MB",
        "CPU s",
        "ledger",
        "target",
    ]
    lines = [
        f"One slot due in many workspaces ({CHANNELS_PER_WORKSPACE} channels each); the "
        f"stand-in answers after {LATENCY_SECONDS * 1000:.0f} ms and allows "
        f"{PER_CHANNEL_PER_SECOND:g} post/s per channel and {PER_WORKSPACE_PER_SECOND:g}/s "
        "per workspace (429 + Retry-After beyond); the fan-out in its own process",
        "",
        render_table(headers, rows),
        "",
        "floor = posts x latency / calls in flight; 1st and last post = when the stand-in "
        "recorded them, from the tick's start (a post is recorded as it arrives, 100 ms "
        "before its answer).",
        "in flight max = the most calls the "
        "stand-in had in progress at once; posts = posts the healthy workspaces' channels "
        "got.",
        "lost = channels of healthy workspaces with no post; dup = calls beyond one per "
        "channel (500s included); RSS = peak of the fan-out's process, CPU s = its CPU "
        "time in the tick.",
        f"broken: {DEAD} answers invalid_auth and {BROKEN} HTTP 500 to every call; their "
        "slots must end 'retry' and 'failed', each called at most once.",
        f"targets: <= {MAX_FLOOR_RATIO}x floor, 0 lost, 0 dup, RSS < {MAX_RSS_MB:.0f} MB, "
        "in flight <= cap, the ledger 'sent' for every healthy channel.",
        *notes,
    ]
    return "\n".join(lines), all_met


def report(workspaces: int, calls_in_flight: int) -> bool:
    """Both runs at one size; print the table and say whether every target was met."""
    runs = [
        measure("healthy", workspaces, calls_in_flight, broken=False),
        measure("broken", workspaces, calls_in_flight, broken=True),
    ]
    text, all_met = render(runs)
    print(text)
    return all_met


def run(quick: bool) -> bool:
    """`make bench`'s entry: 1,000 workspaces (300 with --quick)."""
    return report(QUICK_WORKSPACES if quick else WORKSPACES, CALLS_IN_FLIGHT)


def main(argv: list[str] | None = None) -> int:
    """`python -m benchmarks.many_workspaces`: other sizes or caps."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.many_workspaces", description=__doc__
    )
    parser.add_argument("--workspaces", type=int, default=WORKSPACES)
    parser.add_argument("--in-flight", type=int, default=CALLS_IN_FLIGHT, help="calls in flight")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    met = report(args.workspaces, args.in_flight)
    print(f"(many_workspaces: {time.perf_counter() - started:.1f} s)")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
