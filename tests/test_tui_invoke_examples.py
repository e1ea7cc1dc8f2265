"""The invoke dialog's example key (ctrl+n): the payload field filled, indented, with the
event each trigger of the picked function delivers, then `{}`, in turn (a batch job's
example event, then `{}`), the same events the REPL offers at `invoke FUNCTION `; its label
says which trigger the example stands for; a payload typed and replaced comes back with
ctrl+z; the event run is the one the function gets. One app for all of it: launching one
is the suite's biggest cost."""

from __future__ import annotations

import json
from typing import Any

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widgets import Select, TextArea
from tui_support import Problems, app_for, drive, screen_text, session, shown, wait_until

from stptui.commands import execute
from stptui.commands.examples import EMPTY_JOB_EVENT, job_example, payload_examples
from stptui.commands.session import trace_sha256
from stptui.repl.candidates import candidates
from stptui.sim.invocation_events import event_of
from stptui.tui.app import StptuiApp
from stptui.tui.screens.invoke_dialog import EXAMPLE_KEY, InvokeDialog

SQS_ABOUT = "the SQS event jobQueue delivers (1 message)"
HTTP_ABOUT = "the HTTP API event of GET /example on httpApi (payload 1.0)"
DEFAULT_LABEL = "payload (JSON; empty sends {})"


def offered(app: StptuiApp, line: str, about: str) -> Any:
    """The payload the REPL offers at `line` whose help line starts with `about`, parsed."""
    found = [c.text for c in candidates(app.session, line) if c.meta.startswith(about)]
    assert len(found) == 1, [c.meta for c in candidates(app.session, line)]
    return json.loads(found[0])


def payload(dialog: InvokeDialog) -> str:
    """What the payload field holds."""
    return dialog.query_one("#invoke-payload", TextArea).text


async def press(pilot: Pilot[None], key: str) -> None:
    """Press `key` and let the dialog handle what it changed (the field's Changed event)."""
    await pilot.press(key)
    await pilot.pause()
    await pilot.pause()


async def pick(pilot: Pilot[None], dialog: InvokeDialog, name: str) -> None:
    """Pick `name` in the dialog's picker and let its change be handled."""
    dialog.query_one("#invoke-target", Select).value = name
    await pilot.pause()
    await pilot.pause()


