"""Interview transcripts: speech with no quotation marks, each turn led by its speaker's label.

A question-and-answer piece prints what was said paragraph by paragraph, each opened by who
said it: "Herald: How does the line look?" then "Vashko: We still hold the bridgehead." (or
"Q:"/"A:", or the surname in capitals, "VASHKO:"). Those answers are direct speech as much as
anything in quotation marks, and a briefing quotes them. An article is read as a transcript only
when its labels look like one: at least two answer turns and at least one question turn, under
at least two labels. That keeps a lone "Update:" or "Note:" paragraph of a report out.

A label is a question turn when it says so ("Q", "Question", "Interviewer") or when most of
its turns are questions (the interviewer, often named by the outlet: "Herald:"). Every other
label is an answer turn; whose words they are the quote extractor decides from the people the
article names (``briefings.quotes``): "A" is the person the introduction presents, a surname is
the person of that name.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from briefings.article import Article

#: "Vashko: ...", "Gen. Irena Vashko: ...", "VASHKO: ...", "Q: ..." at a paragraph start.
_LABEL = re.compile(r"(?P<label>(?:[A-Z][A-Za-z.’'-]*[ ]){0,3}[A-Z][A-Za-z’'-]*):[ \t]+(?=\S)")
_QUESTION_LABELS = frozenset({"q", "question", "interviewer"})
_ANSWER_LABELS = frozenset({"a", "answer"})
#: Words that open a paragraph with a colon in reports and are nobody's name.
_NOT_SPEAKERS = frozenset(
    """
    update updated note editor editors correction clarification watch read related photo photos
    video source sources warning background analysis timeline key context disclaimer listen
    live breaking more see also opinion explainer what why how when where who the this
    """.split()
)
_MIN_ANSWERS = 2


@dataclass(frozen=True, slots=True)
class Turn:
    """One turn of a transcript: its paragraph, its label as written, and its words."""

    para: int
    label: str
    start: int  # text[start:end] are the words said, after the label
    end: int
    question: bool
    intro_end: int  # where the first turn starts: the introduction that presents who speaks
    continues: bool = False  # a paragraph with no label that goes on with the turn before

    @property
    def answer_label(self) -> bool:
        """True when the label stands for the interviewee rather than naming them ("A:")."""
        return self.label.lower() in _ANSWER_LABELS


def _key(label: str) -> str:
    return " ".join(label.lower().split())


def transcript_turns(article: Article) -> tuple[Turn, ...]:
    """The turns of ``article`` when it is an interview transcript, else ()."""
    text = article.text
    found: list[tuple[int, str, int, int, bool]] = []
    for p in article.paragraphs:
        m = _LABEL.match(text, p.start, p.end)
        if m is None:
            continue
        label = m.group("label")
        if _key(label).split()[0] in _NOT_SPEAKERS:
            continue
        words = text[m.end() : p.end].rstrip()
        found.append((p.index, label, m.end(), m.end() + len(words), words.endswith("?")))
    labels = Counter(_key(label) for _, label, *_ in found)
    if len(labels) < 2:
        return ()
    asking = Counter(_key(label) for _, label, _, _, q in found if q)
    askers = {
        key
        for key, n in labels.items()
        if key in _QUESTION_LABELS or (key not in _ANSWER_LABELS and asking[key] * 2 > n)
    }
    intro_end = article.paragraphs[found[0][0]].start
    turns = tuple(
        Turn(para, label, start, end, _key(label) in askers, intro_end)
        for para, label, start, end, _q in found
    )
    answers = sum(1 for t in turns if not t.question)
    if answers < _MIN_ANSWERS or answers == len(turns):
        return ()
    # A paragraph with no label between two turns goes on with the first: a long answer. After
    # the last turn it may be the reporter's again, so it is left to the report.
    out: list[Turn] = []
    for k, turn in enumerate(turns):
        out.append(turn)
        until = turns[k + 1].para if k + 1 < len(turns) else turn.para + 1
        for p in article.paragraphs[turn.para + 1 : until]:
            words = text[p.start : p.end].rstrip()
            if words:
                out.append(
                    Turn(
                        p.index,
                        turn.label,
                        p.start,
                        p.start + len(words),
                        turn.question,
                        intro_end,
                        continues=True,
                    )
                )
    return tuple(out)
