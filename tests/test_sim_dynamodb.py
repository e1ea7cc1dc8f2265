"""DynamoDB tables and their streams (stptui.sim.services.table): PutItem and DeleteItem with
DynamoDB's checks, INSERT/MODIFY/REMOVE records and their images per view type, the event
Lambda hands the function, and the shared event source mapping (retries, bisection,
on-failure) reading a table's stream."""

from __future__ import annotations

import json
from decimal import Context, Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from simkit import START, capture_inputs, make_sim, records

from stptui.commands import Session, execute
from stptui.commands.registry import CommandError
from stptui.sim import trace as tk
from stptui.sim.ddbjson import DynamoDBError, canonical_number
from stptui.sim.engine import Simulator
from stptui.sim.explain import explain
from stptui.sim.services.table import Expressions, TableSim


def stack(event: str = "", view: str = "NEW_AND_OLD_IMAGES", sort: str = "") -> str:
    """A table `orders` (key `id`, a string) whose stream function `audit` reads; `event`
    holds property lines of the `dynamo-db-stream` event."""
    stream = f"\n      streamType: {view}" if view else ""
    return f"""
serviceName: ddb
resources:
  orders:
    type: dynamo-db-table
    properties:
      primaryKey:
        partitionKey: {{name: id, type: string}}{sort}{stream}
  audit:
    type: function
    properties:
      packaging: {{type: stacktape-lambda-buildpack, properties: {{entryfilePath: a.ts}}}}
      events:
        - type: dynamo-db-stream
          properties:
            streamArn: $ResourceParam('orders', 'streamArn')
{event}
  failed:
    type: sqs-queue
"""


def table(sim: Simulator) -> TableSim:
    return sim.services["tables"]["orders"]


def put(sim: Simulator, key: str, **attrs: Any) -> str | None:
    """Put item `key` with number attributes; the change's sequence number, if any."""
    item = {"id": {"S": key}, **{k: {"N": str(v)} for k, v in attrs.items()}}
    _, record = table(sim).put(item)
    return None if record is None else record.sequence_number


def started(sim: Simulator) -> list[list[str]]:
    return [r.data["sequence_numbers"] for r in records(sim, tk.INVOCATION_STARTED, "audit")]


# -- writes and their records ------------------------------------------------------------------


def test_insert_modify_remove_and_writes_that_change_nothing() -> None:
    sim = make_sim(stack())
    orders = table(sim)
    assert orders.put({"id": {"S": "1"}, "n": {"N": "1"}})[0] == "INSERT"
    # The same item again (a number written differently is the same number): no record.
    assert orders.put({"id": {"S": "1"}, "n": {"N": "1.0"}}) == (None, None)
    assert orders.put({"id": {"S": "1"}, "n": {"N": "2"}})[0] == "MODIFY"
    # Sets are unordered: the same set in another order is no change.
    orders.put({"id": {"S": "2"}, "t": {"SS": ["a", "b"]}})
    assert orders.put({"id": {"S": "2"}, "t": {"SS": ["b", "a"]}}) == (None, None)
    found, record = orders.delete({"id": {"S": "1"}})
    assert found and record is not None and record.event_name == "REMOVE"
    assert orders.delete({"id": {"S": "1"}}) == (False, None)
    names = [r.event_name for r in orders.stream.shards[0].records]  # type: ignore[union-attr]
    assert names == ["INSERT", "MODIFY", "INSERT", "REMOVE"]
    puts = records(sim, tk.ITEM_PUT)
    assert [r.data["event_name"] for r in puts] == ["INSERT", None, "MODIFY", "INSERT", None]
    assert "sequence_number" not in puts[1].data
    assert len(records(sim, tk.ITEM_DELETED)) == 1


def test_a_table_without_a_stream_stores_items_and_triggers_nothing() -> None:
    sim = make_sim(stack(view=""), allow_errors=True)
    orders = table(sim)
    assert orders.stream is None
    assert orders.put({"id": {"S": "1"}}) == ("INSERT", None)
    sim.run(10_000)
    assert not records(sim, tk.INVOCATION_STARTED)
    assert list(orders.items.values()) == [{"id": {"S": "1"}}]


