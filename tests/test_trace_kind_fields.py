"""`trace.KIND_FIELDS` is complete and exact: every record the simulator writes, in every
sample stack's demo and in scenarios for the kinds and optional fields the demos never
reach, has only fields its kind's entry lists, and every listed field is written by some
record. `expect count KIND FIELD=VALUE` refuses a field not in the table, and completion
offers the table's fields, so a gap here is a wrong refusal or a missing completion."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from stptui.cli import main
from stptui.commands import Session, execute
from stptui.sim import trace as tk
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
STACKS = ROOT / "stptui" / "sample_stacks"
START = "2026-01-05T08:00:00Z"
CHATTY = "def handle(event, context):\n    print('hello')\n"
PACKAGING = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.py}}"


def _demo_records(tmp_path: Path) -> Iterator[dict[str, object]]:
    """Every record of every sample stack's demo.stp, run as tests/test_demos.py runs it."""
    for demo in sorted(STACKS.glob("*/demo.stp")):
        trace = tmp_path / f"{demo.parent.name}.jsonl"
        argv = ["run", str(demo.parent), str(demo), "--start", START, "--trace", str(trace)]
        assert main(argv) == 0, demo
        for line in trace.read_text(encoding="utf-8").splitlines():
            yield json.loads(line)


def _session(tmp_path: Path, name: str, stack: str, behaviors: str) -> Session:
    """A session over an inline stack and behaviours file, at START, with a Python handler
    module `chatty_handler` beside them."""
    where = tmp_path / name
    where.mkdir()
    (where / "stacktape.yml").write_text(stack, encoding="utf-8")
    (where / "stptui.yml").write_text(behaviors, encoding="utf-8")
    (where / "chatty_handler.py").write_text(CHATTY, encoding="utf-8")
    return Session.open(where, start_ms=parse_instant(START), allow_code=True)


def _run(session: Session, *lines: str) -> Iterator[dict[str, object]]:
    for line in lines:
        execute(session, line)
    for rec in session.sim.trace.records:
        yield rec.to_json()


def fn(name: str, *lines: str) -> str:
    """A Lambda function resource, its properties' extra lines indented under it."""
    props = "".join(f"      {line}\n" for line in lines)
    return f"  {name}:\n    type: function\n    properties:\n      {PACKAGING}\n{props}"


def sqs_event(queue: str) -> str:
    return f"events: [{{type: sqs, properties: {{sqsQueueName: {queue}, batchSize: 2}}}}]"


QUEUES = (
    "resources:\n"
    "  orders: {type: sqs-queue, properties: {fifoEnabled: true}}\n"
    "  jobs:\n"
    "    type: sqs-queue\n"
    "    properties:\n"
    "      visibilityTimeoutSeconds: 120\n"
    "      messageRetentionPeriodSeconds: 60\n"
    "  busy: {type: sqs-queue, properties: {visibilityTimeoutSeconds: 60}}\n"
    "  partial: {type: sqs-queue}\n"
    + fn("worker", "timeout: 110", sqs_event("jobs"))
    + fn("throttled", "reservedConcurrency: 1", "timeout: 10", sqs_event("busy"))
    + fn("picky", sqs_event("partial"))
)
QUEUE_BEHAVIORS = """
behaviors:
  worker: {duration: 100s}
  throttled: {duration: 5s}
  picky:
    partial: {when: "body.n == `2`"}
    reportBatchItemFailures: true
"""


def _queue_records(tmp_path: Path) -> Iterator[dict[str, object]]:
    session = _session(tmp_path, "queues", QUEUES, QUEUE_BEHAVIORS)
    return _run(
        session,
        "send orders a --group g --dedup-id d",
        "send orders a --group g --dedup-id d",
        "send jobs late --delay 1s",
        *(f"send busy {n}" for n in range(4)),
        "send partial '{\"n\": 1}'",
        "send partial '{\"n\": 2}'",
        "advance 200s",
        "purge orders",
        # An event source mapping disabled and enabled again (mapping.disabled, .enabled).
        "pause picky --trigger partial",
        "resume picky --trigger partial",
    )


def bus_event() -> str:
    return "events: [{type: event-bus, properties: {eventBusName: bus, eventPattern: {source: [app]}}}]"


