"""`show event ID`: the event an invocation received, as its handler got it.

The oracle is a Python handler (--allow-code) that prints the event it was given as JSON:
for every event source the JSON `show event` prints must be that event, also when what
built it changed after the invocation started (an SQS message received again or moved to
a dead-letter queue, a stream batch cut by a partial failure)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.sim import trace as tk
from stptui.sim.invocation_events import KEPT_EVENTS
from tests.simkit import handler_session, records

STACK = """\
resources:
  api: {type: http-api-gateway}
  jobs:
    type: sqs-queue
    properties:
      visibilityTimeoutSeconds: 30
      redrivePolicy: {targetSqsQueueName: parked, maxReceiveCount: 2}
  parked: {type: sqs-queue}
  uploads: {type: bucket}
  alerts: {type: sns-topic}
  bus: {type: event-bus}
  clicks: {type: kinesis-stream}
  carts:
    type: dynamo-db-table
    properties:
      primaryKey: {partitionKey: {name: id, type: string}}
      streamType: NEW_AND_OLD_IMAGES
  rec:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/rec.py}}
      events:
        - type: schedule
          properties: {scheduleRate: rate(1 hour)}
        - type: sqs
          properties: {sqsQueueName: jobs}
        - type: sqs
          properties: {sqsQueueName: parked}
        - type: s3
          properties:
            bucketArn: $ResourceParam('uploads', 'arn')
            s3EventType: 's3:ObjectCreated:*'
        - type: http-api-gateway
          properties: {httpApiGatewayName: api, method: GET, path: /one, payloadFormat: '1.0'}
        - type: event-bus
          properties:
            eventBusName: bus
            eventPattern: {source: [app]}
            inputTransformer:
              inputPathsMap: {n: $.detail.n}
              inputTemplate: '{"n": <n>, "from": "bus"}'
        - type: sns
          properties: {snsTopicName: alerts}
        - type: kinesis-stream
          properties: {kinesisStreamName: clicks}
        - type: dynamo-db-stream
          properties:
            streamArn: $ResourceParam('carts', 'streamArn')
  rec2:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/rec.py}}
      events:
        - type: http-api-gateway
          properties: {httpApiGatewayName: api, method: GET, path: /two, payloadFormat: '2.0'}
"""

# Prints the event; fails a message whose body is `fail`, and reports a Kinesis record
# whose data is `bad` as a batch item failure.
HANDLER = """\
import base64
import json


def handler(event, context):
    print("EVENT " + json.dumps(event))
    bad = []
    for record in event.get("Records", []) if isinstance(event, dict) else []:
        if record.get("body") == "fail":
            raise RuntimeError("told to fail")
        data = record.get("kinesis", {}).get("data")
        if data is not None and base64.b64decode(data) == b"bad":
            bad.append({"itemIdentifier": record["kinesis"]["sequenceNumber"]})
    if bad:
        return {"batchItemFailures": bad}
    return {"statusCode": 200, "body": "ok"}
