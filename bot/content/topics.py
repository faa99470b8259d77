"""The topic vocabulary: the tags tips may carry, what each covers, and the words people type."""

from collections.abc import Iterable
from dataclasses import dataclass

from bot.content.text import stem

# The vocabulary lives beside the tip files, under this name; it is not a tip file.
TOPICS_FILE = "topics.yaml"


@dataclass(frozen=True, slots=True)
class Topic:
    """One topic: its tag, a one-line description, and other words people type for it."""

    tag: str
    description: str = ""
    synonyms: tuple[str, ...] = ()
    line: int = 0


def topic_key(text: str) -> str:
    """What a typed topic is compared by: lowercase, `#` and spaces gone, singular."""
    words = text.strip().lower().lstrip("#").split()
    return stem("-".join(words)) if words else ""


class Vocabulary:
    """The topics of one vocabulary file, found by tag or by any word listed for them."""

    def __init__(self, topics: Iterable[Topic] = (), path: str = "") -> None:
        self.topics = tuple(topics)
        self.path = path
        self.by_tag = {topic.tag: topic for topic in self.topics}
        self._by_key: dict[str, str] = {}
        for topic in self.topics:
            for word in (topic.tag, *topic.synonyms):
                self._by_key.setdefault(topic_key(word), topic.tag)

    def __contains__(self, tag: object) -> bool:
        return tag in self.by_tag

    def topic(self, tag: str) -> Topic:
        """The topic for `tag`; a bare one, without description, for a tag not listed here."""
        return self.by_tag.get(tag) or Topic(tag)

    def meaning(self, text: str) -> str | None:
        """The tag `text` names, as the tag or a synonym, in any case or number; None if none."""
        return self._by_key.get(topic_key(text))
