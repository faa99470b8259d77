"""Which tips the preview shows: the search words and tag from the page's query string."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from bot.content.model import Tip

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

    def words(self) -> list[str]:
        """The search words, lowercased; a tip must contain every one of them."""
        return self.query.lower().split()

    def shows(self, tip: Tip) -> bool:
        """Whether `tip` passes both the search and the tag filter."""
        if self.tag and self.tag not in tip.tags:
            return False
        text = search_text(tip)
        return all(word in text for word in self.words())

    def link(self, **changes: str) -> str:
        """A query string for these filters with some changed, leaving defaults out."""
        values = {"q": self.query, "tag": self.tag, "form": self.form, **changes}
        if values["form"] == "reply":
            del values["form"]
        kept = {name: value for name, value in values.items() if value}
        return "?" + urlencode(kept) if kept else "?"


def search_text(tip: Tip) -> str:
    """Everything a search matches against, lowercased; the page's script uses the same text."""
    fields = (tip.id, tip.title, tip.body, tip.try_, " ".join(tip.tags), tip.level)
    source = (tip.source.title, tip.source.author)
    return " ".join(" ".join((*fields, *source)).split()).lower()


def _first(params: Mapping[str, Sequence[str]], name: str) -> str:
    values = params.get(name) or [""]
    return values[0]
