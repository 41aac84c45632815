"""Briefing lines: the clause of a sentence that carries its event, not the whole sentence.

News prose wraps an event in scene-setting and colour: a leading circumstance ("Owing to its
location on high ground, ..."), asides set off by commas (", which ...,", ", who ...,"), a tail
of consequences (", with ...", ", leaving ...") and an attribution ("X said", ", according to
X"). A reader of a briefing wants the event and whose word it is. ``event_line`` cuts those
pieces away and moves the attribution to the end ("… — Ukrainian officials"), never inventing a
word: every word of the line is the sentence's own, in its order, except the attribution, which
moves. A piece is kept when it names one of the ``keep`` names (the places or actors the item is
about), or when cutting it would leave too little to stand alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: Verbs that report speech, in the forms an attribution takes in news prose.
_SAYS = (
    r"(?:said|says|told\s+\w+(?:\s+\w+)?|reported|reports|claimed|claims|announced|added|"
    r"confirmed|stated|estimated|estimates|wrote|believes|thinks|warned|insisted)"
)
#: Who speaks, as an attribution names them: up to eight words, no clause punctuation.
_WHO = r"(?P<who>[A-Za-z][^,;:“”\"()]{1,90}?)"
#: Who cannot stand alone at the end of a line: "— he" says nothing.
_PRONOUNS = frozenset("he she they it we i you this that there".split())

#: When or where a statement was made, between the verb and "that": "said on Tuesday that",
#: "said in a statement that", "announced on social media that".
_SETTING = (
    r"(?:\s+(?:on|in|at|during|via|through|late|early|last|this|yesterday|today|"
    r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)\b[^,;:“”\"]{0,40}?)"
)
#: "Ukrainian officials said (on Monday) (that) ...": the attribution leads.
_LEADING_ATTRIBUTION = re.compile(
    rf"^{_WHO}\s+(?:has |have |had )?{_SAYS}(?:{_SETTING}?\s+that,?)?\s+(?P<rest>.+)$"
)
#: A subject or possessive pronoun at the start of a clause. After "X said", it is X ("Ukraine
#: said it shot down ...", "the colonel said his men held"), so the line keeps the attribution
#: where it is rather than leave "It shot down ... — Ukraine"; a line that starts with one leaves
#: the reader asking who (``briefings.frontline`` ranks it lower).
PRONOUN_START = re.compile(r"^(?:he|she|it|they|we|i|his|her|its|their|our|my)\b", re.IGNORECASE)
#: "..., Ukrainian officials said." / "..., said a commander of the unit." / "..., according to X."
_TRAILING_ATTRIBUTION = (
    # "..., the regional governor, Pavel Serko, said.": the role before the name goes with it
    re.compile(
        r"^(?P<rest>.+?),\s+(?:the|a|an|its|their)\s[^,;:“”\"()]{2,60},\s+"
        r"(?P<who>[A-Z][\w’'.-]+(?:\s+[A-Z][\w’'.-]+){0,3}),\s+"
        rf"(?:has |have |had )?{_SAYS}(?P<tail>[^,]{{0,40}})$"
    ),
    re.compile(rf"^(?P<rest>.+?),\s+{_WHO}\s+(?:has |have |had )?{_SAYS}(?P<tail>[^,]{{0,40}})$"),
    re.compile(rf"^(?P<rest>.+?),\s+{_SAYS}\s+(?P<who>[^,;“”\"]{{2,90}}?)(?P<tail>)$"),
    re.compile(r"^(?P<rest>.+?),?\s+according to\s+(?P<who>[^,;“”\"]{2,90}?)(?P<tail>)$"),
)
#: "..., local officials said, and ...": an attribution set off mid-sentence before a second
#: clause; the line keeps both clauses and moves the attribution to the end.
_MID_ATTRIBUTION = re.compile(
    rf"^(?P<rest>.+?),\s+{_WHO}\s+(?:has |have |had )?{_SAYS},\s+(?P<more>(?:and|but)\s.+)$"
)
#: "The attackers, he said, were ..." / "..., she added.": a pronoun's attribution, set off
#: mid-sentence or closing it. The line names the person it refers to when the caller knows
#: (``event_parts(speaker=)``), in brackets: the name replaces the article's pronoun.
PRONOUN_SAID = re.compile(
    r",\s+(?P<pron>he|she)\s+(?:said|says|added|adds|told\s+\w+(?:\s+\w+)?)(?:,\s+|[.!?]?\s*$)"
)
#: Words that start a leading circumstance set off by a comma.
_CIRCUMSTANCE = re.compile(
    r"^(?:owing to|due to|despite|although|though|while|whilst|as|since|because|after|before|"
    r"following|having|with|amid|given|in an? |in the |on the |at the |during|once|unlike|"
    r"like|apart from|beyond)\b",
    re.IGNORECASE,
)
#: An aside set off by commas: a relative clause or an apposition led by one of these words.
_ASIDE = re.compile(
    r",\s+(?:(?P<rel>which|who|whose|where|now|once|long|already|itself|themselves)|a|an|the)\s"
    r"[^,;“”\"]{3,160}?(?=,\s|[.;]?$)"
)
_NAME_BEFORE = re.compile(r"[A-Z][\w’'-]*$")
#: An apposition with no article between a subject and its verb: "the port, home to 300,000
#: people, was shelled", "the region, site of the first battle, voted". The verb after it
#: (a form of "be" or "have", a verb of saying, an "-ed" form) shows it is an aside, not an
#: item of a list ("tanks, crews of the 3rd brigade, and guns").
_BARE_APPOSITION = re.compile(
    r",\s+(?!(?:most|many|some|all|none|each|both|half|several|few|one|two|three|any|much|"
    r"more|less|part|rest|others?)\s)[a-z]+\s+(?:of|to|for)\s[^,;“”\"]{3,120}?"
    rf"(?=,\s+(?:(?:has |have |had )?{_SAYS}|is|was|were|are|has|had|have|will|would|\w+ed)\b)"
)
#: A tail of consequence or colour after a comma: ", with ...", ", leaving ...".
_TAIL = re.compile(
    r",\s+(?:with|leaving|making|bringing|raising|prompting|forcing|sending|adding|"
    r"despite|amid|in what|in a move|a move|something|one of|as(?! well| many| much| part))\s.+$",
    re.IGNORECASE,
)
#: A comma after which a main clause starts: its subject, a determiner or a name.
_SUBJECT_AFTER_COMMA = re.compile(
    r",\s+(?=(?:the|a|an|its|their|his|her|our|this|these|those|some|many|most of the|"
    r"all|both|each|every|they|he|she|it|we|[A-Z])\b|[A-Z])"
)
#: A verb right after "says": the saying is inside a clause ("the goal the army says is X").
_VERB_FIRST = re.compile(r"(?:is|was|are|were|has|had|have|will|would)\b")
#: Where a speaker's description goes on with where they are: "a politician in the region".
_WHO_TAIL = re.compile(r"\s+(?:in|at|from|on|near)\s")
#: An article leading a speaker's description is lower case after the dash: "— a spokesman".
_DETERMINER = re.compile(r"^(?:An?(?= )|The(?= [a-z]))")
_MIN_WORDS = 5  # what is left must still read as a clause
_END = re.compile(r"[\s.;:,—–-]+$")


def _words(text: str) -> int:
    return len(text.split())


def _names_in(text: str, keep: tuple[str, ...]) -> bool:
    return any(name and name in text for name in keep)


def _informative(piece: str, keep: tuple[str, ...]) -> bool:
    """True when ``piece`` names one of ``keep``, a figure or a proper name (a capitalised
    word after its first): "making its biggest gains since January" is news, not colour."""
    if _names_in(piece, keep) or re.search(r"\d", piece):
        return True
    return any(w[:1].isupper() for w in piece.split()[2:])


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text[:1].islower() else text


#: Words that show a "who" is a clause, not a speaker: "Troops advanced after the governor".
_CLAUSE_WORDS = frozenset(
    """is was were are be been has had have will would could can may might after before when
    while because as if since until than that which who whose whom where what but and""".split()
)


def _speaker_like(who: str) -> bool:
    """True when ``who`` reads as a speaker's name or description ("Regional officials", "the
    head of the city administration"), not as a clause ending in one."""
    words = who.split()
    if not words or who.lower() in _PRONOUNS or len(words) > 10:
        return False
    # A hyphenated "-ed" word is an adjective ("a Moscow-backed official"), not a verb.
    return not any(
        w.lower() in _CLAUSE_WORDS or (w.endswith("ed") and "-" not in w) for w in words[1:]
    )


