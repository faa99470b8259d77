"""Load tip files safely and validate them, reporting every error with file and line."""

import contextlib
import gc
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.content.library import Library
from bot.content.limits import MAX_FILE_BYTES
from bot.content.model import (
    DRAFT_MARKER,
    LEVELS,
    LIMITS,
    MAX_TAGS,
    SLUG,
    Source,
    Tip,
    is_placeholder,
    is_unfinished,
)
from bot.content.source_url import url_problem
from bot.content.tip_errors import FileErrors, TipError, quoted
from bot.content.topic_file import parse_topics_file
from bot.content.topics import TOPICS_FILE, Vocabulary
from bot.content.yaml_fields import REFUSED, FieldReader, closest, listed, read_root

TIP_FIELDS = ("id", "title", "body", "try", "tags", "level")
SOURCE_FIELDS = ("title", "author", "date")
OPTIONAL_SOURCE_FIELDS = ("url",)
# Slack markup that notifies: <!channel>, <!here>, <!everyone>, <!subteam^…>, <@U…>, <#C…>.
MENTION = re.compile(r"<[!@#][^>]*>")
CONTENT_SUFFIXES = (".yaml", ".yml")

UNKNOWN_SOURCE = Source(title="", author="", date="")


@dataclass(frozen=True, slots=True)
class TextField:
    """One text field of a tip, and what its value must be beyond being non-empty text."""

    name: str
    # The most characters it may have.
    limit: int | None = None
    # Whether Slack markup that notifies people is refused in it.
    no_mentions: bool = False
    # What is wrong with a value, said after the field's name; None when nothing is.
    rule: Callable[[str], str | None] | None = None

    def problems(self, value: str) -> Iterator[str]:
        """What is wrong with `value`, each said after the field's name, in this order."""
        if self.limit is not None and len(value) > self.limit:
            yield f"is {len(value)} characters; at most {self.limit}"
        # Text over its limit is an error already; searching it all costs too much.
        mention = MENTION.search(value[: self.limit]) if self.no_mentions else None
        if mention:
            yield (
                f"contains {mention.group(0)}, which would notify people in Slack; "
                "tips may link to pages but not mention people or channels"
            )
        problem = self.rule(value) if self.rule else None
        if problem:
            yield problem


def _slug_problem(value: str) -> str | None:
    return None if SLUG.match(value) else 'must be a lowercase slug like "trust-your-team"'


def _level_problem(value: str) -> str | None:
    return None if value in LEVELS else f"must be one of {', '.join(LEVELS)}"


# Every field of a tip but `tags` (a list, read by `tags()`), and what each must be.
TEXT_FIELDS = (
    TextField("id", limit=LIMITS["id"], rule=_slug_problem),
    TextField("title", limit=LIMITS["title"], no_mentions=True),
    TextField("body", limit=LIMITS["body"], no_mentions=True),
    TextField("try", limit=LIMITS["try"], no_mentions=True),
    TextField("level", rule=_level_problem),
)


@dataclass(frozen=True)
class LoadResult:
    """The valid tips that were found, and every error seen on the way."""

    library: Library
    errors: tuple[TipError, ...]
    files: tuple[str, ...] = field(default=())
    # Files from `tipbot import` still carrying DRAFT_MARKER or a placeholder: checked, not served.
    drafts: tuple[str, ...] = field(default=())


def is_content_path(path: str | Path) -> bool:
    """Whether a path names a tip file or the topics file, by its suffix; it may not exist."""
    return Path(path).suffix in CONTENT_SUFFIXES


def tip_files(directory: Path) -> list[Path]:
    """Every *.yaml and *.yml file under `directory` but the topics file, in a stable order."""
    topics = directory / TOPICS_FILE
    found = [p for p in directory.rglob("*") if is_content_path(p) and p != topics and p.is_file()]
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


def is_draft(text: str | TipError, tips: list[Tip]) -> bool:
    """Whether a tip file is an unreviewed draft: a review mark or a placeholder is left in it."""
    return (isinstance(text, str) and DRAFT_MARKER in text) or any(map(is_unfinished, tips))


