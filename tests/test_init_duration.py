"""`initDuration`: a function's new execution environments spend that long in Lambda's init
phase before their first invocation's handler starts (docs/behaviors.md, "initDuration";
docs/fidelity.md, "Cold starts"). What waits on a cold invocation waits that much longer, a
warm one pays nothing, the REPORT line says so and bills it, the function's timeout counts
from the handler's start, and the handler's clock reads the end of the init phase."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stptui.commands import Session, execute
from stptui.commands.result import render_plain
from stptui.config import load_stack_text
from stptui.sim import trace as tk
from stptui.sim.behavior import Behaviors
from stptui.sim.engine import Simulator
from stptui.sim.services.http import HttpResponse
from stptui.sim.services.state_machine import lookup_machine
from tests.simkit import START, make_sim, records

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}"


def http_stack(timeout: int = 10, extra: str = "") -> str:
    """`api`, answering GET /hi of the HTTP API `gw`."""
    route = {"httpApiGatewayName": "gw", "method": "GET", "path": "/hi", "payloadFormat": "2.0"}
    return (
        "resources:\n  gw:\n    type: http-api-gateway\n"
        f"  api:\n    type: function\n    properties:\n      {PKG}\n"
        f"      timeout: {timeout}\n{extra}"
        f"      events:\n        - {json.dumps({'type': 'http-api-gateway', 'properties': route})}\n"
    )


def behaviors(duration: str = "100ms", init: str = "800ms", name: str = "api") -> str:
    return f"behaviors:\n  {name}:\n    duration: {duration}\n    initDuration: {init}\n"


def call(sim: Simulator) -> HttpResponse:
    return sim.services["http"].call("GET", "/hi", None)


def report_lines(sim: Simulator, fn: str = "api") -> list[str]:
    group = sim.services["logs"].group(fn)
    return [e.message for e in group.recent(100) if e.message.startswith("REPORT")]


def test_a_cold_http_request_waits_for_the_init_phase_and_a_warm_one_does_not() -> None:
    sim = make_sim(http_stack(), behaviors())
    cold = call(sim)
    assert (cold.status, cold.latency_ms) == (200, 900)
    warm = call(sim)
    assert (warm.status, warm.latency_ms) == (200, 100)
    # The trace's duration is the handler's, as REPORT's; the cold start's record adds init.
    ended = records(sim, tk.INVOCATION_SUCCEEDED, "api")
    assert [(r.get("duration_ms"), r.get("init_ms")) for r in ended] == [(100, 800), (100, None)]


def test_the_report_line_gives_and_bills_the_init_phase_and_start_comes_after_it() -> None:
    sim = make_sim(http_stack(), behaviors())
    call(sim)
    call(sim)
    cold, warm = report_lines(sim)
    assert "\tDuration: 100.00 ms\tBilled Duration: 900 ms\t" in cold
    assert cold.endswith("\tInit Duration: 800.00 ms\t\n")
    assert "\tBilled Duration: 100 ms\t" in warm and "Init Duration" not in warm
    events = sim.services["logs"].group("api").recent(100)
    stamps = {e.message.split(" ")[0]: e.timestamp - START for e in events[:4]}
    assert stamps == {"INIT_START": 0, "START": 800, "END": 900, "REPORT": 900}


def test_an_api_gateway_timeout_is_hit_only_on_a_cold_start() -> None:
    sim = make_sim(http_stack(timeout=30), behaviors(duration="29500ms", init="1s"))
    cold = call(sim)
    assert (cold.status, cold.latency_ms) == (503, 30_000)
    sim.run(60_000)  # the cold invocation goes on, and succeeds at 30.5 s
    warm = call(sim)
    assert (warm.status, warm.latency_ms) == (200, 29_500)


def test_a_burst_makes_one_environment_per_concurrent_invocation_each_paying_init() -> None:
    sim = make_sim(http_stack(), behaviors())
    for _ in range(3):
        sim.invoke_async("api", {}, "invoke", "cli")
    sim.run(10_000)
    assert [line.endswith("Init Duration: 800.00 ms\t\n") for line in report_lines(sim)] == [
        True
    ] * 3
    assert [r.t - START for r in records(sim, tk.INVOCATION_SUCCEEDED, "api")] == [900] * 3
    # Once they are free, a second burst of three runs warm in them.
    for _ in range(3):
        sim.invoke_async("api", {}, "invoke", "cli")
    sim.run(20_000)
    assert [r.get("init_ms") for r in records(sim, tk.INVOCATION_SUCCEEDED, "api")][3:] == [
        None
    ] * 3


def test_the_functions_timeout_does_not_count_the_init_phase() -> None:
    # 800 ms of init and 900 ms of handler fit a 1 s timeout: only the handler is timed.
    sim = make_sim(http_stack(timeout=1), behaviors(duration="900ms"))
    resp = call(sim)
    assert (resp.status, resp.latency_ms) == (200, 1700)
    slow = make_sim(http_stack(timeout=1), behaviors(duration="1200ms"))
    resp = call(slow)
    assert (resp.status, resp.latency_ms) == (500, 1800)  # timed out 1 s after the init
    [failed] = records(slow, tk.INVOCATION_FAILED, "api")
    assert (failed.get("timeout"), failed.get("duration_ms"), failed.get("init_ms")) == (
        True,
        1000,
        800,
    )
    assert report_lines(slow)[0].endswith("\tInit Duration: 800.00 ms\tStatus: timeout\n")


def test_an_environment_in_its_init_phase_counts_against_concurrency() -> None:
    sim = make_sim(http_stack(extra="      reservedConcurrency: 1\n"), behaviors())
    sim.invoke_async("api", {}, "invoke", "cli")
    sim.advance(500)  # still initialising
    assert sim.function_stats("api")["running"] == 1
    sim.invoke_async("api", {}, "invoke", "cli")
    sim.advance(100)
    assert len(records(sim, tk.INVOCATION_THROTTLED, "api")) == 1
    sim.run(10_000)  # the throttled event is retried once the first environment is free
    ended = records(sim, tk.INVOCATION_SUCCEEDED, "api")
    assert [r.get("init_ms") for r in ended] == [800, None]


def test_an_sqs_batch_outlives_its_visibility_only_on_a_cold_start() -> None:
    stack = (
        "resources:\n  jobs:\n    type: sqs-queue\n    properties: {visibilityTimeoutSeconds: 30}\n"
        f"  worker:\n    type: function\n    properties:\n      {PKG}\n      timeout: 30\n"
        "      reservedConcurrency: 1\n      events:\n        - type: sqs\n"
        "          properties: {sqsQueueName: jobs, batchSize: 1}\n"
    )
    sim = make_sim(stack, behaviors(duration="25s", init="8s", name="worker"))
    sim.send("jobs", "first")
    sim.run(120_000)
    # 8 s + 25 s outlast the 30 s visibility: the message returns and is received again,
    # this time by the warm environment, which finishes in 25 s.
    returned = records(sim, tk.MESSAGE_RETURNED)
    assert len(returned) == 1 and returned[0].t - START == 30_000
    inits = [r.get("init_ms") for r in records(sim, tk.INVOCATION_SUCCEEDED, "worker")]
    assert inits == [8000, None]


def test_a_step_functions_task_times_out_only_on_a_cold_start() -> None:
    definition = {
        "StartAt": "Work",
        "States": {
            "Work": {
                "Type": "Task",
                "Resource": {"Fn::GetAtt": ["WorkFunction", "Arn"]},
                "TimeoutSeconds": 2,
                "End": True,
            }
        },
    }
    stack = (
        f"resources:\n  work:\n    type: function\n    properties:\n      {PKG}\n"
        f"  flow:\n    type: state-machine\n    properties:\n"
        f"      definition: {json.dumps(definition)}\n"
    )
    sim = make_sim(stack, behaviors(duration="1500ms", init="1s", name="work"))
    machine = lookup_machine(sim, "flow")
    cold = machine.start({}, None)
    sim.run(10_000)
    assert (cold.status, cold.error) == ("FAILED", "States.Timeout")
    warm = machine.start({}, None)
    sim.run(20_000)
    assert warm.status == "SUCCEEDED"


def test_a_python_handlers_clock_reads_the_end_of_the_init_phase(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(
        "resources:\n  worker:\n    type: function\n    properties:\n"
        "      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.py}}\n",
        encoding="utf-8",
    )
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  worker:\n    handler: w:handler\n    initDuration: 2s\n", encoding="utf-8"
    )
    (tmp_path / "w.py").write_text(
        "import time\n\ndef handler(event, context):\n    return int(time.time() * 1000)\n",
        encoding="utf-8",
    )
    s = Session.open(tmp_path, start_ms=START, allow_code=True)
    cold = render_plain(execute(s, "invoke worker"))
    warm = render_plain(execute(s, "invoke worker"))
    # The cold handler starts once the 2 s init is over, and runs its 100 ms; the warm one
    # starts as it is invoked, when the cold one has ended.
    assert f"response: {START + 2000}\n" in cold and "succeeded in 2.1 s" in cold
    assert f"response: {START + 2100}\n" in warm and "succeeded in 100 ms" in warm


def test_with_logging_disabled_environments_are_still_counted() -> None:
    sim = make_sim(http_stack(extra="      logging: {disabled: true}\n"), behaviors())
    assert [call(sim).latency_ms for _ in range(2)] == [900, 100]


def test_describe_names_the_init_phase() -> None:
    sim = make_sim(http_stack(), behaviors())
    assert sim.behaviors.describe("api") == "100 ms; cold start 800 ms; always succeeds"


def test_a_range_draws_each_cold_starts_init_phase_from_the_seed() -> None:
    text = behaviors(init="{min: 200ms, max: 1500ms}")

    def burst(seed: int) -> list[tuple[int, int | None]]:
        sim = make_sim(http_stack(), text, seed=seed)
        assert (
            sim.behaviors.describe("api") == "100 ms; cold start 200 ms to 1.5 s; always succeeds"
        )
        for _ in range(6):
            sim.invoke_async("api", {}, "invoke", "cli")
        sim.run(10_000)
        sim.invoke_async("api", {}, "invoke", "cli")  # warm: no draw, no init
        sim.run(20_000)
        ended = records(sim, tk.INVOCATION_SUCCEEDED, "api")
        # Each ends its own draw after its start; the REPORT line gives and bills it.
        for r, line in zip(ended, report_lines(sim), strict=True):
            init = r.get("init_ms")
            assert r.t - START == (init or 0) + 100 or init is None
            assert (f"\tInit Duration: {init}.00 ms\t" in line) == (init is not None)
        return [(r.t - START, r.get("init_ms")) for r in ended]

    drawn = burst(3)
    inits = [init for _, init in drawn[:6]]
    assert all(init is not None and 200 <= init <= 1500 for init in inits)
    assert len(set(inits)) > 1 and drawn[6][1] is None
    assert burst(3) == drawn  # the same seed, the same draws
    assert burst(4) != drawn


BAD = [
    ("initDuration: 800", "4:19", "behavior-bad-duration", "the duration 800 has no unit"),
    ("initDuration: {min: 2s, max: 1s}", "4:19", "behavior-bad-duration", "min (2 s) is more"),
    ("initDuration: {min: 1s}", "4:19", "behavior-bad-duration", "the range needs `max`"),
    ("initDuration: soon", "4:19", "behavior-bad-duration", "bad duration"),
    ("initDurations: 1s", "4:5", "behavior-unknown-key", "did you mean 'initDuration'?"),
]


@pytest.mark.parametrize(("line", "where", "code", "words"), BAD)
def test_a_bad_init_duration_is_an_error_at_its_position(
    line: str, where: str, code: str, words: str
) -> None:
    stack = load_stack_text(http_stack(), "stacktape.yml")
    text = f"behaviors:\n  api:\n    duration: 100ms\n    {line}\n"
    loaded, diags = Behaviors.from_text(text, "stptui.yml", stack)
    [diag] = [d for d in diags if d.severity == "error"]
    assert diag.format().startswith(f"stptui.yml:{where}: error {code} [api]: ")
    assert words in diag.format()
    assert loaded.init_duration("api") is None  # nothing of the bad value is kept


def test_init_duration_on_a_batch_job_or_a_container_is_refused() -> None:
    stack = load_stack_text(
        "resources:\n  job:\n    type: batch-job\n    properties:\n"
        "      container: {packaging: {type: stacktape-image-buildpack, "
        "properties: {entryfilePath: j.py}}}\n"
        "      resources: {cpu: 1, memory: 1024}\n",
        "stacktape.yml",
    )
    _, diags = Behaviors.from_text("behaviors:\n  job:\n    initDuration: 1s\n", "b.yml", stack)
    [diag] = [d.format() for d in diags if d.severity == "error"]
    assert diag.startswith("b.yml:3:5: error behavior-bad-value [job]: initDuration does not")


def test_an_sqs_burst_scales_out_to_new_environments_each_paying_init() -> None:
    stack = (
        "resources:\n  jobs:\n    type: sqs-queue\n"
        f"  worker:\n    type: function\n    properties:\n      {PKG}\n      events:\n"
        "        - type: sqs\n          properties: {sqsQueueName: jobs, batchSize: 1}\n"
    )
    sim = make_sim(stack, behaviors(duration="1s", init="2s", name="worker"))
    for i in range(5):
        sim.send("jobs", f"job {i}")
    sim.run(60_000)
    # The pollers take the five messages at once, each batch in an environment of its own,
    # and each pays the 2 s init: all end at 3 s, each REPORT line with its Init Duration.
    ended = records(sim, tk.INVOCATION_SUCCEEDED, "worker")
    assert [(r.t - START, r.get("init_ms")) for r in ended] == [(3000, 2000)] * 5
    lines = report_lines(sim, "worker")
    assert len(lines) == 5 and all(x.endswith("\tInit Duration: 2000.00 ms\t\n") for x in lines)


def explained(session: Session, invocation_id: object) -> list[str]:
    return render_plain(execute(session, f"explain {invocation_id}")).splitlines()


@pytest.mark.parametrize("logging", ["", "      logging: {disabled: true}\n"])
def test_explain_says_an_invocation_was_a_cold_start_and_what_its_init_delayed(
    tmp_path: Path, logging: str
) -> None:
    (tmp_path / "stacktape.yml").write_text(http_stack(extra=logging), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(behaviors(), encoding="utf-8")
    s = Session.open(tmp_path, start_ms=START)
    execute(s, "invoke api")
    execute(s, "invoke api")
    cold, warm = (r.get("invocation_id") for r in records(s.sim, tk.INVOCATION_STARTED, "api"))
    lines = explained(s, cold)
    assert lines[0] == (
        f"invocation {cold} ran in a new execution environment of api (a cold start: Lambda "
        "ran the init phase first); its init phase took 800 ms (initDuration), which delayed "
        "its handler: it started at 2026-01-05T08:00:00.800Z, 800 ms after the invocation"
    )
    assert lines[1].startswith("2026-01-05T08:00:00.000Z  invocation.started ")
    # A unique start of the id names it too; a warm start gets no such line.
    assert explained(s, str(cold)[:8])[0] == lines[0]
    assert explained(s, warm)[0].startswith("2026-01-05T08:00:00.900Z  invocation.started ")


def test_explain_says_a_cold_start_without_an_init_duration_took_no_time(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(http_stack(), encoding="utf-8")
    s = Session.open(tmp_path, start_ms=START)
    execute(s, "invoke api")
    [started] = records(s.sim, tk.INVOCATION_STARTED, "api")
    assert explained(s, started.get("invocation_id"))[0].endswith(
        "(a cold start: Lambda ran the init phase first); its init phase took no time (api "
        "has no initDuration in the behaviours file)"
    )


def stream_lines(sim: Simulator, fn: str = "api") -> list[str]:
    return [e.message for e in sim.services["logs"].group(fn).recent(100)]


def test_an_init_past_10_seconds_times_out_and_is_retried_within_the_invocation() -> None:
    # Lambda stops the init at 10 s (INIT_REPORT ... Status: timeout) and runs it again in the
    # first invocation, under the function's 30 s timeout: 12 s of retry, then the handler.
    sim = make_sim(http_stack(timeout=30), behaviors(init="12s"))
    assert call(sim).latency_ms == 10000 + 12000 + 100
    lines = stream_lines(sim)
    assert lines[0].startswith("INIT_START ")
    assert lines[1] == "INIT_REPORT Init Duration: 10000.00 ms\tPhase: init\tStatus: timeout\n"
    assert lines[2].startswith("START ")
    report = next(m for m in lines if m.startswith("REPORT "))
    # No Init Duration: the retried init is in Duration, as the suppressed init's lines show.
    assert "\tDuration: 12100.00 ms\t" in report and "Init Duration" not in report
    (ended,) = records(sim, tk.INVOCATION_SUCCEEDED, "api")
    assert (ended.get("init_ms"), ended.get("suppressed_init_ms")) == (10000, 12000)
    assert ended.t - START == 10000 + 12000 + 100
    # The environment is warm afterwards.
    assert call(sim).latency_ms == 100


def test_an_init_retry_past_the_functions_timeout_times_the_invocation_out() -> None:
    # A 5 s timeout cuts the 12 s retry off: Lambda reports it as Runtime.Unknown (lines
    # published in 2024), the invocation times out, and the next one inits again.
    sim = make_sim(http_stack(timeout=5), behaviors(init="12s"))
    call(sim)
    lines = stream_lines(sim)
    assert [m for m in lines if m.startswith("INIT_REPORT ")] == [
        "INIT_REPORT Init Duration: 10000.00 ms\tPhase: init\tStatus: timeout\n",
        "INIT_REPORT Init Duration: 5000.00 ms\tPhase: invoke\tStatus: error\t"
        "Error Type: Runtime.Unknown\n",
    ]
    (failed,) = records(sim, tk.INVOCATION_FAILED, "api")
    assert (failed.get("error"), failed.get("timeout")) == ("Sandbox.Timedout", True)
    assert failed.t - START == 15000


def test_explain_says_the_init_outlasted_lambdas_limit(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(http_stack(timeout=30), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(behaviors(init="12s"), encoding="utf-8")
    s = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    execute(s, "http GET /hi")
    (started,) = records(s.sim, tk.INVOCATION_STARTED, "api")
    text = render_plain(execute(s, f"explain {started.get('invocation_id')}"))
    assert "outlasted Lambda's 10 s limit" in text
