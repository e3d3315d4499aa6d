"""The arXiv announcement calendar: weekdays, windows, holidays, DST, mailing dates and the golden days."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from digest.core.calendar import (
    ARXIV_TIMEZONE,
    announcement_days,
    announcement_in_force,
    cutoff,
    has_announcement,
    latest_announcement,
    load_holidays,
    mailing_date,
    not_yet_announced,
    parse_holidays,
    previous_announcement,
    submission_window,
)
from digest.core.config import Settings
from digest.core.errors import InputError

EASTERN = ZoneInfo("America/New_York")
GOLDEN = Path(__file__).parent.parent / "fixtures" / "golden"
HOLIDAYS = load_holidays()


def announcement_holding(moment: datetime) -> date:
    """The one announcement whose submission window holds `moment` (held papers come out later)."""
    days = [moment.astimezone(ARXIV_TIMEZONE).date() + timedelta(days=n) for n in range(32)]
    holding = [
        day
        for day in days
        if has_announcement(day, HOLIDAYS)
        and submission_window(day, HOLIDAYS)[0] <= moment < submission_window(day, HOLIDAYS)[1]
    ]
    assert len(holding) == 1, holding
    return holding[0]


NO_HOLIDAYS: frozenset[date] = frozenset()


def eastern(year: int, month: int, day: int, hour: int = 14, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=EASTERN).astimezone(UTC)


# One ordinary week: Sunday 2025-10-05 to Saturday 2025-10-11.
WEEK = [
    (date(2025, 10, 5), True, date(2025, 10, 5)),  # Sunday
    (date(2025, 10, 6), True, date(2025, 10, 6)),  # Monday
    (date(2025, 10, 7), True, date(2025, 10, 7)),  # Tuesday
    (date(2025, 10, 8), True, date(2025, 10, 8)),  # Wednesday
    (date(2025, 10, 9), True, date(2025, 10, 9)),  # Thursday
    (date(2025, 10, 10), False, date(2025, 10, 9)),  # Friday
    (date(2025, 10, 11), False, date(2025, 10, 9)),  # Saturday
]
WEEKDAY_NAMES = [f"{day:%a}" for day, _, _ in WEEK]


@pytest.mark.parametrize(("day", "announces", "_in_force"), WEEK, ids=WEEKDAY_NAMES)
def test_arxiv_announces_sunday_to_thursday_only(day: date, announces: bool, _in_force: date) -> None:
    assert has_announcement(day, NO_HOLIDAYS) is announces


@pytest.mark.parametrize(("day", "_announces", "in_force"), WEEK, ids=WEEKDAY_NAMES)
def test_each_weekday_shows_its_own_batch_or_the_previous_one(day: date, _announces: bool, in_force: date) -> None:
    assert announcement_in_force(day, NO_HOLIDAYS) == in_force


def test_friday_and_saturday_fall_back_to_thursday() -> None:
    assert announcement_in_force(date(2025, 10, 10), HOLIDAYS) == date(2025, 10, 9)
    assert announcement_in_force(date(2025, 10, 11), HOLIDAYS) == date(2025, 10, 9)


@pytest.mark.parametrize("announcement", [date(2025, 10, 7), date(2025, 10, 8), date(2025, 10, 9)])
def test_tuesday_to_thursday_window_is_the_24_hours_before_the_2pm_cutoff(announcement: date) -> None:
    before = announcement - timedelta(days=1)
    assert submission_window(announcement, HOLIDAYS) == (
        eastern(before.year, before.month, before.day),
        eastern(announcement.year, announcement.month, announcement.day),
    )


def test_sunday_window_is_thursday_to_friday_2pm() -> None:
    assert submission_window(date(2025, 10, 5), HOLIDAYS) == (eastern(2025, 10, 2), eastern(2025, 10, 3))


def test_monday_window_is_friday_to_monday_2pm() -> None:
    assert submission_window(date(2025, 10, 6), HOLIDAYS) == (eastern(2025, 10, 3), eastern(2025, 10, 6))


def test_thanksgiving_skips_thursday_and_sunday_takes_wednesday_to_friday() -> None:
    thanksgiving = date(2025, 11, 27)
    assert not has_announcement(thanksgiving, HOLIDAYS)
    assert announcement_in_force(thanksgiving, HOLIDAYS) == date(2025, 11, 26)
    assert announcement_in_force(date(2025, 11, 29), HOLIDAYS) == date(2025, 11, 26)
    assert previous_announcement(date(2025, 11, 30), HOLIDAYS) == date(2025, 11, 26)
    assert submission_window(date(2025, 11, 30), HOLIDAYS) == (eastern(2025, 11, 26), eastern(2025, 11, 28))


def test_a_skipped_sunday_gives_monday_thursday_to_monday() -> None:
    assert not has_announcement(date(2025, 7, 6), HOLIDAYS)
    assert submission_window(date(2025, 7, 7), HOLIDAYS) == (eastern(2025, 7, 3), eastern(2025, 7, 7))


def test_a_skipped_monday_gives_tuesday_friday_to_tuesday() -> None:
    assert submission_window(date(2025, 1, 21), HOLIDAYS) == (eastern(2025, 1, 17), eastern(2025, 1, 21))


def test_extra_holidays_from_the_config_skip_the_announcement() -> None:
    holidays = load_holidays([date(2025, 10, 13)])
    assert not has_announcement(date(2025, 10, 13), holidays)
    assert announcement_in_force(date(2025, 10, 13), holidays) == date(2025, 10, 12)
    assert submission_window(date(2025, 10, 14), holidays) == (eastern(2025, 10, 10), eastern(2025, 10, 14))


def test_a_friday_holiday_in_the_config_is_rejected_with_the_convention() -> None:
    with pytest.raises(ValidationError, match=r"holidays\n.*2026-06-19 is a Friday.*Sunday to Thursday"):
        Settings(holidays=[date(2026, 6, 19)])


def test_packaged_holidays_are_all_announcement_evenings() -> None:
    assert {date(2025, 11, 27), date(2025, 7, 6), date(2024, 12, 25), date(2026, 11, 26)} <= HOLIDAYS
    assert all(day.weekday() not in (4, 5) for day in HOLIDAYS)


def test_a_malformed_holiday_line_names_the_source_and_line() -> None:
    with pytest.raises(InputError, match=r"extra\.txt, line 2: '2025-13-01' is not an ISO date"):
        parse_holidays("# comment\n2025-13-01\n", "extra.txt")


def test_holiday_file_comments_and_blank_lines_are_ignored() -> None:
    assert parse_holidays("# header\n\n2025-11-27  # Thanksgiving\n", "x") == {date(2025, 11, 27)}


def test_cutoff_is_in_eastern_standard_time_before_the_march_change() -> None:
    assert cutoff(date(2025, 3, 6)) == datetime(2025, 3, 6, 19, 0, tzinfo=UTC)


def test_cutoff_is_in_eastern_daylight_time_after_the_march_change() -> None:
    assert cutoff(date(2025, 3, 10)) == datetime(2025, 3, 10, 18, 0, tzinfo=UTC)
    start, end = submission_window(date(2025, 3, 10), HOLIDAYS)
    assert end - start == timedelta(hours=71)


def test_cutoff_is_in_eastern_daylight_time_before_the_november_change() -> None:
    assert cutoff(date(2025, 10, 30)) == datetime(2025, 10, 30, 18, 0, tzinfo=UTC)


def test_cutoff_is_in_eastern_standard_time_after_the_november_change() -> None:
    assert cutoff(date(2025, 11, 3)) == datetime(2025, 11, 3, 19, 0, tzinfo=UTC)
    start, end = submission_window(date(2025, 11, 3), HOLIDAYS)
    assert end - start == timedelta(hours=73)


def test_cutoffs_are_utc_and_at_2pm_eastern() -> None:
    for announcement in announcement_days(date(2024, 1, 1), date(2026, 12, 31), HOLIDAYS):
        moment = cutoff(announcement)
        assert moment.tzinfo is UTC
        assert moment.astimezone(EASTERN).time().hour == 14


def test_windows_of_consecutive_announcements_tile_with_no_gap_or_overlap() -> None:
    announcements = announcement_days(date(2024, 1, 1), date(2026, 12, 31), HOLIDAYS)
    windows = [submission_window(announcement, HOLIDAYS) for announcement in announcements]
    for (_, end), (next_start, next_end) in itertools.pairwise(windows):
        assert next_start == end
        assert next_start < next_end
    total = sum((end - start for start, end in windows), timedelta())
    assert total == windows[-1][1] - windows[0][0]


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (eastern(2025, 10, 9, 13, 59), date(2025, 10, 9)),  # Thursday before the cutoff
        (eastern(2025, 10, 9, 14, 0), date(2025, 10, 12)),  # Thursday at the cutoff: Sunday
        (eastern(2025, 10, 10, 13, 59), date(2025, 10, 12)),  # Friday morning: Sunday
        (eastern(2025, 10, 10, 14, 0), date(2025, 10, 13)),  # Friday afternoon: Monday
        (eastern(2025, 10, 12, 21, 0), date(2025, 10, 13)),  # Sunday night: Monday
        (eastern(2025, 11, 27, 10, 0), date(2025, 11, 30)),  # Thanksgiving morning: Sunday
    ],
    ids=["thu-1359", "thu-1400", "fri-1359", "fri-1400", "sun-2100", "thanksgiving"],
)
def test_a_submission_time_falls_in_one_announcement(moment: datetime, expected: date) -> None:
    assert announcement_holding(moment) == expected


def test_every_window_edge_maps_back_to_its_announcement() -> None:
    tick = timedelta(microseconds=1)
    for announcement in announcement_days(date(2025, 1, 1), date(2025, 12, 31), HOLIDAYS):
        start, end = submission_window(announcement, HOLIDAYS)
        assert announcement_holding(start) == announcement
        assert announcement_holding(end - tick) == announcement


def test_announcement_days_lists_only_announcement_evenings_inclusive() -> None:
    assert announcement_days(date(2025, 11, 23), date(2025, 11, 30), HOLIDAYS) == [
        date(2025, 11, 23),
        date(2025, 11, 24),
        date(2025, 11, 25),
        date(2025, 11, 26),
        date(2025, 11, 30),
    ]


def test_an_inverted_range_is_an_input_error() -> None:
    with pytest.raises(InputError, match="starts"):
        announcement_days(date(2025, 12, 2), date(2025, 12, 1), HOLIDAYS)


def test_every_golden_day_maps_to_its_announcement() -> None:
    expected = {
        date(2025, 10, 4): date(2025, 10, 2),  # Saturday: Thursday's batch again
        date(2025, 12, 13): date(2025, 12, 11),  # Saturday: Thursday's batch again
    }
    days = sorted(date.fromisoformat(path.name) for path in GOLDEN.iterdir() if path.is_dir())
    assert len(days) == 12
    for day in days:
        assert announcement_in_force(day, HOLIDAYS) == expected.get(day, day), day
        assert has_announcement(day, HOLIDAYS) is (day not in expected), day


def test_mailing_date_is_the_day_after_the_announcement_and_inverts() -> None:
    assert mailing_date(date(2025, 10, 5)) == date(2025, 10, 6)
    assert mailing_date(date(2025, 10, 9)) == date(2025, 10, 10)
    announcements = announcement_days(date(2025, 1, 1), date(2025, 12, 31), HOLIDAYS)
    assert len({mailing_date(announcement) for announcement in announcements}) == len(announcements)


def test_there_is_no_mailing_dated_saturday_or_sunday() -> None:
    for announcement in announcement_days(date(2025, 1, 1), date(2025, 12, 31), HOLIDAYS):
        assert mailing_date(announcement).weekday() not in (5, 6)
    with pytest.raises(InputError, match="Friday"):
        mailing_date(date(2025, 10, 10))


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (eastern(2025, 10, 2, 20, 30), date(2025, 10, 1)),  # Thu evening: announced, but the feed is still Wednesday's
        (eastern(2025, 10, 2, 23, 59), date(2025, 10, 1)),
        (eastern(2025, 10, 3, 0, 0), date(2025, 10, 2)),  # midnight ET: Friday's mailing, Thursday's batch
        (eastern(2025, 10, 4, 12, 0), date(2025, 10, 2)),  # Saturday
        (eastern(2025, 10, 5, 23, 59), date(2025, 10, 2)),  # Sunday night, before midnight
        (eastern(2025, 10, 6, 0, 0), date(2025, 10, 5)),  # Monday's mailing is Sunday's batch
        (eastern(2025, 10, 7, 0, 1), date(2025, 10, 6)),
    ],
    ids=["thu-2030", "thu-2359", "fri-0000", "sat-noon", "sun-2359", "mon-0000", "tue-0001"],
)
def test_latest_announcement_switches_at_midnight_eastern(now: datetime, expected: date) -> None:
    assert latest_announcement(now, HOLIDAYS) == expected


def test_latest_announcement_reads_any_timezone() -> None:
    assert latest_announcement(datetime(2025, 10, 3, 3, 59, tzinfo=UTC), HOLIDAYS) == date(2025, 10, 1)
    assert latest_announcement(datetime(2025, 10, 3, 4, 0, tzinfo=UTC), HOLIDAYS) == date(2025, 10, 2)


def test_latest_announcement_skips_holidays() -> None:
    assert latest_announcement(eastern(2025, 11, 28, 9, 0), HOLIDAYS) == date(2025, 11, 26)


def test_a_naive_now_is_an_input_error() -> None:
    with pytest.raises(InputError, match="timezone-aware"):
        latest_announcement(datetime(2025, 10, 3, 12, 0), HOLIDAYS)


def test_a_datetime_where_a_date_is_expected_is_an_input_error() -> None:
    with pytest.raises(InputError, match="must be a date"):
        has_announcement(datetime(2025, 10, 3, 12, 0, tzinfo=UTC), HOLIDAYS)


def test_a_day_without_announcement_has_no_window() -> None:
    with pytest.raises(InputError, match=r"2025-11-27 \(Thursday\) has no arXiv announcement"):
        submission_window(date(2025, 11, 27), HOLIDAYS)
    with pytest.raises(InputError, match="Friday"):
        cutoff(date(2025, 10, 10))


def test_an_endless_holiday_run_is_an_input_error() -> None:
    every_day = {date(2025, 1, 1) + timedelta(days=offset) for offset in range(60)}
    with pytest.raises(InputError, match="no arXiv announcement"):
        announcement_in_force(date(2025, 2, 15), every_day)


NOW = datetime(2025, 10, 14, 15, 0, tzinfo=UTC)  # 11:00 in New York, Tuesday


def test_a_date_weeks_ahead_is_not_announced_yet() -> None:
    assert not_yet_announced(date(2025, 12, 1), NOW, HOLIDAYS) == (
        "arXiv has not announced the batch for 2025-12-01 yet "
        "(it is announced at 20:00 US Eastern on Monday 2025-12-01)"
    )


def test_todays_batch_is_not_announced_before_8pm_eastern() -> None:
    assert not_yet_announced(date(2025, 10, 14), NOW, HOLIDAYS) is not None
    assert not_yet_announced(date(2025, 10, 14), datetime(2025, 10, 15, 0, 0, tzinfo=UTC), HOLIDAYS) is None


def test_a_friday_waits_for_the_thursday_batch_it_reprints() -> None:
    assert "on Thursday 2025-10-16)" in (not_yet_announced(date(2025, 10, 17), NOW, HOLIDAYS) or "")
    assert not_yet_announced(date(2025, 10, 17), datetime(2025, 10, 17, 0, 30, tzinfo=UTC), HOLIDAYS) is None


def test_yesterdays_batch_is_announced() -> None:
    assert not_yet_announced(date(2025, 10, 13), NOW, HOLIDAYS) is None


def test_a_date_before_arxiv_has_no_batch() -> None:
    assert not_yet_announced(date(1990, 1, 1), NOW, HOLIDAYS) == (
        "arXiv has no batch for 1990-01-01: its first announcement was 1991-08-14"
    )