FUNCTIONS = (
    "resources:\n"
    "  failures: {type: sqs-queue}\n"
    "  small: {type: sqs-queue, properties: {maxMessageSizeBytes: 1024}}\n"
    "  loop: {type: sqs-queue}\n"
    "  bus: {type: event-bus}\n"
    + fn("flaky", "destinations: {onFailure: \"$ResourceParam('failures', 'arn')\"}", bus_event())
    + fn("refused", "destinations: {onFailure: \"$ResourceParam('small', 'arn')\"}", bus_event())
    + fn("never", "reservedConcurrency: 0", bus_event())
    + fn("sender", "connectTo: [small]")
    + fn("looper", sqs_event("loop"), "connectTo: [loop]")
    + fn("selfish", "connectTo: [selfish]")
    + fn("chatty")
)
FUNCTION_BEHAVIORS = f"""
behaviors:
  flaky: {{fail: {{always: true, message: {"x" * 270_000}}}}}
  refused: {{fail: true}}
  sender: {{emit: [{{send: {{queue: small, body: "@"}}}}]}}
  looper: {{duration: 10ms, emit: [{{send: {{queue: loop, body: body}}}}]}}
  selfish: {{duration: 0, emit: [{{invoke: {{function: selfish, payload: "@"}}}}]}}
  chatty: {{handler: "chatty_handler:handle"}}
"""


def _function_records(tmp_path: Path) -> Iterator[dict[str, object]]:
    session = _session(tmp_path, "functions", FUNCTIONS, FUNCTION_BEHAVIORS)
    pad = "y" * 2000
    return _run(
        session,
        f'publish bus app Ping \'{{"pad": "{pad}"}}\'',
        f'invoke sender \'{{"pad": "{pad}"}}\'',
        "send loop x",
        "invoke chatty",
        "invoke selfish",
        "advance 10m",
    )


SERVICES = (
    "resources:\n"
    "  dlq: {type: sqs-queue}\n"
    "  jobsIn: {type: sqs-queue}\n"
    "  bus: {type: event-bus}\n"
    "  alerts: {type: sns-topic}\n"
    "  ordered: {type: sns-topic, properties: {fifoEnabled: true, contentBasedDeduplication: true}}\n"
    "  photos: {type: bucket, properties: {versioning: true}}\n"
    "  api: {type: http-api-gateway}\n"
    "  job:\n"
    "    type: batch-job\n"
    "    properties:\n"
    "      container:\n"
    "        packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: j.ts}}\n"
    "      resources: {cpu: 1, memory: 2048}\n"
    "      retryConfig: {attempts: 2}\n"
    "      events:\n"
    "        - type: http-api-gateway\n"
    "          properties: {httpApiGatewayName: api, method: POST, path: /jobs}\n"
    "        - type: s3\n"
    "          properties: {bucketArn: \"$ResourceParam('photos', 'arn')\", "
    "s3EventType: 's3:ObjectCreated:*'}\n"
    "        - type: sqs\n"
    "          properties: {sqsQueueName: jobsIn}\n"
    "        - type: schedule\n"
    "          properties: {scheduleRate: rate(1 day)}\n"
    "  logger:\n"
    "    type: batch-job\n"
    "    properties:\n"
    "      container:\n"
    "        packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: l.ts}}\n"
    "      resources: {cpu: 1, memory: 2048}\n"
    + fn(
        "onBus",
        "events:",
        "  - type: event-bus",
        "    properties:",
        "      eventBusName: bus",
        "      eventPattern: {source: [app]}",
        "      onDeliveryFailure: {sqsQueueName: dlq}",
        f"      input: {{pad: {'x' * 1_100_000}}}",
    )
    + fn(
        "onTopic",
        "events:",
        "  - type: sns",
        "    properties: {snsTopicName: alerts, onDeliveryFailure: {sqsQueueName: dlq}}",
    )
    + fn("starter", "connectTo: [logger]")
)
SERVICE_BEHAVIORS = f"""
behaviors:
  job: {{duration: 1s, fail: {{always: true, message: {"z" * 270_000}}}}}
  logger: {{handler: "chatty_handler:handle"}}
  # Its input has no jobName: the execution fails at its first Task (batch.failed's cause).
  starter: {{emit: [{{startExecution: {{stateMachine: logger}}}}]}}
"""


