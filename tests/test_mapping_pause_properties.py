"""Properties of event source mappings paused and resumed (`pause FUNCTION --trigger SOURCE`,
stptui.sim.mappings) that a user relies on, over random interleavings of sends, pauses,
resumes, failures and clock moves:

- SQS: every message sent ends exactly once: deleted by the consumer, dead-lettered, or
  expired by the queue's retention; none is lost, none ends twice. The at-least-once model
  allowed: a message may be handed to the function more than once, but each delivery comes
  from its own receive (never two invocations from one receive), so a second delivery
  always follows a return to the queue; it is deleted at most once.
- A disabled mapping reads nothing between its mapping.disabled and mapping.enabled
  records: no receive, no dead-lettering (that happens on a receive), no invocation.
- Streams (Kinesis, a DynamoDB table's, a Kafka topic): per shard or partition (per
  partition key with a parallelization factor over 1), the records the function processes
  successfully are the records put there, in order, each once, except the ones the
  stream's retention expired before they were read and the ones a retry limit made the
  mapping discard.
- A batch job's queue mapping, paused, submits no job; resumed, each message is submitted
  and deleted once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stptui.commands import Session
from stptui.sim import trace as tk
from stptui.sim.trace import Record
from tests.propkit import open_session, run_lines, scratch

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}"
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def sqs_stacks(draw: st.DrawFn) -> tuple[str, str, bool]:
    """`jobs` (dead-lettering to `dead`) consumed by `worker`; the stack, its behaviours and
    whether the queues are FIFO."""
    fifo = draw(st.booleans())
    vt = draw(st.sampled_from([5, 30]))
    retention = draw(st.sampled_from([60, 600, 345600]))
    mrc = draw(st.integers(1, 3))
    batch = draw(st.sampled_from([1, 3, 10]))
    # Lambda takes no batching window for a FIFO queue.
    window = "" if fifo else draw(st.sampled_from(["", ", maxBatchWindowSeconds: 5"]))
    reserved = draw(st.sampled_from(["", "      reservedConcurrency: 1\n"]))
    fifo_props = "      fifoEnabled: true\n      contentBasedDeduplication: true\n" if fifo else ""
    dead_props = fifo_props or "      {}\n"
    stack = (
        "resources:\n"
        f"  dead:\n    type: sqs-queue\n    properties:\n{dead_props}"
        "  jobs:\n    type: sqs-queue\n    properties:\n"
        f"      visibilityTimeoutSeconds: {vt}\n"
        f"      messageRetentionPeriodSeconds: {retention}\n{fifo_props}"
        f"      redrivePolicy: {{targetSqsQueueName: dead, maxReceiveCount: {mrc}}}\n"
        f"  worker:\n    type: function\n    properties:\n      {PKG}\n      timeout: {min(vt, 10)}\n"
        f"{reserved}"
        "      events:\n"
        f"        - {{type: sqs, properties: {{sqsQueueName: jobs, batchSize: {batch}{window}}}}}\n"
        "        - {type: sqs, properties: {sqsQueueName: more, batchSize: 1}}\n"
        # A second mapping of the same function, paused on its own.
        f"  more:\n    type: sqs-queue\n    properties:\n{fifo_props}"
        f"      visibilityTimeoutSeconds: {vt}\n"
    )
    # A cold start's 2 s on a 4 s handler outlives a 5 s visibility timeout: the
    # duplicates at-least-once delivery allows.
    duration = draw(st.sampled_from(["10ms", "1s", "4s", "{min: 10ms, max: 4s}"]))
    init = draw(st.sampled_from(["", "    initDuration: 2s\n"]))
    rate = draw(st.sampled_from([0, 0.5]))
    behaviors = f"behaviors:\n  worker:\n    duration: {duration}\n    fail: {{rate: {rate}}}\n"
    return stack, behaviors + init, fifo


QUEUES = ("jobs", "more")
sqs_lines = st.lists(
    st.one_of(
        st.builds(
            lambda i, g: f"send jobs m{i} --group g{g}", st.integers(0, 99), st.integers(0, 2)
        ),
        st.builds(lambda i: f"send more n{i} --group g0", st.integers(0, 99)),
        st.sampled_from(["pause", "resume"]).flatmap(
            lambda verb: st.sampled_from([f"{verb} worker --trigger {q}" for q in QUEUES])
        ),
        st.builds(lambda d: f"advance {d}", st.sampled_from(["1ms", "700ms", "5s", "31s", "3m"])),
        st.sampled_from(["fail worker always", "fail worker next 2", "succeed worker"]),
    ),
    max_size=30,
)


def disabled_spans(
    recs: list[Record], workload: str, source: str | None = None
) -> list[tuple[int, int]]:
    """The (first, last) record indexes of each stretch the workload's mapping (from
    `source`, when it has several) was disabled (the last one open until the end)."""
    spans, start = [], None
    for i, r in enumerate(recs):
        if r.resource != workload or (source is not None and r.get("source") != source):
            continue
        if r.kind == tk.MAPPING_DISABLED:
            start = i
        elif r.kind == tk.MAPPING_ENABLED and start is not None:
            spans.append((start, i))
            start = None
    if start is not None:
        spans.append((start, len(recs)))
    return spans


def check_disabled_reads_nothing(recs: list[Record], workload: str, queue: str) -> None:
    """Nothing read from `queue` for `workload` while that mapping was disabled."""
    for first, last in disabled_spans(recs, workload, queue):
        for r in recs[first + 1 : last]:
            assert not (
                r.kind == tk.INVOCATION_STARTED
                and r.resource == workload
                and r.get("queue") == queue
            ), r.to_line()
            assert not (
                r.kind in (tk.MESSAGE_RECEIVED, tk.MESSAGE_DEAD_LETTERED) and r.resource == queue
            ), r.to_line()


def check_sqs_conservation(session: Session) -> None:
    recs = session.sim.trace.records
    sent = [r.get("message_id") for r in recs if r.kind == tk.MESSAGE_SENT and r.resource == "jobs"]
    assert len(sent) == len(set(sent)), "a message id was given twice"
    ends: dict[str, list[str]] = {m: [] for m in sent}
    # Per message, its receives ("r") and deliveries ("i") in the order they happened.
    story: dict[str, list[str]] = {m: [] for m in sent}
    for r in recs:
        mid = r.get("message_id")
        if r.resource == "jobs" and r.kind in (
            tk.MESSAGE_DELETED,
            tk.MESSAGE_DEAD_LETTERED,
            tk.MESSAGE_EXPIRED,
        ):
            ends[mid].append(r.kind)
        elif r.resource == "jobs" and r.kind == tk.MESSAGE_RECEIVED:
            story[mid].append("r")
        elif r.kind == tk.INVOCATION_STARTED and r.get("queue") == "jobs":
            for m in r.get("message_ids"):
                story[m].append("i")
    jobs = session.sim.queues["jobs"]
    assert not jobs.messages, f"left in jobs: {sorted(jobs.messages)[:3]}"
    for mid in sent:
        assert len(ends[mid]) == 1, (mid, ends[mid])
        # Each delivery from its own receive.
        assert "ii" not in "".join(story[mid]), (mid, story[mid])
        assert not story[mid] or story[mid][0] == "r", (mid, story[mid])
    # A dead-lettered message is in `dead` (its retention, 4 days, outlasts the run).
    dead = session.sim.queues["dead"].messages
    lettered = {m for m in sent if ends[m] == [tk.MESSAGE_DEAD_LETTERED]}
    assert lettered == set(dead), lettered ^ set(dead)
    # `more` has no dead-letter queue: what fails stays, live, and is not lost.
    sent = [r.get("message_id") for r in recs if r.kind == tk.MESSAGE_SENT and r.resource == "more"]
    gone = [
        r.get("message_id")
        for r in recs
        if r.resource == "more" and r.kind in (tk.MESSAGE_DELETED, tk.MESSAGE_EXPIRED)
    ]
    live = list(session.sim.queues["more"].messages)
    assert sorted(gone + live) == sorted(sent)


@SETTINGS
@given(sqs_stacks(), sqs_lines, st.integers(0, 2))
def test_every_message_ends_once_across_pauses(
    stack: tuple[str, str, bool], lines: list[str], seed: int
) -> None:
    stack_yaml, behaviors, fifo = stack
    if not fifo:  # message groups for the FIFO queues only
        lines = [line.split(" --group")[0] for line in lines]
    with scratch() as folder:
        session = open_session(Path(folder), stack_yaml, behaviors, seed)
        run_lines(session, lines)
        for q in QUEUES:
            check_disabled_reads_nothing(session.sim.trace.records, "worker", q)
        # Resumed, the backlog drains: every message ends.
        run_lines(session, ["resume worker --trigger jobs", "resume worker --trigger more"])
        run_lines(session, ["advance 1h"])
        for q in QUEUES:
            check_disabled_reads_nothing(session.sim.trace.records, "worker", q)
        check_sqs_conservation(session)


# A table's stream as the dynamo-db-stream event names it (docs/examples/cart-audit.yml).
TABLE = (
    "  clicks:\n    type: dynamo-db-table\n    properties:\n"
    "      primaryKey: {partitionKey: {name: id, type: string}}\n"
    "      streamType: NEW_AND_OLD_IMAGES\n"
)
KINESIS = (
    "  clicks:\n    type: kinesis-stream\n    properties:\n"
    "      retentionPeriodHours: 24\n      capacityMode: PROVISIONED\n      shardCount: {shards}\n"
)


# A Kafka topic `clicks` of a cluster outside the stack (tests/test_pause_mappings.py).
KAFKA_EVENT = (
    "kafka-topic\n          properties: {customKafkaConfiguration: "
    "{bootstrapServers: [broker-1.example.com:9092], topicName: clicks, authentication: "
    "{type: SASL_SCRAM_512_AUTH, properties: "
    "{authenticationSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:k'}}}"
)


@st.composite
def stream_stacks(draw: st.DrawFn) -> tuple[str, str, int, str]:
    """`clicks`, a Kinesis stream of one or two shards, a DynamoDB table's stream or a Kafka
    topic, read by `reader`; the stack, its behaviours, the mapping's parallelization
    factor and which `clicks` is (kinesis, table, kafka)."""
    kind = draw(st.sampled_from(["kinesis", "table", "kafka"]))
    batch = draw(st.sampled_from([1, 2, 10]))
    factor = draw(st.sampled_from([1, 1, 2]))
    extra = draw(
        st.sampled_from(
            [
                "",
                ", startingPosition: TRIM_HORIZON",
                ", maximumRetryAttempts: 1",
                ", bisectBatchOnFunctionError: true, maximumRetryAttempts: 2",
                ", maxBatchWindowSeconds: 3",
            ]
        )
    )
    if kind == "kafka":
        # A Kafka mapping has neither retries to limit nor a parallelization factor.
        factor = 1
        extra = draw(st.sampled_from(["", ", maxBatchWindowSeconds: 3"]))
        source, event = "", KAFKA_EVENT
    elif kind == "table":
        source = TABLE
        event = "dynamo-db-stream\n          properties: "
        event += "{streamArn: \"$ResourceParam('clicks', 'streamArn')\""
    else:
        source = KINESIS.format(shards=draw(st.integers(1, 2)))
        event = "kinesis-stream\n          properties: {kinesisStreamName: clicks"
    stack = (
        f"resources:\n{source}"
        f"  reader:\n    type: function\n    properties:\n      {PKG}\n      events:\n"
        f"        - type: {event}, batchSize: {batch}{extra}"
        + ("}\n" if kind == "kafka" else f", parallelizationFactor: {factor}}}\n")
    )
    duration = draw(st.sampled_from(["10ms", "2s", "{min: 10ms, max: 3s}"]))
    init = draw(st.sampled_from(["", "    initDuration: 1s\n"]))
    return stack, f"behaviors:\n  reader:\n    duration: {duration}\n{init}", factor, kind


def put_line(key: str, n: int, kind: str) -> str:
    """A record on `clicks`: a put-record, a Kafka record, or a table's put-item or
    delete-item."""
    if kind == "kinesis":
        return f"put-record clicks r{n} --partition-key {key}"
    if kind == "kafka":
        return f"produce clicks r{n} --key {key}"
    if n % 4 == 0:
        return f'delete-item clicks \'{{"id": {{"S": "{key}"}}}}\''
    return f'put-item clicks \'{{"id": {{"S": "{key}"}}, "n": {{"N": "{n}"}}}}\''


stream_lines = st.lists(
    st.one_of(
        st.tuples(st.sampled_from("abcdef"), st.integers(0, 99)),
        st.just("pause reader --trigger clicks"),
        st.just("resume reader --trigger clicks"),
        st.builds(lambda d: f"advance {d}", st.sampled_from(["1ms", "500ms", "2s", "1m", "20h"])),
        # Not `fail reader always`: a batch retried for a day of virtual time makes a
        # record a second; pauses of 20 h let records expire instead.
        st.sampled_from(["fail reader next 2", "fail reader next 5", "succeed reader"]),
    ),
    max_size=30,
)

# The records that put data on a stream: a Kinesis record, a table's item changed, a Kafka
# record.
PUT_KINDS = (
    tk.STREAM_RECORD_PUT,
    tk.ITEM_PUT,
    tk.ITEM_UPDATED,
    tk.ITEM_DELETED,
    tk.KAFKA_RECORD_PRODUCED,
)
KAFKA_FIELDS = {
    "sequence_number": "record_id",
    "shard": "partition",
    "sequence_numbers": "record_ids",
}


def field(r: Record, name: str) -> Any:
    """A field of a stream's record, by the Kinesis name (a Kafka record's otherwise)."""
    value = r.get(name)
    return value if value is not None or name not in KAFKA_FIELDS else r.get(KAFKA_FIELDS[name])


def check_stream_order(session: Session, factor: int) -> None:
    """Per shard (per partition key with a parallelization factor over 1, where that is
    Lambda's promise), what `reader` processed successfully is what was put, in order,
    each once, but for records that expired or that the mapping discarded."""
    recs = session.sim.trace.records
    put: dict[str, tuple[str, str]] = {}  # sequence number -> (shard, partition key)
    gone: dict[str, int] = {}  # expired: sequence number -> when
    discarded: set[str] = set()
    started: dict[str, Record] = {}
    done: list[tuple[Record, list[str]]] = []
    for r in recs:
        if r.kind in PUT_KINDS and field(r, "sequence_number") is not None:
            key = r.get("partition_key") if r.kind == tk.STREAM_RECORD_PUT else r.get("key")
            put[field(r, "sequence_number")] = (str(field(r, "shard")), str(key))
        elif r.kind in (tk.STREAM_RECORD_EXPIRED, tk.KAFKA_RECORD_EXPIRED):
            gone[field(r, "sequence_number")] = r.t
        elif r.kind == tk.STREAM_BATCH_DISCARDED:
            discarded.update(r.get("sequence_numbers"))
        elif r.kind == tk.INVOCATION_STARTED and r.resource == "reader":
            started[r.get("invocation_id")] = r
        elif r.kind == tk.INVOCATION_SUCCEEDED and r.resource == "reader":
            start = started[r.get("invocation_id")]
            done.append((start, field(start, "sequence_numbers")))
    order = list(put)  # sequence numbers in put order
    where = {s: i for i, s in enumerate(order)}

    def lane(seq: str) -> str:
        shard, key = put[seq]
        return shard if factor == 1 else f"{shard}/{key}"

    processed: dict[str, list[str]] = {}
    for start, seqs in done:
        for s in seqs:
            assert s in put, s
            # Read before the retention took it.
            assert s not in gone or start.t < gone[s], (s, start.t, gone[s])
            processed.setdefault(lane(s), []).append(s)
    for key, seqs in processed.items():
        assert len(seqs) == len(set(seqs)), f"processed twice in {key}: {seqs}"
        assert seqs == sorted(seqs, key=where.__getitem__), f"out of order in {key}: {seqs}"
    seen = {s for seqs in processed.values() for s in seqs}
    skipped = [s for s in order if s not in seen and s not in gone and s not in discarded]
    assert not skipped, f"never processed: {skipped[:3]}"


@SETTINGS
@given(stream_stacks(), stream_lines, st.integers(0, 2))
def test_stream_records_are_processed_in_order_across_pauses(
    stack: tuple[str, str, int, str], lines: list[Any], seed: int
) -> None:
    stack_yaml, behaviors, factor, kind = stack
    lines = [line if isinstance(line, str) else put_line(*line, kind) for line in lines]
    with scratch() as folder:
        session = open_session(Path(folder), stack_yaml, behaviors, seed)
        run_lines(session, lines)
        run_lines(session, ["resume reader --trigger clicks", "succeed reader", "advance 2h"])
        recs = session.sim.trace.records
        for first, last in disabled_spans(recs, "reader"):
            for r in recs[first + 1 : last]:
                assert not (r.kind == tk.INVOCATION_STARTED and r.resource == "reader"), r
        check_stream_order(session, factor)


BATCH_STACK = """resources:
  uploads:
    type: sqs-queue
    properties: {{visibilityTimeoutSeconds: 30}}
  makeThumbnails:
    type: batch-job
    properties:
      container:
        packaging: {{type: stacktape-image-buildpack, properties: {{entryfilePath: t.py}}}}
      resources: {{cpu: 1, memory: 2048}}
      events:
        - type: sqs
          properties: {{sqsQueueName: uploads, batchSize: {batch}{window}}}
"""

batch_lines = st.lists(
    st.one_of(
        st.builds(lambda i: f"send uploads m{i}", st.integers(0, 99)),
        st.just("pause makeThumbnails --trigger uploads"),
        st.just("resume makeThumbnails --trigger uploads"),
        st.builds(lambda d: f"advance {d}", st.sampled_from(["1ms", "2s", "31s", "5m"])),
    ),
    max_size=25,
)


@SETTINGS
@given(
    st.sampled_from([1, 3, 10]),
    st.sampled_from(["", ", maxBatchWindowSeconds: 5"]),
    batch_lines,
)
def test_a_batch_jobs_paused_queue_mapping_submits_nothing_and_loses_nothing(
    batch: int, window: str, lines: list[str]
) -> None:
    with scratch() as folder:
        stack = BATCH_STACK.format(batch=batch, window=window)
        session = open_session(Path(folder), stack)
        run_lines(session, lines)
        recs = session.sim.trace.records
        for first, last in disabled_spans(recs, "makeThumbnails"):
            for r in recs[first + 1 : last]:
                assert not (r.kind == tk.MESSAGE_RECEIVED and r.resource == "uploads"), r
                assert r.kind != tk.BATCH_SUBMITTED, r.to_line()
        run_lines(session, ["resume makeThumbnails --trigger uploads", "advance 1h"])
        recs = session.sim.trace.records
        sent = [r.get("message_id") for r in recs if r.kind == tk.MESSAGE_SENT]
        deleted = [r.get("message_id") for r in recs if r.kind == tk.MESSAGE_DELETED]
        # The mapping deletes each batch once its job is submitted: each message once.
        assert sorted(deleted) == sorted(sent)
        submitted = [
            m for r in recs if r.kind == tk.BATCH_SUBMITTED for m in r.get("message_ids") or []
        ]
        assert sorted(submitted) == sorted(sent)