def _load_library(directory: Path, include_drafts: bool) -> LoadResult:
    if not directory.is_dir():
        message = "tips directory not found; pass one, or set TIPS_DIR"
        error = TipError(str(directory), 0, message)
        return LoadResult(Library(()), (error,))
    vocabulary, vocabulary_errors = load_vocabulary(directory)
    paths = tip_files(directory)
    tips: list[Tip] = []
    errors: list[TipError] = list(vocabulary_errors)
    if not paths:
        errors.append(TipError(str(directory), 0, "no *.yaml or *.yml tip files found"))
    seen: dict[str, Tip] = {}
    drafts: list[str] = []
    for path in paths:
        text = read_tip_file(path)
        file_errors = FileErrors(_display(path))
        file_tips = _parse_tip_file(text, file_errors, vocabulary)
        served = True
        if is_draft(text, file_tips):
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
    return LoadResult(Library(tuple(tips), vocabulary), tuple(errors), files, tuple(drafts))


def load_vocabulary(directory: Path) -> tuple[Vocabulary | None, list[TipError]]:
    """The topics file in `directory` and its errors; None when there is no such file.

    Without one, any tag is accepted and topics have no descriptions or synonyms.
    """
    path = directory / TOPICS_FILE
    if not path.is_file():
        return None, []
    return parse_topics_file(read_tip_file(path), _display(path))


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


def parse_tip_file(
    text: str | TipError, path: str, vocabulary: Vocabulary | None = None
) -> tuple[list[Tip], list[TipError]]:
    """Parse one file's text; returns its valid tips and its errors.

    With a `vocabulary`, a tag that is not one of its topics is an error.
    """
    errors = FileErrors(path)
    tips = _parse_tip_file(text, errors, vocabulary)
    return tips, errors.report()


def _parse_tip_file(
    text: str | TipError, errors: FileErrors, vocabulary: Vocabulary | None
) -> list[Tip]:
    read = read_root(text, errors, empty="file is empty; expected `source:` and `tips:`")
    if read is None:
        return []
    root, loader = read
    return _FileParser(errors, loader, vocabulary).parse(root)


class _FileParser(FieldReader):
    """Walks one tip file's YAML node tree so every error can name its line."""

    def __init__(
        self,
        errors: FileErrors,
        loader: "yaml.SafeLoader | yaml.CSafeLoader",
        vocabulary: Vocabulary | None,
    ) -> None:
        super().__init__(errors, loader)
        self.vocabulary = vocabulary

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
        values: dict[str, str | None] = {}
        for text_field in TEXT_FIELDS:
            name = text_field.name
            if name not in fields:
                continue  # reported as missing already
            value = values[name] = self.text(fields[name], f'{what}: "{name}"')
            for problem in text_field.problems(value) if value is not None else ():
                self.error(fields[name], f'{what}: "{name}" {problem}')
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

    def tags(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        value = self.value_list(node, f'{what}: "tags"')
        if value is REFUSED:
            return ()
        if not isinstance(value, list) or not value:
            self.error(node, f'{what}: "tags" must be a non-empty list such as [mentoring, scope]')
            return ()
        before = self.errors.count
        if len(value) > MAX_TAGS:
            self.error(node, f'{what}: "tags" has {len(value)} entries; at most {MAX_TAGS}')
        # `TODO` stands where `tipbot import` found no topic: a placeholder makes the file a draft.
        bad = [
            t for t in value if not isinstance(t, str) or not (SLUG.match(t) or is_placeholder(t))
        ]
        if bad:
            self.error(node, f"{what}: tags must be lowercase words or slugs; fix {listed(bad)}")
        counts = Counter(t for t in value if isinstance(t, str))
        repeated = sorted(tag for tag, count in counts.items() if count > 1)
        if repeated:
            self.error(node, f"{what}: tag {listed(repeated)} appears more than once")
        if self.errors.count > before:
            return ()
        if self.vocabulary is not None:
            for tag in value:
                if tag not in self.vocabulary and not is_placeholder(tag):
                    self.error(node, f"{what}: {unknown_tag(tag, self.vocabulary)}")
        if self.errors.count > before:
            return ()
        return tuple(value)


def unknown_tag(tag: str, vocabulary: Vocabulary) -> str:
    """Why `tag` is refused, with the topic it most likely means, or what to do instead."""
    where = vocabulary.path or TOPICS_FILE
    meant = vocabulary.meaning(tag) or closest(tag, vocabulary.by_tag)
    if meant:
        return f'tag {quoted(tag)} is not a topic in {where} (did you mean "{meant}"?)'
    return f"tag {quoted(tag)} is not a topic in {where}; use one of its topics, or add it there"
