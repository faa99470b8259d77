"""Tips and the article they come from, as immutable values."""

import re
from dataclasses import dataclass

LEVELS = ("senior", "staff", "both")
# Ids, tags and synonyms: lowercase words joined by hyphens.
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# The most characters each text field of a tip may hold.
LIMITS = {"id": 60, "title": 80, "body": 400, "try": 200}
MAX_TAGS = 6
# `tipbot import` writes this above every drafted `try` line; while one is left in a file, the
# file is a draft: validated, shown by the preview, but not served.
DRAFT_MARKER = "# TODO review: drafted by tipbot import"
# What `tipbot import` writes where it could not draft a value: an author the article does not
# name, a `try` line the takeaway gives no instruction for, a tag no topic matched. A tip
# holding one is a draft too, until an admin writes the value.
PLACEHOLDER = "TODO"


@dataclass(frozen=True, slots=True)
class Source:
    """The article a file of tips was drawn from, shown as attribution on every tip."""

    title: str
    author: str
    date: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Tip:
    """One short, actionable tip; `try_` is the thing to try this week."""

    id: str
    title: str
    body: str
    try_: str
    tags: tuple[str, ...]
    level: str
    source: Source
    path: str = ""
    line: int = 0


def is_placeholder(text: str) -> bool:
    """Whether `text` is a placeholder: `TODO` alone, or `TODO:` and a hint of what to write."""
    return text == PLACEHOLDER or text.startswith(f"{PLACEHOLDER}:")


def is_unfinished(tip: Tip) -> bool:
    """Whether `tip` or its source still holds a placeholder where a value belongs."""
    texts = (tip.title, tip.body, tip.try_, *tip.tags, *(tip.source.title, tip.source.author))
    texts += (tip.source.date,)
    return any(is_placeholder(text) for text in texts)
