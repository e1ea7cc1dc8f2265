"""The scheduler's innermost loop (stptui.sim.clock.Scheduler._loop): what `run_until` and
`run_until_quiet` run and return, against a plain model, and the shape that lets CPython
3.11 specialise the loop on its first call."""

from __future__ import annotations

import dis

from hypothesis import given
from hypothesis import strategies as st

from stptui.sim.clock import Scheduler

# (time, background, cancelled) of each entry, scheduled in this order at clock 0.
Entries = list[tuple[int, bool, bool]]
ENTRIES = st.lists(st.tuples(st.integers(0, 50), st.booleans(), st.booleans()), max_size=30)


def _scheduler(entries: Entries) -> tuple[Scheduler, list[int]]:
    clock = Scheduler(0)
    ran: list[int] = []
    for i, (t, background, cancelled) in enumerate(entries):
        entry = clock.at(t, ran.append, i, background=background)
        if cancelled:
            clock.cancel(entry)
    return clock, ran


def _live(entries: Entries) -> list[tuple[int, int, bool]]:
    """The entries that are not cancelled, in the order they run: time, then scheduling."""
    return sorted((t, i, bg) for i, (t, bg, cancelled) in enumerate(entries) if not cancelled)


@given(ENTRIES, st.integers(0, 60))
def test_run_until_runs_every_live_entry_due_in_order_then_sets_the_clock(
    entries: Entries, limit: int
) -> None:
    clock, ran = _scheduler(entries)
    assert clock.run_until(limit) is True
    assert ran == [i for t, i, _ in _live(entries) if t <= limit]
    assert clock.now == limit
    assert clock.events_run == len(ran)


@given(ENTRIES, st.integers(0, 60))
def test_run_until_quiet_stops_when_only_background_entries_remain(
    entries: Entries, limit: int
) -> None:
    clock, ran = _scheduler(entries)
    live = _live(entries)
    expected: list[int] = []
    foreground = sum(1 for _, _, bg in live if not bg)
    quiet = foreground == 0
    for t, i, bg in live:
        if quiet or t > limit:
            break
        expected.append(i)
        foreground -= not bg
        quiet = foreground == 0
    assert clock.run_until_quiet(limit) is quiet
    assert ran == expected
    # Gone quiet, the clock stays at the last entry run (at the start if none ran); else it
    # reaches the limit.
    if not quiet:
        assert clock.now == limit
    else:
        assert clock.now == (live[len(expected) - 1][0] if expected else 0)


@given(ENTRIES, st.lists(st.integers(0, 60), max_size=5))
def test_runs_in_slices_run_what_one_run_does_and_leave_the_rest_waiting(
    entries: Entries, limits: list[int]
) -> None:
    # Each run takes the next entry off the heap before it looks at its time, and puts back
    # the first one due after its limit: the later runs still take it, in the same order.
    clock, ran = _scheduler(entries)
    live = _live(entries)
    for limit in sorted(limits):
        clock.run_until(limit)
        assert ran == [i for t, i, _ in live if t <= limit]
        assert clock.pending() == sum(1 for t, _, _ in live if t > limit)
        assert clock.now == limit
    clock.run_until(60)
    assert ran == [i for _, i, _ in live]


@given(ENTRIES, st.integers(0, 60), st.integers(0, 60))
def test_going_quiet_counts_what_peeks_and_earlier_runs_dropped(
    entries: Entries, first: int, limit: int
) -> None:
    # The scheduler counts cancelled and background entries still in its heap (the rest
    # keeps `run_until_quiet` going); peeking and running drop cancelled ones from the heap.
    clock, ran = _scheduler(entries)
    live = _live(entries)
    assert clock.peek() == (live[0][0] if live else None)
    clock.run_until(first)
    done = len(ran)
    left = live[done:]
    foreground = sum(1 for _, _, bg in left if not bg)
    expected = []
    for t, i, bg in left:
        if foreground == 0 or t > max(first, limit):
            break
        expected.append(i)
        foreground -= not bg
    assert clock.run_until_quiet(max(first, limit)) is (foreground == 0)
    assert ran[done:] == expected


def test_the_loop_jumps_back_unconditionally_so_python_3_11_specialises_it_at_once() -> None:
    # CPython 3.11 warms a function up on calls and on JUMP_BACKWARD, not on a conditional
    # jump back (`while TEST:`); the loop runs once per command, so it must jump back
    # unconditionally or a whole `advance` runs unspecialised.
    names = {ins.opname for ins in dis.get_instructions(Scheduler._loop)}
    assert "JUMP_BACKWARD" in names
    assert not {n for n in names if n.startswith("POP_JUMP_BACKWARD")}
