"""Container workloads whose code polls SQS queues, through their behaviours' `poll`
(stptui.sim.services.worker, stptui.sim.behavior.reader_poll, docs/behaviors.md "Workers
that poll queues")."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from stptui.commands import Session, execute
from stptui.config import load_stack_text
from stptui.graph import POLLS, PollEdge, build_graph, edge_label
from stptui.sim import trace as tk
from stptui.sim.behavior import Behaviors
from stptui.sim.engine import Simulator
from stptui.sim.explain import explain
from stptui.tui.widgets.inspector_pane import describe_resource
from tests.simkit import START, make_sim, records

PACKAGING = "packaging: {type: prebuilt-image, properties: {image: w}}"


def stack_yaml(
    *, fifo: bool = False, max_receive: int = 2, visibility: int = 30, scaling: str = ""
) -> str:
    """`jobs` (redriving to `dead` after `max_receive` receives), `done`, a worker service
    that may read `jobs` and write `done`, a function, and a two-container workload."""
    fifo_props = "fifoEnabled: true, contentBasedDeduplication: true, " if fifo else ""
    dead = "{type: sqs-queue, properties: {fifoEnabled: true}}" if fifo else "{type: sqs-queue}"
    return f"""
resources:
  jobs:
    type: sqs-queue
    properties:
      {{{fifo_props}visibilityTimeoutSeconds: {visibility}, longPollingSeconds: 20,
       redrivePolicy: {{targetSqsQueueName: dead, maxReceiveCount: {max_receive}}}}}
  dead: {dead}
  done: {{type: sqs-queue}}
  fn:
    type: function
    properties:
      packaging: {{type: stacktape-lambda-buildpack, properties: {{entryfilePath: a.ts}}}}
  worker:
    type: worker-service
    properties:
      {PACKAGING}
      resources: {{cpu: 0.25, memory: 512}}
      connectTo: [jobs, done]
      {scaling}
  pair:
    type: multi-container-workload
    properties:
      resources: {{cpu: 0.25, memory: 512}}
      connectTo: [jobs]
      containers:
        - name: a
          {PACKAGING}
        - name: b
          {PACKAGING}
