"""Key quotes: every direct quotation of an article with its speaker.

Quotation marks are read by their position, not only their glyph: a mark after a space that
touches a word opens, a mark after a word closes, so straight quotes, curly quotes and a closing
glyph typed where an opening one belongs (”A platoon ...) all pair up. A paragraph with no double
marks is read for single ones (‘...,’ he said), a plural possessive (soldiers’) not taken for a
closing mark. A paragraph that ends inside a quotation continues in the next paragraph when that
one opens with a mark; a quote paragraph with no narration of its own continues the speech of
the paragraph before; “A,” he said, “b.” and “A,” he said. “B.” are one speech, not “A,” he
said, adding that it was “b” (a reported clause between).

The speaker comes from the quote's own sentence ("..., said X, a ...", "X told ...: “...”",
"..., according to X", "..., he said", "“...” — X, role", "X: ‘...’"), else from the sentence
before it ("X said the town fell. “...”", a paragraph ending with a colon, or, for a paragraph
that is only a quotation, the last sentence of the paragraph before when it tells who spoke),
else from the quotation it continues or the fragment before it in the same sentence. "it said"
is the body the sentence is about; a pronoun after a reported clause ("a shell hit X's trench,
and the raiders “ran,” he added") keeps the previous speaker; a participle ("..., stressing
that “...”") shares the subject of the sentence's main verb of speech. Pronouns, "his office"
and definite descriptions ("the 61-year-old") resolve through ``briefings.people``; an unnamed
speaker is kept by its shortest description ("one Ukrainian private"). Call signs, unit and
operation names, slogans and scare-quoted terms (short quoted words that nobody is said to have
said) are not quotes.

``extract_quotes(article, people=None)`` returns ``QuoteItem``s in reading order;
``quoted_ranges(article)`` gives the character ranges inside quotation marks (policy.py uses it
to tell the reporter's words from the speaker's).
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from briefings.article import Article, Sentence
from briefings.model import QuoteItem
from briefings.people import (
    ATTRIBUTION_PATTERN,
    PeopleIndex,
    find_people,
    lazy_pattern,
    shortest_description,
)
from briefings.roles import COMMAND_KINDS, Person, is_title_or_role, role_kind
from briefings.sentences import TITLE_ABBREVIATIONS
from briefings.speech import in_headline, substance
from briefings.transcript import Turn, transcript_turns

_MARK = re.compile(r"[“”„«»\"]")
_OPEN_GLYPHS = "“„«"
_CLOSE_GLYPHS = "”»"
_OPEN_BEFORE = "([{—–-/:‘'"
_CLOSE_AFTER = ".,;:!?)]}—–-…’'"
_END_PUNCT = re.compile(r"[.,]+$")
_SINGLE_MARK = re.compile(r"[‘’']")
_OPEN_BEFORE_SINGLE = '([{—–-/:“"'
_CLOSE_AFTER_SINGLE = '.,;:!?)]}—–-…”"'
_NEXT_WORD = re.compile(r" ([a-z]+)")
#: Words after "s’" that end a quotation: a plural possessive ("the soldiers’ trenches") is
#: followed by a noun, never by a pronoun, a verb, an article or a preposition.
_AFTER_QUOTE_WORDS = frozenset(
    """
    he she they we i it said says told added asked according the a an for of to in on at with
    from by as and or but were was is are had have has would will could
    """.split()
)
_INNER_STRAIGHT = re.compile(r"(?<!\w)'([^'\n]{1,200}?)'(?!\w)")
_INNER_SINGLE = re.compile(r"(?:(?<=^)|(?<=[\s(—–]))‘|’(?=[\s.,;:!?)—–]|$)(?<![a-z]s’)")

_TERM_BEFORE = lazy_pattern(
    r"(?:call[- ]?sign|callsign|known as|dubbed|so-called|nicknamed|code-?named|named|titled|"
    r"the word|the words|the term|slogan|motto|inscription|reads?|read|operation|brand(?:ed)?|"
    r"label(?:led|ed)?|(?:calls?|called|calling)(?:\s+(?:it|this|that|them|him|her))?"
    r"(?:\s+(?:a|an|the))?)\s*$",
    re.IGNORECASE,
)
_PLACE_PREP_BEFORE = re.compile(r"\b(?:from|along|across|beyond|behind|near|over)\s+[“\"]?$")
_ATTRIBUTION = lazy_pattern(
    r"\b(?:" + ATTRIBUTION_PATTERN + r"|according to|called on|called for)\b"
)
_PARTICIPLES = frozenset(
    """
    saying telling adding writing tweeting warning noting insisting arguing confirming
    explaining stating declaring announcing claiming stressing accusing lamenting emphasizing
    emphasising
    """.split()
)
_CALL_SIGN = lazy_pattern(r"\bcall[- ]?sign\s+[“\"]?([^\W\d_][\w’'-]*)", re.IGNORECASE)
_SOURCE_OF = lazy_pattern(
    r"(?:an?|the)\s+(?:\w+\s+)?(?:statement|report|post|readout|transcript|video|message|"
    r"interview|letter|briefing)\s+(?:from|by|of|with|issued by)\s+"
)
_LABEL = re.compile(
    r"(?:^|[—–-]\s|^\d{1,2}[:.]\d{2}\s+)([A-Z][\w’'.-]+(?: [A-Z][\w’'.-]+){0,3}):\s*$"
)
_NP_LEAD = frozenset(
    "later but and so yet still then now also however meanwhile separately earlier instead "
    "there here today yesterday".split()
)
_WINDOW = 400  # characters around a quotation where its attribution is looked for
_REPORTED = re.compile(r"\b(?:that|because)\s")
_PARENTHESIS = re.compile(r"\([^()]*\)")
_CLAUSE_VERB = re.compile(r"\b(?:is|was|were|are|has|have|had|will|would|could|can|did)\b")
_NP_END = re.compile(r"[.!?](?:\s|$)|,\s+(?:as|while|when|after|before|because)\s")
_LAST_WORD = re.compile(r"[A-Za-z]+$")
_PRONOUNS = frozenset({"he", "she", "i", "they", "we", "it"})
_TRAIL_VERB_FIRST = lazy_pattern(
    r"^[\s,—–-]*(?:" + ATTRIBUTION_PATTERN + r"|according to)\s+(?P<np>[^;“”\"]+)", re.IGNORECASE
)
_TRAIL_NP_FIRST = lazy_pattern(
    r"^[\s,—–-]*(?P<np>(?:[^,.;“”\"]|\.(?= [A-Z])){1,90}?(?:\s*,[^“”\"]{1,220}?,)?)\s+(?:"
    + ATTRIBUTION_PATTERN
    + r")\b"
)
_TRAIL_DASH = lazy_pattern(r"^\s*[—–]\s*(?P<np>[A-Z][^;“”\"]{1,120})")  # “...” — Name, role
_TRAIL_PRONOUN = lazy_pattern(r"^[\s,—–-]*(?P<np>he|she)\s+[a-z]+", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"[.!?…][”\"’]?\s+(?=[“”\"A-Z])")
_CLAUSE_START = re.compile(
    r"(?:^|[,;:]\s+|\b(?:that|what|which|who|but|and|while)\s+|(?<!such )(?<!well )\bas\s+)"
)
# A verb of speech used otherwise: as an adjective after a determiner ("an estimated 700"),
# or in a clause that qualifies a word ("what he described as a success").
_NOT_SPEECH_BEFORE = re.compile(r"\b(?:an?|the|what \w+)\s+$", re.IGNORECASE)
_NOT_SPEECH_AFTER = re.compile(r"\s+(?:the|their|its|his|her) lives\b")
_SUBJECT_END = lazy_pattern(
    r"\s+(?:(?:has|have|had|is|was|were|are|will|would|could|can|may|might|must|should|did|does|"
    r"do|spoke|went|came|took|gave|made|met|saw|got|left|began|fell|held|led|ran|sent|won|"
    r"lost|struck|fought|kept|stood|thought|brought|wrote|flew|drove|fled)\b|"
    r"[a-z]{3,}ed\b|(?<!\bthe )(?<!\bof )(?<!\bits )(?<!\btheir )[a-z]{3,}es\b|"
    + ATTRIBUTION_PATTERN
    + r"\b)"
)


@dataclass(slots=True)
class _Span:
    para: int
    open: int  # offset of the opening mark
    close: int  # offset just after the closing mark (paragraph end when unclosed)
    start: int  # the quoted words: text[start:end]
    end: int
    closed: bool
    speaker: str | None = None
    role: str | None = None
    person: Person | None = None
    own: bool = False  # the speaker was found in the quote's own sentence
    trailing: bool = False  # the attribution follows the quote ("...,” he said.)
    attribution_end: int = -1
    partial: bool = False
    sentences: list[int] = field(default_factory=list)
    previous: _Span | None = None  # the last quotation before this one that has a speaker
    description: str = ""  # the full phrase that describes an unnamed speaker
    said_as: str = ""  # "m"/"f": the speaker was named by "he"/"she"
    turn: Turn | None = None  # an answer of an interview transcript: speech with no marks


def _spans(article: Article) -> list[_Span]:
    """Quoted spans, paragraph by paragraph. Double marks are the quotation marks where a
    paragraph has any; otherwise single marks are (the British style: ‘...,’ he said). The
    answers of an interview transcript (``briefings.transcript``) are spans with no marks."""
    text = article.text
    out: list[_Span] = []
    turns = {t.para: t for t in transcript_turns(article)}
    for p in article.paragraphs:
        turn = turns.get(p.index)
        if turn is not None:
            # A transcript's turn is speech as a whole, marks inside it included; a question
            # is the interviewer's, no quote of the report.
            if not turn.question:
                out.append(
                    _Span(p.index, turn.start, turn.end, turn.start, turn.end, True, turn=turn)
                )
            continue
        if _MARK.search(text, p.start, p.end):
            _paragraph_spans(text, p.index, p.start, p.end, False, out)
        elif (
            "‘" in text[p.start : p.end]
            or " '" in text[p.start : p.end]
            or text.startswith("'", p.start)
        ):
            _paragraph_spans(text, p.index, p.start, p.end, True, out)
    return out


def quoted_ranges(article: Article) -> tuple[tuple[int, int], ...]:
    """Character ranges of ``article.text`` inside quotation marks (marks included), in order."""
    return tuple((sp.open, sp.close) for sp in _spans(article))


def _paragraph_spans(
    text: str, para: int, start: int, end: int, single: bool, out: list[_Span]
) -> None:
    marks, open_glyphs, close_glyphs = (
        (_SINGLE_MARK, "‘", "’") if single else (_MARK, _OPEN_GLYPHS, _CLOSE_GLYPHS)
    )
    open_before = _OPEN_BEFORE_SINGLE if single else _OPEN_BEFORE
    close_after = _CLOSE_AFTER_SINGLE if single else _CLOSE_AFTER
    inside: int | None = None
    for m in marks.finditer(text, start, end):
        i, ch = m.start(), m.group()
        prev = text[i - 1] if i > start else " "
        nxt = text[i + 1] if i + 1 < end else " "
        can_open = (prev.isspace() or prev in open_before) and not nxt.isspace()
        can_close = not prev.isspace() and (nxt.isspace() or nxt in close_after)
        if single:
            can_open = can_open and nxt.isalpha()
            if can_close and prev == "s" and inside is not None:
                # "the soldiers’ trenches": a plural possessive, not the end of the quote.
                follow = _NEXT_WORD.match(text, i + 1, end)
                if follow and follow.group(1) not in _AFTER_QUOTE_WORDS:
                    can_close = False
        if can_open and can_close:
            opens = ch in open_glyphs or (ch not in close_glyphs and inside is None)
        elif can_open or can_close:
            opens = can_open
        else:
            continue
        if inside is None:
            if opens:
                inside = i
        elif not opens:
            out.append(_Span(para, inside, i + 1, inside + 1, i, True))
            inside = None
        else:  # a new opening mark: the previous quotation was never closed
            out.append(_Span(para, inside, i, inside + 1, i, False))
            inside = i
    if inside is not None:
        out.append(_Span(para, inside, end, inside + 1, end, False))


def _clean(words: str) -> str:
    words = words.strip()
    words = _INNER_SINGLE.sub("", words)
    words = _INNER_STRAIGHT.sub(r"\1", words)
    words = words.replace("“", "").replace("”", "").replace('"', "")
    if words.endswith(("...", "…")):
        return words
    return _END_PUNCT.sub("", words).strip()


def _sentence_of(article: Article, offset: int) -> Sentence | None:
    s = article.sentence_at(offset)
    if s is None and offset > 0:
        s = article.sentence_at(offset - 1)
    return s


def extract_quotes(article: Article, people: PeopleIndex | None = None) -> tuple[QuoteItem, ...]:
    """Every direct quotation of ``article`` in reading order, speakers resolved."""
    if people is None:
        people = find_people(article)
    text = article.text
    spans = _spans(article)
    kept: list[_Span] = []
    last_spoken: _Span | None = None
    for k, sp in enumerate(spans):
        words = text[sp.start : sp.end].strip()
        if not any(c.isalnum() for c in _clean(words)):
            continue  # marks around nothing, or around punctuation only
        s0 = _sentence_of(article, sp.open)
        s1 = _sentence_of(article, max(sp.open, sp.close - 1))
        if s0 is None or s1 is None:
            continue
        sp.sentences = list(range(s0.index, s1.index + 1))
        if sp.turn is not None:
            _turn_speaker(article, people, sp, sp.turn)
            kept.append(sp)
            last_spoken = sp if sp.speaker else last_spoken
            continue
        lo = max(s0.start, sp.open - _WINDOW)  # bounded: a huge sentence stays linear
        if kept and kept[-1].close > lo and kept[-1].para == sp.para:
            lo = kept[-1].close
        before = text[lo : sp.open]
        cut = None
        for brk in _SENTENCE_BREAK.finditer(before):
            cut = brk
        if cut is not None:
            lo += cut.end()
            before = text[lo : sp.open]
        hi = min(s1.end, sp.close + _WINDOW)
        nxt_span = spans[k + 1] if k + 1 < len(spans) else None
        if (
            nxt_span is not None
            and nxt_span.para == sp.para
            and nxt_span.open < hi
            and len(text[nxt_span.start : nxt_span.end].split()) > 3  # not a quoted name
        ):
            hi = nxt_span.open
        after = text[sp.close : hi] if sp.closed else ""
        if sp.closed and not after.strip() and s1.index + 1 < len(article.sentences):
            nxt = article.sentences[s1.index + 1]
            if nxt.paragraph == s1.paragraph and nxt.text.startswith(("—", "–")):
                after = text[sp.close : min(nxt.end, sp.close + _WINDOW)]  # “...” — Name
        b = before.strip(" —–-")
        sp.partial = words[:1].islower() or (bool(b) and not b.endswith((":", ",")))
        if sp.partial and _is_term(words, before, before + " " + words + " " + after):
            continue
        sp.previous = last_spoken
        _attribute(article, people, sp, before, lo, after)
        _prefer_introduced(article, people, sp, after)
        if sp.speaker is None and kept and kept[-1].speaker and kept[-1].own:
            other = kept[-1]
            if other.sentences[-1] == sp.sentences[0] and (
                not other.trailing or other.attribution_end <= sp.open
            ):
                # A second fragment of the sentence that quoted the first: "X said its troops
                # were “near the depot” on the strength of “reports of ...”".
                sp.speaker, sp.role, sp.person = other.speaker, other.role, other.person
        if (
            sp.speaker is None
            and not sp.partial
            and not (kept and _continues(article, kept[-1], sp))
        ):
            pronoun = _TRAIL_PRONOUN().match(after) if sp.closed else None
            said = pronoun.group("np").lower() if pronoun else ""
            _speaker_after(article, people, sp, {"he": "m", "she": "f"}.get(said, ""))
        if (
            sp.partial
            and sp.speaker is None
            and len(words.split()) <= 6
            and not (kept and _continues(article, kept[-1], sp))
        ):
            continue  # a short quoted phrase nobody said, continuing no speech: a scare quote
        kept.append(sp)
        if sp.speaker:
            last_spoken = sp
    items = _join(article, people, kept)
    return tuple(items)


def _is_term(words: str, before: str, sentence: str) -> bool:
    """Scare quotes, call signs, names of units or operations: quoted words, not speech."""
    n = len(words.split())
    if _TERM_BEFORE().search(before.rstrip(' “"')):
        return True
    if n <= 1:
        return True
    if n <= 4 and words.startswith("the ") and _PLACE_PREP_BEFORE.search(before):
        return True  # "fire along “the line of separation”": a quoted place, not speech
    caps = [w for w in words.split() if w[:1].isalpha()]
    if caps and n <= 5 and all(w[:1].isupper() for w in caps):
        return True
    outside = sentence.replace(words, " ")
    return n <= 4 and not _ATTRIBUTION().search(outside)


def _attribute(
    article: Article, people: PeopleIndex, sp: _Span, before: str, lo: int, after: str
) -> None:
    """Find the speaker of ``sp`` in its own sentence, else in the sentence before."""
    text = article.text
    words = text[sp.start : sp.end].rstrip()
    trailing_ok = bool(after.strip()) and (
        words.endswith((",", "?", "!", "…", "—", "-"))
        or after.lstrip()[:1] in {",", "—", "–"}
        or after.lstrip()[:1].islower()
    )
    if trailing_ok:
        for rx in (_TRAIL_VERB_FIRST, _TRAIL_NP_FIRST, _TRAIL_PRONOUN, _TRAIL_DASH):
            m = rx().match(after)
            if m and _accept_np(m.group("np"), rx is _TRAIL_VERB_FIRST):
                a = sp.close + m.start("np")
                np_end = a + len(m.group("np"))
                if rx is _TRAIL_VERB_FIRST or rx is _TRAIL_DASH:
                    np_end = a + _np_length(m.group("np"))
                if _set_speaker(article, people, sp, a, np_end):
                    sp.own = sp.trailing = True
                    sp.attribution_end = sp.close + m.end()
                    return
    # A headline or liveblog convention: "Zelensky: ‘We need air defence’".
    label = _LABEL.search(before)
    if label is not None and _set_speaker(
        article, people, sp, lo + label.start(1), lo + label.end(1)
    ):
        sp.own = True
        return
    # A verb of speech before the quotation, in the same sentence.
    if _speaker_before(article, people, sp, lo, sp.open):
        sp.own = True
        return
    # Any verb that introduces with a colon: "X, who joined in May, put it bluntly: “...”".
    if before.rstrip().endswith(":"):
        subj = _subject_np(text, lo, sp.open)
        if (
            subj is not None
            and _names_a_person(people, text, *subj)
            and _set_speaker(article, people, sp, *subj)
        ):
            sp.own = True
            return
    # A verb after a quote inside the reporter's sentence ("..." for Europe, officials said).
    if after.strip() and _speaker_before(article, people, sp, sp.close, sp.close + len(after)):
        sp.own = sp.trailing = True
        sp.attribution_end = sp.close + len(after)
        return
    # The sentence before, within the paragraph: "X said his unit went in. “...”".
    s0 = _sentence_of(article, sp.open)
    if s0 is None or s0.index == 0 or before.strip(" —–-"):
        return
    prev = article.sentences[s0.index - 1]
    if prev.paragraph != s0.paragraph and not prev.text.rstrip().endswith(":"):
        # A paragraph that is only a quotation, after one that ends by telling who spoke
        # ("He told a radio station that ...").
        para = article.paragraphs[s0.paragraph]
        if (
            sp.open == para.start
            and not text[sp.close : para.end].strip(" .")
            and '"' not in prev.text
            and "”" not in prev.text
            and _speaker_before(article, people, sp, prev.start, prev.end)
            and (sp.person is not None or (sp.speaker or "")[:1].islower())
        ):
            return
        sp.speaker = sp.role = sp.person = None
        return
    if '"' in prev.text or "”" in prev.text:
        return
    if _speaker_before(article, people, sp, prev.start, prev.end):
        return
    subj = _subject_np(text, prev.start, prev.end)
    if subj is not None and _names_a_person(people, text, *subj):
        _set_speaker(article, people, sp, *subj)


def _names_a_person(people: PeopleIndex, text: str, a: int, b: int) -> bool:
    """The subject of a sentence with no speech verb is taken for the speaker of the quotation
    after it only when it is a person: a name, he or she, or a person's role ("the president")."""
    if any(people.people[m.person].named for m in people.mentions_in(a, b)):
        return True
    words = text[a:b].lower().split()
    if not words:
        return False
    if words[0] in {"he", "she"}:
        return True
    return role_kind(shortest_description(text[a:b])) not in {"unknown", "group"}


