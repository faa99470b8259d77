"""Compose hand-written YAML into nodes one event at a time: bounded, with no aliases.

PyYAML's composers (its own and libyaml's) recurse once per level of nesting, and aliases
make a few hundred bytes stand for billions of values, so a small file can exhaust the stack
or the memory of whatever walks it next. This composer keeps its own stack, refuses anchors
and aliases where they appear, and stops at MAX_NESTING levels and MAX_YAML_VALUES values,
so nothing is built from a file past those bounds. Tip files and the front matter of
articles for `tipbot import` are read through it.
"""

from typing import Any, Literal, Protocol

import yaml
from yaml.composer import ComposerError

from bot.content.limits import MAX_NESTING, MAX_QUOTED_CHARS, MAX_YAML_VALUES
from bot.content.tip_errors import clip

LIBYAML_TOO_DEEP = "exceeded maximum nesting depth"  # libyaml's own limit is 1,000 levels
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


Refusal = Literal["anchor", "alias", "nesting", "values"]


class YamlRefused(Exception):
    """The file uses YAML that tip files may not; `line` is 1-based, `message` says what to do."""

    def __init__(self, line: int, kind: Refusal, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.kind = kind
        self.message = message


class EventSource(Protocol):
    """What composing needs of a PyYAML loader: its events, and its tag resolver."""

    def get_event(self) -> Any:
        """The next parsing event."""

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        """The tag of an untagged node."""


def safe_load_bounded(text: str) -> Any:
    """Like yaml.safe_load, within the bounds above: raises YamlRefused past them."""
    loader = _SafeLoader(text)
    try:
        root = compose_single_document(loader)
        return None if root is None else loader.construct_document(root)
    finally:
        loader.dispose()


def compose_single_document(source: EventSource) -> yaml.Node | None:
    """The root node of the file's one document; None when the file holds no document."""
    try:
        return _Composer(source).compose()
    except yaml.MarkedYAMLError as exc:
        # libyaml's scanner reads ahead, so past its own limit it stops before we see a level.
        if exc.problem == LIBYAML_TOO_DEEP and exc.problem_mark is not None:
            raise YamlRefused(exc.problem_mark.line + 1, "nesting", _too_deep()) from None
        raise


class _Composer:
    """Builds nodes from events, keeping the lists and mappings still open on a stack.

    Children are appended to an open mapping's value in order, key then value, and paired
    when the mapping closes. The loop handles scalars inline: a large file has hundreds of
    thousands of them, and this loop is most of the time it takes to load.
    """

    def __init__(self, source: EventSource) -> None:
        self.source = source
        self.root: yaml.Node | None = None
        self.open: list[Any] = []
        self.document_mark: Any = None  # libyaml's marks are not the type PyYAML's stubs expect

    def compose(self) -> yaml.Node | None:
        get_event, resolve, open_ = self.source.get_event, self.source.resolve, self.open
        values = 0
        while True:
            event = get_event()
            kind = type(event)
            if kind is yaml.ScalarEvent:
                if event.anchor is not None:
                    raise _named("anchor", event)
                tag = event.tag
                if tag is None or tag == "!":
                    tag = resolve(yaml.ScalarNode, event.value, event.implicit)
                node: yaml.Node = yaml.ScalarNode(
                    tag, event.value, event.start_mark, event.end_mark, event.style
                )
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                node = self.collection(event)
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                self.close(event)
                continue
            elif kind is yaml.StreamEndEvent:
                return self.root
            else:
                self.check(event)
                continue
            values += 1
            if values > MAX_YAML_VALUES:
                raise YamlRefused(_line(event), "values", _too_many())
            if open_:
                open_[-1].value.append(node)
            else:
                self.root = node
            if kind is not yaml.ScalarEvent:
                open_.append(node)

    def collection(self, event: Any) -> yaml.Node:
        """An empty list or mapping for its start event, if it may open here."""
        if event.anchor is not None:
            raise _named("anchor", event)
        if len(self.open) >= MAX_NESTING:
            raise YamlRefused(_line(event), "nesting", _too_deep())
        kind = yaml.MappingNode if type(event) is yaml.MappingStartEvent else yaml.SequenceNode
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.source.resolve(kind, None, event.implicit)
        return kind(tag, [], event.start_mark, None, flow_style=event.flow_style)

    def close(self, event: Any) -> None:
        """Finish the innermost open list or mapping; a mapping's children become pairs."""
        node = self.open.pop()
        node.end_mark = event.end_mark
        if isinstance(node, yaml.MappingNode):
            children = node.value
            node.value = list(zip(children[::2], children[1::2], strict=True))

    def check(self, event: Any) -> None:
        """Refuse an alias or a second document; the stream's other events carry nothing."""
        if isinstance(event, yaml.AliasEvent):
            raise _named("alias", event)
        if isinstance(event, yaml.DocumentStartEvent):
            if self.document_mark is not None:
                raise ComposerError(
                    "expected a single document in the stream",
                    self.document_mark,
                    "but found another document",
                    event.start_mark,  # type: ignore[arg-type]
                )
            self.document_mark = event.start_mark


def _line(event: yaml.Event) -> int:
    return int(event.start_mark.line) + 1 if event.start_mark else 1


def _too_deep() -> str:
    return (
        f"lists and mappings are nested more than {MAX_NESTING} levels deep here; a tip file "
        "needs 4 (file, tips, tip, tags), so check the brackets and indentation"
    )


def _too_many() -> str:
    return (
        f"the file holds more than {MAX_YAML_VALUES:,} YAML values (texts, lists and mappings); "
        "split its tips into several files"
    )


def _named(kind: Literal["anchor", "alias"], event: Any) -> YamlRefused:
    """The refusal of an anchor (&name) or an alias (*name), naming it as written."""
    what, sign = ("anchors", "&") if kind == "anchor" else ("aliases", "*")
    name = clip(event.anchor or "name", MAX_QUOTED_CHARS)
    message = f"YAML {what} ({sign}{name}) are not allowed in tip files"
    return YamlRefused(_line(event), kind, message + "; write the value out in full")
