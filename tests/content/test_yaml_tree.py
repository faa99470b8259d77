"""The bounded composer builds exactly the nodes PyYAML's own composer builds, where it may."""

from collections.abc import Callable
from typing import Any

import pytest
import yaml

from bot.content.yaml_tree import YamlRefused, compose_single_document
from tests.conftest import FIXTURES, SHIPPED_TIPS

PARSERS = [yaml.SafeLoader, yaml.CSafeLoader]
TIP_FILES = sorted(
    path
    for path in [*FIXTURES.glob("tips/**/*.y*ml"), *SHIPPED_TIPS.glob("*.yaml")]
    if path.parent.name not in ("alias-bomb", "not-utf8")
)
SNIPPETS = ["", "# a comment\n", "---\n", "--- x\n...\n", "! 5", "a: !foo [1]\n", "? [a]\n: b\n"]


def shape(node: yaml.Node | None) -> Any:
    """A node tree as plain tuples: kind, tag, style, where it starts and ends, children."""
    if node is None:
        return None
    marks = (node.start_mark.line, node.start_mark.column, node.end_mark.line)
    if isinstance(node, yaml.ScalarNode):
        return ("scalar", node.tag, node.style, marks, node.value)
    if isinstance(node, yaml.SequenceNode):
        return ("seq", node.tag, node.flow_style, marks, [shape(item) for item in node.value])
    assert isinstance(node, yaml.MappingNode)
    pairs = [(shape(key), shape(value)) for key, value in node.value]
    return ("map", node.tag, node.flow_style, marks, pairs)


def outcome(compose: Callable[[], yaml.Node | None]) -> Any:
    """The shape of the tree composed, or the error raised, as text."""
    try:
        return shape(compose())
    except yaml.YAMLError as exc:
        return ("error", str(exc))


@pytest.mark.parametrize("parser", PARSERS, ids=["pure-python", "libyaml"])
@pytest.mark.parametrize(
    "text",
    [path.read_text(encoding="utf-8") for path in TIP_FILES] + SNIPPETS,
    ids=[str(path.relative_to(path.parents[1])) for path in TIP_FILES] + SNIPPETS,
)
def test_the_same_tree_as_pyyaml(parser: type[yaml.SafeLoader], text: str) -> None:
    """Every fixture, the shipped tips and odd snippets compose as PyYAML's composer does."""
    ours = outcome(lambda: compose_single_document(parser(text)))
    assert ours == outcome(lambda: parser(text).get_single_node())


@pytest.mark.parametrize("parser", PARSERS, ids=["pure-python", "libyaml"])
def test_a_second_document_is_the_same_error_as_pyyaml_gives(
    parser: type[yaml.SafeLoader],
) -> None:
    """Two documents in one file fail as PyYAML fails, so the loader words it as before."""
    text = "a: 1\n---\nb: 2\n"
    ours = outcome(lambda: compose_single_document(parser(text)))
    assert ours[0] == "error"
    assert ours == outcome(lambda: parser(text).get_single_node())


def test_anchors_are_refused_even_when_no_alias_uses_them() -> None:
    """An anchor alone is refused at its line: tip files have no use for one."""
    with pytest.raises(YamlRefused) as refused:
        compose_single_document(yaml.CSafeLoader("a: 1\nb: &x 2\n"))
    assert (refused.value.line, refused.value.message) == (
        2,
        "YAML anchors (&x) are not allowed in tip files; write the value out in full",
    )
