"""Read what a preview page shows: which tip cards are visible, and the listed errors."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Shown:
    """The tip cards on a page, by id, split by whether they are hidden, and the errors."""

    visible: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.shown = Shown()
        self.in_errors = False
        self.error_text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        if tag == "article" and "card" in classes:
            tip_id = (values.get("id") or "").removeprefix("tip-")
            (self.shown.hidden if "hidden" in values else self.shown.visible).append(tip_id)
        elif tag == "section" and values.get("id") == "errors":
            self.in_errors = True
        elif tag == "li" and self.in_errors:
            self.error_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "li" and self.error_text is not None:
            self.shown.errors.append("".join(self.error_text))
            self.error_text = None
        elif tag == "section":
            self.in_errors = False

    def handle_data(self, data: str) -> None:
        if self.error_text is not None:
            self.error_text.append(data)


def read_page(html: str) -> Shown:
    """The visible and hidden tip ids and the error lines of a preview page."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.shown