def _mostly_quoted(line: str) -> bool:
    """More than a quarter of ``line`` is inside quotation marks: the quotes section's."""
    return sum(len(q) for q in re.findall(r"[“\"][^”\"]*[”\"]?", line)) > len(line) // 4


def _attribution(line: str) -> tuple[str, str]:
    """``line`` without its attribution, and who it attributes the line to ("" when none)."""
    if _mostly_quoted(line):
        return line, ""  # a quotation's own attribution belongs to the quotes section
    m = _LEADING_ATTRIBUTION.match(line)
    if (
        m
        and _speaker_like(m.group("who"))
        and _words(m.group("who")) <= 8
        and _words(m.group("rest")) >= _MIN_WORDS
    ):
        if PRONOUN_START.match(m.group("rest")):
            return line, ""
        return _capital(m.group("rest")), m.group("who")
    m = _MID_ATTRIBUTION.match(line)
    if m and _speaker_like(m.group("who")) and _words(m.group("rest")) >= _MIN_WORDS:
        return f"{m.group('rest')}, {m.group('more')}", m.group("who")
    for pattern in _TRAILING_ATTRIBUTION:
        m = pattern.match(line)
        if m and m.group("who").strip().lower() in _PRONOUNS:
            return line, ""
        if m and _speaker_like(m.group("who").strip()) and _words(m.group("rest")) >= _MIN_WORDS:
            tail = m.group("tail").strip(" .")
            if tail and (_words(tail) > 4 or _VERB_FIRST.match(tail)):
                continue  # "..., he said on a visit to the front", "what X says is": whole
            return m.group("rest"), m.group("who").strip()
    return line, ""


