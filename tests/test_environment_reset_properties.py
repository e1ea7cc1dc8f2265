"""Properties of execution environments that Lambda resets (docs/behaviors.md,
"initDuration"; docs/fidelity.md, "Cold starts") over random handlers that time out, exit
their runtime or raise, random init phases and random bursts of invocations:

- each environment's stream starts with its one INIT_START line, whatever its invocations
  did: a suppressed init writes none;
- in each environment, an invocation runs a suppressed init (`suppressed_init_ms`, the
  init phase cut off at the function's timeout) exactly when the one before it in that
  environment timed out or exited its runtime; an error the handler raised keeps the
  environment warm, and only the environment's first invocation is a cold start;
- every invocation ends at its start + its REPORT Duration (which holds a suppressed init)
  + a cold start's init phase;
- with the function's logging disabled the invocations do the same.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from stptui.sim import trace as tk
from stptui.sim.trace import Record
from tests.propkit import scratch
from tests.test_init_duration_properties import (
    ENDED,
    SETTINGS,
    invocation_story,
    run,
    stack,
)

TIMEOUT_MS = 1000


def behaviors(duration: str, timeouts: float, exits: float, errors: float, init: int) -> str:
    return (
        f"behaviors:\n  api:\n    duration: {duration}\n    initDuration: {init}ms\n"
        f"    timeout: {{rate: {timeouts}}}\n"
        f"    fail:\n      - {{rate: {exits}, error: Runtime.ExitError}}\n"
        f"      - {{rate: {errors}, error: PaymentDeclined}}\n"
    )


durations = st.sampled_from(["100ms", "900ms", "{min: 10ms, max: 2s}"])
rates = st.sampled_from([0, 0.3, 0.6])
reserved = st.sampled_from([None, None, 2])
burst_lines = st.lists(
    st.one_of(
        st.builds(lambda n: ["invoke api --async"] * n, st.integers(1, 3)),
        st.just(["invoke api"]),
        st.builds(lambda d: [f"advance {d}"], st.sampled_from(["1ms", "500ms", "3s", "3m"])),
    ),
    max_size=12,
).map(lambda groups: [line for group in groups for line in group])


def resets(rec: Record) -> bool:
    """Whether an invocation's end record is one after which Lambda resets its environment."""
    return bool(rec.get("timeout")) or rec.get("error") == "Runtime.ExitError"


@SETTINGS
@given(
    durations,
    rates,
    rates,
    rates,
    reserved,
    st.integers(0, 1500),
    burst_lines,
    st.integers(0, 2),
)
def test_an_environment_inits_again_exactly_after_a_timeout_or_a_runtime_exit(
    duration: str,
    timeouts: float,
    exits: float,
    errors: float,
    reserve: int | None,
    init_ms: int,
    lines: list[str],
    seed: int,
) -> None:
    with scratch() as one, scratch() as other:
        text = behaviors(duration, timeouts, exits, errors, init_ms)
        session = run(Path(one), stack(reserve, timeout_s=1), text, lines, seed)
        recs = session.sim.trace.records
        started = {r.get("invocation_id"): r for r in recs if r.kind == tk.INVOCATION_STARTED}
        ended = {r.get("invocation_id"): r for r in recs if r.kind in ENDED}
        assert ended.keys() == started.keys(), "an invocation never ended"
        for inv, end in ended.items():
            cold = end.get("init_ms") or 0
            assert end.t == started[inv].t + end.get("duration_ms") + cold, end.to_line()
        group = session.sim.services["logs"].group("api")
        by_stream: dict[str, list[str]] = {}
        order: dict[str, list[str]] = {}
        for ev in group.recent(10**6):
            by_stream.setdefault(ev.stream, []).append(ev.message)
            if ev.message.startswith("START "):
                order.setdefault(ev.stream, []).append(str(ev.invocation_id))
        for messages in by_stream.values():
            # Each stream starts with its one INIT_START, however often it was reset.
            assert (
                messages[0].startswith("INIT_START ")
                and sum(m.startswith("INIT_START ") for m in messages) == 1
            ), messages
        suppressed = min(init_ms, TIMEOUT_MS) or None
        for invs in order.values():
            first = ended[invs[0]]
            assert first.get("init_ms") == (init_ms or None) and not first.get("suppressed_init_ms")
            for before, after in pairwise(invs):
                end = ended[after]
                assert end.get("init_ms") is None, end.to_line()
                want = suppressed if resets(ended[before]) else None
                assert end.get("suppressed_init_ms") == want, (
                    ended[before].to_line(),
                    end.to_line(),
                )
                if want is not None and init_ms >= TIMEOUT_MS:
                    # The init took the whole timeout: the handler never started.
                    assert end.get("timeout") and end.get("duration_ms") == TIMEOUT_MS
        # The functions' environments are the same without a log group.
        quiet = run(Path(other), stack(reserve, True, 1), text, lines, seed)
        fields = ("duration_ms", "init_ms", "suppressed_init_ms")
        assert invocation_story(quiet, *fields) == invocation_story(session, *fields)