def images(view: str) -> list[dict[str, Any]]:
    sim = make_sim(stack(view=view))
    put(sim, "1", n=1)
    put(sim, "1", n=2)
    table(sim).delete({"id": {"S": "1"}})
    return [r.event["dynamodb"] for r in table(sim).stream.shards[0].records]  # type: ignore[union-attr]


ONE = {"id": {"S": "1"}, "n": {"N": "1"}}
TWO = {"id": {"S": "1"}, "n": {"N": "2"}}


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        ("KEYS_ONLY", [{}, {}, {}]),
        ("NEW_IMAGE", [{"NewImage": ONE}, {"NewImage": TWO}, {}]),
        ("OLD_IMAGE", [{}, {"OldImage": ONE}, {"OldImage": TWO}]),
        (
            "NEW_AND_OLD_IMAGES",
            [{"NewImage": ONE}, {"NewImage": TWO, "OldImage": ONE}, {"OldImage": TWO}],
        ),
    ],
)
def test_each_view_type_carries_its_images(view: str, expected: list[dict[str, Any]]) -> None:
    got = images(view)
    for change, want in zip(got, expected, strict=True):
        assert change["Keys"] == {"id": {"S": "1"}}
        assert {k: v for k, v in change.items() if k.endswith("Image")} == want
        assert change["StreamViewType"] == view


def test_size_bytes_counts_keys_and_images_as_awss_example_does() -> None:
    # AWS's example: Keys {Id: N 101} + NewImage {Message: "New item!", Id: 101} = 26 bytes;
    # the MODIFY with "This item has changed" as the new Message = 59.
    text = stack().replace("{name: id, type: string}", "{name: Id, type: number}")
    sim = make_sim(text)
    orders = table(sim)
    orders.put({"Id": {"N": "101"}, "Message": {"S": "New item!"}})
    orders.put({"Id": {"N": "101"}, "Message": {"S": "This item has changed"}})
    sizes = [r.event["dynamodb"]["SizeBytes"] for r in orders.stream.shards[0].records]  # type: ignore[union-attr]
    assert sizes == [26, 59]


def test_size_bytes_matches_what_aws_recorded_for_an_insert_and_a_modify() -> None:
    # LocalStack's test_lambda_integration_dynamodbstreams snapshot, recorded against AWS:
    # the INSERT of {id, id2} is 32 bytes; {id} then {id, id2: "id2_new_value"} is 20, 46.
    sim = make_sim(stack())
    orders = table(sim)
    orders.put({"id": {"S": "id_value"}, "id2": {"S": "id2_value"}})
    orders.delete({"id": {"S": "id_value"}})
    orders.put({"id": {"S": "id_value"}})
    orders.put({"id": {"S": "id_value"}, "id2": {"S": "id2_new_value"}})
    held = orders.stream.shards[0].records  # type: ignore[union-attr]
    sizes = [(r.event["eventName"], r.event["dynamodb"]["SizeBytes"]) for r in held]
    assert sizes[0] == ("INSERT", 32) and sizes[2:] == [("INSERT", 20), ("MODIFY", 46)]


def nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"L": []}
    for _ in range(depth):
        value = {"L": [value]}
    return value


@pytest.mark.parametrize(
    ("item", "words"),
    [
        ({"n": {"N": "1"}}, "Missing the key id in the item"),
        ({"id": {"N": "1"}}, "Type mismatch for key id expected: S actual: N"),
        ({"id": {"S": ""}}, "cannot contain an empty string value. Key: id"),
        ({"id": {"S": "1"}, "n": {"N": "one"}}, "cannot be converted into a number"),
        ({"id": {"S": "1"}, "n": {}}, "Supplied AttributeValue is empty"),
        ({"id": {"S": "1"}, "n": {"S": "a", "N": "1"}}, "more than one datatypes"),
        ({"id": {"S": "1"}, "n": {"X": "1"}}, 'Unknown parameter in Item.n: "X"'),
        ({"id": {"S": "1"}, "t": {"SS": []}}, "An string set  may not be empty"),
        ({"id": {"S": "1"}, "t": {"SS": ["a", "a"]}}, "contains duplicates"),
        ({"id": {"S": "1"}, "b": {"S": "x" * 410_000}}, "Item size has exceeded"),
        ({"id": {"S": "1"}, "n": {"N": "1e126"}}, "Number overflow"),
        ({"id": {"S": "1"}, "n": {"N": "1" * 39}}, "more than 38 significant digits"),
        # DynamoDB's own wording, without the space before 2048 (as moto and dynalite copy it)
        ({"id": {"S": "x" * 2049}}, "Size of hashkey has exceeded the maximum size limit of2048 "),
        ({"id": {"S": "1"}, "m": nested(34)}, "Nesting Levels have exceeded supported limits"),
        ("text", "a JSON object of attributes"),
    ],
)
def test_put_item_refuses_what_dynamodb_refuses_and_changes_nothing(item: Any, words: str) -> None:
    sim = make_sim(stack())
    with pytest.raises(DynamoDBError) as err:
        table(sim).put(item)
    assert words in str(err.value)
    assert not table(sim).items and not records(sim, tk.ITEM_PUT)


