"""A body of one very long line (a minified 1 MB JSON) in a dialog's editor: moving the
focus in and out of it does as much work as with a short body, and its rows are drawn
exactly as Textual's own TextArea draws them (`stptui.tui.widgets.fields.SafeTextArea`).

The work is counted, not timed: the rich `Text` pieces made while the focus goes out of
the body and back. Textual cut the whole line into its rows for every row drawn (20,000
pieces per row for 1 MB, a quarter of a second per focus change)."""

from __future__ import annotations

import asyncio
import cProfile
import pstats
from pathlib import Path

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import TextArea
from tui_support import drive, echo_session

from stptui.tui.app import StptuiApp
from stptui.tui.widgets.fields import SafeTextArea


def texts_made(profile: cProfile.Profile) -> int:
    """How many rich Texts were made while `profile` ran."""
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    return sum(
        calls
        for (path, _, name), (_, calls, *_) in stats.items()
        if name == "__init__" and path.replace("\\", "/").endswith("rich/text.py")
    )


def focus_change_work(folder: Path, body: str, *, cursor_at_end: bool) -> int:
    """Texts made while the focus goes from the HTTP dialog's body to the headers and
    back, with `body` in the body."""
    folder.mkdir()
    made: list[int] = []

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("h")
        area = app.screen.query_one("#http-body", TextArea)
        headers = app.screen.query_one("#http-headers", TextArea)
        area.load_text(body)
        if cursor_at_end:
            area.move_cursor(area.document.end)
        app.screen.set_focus(area)
        await pilot.pause()
        profile = cProfile.Profile()
        profile.enable()
        app.screen.set_focus(headers)
        await pilot.pause()
        app.screen.set_focus(area)
        await pilot.pause()
        profile.disable()
        made.append(texts_made(profile))

    drive(StptuiApp(echo_session(folder)), script)
    return made[0]


@pytest.mark.parametrize("cursor_at_end", [False, True], ids=["cursor-at-start", "at-end"])
def test_a_focus_change_does_no_more_work_with_a_1_mb_body(
    tmp_path: Path, cursor_at_end: bool
) -> None:
    small = focus_change_work(
        tmp_path / "small", '{"a": "' + "x" * 1000 + '"}', cursor_at_end=False
    )
    large = focus_change_work(
        tmp_path / "large", '{"a": "' + "x" * 1_000_000 + '"}', cursor_at_end=cursor_at_end
    )
    assert small < 1000
    # Not a thousand times the short body's pieces: the same, give or take a row.
    assert large <= small + 20, (small, large)


class Areas(App[None]):
    """Textual's TextArea and ours, one above the other, with the same text."""

    CSS = "TextArea { height: 10; }"

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield TextArea(self.text, id="theirs")
        yield SafeTextArea(self.text, id="ours")


LONG_LINES = {
    "one long line": "[" + ", ".join(f'"item {i}"' for i in range(400)) + "]",
    "tabs in it": "\t".join(f"field{i}" for i in range(300)) + "\nshort\n" + "y" * 900,
    "wide characters": "名前" * 500 + " end",
}


@pytest.mark.parametrize("text", LONG_LINES.values(), ids=LONG_LINES.keys())
@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_long_lines_are_drawn_as_textual_draws_them(text: str, where: str) -> None:
    drawn: dict[str, list[list[object]]] = {}

    async def main() -> None:
        app = Areas(text)
        async with app.run_test(size=(60, 30)) as pilot:
            await pilot.pause()
            for name in ("theirs", "ours"):
                area = app.query_one(f"#{name}", TextArea)
                if where == "start":
                    # A selection: a styled span that crosses the rows.
                    area.select_line(0)
                else:
                    column = len(area.document.get_line(0)) // 2 if where == "middle" else None
                    area.move_cursor(area.document.end if column is None else (0, column))
                app.set_focus(area)
                await pilot.pause()
                drawn[name] = [list(area.render_line(y)) for y in range(area.size.height)]
                drawn[f"{name} scroll"] = [[area.scroll_offset]]

    asyncio.run(main())
    assert drawn["ours scroll"] == drawn["theirs scroll"]
    assert drawn["ours"] == drawn["theirs"]
