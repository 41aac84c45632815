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

#: Verbs that report speech, in the forms an attribution takes in news prose.
_SAYS = (
    r"(?:said|says|told\s+\w+(?:\s+\w+)?|reported|reports|claimed|claims|announced|added|"
    r"confirmed|stated|estimated|estimates|wrote|believes|thinks|warned|insisted)"
)
#: Who speaks, as an attribution names them: up to eight words, no clause punctuation.
_WHO = r"(?P<who>[A-Za-z][^,;:“”\"()]{1,90}?)"
#: Who cannot stand alone at the end of a line: "— he" says nothing.
_PRONOUNS = frozenset("he she they it we i you this that there".split())

#: "Ukrainian officials said (that) ...": the attribution leads.
_LEADING_ATTRIBUTION = re.compile(
    rf"^{_WHO}\s+(?:has |have |had )?{_SAYS}(?:\s+that,?)?\s+(?P<rest>.+)$"
)
#: "..., Ukrainian officials said." / "..., said a commander of the unit." / "..., according to X."
_TRAILING_ATTRIBUTION = (
    re.compile(rf"^(?P<rest>.+?),\s+{_WHO}\s+(?:has |have |had )?{_SAYS}(?P<tail>[^,]{{0,40}})$"),
    re.compile(rf"^(?P<rest>.+?),\s+{_SAYS}\s+(?P<who>[^,;“”\"]{{2,90}}?)(?P<tail>)$"),
    re.compile(r"^(?P<rest>.+?),?\s+according to\s+(?P<who>[^,;“”\"]{2,90}?)(?P<tail>)$"),
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
#: A tail of consequence or colour after a comma: ", with ...", ", leaving ...".
_TAIL = re.compile(
    r",\s+(?:with|leaving|making|bringing|raising|prompting|forcing|sending|adding|"
    r"despite|amid|in what|in a move|a move|something|one of)\s.+$",
    re.IGNORECASE,
)
#: A comma after which a main clause starts: its subject, a determiner or a name.
_SUBJECT_AFTER_COMMA = re.compile(
    r",\s+(?=(?:the|a|an|its|their|his|her|our|this|these|those|some|many|most of the|"
    r"all|both|each|every|they|he|she|it|we|[A-Z])\b|[A-Z])"
)
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
    while because as if since until than that which who but and""".split()
)


def _speaker_like(who: str) -> bool:
    """True when ``who`` reads as a speaker's name or description ("Regional officials", "the
    head of the city administration"), not as a clause ending in one."""
    words = who.split()
    if not words or who.lower() in _PRONOUNS or len(words) > 10:
        return False
    return not any(w.lower() in _CLAUSE_WORDS or w.endswith("ed") for w in words[1:])


def _attribution(line: str) -> tuple[str, str]:
    """``line`` without its attribution, and who it attributes the line to ("" when none)."""
    quoted = sum(len(q) for q in re.findall(r"[“\"][^”\"]*[”\"]?", line))
    if quoted > len(line) // 4:
        return line, ""  # a quotation's own attribution belongs to the quotes section
    m = _LEADING_ATTRIBUTION.match(line)
    if (
        m
        and _speaker_like(m.group("who"))
        and _words(m.group("who")) <= 8
        and _words(m.group("rest")) >= _MIN_WORDS
    ):
        return _capital(m.group("rest")), m.group("who")
    for pattern in _TRAILING_ATTRIBUTION:
        m = pattern.match(line)
        if m and m.group("who").strip().lower() in _PRONOUNS:
            return line, ""
        if m and _speaker_like(m.group("who").strip()) and _words(m.group("rest")) >= _MIN_WORDS:
            if m.group("tail").strip(" .") and _words(m.group("tail")) > 4:
                continue  # "..., he said on a visit to the front": keep the whole
            return m.group("rest"), m.group("who").strip()
    return line, ""


def event_line(sentence: str, keep: tuple[str, ...] = (), *, roles: bool = False) -> str:
    """The clause of ``sentence`` that carries its event, the attribution moved to the end.

    ``sentence`` is one line already (no dateline, no leading connective). The result keeps
    the sentence's words in their order; an attribution becomes a "— who" suffix. With
    ``roles`` the ``keep`` names are people, and what the sentence says they are stays
    ("X, the deputy mayor of Y, ..."); a place's description is colour and goes.
    """
    sentence_line = _END.sub("", sentence.strip())
    line = sentence_line
    end = sentence.strip()[len(line) :].strip()
    stop = end[:1] if end[:1] in {".", "?", "!"} else ""
    line, who = _attribution(line)
    if who and _names_in(who, keep):
        line, who = sentence_line, ""  # the actor's own statement: the name leads the line
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
        shorter = line[: m.start()] + line[after:]
        if _words(shorter) >= _MIN_WORDS:
            line = shorter
    # A tail of consequence or colour.
    tail = _TAIL.search(line)
    if tail and not _informative(tail.group(), keep) and _words(line[: tail.start()]) >= _MIN_WORDS:
        line = line[: tail.start()]
    line = _END.sub("", line)
    if who:
        return f"{line} — {who}"
    return line + stop
