"""ChangeMessageVisibility: the queue's `change_visibility`, and the `heartbeat` and
`onFailure` of a worker's `poll` item that call it (stptui.sim.services.queue,
stptui.sim.services.worker, docs/behaviors.md "Keeping a message hidden")."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stptui.commands import Session, execute
from stptui.config import load_stack_text
from stptui.sim import trace as tk
from stptui.sim.behavior import Behaviors
from stptui.sim.explain import explain
from stptui.sim.services.queue import SqsError
from tests.session_checks import assert_replays, write_stack
from tests.simkit import START, make_sim, records
from tests.test_sim_workers import diagnostics, kinds, stack_yaml, worker

HOUR = 3_600_000


# -- the queue's ChangeMessageVisibility ---------------------------------------------------


def test_change_visibility_moves_the_deadline_from_now_and_keeps_the_receive_count() -> None:
    sim = make_sim(stack_yaml(), "")
    q = sim.queues["jobs"]
    mid = q.send("x")
    (msg,) = q.receive(1)
    sim.advance(10_000)
    assert q.change_visibility(msg, msg.receipt, 60) == START + 70_000
    sim.advance(59_000)
    assert q.in_flight_count == 1 and q.receive(1) == []
    sim.advance(1_000)
    (again,) = q.receive(1)
    assert again is msg and msg.receive_count == 2
    changed = records(sim, tk.MESSAGE_VISIBILITY_CHANGED, "jobs")[0].data
    assert changed == {
        "message_id": mid,
        "timeout_s": 60,
        "visible_at": "2026-01-05T08:01:10.000Z",
    }


def test_visibility_zero_returns_the_message_at_once_and_unblocks_its_fifo_group() -> None:
    sim = make_sim(stack_yaml(fifo=True), "")
    q = sim.queues["jobs"]
    a1 = q.send('"a1"', group="a")
    q.send('"a2"', group="a")
    (msg,) = q.receive(1)
    # The group is blocked while a1 is in flight: nobody gets a2 (nor a1).
    assert q.receive(10) == []
    q.change_visibility(msg, msg.receipt, 0)
    assert [r.data["message_id"] for r in records(sim, tk.MESSAGE_RETURNED, "jobs")] == [a1]
    # a1 is first of its group again, and a receive counts it once more.
    got = q.receive(10)
    assert got[0].id == a1 and got[0].receive_count == 2


def test_stale_receipts_are_refused_and_a_message_back_in_the_queue_is_left_as_it_is() -> None:
    sim = make_sim(stack_yaml(visibility=30), "")
    q = sim.queues["jobs"]
    q.send("x")
    (msg,) = q.receive(1)
    old = msg.receipt
    q.release(msg, old)  # not deleted: it returns when its timeout ends
    with pytest.raises(SqsError) as exc:
        q.change_visibility(msg, old, 43_201)
    assert exc.value.code == "InvalidParameterValue"
    sim.advance(30_000)  # the timeout ends: the message is visible again
    # SQS answers success and changes nothing: the message stays visible.
    assert q.change_visibility(msg, old, 60) is None
    assert q.visible_count == 1
    q.receive(1)
    # A receipt of an earlier receive, and one of a deleted message, are not valid.
    with pytest.raises(SqsError) as exc:
        q.change_visibility(msg, old, 60)
    assert "Message does not exist or is not available for visibility timeout change" in str(
        exc.value
    )
    newest = msg.receipt
    assert q.delete(msg, newest)
    with pytest.raises(SqsError) as exc:
        q.change_visibility(msg, newest, 60)
    assert exc.value.code == "InvalidParameterValue"
    assert records(sim, tk.MESSAGE_VISIBILITY_CHANGED) == []


def test_the_12_hours_count_from_the_receive_and_extending_does_not_reset_them() -> None:
    sim = make_sim(stack_yaml(), "")
    q = sim.queues["jobs"]
    q.send("x")
    (msg,) = q.receive(1)
    sim.advance(HOUR)
    q.change_visibility(msg, msg.receipt, 11 * 3600)  # ends exactly 12 h after the receive
    sim.advance(HOUR)
    with pytest.raises(SqsError) as exc:
        q.change_visibility(msg, msg.receipt, 10 * 3600 + 1)
    assert exc.value.code == "InvalidParameterValue"
    assert "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]" in str(
        exc.value
    )
    assert exc.value.hint is not None and "at most 36000 s" in exc.value.hint
    q.change_visibility(msg, msg.receipt, 10 * 3600)


# -- a worker's heartbeat and onFailure ----------------------------------------------------


def test_a_heartbeat_keeps_a_five_minute_job_hidden_so_it_is_delivered_once() -> None:
    sim = worker(
        "duration: 5m\npoll: {queue: jobs, concurrency: 2, heartbeat: {every: 20s, extendBy: 60s}}"
    )
    mid = sim.send("jobs", "long job")
    sim.advance(10 * 60_000)
    seen = kinds(sim, mid)
    beats = [t for t, k in seen if k == tk.MESSAGE_VISIBILITY_CHANGED]
    assert beats == list(range(20, 300, 20))
    assert [k for _, k in seen if k != tk.MESSAGE_VISIBILITY_CHANGED] == [
        tk.MESSAGE_SENT,
        tk.MESSAGE_RECEIVED,
        tk.CONTAINER_MESSAGE_PROCESSED,
        tk.MESSAGE_DELETED,
    ]
    last = records(sim, tk.MESSAGE_VISIBILITY_CHANGED, "jobs")[-1].data
    assert last["consumer"] == "worker" and last["visible_at"] == "2026-01-05T08:05:40.000Z"
    # The beat stops with the batch: nothing is left on the clock.
    assert sim.queues["jobs"].depth == 0 and all(p.busy == 0 for p in sim.services["workers"].polls)


def test_without_a_heartbeat_the_same_job_is_received_again_at_30_s() -> None:
    sim = worker("duration: 5m\npoll: {queue: jobs, concurrency: 2}")
    mid = sim.send("jobs", "long job")
    sim.advance(40_000)
    assert kinds(sim, mid) == [
        (0, tk.MESSAGE_SENT),
        (0, tk.MESSAGE_RECEIVED),
        (30, tk.MESSAGE_RETURNED),
        (30, tk.MESSAGE_RECEIVED),
    ]


def test_the_heartbeat_also_keeps_the_messages_waiting_their_turn_hidden() -> None:
    sim = worker(
        "duration: 40s\npoll: {queue: jobs, maxMessages: 3, concurrency: 2,\n"
        "  heartbeat: {every: 20s, extendBy: 30s}}"
    )
    ids = [sim.send("jobs", f"m{i}") for i in range(3)]
    sim.advance(5 * 60_000)
    assert records(sim, tk.MESSAGE_RETURNED) == []
    received = [r.data["message_id"] for r in records(sim, tk.MESSAGE_RECEIVED)]
    assert received == ids  # one receive, each message once
    assert len(records(sim, tk.MESSAGE_DELETED, "jobs")) == 3


def test_on_failure_visibility_zero_hands_a_failed_message_back_at_once() -> None:
    sim = worker(
        "duration: 2s\npoll: {queue: jobs, onFailure: {visibilityTimeout: 0s}}\nfail: {rate: 1}"
    )
    mid = sim.send("jobs", "bad")
    sim.advance(10_000)
    # Back at once after each failure (not 30 s later); maxReceiveCount 2: to the DLQ at 4 s.
    assert kinds(sim, mid) == [
        (0, tk.MESSAGE_SENT),
        (0, tk.MESSAGE_RECEIVED),
        (2, tk.CONTAINER_MESSAGE_FAILED),
        (2, tk.MESSAGE_VISIBILITY_CHANGED),
        (2, tk.MESSAGE_RETURNED),
        (2, tk.MESSAGE_RECEIVED),
        (4, tk.CONTAINER_MESSAGE_FAILED),
        (4, tk.MESSAGE_VISIBILITY_CHANGED),
        (4, tk.MESSAGE_RETURNED),
        (4, tk.MESSAGE_DEAD_LETTERED),
    ]
    counts = [r.data["receive_count"] for r in records(sim, tk.MESSAGE_RECEIVED)]
    assert counts == [1, 2]
    assert sim.queues["dead"].visible_count == 1


def test_on_failure_with_a_delay_returns_the_message_after_it() -> None:
    sim = worker(
        "duration: 2s\npoll: {queue: jobs, onFailure: {visibilityTimeout: 5s}}\nfail: {rate: 1}"
    )
    mid = sim.send("jobs", "bad")
    sim.advance(8_000)
    # Failed at 2 s, hidden 5 s more: back at 7 s rather than at 30 s.
    assert kinds(sim, mid)[2:] == [
        (2, tk.CONTAINER_MESSAGE_FAILED),
        (2, tk.MESSAGE_VISIBILITY_CHANGED),
        (7, tk.MESSAGE_RETURNED),
        (7, tk.MESSAGE_RECEIVED),
    ]


def test_a_fifo_failure_hands_back_the_rest_of_its_group_so_the_group_is_received_at_once() -> None:
    sim = worker(
        "duration: 1s\npoll: {queue: jobs, maxMessages: 10, concurrency: 2,\n"
        "  onFailure: {visibilityTimeout: 0s}}\nfail: {when: \"body == 'a1'\"}",
        fifo=True,
    )
    q = sim.queues["jobs"]
    a1 = q.send('"a1"', group="a")
    a2 = q.send('"a2"', group="a")
    sim.advance(1_500)
    # a1 failed at 1 s; a1 and a2 were handed back then, and the idle poller took them again
    # at once, in order (without onFailure the group stays blocked for 30 s).
    again = [
        (r.t - START, r.data["message_id"])
        for r in records(sim, tk.MESSAGE_RECEIVED)
        if r.data["receive_count"] == 2
    ]
    assert again == [(1_000, a1), (1_000, a2)]


def test_a_heartbeat_past_12_hours_is_refused_and_the_message_returns_then() -> None:
    sim = worker(
        "duration: 13h\npoll: {queue: jobs, concurrency: 2, visibilityTimeout: 7200,\n"
        "  heartbeat: {every: 1h, extendBy: 2h}}"
    )
    mid = sim.send("jobs", "x")
    sim.advance(14 * HOUR)
    refused = records(sim, tk.MESSAGE_VISIBILITY_REFUSED, "jobs")
    # The beat at 11 h asks for 13 h from the receive; no more beats for the message after.
    assert [(r.t - START) // HOUR for r in refused] == [11]
    assert refused[0].data["error"] == "InvalidParameterValue"
    assert refused[0].data["consumer"] == "worker"
    seen = [(t // 3600, k) for t, k in kinds(sim, mid) if k != tk.MESSAGE_VISIBILITY_CHANGED]
    assert (12, tk.MESSAGE_RETURNED) in seen and (12, tk.MESSAGE_RECEIVED) in seen
    # The first poller's delete at 13 h comes after the other's receive: stale.
    assert (13, tk.MESSAGE_DELETE_STALE) in seen


def test_explain_shows_each_visibility_change() -> None:
    sim = worker("duration: 50s\npoll: {queue: jobs, heartbeat: {every: 20s, extendBy: 30s}}")
    mid = sim.send("jobs", "x")
    sim.advance(60_000)
    chain = [r.kind for r in explain(sim.trace, mid).records]
    assert chain.count(tk.MESSAGE_VISIBILITY_CHANGED) == 2


# -- reading `heartbeat` and `onFailure` ---------------------------------------------------


@pytest.mark.parametrize(
    ("item", "code", "words"),
    [
        ("heartbeat: {every: 30s, extendBy: 30s}", "behavior-poll-heartbeat", "not shorter"),
        ("heartbeat: {every: 30s, extendBy: 60s}", "behavior-poll-heartbeat", "first beat"),
        ("heartbeat: {every: 10s, extendBy: 1500ms}", "behavior-bad-value", "whole seconds"),
        ("heartbeat: {every: 10s, extendBy: 13h}", "behavior-bad-value", "43,200"),
        ("heartbeat: {every: 0, extendBy: 60s}", "behavior-bad-value", "longer than 0"),
        ("heartbeat: {every: 10s}", "behavior-bad-value", "`extendBy` is needed"),
        ("heartbeat: {every: 10, extendBy: 60s}", "behavior-bad-duration", "no unit"),
        ("heartbeat: 20s", "behavior-bad-value", "mapping"),
        ("heartbeat: {every: 10s, extendBy: 60s, evry: 1s}", "behavior-unknown-key", "evry"),
        ("onFailure: {visibilityTimeout: -1s}", "behavior-bad-duration", "negative"),
        ("onFailure: {}", "behavior-bad-value", "`visibilityTimeout` is needed"),
        ("onFailure: 0s", "behavior-bad-value", "mapping"),
    ],
)
def test_bad_heartbeats_and_on_failures_are_reported(item: str, code: str, words: str) -> None:
    found = diagnostics(f"behaviors:\n  worker:\n    poll: {{queue: jobs, {item}}}\n")
    assert any(c == code and words in m for c, m in found), found


def test_a_heartbeat_diagnostic_points_at_the_value_and_leaves_the_item_out() -> None:
    stack = load_stack_text(stack_yaml(visibility=30), "stacktape.yml")
    text = (
        "behaviors:\n  worker:\n    poll:\n      queue: jobs\n"
        "      heartbeat:\n        every: 45s\n        extendBy: 60s\n"
    )
    loaded, diags = Behaviors.from_text(text, "stptui.yml", stack)
    (d,) = diags
    assert (d.code, d.line, d.column) == ("behavior-poll-heartbeat", 6, 16)
    assert loaded.polls() == []


def test_a_receives_own_timeout_is_the_one_the_heartbeat_must_beat() -> None:
    # 45 s beats are fine with the receive's 60 s timeout, whatever the queue's 30 s.
    assert (
        diagnostics(
            "behaviors:\n  worker:\n    poll: {queue: jobs, visibilityTimeout: 60,\n"
            "      heartbeat: {every: 45s, extendBy: 90s}, onFailure: {visibilityTimeout: 0}}\n"
        )
        == []
    )


# -- replay and the invariant --------------------------------------------------------------


def test_a_heartbeat_session_saves_and_loads_to_the_same_trace(tmp_path: Path) -> None:
    stack = write_stack(
        tmp_path,
        stack_yaml(),
        "behaviors:\n  worker:\n    duration: 90s\n    fail: {rate: 0.5}\n"
        "    poll: {queue: jobs, maxMessages: 2, concurrency: 2,\n"
        "      heartbeat: {every: 20s, extendBy: 40s}, onFailure: {visibilityTimeout: 5s}}\n",
    )

    def drive(session: Session) -> None:
        for i in range(5):
            execute(session, f"send jobs m{i}")
        execute(session, "advance 10m")

    first, _ = assert_replays(stack, START, drive, ["show queue jobs", "show queue dead"])
    assert records(first.sim, tk.MESSAGE_VISIBILITY_CHANGED)


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 10),
    rate=st.sampled_from([0.0, 0.3, 0.7, 1.0]),
    max_receive=st.integers(1, 4),
    max_messages=st.integers(1, 10),
    concurrency=st.integers(1, 3),
    duration=st.integers(0, 120_000),
    every=st.integers(1, 29),
    extra=st.integers(1, 60),
    on_failure=st.sampled_from(
        ["", ", onFailure: {visibilityTimeout: 0s}", ", onFailure: {visibilityTimeout: 7s}"]
    ),
    seed=st.integers(0, 3),
)
def test_with_heartbeats_every_message_is_deleted_or_dead_lettered_never_both_never_lost(
    n: int,
    rate: float,
    max_receive: int,
    max_messages: int,
    concurrency: int,
    duration: int,
    every: int,
    extra: int,
    on_failure: str,
    seed: int,
) -> None:
    behaviors = (
        f"behaviors:\n  worker:\n    duration: {duration}ms\n    fail: {{rate: {rate}}}\n"
        f"    poll: {{queue: jobs, maxMessages: {max_messages}, concurrency: {concurrency},\n"
        f"      heartbeat: {{every: {every}s, extendBy: {every + extra}s}}{on_failure}}}\n"
    )
    sim = make_sim(stack_yaml(max_receive=max_receive), behaviors, seed=seed)
    ids = [sim.send("jobs", f"m{i}") for i in range(n)]
    sim.advance(24 * HOUR)
    deleted = [r.data["message_id"] for r in records(sim, tk.MESSAGE_DELETED, "jobs")]
    dead = [r.data["message_id"] for r in records(sim, tk.MESSAGE_DEAD_LETTERED, "jobs")]
    assert len(deleted) == len(set(deleted)) and len(dead) == len(set(dead))
    assert not set(deleted) & set(dead)
    assert set(deleted) | set(dead) == set(ids)
    assert sim.queues["jobs"].depth == 0
    assert sim.queues["dead"].depth == len(dead)
    assert all(p.busy == 0 for p in sim.services["workers"].polls)
    # A successful message is processed once: the heartbeat keeps it from a second poller.
    if rate == 0.0:
        assert records(sim, tk.MESSAGE_RETURNED) == []
