"""Terminal UI responsiveness, measured with Textual's Pilot in one run.

1. Key press latency: the job-queue stack with 100,000 messages queued and 100,000 trace
   records in the app; each measured key press is handled and the screen repainted
   (`pilot.press` returns once the app is idle again). Target: every key under 100 ms.
   For context, the same keys on an app with one Static: Pilot's own floor (after a key
   it waits, twice, for a 20 ms sleep during which the app stays idle). Pilot's wait counts
   in those 20 ms sleeps (the app is idle once one of them took it under 1 ms of CPU), so
   a key's wall-clock time moves in steps of 20 ms; the CPU time the process spent on each
   key (its median, beside) is the finer figure, and the steadier one on a shared machine.
2. Live throughput: trace records per second while the app runs the clock at full speed
   (frames, batching and pane updates included), against the headless simulator on the same
   workload in the same process: the records the bare simulator writes in `--seconds`,
   the same ones on both sides. Target: a ratio of at least 0.5. The runs alternate,
   as many of each, and the best of each side counts (a moment of load from other
   processes must flatter neither side). Both run with the app's garbage-collector settings
   (the loaded session frozen out of the cyclic collector, the youngest generation
   collected every GC_THRESHOLD allocations: `StptuiApp._load`), so that the ratio is the
   UI's cost and not a difference in garbage collection.
3. A focus change in the HTTP dialog with a body of one 1 MB line (a minified JSON),
   against the same with a 1 KB body: the focus goes from the body to the headers and
   back, with the body's cursor at its end (where a paste leaves it). Textual drew each
   row of a wrapped line by cutting the whole line into rows (a quarter of a second per
   focus change at 1 MB); `stptui.tui.widgets.fields.SafeTextArea` cuts only the row
   drawn. Target: a ratio of at most 3. What is left grows with the line, at C speed or
   nearly: rich copies and scans the line for control codes once or twice per row drawn,
   and Textual counts the tabs of the rows above the one drawn (a loop over them).
4. Typing into that body: keys typed at the end of the 1 MB line, against the same in a
   1 KB body (each key handled and the screen repainted). Textual worked out the wrapping
   of the whole line again on every key and mapped the cursor through the line cut into
   all its rows (0.4-1.6 s a key); a field with a line over
   `stptui.tui.widgets.fields.LONG_LINE` characters is not wrapped. Target: a ratio of at
   most 5. What is left grows with the line at C speed: Textual scans the line for tabs
   three times a key and measures its cells for the scrollable width.
5. Opening a dialog: DIALOG_KEYS (send, publish, upload, HTTP, behaviour) on the combined
   sample stack, each opened and closed with escape DIALOG_ROUNDS times, at 120x36. What a
   user waits for is the screen: the app writes to a `TerminalSink`, a headless driver that
   takes what Textual writes to a terminal (headless, Textual renders no frame to escape
   sequences; here it does, as for a real one, in truecolor), and a `Terminal` replays it
   cell by cell. An opening ends with the last write that changed a cell (the dialog drawn
   whole, its first field focused); a closing, likewise. Target: opening under 100 ms
   (median). Beside it: the first write that changed a cell (the dialog's first frame) and
   how many openings changed cells after it, the writes, the CPU to the last change, and
   Pilot's figure, which this item used to print: `pilot.press` returns once the app has
   slept 20 ms without working after the last frame, twice, which the screen does not show
   (40-80 ms an opening, counted as the dialog's). Inside each dialog opened, DIALOG_TABS
   tab presses, measured the same way, with what each wrote to the terminal, and their CPU
   against a key's on the bare app of item 1 (Pilot's floor) as a ratio: a tab repaints
   the field the focus leaves and the one it enters, not the whole screen (see
   `stptui.tui.screens.modal`). Target: under 100 ms, as a key.
6. The metrics view (`M`) on the app of item 1, its figures not cached: while its worker
   thread replays the trace (`show metrics`), the longest the UI's loop goes without
   running a 5 ms ticker. `pilot.press` cannot measure this key: it waits until the
   process's CPU is idle, the worker's included. Target: under 100 ms, as a key.
7. The Queues pane's message list on the app of item 1: MESSAGE_KEYS pressed in the list
   of the queue of 100,000 messages (`2`, then tab), which lists its first
   `queues_pane.MAX_MESSAGE_ROWS` and moves its cursor over them. Target: every key under
   100 ms, as in item 1.

8. A long trace: the app opened on `--long` records (a million; the trace's ring made to
   keep them all). (a) The trace's index, which `show message` and `explain` read (enter
   and `e` in the panes): the app brings it up to date in steps between frames while the
   clock stands (`StptuiApp._warm_index`); the longest the UI's loop goes without running a
   5 ms ticker meanwhile, how long it takes, and what the first `show message` and
   `explain` then cost (before, the first look after a long run indexed it all at once:
   1-4 s and 4-9 s at a million records). (b) The Events pane's filter (`/`,
   a bare word, the start of a message id, enter) on those records: the longest gap of the
   ticker from enter until its search has looked at every record, against one pass of
   `matches` over the ring (what setting a filter cost the UI's loop before its search went
   in steps). Target: both stalls under 100 ms, as a key.

9. The launch: what a user waits for at `stptui STACK`, in the process (the imports apart,
   which `bench_startup.py` times): the combined sample stack opened (`Session.open`) and
   the app run at 120x36, writing to a `TerminalSink` replayed on a `Terminal` as in item 5,
   until the last write that changed a cell (the screen drawn complete); LAUNCH_ROUNDS
   launches after a warm-up one, the best and the median. Beside it: the stack's opening,
   the first write that changed a cell, the process's CPU to the last, the main screen's
   layouts, the writes (frames) and those that changed cells. The main screen holds its
   paints until the launch has settled (`stptui.tui.app.MainScreen`): the launch drew 5-9
   frames, the first with an empty Graph pane and no footer. Target: the screen complete
   under 500 ms (median), in one frame.

Run: `.venv/bin/python benchmarks/bench_tui.py` (add `--messages N` for a smaller run,
`--long N` for a shorter long trace, `--launch` for item 9 alone).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import re
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from functools import partial
from itertools import pairwise
from pathlib import Path
from typing import ClassVar, NamedTuple

from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.drivers.headless_driver import HeadlessDriver
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Static, TextArea

from stptui.commands import Session, execute
from stptui.sim.clock import parse_instant
from stptui.tui.app import GC_THRESHOLD, MainScreen, StptuiApp
from stptui.tui.live import SPEEDS

STACK = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks" / "job-queue"
COMBINED = STACK.parent / "combined"
START = parse_instant("2026-01-05T08:00:00Z")
# Further than any throughput run gets: the runs stop on their own condition.
HORIZON_MS = 365 * 24 * 3600 * 1000
KEYS = ("down", "down", "up", "2", "down", "up", "3", "up", "up", "end", "1", "down", "4", "5")


def loaded_session(messages: int, records: int) -> Session:
    """The job-queue stack with `messages` queued and at least `records` trace records."""
    s = Session.open(STACK, start_ms=START)
    sim = s.sim
    # Sent straight to the simulator: building 100,000 command lines would measure the
    # parser, not the UI.
    for i in range(records):
        sim.send("deadLetterQueue", f'{{"orderId": {i}}}')
    for i in range(messages):
        sim.send("jobQueue", f'{{"orderId": {i}, "amount": {i % 2000}}}')
    return s


class BareApp(App[None]):
    """One Static: what a key press costs Pilot and Textual alone."""

    def compose(self) -> ComposeResult:
        yield Static("bare")


async def key_latency(
    app: App[None], first: str | None = None, cpu: list[float] | None = None
) -> list[float]:
    """Milliseconds per key of KEYS (handled and repainted), after pressing `first`; the
    process's CPU milliseconds per key are appended to `cpu`, if given."""
    times: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        if first is not None:
            await pilot.press(first)
        for key in KEYS:
            t0, c0 = time.perf_counter(), time.process_time()
            await pilot.press(key)
            times.append((time.perf_counter() - t0) * 1000)
            if cpu is not None:
                cpu.append((time.process_time() - c0) * 1000)
    return times


