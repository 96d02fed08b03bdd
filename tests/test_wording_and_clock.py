"""Numbers in words and times in the member's own zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from smartplex.services import clock, wording

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)  # a Monday
BERLIN = clock.zone("Europe/Berlin")  # UTC+2 in June


@pytest.mark.parametrize(("count", "words"), [(0, "never"), (1, "once"), (2, "twice"), (3, "3 times"), (1200, "1,200 times")])
def test_times_reads_as_people_write_it(count: int, words: str) -> None:
    assert wording.times(count) == words


def test_plurals_and_runtimes() -> None:
    assert [wording.plural(n, "play") for n in (0, 1, 2)] == ["0 plays", "1 play", "2 plays"]
    assert wording.plural(1, "person", "people") == "1 person" and wording.plural(3, "person", "people") == "3 people"
    assert [wording.runtime(m) for m in (None, 0, -5, 45, 60, 112)] == ["", "", "", "45 min", "1 h", "1 h 52 min"]


def test_readable_dates_are_local() -> None:
    assert clock.readable(NOW - timedelta(hours=1), BERLIN, NOW) == "Today, 13:00"
    assert clock.readable(datetime(2026, 6, 14, 21, 30, tzinfo=UTC), BERLIN, NOW) == "Yesterday, 23:30"
    # 22:30 UTC on Sunday is already Monday in Berlin: today, not yesterday.
    assert clock.readable(datetime(2026, 6, 14, 22, 30, tzinfo=UTC), BERLIN, NOW) == "Today, 00:30"
    assert clock.readable(datetime(2026, 3, 3, 20, 0, tzinfo=UTC), BERLIN, NOW) == "Tue 3 Mar, 21:00"  # CET in March
    assert clock.readable(datetime(2024, 3, 3, 20, 0, tzinfo=UTC), BERLIN, NOW) == "3 Mar 2024"


def test_ago_and_when_phrases() -> None:
    assert [clock.ago(NOW - d, BERLIN, NOW) for d in (timedelta(seconds=20), timedelta(minutes=1), timedelta(minutes=5))] == [
        "just now", "a minute ago", "5 minutes ago"
    ]  # fmt: skip
    assert clock.ago(NOW - timedelta(hours=3), BERLIN, NOW) == "3 hours ago"
    assert clock.ago(NOW - timedelta(days=1), BERLIN, NOW) == "yesterday"
    assert clock.ago(NOW - timedelta(days=4), BERLIN, NOW) == "4 days ago"
    assert clock.ago(datetime(2026, 3, 3, 20, 0, tzinfo=UTC), BERLIN, NOW) == "3 Mar"
    assert clock.when_phrase(datetime(2026, 3, 3, tzinfo=UTC), BERLIN, NOW) == "in March"
    assert clock.when_phrase(datetime(2025, 3, 3, tzinfo=UTC), BERLIN, NOW) == "in March 2025"
    assert clock.when_phrase(NOW - timedelta(days=3), BERLIN, NOW) == "on Friday"


def test_days_and_weeks_start_at_local_midnight() -> None:
    assert clock.day_start(date(2026, 6, 15), BERLIN) == datetime(2026, 6, 14, 22, 0, tzinfo=UTC)
    assert clock.week_start(NOW, BERLIN) == datetime(2026, 6, 14, 22, 0, tzinfo=UTC)
    assert clock.week_start(NOW, clock.zone("Pacific/Kiritimati")) == datetime(2026, 6, 14, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("bad", ["", None, "Mars/Olympus", "../../etc/passwd", "Europe/Berlin\x00", "UTC" * 30, 42, "posix/Europe/Berlin"])
def test_unknown_zones_are_refused_and_read_as_utc(bad: object) -> None:
    with pytest.raises(clock.ZoneError):
        clock.check_zone(bad)


def test_a_stored_zone_that_is_no_longer_known_reads_as_utc() -> None:
    assert clock.zone(None) is UTC and clock.zone("") is UTC and clock.zone("Mars/Olympus") is UTC
    assert clock.zone("../../etc/passwd") is UTC


def test_zone_names_are_the_picker_list() -> None:
    names = clock.zone_names()
    assert names[0] == "UTC" and "Europe/Berlin" in names and "America/Argentina/Buenos_Aires" in names
    assert not any(n.startswith(("posix/", "right/", "Etc/")) for n in names)
    assert clock.check_zone(" Asia/Tokyo ") == "Asia/Tokyo"
