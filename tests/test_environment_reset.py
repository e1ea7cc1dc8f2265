"""An execution environment whose invocation timed out, or whose runtime exited, is reset:
the next invocation in it runs the init phase again within itself (a "suppressed init"),
which its REPORT line's Duration holds and the function's timeout counts; an error the
handler raises keeps the environment warm (docs/behaviors.md, "initDuration";
docs/fidelity.md, "Cold starts")."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import Session, execute
from stptui.commands.result import render_plain
from stptui.config import load_stack_text
from stptui.sim import trace as tk
from stptui.sim.behavior import Behaviors
from stptui.sim.engine import Simulator
from stptui.sim.trace import Trace
from tests.simkit import START, make_sim, records
from tests.test_init_duration import call, explained, http_stack, report_lines


def behaviors(extra: str, duration: str = "100ms", init: str = "800ms") -> str:
    return f"behaviors:\n  api:\n    duration: {duration}\n    initDuration: {init}\n{extra}"


def stamped(sim: Simulator) -> list[tuple[int, str, str]]:
    """(time after START, stream, first word) of each of api's log lines."""
    return [
        (e.timestamp - START, e.stream, e.message.split(" ")[0])
        for e in sim.services["logs"].group("api").recent(100)
    ]


def test_after_a_timeout_the_next_invocation_inits_again_in_the_same_stream() -> None:
    # The first invocation (a cold start: 800 ms of init) times out after its 1 s; the
    # second finds the environment free, but Lambda reset it: it inits again first.
    sim = make_sim(http_stack(timeout=1), behaviors("    timeout: {first: 1}\n"))
    assert [call(sim).latency_ms for _ in range(3)] == [1800, 900, 100]
    ended = [
        r for r in sim.trace.records if r.kind in (tk.INVOCATION_FAILED, tk.INVOCATION_SUCCEEDED)
    ]
    assert [
        (r.t - START, r.get("duration_ms"), r.get("init_ms"), r.get("suppressed_init_ms"))
        for r in ended
    ] == [(1800, 1000, 800, None), (2700, 900, None, 800), (2800, 100, None, None)]
    # One environment, one stream, one INIT_START: the suppressed init writes none, START
    # comes once it is over, and REPORT's Duration holds it without an Init Duration.
    lines = stamped(sim)
    assert {stream for _, stream, _ in lines} == {lines[0][1]}
    assert [(t, word) for t, _, word in lines] == [
        (0, "INIT_START"),
        (800, "START"),
        (1800, "END"),
        (1800, "REPORT"),
        (2600, "START"),
        (2700, "END"),
        (2700, "REPORT"),
        (2700, "START"),
        (2800, "END"),
        (2800, "REPORT"),
    ]
    timed_out, reinit, warm = report_lines(sim)
    assert timed_out.endswith("\tInit Duration: 800.00 ms\tStatus: timeout\n")
    assert "\tDuration: 900.00 ms\tBilled Duration: 900 ms\t" in reinit
    assert "Init Duration" not in reinit and "Init Duration" not in warm


def test_the_suppressed_init_counts_against_the_functions_timeout() -> None:
    # A cold start's 800 ms of init are outside the 1 s timeout; a suppressed init's are
    # inside it: the 300 ms handler fits after the first, not after the second.
    text = behaviors("    timeout: {first: 1}\n", duration="300ms")
    sim = make_sim(http_stack(timeout=1), text)
    first, second = call(sim), call(sim)
    assert (first.status, first.latency_ms) == (500, 1800)
    assert (second.status, second.latency_ms) == (500, 1000)
    [_, failed] = records(sim, tk.INVOCATION_FAILED, "api")
    assert (failed.get("duration_ms"), failed.get("suppressed_init_ms")) == (1000, 800)
    assert failed.get("error_message") == "Task timed out after 1.00 seconds"
    assert report_lines(sim)[1].endswith(
        "\tDuration: 1000.00 ms\tBilled Duration: 1000 ms\t"
        "Memory Size: 1024 MB\tMax Memory Used: 72 MB\t"
        "Status: timeout\n"
    )


def test_an_init_longer_than_the_timeout_times_out_every_invocation_after_a_reset() -> None:
    # The doom loop: once the runtime's exit resets the environment, a 1.5 s init never
    # fits the 1 s timeout, so each invocation times out in its init, its handler never
    # starts (no `log` line), and the environment is reset again.
    fail = "    fail: {first: 1, error: Runtime.ExitError}\n    log: [\"'handled'\"]\n"
    sim = make_sim(http_stack(timeout=1), behaviors(fail, init="1500ms"))
    assert [(r.status, r.latency_ms) for r in (call(sim) for _ in range(3))] == [
        (500, 1600),
        (500, 1000),
        (500, 1000),
    ]
    failed = records(sim, tk.INVOCATION_FAILED, "api")
    assert [
        (f.get("timeout"), f.get("duration_ms"), f.get("suppressed_init_ms")) for f in failed
    ] == [
        (False, 100, None),
        (True, 1000, 1000),  # the init ran until the timeout cut it off
        (True, 1000, 1000),
    ]
    words = [word for _, _, word in stamped(sim)]
    assert words.count("INIT_START") == 1 and words.count("handled\n") == 1
    assert [t for t, _, word in stamped(sim) if word == "START"] == [1500, 2600, 3600]
    assert [line.endswith("\tStatus: timeout\n") for line in report_lines(sim)] == [
        False,
        True,
        True,
    ]


