"""A batch job's CloudWatch Logs group: each attempt's container writes what it prints (and
nothing of AWS's own) to a stream `batch/default/{ECS task id}` of its own (Stacktape's
`awslogs-stream-prefix` is `batch`) in Stacktape's group `/stp/{stack}/batch/{job}/process-logs`,
and the group's subscription filters deliver those lines as they do a function's."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from stptui.commands import Session, execute
from stptui.config import load_stack_text
from stptui.graph import build_graph
from stptui.sim import trace as tk
from stptui.sim.asl_jobs import describe_job
from stptui.sim.clock import parse_instant
from stptui.sim.logs import decode_awslogs
from stptui.sim.services.state_machine import lookup_machine

START = "2026-01-05T08:00:00Z"
T0 = parse_instant(START)
CONTAINER = (
    "      container: {packaging: {type: prebuilt-image, properties: {image: x}}}\n"
    "      resources: {cpu: 1, memory: 1024}\n"
)
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: b.ts}}"
STREAM = re.compile(r"batch/default/[0-9a-f]{32}")
GROUP = "/stp/app-dev/batch/nightly/process-logs"
LINES = "log: [\"'INFO starting'\", \"'ERROR disk full'\"]"


def stack(*, group: str = "nightly", attempts: int = 2, logging: str = "") -> str:
    """`nightly`, a batch job, and `alerter`, a function subscribed with the filter ERROR to
    the log group of `group`."""
    return (
        "serviceName: app\nresources:\n"
        "  nightly:\n    type: batch-job\n    properties:\n"
        + CONTAINER
        + f"      retryConfig: {{attempts: {attempts}, retryIntervalSeconds: 60}}\n"
        + logging
        + "  alerter:\n    type: function\n    properties:\n"
        + f"      {PKG}\n"
        + "      events:\n        - type: cloudwatch-log\n          properties:\n"
        + f"            logGroupArn: $ResourceParam('{group}', 'logGroupArn')\n"
        + "            filter: ERROR\n"
    )


def session(where: Path, text: str, behaviors: str, allow_code: bool = False) -> Session:
    where.mkdir(parents=True, exist_ok=True)
    (where / "stacktape.yml").write_text(text, encoding="utf-8")
    (where / "stptui.yml").write_text(behaviors, encoding="utf-8")
    return Session.open(where, start_ms=T0, allow_code=allow_code)


def records(s: Session, kind: str) -> list[dict[str, Any]]:
    return [dict(r.data, t=r.t) for r in s.sim.trace.records if r.kind == kind]


def test_each_attempt_writes_its_own_lines_to_a_stream_of_its_own(tmp_path: Path) -> None:
    behaviors = f"behaviors:\n  nightly:\n    duration: 2s\n    fail: {{first: 1}}\n    {LINES}\n"
    s = session(tmp_path, stack(), behaviors)
    execute(s, "start-job nightly")
    execute(s, "run")
    group = s.sim.services["logs"].group("nightly")
    assert group.name == GROUP
    events = group.recent(100)
    # Only what the container printed: no START/END/REPORT, no error line for the failure,
    # each line without a newline (the awslogs driver sends lines, not bytes).
    assert [ev.message for ev in events] == ["INFO starting", "ERROR disk full"] * 2
    starts = [r["t"] for r in records(s, tk.BATCH_ATTEMPT_STARTED)]
    assert [ev.timestamp for ev in events] == [starts[0]] * 2 + [starts[1]] * 2
    first, second = events[0].stream, events[2].stream
    assert STREAM.fullmatch(first) and STREAM.fullmatch(second) and first != second
    assert {events[1].stream, events[3].stream} == {first, second}
    assert group.stream_count == 2
    assert execute(s, "show logs nightly").text.startswith(f"{GROUP}: 2 log streams")


def test_lines_are_delivered_when_the_attempt_ends(tmp_path: Path) -> None:
    behaviors = f"behaviors:\n  nightly:\n    duration: 2s\n    {LINES}\n"
    s = session(tmp_path, stack(attempts=1), behaviors)
    got: list[Any] = []
    invoker = s.sim.async_invokers["alerter"]
    submit = invoker.submit
    invoker.submit = lambda event, trigger, source: (  # type: ignore[method-assign]
        got.append(event) or submit(event, trigger, source)
    )
    execute(s, "start-job nightly")
    execute(s, "run")
    (submitted,) = records(s, tk.BATCH_SUBMITTED)
    (delivered,) = records(s, tk.LOG_DELIVERED)
    assert delivered["t"] == T0 + 2_000
    (matched,) = records(s, tk.LOG_MATCHED)
    (skipped,) = records(s, tk.LOG_SKIPPED)
    assert matched["execution_id"] == skipped["execution_id"] == submitted["execution_id"]
    assert "invocation_id" not in matched
    (event,) = got
    data = decode_awslogs(event)
    assert data["logGroup"] == GROUP
    assert STREAM.fullmatch(data["logStream"])
    assert data["subscriptionFilters"] == ["app-dev-alerter-cloudwatch-log-0"]
    assert [(e["timestamp"], e["message"]) for e in data["logEvents"]] == [(T0, "ERROR disk full")]
    # `explain` on the execution follows its lines to the subscriber.
    text = execute(s, f"explain {submitted['execution_id']}").text
    assert "log.delivered" in text and "invocation.started" in text


def test_a_literal_arn_of_stacktapes_group_subscribes_and_aws_batchs_does_not() -> None:
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:"
    literal = stack().replace("$ResourceParam('nightly', 'logGroupArn')", arn + GROUP + ":*")
    loaded = load_stack_text(literal, "stacktape.yml")
    assert loaded.diagnostics == []
    assert build_graph(loaded).has_edge("nightly", "alerter")
    # AWS Batch's own default group, or the job's AWS name under /aws/batch/, is not where
    # Stacktape's job definition sends the container's output.
    for group in ("/aws/batch/job", "/aws/batch/app-dev-nightly"):
        text = stack().replace("$ResourceParam('nightly', 'logGroupArn')", arn + group)
        (warning,) = load_stack_text(text, "stacktape.yml").diagnostics
        assert warning.code == "log-group-unknown", group
        assert warning.hint == (
            f"a batch job's output goes to Stacktape's group {GROUP}, not to /aws/batch/...: "
            "write $ResourceParam('nightly', 'logGroupArn')"
        )


def test_a_job_subscribed_to_its_own_group_is_stopped(tmp_path: Path) -> None:
    # The job itself subscribes to its own group: every attempt's line starts it again.
    text = (
        "serviceName: app\nresources:\n  nightly:\n    type: batch-job\n    properties:\n"
        + CONTAINER
        + "      events:\n        - type: cloudwatch-log\n          properties:\n"
        + "            logGroupArn: $ResourceParam('nightly', 'logGroupArn')\n"
    )
    s = session(tmp_path, text, "behaviors:\n  nightly:\n    log: \"'again'\"\n")
    execute(s, "start-job nightly")
    execute(s, "run")
    assert len(records(s, tk.LOG_DELIVERED)) == 16
    (stopped,) = records(s, tk.LOG_LOOP_STOPPED)
    assert stopped["depth"] == 17
    assert len(records(s, tk.BATCH_SUBMITTED)) == 17


def test_a_python_handlers_printed_lines_are_written(tmp_path: Path) -> None:
    (tmp_path / "printer.py").write_text(
        "def handle(event, context):\n    print('ERROR from python')\n    print('done')\n",
        encoding="utf-8",
    )
    behaviors = 'behaviors:\n  nightly: {handler: "printer:handle"}\n'
    s = session(tmp_path, stack(attempts=1), behaviors, allow_code=True)
    execute(s, "start-job nightly")
    execute(s, "run")
    messages = [ev.message for ev in s.sim.services["logs"].group("nightly").recent(10)]
    assert messages == ["ERROR from python", "done"]
    assert [r["message"] for r in records(s, tk.LOG_MATCHED)] == ["ERROR from python"]


def test_what_the_handler_module_prints_at_import_is_in_each_containers_stream(
    tmp_path: Path,
) -> None:
    """Each attempt runs a new container, whose process imports the module afresh: each
    container writes what the import printed and logged (no Lambda runtime: a warning is its
    bare message, through Python's last resort), before what the attempt itself prints
    (tests/test_batch_attempt_modules.py)."""
    (tmp_path / "printer.py").write_text(
        "import logging\n\nprint('ERROR at import')\nlogging.getLogger('printer').warning('warned at import')\n\n\n"
        "def handle(event, context):\n    print('attempt ran')\n    raise RuntimeError('x')\n",
        encoding="utf-8",
    )
    behaviors = 'behaviors:\n  nightly: {handler: "printer:handle"}\n'
    s = session(tmp_path, stack(attempts=2), behaviors, allow_code=True)
    execute(s, "start-job nightly")
    execute(s, "run")
    events = s.sim.services["logs"].group("nightly").recent(10)
    assert [ev.message for ev in events] == [
        "ERROR at import",
        "warned at import",
        "attempt ran",
    ] * 2
    first, second = events[0].stream, events[3].stream
    assert {ev.stream for ev in events[:3]} == {first} and second != first
    assert {ev.stream for ev in events[3:]} == {second}
    assert [r["message"] for r in records(s, tk.LOG_MATCHED)] == ["ERROR at import"] * 2
    starts = [r["t"] for r in records(s, tk.BATCH_ATTEMPT_STARTED)]
    init = [r for r in records(s, tk.HANDLER_LOG) if "execution_id" not in r]
    assert init == [
        {"text": text, "t": t} for t in starts for text in ("ERROR at import", "warned at import")
    ]


def test_log_goes_to_the_newest_containers_stream(tmp_path: Path) -> None:
    s = session(tmp_path, stack(attempts=1), f"behaviors:\n  nightly:\n    {LINES}\n")
    before = execute(s, "log nightly 'ERROR before any attempt'").data["stream"]
    assert STREAM.fullmatch(before)
    execute(s, "start-job nightly")
    during = execute(s, "log nightly 'ERROR while it runs'").data["stream"]
    execute(s, "run")
    group = s.sim.services["logs"].group("nightly")
    assert group.stream_count == 2 and during != before
    attempt = [ev.stream for ev in group.recent(10) if ev.message == "ERROR disk full"]
    assert attempt == [during]


def test_no_ids_are_drawn_for_streams(tmp_path: Path) -> None:
    # The streams' task ids are hashes: a job with a log group draws the same ids from the
    # simulation's id stream as one with logging disabled.
    def ids(where: Path, logging: str) -> list[Any]:
        behaviors = f"behaviors:\n  nightly:\n    fail: {{first: 1}}\n    {LINES}\n"
        s = session(where, stack(group="alerter", logging=logging), behaviors)
        execute(s, "start-job nightly")
        execute(s, "start-job nightly")
        execute(s, "run")
        kept = (tk.BATCH_SUBMITTED, tk.BATCH_ATTEMPT_STARTED, tk.BATCH_SUCCEEDED)
        return [r.to_json() for r in s.sim.trace.records if r.kind in kept]

    logged = ids(tmp_path / "a", "")
    silent = ids(tmp_path / "b", "      logging: {disabled: true}\n")
    assert logged == silent and len(logged) == 7


def test_same_inputs_same_streams(tmp_path: Path) -> None:
    def run(where: Path) -> list[str]:
        s = session(
            where, stack(), f"behaviors:\n  nightly:\n    fail: {{first: 1}}\n    {LINES}\n"
        )
        execute(s, "start-job nightly")
        execute(s, "run")
        return [r.to_line() for r in s.sim.trace.records]

    assert run(tmp_path / "a") == run(tmp_path / "b")


SFN_STACK = (
    "serviceName: app\nresources:\n"
    "  nightly:\n    type: batch-job\n    properties:\n"
    + CONTAINER
    + "  alerter:\n    type: function\n    properties:\n"
    + f"      {PKG}\n"
    + "      events:\n        - type: cloudwatch-log\n          properties:\n"
    + "            logGroupArn: $ResourceParam('nightly', 'logGroupArn')\n"
    + "            filter: ERROR\n"
    + "  flow:\n    type: state-machine\n    properties:\n      definition: DEFINITION\n"
)


def submit_flow(where: Path, behaviors: str, attempts: int) -> Session:
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::batch:submitJob.sync",
        "Parameters": {
            "JobDefinition": "arn:aws:batch:us-east-1:123456789012:job-definition/app-dev-nightly-job-definition:1",
            "JobName": "n-1",
            "JobQueue": "arn:aws:batch:us-east-1:123456789012:job-queue/q",
            "RetryStrategy": {"Attempts": attempts},
        },
        "End": True,
    }
    machine = json.dumps({"StartAt": "T", "States": {"T": task}})
    return session(where, SFN_STACK.replace("DEFINITION", machine), behaviors)


def test_a_submitted_jobs_attempts_write_to_a_stream_each(tmp_path: Path) -> None:
    # AWS Batch's retries of one submitted job keep its job id, but each runs a new container.
    s = submit_flow(tmp_path, f"behaviors:\n  nightly:\n    fail: {{first: 1}}\n    {LINES}\n", 2)
    ex = lookup_machine(s.sim, "flow").start({}, "e1")
    s.sim.advance(10_000)
    assert ex.status == "SUCCEEDED"
    events = s.sim.services["logs"].group("nightly").recent(10)
    assert [ev.message for ev in events] == ["INFO starting", "ERROR disk full"] * 2
    assert len({ev.stream for ev in events}) == 2
    assert len(records(s, tk.LOG_DELIVERED)) == 2


def test_a_terminated_jobs_lines_are_kept_and_delivered(tmp_path: Path) -> None:
    s = submit_flow(tmp_path, f"behaviors:\n  nightly:\n    duration: 1h\n    {LINES}\n", 1)
    lookup_machine(s.sim, "flow").start({}, "e1")
    s.sim.advance(1_000)
    execute(s, "stop-execution e1")
    (delivered,) = records(s, tk.LOG_DELIVERED)
    assert delivered["t"] == T0 + 1_000
    assert [r["error"] for r in records(s, tk.BATCH_FAILED)] == ["JobTerminated"]
    s.sim.advance(2 * 3_600_000)
    assert len(records(s, tk.LOG_DELIVERED)) == 1, "the cancelled end writes nothing again"


@settings(max_examples=20, deadline=None)
@given(attempts=st.integers(1, 5), failures=st.integers(0, 6), lines=st.integers(0, 3))
def test_one_stream_per_attempt_and_every_line_kept(
    attempts: int, failures: int, lines: int
) -> None:
    log = json.dumps([f"'line {i}'" for i in range(lines)])
    fail = f"    fail: {{first: {failures}}}\n" if failures else ""
    behaviors = f"behaviors:\n  nightly:\n{fail}    log: {log}\n"
    with tempfile.TemporaryDirectory() as tmp:
        s = session(Path(tmp), stack(attempts=attempts), behaviors)
        execute(s, "start-job nightly")
        execute(s, "run")
    ran = len(records(s, tk.BATCH_ATTEMPT_STARTED))
    assert ran == min(failures + 1, attempts)
    group = s.sim.services["logs"].group("nightly")
    assert group.stream_count == ran
    events = group.recent(1_000)
    assert len(events) == ran * lines
    assert len({ev.stream for ev in events}) == (ran if lines else 0)
    ids = [int(ev.id) for ev in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_describe_jobs_names_each_attempts_log_stream(tmp_path: Path) -> None:
    # A `.sync` task's output is DescribeJobs' job: each attempt's Container.LogStreamName
    # (AttemptContainerDetail) and the job's own (its newest attempt's), the streams that
    # `show logs` lists the attempts' lines under, keys in alphabetical order.
    s = submit_flow(tmp_path, f"behaviors:\n  nightly:\n    fail: {{first: 1}}\n    {LINES}\n", 2)
    ex = lookup_machine(s.sim, "flow").start({}, "e1")
    s.sim.advance(10_000)
    assert ex.status == "SUCCEEDED"
    first, second = ex.output["Attempts"]
    assert list(first["Container"]) == ["ExitCode", "LogStreamName"]
    assert list(ex.output["Container"]) == [
        "Environment",
        "ExitCode",
        "LogStreamName",
        "ResourceRequirements",
    ]
    streams = [first["Container"]["LogStreamName"], second["Container"]["LogStreamName"]]
    assert all(STREAM.fullmatch(name) for name in streams) and streams[0] != streams[1]
    assert ex.output["Container"]["LogStreamName"] == streams[1]
    shown = execute(s, "show logs nightly").data["events"]
    assert [ev["stream"] for ev in shown] == [streams[0]] * 2 + [streams[1]] * 2


def test_a_terminated_attempt_has_its_log_stream_and_no_exit_code(tmp_path: Path) -> None:
    s = submit_flow(tmp_path, f"behaviors:\n  nightly:\n    duration: 1h\n    {LINES}\n", 1)
    lookup_machine(s.sim, "flow").start({}, "e1")
    s.sim.advance(1_000)
    execute(s, "stop-execution e1")
    (delivered,) = records(s, tk.LOG_DELIVERED)
    (job,) = s.sim.services["batch"].jobs["nightly"].recent
    (attempt,) = describe_job(s.sim, job)["Attempts"]
    assert attempt["Container"] == {"LogStreamName": delivered["stream"]}


def test_a_job_without_a_log_group_has_no_log_stream_name(tmp_path: Path) -> None:
    text = SFN_STACK.replace(CONTAINER, CONTAINER + "      logging: {disabled: true}\n")
    machine = json.dumps(
        {
            "StartAt": "T",
            "States": {
                "T": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::batch:submitJob.sync",
                    "Parameters": {
                        "JobDefinition": "app-dev-nightly-job-definition",
                        "JobName": "n",
                        "JobQueue": "q",
                    },
                    "End": True,
                }
            },
        }
    )
    s = session(tmp_path, text.replace("DEFINITION", machine), "behaviors: {}\n")
    ex = lookup_machine(s.sim, "flow").start({}, "e1")
    s.sim.advance(10_000)
    assert ex.status == "SUCCEEDED"
    assert "LogStreamName" not in ex.output["Container"]
    assert ex.output["Attempts"][0]["Container"] == {"ExitCode": 0}
