"""JY_RUN_SLOTS: at most N page runs of one dashboard process at once; the rest wait their turn, a
stuck run does not stop the others for longer than SLOT_WAIT_S, and 0 turns the limit off.
(Whether it makes a server faster is bench/load.py's business, not a test's.)"""
from __future__ import annotations

import threading

import pytest

from dashboard.ui import profile


def _concurrency(n_threads: int, hold: threading.Event | None = None) -> tuple[int, int]:
    """Start n_threads "runs" that each sit in run_slot until released; the most inside at once and
    how many ran in all."""
    inside, most, ran = 0, 0, 0
    lock = threading.Lock()
    go = hold or threading.Event()

    def run():
        nonlocal inside, most, ran
        with profile.run_slot():
            with lock:
                inside += 1
                most = max(most, inside)
            go.wait(5)
            with lock:
                inside -= 1
                ran += 1

    threads = [threading.Thread(target=run) for _ in range(n_threads)]
    for t in threads:
        t.start()
    if hold is None:
        # let every thread reach the slot, then release them all
        threading.Event().wait(0.3)
        go.set()
    for t in threads:
        t.join(30)
    return most, ran


def test_at_most_the_slots_run_at_once(monkeypatch):
    monkeypatch.setenv("JY_RUN_SLOTS", "2")
    most, ran = _concurrency(12)
    assert ran == 12, "every run went ahead in its turn"
    assert most == 2, f"{most} runs were inside at once with 2 slots"


def test_zero_means_no_limit(monkeypatch):
    monkeypatch.setenv("JY_RUN_SLOTS", "0")
    most, ran = _concurrency(6)
    assert ran == 6 and most == 6


def test_a_stuck_run_does_not_stop_the_others(monkeypatch):
    """Both slots held by runs that never end (a long import): a new run waits SLOT_WAIT_S, then goes."""
    monkeypatch.setenv("JY_RUN_SLOTS", "2")
    monkeypatch.setattr(profile, "SLOT_WAIT_S", 0.2)
    stuck = threading.Event()
    holders = [threading.Thread(target=_concurrency, args=(1, stuck)) for _ in range(2)]
    for t in holders:
        t.start()
    threading.Event().wait(0.2)
    done = threading.Event()

    def late():
        with profile.run_slot():
            done.set()
    t = threading.Thread(target=late)
    t.start()
    t.join(10)
    assert done.is_set(), "a run behind two stuck ones never started"
    stuck.set()
    for h in holders:
        h.join(10)
    # the late run did not give back a slot it never got: the semaphore is whole again
    monkeypatch.setattr(profile, "SLOT_WAIT_S", 20.0)
    most, ran = _concurrency(5)
    assert (most, ran) == (2, 5)


def test_a_bad_value_is_one_clear_message(monkeypatch):
    monkeypatch.setenv("JY_RUN_SLOTS", "two")
    from geo.settings import BadSetting
    with pytest.raises(BadSetting, match="JY_RUN_SLOTS"):
        with profile.run_slot():
            pass
