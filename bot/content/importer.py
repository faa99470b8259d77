"""`tipbot import ARTICLE.md`: draft tips from an article's takeaways for an admin to review."""

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import load_settings
from bot.content.draft_ids import slugify
from bot.content.draft_labels import tag_vocabulary
from bot.content.draft_source import GivenSource, article_source
from bot.content.draft_yaml import render_yaml
from bot.content.drafting import DraftTip, draft_tips
from bot.content.library import Library
from bot.content.loader import load_library, parse_tip_file
from bot.content.markdown import ArticleError, parse_article
from bot.content.takeaways import find_takeaways
from bot.errors import TipbotError
from bot.wording import plural

MAX_ARTICLE_BYTES = 1_000_000


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
        message = (
            f"found no takeaways in {path}: mark each lesson as a block quote (lines starting "
            "with `> `) or in **bold**, then run the import again"
        )
        raise ArticleError(message)
    given = GivenSource(title=args.title, author=args.author, date=args.date, url=args.url)
    source = article_source(article, given, path)
    out: Path = args.out or tips_dir / f"{slugify(source.title) or 'article'}.yaml"
    # Drafts count: their ids will be served once they are reviewed.
    library = load_library(tips_dir, include_drafts=True).library
    taken = _taken_ids(library, replaced=out if args.force else None)
    vocabulary = tag_vocabulary((topic.tag for topic, _ in library.topics()), library.vocabulary)
    tips = draft_tips(takeaways, taken, vocabulary)
    text = render_yaml(source, tips)
    check_draft(text, str(out), tips)
    if args.dry_run:
        print(text, end="")
        print(f"Dry run: {plural(len(tips), 'draft tip')}; nothing written.", file=sys.stderr)
        return 0
    write_draft(out, text, force=args.force)
    print(
        f"Wrote {plural(len(tips), 'draft tip')} to {out}; "
        "review the try lines marked TODO, then run tipbot validate."
    )
    return 0


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
