"""Editing tip files under a running bot: it keeps answering, and admins hear about mistakes."""

import dataclasses
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.content.topics import TOPICS_FILE
from bot.slack.messages import SECTION_LIMIT
from tests.conftest import RunningBot, start_bot
from tests.slack_stand_in import SlackStandIn

TIP_FILE = "leadership-senior-vs-staff-engineer.yaml"
NEW_TIP = """\
source:
  title: "A newer article"
  author: someone
  date: 2026-01-01
tips:
  - id: brand-new-tip
    title: A brand new tip about pairing
    body: Pair with someone from another team for an hour.
    try: Book one pairing hour with a neighbouring team this week.
    tags: [communication]
    level: both
"""


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll `condition` until it holds; the watcher debounces, so this takes a moment."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


@pytest.fixture
def watched_bot(settings: Settings, stand_in: SlackStandIn, tips_dir: Path) -> Iterator[RunningBot]:
    """A bot serving `tips_dir`, watching it, with one admin."""
    configured = dataclasses.replace(settings, tips_dir=tips_dir, admins=frozenset({"UADMIN"}))
    with start_bot(configured, stand_in) as bot:
        time.sleep(0.3)  # let the watcher start before the test edits anything
        yield bot


def titles_served(bot: RunningBot) -> set[str]:
    """Every title the bot currently serves."""
    return {tip.title for tip in bot.services.library.current.tips}


def test_a_broken_edit_keeps_the_old_tips_then_the_fix_is_picked_up(
    watched_bot: RunningBot, tips_dir: Path
) -> None:
    """Breaking a file while answering keeps the last good tips; fixing it serves the fix."""
    path = tips_dir / TIP_FILE
    good = path.read_text(encoding="utf-8")
    before = titles_served(watched_bot)
    loaded_at = watched_bot.services.library.loaded_at

    path.write_text(good.replace("    body: >-\n", "    boddy: >-\n", 1), encoding="utf-8")
    wait_until(lambda: bool(watched_bot.services.library.errors))
    for _ in range(20):
        reply = watched_bot.command("")
        assert reply.status == 200
        assert reply.json()["blocks"][0]["text"]["text"] in before
    assert titles_served(watched_bot) == before
    assert watched_bot.services.library.loaded_at == loaded_at

    (dm,) = watched_bot.stand_in.wait_for("chat.postMessage")
    assert dm.params["channel"] == "UADMIN"
    assert f"{TIP_FILE}:" in dm.params["text"]
    assert 'unknown field "boddy"' in dm.params["text"]

    path.write_text(good.replace("Train people so nothing", "Train people so nothing ever"))
    wait_until(
        lambda: "Train people so nothing ever stops without you" in titles_served(watched_bot)
    )
    assert watched_bot.services.library.errors == ()
    assert len(watched_bot.stand_in.calls_to("chat.postMessage")) == 1, "the DM is sent once"


def test_a_file_removed_and_added_back(watched_bot: RunningBot, tips_dir: Path) -> None:
    """Removing a file removes its tips; adding it back (or a new one) serves them again."""
    path = tips_dir / TIP_FILE
    saved = path.read_text(encoding="utf-8")
    (tips_dir / "extra.yaml").write_text(NEW_TIP, encoding="utf-8")
    wait_until(lambda: "A brand new tip about pairing" in titles_served(watched_bot))
    assert "brand new tip" in watched_bot.command("pairing").body

    path.unlink()
    wait_until(lambda: titles_served(watched_bot) == {"A brand new tip about pairing"})
    path.write_text(saved, encoding="utf-8")
    wait_until(lambda: len(titles_served(watched_bot)) > 20)


def test_an_edit_to_the_topics_file_is_picked_up(watched_bot: RunningBot, tips_dir: Path) -> None:
    """A synonym saved in topics.yaml finds its topic in `/tip` without a restart."""
    library = watched_bot.services.library
    assert library.current.resolve_topic("pager") is None
    path = tips_dir / TOPICS_FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("synonyms: [outage,", "synonyms: [pager, outage,"), "utf-8")

    wait_until(lambda: library.current.resolve_topic("pager") == "incidents")
    assert "Another incidents tip" in watched_bot.command("pagers").body


