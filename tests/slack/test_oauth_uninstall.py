"""OAuth mode: app_uninstalled and tokens_revoked, and a workspace that comes back."""

from collections.abc import Iterator
from dataclasses import replace

import pytest

from bot.workspace import Workspace
from tests.oauth import OAuthBot, drop_slack_tables, oauth_settings, start_oauth_bot
from tests.slack.test_oauth_install import ACME, GLOBEX, posted_tokens
from tests.slack_stand_in import SlackStandIn
from tests.store.test_coaching_store import DRAFT, NOW

UNINSTALLED = {"type": "app_uninstalled"}
BOT_TOKEN_REVOKED = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}}


@pytest.fixture
def two_teams(stand_in: SlackStandIn, database_url: str) -> Iterator[OAuthBot]:
    """tipbot in OAuth mode, installed in Acme (T1) and Globex (T2)."""
    drop_slack_tables(database_url)
    with start_oauth_bot(oauth_settings(stand_in, database_url), stand_in) as bot:
        assert bot.install(ACME).status == 200
        assert bot.install(GLOBEX).status == 200
        yield bot


def test_app_uninstalled_forgets_the_install_and_the_workspaces_data(two_teams: OAuthBot) -> None:
    """T1 uninstalls: its install and commitments go; T2's stay, and T2 is still answered."""
    store = two_teams.services.store
    ours, _ = store.save_commitment(DRAFT, NOW)
    theirs, _ = store.save_commitment(replace(DRAFT, team_id="T2"), NOW)

    assert two_teams.event(UNINSTALLED, team_id="T1").status == 200

    assert two_teams.installations.bot_token(Workspace("T1")) is None
    assert two_teams.installations.bot_token(Workspace("T2")) == "xoxb-globex"
    assert store.get_commitment(ours.id, "U1") is None
    assert store.get_commitment(theirs.id, "U1") == theirs
    assert two_teams.command("subscribe mon 09:00", team_id="T1").status == 200
    assert two_teams.command("subscribe mon 09:00", team_id="T2").status == 200
    assert posted_tokens(two_teams.stand_in, 1) == ["xoxb-globex"]
    assert len(two_teams.stand_in.calls_to("chat.postMessage")) == 1


def test_a_workspace_that_reinstalls_starts_cleanly_with_its_new_token(
    two_teams: OAuthBot,
) -> None:
    """After an uninstall, a new install stores the new token and nothing of before."""
    store = two_teams.services.store
    old, _ = store.save_commitment(DRAFT, NOW)
    two_teams.event(UNINSTALLED, team_id="T1")

    assert two_teams.install(replace(ACME, bot_token="xoxb-acme-again")).status == 200

    assert two_teams.installations.bot_token(Workspace("T1")) == "xoxb-acme-again"
    assert store.get_commitment(old.id, "U1") is None
    assert two_teams.command("subscribe mon 09:00", team_id="T1").status == 200
    assert posted_tokens(two_teams.stand_in, 1) == ["xoxb-acme-again"]


def test_a_revoked_bot_token_is_never_used_again(two_teams: OAuthBot) -> None:
    """tokens_revoked for T1's bot: T1 gets nothing posted with it; T2 is untouched."""
    before = len(two_teams.stand_in.calls)
    assert two_teams.event(BOT_TOKEN_REVOKED, team_id="T1").status == 200

    assert two_teams.installations.bot_token(Workspace("T1")) is None
    assert two_teams.command("subscribe mon 09:00", team_id="T1").status == 200
    assert two_teams.command("subscribe mon 09:00", team_id="T2").status == 200
    assert posted_tokens(two_teams.stand_in, 1) == ["xoxb-globex"]
    assert all(call.token != "xoxb-acme" for call in two_teams.stand_in.calls[before:])