def test_a_sort_key_over_1024_bytes_gets_dynamodbs_range_key_message() -> None:
    sim = make_sim(stack(sort="\n        sortKey: {name: ts, type: string}"))
    with pytest.raises(DynamoDBError) as err:
        table(sim).put({"id": {"S": "1"}, "ts": {"S": "é" * 513}})
    assert str(err.value) == (
        "ValidationException: One or more parameter values were invalid: Aggregated size of "
        "all range keys has exceeded the size limit of 1024 bytes"
    )
    assert not table(sim).items


def test_delete_item_needs_exactly_the_key() -> None:
    sim = make_sim(stack())
    put(sim, "1", n=1)
    with pytest.raises(DynamoDBError, match="The provided key element does not match"):
        table(sim).delete({"id": {"S": "1"}, "n": {"N": "1"}})
    assert len(table(sim).items) == 1


def test_a_sort_key_is_part_of_the_key() -> None:
    sim = make_sim(stack(sort="\n        sortKey: {name: ts, type: number}"))
    orders = table(sim)
    assert orders.put({"id": {"S": "1"}, "ts": {"N": "1"}})[0] == "INSERT"
    assert orders.put({"id": {"S": "1"}, "ts": {"N": "2"}})[0] == "INSERT"
    with pytest.raises(DynamoDBError, match="Missing the key ts"):
        orders.put({"id": {"S": "1"}})
    assert len(orders.items) == 2


# -- the event ----------------------------------------------------------------------------------


