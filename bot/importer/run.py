"""`tipbot import ARTICLE.md`: the command's edge, from the article's file to the draft's."""

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import load_settings
from bot.content.library import Library
from bot.content.loader import load_library, parse_tip_file
from bot.content.model import is_placeholder
from bot.errors import TipbotError
from bot.importer.article import parse_article
from bot.importer.drafting import DraftTip, draft_tips
from bot.importer.errors import ArticleError
from bot.importer.ids import slugify
from bot.importer.source import GivenSource, article_level, article_source
from bot.importer.takeaways import find_takeaways
from bot.importer.tip_yaml import render_yaml
from bot.wording import plural

MAX_ARTICLE_BYTES = 1_000_000
NO_TAKEAWAYS = (
    "found no takeaways in {path}: mark each lesson as a block quote (lines starting with "
    "`> `), in **bold**, or as a heading that says what to do (`## Ship small`), then run "
    "the import again"
)


def run_import(args: argparse.Namespace) -> int:
    """Draft tips from `args.article`; 0 when written or printed, 1 with a message on stderr."""
    try:
        return _import(args)
    except TipbotError as exc:
        print(f"tipbot import: {exc}", file=sys.stderr)
        return 1


def _import(args: argparse.Namespace) -> int:
    tips_dir = load_settings(need_slack=False).tips_dir
    path: Path = args.article
    article = parse_article(read_article(path))
    takeaways = find_takeaways(article.blocks)
    if not takeaways:
        raise ArticleError(NO_TAKEAWAYS.format(path=path))
    given = GivenSource(args.title, args.author, args.date, args.url, args.level)
    source = article_source(article, given)
    named = path.stem if is_placeholder(source.title) else source.title
    out: Path = args.out or tips_dir / f"{slugify(named) or 'article'}.yaml"
    # Drafts count: their ids will be served once they are reviewed.
    result = load_library(tips_dir, include_drafts=True)
    taken = _taken_ids(result.library, replaced=out if args.force else None)
    level = article_level(article, given.level)
    tips = draft_tips(takeaways, taken, result.library.vocabulary, level)
    text = render_yaml(source, tips)
    check_draft(text, str(out), tips)
    missing = [
        name for name in ("title", "author", "date") if is_placeholder(getattr(source, name))
    ]
    if args.dry_run:
        print(text, end="")
        print(f"Dry run: {plural(len(tips), 'draft tip')}; nothing written.", file=sys.stderr)
        return 0
    write_draft(out, text, force=args.force)
    print(f"Wrote {plural(len(tips), 'draft tip')} to {out}; {_next_step(missing)}")
    return 0


def _next_step(missing: Sequence[str]) -> str:
    """What the admin does next: fill in what the article does not say, review, validate."""
    review = "review each tip and write a value wherever it says TODO, then run tipbot validate."
    if not missing:
        return review
    flags = " and ".join(f"--{name}" for name in missing)
    return f"the article does not say its {' or '.join(missing)} ({flags} would); {review}"


def _taken_ids(library: Library, replaced: Path | None) -> set[str]:
    """Ids a draft must not reuse; those in the file being `replaced` go away with it."""
    target = replaced.resolve() if replaced is not None else None
    return {t.id for t in library.tips if target is None or Path(t.path).resolve() != target}


def read_article(path: Path) -> str:
    """The article's text; ArticleError when it is missing, binary, not UTF-8 or empty."""
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise ArticleError(f"{path} is a folder; name a markdown file such as article.md")
        if not path.is_file():
            raise ArticleError(f"{path} is not a regular file; name a markdown file")
        if size > MAX_ARTICLE_BYTES:
            raise ArticleError(f"{path} is {size} bytes; an article should be under 1 MB")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ArticleError(f"no such file: {path}") from None
    except OSError as exc:
        raise ArticleError(f"cannot read {path}: {exc.strerror}") from None
    return _article_text(path, raw)


def _article_text(path: Path, raw: bytes) -> str:
    """`raw` decoded as UTF-8; ArticleError when it is binary, another encoding or blank."""
    if b"\x00" in raw:
        raise ArticleError(f"{path} looks like a binary file, not markdown text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        byte = raw[exc.start : exc.start + 1].hex().upper()
        message = f"{path} is not UTF-8 text (byte 0x{byte} on line {line}); save it as UTF-8"
        raise ArticleError(message) from None
    if not text.strip():
        raise ArticleError(f"{path} is empty; there is nothing to import")
    return text


def check_draft(text: str, path: str, tips: Sequence[DraftTip]) -> None:
    """Raise ArticleError unless the draft passes the loader and reads back exactly as drafted."""
    loaded, errors = parse_tip_file(text, path)
    problems = [str(error) for error in errors]
    drafted = [(t.id, t.title, t.body, t.try_, t.tags, t.level) for t in tips]
    read_back = [(t.id, t.title, t.body, t.try_, t.tags, t.level) for t in loaded]
    if not problems and read_back != drafted:
        problems.append(f"{path}: the YAML does not read back as the drafted tips")
    if problems:
        listed = "\n  ".join(problems)
        message = (
            f"the draft does not pass validation, so nothing was written:\n  {listed}\n"
            "This is a bug in tipbot import; please report it with the article."
        )
        raise ArticleError(message)


def write_draft(path: Path, text: str, force: bool) -> None:
    """Write the draft in one step; an existing file is replaced only with `force`."""
    if path.is_dir():
        raise ArticleError(f"{path} is a folder; pass --out with a file name such as tips/new.yaml")
    if path.exists() and not force:
        message = (
            f"{path} already exists; pass --force to overwrite it, or --out to write elsewhere"
        )
        raise ArticleError(message)
    if not path.parent.is_dir():
        raise ArticleError(f"cannot write {path}: the folder {path.parent} does not exist")
    # A temporary name outside *.yaml, then one rename: a reloading bot never reads half a file.
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ArticleError(f"cannot write {path}: {exc.strerror}") from None
