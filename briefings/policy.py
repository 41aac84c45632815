"""Policy context: decisions, negotiations, authorizations, deliveries, sanctions, trials and the
statements of leaders, officials and commanders, each with the actors it names.

A sentence is policy when it carries a cue of one of those kinds ("decision ... to allow",
"negotiate", "sanctions", "deliveries", "annex", "war crimes trial") or when a leader, official or
commander in a command role speaks in it. Actors are people found by ``briefings.people`` whose
title or role makes them leaders, officials, spokespeople or commanders; pronouns ("She did not
say ...") and definite descriptions ("the Ukrainian president") resolve to them. Soldiers,
civilians and analysts are never actors. The item's text is the sentence itself, trimmed of
introductory connectives and parenthetical asides and cut at a clause boundary when long.

A sentence that is mostly a direct quotation, or a quotation with its attribution, belongs to
the quotes section: it is policy only as a leader's or official's statement (or a commander's
words of a decision, talks or deliveries); otherwise only the reporter's words that introduce
the speaker for the first time are kept ("X, commander of the Y corps"), without the quote.
The same holds for a commander's account of the fighting in the reporter's words ("X said the
enemy had more drones"): it is no policy. Who is who, the words that first introduce an
official or commander with a role ("X, the deputy mayor of Y"; the whole sentence
when the one introduced does not speak in it), is kept, ranked below every decision.
"""

from __future__ import annotations

import bisect
import re

from briefings.article import Article, Sentence
from briefings.lines import event_parts, fit_line, without_timestamp
from briefings.model import PolicyItem
from briefings.people import (
    ATTRIBUTION_RE,
    ATTRIBUTION_VERBS,
    PeopleIndex,
    find_people,
    lazy_pattern,
    word_pattern,
)
from briefings.quotes import quoted_ranges
from briefings.roles import COMMAND_KINDS, Person, PersonKind, is_title_or_role

MAX_TEXT = 150
#: How news prose marks a decision as a first: "for the first time", "the first ... since".
_FIRST_TIME = re.compile(
    r"\b(?:for the first time|the first time (?:since|in|that)|first (?:\w+ ){0,2}since)\b",
    re.IGNORECASE,
)

# Cues by kind, with their weight in the ranking. Words are matched whole, stems ("negotiat")
# as prefixes of a word, phrases on the lower-cased sentence.
_WEIGHTS: dict[str, float] = {
    "decision": 3.0,
    "sanctions": 3.0,
    "negotiation": 2.5,
    "delivery": 2.5,
    "legal": 2.0,
    "politics": 2.0,
    "statement": 1.0,
}
_CUE_VOCABULARY: dict[str, tuple[str, str]] = {
    "decision": (
        "decision decisions decided decides permission permitted ordered decree decrees signed "
        "veto vetoed vetoes ban banned bans suspend suspended suspends halt halted halts shut",
        "authoris authoriz approv",
    ),
    "sanctions": ("embargo embargoes tariff tariffs froze", "sanction"),
    "negotiation": (
        "talks ceasefire cease-fire truce peace deal agreement treaty summit diplomatic "
        "bargaining envoy counterpart",
        "negotiat diplomac mediat",
    ),
    "delivery": ("shipment shipments", "deliver"),
    "legal": ("trial charged charges tribunal court", "prosecut indict investigat"),
    "politics": (
        "referendum administration parliament legislation conscription government",
        "annex inaugurat election mobilis mobiliz",
    ),
    "statement": (
        "said says told tells added stated statement vow vows vowed vowing urge urged urges "
        "urging mocked mocking address challenged claim claims claimed",
        "announc declar pledg promis warn threat demand reject condemn accus suggest insist",
    ),
}
_CUE_WORDS: dict[str, str] = {}
_CUE_STEMS: dict[str, list[tuple[str, str]]] = {}
for _cat, (_words, _stems) in _CUE_VOCABULARY.items():
    for _w in _words.split():
        _CUE_WORDS.setdefault(_w, _cat)
    for _st in _stems.split():
        _CUE_STEMS.setdefault(_st[:4], []).append((_st, _cat))
