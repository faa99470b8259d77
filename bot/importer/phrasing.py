"""How a phrase reads: as an instruction, as a lead-in, as a mistake; and how to turn it."""

import re
from typing import Literal

from bot.content.text import stem

# Verbs that open advice. Words that are as often nouns ("plan", "review") count only when
# an object follows ("Review the design"), so a heading such as "Design docs" is no lesson.
VERBS = frozenset(
    "accept acknowledge act add admit agree aim align allow answer apologise apologize "
    "appreciate approve argue ask assume automate avoid be become begin believe block borrow "
    "break bring build buy calibrate care carry celebrate challenge choose clarify clean close "
    "coach collect commit communicate compare connect consider continue copy count create cut "
    "debug decide default defend define delegate delete deliver depend describe disagree "
    "discuss do double-check draw drive drop earn embrace encourage end escalate escape "
    "estimate examine expect explain explore favour favor find finish fix follow forget "
    "forgive gather get give go grow guard hand handle have hire hold ignore improve include "
    "invest invite involve join keep kill know label learn leave let limit listen look lower "
    "maintain make map merge mind model move negotiate notice obsess offer open optimise "
    "optimize organise organize own pay pause pick play point practise practice praise "
    "prefer prepare prioritise prioritize protect prove publish pull push put raise rather "
    "read reach recognise recognize reduce refactor reflect refuse relax remember remove "
    "repeat replace reply respect respond rest retire return reuse rewrite roll run say "
    "see seek send separate ship show simplify sit skip sleep slow solve speak spend split "
    "sponsor stand start stay step stick stop take talk teach tell thank think throw tidy "
    "track trade train treat trust try turn understand use value verify visit volunteer wait "
    "walk watch welcome write apologise capture cherish decline empower establish hear host "
    "introduce mention nudge onboard outline promote prototype recruit redirect rehearse rely "
    "rename rethink reward rotate seek sell shorten shield solicit spot suggest summarise "
    "summarize surface tackle tailor timebox translate trim unblock unlearn warn weigh "
    "withdraw".split()
)
NOUN_VERBS = frozenset(
    "book call change check code comment demo design document email help interview lead list "
    "measure meet name note pair plan present process program project promise question record "
    "release report review schedule set share support sync test update work credit pace pitch "
    "rank rate risk sample scope shadow shape sign size stage structure target time".split()
)
OBJECT_WORDS = frozenset(
    "the a an one two three four five ten your every each all some it them this those these "
    "people someone something time back up down out off in on to with for yourself what how "
    "why who more less no before after early often less your own first".split()
)
FINITE_VERBS = frozenset(
    "is are was were will would can could should must has have had do does did gets got "
    "means makes".split()
)
SENTENCE_WORDS = 4
NEGATIVE_START = re.compile(r"^(?:don[’']?t|do not|never|avoid|stop|no more)\b", re.IGNORECASE)
ADVERB_LEAD = re.compile(
    r"^(?:finally|also|then|first|second|third|next|lastly|above all|instead|so|and|but|"
    r"again|always|often|sometimes|just|simply|please)\b,?\s+",
    re.IGNORECASE,
)
MISTAKES = re.compile(
    r"\b(?:mistakes?|pitfalls?|anti-?patterns?|traps?|don[’']?ts|what not to|not to do|"
    r"to avoid|bad habits?|sins|red flags?|failure modes?|ways? .{0,30}\b(?:sink|fail|ruin))\b",
    re.IGNORECASE,
)
LESSONS = re.compile(
    r"\b(?:lessons?|takeaways?|tips?|rules?|habits?|principles?|advice|learned|learnt|"
    r"would tell|wish I|do[’']?s and don[’']?ts)\b",
    re.IGNORECASE,
)
NUMBERING = re.compile(
    r"^(?:(?:lesson|rule|tip|step|habit|mistake|principle|takeaway|part|no\.?)\s*)?#?\d{1,3}"
    r"(?:[.):]|\s*[-—–:])\s*",
    re.IGNORECASE,
)
LEAD_IN_LABEL = re.compile(
    r"^(?:(?:key |the |my |one )?(?:tip|lesson|rule|takeaway|principle|habit|advice|point|"
    r"bottom line|tl;?dr|in short|summary|moral)(?:\s*#?\d+)?)\s*[:.!—–-]?$",
    re.IGNORECASE,
)
ASIDE_LABEL = re.compile(
    r"^(?:note|nb|n\.b|update|updated|edit|edited|ps|p\.s|disclaimer|aside|warning|caveat|"
    r"credit|credits|thanks|source|sources|example|examples|background|context|pros|cons|"
    r"bonus|spoiler|fun fact|footnote|related|see also|author|date|posted)\b",
    re.IGNORECASE,
)
STRUCTURE_HEADINGS = re.compile(
    r"^(?:intro|introduction|conclusion|conclusions|summary|closing|final thoughts|wrapping up|"
    r"wrap-up|background|references|further reading|reading list|acknowledg|thanks|tl;?dr|"
    r"why this|why i|about|appendix|faq|update|what'?s next|next steps|table of contents|"
    r"contents|resources|credits|comments|discussion|epilogue|prologue|preface)",
    re.IGNORECASE,
)
SUBJECTS = frozenset(
    "i we you they he she people teams managers leads engineers someone everyone".split()
)
LabelKind = Literal["lesson", "lead-in", "aside"]

