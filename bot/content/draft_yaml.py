"""Drafted tips as a tip file: YAML written by hand so it can carry the review comments."""

import textwrap
from collections.abc import Sequence

import yaml

from bot.content.drafting import DraftTip
from bot.content.loader import DRAFT_MARKER
from bot.content.model import SLUG, Source

TODO_COMMENT = DRAFT_MARKER
YAML_WIDTH = 92
ONE_LINE = 1_000_000  # a width no scalar reaches, so PyYAML never folds one
HEADER = (
    "#",
    "# A program picked these titles, bodies, tags and levels, and wrote every `try` line",
    "# marked TODO review. Read each tip against the article, rewrite what reads wrong, then",
    "# delete the TODO comments and this header. Until then the bot does not serve this file",
    "# (tipbot preview shows it, so you can review it there).",
    "#",
    "# Fields: id is a slug of at most 60 characters, unique across tips/ and never renamed",
    "# once shipped; title is plain text (at most 80); body is Slack mrkdwn (at most 400);",
    "# try is one thing to do this week (at most 200); tags are 1 to 6 slugs; level is",
    "# senior, staff or both. Check with `tipbot validate`.",
)


def render_yaml(source: Source, tips: Sequence[DraftTip]) -> str:
    """The tip file, written by hand so it can carry the review comments."""
    lines = [*_source_lines(source), "tips:"]
    for tip in tips:
        lines += _tip_lines(tip)
    return "\n".join(lines).rstrip("\n") + "\n"


def _source_lines(source: Source) -> list[str]:
    """The review header and the `source:` mapping."""
    lines = [
        f"# DRAFT to review: drafted by `tipbot import` from {_quoted(source.title)}",
        f"# by {source.author} ({source.date}).",
        *HEADER,
        "source:",
        f"  title: {_quoted(source.title)}",
        f"  author: {_quoted(source.author)}",
        f"  date: {source.date}",
    ]
    if source.url:
        lines.append(f"  url: {_quoted(source.url)}")
    return lines


def _tip_lines(tip: DraftTip) -> list[str]:
    """One entry of `tips:`, its body folded and its try line marked for review."""
    return [
        f"  {tip.comment}",
        f"  - id: {_scalar(tip.id)}",
        f"    title: {_quoted(tip.title)}",
        "    body: >-",
        *textwrap.wrap(
            tip.body,
            width=YAML_WIDTH,
            initial_indent="      ",
            subsequent_indent="      ",
            break_long_words=False,
            break_on_hyphens=False,
        ),
        f"    {TODO_COMMENT}",
        f"    try: {_quoted(tip.try_)}",
        f"    tags: [{', '.join(_scalar(tag) for tag in tip.tags)}]",
        f"    level: {tip.level}",
        "",
    ]


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar on one line."""
    return yaml.safe_dump(value, default_style='"', allow_unicode=True, width=ONE_LINE).strip()


def _scalar(value: str) -> str:
    """A slug written bare, unless YAML would read it as something other than that text."""
    return value if SLUG.match(value) and yaml.safe_load(value) == value else _quoted(value)
