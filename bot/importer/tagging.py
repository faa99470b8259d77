"""The topics a drafted tip is filed under: those of the topics file its words name."""

from collections import Counter

from bot.content.model import PLACEHOLDER
from bot.content.text import STOPWORDS, stem, words
from bot.content.topics import Vocabulary

DRAFT_TAGS = 3  # drafts carry a few strong tags; the admin may add more
NAMED = 2  # a word that is a topic's tag or one of its synonyms
PART = 1  # a word of a hyphenated tag ("thinking" of systems-thinking)
MIN_SCORE = NAMED


def choose_tags(text: str, vocabulary: Vocabulary) -> tuple[str, ...]:
    """Up to DRAFT_TAGS topics of `vocabulary` that `text` names, most named first, in the
    file's order on a tie; the placeholder when it names none."""
    found = Counter(word for word in words(text) if word not in STOPWORDS)
    scores: dict[str, int] = {}
    for topic in vocabulary.topics:
        parts = {stem(part) for part in topic.tag.split("-")} - STOPWORDS
        score = 0
        for word, count in found.items():
            if vocabulary.meaning(word) == topic.tag:
                score += NAMED * count
            elif "-" in topic.tag and word in parts:
                score += PART * count
        if score >= MIN_SCORE:
            scores[topic.tag] = score
    ranked = sorted(scores, key=lambda tag: -scores[tag])
    return tuple(ranked[:DRAFT_TAGS]) or (PLACEHOLDER,)
