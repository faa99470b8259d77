"""Commitments, notes and reflections are their author's only, on every surface; admins
get counts without names.

Ada commits with a private note, is checked in on, answers Done and writes a reflection.
Then another member and an admin try every surface for it.
"""

import json
import time
from datetime import timedelta

import pytest

from bot.coaching.models import CommitmentDraft
from bot.slack import coaching_messages, messages
from tests.conftest import ADMIN, RunningBot
from tests.slack.coaching_requests import (
    Clock,
    Where,
    at,
    button,
    click,
    dms_to,
    errors_of,
    opened_view,
    scheduler_job,
    submit,
    text_of,
)
from tests.slack.test_app_home import open_home

ADA = "U0ADA"
NOSY = "U0NOSY"
NOTE = "Secret: my manager is the problem"
WORDS = "Tell Bo the deploy plan before Friday"
LEARNED = "I was afraid to ask; asking took two minutes"
NOW = at(2, 10, 0)
DAY = timedelta(days=1)
DUE = NOW + 7 * DAY


@pytest.fixture
def ada_reflected(admin_bot: RunningBot) -> RunningBot:
    """Ada's commitment, checked in on, answered Done, with a reflection; clock after it."""
    bot = admin_bot
    clock = Clock(NOW)
    bot.services.clock = clock
    tip = bot.services.library.current.tips[2]
    value = button(messages.tip_message(tip), messages.TRY_THIS)["value"]
    click(bot, messages.TRY_THIS, value, user_id=ADA)
    modal, _ = opened_view(bot)
    assert errors_of(submit(bot, modal, user_id=ADA, text=WORDS, due=DUE, note=NOTE)) == {}
    bot.stand_in.wait_for("chat.postMessage")  # the confirmation, before the check-in
    clock.now = DUE + timedelta(seconds=1)
    scheduler_job(bot.services).run()
    check_in = dms_to(bot, ADA)[-1]
    value = button(check_in.params["blocks"], coaching_messages.DONE)["value"]
    click(bot, coaching_messages.DONE, value, user_id=ADA, where=Where(channel_id="DADA"))
    reflection, _ = opened_view(bot, 2)
    # Both DMs of the due time are updated: the one clicked and the check-in as sent.
    bot.stand_in.wait_for("chat.update", count=2)
    assert errors_of(submit(bot, reflection, user_id=ADA, reflection=LEARNED)) == {}
    assert bot.store.commitments_of(ADA)[0].reflection == LEARNED
    return bot


def private_bits(shown: str) -> list[str]:
    """Which of Ada's private words, or her id, appear in `shown`."""
    return [bit for bit in (NOTE, WORDS, LEARNED, ADA) if bit in shown]


def test_ada_sees_her_own_words_note_and_reflection(ada_reflected: RunningBot) -> None:
    """The author does see them, in /tip me and on her Home tab."""
    shown = text_of(ada_reflected.command("me", user_id=ADA).json()["blocks"])
    assert LEARNED in shown
    home = text_of(open_home(ada_reflected, ADA)["blocks"])
    assert LEARNED in home


@pytest.mark.parametrize("who", [NOSY, ADMIN])
def test_nobody_else_sees_them_in_tip_me_or_on_their_home_tab(
    ada_reflected: RunningBot, who: str
) -> None:
    """Another member and an admin get their own (empty) coaching, not Ada's."""
    assert private_bits(text_of(ada_reflected.command("me", user_id=who).json())) == []
    assert private_bits(text_of(open_home(ada_reflected, who))) == []


def test_stats_count_without_names_or_words(ada_reflected: RunningBot) -> None:
    """The admin's /tip stats: per tip made, done and the completion rate, and the funnel;
    none of Ada's words and not her id."""
    answer = ada_reflected.command("stats", user_id=ADMIN).json()["text"]
    tip = ada_reflected.services.library.current.tips[2]
    assert f"{tip.title}: 1 made, 1 done, 0 partly, 0 dropped, 0 lapsed, 100% completed" in answer
    assert "*Coaching, last 4 weeks*:" in answer
    assert "→ 1 commitment → 1 check-in answered → 1 done" in answer
    assert private_bits(answer) == []


def test_someone_elses_check_in_buttons_do_nothing(ada_reflected: RunningBot) -> None:
    """A click carrying Ada's commitment, made by someone else: no modal, no update, no change."""
    commitment = ada_reflected.store.commitments_of(ADA)[0]
    value = coaching_messages.answer_value(commitment)
    before_updates = len(ada_reflected.stand_in.calls_to("chat.update"))
    before_views = len(ada_reflected.stand_in.calls_to("views.open"))
    for action_id in coaching_messages.ANSWERS:
        reply = click(ada_reflected, action_id, value, user_id=NOSY, where=Where("DNOSY"))
        assert reply.status == 200
    time.sleep(0.5)  # the lazy listeners run after each ack; give them time to misbehave
    assert len(ada_reflected.stand_in.calls_to("chat.update")) == before_updates
    assert len(ada_reflected.stand_in.calls_to("views.open")) == before_views
    assert ada_reflected.store.commitments_of(ADA)[0] == commitment


def test_someone_else_cannot_write_or_overwrite_a_reflection(ada_reflected: RunningBot) -> None:
    """A reflection modal submitted by someone else for Ada's commitment is not stored."""
    commitment = ada_reflected.store.commitments_of(ADA)[0]
    click(
        ada_reflected,
        coaching_messages.DONE,
        coaching_messages.answer_value(commitment),
        user_id=ADA,
        where=Where("DADA"),
    )
    modal, _ = opened_view(ada_reflected, 2)
    assert errors_of(submit(ada_reflected, modal, user_id=NOSY, reflection="Overwritten")) == {}
    assert ada_reflected.store.commitments_of(ADA)[0].reflection == LEARNED
    assert ada_reflected.store.commitments_of(NOSY) == []


def test_someone_else_committing_to_the_same_tip_starts_afresh(ada_reflected: RunningBot) -> None:
    """With Ada's open commitment to a tip, another member's modal for it holds the tip's
    own try line, never Ada's words or note."""
    store = ada_reflected.store
    tip = ada_reflected.services.library.current.tips[2]
    draft = CommitmentDraft("T1", ADA, tip.id, tip.title, WORDS, NOTE, DUE + 9 * DAY, "UTC")
    store.save_commitment(draft, NOW)
    click(ada_reflected, messages.TRY_THIS, json.dumps({"tip": tip.id}), user_id=NOSY)
    modal, _ = opened_view(ada_reflected, 3)
    assert private_bits(json.dumps(modal)) == []
    assert tip.try_ in json.dumps(modal)