MESSAGE_KEYS = ("down", "down", "pagedown", "end", "up", "pageup", "home", "down")


async def message_list_latency(app: App[None], cpu: list[float]) -> list[float]:
    """Milliseconds per key of MESSAGE_KEYS in the message list of the first queue (focused
    by `2` and tab); the process's CPU milliseconds per key are appended to `cpu`."""
    times: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("2", "tab")
        if type(app.screen.focused).__name__ != "MessageList":
            raise SystemExit("2 and tab did not focus the Queues pane's message list")
        for key in MESSAGE_KEYS:
            t0, c0 = time.perf_counter(), time.process_time()
            await pilot.press(key)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
    return times


def _tick(ticks: list[float]) -> None:
    ticks.append(time.perf_counter())


async def metrics_stall(app: StptuiApp, rounds: int = 3) -> tuple[float, float]:
    """(the longest gap in ms between two ticks of the UI's loop while the metrics view's
    worker computed, the longest computation in ms), over `rounds` openings of `M`."""
    from stptui.sim import metrics
    from stptui.tui.screens.metrics_view import MetricsScreen

    worst = computed = 0.0
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        app.selected = "jobQueue"
        for _ in range(rounds):
            # Each opening replays the trace, as the first one on a long run does.
            metrics._CACHE.clear()
            ticks: list[float] = []
            timer = app.set_interval(0.005, partial(_tick, ticks))
            t0 = time.perf_counter()
            await pilot.press("M")
            await app.workers.wait_for_complete()
            timer.stop()
            screen = app.screen
            assert isinstance(screen, MetricsScreen) and screen.result is not None
            gaps = [b - a for a, b in zip([t0, *ticks], ticks, strict=False)]
            worst = max(worst, *gaps)
            computed = max(computed, screen._cost)
            await pilot.press("escape")
    return worst * 1000, computed * 1000


