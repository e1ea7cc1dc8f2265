"""The project's promise (same inputs, same trace) for random scripts of today's new
commands and behaviours: `pause/resume FUNCTION --trigger SOURCE`, `redrive` of a shared
dead-letter queue (home, or --to), `initDuration` cold starts:

- the same script run twice gives the same trace, byte for byte, and the same answers;
- `save` then `load` rebuilds the same trace, and the two go on alike;
- `undo` of a last line gives the trace of the script without it; `redo` brings it back.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stptui.commands import Session
from stptui.sim.mappings import all_mappings
from tests.propkit import open_session, run_lines, scratch, trace_lines

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}"


def worker(name: str, event: str) -> str:
    return (
        f"  {name}:\n    type: function\n    properties:\n      {PKG}\n      timeout: 5\n"
        f"      events:\n        - {event}\n"
    )


STACK = (
    "resources:\n"
    "  dead:\n    type: sqs-queue\n"
    + "".join(
        f"  {q}:\n    type: sqs-queue\n    properties:\n      visibilityTimeoutSeconds: 5\n"
        f"      redrivePolicy: {{targetSqsQueueName: dead, maxReceiveCount: 2}}\n"
        for q in ("left", "right")
    )
    + "  clicks:\n    type: kinesis-stream\n    properties:\n"
    "      capacityMode: PROVISIONED\n      shardCount: 2\n"
    + worker("leftWorker", "{type: sqs, properties: {sqsQueueName: left, batchSize: 3}}")
    + worker("rightWorker", "{type: sqs, properties: {sqsQueueName: right, batchSize: 1}}")
    + worker("reader", "{type: kinesis-stream, properties: {kinesisStreamName: clicks}}")
)

BEHAVIORS = """behaviors:
  leftWorker: {duration: {min: 10ms, max: 3s}, initDuration: 1500ms, fail: {rate: 0.4}}
  rightWorker: {duration: 200ms, fail: {rate: 0.4}}
  reader: {duration: {min: 10ms, max: 2s}, initDuration: 300ms, fail: {rate: 0.2}}
"""

new_lines = st.one_of(
    st.sampled_from(
        [
            "pause leftWorker --trigger left",
            "resume leftWorker --trigger left",
            "pause rightWorker --trigger right",
            "resume rightWorker --trigger right",
            "pause reader --trigger clicks",
            "resume reader --trigger clicks",
            "redrive dead",
            "redrive dead --to right",
            "fail leftWorker next 2",
            "succeed reader",
        ]
    ),
    st.builds(
        lambda q, n, a: f"send {q} 'm{n}'" + (f" --attr k={a}" if a else ""),
        st.sampled_from(["left", "right"]),
        st.integers(0, 99),
        st.sampled_from(["", "x", "7"]),
    ),
    st.builds(
        lambda k, n: f"put-record clicks r{n} --partition-key {k}",
        st.sampled_from("abcd"),
        st.integers(0, 99),
    ),
    st.builds(lambda d: f"advance {d}", st.sampled_from(["1ms", "400ms", "6s", "1m"])),
)
scripts = st.lists(new_lines, max_size=25)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def session_in(folder: str, seed: int = 0) -> Session:
    return open_session(Path(folder), STACK, BEHAVIORS, seed)


def state(session: Session) -> tuple[list[str], list[bool]]:
    """The trace and which mappings are disabled: what a rebuilt session must match."""
    return trace_lines(session), [m.disabled for m in all_mappings(session.sim)]


@SETTINGS
@given(scripts, st.integers(0, 3))
def test_the_same_script_gives_the_same_trace(lines: list[str], seed: int) -> None:
    with scratch() as one, scratch() as other:
        a, b = session_in(one, seed), session_in(other, seed)
        answers = run_lines(a, lines), run_lines(b, lines)
        assert trace_lines(a) == trace_lines(b)
        # The answers name files of their own folder nowhere: they are equal too.
        assert answers[0] == answers[1]


@SETTINGS
@given(scripts, scripts)
def test_save_and_load_rebuild_the_same_run(lines: list[str], more: list[str]) -> None:
    with scratch() as one, scratch() as other:
        a = session_in(one)
        run_lines(a, lines)
        saved = Path(one) / "run.json"
        run_lines(a, [f"save {saved}"])
        b = session_in(other)
        [answer] = run_lines(b, [f"load {saved}"])
        assert answer.startswith("loaded "), answer
        assert state(b) == state(a)
        run_lines(a, more)
        run_lines(b, more)
        assert state(b) == state(a)


@SETTINGS
@given(scripts, new_lines)
def test_undo_takes_the_last_line_back_and_redo_replays_it(lines: list[str], last: str) -> None:
    with scratch() as one, scratch() as other:
        a, b = session_in(one), session_in(other)
        run_lines(a, lines)
        run_lines(b, [*lines, last])
        if len(b.log) == len(a.log):
            return  # the last line was refused: nothing to undo
        after = state(b)
        [answer] = run_lines(b, ["undo"])
        assert not answer.startswith("refused"), answer
        assert state(b) == state(a)
        run_lines(b, ["redo"])
        assert state(b) == after
