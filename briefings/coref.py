"""Coreference over the people index: what a person of no stated role does, and the definite
descriptions that stand for them, give them a kind and a role.

``people.py`` finds people and their mentions; this stage links what it left unclassified. Each
rule is a row of ``RULES``: its name, what it yields, and example sentences of our own writing
that are at the same time its tests (``tests/test_coref.py`` runs every example of every row
through the whole people index, so a rule that breaks another's example fails).

The briefing's top-level ``actors`` are read from the result (``briefings.actors``): every named
person whose kind is leader, official or commander.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace

from briefings.article import Article
from briefings.roles import (
    COMMAND_KINDS,
    Mention,
    Person,
    PersonKind,
    is_title_or_role,
    role_kind,
)


@dataclass(frozen=True, slots=True)
class Example:
    """A sentence of our own writing and what the rule makes of the person it names."""

    text: str
    person: str
    kind: PersonKind
    role: str | None = None  # when given, the role the person ends with


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    yields: str
    pattern: re.Pattern[str]
    examples: tuple[Example, ...]


# An act only an office holder performs, right after a mention of the person (possibly past a
# short aside between commas): "X had declared", "X, in a decree, ordered".
_ACT_OF_OFFICE = re.compile(
    r"\s*(?:,[^,]{1,120},\s*)?(?:has |had |have |also |then )?(?:declared|ordered|announced|signed|"
    r"decided|decreed|authori[sz]ed|approved|vetoed|pardoned|vowed|pledged|threatened|demanded|"
    r"proposed|agreed|rejected|negotiated|annexed|appointed|dismissed|fired|sacked)\b"
)

# A definite description of an office: "the Ukrainian president", "the country's defence
# minister", "the army chief". Its last word is the head noun.
_OFFICE_HEADS = (
    "president|prime minister|premier|chancellor|leader|minister|commander|general|spokesman|"
    "spokeswoman|spokesperson|governor|mayor|envoy|ambassador|chief|commissioner|secretary"
)
_DESCRIPTION = re.compile(
    r"\b[Tt]he (?:(?:[A-Z][\w-]+|country’s|country's|nation’s|nation's|[a-z]+-?[a-z]+ian) )?"
    r"(?:(?:top|chief|defen[cs]e|foreign|interior|finance|army|military|rights|regional|deputy) )?"
    r"(?:" + _OFFICE_HEADS + r")\b"
    # not "the governor's spokeswoman" (someone else), nor "the mayor, Ivo Stan," (an apposition)
    r"(?![’'-]|,\s+[A-Z])"
)

RULES: tuple[Rule, ...] = (
    Rule(
        "act of office",
        "a named person of no stated role who declares, orders, signs, decrees, appoints ... is a "
        "leader",
        _ACT_OF_OFFICE,
        (
            Example(
                "Weeks after Tomas Brell had declared the port his, the shelling resumed.",
                "Tomas Brell",
                "leader",
            ),
            Example(
                "The border stays shut, Ilse Varga said. Varga, in a decree read on television, "
                "ordered the crossings closed.",
                "Ilse Varga",
                "leader",
            ),
        ),
    ),
    Rule(
        "description of an office",
        "'the Veskan president' after a named person of no stated role makes that person a "
        "leader (official, commander) with the description as role",
        _DESCRIPTION,
        (
            Example(
                "Mara Quill posted a video from the ridge on Monday. Standing by a burnt truck, "
                "the Veskan president said the line would hold.",
                "Mara Quill",
                "leader",
                "Veskan president",
            ),
            Example(
                "Ivo Stan, the deputy mayor of Lower Vale, visited the shelters. Calls to the "
                "governor’s spokeswoman, Lena Dorn, went unanswered.",
                "Lena Dorn",
                "official",
            ),
            Example(
                # "X, the UN envoy,": the apposition's own name, not the person before
                "Weeks after Tomas Brell left the port, the shelling resumed. Henrik Solvang, "
                "the UN envoy, said aid convoys were blocked.",
                "Tomas Brell",
                "unknown",
            ),
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class DescriptionExample:
    """A description of our own writing, the person's role, and whether it fits."""

    description: str
    role: str
    fits: bool


