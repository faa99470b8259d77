"""Check-ins as a person gets them: a DM at the due time, its answers, the reminder, the lapse.

The scheduler's minute job runs with the real Slack adapters against the stand-in, on a
clock the test moves by hand; answers are signed clicks and modal submissions over HTTP.
"""

import json
import threading
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from bot.coaching.models import Commitment, CommitmentDraft
from bot.content.current import CurrentLibrary
from bot.content.loader import load_library
from bot.slack import coaching_messages
from tests.conftest import FIXTURES, RunningBot
from tests.slack.coaching_requests import (
    COMMIT_DUE,
    Clock,
    Where,
    at,
    button,
    click,
    dms_to,
    errors_of,
    input_element,
    opened_view,
    other_process,
    scheduler_job,
    submit,
    text_of,
)
from tests.slack.test_app_home import open_home
from tests.slack_stand_in import Call, Reply

COMMITTED = at(2, 10, 0)
DUE = at(9, 8, 0)  # Monday 9 March, 09:00 in Berlin
DAY = timedelta(days=1)


@pytest.fixture
def clock(bot: RunningBot) -> Clock:
    """The bot's clock, at DUE plus a few seconds unless a test moves it."""
    clock = Clock(DUE + timedelta(seconds=5))
    bot.services.clock = clock
    return clock


def commit(bot: RunningBot, user_id: str = "U1", **changes: Any) -> Commitment:
    """A commitment as the modal stores it, made a week before DUE."""
    tip = bot.services.library.current.tips[0]
    draft = CommitmentDraft(
        team_id="T1",
        user_id=user_id,
        tip_id=tip.id,
        tip_title=tip.title,
        text="Walk Grace through the release checklist",
        note="She asked about it last week",
        due_at=DUE,
        timezone="Europe/Berlin",
    )
    saved, _ = bot.store.save_commitment(replace(draft, **changes), COMMITTED)
    return saved


def tick(bot: RunningBot, clock: Clock, at_moment: Any = None) -> None:
    """One run of the scheduler's minute job."""
    if at_moment is not None:
        clock.now = at_moment
    scheduler_job(bot.services).run()


def answer(bot: RunningBot, dm: Call, action_id: str, user_id: str = "U1") -> None:
    """Press one of the check-in DM's buttons, as the person who got it."""
    blocks = dm.params["blocks"]
    value = button(blocks, action_id)["value"]
    where = Where(channel_id=f"D{user_id}", message_ts=f"ts-of-{id(dm)}")
    reply = click(bot, action_id, value, user_id=user_id, where=where, blocks=blocks)
    assert (reply.status, reply.body) == (200, "")


def reread(bot: RunningBot, commitment: Commitment) -> Commitment:
    """The commitment as stored now."""
    again = bot.store.get_commitment(commitment.id, commitment.user_id)
    assert again is not None
    return again


def updates(bot: RunningBot, count: int = 1) -> list[Call]:
    """The chat.update calls the bot made, once there are `count` of them."""
    return bot.stand_in.wait_for("chat.update", count=count)


def test_the_check_in_dm_says_what_you_set_out_to_do_and_asks_how_it_went(
    bot: RunningBot, clock: Clock
) -> None:
    """At the due time, one DM: your words, when you committed, your note, four answers."""
    commit(bot)
    tick(bot, clock)
    tick(bot, clock, DUE + timedelta(minutes=1))
    (dm,) = dms_to(bot, "U1")
    shown = text_of(dm.params["blocks"])
    assert "Time to check in! On Monday 2 March 2026 you set out to:" in shown
    assert ">Walk Grace through the release checklist" in shown
    assert "_Your note:_ She asked about it last week" in shown
    assert bot.services.library.current.tips[0].title in shown
    labels = [
        e["text"]["text"]
        for block in dm.params["blocks"]
        for e in block.get("elements", ())
        if e["type"] == "button"
    ]
    assert labels == ["Done", "Partly", "Not yet", "Drop it"]
    assert "Only you can see this." in shown
    assert dm.params["text"] == "Time to check in: Walk Grace through the release checklist"


def test_markup_in_your_words_is_shown_as_typed_in_the_dm_and_its_notification(
    bot: RunningBot, clock: Clock
) -> None:
    """Slack reads markup in a notification's text too: no @channel, no disguised link."""
    commit(bot, text="<!channel> read <https://evil.example|the runbook> & reply")
    tick(bot, clock, DUE + timedelta(minutes=1))
    (dm,) = dms_to(bot, "U1")
    typed = "&lt;!channel&gt; read &lt;https://evil.example|the runbook&gt; &amp; reply"
    assert dm.params["text"] == f"Time to check in: {typed}"
    assert typed in text_of(dm.params["blocks"])
    answer(bot, dm, coaching_messages.DROP)
    (update,) = updates(bot)
    assert update.params["text"] == f"Check-in: {typed}"


