"""What `/tip TEXT` finds: the one search that Slack and the preview page both use."""

from dataclasses import dataclass

from bot.content.library import Library
from bot.content.model import Tip
from bot.content.text import query_words


@dataclass(frozen=True, slots=True)
class Found:
    """The tips `/tip TEXT` picks one from, and the topic TEXT named, if it named one."""

    tips: tuple[Tip, ...]
    topic: str | None = None


def find_tips(library: Library, text: str) -> Found:
    """Every tip for no text; a topic's tips when TEXT names one; else the best word matches.

    A topic is named by its tag or a synonym from the topics file, in any case or number
    (`outage`, `On call`, `#mentoring`). Other text is searched word by word, and only the
    tips sharing the best score are found, so `/tip cache popular items` finds the one tip
    about that cache rather than every tip that says "items".
    """
    if not text.strip():
        return Found(library.tips)
    topic = library.resolve_topic(text)
    if topic is not None:
        return Found(tuple(library.with_tag(topic)), topic)
    wanted = query_words(text)
    return Found(tuple(library.best(wanted)) if wanted else ())
