"""Committing to a tip, as a person does it in Slack: I'll try this, the modal, the DM.

Every request is signed and sent over real HTTP; the modal is read back from the stand-in's
record of `views.open` and submitted as Slack would submit it.
"""

import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.content.model import Tip
from bot.slack import messages
from tests.conftest import RunningBot
from tests.signing import post, signed_headers
from tests.slack.coaching_requests import (
    COMMIT_DUE,
    COMMIT_NOTE,
    COMMIT_TEXT,
    EPHEMERAL,
    HOME,
    Clock,
    Where,
    at,
    button,
    click,
    dms_to,
    errors_of,
    input_element,
    opened_view,
    submit,
)
from tests.slack.test_app_home import open_home, published
from tests.slack_stand_in import Fault, Reply, acted_then

# Wednesday 4 March 2026, 15:30 UTC (16:30 in Berlin).
NOW = at(4, 15, 30)
BERLIN = ZoneInfo("Europe/Berlin")
NEXT_WEEK_9_BERLIN = at(11, 8, 0)  # 09:00 CET


@pytest.fixture
def coach_bot(bot: RunningBot) -> RunningBot:
    """The bot at NOW, with U1 in Berlin as far as Slack is concerned."""
    bot.services.clock = Clock(NOW)
    bot.stand_in.timezones["U1"] = "Europe/Berlin"
    return bot


def a_tip(bot: RunningBot, number: int = 0) -> Tip:
    """One of the shipped tips."""
    return bot.services.library.current.tips[number]


def try_value(blocks: list[dict[str, Any]]) -> str:
    """The value of the "I'll try this" button in some blocks."""
    return str(button(blocks, messages.TRY_THIS)["value"])


def commit_from_answer(bot: RunningBot) -> tuple[Tip, dict[str, Any]]:
    """Ask `/tip`, press I'll try this under the answer; the tip and the modal it opened."""
    answer = bot.command("").json()
    title = answer["blocks"][0]["text"]["text"]
    tip = next(t for t in bot.services.library.current.tips if t.title == title)
    before = len(bot.stand_in.calls_to("views.open"))
    assert click(bot, messages.TRY_THIS, try_value(answer["blocks"])).body == ""
    view, _ = opened_view(bot, before + 1)
    return tip, view


def test_i_ll_try_this_opens_the_modal_within_slacks_three_seconds(coach_bot: RunningBot) -> None:
    """The click's trigger opens a modal with the tip's try line to edit (at most 300
    characters), a check-in a week away at 09:00 in the person's Slack timezone, a note."""
    answer = coach_bot.command("").json()
    clicked = time.monotonic()
    reply = click(coach_bot, messages.TRY_THIS, try_value(answer["blocks"]))
    assert (reply.status, reply.body) == (200, "")
    view, call = opened_view(coach_bot)
    assert call.at - clicked < 3.0
    assert coach_bot.stand_in.calls_to("users.info")[0].params["user"] == "U1"
    title = answer["blocks"][0]["text"]["text"]
    tip = next(t for t in coach_bot.services.library.current.tips if t.title == title)
    assert (view["type"], view["callback_id"]) == ("modal", "coach_commit_modal")
    assert view["title"]["text"] == "I'll try this"
    assert title in json.dumps(view["blocks"], ensure_ascii=False)
    text = input_element(view, COMMIT_TEXT)
    assert (text["initial_value"], text["max_length"]) == (tip.try_, 300)
    due = input_element(view, COMMIT_DUE)
    assert due["type"] == "datetimepicker"
    assert due["initial_date_time"] == int(NEXT_WEEK_9_BERLIN.timestamp())
    (note_block,) = [b for b in view["blocks"] if b.get("block_id") == COMMIT_NOTE]
    assert note_block["optional"] is True
    assert "Only you can see" in json.dumps(view["blocks"])


def test_submitting_stores_the_commitment_and_dms_when_the_check_in_comes(
    coach_bot: RunningBot,
) -> None:
    """Own words, a time and a note go in; the DM says the check-in time in Berlin time."""
    tip, view = commit_from_answer(coach_bot)
    due = at(9, 17, 0)  # Monday 18:00 in Berlin
    reply = submit(coach_bot, view, text="Walk Grace through the release", due=due, note="ask")
    assert errors_of(reply) == {}
    (commitment,) = coach_bot.store.commitments_of("U1")
    assert (commitment.tip_id, commitment.tip_title, commitment.text) == (
        tip.id,
        tip.title,
        "Walk Grace through the release",
    )
    assert (commitment.note, commitment.due_at, commitment.timezone) == (
        "ask",
        due,
        "Europe/Berlin",
    )
    assert (commitment.team_id, commitment.state) == ("T1", "active")
    (dm,) = coach_bot.stand_in.wait_for("chat.postMessage")
    assert dm.params["channel"] == "U1"
    assert "You're on!" in dm.params["text"]
    assert ">Walk Grace through the release" in dm.params["text"]
    assert "Monday 9 March 2026, 18:00 (Europe/Berlin)" in dm.params["text"]
    assert "`/tip me`" in dm.params["text"]


