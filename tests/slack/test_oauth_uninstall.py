"""OAuth mode: app_uninstalled and tokens_revoked, and a workspace that comes back."""

import json
from collections.abc import Iterator
from dataclasses import replace

import pytest

from bot.nuggets.models import Subscription
from bot.nuggets.schedule import Schedule
from bot.workspace import Workspace
from tests.oauth import OAuthBot, drop_slack_tables, oauth_settings, start_oauth_bot
from tests.signing import post, signed_headers
from tests.slack.test_oauth_install import ACME, GLOBEX, ORG, posted_tokens
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


def test_an_org_wide_uninstall_forgets_the_orgs_workspaces_and_nobody_else(
    two_teams: OAuthBot,
) -> None:
    """Slack names only the org: the org's workspaces lose their schedules, commitments and
    votes; Acme and Globex, outside the org, keep theirs."""
    assert two_teams.install(ORG).status == 200
    store = two_teams.services.store
    monday = Schedule(0, "09:00", "UTC")
    for place in (Workspace("T5", "E1"), Workspace("T6", "E1"), Workspace("T2")):
        scoped = store.for_workspace(place)
        scoped.save_subscription(Subscription.new(place, "C1", monday, "U1", NOW))
        scoped.toggle_vote("C1", "1.1", "U1", NOW)
    in_org, _ = store.save_commitment(replace(DRAFT, team_id="T5", enterprise_id="E1"), NOW)
    outside, _ = store.save_commitment(replace(DRAFT, team_id="T2"), NOW)

    payload = {
        "type": "event_callback",
        "enterprise_id": "E1",
        "team_id": None,
        "api_app_id": "A1",
        "event_id": "EvOrgGone",
        "event_time": 1,
        "is_ext_shared_channel": False,
        "event": {"type": "app_uninstalled"},
        "authorizations": [
            {
                "enterprise_id": "E1",
                "team_id": None,
                "user_id": "UBOT",
                "is_bot": True,
                "is_enterprise_install": True,
            }
        ],
    }
    body = json.dumps(payload)
    headers = signed_headers(body) | {"Content-Type": "application/json"}
    assert post(f"{two_teams.base_url}/slack/events", body, headers).status == 200

    assert two_teams.installations.bot_token(Workspace("T5", "E1")) is None
    for team in ("T5", "T6"):
        gone = store.for_workspace(Workspace(team, "E1"))
        assert gone.get_subscription("C1") is None
        assert gone.vote_count("C1", "1.1") == 0
    assert store.get_commitment(in_org.id, "U1") is None
    kept = store.for_workspace(Workspace("T2"))
    assert kept.get_subscription("C1") is not None
    assert kept.vote_count("C1", "1.1") == 1
    assert store.get_commitment(outside.id, "U1") == outside
    assert two_teams.installations.bot_token(Workspace("T2")) == "xoxb-globex"
