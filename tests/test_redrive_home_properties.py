"""Properties of `redrive DLQ` without --to on a dead-letter queue two queues share (as
StartMessageMoveTask without a DestinationArn): over random messages dead-lettered from
either source, at random moments (some redriven home and dead-lettered again on the way),

- each message goes back to the queue it dead-lettered from (the trace's
  message.dead_lettered says which), with its body, its attributes and, on FIFO queues,
  its message group kept; the FIFO order of a group is kept too;
- nothing stays behind in the dead-letter queue and nothing moves twice;
- with a message sent to the dead-letter queue by hand, the redrive is refused and nothing
  moves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stptui.commands import Session
from stptui.sim import trace as tk
from tests.propkit import open_session, run_lines, scratch

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}"
SOURCES = ("left", "right")


def stack(fifo: bool, mrc: tuple[int, int]) -> str:
    """`left` and `right`, each consumed by a worker of its own, dead-letter to `dead`."""
    fifo_props = ["      fifoEnabled: true", "      contentBasedDeduplication: true"]
    lines = ["resources:", "  dead:", "    type: sqs-queue", "    properties:"]
    lines += fifo_props if fifo else ["      visibilityTimeoutSeconds: 30"]
    for name, count in zip(SOURCES, mrc, strict=True):
        lines += [f"  {name}:", "    type: sqs-queue", "    properties:"]
        lines += ["      visibilityTimeoutSeconds: 5", *(fifo_props if fifo else [])]
        lines.append(f"      redrivePolicy: {{targetSqsQueueName: dead, maxReceiveCount: {count}}}")
        lines += [
            f"  {name}Worker:",
            "    type: function",
            "    properties:",
            f"      {PKG}",
            "      timeout: 5",
            f"      events: [{{type: sqs, properties: {{sqsQueueName: {name}, batchSize: 2}}}}]",
        ]
    return "\n".join(lines) + "\n"


BEHAVIORS = """behaviors:
  leftWorker: {duration: 100ms, fail: {rate: 0.8}}
  rightWorker: {duration: 100ms, fail: {rate: 0.8}}
"""


@st.composite
def sends(draw: st.DrawFn, fifo: bool) -> str:
    queue = draw(st.sampled_from(SOURCES))
    body = draw(st.sampled_from(["{}", '{"n": 1}', "plain text", "ünï"]))
    line = f"send {queue} '{body} {draw(st.integers(0, 999))}'"
    if fifo:
        line += f" --group g{draw(st.integers(0, 2))}"
    for key in draw(st.lists(st.sampled_from(["kind", "tenant", "n"]), max_size=2, unique=True)):
        value = draw(st.sampled_from(["a", "b-1", "5", "2.5"]))
        line += f" --attr {key}={value}"
    return line


@st.composite
def scripts(draw: st.DrawFn, fifo: bool) -> list[str]:
    steps = st.one_of(
        sends(fifo),
        sends(fifo),
        st.builds(lambda d: f"advance {d}", st.sampled_from(["100ms", "6s", "1m"])),
        st.just("redrive dead"),
    )
    return draw(st.lists(steps, max_size=25))


def visible_in_dead(session: Session) -> list[Any]:
    dead = session.sim.queues["dead"]
    return [m for m in dead.listing(limit=dead.depth) if m.state_name == "visible"]


def origins(session: Session) -> dict[str, str]:
    """Each dead-lettered message id -> the queue it dead-lettered from, by the trace."""
    return {
        r.get("message_id"): r.resource
        for r in session.sim.trace.records
        if r.kind == tk.MESSAGE_DEAD_LETTERED
    }


def check_home(session: Session) -> None:
    """Stop the workers, let what they hold settle, and redrive: each message home."""
    # The workers fail most messages into `dead` first.
    run_lines(session, ["advance 2m"])
    run_lines(session, [f"pause {q}Worker --trigger {q}" for q in SOURCES] + ["advance 1m"])
    waiting = visible_in_dead(session)
    came_from = origins(session)
    snapshot = {m.id: (came_from[m.id], m.body, m.attrs, m.group) for m in waiting}
    before = len(session.sim.trace.records)
    [text] = run_lines(session, ["redrive dead"])
    assert not text.startswith("refused"), text
    moved = [r for r in session.sim.trace.records[before:] if r.kind == tk.MESSAGE_REDRIVEN]
    assert sorted(r.get("message_id") for r in moved) == sorted(snapshot)
    assert visible_in_dead(session) == []
    for r in moved:
        home, body, attrs, group = snapshot[r.get("message_id")]
        assert r.get("target") == home, (r.to_line(), home)
        copy = session.sim.queues[home].messages[r.get("new_message_id")]
        assert (copy.body, copy.attrs, copy.group) == (body, attrs, group)
    if not session.sim.queues["dead"].fifo:
        return
    # A FIFO group's order (SQS promises none on a standard queue): the dead-letter queue's.
    for home in SOURCES:
        q = session.sim.queues[home]
        for group in {g for h, _, _, g in snapshot.values() if h == home}:
            came = [
                r.get("new_message_id")
                for r in moved
                if snapshot[r.get("message_id")][0] == home
                and snapshot[r.get("message_id")][3] == group
            ]
            there = [m.id for m in q.listing(limit=q.depth) if m.id in set(came)]
            assert there == came, (home, group)


SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.data(), st.booleans(), st.tuples(st.integers(1, 2), st.integers(1, 2)), st.integers(0, 2))
def test_redrive_sends_each_message_home_as_it_was(
    data: st.DataObject, fifo: bool, mrc: tuple[int, int], seed: int
) -> None:
    lines = data.draw(scripts(fifo))
    with scratch() as folder:
        session = open_session(Path(folder), stack(fifo, mrc), BEHAVIORS, seed)
        run_lines(session, lines)
        check_home(session)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.booleans())
def test_a_message_sent_to_the_shared_dlq_by_hand_stops_the_redrive_before_anything_moves(
    data: st.DataObject, fifo: bool
) -> None:
    lines = data.draw(scripts(fifo))
    with scratch() as folder:
        session = open_session(Path(folder), stack(fifo, (1, 1)), BEHAVIORS)
        run_lines(session, lines)
        run_lines(session, ["pause leftWorker --trigger left", "pause rightWorker --trigger right"])
        run_lines(session, ["advance 1m", "send dead stray" + (" --group g0" if fifo else "")])
        before = {q: sorted(session.sim.queues[q].messages) for q in ("dead", *SOURCES)}
        [text] = run_lines(session, ["redrive dead"])
        assert text.startswith("refused: ") and "was sent to it directly" in text, text
        after = {q: sorted(session.sim.queues[q].messages) for q in ("dead", *SOURCES)}
        assert after == before