_CUE_PHRASES = lazy_pattern(
    r"(?P<decision>\ballow(?:ed|s|ing)? \w+ to\b|\borders? to\b|\blift(?:ed|s)? restrictions|"
    r"\bgreen[- ]light)"
    r"|(?P<sanctions>\bprice caps?\b|\bexport controls?\b|\basset freezes?\b|\bfrozen assets)"
    r"|(?P<delivery>\bmilitary aid\b|\baid packages?\b|\barms (?:supplies|sales|deliveries)\b|"
    r"\bweapons (?:supplies|deliveries|packages?)\b|\bsupply of (?:weapons|arms|ammunition)\b|"
    r"\b(?:provid|send|sent|suppl|transfer|donat|pledg|ship)\w* [^.;]{0,40}(?:missiles|weapons|"
    r"arms|ammunition|shells|air defen[cs]es?|tanks|jets|aircraft|interceptors|drones|aid)\b|"
    r"\blong-range (?:missiles|weapons|strikes)\b)"
    r"|(?P<legal>\bwar crimes?\b|\barrest warrants?\b)"
    r"|(?P<statement>\bcall(?:ed|s)? (?:on|for)\b)"
)
# The first words of the phrases above: the phrases are tried only where one of them stands.
_PHRASE_TRIGGERS = (
    "allow order lift green price export asset frozen military aid arms weapons supply provid "
    "send sent suppl transfer donat pledg ship long-range war arrest call"
).split()
_STEM_CATEGORY = {stem: cat for pairs in _CUE_STEMS.values() for stem, cat in pairs}
# One pass over the sentence finds whole words, stems and the first words of phrases.
_CUE_SCAN = lazy_pattern(
    r"\b" + word_pattern(frozenset(_CUE_WORDS) | frozenset(_STEM_CATEGORY) | set(_PHRASE_TRIGGERS))
)
_PHRASE_TRIGGER_SET = frozenset(_PHRASE_TRIGGERS)


def _word_before(lower: str, start: int) -> str:
    words = lower[max(0, start - 20) : start].split()
    return words[-1] if words else ""


def _word_after(lower: str, end: int) -> str:
    words = lower[end : end + 20].split()
    return words[0].strip(",.;:") if words else ""


_BEFORE_TALKS = frozenset(
    """
    the peace direct indirect ceasefire cease-fire truce of in for resume resumed resuming hold
    held holding new further bilateral trilateral any these those such during after before at
    into from on their our its whose stalled
    """.split()
)
# Words that are cues in one use only: "talks" the noun, not "he talks about"; "deal" the
# agreement, not "a great deal" or "deal with".
_AMBIGUOUS = {
    "talks": lambda low, a, b: (
        _word_before(low, a) in _BEFORE_TALKS
        or _word_before(low, a).endswith(("’s", "'s", "’"))
        or not low[:a].strip()
    ),
    "deal": lambda low, a, b: (
        _word_before(low, a) not in {"great", "good"} and _word_after(low, b) != "with"
    ),
    "address": lambda low, a, b: _word_before(low, a) not in {"to", "will", "would", "must"},
}


def _cue_kinds(lower: str) -> set[str]:
    """The kinds of policy cue in a lower-cased sentence."""
    kinds: set[str] = set()
    n = len(lower)
    for m in _CUE_SCAN().finditer(lower):
        key, end = m.group(), m.end()
        cat = _CUE_WORDS.get(key)
        if cat is not None and (end == n or not (lower[end].isalpha() or lower[end] == "-")):
            if key in _AMBIGUOUS and not _AMBIGUOUS[key](lower, m.start(), end):
                continue
            kinds.add(cat)
        cat = _STEM_CATEGORY.get(key)
        if cat is not None:
            kinds.add(cat)
        if key in _PHRASE_TRIGGER_SET:
            phrase = _CUE_PHRASES().match(lower, m.start())
            # "in order to" is no order; "£300m in military aid" is a delivery
            after_in = lower.endswith("in ", 0, m.start())
            if (
                phrase is not None
                and phrase.lastgroup
                and (not after_in or phrase.lastgroup == "delivery")
            ):
                kinds.add(phrase.lastgroup)
    return kinds


