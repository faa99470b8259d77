"""Tips and the article they come from, as immutable values."""

import re
from dataclasses import dataclass

LEVELS = ("senior", "staff", "both")
# Ids, tags and synonyms: lowercase words joined by hyphens.
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# The most characters each text field of a tip may hold.
LIMITS = {"id": 60, "title": 80, "body": 400, "try": 200}
MAX_TAGS = 6


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