_ACCORDING_TO = re.compile(r",\s+according to\s+(?P<who>[^,;:“”\"()]{2,60}?)(?=,\s)")
#: How long the "whose figure" of a number may be before it is shortened (``attribution``).
WHO_CHARS = 40


def attribution(sentence: str) -> str:
    """Whose word ``sentence`` is, as its attribution names them ("Ukrainian officials" from
    "..., Ukrainian officials said."), shortened where it goes on with where they are ("a
    politician in the region" -> "a politician"); "" when it names nobody, only a pronoun, or
    is mostly a quotation (a quotation's speaker is the quotes section's)."""
    line = _END.sub("", " ".join(sentence.split()))
    _body, who = _attribution(line)
    if not who:  # "..., according to Ukrainian officials, including ...": set off mid-sentence
        m = _ACCORDING_TO.search(line)
        if m is None or _mostly_quoted(line) or not _speaker_like(m.group("who")):
            return ""
        who = m.group("who")
    tail = _WHO_TAIL.search(who)
    if tail and _words(who[: tail.start()]) >= 2:
        who = who[: tail.start()]
    if len(who) > WHO_CHARS:
        return ""  # a clause more than a name: better none than a wrong one
    return _DETERMINER.sub(lambda m: m.group().lower(), who, count=1)


def event_line(sentence: str, keep: tuple[str, ...] = (), *, roles: bool = False) -> str:
    """The clause of ``sentence`` that carries its event, the attribution moved to the end
    (``event_parts`` joined as the line reads)."""
    body, who = event_parts(sentence, keep, roles=roles)
    return f"{body} — {who}" if who else body