def test_the_example_key_fills_cycles_restores_and_runs_the_trigger_events() -> None:
    problems = Problems()

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("worker")
        await pilot.pause()
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, InvokeDialog), "the dialog")
        dialog = app.screen
        assert isinstance(dialog, InvokeDialog)
        area = dialog.query_one("#invoke-payload", TextArea)
        # The dialog opens as it did: `{}`, the field's own label.
        assert payload(dialog) == "{}" and shown(app, "#invoke-payload-label") == DEFAULT_LABEL
        sqs = offered(app, "invoke worker ", SQS_ABOUT)

        await press(pilot, EXAMPLE_KEY)
        with problems.check("worker, first press", "the SQS event, indented, said so"):
            value = json.loads(payload(dialog))
            assert value == sqs and value.keys() == sqs.keys() == {"Records"}
            assert payload(dialog) == json.dumps(sqs, indent=2, ensure_ascii=False)
            label = shown(app, "#invoke-payload-label")
            assert label == f"payload: {SQS_ABOUT} — ctrl+n: next example (1 of 2)", label
            assert shown(app, "#invoke-error") == ""
        with problems.check("worker, second press", "`{}`, what invoke sends without one"):
            await press(pilot, EXAMPLE_KEY)
            assert payload(dialog) == "{}"
            assert "(2 of 2)" in shown(app, "#invoke-payload-label")
        with problems.check("worker, third press", "back to the SQS event"):
            await press(pilot, EXAMPLE_KEY)
            assert json.loads(payload(dialog)) == sqs

        with problems.check("a payload typed", "replaced, and ctrl+z brings it back"):
            area.select_all()
            await pilot.press(*'{"mine": 1}')
            await pilot.pause()
            # Edited, the label no longer names the example.
            assert shown(app, "#invoke-payload-label") == DEFAULT_LABEL
            await press(pilot, EXAMPLE_KEY)
            assert json.loads(payload(dialog)) == sqs
            assert "ctrl+z: what you typed" in shown(app, "#invoke-payload-label")
            await press(pilot, EXAMPLE_KEY)
            await press(pilot, EXAMPLE_KEY)
            assert "ctrl+z: what you typed" in shown(app, "#invoke-payload-label")
            for _ in range(3):
                await press(pilot, "ctrl+z")
            assert payload(dialog) == '{"mine": 1}', payload(dialog)
            assert shown(app, "#invoke-payload-label") == DEFAULT_LABEL
            # The app's own ctrl+z (undo a command) did not run: nothing was.
            assert app.session.log == []

        with problems.check("api picked", "the worker's example gone, then the HTTP event"):
            await press(pilot, EXAMPLE_KEY)
            await pick(pilot, dialog, "api")
            assert payload(dialog) == "{}"
            assert shown(app, "#invoke-payload-label") == DEFAULT_LABEL
            # From the picker, the key fills the field and puts the focus there.
            dialog.query_one("#invoke-target", Select).focus()
            await press(pilot, EXAMPLE_KEY)
            http = offered(app, "invoke api ", HTTP_ABOUT)
            assert json.loads(payload(dialog)) == http
            assert HTTP_ABOUT in shown(app, "#invoke-payload-label")
            assert app.focused is area
        with problems.check("api invoked", "the function got the event shown"):
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: dialog.has_class("-answered"), "the answer")
            assert shown(app, "#invoke-answer").startswith("api succeeded"), shown(
                app, "#invoke-answer"
            )
            assert app.session.log[-1].startswith("invoke api ")
            sim = app.session.sim
            entry = next(e for e in reversed(sim.invocation_events) if e[1] == "api")
            assert event_of(sim, entry) == http

        with problems.check("heavyJob picked", "the job's example event, then `{}`"):
            await pick(pilot, dialog, "heavyJob")
            await press(pilot, EXAMPLE_KEY)
            assert json.loads(payload(dialog)) == {"date": "2026-01-05"}
            assert payload(dialog) == '{\n  "date": "2026-01-05"\n}'
            label = shown(app, "#invoke-payload-label")
            assert label.startswith("event: the day the clock is on"), label
            await press(pilot, EXAMPLE_KEY)
            assert payload(dialog) == "{}"
            assert EMPTY_JOB_EVENT in shown(app, "#invoke-payload-label")

        with problems.check("at 60 columns", "the heading's keys whole on the lower border"):
            await pilot.resize_terminal(60, 20)
            await wait_until(pilot, lambda: dialog.size.width == 60, "the dialog at 60x20")
            await pilot.pause()
            keys = "ctrl+s runs, escape closes, ctrl+n examples"
            assert any(keys in line for line in screen_text(app).split("\n"))

    drive(app_for("combined"), script)
    problems.assert_none()


def test_payload_examples_are_the_trigger_events_then_an_empty_one() -> None:
    s = session("combined")
    worker = payload_examples(s.sim, "worker")
    assert worker[0].about == SQS_ABOUT and worker[-1].text == "{}"
    assert len(worker) == 2
    job = payload_examples(s.sim, "heavyJob")
    assert [o.text for o in job] == [job_example(s.sim), "{}"]
    assert payload_examples(s.sim, "jobQueue") == []
    # Building them changes nothing: a session that built every one traces what one that
    # built none does (no id drawn, no sequence number taken).
    for name in [*s.sim.functions, "heavyJob"]:
        payload_examples(s.sim, name)
    fresh = session("combined")
    for each in (s, fresh):
        execute(each, "invoke worker")
        execute(each, "send jobQueue '{\"orderId\": 1}'")
        execute(each, "advance 1m")
    assert trace_sha256(s.sim.trace) == trace_sha256(fresh.sim.trace)
