"""The Inspector shows a property's value as the config writes it (a flag is `true` or
`false`, YAML's and JSON's spelling, not Python's `True`), and a batch job's behaviour,
overrides and recent attempts as it does a function's."""

from __future__ import annotations

import json
from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from test_batch_async_trigger import QUOTES
from test_batch_async_trigger import session as async_trigger_session
from test_batch_no_attempt_views import no_attempt_session
from textual.pilot import Pilot
from tui_support import START, app_for, drive, session

from stptui.commands import Session
from stptui.graph import build_graph
from stptui.tui.app import StptuiApp
from stptui.tui.widgets.inspector_pane import PROPERTY_LIMIT, InspectorPane, describe_resource


def test_a_flag_is_shown_as_the_config_writes_it() -> None:
    s = session("job-queue")
    page = describe_resource("jobQueue", s.stack, build_graph(s.stack), s.sim, [], s.start_ms)
    lines = page.plain.splitlines()
    assert "fifo: false" in lines
    assert not any("False" in line for line in lines)


def test_a_batch_job_shows_its_behaviour_overrides_and_attempts() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        for line in ("fire heavyJob", "advance 3h", "fail heavyJob next 2"):
            app.run_command(line)
        app.selected = "heavyJob"
        await pilot.pause()
        shown = app.query_one(InspectorPane).text.plain
        # The sidecar's behaviour: the first attempt is lost to a Spot interruption.
        assert "declared: 40 min; fails on the first attempt (SpotInterruption)" in shown
        assert "overridden: fail heavyJob next 2 (2 left)" in shown
        # Its attempts, newest first, as the trace has them.
        attempts = shown[shown.index("Recent attempts") :]
        assert attempts.index("attempt 2 succeeded") < attempts.index("attempt 1 failed")
        assert "SpotInterruption" in attempts

    drive(app_for("batch-job"), script, size=(200, 60))


# A batch job whose attempts fail with a message that is untrusted text: Rich markup, an
# escape sequence, a newline, and more than the page shows of it.
FAILING_JOB = """\
resources:
  heavy:
    type: batch-job
    properties:
      container:
        packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: h.py}}
      resources: {cpu: 1, memory: 1024}
      retryConfig: {attempts: 2}
"""
FAILING_BEHAVIOUR = """\
behaviors:
  heavy:
    duration: 1m
    fail:
      first: 1
      error: DiskFull
      message: MESSAGE
"""


def test_a_batch_jobs_failed_attempt_shows_its_message_as_text_cut_to_fit(
    tmp_path: Path,
) -> None:
    """`show job` gives a failed execution's error and message; the page gave only the
    error, so the reason (`disk full`) took a command to find."""
    message = "disk full [bold red]x[/] \x1b[31m\nnext " + "y" * 200
    (tmp_path / "stacktape.yml").write_text(FAILING_JOB, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        FAILING_BEHAVIOUR.replace("MESSAGE", json.dumps(message)), encoding="utf-8"
    )

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        for line in ("start-job heavy", "advance 10m"):
            app.run_command(line)
        app.selected = "heavy"
        await pilot.pause()
        page = app.query_one(InspectorPane).text
        shown = " ".join(page.plain[page.plain.index("Recent attempts") :].split())
        assert "attempt 2 succeeded" in shown
        # The error, then its message as text: the markup written out, the escape and
        # the newline made visible, and cut with `…` (`show job` and `explain` have it).
        start = "attempt 1 failed in 1 min DiskFull: disk full [bold red]x[/] "
        assert start + "\\x1b[31m\\nnext yyy" in shown
        cut = shown[shown.index(start) : shown.index(" Log group")]
        assert cut.endswith("y…") and len(cut) < len(start) + 80
        assert "\x1b" not in page.plain
        assert all("bold red" not in str(span.style) for span in page.spans)

    drive(StptuiApp(Session.open(tmp_path, start_ms=START)), script, size=(200, 60))


def test_a_batch_jobs_execution_that_made_no_attempt_is_listed_with_why(tmp_path: Path) -> None:
    """An execution can end before its first attempt: Step Functions fails it at its first
    Task (States.Runtime), it is stopped before that, or a redrive runs only Stacktape's Fail
    state. The page listed attempts only, so it said `(none yet)` beside a box that said
    `1 failed`; and an attempt run again by a redrive gave its end to the one it replaced."""

    def recent(app: StptuiApp) -> list[str]:
        plain = app.query_one(InspectorPane).text.plain
        section = plain[plain.index("Recent attempts") : plain.index("Log group")]
        # Each entry without its time, its wrapping undone.
        return [" ".join(line.split()[1:]) for line in section.splitlines()[1:] if line.strip()]

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.selected = "render"
        # The first Task fails at the instant the execution starts, after the command.
        app.run_command("invoke trigger '{\"a\": 1}'")
        await pilot.pause()
        assert recent(app) == ["startExecution running, no attempt started yet"]
        eid = app.session.sim.services["batch"].jobs["render"].recent[-1].id
        app.run_command(f"stop-execution {eid} --error Halt --cause 'by hand'")
        for line in ("invoke trigger '{\"b\": 2}'", "advance 1s", f"redrive-execution {eid}"):
            app.run_command(line)
        # Two attempts fail, then a redrive runs Stacktape's Fail state again.
        for line in ("fail render next 2", "start-job render", "advance 1m"):
            app.run_command(line)
        app.run_command("redrive-execution $newest:batch.submitted")
        # Stopped in its first attempt, which a redrive runs again.
        app.run_command("start-job render")
        app.run_command("stop-execution $newest:batch.submitted")
        app.run_command("redrive-execution $newest:batch.submitted")
        app.run_command("advance 1m")
        await pilot.pause()
        runtime = "States.Runtime: An error occurred while executing the state 'onDemand1'. Th…"
        assert recent(app) == [
            "attempt 1 succeeded in 100 ms",
            "attempt 1 failed in 0 ms JobTerminated: Terminated by AWS Step Functions: the task "
            "waiting for the …",
            "redrive 1 failed, no attempt started Error",
            "attempt 2 failed in 100 ms Error: failed by override `fail render next 2`",
            "attempt 1 failed in 100 ms Error: failed by override `fail render next 2`",
            f"redrive 1 failed, no attempt started {runtime}",
            f"startExecution failed, no attempt started {runtime}",
            "startExecution aborted, no attempt started Halt: by hand",
        ]

    drive(StptuiApp(no_attempt_session(tmp_path)), script, size=(200, 60))