def _service_records(tmp_path: Path) -> Iterator[dict[str, object]]:
    session = _session(tmp_path, "services", SERVICES, SERVICE_BEHAVIORS)
    # A control character is 6 bytes of JSON: the notification outgrows Lambda's 1 MB.
    sim = session.sim
    sim.services["topics"].publish("alerts", "\x01" * 200_000)
    # An entry of exactly PutEvents' 1 MiB: the event around it is over what SQS takes, so
    # the rule's dead-letter queue refuses it too.
    pad = "x" * (1024 * 1024 - len("app") - len("T") - len('{"pad":""}'))
    sim.services["buses"].publish("bus", "app", "T", {"pad": pad})
    # An endpoint that is gone fails at once, and the small notification fits the DLQ.
    del sim.functions["onTopic"]
    sim.services["topics"].publish("alerts", "down")
    return _run(
        session,
        "publish bus app Ping",
        # A standard topic takes a message group id (forwarded to SQS subscribers only).
        "publish-sns alerts grouped --group tenant-1",
        # A FIFO topic's publish has a sequence number; the same message again is a duplicate.
        "publish-sns ordered once --group g",
        "publish-sns ordered once --group g",
        # A deduplication id the publisher gave is recorded (`explain` takes it).
        "publish-sns ordered twice --group g --dedup-id order-2",
        "send jobsIn work",
        "upload photos a.txt --content hi",
        "delete photos a.txt",
        "delete photos never-there.txt",
        "http POST /jobs",
        "http GET /nowhere",
        "pause job",
        "resume job",
        "start-job logger",
        "invoke starter",
        "advance 10m",
        # 70,000 quotes: escaped twice in the job's trigger function's StartExecution input,
        # over its 256 KiB, so the function fails (batch.trigger_failed).
        "send jobsIn '" + '"' * 70_000 + "'",
        "advance 1m",
    )


STREAMS = (
    "resources:\n"
    "  clicks: {type: kinesis-stream, properties: {capacityMode: PROVISIONED}}\n"
    "  failed: {type: sqs-queue}\n"
    "  crunch:\n"
    "    type: batch-job\n"
    "    properties:\n"
    "      container:\n"
    "        packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: c.ts}}\n"
    "      resources: {cpu: 1, memory: 2048}\n"
    "      events: [{type: kinesis-stream, properties: {kinesisStreamName: clicks}}]\n"
    + fn(
        "reader",
        "reservedConcurrency: 1",
        "events:",
        "  - type: kinesis-stream",
        "    properties:",
        "      kinesisStreamName: clicks",
        "      parallelizationFactor: 2",
        "      bisectBatchOnFunctionError: true",
        "      maximumRetryAttempts: 1",
        "      onFailure: {arn: \"$ResourceParam('failed', 'arn')\", type: sqs}",
    )
)
STREAM_BEHAVIORS = """
behaviors:
  reader: {fail: {when: "data.bad"}}
"""


def _stream_records(tmp_path: Path) -> Iterator[dict[str, object]]:
    session = _session(tmp_path, "streams", STREAMS, STREAM_BEHAVIORS)
    return _run(
        session,
        *(f"put-record clicks '{{\"bad\": false}}' --partition-key k{n}" for n in range(6)),
        "put-record clicks '{\"bad\": true}' --partition-key k1",
        "put-record clicks '{\"bad\": false}' --partition-key k1",
        "advance 25h",
        # Base64 makes 200,000 bytes 266,668: too big for crunch's trigger function.
        f"put-record clicks '{'q' * 200_000}' --partition-key k2",
        "advance 1m",
    )


KAFKA = "resources:\n" + fn(
    "orders",
    "reservedConcurrency: 1",
    "events:",
    "  - type: kafka-topic",
    "    properties:",
    "      customKafkaConfiguration:",
    "        bootstrapServers: [b-1.example.com:9092]",
    "        topicName: orders",
    "        authentication:",
    "          type: BASIC_AUTH",
    "          properties: {authenticationSecretArn: arn:aws:secretsmanager:x}",
    "      maxBatchWindowSeconds: 0",
)


def _kafka_records(tmp_path: Path) -> Iterator[dict[str, object]]:
    # Two partitions at once on a function of concurrency 1: one batch is throttled; a
    # failing one is retried; a record left 8 days expires; a tombstone says it is one.
    session = _session(tmp_path, "kafka", KAFKA, "behaviors: {}\n")
    return _run(
        session,
        "fail orders next 1",
        "produce orders a --partition 0",
        "produce orders b --partition 1 --key k --header h=v",
        "produce orders --tombstone --partition 1 --key k",
        "advance 10s",
        "slow orders 9d",
        "produce orders c --partition 2",
        "advance 8d",
    )