def test_the_event_has_awss_dynamodb_shape_field_by_field() -> None:
    sim = make_sim(stack())
    events = capture_inputs(sim, lambda inp: inp.event())
    sim.advance(1500)  # 1.5 s: ApproximateCreationDateTime is rounded down to the second
    seq = put(sim, "1", n=5)
    sim.run(10_000)
    (event,) = events
    (record,) = event["Records"]
    assert list(record) == [
        "eventID",
        "eventName",
        "eventVersion",
        "eventSource",
        "awsRegion",
        "dynamodb",
        "eventSourceARN",
    ]
    assert len(record["eventID"]) == 32 and int(record["eventID"], 16) >= 0
    assert record["eventName"] == "INSERT"
    assert record["eventVersion"] == "1.1"
    assert record["eventSource"] == "aws:dynamodb"
    assert record["awsRegion"] == sim.region
    # The stream ARN is the one $ResourceParam('orders', 'streamArn') gives.
    assert record["eventSourceARN"] == sim.resource_param("orders", "streamArn")
    assert record["eventSourceARN"].endswith(
        ":table/ddb-dev-orders-aad4cd8b/stream/1970-01-01T00:00:00.000"
    )
    # The order of the events Lambda delivered in LocalStack's AWS-recorded snapshot (AWS's
    # with-ddb example lists ApproximateCreationDateTime after the images instead).
    assert list(record["dynamodb"]) == [
        "ApproximateCreationDateTime",
        "Keys",
        "NewImage",
        "SequenceNumber",
        "SizeBytes",
        "StreamViewType",
    ]
    assert record["dynamodb"] == {
        "ApproximateCreationDateTime": (START + 1000) // 1000,
        "Keys": {"id": {"S": "1"}},
        "NewImage": {"id": {"S": "1"}, "n": {"N": "5"}},
        "SequenceNumber": seq,
        # Keys: "id" + "1" = 3; NewImage: 3 + "n" + the number 5 (1 + 1 byte) = 6.
        "SizeBytes": 9,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    assert seq is not None and len(seq) == 21 and seq.isdigit()


def test_lambda_polls_a_dynamodb_stream_four_times_a_second() -> None:
    sim = make_sim(stack())
    sim.advance(300)
    put(sim, "1", n=1)
    sim.run(10_000)
    assert [r.t - START for r in records(sim, tk.INVOCATION_STARTED)] == [500]
    assert records(sim, tk.INVOCATION_STARTED)[0].data["trigger"] == "dynamodb"


def test_per_item_order_is_kept_across_batches_and_lanes() -> None:
    sim = make_sim(stack("            batchSize: 2\n            parallelizationFactor: 3"))
    seqs = {k: [put(sim, k, n=i) for i in range(3)] for k in "abcd"}
    sim.run(60_000)
    order = [s for batch in started(sim) for s in batch]
    for key_seqs in seqs.values():
        assert [s for s in order if s in key_seqs] == key_seqs
    assert sorted(order) == sorted(s for v in seqs.values() for s in v if s)


# -- failures through the shared mapping --------------------------------------------------------

FAIL_BIG = 'behaviors:\n  audit:\n    fail: {when: "newImage.n > `10`", error: TooBig}\n'


def test_conditions_see_the_event_name_and_plain_images() -> None:
    sim = make_sim(
        stack(),
        "behaviors:\n  audit:\n    fail: {when: \"eventName == 'REMOVE' && oldImage.n == `7`\"}\n",
    )
    put(sim, "1", n=7)
    sim.run(5_000)
    assert not records(sim, tk.INVOCATION_FAILED)
    table(sim).delete({"id": {"S": "1"}})
    sim.run(5_000)
    failed = records(sim, tk.INVOCATION_FAILED)
    assert failed and failed[0].t > records(sim, tk.ITEM_DELETED)[0].t


def test_bisection_retries_and_the_on_failure_record_with_ddb_stream_batch_info() -> None:
    event = (
        "            bisectBatchOnFunctionError: true\n            maximumRetryAttempts: 1\n"
        "            onFailure:\n              arn: $ResourceParam('failed', 'arn')\n"
        "              type: sqs"
    )
    sim = make_sim(stack(event), FAIL_BIG)
    sim.advance(2300)
    seqs = [put(sim, str(i), n=50 if i == 2 else i) for i in range(4)]
    sim.run(60_000)
    # [0 1 2 3] fails -> [0 1] ok, [2 3] fails -> [2] fails, retried once, discarded; [3] ok.
    assert started(sim) == [seqs, seqs[:2], seqs[2:], [seqs[2]], [seqs[2]], [seqs[3]]]
    assert [r.resource for r in records(sim, tk.STREAM_BATCH_BISECTED)] == ["audit", "audit"]
    (discarded,) = records(sim, tk.STREAM_BATCH_DISCARDED)
    assert discarded.data["stream"] == "orders"
    (delivered,) = records(sim, tk.STREAM_FAILURE_DELIVERED)
    body = json.loads(sim.queues["failed"].messages[delivered.data["delivered_id"]].body)
    assert list(body) == [
        "requestContext",
        "responseContext",
        "version",
        "timestamp",
        "DDBStreamBatchInfo",
    ]
    assert body["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert body["requestContext"]["approximateInvokeCount"] == 2
    shard = table(sim).stream.shards[0]  # type: ignore[union-attr]
    assert body["DDBStreamBatchInfo"] == {
        "shardId": shard.id,
        "startSequenceNumber": seqs[2],
        "endSequenceNumber": seqs[2],
        # DynamoDB writes these to the second.
        "approximateArrivalOfFirstRecord": "2026-01-05T08:00:02Z",
        "approximateArrivalOfLastRecord": "2026-01-05T08:00:02Z",
        "batchSize": 1,
        "streamArn": sim.resource_param("orders", "streamArn"),
    }


def test_partial_batch_responses_report_sequence_numbers() -> None:
    behaviors = (
        'behaviors:\n  audit:\n    partial: {when: "newImage.n == `1`"}\n'
        "    reportBatchItemFailures: true\n"
    )
    sim = make_sim(stack(), behaviors)
    seqs = [put(sim, str(i), n=i) for i in range(3)]
    sim.advance(600)
    assert started(sim)[:2] == [seqs, seqs[1:]]


def test_stream_records_expire_after_24_hours() -> None:
    sim = make_sim(stack(), "behaviors:\n  audit:\n    fail: {always: true}")
    seq = put(sim, "1", n=1)
    sim.advance(24 * 3_600_000 + 1000)
    (expired,) = records(sim, tk.STREAM_RECORD_EXPIRED)
    assert expired.resource == "orders" and expired.data["sequence_number"] == seq
    assert expired.t - START == 24 * 3_600_000


def test_a_batch_jobs_dynamo_db_stream_event_starts_an_execution_per_batch() -> None:
    text = stack().replace(
        "  audit:\n    type: function\n    properties:\n"
        "      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}\n",
        "  audit:\n    type: batch-job\n    properties:\n"
        "      container:\n        packaging: {type: stacktape-image-buildpack, "
        "properties: {entryfilePath: c.ts}}\n      resources: {cpu: 1, memory: 2048}\n",
    )
    sim = make_sim(text)
    seq = put(sim, "1", n=1)
    sim.run(5_000)
    (submitted,) = records(sim, tk.BATCH_SUBMITTED)
    assert submitted.data["trigger"] == "dynamodb"
    assert submitted.data["sequence_numbers"] == [seq]


# -- commands, explain, determinism --------------------------------------------------------------


def session(tmp_path: Path, event: str = "") -> Session:
    path = tmp_path / "stacktape.yml"
    path.write_text(stack(event), encoding="utf-8")
    return Session.open(path, start_ms=START)


def test_commands_put_show_and_delete_items(tmp_path: Path) -> None:
    s = session(tmp_path)
    out = execute(s, 'put-item orders \'{"id": {"S": "1"}, "n": {"N": "5"}}\'')
    assert out.text.startswith('INSERT item {"id":{"S":"1"}} in orders: stream record 1')
    out = execute(s, 'put-item orders \'{"id": {"S": "1"}, "n": {"N": "5"}}\'')
    assert out.text == 'item {"id":{"S":"1"}} of orders is unchanged: no stream record'
    execute(s, "advance 1s")
    shown = execute(s, "show table orders")
    assert 'orders: key id (S), 1 item\n  {"id":{"S":"1"},"n":{"N":"5"}}' in shown.text
    assert "stream NEW_AND_OLD_IMAGES" in shown.text
    assert shown.table is not None and shown.table[1][0][0] == "audit"
    out = execute(s, 'delete-item orders \'{"id": {"S": "2"}}\'')
    assert out.text.startswith('no item {"id":{"S":"2"}} in orders: nothing deleted')


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        # Plain JSON: the hint writes the item in DynamoDB JSON.
        ("put-item orders '{\"id\": 1}'", "Supplied AttributeValue is empty", '{"id": {"S": "1"}}'),
        ("put-item orders 'nope'", "the item is not JSON", "DynamoDB JSON"),
        ("put-item ordrs '{}'", "no dynamo-db-table named 'ordrs'", "did you mean orders?"),
        ("put-item failed '{}'", "'failed' is an sqs-queue, not a dynamo-db-table", "orders"),
        ("show table", "show table needs a dynamo-db-table name", "show table orders"),
        ("show stream orders", "'orders' is a dynamo-db-table, not a kinesis", "show table orders"),
    ],
)
def test_command_errors_say_what_to_write(
    tmp_path: Path, line: str, message: str, hint: str
) -> None:
    s = session(tmp_path)
    with pytest.raises(CommandError) as err:
        execute(s, line)
    assert message in str(err.value) and hint in (err.value.hint or "")
    assert not table(s.sim).items


