"""A Lambda destination that refuses the invocation record (a queue whose size limit the
record exceeds, a FIFO queue that wants a message group): Lambda drops the record, the trace
says why (`emission.failed`), and the clock runs on."""

from __future__ import annotations

import pytest
from simkit import make_sim, records

STACK = """\
serviceName: dest
resources:
  small: {{type: sqs-queue, properties: {{{queue}}}}}
  bus: {{type: event-bus}}
  f:
    type: function
    properties:
      packaging: {{type: stacktape-lambda-buildpack, properties: {{entryfilePath: src/f.ts}}}}
      destinations: {{onFailure: "$ResourceParam('small', 'arn')"}}
      events:
        - type: event-bus
          properties: {{eventBusName: bus, eventPattern: {{source: [app]}}}}
"""


@pytest.mark.parametrize(
    ("queue", "error"),
    [
        ("maxMessageSizeBytes: 1024", "queue small allows at most 1,024"),
        ("fifoEnabled: true, contentBasedDeduplication: true", "MissingParameter"),
    ],
)
def test_a_refused_destination_record_is_traced_and_the_run_goes_on(queue: str, error: str) -> None:
    # A FIFO destination is a validate error; the simulator still runs the stack to show why.
    sim = make_sim(
        STACK.format(queue=queue), "behaviors:\n  f:\n    fail: true\n", allow_errors=True
    )
    sim.services["buses"].publish("bus", "app", "T", {"pad": "x" * 900})
    assert sim.advance(10 * 60_000)  # the three attempts, then the destination
    failed = records(sim, "emission.failed", "f")
    assert [(r.get("emission"), r.get("target")) for r in failed] == [("onFailure", "small")]
    assert error in failed[0].get("error")
    assert not records(sim, "destination.delivered")
    assert sim.queue("small").depth == 0
    assert sim.clock.now == sim.start_ms + 10 * 60_000