# Turning a statement about a role into an instruction: "Staff engineers train people".
ROLES = frozenset(
    "engineer engineers eng engs leader leaders lead leads manager managers developer developers "
    "you we seniors".split()
)
# "You" and "we" give advice only with one of these: "We keep notes" is the author's story.
ADVISING = frozenset("should must".split())
ROLE_WORDS = frozenset(
    "a an the good great strong effective most staff senior sr sr. principal tech software "
    "engineering".split()
)
PLURALS = frozenset({"people", "you", "we"})
MODALS = frozenset("should must can always often usually also actively really".split())
OWN_PRONOUNS = (
    (r"\bhe/she\b|\bshe/he\b|\bhe or she\b|\bthey\b", "you"),
    (r"\btheir\b|\bhis\b|\bhis/her\b|\bher/his\b", "your"),
    (r"\bthemselves\b|\bhimself\b|\bherself\b", "yourself"),
)

# Where a passage's point starts: after a lead-in such as "The fix is simple:" or "While A, B".
SUBORDINATORS = frozenset(
    "while when whenever if although though because as since after before unless whereas once "
    "until".split()
)
LEAD_IN_NOUNS = frozenset(
    "difference lesson tip rule takeaway point thing idea truth secret key fix answer trick "
    "principle habit problem question reason part step".split()
)
BEST_THING = re.compile(
    r"^(?:the|one|my)\s+(?:\w+\s+){0,3}(?:thing|step|habit|way|lesson)\b.{0,80}?\s"
    r"(?:is|was)\s+(?:to\s+)?(?=\w)",
    re.IGNORECASE,
)
MAX_LEAD_IN_WORDS = 12
SHORT_LEAD_IN = 4
MIN_POINT_WORDS = 3


def words_of(text: str) -> list[str]:
    """Lowercase words of `text`, apostrophes kept inside words."""
    return re.findall(r"[a-z0-9]+(?:[’'-][a-z0-9]+)*", text.lower())


def reads_imperative(text: str) -> bool:
    """Whether `text` opens as an instruction: "Ship small", "Don't wait", "Review the design"."""
    text = ADVERB_LEAD.sub("", text.strip())
    if NEGATIVE_START.match(text):
        return True
    found = words_of(text)
    if not found:
        return False
    if found[0] in VERBS:
        return True
    if found[0] not in NOUN_VERBS or len(found) < 2:
        return False
    # "Measure progress in services" instructs; "Design docs are..." has a verb of its own.
    sentence_like = len(found) >= SENTENCE_WORDS and not FINITE_VERBS & set(found[1:4])
    return found[1] in OBJECT_WORDS or sentence_like


def names_mistakes(text: str) -> bool:
    """Whether a heading or lead-in announces mistakes to avoid ("Mistakes I made:")."""
    return bool(MISTAKES.search(text)) and not reads_imperative(text)


def names_lessons(text: str) -> bool:
    """Whether a heading or lead-in announces lessons ("Three habits helped:")."""
    return bool(LESSONS.search(text)) and not reads_imperative(text)


def without_numbering(text: str) -> str:
    """`text` without a leading "1.", "#2:" or "Lesson 3:"."""
    return NUMBERING.sub("", text.strip(), count=1).strip()


def is_numbered(text: str) -> bool:
    """Whether `text` opens with a number, as the parts of a list of lessons do."""
    return bool(NUMBERING.match(text.strip()))