"""


def diagnostics(behaviors: str, **kw: Any) -> list[tuple[str, str]]:
    stack = load_stack_text(stack_yaml(**kw), "stacktape.yml")
    assert not stack.errors, [d.format() for d in stack.errors]
    _, diags = Behaviors.from_text(behaviors, "stptui.yml", stack)
    return [(d.code, d.message) for d in diags]


def worker(behaviour: str, **kw: Any) -> Simulator:
    """A simulator whose `worker` has `behaviour` (YAML lines under its entry)."""
    text = "behaviors:\n  worker:\n" + "".join(f"    {line}\n" for line in behaviour.split("\n"))
    return make_sim(stack_yaml(**kw), text)


def kinds(sim: Simulator, message_id: str) -> list[tuple[int, str]]:
    """(seconds since START, kind) of every record about one message."""
    return [
        ((r.t - START) // 1000, r.kind)
        for r in sim.trace.records
        if r.data.get("message_id") == message_id
    ]


# -- reading `poll` ------------------------------------------------------------------------


def test_poll_defaults_come_from_aws_the_queue_and_the_service_scaling() -> None:
    stack = load_stack_text(
        stack_yaml(scaling="scaling: {minInstances: 3, maxInstances: 4}"), "stacktape.yml"
    )
    loaded, diags = Behaviors.from_text(
        "behaviors:\n  worker:\n    poll: {queue: jobs}\n", "stptui.yml", stack
    )
    assert diags == []
    (poll,) = loaded.polls()
    # AWS's MaxNumberOfMessages 1, the queue's long polling, 3 tasks of the service.
    assert (poll.max_messages, poll.wait_s, poll.visibility_s, poll.concurrency) == (1, 20, None, 3)
    assert poll.container == "service-container"
    assert "polls jobs (3 pollers, up to 1 a receive)" in loaded.describe("worker")


def test_poll_on_a_function_is_refused_with_the_sqs_event_to_use() -> None:
    found = diagnostics("behaviors:\n  fn:\n    poll: {queue: jobs}\n")
    assert [code for code, _ in found] == ["behavior-poll-not-container"]
    assert "Lambda reads a queue for a function through its `sqs` event" in found[0][1]


def test_an_unknown_queue_gets_a_did_you_mean_and_a_non_queue_says_what_it_is() -> None:
    found = diagnostics("behaviors:\n  worker:\n    poll: [{queue: jbos}, {queue: fn}]\n")
    assert found == [
        (
            "behavior-poll-unknown-queue",
            "no sqs-queue named 'jbos' in the stack; did you mean 'jobs'?",
        ),
        ("behavior-poll-unknown-queue", "'fn' is a function, not an sqs-queue"),
    ]


def test_a_lone_poll_item_and_a_lists_items_are_reported_where_they_are_written() -> None:
    stack = load_stack_text(stack_yaml(), "stacktape.yml")
    found = []
    for text in (
        "behaviors:\n  worker:\n    poll: 3\n",
        "behaviors:\n  worker:\n    poll: [{queue: jobs}, 3]\n",
        "behaviors:\n  worker:\n    poll: null\n",
    ):
        loaded, diags = Behaviors.from_text(text, "stptui.yml", stack)
        found.append([(d.line, d.column, d.code) for d in diags])
        assert all("a poll item is a mapping" in d.message for d in diags)
        if "jobs" in text:
            # The good item is kept beside the bad one.
            assert [p.queue for p in loaded.polls()] == ["jobs"]
    assert found == [[(3, 11, "behavior-bad-value")], [(3, 27, "behavior-bad-value")], []]


def test_sqs_and_lambda_words_for_a_poll_key_get_the_key_meant_once() -> None:
    # A poll item written with a Lambda `sqs` event's or ReceiveMessage's words: no
    # spelling of the poll item's own keys is close enough for a did-you-mean, and a
    # misspelt `queue` was also "a poll item needs the `queue`", two errors for one word.
    found = diagnostics(
        "behaviors:\n  worker:\n    poll:\n"
        "      - {queue: jobs, batchSize: 5, MaxNumberOfMessages: 5, WaitTimeSeconds: 20}\n"
        "      - {sqsQueueName: jobs, maxMessages: 50}\n"
        "      - {qeue: jobs}\n"
    )
    assert found == [
        ("behavior-unknown-key", "unknown key 'batchSize'; did you mean 'maxMessages'?"),
        ("behavior-unknown-key", "unknown key 'MaxNumberOfMessages'; did you mean 'maxMessages'?"),
        ("behavior-unknown-key", "unknown key 'WaitTimeSeconds'; did you mean 'waitSeconds'?"),
        ("behavior-unknown-key", "unknown key 'sqsQueueName'; did you mean 'queue'?"),
        # The item's other keys are still checked.
        ("behavior-bad-value", "maxMessages is a whole number from 1 to 10, not 50"),
        ("behavior-unknown-key", "unknown key 'qeue'; did you mean 'queue'?"),
    ]
    # No key of the item means `queue`: the item needs one, as before.
    assert diagnostics("behaviors:\n  worker:\n    poll: {maxMessages: 5}\n") == [
        ("behavior-bad-value", "a poll item needs the `queue` the code polls")
    ]


def test_a_queue_the_role_may_not_read_is_refused_with_the_fix() -> None:
    stack = load_stack_text(stack_yaml(), "stacktape.yml")
    _, diags = Behaviors.from_text(
        "behaviors:\n  worker:\n    poll: {queue: dead}\n", "stptui.yml", stack
    )
    (d,) = diags
    assert d.code == "behavior-poll-denied"
    assert "sqs:ReceiveMessage" in d.message
    assert d.hint == "add dead to worker's connectTo: `connectTo: [dead]`"


def test_values_outside_receive_messages_ranges_are_refused() -> None:
    found = diagnostics(
        "behaviors:\n  worker:\n    poll: {queue: jobs, maxMessages: 11, waitSeconds: 21,"
        " visibilityTimeout: 43201, concurrency: 0}\n"
    )
    assert [m for _, m in found] == [
        "maxMessages is a whole number from 1 to 10, not 11",
        "waitSeconds is a whole number from 0 to 20, not 21",
        "visibilityTimeout is a whole number from 0 to 43,200, not 43201",
        "concurrency is a whole number from 1 to 100, not 0",
    ]
    # Not a number, a fraction and an infinity are refused alike, without a traceback.
    found = diagnostics("behaviors:\n  worker:\n    poll: {queue: jobs, maxMessages: .inf}\n")
    assert found == [("behavior-bad-value", "maxMessages is a whole number from 1 to 10, not inf")]
    found = diagnostics("behaviors:\n  worker:\n    poll: {queue: jobs, waitSeconds: 1.5}\n")
    assert [code for code, _ in found] == ["behavior-bad-value"]


def test_a_workload_with_several_containers_must_name_the_polling_one() -> None:
    found = diagnostics("behaviors:\n  pair:\n    poll: {queue: jobs}\n")
    assert [code for code, _ in found] == ["behavior-poll-container"]
    stack = load_stack_text(stack_yaml(), "stacktape.yml")
    loaded, diags = Behaviors.from_text(
        "behaviors:\n  pair.b:\n    poll: {queue: jobs}\n", "stptui.yml", stack
    )
    assert diags == []
    assert [(p.workload, p.container, p.key) for p in loaded.polls()] == [("pair", "b", "pair.b")]


# -- the pollers ---------------------------------------------------------------------------


def test_a_failing_message_returns_after_the_visibility_timeout_then_goes_to_the_dlq() -> None:
    sim = worker('duration: 2s\npoll: {queue: jobs}\nfail: {when: "body.bad"}')
    good = sim.send("jobs", '{"bad": false}')
    bad = sim.send("jobs", '{"bad": true}')
    sim.advance(120_000)
    # One poller, one message a receive: the good one first, deleted after 2 s.
    assert kinds(sim, good) == [
        (0, tk.MESSAGE_SENT),
        (0, tk.MESSAGE_RECEIVED),
        (2, tk.CONTAINER_MESSAGE_PROCESSED),
        (2, tk.MESSAGE_DELETED),
    ]
    # Received when the poller is free again; back 30 s after each receive; moved to the
    # DLQ by the receive after its second return (maxReceiveCount 2).
    assert kinds(sim, bad) == [
        (0, tk.MESSAGE_SENT),
        (2, tk.MESSAGE_RECEIVED),
        (4, tk.CONTAINER_MESSAGE_FAILED),
        (32, tk.MESSAGE_RETURNED),
        (32, tk.MESSAGE_RECEIVED),
        (34, tk.CONTAINER_MESSAGE_FAILED),
        (62, tk.MESSAGE_RETURNED),
        (62, tk.MESSAGE_DEAD_LETTERED),
    ]
    assert sim.queues["dead"].visible_count == 1 and sim.queues["jobs"].depth == 0
    received = records(sim, tk.MESSAGE_RECEIVED, "jobs")
    assert {r.data["consumer"] for r in received} == {"worker"}
    failed = records(sim, tk.CONTAINER_MESSAGE_FAILED, "worker")
    assert [r.data["receive_count"] for r in failed] == [1, 2]
    chain = [r.kind for r in explain(sim.trace, bad).records]
    assert chain.count(tk.CONTAINER_MESSAGE_FAILED) == 2
    assert chain[-1] == tk.MESSAGE_DEAD_LETTERED


def test_a_message_sent_while_the_poller_waits_is_received_at_once_and_waiting_is_free() -> None:
    sim = worker("poll: {queue: jobs}")
    before = sim.clock.events_run
    sim.advance(86_400_000)  # a day of empty long polls
    assert sim.clock.events_run == before  # waiting costs no step at all
    assert sim.pending() == 0
    mid = sim.send("jobs", "x")
    sim.advance(1)
    (received,) = records(sim, tk.MESSAGE_RECEIVED, "jobs")
    assert received.t == START + 86_400_000
    assert received.data["message_id"] == mid


def test_the_behaviour_processes_each_message_of_a_receive_in_turn() -> None:
    sim = worker("duration: 1s\npoll: {queue: jobs, maxMessages: 10}")
    ids = [sim.send("jobs", str(i)) for i in range(3)]
    sim.advance(10_000)
    assert len(records(sim, tk.MESSAGE_RECEIVED, "jobs")) == 3  # one receive took all three
    deleted = records(sim, tk.MESSAGE_DELETED, "jobs")
    assert [(r.data["message_id"], r.t - START) for r in deleted] == [
        (ids[0], 1000),
        (ids[1], 2000),
        (ids[2], 3000),
    ]


def test_run_goes_quiet_when_the_worker_deletes_its_last_message(tmp_path: Any) -> None:
    # The messages after the first of a receive wait in the worker's hands, each set to
    # return at its timeout (08:00:30) unless deleted first: all three are deleted by 6 s,
    # and nothing is left to return, so `run` ends there, not at the 30 s timeout.
    (tmp_path / "stacktape.yml").write_text(stack_yaml(), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  worker:\n    duration: 2s\n    poll: {queue: jobs, maxMessages: 10}\n",
        encoding="utf-8",
    )
    session = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    for i in range(3):
        execute(session, f"send jobs {i}")
    assert execute(session, "run").text == "quiet; now 2026-01-05T08:00:06.000Z (+6 s)"
    assert len(records(session.sim, tk.MESSAGE_DELETED, "jobs")) == 3
    # The emptied queue left nothing scheduled: no retention check, no entry for returns.
    assert session.sim.agenda() == []
    assert session.sim.pending() == 0
    # A second `run` has nothing to run.
    assert execute(session, "run").text.startswith("quiet; now 2026-01-05T08:00:06.000Z (+0 ms)")
    # `advance` past the timeout the deleted messages had finds nothing to return either.
    count = len(session.sim.trace.records)
    execute(session, "advance 1m")
    assert len(session.sim.trace.records) == count


def test_concurrency_runs_that_many_pollers_at_once() -> None:
    sim = worker("duration: 1s\npoll: {queue: jobs, concurrency: 3}")
    for i in range(3):
        sim.send("jobs", str(i))
    sim.advance(10_000)
    ends = {r.t - START for r in records(sim, tk.CONTAINER_MESSAGE_PROCESSED, "worker")}
    assert ends == {1000}


def test_the_receives_visibility_timeout_overrides_the_queues() -> None:
    sim = worker("poll: {queue: jobs, visibilityTimeout: 5}\nfail: true")
    mid = sim.send("jobs", "x")
    sim.advance(6_000)
    (returned,) = records(sim, tk.MESSAGE_RETURNED, "jobs")
    assert returned.t - START == 5_000 and returned.data["message_id"] == mid


def test_a_message_processed_past_its_timeout_is_received_again_and_the_late_delete_is_stale() -> (
    None
):
    sim = worker("duration: 40s\npoll: {queue: jobs, concurrency: 2}")
    mid = sim.send("jobs", "x")
    sim.advance(100_000)
    assert kinds(sim, mid)[:5] == [
        (0, tk.MESSAGE_SENT),
        (0, tk.MESSAGE_RECEIVED),
        (30, tk.MESSAGE_RETURNED),
        (30, tk.MESSAGE_RECEIVED),  # the other poller
        (40, tk.CONTAINER_MESSAGE_PROCESSED),
    ]
    stale = records(sim, tk.MESSAGE_DELETE_STALE, "jobs")
    assert (stale[0].t - START, stale[0].data["consumer"]) == (40_000, "worker")
    # Every processing outlives the timeout, so some other receive always comes first:
    # nothing is ever deleted, and the redrive policy ends it.
    assert not records(sim, tk.MESSAGE_DELETED, "jobs")
    assert kinds(sim, mid)[6:] == [
        (60, tk.MESSAGE_RETURNED),
        (60, tk.MESSAGE_DEAD_LETTERED),
        (70, tk.CONTAINER_MESSAGE_PROCESSED),  # the second poller finishes: too late
        (70, tk.MESSAGE_DELETE_STALE),
    ]


def test_a_lone_poller_deletes_a_message_it_finished_after_its_timeout() -> None:
    # Nobody received it since: a standard queue takes the late delete (aws-semantics §1.2).
    sim = worker("duration: 40s\npoll: {queue: jobs}")
    mid = sim.send("jobs", "x")
    sim.advance(100_000)
    assert kinds(sim, mid) == [
        (0, tk.MESSAGE_SENT),
        (0, tk.MESSAGE_RECEIVED),
        (30, tk.MESSAGE_RETURNED),
        (40, tk.CONTAINER_MESSAGE_PROCESSED),
        (40, tk.MESSAGE_DELETED),
    ]


def test_a_message_still_held_is_seen_as_its_receive_returned_it_not_as_a_later_one() -> None:
    # One receive takes a and b; a takes 40 s, so b's 30 s timeout ends first and the other
    # poller receives b (receive 2). The first poller still holds b from receive 1: its code
    # sees that receive's count and receipt handle, and its record says receive 1.
    sim = worker(
        "duration: 40s\npoll: {queue: jobs, maxMessages: 2, concurrency: 2}\n"
        "log: \"join(' ', [MessageId, Attributes.ApproximateReceiveCount, ReceiptHandle])\""
    )
    sim.send("jobs", "a")
    b = sim.send("jobs", "b")
    sim.advance(45_000)
    lines = [r.data["text"].split(" ") for r in records(sim, tk.HANDLER_LOG, "worker")]
    of_b = [(count, handle) for mid, count, handle in lines if mid == b]
    # At 30 s the second poller's receive 2; at 40 s the first poller's receive 1.
    assert [count for count, _ in of_b] == ["2", "1"]
    assert of_b[0][1] != of_b[1][1]
    sim.advance(40_000)
    held = [
        (r.t - START, r.data["receive_count"])
        for r in records(sim, tk.CONTAINER_MESSAGE_PROCESSED, "worker")
        if r.data["message_id"] == b
    ]
    assert held == [(70_000, 2), (80_000, 1)]


def test_the_overrides_of_a_worker_decide_each_message_it_polls(tmp_path: Any) -> None:
    (tmp_path / "stacktape.yml").write_text(stack_yaml(), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  worker:\n    duration: 1s\n    poll: {queue: jobs}\n"
        "    fail: {when: \"body == 'bad'\"}\n",
        encoding="utf-8",
    )
    session = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    sim = session.sim

    def outcomes() -> list[str]:
        """Each processed message: `ok`, or the error message it failed with."""
        return [
            "ok" if r.kind == tk.CONTAINER_MESSAGE_PROCESSED else r.data["error_message"]
            for r in sim.trace.records
            if r.kind in (tk.CONTAINER_MESSAGE_PROCESSED, tk.CONTAINER_MESSAGE_FAILED)
        ]

    # `fail next 1` fails the next message (not deleted: it returns), then is spent.
    assert execute(session, "fail worker next 1").text == "worker overrides: fail next 1 (1 left)"
    first = execute(session, "send jobs one").data["message_id"]
    execute(session, "send jobs two")
    execute(session, "advance 3s")
    assert outcomes() == ["failed by override `fail worker next 1`", "ok"]
    assert first not in {r.data["message_id"] for r in records(sim, tk.MESSAGE_DELETED, "jobs")}
    assert sim.services["containers"].workloads["worker"].active_overrides() == []
    # `when` sees the message as the code got it; `slow` sets how long each one takes.
    execute(
        session, "fail worker.service-container when \"Attributes.ApproximateReceiveCount == '1'\""
    )
    execute(session, "slow worker 5s")
    execute(session, "send jobs three")
    execute(session, "advance 6s")
    (last,) = records(sim, tk.CONTAINER_MESSAGE_FAILED, "worker")[-1:]
    assert last.data["duration_ms"] == 5_000
    assert "fail worker.service-container when" in last.data["error_message"]
    # `succeed` clears them and suppresses the declared failure too.
    execute(session, "succeed worker")
    execute(session, "send jobs bad")
    execute(session, "advance 2s")
    assert outcomes()[-1] == "ok"


def test_a_fifo_worker_leaves_the_rest_of_a_failed_group_and_goes_on_with_others() -> None:
    sim = worker(
        "duration: 1s\npoll: {queue: jobs, maxMessages: 10}\nfail: {when: \"body == 'a1'\"}",
        fifo=True,
    )
    q = sim.queues["jobs"]
    a1 = q.send('"a1"', group="a")
    a2 = q.send('"a2"', group="a")
    b1 = q.send('"b1"', group="b")
    sim.advance(5_000)
    # One receive takes all three; a1 fails, so a2 is left (it must not overtake a1).
    done = [r.data["message_id"] for r in records(sim, tk.CONTAINER_MESSAGE_PROCESSED)]
    failed = [r.data["message_id"] for r in records(sim, tk.CONTAINER_MESSAGE_FAILED)]
    assert failed == [a1] and done == [b1]
    sim.advance(60_000)
    # a1 and a2 come back together, in order, twice; a1 fails each time, and the receive
    # after the second return moves both to the DLQ: a2 was never processed out of order.
    dead = [r.data["message_id"] for r in records(sim, tk.MESSAGE_DEAD_LETTERED, "jobs")]
    assert dead == [a1, a2]
    processed = {r.data["message_id"] for r in records(sim, tk.CONTAINER_MESSAGE_PROCESSED)}
    assert a2 not in processed


def test_expressions_see_the_message_as_the_sdk_returns_it() -> None:
    sim = worker(
        "poll: {queue: jobs}\n"
        'log: "to_string([MessageId, Attributes.ApproximateReceiveCount, body.id, queue,'
        ' MessageAttributes.tenant.StringValue, length(ReceiptHandle) > `10`])"\n'
        "emit:\n  - send: {queue: done, body: Body}"
    )
    mid = sim.send("jobs", '{"id": 7}', attrs={"tenant": "acme"})
    sim.advance(1_000)
    (log,) = records(sim, tk.HANDLER_LOG, "worker")
    assert json.loads(log.data["text"]) == [mid, "1", 7, "jobs", "acme", True]
    (sent,) = records(sim, tk.MESSAGE_SENT, "done")
    assert sent.data["source"] == f"worker:{log.data['invocation_id']}"
    assert sim.queues["done"].listing()[0].body == '{"id": 7}'


def test_show_queue_names_the_worker_and_the_inspector_lists_its_polls(tmp_path: Any) -> None:
    (tmp_path / "stacktape.yml").write_text(stack_yaml(), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  worker:\n    duration: 1s\n    poll: {queue: jobs, maxMessages: 5}\n",
        encoding="utf-8",
    )
    session = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    execute(session, "send jobs hello")
    execute(session, "advance 500ms")
    shown = execute(session, "show queue jobs")
    assert (
        "polled by worker (service-container): 1 poller, 1 busy; up to 5 messages a receive, "
        "long polling 20 s, the queue's visibility timeout" in shown.text
    )
    assert shown.data["pollers"][0]["busy"] == 1
    sim = session.sim
    polls = [PollEdge(p.queue, p.workload, p.container, p.pos) for p in sim.behaviors.polls()]
    page = describe_resource("worker", sim.stack, build_graph(sim.stack, polls), sim, [], START)
    assert "Polls" in page.plain and "processing" in page.plain
    execute(session, "advance 2s")
    page = describe_resource("worker", sim.stack, build_graph(sim.stack, polls), sim, [], START)
    assert "from jobs receive 1 deleted in 1 s" in page.plain


def test_the_graph_draws_polls_only_from_a_behaviours_file() -> None:
    stack = load_stack_text(stack_yaml(), "stacktape.yml")
    plain = build_graph(stack)
    assert not [e for e in plain.edges(data="kind") if e[2] == POLLS]
    loaded, _ = Behaviors.from_text(
        "behaviors:\n  worker:\n    poll: {queue: jobs}\n", "stptui.yml", stack
    )
    edges = [PollEdge(p.queue, p.workload, p.container, p.pos) for p in loaded.polls()]
    g = build_graph(stack, edges)
    ((u, v, data),) = [e for e in g.edges(data=True) if e[2]["kind"] == POLLS]
    assert (u, v) == ("jobs", "worker")
    assert (data["file"], data["line"]) == ("stptui.yml", 3)
    assert edge_label(data) == "polls(container service-container)"
    # The queue comes before the worker that reads it, though the worker connects to it.
    assert g.nodes["jobs"]["layer"] < g.nodes["worker"]["layer"]


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 12),
    rate=st.sampled_from([0.0, 0.3, 0.7, 1.0]),
    max_receive=st.integers(1, 4),
    max_messages=st.integers(1, 10),
    concurrency=st.integers(1, 4),
    duration=st.integers(0, 40_000),
    seed=st.integers(0, 3),
)
def test_every_message_is_deleted_by_the_worker_or_dead_lettered_never_both_never_lost(
    n: int,
    rate: float,
    max_receive: int,
    max_messages: int,
    concurrency: int,
    duration: int,
    seed: int,
) -> None:
    behaviors = (
        f"behaviors:\n  worker:\n    duration: {duration}ms\n    fail: {{rate: {rate}}}\n"
        f"    poll: {{queue: jobs, maxMessages: {max_messages}, concurrency: {concurrency}}}\n"
    )
    sim = make_sim(stack_yaml(max_receive=max_receive), behaviors, seed=seed)
    ids = [sim.send("jobs", f"m{i}") for i in range(n)]
    sim.advance(24 * 3_600_000)
    deleted = [r.data["message_id"] for r in records(sim, tk.MESSAGE_DELETED, "jobs")]
    dead = [r.data["message_id"] for r in records(sim, tk.MESSAGE_DEAD_LETTERED, "jobs")]
    assert len(deleted) == len(set(deleted)) and len(dead) == len(set(dead))
    assert not set(deleted) & set(dead)
    assert set(deleted) | set(dead) == set(ids)
    assert sim.queues["jobs"].depth == 0
    assert sim.queues["dead"].depth == len(dead)
    # Nothing is left running: every poller waits for the next message.
    workers = sim.services["workers"]
    assert all(p.busy == 0 for p in workers.polls)


def test_a_stack_of_workers_that_poll_is_not_idle() -> None:
    from stptui.commands.session import idle_note

    stack = load_stack_text(
        "resources:\n  jobs: {type: sqs-queue}\n  w:\n    type: worker-service\n"
        f"    properties:\n      {PACKAGING}\n      resources: {{cpu: 0.25, memory: 512}}\n"
        "      connectTo: [jobs]\n",
        "stacktape.yml",
    )
    assert idle_note(stack) is not None  # drawn, not run, without a behaviours file
    assert idle_note(stack, polls=True) is None


def test_the_graph_pane_legend_names_the_polls_edge() -> None:
    from stptui.tui import diagram

    stack = load_stack_text(stack_yaml(), "stacktape.yml")
    loaded, _ = Behaviors.from_text(
        "behaviors:\n  worker:\n    poll: {queue: jobs}\n", "stptui.yml", stack
    )
    edges = [PollEdge(p.queue, p.workload, p.container, p.pos) for p in loaded.polls()]
    assert "━━► polls" in diagram.layout(build_graph(stack, edges)).text()
    assert "polls" not in diagram.layout(build_graph(stack)).text().splitlines()[0]


def test_a_python_handler_gets_the_message_and_its_exception_fails_it(tmp_path: Any) -> None:
    (tmp_path / "stacktape.yml").write_text(stack_yaml(), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  worker:\n    poll: {queue: jobs}\n    handler: work:handle\n",
        encoding="utf-8",
    )
    (tmp_path / "work.py").write_text(
        "def handle(message, context):\n"
        "    context.log(message['Attributes']['ApproximateReceiveCount'])\n"
        "    if message['body'] == 'bad':\n"
        "        raise ValueError('cannot resize')\n",
        encoding="utf-8",
    )
    session = Session.open(tmp_path / "stacktape.yml", start_ms=START, allow_code=True)
    execute(session, "send jobs ok")
    execute(session, "send jobs bad")
    execute(session, "advance 1s")
    sim = session.sim
    assert [r.data["text"] for r in records(sim, tk.HANDLER_LOG, "worker")] == ["1", "1"]
    (failed,) = records(sim, tk.CONTAINER_MESSAGE_FAILED, "worker")
    assert (failed.data["error"], failed.data["error_message"]) == ("ValueError", "cannot resize")
    assert len(records(sim, tk.MESSAGE_DELETED, "jobs")) == 1


def test_what_a_workers_module_prints_at_import_comes_before_its_first_message(
    tmp_path: Any,
) -> None:
    """The module is imported once a session: what its import printed is the container's,
    written when its code first works (records of no invocation, and its task's stream,
    before the first message's own lines), and only then."""
    (tmp_path / "stacktape.yml").write_text(stack_yaml(), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  worker:\n    poll: {queue: jobs}\n    handler: chatty_work:handle\n",
        encoding="utf-8",
    )
    (tmp_path / "chatty_work.py").write_text(
        "print('worker ready')\n\n\ndef handle(message, context):\n    print(message['body'])\n",
        encoding="utf-8",
    )
    session = Session.open(tmp_path / "stacktape.yml", start_ms=START, allow_code=True)
    execute(session, "send jobs one")
    execute(session, "advance 1s")
    execute(session, "send jobs two")
    execute(session, "advance 1s")
    sim = session.sim
    logs = records(sim, tk.HANDLER_LOG, "worker")
    assert [(r.data.get("invocation_id") is None, r.data["text"]) for r in logs] == [
        (True, "worker ready"),
        (False, "one"),
        (False, "two"),
    ]
    group = sim.services["logs"].group("worker")
    assert [ev.message for ev in group.recent(10)] == ["worker ready", "one", "two"]
    assert {ev.stream for ev in group.recent(10)} == {group.task_stream}


def test_expect_reads_a_workers_figures_as_show_containers_counts_them(tmp_path: Any) -> None:
    # `show containers` listed processed and failed messages, but no expect path read them:
    # a script about a worker could only count trace records.
    from stptui.commands import CommandError

    (tmp_path / "stacktape.yml").write_text(stack_yaml(), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  worker:\n    duration: 2s\n    poll: {queue: jobs}\n"
        "    fail: {when: \"body == 'bad'\"}\n",
        encoding="utf-8",
    )
    session = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    for body in ("a", "bad", "b"):
        execute(session, f"send jobs {body}")
    execute(session, "advance 3s")
    assert execute(session, "expect container.worker.in_hand == 1").text.startswith("ok:")
    execute(session, "advance 10s")
    for line in (
        "expect container.worker.processed == 2",
        "expect container.worker.messages_failed == 1",
        "expect container.worker.in_hand == 0",
        "expect container.worker.served == 0",
    ):
        assert execute(session, line).text.startswith("ok:"), line
    # The resource without its kind, and the table's column name, are led to the path.
    for line, hint in (
        ("expect worker.processed == 2", "did you mean container.worker.processed?"),
        (
            "expect container.worker.msg_failed == 1",
            "did you mean container.worker.messages_failed?",
        ),
        ("expect container.wroker.processed == 2", "did you mean 'worker'?"),
    ):
        try:
            execute(session, line)
        except CommandError as exc:
            assert exc.hint == hint, line
        else:
            raise AssertionError(f"{line} was taken")