def _accept_np(np: str, verb_first: bool) -> bool:
    first = np.strip(" ,—–-").split(" ")[0] if np.strip() else ""
    if not first:
        return False
    if verb_first:
        return True
    low = first.lower()
    return low in _PRONOUNS or first[:1].isupper() or low in {"a", "an", "one", "the", "another"}


def _np_length(np: str) -> int:
    """The noun phrase after an inverted verb ends at the sentence's end or a new clause."""
    for m in _NP_END.finditer(np):
        word = _LAST_WORD.search(np, 0, m.start())
        if (
            m.group().startswith(".")
            and word
            and (len(word.group()) == 1 or word.group().lower() in TITLE_ABBREVIATIONS)
        ):
            continue  # "Col. Petro Ivanenko", "Lolita C. Baldor"
        return m.start()
    return len(np)


def _speaker_before(article: Article, people: PeopleIndex, sp: _Span, lo: int, hi: int) -> bool:
    """The last verb of speech in ``text[lo:hi]`` and its subject become the speaker."""
    text = article.text
    last = None
    for m in _ATTRIBUTION().finditer(text, lo, hi):
        if (
            _NOT_SPEECH_BEFORE.search(text, max(lo, m.start() - 12), m.start())
            or _NOT_SPEECH_AFTER.match(text, m.end())
            or (m.group().startswith("descri") and text.startswith(" as ", m.end()))
        ):
            continue  # "an estimated 700", "what he described as", "claimed the lives"
        last = m
    if last is None:
        return False
    verb = last.group()
    if verb.startswith("according to"):
        np_end = lo + _np_length(text[last.end() : hi]) + (last.end() - lo)
        return _set_speaker(article, people, sp, last.end(), min(hi, np_end))
    # "..., said a commander of ...": the subject follows an inverted verb.
    head = text[lo : last.start()].rstrip()
    tail = text[last.end() : hi]
    if (
        head.endswith(",")
        and re.match(r"\s+(?:an?|one|another|the|[A-Z])", tail)
        and not _CLAUSE_VERB.search(tail, 0, _np_length(tail))
    ):
        a = last.end() + len(tail) - len(tail.lstrip())
        return _set_speaker(article, people, sp, a, last.end() + _np_length(tail))
    if verb in _PARTICIPLES:
        # "a clip of General X saying that ...": a participle right after a name,
        # with no comma between, is that person's.
        for mention in reversed(people.mentions_in(lo, last.start())):
            person = people.people[mention.person]
            if person.named and not text[mention.end : last.start()].strip():
                return _use_person(sp, person)
        # "X said ... that Y claimed ..., adding that “...”": the participle shares the
        # subject of the sentence's main verb of speech (the first), else the sentence's.
        earlier = None
        for m in _ATTRIBUTION().finditer(text, lo, last.start()):
            if m.group() not in _PARTICIPLES and not m.group().startswith("according"):
                earlier = m
                break
        if earlier is not None and _speaker_before(article, people, sp, lo, earlier.end()):
            return True
        subj = _subject_np(text, lo, last.start())
        return subj is not None and _set_speaker(article, people, sp, *subj)
    # The subject: the clause before the verb, an apposition between commas skipped.
    seg_hi = last.start()
    seg = text[lo:seg_hi].rstrip()
    if seg.endswith(","):
        inner = seg[:-1]
        comma = inner.rfind(",")
        if comma >= 0:
            # "The UN envoy, Ramtane Lamamra, told": a name in the apposition is the speaker.
            for mention in people.mentions_in(lo + comma, seg_hi):
                person = people.people[mention.person]
                if person.named and not text[lo + comma + 1 : mention.start].strip():
                    return _use_person(sp, person)
            seg_hi = lo + comma
    # Clause boundaries inside a parenthesis ("Officials (who asked not to be named) said")
    # do not count.
    masked = _PARENTHESIS.sub(lambda m: " " * len(m.group()), text[lo:seg_hi])
    starts = [lo + m.end() for m in _CLAUSE_START.finditer(masked)]
    a = starts[-1] if starts else lo
    if a > lo and text[lo:a].rstrip().endswith(","):
        # "X, a city resident told Y": the name before the description is the speaker.
        for mention in people.mentions_in(lo, a):
            person = people.people[mention.person]
            if person.named and not text[mention.end : a].strip(" ,"):
                return _use_person(sp, person)
    if a < seg_hi and _set_speaker(article, people, sp, a, seg_hi):
        return True
    subj = _subject_np(text, lo, last.start())
    return subj is not None and _set_speaker(article, people, sp, *subj)