def test_explain_reaches_the_invocations_from_an_items_sequence_number(tmp_path: Path) -> None:
    s = session(tmp_path)
    out = execute(s, 'put-item orders \'{"id": {"S": "1"}}\'')
    execute(s, "advance 1s")
    kinds = [r.kind for r in explain(s.sim.trace, out.data["SequenceNumber"]).records]
    assert kinds == [tk.ITEM_PUT, tk.INVOCATION_STARTED, tk.INVOCATION_SUCCEEDED]


def test_same_commands_same_trace(tmp_path: Path) -> None:
    lines = [
        'put-item orders \'{"id": {"S": "a"}, "n": {"N": "1"}}\'',
        'put-item orders \'{"id": {"S": "a"}, "n": {"N": "2"}}\'',
        'delete-item orders \'{"id": {"S": "a"}}\'',
        "advance 3s",
    ]
    traces = []
    for name in ("one", "two"):
        folder = tmp_path / name
        folder.mkdir()
        s = session(folder)
        for line in lines:
            execute(s, line)
        traces.append([r.to_line() for r in s.sim.trace.records])
    assert traces[0] == traces[1] and len(traces[0]) > 4


def test_a_malformed_value_is_refused_as_the_aws_cli_refuses_it() -> None:
    sim = make_sim(stack())
    with pytest.raises(DynamoDBError) as err:
        table(sim).put({"id": {"S": "1"}, "n": {"N": 5}})
    assert str(err.value).startswith("Parameter validation failed: Invalid type for parameter")
    with pytest.raises(DynamoDBError) as err:
        table(sim).put({"id": {"N": "1"}})
    assert str(err.value).startswith("ValidationException: One or more parameter values")


