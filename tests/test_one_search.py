"""Slack and the preview page search alike: `/tip WORDS` answers from what `?q=WORDS` shows."""

import pytest

from bot.content.loader import load_library
from bot.preview.filters import Filters, shown_tips
from tests.conftest import SHIPPED_TIPS, RunningBot

SHIPPED = load_library(SHIPPED_TIPS).library
# The examples (found in Slack, not in the preview), and a few more of each kind.
QUERIES = ["incident hero", "outage", "on call", "Mentors", "cache popular items", "trust"]


@pytest.mark.parametrize("query", QUERIES)
def test_slash_tip_answers_with_a_tip_the_preview_shows(bot: RunningBot, query: str) -> None:
    """Every answer `/tip WORDS` gives in Slack is one of the tips the preview shows for them."""
    shown = shown_tips(SHIPPED, Filters(query=query))
    titles = {SHIPPED.by_id[tip_id].title for tip_id in shown.ids}
    assert titles

    for _ in range(5):
        blocks = bot.command(query).json()["blocks"]
        assert blocks[0]["text"]["text"] in titles


def test_what_neither_finds_is_the_same_too(bot: RunningBot) -> None:
    """Words in no tip: Slack lists the topics, and the preview shows no tip."""
    assert shown_tips(SHIPPED, Filters(query="kubernetes")).ids == ()
    assert "couldn't find a tip about `kubernetes`" in bot.command("kubernetes").body
