"""Reading numbers in news prose: digits and words, ranges, ratios, multiples, fractions, measures.

``find_numbers`` scans a stretch of text (usually one sentence) and returns every quantity written
in it as a ``NumberPhrase`` with its character offsets. It leaves out what is written with digits
or number words but is not a quantity: dates ("May 14", "March 3"), years ("in 2019"), clock
times ("6 a.m.", "14:30"), ages ("a 30-year-old", "Ivanov, 21,"), ordinals ("12th"), model and unit
designations ("F-16", "Code 7.4") and vague words ("hundreds", "dozens", "several hundred").

``parse_number`` reads one whole phrase ("45,000", "1.2 million", "2½", "a dozen", "ninety").
Everything here is pure and works with precompiled regular expressions.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import Literal

NumberForm = Literal["count", "range", "ratio", "multiple", "fraction", "percent", "measure"]

_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_DIGIT_SCALES = {**_SCALES, "trillion": 10**12, "bn": 1_000_000_000, "mn": 1_000_000}
_VULGAR = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅓": 1 / 3, "⅔": 2 / 3}
_DENOMINATORS = {
    "half": 2,
    "halves": 2,
    "third": 3,
    "thirds": 3,
    "quarter": 4,
    "quarters": 4,
    "fourth": 4,
    "fourths": 4,
    "fifth": 5,
    "fifths": 5,
    "tenth": 10,
    "tenths": 10,
}
MONTHS = frozenset(
    """
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()
)
# Capitalised words that may stand right before a number without making it part of a name.
_CAPITAL_QUALIFIERS = frozenset(
    """
    about around roughly some nearly almost approximately perhaps barely only just over under
    more fewer less at up as close an estimated maybe possibly and but or while with of by
    to from in on than all another those these the its their his her our between i we they
    monday tuesday wednesday thursday friday saturday sunday yesterday today
    """.split()
)

_SMALL_WORD = "|".join(sorted([*_UNITS, *_TENS], key=len, reverse=True))
_WORD_NUMBER = rf"(?:(?:{'|'.join(_TENS)})-(?:{'|'.join(list(_UNITS)[1:10])})|{_SMALL_WORD})"
_WORD_TOKEN = rf"(?:{_WORD_NUMBER}|hundred|thousand|million|billion|dozen)"

