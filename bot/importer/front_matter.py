"""An article's YAML front matter, read within the bounds a tip file is read in."""

from typing import Any

import yaml

from bot.content.limits import MAX_NESTING, MAX_YAML_VALUES
from bot.content.yaml_tree import Refusal, YamlRefused, safe_load_bounded
from bot.importer.errors import ArticleError

REFUSED: dict[Refusal, str] = {
    "anchor": "uses a YAML anchor (&name)",
    "alias": "uses a YAML alias (*name)",
    "nesting": f"nests lists or mappings more than {MAX_NESTING} levels deep",
    "values": f"holds more than {MAX_YAML_VALUES:,} values",
}
FIX = "fix it, or remove it and pass --title, --author and --date"


def read_front_matter(lines: list[str]) -> tuple[dict[str, Any], int]:
    """The front matter as a mapping, and the index of the first body line (0 without one)."""
    if not lines or lines[0].strip() not in ("---", "+++"):
        return {}, 0
    fence = lines[0].strip()
    closers = ("---", "...") if fence == "---" else ("+++",)
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in closers), None)
    if end is None:
        return {}, 0  # a lone `---` is a thematic break, not front matter
    if fence == "+++":
        return {}, end + 1  # TOML front matter: skipped, so flags must supply the details
    data = _yaml("\n".join(lines[1:end]))
    if data is None:
        return {}, end + 1
    if not isinstance(data, dict):
        raise ArticleError("the front matter must be `key: value` lines such as `title: ...`")
    return data, end + 1


def _yaml(text: str) -> Any:
    try:
        return safe_load_bounded(text)
    except YamlRefused as exc:
        message = f"the front matter (line {exc.line + 1}) {REFUSED[exc.kind]}, which tipbot "
        raise ArticleError(f"{message}does not read; {FIX}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ArticleError(f"the front matter is not valid YAML{where}: {problem}; {FIX}") from None
