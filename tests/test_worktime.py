"""Time limits in working hours/days on the Chinese statutory calendar (chinese-calendar)."""
from __future__ import annotations

import datetime as dt

from geo import worktime
from geo.worktime import TZ


def at(*args):
    return dt.datetime(*args, tzinfo=TZ)


def test_working_hours_within_a_day_and_across_lunch():
    assert worktime.due_at(at(2026, 11, 24, 9, 0), 2, "work_hours") == at(2026, 11, 24, 11, 0)
    # 11:00 + 2 h: one hour before lunch, one after 13:30.
    assert worktime.due_at(at(2026, 11, 24, 11, 0), 2, "work_hours") == at(2026, 11, 24, 14, 30)


def test_reported_at_night_starts_next_morning():
    assert worktime.due_at(at(2026, 11, 24, 22, 0), 1, "work_hours") == at(2026, 11, 25, 9, 30)


def test_weekend_is_skipped():
    # Friday 17:00 + 1 working hour -> Monday 09:00.
    assert worktime.due_at(at(2026, 11, 27, 17, 0), 1, "work_hours") == at(2026, 11, 30, 9, 0)


def test_statutory_holiday_and_swapped_saturday():
    # National Day 2026: 1-7 October off; Saturday 10 October is a working day (调休).
    assert not worktime.is_workday(dt.date(2026, 10, 5))
    assert worktime.is_workday(dt.date(2026, 10, 10))
    # Wednesday 30 September 16:00 + 1 working day -> Thursday 8 October 16:00.
    assert worktime.due_at(at(2026, 9, 30, 16, 0), 1, "work_days") == at(2026, 10, 8, 16, 0)
    # Friday 9 October 16:00 + 1 working day -> the swapped Saturday 10 October, 16:00.
    assert worktime.due_at(at(2026, 10, 9, 16, 0), 1, "work_days") == at(2026, 10, 10, 16, 0)


def test_urgency_shortens_the_limit():
    start = at(2026, 11, 24, 9, 0)
    normal = worktime.due_at(start, 8, "work_hours", priority=3)
    urgent = worktime.due_at(start, 8, "work_hours", priority=2)
    critical = worktime.due_at(start, 8, "work_hours", priority=1)
    assert critical < urgent < normal
    assert worktime.work_minutes_between(start, critical) == 120


def test_work_minutes_between_counts_office_time_only():
    assert worktime.work_minutes_between(at(2026, 11, 27, 17, 0), at(2026, 11, 30, 9, 0)) == 60
    assert worktime.work_minutes_between(at(2026, 11, 30, 9, 0), at(2026, 11, 27, 17, 0)) == -60


def test_an_emergency_limit_is_told_in_clock_hours_and_an_ordinary_one_in_working_time():
    """特急 runs round the clock: a drill reported on a Saturday night has hours left, not 0.0 工作小时."""
    import datetime as dt

    from geo import events, worktime
    now = dt.datetime(2026, 12, 5, 23, 0, tzinfo=worktime.TZ)                 # a Saturday night
    due = now + dt.timedelta(hours=20)
    assert events.limit_state({"closed_at": None, "due_at": due, "priority": 1}, now).label() == "剩余 20.0 小时"
    assert events.limit_state({"closed_at": None, "due_at": due, "priority": 3}, now).label() == "剩余 0.0 工作小时"
    late = events.limit_state({"closed_at": None, "due_at": now - dt.timedelta(hours=3), "priority": 1}, now)
    assert late.overdue and late.label() == "已超期 3.0 小时"
