"""When a subscription posts: schedules written as cron or plain words, in an IANA time zone.

Pure: no I/O beyond reading the time zone database. A :class:`Schedule` is parsed once, then
yields the APScheduler 3.x trigger that runs it and answers "when are the next runs?" for
``/subscriptions``, ``/preview`` and the catch-up after a restart.

Accepted forms (case-insensitive)::

    0 8 * * *            cron: minute hour day-of-month month day-of-week (0 or 7 = Sunday)
    daily 08:00          every day; also "daily at 08:00", "every day 08:00"
    weekdays 07:30       Monday to Friday; "weekends 10:00" for Saturday and Sunday
    mon,thu 18:00        named days, lists and ranges ("mon-fri"), full names too
    every 6h / every 30m every N hours or minutes ("every 2 hours", "hourly")

What users can expect around daylight-saving changes (tested):

* A wall-clock time runs **once per day it names**, whatever the clock does. When the time does
  not exist (New York's 02:30 on the spring change) the run happens at the same moment shifted by
  the gap (03:30 local time); when it exists twice (01:30 on the autumn change) only the first
  occurrence runs.
* ``every N`` hours or minutes where N divides a day (or an hour) runs at fixed local times
  (``every 6h`` is 00:00, 06:00, 12:00, 18:00 local); other intervals (``every 5h``,
  ``every 90m``) count real elapsed time from local midnight of 2000-01-01.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache
from itertools import pairwise
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import shown
from briefings.errors import SitrepError

__all__ = [
    "MIN_INTERVAL",
    "Schedule",
    "ScheduleError",
    "load_zone",
    "matching_timezones",
    "parse_schedule",
]

MIN_INTERVAL = timedelta(minutes=5)
"""The shortest interval a schedule may have: a briefing more often than this is spam."""

_EPOCH = datetime(2000, 1, 1)
_ONE_US = timedelta(microseconds=1)

# APScheduler 3.x numbers weekdays from Monday = 0, crontab from Sunday = 0: names avoid both.
_CRON_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # crontab numbering
_APS_ORDER = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_WORDS = {
    "mon": 1,
    "monday": 1,
    "tue": 2,
    "tues": 2,
    "tuesday": 2,
    "wed": 3,
    "wednesday": 3,
    "thu": 4,
    "thur": 4,
    "thurs": 4,
    "thursday": 4,
    "fri": 5,
    "friday": 5,
    "sat": 6,
    "saturday": 6,
    "sun": 0,
    "sunday": 0,
}
_TIME = re.compile(r"^(?:at\s+)?([01]?\d|2[0-3]):([0-5]\d)$")
_EVERY = re.compile(
    r"^every\s+(\d+)\s*(h|hr|hrs|hour|hours|m|min|mins|minute|minutes)$",
)


class ScheduleError(SitrepError):
    """A schedule or time zone that cannot be understood."""


@lru_cache(maxsize=256)
def load_zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; a :class:`ScheduleError` naming it if there is none."""
    cleaned = name.strip()
    if not cleaned:
        raise ScheduleError("The time zone is empty: give an IANA name such as Europe/Kyiv.")
    try:
        return ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
        hint = matching_timezones(cleaned.split("/")[-1], limit=3)
        tail = f" Did you mean {', '.join(hint)}?" if hint else ""
        raise ScheduleError(
            f"Unknown time zone {shown(name)}: give an IANA name such as Europe/Kyiv or "
            f"America/New_York.{tail}"
        ) from None


@lru_cache(maxsize=1)
def _all_zones() -> tuple[str, ...]:
    return tuple(
        sorted(
            z
            for z in available_timezones()
            if not z.startswith(("posix/", "right/", "SystemV/")) and z not in {"localtime"}
        )
    )


def matching_timezones(prefix: str, limit: int = 25) -> list[str]:
    """IANA names matching ``prefix`` for the time zone autocomplete (Discord shows 25).

    Names starting with the prefix come first, then names where a later part (the city) does:
    ``kyi`` finds ``Europe/Kyiv``. Case does not matter; an empty prefix lists from the start.
    """
    wanted = prefix.strip().lower().replace(" ", "_")
    first: list[str] = []
    later: list[str] = []
    for zone in _all_zones():
        low = zone.lower()
        if low.startswith(wanted):
            first.append(zone)
        elif any(part.startswith(wanted) for part in low.split("/")[1:]):
            later.append(zone)
    return (first + later)[: max(limit, 0)]


class _OncePerWallClockCron(CronTrigger):  # type: ignore[misc]
    """A cron trigger that runs a wall-clock time once when the autumn change repeats it."""

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        result: datetime | None = super().get_next_fire_time(previous_fire_time, now)
        while result is not None and _is_second_occurrence(result):
            result = super().get_next_fire_time(result, result)
        return result


