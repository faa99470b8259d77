"""The messages tipbot sends, as Block Kit blocks built with slack-sdk's models so Slack's
limits are checked. The one view, the Home tab, is in home_view.py."""

import functools
import json
from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.content.model import Source, Tip
from bot.content.topics import Topic
from bot.nuggets.models import Subscription
from bot.slack.escaping import echo, escape, link
from bot.subcommands import SUBCOMMANDS
from bot.wording import plural

ANOTHER_TIP = "tip_another"
SHARE_TIP = "tip_share"
HELPFUL = "nugget_helpful"
TRY_THIS = "coach_commit"
SECTION_LIMIT = 3000  # Slack's limit on a section block's text

# Questions that invite the channel to talk in the thread; each tip always gets the same one.
DISCUSSION_QUESTIONS = (
    "Where have you seen this on your team? Share an example in the thread.",
    "What would make this hard to try on your team? Tell us in the thread.",
    "Agree, disagree, or it depends? Say why in the thread.",
    "Who does this well around you? Give them a shout-out in the thread.",
)
# A weekly DM is read alone, in a one-to-one chat with no thread to talk in: a question to
# think over instead, one per discussion question.
REFLECTION_PROMPTS = (
    "Where have you seen this on your team? Think of one example.",
    "What would make this hard for you to try? Pick one way around it.",
    "Do you agree, or does it depend? Note what it depends on for you.",
    "Who does this well around you? Watch how they do it this week.",
)

Blocks = list[dict[str, object]]


def attribution(source: Source) -> str:
    """`From "Title" by Author (date)`, linked when the source has a URL."""
    title = escape(source.title)
    linked = link(source.url, title) if source.url else f"“{title}”"
    return f"From {linked} by {escape(source.author)}, {escape(source.date)}"


def conversation(sub: Subscription) -> str:
    """Where a subscription posts, as a Slack mention: `<#C…>` or, for a DM, `<@U…>`."""
    return f"<@{sub.channel_id}>" if sub.kind == "dm" else f"<#{sub.channel_id}>"


def tip_blocks(tip: Tip) -> list[Block]:
    """A tip as Slack shows it: title, body, the thing to try this week, attribution."""
    return [
        HeaderBlock(text=tip.title),
        SectionBlock(text=MarkdownTextObject(text=tip.body)),
        *try_and_source(tip),
    ]


def titled_tip_blocks(tip: Tip) -> list[Block]:
    """A tip under a heading of its own (on the Home tab): its title in bold, not a header."""
    return [
        SectionBlock(text=MarkdownTextObject(text=f"*{escape(tip.title)}*\n{tip.body}")),
        *try_and_source(tip),
    ]


def try_and_source(tip: Tip) -> list[Block]:
    """The thing to try this week, and where the tip comes from."""
    return [
        SectionBlock(text=MarkdownTextObject(text=f":dart: *Try this week:* {tip.try_}")),
        ContextBlock(elements=[MarkdownTextObject(text=attribution(tip.source))]),
    ]


def button_value(tip: Tip, topic: str | None) -> str:
    """What a button carries: the tip shown and the topic it came from, if any."""
    return json.dumps({"tip": tip.id, "topic": topic or ""}, separators=(",", ":"))


def read_button_value(value: str) -> tuple[str, str | None]:
    """The (tip id, topic) a button carries; tolerant of values from older versions."""
    try:
        data = json.loads(value)
    except ValueError:
        return value, None
    if not isinstance(data, dict):
        return str(data), None
    return str(data.get("tip", "")), str(data.get("topic") or "") or None


def try_button(tip: Tip, *, from_home: bool = False) -> ButtonElement:
    """The "I'll try this" button under every tip; it opens the commit modal."""
    value = {"tip": tip.id, "home": 1} if from_home else {"tip": tip.id}
    return ButtonElement(
        text="I'll try this",
        action_id=TRY_THIS,
        value=json.dumps(value, separators=(",", ":")),
    )


