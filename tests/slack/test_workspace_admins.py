"""Who is a tipbot admin: per workspace in OAuth mode, TIPBOT_ADMINS alone for one workspace."""

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.conftest import RunningBot
from tests.oauth import OAuthBot, drop_slack_tables, oauth_settings, start_oauth_bot
from tests.slack.test_oauth_install import ACME, GLOBEX
from tests.slack_stand_in import SlackStandIn

OPERATOR = "UOPS"
REFUSED = "Sorry, only tipbot admins"


@pytest.fixture
def oauth_bot(stand_in: SlackStandIn, tmp_path) -> Iterator[OAuthBot]:
    """OAuth mode on SQLite, installed in Acme (T1, by UINSTALL) and Globex (T2, by UHANK),
    with one operator in TIPBOT_ADMINS."""
    url = f"sqlite:///{tmp_path / 'tipbot.db'}"
    drop_slack_tables(url)
    settings = oauth_settings(stand_in, url, admins=frozenset({OPERATOR}))
    with start_oauth_bot(settings, stand_in) as bot:
        assert bot.install(ACME).status == 200
        assert bot.install(GLOBEX).status == 200
        yield bot


def stats_answer(bot: OAuthBot, user_id: str, team_id: str = "T1") -> str:
    """What `/tip stats` from `user_id` in `team_id` answers in the ack."""
    reply = bot.command("stats", team_id=team_id, user_id=user_id)
    assert reply.status == 200
    return str(json.loads(reply.body)["text"])


def users_info_asked(bot: OAuthBot, user_id: str) -> int:
    """How often tipbot asked Slack's users.info about `user_id`."""
    return sum(1 for c in bot.stand_in.calls_to("users.info") if c.params.get("user") == user_id)


def test_whoever_installed_tipbot_is_an_admin_there_without_asking_slack(
    oauth_bot: OAuthBot,
) -> None:
    """The installer of T1 reads stats in T1; users.info is not needed for them."""
    assert REFUSED not in stats_answer(oauth_bot, "UINSTALL")
    assert users_info_asked(oauth_bot, "UINSTALL") == 0


def test_the_installer_of_one_workspace_is_not_an_admin_of_another(oauth_bot: OAuthBot) -> None:
    """T1's installer has no say in T2 (where Slack gives them no role)."""
    assert REFUSED in stats_answer(oauth_bot, "UINSTALL", team_id="T2")


@pytest.mark.parametrize("role", ["admin", "owner"])
def test_a_workspace_admin_or_owner_is_an_admin(
    oauth_bot: OAuthBot, stand_in: SlackStandIn, role: str
) -> None:
    """users.info's is_admin or is_owner makes a person a tipbot admin, asked with T1's token."""
    stand_in.roles["UBOSS"] = role

    assert REFUSED not in stats_answer(oauth_bot, "UBOSS")
    asked = [c for c in stand_in.calls_to("users.info") if c.params.get("user") == "UBOSS"]
    assert [c.token for c in asked] == ["xoxb-acme"]


def test_a_member_is_refused_and_told_who_the_admins_are(oauth_bot: OAuthBot) -> None:
    """A member with no role is refused, in words that fit a workspace that installed tipbot."""
    answer = stats_answer(oauth_bot, "UMEMBER")

    assert answer.startswith(REFUSED)
    assert "Slack admins and owners, and whoever installed tipbot here" in answer


def test_an_operator_in_tipbot_admins_is_an_admin_everywhere(oauth_bot: OAuthBot) -> None:
    """TIPBOT_ADMINS holds in every workspace, with no users.info."""
    assert REFUSED not in stats_answer(oauth_bot, OPERATOR, team_id="T1")
    assert REFUSED not in stats_answer(oauth_bot, OPERATOR, team_id="T2")
    assert users_info_asked(oauth_bot, OPERATOR) == 0


def test_slacks_answer_is_remembered_for_five_minutes(
    oauth_bot: OAuthBot, stand_in: SlackStandIn
) -> None:
    """Clicking /tip stats again asks Slack nothing; a role change shows within 5 minutes."""
    stand_in.roles["UBOSS"] = "admin"
    for _ in range(3):
        assert REFUSED not in stats_answer(oauth_bot, "UBOSS")
    assert users_info_asked(oauth_bot, "UBOSS") == 1

    del stand_in.roles["UBOSS"]
    oauth_bot.clock.ahead = timedelta(minutes=5, seconds=1)

    assert REFUSED in stats_answer(oauth_bot, "UBOSS")
    assert users_info_asked(oauth_bot, "UBOSS") == 2


def test_one_workspace_mode_keeps_tipbot_admins_only(admin_bot: RunningBot) -> None:
    """With a bot token, a Slack admin is not a tipbot admin and users.info is never asked."""
    admin_bot.stand_in.roles["UBOSS"] = "owner"

    reply = admin_bot.command("stats", user_id="UBOSS")

    assert json.loads(reply.body)["text"].startswith(REFUSED)
    assert admin_bot.stand_in.calls_to("users.info") == []


def home_tab(bot: OAuthBot, user_id: str, team_id: str) -> tuple[str, str | None]:
    """Open the Home tab as `user_id` in `team_id`: the view's JSON and the token it used."""
    before = len(bot.stand_in.calls_to("views.publish"))
    event = {"type": "app_home_opened", "user": user_id, "channel": "D1", "tab": "home"}
    assert bot.event(event, team_id=team_id).status == 200
    call = bot.stand_in.wait_for("views.publish", count=before + 1)[before]
    return json.dumps(call.params["view"]), call.token


def test_the_home_tab_shows_the_admin_status_to_that_workspaces_admins_only(
    oauth_bot: OAuthBot,
) -> None:
    """T1's installer sees the status on T1's Home tab, drawn with T1's token; not on T2's."""
    view, token = home_tab(oauth_bot, "UINSTALL", team_id="T1")
    assert "Admin: status" in view
    assert token == "xoxb-acme"

    view, token = home_tab(oauth_bot, "UINSTALL", team_id="T2")
    assert "Admin: status" not in view
    assert token == "xoxb-globex"
