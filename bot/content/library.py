"""An immutable set of tips with the indexes that topic lookup and search need."""

import threading
from collections import Counter, defaultdict

from bot.content.model import Tip
from bot.content.text import words
from bot.content.topics import Topic, Vocabulary, topic_key

# Where a query word counts most: a title or tag match says more than a word in the body.
FIELD_WEIGHTS = (("title", 3.0), ("tags", 3.0), ("try_", 1.0), ("body", 1.0))
MATCHED_WORD_BONUS = 10.0


class Library:
    """Tips in file order, their topic vocabulary, a tag index, and a word index built on use."""

    def __init__(self, tips: tuple[Tip, ...], vocabulary: Vocabulary | None = None) -> None:
        self.tips = tips
        self.vocabulary = vocabulary or Vocabulary()
        self.by_id: dict[str, Tip] = {tip.id: tip for tip in tips}
        self._by_tag: dict[str, list[Tip]] = defaultdict(list)
        self._tag_keys: dict[str, str] = {}
        self._postings: dict[str, dict[int, float]] | None = None
        self._index_lock = threading.Lock()
        for tip in tips:
            for tag in tip.tags:
                self._by_tag[tag].append(tip)
                self._tag_keys[topic_key(tag)] = tag

    def __len__(self) -> int:
        return len(self.tips)

    def word_index(self) -> dict[str, dict[int, float]]:
        """Word -> {tip position: weight}; built once, on first search or by `warm()`."""
        if self._postings is None:
            with self._index_lock:
                if self._postings is None:
                    self._postings = self._build_index()
        return self._postings

    def warm(self) -> "Library":
        """Build the word index now, so the first search after a (re)load is not the slow one."""
        self.word_index()
        return self

    def _build_index(self) -> dict[str, dict[int, float]]:
        postings: dict[str, dict[int, float]] = defaultdict(dict)
        for position, tip in enumerate(self.tips):
            for field, weight in FIELD_WEIGHTS:
                value = getattr(tip, field)
                text = " ".join(value) if isinstance(value, tuple) else value
                for word in set(words(text)):
                    postings[word][position] = postings[word].get(position, 0.0) + weight
        return dict(postings)

    def topics(self) -> list[tuple[Topic, int]]:
        """Every tag tips carry, as its topic, with how many tips carry it; most common first."""
        counts = Counter(tag for tip in self.tips for tag in tip.tags)
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        return [(self.vocabulary.topic(tag), count) for tag, count in ranked]

    def resolve_topic(self, text: str) -> str | None:
        """The tag `text` names, in any case or number or as a synonym; None if no tip has it."""
        key = topic_key(text)
        if not key:
            return None
        tag = self._tag_keys.get(key) or self.vocabulary.meaning(text)
        return tag if tag in self._by_tag else None

    def with_tag(self, tag: str) -> list[Tip]:
        """Tips carrying `tag`, in file order."""
        return list(self._by_tag.get(tag, ()))

    def _scores(self, query_words: list[str]) -> dict[int, float]:
        scores: dict[int, float] = defaultdict(float)
        index = self.word_index()
        for word in set(query_words):
            for position, weight in index.get(word, {}).items():
                # Covering one more query word always beats any weight a single word adds.
                scores[position] += MATCHED_WORD_BONUS + weight
        return scores

    def search(self, query_words: list[str]) -> list[tuple[float, Tip]]:
        """Tips matching any of the (already normalised) query words, best first."""
        scores = self._scores(query_words)
        ranked = sorted(scores, key=lambda p: (-scores[p], p))
        return [(scores[p], self.tips[p]) for p in ranked]

    def best(self, query_words: list[str]) -> list[Tip]:
        """The tips sharing the top score for the query, in file order; [] when none match."""
        scores = self._scores(query_words)
        if not scores:
            return []
        top = max(scores.values())
        # No full sort: on a large library a common word matches thousands of tips.
        return [self.tips[p] for p in sorted(p for p, s in scores.items() if s == top)]
