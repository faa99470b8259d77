"""What a person sees of their own coaching: `/tip me`, `/tip track`, My coaching on Home,
and how their track and focus weigh the tips they are shown."""

import json
import random
from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.coaching.models import CommitmentDraft, Profile
from bot.coaching.preferences import tip_weight
from bot.content.selection import MemoryRecentTips, TipPicker
from bot.nuggets.models import Subscription
from bot.nuggets.rotation import next_tip
from bot.nuggets.schedule import Schedule
from bot.slack import coaching_messages
from tests.conftest import RunningBot
from tests.slack.coaching_requests import Clock, at, button, scheduler_job, text_of
from tests.slack.test_app_home import home_action, open_home, published
from tests.teams import TEAM

NOW = at(12, 12, 0)  # Thursday 12 March 2026
WEEK = timedelta(weeks=1)


@pytest.fixture
def me_bot(bot: RunningBot) -> RunningBot:
    """The bot at NOW."""
    bot.services.clock = Clock(NOW)
    return bot


def live_a_month(bot: RunningBot, user_id: str = "U1") -> None:
    """Two done (this week and last), one partly, one dropped, one open, with reflections."""
    store = bot.store
    tips = bot.services.library.current.tips
    draft = CommitmentDraft("T1", user_id, "", "", "", None, NOW + WEEK, "Europe/Berlin")
    for number, (answer, when) in enumerate(
        [("done", NOW - WEEK), ("done", NOW), ("partly", NOW - 2 * WEEK), ("drop", NOW)]
    ):
        tip = tips[number]
        saved, _ = store.save_commitment(
            replace(draft, tip_id=tip.id, tip_title=tip.title, text=f"Try {number}", due_at=when),
            when - WEEK,
        )
        store.answer_commitment(saved.id, user_id, when, answer, when)  # type: ignore[arg-type]
        if answer != "drop":
            store.save_reflection(saved.id, user_id, f"Learned {number}", when)
    open_tip = tips[5]
    store.save_commitment(
        replace(draft, tip_id=open_tip.id, tip_title=open_tip.title, text="Ask for feedback"),
        NOW,
    )
    store.save_profile(Profile(user_id, "staff", ("mentoring", "delegation")), NOW)


def test_tip_me_before_anything_says_how_to_start(me_bot: RunningBot) -> None:
    """Nothing tried yet: how to commit, and how to set a track and focus."""
    answer = me_bot.command("me").json()
    assert answer["response_type"] == "ephemeral"
    shown = text_of(answer["blocks"])
    assert answer["blocks"][0]["text"]["text"] == "My coaching"
    assert "nothing yet. Press *I'll try this* under any tip." in shown
    assert "`/tip track senior`" in shown
    assert "0 done, 0 partly, 0 dropped, 0 lapsed" in shown


def test_tip_me_shows_what_you_try_when_i_check_in_your_streak_and_reflections(
    me_bot: RunningBot,
) -> None:
    """Open commitments with their check-in in your timezone, counts, streak, track, focus."""
    live_a_month(me_bot)
    shown = text_of(me_bot.command("me").json()["blocks"])
    assert "Ask for feedback" in shown
    assert "Check-in: Thursday 19 March 2026, 13:00 (Europe/Berlin)" in shown
    assert "2 done, 1 partly, 1 dropped, 0 lapsed" in shown
    assert "Streak: 2 weeks in a row with a Done" in shown
    assert "*Track:* Staff engineer" in shown
    assert "`mentoring`, `delegation`" in shown
    assert shown.index("Learned 1") < shown.index("Learned 0") < shown.index("Learned 2")
    assert "Only you can see this." in shown


def test_tip_track_sets_your_track_and_says_what_it_does(me_bot: RunningBot) -> None:
    """`/tip track staff` stores it and explains the 3 to 1 weighting; a wrong word explains."""
    reply = me_bot.command("track Staff").json()["text"]
    assert "Track set to *staff*" in reply
    assert "3 times as often" in reply
    assert "Nothing is left out." in reply
    assert me_bot.store.get_profile("U1") == Profile("U1", "staff", ())
    wrong = me_bot.command("track principal").json()["text"]
    assert "`principal` isn't a track. Your track is *staff*." in wrong
    assert me_bot.store.get_profile("U1") == Profile("U1", "staff", ())
    both = me_bot.command("track both").json()["text"]
    assert "no longer favour a track" in both


