"""A drafted tip's try line: the passage's point turned into something to do this week."""

import re
from collections.abc import Sequence

from bot.content.draft_title import key_clause, trim_words
from bot.content.model import LIMITS

TRY_PREFIX = "This week, "
GENERIC_TRY = "This week, find one place in your own work where this holds, and act on it: {}."
TRY_CLAUSE_BREAK = re.compile(
    r",\s+(?:which|because|since|so|as|while|when|or|but)\b|[;:]\s+|\s+[—–]\s+"
)
ROLES = frozenset(
    "engineer engineers eng engs leader leaders lead leads manager managers developer developers "
    "people you we seniors".split()
)
ROLE_WORDS = frozenset(
    "a an the good great strong effective most staff senior sr sr. principal tech software "
    "engineering".split()
)
NOT_VERBS = frozenset(
    "a an the this that these those each every all some any no one my our your his her their its "
    "it he she they we you i there here here's it's nobody everyone someone people most many few "
    "more less if when while because although though as since after before until unless so but "
    "and or not very just only also then now".split()
)
OBJECT_WORDS = frozenset(
    "the a an one two three four five ten your every each all some it them this those these "
    "people someone something time back up down out off in on to with for yourself what how why "
    "who more less no".split()
)
PLURALS = frozenset({"people", "you", "we"})
MODALS = frozenset("should must can will always often usually also actively really".split())
IMPERATIVE_VERBS = frozenset(
    "always ask avoid be block build celebrate check choose create decide default delegate "
    "document don't do find focus follow give invest keep lead learn let list listen make measure "
    "mentor name never note own pair pick plan praise prefer protect put read record remove "
    "replace review say schedule set share ship show spend start stop take talk teach tell thank "
    "train treat trust try use write".split()
)
OWN_PRONOUNS = (
    (r"\bhe/she\b|\bshe/he\b|\bhe or she\b|\bthey\b", "you"),
    (r"\btheir\b|\bhis\b|\bhis/her\b|\bher/his\b", "your"),
    (r"\bthemselves\b|\bhimself\b|\bherself\b", "yourself"),
)


def draft_try(plain: str, title: str) -> str:
    """An imperative for this week, from the passage's point; a general prompt if none reads."""
    action = _as_imperative(key_clause(plain))
    if action:
        action = TRY_CLAUSE_BREAK.split(action)[0]
        action = trim_words(action, LIMITS["try"] - len(TRY_PREFIX) - 1)
        return f"{TRY_PREFIX}{action}."
    return GENERIC_TRY.format(trim_words(title, LIMITS["try"] - len(GENERIC_TRY) + 2))


def _as_imperative(clause: str) -> str | None:
    """`Staff Engineers train people` → `train people`; None when the clause will not turn."""
    tokens = clause.split()
    if not tokens:
        return None
    if _reads_imperative([t.lower() for t in tokens]):
        return clause[:1].lower() + clause[1:]
    role = next((k for k, t in enumerate(tokens[:4]) if t.lower() in ROLES), None)
    # Only a subject such as "A Staff Engineer" or "Good leaders" is the reader's own role.
    if role is None or any(t.lower() not in ROLE_WORDS for t in tokens[:role]):
        return None
    rest = tokens[role + 1 :]
    while rest and rest[0].lower() in MODALS:
        rest = rest[1:]
    if not rest or not rest[0].isalpha():
        return None
    subject = tokens[role].lower()
    verb = _base_verb(rest[0].lower(), plural_subject=subject.endswith("s") or subject in PLURALS)
    if verb is None or (len(rest) > 1 and (rest[1] == "not" or rest[1].endswith("ing"))):
        return None
    action = " ".join([verb, *rest[1:]])
    for pattern, pronoun in OWN_PRONOUNS:
        action = re.sub(pattern, pronoun, action, flags=re.IGNORECASE)
    return action


def _reads_imperative(tokens: Sequence[str]) -> bool:
    """A known instruction verb first, or an unknown first word followed by its object."""
    first = tokens[0]
    if first in IMPERATIVE_VERBS:
        return True
    plural_noun = first.endswith("s") and not first.endswith(("ss", "us"))
    if first in NOT_VERBS or plural_noun or first.endswith(("ly", "ing", "ed")) or len(tokens) < 2:
        return False
    return tokens[1] in OBJECT_WORDS


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
