"""`/tip subscribe | schedule | unsubscribe` over real HTTP: what is stored, what users read."""

import json
from datetime import UTC, datetime

import pytest

from bot.nuggets.schedule import Schedule
from bot.scheduler import NuggetJob
from bot.slack.app import create_client
from bot.slack.posting import SlackNotifier, SlackPoster
from tests.conftest import RunningBot
from tests.old_rows import insert_old_subscription

# A Wednesday; the next Monday 09:00 in Berlin is 30 Nov 2026 08:00 UTC.
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def said(bot: RunningBot, text: str, user_id: str = "U1", channel_id: str = "C1") -> str:
    """The text of the ephemeral answer to `/tip <text>`."""
    reply = bot.command(text, user_id=user_id, channel_id=channel_id)
    assert reply.status == 200
    answer = reply.json()
    assert answer["response_type"] == "ephemeral"
    return json.dumps(answer["blocks"], ensure_ascii=False)


@pytest.fixture
def clocked(bot: RunningBot) -> RunningBot:
    """The bot with its clock fixed at NOW."""
    bot.services.clock = lambda: NOW
    return bot


def test_subscribe_stores_the_schedule_and_confirms_the_next_post(clocked: RunningBot) -> None:
    """`/tip subscribe mon 09:00 Europe/Berlin` is stored and confirmed in the channel's zone."""
    shown = said(clocked, "subscribe mon 09:00 Europe/Berlin")
    assert "Mondays at 09:00 (Europe/Berlin)" in shown
    assert "Monday 30 November 2026, 09:00 (Europe/Berlin)" in shown
    sub = clocked.store.get_subscription("C1")
    assert sub is not None
    assert sub.schedule == Schedule(0, "09:00", "Europe/Berlin")
    assert sub.subscribed_by == "U1"


def test_subscribe_defaults_to_monday_nine_in_the_configured_zone(clocked: RunningBot) -> None:
    """A bare `/tip subscribe` means Monday 09:00 in TIPBOT_TIMEZONE (UTC here)."""
    shown = said(clocked, "subscribe")
    assert "Mondays at 09:00 (UTC)" in shown
    sub = clocked.store.get_subscription("C1")
    assert sub is not None
    assert sub.schedule == Schedule(0, "09:00", "UTC")


def test_subscribing_again_changes_the_schedule_not_a_second_row(clocked: RunningBot) -> None:
    """A second subscribe replaces the schedule; there is still one subscription."""
    said(clocked, "subscribe mon 09:00")
    shown = said(clocked, "subscribe FRIDAY 16:30 america/new_york")
    assert "Changed" in shown
    assert "Fridays at 16:30 (America/New_York)" in shown
    subs = clocked.store.all_subscriptions()
    assert [(s.channel_id, s.schedule.weekday, s.schedule.time) for s in subs] == [
        ("C1", 4, "16:30")
    ]


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("subscribe funday", "funday"),
        ("subscribe mon 25:00", "25:00"),
        ("subscribe mon 13pm", "13pm"),
        ("subscribe mon 9", "`9` needs am, pm or minutes"),
        ("subscribe mon 09:00 Mars/Olympus", "Mars/Olympus"),
        ("subscribe <!channel>", "&lt;!channel&gt;"),
        ("subscribe mon 09:00 localtime", "localtime"),
        ("subscribe mon 09:00 posixrules", "posixrules"),
        ("subscribe mon 09:00 Factory", "Factory"),
        ("subscribe mon 09:00 ../etc/localtime", "../etc/localtime"),
        ("subscribe mon 09:00 right/UTC", "right/UTC"),
        ("subscribe mon 09:00 posix/Europe/Berlin", "posix/Europe/Berlin"),
    ],
)
def test_bad_schedules_are_explained_and_store_nothing(
    clocked: RunningBot, text: str, complaint: str
) -> None:
    """A schedule that makes no sense gets an error with an example, and nothing is saved."""
    shown = said(clocked, text)
    assert complaint in shown
    assert "/tip subscribe mon 09:00 Europe/Berlin" in shown
    assert "<!channel>" not in shown
    assert clocked.store.all_subscriptions() == []


def test_times_are_understood_as_people_type_them(clocked: RunningBot) -> None:
    """`/tip subscribe fri 4pm Europe/Berlin` is stored as 16:00 and confirmed that way."""
    shown = said(clocked, "subscribe fri 4pm Europe/Berlin")
    assert "Fridays at 16:00 (Europe/Berlin)" in shown
    assert "Friday 27 November 2026, 16:00 (Europe/Berlin)" in shown
    total = len(clocked.services.library.current)
    assert f"{total} tips before any repeats." in shown
    sub = clocked.store.get_subscription("C1")
    assert sub is not None
    assert sub.schedule == Schedule(4, "16:00", "Europe/Berlin")
    said(clocked, "subscribe noon")
    sub = clocked.store.get_subscription("C1")
    assert sub is not None
    assert sub.schedule == Schedule(0, "12:00", "UTC")