# Verbs after which even a person of unknown role acts as a leader or official.
_ACTING = re.compile(
    r"\s*(?:,[^,]{1,120},\s*)?(?:had |has |have )?(?:declared|ordered|announced|signed|decided|"
    r"authori[sz]ed|approved|vowed|pledged|threatened|demanded|proposed|agreed|rejected|"
    r"warned|negotiated|annexed|appointed|dismissed|fired|sacked)\b"
)
_SAYS = re.compile(r"\s+(?:said|says|told|tells)\b")
_PRONOUN = re.compile(r"\b(?:[Hh]e|[Ss]he)\b")
#: "Her office said ...": a leader's office speaks for the leader the pronoun stands for.
_PRONOUN_OFFICE = re.compile(
    r"(?:[Hh]is|[Hh]er) (?:office|government|administration|cabinet|spokes(?:man|woman|person)|"
    r"aides?)\b"
)
_PRONOUN_SPEAKS = lazy_pattern(r"\b(?:he|she)(?= (?:" + word_pattern(ATTRIBUTION_VERBS) + r")\b)")
_DEFINITE = re.compile(
    r"\b[Tt]he (?:[A-Z][\w-]+ )?(?:president|prime minister|chancellor|leader|minister|"
    r"commander|general|spokesman|spokeswoman)\b"
)
_LEADING = re.compile(
    r"^(?:(?:But|And|Still|Meanwhile|Separately|However|Moreover|Also|In addition|Yet|So|"
    r"Even so|Nonetheless|Nevertheless)\b,?\s+)+"
)
_DATELINE = re.compile(r"^[A-Z][A-Z .’'-]{2,40},[^—–]{0,40}?(?:[—–]|\s-)\s*")
_PAREN = re.compile(r"\s*\((?:[^()]{1,40})\)")


def _unquoted(s: Sentence, quoted: tuple[tuple[int, int], ...]) -> str:
    """The reporter's words of a sentence: the words inside quotation marks blanked, including
    a quotation that began in an earlier sentence or goes on into the next one."""
    i = bisect.bisect_left(quoted, (s.start, -1))
    if i > 0 and quoted[i - 1][1] > s.start:
        i -= 1
    parts: list[str] = []
    pos = s.start
    while i < len(quoted) and quoted[i][0] < s.end:
        a, b = quoted[i]
        if a > pos:
            parts.append(s.text[pos - s.start : a - s.start])
        parts.append(" ")
        pos = max(pos, min(b, s.end))
        i += 1
    parts.append(s.text[pos - s.start :])
    return "".join(parts)


def extract_policy(article: Article, people: PeopleIndex | None = None) -> tuple[PolicyItem, ...]:
    """Decisions, negotiations, authorizations and statements of leaders, with the actors named."""
    if people is None:
        people = find_people(article)
    items: list[PolicyItem] = []
    quoted = quoted_ranges(article)
    first_seen: dict[str, int] = {}
    for m in people.mentions:
        first_seen.setdefault(people.people[m.person].name, m.sentence)
    firsts = frozenset(first_seen.values())  # sentences where someone is first named
    for s in article.sentences:
        item = _policy_item(article, people, s, quoted, first_seen, firsts)
        if item is not None:
            items.append(item)
    return tuple(items)


