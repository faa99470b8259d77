"""Reading tips/topics.yaml: each topic's tag, one-line description and synonyms, checked."""

import yaml

from bot.content.model import SLUG
from bot.content.tip_errors import FileErrors, TipError, quoted
from bot.content.topics import Topic, Vocabulary, topic_key
from bot.content.yaml_fields import REFUSED, FieldReader, listed, read_root

TOPIC_FIELDS = ("tag", "description")
OPTIONAL_TOPIC_FIELDS = ("synonyms",)
# Slack's limit on the description of an option in a menu, where App Home shows it.
MAX_DESCRIPTION = 75
MAX_SYNONYMS = 20


def parse_topics_file(text: str | TipError, path: str) -> tuple[Vocabulary | None, list[TipError]]:
    """The vocabulary in one topics file, and its errors; None when no topic could be read.

    A topic with a bad description or synonym still counts by its tag, so the tips that use
    it are not reported as well; the file's own errors say what to fix.
    """
    errors = FileErrors(path)
    read = read_root(text, errors, empty="file is empty; expected `topics:` and a list of topics")
    topics = _TopicsParser(errors, read[1]).parse(read[0]) if read else []
    vocabulary = Vocabulary(topics, path) if topics else None
    # Repeated words are found after the whole list is read; report everything in line order.
    return vocabulary, sorted(errors.report(), key=lambda error: (not error.line, error.line))


class _TopicsParser(FieldReader):
    """Walks the topics file's YAML node tree so every error can name its line."""

    def __init__(self, errors: FileErrors, loader: "yaml.SafeLoader | yaml.CSafeLoader") -> None:
        super().__init__(errors, loader)
        # Each tag and synonym, by the key typed text is matched on: the tag it stands for,
        # whether it is that tag itself, and its line.
        self.claimed: dict[str, tuple[str, bool, int]] = {}
        self.synonym_lines: dict[int, int] = {}  # a topic's line -> its synonyms' line

    def parse(self, root: yaml.Node) -> list[Topic]:
        """Every topic with a usable tag, each tag and synonym claimed by one topic only."""
        if not isinstance(root, yaml.MappingNode):
            self.error(root, "expected a mapping with `topics:` at the top level")
            return []
        top = self.mapping(root, "file", required=("topics",), optional=())
        node = top.get("topics")
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.error(node, "`topics` must be a list of topics (each item starts with `- tag:`)")
            return []
        read = [topic for topic in map(self.topic, node.value) if topic is not None]
        # Tags first, so a synonym that repeats a tag is reported at the synonym, wherever it is.
        topics = [topic for topic in read if self.claim_tag(topic)]
        for topic in topics:
            for synonym in topic.synonyms:
                self.claim_synonym(topic, synonym)
        return topics

    def topic(self, node: yaml.Node) -> Topic | None:
        """One topic; None when it has no usable tag (its other errors are reported too)."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, "each topic must be a mapping of tag, description and synonyms")
            return None
        tag_node = next((v for k, v in node.value if k.value == "tag"), None)
        tag = tag_node.value if isinstance(tag_node, yaml.ScalarNode) else None
        what = f"topic {quoted(tag)}" if tag else f"topic at line {node.start_mark.line + 1}"
        fields = self.mapping(node, what, TOPIC_FIELDS, OPTIONAL_TOPIC_FIELDS)
        tag = self.text(fields["tag"], f'{what}: "tag"') if "tag" in fields else None
        if tag is not None and not SLUG.match(tag):
            self.error(fields["tag"], f'{what}: "tag" must be a lowercase slug like "on-call"')
            tag = None
        described = fields.get("description")
        description = self.description(described, what) if described is not None else ""
        synonyms: tuple[str, ...] = ()
        if "synonyms" in fields:
            synonyms = self.synonyms(fields["synonyms"], what)
            self.synonym_lines[node.start_mark.line + 1] = fields["synonyms"].start_mark.line + 1
        if tag is None:
            return None
        return Topic(tag, description, synonyms, node.start_mark.line + 1)

    def description(self, node: yaml.Node, what: str) -> str:
        """One line of plain text that fits a Slack menu option; "" when it does not."""
        text = self.text(node, f'{what}: "description"')
        if text is None:
            return ""
        problem = None
        if "\n" in text:
            problem = "must be one line"
        elif len(text) > MAX_DESCRIPTION:
            problem = f"is {len(text)} characters; at most {MAX_DESCRIPTION}"
        if problem:
            self.error(node, f'{what}: "description" {problem}')
            return ""
        return text

    def synonyms(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        """A list of slugs; none at all when any of them is wrong, so no typo finds a topic."""
        value = self.value_list(node, f'{what}: "synonyms"')
        if value is REFUSED:
            return ()
        if not isinstance(value, list):
            self.error(node, f'{what}: "synonyms" must be a list such as [outage, on-call]')
            return ()
        if len(value) > MAX_SYNONYMS:
            self.error(node, f'{what}: "synonyms" has {len(value)} entries; at most {MAX_SYNONYMS}')
            return ()
        bad = [word for word in value if not isinstance(word, str) or not SLUG.match(word)]
        if bad:
            self.error(
                node,
                f"{what}: synonyms must be lowercase words, joined by hyphens where people type "
                f'a space ("on-call" matches "on call"); fix {listed(bad)}',
            )
            return ()
        return tuple(value)

    def claim_tag(self, topic: Topic) -> bool:
        """Note the topic's tag; False, with an error, if an earlier topic has it already."""
        key = topic_key(topic.tag)
        first = self.claimed.get(key)
        if first is None:
            self.claimed[key] = (topic.tag, True, topic.line)
            return True
        tag, _, line = first
        if tag == topic.tag:
            problem = f"is listed already, at line {line}; keep one of them"
        else:
            problem = f'means the same as "{tag}" at line {line}, as plurals match; keep one'
        self.errors.add(topic.line, f'topic "{topic.tag}": the tag {problem}')
        return False

    def claim_synonym(self, topic: Topic, synonym: str) -> None:
        """Note what `synonym` stands for; a word claimed already is reported where it repeats."""
        key = topic_key(synonym)
        line = self.synonym_lines.get(topic.line, topic.line)
        first = self.claimed.get(key)
        if first is None:
            self.claimed[key] = (topic.tag, False, line)
            return
        tag, is_tag, first_line = first
        if is_tag:
            problem = "is its own tag" if tag == topic.tag else f'is the tag of topic "{tag}"'
        else:
            where = "in this topic" if tag == topic.tag else f'under topic "{tag}"'
            problem = f"is listed already, {where} at line {first_line}"
        self.errors.add(
            line, f'topic "{topic.tag}": synonym "{synonym}" {problem}; list each word once'
        )
