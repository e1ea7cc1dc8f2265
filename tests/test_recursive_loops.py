"""Loops a handler makes by feeding itself: Lambda's recursive loop detection (a chain of
requests through SQS, SNS and asynchronous invokes stops at its 17th invocation) and the
simulator's safety net for loops AWS does not track (EventBridge with zero durations), which
stops a run that no longer moves the clock (docs/fidelity.md, "Recursive loop detection")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.sim import trace as tk
from stptui.sim.clock import ClockStalled
from stptui.sim.engine import Simulator
from tests.simkit import START, make_sim, records

PACKAGING = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"

SELF_INVOKING = f"""
resources:
  failures: {{type: sqs-queue}}
  plain:
    type: function
    properties:
      {PACKAGING}
      destinations:
        onFailure: $ResourceParam('failures', 'arn')
      connectTo: [plain]
"""
SELF_INVOKING_BEHAVIORS = """
behaviors:
  plain: {duration: 0, emit: [{invoke: {function: plain, payload: "@"}}]}
"""

SQS_LOOP = f"""
resources:
  jobs:
    type: sqs-queue
    properties:
      visibilityTimeoutSeconds: 60
      redrivePolicy: {{targetSqsQueueName: jobsDlq, maxReceiveCount: 3}}
  jobsDlq: {{type: sqs-queue}}
  worker:
    type: function
    properties:
      {PACKAGING}
      events: [{{type: sqs, properties: {{sqsQueueName: jobs}}}}]
      connectTo: [jobs]
"""
SQS_LOOP_BEHAVIORS = """
behaviors:
  worker:
    duration: 10ms
    emit: [{send: {queue: jobs, body: body}}]
"""

SNS_LOOP = f"""
resources:
  alerts: {{type: sns-topic}}
  pager:
    type: function
    properties:
      {PACKAGING}
      events: [{{type: sns, properties: {{snsTopicName: alerts}}}}]
      connectTo: [alerts]
"""
SNS_LOOP_BEHAVIORS = """
behaviors:
  pager:
    emit: [{notify: {topic: alerts, message: "Records[0].Sns.Message"}}]
"""

BUS_LOOP = f"""
resources:
  loopBus: {{type: event-bus}}
  relay:
    type: function
    properties:
      {PACKAGING}
      events:
        - type: event-bus
          properties: {{eventBusName: loopBus, eventPattern: {{source: [loop]}}}}
      connectTo: [loopBus]
"""


def bus_behaviors(duration: str, when: str | None = None) -> str:
    """A relay that puts an event like the one it received back on its own bus, with
    `detail.n` one higher (and only while `when` holds, when given)."""
    condition = f'\n          when: "{when}"' if when else ""
    return f"""
behaviors:
  relay:
    duration: {duration}
    emit:
      - publish:
          bus: loopBus
          source: "'loop'"
          detailType: "'again'"
          detail: "{{n: sum([detail.n, `1`])}}"{condition}
"""


S3_LOOP = f"""
resources:
  uploads:
    type: bucket
    properties: {{enableEventBusNotifications: true}}
  thumbnailer:
    type: function
    properties:
      {PACKAGING}
      events:
        - type: s3
          properties: {{bucketArn: "$ResourceParam('uploads', 'arn')", s3EventType: "s3:ObjectCreated:*"}}
      connectTo: [uploads]
  auditor:
    type: function
    properties:
      {PACKAGING}
      events:
        - type: event-bus
          properties:
            useDefaultBus: true
            eventPattern: {{source: [aws.s3], detail-type: [Object Created]}}
      connectTo: [uploads]
"""


def s3_behaviors(writer: str) -> str:
    """`writer` puts an object back into the bucket whose upload invoked it, one key deeper
    (`a` -> `a/x`), while the key is shorter than 40 characters."""
    key = "Records[0].s3.object.key" if writer == "thumbnailer" else "detail.object.key"
    return f"""
behaviors:
  {writer}:
    duration: 10ms
    emit:
      - put:
          bucket: uploads
          key: "join('', [{key}, '/x'])"
          content: "'x'"
          when: "length({key}) < `40`"
"""


def counting_behaviors(limit: int) -> str:
    """`plain` invokes itself with `n` one higher while `n` is below `limit`."""
    return f"""
behaviors:
  plain:
    emit:
      - invoke:
          function: plain
          payload: "{{n: sum([n, `1`])}}"
          when: "n < `{limit}`"