BALANCER = "resources:\n  lb: {type: application-load-balancer}\n" + fn(
    "site",
    "events:",
    "  - type: application-load-balancer",
    "    properties: {loadBalancerName: lb, priority: 1, paths: ['/*']}",
)
BALANCER_BEHAVIORS = """
behaviors:
  site: {response: "{statusCode: `200`, statusDescription: '200 OK', body: 'hi'}"}
"""


def _balancer_records(tmp_path: Path) -> Iterator[dict[str, object]]:
    # A load balancer's request names its listener; its function's statusDescription is kept.
    session = _session(tmp_path, "balancer", BALANCER, BALANCER_BEHAVIORS)
    return _run(session, "http GET /")


CONTAINERS = (
    "resources:\n"
    "  gw: {type: http-api-gateway}\n"
    "  web:\n"
    "    type: multi-container-workload\n"
    "    properties:\n"
    "      resources: {cpu: 0.25, memory: 512}\n"
    "      containers:\n"
    "        - name: app\n"
    "          packaging: {type: prebuilt-image, properties: {image: nginx}}\n"
    "          events:\n"
    "            - type: http-api-gateway\n"
    "              properties: {httpApiGatewayName: gw, containerPort: 80, path: '/{proxy+}',"
    " method: '*'}\n"
)
# A message over 262,118 bytes is cut, and the record says how long it was.
CONTAINER_BEHAVIORS = (
    "behaviors:\n  web:\n    fail: {when: \"path == '/bad'\", message: '" + "x" * 270_000 + "'}\n"
)


def _container_records(tmp_path: Path) -> Iterator[dict[str, object]]:
    # A container answers one request and fails the other, with a message that is cut.
    session = _session(tmp_path, "containers", CONTAINERS, CONTAINER_BEHAVIORS)
    return _run(session, "http GET /ok", "http GET /bad")


WORKERS = (
    "resources:\n"
    "  slowJobs: {type: sqs-queue, properties: {visibilityTimeoutSeconds: 30}}\n"
    "  fastJobs: {type: sqs-queue}\n"
    "  slow:\n"
    "    type: worker-service\n"
    "    properties:\n"
    "      packaging: {type: prebuilt-image, properties: {image: w}}\n"
    "      resources: {cpu: 0.25, memory: 512}\n"
    "      connectTo: [slowJobs]\n"
    "  fast:\n"
    "    type: worker-service\n"
    "    properties:\n"
    "      packaging: {type: prebuilt-image, properties: {image: w}}\n"
    "      resources: {cpu: 0.25, memory: 512}\n"
    "      connectTo: [fastJobs]\n"
)
# `slow` outlives the visibility timeout: its second poller receives the message again, and
# the first one's delete is stale. `fast` deletes one message and fails the other, with a
# message that is cut.
WORKER_BEHAVIORS = (
    "behaviors:\n"
    "  slow: {duration: 40s, poll: {queue: slowJobs, concurrency: 2}}\n"
    "  fast:\n"
    "    poll: {queue: fastJobs}\n"
    "    fail: {when: \"Body == 'bad'\", message: '" + "x" * 270_000 + "'}\n"
)


def _worker_records(tmp_path: Path) -> Iterator[dict[str, object]]:
    session = _session(tmp_path, "workers", WORKERS, WORKER_BEHAVIORS)
    return _run(
        session,
        "send slowJobs a",
        "send fastJobs ok",
        "send fastJobs bad",
        "advance 1m",
        # Pollers stopped (mapping.disabled, trigger poll) while a 40 s message is processed:
        # killed when the stopTimeout ends (container.message.failed, SIGKILL); started again.
        "send slowJobs b",
        "advance 25s",
        "pause slow",
        "advance 1m",
        "resume slow",
    )


HEARTBEATS = (
    "resources:\n"
    "  renders: {type: sqs-queue, properties: {visibilityTimeoutSeconds: 30}}\n"
    "  render:\n"
    "    type: worker-service\n"
    "    properties:\n"
    "      packaging: {type: prebuilt-image, properties: {image: w}}\n"
    "      resources: {cpu: 0.25, memory: 512}\n"
    "      connectTo: [renders]\n"
)
# A 13-hour job kept hidden by hourly beats: the beat at 11 h would end past the 12 hours
# from the receive, and SQS refuses it.
HEARTBEAT_BEHAVIORS = (
    "behaviors:\n"
    "  render:\n"
    "    duration: 13h\n"
    "    poll: {queue: renders, visibilityTimeout: 7200, heartbeat: {every: 1h, extendBy: 2h}}\n"
)


