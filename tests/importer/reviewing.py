"""What an admin does to a draft before it is served, done for tests: clear its markers."""

import re

from bot.content.model import DRAFT_MARKER

# A value for each field `tipbot import` may leave as TODO, as an admin would write one.
WRITTEN = {
    "title": '"A title the admin wrote"',
    "author": "A. Reviewer",
    "date": "2024-01-01",
    "try": '"Try it once this week and note what changed."',
    "tags": "[communication]",
}
PLACEHOLDER_LINE = re.compile(r'^(\s+)(title|author|date|try|tags): (?:"|\[)?TODO\b.*$', re.M)


def cleared(draft: str) -> str:
    """The draft with its review comments deleted and a value written for every TODO."""
    kept = "\n".join(line for line in draft.splitlines() if DRAFT_MARKER not in line) + "\n"
    return PLACEHOLDER_LINE.sub(lambda m: f"{m.group(1)}{m.group(2)}: {WRITTEN[m.group(2)]}", kept)
