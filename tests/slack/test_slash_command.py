"""`/tip` over real HTTP with real signatures: what a user sees for every subcommand."""

import dataclasses
import json
import re
from typing import Any

from bot.config import Settings
from bot.subcommands import SUBCOMMANDS
from tests.conftest import RunningBot, start_bot
from tests.slack_stand_in import SlackStandIn


def texts(blocks: list[dict[str, Any]]) -> str:
    """All the visible text in some blocks, joined, for assertions about what a user reads."""
    return json.dumps(blocks, ensure_ascii=False)


def test_plain_tip_answers_with_a_tip_and_buttons(bot: RunningBot) -> None:
    """`/tip` alone answers ephemerally with a tip, its try line, attribution and three buttons."""
    reply = bot.command("")
    assert reply.status == 200
    answer = reply.json()
    assert answer["response_type"] == "ephemeral"
    kinds = [block["type"] for block in answer["blocks"]]
    assert kinds == ["header", "section", "section", "context", "actions"]
    title = answer["blocks"][0]["text"]["text"]
    assert title in {tip.title for tip in bot.services.library.current.tips}
    assert "Try this week:" in answer["blocks"][2]["text"]["text"]
    assert "Leadership: Senior Engineer vs Staff Engineer" in texts(answer["blocks"])
    assert "iago" in answer["blocks"][3]["elements"][0]["text"]
    buttons = [e["action_id"] for e in answer["blocks"][4]["elements"]]
    assert buttons == ["tip_another", "tip_share", "coach_commit"]
    assert bot.stand_in.calls_to("chat.postMessage") == []


def test_random_tips_do_not_repeat_for_the_same_user(bot: RunningBot) -> None:
    """Five `/tip` in a row from one user show five different tips."""
    titles = [bot.command("").json()["blocks"][0]["text"]["text"] for _ in range(5)]
    assert len(set(titles)) == 5


def test_topic_finds_a_tip_with_that_tag_tolerating_plurals_and_case(bot: RunningBot) -> None:
    """`/tip Incident` finds a tip tagged `incidents`; the Another button keeps the topic."""
    library = bot.services.library.current
    tagged = {tip.title for tip in library.with_tag("incidents")}
    for text in ("incidents", "Incident", "INCIDENTS", "outage"):
        answer = bot.command(text).json()
        assert answer["blocks"][0]["text"]["text"] in tagged, text
        value = json.loads(answer["blocks"][-1]["elements"][0]["value"])
        assert value["topic"] == "incidents"


def test_free_text_returns_the_best_match(bot: RunningBot) -> None:
    """`/tip cache popular items` returns the tip about the 100-item cache."""
    answer = bot.command("cache popular items").json()
    assert "100 most popular" in texts(answer["blocks"])


def test_no_match_says_so_and_lists_topics(bot: RunningBot) -> None:
    """A query that matches nothing gets a friendly message and the list of topics."""
    answer = bot.command("zebra quantum banana").json()
    shown = texts(answer["blocks"])
    assert "couldn't find a tip about `zebra quantum banana`" in shown
    for topic, _count in bot.services.library.current.topics():
        assert f"`{topic.tag}`" in shown


def test_topics_lists_every_tag_with_counts_and_descriptions(bot: RunningBot) -> None:
    """`/tip topics` lists every tag with how many tips carry it and what it covers."""
    answer = bot.command("topics").json()
    shown = texts(answer["blocks"])
    for topic, count in bot.services.library.current.topics():
        assert topic.description
        assert (
            f"`{topic.tag}` ({count} tip{'s' if count > 1 else ''}): {topic.description}" in shown
        )


def help_lines(bot: RunningBot, user_id: str = "U1") -> list[str]:
    """The lines of `/tip help` as Slack shows them, one per line of its sections."""
    answer = bot.command("help", user_id=user_id).json()
    return [
        line
        for block in answer["blocks"]
        if block["type"] == "section"
        for line in block["text"]["text"].splitlines()
    ]


