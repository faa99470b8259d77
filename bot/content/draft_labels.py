"""The tags and level a drafted tip is filed under, read from the passage's words."""

import re
from collections import Counter
from collections.abc import Iterable

from bot.content.model import MAX_TAGS, SLUG
from bot.content.text import STOPWORDS, stem, words
from bot.content.topics import Vocabulary

DRAFT_TAGS = 3  # drafts carry a few strong tags; the admin may add up to MAX_TAGS
FALLBACK_TAG = "leadership"
MIN_TAG_SCORE = 3  # one naming in the passage, or a naming in the story plus a hint
STAFF = re.compile(r"\bstaff\b", re.IGNORECASE)
SENIOR = re.compile(r"\b(?:senior|sr)\b", re.IGNORECASE)


def tag_vocabulary(topics: Iterable[str], vocabulary: Vocabulary) -> Vocabulary:
    """The topics a draft may carry: the library's, most used first, then the topics file's."""
    return Vocabulary([*map(vocabulary.topic, topics), *vocabulary.topics], vocabulary.path)


def choose_tags(text: str, context: str, vocabulary: Vocabulary) -> tuple[str, ...]:
    """Up to DRAFT_TAGS tags from `vocabulary` named by the passage's words; a fallback if none.

    A word in the passage counts twice a word in its context, so one mention of a topic in
    the story is not enough on its own.
    """
    found = Counter(w for w in words(text) if w not in STOPWORDS)
    found.update(w for w in words(text) if w not in STOPWORDS)
    found.update(w for w in words(context) if w not in STOPWORDS)
    scores: dict[str, int] = {}
    for tag in vocabulary.by_tag:
        parts = ({stem(part) for part in tag.split("-")} - STOPWORDS) if "-" in tag else set()
        score = 0
        for word, count in found.items():
            if word == stem(tag) or vocabulary.meaning(word) == tag:
                score += 2 * count
            elif word in parts:
                score += count
        if score >= MIN_TAG_SCORE and SLUG.match(tag):
            scores[tag] = score
    ranked = sorted(scores, key=lambda tag: -scores[tag])  # stable: library order breaks ties
    chosen = tuple(ranked[: min(DRAFT_TAGS, MAX_TAGS)])
    return chosen or (FALLBACK_TAG,)


def choose_level(text: str) -> str:
    """staff when the passage speaks of staff engineers, senior when only of seniors, else both."""
    if STAFF.search(text):
        return "staff"
    if SENIOR.search(text):
        return "senior"
    return "both"
