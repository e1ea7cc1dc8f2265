"""The footer goes and comes back in the same frame as the dialog over it: a terminal never
shows the keys alone, a frame before the panes come back from under the dialog's tint, nor
the dialog drawn with the keys below it still there (the keys went in a frame of their own
30-50 ms after the rest, which a closing's time to its last changed cell counted).

What the terminal shows is replayed cell by cell from what Textual writes, as bench_tui
measures a dialog (its `TerminalSink` and `Terminal`)."""

from __future__ import annotations

import asyncio

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from test_benchmarks import load
from tui_support import launched, session

from stptui.tui.app import StptuiApp

# A dialog of each kind: a form, a one-field one, the fast-forward, the help, the command line.
KEYS = ("s", "x", "f", "question_mark", "colon")


def changed_rows(size: tuple[int, int], keys: tuple[str, ...]) -> list[tuple[str, list[set[int]]]]:
    """For each key of `keys` and the escape after it: the rows each write changed, in
    order (writes that changed nothing left out)."""
    bench = load("bench_tui")
    with bench.truecolor():
        app = StptuiApp(session("combined"))
    app.driver_class = bench.TerminalSink
    terminal = bench.Terminal()
    out: list[tuple[str, list[set[int]]]] = []

    async def main() -> None:
        async with app.run_test(size=size, headless=False) as pilot:
            await pilot.pause()
            await launched(app)
            for key in keys:
                for press in (key, "escape"):
                    for _, _, data in bench.TerminalSink.writes:
                        terminal.feed(data)
                    bench.TerminalSink.writes.clear()
                    await pilot.press(press)
                    await pilot.pause()
                    writes: list[set[int]] = []
                    for _, _, data in bench.TerminalSink.writes:
                        before = dict(terminal.cells)
                        terminal.feed(data)
                        rows = {
                            y for (x, y), c in terminal.cells.items() if before.get((x, y)) != c
                        }
                        if rows:
                            writes.append(rows)
                    bench.TerminalSink.writes.clear()
                    out.append((press, writes))

    asyncio.run(main())
    return out


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_the_footer_changes_in_the_dialogs_first_frame_and_never_alone(
    size: tuple[int, int],
) -> None:
    footer = size[1] - 1
    for press, writes in changed_rows(size, KEYS):
        assert writes, f"{press} changed nothing on the screen"
        # The first frame takes the keys away (or brings them back) with the rest.
        assert footer in writes[0] and len(writes[0]) > 1, (press, writes)
        assert all(footer not in rows for rows in writes[1:]), (press, writes)
        if press == "escape":
            # Back from under a dialog, the panes and the keys come in one frame.
            assert len(writes) == 1, writes
