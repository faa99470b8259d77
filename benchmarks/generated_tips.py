"""Valid tips generated at scale, written as tip files in the shipped files' style.

Word frequencies follow Zipf's law over a vocabulary shaped like a real library's: a head of
common words in the article's register and a long tail of rarer ones. The 21 shipped tips
already use 470 distinct words; by Heaps' law 10,000 tips would use roughly 10,000, so a
vocabulary of a few hundred words would make every posting list unrealistically long.
"""

import itertools
import json
import random
import textwrap
from dataclasses import dataclass
from pathlib import Path

from bot.content.loader import load_vocabulary
from bot.content.model import LEVELS, Source, Tip
from bot.content.topics import TOPICS_FILE, Topic, topic_key
from bot.content.topics import Vocabulary as Topics

SHIPPED_TIPS = Path(__file__).resolve().parents[1] / "tips"

# Ordered roughly by how often career writing uses them; Zipf weights follow this order.
HEAD_WORDS = tuple(
    (
        "team staff senior engineer system systems people work project design decision time "
        "incident service services database cache requirements meeting organization lead leader "
        "leaders help trust train mentor mentoring impact scope credit ownership knowledge review "
        "feedback dependency dependencies limits scale performance reliability outage expert "
        "expertise plan planning career ladder promotion influence communication writing document "
        "documents proposal roadmap strategy manager managers peers junior juniors colleague "
        "colleagues product customer customers problem problems solution solutions risk risks "
        "question questions answer answers context change changes process processes goal goals "
        "priority priorities conversation conversations week weeks month quarter release deploy "
        "deployment monitoring alert alerts oncall latency throughput capacity budget cost code "
        "codebase architecture interface contract api migration legacy debt refactor testing "
        "quality standard standards practice practices habit habits example examples story "
        "lesson lessons mistake mistakes failure success recognition praise thanks visibility "
        "stakeholder stakeholders alignment consensus disagreement conflict delegation delegate "
        "pairing pair coaching teaching learning growth skill skills estimate estimates deadline "
        "deadlines handoff handover runbook postmortem retrospective metric metrics dashboard "
        "signal noise scaling sharding replica index query queries traffic popular items hundred"
    ).split()
)
TAIL_SIZE = 8_000
SYLLABLES = tuple(a + b for a in "bdfgklmnprtvz" for b in "aeiou")
TAGS = tuple(
    (
        "mentoring delegation incidents scope influence communication reliability recognition "
        "career-ladder design decision-making systems-thinking collaboration planning ownership "
        "feedback writing hiring onboarding quality testing operations architecture strategy "
        "stakeholders learning growth visibility trust estimation"
    ).split()
)
SOURCE = Source(title="Generated tips for benchmarking", author="benchmarks", date="2023-03-19")


def tail_words(count: int = TAIL_SIZE) -> tuple[str, ...]:
    """`count` distinct made-up words of three syllables, in a fixed order."""
    made = ("".join(parts) for parts in itertools.product(SYLLABLES, repeat=3))
    return tuple(itertools.islice(made, count))


@dataclass(frozen=True)
class Vocabulary:
    """Words with cumulative Zipf weights, ready for `random.choices`."""

    words: tuple[str, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def zipf(cls, words: tuple[str, ...]) -> "Vocabulary":
        """Weight the word of rank r by 1/r."""
        return cls(words, tuple(itertools.accumulate(1 / r for r in range(1, len(words) + 1))))


VOCABULARY = Vocabulary.zipf(HEAD_WORDS + tail_words())


class TipWriter:
    """Makes tips within every limit the loader checks, from a seeded generator."""

    def __init__(self, rng: random.Random, vocabulary: Vocabulary = VOCABULARY) -> None:
        self.rng = rng
        self.vocabulary = vocabulary

    def words(self, count: int) -> list[str]:
        """`count` words drawn by frequency."""
        vocab = self.vocabulary
        return self.rng.choices(vocab.words, cum_weights=vocab.cumulative, k=count)

    def sentence(self, limit: int) -> str:
        """A capitalised sentence of 6 to 14 words, cut to `limit` characters."""
        text = " ".join(self.words(self.rng.randint(6, 14))).capitalize() + "."
        return text[:limit].strip()

    def paragraph(self, limit: int) -> str:
        """Whole sentences up to `limit` characters."""
        text = self.sentence(limit)
        while len(text) + 1 + len(following := self.sentence(limit)) <= limit:
            text = f"{text} {following}"
        return text

    def tip(self, tip_id: str) -> Tip:
        """One valid tip."""
        rng = self.rng
        return Tip(
            id=tip_id,
            title=" ".join(self.words(rng.randint(3, 8))).capitalize()[:80].strip(),
            body=self.paragraph(rng.randint(200, 400)),
            try_=self.sentence(200),
            tags=tuple(rng.sample(TAGS, rng.randint(1, 4))),
            level=rng.choice(LEVELS),
            source=SOURCE,
        )


def tip_yaml(tip: Tip) -> str:
    """A tip as the shipped files write it: a folded `body` block, quoted title and try."""
    return "\n".join(
        [
            f"  - id: {tip.id}",
            f"    title: {json.dumps(tip.title)}",
            "    body: >-",
            *(f"      {line}" for line in textwrap.wrap(tip.body, width=86)),
            f"    try: {json.dumps(tip.try_)}",
            f"    tags: [{', '.join(tip.tags)}]",
            f"    level: {tip.level}",
            "",
        ]
    )


def file_yaml(tips: list[Tip]) -> str:
    """A whole tip file: the source block, then the tips."""
    header = (
        "source:\n"
        f"  title: {json.dumps(SOURCE.title)}\n"
        f"  author: {SOURCE.author}\n"
        f"  date: {SOURCE.date}\n"
        "tips:\n"
    )
    return header + "\n".join(tip_yaml(tip) for tip in tips)


def generated_topics() -> Topics:
    """A topic for every generated tag, with the shipped synonyms that name no other tag."""
    shipped, _ = load_vocabulary(SHIPPED_TIPS)
    taken = {topic_key(tag) for tag in TAGS}
    topics = []
    for tag in TAGS:
        synonyms = shipped.topic(tag).synonyms if shipped else ()
        kept = tuple(word for word in synonyms if topic_key(word) not in taken)
        topics.append(Topic(tag, f"Generated topic {tag}", kept))
    return Topics(topics)


def topics_yaml(topics: Topics) -> str:
    """The topics file for `topics`."""
    lines = ["topics:"]
    for topic in topics.topics:
        lines += [f"  - tag: {topic.tag}", f"    description: {json.dumps(topic.description)}"]
        if topic.synonyms:
            lines.append(f"    synonyms: [{', '.join(topic.synonyms)}]")
    return "\n".join(lines) + "\n"


def write_tips(directory: Path, files: int, per_file: int, seed: int = 2023) -> list[Tip]:
    """Write `files` files of `per_file` tips and their topics file into `directory`.

    Returns the tips written.
    """
    (directory / TOPICS_FILE).write_text(topics_yaml(generated_topics()), encoding="utf-8")
    writer = TipWriter(random.Random(seed))
    written: list[Tip] = []
    for number in range(files):
        tips = [writer.tip(f"gen-{number:02d}-{index:04d}") for index in range(per_file)]
        (directory / f"generated-{number:02d}.yaml").write_text(file_yaml(tips), encoding="utf-8")
        written.extend(tips)
    return written
