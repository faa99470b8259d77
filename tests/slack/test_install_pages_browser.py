"""The install pages in a real browser: headless Chromium from Debian's `chromium` package."""

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import RunningBot
from tests.oauth import OAuthBot, drop_slack_tables, oauth_settings, start_oauth_bot
from tests.preview.test_browser import ARTIFACTS, CHROMIUM, chromium, dump_dom
from tests.slack.test_oauth_install import ACME
from tests.slack_stand_in import SlackStandIn

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's chromium is not installed at /usr/bin/chromium; "
        "install it with `bash .ci/chromium` (CI does) to run the browser tests",
    ),
]


class Links(HTMLParser):
    """Every link on a page: its id, href and text."""

    def __init__(self) -> None:
        super().__init__()
        self.links: dict[str, tuple[str, str]] = {}
        self._open: tuple[str, str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a":
            self._open = (values.get("id") or "", values.get("href") or "", [])

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open[2].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            link_id, href, text = self._open
            self.links[link_id] = (href, "".join(text).strip())
            self._open = None


def links_in(dom: str) -> dict[str, tuple[str, str]]:
    """Link id -> (href, text) on a page."""
    reader = Links()
    reader.feed(dom)
    return reader.links


@pytest.fixture
def oauth_bot(stand_in: SlackStandIn, tmp_path: Path) -> Iterator[OAuthBot]:
    """OAuth mode on SQLite, nothing installed."""
    url = f"sqlite:///{tmp_path / 'tipbot.db'}"
    drop_slack_tables(url)
    with start_oauth_bot(oauth_settings(stand_in, url), stand_in) as bot:
        yield bot


def screenshot(tmp_path: Path, name: str, url: str) -> None:
    """Save what the browser shows at `url` as artifacts/<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    picture = ARTIFACTS / f"{name}.png"
    picture.unlink(missing_ok=True)
    chromium(tmp_path, f"--screenshot={picture}", "--window-size=900,700", url)
    assert picture.read_bytes().startswith(b"\x89PNG")


def test_the_landing_page_says_what_tipbot_does_and_links_add_to_slack(
    oauth_bot: OAuthBot, tmp_path: Path
) -> None:
    """GET / in OAuth mode: what tipbot does, and an Add to Slack button to /slack/install."""
    dom = dump_dom(tmp_path, oauth_bot.base_url + "/")

    assert links_in(dom)["add-to-slack"] == ("/slack/install", "Add to Slack")
    assert "One short tip at a time" in dom
    assert "<code>/tip</code>" in dom
    screenshot(tmp_path, "install-landing", oauth_bot.base_url + "/")


def test_a_cancelled_install_says_so_in_plain_words(oauth_bot: OAuthBot, tmp_path: Path) -> None:
    """Coming back with error=access_denied shows what happened and a way to try again."""
    url = oauth_bot.base_url + "/slack/oauth_redirect?error=access_denied&state=x"

    dom = dump_dom(tmp_path, url)

    assert "tipbot was not installed" in dom
    assert "You chose Cancel on Slack's page" in dom
    assert "Nothing was installed or stored." in dom
    assert links_in(dom)["try-again"] == ("/slack/install", "Try again")
    screenshot(tmp_path, "install-cancelled", url)


def test_the_success_page_says_where_and_how_to_start(oauth_bot: OAuthBot, tmp_path: Path) -> None:
    """After a real install (over HTTP, with its cookie), the page the browser is given."""
    page = oauth_bot.install(ACME)
    assert page.status == 200
    saved = tmp_path / "installed.html"
    saved.write_text(page.body, encoding="utf-8")

    dom = dump_dom(tmp_path, saved.as_uri())

    assert "tipbot is installed in Acme" in dom
    open_slack = ("https://slack.com/app_redirect?app=A1&team=T1", "Open Slack")
    assert links_in(dom)["open-slack"] == open_slack
    screenshot(tmp_path, "install-done", saved.as_uri())


def test_one_workspace_mode_keeps_its_plain_answer_at_the_root(
    bot: RunningBot, tmp_path: Path
) -> None:
    """With a bot token there is nothing to install: / is the health answer, as before."""
    root = bot.url.removesuffix("/slack/events") + "/"

    dom = dump_dom(tmp_path, root)

    assert "tipbot is running" in dom
    assert "Add to Slack" not in dom
