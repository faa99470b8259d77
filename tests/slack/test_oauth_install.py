"""OAuth mode over real HTTP: Add to Slack, the redirect back, and each workspace's token.

Bolt's OAuth flow runs against the Slack stand-in (oauth.v2.access through SLACK_API_URL),
with the installs in the bot's own database, on SQLite and on PostgreSQL.
"""

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.slack.installations import manifest_bot_scopes
from bot.workspace import Workspace
from tests.oauth import CLIENT_ID, OAuthBot, drop_slack_tables, oauth_settings, start_oauth_bot
from tests.slack_stand_in import Grant, SlackStandIn

ACME = Grant(bot_token="xoxb-acme", installer="UINSTALL", team_id="T1", team_name="Acme")
GLOBEX = Grant(bot_token="xoxb-globex", installer="UHANK", team_id="T2", team_name="Globex")
ORG = Grant(
    bot_token="xoxb-org",
    installer="UBOSS",
    enterprise_id="E1",
    enterprise_name="Initech Group",
)


@pytest.fixture
def oauth_bot(stand_in: SlackStandIn, database_url: str) -> Iterator[OAuthBot]:
    """tipbot in OAuth mode with no install yet."""
    drop_slack_tables(database_url)
    with start_oauth_bot(oauth_settings(stand_in, database_url), stand_in) as bot:
        yield bot


def posted_tokens(stand_in: SlackStandIn, count: int) -> list[str | None]:
    """The tokens of the first `count` chat.postMessage calls."""
    return [call.token for call in stand_in.wait_for("chat.postMessage", count=count)]


def test_add_to_slack_sends_the_person_to_slack_with_a_state_and_its_cookie(
    oauth_bot: OAuthBot,
) -> None:
    """GET /slack/install redirects to Slack's authorize URL with the manifest's scopes."""
    started = oauth_bot.start_install()

    url = urlsplit(started.authorize_url)
    query = parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://slack.com/oauth/v2/authorize"
    assert query["client_id"] == [CLIENT_ID]
    assert query["scope"] == [",".join(manifest_bot_scopes())]
    assert started.cookie == f"slack-app-oauth-state={started.state}"


def test_an_install_is_stored_and_that_teams_requests_use_its_token(oauth_bot: OAuthBot) -> None:
    """The redirect back stores the install; T1's /tip posts with T1's token, T2's with T2's."""
    page = oauth_bot.install(ACME)

    assert page.status == 200
    assert "tipbot is installed in Acme" in page.body
    access = oauth_bot.stand_in.wait_for("oauth.v2.access")[0]
    assert access.params["code"] == "code-1"
    assert oauth_bot.installations.bot_token(Workspace("T1")) == "xoxb-acme"

    assert oauth_bot.install(GLOBEX).status == 200
    assert oauth_bot.command("subscribe mon 09:00", team_id="T1").status == 200
    assert posted_tokens(oauth_bot.stand_in, 1) == ["xoxb-acme"]
    assert oauth_bot.command("subscribe mon 09:00", team_id="T2").status == 200
    assert posted_tokens(oauth_bot.stand_in, 2) == ["xoxb-acme", "xoxb-globex"]


def test_an_org_wide_install_answers_every_workspace_of_the_org(oauth_bot: OAuthBot) -> None:
    """An Enterprise Grid org-wide install: requests from any of its workspaces use its token."""
    page = oauth_bot.install(ORG)

    assert page.status == 200
    assert "tipbot is installed in Initech Group" in page.body
    for team in ("T5", "T6"):
        assert oauth_bot.installations.bot_token(Workspace(team, "E1")) == "xoxb-org"
        assert oauth_bot.command("subscribe mon 09:00", team, enterprise_id="E1").status == 200
    assert posted_tokens(oauth_bot.stand_in, 2) == ["xoxb-org", "xoxb-org"]
    assert oauth_bot.installations.bot_token(Workspace("T5")) is None


