"""The command line's placeholder is an example the stack at hand runs: it said `send
jobQueue '{"id": 1}'` on every stack, and on a user's own stack (a FIFO `orderQueue`, no
`jobQueue`) the example a reader copies was refused."""

from __future__ import annotations

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widgets import Input
from tui_support import EXAMPLES, START, app_for, drive

from stptui.commands import Session, execute
from stptui.tui.app import StptuiApp


def _placeholder(app: StptuiApp) -> str:
    """The example the command line shows before anything is typed."""
    placeholder: list[str] = []

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("colon")
        await pilot.pause()
        placeholder.append(app.screen.query_one("#command-input", Input).placeholder)

    drive(app, script)
    return placeholder[0]


@pytest.mark.parametrize(
    ("opened", "example"),
    [
        # The sample's own queue, as before (the snapshots show it).
        (lambda: app_for("job-queue"), "send jobQueue '{\"id\": 1}'"),
        # A FIFO queue takes a group and a deduplication id.
        (
            lambda: StptuiApp(Session.open(EXAMPLES / "fifo.yml", start_ms=START)),
            "send orderQueue '{\"id\": 1}' --group g1 --dedup-id d1",
        ),
    ],
)
def test_the_example_sends_to_a_queue_of_the_stack(opened, example) -> None:  # type: ignore[no-untyped-def]
    app = opened()
    shown = _placeholder(app)
    assert shown.startswith(f"{example}   advance 5m")
    # What the placeholder suggests, the stack runs (a refusal raises CommandError).
    assert execute(app.session, example).records


def test_a_stack_without_a_queue_is_shown_no_send() -> None:
    shown = _placeholder(app_for("scheduled-job"))
    assert "send" not in shown
    assert shown.startswith("advance 5m")
