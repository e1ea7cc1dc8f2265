"""Workers that poll queues across the promises every command keeps: a session with pollers
mid-processing (messages in a worker's hands, returns pending, a FIFO group blocked, the
overrides of the workload and of its container) is saved and loaded, recorded and sourced,
to the identical trace and views; the same script gives the same trace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stptui.commands import Session, execute
from stptui.commands.session import trace_sha256
from tests.session_checks import assert_replays, run_line, trace_lines, views_of, write_stack
from tests.simkit import START

# `worker` polls `jobs` (two pollers, three messages a receive, a 10 s visibility timeout
# that a slow message outlives) and the FIFO `orders`; what it processes goes to `done`.
STACK = """\
serviceName: mill
resources:
  jobs:
    type: sqs-queue
    properties:
      visibilityTimeoutSeconds: 10
      redrivePolicy: {targetSqsQueueName: dead, maxReceiveCount: 3}
  dead: {type: sqs-queue}
  orders:
    type: sqs-queue
    properties:
      fifoEnabled: true
      contentBasedDeduplication: true
      visibilityTimeoutSeconds: 20
  done: {type: sqs-queue}
  worker:
    type: worker-service
    properties:
      packaging: {type: prebuilt-image, properties: {image: w}}
      resources: {cpu: 0.25, memory: 512}
      connectTo: [jobs, orders, done]
"""

BEHAVIORS = """\
behaviors:
  worker:
    poll:
      - {queue: jobs, maxMessages: 3, concurrency: 2}
      - {queue: orders, maxMessages: 10}
    duration: {min: 500ms, max: 12s}
    fail:
      - when: "body.kind == 'poison'"
        error: PoisonError
      - rate: 0.2
    log: "join(' ', [queue, Attributes.ApproximateReceiveCount])"
    emit:
      - send: {queue: done, body: Body}
"""

VIEWS = ("show queue jobs", "show queue dead", "show queue orders", "show logs worker")


@pytest.fixture
def stack_file(tmp_path: Path) -> Path:
    return write_stack(tmp_path, STACK, BEHAVIORS)


def _open(stack_file: Path, *, start_ms: int = START, seed: int = 0) -> Session:
    return Session.open(stack_file, start_ms=start_ms, seed=seed)


MID_PROCESSING = [
    "send jobs '{\"n\": 1}'",
    'send jobs \'{"kind": "poison"}\'',
    "send jobs '{\"n\": 3}'",
    "send jobs '{\"n\": 4}'",
    "send orders '{\"n\": 5}' --group a",
    'send orders \'{"kind": "poison"}\' --group a',
    "fail worker.service-container next 1",
    "slow worker 11s",
    "advance 4s",  # both pollers busy, messages waiting in their hands
]


def test_a_worker_saved_mid_processing_loads_and_goes_on_to_the_identical_trace(
    stack_file: Path, tmp_path: Path
) -> None:
    first = _open(stack_file)
    for line in MID_PROCESSING:
        execute(first, line)
    workers = first.sim.services["workers"]
    assert sum(p.busy for p in workers.polls) == 3  # the state the save must rebuild
    target = tmp_path / "saved.json"
    execute(first, f"save {target}")
    assert json.loads(target.read_text())["commands"] == first.log

    other = _open(stack_file, start_ms=START + 5_000, seed=7)
    execute(other, "send jobs what-the-load-replaces")
    execute(other, f"load {target}")
    assert trace_lines(other) == trace_lines(first)
    assert views_of(other, VIEWS) == views_of(first, VIEWS)
    # Both go on identically: held messages end past their timeouts, returns, the DLQ.
    for session in (first, other):
        execute(session, "succeed worker")
        execute(session, "send jobs '{\"n\": 99}'")
        execute(session, "advance 10m")
    assert trace_sha256(other.sim.trace) == trace_sha256(first.sim.trace)
    assert views_of(other, VIEWS) == views_of(first, VIEWS)


def test_a_recording_of_a_worker_sources_to_the_identical_trace(
    stack_file: Path, tmp_path: Path
) -> None:
    first = _open(stack_file)
    execute(first, f"record {tmp_path / 'run.stp'}")
    for line in [*MID_PROCESSING, "advance 2m", "redrive dead"]:
        execute(first, line)
    execute(first, "record stop")
    again = _open(stack_file)
    execute(again, f"source {tmp_path / 'run.stp'}")
    assert trace_lines(again) == trace_lines(first)
    assert views_of(again, VIEWS) == views_of(first, VIEWS)


TEMPLATES = [
    "send jobs '{{\"n\": {n}}}'",
    'send jobs \'{{"kind": "poison"}}\'',
    "send orders '{{\"n\": {n}}}' --group g{n}",
    'send orders \'{{"kind": "poison", "n": {n}}}\' --group g{n}',
    "fail worker next {n}",
    "fail worker rate 0.5",
    'fail worker.service-container when "body.n == `{n}`"',
    "slow worker 1{n}s",
    "succeed worker",
    "succeed worker.service-container",
    "fail worker.nope",
    "redrive dead",
    "purge jobs",
    "advance 1s",
    "advance 9s",
    "advance 2m",
]

scripts = st.lists(
    st.tuples(st.sampled_from(TEMPLATES), st.integers(0, 3)), min_size=1, max_size=14
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(script=scripts)
def test_the_same_worker_script_gives_the_same_trace_and_replays_from_a_save(
    script: list[tuple[str, int]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    def drive(session: Session) -> None:
        for template, n in script:
            run_line(session, template.format(n=n))

    stack = write_stack(tmp_path_factory.mktemp("stack"), STACK, BEHAVIORS)
    # Saved as it stands, pollers possibly mid-message; the load replays to the same state,
    # and both go on to the same trace.
    first, loaded = assert_replays(stack, START, drive, VIEWS)
    for session in (first, loaded):
        execute(session, "advance 5m")
    assert trace_sha256(loaded.sim.trace) == trace_sha256(first.sim.trace)