def long_session(records: int) -> Session:
    """The job-queue stack, its trace's ring made to keep `records` records."""
    from stptui.sim.trace import RecordRing

    s = Session.open(STACK, start_ms=START)
    trace = s.sim.trace
    trace.settle()
    trace.records = RecordRing(max(records, 200_000), trace.settle)
    return s


def run_long(app: StptuiApp, records: int) -> None:
    """`records` records into the app's simulation, handed to its panes a frame's worth at
    a time, as a long run (a fast-forward) does."""
    sim = app.session.sim
    for i in range(records):
        sim.send("deadLetterQueue", f'{{"orderId": {i}}}')
        if i % 20_000 == 0:
            sim.trace.settle()
            app.flush()
    sim.trace.settle()
    app.flush()


def _gaps(t0: float, ticks: list[float], t1: float) -> float:
    """The longest gap in ms between t0, the ticks and t1."""
    return max(b - a for a, b in pairwise([t0, *ticks, t1])) * 1000


def _steps_timed(owner: type, name: str, cpu: list[float]) -> None:
    """Time each call of `owner.name` in CPU ms of the UI's thread, into `cpu`: on a shared
    machine a step's wall-clock time counts the other processes' turns too."""
    step = getattr(owner, name)

    def timed(self: object) -> None:
        c0 = time.thread_time()
        step(self)
        cpu.append((time.thread_time() - c0) * 1000)

    setattr(owner, name, timed)


