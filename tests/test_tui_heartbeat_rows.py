"""A worker's heartbeats (`message.visibility_changed`) in the Events pane at 80, 120 and
160 columns: each row leads with how long the message stays hidden (`+1 min`, or `now`
for a failed message handed back at once), which the narrow rows beside other panes still
show whole, and the record's JSON below has every field."""

from __future__ import annotations

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from tui_support import START, drawn_text, drive, example_session

from stptui.sim.trace import Record
from stptui.tui.app import StptuiApp
from stptui.tui.render import KIND_STYLES, record_text
from stptui.tui.widgets.events_pane import RecordList
from stptui.tui.widgets.line_views import TextView

# docs/examples/worker-heartbeat.yml: a render kept hidden by heartbeats every 20 s, and
# one that fails and is handed back at once (`onFailure: {visibilityTimeout: 0s}`).
STORY = (
    """send renders '{"video": "intro.mp4", "codec": "h264"}'""",
    """send renders '{"video": "odd.mkv", "codec": "unknown"}'""",
    "advance 4m",
)


@pytest.mark.parametrize("size", [(80, 24), (120, 36), (160, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_heartbeat_row_says_how_long_its_message_stays_hidden(size: tuple[int, int]) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        for line in STORY:
            app.run_command(line)
        await pilot.press("3")
        await pilot.pause()
        listing = app.query_one(RecordList)
        beats = [
            row
            for row in drawn_text(listing).split("\n")
            if row.startswith(("08:0", "08:1")) and " renders " in row and "message.vis" in row
        ]
        assert beats, drawn_text(listing)
        # Before, these rows read `renders message_id=468f6a19-1302-…` (120 columns:
        # `renders message_i…`): every heartbeat of a message looked the same.
        waits = {row.split(" renders ", 1)[1].split()[0] for row in beats}
        assert waits <= {"+1", "now"} and "+1" in waits, beats
        assert all(" renders +1 min" in row or " renders now" in row for row in beats), beats
        # The selected heartbeat's JSON has every field of the record.
        view = list(listing.view)
        last = max(i for i, r in enumerate(view) if r.kind == "message.visibility_changed")
        await pilot.press(*["up"] * (len(view) - 1 - last))
        await pilot.pause()
        detail = app.query_one("#event-detail", TextView).text.plain
        for field in ('"timeout_s": 0', '"visible_at": "2026-01-05T08:03:00.000Z"'):
            assert field in detail, detail

    drive(StptuiApp(example_session("worker-heartbeat")), script, size=size)


def test_a_refused_heartbeat_row_leads_with_the_error() -> None:
    rec = Record(
        9,
        START,
        "message.visibility_refused",
        "renders",
        {
            "message_id": "468f6a19-1302-4647-9c02-86e42d4b7440",
            "timeout_s": 60,
            "error": "InvalidParameterValue",
            "error_message": "Value for parameter ReceiptHandle is invalid.",
            "consumer": "renderer",
        },
    )
    row = record_text(rec, 76)
    assert row.plain.split(" renders ", 1)[1].startswith("error=InvalidParam")
    # A refusal is a warning (the message comes back when its timeout ends); a heartbeat
    # keeps the message in hand, as its receive does.
    assert row.spans[0].style == "dim" and "yellow" in {str(s.style) for s in row.spans}
    assert KIND_STYLES["message.visibility_changed"] == KIND_STYLES["message.received"]
