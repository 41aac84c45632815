"""People in an article, found by the structure of news prose.

A capitalised sequence of words is a person when news prose marks it as one: a title before it
("President", "Gen.", "Prosecutor General", "Kremlin spokesman"), an apposition after it ("X, a
30-year-old battalion commander with ...", "X, 21,", "X, who ..."), an attribution verb next to it
("said X", "X told"), a call sign ("goes by the call sign X"), a possessive that only people have
("X's troops", "X's home"), "led by X", "X signed", or two or three capitalised words that never
stand where places stand. A title may follow an organisation's name ("Rebel Army Chief of Staff
X", "Party Secretary-General X") or take a complement ("High Commissioner for Refugees X"); a
title modifier alone ("Defence") is none. "told X" names the one spoken to, not a person, unless
a role follows. Roles of rights groups, think tanks and universities make commentators.
Countries (pycountry), nationalities, creeds ("Islamist"), months, and words that head
organisations or places are never people, nor is a name followed by a place or group noun ("the
Lower Vale region", "Red Hill rebels"), wherever the article uses it. Later mentions by surname
("Stone") resolve to the full name ("Michael Stone").

A role is the description the article gives: an apposition ("X, a battalion commander with ...",
"X, Red Hill militia spokesman"), a description before the name ("the council's pick to be envoy,
Rep. X,", "the navy's chief spokesman Rear Admiral X"), else the title. An abbreviated title
alone ("Rep.", "Lt. Col.") gives the kind and gender, never the role shown.

Unnamed speakers ("a senior officer, speaking anonymously, said") are kept too, by their shortest
description, so that a following "he said" resolves to them rather than to someone named earlier.

The API ``quotes.py`` and ``policy.py`` share: ``find_people(article) -> PeopleIndex``, and the word
lists ``ATTRIBUTION_VERBS`` and ``role_kind``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from briefings.article import Article
from briefings.coref import corefer, description_fit
from briefings.roles import (
    COMMAND_KINDS,
    ROLE_WORDS,
    TITLE_MODIFIERS,
    TITLES,
    Mention,
    Person,
    PersonKind,
    is_role_word,
    is_title,
    is_title_or_role,
    role_kind,
)

# Verbs that attribute speech or a written statement to a subject.
ATTRIBUTION_VERBS = frozenset(
    """
    said says say saying told tells telling added adds adding asked asks explained explains
    noted notes stated states wrote writes writing tweeted tweeting posted recalled recalls
    warned warns warning insisted insists argued argues claimed claims declared declares
    announced announces acknowledged acknowledges admitted admits replied replies cautioned
    stressed emphasized emphasised observed suggested suggests estimated estimates predicted
    described describes recounted recounts remarked confirmed confirms confirming shouted
    whispered joked jokes complained complains urged urges vowed vows pledged promised reported
    reports mocked quipped answered conceded concluded boasted lamented sighed continued
    lament laments lamenting stressing stresses emphasizing emphasising declaring accused
    accuses accusing denied denies denying alleged alleges alleging reiterated reiterates
    reiterating affirmed affirms affirming underlined underlines underlining revealed reveals
    assured assures retorted insisting arguing explaining stating announcing claiming noting
    urging vowing
    """.split()
)
# Verbs whose object is the person spoken to or about, never the speaker ("he told X").
OBJECT_VERBS = frozenset("told tells telling accused accuses accusing urged urges".split())

# Words that make a capitalised sequence an organisation, a place or a thing, not a person.
_NON_PERSON_HEADS = frozenset(
    """
    ministry ministries forces force army armies navy corps brigade brigades battalion regiment
    division unit units council office agency news energy hospital university committee party
    institute group company corporation corp inc ltd service services administration union
    nations states republic department journal times post press network television radio
    command staff guard guards police court parliament assembly congress senate government
    kremlin pentagon house church bank fund foundation association federation organization
    organisation alliance coalition front movement authority authorities directorate bureau
    region oblast province district county city town village river sea ocean island islands
    peninsula mountains mountain lake bay gulf street road highway square bridge dam plant
    station airport port base airfield valley desert coast border line north south east west
    northern southern eastern western central day war operation vehicles vehicle missiles
    missile systems system network media center centre school academy club northeast northwest
    southeast southwest team channel tv agency
    """.split()
)
_MONTHS_DAYS = frozenset(
    """
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
    """.split()
)
# Nationalities and other capitalised adjectives; suffix rules below catch most of the rest.
_DEMONYMS = frozenset(
    """
    british english french german dutch swiss swedish danish finnish polish czech slovak greek
    turkish irish scottish welsh spanish portuguese israeli iraqi kuwaiti saudi yemeni qatari
    pakistani bangladeshi afghan thai chinese japanese vietnamese taiwanese lebanese sudanese
    congolese senegalese maltese nepalese burmese western eastern northern southern soviet
    allied american russian ukrainian korean north south arab muslim
    christian jewish islamic western-made american-made british-made
    """.split()
)
_FUNCTION_WORDS = frozenset(
    """
    the a an and but or nor so yet for of in on at by to from with into onto over under after
    before since until while as if when where which who whom whose that this these those there
    then than though although because despite unlike using meanwhile still however moreover
    it its he she they we i you his her their our my your him them us me some many most each
    every all both few several other others another such no not only also even just about
    around near far about what how why is was were are be been being has have had do does did
    will would can could may might must shall should one two three four five six seven eight
    nine ten last next first second third new old more less yesterday today tomorrow earlier
    later here now luckily perhaps barely nearly almost again nobody everybody somebody anybody
    everyone someone anyone
    """.split()
)
_CONNECTORS = frozenset("bin ibn al el de da di del della van von der den la le du dos das".split())
_PLACE_PREPS = frozenset(
    "in into near from to toward towards outside inside across around through".split()
)
_AREAS = frozenset("neighbourhood neighborhood outskirts suburb suburbs centre center".split())
_DESCRIPTION_BREAK = frozenset(
    """
    who whom whose that which where when while as because after before since although though
    and but or said says told added in at near on during fighting speaking
    """.split()
)
_KIN_NOUNS = frozenset(
    """
    home house family son daughter wife husband mother father brother sister children child
    parents grandchildren funeral grave body apartment flat car
    """.split()
)
_LEADER_POSSESSED = frozenset(
    """
    troops forces army military government administration regime inauguration decision order
    orders decree cabinet party pick campaign presidency rule spokesman spokeswoman envoy
    adviser advisers ministers generals
    """.split()
)


def lazy_pattern(source: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """A function that returns the compiled expression, compiling it on its first call: the
    expressions of rare constructions cost nothing at import."""
    cell: list[re.Pattern[str]] = []

    def compiled() -> re.Pattern[str]:
        if not cell:
            cell.append(re.compile(source, flags))
        return cell[0]

    return compiled


_POSSESSIVE = re.compile(r"(?:’s|'s|’|')$")
_AGE = re.compile(r"^\d{1,3}(?:-year-old)?$")
_CALL_SIGN = lazy_pattern(
    r"\b(?:call[- ]?sign|nom de guerre|nickname|codename|code name|first name,?|name as|"
    r"identified (?:only )?(?:by \w+ first name )?as)\s+(?:is\s+)?[“\"‘']?(?=(?-i:[A-Z]))"
    r"([^\W\d_][\w’'-]*)",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def _country_words() -> frozenset[str]:
    """Lower-case country names and their single words (pycountry), plus continents."""
    import pycountry

    names: set[str] = set()
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if isinstance(value, str):
                names.add(value.lower())
                if " " not in value and "," not in value:
                    names.add(value.lower())
    names.update(
        "europe asia africa america americas oceania antarctica middle east balkans caucasus "
        "crimea donbas gaza west bank scandinavia siberia".split()
    )
    return frozenset(names)


def is_country(name: str) -> bool:
    return name.lower() in _country_words()


def _is_demonym(word: str) -> bool:
    low = word.lower().rstrip(".")
    if low in _DEMONYMS:
        return True
    return (len(low) > 4 and low.endswith(("ian", "ean", "ese", "ish", "ans", "ians"))) or (
        len(low) > 5 and low.endswith("ist")  # "Islamist", "Maoist": creeds, not names
    )


@dataclass(frozen=True, slots=True)
class PeopleIndex:
    people: tuple[Person, ...]
    mentions: tuple[Mention, ...]
    _starts: tuple[int, ...] = ()

    def mentions_in(self, start: int, end: int) -> tuple[Mention, ...]:
        lo = bisect.bisect_left(self._starts, start)
        hi = bisect.bisect_left(self._starts, end)
        return tuple(m for m in self.mentions[lo:hi] if m.end <= end)

    def first_mention(self, person: int) -> Mention | None:
        """The first mention of ``people[person]`` in reading order."""
        for m in self.mentions:
            if m.person == person:
                return m
        return None

    def people_in(self, start: int, end: int) -> tuple[Person, ...]:
        seen: list[int] = []
        for m in self.mentions_in(start, end):
            if m.person not in seen:
                seen.append(m.person)
        return tuple(self.people[i] for i in seen)

    def lookup(self, name: str) -> Person | None:
        """The person called ``name`` (full name or surname), if known."""
        low = name.lower().strip()
        best: Person | None = None
        for p in self.people:
            if not p.named:
                continue
            pl = p.name.lower()
            if pl == low:
                return p
            if best is None and (pl.endswith(" " + low) or low.endswith(" " + pl)):
                best = p
        return best

    def antecedent(
        self,
        offset: int,
        *,
        singular: bool = True,
        exclude_sentence: int | None = None,
        gender: str = "",
    ) -> Person | None:
        """The person a pronoun at ``offset`` most likely refers to: the last one to lead a
        clause (subject of a sentence or of an attribution), else the last one mentioned;
        ``gender`` ("m" for he, "f" for she) skips people whose role says otherwise."""
        m = self.antecedent_mention(
            offset, singular=singular, exclude_sentence=exclude_sentence, gender=gender
        )
        return None if m is None else self.people[m.person]

    def antecedent_mention(
        self,
        offset: int,
        *,
        singular: bool = True,
        exclude_sentence: int | None = None,
        gender: str = "",
        exclude_person: int | None = None,
    ) -> Mention | None:
        """The mention ``antecedent`` resolves through; ``exclude_person`` is someone the
        pronoun cannot stand for (named by a pronoun of the other gender just before)."""
        hi = bisect.bisect_left(self._starts, offset)
        fallback: Mention | None = None
        for m in reversed(self.mentions[max(0, hi - 60) : hi]):
            if m.end > offset or m.sentence == exclude_sentence or m.person == exclude_person:
                continue
            p = self.people[m.person]
            if singular and p.kind == "group":
                continue
            if gender and p.gender and p.gender != gender:
                continue
            if m.subject:
                return m
            if fallback is None:
                fallback = m
        return fallback

    def resolve_description(self, description: str, offset: int, sentence: int) -> Person | None:
        """A definite description ("the 61-year-old", "the Ukrainian president", "the UN rights
        chief") resolved to a person; ``None`` when nothing fits.

        An unnamed one ("the official" after "a senior official") and an age stand for the
        nearest before. A named person is the one whose role fits the description best (head
        noun or one of its family, and modifiers: ``briefings.coref.description_fit``), named
        before the sentence (the nearest first) or, when nobody before fits, after it."""

        words = description.lower().split()
        if not words or words[0] != "the":
            return None
        kind = role_kind(description)
        age = any("year-old" in w for w in words)
        hi = bisect.bisect_left(self._starts, offset)
        unknown: Person | None = None
        head = words[-1]
        best: tuple[int, int] = (0, 0)  # (fit, person index + 1)
        for m in reversed(self.mentions[max(0, hi - 60) : hi]):
            if m.sentence >= sentence:
                continue
            p = self.people[m.person]
            if p.kind == "group":
                continue
            if not p.named:
                # "a senior U.S. official said ... the official added": the same unnamed one.
                if head in p.name.lower().split():
                    return p
                continue
            if age:
                return p
            fit = description_fit(description, p)
            if fit > best[0]:
                best = (fit, m.person + 1)
            if unknown is None and p.kind == "unknown" and kind == "leader":
                unknown = p
        if best[0]:
            return self.people[best[1] - 1]
        if unknown is not None or age:
            return unknown
        for m in self.mentions[hi:]:
            p = self.people[m.person]
            if m.sentence <= sentence or not p.named or p.kind == "group":
                continue
            fit = description_fit(description, p)
            if fit > best[0]:
                best = (fit, m.person + 1)
        return self.people[best[1] - 1] if best[0] else None


@dataclass(slots=True)
class _Candidate:
    start: int
    end: int
    name: str
    sentence: int
    role: str | None = None
    person: bool = False  # a strong cue says this is a person
    weak: bool = False  # a weak cue: a name-like sequence in no place context
    org: bool = False  # names an organisation: a speaker, never a person
    subject: bool = False
    kind: PersonKind | None = None
    named: bool = True
    titled: bool = False  # a title, role or age says so, not only an attribution verb
    title: str | None = None  # an abbreviated title ("Rep.") that is no role to show


_TOKEN = re.compile(
    r"(?:[^\W\d_]\.){2,}|[A-Z][a-z]{1,4}\.(?=\s[A-Z])|[^\W\d_][\w’'.-]*[\w’']|[^\W\d_]\.?|\S"
)


def _is_cap(word: str) -> bool:
    return word[:1].isupper()


_LAST: list[tuple[Article, PeopleIndex]] = []


def find_people(article: Article) -> PeopleIndex:
    """Every person the article mentions, with their mentions in reading order.

    The index of the last article is kept, so the extractors of one distillation share it."""
    if _LAST and _LAST[0][0] is article:
        return _LAST[0][1]
    index = _find_people(article)
    _LAST[:] = [(article, index)]
    return index


def _find_people(article: Article) -> PeopleIndex:
    text = article.text
    candidates: list[_Candidate] = []
    place_names: set[str] = set()
    for s in article.sentences:
        candidates.extend(_sentence_candidates(text, s.index, s.start, s.end, place_names))
    low = text.lower()
    for cs in _call_signs(text, low):
        sent = article.sentence_at(cs.start(1))
        if sent is not None:
            candidates.append(
                _Candidate(
                    cs.start(1),
                    cs.end(1),
                    cs.group(1),
                    sent.index,
                    person=True,
                    kind="unknown",
                    titled=True,  # a call sign is a person's even where a place has the name
                    # "Her commander, a major with the call sign X, is blunt": the subject's.
                    subject=_APPOSITION_END.match(text, cs.end(1)) is not None,
                )
            )
    candidates.extend(_unnamed_speakers(article))
    candidates.sort(key=lambda c: c.start)
    index = _resolve(candidates, place_names)

    people = list(index.people)
    corefer(article, people, index.mentions)
    return PeopleIndex(tuple(people), index.mentions, index._starts)


_APPOSITION_END = re.compile(r"[”\"’']?,\s+(?:is|was|has|had|says|said|[a-z]{3,}s)\b")


_SIGN_WORDS = (
    "call sign",
    "call-sign",
    "callsign",
    "nickname",
    "code",
    "nom de guerre",
    "first name",
    "name as",
    "identified",
)


def _call_signs(text: str, low: str) -> list[re.Match[str]]:
    """Matches of ``_CALL_SIGN``, tried only where one of its words stands."""
    found: dict[int, re.Match[str]] = {}
    for word in _SIGN_WORDS:
        at = low.find(word)
        while at >= 0:
            m = _CALL_SIGN().match(text, at)
            if m is not None:
                found[m.start(1)] = m
            at = low.find(word, at + 1)
    return [found[k] for k in sorted(found)]


def word_pattern(words: frozenset[str] | set[str]) -> str:
    """A regular expression (no groups) matching any of ``words``, written as a trie: Python's
    engine scans a trie several times faster than a flat alternation of the same words."""
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return "(?:" + body + ")?" if "" in node else body

    return "(?:" + emit(trie) + ")"


#: A regular expression (no groups) matching any attribution verb.
ATTRIBUTION_PATTERN = word_pattern(ATTRIBUTION_VERBS)
_ATTR_RE = ATTRIBUTION_PATTERN
_LEADING_VERB = lazy_pattern(r"^(?:" + _ATTR_RE + r"|according to)\s+")
_VERB_AFTER = lazy_pattern(
    r"\s*(?:\([^)]{0,40}\)\s*)?(?:,(?P<app>[^,“”\"]{1,200}),\s*|,\s*)?(?:" + _ATTR_RE + r")\b"
)
_AGED_ROLE = re.compile(r"\s*,\s*\d{1,3},\s*((?:an?|the)\s[^,;“”\"]{1,160})")
_APPOSITION = re.compile(r"\s*(?:\([^)]{0,20}\))?\s*,\s*([^,;“”\"]{1,160})")


_PARTICLES = "(?:al|el|ad|ash|as|at|az|ar|an|bin|ibn|abu|ben|bint|ould)"
_PARTICLE_WORD = re.compile(_PARTICLES + "-[" + "A-Z" + "]")
_CAP = "A-Z\u00c0-\u00d6\u00d8-\u00de\u0100-\u024f"
_RUN = re.compile(
    rf"[{_CAP}][\w’'.-]*"
    rf"(?: (?:(?:{'|'.join(sorted(_CONNECTORS))}) )?(?:{_PARTICLES}-)?[{_CAP}][\w’'.-]*)*"
)
_ACRONYM = re.compile(r"(?:[A-Z]\.){1,3}[A-Z]?|[A-Z]{2,4}")


def _sentence_candidates(
    text: str, sentence: int, s_start: int, s_end: int, place_names: set[str]
) -> list[_Candidate]:
    out = _run_candidates(text, sentence, s_start, s_end, place_names)
    if text.find("“", s_start, s_end) >= 0 or text.find('"', s_start, s_end) >= 0:
        for c in out:
            if text[c.end : c.end + 2] not in _NICK_OPENERS:
                continue
            nick = _NICKNAME.match(text, c.end, s_end)
            if nick is not None and c.named and not c.org:
                # "General Ivan “Wolf” Petrov": the nickname and surname belong to the name.
                c.end = nick.end()
                c.name = text[c.start : c.end]
    return out


_NICK_OPENERS = frozenset({" “", ' "'})
_NICKNAME = re.compile(r" [“\"]([A-Z][\w’'-]+)[”\"] ([A-Z][\w’'-]*[\w])")


def _run_candidates(
    text: str, sentence: int, s_start: int, s_end: int, place_names: set[str]
) -> list[_Candidate]:
    out: list[_Candidate] = []
    for run in _RUN.finditer(text, s_start, s_end):
        ra, rb = run.span()
        if not text[ra].isupper() or (
            ra > s_start and (text[ra - 1].isalnum() or text[ra - 1] in "’'.-_")
        ):
            continue
        initial = ra - s_start <= 2 and not text[s_start:ra].strip(' “"‘')
        if initial and " " not in run.group() and run.group().lower() in _FUNCTION_WORDS:
            continue
        g = run.group()
        if " " not in g and "." not in g and "-" not in g:  # the common case: one plain word
            possessive = len(g) > 2 and g.endswith(("’s", "'s", "’", "'"))
            out.extend(
                _classify_run(
                    text, sentence, s_start, s_end, initial, [(ra, rb, g)], possessive, place_names
                )
            )
            continue
        seq: list[tuple[int, int, str]] = []
        for t in _TOKEN.finditer(text, ra, rb):
            word = t.group()
            if not word[:1].isalpha():
                break
            if seq and text[seq[-1][1] : t.start()] != " ":
                break
            if (
                not word[:1].isupper()
                and word not in _CONNECTORS
                and not _PARTICLE_WORD.match(word)
            ):
                break
            seq.append((t.start(), t.end(), word))
            if len(word) > 2 and word.endswith(("’s", "'s", "’", "'")) and not word.endswith("."):
                out.extend(
                    _classify_run(text, sentence, s_start, s_end, initial, seq, True, place_names)
                )
                seq = []
                initial = False
        if seq and seq[-1][2] in _CONNECTORS:
            seq.pop()
        if seq:
            out.extend(
                _classify_run(text, sentence, s_start, s_end, initial, seq, False, place_names)
            )
    return out


def _clean(word: str) -> str:
    if word.endswith(("s", "’", "'")):
        word = _POSSESSIVE.sub("", word)
    return word.rstrip(".")


@lru_cache(maxsize=8192)
def _static_verdict(
    words: tuple[str, ...], after_of: bool = False
) -> tuple[int, tuple[str, ...], str]:
    """What the words of a capitalised run say without context: how many lead words are
    titles (or a sentence's function word), and whether the rest can name a person at all
    ("ok"), or names an organisation ("org") or a country, nationality or month ("drop").
    ``after_of``: the run follows "Title of" ("Secretary of State X")."""
    k = 0
    titles: list[str] = []
    while k < len(words) - 1:
        low = words[k].lower()
        nxt = words[k + 1].lower()
        if is_title(low) or (
            (_is_demonym(words[k]) or _ACRONYM.fullmatch(words[k])) and is_title(nxt)
        ):
            titles.append(words[k])
            k += 1
            continue
        if low in _FUNCTION_WORDS and k == 0:
            k += 1
            continue
        break
    if k == 0 and words and words[0].lower() in _FUNCTION_WORDS:
        k = 1
    # A title needs its head ("Defence Minister", not "Defence" alone): "Defence Team" is no
    # title before a name.
    while titles and titles[-1].lower() in TITLE_MODIFIERS and not (after_of and k == 1):
        titles.pop()
        k -= 1
    # A title compound after an organisation's name: "Rebel Army Chief Ivan Petrov",
    # "Party Secretary-General Ivan Petrov": the name is the tail after the last title.
    for j in range(len(words) - 2, k - 1, -1):
        if is_title(words[j].lower()) and words[j].lower() not in TITLE_MODIFIERS:
            tail = words[j + 1 :]
            if len(tail) <= 4 and not any(
                is_title(w.lower())
                or w.lower() in _NON_PERSON_HEADS
                or w.lower() in _FUNCTION_WORDS
                or _is_demonym(w)
                for w in tail
            ):
                titles = list(words[: j + 1])
                k = j + 1
            break
    name_words = words[k:]
    if not name_words or all(is_role_word(w.lower()) for w in name_words):
        return k, tuple(titles), "drop"
    if all(len(w) == 1 for w in name_words):  # initials ("R., Fla.")
        return k, tuple(titles), "drop"
    lows = [w.lower() for w in name_words]
    if any(w in _NON_PERSON_HEADS for w in lows) or any(
        w.isupper() and len(w) > 1 for w in name_words
    ):
        return k, tuple(titles), "org"
    # A surname may end like a nationality ("-ian", "-ese"): after a title and a given name
    # ("Defence Minister Aram Vartanian") it is a name; only a listed nationality is not.
    surname = bool(titles) and len(name_words) >= 2 and not _is_demonym(name_words[0])
    if (
        any(w in _MONTHS_DAYS for w in lows)
        or (_is_demonym(name_words[-1]) and (not surname or lows[-1] in _DEMONYMS))
        or is_country(" ".join(name_words))
        or all(_is_demonym(w) or is_country(w) for w in name_words)
    ):
        return k, tuple(titles), "drop"
    return k, tuple(titles), "ok"


_TITLE_OF = re.compile(r"([A-Za-z]+) (?:of|for) $")
_TITLE_CHAIN = re.compile(
    r"\b([A-Z][\w-]*) of (?:the )?(?:[A-Z][\w’'-]* )*?(?:of (?:the )?(?:[A-Z][\w’'-]* )+)*of $"
)
_TITLE_HEAD = re.compile(r"(?:[A-Z][\w.’'-]* )+$")


def _is_complement(word: str) -> bool:
    """A capitalised common noun or adjective that completes a title ("Refugees", "European",
    "Integration", "Defence"), never a given name."""
    low = word.lower()
    return (
        low in _NON_PERSON_HEADS
        or low in TITLE_MODIFIERS
        or _is_demonym(word)
        or is_country(word)
        or (len(low) > 5 and low.endswith(("tion", "ment", "ity", "ees", "ers", "ance", "ence")))
        or (len(low) > 5 and low.endswith("s") and not low.endswith("ss"))
    )


_ENDS_NAME = re.compile(r"\s*(?:\([^()]{0,30}\)\s*)?(?:[,.;]|$)")
_COMMA_END = re.compile(r",\s*$")


def _country_chain_role(
    text: str, s_start: int, seq: list[tuple[int, int, str]], words: tuple[str, ...]
) -> str | None:
    """The title before "Country Given Surname" when a chain of "of" phrases leads to the
    country from a title ("Commander-in-Chief of the Armed Forces of"), else None."""
    if not (3 <= len(words) <= 4 and is_country(words[0])):
        return None
    chain = _TITLE_CHAIN.search(text, max(s_start, seq[0][0] - 120), seq[0][0])
    rest = words[1:]
    if (
        chain is None
        or not all(is_title(p) for p in chain.group(1).lower().split("-") if p != "in")
        or _static_verdict(rest)[0] != 0
        or any(_is_complement(w) for w in rest)
    ):
        return None
    return text[chain.start() : seq[1][0]].strip()


def _classify_run(
    text: str,
    sentence: int,
    s_start: int,
    s_end: int,
    sentence_initial: bool,
    seq: list[tuple[int, int, str]],
    possessive: bool,
    place_names: set[str],
) -> list[_Candidate]:
    words = tuple(_clean(t[2]) for t in seq)
    after_of = False
    complement_role: str | None = None
    if words[0].lower() in TITLE_MODIFIERS:
        of = _TITLE_OF.search(text, max(s_start, seq[0][0] - 40), seq[0][0])
        after_of = of is not None and of.group(1).lower() in TITLES
    elif (chain_role := _country_chain_role(text, s_start, seq, words)) is not None:
        # "The Commander-in-Chief of the Armed Forces of Kessa Ivo Marran": the country ends
        # the title's chain of "of" phrases; the words after it are the name.
        complement_role = chain_role
        seq, words = seq[1:], words[1:]
    elif len(words) >= 3 and _is_complement(words[0]):
        # "High Commissioner for Refugees Ana Pol", "Minister for European Integration Ana
        # Pol": the nouns after the title's "for" or "of" complete the title, not the name.
        of = _TITLE_OF.search(text, max(s_start, seq[0][0] - 40), seq[0][0])
        if of is not None and of.group(1).lower() in TITLES:
            j = 0
            while len(words) - j > 2 and _is_complement(words[j]):
                j += 1
            head = _TITLE_HEAD.search(text, max(s_start, of.start() - 60), of.start())
            complement_role = text[head.start() if head else of.start() : seq[j][0]].strip()
            seq, words = seq[j:], words[j:]
    if complement_role is None and len(words) <= 2 and any(_is_complement(w) for w in words):
        # "the High Commissioner for Refugee Affairs", "the Centre for Conflict Studies": a
        # capitalised title or body before "for"/"of" takes these words as its complement.
        of = _TITLE_OF.search(text, max(s_start, seq[0][0] - 40), seq[0][0])
        if of is not None and of.group(1)[:1].isupper():
            return []
    k, title_words, verdict = _static_verdict(words, after_of)
    if verdict != "ok":
        return []
    name_toks = seq[k:]
    if k and not title_words and words[0].lower() not in {"the", "a", "an", "this", "that"}:
        sentence_initial = False  # "When Ivan Petrov came": the name does not start it
    name_words = words[k:]
    start, end = name_toks[0][0], name_toks[-1][1]
    raw_end = end
    if possessive:
        end -= len(_POSSESSIVE.search(name_toks[-1][2]).group())  # type: ignore[union-attr]
    elif text[end - 1] == "." and len(name_words[-1]) > 1:
        end -= 1
    name = text[start:end]
    if len(name_words) == 1 and not possessive:
        of = _OF_AFTER_NAME.search(text, max(s_start, start - 40), start)
        if of is not None and not is_title_or_role(of.group(1).lower()):
            return []  # "Karim Saleh of Sardania": where the person is from, not a person
    cand = _Candidate(start, end, name, sentence)
    toks: list[str] = _TOKEN.findall(text, max(s_start, seq[0][0] - 100), seq[0][0])
    first = len(toks)
    prev_word = toks[-1].lower() if first > 0 else ""
    prev2 = toks[-2].lower() if first > 1 else ""
    if not title_words and (
        (prev_word in _PLACE_PREPS and (prev_word != "to" or len(name_words) == 1))
        or (
            prev_word == "of"
            and prev2 in _NON_PERSON_HEADS | _AREAS
            and not _rulers_name(prev2, prev_word, name_words, name)
        )
    ):
        place_names.add(name.lower())
    after = text[raw_end : min(s_end, raw_end + 300)]
    if not possessive and not title_words and after[:1] == " " and after[1:2].islower():
        head = _HEAD_NOUN_AFTER.match(after)
        if head is not None:
            # "the Lower Vale region", "Red Hill rebels": a place or a group named by the noun
            # after it, here and wherever the article uses the name ("al Red Hill said").
            key = name.lower()
            place_names.update((key, _LEADING_PARTICLE.sub("", key)))
            if head.group(1) not in _PLACE_HEADS:
                cand.org = True
                return [cand]
    lead = seq[k - len(title_words)][0] if title_words else start
    before = text[max(s_start, lead - 100) : lead]
    # Titles: "President X", "Kremlin spokesman X", "gas analyst X".
    if complement_role and not title_words:
        cand.person = cand.titled = True
        cand.role = complement_role
    elif title_words:
        cand.person = cand.titled = True
        cand.role = " ".join(t[2] for t in seq[k - len(title_words) : k])
        if prev_word == "of" and prev2 in TITLES and first > 1:  # "Secretary of State X"
            cand.role = f"{toks[-2]} of {cand.role}"
        elif (prev2, prev_word) == ("of", "the") and first > 2 and is_title(toks[-3].lower()):
            cand.role = f"{toks[-3]} of the {cand.role}"  # "Chief of the General Staff X"
        elif _ABBREVIATED.fullmatch(cand.role):
            # "Rep.", "Lt. Col.": the title gives the kind, never the role shown; a description
            # the article gives ("the party's pick for envoy, Rep. X,") is the role.
            cand.kind = role_kind(cand.role)
            cand.title, cand.role = cand.role, None
        described = _description_before(toks)
        if described:
            # "the navy's chief spokesman Rear Admiral X": the description before the
            # rank says what X does.
            cand.role = described
    elif (
        first > 0
        and not _is_cap(toks[-1])
        and ROLE_WORDS.get(prev_word)
        and prev_word not in _ADJECTIVE_ROLES
    ):
        cand.person = cand.titled = True
        cand.role = _role_before(toks)
    elif first > 0 and prev_word in {"charity", "group", "agency", "firm", "organization"}:
        cand.org = True
        return [cand]
    addressee = prev_word in _TOLD and not possessive and not title_words
    if (
        (prev2, prev_word) in _BACKGROUND_LEADS and len(name_words) >= 2  # "led by X Y"
    ) or _rulers_name(prev2, prev_word, name_words, name):
        cand.person = True
        cand.kind = "leader"
    # Appositions: "X, a 30-year-old battalion commander with ...", "X, 21,", "X, who ...".
    app = _APPOSITION.match(after) if not possessive else None
    if app:
        seg = app.group(1).strip()
        first_word = seg.split()[0].lower() if seg.split() else ""
        if _AGE.match(first_word.rstrip(",")):
            cand.person = cand.titled = True
            aged = _AGED_ROLE.match(after)  # "X, 34, a drone operator"
            if aged and role_kind(aged.group(1)) not in {"unknown", "group"}:
                cand.role = _trim_role(aged.group(1))
        elif first_word in {"who", "whose"}:
            cand.person = True
        elif first_word in {"a", "an", "the"} and role_kind(seg) in {"unknown", "group"}:
            cand.org = not cand.person  # "X, a war monitor,": a thing or a body, not a person
            if cand.org:
                return [cand]
        elif (
            role_kind(seg) not in {"unknown", "group"}
            and not _FINITE.search(_trim_role(seg))
            and (
                first_word in {"a", "an", "the", "one"}
                or _POSSESSIVE.search(first_word)
                or role_kind(" ".join(seg.split()[:3])) != "unknown"
                or _ends_with_role(_trim_role(seg))
            )
        ):
            cand.person = True
            cand.role = _trim_role(seg)
    # Reversed apposition: "one resident, X, said", "the party's pick for envoy, Rep. X,".
    # A rank alone gives way to the description: "the group's spokesman, Colonel X,".
    rank_only = bool(title_words) and role_kind(cand.role) in {"commander", "soldier"}
    if (cand.role is None or rank_only) and _ENDS_NAME.match(after) and _COMMA_END.search(before):
        clause = re.split(r"[,;:“”\"]|\.\s", before.rstrip().rstrip(","))[-1]
        if lead - 100 > s_start and clause is not None and " " in clause:
            clause = clause.split(" ", 1)[1]  # a word the window cut
        seg_before = _last_noun_phrase(clause)
        if role_kind(seg_before) not in {"unknown", "group"}:
            cand.person = cand.titled = True
            cand.role = _trim_role(seg_before)
    if addressee and cand.role is None:
        # "he told X": the one spoken to, in news prose mostly an outlet ("told Radio Y"),
        # a person only with a role ("told Y, the mayor").
        cand.org = True
        return [cand]
    # Attribution: "X said", "said X".
    verb_after = not possessive and _verb_after(after)
    verb_before = (prev_word in ATTRIBUTION_VERBS and prev_word not in OBJECT_VERBS) or (
        prev_word == "to" and prev2 == "according"
    )
    if verb_after or verb_before:
        cand.subject = True
        if len(name_words) >= 2 or (not sentence_initial or verb_after):
            cand.person = cand.person or not (prev_word == "the" or prev2 == "the")
    # Possessives only people have: "X's troops", "X's home".
    if possessive:
        follow = re.match(r"\s*([\w-]+)(?:\s+([\w-]+))?", text[raw_end : raw_end + 40])
        if follow:
            n1 = follow.group(1).lower()
            n2 = (follow.group(2) or "").lower()
            if n1 in _LEADER_POSSESSED or (n2 in _LEADER_POSSESSED and n1.endswith("-elect")):
                if len(name_words) >= 2 or cand.person:
                    cand.person = True
                    cand.kind = "leader"
                else:
                    cand.weak = True
            elif n1 in _KIN_NOUNS:
                cand.weak = True
    if (
        not cand.person
        and not possessive
        and after[1:].startswith(_LEADER_ACT_STARTS)
        and _LEADER_ACT.match(after)
    ):
        # "Petrov signed a decree": only people in office sign, veto, pardon or appoint.
        cand.person = True
        cand.kind = "leader"
    if not cand.person and len(name_words) >= 2 and not sentence_initial and prev_word != "the":
        cand.weak = True
    elif (
        not cand.person
        and len(name_words) >= 2
        and sentence_initial
        and _NEXT_PRONOUN.match(text, s_end)
    ):
        cand.weak = True  # "Ivan Petrov was wounded in May. He said ...": he needs a person
    if (
        cand.person
        and not cand.titled
        and cand.role is None
        and sentence_initial
        and len(name_words) == 1
        and _GERUND.fullmatch(name_words[0])
    ):
        # "Fighting continued", "Shelling resumed": a gerund opens the sentence. A surname
        # the article introduced ("Ada Manning ... Manning continued") still links to it.
        cand.person = False
    if not cand.subject:
        cand.subject = _leads_clause(toks)
    return [cand]


_TOLD = frozenset({"told", "tells", "telling"})


def _verb_after(after: str) -> bool:
    """A verb of speech follows the name, directly or after an apposition ("X, a medic,
    said"); not after a clause that has its own ("near X, he said, adding": X is no speaker)."""
    m = _VERB_AFTER().match(after)
    if m is None:
        return False
    app = m.group("app")
    return app is None or ATTRIBUTION_RE().search(app) is None


_ABBREVIATION = r"(?:(?:[A-Z]\.){2,}|[A-Z][a-z]{0,4}\.|Mr|Mrs|Ms|Dr)"  # "U.S.", "Gen.", "Mr"
_ABBREVIATED = re.compile(_ABBREVIATION + r"(?: " + _ABBREVIATION + r")*")


def _ends_with_role(seg: str) -> bool:
    """ "militia operations spokesman", "Hill county governor": a short apposition without an
    article whose last word is the singular head of a role (no list, no clause)."""
    words = seg.split()
    if not 1 < len(words) <= 7 or any(w in {"and", "or", "&"} for w in words):
        return False
    last = words[-1]
    return last.islower() and last in ROLE_WORDS


# Role words that, written in lower case before a name, are adjectives ("a major Hill attack").
_ADJECTIVE_ROLES = frozenset("major general private".split())
_PLACE_HEADS = frozenset(
    "region province district county governorate oblast state township town city village "
    "river valley neighborhood neighbourhood".split()
)
_GROUP_HEADS = frozenset(
    "fighters rebels militants insurgents jihadists militiamen militia militias gunmen troops "
    "forces paramilitaries loyalists guerrillas".split()
)
_HEAD_NOUN_AFTER = re.compile(r" (" + "|".join(sorted(_PLACE_HEADS | _GROUP_HEADS)) + r")\b")
_LEADING_PARTICLE = re.compile(r"^(?:al|el|an|ad|as)[ -]")
_BACKGROUND_LEADS = frozenset(
    {
        ("led", "by"),
        ("headed", "by"),
        ("commanded", "by"),
        ("loyal", "to"),
        ("run", "by"),
    }
)
# "the government of X Y", "the regime of X Y": a name that is no known place is the leader's.
_RULED_LEADS = frozenset({("government", "of"), ("regime", "of"), ("administration", "of")})


def _rulers_name(prev2: str, prev_word: str, name_words: tuple[str, ...], name: str) -> bool:
    if (prev2, prev_word) not in _RULED_LEADS or len(name_words) < 2:
        return False
    from briefings.places import gazetteer  # only here: the gazetteer is slow to load

    places = gazetteer()
    return not places.flags(name) and not places.flags(name.replace(" ", "-"))


_LEADER_ACT = re.compile(
    r"\s+(?:has |had |also |then )?(?:signed|decreed|vetoed|pardoned|appointed|dismissed|sacked)"
    r"\b"
)
_LEADER_ACT_STARTS = (
    "has ",
    "had ",
    "also ",
    "then ",
    "signed",
    "decreed",
    "vetoed",
    "pardoned",
    "appointed",
    "dismissed",
    "sacked",
)
_NEXT_PRONOUN = re.compile(r"\s*(?:He|She)\s")
_NP_DETERMINERS = frozenset("a an the his her its their one another".split())
_NP_LINKS = frozenset("of for with at from to".split())


def _last_noun_phrase(seg: str) -> str:
    """The noun phrase a clause ends with: "X was briefed by his top commander" -> "his top
    commander" (a determiner, then words that are neither function words nor verbs)."""
    words = seg.split()
    i = len(words)
    while i > 0:
        low = words[i - 1].lower()
        if (
            i > 1
            and words[i - 2].lower() == "to"
            and words[i - 1].isalpha()
            and low == words[i - 1]
            and low not in _NP_DETERMINERS
        ):
            # An infinitive: "the bloc's pick to be envoy" goes on back over "to be" to its
            # noun; "tried to contact the envoy" ends before the verb.
            if low == "be" and i > 2 and _content_word(words[i - 3]):
                i -= 2
                continue
            break
        if low in _NP_DETERMINERS:
            i -= 1
            if i > 1 and _links_a_role(words[i - 2], words[i - 1].lower()):
                i -= 1  # "the envoy for the region"
                continue
            break
        if low in _NP_LINKS:
            if i < 2 or not _links_a_role(words[i - 2], low):
                break
            i -= 1
            continue
        # A capitalised word before another is a name's ("the United Nations chief"), not a verb.
        in_name = words[i - 1][:1].isupper() and i < len(words) and words[i][:1].isupper()
        if low in _FUNCTION_WORDS or low in ATTRIBUTION_VERBS:
            break
        if _FINITE.fullmatch(low) and not in_name:
            break
        i -= 1
    return " ".join(words[i:]).strip()


def _content_word(word: str) -> bool:
    low = word.lower()
    return low.isalpha() and low not in _FUNCTION_WORDS and low not in ATTRIBUTION_VERBS


def _links_a_role(word: str, link: str) -> bool:
    """A word a role's "of", "for" or "with" can follow: a role noun or a capitalised word;
    only a role noun before "to" ("ambassador to the UN", not "Calls to the mayor")."""
    if link not in _NP_LINKS:
        return False
    return is_title_or_role(word) or (link != "to" and word[:1].isupper())


# Common verbs in the past tense without "-ed": a role before a name stops at them ("rebels
# overthrew dictator X" gives "dictator").
_PAST_VERBS = frozenset(
    """
    overthrew met saw took gave made became began fought led held sent struck won lost fled
    kept left brought chose beat hit shot spoke told thought knew found put set ran
    """.split()
)


_CHAIN_LINKS = frozenset("of for in at with from on".split())
_DESCRIBED_KINDS = frozenset({"leader", "official", "commander", "soldier"})


def _description_before(toks: list[str]) -> str | None:
    """A lower-case role written right before a title: "the navy's chief spokesman" (before
    "Rear Admiral X"), "the commander of the garrison in the port" (before "Col. X")."""
    i = len(toks) - 1
    chain: list[str] = []
    while i >= 0 and len(chain) <= 8:
        w = toks[i]
        low = w.lower()
        if w != low or not low[:1].isalpha():
            return None
        if ROLE_WORDS.get(low) in _DESCRIBED_KINDS and (not chain or chain[-1] in _CHAIN_LINKS):
            head = _role_before(toks[: i + 1])
            return " ".join([head, *reversed(chain)])
        if (
            low in ATTRIBUTION_VERBS
            or low in _PAST_VERBS
            or _FINITE.fullmatch(low)
            or (low.endswith("ing") and len(low) > 5)
        ):
            return None
        chain.append(low)
        i -= 1
    return None


def _role_before(toks: list[str]) -> str:
    """The role words just before a name: "Kremlin spokesman", "gas analyst"."""
    i = len(toks) - 1
    words: list[str] = []
    while i >= 0 and len(words) < 5:
        w = toks[i]
        low = w.lower()
        if (
            not w[:1].isalpha()
            or low in _FUNCTION_WORDS
            or low in ATTRIBUTION_VERBS
            or low in _PAST_VERBS
        ):
            break
        words.append(w)
        i -= 1
    return " ".join(reversed(words))


# A role ends at a clause or a participle, not at an -ing word after an article ("the
# monitoring mission").
_ROLE_END = re.compile(
    r"\s+(?:who|which|that|whose|where)\s|(?<!\bthe)(?<!\ban)(?<!\ba)\s+\w{3,}ing\s|[,;]|\.\s"
)


def _trim_role(seg: str) -> str:
    """A role as the article gives it, without article, age or trailing clause."""
    seg = _ROLE_END.split(seg)[0].strip()
    seg = _LEADING_VERB().sub("", seg)
    verb = ATTRIBUTION_RE().search(seg)
    if verb is not None and verb.start() > 0:  # "a city resident told Y"
        seg = seg[: verb.start()]
    seg = re.sub(r"^(?:a|an|the|one|another)\s+", "", seg, flags=re.IGNORECASE)
    seg = re.sub(r"^\d{1,3}-year-old\s+", "", seg)
    return seg.strip(" .")


_GERUND = re.compile(r"[A-Z][a-z]{3,}ing")
_OF_AFTER_NAME = re.compile(r"\b([A-Z][\w’'-]+) of $")
#: Words that may open the noun phrase a name stands in apposition to: "her neighbour, X".
_APPOSITION_HEAD_LEAD = frozenset("the a an one another his her their its our my your".split())


def _leads_clause(toks: list[str]) -> bool:
    """True when only titles, role words or an introductory phrase stand before a name."""
    i = len(toks) - 1
    while i >= 0:
        w = toks[i]
        low = w.lower()
        if w == "," and i > 0 and toks[i - 1].lower() in ROLE_WORDS:
            # "with her neighbour, X": X is in apposition to the noun phrase before the comma
            # and leads a clause only where that phrase does ("Her neighbour, X, said").
            j = i - 1
            while j >= 0 and (
                toks[j].lower() in ROLE_WORDS
                or toks[j].lower() in _APPOSITION_HEAD_LEAD
                or (_is_cap(toks[j]) and toks[j].lower() not in _FUNCTION_WORDS)
            ):
                j -= 1
            return _leads_clause(toks[: j + 1])
        if w in {",", "“", '"', "—", "–"} or low in {"but", "and", "still", "meanwhile", "so"}:
            # An introductory phrase ended by a comma is fine; anything before it is not checked.
            return w == "," or i == 0 or low in {"but", "and", "still", "meanwhile", "so"}
        if _is_cap(w) and low not in _FUNCTION_WORDS:
            i -= 1
            continue
        if low in ROLE_WORDS or low in TITLES or low in {"the", "a", "an", "one", "another"}:
            i -= 1
            continue
        if (
            len(low) > 3
            and low.endswith(("al", "ary", "ive", "ian"))
            and low not in _FUNCTION_WORDS
        ):
            i -= 1
            continue
        return False
    return True


_NP_AFTER = re.compile(r"\s+((?:an?|one|another)\s+[^,.;:“”\"]{2,120})")
_DETERMINERS = ("a ", "an ", "one ", "another ", "the ")
_CLAUSE_MARKS = (", ", "; ", " what ", " that ")


#: Any attribution verb, or "according to", as a whole word.
ATTRIBUTION_RE = lazy_pattern(r"\b(?:" + _ATTR_RE + r"|according to)\b")
_FINITE = re.compile(r"(?<![-\w])[a-z]{3,}ed\b(?!\s+by\b)|\b(?:is|was|were|are|has|have|had)\b")
_VERBISH = re.compile(r"(?<![-\w])[a-z]{3,}ed\b|\b(?:is|was|were|are|has|have|had)\b")


def _unnamed_speakers(article: Article) -> list[_Candidate]:
    """Unnamed speakers by their shortest description ("a senior Ukrainian officer")."""
    text = article.text
    out: list[_Candidate] = []
    for v in ATTRIBUTION_RE().finditer(text):
        s = article.sentence_at(v.start())
        if s is None:
            continue
        found: tuple[int, str] | None = None
        after = _NP_AFTER.match(text, v.end(), s.end)
        if after is not None:
            found = (after.start(1), after.group(1))
        elif v.group() == "according to":
            continue
        else:
            lo = max(s.start, v.start() - 200)
            w = text[lo : v.start()].rstrip()
            if w.endswith(","):  # "A senior officer, speaking anonymously, said"
                cut = w[:-1].rfind(",")
                w = w[:cut] if cut >= 0 else ""
            cut = max(w.rfind(mark) for mark in _CLAUSE_MARKS)
            if cut >= 0:
                start = cut + (2 if w[cut] in ",;" else len(" what "))
                if w[cut:].startswith(" that "):
                    start = cut + len(" that ")
            elif lo == s.start:
                start = 0
            else:
                continue
            np = w[start:].strip()
            if np.lower().startswith(_DETERMINERS) and not any(c in np for c in ',.;:“”"'):
                found = (lo + w.index(np, start), np)
        if found is None:
            continue
        desc = shortest_description(found[1])
        if not desc or _VERBISH.search(desc):
            continue
        kind = role_kind(desc)
        if kind == "unknown":
            continue
        a = found[0]
        out.append(
            _Candidate(
                a, a + len(desc), desc, s.index, person=True, subject=True, kind=kind, named=False
            )
        )
    return out


_ROLE_LINKS = frozenset("of from with for at in to and".split())
# Nouns that make a role word before them a body ("the general staff", "the press office").
_BODY_HEADS = frozenset("staff office command headquarters council ministry service".split())


def shortest_description(np: str) -> str:
    """The description of a person cut before clauses, participles and locations:
    "one Ukrainian private fighting southeast of X" -> "one Ukrainian private"."""
    words = np.strip().split()
    out: list[str] = []
    for i, w in enumerate(words):
        low = w.lower().strip(",")
        participle = (
            bool(out)
            and low.endswith("ing")
            and len(low) > 5
            and out[-1].lower() not in {"a", "an", "the"}
        )
        if out and (low in _DESCRIPTION_BREAK or participle):
            break
        out.append(w.rstrip(","))
        if w.endswith(","):
            break
        nxt = words[i + 1].lower() if i + 1 < len(words) else ""
        noun = low in ROLE_WORDS or low.rstrip("s") in ROLE_WORDS
        if (
            len(out) > 1
            and w[:1].islower()
            and noun
            and nxt not in _ROLE_LINKS
            and nxt.strip(",.") not in _BODY_HEADS
        ):
            break  # "the president spoke": the description ends with its head noun
    desc = " ".join(out).strip(" .")
    if desc[:1].isupper() and desc.split()[0].lower() in {"a", "an", "one", "another", "the"}:
        desc = desc[0].lower() + desc[1:]
    return desc


def _place_like(c: _Candidate, place_names: set[str]) -> bool:
    """A name the article uses as a place, or a single word the gazetteer knows as a country or
    city (a person's name needs a title or a role to overcome that)."""
    key = c.name.lower()
    if key in place_names:
        return True
    if " " in key:
        return False
    from briefings.places import gazetteer

    flags = gazetteer().flags(c.name)
    return any(f in flags for f in "CKM") or (c.weak and bool(flags))


def _name_the_unnamed(
    people: list[Person], mentions: list[Mention], roles: dict[int, str], titled: set[int]
) -> None:
    """ "..., according to a spokesman for the agency. ..., Ivan Petrov said.": a speaker named
    for the first time, with no role or title of their own, right after an unnamed official or
    commander is that one, and takes the description as role; not when the description
    already belongs to a name in its own sentence ("The head of the mission, X, said")."""
    seen: set[int] = set()
    last_unnamed: Mention | None = None
    for m in mentions:
        p = people[m.person]
        if not p.named:
            if p.kind in COMMAND_KINDS:
                last_unnamed = m
            continue
        first = m.person not in seen
        seen.add(m.person)
        if (
            first
            and m.subject
            and m.person not in roles
            and m.person not in titled
            and last_unnamed is not None
            and last_unnamed.sentence == m.sentence - 1
            and not any(
                o.sentence == last_unnamed.sentence
                and roles.get(o.person, "\0") in people[last_unnamed.person].name
                for o in mentions
                if abs(o.start - last_unnamed.start) < 300
            )
        ):
            roles[m.person] = _trim_role(people[last_unnamed.person].name)
        if last_unnamed is not None and m.sentence != last_unnamed.sentence:
            last_unnamed = None


def _resolve(candidates: list[_Candidate], place_names: set[str]) -> PeopleIndex:
    people: list[Person] = []
    by_name: dict[str, int] = {}
    by_last: dict[str, int] = {}
    strong = [
        c
        for c in candidates
        if c.person and not c.org and c.named and (c.titled or not _place_like(c, place_names))
    ]
    # A two-word name with no cue of its own is the full name of a surname used as a person's
    # ("the mayor, Ivan Fedorov" ... "Fedorov, who ...").
    surnames = {c.name.lower() for c in strong if " " not in c.name}
    strong += [
        c
        for c in candidates
        if c.weak
        and " " in c.name
        and c.name.lower().split()[-1] in surnames
        and not _place_like(c, place_names)
    ]
    # Full names first, so that surnames resolve to them ("Stone" -> "Michael Stone").
    for c in sorted(strong, key=lambda c: -len(c.name.split())):
        key = c.name.lower()
        if key in by_name:
            continue
        if " " not in key and key in by_last:
            by_name[key] = by_last[key]
            continue
        by_name[key] = len(people)
        last = key.split()[-1]
        by_last.setdefault(last, len(people))
        if _PARTICLE_WORD.match(c.name.split()[-1]):  # "al-Burhan" is also "Burhan"
            by_last.setdefault(last.split("-", 1)[1], len(people))
        people.append(Person(c.name, None, "unknown"))
    mentions: list[Mention] = []
    roles: dict[int, str] = {}
    titles: dict[int, str] = {}
    kinds: dict[int, PersonKind] = {}
    for c in candidates:
        if c.org:
            continue
        if not c.named:
            key = "~" + c.name.lower()
            idx = by_name.get(key)
            if idx is None:
                idx = by_name[key] = len(people)
                people.append(Person(c.name, None, c.kind or "unknown", named=False))
            mentions.append(Mention(c.start, c.end, idx, c.sentence, c.subject))
            continue
        key = c.name.lower()
        idx = by_name.get(key)
        if idx is None and " " not in key:
            idx = by_last.get(key)
        if idx is None and c.weak and not _place_like(c, place_names):
            idx = by_name[key] = len(people)
            by_last.setdefault(key.split()[-1], idx)
            people.append(Person(c.name, None, "unknown"))
        if idx is None:
            continue
        if c.role and idx not in roles:
            roles[idx] = c.role
        if c.title and idx not in titles:
            titles[idx] = c.title
        if c.kind and c.kind != "unknown" and idx not in kinds:
            kinds[idx] = c.kind
        mentions.append(Mention(c.start, c.end, idx, c.sentence, c.subject))
    mentions.sort(key=lambda m: m.start)
    _name_the_unnamed(people, mentions, roles, set(titles))
    final: list[Person] = []
    for i, p in enumerate(people):
        if not p.named:
            final.append(p)
            continue
        role = roles.get(i)
        kind = role_kind(role)
        if kind in {"unknown", "group"}:
            kind = kinds.get(i, "unknown")
        final.append(Person(p.name, role, kind, title=titles.get(i)))
    mentions.sort(key=lambda m: m.start)
    return PeopleIndex(tuple(final), tuple(mentions), tuple(m.start for m in mentions))