def test_help_lists_every_subcommand_with_an_example(bot: RunningBot) -> None:
    """`/tip help` documents every subcommand the parser knows."""
    shown = "\n".join(help_lines(bot))
    for sub in SUBCOMMANDS:
        assert f"`/tip {sub.usage}`: " in shown
    assert "For example: `/tip mentoring`" in shown
    assert "For example: `/tip subscribe mon 09:00 Europe/Berlin`" in shown


def test_help_speaks_in_one_voice_with_no_markup_slack_would_parse(bot: RunningBot) -> None:
    """Each line is `/tip …`, a sentence, then maybe an example; no `<topic>` that Slack
    would read as a link, and no dangling ". e.g." between a sentence and its example."""
    lines = help_lines(bot)
    usage_lines = [line for line in lines if line.startswith("`/tip")]
    assert len(usage_lines) == 3 + len(SUBCOMMANDS)
    for line in usage_lines:
        assert re.fullmatch(
            r"`/tip[^`]*`: [A-Z][^`]*?(`[^`]+`[^`]*?)*\."
            r"( For example: `/tip [^`]+`)?( _\(admins only\)_)?",
            line,
        ), line
    shown = "\n".join(lines)
    assert "<" not in shown
    assert ">" not in shown
    assert "e.g." not in shown
    assert "`/tip [topic]`: Get a tip on a topic." in shown
    assert "`/tip [words]`: Get the tip that best matches your words." in shown


def test_help_tells_of_the_buttons_the_home_tab_and_the_weekly_dm(bot: RunningBot) -> None:
    """What is not a subcommand is in help too: the two buttons, App Home, a tip by DM."""
    shown = "\n".join(help_lines(bot))
    assert "*Another tip*" in shown
    assert "*Share in channel*" in shown
    assert "*Home* tab" in shown
    assert "weekly tip by DM" in shown


def test_help_marks_admin_only_subcommands_as_the_settings_make_them(
    bot: RunningBot, settings: Settings, stand_in: SlackStandIn
) -> None:
    """Without TIPBOT_ADMINS anyone may subscribe, so only reload and stats say "(admins
    only)"; once admins are named, subscribe and unsubscribe say it too."""

    def admin_only(lines: list[str]) -> set[str]:
        marked = [line for line in lines if line.endswith("_(admins only)_")]
        return {line.split()[1].rstrip("`:") for line in marked}

    assert admin_only(help_lines(bot)) == {"reload", "stats"}
    named = dataclasses.replace(settings, admins=frozenset({"UADMIN"}))
    with start_bot(named, stand_in) as admin_bot:
        expected = {"subscribe", "unsubscribe", "reload", "stats"}
        assert admin_only(help_lines(admin_bot, "U2")) == expected
        assert admin_only(help_lines(admin_bot, "UADMIN")) == expected


def test_hostile_text_is_never_echoed_as_live_markup(bot: RunningBot) -> None:
    """Mentions, broadcasts and links in the query come back escaped, never as markup."""
    hostile = "<!channel> <@U999> <https://evil.example|click> & `code`"
    shown = texts(bot.command(hostile).json()["blocks"])
    assert "<!channel>" not in shown
    assert "<@U999>" not in shown
    assert "<https://evil.example" not in shown
    assert "&lt;!channel&gt;" in shown
    assert "&amp;" in shown


def test_very_long_text_is_answered_and_shortened(bot: RunningBot) -> None:
    """A 3,000-character query still gets a valid answer, quoted in short."""
    reply = bot.command("zzz " * 750)
    assert reply.status == 200
    assert len(texts(reply.json()["blocks"])) < 3000


def test_a_renamed_command_is_used_everywhere_it_is_quoted(
    settings: Settings, stand_in: SlackStandIn
) -> None:
    """With TIPBOT_COMMAND=/coach, help and error examples say /coach, never /tip."""
    with start_bot(dataclasses.replace(settings, command="/coach"), stand_in) as coach:
        shown = texts(coach.command("help", command="/coach").json()["blocks"])
        assert "`/coach subscribe mon 09:00 Europe/Berlin`" in shown
        assert "/tip" not in shown
        error = coach.command("subscribe funday", command="/coach").json()["text"]
        assert "For example: `/coach subscribe mon 09:00 Europe/Berlin`" in error
