"""Where a draft's article came from: title, author, date and url from flags or the article."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.content.limits import MAX_QUOTED_CHARS
from bot.content.markdown import Article, ArticleError, to_plain
from bot.content.model import Source
from bot.content.source_url import url_problem
from bot.content.tip_errors import clip

DATE_PREFIX = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})(?:$|[\sT])")


@dataclass(frozen=True, slots=True)
class GivenSource:
    """What the admin passed on the command line about the article; None where they did not."""

    title: str | None = None
    author: str | None = None
    date: str | None = None
    url: str | None = None


def article_source(article: Article, given: GivenSource, path: Path) -> Source:
    """Title, author, date and url: flags first, then front matter, then the article's text."""
    front = article.front_matter
    title = given.title or _front_text(front.get("title")) or article.title
    author = given.author or _front_author(front.get("author")) or article.signature
    if given.date:
        when = _parse_date(given.date, strict=True)
        if when is None:
            raise ArticleError(f"--date must be a date written YYYY-MM-DD, not {given.date!r}")
    else:
        when = _front_date(front.get("date"))
    missing = [
        (flag, key)
        for flag, key, value in (
            ("--title TITLE", "title", title),
            ("--author NAME", "author", author),
            ("--date YYYY-MM-DD", "date", when),
        )
        if not value
    ]
    if missing:
        raise ArticleError(_missing_message(path, missing))
    return Source(
        title=to_plain(str(title)),
        author=to_plain(str(author)),
        date=str(when),
        url=_given_url(given.url) or _front_url(front),
    )


def _missing_message(path: Path, missing: Sequence[tuple[str, str]]) -> str:
    """What the article does not say, and the flags or front matter keys that would say it."""
    what = _listing([key for _, key in missing])
    flags = _listing([flag for flag, _ in missing])
    keys = _listing([f"`{key}:`" for _, key in missing])
    return (
        f"{path} does not say its {what}: pass {flags} "
        f"(or add {keys} to the article's front matter)"
    )


def _listing(items: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else items[0]


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