"""


def started(sim: Simulator, function: str) -> int:
    return len(records(sim, tk.INVOCATION_STARTED, function))


def test_a_function_that_invokes_itself_stops_after_16_invocations() -> None:
    sim = make_sim(SELF_INVOKING, SELF_INVOKING_BEHAVIORS)
    sim.invoke_async("plain", {"order": 7}, "invoke", "command")
    # Before loop detection this never returned: every invocation takes no time.
    assert sim.run(3_600_000) is True
    assert started(sim, "plain") == 16
    [stop] = records(sim, tk.INVOCATION_RECURSION_STOPPED, "plain")
    assert stop.data["chain"] == 17
    assert stop.data["error"] == "RecursiveInvocationException"
    # No retries: the 17th event is discarded at once and goes to the on-failure destination.
    [discarded] = records(sim, tk.INVOCATION_DISCARDED, "plain")
    assert discarded.data == {
        "event_id": stop.data["event_id"],
        "condition": "RetriesExhausted",
        "attempts": 0,
    }
    assert not records(sim, tk.INVOCATION_RETRY_SCHEDULED)
    [msg] = sim.queues["failures"].messages.values()
    record = json.loads(msg.body)
    assert record["requestContext"]["requestId"] == stop.data["event_id"]
    assert record["requestPayload"] == {"order": 7}
    # Lambda stopped the invocation before any runtime ran: the error is Lambda's own, with
    # no runtime's keys (a choice: AWS shows no such record).
    assert record["responsePayload"] == {
        "errorMessage": "Lambda has detected your function being invoked in a recursive loop "
        "with other AWS resources and stopped your function's invocation.",
        "errorType": "RecursiveInvocationException",
    }


def test_the_invoke_command_and_run_of_the_audit_reproduction_return(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(SELF_INVOKING, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(SELF_INVOKING_BEHAVIORS, encoding="utf-8")
    session = Session.open(tmp_path, start_ms=START)
    execute(session, "invoke plain '{}'")
    result = execute(session, "run")
    assert result.data["quiet"] is True
    assert session.sim.function_stats("plain")["invocations"] == 16
    assert session.sim.queue_stats("failures")["depth"] == 1


@pytest.mark.parametrize(("limit", "stopped"), [(16, False), (17, True)])
def test_a_chain_of_16_invocations_runs_and_a_17th_is_stopped(limit: int, stopped: bool) -> None:
    sim = make_sim(SELF_INVOKING, counting_behaviors(limit))
    sim.invoke_async("plain", {"n": 1}, "invoke", "command")
    assert sim.run(3_600_000)
    assert started(sim, "plain") == 16
    assert bool(records(sim, tk.INVOCATION_RECURSION_STOPPED)) is stopped
    assert sim.queue_stats("failures")["depth"] == int(stopped)


def test_an_sqs_self_loop_stops_and_its_message_is_dead_lettered() -> None:
    sim = make_sim(SQS_LOOP, SQS_LOOP_BEHAVIORS)
    first = sim.send("jobs", "job-1")
    assert sim.run(3_600_000)
    assert started(sim, "worker") == 16
    stops = records(sim, tk.INVOCATION_RECURSION_STOPPED, "worker")
    # The message the 16th invocation sent is never processed: each receive is stopped,
    # and it returns after the 60 s visibility timeout until the redrive policy moves it.
    assert len(stops) == 3
    assert {r.data["trigger"] for r in stops} == {"sqs"}
    assert {r.data["chain"] for r in stops} == {17}
    assert [r.t - stops[0].t for r in stops] == [0, 60_000, 120_000]
    [looping] = {m for r in stops for m in r.data["message_ids"]}
    assert looping != first
    [dead] = records(sim, tk.MESSAGE_DEAD_LETTERED, "jobs")
    assert dead.data["message_id"] == looping
    assert sim.queue_stats("jobsDlq")["depth"] == 1
    assert sim.queue_stats("jobs")["depth"] == 0


def test_an_sns_loop_stops_at_the_17th_invocation() -> None:
    sim = make_sim(SNS_LOOP, SNS_LOOP_BEHAVIORS)
    sim.services["topics"].publish("alerts", "disk full")
    assert sim.run(3_600_000)
    assert started(sim, "pager") == 16
    [stop] = records(sim, tk.INVOCATION_RECURSION_STOPPED, "pager")
    assert (stop.data["trigger"], stop.data["chain"]) == ("sns", 17)
    assert len(records(sim, tk.TOPIC_PUBLISHED, "alerts")) == 17


def test_eventbridge_does_not_carry_the_count() -> None:
    # AWS does not track EventBridge: a loop through a bus is not stopped at 16.
    sim = make_sim(BUS_LOOP, bus_behaviors("100ms", "detail.n < `30`"))
    sim.services["buses"].publish("loopBus", "loop", "again", {"n": 1})
    assert sim.run(3_600_000)
    assert started(sim, "relay") == 30
    assert not records(sim, tk.INVOCATION_RECURSION_STOPPED)


def test_a_function_writing_to_the_bucket_that_invokes_it_stops_at_the_17th() -> None:
    # AWS, October 2024: Lambda "detects and stops recursive loops between Lambda and Amazon
    # S3", the bucket being the function's event source (stptui used to track no S3 path).
    sim = make_sim(S3_LOOP, s3_behaviors("thumbnailer"))
    sim.services["buckets"].put_object("uploads", "a")
    assert sim.run(3_600_000)
    assert started(sim, "thumbnailer") == 16
    [stop] = records(sim, tk.INVOCATION_RECURSION_STOPPED, "thumbnailer")
    assert (stop.data["trigger"], stop.data["chain"]) == ("s3", 17)
    # The 16th invocation's object was written; only the invocation it caused is stopped.
    assert len(records(sim, tk.OBJECT_CREATED, "uploads")) == 17


def test_a_python_handler_writing_to_its_bucket_with_boto3_is_stopped_too(
    tmp_path: Path,
) -> None:
    (tmp_path / "stacktape.yml").write_text(S3_LOOP, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  thumbnailer:\n    handler: loop_s3_handlers:thumbnail\n", encoding="utf-8"
    )
    (tmp_path / "loop_s3_handlers.py").write_text(
        "import boto3\n\n"
        "def thumbnail(event, context):\n"
        "    key = event['Records'][0]['s3']['object']['key']\n"
        "    boto3.client('s3').put_object(Bucket='uploads', Key=key + '/x', Body=b'x')\n",
        encoding="utf-8",
    )
    session = Session.open(tmp_path, start_ms=START, allow_code=True)
    execute(session, "upload uploads a")
    execute(session, "run")
    assert started(session.sim, "thumbnailer") == 16
    [stop] = records(session.sim, tk.INVOCATION_RECURSION_STOPPED, "thumbnailer")
    assert stop.data["chain"] == 17


def test_eventbridge_between_a_bucket_and_a_function_drops_the_count() -> None:
    # The same loop through the bucket's EventBridge notifications: EventBridge does not
    # carry the trace header's count, so it is not stopped (here it ends by its own rule).
    sim = make_sim(S3_LOOP, s3_behaviors("auditor"))
    sim.services["buckets"].put_object("uploads", "a")
    assert sim.run(3_600_000)
    # 21 objects, the last one's key too long to write another.
    assert started(sim, "auditor") == 21
    assert not records(sim, tk.INVOCATION_RECURSION_STOPPED, "auditor")


def test_a_zero_duration_eventbridge_loop_stops_the_run_with_a_clear_error() -> None:
    sim = make_sim(BUS_LOOP, bus_behaviors("0"))
    sim.clock.still_limit = 4096  # the default takes seconds to reach
    sim.services["buses"].publish("loopBus", "loop", "again", {"n": 1})
    with pytest.raises(ClockStalled) as err:
        sim.run(3_600_000)
    assert "2026-01-05T08:00:00.000Z" in str(err.value)
    assert "AWS does not track" in str(err.value)
    assert sim.clock.now == START
    # The simulation is consistent: everything that ran finished, and it can go on.
    assert sim.function_stats("relay")["running"] <= 1


@pytest.mark.parametrize(
    "command", ["run", "advance 1m", "step 100000", "until 2026-01-06T00:00:00Z"]
)
def test_the_safety_net_is_a_one_line_command_error_and_the_session_still_saves(
    tmp_path: Path, command: str
) -> None:
    (tmp_path / "stacktape.yml").write_text(BUS_LOOP, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(bus_behaviors("0"), encoding="utf-8")
    session = Session.open(tmp_path, start_ms=START)
    session.sim.clock.still_limit = 4096
    execute(session, "publish loopBus loop again '{\"n\": 1}'")
    with pytest.raises(CommandError) as err:
        execute(session, command)
    assert "\n" not in err.value.message
    assert "has not moved from 2026-01-05T08:00:00.000Z" in err.value.message
    assert "AWS does not track" in err.value.message
    # What ran is logged as the `step N` that replays it: save and load reproduce the state.
    assert session.log[-1].startswith("step ")
    seq = session.sim.trace.seq
    execute(session, f"save {tmp_path / 'loop.json'}")
    execute(session, f"load {tmp_path / 'loop.json'}")
    assert session.sim.trace.seq == seq


def _sqs_loop_trace() -> list[str]:
    sim = make_sim(SQS_LOOP, SQS_LOOP_BEHAVIORS, seed=3)
    for n in range(3):
        sim.send("jobs", f"job-{n}")
    sim.run(3_600_000)
    return [r.to_line() for r in sim.trace.records]


def test_the_same_loop_gives_the_same_trace() -> None:
    first = _sqs_loop_trace()
    assert any(tk.INVOCATION_RECURSION_STOPPED in line for line in first)
    assert first == _sqs_loop_trace()


def test_interrupting_a_run_inside_such_a_loop_ends_in_the_same_error(tmp_path: Path) -> None:
    # Ctrl-C runs the rest of the instant reached (as `until NOW` would): here, the loop.
    (tmp_path / "stacktape.yml").write_text(BUS_LOOP, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(bus_behaviors("0"), encoding="utf-8")
    session = Session.open(tmp_path, start_ms=START)
    session.sim.clock.still_limit = 4096
    execute(session, "publish loopBus loop again '{\"n\": 1}'")
    with pytest.raises(CommandError, match="AWS does not track"):
        execute(session, "run", should_stop=lambda: True)
    assert session.log[-1].startswith("step ")


def _looping_session(tmp_path: Path) -> Session:
    (tmp_path / "stacktape.yml").write_text(BUS_LOOP, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(bus_behaviors("0"), encoding="utf-8")
    session = Session.open(tmp_path, start_ms=START)
    session.sim.clock.still_limit = 4096
    execute(session, "publish loopBus loop again '{\"n\": 1}'")
    return session


def test_a_tui_fast_forward_into_such_a_loop_stops_and_says_why(tmp_path: Path) -> None:
    from stptui.tui.fast_forward import FastForward

    session = _looping_session(tmp_path)
    run = FastForward(session, START + 86_400_000)
    while not run.done:
        run.slice()
    assert run.cancelled and run.now_ms == START
    assert "has not moved from 2026-01-05T08:00:00.000Z" in run.summary()
    # logged as the events that ran, so the session saves and replays to the same state
    assert session.log[-1].startswith("step ")
    seq = session.sim.trace.seq
    execute(session, f"save {tmp_path / 'ff.json'}")
    execute(session, f"load {tmp_path / 'ff.json'}")
    assert session.sim.trace.seq == seq


def test_the_tui_live_clock_pauses_in_such_a_loop_and_says_why(tmp_path: Path) -> None:
    from stptui.tui.live import LiveClock

    session = _looping_session(tmp_path)
    live = LiveClock(session, speed_index=0)
    live.running = True
    for _ in range(50):
        live.frame(0.25)
        if not live.running:
            break
    assert not live.running
    assert live.stalled is not None and "AWS does not track" in live.stalled
    live.commit()
    assert session.log[-1].startswith("step ")


def test_a_recording_of_a_stall_longer_than_one_step_replays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stptui.commands.handlers import base

    # A stand-in for `step`'s maximum of 999,999,999 events (all nines, as `step` checks its
    # digits), which a loop needs about ten minutes to pass: the stall below runs 4,096 and
    # more events, several steps' worth.
    monkeypatch.setattr(base, "MAX_WHOLE", 999)
    (tmp_path / "stacktape.yml").write_text(BUS_LOOP, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(bus_behaviors("0"), encoding="utf-8")
    script = tmp_path / "loop.stp"
    session = Session.open(tmp_path, start_ms=START)
    session.sim.clock.still_limit = 4096
    execute(session, f"record {script}")
    execute(session, "publish loopBus loop again '{\"n\": 1}'")
    with pytest.raises(CommandError, match="AWS does not track"):
        execute(session, "run")
    execute(session, "record stop")
    replay = Session.open(tmp_path, start_ms=START)
    execute(replay, f"source {script}")
    assert [r.to_line() for r in replay.sim.trace.records] == [
        r.to_line() for r in session.sim.trace.records
    ]
    steps = [line for line in script.read_text().splitlines() if line.startswith("step ")]
    assert len(steps) > 4 and steps[0] == "step 999"
