"""Reading a hand-edited YAML file field by field, so every error names its line."""

import difflib
from collections.abc import Iterable
from datetime import date
from typing import Any

import yaml

from bot.content.limits import MAX_QUOTED_CHARS
from bot.content.tip_errors import FileErrors, TipError, clip, quoted
from bot.content.yaml_tree import YamlRefused, compose_single_document

MAP_TAG = "tag:yaml.org,2002:map"
STR_TAG = "tag:yaml.org,2002:str"
SEQ_TAG = "tag:yaml.org,2002:seq"
# libyaml's parser is about seven times faster; both give the same nodes and line marks.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# No implicit YAML type (bool, int, float, null, timestamp) is written in more characters.
LONGEST_IMPLICIT_SCALAR = 32
# How many values from the file one error lists before saying how many more there are.
LISTED_VALUES = 6


class SafeLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """The safe loader, minus work tip files never need; 10,000 tips load in under a second."""

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        # Bodies and titles are long plain scalars; matching each against every implicit
        # type's regex was a third of the load. Long ones can only be text.
        if kind is yaml.ScalarNode and implicit[0] and len(value) > LONGEST_IMPLICIT_SCALAR:
            return STR_TAG
        return str(super().resolve(kind, value, implicit))

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """No path resolvers are registered on the safe loader, so there is nothing to track."""

    def ascend_resolver(self) -> None:
        """See descend_resolver."""


REFUSED = object()  # a value already reported as an error, so callers add no second error


def read_root(
    text: str | TipError, errors: FileErrors, empty: str
) -> "tuple[yaml.Node, yaml.SafeLoader | yaml.CSafeLoader] | None":
    """The file's root node and the loader that built it; None, with an error, if it has none.

    `text` is the file's text or the error that stopped it being read; `empty` is the error
    for a file that holds no YAML document at all.
    """
    if isinstance(text, TipError):
        errors.add(text.line, text.message)
        return None
    loader = SafeLoader(text)
    try:
        root = compose_single_document(loader)
    except YamlRefused as exc:
        errors.add(exc.line, exc.message)
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.problem and exc.context and exc.context_mark:
            # "while parsing a flow sequence ... line 11" is often where the real mistake is.
            problem += f" ({exc.context} that started at line {exc.context_mark.line + 1})"
        errors.add(line, f"YAML syntax error: {problem}")
        return None
    except yaml.YAMLError as exc:
        errors.add(1, f"YAML error: {exc}")
        return None
    finally:
        loader.dispose()
    if root is None:
        errors.add(1, empty)
        return None
    return root, loader


class FieldReader:
    """Walks one file's YAML node tree; every error it reports names the node's line."""

    def __init__(self, errors: FileErrors, loader: "yaml.SafeLoader | yaml.CSafeLoader") -> None:
        self.path = errors.path
        self.loader = loader
        self.errors = errors

    def error(self, node: yaml.Node, message: str) -> None:
        """Report `message` at the line where `node` starts."""
        self.errors.add(node.start_mark.line + 1, message)

    def mapping(
        self, node: yaml.MappingNode, what: str, required: Iterable[str], optional: Iterable[str]
    ) -> dict[str, yaml.Node]:
        """Keys of a mapping node; reports unknown, duplicate and missing keys."""
        if node.tag != MAP_TAG:
            self.error(node, f"{what}: the YAML tag {short_tag(node.tag)} is not allowed here")
        allowed = (*required, *optional)
        found: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key not in allowed:
                self.error(key_node, f"{what}: unknown field {key_and_hint(key, allowed)}")
            elif key in found:
                self.error(key_node, f'{what}: field "{key}" appears twice')
            else:
                found[key] = value_node
        for name in required:
            if name not in found:
                self.error(node, f'{what}: missing field "{name}"')
        return found

    def text(self, node: yaml.Node, what: str) -> str | None:
        """A non-empty string scalar (dates are accepted and written back as YYYY-MM-DD)."""
        value = self.value(node, what)
        if value is REFUSED:
            return None
        if isinstance(value, date):
            return value.isoformat()
        if not isinstance(value, str):
            self.error(node, f"{what} must be text, not {kind(value)}")
            return None
        stripped = value.strip()
        if not stripped:
            self.error(node, f"{what} is empty")
            return None
        return stripped

    def value_list(self, node: yaml.Node, what: str) -> Any:
        """Like `value`, without the constructor for the usual flow list of plain words."""
        if node.tag == SEQ_TAG and all(item.tag == STR_TAG for item in node.value):
            return [item.value for item in node.value]
        return self.value(node, what)

    def value(self, node: yaml.Node, what: str) -> Any:
        """The Python value of a node; tags the safe loader refuses become one-line errors."""
        if node.tag == STR_TAG:
            return node.value  # most values are plain text; skip the constructor's dispatch
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            tag = clip(short_tag(exc.problem or node.tag), MAX_QUOTED_CHARS)
            self.error(node, f"{what} uses the YAML tag {tag}, which tip files do not allow")
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or type(exc).__name__
            self.error(node, f"{what} cannot be read: {problem}")
        return REFUSED


def listed(values: list[Any]) -> str:
    """Values from the file for an error: quoted text or the kind of value, a few at most."""
    # Enough to see the pattern, never a flood.
    shown = [quoted(v) if isinstance(v, str) else kind(v) for v in values[:LISTED_VALUES]]
    more = f" and {len(values) - LISTED_VALUES} more" if len(values) > LISTED_VALUES else ""
    return ", ".join(shown) + more


def short_tag(tag: str) -> str:
    """`!!python/name:os.system` from PyYAML's long tag or its error text."""
    for prefix in ("could not determine a constructor for the tag ", "tag:yaml.org,2002:"):
        tag = tag.replace(prefix, "!!" if prefix.startswith("tag:") else "")
    return tag.strip("'\"")


def kind(value: object) -> str:
    """What a value from the file is, for an error that expected something else."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false (put the text in quotes)"
    if isinstance(value, int | float):
        return "a number (put the text in quotes)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def closest(word: str, allowed: Iterable[str]) -> str | None:
    """The allowed word `word` most likely misspells, if one is close enough."""
    # Cut first: no word much longer than the allowed ones can be a close match anyway.
    match = difflib.get_close_matches(word[:MAX_QUOTED_CHARS], list(allowed), n=1)
    return match[0] if match else None


def key_and_hint(key: object, allowed: Iterable[str]) -> str:
    """An unknown key, quoted, with the field it most likely meant or else the fields allowed."""
    allowed = tuple(allowed)
    if not isinstance(key, str):
        return f"that is a list or mapping (allowed: {', '.join(allowed)})"
    match = closest(key, allowed)
    if match:
        return f'{quoted(key)} (did you mean "{match}"?)'
    return f"{quoted(key)} (allowed: {', '.join(allowed)})"