def test_an_error_the_handler_raises_keeps_the_environment_warm() -> None:
    sim = make_sim(http_stack(), behaviors("    fail: {first: 1, error: PaymentDeclined}\n"))
    failed, warm = call(sim), call(sim)
    assert (failed.status, failed.latency_ms) == (500, 900)
    assert (warm.status, warm.latency_ms) == (200, 100)
    [ended] = records(sim, tk.INVOCATION_SUCCEEDED, "api")
    assert (ended.get("duration_ms"), ended.get("suppressed_init_ms")) == (100, None)
    assert sim.functions["api"].reinits == {}


@pytest.mark.parametrize(
    ("rule", "inits_again"),
    [
        ("always: true, error: Runtime.OutOfMemory", True),
        ("rate: 0.99, error: Runtime.ExitError", True),
        ("always: true, error: PaymentDeclined", False),
    ],
)
def test_a_handler_that_always_ends_the_same_way_resets_at_every_end_that_resets(
    rule: str, inits_again: bool
) -> None:
    # One outcome shared by every invocation (a handler that always fails the same way):
    # each that exits its runtime resets the environment, so every invocation after the
    # first inits again (300 ms of its 1 s timeout, then its 100 ms); a handler's own error
    # never does.
    text = behaviors(f"    fail: {{{rule}}}\n", init="300ms")
    sim = make_sim(http_stack(timeout=1), text, seed=1)
    latencies = [call(sim).latency_ms for _ in range(4)]
    again = [r.get("suppressed_init_ms") for r in records(sim, tk.INVOCATION_FAILED, "api")]
    if inits_again:
        assert latencies == [400, 400, 400, 400]
        assert again == [None, 300, 300, 300]
    else:
        assert latencies == [400, 100, 100, 100]
        assert again == [None, None, None, None]