def test_every_unusable_word_is_reported_in_one_reply(clocked: RunningBot) -> None:
    """Three bad words get one reply naming all three, then an example; nothing is stored."""
    reply = clocked.command("subscribe funday 25:00 Mars/Olympus")
    text = reply.json()["text"]
    assert text.splitlines() == [
        ":warning: That schedule has 3 problems:",
        "• `funday` isn't a day, a time or a timezone I know. Days look like `mon` or "
        "`Monday`, times like `9am` or `16:30`, timezones like `Europe/Berlin`.",
        "• `25:00` isn't a time I understand. Try `9am`, `4pm`, `16:30` or `noon`.",
        "• `Mars/Olympus` isn't a timezone I know. Use an IANA name such as `Europe/Berlin`, "
        "`America/New_York` or `UTC`.",
        "For example: `/tip subscribe mon 09:00 Europe/Berlin`",
    ]
    assert clocked.store.all_subscriptions() == []


def test_a_pasted_paragraph_gets_a_short_reply(clocked: RunningBot) -> None:
    """Two hundred bad words: five are listed, the rest counted, all within one section."""
    reply = clocked.command("subscribe " + " ".join(f"word{n}" for n in range(200)))
    text = reply.json()["text"]
    assert text.startswith(":warning: That schedule has 200 problems:")
    assert text.count("\n• ") == 5
    assert "…and 195 more." in text
    assert len(text) < 3000


def test_a_legacy_zone_name_is_stored_in_tzdatas_spelling(clocked: RunningBot) -> None:
    """Links tzdata ships, such as US/Pacific, are accepted in any case and kept as named."""
    shown = said(clocked, "subscribe mon 09:00 us/pacific")
    assert "Mondays at 09:00 (US/Pacific)" in shown
    sub = clocked.store.get_subscription("C1")
    assert sub is not None
    assert sub.schedule.timezone == "US/Pacific"


def test_schedule_reports_next_post_and_tips_left(clocked: RunningBot) -> None:
    """`/tip schedule` shows the schedule, the next post and the rotation's remaining tips."""
    assert "isn't subscribed" in said(clocked, "schedule")
    said(clocked, "subscribe tue 10:15 Asia/Tokyo")
    shown = said(clocked, "schedule")
    total = len(clocked.services.library.current)
    assert "Tuesdays at 10:15 (Asia/Tokyo)" in shown
    assert "Tuesday 1 December 2026, 10:15 (Asia/Tokyo)" in shown
    assert f"{total} tips before any repeats." in shown
    assert "rotation" not in shown


def test_schedule_of_a_paused_subscription_says_why(clocked: RunningBot) -> None:
    """A paused subscription is shown with Slack's reason and how to resume."""
    said(clocked, "subscribe")
    clocked.store.pause_subscription("C1", "not_in_channel", NOW)
    shown = said(clocked, "schedule")
    assert "paused" in shown
    assert "not_in_channel" in shown
    assert "/tip subscribe" in shown


def test_a_channel_left_in_an_old_timezone_hears_why_and_how_to_fix_it(
    clocked: RunningBot,
) -> None:
    """`localtime` from an older version: /tip schedule says so, the tick pauses it, and a
    subscribe with a real timezone starts it again."""
    insert_old_subscription(clocked.store, "C1", "localtime", NOW)
    fix = "Type `/tip subscribe mon 09:00 Europe/Berlin` with your own timezone to start again."
    shown = said(clocked, "schedule")
    assert "can't be posted: its timezone `localtime` isn't one I know" in shown
    assert fix in shown

    web = create_client(clocked.services.settings)
    NuggetJob(clocked.services, SlackPoster(web), SlackNotifier(web, "/tip")).run()
    shown = said(clocked, "schedule")
    assert "Mondays at 09:00 (localtime)) is paused since Wednesday 25 November 2026" in shown
    assert "its timezone `localtime` isn't one I know" in shown
    assert "Slack said" not in shown
    assert fix in shown

    said(clocked, "subscribe mon 09:00 Europe/Berlin")
    sub = clocked.store.get_subscription("C1")
    assert sub is not None
    assert (sub.status, sub.schedule.timezone) == ("active", "Europe/Berlin")


def test_unsubscribe_removes_the_subscription(clocked: RunningBot) -> None:
    """`/tip unsubscribe` deletes it; a second one says there was nothing to stop."""
    said(clocked, "subscribe")
    assert "no more weekly tips" in said(clocked, "unsubscribe")
    assert clocked.store.get_subscription("C1") is None
    assert "wasn't subscribed" in said(clocked, "unsubscribe")


def test_only_admins_change_subscriptions_when_admins_are_set(admin_bot: RunningBot) -> None:
    """With TIPBOT_ADMINS set, others are refused politely and nothing changes."""
    refusal = said(admin_bot, "subscribe", user_id="U2")
    assert "only tipbot admins" in refusal
    assert "<@UADMIN>" in refusal
    assert admin_bot.store.get_subscription("C1") is None
    assert "Subscribed" in said(admin_bot, "subscribe", user_id="UADMIN")
    assert "only tipbot admins" in said(admin_bot, "unsubscribe", user_id="U2")
    assert admin_bot.store.get_subscription("C1") is not None
    assert "Mondays" in said(admin_bot, "schedule", user_id="U2")


def test_a_time_skipped_by_the_clock_change_is_shown_as_given(clocked: RunningBot) -> None:
    """02:30 on the spring-forward Sunday shows as 02:30, with a note on when it really goes."""
    clocked.services.clock = lambda: datetime(2026, 3, 25, 12, 0, tzinfo=UTC)
    shown = said(clocked, "subscribe sun 02:30 Europe/Berlin")
    assert "Sundays at 02:30 (Europe/Berlin)" in shown
    assert "Sunday 29 March 2026, 02:30 (Europe/Berlin)" in shown
    assert "the clock change that night moves this one to 03:30" in shown