def _heartbeat_records(tmp_path: Path) -> Iterator[dict[str, object]]:
    session = _session(tmp_path, "heartbeats", HEARTBEATS, HEARTBEAT_BEHAVIORS)
    return _run(session, "send renders a", "advance 14h")


TABLES = (
    "resources:\n"
    "  carts:\n"
    "    type: dynamo-db-table\n"
    "    properties:\n"
    "      primaryKey: {partitionKey: {name: id, type: string}}\n"
    "      streamType: NEW_IMAGE\n"
    + fn(
        "audit",
        "events:",
        "  - type: dynamo-db-stream",
        "    properties:",
        "      streamArn: $ResourceParam('carts', 'streamArn')",
    )
)


def _table_records(tmp_path: Path) -> Iterator[dict[str, object]]:
    session = _session(tmp_path, "tables", TABLES, "behaviors: {}\n")
    return _run(
        session,
        'put-item carts \'{"id": {"S": "1"}}\'',
        'put-item carts \'{"id": {"S": "1"}}\'',
        'delete-item carts \'{"id": {"S": "1"}}\'',
        'update-item carts \'{"id": {"S": "2"}}\' --update "SET n = :n" --values \'{":n": {"N": "1"}}\'',
        "advance 1s",
    )


WORKFLOW = ROOT / "docs" / "examples" / "workflow.yml"
NAPS = (
    "resources:\n"
    "  naps:\n"
    "    type: state-machine\n"
    "    properties:\n"
    "      definition:\n"
    "        StartAt: Nap\n"
    "        TimeoutSeconds: 10\n"
    "        States: {Nap: {Type: Wait, Seconds: 100, End: true}}\n"
)


def _state_machine_records(tmp_path: Path) -> Iterator[dict[str, object]]:
    # workflow.yml: a success after retries, a Choice to a Fail state, a Catch; then an
    # execution that times out and one that is stopped.
    session = Session.open(
        WORKFLOW,
        behaviors_path=WORKFLOW.with_name("workflow-behaviors.yml"),
        start_ms=parse_instant(START),
    )
    yield from _run(
        session,
        'start-execution orderFlow \'{"orderId": "o-1", "amount": 120}\'',
        'start-execution orderFlow \'{"orderId": "o-2", "amount": 900}\'',
        "advance 1m",
        "fail chargeCard always",
        'start-execution orderFlow \'{"orderId": "o-3", "amount": 5}\'',
        "advance 1m",
    )
    naps = _session(tmp_path, "naps", NAPS, "behaviors: {}\n")
    yield from _run(
        naps,
        "start-execution naps --name a",
        "start-execution naps --name b",
        "stop-execution b --error Cancelled --cause 'by hand'",
        "advance 1m",
    )
    # workflow-variables.yml: states and a catcher that assign variables.
    variables = Session.open(
        WORKFLOW.with_name("workflow-variables.yml"),
        behaviors_path=WORKFLOW.with_name("workflow-variables-behaviors.yml"),
        start_ms=parse_instant(START),
    )
    yield from _run(
        variables,
        'start-execution orderFlow \'{"orderId": "o-2", "amount": 900, "items": []}\'',
        "advance 5s",
    )
    # workflow-integrations.yml: every service integration, and a refused putItem.
    integrations = Session.open(
        WORKFLOW.with_name("workflow-integrations.yml"), start_ms=parse_instant(START)
    )
    yield from _run(
        integrations,
        'start-execution fulfil \'{"orderId": "o-1"}\'',
        'start-execution fulfil \'{"orderId": "o-1"}\'',
        "advance 1s",
    )
    # photo-batch.yml: a Distributed Map Run that fails, then its redrive.
    photos = Session.open(
        WORKFLOW.with_name("photo-batch.yml"),
        behaviors_path=WORKFLOW.with_name("photo-batch-behaviors.yml"),
        start_ms=parse_instant(START),
    )
    yield from _run(
        photos,
        f"upload uploads m.csv --from {WORKFLOW.with_name('photos.csv')}",
        'start-execution resizeAll \'{"manifest": "m.csv", "width": 1}\' --name n',
        "advance 1m",
        "succeed resize",
        "redrive-execution n",
        "advance 1m",
    )
    # workflow-callback.yml: callback tasks answered by a behaviour and by commands.
    callbacks = Session.open(
        WORKFLOW.with_name("workflow-callback.yml"),
        behaviors_path=WORKFLOW.with_name("workflow-callback-behaviors.yml"),
        start_ms=parse_instant(START),
    )
    yield from _run(
        callbacks,
        'start-execution orderApproval \'{"orderId": "o-1", "amount": 120}\' --name small',
        'start-execution orderApproval \'{"orderId": "o-2", "amount": 5000}\' --name big',
        "advance 5s",
        "send-task-heartbeat small",
        "send-task-success small",
    )