@pytest.mark.parametrize(
    ("action_id", "state", "says"),
    [
        (coaching_messages.DONE, "done", "*Done.*"),
        (coaching_messages.PARTLY, "partly", "*Partly.*"),
    ],
)
def test_done_and_partly_ask_what_you_learned_and_close_the_dm(
    bot: RunningBot, clock: Clock, action_id: str, state: str, says: str
) -> None:
    """The reflection modal opens; the DM loses its buttons; the reflection is kept."""
    commitment = commit(bot)
    tick(bot, clock)
    (dm,) = dms_to(bot, "U1")
    answer(bot, dm, action_id)
    modal, _ = opened_view(bot)
    assert modal["callback_id"] == "coach_reflection_modal"
    assert modal["title"]["text"] == "What did you learn?"
    (update,) = updates(bot)
    assert update.params["channel"] == "DU1"
    assert says in text_of(update.params["blocks"])
    assert '"type": "button"' not in text_of(update.params["blocks"])
    assert errors_of(submit(bot, modal, reflection="Checklists beat memory")) == {}
    kept = reread(bot, commitment)
    assert (kept.state, kept.reflection) == (state, "Checklists beat memory")


def test_a_double_click_changes_nothing(bot: RunningBot, clock: Clock) -> None:
    """Done twice: one reflection modal, the answer kept, the DM shown the same again."""
    commitment = commit(bot)
    tick(bot, clock)
    (dm,) = dms_to(bot, "U1")
    answer(bot, dm, coaching_messages.DONE)
    opened_view(bot)
    answer(bot, dm, coaching_messages.DROP)
    first, second = updates(bot, 2)
    assert first.params["blocks"] == second.params["blocks"]
    assert len(bot.stand_in.calls_to("views.open")) == 1
    assert reread(bot, commitment).state == "done"


def test_drop_ends_it_without_judgement(bot: RunningBot, clock: Clock) -> None:
    """No modal; the DM says so kindly; no reminder follows."""
    commitment = commit(bot)
    tick(bot, clock)
    (dm,) = dms_to(bot, "U1")
    answer(bot, dm, coaching_messages.DROP)
    (update,) = updates(bot)
    assert "No judgement" in text_of(update.params["blocks"])
    assert bot.stand_in.calls_to("views.open") == []
    assert reread(bot, commitment).state == "dropped"
    tick(bot, clock, DUE + 4 * DAY)
    assert len(dms_to(bot, "U1")) == 1


def test_not_yet_asks_for_a_new_time_a_week_on_and_checks_in_then(
    bot: RunningBot, clock: Clock
) -> None:
    """The snooze modal defaults to a week after the check-in; after it, one new DM."""
    commitment = commit(bot)
    tick(bot, clock)
    (dm,) = dms_to(bot, "U1")
    answer(bot, dm, coaching_messages.NOT_YET)
    modal, _ = opened_view(bot)
    assert modal["callback_id"] == "coach_snooze_modal"
    assert input_element(modal, COMMIT_DUE)["initial_date_time"] == int((DUE + 7 * DAY).timestamp())
    assert errors_of(submit(bot, modal, due=DUE - DAY)) == {
        COMMIT_DUE: "That time has passed. Pick one at least 2 minutes from now."
    }
    later = DUE + 2 * DAY
    assert errors_of(submit(bot, modal, due=later)) == {}
    (update,) = updates(bot)
    assert "I'll check in again on Wednesday 11 March 2026, 09:00 (Europe/Berlin)" in text_of(
        update.params["blocks"]
    )
    snoozed = reread(bot, commitment)
    assert (snoozed.state, snoozed.due_at, snoozed.snoozes) == ("active", later, 1)
    assert errors_of(submit(bot, modal, due=later + DAY)) == {
        COMMIT_DUE: "This check-in was already answered or moved. Close this window."
    }
    tick(bot, clock, later + timedelta(seconds=5))
    assert len(dms_to(bot, "U1")) == 2


def test_one_gentle_reminder_three_days_on_then_it_lapses_quietly(
    bot: RunningBot, clock: Clock
) -> None:
    """Unanswered: a reminder on day 3, nothing more; on day 7 it lapses with no DM."""
    commitment = commit(bot)
    tick(bot, clock)
    for later in (DUE + 3 * DAY, DUE + 3 * DAY + timedelta(minutes=1), DUE + 5 * DAY):
        tick(bot, clock, later)
    _, reminder = dms_to(bot, "U1")
    assert "A gentle reminder" in text_of(reminder.params["blocks"])
    tick(bot, clock, DUE + 7 * DAY)
    assert len(dms_to(bot, "U1")) == 2
    assert reread(bot, commitment).state == "lapsed"
    answer(bot, reminder, coaching_messages.DONE)
    (update,) = updates(bot)
    assert "closed without an answer" in text_of(update.params["blocks"])
    assert bot.stand_in.calls_to("views.open") == []


