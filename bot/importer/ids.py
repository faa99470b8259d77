"""Tip ids for drafts: slugs of their titles, numbered where one is already taken."""

import re
import unicodedata

from bot.content.model import LIMITS

ARTICLES = frozenset({"a", "an", "the"})


def slugify(text: str, limit: int = LIMITS["id"]) -> str:
    """A lowercase ASCII slug of `text` (accents folded, a/an/the dropped), at most `limit`."""
    folded = unicodedata.normalize("NFKD", text.replace("'", "").replace("’", ""))
    tokens = re.findall(r"[a-z0-9]+", folded.encode("ascii", "ignore").decode().lower())
    tokens = [t for t in tokens if t not in ARTICLES] or tokens
    slug = ""
    for token in tokens:
        longer = f"{slug}-{token}" if slug else token
        if len(longer) > limit:
            break
        slug = longer
    return slug or (tokens[0][:limit] if tokens else "")


def unique_id(base: str, used: set[str], limit: int = LIMITS["id"]) -> str:
    """`base`, or `base-2`, `base-3`... (shortened to fit) when it is already in `used`."""
    if base not in used:
        return base
    number = 2
    while _suffixed(base, number, limit) in used:
        number += 1
    return _suffixed(base, number, limit)


def _suffixed(base: str, number: int, limit: int) -> str:
    """`base-N`, with `base` shortened so the whole id stays within `limit`."""
    suffix = f"-{number}"
    return base[: limit - len(suffix)].rstrip("-") + suffix
