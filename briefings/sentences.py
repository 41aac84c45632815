"""Sentence splitting for news prose.

News copy is hard on naive splitters: titles and initials ("Gen. Ivan Petrov", "Rep. Jane Roe
(R., Fla.)", "U.S. officials"), quotations that end a sentence inside the marks (``…,” he said.``),
and dashes. The splitter works on one paragraph at a time and returns character spans, so every
sentence can be traced back to the exact text it came from.
"""

from __future__ import annotations

import re

# Words that end with a full stop but rarely end a sentence.
TITLE_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof gen lt col maj sgt capt cpt rep sen gov adm cmdr cdr cpl pvt brig rev st
    messrs mme mlle sr jr hon pres supt insp det lieut sgts gens reps sens govs amb
    """.split()
)
STATE_ABBREVIATIONS = frozenset(
    """
    ala ariz ark calif colo conn del fla ga ill ind kan kans ky la md mass mich minn miss mo
    mont neb nebr nev okla ore pa penn tenn tex va vt wash wis wisc wyo
    """.split()
)
OTHER_ABBREVIATIONS = frozenset(
    """
    no nos vs v approx est dept univ corp inc ltd co bros fig figs vol ca cf al
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    """.split()
)
# After these a capitalised word still starts a new sentence, so "etc." or "a.m." can end one.
_SENTENCE_STARTERS = frozenset(
    """
    the a an he she it they we i you his her its their our this that these those there then
    but and so yet or in on at by for from with after before when while since although though
    as if meanwhile still however moreover officials some many most one two three
    """.split()
)

_CLOSERS = "\"'”’»)]"
# "”" opens too: some copy types the closing glyph at the start of a quotation (”A platoon ...).
_OPENERS = "\"'“‘«([-—–”"
# A candidate boundary: terminal punctuation, any closing quotes/brackets, whitespace.
_BOUNDARY = re.compile(r"([.!?…]+)([" + re.escape(_CLOSERS) + r"]*)(\s+)")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.'’-]*)$")


_NEXT_WORD = re.compile(r"[" + re.escape(_OPENERS) + r"]*([\w’'-]+)")


def _next_word(text: str, pos: int, end: int) -> str:
    m = _NEXT_WORD.match(text, pos, end)
    return m.group(1) if m else ""


def _is_boundary(text: str, m: re.Match[str], end: int) -> bool:
    punct, closers = m.group(1), m.group(2)
    nxt_pos = m.end()
    if nxt_pos >= end:
        return True
    nxt_char = text[nxt_pos]
    nxt_word = _next_word(text, nxt_pos, end)
    # A sentence starts with a capital, a digit or an opening quote/bracket.
    if not (nxt_char.isupper() or nxt_char.isdigit() or nxt_char in _OPENERS):
        return False
    if nxt_char in _OPENERS and nxt_word[:1].islower():
        return False
    if punct != "." or closers:
        # "?", "!", "…" and a full stop followed by a closing quote end a sentence when the next
        # word is capitalised ("… fight.” Then" ends one; "… fight?” he asked" did not reach here).
        return True
    before = _WORD_BEFORE.search(text, max(0, m.start() - 40), m.start())
    word = before.group(1) if before else ""
    low = word.lower().rstrip(".")
    if not word:
        return True
    # Initials and dotted acronyms: "J.", "U.S.", "U.N.", "a.m.".
    if re.fullmatch(r"(?:[A-Za-z]\.)*[A-Za-z]", word):
        # "Vadim S. Ivanov", "U.S. officials": a new sentence only before a typical first word.
        return nxt_word.lower() in _SENTENCE_STARTERS
    if low in TITLE_ABBREVIATIONS:
        return False
    if low in STATE_ABBREVIATIONS and re.search(
        r"[(,]\s*[A-Z]\.,\s*" + re.escape(word) + r"$", text[max(0, m.start() - 40) : m.start()]
    ):
        return False
    if low in OTHER_ABBREVIATIONS:
        if low in {"no", "nos"}:
            return not nxt_char.isdigit()
        return not nxt_char.isdigit() and nxt_word.lower() in _SENTENCE_STARTERS
    return True


def split_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Return (start, end) character spans of the sentences in ``text[start:end]``.

    Spans exclude surrounding whitespace; together they cover every non-space character.
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cur = start
    for m in _BOUNDARY.finditer(text, start, end):
        if m.end() >= end:
            break
        if _is_boundary(text, m, end):
            stop = m.end() - len(m.group(3))
            _push(text, spans, cur, stop)
            cur = m.end()
    _push(text, spans, cur, end)
    return spans


def _push(text: str, spans: list[tuple[int, int]], a: int, b: int) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if a < b:
        spans.append((a, b))


def split_sentences(text: str) -> list[str]:
    """Split one paragraph of text into sentences."""
    return [text[a:b] for a, b in split_spans(text)]