def test_a_saved_session_loads_with_the_same_items_and_stream(tmp_path: Path) -> None:
    s = session(tmp_path)
    execute(s, 'put-item orders \'{"id": {"S": "1"}, "n": {"N": "5"}}\'')
    execute(s, 'put-item orders \'{"id": {"S": "2"}}\'')
    execute(s, 'delete-item orders \'{"id": {"S": "2"}}\'')
    execute(s, "advance 2s")
    execute(s, f"save {tmp_path / 'saved.json'}")
    before = execute(s, "show table orders").text
    other = session(tmp_path)
    execute(other, f"load {tmp_path / 'saved.json'}")
    assert execute(other, "show table orders").text == before
    assert list(table(other.sim).items.values()) == [{"id": {"S": "1"}, "n": {"N": "5"}}]


def test_numbers_keep_their_38_digits_and_compare_by_value() -> None:
    sim = make_sim(stack())
    digits = "1234567890123456789012345678901234567.8"
    table(sim).put({"id": {"S": "1"}, "n": {"N": digits}})
    assert table(sim).items[("1",)]["n"] == {"N": digits}
    assert table(sim).put({"id": {"S": "1"}, "n": {"N": digits + "0"}}) == (None, None)


# -- the audit against the developer guide (docs/fidelity.md, "DynamoDB tables and streams") --


@pytest.mark.parametrize("text", ["1_000", "١٢٣", "１", "0x10", "1e", ".", "Infinity", ""])
def test_a_number_is_written_in_ascii_digits_as_dynamodb_reads_one(text: str) -> None:
    # Python's Decimal also reads "1_000" and other scripts' digits; DynamoDB's numbers are
    # plain decimal text ("A value provided cannot be converted into a number").
    sim = make_sim(stack())
    with pytest.raises(DynamoDBError, match="cannot be converted into a number"):
        table(sim).put({"id": {"S": "1"}, "n": {"N": text}})
    assert not table(sim).items


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("9.9999999999999999999999999999999999999E+125", "9" * 38 + "0" * 88),
        ("-9.9999999999999999999999999999999999999E+125", "-" + "9" * 38 + "0" * 88),
        ("1E-130", "0." + "0" * 129 + "1"),
        ("-1E-130", "-0." + "0" * 129 + "1"),
        ("+007.50", "7.5"),
        ("-0", "0"),
    ],
)
def test_numbers_at_the_edges_of_dynamodbs_range_are_kept(text: str, stored: str) -> None:
    sim = make_sim(stack())
    table(sim).put({"id": {"S": "1"}, "n": {"N": text}})
    assert table(sim).items[("1",)]["n"] == {"N": stored}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1E+126", "Number overflow"),
        ("-1E+126", "Number overflow"),
        ("1E-131", "Number underflow"),
        ("-9.9E-131", "Number underflow"),
        # Past what Python's Decimal holds: still DynamoDB's answer, never a traceback.
        ("1E+999999999", "Number overflow"),
        ("1E+99999999999999999999", "Number overflow"),
        ("1E-999999999", "Number underflow"),
        ("-1E-99999999999999999999", "Number underflow"),
        # An exponent longer than Python's int() reads from text (4,300 digits).
        ("1E" + "9" * 5000, "Number overflow"),
        ("1E-" + "9" * 5000, "Number underflow"),
    ],
)
def test_numbers_past_dynamodbs_range_are_refused(text: str, words: str) -> None:
    sim = make_sim(stack())
    with pytest.raises(DynamoDBError, match=words):
        table(sim).put({"id": {"S": "1"}, "n": {"N": text}})