def fit_line(body: str, who: str, limit: int, cut: Callable[[str, int], str]) -> str:
    """``body — who`` in at most ``limit`` characters: ``cut`` shortens the body only, so a
    long line keeps whose word it is."""
    if not who:
        return cut(body, limit)
    suffix = f" — {who}"
    if len(body) + len(suffix) <= limit:
        return body + suffix
    tail = _WHO_TAIL.search(who)
    if tail and _words(who[: tail.start()]) >= 2:
        suffix = f" — {who[: tail.start()]}"  # "a politician in the region" -> "a politician"
    return cut(body, max(limit - len(suffix), limit // 2)) + suffix


#: A liveblog entry's clock time before its words: "12:20 —", "09:12 GMT -", "7.45pm:".
_TIMESTAMP = re.compile(
    r"\d{1,2}[:.]\d{2}\s?(?:[ap]\.?m\.?)?(?:\s+(?:GMT|UTC|BST|CET|CEST|EET|EEST|EST|EDT|"
    r"local(?:\s+time)?))?\s*(?:[—–-]|:)\s+(?=\S)",
    re.IGNORECASE,
)


def without_timestamp(line: str) -> str:
    """``line`` without the clock time a liveblog puts before an entry."""
    m = _TIMESTAMP.match(line)
    return line[m.end() :] if m else line


def event_parts(
    sentence: str, keep: tuple[str, ...] = (), *, roles: bool = False, speaker: str | None = None
) -> tuple[str, str]:
    """The clause of ``sentence`` that carries its event, and who it is attributed to.

    ``sentence`` is one line already (no dateline, no leading connective). The result keeps
    the sentence's words in their order; an attribution becomes a "— who" suffix. With
    ``roles`` the ``keep`` names are people, and what the sentence says they are stays
    ("X, the deputy mayor of Y, ..."); a place's description is colour and goes. ``speaker``
    is who a "he said" of the sentence refers to: the attribution moves to the end as
    "— [speaker]"; without it the sentence keeps its pronoun where it is.
    """
    sentence_line = _END.sub("", sentence.strip())
    line = sentence_line
    end = sentence.strip()[len(line) :].strip()
    stop = end[:1] if end[:1] in {".", "?", "!"} else ""
    said = PRONOUN_SAID.search(line) if speaker else None
    if said is not None and not _names_in(speaker or "", keep):
        rest = line[: said.start()] + (" " + line[said.end() :] if said.end() < len(line) else "")
        if _words(rest) >= _MIN_WORDS and not PRONOUN_START.match(rest):
            line = sentence_line = rest.strip()
        else:
            said = None
    # An apposition between a subject and its verb, first: the speaker it splits is whole then.
    for m in reversed(list(_BARE_APPOSITION.finditer(line))):
        if not _names_in(m.group(), keep) and not re.search(r"\d", m.group()):
            line = line[: m.start()] + line[m.end() + 1 :]
    line, who = _attribution(line)
    if who and _names_in(who, keep):
        line, who = sentence_line, ""  # the actor's own statement: the name leads the line
    if said is not None and not who:
        who = f"[{speaker}]"
    # A leading circumstance: "Owing to its location on high ground, X had served as ...".
    if _CIRCUMSTANCE.match(line):
        for comma in _SUBJECT_AFTER_COMMA.finditer(line):
            if _names_in(line[: comma.start()], keep):
                break
            rest = line[comma.end() :]
            if _words(rest) >= _MIN_WORDS:
                line = _capital(rest)
            break
    # A comment before a colon: "The strategy appears to be working: In recent weeks, X ...".
    colon = line.find(": ")
    if 0 < colon < 80 and not _informative(line[:colon], keep):
        rest = line[colon + 2 :]
        # British style goes on in lower case ("The monitors explained the shift: a rebel
        # push had ..."); an infinitive after the colon is the comment's own object.
        clause = rest[:1].isupper() or (rest[:1].islower() and not rest.startswith("to "))
        if clause and _words(rest) >= _MIN_WORDS:
            line = _capital(rest)
    # Asides between commas, as long as they name nothing the item is about.
    for m in reversed(list(_ASIDE.finditer(line))):
        piece = m.group()
        if _names_in(piece, keep) or re.search(r"\d", piece):
            continue
        if roles and any(name and line[: m.start()].endswith(name) for name in keep):
            continue  # "X, the deputy mayor of Y,": what the item's actor is
        if not m.group("rel") and not _NAME_BEFORE.search(line, 0, m.start()):
            continue  # "a", "the" start an aside only after a name: "Tarn, the old port,"
        after = m.end() + 1 if line.startswith(",", m.end()) else m.end()
        if any(name and line[after:].lstrip().startswith(name) for name in keep):
            continue  # ", the regional governor, X,": what the item's actor is, before the name
        shorter = line[: m.start()] + line[after:]
        if _words(shorter) >= _MIN_WORDS:
            line = shorter
    # A tail of consequence or colour.
    tail = _TAIL.search(line)
    if tail and not _informative(tail.group(), keep) and _words(line[: tail.start()]) >= _MIN_WORDS:
        line = line[: tail.start()]
    line = _END.sub("", line)
    if who:
        return line, _DETERMINER.sub(lambda m: m.group().lower(), who, count=1)
    return line + stop, ""