LIFECYCLE = """
resources:
  files:
    type: bucket
    properties:
      versioning: true
      lifecycleRules:
        - type: class-transition
          properties: {daysAfterUpload: 1, storageClass: GLACIER}
        - type: expiration
          properties: {daysAfterUpload: 3, tags: [{key: class, value: scratch}]}
        - type: non-current-version-expiration
          properties: {daysAfterVersioned: 1}
        - type: abort-incomplete-multipart-upload
          properties: {daysAfterInitiation: 1}
"""


def _lifecycle_records(tmp_path: Path) -> Iterator[dict[str, object]]:
    """S3 Lifecycle: a transition, a delete marker, a noncurrent expiration, an abort; and
    a restore of the archived b.bin: upgraded, completed, extended, expired."""
    session = _session(tmp_path, "lifecycle", LIFECYCLE, "")
    yield from _run(
        session,
        "upload files a.bin --size 200KB --tag class=scratch",
        "upload files b.bin --size 200KB",
        "upload files part.bin --incomplete",
        "advance 2d",
        "restore files b.bin --tier Bulk",
        "restore files b.bin --tier Expedited",
        "advance 1h",
        "restore files b.bin --days 2",
        "advance 10d",
    )


def _replay_records(tmp_path: Path) -> Iterator[dict[str, object]]:
    """docs/examples/replay.yml: events archived, replays completed and cancelled, and
    events leaving the archive after its 7 days."""
    session = Session.open(ROOT / "docs" / "examples" / "replay.yml", start_ms=parse_instant(START))
    yield from _run(
        session,
        "publish orderEvents orders OrderPlaced {}",
        "advance 1m",
        "publish orderEvents orders OrderPlaced {}",
        "advance 10m",
        "replay orderEvents --from -1h --to now --name all",
        "replay orderEvents --from -1h --to now --name stopped",
        "cancel-replay stopped",
        "advance 8d",
    )


def _http_auth_records(tmp_path: Path) -> Iterator[dict[str, object]]:
    """docs/examples/http-auth.stp: every decision of both kinds of authorizer."""
    examples = ROOT / "docs" / "examples"
    trace = tmp_path / "http-auth.jsonl"
    argv = [
        "run",
        str(examples / "http-auth.yml"),
        str(examples / "http-auth.stp"),
        "--behaviors",
        str(examples / "http-auth-behaviors.yml"),
        "--start",
        START,
        "--trace",
        str(trace),
    ]
    assert main(argv) == 0
    for line in trace.read_text(encoding="utf-8").splitlines():
        yield json.loads(line)


LOGS = (
    "resources:\n"
    + fn("worker")
    + fn(
        "alerter",
        "events:",
        "  - type: cloudwatch-log",
        "    properties:",
        "      logGroupArn: $ResourceParam('worker', 'logGroupArn')",
        "      filter: ERROR",
    )
    + fn(
        "looper",
        "events:",
        "  - type: cloudwatch-log",
        "    properties:",
        "      logGroupArn: $ResourceParam('looper', 'logGroupArn')",
    )
    + "  cruncher:\n"
    "    type: batch-job\n"
    "    properties:\n"
    "      container:\n"
    "        packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: c.ts}}\n"
    "      resources: {cpu: 1, memory: 2048}\n"
    + fn(
        "watcher",
        "events:",
        "  - type: cloudwatch-log",
        "    properties:",
        "      logGroupArn: $ResourceParam('cruncher', 'logGroupArn')",
        "      filter: ERROR",
    )
)
# A batch job's lines: one a filter passes and one it skips, both of an execution.
LOG_BEHAVIORS = "behaviors:\n  cruncher: {log: [\"'ERROR y'\", \"'fine'\"]}\n"