def test_a_batch_jobs_failed_trigger_is_listed_among_its_attempts(tmp_path: Path) -> None:
    """A trigger whose StartExecution input is over 256 KiB starts no execution: the page
    said `(none yet)`, as if the SNS message never came; each attempt of Lambda's is listed."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.selected = "single"
        for line in (f"publish-sns alerts '{QUOTES}'", "advance 2m", "publish-sns alerts small"):
            app.run_command(line)
        app.run_command("advance 1s")
        await pilot.pause()
        plain = app.query_one(InspectorPane).text.plain
        section = plain[plain.index("Recent attempts") : plain.index("Log group")]
        entries = [" ".join(line.split()[1:5]) for line in section.splitlines()[1:]]
        assert entries[:3] == [
            "attempt 1 succeeded in",
            "sns trigger failed, no",
            "sns trigger failed, no",
        ]

    drive(StptuiApp(async_trigger_session(tmp_path)), script, size=(200, 60))


# A database as real configs write it (its engine's properties over 72 characters of JSON)
# and an event bus whose archive's long description passes the page's limit.
LONG_VALUES = """\
resources:
  orders:
    type: relational-database
    properties:
      credentials: {masterUserPassword: secret-password-1}
      engine:
        type: aurora-postgresql-serverless-v2
        properties:
          version: '16.4'
          dbName: orders
          minCapacity: 0.5
          maxCapacity: 4
  events:
    type: event-bus
    properties:
      archivation: {enabled: true, retentionDays: 30}
      eventSourceName: DESCRIPTION
"""


def test_a_property_is_shown_whole_up_to_480_characters_then_says_what_is_cut(
    tmp_path: Path,
) -> None:
    """A value cut at 72 characters hid a third of the real configs' properties: a
    database's engine version among them. The page wraps the JSON between its tokens."""
    long_name = "x" * 600
    (tmp_path / "stacktape.yml").write_text(
        LONG_VALUES.replace("DESCRIPTION", long_name), encoding="utf-8"
    )
    s = Session.open(tmp_path, start_ms=START)
    g = build_graph(s.stack)
    db = describe_resource("orders", s.stack, g, s.sim, [], s.start_ms).plain
    # Whole, on lines wrapped between its tokens.
    assert '"version":"16.4"' in db and '"maxCapacity":4}}' in " ".join(db.split())
    bus = describe_resource("events", s.stack, g, s.sim, [], s.start_ms).plain
    # The JSON string (600 characters and its quotes) up to the limit, then what is cut.
    more = len(long_name) + 2 - (PROPERTY_LIMIT - 1)
    assert f'eventSourceName: "{"x" * (PROPERTY_LIMIT - 2)}… ({more} more characters)' in bus


# A queue, a function, a batch job and an HTTP API, none with the properties the Inspector
# lists written: each value is a default, and whose it is matters (a queue's size limit is
# SQS's 1 MiB since 2025: Stacktape's types still say 262,144, a value it never sets).
UNWRITTEN = """\
resources:
  jobs: {type: sqs-queue}
  api: {type: http-api-gateway}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.py}}
  heavy:
    type: batch-job
    properties:
      container:
        packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: h.py}}
      resources: {cpu: 1, memory: 1024}
"""


def test_each_default_in_the_inspector_says_whose_it_is(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(UNWRITTEN, encoding="utf-8")
    s = Session.open(tmp_path, start_ms=START)
    g = build_graph(s.stack)

    def lines(name: str) -> list[str]:
        page = describe_resource(name, s.stack, g, s.sim, [], s.start_ms).plain
        return [" ".join(line.split()) for line in page.splitlines()]

    queue = lines("jobs")
    # Stacktape passes each queue property through as written and SQS fills in the rest.
    for shown in (
        "visibilityTimeoutSeconds: 30 (AWS default)",
        "messageRetentionPeriodSeconds: 345600 (AWS default)",
        "delayMessagesSecond: 0 (AWS default)",
        "maxMessageSizeBytes: 1048576 (AWS default)",
        "longPollingSeconds: 0 (AWS default)",
    ):
        assert shown in queue
    assert not any("Stacktape default" in line for line in queue)
    # Stacktape's own: its RESOURCE_DEFAULTS, its batch state machine, its payload format.
    worker = lines("worker")
    assert "timeout: 20 (Stacktape default)" in worker
    assert "memory: 1024 (Stacktape default)" in worker
    assert "attempts: 1 (Stacktape default)" in lines("heavy")
    assert "payloadFormat: 1.0 (Stacktape default)" in lines("api")
