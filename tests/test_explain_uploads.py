"""`explain` of an S3 notification, or of the invocation it triggered, reaches the upload or
delete behind it (the notification carries the S3 request id of the object record)."""

from __future__ import annotations

from pathlib import Path

from stptui.sim import trace as tk
from stptui.sim.engine import Simulator
from stptui.sim.explain import explain
from tests.simkit import make_sim, records

SAMPLE = Path(__file__).resolve().parent.parent / "stptui" / "sample_stacks" / "file-processing"

DELETES = """
resources:
  uploads: {type: bucket}
  cleaner:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: c.ts}}
      events:
        - type: s3
          properties:
            bucketArn: $ResourceParam('uploads', 'arn')
            s3EventType: s3:ObjectRemoved:*
"""


def file_processing() -> Simulator:
    return make_sim((SAMPLE / "stacktape.yml").read_text(), (SAMPLE / "stptui.yml").read_text())


def kinds(sim: Simulator, key: str) -> list[tuple[str, str, str | None]]:
    return [(r.kind, r.resource, r.get("key")) for r in explain(sim.trace, key).records]


def test_the_notification_and_the_invocation_it_triggered_start_at_the_upload() -> None:
    sim = file_processing()
    sim.services["buckets"].put_object("uploads", "incoming/orders.csv", content=b"orderId")
    sim.run(60_000)
    matched = records(sim, tk.NOTIFICATION_MATCHED)[0]
    invocation = records(sim, tk.INVOCATION_STARTED)[0]
    upload = (tk.OBJECT_CREATED, "uploads", "incoming/orders.csv")
    for asked in (matched.get("event_id"), invocation.get("invocation_id")):
        chain = kinds(sim, asked)
        assert chain[0] == upload, asked
        assert (tk.NOTIFICATION_MATCHED, "uploads", "incoming/orders.csv") in chain
        assert (tk.OBJECT_CREATED, "uploads", "processed/incoming/orders.csv.json") in chain


def test_the_keys_chain_is_the_invocations_chain() -> None:
    sim = file_processing()
    sim.services["buckets"].put_object("uploads", "incoming/orders.csv", content=b"orderId")
    sim.run(60_000)
    invocation = records(sim, tk.INVOCATION_STARTED)[0].get("invocation_id")
    by_key = kinds(sim, "incoming/orders.csv")
    assert by_key == [
        (tk.OBJECT_CREATED, "uploads", "incoming/orders.csv"),
        (tk.NOTIFICATION_MATCHED, "uploads", "incoming/orders.csv"),
        (tk.INVOCATION_STARTED, "fileProcessor", None),
        (tk.INVOCATION_SUCCEEDED, "fileProcessor", None),
        (tk.OBJECT_CREATED, "uploads", "processed/incoming/orders.csv.json"),
        # The object the invocation wrote is outside the notification's prefix: why.
        (tk.NOTIFICATION_SKIPPED, "uploads", "processed/incoming/orders.csv.json"),
    ]
    assert kinds(sim, invocation) == by_key


def test_a_delete_notification_reaches_the_delete() -> None:
    sim = make_sim(DELETES)
    buckets = sim.services["buckets"]
    buckets.put_object("uploads", "old.txt", content=b"x")
    buckets.delete_object("uploads", "old.txt")
    sim.run(60_000)
    matched = records(sim, tk.NOTIFICATION_MATCHED)
    assert [r.get("event") for r in matched] == ["ObjectRemoved:Delete"]
    for asked in (
        matched[0].get("event_id"),
        records(sim, tk.INVOCATION_STARTED)[0].get("invocation_id"),
    ):
        chain = kinds(sim, asked)
        assert chain[0] == (tk.OBJECT_DELETED, "uploads", "old.txt"), asked
        # The upload before it is another request: it is not part of the delete's chain.
        assert (tk.OBJECT_CREATED, "uploads", "old.txt") not in chain


def test_an_upload_no_notification_matched_explains_as_before() -> None:
    sim = file_processing()
    sim.services["buckets"].put_object("uploads", "drafts/notes.txt", content=b"not yet")
    sim.run(60_000)
    chain = explain(sim.trace, "drafts/notes.txt")
    assert [(r.kind, r.get("key")) for r in chain.records] == [
        (tk.OBJECT_CREATED, "drafts/notes.txt"),
        (tk.NOTIFICATION_SKIPPED, "drafts/notes.txt"),
    ]
    assert chain.lines()[-1].strip() == (
        'key "drafts/notes.txt" does not start with prefix "incoming/"'
    )
