"""Load tip files safely and validate them, reporting every error with file and line."""

import contextlib
import difflib
import gc
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.content.library import Library
from bot.content.limits import MAX_FILE_BYTES, MAX_QUOTED_CHARS
from bot.content.model import LEVELS, Source, Tip
from bot.content.source_url import url_problem
from bot.content.tip_errors import FileErrors, TipError, clip, quoted
from bot.content.yaml_tree import YamlRefused, compose_single_document

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
LIMITS = {"id": 60, "title": 80, "body": 400, "try": 200}
TIP_FIELDS = ("id", "title", "body", "try", "tags", "level")
SOURCE_FIELDS = ("title", "author", "date")
OPTIONAL_SOURCE_FIELDS = ("url",)
MAX_TAGS = 6
# Slack markup that notifies: <!channel>, <!here>, <!everyone>, <!subteam^…>, <@U…>, <#C…>.
MENTION = re.compile(r"<[!@#][^>]*>")
TIP_SUFFIXES = (".yaml", ".yml")
MAP_TAG = "tag:yaml.org,2002:map"
# `tipbot import` writes this above every drafted `try` line; deleting them publishes the file.
DRAFT_MARKER = "# TODO review: drafted by tipbot import"
STR_TAG = "tag:yaml.org,2002:str"
SEQ_TAG = "tag:yaml.org,2002:seq"
# libyaml's parser is about seven times faster; both give the same nodes and line marks.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# No implicit YAML type (bool, int, float, null, timestamp) is written in more characters.
LONGEST_IMPLICIT_SCALAR = 32


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


UNKNOWN_SOURCE = Source(title="", author="", date="")
_REFUSED = object()  # a value already reported as an error, so callers add no second error


@dataclass(frozen=True)
class LoadResult:
    """The valid tips that were found, and every error seen on the way."""

    library: Library
    errors: tuple[TipError, ...]
    files: tuple[str, ...] = field(default=())
    # Files from `tipbot import` still carrying DRAFT_MARKER: checked, but not served.
    drafts: tuple[str, ...] = field(default=())


def is_tip_path(path: str | Path) -> bool:
    """Whether a path names a tip file (by its suffix; it may not exist)."""
    return Path(path).suffix in TIP_SUFFIXES


def tip_files(directory: Path) -> list[Path]:
    """Every *.yaml and *.yml file under `directory`, in a stable order."""
    found = [p for p in directory.rglob("*") if is_tip_path(p) and p.is_file()]
    return sorted(found)


def load_library(directory: Path, include_drafts: bool = False) -> LoadResult:
    """Load every tip file under `directory`; bad tips are reported and left out, good ones kept.

    Drafts from `tipbot import` are validated but left out of the library, so nobody is sent
    an unreviewed tip, unless `include_drafts` (the preview and the importer want them).
    """
    with _collector_paused():
        return _load_library(directory, include_drafts)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    # Parsing makes hundreds of thousands of short-lived objects and no reference cycles;
    # the cyclic collector would otherwise rescan them again and again (up to 40% of a big
    # load). Reference counting still frees everything as usual.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def is_draft(text: str | TipError) -> bool:
    """Whether a tip file is an unreviewed draft from `tipbot import`."""
    return isinstance(text, str) and DRAFT_MARKER in text


def _load_library(directory: Path, include_drafts: bool) -> LoadResult:
    if not directory.is_dir():
        message = "tips directory not found; pass one, or set TIPS_DIR"
        error = TipError(str(directory), 0, message)
        return LoadResult(Library(()), (error,))
    paths = tip_files(directory)
    tips: list[Tip] = []
    errors: list[TipError] = []
    if not paths:
        errors.append(TipError(str(directory), 0, "no *.yaml or *.yml tip files found"))
    seen: dict[str, Tip] = {}
    drafts: list[str] = []
    for path in paths:
        text = read_tip_file(path)
        file_errors = FileErrors(_display(path))
        file_tips = _parse_tip_file(text, file_errors)
        served = True
        if is_draft(text):
            drafts.append(_display(path))
            served = include_drafts
        for tip in file_tips if served else ():
            first = seen.get(tip.id)
            if first is not None:
                where = f"{first.path}:{first.line}"
                file_errors.add(tip.line, f'tip "{tip.id}": duplicate id, first at {where}')
                continue
            seen[tip.id] = tip
            tips.append(tip)
        errors.extend(file_errors.report())
    files = tuple(_display(p) for p in paths)
    return LoadResult(Library(tuple(tips)), tuple(errors), files, tuple(drafts))


