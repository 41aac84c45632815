"""Schedules: cron and plain words, bad specs, time zones and daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.scheduling.schedule import Schedule, ScheduleError, matching_timezones, parse_schedule
from briefings.errors import SitrepError

KYIV = ZoneInfo("Europe/Kyiv")
NEW_YORK = ZoneInfo("America/New_York")
JAN1 = datetime(2026, 1, 1, tzinfo=UTC)  # a Thursday


def local_times(schedule: Schedule, after: datetime, n: int) -> list[str]:
    return [d.strftime("%a %Y-%m-%d %H:%M %z") for d in schedule.next_runs(after, n)]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("0 8 * * *", ["Thu 2026-01-01 08:00", "Fri 2026-01-02 08:00", "Sat 2026-01-03 08:00"]),
        ("daily 08:00", ["Thu 2026-01-01 08:00", "Fri 2026-01-02 08:00", "Sat 2026-01-03 08:00"]),
        ("Daily at 8:00", ["Thu 2026-01-01 08:00", "Fri 2026-01-02 08:00", "Sat 2026-01-03 08:00"]),
        (
            "every day 08:00",
            ["Thu 2026-01-01 08:00", "Fri 2026-01-02 08:00", "Sat 2026-01-03 08:00"],
        ),
        (
            "weekdays 07:30",
            ["Thu 2026-01-01 07:30", "Fri 2026-01-02 07:30", "Mon 2026-01-05 07:30"],
        ),
        (
            "weekends 10:00",
            ["Sat 2026-01-03 10:00", "Sun 2026-01-04 10:00", "Sat 2026-01-10 10:00"],
        ),
        ("mon,thu 18:00", ["Thu 2026-01-01 18:00", "Mon 2026-01-05 18:00", "Thu 2026-01-08 18:00"]),
        (
            "monday-wednesday 09:15",
            ["Mon 2026-01-05 09:15", "Tue 2026-01-06 09:15", "Wed 2026-01-07 09:15"],
        ),
        ("every 6h", ["Thu 2026-01-01 06:00", "Thu 2026-01-01 12:00", "Thu 2026-01-01 18:00"]),
        ("every 30m", ["Thu 2026-01-01 00:30", "Thu 2026-01-01 01:00", "Thu 2026-01-01 01:30"]),
        ("every 2 hours", ["Thu 2026-01-01 02:00", "Thu 2026-01-01 04:00", "Thu 2026-01-01 06:00"]),
        ("hourly", ["Thu 2026-01-01 01:00", "Thu 2026-01-01 02:00", "Thu 2026-01-01 03:00"]),
        ("every 5h", ["Thu 2026-01-01 02:00", "Thu 2026-01-01 07:00", "Thu 2026-01-01 12:00"]),
        # crontab numbers days from Sunday = 0 (APScheduler 3.x would read 1 as Tuesday)
        ("0 9 * * 1", ["Mon 2026-01-05 09:00", "Mon 2026-01-12 09:00", "Mon 2026-01-19 09:00"]),
        ("0 9 * * 0", ["Sun 2026-01-04 09:00", "Sun 2026-01-11 09:00", "Sun 2026-01-18 09:00"]),
        ("0 9 * * 7", ["Sun 2026-01-04 09:00", "Sun 2026-01-11 09:00", "Sun 2026-01-18 09:00"]),
        ("0 9 * * 5-7", ["Fri 2026-01-02 09:00", "Sat 2026-01-03 09:00", "Sun 2026-01-04 09:00"]),
        ("30 7 1 * *", ["Thu 2026-01-01 07:30", "Sun 2026-02-01 07:30", "Sun 2026-03-01 07:30"]),
    ],
)
def test_parses_cron_and_words_in_utc(spec: str, expected: list[str]) -> None:
    schedule = parse_schedule(spec, "UTC")
    got = [s.removesuffix(" +0000") for s in local_times(schedule, JAN1, 3)]
    assert got == expected


def test_next_runs_are_in_the_zone_and_strictly_after() -> None:
    schedule = parse_schedule("daily 08:00", "Europe/Kyiv")
    at_eight = datetime(2026, 1, 1, 8, 0, tzinfo=KYIV)
    runs = schedule.next_runs(at_eight, 2)
    assert runs == [datetime(2026, 1, 2, 8, tzinfo=KYIV), datetime(2026, 1, 3, 8, tzinfo=KYIV)]
    assert all(r.tzinfo is not None for r in runs)
    assert runs[0].astimezone(UTC) == datetime(2026, 1, 2, 6, tzinfo=UTC)


def test_triggers_are_apscheduler_triggers_with_the_zone() -> None:
    cron = parse_schedule("weekdays 07:30", "America/New_York").trigger()
    assert isinstance(cron, CronTrigger)
    assert cron.timezone == NEW_YORK
    interval = parse_schedule("every 90m", "Europe/Kyiv").trigger()
    assert isinstance(interval, IntervalTrigger)
    assert interval.interval == timedelta(minutes=90)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_schedule("daily 08:00").next_runs(datetime(2026, 1, 1), 1)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("daily", "24-hour time"),
        ("daily 25:00", "24-hour time"),
        ("daily 8", "24-hour time"),
        ("sometimes 08:00", "unknown day of week 'sometimes'"),
        ("fri-mon 08:00", "runs backwards"),
        ("every 1m", "shortest interval is 5m"),
        ("every 0h", "shortest interval"),
        ("every 9 days", "24-hour time"),
        ("* * * * *", "more often than every 5m"),
        ("0 8 * * 9", "unknown day of week '9'"),
        ("61 8 * * *", "Cannot read the schedule '61 8 \\* \\* \\*'"),
        ("0 8 31 2 *", "never runs"),
        ("0 8 * *", "24-hour time"),
    ],
)
def test_bad_specs_raise_one_clear_error(spec: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message) as info:
        parse_schedule(spec, "UTC")
    assert isinstance(info.value, SitrepError)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("zone", ["Mars/Olympus", "Europe/Kiev2", "", "../etc/passwd", "/abs"])
def test_unknown_time_zones_raise_schedule_error(zone: str) -> None:
    with pytest.raises(ScheduleError, match="time zone"):
        parse_schedule("daily 08:00", zone)


def test_unknown_zone_suggests_close_names() -> None:
    with pytest.raises(ScheduleError, match="Did you mean Europe/Kyiv"):
        parse_schedule("daily 08:00", "Ukraine/Kyiv")


def test_matching_timezones_for_autocomplete() -> None:
    assert matching_timezones("Europe/Ky") == ["Europe/Kyiv"]
    assert matching_timezones("kyi") == ["Europe/Kyiv"]
    assert "America/New_York" in matching_timezones("america/new")
    assert matching_timezones("new_y")[0] == "America/New_York"
    assert len(matching_timezones("")) == 25
    assert len(matching_timezones("a", limit=5)) == 5
    assert matching_timezones("zzz-nowhere") == []
    assert not any(z.startswith(("posix/", "right/")) for z in matching_timezones("", limit=10**6))


# --- Daylight-saving changes -------------------------------------------------------------
# What users should expect: a daily time posts exactly once on every calendar day. Where the
# time does not exist (spring), it posts at the same instant as the shifted wall clock (02:30
# becomes 03:30); where it exists twice (autumn), only the first occurrence posts.


def one_per_day(runs: list[datetime]) -> dict[date, int]:
    counts: dict[date, int] = {}
    for run in runs:
        counts[run.date()] = counts.get(run.date(), 0) + 1
    return counts


@pytest.mark.parametrize(
    ("zone_name", "first_day", "utc_before", "utc_after"),
    [
        # Kyiv: spring change 2026-03-29 03:00 -> 04:00, autumn 2026-10-25 04:00 -> 03:00
        ("Europe/Kyiv", date(2026, 3, 27), "00:30", "23:30"),
        ("Europe/Kyiv", date(2026, 10, 23), "23:30", "00:30"),
        # New York: spring 2026-03-08 02:00 -> 03:00, autumn 2026-11-01 02:00 -> 01:00
        ("America/New_York", date(2026, 3, 6), "07:30", "06:30"),
        ("America/New_York", date(2026, 10, 30), "06:30", "07:30"),
    ],
)
def test_daily_0230_posts_once_per_day_across_dst(
    zone_name: str, first_day: date, utc_before: str, utc_after: str
) -> None:
    zone = ZoneInfo(zone_name)
    schedule = parse_schedule("daily 02:30", zone_name)
    start = datetime.combine(first_day, datetime.min.time(), zone)
    runs = schedule.next_runs(start, 5)
    days = [first_day + timedelta(days=i) for i in range(5)]
    assert [r.date() for r in runs] == days
    assert one_per_day(runs) == dict.fromkeys(days, 1)
    assert all(r.tzinfo is not None for r in runs)
    assert runs[0].astimezone(UTC).strftime("%H:%M") == utc_before
    assert runs[-1].astimezone(UTC).strftime("%H:%M") == utc_after
    # strictly increasing instants, at least 23 hours apart
    gaps = [b - a for a, b in pairwise(runs)]
    assert all(gap >= timedelta(hours=23) for gap in gaps)


def test_new_york_0230_on_the_spring_change_runs_at_0330_daylight_time() -> None:
    schedule = parse_schedule("daily 02:30", "America/New_York")
    runs = schedule.next_runs(datetime(2026, 3, 7, 12, tzinfo=NEW_YORK), 2)
    assert runs[0] == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    assert (runs[0].hour, runs[0].minute, runs[0].utcoffset()) == (3, 30, timedelta(hours=-4))


def test_kyiv_0330_skipped_in_spring_and_repeated_in_autumn_posts_once() -> None:
    schedule = parse_schedule("30 3 * * *", "Europe/Kyiv")
    spring = schedule.next_runs(datetime(2026, 3, 28, tzinfo=KYIV), 3)
    assert one_per_day(spring) == {date(2026, 3, d): 1 for d in (28, 29, 30)}
    assert spring[1] == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 04:30 EEST, the gap's shift
    autumn = schedule.next_runs(datetime(2026, 10, 24, tzinfo=KYIV), 3)
    assert one_per_day(autumn) == {date(2026, 10, d): 1 for d in (24, 25, 26)}
    assert autumn[1].astimezone(UTC) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )  # the first 03:30 (EEST)


def test_new_york_0130_repeated_in_autumn_posts_only_the_first() -> None:
    schedule = parse_schedule("daily 01:30", "America/New_York")
    runs = schedule.next_runs(datetime(2026, 10, 31, 12, tzinfo=NEW_YORK), 3)
    assert [r.astimezone(UTC) for r in runs] == [
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
        datetime(2026, 11, 2, 6, 30, tzinfo=UTC),
        datetime(2026, 11, 3, 6, 30, tzinfo=UTC),
    ]


def test_apscheduler_trigger_itself_skips_the_repeated_time() -> None:
    """The scheduler asks the trigger, not next_runs: the trigger must not fire twice."""
    trigger = parse_schedule("daily 01:30", "America/New_York").trigger()
    first = trigger.get_next_fire_time(None, datetime(2026, 11, 1, tzinfo=NEW_YORK))
    second = trigger.get_next_fire_time(first, first)
    assert second - first > timedelta(hours=23)


def test_every_6h_keeps_local_hours_across_dst() -> None:
    schedule = parse_schedule("every 6h", "Europe/Kyiv")
    runs = schedule.next_runs(datetime(2026, 3, 29, tzinfo=KYIV), 4)
    assert [r.hour for r in runs] == [6, 12, 18, 0]


def test_runs_between_and_last_run() -> None:
    schedule = parse_schedule("daily 08:00", "UTC")
    start = datetime(2026, 1, 1, 8, tzinfo=UTC)
    end = datetime(2026, 1, 4, 8, tzinfo=UTC)
    runs = schedule.runs_between(start, end)
    assert runs == [datetime(2026, 1, d, 8, tzinfo=UTC) for d in (2, 3, 4)]
    assert schedule.last_run_at_or_before(end - timedelta(seconds=1), start) == runs[1]
    assert schedule.last_run_at_or_before(start + timedelta(hours=1), start) is None


def test_schedule_is_frozen_and_describes_itself() -> None:
    schedule = parse_schedule("  Weekdays   07:30 ", "Europe/Kyiv")
    assert schedule.spec == "weekdays 07:30"
    assert schedule.describe() == "weekdays 07:30 (Europe/Kyiv)"
    with pytest.raises(AttributeError):
        schedule.spec = "x"  # type: ignore[misc]