def _policy_item(
    article: Article,
    people: PeopleIndex,
    s: Sentence,
    quoted: tuple[tuple[int, int], ...],
    first_seen: dict[str, int],
    firsts: frozenset[int],
) -> PolicyItem | None:
    unquoted = _unquoted(s, quoted)
    quoted_share = 1.0 - len(unquoted.strip()) / max(1, len(s.text))
    cues = [(name, _WEIGHTS[name]) for name in sorted(_cue_kinds(unquoted.lower()))]
    quote_led = quoted_share > 0.0 and _starts_quoted(s, quoted)
    if quoted_share > 0.5 or (
        quote_led
        and all(name == "statement" for name, _ in cues)
        and ATTRIBUTION_RE().search(unquoted)
    ):
        # A quotation with its attribution ("“...,” said X, a commander"): the quote's.
        return _quoted_item(article, people, s, unquoted, first_seen, quote_led)
    if not cues and not any(
        people.people[m.person].kind in {"leader", "unknown"}
        for m in people.mentions_in(s.start, s.end)
    ):
        # Nothing to say, and no leader who could make it policy: at most who is who.
        return _introduction(article, people, s, first_seen, firsts)
    actors = _actors(article, people, s, any(name != "statement" for name, _ in cues))
    if not cues and not any(p.kind == "leader" for p in actors):
        return _introduction(article, people, s, first_seen, firsts)
    strong = [w for name, w in cues if name != "statement"]
    kinds = {p.kind for p in actors}
    if not strong:
        # A statement counts when a leader or official speaks. A commander's account of the
        # fighting ("X said the enemy had more drones") is no policy: only the words that
        # introduce the commander ("X, commander of the Y corps") tell who commands.
        if not kinds & {"leader", "official"}:
            return _introduction(article, people, s, first_seen, firsts)
    elif quoted_share > 0.6 and not actors:
        return None
    text = summarize(s.text, keep=tuple(p.name for p in actors))
    if not text:
        return None
    score = max((w for _, w in cues), default=0.5)
    score += 0.3 * (len({n for n, _ in cues}) - 1) if cues else 0.0
    if "leader" in kinds:
        score += 1.5
    elif "official" in kinds:
        score += 1.0
    elif "commander" in kinds:
        score += 0.5
    if quoted_share > 0.5:
        score -= 0.5
    if strong and _FIRST_TIME.search(unquoted):
        score += 0.5  # news prose marks what is new: "the first time since the war began"
    return PolicyItem(
        text=text,
        actors=tuple(p.name for p in actors),
        sentences=(s.index,),
        score=round(score, 3),
    )


def _starts_quoted(s: Sentence, quoted: tuple[tuple[int, int], ...]) -> bool:
    """True when the sentence opens with a quotation, or inside one begun before it."""
    i = bisect.bisect_right(quoted, (s.start, 1 << 62)) - 1
    return i >= 0 and quoted[i][0] <= s.start < quoted[i][1]


def _quoted_item(
    article: Article,
    people: PeopleIndex,
    s: Sentence,
    unquoted: str,
    first_seen: dict[str, int],
    quote_led: bool,
) -> PolicyItem | None:
    """A sentence that is mostly a quotation belongs to the quotes section. It is policy only as
    a leader's or official's statement (the reporter's frame first, "X said it would be “...”",
    or words of intent or decision, "we will not sign"); otherwise the reporter's words that
    introduce a leader, official or commander for the first time ("said X, commander of the Y
    corps") say who commands, without the quote."""
    if (
        not people.mentions_in(s.start, s.end)
        and _PRONOUN.search(s.text) is None
        and _DEFINITE.search(s.text) is None
    ):
        return None  # nobody who could be an actor
    actors = _actors(article, people, s)
    if not actors:
        return None
    kinds = {p.kind for p in actors}
    lower = s.text.lower()
    strong = bool(_cue_kinds(lower) - {"statement"})  # a decision, talks, deliveries ...
    if (kinds & {"leader", "official"} and (not quote_led or strong or _INTENT.search(lower))) or (
        strong and "commander" in kinds
    ):
        text = summarize(s.text)
        weight = 2.0 if "leader" in kinds else 1.5
        return PolicyItem(text, tuple(p.name for p in actors), (s.index,), weight) if text else None
    new = [p for p in actors if first_seen.get(p.name) == s.index]
    text = re.sub(r"\s+", " ", unquoted).strip(" ,.;:—–-")
    head = ATTRIBUTION_RE().match(text)
    if head is not None:  # "said X, a commander": the speaker without the verb
        text = text[head.end() :].lstrip()
    verb = ATTRIBUTION_RE().search(text)
    if verb is not None and verb.start() > 0:
        text = text[: verb.start()]
    text = summarize(text.strip(" ,.;:—–-"))
    new = [p for p in new if p.name in text]
    if not new or len(text.split()) < 3:
        return None
    return PolicyItem(text, tuple(p.name for p in new), (s.index,), 0.5, introduces=True)