def reload_answer(bot: RunningBot, user_id: str) -> tuple[str, str]:
    """`/tip reload`: what the ack says at once, and what follows on the response URL."""
    before = len(bot.stand_in.calls_to("response:cmd"))
    ack = bot.command("reload", user_id=user_id).json()["text"]
    if "Reloading" not in ack:
        return ack, ""
    follow_up = bot.stand_in.wait_for("response:cmd", count=before + 1)[before]
    return ack, follow_up.params["text"]


def test_reload_command_reports_what_changed(watched_bot: RunningBot) -> None:
    """`/tip reload` acks at once, then reports the counts; others are refused at the ack."""
    refused, follow_up = reload_answer(watched_bot, "U2")
    assert "only tipbot admins" in refused
    assert "<@UADMIN>" in refused
    assert follow_up == ""

    ack, report = reload_answer(watched_bot, "UADMIN")
    assert ack == "Reloading the tip files…"
    assert report == (
        f":white_check_mark: Reloaded {len(watched_bot.services.library.current)} tips: "
        "0 added, 0 changed, 0 removed."
    )


def test_reload_command_lists_errors_and_keeps_the_last_good_tips(
    watched_bot: RunningBot, tips_dir: Path
) -> None:
    """A broken file makes `/tip reload` list the error with file:line, escaped."""
    path = tips_dir / TIP_FILE
    path.write_text(path.read_text().replace("\n    level: staff", "\n    level: <!channel>", 1))
    _, report = reload_answer(watched_bot, "UADMIN")
    assert "still serving the last good tips" in report
    assert f"{TIP_FILE}:" in report
    assert "<!channel>" not in report
    assert "Fix the file and save it" in report
    assert len(titles_served(watched_bot)) > 20


def test_reload_and_stats_need_named_admins(bot: RunningBot) -> None:
    """With no TIPBOT_ADMINS, reload and stats are refused and say how to name admins."""
    for subcommand in ("reload", "stats"):
        answer = bot.command(subcommand).json()["text"]
        assert "none are set yet" in answer
        assert "TIPBOT_ADMINS" in answer


DEEPLY_NESTED = NEW_TIP.replace("tags: [communication]", "tags: " + "[" * 500 + "]" * 500)
TOO_DEEP = "deep.yaml:10: lists and mappings are nested more than 50 levels deep here"


def test_a_deeply_nested_file_at_start_is_reported_and_the_rest_served(
    settings: Settings, stand_in: SlackStandIn, tips_dir: Path
) -> None:
    """The bot starts despite 500 nested brackets, serves the good tips and DMs the error."""
    (tips_dir / "deep.yaml").write_text(DEEPLY_NESTED, encoding="utf-8")
    configured = dataclasses.replace(settings, tips_dir=tips_dir, admins=frozenset({"UADMIN"}))

    with start_bot(configured, stand_in) as bot:
        assert len(titles_served(bot)) > 20
        assert bot.command("").status == 200
        (dm,) = stand_in.wait_for("chat.postMessage")
        assert TOO_DEEP in dm.params["text"]


def test_reload_command_reports_deep_nesting_as_one_error(
    watched_bot: RunningBot, tips_dir: Path
) -> None:
    """`/tip reload` answers with the nesting error's file:line; the last good tips stay up."""
    before = titles_served(watched_bot)
    (tips_dir / "deep.yaml").write_text(DEEPLY_NESTED, encoding="utf-8")

    _, report = reload_answer(watched_bot, "UADMIN")

    assert report.startswith(":warning: 1 error in the tip files")
    assert TOO_DEEP in report
    assert titles_served(watched_bot) == before
    (dm,) = watched_bot.stand_in.wait_for("chat.postMessage")
    assert TOO_DEEP in dm.params["text"]


def test_reload_command_and_dm_about_thousands_of_errors_fit_one_message(
    watched_bot: RunningBot, tips_dir: Path
) -> None:
    """5,000 unknown keys: the reply and the DM count them all but list few, in one section."""
    keys = "".join(f"    key{number}: value\n" for number in range(5_000))
    text = NEW_TIP.replace("    level: both\n", "    level: both\n" + keys)
    (tips_dir / "keys.yaml").write_text(text, encoding="utf-8")

    _, report = reload_answer(watched_bot, "UADMIN")

    listed = report.count("\n• ")
    assert report.startswith(":warning: 5000 errors in the tip files")
    assert f"…and {5_000 - listed} more; run `tipbot validate` to see all." in report
    assert len(report) <= SECTION_LIMIT
    (dm,) = watched_bot.stand_in.wait_for("chat.postMessage")
    assert len(dm.params["text"]) <= SECTION_LIMIT