def test_an_item_of_exactly_400_kb_is_taken_and_one_byte_more_is_not() -> None:
    # "Item sizes and formats": names' and strings' UTF-8 bytes; 400 KB is 409,600 bytes.
    sim = make_sim(stack())
    pad = 400 * 1024 - len("id") - len("1") - len("b")
    _, record = table(sim).put({"id": {"S": "1"}, "b": {"S": "x" * pad}})
    assert record is not None and record.event["dynamodb"]["SizeBytes"] > 400 * 1024
    with pytest.raises(DynamoDBError, match="Item size has exceeded the maximum allowed size"):
        table(sim).put({"id": {"S": "2"}, "b": {"S": "x" * (pad + 1)}})
    assert list(table(sim).items) == [("1",)]


def test_empty_strings_and_binaries_are_values_but_not_keys_and_sets_may_hold_them() -> None:
    # "DynamoDB does not support empty sets, however, empty string and binary values are
    # allowed within a set" (HowItWorks.NamingRulesDataTypes); non-key attributes may be empty.
    sim = make_sim(stack())
    item = {"id": {"S": "1"}, "s": {"S": ""}, "b": {"B": ""}, "t": {"SS": ["", "a"]}}
    assert table(sim).put(item)[0] == "INSERT"
    for empty_set in ({"NS": []}, {"BS": []}):
        with pytest.raises(DynamoDBError, match="set  may not be empty"):
            table(sim).put({"id": {"S": "2"}, "t": empty_set})
    with pytest.raises(DynamoDBError, match="contains duplicates"):
        table(sim).put({"id": {"S": "2"}, "t": {"NS": ["1", "1.0"]}})
    text = stack(sort="\n        sortKey: {name: ts, type: binary}")
    with pytest.raises(DynamoDBError, match=r"cannot contain an empty binary value\. Key: ts"):
        table(make_sim(text)).put({"id": {"S": "1"}, "ts": {"B": ""}})


EXACT = Context(prec=1000)

INDEXED = """
      secondaryIndexes:
        - name: byEmail
          partitionKey: {name: email, type: string}
          sortKey: {name: joined, type: number}"""


@pytest.mark.parametrize(
    ("attrs", "text"),
    [
        (
            {"email": {"N": "1"}},
            "ValidationException: One or more parameter values were invalid: Type mismatch for "
            "Index Key email Expected: S Actual: N IndexName: byEmail",
        ),
        (
            {"email": {"S": "a@b"}, "joined": {"NULL": True}},
            "ValidationException: One or more parameter values were invalid: Type mismatch for "
            "Index Key joined Expected: N Actual: NULL IndexName: byEmail",
        ),
        (
            {"email": {"S": ""}},
            "ValidationException: One or more parameter values are not valid. A value specified "
            "for a secondary index key is not supported. The AttributeValue for a key attribute "
            "cannot contain an empty string value. IndexName: byEmail, IndexKey: email",
        ),
    ],
)
def test_a_secondary_index_key_of_the_wrong_type_or_empty_is_refused(
    attrs: dict[str, Any], text: str
) -> None:
    # The key attributes of a global secondary index must have the index's type and, for a
    # string or binary, a value (PutItem; "Detecting and correcting index key violations");
    # the messages are DynamoDB's, as dynalite's tests run against it assert them.
    sim = make_sim(stack(sort=INDEXED))
    with pytest.raises(DynamoDBError) as err:
        table(sim).put({"id": {"S": "1"}, **attrs})
    assert str(err.value) == text
    with pytest.raises(DynamoDBError) as err:
        update_key = {"id": {"S": "1"}}
        names = {f"#{i}": k for i, k in enumerate(attrs)}
        values = {f":{i}": v for i, v in enumerate(attrs.values())}
        sets = ", ".join(f"#{i} = :{i}" for i in range(len(attrs)))
        table(sim).update(update_key, Expressions(f"SET {sets}", None, names, values))
    assert str(err.value) == text
    assert not table(sim).items