def _introduction(
    article: Article,
    people: PeopleIndex,
    s: Sentence,
    first_seen: dict[str, int],
    firsts: frozenset[int],
) -> PolicyItem | None:
    """Who is who: the words that first introduce an official or commander with the role the
    sentence gives ("X, the deputy mayor of Y", "the governor's spokeswoman, X"),
    ranked below every decision or statement."""
    if s.index not in firsts:
        return None  # nobody is named here for the first time
    text = article.text
    for m in people.mentions_in(s.start, s.end):
        p = people.people[m.person]
        if not p.named or p.kind not in {"official", "commander"}:
            continue
        if first_seen.get(p.name) != s.index:
            continue
        a, b = m.start, m.end
        if p.role:
            at = text.find(p.role, max(s.start, m.start - 160), min(s.end, m.end + 200))
            if at < 0 or (at > b and text[b:at].strip(" ,").lower() not in _APPOSITION_LINKS):
                continue  # the role is given elsewhere, or not next to the name
            between = text[at + len(p.role) : a].replace(",", " ").split()
            if at < a and not all(is_title_or_role(w) for w in between):
                continue  # only titles between ("the head of the garrison Colonel X")
            a, b = min(a, at), max(b, at + len(p.role))
        if p.title and text.endswith(p.title + " ", s.start, a):
            a -= len(p.title) + 1
        det = _DETERMINER_BEFORE.search(text, max(s.start, a - 6), a)
        if det is not None:
            a = det.start()
        who = _WHO_CLAUSE.match(text, b, s.end)
        if who is not None:  # "X, who commands the 5th Brigade," says what X does
            b = who.end() - 1
        if not (
            _SPEECH_AFTER().match(text, b, s.end)
            or ATTRIBUTION_RE().search(text, max(s.start, a - 14), a)
        ):
            # Not the one who speaks ("Mourners buried X, a commander"): the sentence tells
            # what became of the official or commander, and of everyone else it names.
            a, b = s.start, s.end
        whole = (a, b) == (s.start, s.end)
        names = [q.name for q in people.people_in(a, b) if q.named and q.kind in COMMAND_KINDS]
        intro = summarize(text[a:b], keep=tuple(names))
        if len(intro.split()) >= 3 and names:
            return PolicyItem(intro, tuple(names), (s.index,), 0.5, introduces=not whole)
    return None


_APPOSITION_LINKS = frozenset({"", "a", "an", "the"})
_WHO_CLAUSE = re.compile(r",\s+(?:who|whose)\s[^,;“”\"]{1,120},")
_SPEECH_AFTER = lazy_pattern(
    r",?\s+(?:has |had |also )?(?:" + word_pattern(ATTRIBUTION_VERBS) + r")\b"
)
_DETERMINER_BEFORE = re.compile(r"\b(?:[Tt]he|[Aa]n?) $")
_INTENT = re.compile(
    r"\b(?:will|won[’']t|must|shall|cannot allow|are ready|is ready|intend|refuse)\b"
)