@dataclass(frozen=True, slots=True)
class HeadFamily:
    """Head nouns that name the same kind of office: a description headed by one fits a role
    holding another ("the country's top soldier" fits "commander-in-chief")."""

    name: str
    words: frozenset[str]
    examples: tuple[DescriptionExample, ...]


HEAD_FAMILIES: tuple[HeadFamily, ...] = (
    HeadFamily(
        "military",
        frozenset("soldier commander general chief commander-in-chief officer marshal".split()),
        (
            DescriptionExample("the country's top soldier", "army’s commander-in-chief", True),
            DescriptionExample("the army chief", "Chief of the General Staff", True),
            DescriptionExample("the country's top soldier", "Defence Minister", False),
        ),
    ),
    HeadFamily(
        "head of a body",
        frozenset(
            "chief head director commissioner chairman chairwoman chair leader coordinator "
            "secretary-general".split()
        ),
        (
            DescriptionExample(
                "the UN rights chief", "UN High Commissioner for Human Rights", True
            ),
            DescriptionExample("the agency's head", "director of the refugee agency", True),
            DescriptionExample("the UN rights chief", "UN envoy for the region", False),
            # a body named by its initials: "UN" is "United Nations"
            DescriptionExample("the UN rights chief", "United Nations human rights chief", True),
            DescriptionExample("the ICRC head", "head of the Red Crescent", False),
        ),
    ),
    HeadFamily(
        "spokesperson",
        frozenset("spokesman spokeswoman spokesperson".split()),
        (DescriptionExample("the spokeswoman", "army spokesperson", True),),
    ),
    HeadFamily(
        "head of state",
        frozenset("president leader head".split()),
        (
            DescriptionExample("the Veskan leader", "Veskan President", True),
            DescriptionExample("the Veskan president", "Dorian President", False),
        ),
    ),
    HeadFamily(
        "minister",
        frozenset("minister secretary".split()),
        (
            DescriptionExample("the defence minister", "Defense Secretary", True),
            DescriptionExample("the defence minister", "Foreign Minister", False),
        ),
    ),
)
_FAMILY_OF: dict[str, frozenset[str]] = {}
for _family in HEAD_FAMILIES:
    for _word in _family.words:
        _FAMILY_OF[_word] = _FAMILY_OF.get(_word, frozenset()) | _family.words

# Modifiers of a description that say nothing about which office it is.
_EMPTY_MODIFIERS = frozenset(
    "the country's country’s nation's nation’s top senior most powerful new veteran its their "
    "former outspoken".split()
)
# Portfolios of an office: two different ones are two offices ("defence" is not "foreign").
_PORTFOLIOS = frozenset(
    "defence defense foreign interior finance justice health economy energy agriculture "
    "education rights refugee refugees humanitarian military".split()
)
_WORD = re.compile(r"[a-z][a-z’']*")


def _stem(word: str) -> str:
    word = re.sub(r"[’']s$", "", word)
    return word[:5]


def role_words(role: str) -> set[str]:
    """The words of a role, lower-cased, possessives stripped, hyphenated words also split."""
    out: set[str] = set()
    for w in _WORD.findall(role.lower().replace("-", " - ")):
        out.add(re.sub(r"[’']s$", "", w))
    for w in re.findall(r"[a-z]+(?:-[a-z]+)+", role.lower()):
        out.add(w)
    return out


_NAME_RUN = re.compile(r"[A-Z][a-z]+(?:\s+(?:of\s+(?:the\s+)?|for\s+)?[A-Z][a-z]+)+")
_MINOR = frozenset("of the for".split())