def read_try_value(value: str) -> tuple[str, bool]:
    """The tip an "I'll try this" button is for, and whether it was on the Home tab."""
    try:
        data = json.loads(value)
    except ValueError:
        return value, False
    if not isinstance(data, dict):
        return str(data), False
    return str(data.get("tip", "")), bool(data.get("home"))


@functools.lru_cache(maxsize=4096)
def tip_message(tip: Tip, topic: str | None = None) -> Blocks:
    """The ephemeral answer to `/tip`: the tip, "Another tip", "Share in channel", "I'll try this".

    Cached: validating the blocks with slack-sdk's models is most of a request's CPU, and a
    tip's blocks never change. Callers must not mutate the list they get.
    """
    value = button_value(tip, topic)
    another = "Another tip" if not topic else f"Another {topic} tip"
    actions = ActionsBlock(
        elements=[
            ButtonElement(text=another[:75], action_id=ANOTHER_TIP, value=value),
            ButtonElement(
                text="Share in channel", action_id=SHARE_TIP, value=value, style="primary"
            ),
            try_button(tip),
        ]
    )
    return to_dicts([*tip_blocks(tip), actions])


def shared_tip_message(tip: Tip, user_id: str) -> Blocks:
    """A tip posted visibly in a channel, saying who shared it; anyone there may try it."""
    shared_by = ContextBlock(elements=[MarkdownTextObject(text=f"Shared by <@{user_id}>")])
    return to_dicts([*tip_blocks(tip), shared_by, ActionsBlock(elements=[try_button(tip)])])


def helpful_label(votes: int) -> str:
    """The Helpful button's text, with the count once someone has voted."""
    return f":+1: Helpful ({votes})" if votes else ":+1: Helpful"


def with_helpful_count(blocks: Blocks, votes: int) -> Blocks:
    """A posted nugget's blocks with the Helpful button relabelled for `votes`."""
    updated: Blocks = json.loads(json.dumps(blocks))
    for block in updated:
        for element in block.get("elements", ()):  # type: ignore[attr-defined]
            if element.get("action_id") == HELPFUL:
                element["text"] = {
                    "type": "plain_text",
                    "text": helpful_label(votes),
                    "emoji": True,
                }
    return updated


def nugget_message(tip: Tip, votes: int, *, in_dm: bool = False) -> Blocks:
    """The weekly tip, a question for the channel's thread (in a DM, one to think over),
    Helpful, and I'll try this."""
    which = sum(map(ord, tip.id)) % len(DISCUSSION_QUESTIONS)
    label = ":calendar: *Your tip of the week*" if in_dm else ":calendar: *Tip of the week*"
    prompt = (
        f":thought_balloon: {REFLECTION_PROMPTS[which]}"
        if in_dm
        else f":speech_balloon: {DISCUSSION_QUESTIONS[which]}"
    )
    return to_dicts(
        [
            ContextBlock(elements=[MarkdownTextObject(text=label)]),
            *tip_blocks(tip),
            SectionBlock(text=MarkdownTextObject(text=prompt)),
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text=PlainTextObject(text=helpful_label(votes), emoji=True),
                        action_id=HELPFUL,
                        value=tip.id,
                    ),
                    try_button(tip),
                ]
            ),
        ]
    )


def topics_message(topics: Sequence[tuple[Topic, int]], command: str) -> Blocks:
    """Every topic with its count and what it covers, and how to ask for one."""
    if not topics:
        return notice_message("There are no tips yet. An admin can add some to `tips/`.")
    listed = "\n".join(topic_line(topic, count) for topic, count in topics)
    example = topics[0][0].tag
    return to_dicts(
        [
            HeaderBlock(text="Topics"),
            SectionBlock(text=MarkdownTextObject(text=fit_section(listed))),
            ContextBlock(
                elements=[MarkdownTextObject(text=f"Try `{command} {example}` for a tip on it.")]
            ),
        ]
    )


