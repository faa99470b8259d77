"""Which tips the preview shows: what `/tip WORDS` finds in Slack, within one topic if asked."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from bot.content.library import Library
from bot.content.search import Found, find_tips
from bot.content.yaml_fields import closest
from bot.wording import plural

FORMS = ("reply", "weekly")


@dataclass(frozen=True, slots=True)
class Filters:
    """What the admin asked to see: words to search for, one tag, and which message form."""

    query: str = ""
    tag: str = ""
    form: str = "reply"

    @classmethod
    def from_query(cls, params: Mapping[str, Sequence[str]]) -> "Filters":
        """Filters from parsed query parameters; unknown or repeated values fall back safely."""
        form = _first(params, "form")
        return cls(
            query=_first(params, "q").strip(),
            tag=_first(params, "tag").strip(),
            form=form if form in FORMS else "reply",
        )

    def link(self, **changes: str) -> str:
        """A query string for these filters with some changed, leaving defaults out."""
        values = {"q": self.query, "tag": self.tag, "form": self.form, **changes}
        if values["form"] == "reply":
            del values["form"]
        kept = {name: value for name, value in values.items() if value}
        return "?" + urlencode(kept) if kept else "?"


@dataclass(frozen=True, slots=True)
class Shown:
    """The tips the preview shows, the topic its menu selects, and how the filters were read."""

    ids: tuple[str, ...]
    tag: str = ""
    note: str = ""


def shown_tips(library: Library, filters: Filters, command: str = "/tip") -> Shown:
    """The tips `command WORDS` picks from in Slack, narrowed to the tag's topic if one is set.

    The tag is read like a topic typed after `/tip` (case, plurals, synonyms); one that names
    no topic shows nothing and says so, with the topic it most likely means.
    """
    found = find_tips(library, filters.query)
    tips = found.tips
    notes = [_query_note(found, filters.query, command)] if filters.query else []
    tag = library.resolve_topic(filters.tag) if filters.tag else None
    if tag is not None:
        tips = tuple(tip for tip in tips if tag in tip.tags)
        description = library.vocabulary.topic(tag).description
        notes.append(f"Topic “{tag}”: {description}." if description else f"Topic “{tag}”.")
    elif filters.tag:
        tips = ()
        notes.append(_unknown_tag_note(library, filters.tag))
    return Shown(tuple(tip.id for tip in tips), tag or "", " ".join(notes))


def _query_note(found: Found, query: str, command: str) -> str:
    """How Slack reads `command QUERY`: a topic, the best word matches, or nothing."""
    asked = f"“{command} {query}”"
    if found.topic is not None:
        many = plural(len(found.tips), "tip")
        return f"{asked} names the topic “{found.topic}” and picks one of its {many} at random."
    if len(found.tips) == 1:
        return f"{asked} names no topic and answers with the one tip that best matches its words."
    if found.tips:
        many = plural(len(found.tips), "tip")
        return f"{asked} names no topic and picks one of the {many} that best match its words."
    return f"{asked} finds no tip; Slack answers with the list of topics."


def _unknown_tag_note(library: Library, tag: str) -> str:
    """Why a tag shows nothing, and the topic it most likely means."""
    meant = closest(tag.lower(), [topic.tag for topic, _ in library.topics()])
    hint = f" Did you mean “{meant}”?" if meant else " Pick one from the menu."
    return f"No topic is called “{tag}”, so no tip is shown.{hint}"


def _first(params: Mapping[str, Sequence[str]], name: str) -> str:
    values = params.get(name) or [""]
    return values[0]