"""


def _session(tmp_path: Path) -> Session:
    s = handler_session(
        tmp_path, STACK, {"rec": "rec:handler", "rec2": "rec:handler"}, {"rec.py": HANDLER}
    )
    return s


def _received(s: Session) -> dict[str, Any]:
    """Every event the handlers printed, by invocation id."""
    return {
        r.data["invocation_id"]: json.loads(r.data["text"][len("EVENT ") :])
        for r in records(s.sim, tk.HANDLER_LOG)
        if r.data["text"].startswith("EVENT ")
    }


def _shown(s: Session, invocation_id: str) -> Any:
    result = execute(s, f"show event {invocation_id}")
    head, _, body = result.text.partition("\n")
    data = result.data
    assert head == f"the event invocation {data['invocation_id']} of {data['function']} received:"
    assert result.data["event"] == json.loads(body)
    return json.loads(body)


def _trigger(s: Session, invocation_id: str) -> str:
    [started] = [
        r for r in records(s.sim, tk.INVOCATION_STARTED) if r.data["invocation_id"] == invocation_id
    ]
    return str(started.data["trigger"])


@pytest.mark.parametrize(
    ("line", "trigger", "first_key"),
    [
        ("advance 1h", "schedule", "version"),
        ("send jobs hello", "sqs", "Records"),
        ("upload uploads a.txt --content x", "s3", "Records"),
        ("http GET /one?x=1", "http", "resource"),
        ("http GET /two?x=1", "http", "version"),
        ("publish bus app T '{\"n\": 5}'", "eventbridge", "n"),
        ("publish-sns alerts hi", "sns", "Records"),
        ("put-record clicks abc --partition-key k", "kinesis", "Records"),
        ('put-item carts \'{"id": {"S": "a"}}\'', "dynamodb", "Records"),
    ],
)
def test_the_event_shown_is_the_one_the_handler_received(
    tmp_path: Path, line: str, trigger: str, first_key: str
) -> None:
    s = _session(tmp_path)
    execute(s, line)
    execute(s, "advance 2s")
    received = _received(s)
    assert received, "the handler ran"
    for invocation_id, event in received.items():
        assert _trigger(s, invocation_id).startswith(trigger[:3])
        assert _shown(s, invocation_id) == event
    assert first_key in next(iter(received.values()))


def test_the_http_payload_versions_differ_as_aws_s(tmp_path: Path) -> None:
    s = _session(tmp_path)
    execute(s, "http GET /one")
    execute(s, "http GET /two")
    one, two = (_shown(s, i) for i in _received(s))
    assert one["version"] == "1.0" and "httpMethod" in one
    assert two["version"] == "2.0" and two["routeKey"] == "GET /two"


def test_an_sqs_message_received_again_shows_each_receive_as_it_was(tmp_path: Path) -> None:
    # Received twice by `jobs` (failing both times), then moved to `parked` and received
    # there: each event has its receive count and handle, only the last the source ARN.
    s = _session(tmp_path)
    execute(s, "send jobs fail")
    execute(s, "advance 2m")
    received = _received(s)
    shown = [_shown(s, i) for i in received]
    assert shown == list(received.values())
    attrs = [e["Records"][0]["attributes"] for e in shown[:3]]
    assert [a["ApproximateReceiveCount"] for a in attrs] == ["1", "2", "3"]
    assert ["DeadLetterQueueSourceArn" in a for a in attrs] == [False, False, True]
    handles = {e["Records"][0]["receiptHandle"] for e in shown}
    assert len(handles) == len(shown) > 3
    # A declared failure decides without building the batch's records: they are built when
    # shown, from messages received again since, and are the same.
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  rec:\n    fail: [{rate: 1}]\n", encoding="utf-8"
    )
    declared = Session.open(tmp_path, start_ms=s.sim.start_ms)
    execute(declared, "send jobs fail")
    execute(declared, "advance 2m")
    started = records(declared.sim, tk.INVOCATION_STARTED, "rec")
    assert [_shown(declared, r.data["invocation_id"]) for r in started] == shown


def test_a_stream_batch_cut_by_a_partial_failure_shows_each_attempt_s_records(
    tmp_path: Path,
) -> None:
    s = _session(tmp_path)
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  rec:\n    handler: rec:handler\n    reportBatchItemFailures: true\n"
        "  rec2:\n    handler: rec:handler\n",
        encoding="utf-8",
    )
    s = Session.open(tmp_path, start_ms=s.sim.start_ms, allow_code=True)
    execute(s, "put-record clicks ok --partition-key k")
    execute(s, "put-record clicks bad --partition-key k")
    execute(s, "advance 3s")
    received = _received(s)
    counts = [len(e["Records"]) for e in received.values()]
    assert counts[0] == 2 and 1 in counts[1:], counts
    assert [_shown(s, i) for i in received] == list(received.values())


def test_only_the_newest_invocations_are_kept(tmp_path: Path) -> None:
    s = _session(tmp_path)
    execute(s, f"repeat {KEPT_EVENTS + 1} http GET /one")
    ids = list(_received(s))
    assert len(ids) == KEPT_EVENTS + 1
    assert len(s.sim.invocation_events) == KEPT_EVENTS
    with pytest.raises(CommandError) as err:
        execute(s, f"show event {ids[0]}")
    assert f"is too old: only the newest {KEPT_EVENTS} invocations' events are kept" in str(
        err.value
    )
    assert _shown(s, ids[1])["path"] == "/one"


def test_undo_reload_and_load_show_the_same_events(tmp_path: Path) -> None:
    s = _session(tmp_path)
    execute(s, "send jobs hello")
    execute(s, "advance 1s")
    execute(s, "publish-sns alerts hi")
    execute(s, "advance 1s")
    first, second = _received(s)
    before = _shown(s, first)
    execute(s, "undo")
    assert _shown(s, first) == before
    with pytest.raises(CommandError, match="no invocation"):
        execute(s, f"show event {second}")
    execute(s, "reload")
    assert _shown(s, first) == before
    execute(s, f"save {tmp_path / 'kept.stpsession'}")
    execute(s, f"load {tmp_path / 'kept.stpsession'}")
    assert _shown(s, first) == before


def test_an_id_that_is_not_an_invocation_s_gets_the_line_to_write(tmp_path: Path) -> None:
    s = _session(tmp_path)
    result = execute(s, "send jobs hello")
    execute(s, "advance 1s")
    [invocation_id] = _received(s)
    message_id = result.data["message_id"]
    with pytest.raises(CommandError) as err:
        execute(s, f"show event {message_id}")
    assert err.value.hint == f"show event {invocation_id}"
    with pytest.raises(CommandError) as err:
        execute(s, "show event nope-nope")
    assert "no invocation 'nope-nope'" in str(err.value)
    assert f"show event {invocation_id}" in str(err.value.hint)
    with pytest.raises(CommandError, match="needs an invocation id"):
        execute(s, "show event")
    explained = execute(s, f"explain {invocation_id}").text
    assert f"show event {invocation_id} shows the event it received" in explained
    # A unique start of the id is enough, and `$last` is the id the last command printed.
    assert _shown(s, invocation_id[:8]) == _received(s)[invocation_id]


def test_show_event_last_after_an_invoke_and_a_too_short_start(tmp_path: Path) -> None:
    s = _session(tmp_path)
    execute(s, 'invoke rec \'{"a": [1, "<b>"]}\'')
    result = execute(s, "show event $last")
    assert result.data["event"] == {"a": [1, "<b>"]} == _received(s)[result.data["invocation_id"]]
    with pytest.raises(CommandError, match="is too short"):
        execute(s, f"show event {result.data['invocation_id'][:2]}")


def test_untrusted_text_is_shown_as_json_text(tmp_path: Path) -> None:
    s = _session(tmp_path)
    execute(s, "http GET /one --query $'q=[bold red]x\\x1b[31m\\u202e'")
    [invocation_id] = _received(s)
    text = execute(s, f"show event {invocation_id}").text
    assert "\x1b" not in text and "\u202e" not in text
    assert '"q": "[bold red]x\\u001b[31m\\u202e"' in text


def test_tab_offers_the_kept_invocations_newest_first(tmp_path: Path) -> None:
    from replkit import complete, metas

    s = _session(tmp_path)
    execute(s, "invoke rec '{}'")
    execute(s, "invoke rec2 '{}'")
    older, newer = _received(s)
    offers = complete(s, "show event ")
    assert offers.index(newer) < offers.index(older)
    assert "$last" in offers
    assert metas(s, "show event ")[older] == "invocation of rec"


def test_an_id_whose_chain_ran_no_function_says_so_not_that_nothing_was_invoked() -> None:
    # A container service answers an HTTP request itself: no Lambda event is made. `show
    # event` of its request id said "no function has been invoked yet", after a chain that
    # `explain` follows.
    stack = Path(__file__).parent.parent / "stptui" / "sample_stacks" / "container-jobs"
    s = Session.open(stack, start_ms=0)
    request_id = execute(s, 'http POST /jobs \'{"jobId": 1, "report": "a", "rows": 1}\'')
    execute(s, "advance 1m")
    key = request_id.data["request_id"]
    with pytest.raises(CommandError) as err:
        execute(s, f"show event {key}")
    assert str(err.value) == (
        f"{key!r} led to no function invocation: a container gets its request or message "
        "itself, not a Lambda event"
    )
    assert err.value.hint == f"explain {key} follows it"