async def long_trace(records: int) -> dict[str, float]:
    """Item 8's figures, in ms: the UI's longest stall while the index warmed, how long it
    took, its longest step in CPU; the first looks after it; one pass of `matches` over the
    ring; the UI's longest stall from enter until the filter's search ended, how long that
    took, and its longest step in CPU."""
    from stptui.sim.trace_index import trace_index
    from stptui.tui.widgets.events_pane import EventsPane, matches

    warm_cpu: list[float] = []
    search_cpu: list[float] = []
    _steps_timed(StptuiApp, "_warm_index", warm_cpu)
    _steps_timed(EventsPane, "_search_more", search_cpu)
    app = StptuiApp(long_session(records))
    out: dict[str, float] = {}
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        # The run's end, as a fast-forward's last slice leaves it: the index behind.
        run_long(app, records)
        trace = app.session.sim.trace
        ticks: list[float] = []
        timer = app.set_interval(0.005, partial(_tick, ticks))
        t0 = time.perf_counter()
        index = trace_index(trace)
        while index.behind:
            await asyncio.sleep(0.02)
        t1 = time.perf_counter()
        out["warm stall"], out["warm"] = _gaps(t0, ticks, t1), (t1 - t0) * 1000
        mid = trace.records[len(trace.records) // 2].data["message_id"]
        for look in ("show message", "explain"):
            t0 = time.perf_counter()
            execute(app.session, f"{look} {mid}")
            out[look] = (time.perf_counter() - t0) * 1000
        # A bare word, which every record's fields are read for: the start of a message id.
        text = mid[:5]
        t0 = time.perf_counter()
        want = [r.seq for r in trace.records if matches(r, [text])]
        out["one pass"] = (time.perf_counter() - t0) * 1000
        pane = app.query_one(EventsPane)
        await pilot.press("3", "slash")
        app.query_one("#event-filter", Input).value = text
        ticks.clear()
        t0 = time.perf_counter()
        await pilot.press("enter")
        while pane.records.searching:
            await asyncio.sleep(0.02)
        t1 = time.perf_counter()
        timer.stop()
        out["filter stall"], out["filter"] = _gaps(t0, ticks, t1), (t1 - t0) * 1000
        out["warm step"], out["search step"] = max(warm_cpu), max(search_cpu)
        if [r.seq for r in pane.records.view] != want or not want:
            raise SystemExit("the filter's search did not find what matches finds")
    out["matches"] = len(want)
    return out


def headless_rate(messages: int, records: int) -> float:
    """Trace records per second of the bare simulator over the workload's first `records`
    records (it stops at the first check, every 256 events, past them)."""
    s = loaded_session(messages, 0)
    sim = s.sim
    # The collector as the app's load leaves it.
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    start_seq = sim.trace.seq
    target = start_seq + records
    t0 = time.perf_counter()
    sim.clock.run_until(sim.clock.now + HORIZON_MS, lambda: sim.trace.seq >= target)
    return (sim.trace.seq - start_seq) / (time.perf_counter() - t0)


async def app_rate(messages: int, records: int) -> float:
    """Trace records per second with the app mounted and running at full speed, over the
    workload's first `records` records (a few more: it is stopped once it has them)."""
    app = StptuiApp(loaded_session(messages, 0), speed_index=len(SPEEDS) - 1)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        sim = app.session.sim
        # Counted from before the key that starts the clock (Pilot's press waits for the
        # app to go idle, up to a second, and a running app never does) to after the key
        # that stops it: every record over all the time it took.
        start_seq = sim.trace.seq
        t0 = time.perf_counter()
        await pilot.press("space")
        while sim.trace.seq < start_seq + records:
            await pilot.pause(0.02)
        await pilot.press("space")
        elapsed = time.perf_counter() - t0
        return (sim.trace.seq - start_seq) / elapsed


# Any stack with a gateway opens the HTTP dialog; the bodies below are typed in, not routed.
HTTP_STACK = STACK.parent / "webhook-processor"


async def http_dialog_body(app: StptuiApp, pilot: Pilot, body_chars: int) -> TextArea:
    """Open the HTTP dialog and give it a body of one line of `body_chars` characters, with
    the cursor at its end and the focus in it; returns the body field."""
    await pilot.pause()
    await pilot.press("h")
    body = app.screen.query_one("#http-body", TextArea)
    body.load_text('{"a": "' + "x" * body_chars + '"}')
    body.move_cursor(body.document.end)
    app.screen.set_focus(body)
    await pilot.pause()
    return body


async def body_focus_times(body_chars: int, rounds: int = 5) -> list[float]:
    """Milliseconds per focus change (body to headers, or back) in the HTTP dialog with a
    body of one line of `body_chars` characters, the cursor at its end."""
    app = StptuiApp(Session.open(HTTP_STACK, start_ms=START))
    times: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot:
        body = await http_dialog_body(app, pilot, body_chars)
        headers = app.screen.query_one("#http-headers", TextArea)
        for _ in range(rounds):
            for target in (headers, body):
                t0 = time.perf_counter()
                app.screen.set_focus(target)
                await pilot.pause()
                times.append((time.perf_counter() - t0) * 1000)
    return times


TYPED = ("a", "b", "c", "backspace", "d", "e")


async def body_typing_times(body_chars: int) -> list[float]:
    """Milliseconds per key of TYPED, typed at the end of the HTTP dialog's body of one line
    of `body_chars` characters."""
    app = StptuiApp(Session.open(HTTP_STACK, start_ms=START))
    times: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot:
        await http_dialog_body(app, pilot, body_chars)
        for key in TYPED:
            t0 = time.perf_counter()
            await pilot.press(key)
            times.append((time.perf_counter() - t0) * 1000)
    return times


def body_size_ratio(
    what: str, measure: Callable[[int], Awaitable[list[float]]], unit: str, target: float
) -> float:
    """Print and return the median of `measure` with a 1 MB body over that with a 1 KB one."""
    small = statistics.median(asyncio.run(measure(1_000)))
    large = statistics.median(asyncio.run(measure(1_000_000)))
    ratio = large / small
    print(
        f"{what}, 1 KB body: median {small:.1f} ms{unit}; 1 MB body: median {large:.1f} "
        f"ms{unit}; ratio {ratio:.2f} (target <= {target:g})"
    )
    return ratio


# The dialogs the combined stack offers: send, publish, upload, HTTP request, behaviour.
DIALOG_KEYS = ("s", "p", "u", "h", "b")
DIALOG_ROUNDS = 5
DIALOG_TABS = 3
# What Textual writes: a cursor move (row;column), any other escape sequence, or one
# character (printed at the cursor, which it moves on by its width).
ESCAPE = re.compile(r"\x1b\[(\d+);(\d+)H|\x1b\[([0-9;?]*)([A-Za-z])|\x1b\][^\x07]*\x07|\x1b.")


class TerminalSink(HeadlessDriver):
    """A headless driver that is not headless to the app: Textual renders each frame to the
    escape sequences a terminal gets (headless, it renders none), and each write is kept
    in `writes` with its time and the process's CPU time, for a `Terminal` to replay."""

    writes: ClassVar[list[tuple[float, float, str]]] = []

    @property
    def is_headless(self) -> bool:
        """False: the app writes its frames, as to a terminal."""
        return False

    def write(self, data: str) -> None:
        """Keep `data` with the time it was written."""
        self.writes.append((time.perf_counter(), time.process_time(), data))


class Terminal:
    """What a terminal shows of what Textual writes: a cell per (column, row), holding its
    character and the colours and attributes it was written with."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], tuple[str, str]] = {}
        self.x = self.y = 0
        self.style = ""

    def feed(self, data: str) -> bool:
        """Apply `data`; whether any cell shows something else since."""
        changed = False
        at = 0
        for match in ESCAPE.finditer(data):
            changed |= self._text(data[at : match.start()])
            at = match.end()
            row, column, params, final = match.groups()
            if row is not None:
                self.x, self.y = int(column) - 1, int(row) - 1
            elif final == "m":
                # Rich resets after each segment and then sets the next one's style.
                self.style = "" if params in ("", "0") else self.style + match.group(0)
        return self._text(data[at:]) or changed

    def _text(self, text: str) -> bool:
        changed = False
        for char in text:
            if char < " ":
                # A line feed between the lines of a region, each of which starts with a
                # cursor move.
                continue
            cell = (char, self.style)
            if self.cells.get((self.x, self.y)) != cell:
                self.cells[self.x, self.y] = cell
                changed = True
            self.x += cell_len(char)
        return changed


class Shown(NamedTuple):
    """A key's effect on the screen, in ms from the key: the first and the last write that
    changed a cell, the process's CPU to the last, the writes (frames), Pilot's figure and
    the characters written."""

    first: float
    last: float
    cpu: float
    frames: int
    pilot: float
    sent: int


def shown(terminal: Terminal, t0: float, c0: float, pilot: float) -> Shown | None:
    """Replay the writes since the key pressed at `t0` (CPU `c0`) on `terminal`; None when
    none changed a cell."""
    changes = [(t, c) for t, c, data in TerminalSink.writes if terminal.feed(data)]
    frames = len(TerminalSink.writes)
    sent = sum(len(data) for _, _, data in TerminalSink.writes)
    TerminalSink.writes.clear()
    if not changes:
        return None
    (first, _), (last, cpu) = changes[0], changes[-1]
    return Shown((first - t0) * 1000, (last - t0) * 1000, (cpu - c0) * 1000, frames, pilot, sent)


@contextmanager
def truecolor() -> Iterator[None]:
    """Apps made inside write in truecolor, as to a terminal that says it has it (the
    console reads COLORTERM as the app is made)."""
    before = os.environ.get("COLORTERM")
    os.environ["COLORTERM"] = "truecolor"
    try:
        yield
    finally:
        if before is None:
            del os.environ["COLORTERM"]
        else:
            os.environ["COLORTERM"] = before


class DialogTimes(NamedTuple):
    """What the openings, the tabs inside the dialogs and the closings showed."""

    opening: list[Shown]
    tabbing: list[Shown]
    closing: list[Shown]


async def dialog_times(
    keys: tuple[str, ...] = DIALOG_KEYS, rounds: int = DIALOG_ROUNDS, tabs: int = DIALOG_TABS
) -> DialogTimes:
    """What each opening of the dialogs of `keys` on the combined stack, each of `tabs` tab
    presses inside it and its closing (escape) showed, `rounds` times each; a key that
    opens nothing, a tab that moves no focus, or a key that shows nothing, is an error,
    not a fast figure."""
    with truecolor():
        app = StptuiApp(Session.open(COMBINED, start_ms=START))
    app.driver_class = TerminalSink
    times = DialogTimes([], [], [])
    terminal = Terminal()
    async with app.run_test(size=(120, 36), headless=False) as pilot:

        async def press(key: str) -> Shown | None:
            shown(terminal, 0, 0, 0)  # what was written before: the screen as it is
            t0, c0 = time.perf_counter(), time.process_time()
            await pilot.press(key)
            return shown(terminal, t0, c0, (time.perf_counter() - t0) * 1000)

        await pilot.pause()
        main_screen = app.screen
        await launched(main_screen)
        for key in keys * rounds:
            seen = await press(key)
            if seen is None or app.screen is main_screen:
                raise SystemExit(f"{key!r} showed no dialog opening")
            times.opening.append(seen)
            for _ in range(tabs):
                focused = app.screen.focused
                seen = await press("tab")
                if seen is None or app.screen.focused is focused:
                    raise SystemExit(f"tab in the dialog of {key!r} showed no focus moving")
                times.tabbing.append(seen)
            seen = await press("escape")
            if seen is None or app.screen is not main_screen:
                raise SystemExit(f"escape after {key!r} showed no dialog closing")
            times.closing.append(seen)
    return times


def dialog_summary(what: str, times: list[Shown]) -> str:
    """`opening: median ...` of `times`."""

    def median(field: str) -> float:
        return statistics.median(getattr(t, field) for t in times)

    # Drawn in more than one step: a change after the first frame that changed a cell.
    later = sum(t.last > t.first for t in times)
    return (
        f"{what}: shown whole in median {median('last'):.1f} ms (max "
        f"{max(t.last for t in times):.1f}), first frame {median('first'):.1f} ms "
        f"({later} of {len(times)} changed after it), {median('frames'):g} writes, CPU "
        f"{median('cpu'):.1f} ms, {median('sent') / 1000:.1f} KB written; Pilot's figure "
        f"{median('pilot'):.1f} ms"
    )


def dialog_figures() -> tuple[float, float]:
    """Print item 5's figures; return the median opening and the median tab in ms."""
    times = asyncio.run(dialog_times())
    floor_cpu: list[float] = []
    asyncio.run(key_latency(BareApp(), cpu=floor_cpu))
    floor = statistics.median(floor_cpu)
    tab_cpu = statistics.median(t.cpu for t in times.tabbing)
    print(f"dialogs ({', '.join(DIALOG_KEYS)}) at 120x36, {DIALOG_ROUNDS} rounds:")
    print("  " + dialog_summary("opening", times.opening) + " (target < 100 ms)")
    print(
        "  "
        + dialog_summary(f"tab inside ({DIALOG_TABS} each)", times.tabbing)
        + f" (target < 100 ms); CPU {tab_cpu / floor:.1f}x a key's on a bare app ({floor:.1f} ms)"
    )
    print("  " + dialog_summary("closing (escape)", times.closing))
    return (
        statistics.median(t.last for t in times.opening),
        statistics.median(t.last for t in times.tabbing),
    )


LAUNCH_ROUNDS = 7


class Launch(NamedTuple):
    """One launch, in ms from the start: the stack opened, the first and the last write
    that changed a cell, the process's CPU to the last; the main screen's layouts, the
    writes and those that changed cells."""

    opened: float
    first: float
    last: float
    cpu: float
    layouts: int
    writes: int
    frames: int


async def launched(screen: Screen[object]) -> None:
    """Wait until the main screen has painted the launch's frame: Pilot finds the app idle
    between two of the launch's steps on a loaded machine (see `MainScreen`). Slept, not
    paused: Pilot's pause updates the screen itself, a layout of its own."""
    assert isinstance(screen, MainScreen)
    while screen.paints_held:
        await asyncio.sleep(0.01)


async def launch_once() -> Launch:
    """Open the combined stack and run the app on a `TerminalSink` until it is idle with
    its first frame painted; what the terminal showed, replayed."""
    TerminalSink.writes.clear()
    t0, c0 = time.perf_counter(), time.process_time()
    session = Session.open(COMBINED, start_ms=START)
    opened = (time.perf_counter() - t0) * 1000
    with truecolor():
        app = StptuiApp(session)
    app.driver_class = TerminalSink
    async with app.run_test(size=(120, 36), headless=False) as pilot:
        await pilot.pause()
        screen = app.screen_stack[0]
        await launched(screen)
        await pilot.pause()
        assert isinstance(screen, MainScreen)
        layouts = screen.layouts
    terminal = Terminal()
    changes = [(t, c) for t, c, data in TerminalSink.writes if terminal.feed(data)]
    writes = len(TerminalSink.writes)
    TerminalSink.writes.clear()
    if not changes:
        raise SystemExit("the launch showed nothing")
    (first, _), (last, cpu) = changes[0], changes[-1]
    return Launch(
        opened,
        (first - t0) * 1000,
        (last - t0) * 1000,
        (cpu - c0) * 1000,
        layouts,
        writes,
        len(changes),
    )


def launch_figures(rounds: int = LAUNCH_ROUNDS) -> float:
    """Print item 9's figures; return the median time to the screen drawn complete, in ms
    (infinite when a launch drew it in more than one frame)."""
    asyncio.run(launch_once())  # warm: the modules' first calls, the OS's file cache
    runs = [asyncio.run(launch_once()) for _ in range(rounds)]

    def median(field: str) -> float:
        return statistics.median(getattr(r, field) for r in runs)

    frames = max(r.frames for r in runs)
    print(
        f"launch of the combined stack at 120x36, {rounds} runs: the screen complete in median "
        f"{median('last'):.1f} ms (best {min(r.last for r in runs):.1f}; target < 500 ms, in "
        f"one frame), first frame {median('first'):.1f} ms, the stack opened in "
        f"{median('opened'):.1f} ms; CPU {median('cpu'):.1f} ms (best "
        f"{min(r.cpu for r in runs):.1f}); main screen layouts {median('layouts'):g} (max "
        f"{max(r.layouts for r in runs)}), writes {median('writes'):g}, of which changed "
        f"cells {median('frames'):g} (max {frames})"
    )
    return median("last") if frames == 1 else float("inf")


def records_in(messages: int, seconds: float) -> int:
    """How many records the bare simulator writes in `seconds` on the workload."""
    s = loaded_session(messages, 0)
    sim = s.sim
    start_seq = sim.trace.seq
    deadline = time.perf_counter() + seconds
    sim.clock.run_until(sim.clock.now + HORIZON_MS, lambda: time.perf_counter() >= deadline)
    return sim.trace.seq - start_seq


def summary(times: list[float]) -> str:
    """`median M ms, max X ms over N keys`."""
    return (
        f"median {statistics.median(times):.1f} ms, max {max(times):.1f} ms over {len(times)} keys"
    )


def rates(runs: list[float]) -> str:
    """`61,234, 59,876` records per second."""
    return ", ".join(f"{r:,.0f}" for r in runs)


def main() -> int:
    """Run the measurements and print the figures; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="the throughput workload's length, headless"
    )
    parser.add_argument("--rounds", type=int, default=2, help="throughput runs of each side")
    parser.add_argument("--long", type=int, default=1_000_000, help="item 8's trace records")
    parser.add_argument(
        "--dialogs", action="store_true", help="item 5 only (opening and closing dialogs)"
    )
    parser.add_argument("--launch", action="store_true", help="item 9 only (the launch)")
    args = parser.parse_args()
    if args.dialogs:
        return 0 if max(dialog_figures()) < 100 else 1
    if args.launch:
        return 0 if launch_figures() < 500 else 1
    floor_cpu: list[float] = []
    floor = asyncio.run(key_latency(BareApp(), cpu=floor_cpu))
    print(
        f"key press on a bare app (Pilot's floor): {summary(floor)}; "
        f"CPU median {statistics.median(floor_cpu):.1f} ms"
    )
    cpu: list[float] = []
    app = StptuiApp(loaded_session(args.messages, args.records))
    lat = asyncio.run(key_latency(app, "2", cpu))
    slowest = sorted(zip(lat, KEYS, strict=True), reverse=True)[:3]
    print(
        f"key press with {args.messages:,} messages and {args.records:,}+ records: "
        f"{summary(lat)}; slowest: "
        + ", ".join(f"{k} {t:.0f} ms" for t, k in slowest)
        + f"; CPU median {statistics.median(cpu):.1f} ms, max {max(cpu):.1f} ms"
    )
    list_cpu: list[float] = []
    listed = asyncio.run(
        message_list_latency(StptuiApp(loaded_session(args.messages, args.records)), list_cpu)
    )
    print(
        f"message list keys ({', '.join(MESSAGE_KEYS)}) in a queue of {args.messages:,}: "
        f"{summary(listed)}; CPU median {statistics.median(list_cpu):.1f} ms, "
        f"max {max(list_cpu):.1f} ms"
    )
    # Both sides run the same part of the workload (its cost per record changes as it goes).
    records = records_in(args.messages, args.seconds)
    headless: list[float] = []
    live: list[float] = []
    for _ in range(args.rounds):
        headless.append(headless_rate(args.messages, records))
        live.append(asyncio.run(app_rate(args.messages, records)))
    ratio = max(live) / max(headless)
    print(f"workload: the first {records:,} records ({args.seconds:g} s of the bare simulator)")
    print(f"headless simulator: {max(headless):,.0f} records/s (runs: {rates(headless)})")
    print(f"app at full speed:  {max(live):,.0f} records/s (runs: {rates(live)})")
    print(f"ratio app/headless: {ratio:.2f} (target >= 0.5)")
    body_ratio = body_size_ratio("HTTP dialog focus change", body_focus_times, "", 3)
    typing_ratio = body_size_ratio("HTTP dialog typing", body_typing_times, " a key", 5)
    dialog_ms = max(dialog_figures())
    stall, computed = asyncio.run(
        metrics_stall(StptuiApp(loaded_session(args.messages, args.records)))
    )
    print(
        f"metrics view (M): the UI's loop stalled at most {stall:.0f} ms while its worker "
        f"computed (at most {computed:.0f} ms) (target < 100 ms)"
    )
    long = asyncio.run(long_trace(args.long))
    print(
        f"{args.long:,} records: the index warmed in {long['warm']:,.0f} ms, the UI's loop "
        f"stalled at most {long['warm stall']:.0f} ms meanwhile (target < 100 ms; its longest "
        f"step {long['warm step']:.0f} ms of CPU), and then "
        f"the first `show message` took {long['show message']:.2f} ms, the first `explain` "
        f"{long['explain']:.2f} ms; a filter "
        f"(a bare word, {long['matches']:.0f} matches) searched in {long['filter']:,.0f} ms, "
        f"the loop stalled at most {long['filter stall']:.0f} ms (target < 100 ms; its longest "
        f"step {long['search step']:.0f} ms of CPU), where "
        f"one pass of `matches` over the ring takes {long['one pass']:,.0f} ms "
        f"({long['one pass'] / long['filter stall']:.0f}x the stall)"
    )
    launch_ms = launch_figures()
    ok = (
        launch_ms < 500
        and max(lat) < 100
        and long["warm stall"] < 100
        and long["filter stall"] < 100
        and max(listed) < 100
        and ratio >= 0.5
        and body_ratio <= 3
        and typing_ratio <= 5
        and stall < 100
        and dialog_ms < 100
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
