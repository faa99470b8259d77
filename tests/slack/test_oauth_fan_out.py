"""OAuth mode's weekly fan-out: each workspace's posts go with its own install's token."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.nuggets.models import Subscription
from bot.nuggets.schedule import Schedule
from bot.runner import nugget_job
from bot.scheduler import NuggetJob
from bot.workspace import Workspace
from tests.oauth import OAuthBot, drop_slack_tables, oauth_settings, start_oauth_bot
from tests.slack.test_oauth_install import ACME, GLOBEX
from tests.slack_stand_in import SlackStandIn

# Monday 3 June 2024, 09:00 UTC, and a tick half a minute later.
SLOT = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)
UNINSTALLED = {"type": "app_uninstalled"}
BOT_TOKEN_REVOKED = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}}


@pytest.fixture
def installed(stand_in: SlackStandIn, database_url: str) -> Iterator[OAuthBot]:
    """tipbot in OAuth mode, installed in Acme (T1) and Globex (T2), a channel subscribed
    in each."""
    drop_slack_tables(database_url)
    with start_oauth_bot(oauth_settings(stand_in, database_url), stand_in) as bot:
        assert bot.install(ACME).status == 200
        assert bot.install(GLOBEX).status == 200
        for team in ("T1", "T2"):
            store = bot.services.store.for_workspace(Workspace(team))
            schedule = Schedule(0, "09:00", "UTC")
            sub = Subscription.new(
                Workspace(team), f"C{team}", schedule, "U1", SLOT - timedelta(days=1)
            )
            store.save_subscription(sub)
        yield bot


def tick(bot: OAuthBot, job: NuggetJob | None = None, weeks: int = 0) -> None:
    """A run of the scheduler's minute job (a new one unless `job` is given), as
    `scheduler_for` builds it, half a minute after SLOT or the slot `weeks` later."""
    bot.services.clock = lambda: SLOT + timedelta(weeks=weeks, seconds=30)
    (job or nugget_job(bot.services)).run()


def posted(bot: OAuthBot, since: int = 0) -> list[tuple[str, str | None]]:
    """(channel, token) of each chat.postMessage the stand-in got, from the `since`th on."""
    posts = bot.stand_in.calls_to("chat.postMessage")[since:]
    return sorted((str(p.params["channel"]), p.token) for p in posts)


def test_each_workspace_is_posted_to_with_its_own_token(installed: OAuthBot) -> None:
    """Acme's channel gets Acme's token, Globex's Globex's."""
    tick(installed)
    posts = installed.stand_in.calls_to("chat.postMessage")
    assert sorted((p.params["channel"], p.token) for p in posts) == [
        ("CT1", "xoxb-acme"),
        ("CT2", "xoxb-globex"),
    ]


def test_an_uninstalled_workspace_is_not_posted_to_and_the_others_are(installed: OAuthBot) -> None:
    """After Acme uninstalls, nothing is posted with its old token; Globex gets its post."""
    assert installed.event(UNINSTALLED, team_id="T1").status == 200
    tick(installed)
    posts = installed.stand_in.calls_to("chat.postMessage")
    assert [(p.params["channel"], p.token) for p in posts] == [("CT2", "xoxb-globex")]


def test_a_reinstall_between_ticks_posts_with_the_new_token(installed: OAuthBot) -> None:
    """The same job, a week on, after Acme reinstalled: Acme's post goes with the new token
    (tokens are remembered for a tick, not longer)."""
    job = nugget_job(installed.services)
    tick(installed, job)
    assert installed.install(replace(ACME, bot_token="xoxb-acme-again")).status == 200

    tick(installed, job, weeks=1)

    assert posted(installed, since=2) == [("CT1", "xoxb-acme-again"), ("CT2", "xoxb-globex")]


def test_a_revoked_token_between_ticks_posts_nothing_there(installed: OAuthBot) -> None:
    """The same job, a week on, after Slack revoked Acme's bot token: nothing goes to Acme
    (with the token the first tick used); Globex gets its post."""
    job = nugget_job(installed.services)
    tick(installed, job)
    assert posted(installed) == [("CT1", "xoxb-acme"), ("CT2", "xoxb-globex")]
    assert installed.event(BOT_TOKEN_REVOKED, team_id="T1").status == 200

    tick(installed, job, weeks=1)

    assert posted(installed, since=2) == [("CT2", "xoxb-globex")]


def test_an_uninstall_between_ticks_posts_nothing_there(installed: OAuthBot) -> None:
    """The same job, a week on, after Acme uninstalled: Acme gets no post, Globex does."""
    job = nugget_job(installed.services)
    tick(installed, job)
    assert installed.event(UNINSTALLED, team_id="T1").status == 200

    tick(installed, job, weeks=1)

    assert posted(installed, since=2) == [("CT2", "xoxb-globex")]