def test_an_item_without_its_index_keys_is_taken_the_index_is_sparse() -> None:
    sim = make_sim(stack(sort=INDEXED))
    assert table(sim).put({"id": {"S": "1"}, "joined": {"N": "5"}})[0] == "INSERT"
    assert table(sim).put({"id": {"S": "2"}, "email": {"S": "a@b"}})[0] == "INSERT"


@settings(max_examples=150, deadline=None)
@given(
    st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
        lambda d: (
            d == 0
            or (-130 <= d.adjusted() <= 125 and len(d.normalize(EXACT).as_tuple().digits) <= 38)
        )
    )
)
def test_a_stored_number_is_the_same_number_without_exponent_or_extra_zeros(
    number: Decimal,
) -> None:
    # No exponent, no leading or trailing zeros: the plain form Decimal's own normalising
    # writes when it has the digits to spare.
    stored = canonical_number(str(number), "n")
    assert Decimal(stored) == number
    assert stored == ("0" if number == 0 else format(number.normalize(EXACT), "f"))


def test_a_stream_event_without_settings_reads_with_stacktapes_defaults() -> None:
    # Stacktape's DynamoDbIntegrationProps: batchSize 100, startingPosition TRIM_HORIZON (its
    # compiler passes both to the event source mapping); no window, so the first poll after
    # the writes reads a full batch of 100 and the next poll the rest.
    sim = make_sim(stack())
    for i in range(150):
        put(sim, f"k{i:03}", n=i)
    sim.run(10_000)
    assert [len(batch) for batch in started(sim)] == [100, 50]


def test_a_binary_value_is_its_bytes_whatever_base64_spelt_them() -> None:
    # The AWS CLI decodes the base64 it is given and DynamoDB stores the bytes: "AAF=" and
    # "AAE=" are both 00 01 (the last pad bits are dropped), one value, read back as "AAE=".
    sim = make_sim(stack(sort="\n        sortKey: {name: ts, type: binary}"))
    orders = table(sim)
    assert orders.put({"id": {"S": "1"}, "ts": {"B": "AAF="}, "v": {"B": "AAF="}})[0] == "INSERT"
    assert orders.put({"id": {"S": "1"}, "ts": {"B": "AAE="}, "v": {"B": "AAE="}}) == (None, None)
    assert list(orders.items.values()) == [
        {"id": {"S": "1"}, "ts": {"B": "AAE="}, "v": {"B": "AAE="}}
    ]
    with pytest.raises(DynamoDBError, match="contains duplicates"):
        orders.put({"id": {"S": "2"}, "ts": {"B": "AA=="}, "s": {"BS": ["AAE=", "AAF="]}})


@pytest.mark.parametrize("value", [{"N": "1"}, {"B": "YWJjZA=="}, {"SS": ["a"]}])
def test_a_key_parameter_of_the_wrong_type_does_not_match_the_schema(value: Any) -> None:
    # DeleteItem's and UpdateItem's Key is compared with the key schema as a whole: a key
    # attribute of another type is "The provided key element does not match the schema"
    # (dynalite's deleteItem and updateItem tests, run against DynamoDB), where PutItem's
    # Item says "Type mismatch for key id expected: S actual: N".
    sim = make_sim(stack())
    put(sim, "1", n=1)
    orders = table(sim)
    for write in (
        lambda: orders.delete({"id": value}),
        lambda: orders.update({"id": value}, Expressions("SET n = :n", None, None, N_ONE)),
    ):
        with pytest.raises(DynamoDBError) as err:
            write()
        assert str(err.value) == (
            "ValidationException: The provided key element does not match the schema"
        )
    assert len(orders.items) == 1


N_ONE = {":n": {"N": "1"}}


def test_a_number_key_is_one_key_however_it_is_written() -> None:
    # Numbers are stored without leading or trailing zeros or exponent ("Item sizes and
    # formats"), so 1, 1.0 and 1E0 name one item.
    sim = make_sim(stack().replace("{name: id, type: string}", "{name: id, type: number}"))
    orders = table(sim)
    assert orders.put({"id": {"N": "1.0"}, "n": {"N": "5"}})[0] == "INSERT"
    assert orders.put({"id": {"N": "1E0"}, "n": {"N": "5"}}) == (None, None)
    assert orders.delete({"id": {"N": "01"}})[0] is True
    assert not orders.items