def acronyms(text: str) -> dict[str, frozenset[str]]:
    """The initials of each run of capitalised words in ``text`` ("United Nations" -> "un",
    "International Committee of the Red Cross" -> "icrc"), lower-cased, each with the stems of
    its words: a description may name the body by them ("the UN rights chief")."""
    out: dict[str, frozenset[str]] = {}
    for m in _NAME_RUN.finditer(text):
        words = [w for w in m.group(0).split() if w.lower() not in _MINOR]
        if len(words) >= 2:
            out["".join(w[0] for w in words).lower()] = frozenset(_stem(w.lower()) for w in words)
    return out


def description_fit(description: str, person: Person) -> int:
    """How well a definite description ("the UN rights chief") fits ``person``'s role and
    title: 0 when its head noun is neither a word of the role nor of the same family, or when
    a proper modifier ("Veskan") meets another one in the role ("Dorian President"); else 3 for
    the head itself, 2 for one of its family, plus one per modifier the role shares and minus
    one per modifier it does not ("the Ukrainian president" fits "President" better than
    "Russian President")."""
    role = " ".join(x for x in (person.role, person.title) if x)
    words = description.split()
    if not role or len(words) < 2:
        return 0
    have = role_words(role)
    head = re.sub(r"[’']s$", "", words[-1].lower())
    if head in have:
        fit = 3
    elif _FAMILY_OF.get(head, frozenset()) & have:
        fit = 2
    else:
        return 0
    stems = {_stem(w) for w in have}
    initials = acronyms(role)
    used: set[str] = set()
    proper_missed = False
    for w in words[1:-1]:
        low = w.lower()
        if low in _EMPTY_MODIFIERS:
            continue
        if w.isupper() and low in initials:  # "UN" for "United Nations"
            fit += 1
            used |= initials[low]
            continue
        if _stem(low) in stems:
            fit += 1
            used.add(_stem(low))
        else:
            fit -= 1
            proper_missed = proper_missed or w[:1].isupper()
            if low in _PORTFOLIOS and _PORTFOLIOS & have:
                return 0
    if proper_missed and any(
        w[:1].isupper() and _stem(w.lower()) not in used and w.lower() not in _FAMILY_OF
        for w in re.findall(r"[A-Za-z][\w’'-]*", role)
        if not is_title_or_role(w)
    ):
        return 0
    return max(0, fit)


def corefer(article: Article, people: list[Person], mentions: tuple[Mention, ...]) -> None:
    """Give people of unknown kind the kind and role their acts and descriptions show;
    ``people`` is updated in place."""
    text = article.text
    for m in mentions:
        p = people[m.person]
        if p.named and p.kind == "unknown" and _ACT_OF_OFFICE.match(text, m.end):
            people[m.person] = replace(p, kind="leader")
    if not mentions:
        return
    starts = [m.start for m in mentions]
    for d in _DESCRIPTION.finditer(text):
        desc = d.group()
        kind = role_kind(desc)
        if kind not in COMMAND_KINDS:
            continue
        i = _described(people, mentions, starts, d.start(), article)
        if i is not None:
            people[i] = replace(people[i], kind=kind, role=people[i].role or desc[4:])


def _described(
    people: list[Person],
    mentions: tuple[Mention, ...],
    starts: list[int],
    offset: int,
    article: Article,
) -> int | None:
    """The person of unknown role a description at ``offset`` stands for: the last named person
    of the two sentences before it (one the sentence itself names is someone else, since an
    apposition already gave its own role), when nobody with a role was named after them."""
    here = article.sentence_at(offset)
    if here is None:
        return None
    hi = bisect.bisect_left(starts, offset)
    for m in reversed(mentions[max(0, hi - 12) : hi]):
        if m.sentence >= here.index:
            if article.text[m.end : offset].strip(" ,") == "":
                return None  # "X, the UN envoy,": the apposition of the name before it
            continue
        if m.sentence < here.index - 2:
            return None
        p = people[m.person]
        if not p.named or p.kind == "group":
            continue
        return m.person if p.kind == "unknown" else None
    return None
