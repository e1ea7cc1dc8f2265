"""The examples of docs/tui.md no other test reads, checked against what stptui does: a
dialog's refusal as it wraps at 80 columns, the note of a reload on save, and the answer a
dialog keeps over a rebuild. Each is found on the page by its marker (`<!-- check: by
tests/test_docs_tui_examples.py -->`), so an edit of the page or of the app that makes them
differ fails here."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widgets import Input, Static
from tui_support import SAMPLES, START, app_for, drawn_text, drive, echo_session

from stptui.commands import Session, execute
from stptui.commands.result import render_plain
from stptui.commands.watch import FileChange
from stptui.tui.app import StptuiApp
from stptui.tui.screens.dialogs import SendDialog, stale_answer_mark

PAGE = Path(__file__).resolve().parents[1] / "docs" / "tui.md"
MARK = "<!-- check: by tests/test_docs_tui_examples.py -->"


def page_block(starts: str) -> list[str]:
    """The lines of the block marked for this file whose first line starts with `starts`."""
    found = re.findall(
        re.escape(MARK) + r"\n```[a-z]*\n(.*?)^```$", PAGE.read_text("utf-8"), re.S | re.M
    )
    (block,) = [b for b in found if b.startswith(starts)]
    return block.splitlines()


def test_a_dialogs_refusal_reads_as_the_page_shows_it_at_80_columns() -> None:
    lines = page_block("--delay:")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("s")
        assert isinstance(app.screen, SendDialog)
        app.screen.query_one("#send-delay", Input).value = "{bad"
        # The value's check as typed (no hint) runs first, as it would for typed keys: under
        # load it came after ctrl+s and replaced the refusal with its shorter line.
        await pilot.pause()
        await pilot.press("ctrl+s")
        # Under load the error's layout can land a few frames after the key: wait for it
        # (bounded) instead of reading a half-laid-out widget.
        for _ in range(40):
            await pilot.pause(0.05)
            rows = drawn_text(app.screen.query_one("#send-error", Static)).split("\n")
            shown = [row.rstrip() for row in rows if row.strip()]
            if shown == lines:
                break
        assert shown == lines

    drive(app_for(), script, size=(80, 24))


def test_the_reload_note_is_the_one_a_save_gives(tmp_path: Path) -> None:
    title, *said = page_block("stacktape.yml changed on disk")
    stack = tmp_path / "stack"
    shutil.copytree(SAMPLES / "job-queue", stack)
    session = Session.open(stack, start_ms=START)
    execute(session, "send jobQueue '{}'")
    config = stack / "stacktape.yml"
    config.write_text(config.read_text("utf-8") + "# saved\n", encoding="utf-8")
    # The app's note: the change's words as its title, what `reload` answers as its text.
    assert title == f"{FileChange((('stack', config),)).text()}: reloaded"
    assert render_plain(execute(session, "reload")).splitlines() == said


def test_the_answer_kept_over_a_rebuild_is_marked_as_the_page_shows(tmp_path: Path) -> None:
    mark, status = page_block("before the rebuild")
    assert mark == stale_answer_mark().plain
    answer = render_plain(execute(echo_session(tmp_path), "http POST /echo '{}'"))
    assert answer.splitlines()[0] == status