def _pronoun_speaks(text: str) -> re.Match[str] | None:
    """ "he said", "she told": a pronoun before a verb of speech."""
    return _PRONOUN_SPEAKS().search(text) if "he " in text else None


_FALLEN = re.compile(
    r"\s+(?:was|had been)\s+(?:\w+\s+)?(?:overthrown|ousted|toppled|deposed|assassinated)\b"
)


def _actors(
    article: Article, people: PeopleIndex, s: Sentence, strong_cue: bool = False
) -> list[Person]:
    """Named leaders, officials and commanders in ``s``, in order of mention."""
    text = article.text
    found: list[tuple[int, Person]] = []
    for m in people.mentions_in(s.start, s.end):
        p = people.people[m.person]
        if not p.named or _FALLEN.match(text, m.end):
            continue  # "when the old dictator X was overthrown": history, not an actor here
        if p.kind in COMMAND_KINDS or (
            p.kind == "unknown"
            and (
                _ACTING.match(text, m.end)
                # "Petrov said the talks would resume": a bare surname, never introduced, that
                # states a decision or talks is a figure the reader is expected to know
                or (strong_cue and m.subject and " " not in p.name and _SAYS.match(text, m.end))
            )
        ):
            kind: PersonKind = p.kind if p.kind != "unknown" else "leader"
            found.append((m.start, Person(p.name, p.role, kind)))
    for d in _DEFINITE.finditer(s.text):
        p2 = people.resolve_description(d.group().lower(), s.start + d.start(), s.index)
        if p2 is not None:
            kind2: PersonKind = p2.kind if p2.kind in COMMAND_KINDS else "leader"
            found.append((s.start + d.start(), Person(p2.name, p2.role, kind2)))
    lead = (
        _PRONOUN.match(s.text)
        or _PRONOUN.match(_LEADING.sub("", s.text))
        or _PRONOUN_OFFICE.match(s.text)
    )
    if lead is None:
        lead = _pronoun_speaks(s.text)
        if lead is not None and any(at < s.start + lead.start() for at, _ in found):
            lead = None  # "X said that, in what he described as a success, ...": he is X
    if lead is not None:
        pronoun = lead.group().lower()
        p3 = people.antecedent(s.start, gender="m" if pronoun.split()[0] in {"he", "his"} else "f")
        if p3 is not None and p3.named and p3.kind in COMMAND_KINDS:
            found.append((s.start, p3))
    found.sort(key=lambda t: t[0])
    out: list[Person] = []
    for _, p in found:
        if all(p.name != q.name for q in out):
            out.append(p)
    return out


def summarize(sentence: str, limit: int = MAX_TEXT, keep: tuple[str, ...] = ()) -> str:
    """The sentence as one line: connectives and short asides dropped, the clause that
    carries the event kept (``briefings.lines``; pieces naming one of ``keep`` stay), cut at a
    clause boundary when longer than ``limit`` (never a word that is not in the sentence)."""
    text = _LEADING.sub("", _DATELINE.sub("", without_timestamp(sentence.strip())))
    text = _PAREN.sub("", text)
    text = re.sub(r"\s+", " ", text).strip()
    if text[:1].islower():
        text = text[0].upper() + text[1:]
    body, who = event_parts(text, keep, roles=True)
    return fit_line(body, who, limit, _cut)


def _cut(text: str, limit: int) -> str:
    """``text`` cut at its last clause break (else word) before ``limit``, marked "…"."""
    if len(text) <= limit:
        return text
    window = text[: limit - 1]
    cut = max(window.rfind(", "), window.rfind("; "), window.rfind(" — "), window.rfind(" – "))
    if cut < limit // 2:
        cut = window.rfind(" ")
    return text[:cut].rstrip(" ,;:—–-") + "…"