# One atom: a number in digits (with a scale word or a vulgar fraction), a run of number words,
# or a fraction in words.
_ATOM = re.compile(
    r"(?P<digits>(?:(?<=to-)|(?<![A-Za-z]-))(?<![\w.,/])(?P<cur>[$£€])?"
    r"(?P<d>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<vf>[½¼¾⅓⅔])?"
    r"(?:\s*(?P<sc>thousand|million|billion|trillion|bn|mn)\b)?)"
    r"|(?P<frac>\b(?:(?P<fn>a|one|two|three|four|nine)[\s-](?P<fd>half|third|thirds|quarter|"
    r"quarters|fifth|fifths|tenth|tenths)|(?P<half>half)(?![\s-]+(?:a|an)\s+dozen))\b)"
    r"|(?P<halfdozen>\bhalf[\s-]+a[\s-]+dozen\b)"
    r"|(?P<twice>\b(?:twice|thrice)\b)"
    rf"|(?P<words>\b(?:(?:a|an)\s+(?:hundred|thousand|million|billion|dozen)|{_WORD_NUMBER})"
    rf"(?:[\s-]+(?:and[\s-]+)?{_WORD_TOKEN}\b)*\b)",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[a-z]+(?:-[a-z]+)?", re.IGNORECASE)

_UNIT_PATTERNS: tuple[tuple[str, str], ...] = (
    ("km2", r"(?:sq(?:uare)?\.?\s*(?:km|kilomet(?:er|re)s?)|km2|km²)"),
    ("mi2", r"(?:sq(?:uare)?\.?\s*miles?)"),
    ("ha", r"hectares?"),
    ("km", r"(?:km|kms|kilomet(?:er|re)s?)"),
    ("mi", r"miles?"),
    ("m", r"(?:m|met(?:er|re)s?)"),
    ("ft", r"(?:ft|feet|foot)"),
    ("yd", r"yards?"),
    ("kg", r"(?:kg|kgs|kilo(?:gram(?:me)?)?s?)"),
    ("t", r"(?:tons?|tonnes?)"),
    ("lb", r"(?:lbs?|pounds?)"),
    ("hour", r"(?:hours?|hrs?)"),
    ("minute", r"(?:minutes?|mins?)"),
    ("day", r"days?"),
    ("week", r"weeks?"),
    ("month", r"months?"),
    ("year", r"years?"),
)
_TIME_NAMES = ("hour", "minute", "day", "week", "month", "year")
_UNIT = re.compile(
    r"(?:\s*|\s*-\s*)(?:"
    + "|".join(f"(?P<u_{name}>{pat})" for name, pat in _UNIT_PATTERNS)
    + r")\b(?!-old|\s+old\b|-year|\s*\d)",
    re.IGNORECASE,
)
_UNIT_AFTER_ARTICLE = re.compile(
    r"\s+(?:a|an)\s+(?:"
    + "|".join(f"(?P<u_{name}>{pat})" for name, pat in _UNIT_PATTERNS if name not in _TIME_NAMES)
    + r")\b",
    re.IGNORECASE,
)
TIME_UNITS = frozenset({"hour", "minute", "day", "week", "month", "year"})
_PERCENT = re.compile(r"\s*(?:%|per\s*cent\b|pc\b)", re.IGNORECASE)
_TIMES = re.compile(
    r"[\s-]+(?:times|fold)\b(?=\s+(?:as\s+(?:many|much|large|big|great|high|long|strong)|more|"
    r"larger|bigger|greater|higher|fewer|less|the\s+number|that\b|what\b|over\b))"
    r"|[\s-]+fold\b",
    re.IGNORECASE,
)
_ODD = re.compile(r"-odd\b|\s+or\s+so\b", re.IGNORECASE)
_FREQUENCY = re.compile(r"\s+times\b", re.IGNORECASE)
_TWICE_AS = re.compile(
    r"\s+(?:as\s+(?:many|much|large|big|great|high|long|strong)|more|larger|bigger|"
    r"the\s+number)",
    re.IGNORECASE,
)
_AGE_AFTER = re.compile(
    r"(?:\s*-\s*|\s+)(?:years?|months?|weeks?)(?:\s*-\s*|\s+)old\b|\s*-\s*(?:year|month)\b|s\b",
    re.IGNORECASE,
)
_CLOCK_AFTER = re.compile(
    r"\s*(?:a\.m\b|p\.m\b|am\b|pm\b|o['’]clock\b|gmt\b|utc\b|et\b|est\b|edt\b|cet\b|bst\b|"
    r"local\s+time\b|hours?\s+(?:gmt|utc|local))",
    re.IGNORECASE,
)
_WORD_AFTER = re.compile(r"\s+(?:of\s+)?([A-Za-z]+)")
_ORDINAL_BEFORE = re.compile(r"\b(?:first|second|third|last|final|latter|other)\s+$", re.IGNORECASE)
_HALF_AFTER = re.compile(
    r"\s+(?:of|the|a|an|its|their|his|her|our|that|this|all|those|these)\b", re.IGNORECASE
)
_FRACTION_OF = re.compile(r"\s+of\b", re.IGNORECASE)
_FRACTION_OF_TIME = re.compile(
    r"\s+(?:a|an|of\s+an?|of\s+the)\s+(?:hour|day|week|month|year|minute|century|decade)\b",
    re.IGNORECASE,
)
_BETWEEN_BEFORE = re.compile(r"\bbetween\s+$", re.IGNORECASE)
_FROM_BEFORE = re.compile(r"\bfrom\s+$", re.IGNORECASE)
# "outnumbered one to four", "odds of 1 to 3": after a ratio's cue, "one to N" is a ratio told
# smaller term first, not a range (the cue may govern a list: "one to four, one to five").
_RATIO_CUE_NEAR = re.compile(
    r"\b(?:outnumber\w*|outgun\w*|outman\w*|ratio|odds)\b(?:\s+by)?[^.;:]{0,25}$", re.IGNORECASE
)
_RANGE_GAP = re.compile(
    r"\s*[-–—]\s*|\s+(?:or|to|in)\s+|-to-|\s*:\s*|\s+and\s+|\s+out\s+of\s+", re.IGNORECASE
)
_MONEY_SCALE = re.compile(r"(?:m|mn|bn|b|k)\b", re.IGNORECASE)
_MONEY_SCALES = {"m": 1e6, "mn": 1e6, "b": 1e9, "bn": 1e9, "k": 1e3}


@dataclass(frozen=True, slots=True)
class NumberPhrase:
    """A quantity written in text.

    ``value`` is the number (for a ratio the larger term, for a fraction or percentage the
    percentage); ``other`` is a range's upper bound or a ratio's smaller term. ``unit`` names the
    unit of a measure ("km", "m", "mi", "ft", "kg", "t", "lb", "km2", "day", ...), or the currency
    symbol of an amount of money.
    """

    start: int
    end: int
    text: str
    value: float
    form: NumberForm
    other: float | None = None
    unit: str | None = None

    @property
    def normalized(self) -> str:
        """The value as CONTRACT.md writes it: '45000', '8000-9000', '10:1', '50%', '15 km'."""
        v = format_number(self.value)
        if self.form in ("ratio", "multiple"):
            return f"{v}:{format_number(self.other if self.other is not None else 1)}"
        if self.other is not None:
            v = f"{v}-{format_number(self.other)}"
        if self.form in ("percent", "fraction"):
            return f"{v}%"
        if self.form == "measure" and self.unit:
            return f"{v} {self.unit}"
        return v


def format_number(x: float) -> str:
    """'45000' for 45000.0, '2.5' for 2.5, '33' for 33.33 (whole numbers above 10 rounded)."""
    if abs(x - round(x)) < 1e-9 or abs(x) >= 10:
        return str(round(x))
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _words_value(phrase: str) -> tuple[float, int] | None:
    """Value of a run of number words and how many characters of ``phrase`` it uses.

    "a dozen" is 12, "two hundred and fifty thousand" 250000; an "and" that does not join a
    scale to a smaller number ends the run ("one and two" reads only "one").
    """
    total = 0.0
    current = 0.0
    used = 0
    seen = False
    after_scale = False
    last_small = 1000
    for m in _TOKEN.finditer(phrase):
        word = m.group(0).lower()
        if word == "and":
            if not after_scale:
                break
            continue
        if word in ("a", "an"):
            if seen:
                break
            current = 1
            seen = True
            used = m.end()
            continue
        parts = word.split("-")
        if all(p in _UNITS or p in _TENS for p in parts):
            small = sum(_UNITS.get(p, 0) + _TENS.get(p, 0) for p in parts)
            # "twenty five" is one number; "five twenty" is not: small words must descend.
            if seen and not after_scale and not (small < 10 <= last_small and last_small % 10 == 0):
                break
            current += small
            last_small = small
            after_scale = False
        elif word == "dozen":
            current = (current or 1) * 12
            after_scale = True
        elif word in _SCALES:
            if not seen:
                return None
            scale = _SCALES[word]
            if scale == 100:
                current = (current or 1) * 100
            else:
                total += (current or 1) * scale
                current = 0
            after_scale = True
            last_small = 1000
        else:
            break
        seen = True
        used = m.end()
    if not seen:
        return None
    return total + current, used


def parse_number(text: str) -> float | None:
    """The value of one number phrase, or None when ``text`` is not one number.

    >>> parse_number("1.2 million"), parse_number("a dozen"), parse_number("2½")
    (1200000.0, 12.0, 2.5)

    Vague words ("hundreds", "several", "dozens") are not numbers.
    """
    t = text.strip()
    found = find_numbers(t, whole=True)
    if len(found) != 1 or found[0].start != 0 or found[0].end != len(t):
        return None
    p = found[0]
    if p.form in ("ratio", "multiple") or p.other is not None or p.unit:
        return None
    return p.value / 100 if p.form == "fraction" else p.value


@dataclass(frozen=True, slots=True)
class _Atom:
    start: int
    end: int
    value: float
    kind: Literal["digits", "words", "fraction", "twice"]
    currency: str | None = None
    decimal: bool = False
    comma: bool = False


# Where an atom can start. Scanning for these with ``str.find`` and trying ``_ATOM`` only there is
# several times faster than letting the regular expression engine try every position.
_DIGIT_START = re.compile(r"[\d$£€½¼¾⅓⅔]")
_START_WORDS = (*_UNITS, *_TENS, "half", "twice", "thrice")
# Words an "a"/"an" (or another number word) may stand before: "a dozen", "a third".
_AFTER_ARTICLE_WORDS = ("hundred", "thousand", "million", "billion", "dozen", *_DENOMINATORS)
_PREVIOUS_WORD = re.compile(r"(\w+)[\s-]+$")


def candidate_starts(text: str) -> list[int]:
    """Sorted offsets in ``text`` where a number may start (digits and number words)."""
    starts = [m.start() for m in _DIGIT_START.finditer(text)]
    low = text.lower()
    for word in _START_WORDS:
        i = low.find(word)
        while i != -1:
            if i == 0 or not low[i - 1].isalpha():
                starts.append(i)
            i = low.find(word, i + 1)
    for word in _AFTER_ARTICLE_WORDS:
        i = low.find(word)
        while i != -1:
            if i > 0 and not low[i - 1].isalpha():
                m = _PREVIOUS_WORD.search(low, max(0, i - 12), i)
                if m:
                    starts.append(m.start())
            i = low.find(word, i + 1)
    return sorted(set(starts))


def _atoms(text: str, start: int, end: int, starts: list[int] | None = None) -> list[_Atom]:
    out: list[_Atom] = []
    if starts is None:
        starts = candidate_starts(text[start:end])
        starts = [start + s for s in starts]
    else:
        starts = starts[bisect_left(starts, start) : bisect_left(starts, end)]
    done = start
    code_end = -1  # end of a code or telephone number being skipped
    for pos in starts:
        if pos < done:
            continue
        m = _ATOM.match(text, pos, end)
        if m is None:
            continue
        done = m.end()
        if m.group("digits"):
            raw = m.group("d")
            if (raw[0] == "0" and len(raw) > 1 and raw[1] != ".") or (
                code_end >= 0 and not text[code_end:pos].strip(" -")
            ):
                code_end = m.end()
                continue  # "007", "044 555 0199": codes and telephone numbers, not quantities
            value = float(raw.replace(",", ""))
            if m.group("vf"):
                value += _VULGAR[m.group("vf")]
            if m.group("sc"):
                value *= _DIGIT_SCALES[m.group("sc").lower()]
            out.append(
                _Atom(
                    m.start(),
                    m.end(),
                    value,
                    "digits",
                    m.group("cur"),
                    "." in raw,
                    "," in raw,
                )
            )
        elif m.group("frac"):
            if m.group("half"):
                out.append(_Atom(m.start(), m.end(), 50.0, "fraction"))
            else:
                num = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "nine": 9}
                n = num[m.group("fn").lower()]
                d = _DENOMINATORS[m.group("fd").lower()]
                if n >= d:
                    continue
                out.append(_Atom(m.start(), m.end(), 100.0 * n / d, "fraction"))
        elif m.group("halfdozen"):
            out.append(_Atom(m.start(), m.end(), 6.0, "words"))
        elif m.group("twice"):
            out.append(
                _Atom(m.start(), m.end(), 2.0 if m.group(0).lower() == "twice" else 3.0, "twice")
            )
        else:
            parsed = _words_value(m.group("words"))
            if parsed is not None:
                value, used = parsed
                out.append(_Atom(m.start(), m.start() + used, value, "words"))
    return out