def test_a_team_that_never_installed_gets_no_token(oauth_bot: OAuthBot) -> None:
    """A request from a workspace with no install is not answered with anyone's token."""
    oauth_bot.install(ACME)

    reply = oauth_bot.command("subscribe mon 09:00", team_id="T9")

    assert reply.status == 200
    assert "no longer available" in reply.body or reply.body == ""
    assert oauth_bot.stand_in.calls_to("chat.postMessage") == []
    assert oauth_bot.installations.bot_token(Workspace("T9")) is None


def test_a_state_used_twice_fails_the_second_time_and_stores_nothing(
    oauth_bot: OAuthBot,
) -> None:
    """Coming back with the same state again (a reload, a replay) is refused."""
    oauth_bot.stand_in.grants["code-a"] = ACME
    started = oauth_bot.start_install()
    assert oauth_bot.come_back(started, code="code-a", state=started.state).status == 200

    again = oauth_bot.come_back(started, code="code-a", state=started.state)

    assert again.status == 401
    assert "expired or was already used" in again.body
    assert "Nothing was installed or stored" in again.body
    assert len(oauth_bot.stand_in.calls_to("oauth.v2.access")) == 1
    assert oauth_bot.stored() == 1


def test_a_state_older_than_ten_minutes_fails_and_stores_nothing(oauth_bot: OAuthBot) -> None:
    """Ten minutes and a second after Add to Slack, the state has expired."""
    oauth_bot.stand_in.grants["code-a"] = ACME
    started = oauth_bot.start_install()
    oauth_bot.clock.ahead = timedelta(minutes=10, seconds=1)

    page = oauth_bot.come_back(started, code="code-a", state=started.state)

    assert page.status == 401
    assert "expired or was already used" in page.body
    assert oauth_bot.stand_in.calls_to("oauth.v2.access") == []
    assert oauth_bot.stored() == 0


def test_a_state_just_under_ten_minutes_old_still_installs(oauth_bot: OAuthBot) -> None:
    """The control case: 9 minutes 59 seconds later the install goes through."""
    oauth_bot.stand_in.grants["code-a"] = ACME
    started = oauth_bot.start_install()
    oauth_bot.clock.ahead = timedelta(minutes=9, seconds=59)

    assert oauth_bot.come_back(started, code="code-a", state=started.state).status == 200
    assert oauth_bot.stored() == 1


def test_a_person_who_cancels_is_told_so_and_nothing_is_stored(oauth_bot: OAuthBot) -> None:
    """Cancel on Slack's page comes back as error=access_denied."""
    started = oauth_bot.start_install()

    page = oauth_bot.come_back(started, error="access_denied", state=started.state)

    assert page.status == 200
    assert "You chose Cancel" in page.body
    assert oauth_bot.stand_in.calls_to("oauth.v2.access") == []
    assert oauth_bot.stored() == 0


def test_a_code_slack_refuses_fails_and_stores_nothing(oauth_bot: OAuthBot) -> None:
    """oauth.v2.access answers invalid_code: the failure page, and no install."""
    started = oauth_bot.start_install()

    page = oauth_bot.come_back(started, code="not-a-code", state=started.state)

    assert page.status == 401
    assert "Slack refused to complete the install" in page.body
    assert len(oauth_bot.stand_in.calls_to("oauth.v2.access")) == 1
    assert oauth_bot.stored() == 0


def test_a_state_without_its_cookie_fails(oauth_bot: OAuthBot) -> None:
    """The redirect opened in another browser (no state cookie) is refused."""
    oauth_bot.stand_in.grants["code-a"] = ACME
    started = oauth_bot.start_install()

    page = oauth_bot.get(f"/slack/oauth_redirect?code=code-a&state={started.state}")

    assert page.status == 400
    assert "another browser" in page.body
    assert oauth_bot.stored() == 0


def test_an_error_from_slack_is_shown_escaped(oauth_bot: OAuthBot) -> None:
    """Whatever error Slack (or anyone) puts in the URL is shown as text, never as HTML."""
    started = oauth_bot.start_install()

    page = oauth_bot.come_back(started, error="<script>x</script>", state=started.state)

    assert "<script>x" not in page.body
    assert "&lt;script&gt;x&lt;/script&gt;" in page.body