def test_answering_the_reminder_closes_the_first_dm_too(bot: RunningBot, clock: Clock) -> None:
    """Both DMs of that due time lose their buttons, so neither can be answered again."""
    commitment = commit(bot)
    tick(bot, clock)
    tick(bot, clock, DUE + 3 * DAY)
    _, reminder = dms_to(bot, "U1")
    answer(bot, reminder, coaching_messages.DROP)
    sent = {(row.channel_id, row.message_ts) for row in bot.store.check_ins_of(commitment.id)}
    assert len(sent) == 2
    updated = {(call.params["channel"], call.params["ts"]) for call in updates(bot, 3)}
    assert sent <= updated
    assert {channel for channel, _ in updated} == {"DU1"}


def test_a_restart_and_two_schedulers_send_each_person_one_dm(
    bot: RunningBot, clock: Clock
) -> None:
    """Two processes tick at once over ten people, then a third starts afresh: ten DMs."""
    people = [f"U{n}" for n in range(10)]
    for person in people:
        commit(bot, person)
    others = [other_process(bot, clock) for _ in range(2)]
    jobs = [scheduler_job(services) for services in others]
    threads = [threading.Thread(target=job.run) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    restarted = other_process(bot, clock)
    scheduler_job(restarted).run()
    posted = [call.params["channel"] for call in bot.stand_in.calls_to("chat.postMessage")]
    assert sorted(posted) == sorted(people)
    for services in [*others, restarted]:
        services.store.engine.dispose()  # type: ignore[attr-defined]


def test_a_tip_removed_from_the_library_keeps_its_commitment_readable(
    bot: RunningBot, clock: Clock
) -> None:
    """The files change; the check-in still shows the title and words as committed."""
    commitment = commit(bot)
    replacement = load_library(FIXTURES / "tips" / "valid")
    bot.services.library = CurrentLibrary(replacement, DUE)
    assert commitment.tip_id not in bot.services.library.current.by_id
    tick(bot, clock)
    (dm,) = dms_to(bot, "U1")
    assert commitment.tip_title in text_of(dm.params["blocks"])
    answer(bot, dm, coaching_messages.DONE)
    modal, _ = opened_view(bot)
    assert errors_of(submit(bot, modal, reflection="Still worth it")) == {}
    assert reread(bot, commitment).state == "done"


def test_a_person_who_blocks_dms_has_check_ins_paused_and_can_resume(
    bot: RunningBot, clock: Clock
) -> None:
    """cannot_dm_bot pauses every check-in of theirs, once; Home offers Resume; it resumes."""
    commit(bot)
    commit(bot, tip_id="another-tip", due_at=DUE + DAY)
    bot.stand_in.script("chat.postMessage", Reply({"ok": False, "error": "cannot_dm_bot"}))
    tick(bot, clock)
    for later in range(1, 5):
        tick(bot, clock, DUE + later * DAY)
    assert len(bot.stand_in.calls_to("chat.postMessage")) == 1, "tried once, then paused"
    assert {c.state for c in bot.store.commitments_of("U1")} == {"paused"}
    me = text_of(bot.command("me").json()["blocks"])
    assert "Paused: I couldn't DM you (Slack said `cannot_dm_bot`)" in me
    view = open_home(bot, "U1")
    resume = button(view["blocks"], coaching_messages.HOME_RESUME)
    from tests.slack.test_app_home import home_action, published  # noqa: PLC0415

    home_action(bot, "U1", {**resume, "type": "button"})
    after = published(bot, 1)
    assert "Resumed 2 check-ins." in text_of(after["blocks"])
    tick(bot, clock, clock.now + timedelta(minutes=1))
    assert len(dms_to(bot, "U1")) == 3, "the refused one, then both overdue ones at once"


def test_the_scheduler_job_survives_a_check_in_store_failure(
    bot: RunningBot, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """A broken check-in round is logged and the weekly tips still go out."""

    class Broken:
        def deliver_due(self, now: Any) -> None:
            raise RuntimeError("database went away")

    job = scheduler_job(bot.services)
    job.check_ins = Broken()  # type: ignore[assignment]
    job.run()
    assert "The check-in job failed" in caplog.text


def test_the_answer_buttons_carry_nothing_private(bot: RunningBot, clock: Clock) -> None:
    """Button values hold only the commitment's number and due time, not its words."""
    commit(bot)
    tick(bot, clock)
    (dm,) = dms_to(bot, "U1")
    value = json.loads(button(dm.params["blocks"], coaching_messages.DONE)["value"])
    assert set(value) == {"c", "due"}
