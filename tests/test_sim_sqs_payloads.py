"""What a function and `show agenda` see of a queue: the SQS record carries
`md5OfMessageAttributes` when the message has
attributes: SQS's documented digest, after `messageAttributes`, as in events captured from
Lambda (docs/fidelity.md, SQS event source mapping)."""

from __future__ import annotations

from stptui.sim.clock import iso_ms
from stptui.sim.payloads import NumberText
from tests.simkit import capture_inputs, make_sim

STACK = """
resources:
  jobs: {type: sqs-queue}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}
      events: [{type: sqs, properties: {sqsQueueName: jobs, batchSize: 1}}]
"""


def _records(**sends: dict) -> list[dict]:
    sim = make_sim(STACK)
    seen = capture_inputs(sim, lambda inp: inp.event()["Records"][0])
    for body, attrs in sends.items():
        sim.send("jobs", body, attrs=attrs)
    sim.run(60_000)
    return seen


def test_a_message_with_attributes_has_their_digest_after_them() -> None:
    (record,) = _records(a={"attribName1": "attribValue 1"})
    keys = list(record)
    assert keys[keys.index("messageAttributes") + 1] == "md5OfMessageAttributes"
    assert keys[keys.index("md5OfMessageAttributes") + 1] == "md5OfBody"
    # The digest the SQS API returns for this attribute (a published test vector).
    assert record["md5OfMessageAttributes"] == "19e27d4e946b072f3f58da80d94fd778"


def test_the_digest_covers_names_types_and_values_in_name_order() -> None:
    one, two, three = _records(
        a={"b": NumberText("5"), "a": "x"},
        b={"a": "x", "b": NumberText("5")},
        c={"a": "x", "b": "5"},
    )
    assert one["md5OfMessageAttributes"] == two["md5OfMessageAttributes"]
    assert one["md5OfMessageAttributes"] != three["md5OfMessageAttributes"]  # Number vs String


def test_a_message_without_attributes_has_no_digest() -> None:
    (record,) = _records(a={})
    assert "md5OfMessageAttributes" not in record


def test_an_emptied_queue_keeps_no_retention_check() -> None:
    sim = make_sim(STACK)
    sim.send("jobs", "x")
    sim.advance(60_000)  # received and deleted: the queue is empty, its check is cancelled
    assert [e for e in sim.agenda() if e[1] == "retention"] == []
    sim.send("jobs", "y", delay_s=900)  # sent a minute later: checked four days after it
    (entry,) = [e for e in sim.agenda() if e[1] == "retention"]
    assert (iso_ms(entry[0]), entry[3]) == (
        "2026-01-09T08:01:00.000Z",
        "the oldest message reaches the retention period",
    )
