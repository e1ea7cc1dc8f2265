"""Properties of `initDuration` (cold starts, docs/behaviors.md "initDuration") over random
init phases and random bursts of concurrent invocations:

- every invocation ends at its start + its handler's duration + the init phase when it was
  a cold start, and only a cold start carries `init_ms`, always the declared one;
- the cold starts are as many as the execution environments the function's log group made
  (a `log` line may make the first before any invocation), and as many with the function's
  logging disabled (where no log group counts them);
- an `initDuration` of 0, like none at all, leaves the trace byte for byte as it was.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stptui.commands import Session
from stptui.sim import trace as tk
from tests.propkit import open_session, run_lines, scratch, trace_lines

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}"
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ENDED = (tk.INVOCATION_SUCCEEDED, tk.INVOCATION_FAILED)


def stack(reserved: int | None, logging_disabled: bool = False) -> str:
    """`api`, invoked by `invoke --async` only."""
    extra = f"      reservedConcurrency: {reserved}\n" if reserved else ""
    extra += "      logging: {disabled: true}\n" if logging_disabled else ""
    return (
        "resources:\n  api:\n    type: function\n    properties:\n"
        f"      {PKG}\n      timeout: 10\n{extra}"
    )


def behaviors(duration: str, rate: float, init: str | None) -> str:
    text = f"behaviors:\n  api:\n    duration: {duration}\n    fail: {{rate: {rate}}}\n"
    return text + (f"    initDuration: {init}\n" if init is not None else "")


durations = st.sampled_from(["100ms", "1s", "{min: 10ms, max: 3s}"])
rates = st.sampled_from([0, 0.3])
reserved = st.sampled_from([None, None, 2])
# Bursts: several invokes at one instant, then the clock moves.
burst_lines = st.lists(
    st.one_of(
        st.builds(lambda n: ["invoke api --async"] * n, st.integers(1, 4)),
        # A line written into the group: into its newest environment, or a new one.
        st.just(["log api 'a line'"]),
        # A synchronous invoke: the clock runs until it returns.
        st.just(["invoke api"]),
        st.builds(
            lambda d: [f"advance {d}"], st.sampled_from(["1ms", "90ms", "1s", "2500ms", "3m"])
        ),
    ),
    max_size=14,
).map(lambda groups: [line for group in groups for line in group])


def run(folder: Path, stack_yaml: str, behaviors_yaml: str, lines: list[str], seed: int) -> Session:
    session = open_session(folder, stack_yaml, behaviors_yaml, seed)
    # Ten minutes more: every event's retries (1 and 2 minutes after a failure) end.
    run_lines(session, [*lines, "advance 10m"])
    return session


def invocation_story(session: Session) -> list[tuple[int, str, int | None]]:
    """(time, kind, init_ms) of each invocation record: what logging must not change."""
    return [
        (r.t, r.kind, r.get("init_ms"))
        for r in session.sim.trace.records
        if r.kind in (tk.INVOCATION_STARTED, *ENDED)
    ]


@SETTINGS
@given(
    durations,
    rates,
    reserved,
    st.integers(1, 10_000),
    burst_lines,
    st.integers(0, 2),
)
def test_a_cold_start_adds_its_init_phase_and_each_environment_has_one(
    duration: str, rate: float, reserve: int | None, init_ms: int, lines: list[str], seed: int
) -> None:
    with scratch() as one, scratch() as other:
        text = behaviors(duration, rate, f"{init_ms}ms")
        session = run(Path(one), stack(reserve), text, lines, seed)
        recs = session.sim.trace.records
        started = {r.get("invocation_id"): r for r in recs if r.kind == tk.INVOCATION_STARTED}
        ended = [r for r in recs if r.kind in ENDED]
        assert len(ended) == len(started), "an invocation never ended"
        cold = 0
        for end in ended:
            start = started[end.get("invocation_id")]
            got = end.get("init_ms")
            assert got in (None, init_ms), got
            cold += got is not None
            assert end.t == start.t + end.get("duration_ms") + (got or 0), end.to_line()
        group = session.sim.services["logs"].group("api")
        # `log` into a group without an environment makes one, whose first invocation
        # (if any) is its cold start.
        assert cold == group.stream_count or (not started and group.stream_count == 1)
        inits = [e for e in group.recent(10**6) if e.message.startswith("INIT_START")]
        assert len(inits) == cold
        # Without a log group the environments are counted all the same.
        quiet = run(Path(other), stack(reserve, logging_disabled=True), text, lines, seed)
        assert invocation_story(quiet) == invocation_story(session)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(durations, rates, reserved, st.sampled_from(["0ms", "0s", "0"]), burst_lines)
def test_an_init_duration_of_zero_changes_no_byte_of_the_trace(
    duration: str, rate: float, reserve: int | None, zero: str, lines: list[str]
) -> None:
    with scratch() as one, scratch() as other:
        without = run(Path(one), stack(reserve), behaviors(duration, rate, None), lines, 0)
        with_zero = run(Path(other), stack(reserve), behaviors(duration, rate, zero), lines, 0)
        assert trace_lines(with_zero) == trace_lines(without)
