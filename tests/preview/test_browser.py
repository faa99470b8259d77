"""The preview in a real browser: headless Chromium from Debian's `chromium` package.

Chromium is driven from the command line (--dump-dom, --screenshot), so no Python
dependency is needed. CI installs it with `.ci/chromium`; locally the tests skip without it.
"""

import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from waitress.server import create_server

from bot.content.loader import load_library
from bot.content.search import find_tips
from bot.http_server import bound_port, close_from_another_thread
from bot.preview.live_library import LiveLibrary
from bot.preview.server import preview_app
from tests.conftest import REPO, SHIPPED_TIPS
from tests.preview.conftest import BROKEN_ERROR, BROKEN_TIP, LOADED_AT, Preview
from tests.preview.dom import read_page

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "artifacts"
SHIPPED = load_library(SHIPPED_TIPS).library

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's chromium is not installed at /usr/bin/chromium; "
        "install it with `bash .ci/chromium` (CI does) to run the browser tests",
    ),
]

# Quiet, reproducible headless runs: no sandbox (CI runs as root), no GPU, no calls home.
HEADLESS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def chromium(tmp_path: Path, *args: str) -> str:
    """Run headless Chromium with a fresh profile and return what it printed."""
    profile = tmp_path / f"chromium-profile-{len(list(tmp_path.glob('chromium-profile-*')))}"
    result = subprocess.run(
        [str(CHROMIUM), *HEADLESS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def dump_dom(tmp_path: Path, url: str, *args: str) -> str:
    """The page's DOM after its scripts ran."""
    return chromium(tmp_path, *args, "--dump-dom", url)


def test_tips_render(preview: Preview, tmp_path: Path):
    """Every tip shows as a card with its header, try line and drawn buttons; screenshot saved."""
    dom = dump_dom(tmp_path, preview.url)
    shown = read_page(dom)
    assert shown.visible == [tip.id for tip in SHIPPED.tips]
    assert shown.errors == []
    assert "🎯 <strong>Try this week:</strong>" in dom
    assert "Share in channel</button>" in dom
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "preview.png"
    screenshot.unlink(missing_ok=True)
    chromium(tmp_path, f"--screenshot={screenshot}", "--window-size=1280,2000", preview.url)
    assert screenshot.read_bytes().startswith(b"\x89PNG")


def test_search_filters_on_the_server(preview: Preview, tmp_path: Path):
    """Loading ?q=cache shows the cache tip, hides the others, and counts what is shown."""
    dom = dump_dom(tmp_path, preview.url + "?q=cache")
    shown = read_page(dom)
    assert "check-cache-limits" in shown.visible
    assert "train-team-to-fix-issues" in shown.hidden
    assert f'<span id="shown">{len(shown.visible)}</span>' in dom


def test_search_filters_in_the_page_script(preview: Preview, tmp_path: Path):
    """#q=outage&tag=mentoring is read by the page's script, which asks /matches what to show."""
    # The server saw no query, so only the script can have hidden anything; virtual time
    # lets its request to /matches finish before the DOM is dumped.
    url = preview.url + "#q=outage&tag=mentoring"
    dom = dump_dom(tmp_path, url, "--virtual-time-budget=5000")
    shown = read_page(dom)
    found = find_tips(SHIPPED, "outage").tips
    expected = [tip.id for tip in found if "mentoring" in tip.tags]
    assert expected
    assert shown.visible == expected
    assert len(shown.hidden) == len(SHIPPED) - len(expected)
    assert f'<span id="shown">{len(expected)}</span>' in dom
    assert "“/tip outage” names the topic “incidents”" in dom


def test_broken_file_shows_its_error(preview: Preview, tmp_path: Path):
    """A broken file's error is at the top as path:line while the good tips still render."""
    (preview.tips_dir / "broken.yaml").write_text(BROKEN_TIP, encoding="utf-8")
    dom = dump_dom(tmp_path, preview.url)
    shown = read_page(dom)
    assert len(shown.errors) == 1
    assert shown.errors[0].endswith(BROKEN_ERROR)
    assert shown.visible == [tip.id for tip in SHIPPED.tips]
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "preview-error.png"
    chromium(tmp_path, f"--screenshot={screenshot}", "--window-size=1280,900", preview.url)
    assert screenshot.read_bytes().startswith(b"\x89PNG")


@pytest.fixture
def breaking_preview(tips_dir: Path) -> Iterator[str]:
    """A preview that breaks a tip file right after the page first asks for the fingerprint."""
    app = preview_app(LiveLibrary(tips_dir, lambda: LOADED_AT))
    broken = threading.Event()

    def break_on_first_poll(environ: "WSGIEnvironment", start_response: "StartResponse"):
        if environ.get("PATH_INFO") == "/fingerprint" and not broken.is_set():
            broken.set()
            (tips_dir / "broken.yaml").write_text(BROKEN_TIP, encoding="utf-8")
        return app(environ, start_response)

    server = create_server(break_on_first_poll, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{bound_port(server)}/"  # type: ignore[arg-type]
    close_from_another_thread(server)  # type: ignore[arg-type]
    thread.join(timeout=5)


def test_page_reloads_itself_when_a_file_changes(breaking_preview: str, tmp_path: Path):
    """The page polls /fingerprint; when a file changes it reloads and shows the new error."""
    # Virtual time runs the page's one-second poll without waiting a real second.
    dom = dump_dom(tmp_path, breaking_preview, "--virtual-time-budget=5000")
    errors = read_page(dom).errors
    assert len(errors) == 1
    assert errors[0].endswith(BROKEN_ERROR)