@pytest.mark.parametrize("error", ["Runtime.ExitError", "Runtime.OutOfMemory"])
def test_a_runtime_that_exits_resets_the_environment_and_lambda_reports_it(
    tmp_path: Path, error: str
) -> None:
    fail = f"    fail: {{first: 1, error: {error}, message: 'Runtime exited with error'}}\n"
    (tmp_path / "stacktape.yml").write_text(http_stack(), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(behaviors(fail), encoding="utf-8")
    s = Session.open(tmp_path, start_ms=START)
    crashed = render_plain(execute(s, "invoke api"))
    # Lambda's own two-key error, and no line of the runtime's: REPORT names the error.
    assert f'{{"errorMessage":"Runtime exited with error","errorType":"{error}"}}' in crashed
    assert "succeeded in 900 ms" in render_plain(execute(s, "invoke api"))
    assert [w for _, _, w in stamped(s.sim)] == ["INIT_START"] + ["START", "END", "REPORT"] * 2
    assert report_lines(s.sim)[0].endswith(f"\tStatus: error\tError Type: {error}\n")
    [ended] = records(s.sim, tk.INVOCATION_SUCCEEDED, "api")
    assert ended.get("suppressed_init_ms") == 800
    assert explained(s, ended.get("invocation_id"))[0].count(f" ended with {error} in it, ") == 1


def test_a_suppressed_init_counts_against_concurrency() -> None:
    extra = "      reservedConcurrency: 1\n"
    sim = make_sim(http_stack(timeout=1, extra=extra), behaviors("    timeout: {first: 1}\n"))
    call(sim)  # times out and resets the environment
    sim.invoke_async("api", {}, "invoke", "cli")
    sim.advance(500)  # initialising again
    assert sim.function_stats("api")["running"] == 1
    sim.invoke_async("api", {}, "invoke", "cli")
    sim.advance(100)
    assert len(records(sim, tk.INVOCATION_THROTTLED, "api")) == 1
    sim.run(10_000)
    assert sim.function_stats("api")["running"] == 0
    ended = records(sim, tk.INVOCATION_SUCCEEDED, "api")
    assert [r.get("suppressed_init_ms") for r in ended] == [800, None]


def test_with_logging_disabled_a_reset_environment_inits_again_all_the_same() -> None:
    extra = "      logging: {disabled: true}\n"
    sim = make_sim(http_stack(timeout=1, extra=extra), behaviors("    timeout: {first: 1}\n"))
    assert [call(sim).latency_ms for _ in range(3)] == [1800, 900, 100]


def test_a_python_handler_after_a_suppressed_init_has_less_time_left(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(
        "resources:\n  worker:\n    type: function\n    properties:\n"
        "      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.py}}\n"
        "      timeout: 3\n",
        encoding="utf-8",
    )
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  worker:\n    handler: w:handler\n    initDuration: 1s\n", encoding="utf-8"
    )
    (tmp_path / "w.py").write_text(
        "def handler(event, context):\n"
        "    if event.get('hang'):\n"
        "        context.sleep('5s')\n"
        "    return context.get_remaining_time_in_millis()\n",
        encoding="utf-8",
    )
    s = Session.open(tmp_path, start_ms=START, allow_code=True)
    assert "response: 3000\n" in render_plain(execute(s, "invoke worker"))
    assert "timed out" in render_plain(execute(s, "invoke worker '{\"hang\": true}'"))
    # The environment was reset: its init's second run takes 1 s of the 3 s timeout.
    assert "response: 2000\n" in render_plain(execute(s, "invoke worker"))


def test_explain_says_the_invocation_ran_in_an_environment_reset_after_the_timeout(
    tmp_path: Path,
) -> None:
    (tmp_path / "stacktape.yml").write_text(http_stack(timeout=1), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(behaviors("    timeout: {first: 1}\n"), encoding="utf-8")
    s = Session.open(tmp_path, start_ms=START)
    for _ in range(3):
        execute(s, "invoke api")
    timed_out, reinit, warm = (
        r.get("invocation_id") for r in records(s.sim, tk.INVOCATION_STARTED, "api")
    )
    assert explained(s, reinit)[0] == (
        f"invocation {reinit} ran in an execution environment of api that Lambda reset after "
        f"invocation {timed_out} timed out in it, so it ran the init phase again first (a "
        "suppressed init: no INIT_START line and no Init Duration, its REPORT line's Duration "
        "holds the init); its init phase took 800 ms (initDuration), which counted against "
        "the function's 1 s timeout and delayed its handler: it started at "
        "2026-01-05T08:00:02.600Z, 800 ms after the invocation"
    )
    assert explained(s, timed_out)[0].startswith(f"invocation {timed_out} ran in a new ")
    assert explained(s, warm)[0].startswith("2026-01-05T08:00:02.700Z  invocation.started ")


def test_without_init_duration_a_reset_takes_no_time_and_explain_says_so(
    tmp_path: Path,
) -> None:
    (tmp_path / "stacktape.yml").write_text(http_stack(timeout=1), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  api:\n    duration: 100ms\n    timeout: {first: 1}\n", encoding="utf-8"
    )
    s = Session.open(tmp_path, start_ms=START)
    execute(s, "invoke api")
    execute(s, "invoke api")
    timed_out, after = (
        r.get("invocation_id") for r in records(s.sim, tk.INVOCATION_STARTED, "api")
    )
    [ended] = records(s.sim, tk.INVOCATION_SUCCEEDED, "api")
    assert (ended.t - START, ended.get("duration_ms"), ended.get("suppressed_init_ms")) == (
        1100,
        100,
        None,
    )
    assert explained(s, after)[0].endswith(
        f"after invocation {timed_out} timed out in it, so it ran the init phase again first "
        "(a suppressed init: no INIT_START line and no Init Duration, its REPORT line's "
        "Duration holds the init); its init phase took no time (api has no initDuration in "
        "the behaviours file)"
    )


def test_explain_says_an_init_longer_than_the_timeout_kept_the_handler_from_starting(
    tmp_path: Path,
) -> None:
    (tmp_path / "stacktape.yml").write_text(http_stack(timeout=1), encoding="utf-8")
    fail = "    fail: {first: 1, error: Runtime.OutOfMemory}\n"
    (tmp_path / "stptui.yml").write_text(behaviors(fail, init="1500ms"), encoding="utf-8")
    s = Session.open(tmp_path, start_ms=START)
    execute(s, "invoke api")
    execute(s, "invoke api")
    crashed, doomed = (r.get("invocation_id") for r in records(s.sim, tk.INVOCATION_STARTED, "api"))
    assert explained(s, doomed)[0].endswith(
        f"after invocation {crashed} ended with Runtime.OutOfMemory in it, so it ran the init "
        "phase again first (a suppressed init: no INIT_START line and no Init Duration, its "
        "REPORT line's Duration holds the init); its init phase needed 1.5 s (initDuration), "
        "which the function's 1 s timeout counts: it timed out 1 s after the invocation, "
        "before its handler started, and Lambda reset the environment again"
    )


def test_a_function_timing_out_forever_keeps_only_the_resets_the_trace_can_show() -> None:
    stack = load_stack_text(http_stack(timeout=1), "stacktape.yml")
    loaded, _ = Behaviors.from_text(behaviors("    timeout: true\n"), "stptui.yml", stack)
    sim = Simulator(stack, loaded, start_ms=START, trace=Trace(ring_size=40))
    for _ in range(100):
        call(sim)
    # Each invocation inits again after the one before it timed out; what explain says of
    # them is kept for the newest 20, whose records (two or more each) the ring can hold.
    fn = sim.functions["api"]
    assert fn.invocations == 100 and len(fn.reinits) == 20
    newest = records(sim, tk.INVOCATION_STARTED, "api")[-1].get("invocation_id")
    assert newest in fn.reinits