_INTRO_WORDS = frozenset(
    """
    on in at after before meanwhile still but despite during with as when while amid since for
    under although though if by from to of following unlike like
    """.split()
)


_NOT_A_SPEAKER = frozenset(
    "and but or so yet then there here this that these those it its what which who".split()
)


def _subject_np(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """The subject of the sentence ``text[lo:hi]``: the words before its first verb, after an
    introductory phrase ("On Monday, ...")."""
    seg = text[lo : min(hi, lo + _WINDOW)]
    m = _SUBJECT_END().search(seg)
    end = m.start() if m else min(len(seg), 80)
    head = seg[:end]
    comma = head.find(", ")
    if comma >= 0 and head[:1].isupper():
        first = head[:comma].split()
        if first and (first[0].lower() in _INTRO_WORDS or len(first) == 1):
            lo, head = lo + comma + 2, head[comma + 2 :]
            comma = head.find(", ")
    if comma > 0:
        head = head[:comma]
    head = head.rstrip()
    if not head or len(head.split()) > 9:
        return None
    return lo, lo + len(head)


def _set_speaker(article: Article, people: PeopleIndex, sp: _Span, a: int, b: int) -> bool:
    """Resolve the noun phrase ``text[a:b]`` to a speaker; False when it names none."""
    text = article.text
    while a < b and text[a] in ' ,—–-“”"':
        a += 1
    while b > a and text[b - 1] in ' ,.;:—–-“”"':
        b -= 1
    np = text[a:b]
    if not np:
        return False
    source = _SOURCE_OF().match(np)
    if source is not None:  # "according to a statement from the ministry": the ministry
        a += source.end()
        np = text[a:b]
    words = np.split()
    # Leading adverbs and conjunctions are no part of a speaker ("Later he", "But officials").
    while len(words) > 1 and words[0].lower().strip(",") in _NP_LEAD:
        a = text.index(words[1], a + len(words[0]))
        words = words[1:]
        np = text[a:b]
    low = words[0].lower()
    if low in {"his", "her"} and len(words) > 1:
        # "His office said": the office of the person the pronoun stands for.
        # Only a person named in this sentence or the one before is taken for the owner.
        owner = people.antecedent_mention(a)
        rest = shortest_description(" ".join(words[1:4]))
        here = _sentence_of(article, a)
        if not rest:
            return False
        if owner is not None and here is not None and owner.sentence >= here.index - 1:
            person = people.people[owner.person]
            if person.named:
                mark = "’" if "’" in text else "'"
                sp.speaker = f"{person.name}{mark}s {rest}"
                return True
        sp.speaker = f"{low} {rest}"
        return True
    if low in _PRONOUNS:
        if low == "it" and len(words) == 1:
            return _institution(article, people, sp, a)
        if low not in {"he", "she"}:
            return False
        gender = "m" if low == "he" else "f"
        sp.said_as = gender
        last = sp.previous
        # “A,” she said. “B,” he said: whom "she" named just before, "he" does not.
        other = (
            _person_index(people, last.person)
            if last is not None and last.said_as not in {"", gender}
            else None
        )
        mention = people.antecedent_mention(a, gender=gender, exclude_person=other)
        if mention is not None and sp.open <= mention.start < sp.close:
            # "“... according to a witness,” he said": a person inside the quotation is
            # someone the speaker cites; "he" is whoever was named before it.
            mention = people.antecedent_mention(sp.open, gender=gender, exclude_person=other)
        here = _sentence_of(article, a)
        if (
            mention is not None
            and here is not None
            and mention.sentence == here.index
            and mention.start < sp.open < a
            and not _VERB_NEXT.match(text, mention.end)
        ):
            # "a shell hit X's trench, and the raiders “ran,” he added": a person inside the
            # reported clause is what the speaker talks about, not the speaker.
            if last is not None and last.speaker and last.sentences[-1] >= here.index - 3:
                mention = None
            else:
                mention = people.antecedent_mention(
                    a, gender=gender, exclude_sentence=here.index, exclude_person=other
                )
        if (
            last is not None
            and last.speaker
            and (mention is None or last.open > mention.start)
            and (last.person is None or last.person.gender in {"", gender})
            and last.said_as in {"", gender}
        ):
            # The speaker of the quotation just before is more recent than any name.
            sp.speaker, sp.role, sp.person = last.speaker, last.role, last.person
            return True
        if mention is None:
            return False
        return _use_person(sp, people.people[mention.person])
    # A call sign names the speaker: "a sergeant who goes by the call sign X"; a name before
    # it ("Sgt. Pavlo Hrytsenko, 34, who goes by the call sign X") is the fuller one.
    cs = _CALL_SIGN().search(text, a, min(len(text), b + 40))
    if cs is not None and cs.start() > b:
        cs = None
    if cs and any(
        people.people[m.person].named
        and people.people[m.person].kind != "unknown"
        and _name_slot(text[a : m.start])
        for m in people.mentions_in(a, cs.start())
    ):
        cs = None
    if cs:
        found = people.lookup(cs.group(1))
        if found is not None:
            return _use_person(sp, found)
        sp.speaker = cs.group(1)
        return True
    for m in people.mentions_in(a, b):
        person = people.people[m.person]
        if not person.named or text[m.end : m.end + 1] in {"’", "'"}:
            continue
        lead = text[a : m.start]
        if _name_slot(lead):
            return _use_person(sp, person)
    body = _BODY_OF_GROUP().match(np)
    if body is not None:
        # "analysts at the Centre for Conflict Studies (CCS)": the body, not "analysts".
        sp.speaker = _TRAILING_LINKS.sub("", body.group("body"))
        return True
    desc = shortest_description(np)
    if not desc:
        return False
    first = desc.split()[0].lower()
    if (
        first in _INTRO_WORDS
        or first in _NOT_A_SPEAKER
        or (len(desc.split()) == 1 and first in {"a", "an", "the"})
    ):
        return False  # "Despite the strikes", "an": the start of a clause, not a speaker
    if first == "the":
        s = _sentence_of(article, a)
        found = people.resolve_description(desc, a, s.index if s else 0)
        if found is not None:
            return _use_person(sp, found)
    if first in {"a", "an", "one", "another", "the"}:
        sp.speaker = desc
        sp.description = np
        return True
    # An organisation or a body as written ("the IDF", "Ukraine's military").
    org = re.match(r"(?:[Tt]he\s+)?[A-Z][^,;:]*", np)
    if org and len(org.group().split()) <= 8:
        name = _trim_org(org.group())
        after_name = org.group()[len(name) :].split()
        if (
            len(name.split()) == 1
            and after_name
            and after_name[0][:1].islower()
            and "’" not in name
        ):
            # "Ukrainian officials", "Western diplomats": a description, not a name.
            name = desc if desc[:1].isupper() else name
        sp.speaker = name
        return True
    if len(desc.split()) <= 6 and not desc[:1].islower():
        sp.speaker = desc
        return True
    if len(desc.split()) <= 5 and re.search(r"s\b", desc.split()[-1]):
        sp.speaker = desc  # "international aid groups"
        return True
    return False


# People named by their group ("analysts", "officials") at a body named after them.
_GROUP_WORDS = (
    "analysts|officials|experts|researchers|diplomats|staff|economists|doctors|lawyers|"
    "representatives|monitors|investigators|scientists|spokespeople|workers|observers"
)
_BODY_OF_GROUP = lazy_pattern(
    r"(?:[a-z]+ )?(?:" + _GROUP_WORDS + r")\s+(?:at|of|from|with|for)\s+(?:the\s+)?"
    r"(?P<body>[A-Z][\w’'.-]*(?:\s+(?:of|for|and|on|the|[A-Z][\w’'.-]*|\([A-Z][A-Za-z]{1,9}\)))*)"
)
_TRAILING_LINKS = re.compile(r"(?:\s+(?:of|for|and|on|the))+$")


def _prefer_introduced(article: Article, people: PeopleIndex, sp: _Span, after: str) -> None:
    """ "“...,” she said. Ilse Brandt, a nurse at ..., stayed": a paragraph that opens with a
    quotation said by "he" or "she" and goes on to introduce someone is that person's, not the
    unnamed speaker's of an earlier paragraph ("a woman said") the pronoun would go back to."""
    if sp.speaker is None or sp.partial or not sp.closed or not sp.sentences:
        return
    if sp.person is not None and sp.person.named:
        return
    first = sp.sentences[0]
    s = article.sentences[first]
    if first and article.sentences[first - 1].paragraph == s.paragraph:
        return  # not the paragraph's first sentence
    if article.text[s.start : sp.open].strip():
        return  # the quotation does not open it
    pronoun = _TRAIL_PRONOUN().match(after)
    said = pronoun.group("np").lower() if pronoun else ""
    if said not in ("he", "she"):
        return
    guess = (sp.speaker, sp.role, sp.person, sp.description)
    sp.speaker, sp.role, sp.person, sp.description = None, None, None, ""
    if not _speaker_after(article, people, sp, {"he": "m", "she": "f"}[said]):
        sp.speaker, sp.role, sp.person, sp.description = guess


def _speaker_after(article: Article, people: PeopleIndex, sp: _Span, gender: str) -> bool:
    """ "“...,” she said. Lena Marsh, an analyst at ..., moved ...": a quotation nobody before
    it spoke is said by the person introduced (first mention, with a role) in one of the two
    sentences after it, in its paragraph or the next, before anyone already known is named
    there or another quotation opens."""
    if not sp.sentences:
        return False
    last = sp.sentences[-1]
    para = article.sentences[last].paragraph
    text = article.text
    for s in article.sentences[last + 1 : last + 3]:
        if s.paragraph > para + 1 or _MARK.search(text, s.start, s.end):
            return False
        for m in people.mentions_in(s.start, s.end):
            p = people.people[m.person]
            if not p.named or p.kind == "group":
                continue
            if people.first_mention(m.person) is not m or p.role is None:
                return False  # someone the reader already knows, or no introduction
            if gender and p.gender and p.gender != gender:
                return False
            return _use_person(sp, p)
    return False


_VERB_NEXT = re.compile(r"\s+(?!(?:and|or|of|in|at|on|for|with|to|from|by|as)\b)[a-z]{2,}\b")


def _institution(article: Article, people: PeopleIndex, sp: _Span, a: int) -> bool:
    """ "it said in a statement": the body the sentence is about (its subject), else the
    subject of the sentence before, else the body that spoke last."""
    text = article.text
    here = _sentence_of(article, a)
    if here is None:
        return False
    for s in (here, article.sentences[here.index - 1] if here.index else None):
        if s is None or (s is not here and s.paragraph != here.paragraph):
            continue
        mark = _MARK.search(text, s.start, s.end)
        hi = min(a, mark.start() if mark else s.end)
        subj = _subject_np(text, s.start, hi)
        if subj is None:
            continue
        np = text[subj[0] : subj[1]].strip(" ,")
        first = np.split()[0] if np.split() else ""
        if not first or first.lower() in _PRONOUNS or first.lower() in _INTRO_WORDS:
            continue
        if any(people.people[m.person].named for m in people.mentions_in(*subj)):
            continue  # a person is "he" or "she", not "it"
        if first[:1].isupper() and len(np.split()) <= 6:
            sp.speaker = np
            return True
    last = sp.previous
    if last is not None and last.speaker and last.person is None:
        sp.speaker, sp.role = last.speaker, last.role
        return True
    return False


def _trim_org(name: str) -> str:
    """An organisation's name without the words of the clause that follows it; a possessive
    keeps the noun it qualifies ("Ukraine's military")."""
    words = name.split()
    if words and re.search(r"(?:’s|'s|s’|s')$", words[0]):
        return shortest_description(" ".join(words[:5]))
    out: list[str] = []
    for w in words:
        if out and w[:1].islower() and w.lower() not in {"of", "the", "for", "and", "de", "du"}:
            break
        out.append(w)
    while out and out[-1].lower() in {"of", "the", "for", "and"}:
        out.pop()
    return " ".join(out).rstrip(" ,.")


def _name_slot(lead: str) -> bool:
    """True when the words before a name in a speaker phrase are titles or a description
    followed by a comma ("one resident, X"), so that the name is the speaker's."""
    lead = lead.strip()
    if not lead or lead.endswith(",") or is_title_or_role(lead.split()[-1]):
        return True  # "one resident, X", "the group's health ministry spokesman X"
    return len(lead.split()) <= 4 and not re.search(
        r"\b(?:of|in|at|near|from|to|for|with|by|on)\b", lead
    )


#: Titles a transcript's label may carry before the name: "Col. Vashko:", "Dr Marsh:".
_LABEL_TITLE = re.compile(r"^(?:[A-Z][a-z]{0,4}\.?\s+)+(?=[A-Z])")


def _turn_speaker(article: Article, people: PeopleIndex, sp: _Span, turn: Turn) -> None:
    """The speaker of a transcript's answer: the person its label names, or for "A:" the
    person the introduction (the paragraphs before the first turn) presents first."""
    sp.own = True
    if turn.answer_label:
        named = [p for p in people.people_in(0, turn.intro_end) if p.named and p.kind != "group"]
        chosen = next((p for p in named if p.role), named[0] if named else None)
        if chosen is not None:
            _use_person(sp, chosen)
        return
    label = turn.label.strip()
    written = label.title() if label.isupper() else label
    name = _LABEL_TITLE.sub("", written)
    # the label as written first: the title pattern also fits a short first name ("Irena")
    person = people.lookup(written) or people.lookup(name)
    if person is not None and person.named:
        _use_person(sp, person)
        return
    # The introduction names in full whom the label names by surname ("Lena Marsh ... MARSH:").
    full = re.compile(r"\b(?:[A-Z][\w’'-]+\s){1,2}" + re.escape(name) + r"\b").search(
        article.text, 0, turn.intro_end
    )
    sp.speaker = full.group() if full and " " not in name else name


def _person_index(people: PeopleIndex, person: Person | None) -> int | None:
    if person is None:
        return None
    return next((k for k, p in enumerate(people.people) if p is person), None)


def _use_person(sp: _Span, person: Person) -> bool:
    sp.person = person
    sp.speaker = person.name
    sp.role = person.role
    return True


def _join(article: Article, people: PeopleIndex, spans: list[_Span]) -> list[QuoteItem]:
    """Join the segments of one speech, fill speakers from the segment before, and score."""
    text = article.text
    groups: list[list[_Span]] = []
    for sp in spans:
        prev = groups[-1][-1] if groups else None
        if (
            prev is not None
            and _continues(article, prev, sp)
            and (sp.speaker is None or not sp.own or sp.speaker == prev.speaker)
        ):
            groups[-1].append(sp)
            continue
        groups.append([sp])
    _cataphora(people, groups)
    items: list[QuoteItem] = []
    recent: list[QuoteItem] = []
    for g in groups:
        head = next((s for s in g if s.speaker), None)
        speaker = head.speaker if head else None
        role = head.role if head else None
        person = head.person if head else None
        segments = tuple(_clean(text[s.start : s.end]) for s in g)
        words = join_segments(segments, [text[s.start : s.end] for s in g])
        sentences = sorted({i for s in g for i in s.sentences})
        partial = all(s.partial for s in g)
        item = QuoteItem(
            text=words,
            speaker=speaker,
            speaker_role=role,
            sentences=tuple(sentences),
            score=_score(words, speaker, person, partial, article.title),
            segments=segments if len(segments) > 1 else (),
        )
        # The same words quoted again nearby (a headline, then the body) make one item.
        key = words.lower()
        twin = next((q for q in recent if _same_words(key, q.text.lower())), None)
        if twin is not None and (twin.speaker is None or twin.speaker == speaker):
            if len(words) > len(twin.text) or (twin.speaker is None and speaker):
                items[items.index(twin)] = item
                recent[recent.index(twin)] = item
            continue
        items.append(item)
        recent = [*recent[-4:], item]
    return items


def join_segments(segments: Sequence[str], raw: Sequence[str]) -> str:
    """The parts of one speech as a reader reads them, with sentence punctuation between.

    ``segments`` are the cleaned parts, ``raw`` the same parts as written. A part that ended in
    "?" or "!" keeps it; one that ended with a comma or nothing (the attribution followed)
    ends with a full stop when the next part starts a sentence, else runs on as one sentence:
    “We held,” he said. “They did not.” -> "We held. They did not."
    """
    out: list[str] = []
    for k, part in enumerate(segments):
        if not part:
            continue
        if out:
            prev_raw = raw[k - 1].rstrip(" ”\"’'")
            last = out[-1]
            if last.endswith(("…", "...", ".", "?", "!", ":", ";", "—", "–")):
                pass
            elif prev_raw.endswith(("?", "!")):
                out[-1] = last + prev_raw[-1]
            elif part[:1].isupper() or part[:1].isdigit() or not part[:1].isalpha():
                out[-1] = last + "."
        out.append(part)
    return " ".join(out)


def _same_words(a: str, b: str) -> bool:
    """One quotation repeats the other: equal, or the shorter (four words or more) inside."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return short == long or (len(short.split()) >= 4 and short in long)


def _content_words(phrase: str) -> set[str]:
    return {w for w in re.findall(r"[A-Za-z][\w-]{3,}", phrase.lower()) if w not in _GENERIC}


_GENERIC = frozenset(
    "with from that this their there about official officials senior source sources".split()
)


def _cataphora(people: PeopleIndex, groups: list[list[_Span]]) -> None:
    """ "A politician said ... a “proper region”. “...,” X, deputy head of ..., told ...": an
    unnamed speaker introduced just before a named one who is new to the article is that one."""
    first_seen: dict[str, int] = {}
    for m in people.mentions:
        first_seen.setdefault(people.people[m.person].name, m.sentence)
    for g, nxt in itertools.pairwise(groups):
        head = g[0]
        other = nxt[0]
        if head.person is not None or not head.speaker or other.person is None:
            continue
        if not head.speaker.lower().startswith(("a ", "an ")) or not other.person.named:
            continue
        gap_ok = (
            other.sentences and g[-1].sentences and other.sentences[0] == g[-1].sentences[-1] + 1
        )
        # The description and the new person's role must share a word ("Kherson").
        shared = _content_words(head.description) & _content_words(other.person.role or "")
        if gap_ok and shared and first_seen.get(other.person.name) == other.sentences[0]:
            for s in g:
                s.speaker, s.role, s.person = other.speaker, other.role, other.person


def _continues(article: Article, prev: _Span, sp: _Span) -> bool:
    """True when ``sp`` goes on with the speech of ``prev`` with no narration between."""
    if sp.turn is not None or prev.turn is not None:
        # A transcript's turn is one speech, over its paragraphs; it joins nothing else.
        return (
            sp.turn is not None
            and sp.turn.continues
            and prev.turn is not None
            and sp.para == prev.para + 1
        )
    text = article.text
    if not prev.closed and sp.para == prev.para + 1:
        para = article.paragraphs[sp.para]
        return sp.open == para.start
    if sp.para == prev.para:
        gap = text[prev.close : sp.open]
        if not gap.strip():
            return True
        if (
            prev.trailing
            and not _SENTENCE_BREAK.search(gap)
            and len(_ATTRIBUTION().findall(gap)) == 1
            and _REPORTED.search(gap) is None
        ):
            # “A,” he said, “b.”; not “A,” he said, adding that they were “b”: a reported
            # clause between makes two quotations.
            return True
    if sp.own and not sp.trailing:
        return False
    if sp.para == prev.para:
        if not prev.trailing:
            return False
        return prev.attribution_end >= sp.open - 2 or len(_SENTENCE_BREAK.findall(gap)) <= 1
    if sp.para == prev.para + 1 and not sp.own:
        para = article.paragraphs[sp.para]
        prev_para = article.paragraphs[prev.para]
        ends_para = not text[max(prev.close, prev.attribution_end) : prev_para.end].strip(" .")
        # The new paragraph is quotation only: no narration follows it in its sentence.
        s1 = _sentence_of(article, max(sp.open, sp.close - 1))
        bare = s1 is None or not text[sp.close : s1.end].strip(" .,;:—–-")
        return sp.open == para.start and ends_para and bare
    return False


#: Words of a speech that count towards its rank: past them, length is no merit.
_RANKED_WORDS = 20
_HEADLINE = 3.0  # a speech the headline quotes


def _score(
    words: str, speaker: str | None, person: Person | None, partial: bool, title: str | None
) -> float:
    """Rank: the speech the headline quotes, then a full one that commits or judges, by a named
    official or commander; length counts only up to a point."""
    n = len(words.split())
    score = min(n, _RANKED_WORDS) / 10.0 + substance(words)
    if in_headline(words, title):
        score += _HEADLINE
    if person is not None and person.named:
        score += 1.0
        if person.kind in COMMAND_KINDS:
            score += 1.5
        elif person.kind == "expert":
            score += 0.5
    elif speaker:
        score += 0.5
    if partial:
        score -= 1.5
    if n < 5:
        score -= 1.0
    return round(score, 3)


@dataclass(frozen=True, slots=True)
class SpeakerExample:
    """A text of our own writing, in some style of news prose, and who speaks each quote in it:
    ``speaker`` the first, ``others`` the rest (a text has exactly that many quotes)."""

    text: str
    speaker: str | None
    role: str | None = None  # when given, the speaker_role the first quote must carry
    style: str = "report"  # report, wire, liveblog, press release, interview
    others: tuple[str | None, ...] = ()


@dataclass(frozen=True, slots=True)
class SpeakerRule:
    """One way news prose says who speaks: a row of ``SPEAKER_RULES``; its examples are its tests
    (tests/test_speaker_rules.py runs every example through ``extract_quotes``)."""

    name: str
    yields: str
    examples: tuple[SpeakerExample, ...]


SPEAKER_RULES: tuple[SpeakerRule, ...] = (
    SpeakerRule(
        "said X after the quote",
        "the name (or description) after a verb of speech that follows the quotation",
        (
            SpeakerExample(
                "“The bridge is gone,” said Maj. Arvo Tamm, a sapper with the 3rd Brigade.",
                "Arvo Tamm",
                "sapper with the 3rd Brigade",
            ),
            SpeakerExample(
                "LOWER VALE, Veska (Wire) — “We counted forty trucks,” said Ilse Moor, a monitor "
                "with the observer mission.",
                "Ilse Moor",
                style="wire",
            ),
        ),
    ),
    SpeakerRule(
        "X said after the quote",
        "the subject of a verb of speech that follows the quotation",
        (SpeakerExample("“We will hold,” Gen. Piotr Halas said on Monday.", "Piotr Halas"),),
    ),
    SpeakerRule(
        "pronoun after the quote",
        "he or she resolved to the last person leading a clause (a name in apposition to an "
        "object, 'with her neighbour, X,', leads none), of that gender; whom 'she' named just "
        "before, 'he' does not",
        (
            SpeakerExample(
                "Nadia Sorel, a nurse from the town, stayed behind. “We had no power,” she said.",
                "Nadia Sorel",
            ),
            SpeakerExample(
                "Nadia Sorel, a nurse, and her neighbour Petro Hal stayed behind. “We had no "
                "power,” she said. “The well froze,” he said.",
                "Nadia Sorel",
                others=("Petro Hal",),
            ),
            SpeakerExample(
                "Nadia Sorel, a nurse, stayed behind with her neighbour, Petro Hal, a farmer. “We "
                "had no power,” she said. “The well froze,” he said.",
                "Nadia Sorel",
                others=("Petro Hal",),
            ),
        ),
    ),
    SpeakerRule(
        "label before the quote",
        "a liveblog's 'Name: “...”' gives the speaker",
        (
            SpeakerExample(
                "14:05 Defence Minister Ivo Renn: “The convoy has reached the city.”",
                "Ivo Renn",
                style="liveblog",
            ),
        ),
    ),
    SpeakerRule(
        "verb of speech before the quote",
        "the subject of 'X said:' or 'X told reporters:' before the quotation",
        (
            SpeakerExample(
                "The ministry’s spokeswoman, Lena Dorn, said: “Every road north is mined.”",
                "Lena Dorn",
            ),
            SpeakerExample(
                "Veska Aid Alliance director Marta Quell said: “We have reached 12 villages this "
                "week.”",
                "Marta Quell",
                style="press release",
            ),
        ),
    ),
    SpeakerRule(
        "description resolved to the name",
        "'the country's top soldier', 'the UN rights chief': the named person whose role fits "
        "(head noun or its family, and modifiers), named before or after",
        (
            SpeakerExample(
                "Gen. Arvo Kesk, the army’s commander-in-chief, toured the front on Monday.\n\n"
                "“We will not give up the bridge,” the country’s top soldier said.",
                "Arvo Kesk",
                "army’s commander-in-chief",
            ),
            SpeakerExample(
                "Nadia Orlov, the UN High Commissioner for Human Rights, visited the camp.\n\n"
                "Aid was short.\n\n“These people need water now,” the UN rights chief told "
                "reporters.",
                "Nadia Orlov",
            ),
            SpeakerExample(
                "“The ceasefire is holding,” the defence minister said on Tuesday.\n\n"
                "Defence Minister Piotr Lenk later flew to the coast.",
                "Piotr Lenk",
            ),
        ),
    ),
    SpeakerRule(
        "body behind a group word",
        "'analysts at the Centre for X (CX) said': the body, not 'analysts'",
        (
            SpeakerExample(
                "“The offensive has stalled,” analysts at the Centre for Conflict Studies (CCS) "
                "said in a report.",
                "Centre for Conflict Studies (CCS)",
            ),
            SpeakerExample(
                "“We need more beds,” senior officials at the Ministry of Health said.",
                "Ministry of Health",
            ),
        ),
    ),
    SpeakerRule(
        "speaker introduced after the quote",
        "a quotation nobody before it spoke goes to the person introduced with a role in the "
        "next sentence or paragraph",
        (
            SpeakerExample(
                "The shelling went on through the night.\n\n“We sleep in the cellar now,” she "
                "said. Lena Marsh, an analyst at the Centre for Conflict Studies, moved to the "
                "city in 2019.",
                "Lena Marsh",
            ),
            SpeakerExample(
                "“Nobody came to help us.”\n\nThat is how Oksana Veld, a nurse from the town, "
                "describes the first week.",
                "Oksana Veld",
                "nurse from the town",
            ),
        ),
    ),
    SpeakerRule(
        "title with a complement before the name",
        "'the High Commissioner for Refugee Affairs, Anna Berg,': Anna Berg, with the title "
        "as role; the complement is no name",
        (
            SpeakerExample(
                "“Thousands have crossed the border,” said the High Commissioner for Refugee "
                "Affairs, Anna Berg, on Friday.",
                "Anna Berg",
                "High Commissioner for Refugee Affairs",
            ),
            SpeakerExample(
                "The High Commissioner for Refugee Affairs, Anna Berg, said: “Thousands have "
                "crossed the border.”",
                "Anna Berg",
                "High Commissioner for Refugee Affairs",
            ),
        ),
    ),
    SpeakerRule(
        "an institution's statement",
        "'it said in a statement' after a body: the body as written",
        (
            SpeakerExample(
                "The Veskan Red Cross reported new damage. “Two clinics were hit,” it said in a "
                "statement.",
                "Veskan Red Cross",
                style="press release",
            ),
        ),
    ),
    SpeakerRule(
        "any verb that introduces with a colon",
        "'X, who joined in May, put it bluntly: “...”': the clause's subject when it names a "
        "person",
        (
            SpeakerExample(
                "Private Andriy Melnyk, who joined in the summer, put it more bluntly: “We are "
                "fighting with our bare hands.”",
                "Andriy Melnyk",
                "Private",
            ),
        ),
    ),
    SpeakerRule(
        "a call sign",
        "'a sergeant who goes by the call sign X': X; a name given before the call sign is the "
        "speaker's fuller one",
        (
            SpeakerExample(
                "“You hear it before you see it,” says a sergeant who goes by the call sign "
                "Professor.",
                "Professor",
            ),
            SpeakerExample(
                "“You hear it before you see it,” says Sergeant Pavlo Hrytsenko, 34, a former "
                "schoolteacher who goes by the call sign Professor.",
                "Pavlo Hrytsenko",
                "Sergeant",
            ),
        ),
    ),
    SpeakerRule(
        "a transcript's label",
        "in an interview transcript, each answer's label: the person it names, or for 'A:' "
        "the person the introduction presents (briefings.transcript)",
        (
            SpeakerExample(
                "Talk of the siege\n\nLena Marsh, an analyst at the Kessa Institute, spoke to "
                "us.\n\nHerald: Will the town hold?\n\nMarsh: Not without the road.\n\n"
                "Herald: And with it?\n\nMarsh: For a season, perhaps.",
                "Lena Marsh",
                "analyst at the Kessa Institute",
                style="interview",
                others=("Lena Marsh",),
            ),
            SpeakerExample(
                "The general's view\n\nGen. Oleh Hrin commands the southern group.\n\n"
                "Q: Is the line holding?\n\nA: It is holding at Velyka.\n\nQ: For how "
                "long?\n\nA: As long as the shells come.",
                "Oleh Hrin",
                style="interview",
                others=("Oleh Hrin",),
            ),
        ),
    ),
)


#: What naming a place of the fighting adds to a quote's score.
PLACE_BONUS = 1.0


def naming_places(quotes: tuple[QuoteItem, ...], places: Iterable[str]) -> tuple[QuoteItem, ...]:
    """``quotes`` with those that name one of ``places`` (the frontline's) ranked higher: a
    speaker on the places of the fighting ("X is only the first domino") is the briefing's."""
    names = [p for p in places if len(p) > 2]
    if not names:
        return quotes
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b")
    return tuple(
        dataclasses.replace(q, score=round(q.score + PLACE_BONUS, 3))
        if pattern.search(q.text)
        else q
        for q in quotes
    )
