"""What a quoted speech says most strongly: its sentences and how much each commits or judges.

Shared by the quote extractor (which ranks speeches by it) and the ranked view (which trims a
long speech to its strongest sentences). A speech's first sentence is its point as a rule: a
reporter quotes the words that matter and lets the speaker go on after them.
"""

from __future__ import annotations

import re

_SENTENCE = re.compile(r"[^.!?…]+(?:[.!?…]+|$)")
#: Words of a statement that commits or judges: what a briefing quotes a speaker for.
_STRONG = re.compile(
    r"\b(?:will|\w+[’']ll|won[’']t|must|never|cannot|can[’']t|only|no|not|every|nothing|all|"
    r"always|first|last|worst|best|more|less|too)\b",
    re.IGNORECASE,
)
_FIRST_SENTENCE = 1.5  # the lead sentence of a speech, unless a later one is much stronger
_FIGURE = 2.0


def sentences(speech: str) -> list[str]:
    """The sentences of ``speech``, stripped, none empty."""
    return [m.group().strip() for m in _SENTENCE.finditer(speech) if m.group().strip()]


def strength(sentence: str) -> float:
    """How much ``sentence`` commits or judges: its strong words (each counted once), a figure,
    enough words to say something (up to 12), less for a rambling one of over 30 words."""
    words = len(sentence.split())
    strong = {w.lower().replace("'", "’") for w in _STRONG.findall(sentence)}
    value = len(strong) + _FIGURE * bool(re.search(r"\d", sentence))
    return value + min(words, 12) / 12 - (words > 30)


def strongest_index(parts: list[str]) -> int:
    """Which of a speech's sentences ``parts`` to keep first when it must be cut: the lead
    sentence, unless a later one is much stronger (ties: the earlier)."""
    return max(
        range(len(parts)),
        key=lambda k: (strength(parts[k]) + _FIRST_SENTENCE * (k == 0), -k),
    )


def substance(speech: str) -> float:
    """The strength of the strongest sentence of ``speech`` (0 for none)."""
    return max(map(strength, sentences(speech)), default=0.0)


def _words_of(text: str) -> str:
    return " ".join(re.findall(r"\w+(?:[’']\w+)*", text.lower()))


#: Words a headline puts in quotation marks: "‘The harbour is gone’: fishermen return".
_HEADLINE_QUOTE = re.compile(r"(?:^|(?<=\s))[‘“'\"]([^‘“”\"]{4,}?)[’”'\"](?=[\s:,.;!?]|$)")


def in_headline(speech: str, title: str | None) -> bool:
    """True when the headline ``title`` quotes ``speech``: words it puts in quotation marks
    (two or more) stand in the speech, or a whole sentence of the speech stands in it. A
    headline that quotes someone quotes the words the story is about."""
    if not title:
        return False
    said = f" {_words_of(speech)} "
    for m in _HEADLINE_QUOTE.finditer(title):
        words = _words_of(m.group(1))
        if len(words.split()) >= 2 and f" {words} " in said:
            return True
    headline = f" {_words_of(title)} "
    for part in sentences(speech):
        words = _words_of(part)
        if len(words.split()) >= 3 and f" {words} " in headline:
            return True
    return False