def read_tip_file(path: Path) -> str | TipError:
    """The file's text, or an error saying why it cannot be read as UTF-8 text of a sane size."""
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)  # no more: a huge file is refused unread
            size = max(len(raw), os.fstat(file.fileno()).st_size)
    except OSError as exc:
        return TipError(_display(path), 1, f"cannot read the file: {exc.strerror}")
    if size > MAX_FILE_BYTES:
        message = (
            f"the file is {size:,} bytes; a tip file may be at most {MAX_FILE_BYTES:,} bytes, "
            "so split its tips into several files"
        )
        return TipError(_display(path), 0, message)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        byte = raw[exc.start : exc.start + 1].hex().upper()
        message = f"not valid UTF-8 (byte 0x{byte}); save the file as UTF-8"
        return TipError(_display(path), line, message)


def _display(path: Path) -> str:
    """A path as a person would type it: relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def parse_tip_file(text: str | TipError, path: str) -> tuple[list[Tip], list[TipError]]:
    """Parse one file's text; returns its valid tips and its errors."""
    errors = FileErrors(path)
    tips = _parse_tip_file(text, errors)
    return tips, errors.report()


def _parse_tip_file(text: str | TipError, errors: FileErrors) -> list[Tip]:
    if isinstance(text, TipError):
        errors.add(text.line, text.message)
        return []
    loader = SafeLoader(text)
    try:
        root = compose_single_document(loader)
    except YamlRefused as exc:
        errors.add(exc.line, exc.message)
        return []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.problem and exc.context and exc.context_mark:
            # "while parsing a flow sequence ... line 11" is often where the real mistake is.
            problem += f" ({exc.context} that started at line {exc.context_mark.line + 1})"
        errors.add(line, f"YAML syntax error: {problem}")
        return []
    except yaml.YAMLError as exc:
        errors.add(1, f"YAML error: {exc}")
        return []
    finally:
        loader.dispose()
    if root is None:
        errors.add(1, "file is empty; expected `source:` and `tips:`")
        return []
    return _FileParser(errors, loader).parse(root)


