"""Where a draft's article came from, and whom it was written for: from flags, the front
matter or the article's text, with a placeholder for what none of them says."""

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.content.limits import MAX_QUOTED_CHARS
from bot.content.model import LEVELS, PLACEHOLDER, Source
from bot.content.source_url import url_problem
from bot.content.tip_errors import clip
from bot.importer.article import Article
from bot.importer.errors import ArticleError
from bot.importer.inline import plain, unstyled

DATE_PREFIX = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})(?:$|[\sT])")
STAFF = re.compile(r"\b(?:staff|principal)\b", re.IGNORECASE)
SENIOR = re.compile(r"\b(?:senior|sr)\b", re.IGNORECASE)
AUDIENCE_KEYS = ("level", "audience")
TOPIC_KEYS = ("tags", "categories")


@dataclass(frozen=True, slots=True)
class GivenSource:
    """What the admin passed on the command line about the article; None where they did not."""

    title: str | None = None
    author: str | None = None
    date: str | None = None
    url: str | None = None
    level: str | None = None


def article_source(article: Article, given: GivenSource) -> Source:
    """Title, author, date and url: flags first, then front matter, then the article's text;
    `TODO` for any of title, author and date that none of them gives."""
    front = article.front_matter
    title = given.title or _front_text(front.get("title")) or article.title
    author = given.author or _front_author(front.get("author")) or article.signature
    if given.date:
        when = _parse_date(given.date, strict=True)
        if when is None:
            raise ArticleError(f"--date must be a date written YYYY-MM-DD, not {given.date!r}")
    else:
        when = _front_date(front.get("date"))
    return Source(
        title=plain(unstyled(str(title))) if title else PLACEHOLDER,
        author=plain(unstyled(str(author))) if author else PLACEHOLDER,
        date=when or PLACEHOLDER,
        url=_given_url(given.url) or _front_url(front),
    )


def article_level(article: Article, given: str | None) -> str:
    """Whom the article is for: --level, else the front matter's level or audience, else its
    title, else its tags; "both" when none of them says senior or staff."""
    if given:
        return given
    front = article.front_matter
    level = front.get("level")
    if isinstance(level, str) and level.strip().lower() in LEVELS:
        return level.strip().lower()
    places = [
        *(front.get(key) for key in AUDIENCE_KEYS),
        front.get("title") or article.title,
        *(front.get(key) for key in TOPIC_KEYS),
    ]
    for place in places:
        said = _level_in(_front_words(place))
        if said:
            return said
    return "both"


def _level_in(text: str) -> str | None:
    staff, senior = bool(STAFF.search(text)), bool(SENIOR.search(text))
    if staff and senior:
        return "both"
    return "staff" if staff else "senior" if senior else None


def _front_words(value: Any) -> str:
    """A front matter value as words: a list's items joined, hyphens read as spaces."""
    if isinstance(value, list):
        return " ".join(_front_words(item) for item in value)
    return str(value).replace("-", " ") if isinstance(value, str | int | float) else ""


def _front_text(value: Any) -> str | None:
    text = " ".join(str(value).split()) if isinstance(value, str | int | float) else ""
    return text or None


def _front_author(value: Any) -> str | None:
    """An author given as a name, a list of names, or a mapping with a `name`."""
    if isinstance(value, dict):
        return _front_text(value.get("name"))
    if isinstance(value, list):
        names = [name for name in (_front_author(item) for item in value) if name]
        return ", ".join(names) or None
    return _front_text(value)


def _front_date(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    when = _parse_date(str(value), strict=False)
    if when is None:
        shown = clip(repr(value), MAX_QUOTED_CHARS)
        raise ArticleError(f"the front matter date {shown} is not a date; pass --date YYYY-MM-DD")
    return when


def _parse_date(text: str, strict: bool) -> str | None:
    """`YYYY-MM-DD` from `text`; a time and zone after it are dropped unless `strict`."""
    match = DATE_PREFIX.match(text)
    if match is None or (strict and text.strip() != match.group(1)):
        return None
    try:
        return date.fromisoformat(match.group(1)).isoformat()
    except ValueError:
        return None


def _given_url(url: str | None) -> str | None:
    """The --url flag, refused with the loader's reason if the loader would refuse it."""
    if not url:
        return None
    problem = url_problem(url.strip())
    if problem:
        raise ArticleError(f"--url {problem}")
    return url.strip()


def _front_url(front: dict[str, Any]) -> str | None:
    """The front matter's url, when it is one the loader accepts; a draft needs none."""
    for key in ("url", "canonical_url"):
        value = front.get(key)
        if isinstance(value, str) and url_problem(value.strip()) is None:
            return value.strip()
    return None
