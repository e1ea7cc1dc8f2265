"""Properties of Step Functions' limits (stptui.sim.services.state_machine) over random
inputs:

- an INLINE Map runs at most min(MaxConcurrency, 40) iterations at once (MaxConcurrency 0
  meaning "no limit", hence 40), and as many as that allows: its peak is exactly
  min(items, limit); its output is its items' results in order;
- a function's error and cause reach the execution cut to the history's 256 and 32,768
  characters: the error a prefix of the function's errorType, the cause a prefix of its
  error response, whole when they fit.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_state_machine import open_stack, start, task

from stptui.sim import trace as tk

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def peak(records: list[Any], fn: str) -> int:
    """The most invocations of `fn` running at once, by the trace's order."""
    running = top = 0
    for r in records:
        if r.resource != fn:
            continue
        if r.kind == tk.INVOCATION_STARTED:
            running += 1
            top = max(top, running)
        elif r.kind in (tk.INVOCATION_SUCCEEDED, tk.INVOCATION_FAILED):
            running -= 1
    return top


@SETTINGS
@given(
    st.integers(0, 90),
    st.sampled_from([None, 0, 1, 3, 39, 40, 41, 100]),
    st.sampled_from(["1s", "{min: 10ms, max: 2s}"]),
)
def test_an_inline_map_runs_as_many_iterations_as_its_limit_allows_and_no_more(
    n: int, max_concurrency: int | None, duration: str
) -> None:
    state: dict[str, Any] = {
        "Type": "Map",
        "End": True,
        "ItemProcessor": {"StartAt": "W", "States": {"W": task({"End": True})}},
    }
    if max_concurrency is not None:
        state["MaxConcurrency"] = max_concurrency
    definition = {"StartAt": "Each", "States": {"Each": state}}
    behaviors = f"behaviors:\n  work: {{duration: {duration}, response: '@'}}\n"
    with tempfile.TemporaryDirectory() as folder:
        s = open_stack(Path(folder), definition, behaviors)
        ex = start(s, list(range(n)))
        s.sim.run(10**7)
        assert (ex.status, ex.output) == ("SUCCEEDED", list(range(n)))
        limit = min(max_concurrency or 40, 40)
        assert peak(list(s.sim.trace.records), "work") == min(n, limit)


# A message (an empty one is the behaviour's default): letters, an accented one, a character outside the BMP, a quote and a backslash (which the
# cause's JSON escapes, so that the cut falls inside an escape at times).
TEXT = st.text(alphabet='aé😀"\\', min_size=1)


@SETTINGS
@given(
    st.integers(1, 600).flatmap(lambda n: st.text(alphabet="Eé😀", min_size=n, max_size=n)),
    st.integers(1, 40_000).flatmap(lambda n: TEXT.map(lambda t: (t * (n // len(t) + 1))[:n])),
    st.booleans(),
)
def test_an_error_and_cause_are_cut_to_the_history_limits(
    error: str, message: str, caught: bool
) -> None:
    states: dict[str, Any] = {"Work": task({"End": True})}
    if caught:
        states["Work"]["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "Saved"}]
        states["Saved"] = {"Type": "Pass", "End": True}
    fail = {"always": True, "error": error, "message": message}
    behaviors = f"behaviors:\n  work: {{fail: {json.dumps(fail, ensure_ascii=False)}}}\n"
    with tempfile.TemporaryDirectory() as folder:
        s = open_stack(Path(folder), {"StartAt": "Work", "States": states}, behaviors)
        ex = start(s)
        s.sim.run(10**7)
        if caught:
            assert ex.status == "SUCCEEDED"
            got_error, cause = ex.output["Error"], ex.output["Cause"]
        else:
            assert ex.status == "FAILED"
            got_error, cause = ex.error, ex.cause
        assert got_error == error[:256]
        assert len(cause) <= 32_768
        if len(cause) < 32_768:
            whole = json.loads(cause)
            assert (whole["errorType"], whole["errorMessage"]) == (error, message)
        else:
            head = json.dumps({"errorType": error}, ensure_ascii=False, separators=(",", ":"))[:-1]
            assert cause.startswith(head[: len(cause)]), cause[:80]