class _FileParser:
    """Walks one file's YAML node tree so every error can name its line."""

    def __init__(self, errors: FileErrors, loader: "yaml.SafeLoader | yaml.CSafeLoader") -> None:
        self.path = errors.path
        self.loader = loader
        self.errors = errors

    def error(self, node: yaml.Node, message: str) -> None:
        self.errors.add(node.start_mark.line + 1, message)

    def parse(self, root: yaml.Node) -> list[Tip]:
        if not isinstance(root, yaml.MappingNode):
            self.error(root, "expected a mapping with `source:` and `tips:` at the top level")
            return []
        top = self.mapping(root, "file", required=("source", "tips"), optional=())
        source = self.source(top["source"]) if "source" in top else None
        tips_node = top.get("tips")
        if tips_node is None:
            return []
        if not isinstance(tips_node, yaml.SequenceNode):
            self.error(tips_node, "`tips` must be a list of tips (each item starts with `- id:`)")
            return []
        if not tips_node.value:
            self.error(tips_node, "`tips` is empty; add at least one tip")
        # Tips under a broken source are still checked, so every error shows up in one pass,
        # but none is served: a tip must not go out without its attribution.
        tips = [self.tip(item, source or UNKNOWN_SOURCE) for item in tips_node.value]
        if source is None:
            return []
        return [t for t in tips if t is not None]

    def mapping(
        self, node: yaml.MappingNode, what: str, required: Iterable[str], optional: Iterable[str]
    ) -> dict[str, yaml.Node]:
        """Keys of a mapping node; reports unknown, duplicate and missing keys."""
        if node.tag != MAP_TAG:
            self.error(node, f"{what}: the YAML tag {_short_tag(node.tag)} is not allowed here")
        allowed = (*required, *optional)
        found: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key not in allowed:
                self.error(key_node, f"{what}: unknown field {_key_and_hint(key, allowed)}")
            elif key in found:
                self.error(key_node, f'{what}: field "{key}" appears twice')
            else:
                found[key] = value_node
        for name in required:
            if name not in found:
                self.error(node, f'{what}: missing field "{name}"')
        return found

    def source(self, node: yaml.Node) -> Source | None:
        if not isinstance(node, yaml.MappingNode):
            self.error(node, "`source` must be a mapping with title, author and date")
            return None
        before = self.errors.count
        fields = self.mapping(node, "source", SOURCE_FIELDS, OPTIONAL_SOURCE_FIELDS)
        values = {name: self.text(fields[name], f'source: "{name}"') for name in fields}
        url = values.get("url")
        wrong = url_problem(url) if url else None
        if wrong:
            self.error(fields["url"], f'source: "url" {wrong}')
        if self.errors.count > before:
            return None
        return Source(
            title=values["title"] or "",
            author=values["author"] or "",
            date=values["date"] or "",
            url=url,
        )

    def tip(self, node: yaml.Node, source: Source) -> Tip | None:
        if not isinstance(node, yaml.MappingNode):
            self.error(node, "each tip must be a mapping of id, title, body, try, tags, level")
            return None
        before = self.errors.count
        id_node = next((v for k, v in node.value if k.value == "id"), None)
        tip_id = id_node.value if isinstance(id_node, yaml.ScalarNode) else None
        what = f"tip {quoted(tip_id)}" if tip_id else f"tip at line {node.start_mark.line + 1}"
        fields = self.mapping(node, what, TIP_FIELDS, ())
        values: dict[str, str | None] = {
            name: self.text(fields[name], f'{what}: "{name}"')
            for name in ("id", "title", "body", "try", "level")
            if name in fields
        }
        for name, limit in LIMITS.items():
            value = values.get(name)
            if value is not None and len(value) > limit:
                self.error(
                    fields[name], f'{what}: "{name}" is {len(value)} characters; at most {limit}'
                )
        for name in ("title", "body", "try"):
            # Text over its limit is an error already; searching it all costs too much.
            mention = MENTION.search((values.get(name) or "")[: LIMITS[name]])
            if mention:
                self.error(
                    fields[name],
                    f'{what}: "{name}" contains {mention.group(0)}, which would notify people '
                    "in Slack; tips may link to pages but not mention people or channels",
                )
        if values.get("id") is not None and not SLUG.match(values["id"] or ""):
            self.error(
                fields["id"], f'{what}: "id" must be a lowercase slug like "trust-your-team"'
            )
        if values.get("level") is not None and values["level"] not in LEVELS:
            self.error(fields["level"], f'{what}: "level" must be one of {", ".join(LEVELS)}')
        tags = self.tags(fields["tags"], what) if "tags" in fields else ()
        if self.errors.count > before:
            return None
        return Tip(
            id=values["id"] or "",
            title=values["title"] or "",
            body=values["body"] or "",
            try_=values["try"] or "",
            tags=tags,
            level=values["level"] or "",
            source=source,
            path=self.path,
            line=node.start_mark.line + 1,
        )

    def text(self, node: yaml.Node, what: str) -> str | None:
        """A non-empty string scalar (dates are accepted and written back as YYYY-MM-DD)."""
        value = self.value(node, what)
        if value is _REFUSED:
            return None
        if isinstance(value, date):
            return value.isoformat()
        if not isinstance(value, str):
            self.error(node, f"{what} must be text, not {_kind(value)}")
            return None
        stripped = value.strip()
        if not stripped:
            self.error(node, f"{what} is empty")
            return None
        return stripped

    def tags(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        value = self.value_list(node, f'{what}: "tags"')
        if value is _REFUSED:
            return ()
        if not isinstance(value, list) or not value:
            self.error(node, f'{what}: "tags" must be a non-empty list such as [mentoring, scope]')
            return ()
        before = self.errors.count
        if len(value) > MAX_TAGS:
            self.error(node, f'{what}: "tags" has {len(value)} entries; at most {MAX_TAGS}')
        bad = [t for t in value if not isinstance(t, str) or not SLUG.match(t)]
        if bad:
            self.error(node, f"{what}: tags must be lowercase words or slugs; fix {_listed(bad)}")
        counts = Counter(t for t in value if isinstance(t, str))
        repeated = sorted(tag for tag, count in counts.items() if count > 1)
        if repeated:
            self.error(node, f"{what}: tag {_listed(repeated)} appears more than once")
        if self.errors.count > before:
            return ()
        return tuple(value)

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
            tag = clip(_short_tag(exc.problem or node.tag), MAX_QUOTED_CHARS)
            self.error(node, f"{what} uses the YAML tag {tag}, which tip files do not allow")
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or type(exc).__name__
            self.error(node, f"{what} cannot be read: {problem}")
        return _REFUSED


def _listed(values: list[Any]) -> str:
    """Values from the file for an error: quoted text or the kind of value, a few at most."""
    # As many as a valid list may hold: enough to see the pattern, never a flood.
    shown = [quoted(v) if isinstance(v, str) else _kind(v) for v in values[:MAX_TAGS]]
    more = f" and {len(values) - MAX_TAGS} more" if len(values) > MAX_TAGS else ""
    return ", ".join(shown) + more


def _short_tag(tag: str) -> str:
    """`!!python/name:os.system` from PyYAML's long tag or its error text."""
    for prefix in ("could not determine a constructor for the tag ", "tag:yaml.org,2002:"):
        tag = tag.replace(prefix, "!!" if prefix.startswith("tag:") else "")
    return tag.strip("'\"")


def _kind(value: object) -> str:
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


def _key_and_hint(key: object, allowed: Iterable[str]) -> str:
    """An unknown key, quoted, with the field it most likely meant or else the fields allowed."""
    if not isinstance(key, str):
        return f"that is a list or mapping (allowed: {', '.join(allowed)})"
    shown = quoted(key)
    # Cut first: no key much longer than the short field names can be a close match anyway.
    match = difflib.get_close_matches(key[:MAX_QUOTED_CHARS], list(allowed), n=1)
    if match:
        return f'{shown} (did you mean "{match[0]}"?)'
    return f"{shown} (allowed: {', '.join(allowed)})"