def _log_records(tmp_path: Path) -> Iterator[dict[str, object]]:
    """CloudWatch Logs: lines skipped and matched, a delivery, a loop stopped, and a line
    too large (random text gzip cannot shrink) for Lambda's asynchronous payload."""
    session = _session(tmp_path, "logs", LOGS, LOG_BEHAVIORS)
    rng = random.Random(0)
    alphabet = [chr(c) for c in range(0x21, 0x7F) if chr(c) not in '"\\']
    session.sim.services["logs"].write(
        "worker", "ERROR " + "".join(rng.choices(alphabet, k=1_040_000))
    )
    yield from _run(
        session,
        "invoke worker",
        "log worker 'ERROR x'",
        "log looper hi",
        "start-job cruncher",
        "run",
    )


def _alarm_records(tmp_path: Path) -> Iterator[dict[str, object]]:
    """docs/examples/alarms.stp: alarms changing state by evaluation and by hand, with
    their notifications."""
    examples = ROOT / "docs" / "examples"
    trace = tmp_path / "alarms.jsonl"
    argv = [
        "run",
        str(examples / "alarms.yml"),
        str(examples / "alarms.stp"),
        "--behaviors",
        str(examples / "alarms-behaviors.yml"),
        "--start",
        START,
        "--trace",
        str(trace),
    ]
    assert main(argv) == 0
    for line in trace.read_text(encoding="utf-8").splitlines():
        yield json.loads(line)


def _websocket_records(tmp_path: Path) -> Iterator[dict[str, object]]:
    """docs/examples/chat.stp: connections accepted and refused (by the authorizer and by
    the $connect function), messages on every kind of route, idle timeouts."""
    examples = ROOT / "docs" / "examples"
    trace = tmp_path / "chat.jsonl"
    argv = [
        "run",
        str(examples / "chat.yml"),
        str(examples / "chat.stp"),
        "--behaviors",
        str(examples / "chat-behaviors.yml"),
        "--start",
        START,
        "--trace",
        str(trace),
    ]
    assert main(argv) == 0
    for line in trace.read_text(encoding="utf-8").splitlines():
        yield json.loads(line)


def _repeat_records(tmp_path: Path) -> Iterator[dict[str, object]]:
    """`repeat`: a repeat that goes on as the clock runs, one refused in part, one
    cancelled."""
    session = Session.open(STACKS / "job-queue", start_ms=parse_instant(START))
    yield from _run(
        session,
        "repeat 3 --every 1s send deadLetterQueue x",
        "repeat 17 send deadLetterQueue x --delay {i}m",
        "repeat 5 --every 1s send deadLetterQueue y",
        "advance 2s",
        "cancel-repeat repeat-3",
        "advance 2s",
    )


def _user_pool_records(tmp_path: Path) -> Iterator[dict[str, object]]:
    """Every user.* kind: a sign-up, a confirmation, an administrator's user, a sign-in,
    a refusal by a hook, a forgotten password reset, a user added to a group and removed,
    a custom challenge answered, tokens revoked."""
    stack = (
        "resources:\n"
        "  users:\n"
        "    type: user-auth-pool\n"
        "    properties:\n"
        "      hooks:\n"
        "        preSignUp: $ResourceParam('screen', 'arn')\n"
        "        preTokenGeneration: $ResourceParam('claims', 'arn')\n"
        "        defineAuthChallenge: $ResourceParam('define', 'arn')\n"
        "        createAuthChallenge: $ResourceParam('create', 'arn')\n"
        "        verifyAuthChallengeResponse: $ResourceParam('verify', 'arn')\n"
        + fn("screen")
        + fn("claims")
        + fn("define")
        + fn("create")
        + fn("verify")
    )
    behaviors = """
behaviors:
  screen:
    fail: {when: "request.userAttributes.email == 'x@x.io'", message: no}
  claims:
    response: "{response: {claimsOverrideDetails: {claimsToAddOrOverride: {plan: 'pro'}}}}"
  define:
    response: "{response: {challengeName: 'CUSTOM_CHALLENGE', issueTokens: length(request.session) > `0`}}"
"""
    session = _session(tmp_path, "users", stack, behaviors)
    return _run(
        session,
        "sign-up users ann@example.com",
        "sign-up users x@x.io",
        "confirm-sign-up users ann@example.com",
        "admin-create-user users carol@example.com",
        "sign-in users ann@example.com",
        "forgot-password users ann@example.com",
        "confirm-forgot-password users ann@example.com N3w-passw0rd!",
        "admin-add-user-to-group users ann@example.com admins",
        "sign-in users ann@example.com --refresh",
        "admin-remove-user-from-group users ann@example.com admins",
        "sign-in users ann@example.com --custom",
        "answer-challenge users ann@example.com 42",
        "global-sign-out users ann@example.com",
        "revoke-token users ann@example.com",
    )


