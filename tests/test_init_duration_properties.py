"""Properties of `initDuration` (cold starts, docs/behaviors.md "initDuration") over random
init phases and random bursts of concurrent invocations:

- every invocation ends at its start + its handler's duration + the init phase when it was
  a cold start, and only a cold start carries `init_ms`, always the declared one;
- the cold starts are as many as the execution environments the function's log group made,
  each environment's stream starts with its INIT_START line (a `log` line written before
  any environment goes into a stream of its own, and makes none), and as many with the
  function's logging disabled (where no log group counts them);
- an `initDuration` of 0, like none at all, leaves the trace byte for byte as it was;
- a range `{min, max}` draws every cold start's init phase within it, the same draws for
  the same seed, and a range of one value is that value.
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


def stack(reserved: int | None, logging_disabled: bool = False, timeout_s: int = 10) -> str:
    """`api`, invoked by `invoke` only, with a `timeout_s` timeout."""
    extra = f"      reservedConcurrency: {reserved}\n" if reserved else ""
    extra += "      logging: {disabled: true}\n" if logging_disabled else ""
    return (
        "resources:\n  api:\n    type: function\n    properties:\n"
        f"      {PKG}\n      timeout: {timeout_s}\n{extra}"
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


def assert_streams_start_with_init_start(session: Session) -> None:
    """Every execution environment's stream starts with its one INIT_START line; the stream
    of `log` lines written before any environment has none."""
    group = session.sim.services["logs"].group("api")
    by_stream: dict[str, list[str]] = {}
    for ev in group.recent(10**6):
        by_stream.setdefault(ev.stream, []).append(ev.message)
    for stream, lines in by_stream.items():
        inits = sum(line.startswith("INIT_START ") for line in lines)
        if stream == group.written_stream:
            assert inits == 0 and lines == ["a line"] * len(lines), lines
        else:
            assert lines[0].startswith("INIT_START ") and inits == 1, lines


def invocation_story(session: Session, *fields: str) -> list[tuple[object, ...]]:
    """(time, kind, then each of `fields`, init_ms by default) of each invocation record:
    what logging must not change."""
    names = fields or ("init_ms",)
    return [
        (r.t, r.kind, *(r.get(name) for name in names))
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
        # Each environment is a cold start, and no stream shows a line before its
        # INIT_START: a `log` line before any environment has a stream of its own.
        assert cold == len(group.created)
        assert group.stream_count == cold + (group.written_stream is not None)
        assert_streams_start_with_init_start(session)
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


# Ranges of init phases: their bounds (min <= max), in milliseconds.
init_ranges = st.tuples(st.integers(0, 10_000), st.integers(0, 10_000)).map(sorted)


@SETTINGS
@given(durations, rates, reserved, init_ranges, burst_lines, st.integers(0, 2))
def test_a_range_draws_every_init_phase_within_it_the_same_for_the_same_seed(
    duration: str, rate: float, reserve: int | None, bounds: list[int], lines: list[str], seed: int
) -> None:
    lo, hi = bounds
    text = behaviors(duration, rate, f"{{min: {lo}ms, max: {hi}ms}}")
    with scratch() as one, scratch() as other, scratch() as fixed:
        session = run(Path(one), stack(reserve), text, lines, seed)
        cold = session.sim.functions["api"].cold_starts
        assert all(lo <= ms <= hi for ms in cold.values()), (lo, hi, cold)
        # What the trace and the REPORT lines say is what was drawn.
        traced = [r.get("init_ms") for r in session.sim.trace.records if r.kind in ENDED]
        assert sorted(ms for ms in traced if ms is not None) == sorted(
            ms for ms in cold.values() if ms
        )
        group = session.sim.services["logs"].group("api")
        reported = sorted(
            float(line.partition("Init Duration: ")[2].partition(" ms")[0])
            for line in (e.message for e in group.recent(10**6))
            if "\tInit Duration: " in line
        )
        assert reported == sorted(float(ms) for ms in cold.values())
        assert_streams_start_with_init_start(session)
        again = run(Path(other), stack(reserve), text, lines, seed)
        assert trace_lines(again) == trace_lines(session)
        if lo == hi:  # a range of one value is that value, drawn from nothing
            one_value = run(
                Path(fixed), stack(reserve), behaviors(duration, rate, f"{lo}ms"), lines, seed
            )
            assert trace_lines(one_value) == trace_lines(session)