def is_structure(heading: str) -> bool:
    """Whether a heading names a part of the article ("Introduction"), not a lesson."""
    return bool(STRUCTURE_HEADINGS.match(without_numbering(heading)))


def label_kind(label: str) -> LabelKind:
    """What a bold label opening a paragraph is: a lesson, a lead-in ("Tip:"), or an aside."""
    label = without_numbering(label).strip()
    if LEAD_IN_LABEL.match(label):
        return "lead-in"
    if ASIDE_LABEL.match(label) and len(label.split()) <= 3:
        return "aside"
    return "lesson"


def as_warning(lesson: str) -> str:
    """A mistake as advice against it: "Hoarding the pager" becomes "Avoid hoarding the pager"."""
    lesson = lesson.strip()
    if NEGATIVE_START.match(lesson):
        return lesson[:1].upper() + lesson[1:]
    found = words_of(lesson)
    lowered = lesson[:1].lower() + lesson[1:]
    if found and found[0] in SUBJECTS:
        return f"Mistake to avoid: {lowered}"
    if found and not found[0].endswith("ing") and reads_imperative(lesson):
        return f"Don't {lowered}"
    return f"Avoid {lowered}"


def key_clause(sentence: str) -> str:
    """A sentence's point, without its lead-in ("The fix is simple: X") or "While A," before it."""
    sentence = sentence.strip()
    head, _, rest = sentence.partition(": ")
    if rest and is_lead_in(head) and len(rest.split()) >= MIN_POINT_WORDS:
        sentence = rest
    best = BEST_THING.match(sentence)
    if best and len(sentence[best.end() :].split()) >= 2:
        sentence = sentence[best.end() :]
    first, comma, main = sentence.partition(", ")
    opener = first.split()[0].lower() if first.split() else ""
    if comma and opener in SUBORDINATORS and len(main.split()) >= MIN_POINT_WORDS:
        sentence = main
    sentence = ADVERB_LEAD.sub("", sentence) if reads_imperative(sentence) else sentence
    return sentence.strip().rstrip(".!?…:;,").strip()


def is_lead_in(text: str) -> bool:
    """Whether the words before a colon only announce the point ("The second difference")."""
    found = text.lower().split()
    if not found or len(found) > MAX_LEAD_IN_WORDS:
        return False
    return len(found) <= SHORT_LEAD_IN or any(stem(w.strip(",")) in LEAD_IN_NOUNS for w in found)


def as_instruction(clause: str, said_of_roles: bool = True) -> str | None:
    """The clause as something to do: `Staff engineers train people` → `train people`; with
    `said_of_roles` false, only a clause that is an instruction already."""
    if not clause.split():
        return None
    if reads_imperative(clause):
        return clause[:1].lower() + clause[1:]
    return _role_action(clause.split()) if said_of_roles else None


def _role_action(tokens: list[str]) -> str | None:
    """What a sentence about the reader's role says to do; None if it is about someone else."""
    role = next((k for k, t in enumerate(tokens[:4]) if t.lower() in ROLES), None)
    # Only a subject such as "A Staff Engineer" or "Good leaders" is the reader's own role.
    if role is None or any(t.lower() not in ROLE_WORDS for t in tokens[:role]):
        return None
    rest = tokens[role + 1 :]
    subject = tokens[role].lower()
    if subject in ("you", "we") and not (rest and rest[0].lower() in ADVISING):
        return None
    while rest and rest[0].lower() in MODALS:
        rest = rest[1:]
    plural_subject = subject.endswith("s") or subject in PLURALS
    verb = _base_verb(rest[0].lower(), plural_subject) if rest and rest[0].isalpha() else None
    if verb is None or (len(rest) > 1 and (rest[1] == "not" or rest[1].endswith("ing"))):
        return None
    action = " ".join([verb, *rest[1:]])
    for pattern, pronoun in OWN_PRONOUNS:
        action = re.sub(pattern, pronoun, action, flags=re.IGNORECASE)
    return action


def _base_verb(word: str, plural_subject: bool) -> str | None:
    irregular = {"is": "be", "are": "be", "has": "have", "does": "do", "goes": "go"}
    if word in irregular:
        return irregular[word]
    if word in ("was", "were", "had", "did", "not", "never", "also"):
        return None
    if plural_subject or not word.endswith("s") or word.endswith("ss"):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    return word[:-1]
