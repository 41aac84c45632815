"""Publication dates as ``datetime.date``: ISO strings from metadata and dates written in English.

No clock is read: a date is taken from the text or not at all.
"""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?![\d])")
_MDY = re.compile(_MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})\b", re.I)
_DMY = re.compile(r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<y>\d{4})\b", re.I)

# A line that is nothing but a date stamp: "Published March 3, 2025", "Updated 10:42 AM EDT,
# Tue May 10, 2022", "2025-03-03", "3 March 2025 09:14 GMT".
_STAMP_WORDS = r"(?:(?:first |last )?(?:published|updated|posted|modified)(?: on| at)?:?\s*)?"
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s*)?"
_TIME = r"(?:\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?,?\s*)?"
_MONTH_ANY = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE_ANY = (
    r"(?:\d{4}-\d{1,2}-\d{1,2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?"
    rf"|{_MONTH_ANY}\s+{_DAY},?\s+\d{{4}}"
    rf"|{_DAY}\s+{_MONTH_ANY},?\s+\d{{4}})"
)
_STAMP_LINE = re.compile(
    r"^(?:[A-Z][\w.,'’ -]{0,60}\s[—–|-]\s*)?"
    + _STAMP_WORDS
    + _TIME
    + _WEEKDAY
    + _DATE_ANY
    + r"(?:,?\s*(?:at\s*)?"
    + _TIME
    + r")?\s*$",
    re.I,
)


def _make(y: str, m: str | int, d: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def parse_date(value: str) -> date | None:
    """The first date in ``value`` (ISO or English month names), or ``None``."""
    m = _ISO.search(value)
    if m:
        return _make(m["y"], m["m"], m["d"])
    for pattern in (_MDY, _DMY):
        m = pattern.search(value)
        if m:
            return _make(m["y"], _MONTHS[m["month"].lower()], m["d"])
    return None


def date_stamp(line: str) -> date | None:
    """The date of a line that is only a date stamp ("Published March 3, 2025"), else ``None``."""
    line = line.strip()
    if len(line) > 80 or not _STAMP_LINE.match(line):
        return None
    return parse_date(line)