COLD = (
    "resources:\n"
    + fn("coldOk")
    + fn("coldFails")
    + fn("resetOk", "timeout: 1")
    + fn("resetFails", "timeout: 1")
)
# Cold starts that take time (`initDuration`): a success and a failure that say so; and,
# after a first invocation that times out, a success and a failure in the environment it
# reset (`suppressed_init_ms`).
COLD_BEHAVIORS = (
    "behaviors:\n  coldOk: {initDuration: 300ms}\n  coldFails: {initDuration: 300ms, fail: true}\n"
    "  resetOk: {initDuration: 300ms, timeout: {first: 1}}\n"
    "  resetFails: {initDuration: 300ms, timeout: true}\n"
)


def _cold_start_records(tmp_path: Path) -> Iterator[dict[str, object]]:
    """A cold start's records of a function with an `initDuration`: `init_ms`; and a
    suppressed init's: `suppressed_init_ms`."""
    session = _session(tmp_path, "cold", COLD, COLD_BEHAVIORS)
    yield from _run(
        session,
        "invoke coldOk",
        "invoke coldFails",
        "invoke resetOk",
        "invoke resetOk",
        "invoke resetFails",
        "invoke resetFails",
    )


REDRIVEN_JOB = (
    "resources:\n"
    "  render:\n"
    "    type: batch-job\n"
    "    properties:\n"
    "      container:\n"
    "        packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: j.ts}}\n"
    "      resources: {cpu: 1, memory: 2048}\n"
)


def _batch_redrive_records(tmp_path: Path) -> Iterator[dict[str, object]]:
    """A job's execution stopped during its attempt and redriven (`batch.redriven`)."""
    session = _session(tmp_path, "redrive", REDRIVEN_JOB, "behaviors:\n  render: {duration: 10s}\n")
    execute(session, "start-job render '{}'")
    execute(session, "advance 3s")
    execute(session, "stop-execution $newest:batch.submitted")
    yield from _run(
        session, "advance 1m", "redrive-execution $newest:batch.submitted", "advance 1m"
    )


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """For each kind, the data fields its records were written with, over the demos and
    the scenarios above."""
    tmp = tmp_path_factory.mktemp("kinds")
    seen: dict[str, set[str]] = {}
    sources = (
        _demo_records,
        _http_auth_records,
        _queue_records,
        _function_records,
        _service_records,
        _stream_records,
        _kafka_records,
        _balancer_records,
        _container_records,
        _worker_records,
        _heartbeat_records,
        _table_records,
        _state_machine_records,
        _lifecycle_records,
        _log_records,
        _replay_records,
        _alarm_records,
        _websocket_records,
        _repeat_records,
        _user_pool_records,
        _cold_start_records,
        _batch_redrive_records,
    )
    for source in sources:
        for rec in source(tmp):
            fields = set(rec) - {"seq", "t", "kind", "resource"}
            seen.setdefault(str(rec["kind"]), set()).update(fields)
    return seen


def test_every_kind_has_an_entry() -> None:
    assert set(tk.KIND_FIELDS) == set(tk.KINDS)
    assert len(tk.KIND_FIELDS) == len(tk.KINDS)
    for kind, fields in tk.KIND_FIELDS.items():
        assert len(set(fields)) == len(fields), f"{kind} lists a field twice"


def test_every_field_written_is_in_its_kinds_entry(written: dict[str, set[str]]) -> None:
    unlisted = {
        kind: sorted(fields - set(tk.KIND_FIELDS.get(kind, ())))
        for kind, fields in written.items()
        if fields - set(tk.KIND_FIELDS.get(kind, ()))
    }
    assert unlisted == {}, "fields records have but KIND_FIELDS does not list"


def test_every_kind_and_listed_field_is_written_by_some_record(
    written: dict[str, set[str]],
) -> None:
    assert sorted(set(tk.KINDS) - set(written)) == [], "kinds no scenario writes"
    never = {
        kind: sorted(set(fields) - written[kind])
        for kind, fields in tk.KIND_FIELDS.items()
        if set(fields) - written.get(kind, set())
    }
    assert never == {}, "fields KIND_FIELDS lists but no record has"
