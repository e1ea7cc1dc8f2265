"""The benchmark scripts measure what they say: the event-source benchmark's counts come from
the year it times, and its floor does exactly that much work; the state-machine benchmark's
scenarios run the workflows it names to their end, and its quick mode runs every scenario;
the handlers benchmark runs its Python handlers, not declared behaviours in their place."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)

from stptui.commands import execute

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def load(name: str) -> ModuleType:
    # As `python benchmarks/NAME.py` does: the script's folder is on the path, for the
    # modules the benchmarks share (baseline, stackgen).
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_the_year_benchmark_counts_the_year_it_times() -> None:
    bench = load("bench_event_sources")
    _, events, fires = bench.year_of_schedules()
    assert fires == 730  # the 9 AM report and the 2 AM job, every day of 2026
    counted_events, records, ids = bench.year_work()
    assert counted_events == events == 1825
    # Per day: 7 records for the report's fire and invocation, the job's fire, submission,
    # attempt and success; 6 ids (2 events, an async event, an invocation, an execution and
    # its Batch job).
    assert (records, ids) == (7 * 365, 6 * 365)
    plan = bench.floor_plan(events, records, ids)
    assert len(plan) == events
    assert sum(len(r) for r, _ in plan) == records and sum(len(i) for _, i in plan) == ids
    assert {len(r) for r, _ in plan} == {1, 2}  # evenly: one or two records a step


def test_the_state_machine_benchmark_runs_its_scenarios_to_their_end(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bench = load("bench_state_machines")
    _, sim = bench.workflow(60)
    figures = sim.services["state_machines"]["orderFlow"].figures()
    assert figures["started"] == 60 and figures["running"] == 0
    # Orders over 500 fail at the Choice, the flaky provider makes Retry and Catch run.
    assert figures["succeeded"] > 0 and figures["failed"] > 0
    assert sim.trace.count("sfn.retry") > 0 and sim.trace.count("sfn.caught") > 0

    for limit in (0, 40):
        _, sim, ex = bench.inline_map(300, limit)
        assert ex.status == "SUCCEEDED", ex.cause
        assert bench._transitions(sim) == 301  # the Map, and the Pass state of each item

    _, sim, ex = bench.distributed_map(950, 100)
    assert ex.status == "SUCCEEDED", ex.cause
    counted = ex.output["counted"]
    assert [c["rows"] for c in counted] == [100] * 9 + [50]
    assert {c["run"] for c in counted} == {"r-1"}

    _, _, ex = bench.runaway_loop()
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime")
    assert len(ex.history) >= 25_000

    assert bench.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert out.count("a bare step per") == 5 and "bytes an event" in out


def test_the_failing_consumers_benchmark_runs_consumers_that_fail_every_attempt() -> None:
    bench = load("bench_failing_consumers")
    counts = {}
    for name, scenario in bench.SCENARIOS.items():
        s = bench.session()
        scenario(s, 6)
        trace = s.sim.trace
        assert trace.count("invocation.succeeded") == 0, name
        counts[name] = (
            trace.count("invocation.started"),
            trace.count("invocation.failed"),
            trace.count("kafka.batch_retried") + trace.count("stream.batch_retried"),
        )
    # 6 hours of a partition or shard blocked by one record: an attempt every 1.1 s (100 ms,
    # then the next read a second later), each failed and retried (the last may still run);
    # Kafka's first read waits for its 500 ms batching window. A table's stream is polled
    # every 250 ms: an attempt every 350 ms.
    hours = 6 * 3_600_000
    first = {"Kafka partition": 500, "Kinesis shard": 0, "DynamoDB stream": 0}
    every = {"Kafka partition": 1_100, "Kinesis shard": 1_100, "DynamoDB stream": 350}
    for name in first:
        started, failed, retried = counts[name]
        assert started == (hours - first[name]) // every[name] + 1, name
        assert started - 1 <= failed == retried <= started, name
    # 100 messages in batches of 10, received again each time their 30 s visibility timeout
    # ends: 5 pollers at first, so two waves of 5 batches 100 ms apart; 6 hours are 720
    # rounds of both waves and the first wave of the next, still running.
    started, failed, retried = counts["SQS queue, no DLQ"]
    assert started == 720 * 10 + 5 and failed == started - 5 and retried == 0


def test_the_load_benchmark_runs_every_repetition_it_counts() -> None:
    bench = load("bench_load")
    sent = {}
    for name, (scenario, _, _) in bench.SCENARIOS.items():
        s = bench.session()
        scenario(s, 40)
        trace = s.sim.trace
        assert trace.count("repeat.refused") == 0, name
        sent[name] = trace.count("message.sent")
        if name != "burst send, no consumer":
            # Run out: the worker took every job and succeeded, none is left in the queue.
            assert trace.count("message.deleted", "jobQueue") == 40, name
            assert s.sim.queue("jobQueue").messages == {}, name
    assert sent == dict.fromkeys(bench.SCENARIOS, 40)
    s = bench.session()
    bench.http(s, 40)
    statuses = {r.data["status"] for r in s.sim.trace.records if r.kind == "http.response"}
    assert statuses == {202}  # every request reached the function: none throttled


def test_the_handlers_benchmark_runs_the_handlers_it_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bench = load("bench_handlers")
    for name, (function, _, _) in bench.SCENARIOS.items():
        _, s = bench.run(tmp_path, function, 40)
        trace = s.sim.trace
        # One a millisecond, 10 ms each: none throttled, every one run to its end.
        assert trace.count("invocation.succeeded", function) == 40, name
        assert trace.count("invocation.throttled") == trace.count("invocation.failed") == 0
        # The sender's two writes a call: context.send and boto3's send_message.
        assert trace.count("message.sent", "jobs") == (80 if function == "sender" else 0)
        response = execute(s, f"invoke {function} '{{}}'").data["response"]
        # The handlers ran, not a declared behaviour in their place.
        assert (response == {"ok": True}) == (function != "declared"), name
    before = dict(os.environ)
    bench.main(["--quick"])
    assert dict(os.environ) == before  # the padded shell is gone again
    out = capsys.readouterr().out
    assert out.count("x a bare step") == 3 and out.count("x the declared behaviour") == 2


def test_the_inspect_benchmark_looks_at_one_message_of_a_trace_it_keeps_whole(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bench = load("bench_inspect")
    s, mid = bench.session_of(10_000)
    ring = s.sim.trace.records
    # Every record kept (the ring is larger than the trace), five a message run out.
    assert ring.first_seq == 1 and 9_900 <= len(ring) <= 10_100
    history = execute(s, f"show message {mid}").data["history"]
    assert [r["kind"] for r in history] == [
        "message.sent",
        "message.received",
        "invocation.started",
        "message.deleted",
    ]
    # The message looked at is run in the middle of the trace, not at an end of the ring
    # (a burst's sends all come first).
    assert len(ring) // 3 < history[-1]["seq"] < 2 * len(ring) // 3
    chain = execute(s, f"explain {mid}").data["records"]
    assert [r["kind"] for r in chain][-2:] == ["invocation.succeeded", "message.deleted"]
    bench.main(["--quick", "--rounds", "2"])
    out = capsys.readouterr().out
    assert out.count("first") == 4
    assert "show message: 100,000 records / 10,000 records = " in out
    assert "explain: 100,000 records / 10,000 records = " in out


def test_the_repl_benchmark_types_its_lines_in_each_phase() -> None:
    bench = load("bench_repl")
    phases = bench.measure(40)
    assert len(phases) == len(bench.PHASES)
    # Each phase's worst key press is one of the lines it types, cut at a character.
    for phase in phases:
        for seconds, text in (phase.bare, phase.whole):
            assert seconds > 0
            assert any(line.startswith(text) for line in bench.LINES)
        assert phase.whole[0] >= phase.bare[0]


def test_the_tui_benchmark_times_a_launch_to_its_screen_drawn_complete() -> None:
    bench = load("bench_tui")
    launch = asyncio.run(bench.launch_once())
    # One write changed the terminal's cells: the screen complete (the test of that frame is
    # tests/test_tui_launch_frames.py); the stack's opening is inside the time to it.
    assert launch.frames == 1 and launch.first == launch.last
    assert 0 < launch.opened < launch.last and launch.layouts >= 1