def previous_word(text: str, lo: int, pos: int) -> tuple[int, str]:
    """The space-separated token before ``pos`` and its offset; ``(pos, "")`` when there is none
    in ``text[lo:pos]``. Much cheaper than a regular expression anchored at ``pos``."""
    j = pos
    while j > lo and text[j - 1] == " ":
        j -= 1
    if j <= lo:
        return pos, ""
    k = max(text.rfind(" ", lo, j) + 1, lo)
    return k, text[k:j]


def _is_name_number(text: str, start: int, pos: int) -> bool:
    """A number right after a capitalised word inside a sentence: part of a name ("Code 7.4")."""
    k, word = previous_word(text, start, pos)
    if not word or pos - (k + len(word)) < 1 or not word[:1].isupper():
        return False
    bare = word.rstrip(".").lower()
    if not bare.replace("-", "").replace("'", "").replace("’", "").isalnum():
        return False  # "Sudan," or "(AP)": punctuation ends the name
    if bare in _CAPITAL_QUALIFIERS or bare in MONTHS:
        return False
    return bool(text[start:k].strip(" \"'“‘«([—–-"))


def _rejected(text: str, start: int, end: int, a: _Atom, b: _Atom | None) -> bool:
    """Dates, years, clock times, ages and designations: written with digits, not quantities."""
    first = a.start
    last = b.end if b else a.end
    after = text[last : min(end, last + 40)]
    _, prev = previous_word(text, start, first)
    prev_low = prev.lower().rstrip(".")
    if _AGE_AFTER.match(after) or prev_low in ("aged", "age", "ages"):
        return True
    if _CLOCK_AFTER.match(after):
        return True
    if prev_low in ("no", "nos", "number", "numbers", "nr"):
        return True
    if prev_low in MONTHS and a.kind == "digits":
        return True
    ma = _WORD_AFTER.match(after)
    if ma and ma.group(1).lower() in MONTHS and (b or a).kind == "digits":
        return True
    if a.kind == "digits":
        if (
            b is None
            and prev.endswith(",")
            and prev[:1].isupper()
            and after.startswith(",")
            and a.value < 120
            and not a.decimal
        ):
            return True  # "Ivanov, 21, said": an age
        if (
            b is None
            and not a.comma
            and not a.decimal
            and a.currency is None
            and 1800 <= a.value <= 2100
            and not _UNIT.match(after)
            and not _PERCENT.match(after)
        ):
            return True
        if _is_name_number(text, start, first):
            return True
    return False