def topic_line(topic: Topic, count: int) -> str:
    """One topic in the list: its tag, how many tips it has, and its description if any."""
    line = f"• `{topic.tag}` ({plural(count, 'tip')})"
    return f"{line}: {escape(topic.description)}" if topic.description else line


def no_match_message(query: str, topics: Sequence[tuple[Topic, int]], command: str) -> Blocks:
    """A friendly 'nothing matched', quoting the query safely and listing the topics."""
    names = ", ".join(f"`{topic.tag}`" for topic, _ in topics) or "none yet"
    text = (
        f"I couldn't find a tip about `{echo(query)}`.\n"
        f"Try one of these topics: {names}\n"
        f"Or type `{command}` on its own for a random tip."
    )
    return to_dicts([SectionBlock(text=MarkdownTextObject(text=fit_section(text)))])


# The ways to ask for a tip, in help's voice: (what follows the command, what it does, example).
TIP_REQUESTS = (
    ("", "Get a random tip you haven't seen lately.", ""),
    ("[topic]", "Get a tip on a topic.", "mentoring"),
    ("[words]", "Get the tip that best matches your words.", "incident on call"),
)
# What help says about the surfaces that are not subcommands.
HELP_ELSEWHERE = (
    "Every tip has buttons: *Another tip* shows a different one, *Share in channel* "
    "posts it for everyone, saying who shared it, and *I'll try this* lets you commit to "
    "its try line in your own words and pick when I check in. At that time I DM you: "
    "*Done*, *Partly*, *Not yet* (pick a later time) or *Drop it*, with one gentle "
    "reminder if you don't answer. Only you see your commitments, notes and reflections.\n"
    "Open my *Home* tab for *My coaching*, to set your track and up to three focus topics "
    "(tips that fit come three times as often; nothing is left out), to browse tips by "
    "topic and to get a weekly tip by DM, on the day and at the time you pick."
)


def help_line(command: str, usage: str, summary: str, example: str, admins: bool) -> str:
    """One line of help: `/tip usage`: What it does. For example: `/tip example`"""
    line = f"`{' '.join(filter(None, (command, usage)))}`: {summary}"
    if example:
        line += f" For example: `{command} {example}`"
    return line + (" _(admins only)_" if admins else "")


def help_message(command: str, admins_named: bool) -> Blocks:
    """Every way to use the command, each with an example; "(admins only)" as settings say."""
    asking = [help_line(command, *request, admins=False) for request in TIP_REQUESTS]
    subcommands = [
        help_line(
            command, sub.usage, sub.summary, sub.example, admins=sub.admins_only(admins_named)
        )
        for sub in SUBCOMMANDS
    ]
    return to_dicts(
        [
            HeaderBlock(text="How to use tipbot"),
            SectionBlock(text=MarkdownTextObject(text="\n".join(asking))),
            SectionBlock(text=MarkdownTextObject(text="\n".join(subcommands))),
            SectionBlock(text=MarkdownTextObject(text=HELP_ELSEWHERE)),
        ]
    )


def notice_message(text: str) -> Blocks:
    """A short ephemeral note in mrkdwn (the caller escapes any user text in it)."""
    return to_dicts([SectionBlock(text=MarkdownTextObject(text=fit_section(text)))])


def fit_section(text: str, limit: int = SECTION_LIMIT) -> str:
    """Text cut to Slack's section limit at a line break, so no entity or code span is split."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit - 2)
    return text[: cut if cut > 0 else limit - 2] + "\n…"


def to_dicts(blocks: Sequence[Block]) -> Blocks:
    """Serialise blocks; slack-sdk raises here if any of Slack's limits is broken."""
    return [block.to_dict() for block in blocks]


def fallback_text(tip: Tip) -> str:
    """The plain text Slack shows in notifications for a tip message."""
    return f"{tip.title}: {tip.try_}"