def _is_second_occurrence(moment: datetime) -> bool:
    """True when ``moment`` is the repeat of a local time that the autumn change shows twice."""
    zone = moment.tzinfo
    if zone is None:
        return False
    local = moment.replace(tzinfo=None)
    first = local.replace(tzinfo=zone, fold=0).utcoffset()
    second = local.replace(tzinfo=zone, fold=1).utcoffset()
    if first is None or second is None or first <= second:
        return False  # not ambiguous (a gap has first < second)
    return moment.utcoffset() == second


@dataclass(frozen=True, slots=True)
class Schedule:
    """A parsed schedule: either cron fields or a fixed interval, in one IANA time zone."""

    spec: str
    timezone: str
    kind: Literal["cron", "interval"]
    minute: str = "*"
    hour: str = "*"
    day: str = "*"
    month: str = "*"
    day_of_week: str = "*"
    interval_seconds: int = 0

    @property
    def zone(self) -> ZoneInfo:
        return load_zone(self.timezone)

    def trigger(self) -> Any:
        """A fresh APScheduler 3.x trigger (``CronTrigger`` or ``IntervalTrigger``) in the zone."""
        zone = self.zone
        if self.kind == "interval":
            return IntervalTrigger(
                seconds=self.interval_seconds,
                start_date=_EPOCH.replace(tzinfo=zone),
                timezone=zone,
            )
        return _OncePerWallClockCron(
            minute=self.minute,
            hour=self.hour,
            day=self.day,
            month=self.month,
            day_of_week=self.day_of_week,
            timezone=zone,
        )

    def next_runs(self, after: datetime, n: int = 1) -> list[datetime]:
        """The next ``n`` run times strictly after ``after``, aware, in the schedule's zone."""
        _require_aware(after)
        trigger = self.trigger()
        zone = self.zone
        out: list[datetime] = []
        previous: datetime | None = None
        now = after + _ONE_US
        while len(out) < n:
            nxt: datetime | None = trigger.get_next_fire_time(previous, now)
            if nxt is None:
                break
            out.append(_normalize(nxt, zone))
            previous = nxt
            now = nxt
        return out

    def runs_between(self, start: datetime, end: datetime, limit: int = 10_000) -> list[datetime]:
        """Run times in ``(start, end]``, oldest first, at most ``limit`` of them."""
        _require_aware(start)
        _require_aware(end)
        trigger = self.trigger()
        zone = self.zone
        out: list[datetime] = []
        previous: datetime | None = None
        now = start + _ONE_US
        while len(out) < limit:
            nxt: datetime | None = trigger.get_next_fire_time(previous, now)
            if nxt is None or nxt > end:
                break
            out.append(_normalize(nxt, zone))
            previous = nxt
            now = nxt
        return out

    def last_run_at_or_before(self, moment: datetime, since: datetime) -> datetime | None:
        """The latest run in ``(since, moment]``, or None when there is none."""
        runs = self.runs_between(since, moment)
        return runs[-1] if runs else None

    def describe(self) -> str:
        """The schedule as the user wrote it, with its zone: ``daily 08:00 (Europe/Kyiv)``."""
        return f"{self.spec} ({self.timezone})"


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a timezone-aware datetime is required, got {moment!r}")


def _normalize(moment: datetime, zone: tzinfo) -> datetime:
    """The same instant as a valid local time (APScheduler may return 02:30-05:00 in a gap)."""
    return datetime.fromtimestamp(moment.timestamp(), zone)


MAX_SCHEDULE = 200  # characters of a schedule as written


def parse_schedule(spec: str, timezone: str = "UTC") -> Schedule:
    """Parse ``spec`` (cron or plain words) in the IANA ``timezone``; ScheduleError if bad."""
    if len(spec) > MAX_SCHEDULE:  # refused before anything is stored or echoed
        raise ScheduleError(
            f"The schedule is too long ({len(spec):,} characters; at most {MAX_SCHEDULE})."
        )
    load_zone(timezone)
    tz_name = timezone.strip()
    text = " ".join(spec.strip().lower().split())
    if not text:
        raise ScheduleError("The schedule is empty: try 'daily 08:00' or '0 8 * * *'.")
    fields = text.split(" ")
    if len(fields) == 5 and not any(c.isalpha() and c not in "*" for c in fields[0] + fields[1]):
        return _parse_cron(text, fields, tz_name)
    return _parse_words(text, tz_name)


