"""Word normalisation shared by topic matching and free-text search."""

import functools
import re

WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
STOPWORDS = frozenset(
    "a an and are as at be by do for from how i in is it me my of on or so the to what when "
    "with you your about can should tip tips".split()
)


@functools.lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """A crude singular form, enough for `incidents` to find `incident`."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """Lowercase words and hyphenated slugs in `text`, stemmed, hyphenated parts included."""
    found: list[str] = []
    for token in WORD.findall(text.lower()):
        found.append(stem(token))
        if "-" in token:
            found.extend(stem(part) for part in token.split("-"))
    return found


def query_words(text: str) -> list[str]:
    """The words of a search query worth matching: stemmed, without stopwords."""
    return [w for w in words(text) if w not in STOPWORDS]
