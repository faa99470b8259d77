"""Drafted tips as a tip file: YAML written by hand so it can carry the review comments."""

import textwrap
from collections.abc import Sequence

import yaml

from bot.content.model import DRAFT_MARKER, SLUG, Source, is_placeholder
from bot.importer.drafting import DraftTip

YAML_WIDTH = 92
ONE_LINE = 1_000_000  # a width no scalar reaches, so PyYAML never folds one
HEADER = (
    "#",
    "# A program drafted these tips. Read each against the article and rewrite what reads",
    "# wrong: a tip must make sense to someone who never read the article. Write a value",
    "# wherever it says TODO, then delete the `# TODO review` comments and this header. Until",
    "# then the bot does not serve this file (tipbot preview shows it, so review it there).",
    "#",
    "# Fields: id is a slug of at most 60 characters, unique across tips/ and never renamed",
    "# once shipped; title is plain text (at most 80); body is Slack mrkdwn (at most 400);",
    "# try is one thing to do this week (at most 200); tags are 1 to 6 topics from",
    "# tips/topics.yaml; level is senior, staff or both. Check with `tipbot validate`.",
)
MISSING = {
    "title": "the article has no title: write it as published",
    "author": "the article names no author: write who wrote it",
    "date": "the article gives no date: write when it was published, YYYY-MM-DD",
}


def render_yaml(source: Source, tips: Sequence[DraftTip]) -> str:
    """The tip file, written by hand so it can carry the review comments."""
    lines = [*_source_lines(source), "tips:"]
    for tip in tips:
        lines += _tip_lines(tip)
    return "\n".join(lines).rstrip("\n") + "\n"


def _source_lines(source: Source) -> list[str]:
    """The review header and the `source:` mapping, a note beside any value left to write."""
    lines = [
        f"# DRAFT to review: drafted by `tipbot import` from {_quoted(source.title)}",
        f"# by {source.author} ({source.date}).",
        *HEADER,
        "source:",
    ]
    for name, value in (("title", source.title), ("author", source.author)):
        lines.append(_field(name, _quoted(value), value))
    lines.append(_field("date", source.date, source.date))
    if source.url:
        lines.append(f"  url: {_quoted(source.url)}")
    return lines


def _field(name: str, written: str, value: str) -> str:
    if is_placeholder(value):
        return f"  {name}: {value}  # {MISSING[name]}"
    return f"  {name}: {written}"


def _tip_lines(tip: DraftTip) -> list[str]:
    """One entry of `tips:`, its body folded and its try line marked for review."""
    return [
        *(f"  {note}" for note in tip.notes),
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
        f"    {DRAFT_MARKER}",
        f"    try: {_quoted(tip.try_)}",
        f"    tags: [{', '.join(_scalar(tag) for tag in tip.tags)}]",
        f"    level: {tip.level}",
        "",
    ]


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar on one line."""
    return yaml.safe_dump(value, default_style='"', allow_unicode=True, width=ONE_LINE).strip()


def _scalar(value: str) -> str:
    """A slug or placeholder written bare, unless YAML would read it as something else."""
    bare = SLUG.match(value) or is_placeholder(value)
    return value if bare and yaml.safe_load(value) == value else _quoted(value)