def _bad(spec: str, why: str) -> ScheduleError:
    return ScheduleError(
        f"Cannot read the schedule {shown(spec)}: {why}. Use cron ('0 8 * * *') or words "
        "('daily 08:00', 'weekdays 07:30', 'mon,thu 18:00', 'every 6h', 'every 30m')."
    )


def _parse_cron(text: str, fields: list[str], tz_name: str) -> Schedule:
    minute, hour, day, month, dow = fields
    schedule = Schedule(
        spec=text,
        timezone=tz_name,
        kind="cron",
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_cron_days(dow, text),
    )
    try:
        trigger = schedule.trigger()
    except ValueError as exc:
        raise _bad(text, str(exc).rstrip(".")) from None
    if trigger.get_next_fire_time(None, datetime(2000, 1, 1, tzinfo=schedule.zone)) is None:
        raise _bad(text, "it never runs")
    _check_frequency(schedule, text)
    return schedule


def _cron_days(field: str, spec: str) -> str:
    """A crontab day-of-week field (0/7 = Sunday) as APScheduler day names."""
    if field == "*":
        return "*"
    days: set[int] = set()
    for token in field.split(","):
        base, _, step_text = token.partition("/")
        step = 1
        if step_text:
            if not step_text.isdecimal() or int(step_text) == 0:
                raise _bad(spec, f"bad step in day of week {shown(token)}")
            step = int(step_text)
        if base == "*":
            lo, hi = 0, 6
        elif "-" in base:
            a, _, b = base.partition("-")
            lo, hi = _cron_day(a, spec), _cron_day(b, spec)
            if b.strip() in {"7", "sun", "sunday"}:
                hi = 7
            if hi < lo:
                raise _bad(spec, f"day range {shown(base)} runs backwards")
        else:
            lo = hi = _cron_day(base, spec)
            if step_text:
                hi = 7
        days.update(d % 7 for d in range(lo, hi + 1, step))
    if len(days) == 7:
        return "*"
    return ",".join(name for name in _APS_ORDER if _CRON_DAY_NAMES.index(name) in days)


def _cron_day(token: str, spec: str) -> int:
    token = token.strip()
    if token.isdecimal() and 0 <= int(token) <= 7:
        return int(token) % 7
    if token in _DAY_WORDS:
        return _DAY_WORDS[token]
    raise _bad(spec, f"unknown day of week {shown(token)}")


def _parse_words(text: str, tz_name: str) -> Schedule:
    if text == "hourly":
        return _every(text, 3600, tz_name)
    match = _EVERY.match(text)
    if match:
        count = int(match.group(1))
        unit = 3600 if match.group(2).startswith("h") else 60
        return _every(text, count * unit, tz_name)

    head, _, rest = text.partition(" ")
    if head == "every" and rest.startswith("day "):
        head, _, rest = rest.partition(" ")
    time_match = _TIME.match(rest)
    if not time_match:
        raise _bad(text, "expected a day word and a 24-hour time such as 08:00")
    hour, minute = int(time_match.group(1)), int(time_match.group(2))
    if head in {"daily", "day"}:
        dow = "*"
    elif head == "weekdays":
        dow = "mon-fri"
    elif head == "weekends":
        dow = "sat,sun"
    else:
        dow = _cron_days(head, text)
    return Schedule(
        spec=text,
        timezone=tz_name,
        kind="cron",
        minute=str(minute),
        hour=str(hour),
        day_of_week=dow,
    )


def _every(text: str, seconds: int, tz_name: str) -> Schedule:
    if seconds < MIN_INTERVAL.total_seconds():
        raise _bad(text, f"the shortest interval is {int(MIN_INTERVAL.total_seconds() // 60)}m")
    if seconds % 3600 == 0 and 86400 % seconds == 0:
        hours = seconds // 3600
        hour = "*" if hours == 1 else f"*/{hours}"
        return Schedule(spec=text, timezone=tz_name, kind="cron", minute="0", hour=hour)
    if seconds < 3600 and 3600 % seconds == 0:
        return Schedule(
            spec=text, timezone=tz_name, kind="cron", minute=f"*/{seconds // 60}", hour="*"
        )
    if seconds > 7 * 86400:
        raise _bad(text, "the longest interval is a week")
    return Schedule(spec=text, timezone=tz_name, kind="interval", interval_seconds=seconds)


def _check_frequency(schedule: Schedule, text: str) -> None:
    """Reject cron schedules that run more often than MIN_INTERVAL (``* * * * *``)."""
    start = datetime(2001, 1, 1, tzinfo=schedule.zone)
    runs = schedule.next_runs(start, 10)
    if any(b - a < MIN_INTERVAL for a, b in pairwise(runs)):
        minutes = int(MIN_INTERVAL.total_seconds() // 60)
        raise _bad(text, f"it runs more often than every {minutes}m")
