"""Who a person is: the kinds of people a briefing tells apart, the words of titles and roles,
and the ``Person`` and ``Mention`` records that the people index (``briefings.people``) builds
and coreference (``briefings.coref``) refines.

Both stages read this vocabulary; neither owns it, so neither imports the other for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

PersonKind = Literal[
    "leader", "official", "commander", "soldier", "expert", "civilian", "group", "unknown"
]
COMMAND_KINDS: frozenset[str] = frozenset({"leader", "official", "commander"})
# Titles written before a name (compared lower-case, without a final full stop).
TITLES = frozenset(
    """
    president president-elect vice prime minister premier chancellor king queen prince princess
    pope emperor sheikh emir sultan ayatollah supreme gen general lt lieutenant col colonel maj rear
    major capt captain sgt sergeant cpl corporal pvt private adm admiral cmdr commander marshal
    brig brigadier rep representative sen senator gov governor mayor mr mrs ms dr prof professor
    secretary ambassador envoy spokesman spokeswoman spokesperson prosecutor attorney judge
    justice chief deputy defense defence foreign interior finance state national security
    adviser advisor speaker chairman chairwoman director head sir lord lady dame commissioner
    senior top former acting staff
    """.split()
)
# Title words that only modify the title after them ("Defence Minister"): never a title alone.
TITLE_MODIFIERS = frozenset(
    "vice supreme defense defence foreign interior finance state national security senior top "
    "former acting".split()
)
# Words of a role that make its holder a commentator, not an actor: rights groups, charities,
# think tanks and universities ("advocacy director at a rights group").
_COMMENTATOR_WORDS = frozenset(
    """
    amnesty watch rights advocacy institute university think-tank ngo charity foundation
    crisis research studies campaigner
    """.split()
)
# Words of a role that name a state or an intergovernmental body: its rights commissioner or
# crisis envoy is an official.
_PUBLIC_BODY_WORDS = frozenset("un nations eu nato osce government ministry state high".split())

# Head nouns of roles, by the kind of person they describe.
ROLE_WORDS: dict[str, PersonKind] = {}
for _kind, _words in (
    (
        "leader",
        "president president-elect premier chancellor king queen emperor leader dictator "
        "ayatollah monarch sultan emir pope strongman warlord",
    ),
    (
        "official",
        "minister secretary spokesman spokeswoman spokesperson adviser advisor prosecutor "
        "ambassador envoy diplomat governor mayor senator rep representative lawmaker legislator "
        "congressman congresswoman official administrator head chief director chairman "
        "chairwoman commissioner negotiator deputy attorney judge politician ombudsman speaker "
        "mp sen gov coordinator mediator rapporteur delegate",
    ),
    (
        "commander",
        "commander general gen admiral adm marshal colonel col brigadier brig commandant cmdr",
    ),
    (
        "soldier",
        "soldier sergeant sgt private pvt corporal cpl marine pilot engineer gunner infantryman "
        "paratrooper fighter medic sniper operator scout serviceman servicewoman conscript "
        "recruit officer lieutenant captain major rifleman artilleryman trooper guardsman "
        "sapper tanker signaller signaler radioman machine-gunner "
        "member militiaman lt capt maj",
    ),
    (
        "expert",
        "analyst expert researcher fellow professor scholar economist historian academic "
        "consultant observer journalist reporter correspondent campaigner activist",
    ),
    (
        "civilian",
        "resident civilian relative mother father wife husband son daughter brother sister "
        "grandmother grandfather widow farmer teacher doctor nurse student worker volunteer "
        "refugee villager shopkeeper driver owner neighbor neighbour survivor woman man "
        "pensioner priest witness",
    ),
):
    for _w in _words.split():
        ROLE_WORDS[_w] = _kind  # type: ignore[assignment]


@lru_cache(maxsize=4096)
def role_kind(role: str | None) -> PersonKind:
    """The kind of person a role describes, by its head noun: "battalion commander" is a
    commander, "Prosecutor General" an official, "gas analyst" an expert."""
    if not role:
        return "unknown"
    words: list[str] = []
    for w in re.findall(r"[a-z][a-z-]*", role.lower()):
        if (
            "-" in w
            and w not in ROLE_WORDS
            and all(ROLE_WORDS.get(x) or x in TITLES for x in w.split("-") if x and x != "in")
        ):
            # "secretary-general"; "commander-in-chief" is headed by its first word
            words.extend(x for x in w.split("-") if x)
        else:
            words.append(w)
    kind = _head_kind(words)
    if (
        kind in {"official", "leader"}
        and _COMMENTATOR_WORDS.intersection(words)
        and not _PUBLIC_BODY_WORDS.intersection(words)
    ):
        return "expert"  # "campaign director at a rights group", not "UN rights commissioner"
    return kind


_CLAUSE_WORDS = frozenset("who which that whose when where not".split())


def _head_kind(words: list[str]) -> PersonKind:
    if "be" in words:  # "the bloc's pick to be envoy": the role is what the pick is to be
        at = words.index("be")
        if at > 1 and words[at - 1] == "to" and not _CLAUSE_WORDS.intersection(words[:at]):
            after_be = _head_kind(words[at + 1 :])
            if after_be != "unknown":
                return after_be
    head: list[str] = []
    for w in words:
        if w in {"of", "with", "at", "in", "for", "from", "on", "who", "which", "that", "to"}:
            if head:
                break
            continue
        head.append(w)
    for i in range(len(head) - 1, -1, -1):
        w = head[i]
        kind = ROLE_WORDS.get(w) or ROLE_WORDS.get(w.rstrip("s"))
        if kind is None:
            continue
        prev = head[i - 1] if i else ""
        if w == "general" and prev in {"prosecutor", "attorney", "secretary", "inspector"}:
            return "official"
        if w == "minister" and prev == "prime":
            return "leader"
        if w in {"man", "woman"} and i and (ROLE_WORDS.get(prev) or prev in _SOLDIER_MODS):
            return "soldier"
        if kind != "group" and w.endswith("s") and w not in ROLE_WORDS and w != "sergeants":
            return "group"
        return kind
    return "unknown"


_MALE = frozenset(
    "son father husband brother man boy grandfather uncle nephew king prince mr sir lord "
    "emperor sultan emir sheikh spokesman chairman congressman serviceman".split()
)
_FEMALE = frozenset(
    "mother wife daughter sister woman girl grandmother aunt niece queen princess mrs ms "
    "widow lady dame spokeswoman chairwoman congresswoman servicewoman".split()
)


def role_gender(role: str | None) -> str:
    """ "m" or "f" when a role or title names a gender ("her son", "Mrs"), else ""."""
    if not role:
        return ""
    for w in re.findall(r"[a-z]+", role.lower()):
        if w in _MALE:
            return "m"
        if w in _FEMALE:
            return "f"
    return ""


_SOLDIER_MODS = frozenset("artillery infantry drone tank assault machine-gun mortar".split())


@dataclass(frozen=True, slots=True)
class Person:
    """One person; ``name`` is the fullest form used, or a description for the unnamed."""

    name: str
    role: str | None
    kind: PersonKind
    named: bool = True
    title: str | None = None  # an abbreviated title written before the name ("Mrs.", "Rep.")

    @property
    def gender(self) -> str:
        """ "m" or "f" when the role or title says so ("her son", "Mrs"), else ""."""
        return role_gender(self.role) or role_gender(self.title)


@dataclass(frozen=True, slots=True)
class Mention:
    """A mention of ``PeopleIndex.people[person]`` at ``text[start:end]``."""

    start: int
    end: int
    person: int
    sentence: int
    subject: bool


def is_title(low: str) -> bool:
    """A title word, or a hyphenated compound of titles ("secretary-general")."""
    if low in TITLES:
        return True
    return "-" in low and all(part in TITLES for part in low.split("-"))


def is_title_or_role(word: str) -> bool:
    """True for a title or the head noun of a role ("Secretary-General", "spokesman")."""
    low = word.lower().rstrip(".")
    return is_title(low) or is_role_word(low)


def is_role_word(low: str) -> bool:
    return low in TITLES or low in ROLE_WORDS or low.rstrip("s") in ROLE_WORDS