def channel_post(bot: RunningBot, tip: Tip) -> tuple[list[dict[str, Any]], Where]:
    """A weekly tip posted in a channel."""
    return messages.nugget_message(tip, votes=0), Where(channel_id="C7", message_ts="7.7")


def weekly_dm(bot: RunningBot, tip: Tip) -> tuple[list[dict[str, Any]], Where]:
    """A weekly tip in the person's DM."""
    return messages.nugget_message(tip, votes=0, in_dm=True), Where(channel_id="DU1")


def shared_tip(bot: RunningBot, tip: Tip) -> tuple[list[dict[str, Any]], Where]:
    """A tip someone else shared in a channel."""
    return messages.shared_tip_message(tip, "U2"), Where(channel_id="C8", message_ts="8.8")


@pytest.mark.parametrize("surface", [channel_post, weekly_dm, shared_tip])
def test_every_tip_message_has_i_ll_try_this(
    coach_bot: RunningBot,
    surface: Callable[[RunningBot, Tip], tuple[list[dict[str, Any]], Where]],
) -> None:
    """A weekly post, a weekly DM and a shared tip each commit the clicker to that tip."""
    tip = a_tip(coach_bot, 3)
    blocks, where = surface(coach_bot, tip)
    click(coach_bot, messages.TRY_THIS, try_value(blocks), where=where, blocks=blocks)
    view, _ = opened_view(coach_bot)
    assert input_element(view, COMMIT_TEXT)["initial_value"] == tip.try_
    assert errors_of(submit(coach_bot, view)) == {}
    (commitment,) = coach_bot.store.commitments_of("U1")
    assert (commitment.tip_id, commitment.text) == (tip.id, tip.try_)


@pytest.mark.parametrize("which", ["featured tip", "topic tip"])
def test_committing_from_the_home_tab_draws_the_tab_again_with_it(
    coach_bot: RunningBot, which: str
) -> None:
    """The featured tip and the tip under the topic menu both commit; the tab says so and
    lists the commitment under My coaching."""
    view = open_home(coach_bot, "U1")
    if which == "topic tip":
        menu = {"action_id": "home_topic", "selected_option": {"value": "mentoring"}}
        from tests.slack.test_app_home import home_action  # noqa: PLC0415

        home_action(coach_bot, "U1", {**menu, "type": "static_select"})
        view = published(coach_bot, 1)
    values = [
        element["value"]
        for block in view["blocks"]
        for element in block.get("elements", ())
        if element.get("action_id") == messages.TRY_THIS
    ]
    value = values[0] if which == "featured tip" else values[-1]
    tip_id = json.loads(value)["tip"]
    click(coach_bot, messages.TRY_THIS, value, where=HOME)
    modal, _ = opened_view(coach_bot)
    before = len(coach_bot.stand_in.calls_to("views.publish"))
    assert errors_of(submit(coach_bot, modal, text="My way")) == {}
    after = published(coach_bot, before)
    shown = json.dumps(after["blocks"], ensure_ascii=False)
    assert "You're on! I'll check in on Wednesday 11 March 2026, 09:00 (Europe/Berlin)." in shown
    assert "My coaching" in shown
    assert "My way" in shown
    assert coach_bot.store.commitments_of("U1")[0].tip_id == tip_id


def test_committing_again_to_the_same_tip_edits_the_commitment(coach_bot: RunningBot) -> None:
    """The second click opens the commitment as saved, to edit; still one commitment."""
    tip = a_tip(coach_bot)
    value = try_value(messages.tip_message(tip))
    click(coach_bot, messages.TRY_THIS, value)
    first, _ = opened_view(coach_bot)
    submit(coach_bot, first, text="Version one", due=at(9, 8, 0), note="first note")
    click(coach_bot, messages.TRY_THIS, value)
    second, _ = opened_view(coach_bot, 2)
    assert second["title"]["text"] == "Edit your commitment"
    assert input_element(second, COMMIT_TEXT)["initial_value"] == "Version one"
    assert input_element(second, COMMIT_NOTE)["initial_value"] == "first note"
    assert input_element(second, COMMIT_DUE)["initial_date_time"] == int(at(9, 8, 0).timestamp())
    assert errors_of(submit(coach_bot, second, text="Version two")) == {}
    (commitment,) = coach_bot.store.commitments_of("U1")
    assert (commitment.text, commitment.due_at) == ("Version two", at(9, 8, 0))
    first_dm, second_dm = coach_bot.stand_in.wait_for("chat.postMessage", count=2)
    assert "You're on!" in first_dm.params["text"]
    assert "Updated." in second_dm.params["text"]