def find_numbers(
    text: str,
    start: int = 0,
    end: int | None = None,
    *,
    whole: bool = False,
    starts: list[int] | None = None,
) -> tuple[NumberPhrase, ...]:
    """Every quantity written in ``text[start:end]``, in order, with offsets into ``text``.

    ``whole`` keeps fractions and multiples that stand alone (used by ``parse_number``); in
    running text "half" counts only before "of"/"the"/"a" and "N times" only in a comparison.
    ``starts`` is ``candidate_starts(text)`` computed once when one text is scanned sentence by
    sentence.
    """
    end = len(text) if end is None else end
    atoms = _atoms(text, start, end, starts)
    out: list[NumberPhrase] = []
    i = 0
    while i < len(atoms):
        a = atoms[i]
        b: _Atom | None = None
        form: NumberForm = "count"
        value, other = a.value, None
        if i + 1 < len(atoms) and a.kind != "twice":
            nb = atoms[i + 1]
            gap = text[a.end : nb.start]
            gm = _RANGE_GAP.fullmatch(gap)
            if gm and (nb.kind == a.kind or {a.kind, nb.kind} <= {"digits", "words"}):
                g = gap.strip().lower()
                before = text[max(start, a.start - 12) : a.start]
                if g == "and" and not _BETWEEN_BEFORE.search(before):
                    pass
                elif g in ("in", "out of"):
                    # "one in four", "three out of five": a proportion
                    if a.value < nb.value <= 1000 and a.kind != "fraction":
                        b, form, value = nb, "fraction", 100.0 * a.value / nb.value
                elif g == ":":
                    if a.kind == "digits" and nb.kind == "digits":
                        digits_b = text[nb.start : nb.end]
                        if len(digits_b) == 2 and a.value <= 24:
                            i += 2  # a clock time
                            continue
                        b, form = nb, "ratio"
                elif (
                    g == "-to-"
                    or (g == "to" and nb.value < a.value and not _FROM_BEFORE.search(before))
                    or (
                        g == "to"
                        and a.value == 1
                        and nb.value > 1
                        and _RATIO_CUE_NEAR.search(text, max(start, a.start - 40), a.start)
                    )
                ):
                    b, form = nb, "ratio"
                elif nb.value > a.value:
                    b, form = nb, "count"
                    other = nb.value
        if b is not None and form == "ratio":
            value, other = max(a.value, b.value), min(a.value, b.value)
            if other <= 0:
                b, form, other = None, "count", None
        if _rejected(text, start, end, a, b):
            i += 2 if b else 1
            continue
        last = b.end if b else a.end
        i += 2 if b else 1
        unit: str | None = a.currency
        if form in ("ratio", "fraction"):
            pass
        elif a.kind == "twice":
            if not _TWICE_AS.match(text, last, end):
                continue
            form, other = "multiple", 1.0
        elif a.kind == "fraction" and b is None:
            form = "fraction"
            word = text[a.start : a.end].lower()
            if _ORDINAL_BEFORE.search(text, max(start, a.start - 12), a.start):
                continue
            if _FRACTION_OF_TIME.match(text, last, end):
                continue
            mu = _UNIT_AFTER_ARTICLE.match(text, last, end)
            if mu and mu.lastgroup:  # "half a ton"
                form, unit, value, last = "measure", mu.lastgroup[2:], a.value / 100, mu.end()
            elif not whole:
                if word == "half" and not _HALF_AFTER.match(text, last, end):
                    continue
                if word != "half" and not _FRACTION_OF.match(text, last, end):
                    continue
        else:
            mp = _PERCENT.match(text, last, end)
            mt = _TIMES.match(text, last, end)
            mu = _UNIT.match(text, last, end) if unit is None else None
            ms = _MONEY_SCALE.match(text, last, end) if unit is not None else None
            if ms:
                value *= _MONEY_SCALES[ms.group(0).lower()]
                other = other * _MONEY_SCALES[ms.group(0).lower()] if other is not None else None
                last = ms.end()
            elif mp:
                form, last = "percent", mp.end()
            elif mt:
                if b is not None:
                    continue
                form, other, last = "multiple", 1.0, mt.end()
            elif _FREQUENCY.match(text, last, end):
                continue  # "three times a day": how often, not how many
            elif mu and mu.lastgroup:
                name = mu.lastgroup[2:]
                bare_m = name == "m" and text[mu.start() : mu.end()].strip() == "m"
                if bare_m and a.decimal:  # "1.2m": a million, as British copy writes it
                    value *= 1_000_000
                    other = other * 1_000_000 if other is not None else None
                    last = mu.end()
                else:
                    form, unit, last = "measure", name, mu.end()
            elif not whole and a.kind == "digits" and text[last : last + 1].isalpha():
                continue  # "12th", "5G": not a quantity
            elif form == "count":
                odd = _ODD.match(text, last, end)  # "10,000-odd", "200 or so"
                if odd:
                    last = odd.end()
        out.append(
            NumberPhrase(
                start=a.start,
                end=last,
                text=text[a.start : last],
                value=value,
                form=form,
                other=other,
                unit=unit,
            )
        )
    return tuple(out)