def test_my_coaching_is_at_the_top_of_the_home_tab_with_track_and_focus_menus(
    me_bot: RunningBot,
) -> None:
    """Before the tip of the week: what you try, the counts, a track menu and a focus menu
    of at most three topics that save what is picked."""
    live_a_month(me_bot)
    view = open_home(me_bot, "U1")
    shown = text_of(view["blocks"])
    assert view["blocks"][1]["text"]["text"] == ":seedling: *My coaching*"
    assert shown.index("Ask for feedback") < shown.index("Featured tip")
    track = button(view["blocks"], coaching_messages.HOME_TRACK)
    assert track["initial_option"]["value"] == "staff"
    focus = button(view["blocks"], coaching_messages.HOME_FOCUS)
    assert focus["max_selected_items"] == 3
    assert {o["value"] for o in focus["initial_options"]} == {"mentoring", "delegation"}
    home_action(
        me_bot,
        "U1",
        {
            "action_id": coaching_messages.HOME_TRACK,
            "type": "static_select",
            "selected_option": {"value": "senior"},
        },
    )
    published(me_bot, 1)
    picked = [{"value": v} for v in ("incidents", "nonsense", "mentoring", "delegation", "x")]
    home_action(
        me_bot,
        "U1",
        {
            "action_id": coaching_messages.HOME_FOCUS,
            "type": "multi_static_select",
            "selected_options": picked,
        },
    )
    after = published(me_bot, 2)
    assert me_bot.store.get_profile("U1") == Profile(
        "U1", "senior", ("incidents", "mentoring", "delegation")
    )
    assert "Focus topics: `incidents`, `mentoring`, `delegation`." in text_of(after["blocks"])


def test_a_fitting_tip_is_picked_three_times_as_often_and_none_is_left_out(
    me_bot: RunningBot,
) -> None:
    """12,000 picks with a fixed seed for a staff engineer: each staff tip comes about 3 times
    as often as each other tip (2.7 to 3.3), and every tip comes."""
    tips = me_bot.services.library.current.tips
    picker = TipPicker(random.Random(2026), MemoryRecentTips(per_user=0))
    weight = tip_weight(Profile("U1", "staff"))
    counts = Counter(
        picker.pick(tips, "U1", weight=weight).id  # type: ignore[union-attr]
        for _ in range(12_000)
    )
    staff = [t.id for t in tips if t.level == "staff"]
    others = [t.id for t in tips if t.level != "staff"]
    assert staff
    assert others
    assert set(counts) == {t.id for t in tips}
    ratio = (sum(counts[i] for i in staff) / len(staff)) / (
        sum(counts[i] for i in others) / len(others)
    )
    assert 2.7 <= ratio <= 3.3, ratio


def test_tip_favours_your_track_over_http_and_still_shows_the_rest(me_bot: RunningBot) -> None:
    """With the track staff, most of 120 `/tip` answers are staff tips; others still come."""
    levels = {t.title: t.level for t in me_bot.services.library.current.tips}
    me_bot.command("track staff")
    shown = [me_bot.command("").json()["blocks"][0]["text"]["text"] for _ in range(120)]
    staff = sum(levels[title] == "staff" for title in shown)
    share_without = sum(level == "staff" for level in levels.values()) / len(levels)
    assert staff / len(shown) > share_without + 0.1
    assert {levels[title] for title in shown} == {"senior", "staff", "both"}


def test_the_weekly_dm_rotation_draws_fitting_tips_first_but_keeps_every_tip(
    me_bot: RunningBot,
) -> None:
    """The first tip of 6,000 seeded rotations: staff tips 3 times as likely each; a round
    still has every tip once."""
    tips = me_bot.services.library.current.tips
    ids = [t.id for t in tips]
    by_id = {t.id: t for t in tips}
    weight = tip_weight(Profile("U1", "staff"))
    assert weight is not None
    rng = random.Random(99)
    firsts = Counter(next_tip(None, ids, rng, lambda i: weight(by_id[i]))[0] for _ in range(6000))
    staff = [i for i in ids if by_id[i].level == "staff"]
    others = [i for i in ids if by_id[i].level != "staff"]
    ratio = (sum(firsts[i] for i in staff) / len(staff)) / (
        sum(firsts[i] for i in others) / len(others)
    )
    assert 2.7 <= ratio <= 3.3, ratio
    rotation = None
    seen = []
    for _ in ids:
        chosen, rotation = next_tip(rotation, ids, rng, lambda i: weight(by_id[i]))
        seen.append(chosen)
    assert sorted(seen) == sorted(ids)


def test_the_scheduler_weighs_a_weekly_dm_by_its_person_and_a_channel_not_at_all(
    me_bot: RunningBot,
) -> None:
    """The job's favour: a DM subscriber's track counts; a channel's subscription has none."""
    me_bot.store.save_profile(Profile("U1", "staff"), NOW)
    job = scheduler_job(me_bot.services)
    monday = Schedule(0, "09:00", "UTC")
    dm = Subscription.new(TEAM, "U1", monday, "U1", NOW, kind="dm")
    weight = job.favour(dm)
    assert weight is not None
    staff_tip = next(t for t in me_bot.services.library.current.tips if t.level == "staff")
    assert weight(staff_tip) == 3.0
    assert job.favour(Subscription.new(TEAM, "C1", monday, "U1", NOW)) is None


def test_help_tells_about_the_coaching_loop(me_bot: RunningBot) -> None:
    """`/tip help` lists `me` and `track` and says what I'll try this does."""
    shown = json.dumps(me_bot.command("help").json()["blocks"])
    assert "`/tip me`" in shown
    assert "`/tip track senior|staff|both`" in shown
    assert "*I'll try this*" in shown
    assert "three times as often" in shown