@pytest.mark.parametrize(
    ("fields", "block", "error"),
    [
        ({"text": "  "}, COMMIT_TEXT, "Say in a few words what you'll try."),
        ({"text": "x" * 301}, COMMIT_TEXT, "That's 301 characters; keep it to 300."),
        ({"due": None}, COMMIT_DUE, "Pick a day and a time for the check-in."),
        (
            {"due": NOW - timedelta(hours=1)},
            COMMIT_DUE,
            "That time has passed. Pick one at least 2 minutes from now.",
        ),
        (
            {"due": NOW + timedelta(minutes=1)},
            COMMIT_DUE,
            "Pick a time at least 2 minutes from now.",
        ),
        (
            {"due": NOW + timedelta(days=91)},
            COMMIT_DUE,
            "Pick a time within the next 90 days.",
        ),
        (
            {"note": "n" * 1001},
            COMMIT_NOTE,
            "Keep the note to 1,000 characters (it has 1,001).",
        ),
    ],
)
def test_a_bad_field_comes_back_under_it_and_nothing_is_stored(
    coach_bot: RunningBot, fields: dict[str, Any], block: str, error: str
) -> None:
    """response_action errors, keyed by the field's block; no commitment, no DM."""
    _, view = commit_from_answer(coach_bot)
    assert errors_of(submit(coach_bot, view, **fields)) == {block: error}
    assert coach_bot.store.commitments_of("U1") == []
    time.sleep(0.2)
    assert coach_bot.stand_in.calls_to("chat.postMessage") == []


def test_a_check_in_two_minutes_ahead_is_accepted(coach_bot: RunningBot) -> None:
    """The earliest allowed time is fine."""
    _, view = commit_from_answer(coach_bot)
    assert errors_of(submit(coach_bot, view, due=NOW + timedelta(minutes=2))) == {}


def test_slack_slow_to_say_the_timezone_still_opens_the_modal_in_time(
    coach_bot: RunningBot,
) -> None:
    """users.info answering after 3 s: the modal opens after about a second, in UTC (the
    bot's default), and says which timezone it uses."""
    coach_bot.stand_in.fail_after_acting("users.info", acted_then(Fault.SLOW, delay=3.0))
    answer = coach_bot.command("").json()
    clicked = time.monotonic()
    click(coach_bot, messages.TRY_THIS, try_value(answer["blocks"]))
    view, call = opened_view(coach_bot)
    assert call.at - clicked < 2.5
    due = input_element(view, COMMIT_DUE)["initial_date_time"]
    assert due == int(at(11, 9, 0).timestamp())
    assert "(UTC)" in json.dumps(view["blocks"])


def test_a_replayed_submission_stores_and_dms_once(coach_bot: RunningBot) -> None:
    """The same signed view_submission sent twice: one commitment, one DM."""
    _, view = commit_from_answer(coach_bot)
    replies: list[Any] = []
    original = coach_bot.signed

    def send_twice(body: str) -> Any:
        headers = signed_headers(body)
        replies.append(post(coach_bot.url, body, headers))
        return post(coach_bot.url, body, headers)

    coach_bot.signed = send_twice  # type: ignore[method-assign]
    try:
        submit(coach_bot, view)
    finally:
        coach_bot.signed = original  # type: ignore[method-assign]
    coach_bot.stand_in.wait_for("chat.postMessage")
    time.sleep(0.3)
    assert len(coach_bot.store.commitments_of("U1")) == 1
    assert len(dms_to(coach_bot, "U1")) == 1


def test_a_tip_removed_since_it_was_shown_says_so_instead_of_a_modal(
    coach_bot: RunningBot,
) -> None:
    """An old answer's button for a tip no longer served: told, only them, no modal."""
    click(coach_bot, messages.TRY_THIS, json.dumps({"tip": "no-longer-here"}), where=EPHEMERAL)
    (said,) = coach_bot.stand_in.wait_for("response:click")
    assert "removed from the library" in said.params["text"]
    assert said.params["response_type"] == "ephemeral"
    assert coach_bot.stand_in.calls_to("views.open") == []


def test_the_confirmation_is_not_the_only_dm_if_slack_refuses_it(coach_bot: RunningBot) -> None:
    """A confirmation DM Slack refuses still leaves the commitment stored."""
    coach_bot.stand_in.script("chat.postMessage", Reply({"ok": False, "error": "cannot_dm_bot"}))
    _, view = commit_from_answer(coach_bot)
    assert errors_of(submit(coach_bot, view)) == {}
    coach_bot.stand_in.wait_for("chat.postMessage")
    assert len(coach_bot.store.commitments_of("U1")) == 1
