"""A function's log stream as CloudWatch shows it around the init phase of a new execution
environment: Lambda's INIT_START line first in each new environment's stream, and the
`Init Duration` field in the REPORT line of its first invocation (a cold start) only, which
is what a filter counting cold starts looks for (docs/fidelity.md, "CloudWatch Logs")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stptui.commands import Session, execute
from stptui.commands.result import render_plain
from stptui.sim import trace as tk
from stptui.sim.clock import parse_instant
from stptui.sim.logs import report_line

START = "2026-01-05T08:00:00Z"
T0 = parse_instant(START)
PACKAGING = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: %s}}"
BEHAVIORS = "behaviors:\n  worker:\n    duration: 200ms\n"
INIT_START = re.compile(
    r"INIT_START Runtime Version: (\S+)\t"
    r"Runtime Version ARN: arn:aws:lambda:([a-z0-9-]+)::runtime:([0-9a-f]{64})\n"
)


def stack_yaml(*, entry: str = "a.py", runtime: str | None = None, filter_: str | None = None):
    """`worker`, and when `filter_` is given `counter` subscribed to its log group with it."""
    text = (
        "serviceName: app\nresources:\n"
        f"  worker:\n    type: function\n    properties:\n      {PACKAGING % entry}\n"
    )
    if runtime:
        text += f"      runtime: {runtime}\n"
    if filter_ is not None:
        text += (
            f"  counter:\n    type: function\n    properties:\n      {PACKAGING % 'b.ts'}\n"
            "      events:\n        - type: cloudwatch-log\n          properties:\n"
            "            logGroupArn: $ResourceParam('worker', 'logGroupArn')\n"
            f"            filter: '{filter_}'\n"
        )
    return text


def session(tmp_path: Path, stack: str, **options: str) -> Session:
    (tmp_path / "stacktape.yml").write_text(stack, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(BEHAVIORS, encoding="utf-8")
    return Session.open(tmp_path, start_ms=T0, **options)


def messages(s: Session) -> list[str]:
    return [ev.message for ev in s.sim.services["logs"].group("worker").recent(100)]


def records(s: Session, kind: str) -> list[dict[str, object]]:
    return [dict(r.data, t=r.t) for r in s.sim.trace.records if r.kind == kind]


def test_show_logs_has_init_start_and_init_duration_for_the_cold_start_only(
    tmp_path: Path,
) -> None:
    s = session(tmp_path, stack_yaml(runtime="python3.12"))
    execute(s, "invoke worker")
    execute(s, "invoke worker")
    lines = messages(s)
    assert [line.split(" ")[0] for line in lines] == [
        "INIT_START",
        "START",
        "END",
        "REPORT",
        "START",
        "END",
        "REPORT",
    ]
    init = INIT_START.fullmatch(lines[0])
    assert init is not None and init.groups()[:2] == ("python:3.12.mainlinev2.v11", "us-east-1")
    # The cold start's REPORT line has the field, before the line's end; the warm one's not.
    assert lines[3].endswith("\tMax Memory Used: 72 MB\tInit Duration: 0.00 ms\t\n")
    assert "Init Duration" not in lines[6]
    assert lines[6].endswith("\tMax Memory Used: 72 MB\t\n")
    shown = render_plain(execute(s, "show logs worker")).splitlines()
    assert "/aws/lambda/app-dev-worker: 1 log stream" in shown
    rows = [line for line in shown if line.startswith("2026-01-05T")]
    assert rows[0].startswith("2026-01-05T08:00:00.000Z  ")
    assert "INIT_START Runtime Version: python:3.12.mainlinev2.v11" in rows[0]
    assert [("Init Duration: 0.00 ms" in row) for row in rows if "REPORT" in row] == [True, False]


def test_the_init_phase_takes_no_virtual_time(tmp_path: Path) -> None:
    # A cold start's invocation starts when it is asked for and runs its behaviour's 200 ms,
    # as a warm start's does: the lines change, the timing does not.
    s = session(tmp_path, stack_yaml())
    execute(s, "invoke worker")
    execute(s, "invoke worker")
    started = [r["t"] for r in records(s, tk.INVOCATION_STARTED)]
    durations = [r["duration_ms"] for r in records(s, tk.INVOCATION_SUCCEEDED)]
    assert started == [T0, T0 + 200] and durations == [200, 200]
    events = s.sim.services["logs"].group("worker").recent(100)
    assert [ev.timestamp for ev in events[:2]] == [T0, T0]
    assert "\tBilled Duration: 200 ms\t" in events[3].message


def test_each_new_execution_environment_starts_its_stream_with_init_start(
    tmp_path: Path,
) -> None:
    # Two events at once run in two new environments; the third, later, in a warm one.
    s = session(tmp_path, stack_yaml())
    execute(s, "invoke worker '{}' --async")
    execute(s, "invoke worker '{}' --async")
    execute(s, "run")
    execute(s, "invoke worker")
    group = s.sim.services["logs"].group("worker")
    assert group.stream_count == 2
    events = group.recent(100)
    by_stream: dict[str, list[str]] = {}
    for ev in events:
        by_stream.setdefault(ev.stream, []).append(ev.message)
    assert sorted(by_stream) == sorted([group.stream(0), group.stream(1)])
    for stream_lines in by_stream.values():
        assert stream_lines[0].startswith("INIT_START ")
        assert sum(line.startswith("INIT_START ") for line in stream_lines) == 1
    reports = [ev.message for ev in events if ev.message.startswith("REPORT ")]
    assert ["Init Duration" in r for r in reports] == [True, True, False]


def test_a_filter_on_init_start_counts_cold_starts(tmp_path: Path) -> None:
    s = session(tmp_path, stack_yaml(filter_="INIT_START"))
    execute(s, "invoke worker '{}' --async")
    execute(s, "invoke worker '{}' --async")
    execute(s, "run")
    execute(s, "invoke worker")
    execute(s, "expect count log.matched worker subscriber=counter == 2")
    execute(s, "expect function.counter.invocations == 2")
    # Delivered with the first invocation's lines, when it ends, from its own stream.
    delivered = records(s, tk.LOG_DELIVERED)
    assert [r["t"] for r in delivered] == [T0 + 200, T0 + 200]
    group = s.sim.services["logs"].group("worker")
    assert sorted(str(r["stream"]) for r in delivered) == sorted([group.stream(0), group.stream(1)])
    # Each delivery is one environment's INIT_START event, stamped when the init ran.
    init_events = {ev.id: ev for ev in group.recent(100) if ev.message.startswith("INIT_START ")}
    assert sorted(str(i) for r in delivered for i in r["log_event_ids"]) == sorted(init_events)
    assert {ev.timestamp for ev in init_events.values()} == {T0}


def test_a_filter_on_init_duration_matches_only_the_cold_starts_report_lines(
    tmp_path: Path,
) -> None:
    s = session(tmp_path, stack_yaml(filter_='REPORT "Init Duration"'))
    for _ in range(3):
        execute(s, "invoke worker")
    matched = records(s, tk.LOG_MATCHED)
    first = records(s, tk.INVOCATION_STARTED)[0]["invocation_id"]
    assert [m["invocation_id"] for m in matched] == [first]
    assert str(matched[0]["message"]).startswith(f"REPORT RequestId: {first}\t")
    assert len(records(s, tk.LOG_SKIPPED)) == 1 + 3 * 3 - 1  # INIT_START, 3 lines each


@pytest.mark.parametrize(
    ("entry", "runtime", "version"),
    [
        ("a.py", None, "python:3.13.v14"),
        ("a.ts", None, "nodejs:24.v48"),
        ("a.ts", "nodejs20.x", "nodejs:20.v106"),
        ("a.py", "python3.11", "python:3.11.v109"),
        ("main.go", None, "provided:al2.v143"),
        ("main.go", "provided.al2", "provided:al2.v143"),
        ("Handler.java", "java17", "java:17.v66"),
    ],
)
def test_init_start_names_the_runtime_version_and_the_region(
    tmp_path: Path, entry: str, runtime: str | None, version: str
) -> None:
    s = session(tmp_path, stack_yaml(entry=entry, runtime=runtime), region="eu-west-1")
    execute(s, "invoke worker")
    init = INIT_START.fullmatch(messages(s)[0])
    assert init is not None and init.groups()[:2] == (version, "eu-west-1")


def test_one_runtime_version_has_one_arn(tmp_path: Path) -> None:
    arns = []
    for region in ("us-east-1", "eu-west-1"):
        where = tmp_path / region
        where.mkdir()
        s = session(where, stack_yaml(runtime="nodejs24.x"), region=region)
        execute(s, "invoke worker")
        init = INIT_START.fullmatch(messages(s)[0])
        assert init is not None
        arns.append(init.group(3))
    other = tmp_path / "other"
    other.mkdir()
    s = session(other, stack_yaml(runtime="nodejs22.x"))
    execute(s, "invoke worker")
    init = INIT_START.fullmatch(messages(s)[0])
    assert init is not None
    assert arns[0] == arns[1] != init.group(3)


def test_a_line_written_before_the_first_invocation_goes_into_a_stream_of_its_own(
    tmp_path: Path,
) -> None:
    # An environment's stream starts with INIT_START. A `log` line written before the
    # function has any environment makes none (the first invocation is still a cold start):
    # it goes into a stream of its own; later lines go into the newest environment's.
    s = session(tmp_path, stack_yaml(filter_=""))
    first = execute(s, "log worker 'before anything ran'")
    execute(s, "invoke worker")
    execute(s, "log worker 'after it ran'")
    group = s.sim.services["logs"].group("worker")
    own = str(first.data["stream"])
    assert group.stream_count == 2 and own == group.written_stream != group.stream(0)
    assert render_plain(first).startswith(f"wrote log event {first.data['log_event_id']} to {own}")
    by_stream: dict[str, list[str]] = {}
    for ev in group.recent(100):
        by_stream.setdefault(ev.stream, []).append(ev.message.split(" ")[0])
    assert by_stream == {
        own: ["before"],
        group.stream(0): ["INIT_START", "START", "END", "REPORT", "after"],
    }
    assert "\tInit Duration: 0.00 ms\t" in messages(s)[-2]
    # `show logs` says so: two streams, the environment's lines under its own tail.
    shown = render_plain(execute(s, "show logs worker")).splitlines()
    assert "/aws/lambda/app-dev-worker: 2 log streams" in shown
    rows = [row.split("  ")[1:3] for row in shown if row.startswith("2026-01-05T")]
    assert rows[0] == [own[-8:], "before anything ran"]
    assert rows[1][0] == group.stream(0)[-8:] and rows[1][1].startswith("INIT_START ")
    # The subscription gets the line alone, at once, from its stream; the environment's
    # lines, INIT_START first, from the other when the invocation ends.
    delivered = records(s, tk.LOG_DELIVERED)
    assert [(r["t"], r["stream"], r["count"]) for r in delivered] == [
        (T0, own, 1),
        (T0 + 200, group.stream(0), 4),
        (T0 + 200, group.stream(0), 1),
    ]
    init = next(ev for ev in group.recent(100) if ev.message.startswith("INIT_START "))
    assert delivered[1]["log_event_ids"][0] == init.id


def test_the_report_line_bills_the_init_phase() -> None:
    # A timed-out cold start as CloudWatch Logs returned it in September 2025: 3000 ms of
    # duration and 67.49 ms of init billed as 3068 ms (whole milliseconds here).
    assert report_line("r1", 3000, 128, timed_out=True, init_ms=68) == (
        "REPORT RequestId: r1\tDuration: 3000.00 ms\tBilled Duration: 3068 ms\t"
        "Memory Size: 128 MB\tMax Memory Used: 72 MB\tInit Duration: 68.00 ms\t"
        "Status: timeout\n"
    )
    assert "Init Duration" not in report_line("r1", 3000, 128)
