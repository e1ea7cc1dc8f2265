"""DynamoDB's multi-item calls through the boto3 stand-in: TransactWriteItems (all or none,
TransactionCanceledException with AWS's CancellationReasons), TransactGetItems and
BatchGetItem, on the low-level client and the resource."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from stptui.commands import Session, execute
from stptui.sim import trace as tk
from stptui.sim.clock import parse_instant

T0 = parse_instant("2026-01-05T08:00:00Z")
STACK = """\
serviceName: shop
resources:
  orders:
    type: dynamo-db-table
    properties:
      primaryKey: {partitionKey: {name: id, type: string}}
      streamType: NEW_AND_OLD_IMAGES
  stock:
    type: dynamo-db-table
    properties:
      primaryKey: {partitionKey: {name: sku, type: string}}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/w.py}}
      connectTo: [orders, stock]
  writer:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/x.py}}
      iamRoleStatements:
        - Effect: Allow
          Action: [dynamodb:PutItem, dynamodb:UpdateItem, dynamodb:GetItem]
          Resource: ["*"]
"""
PRELUDE = """\
import json
import os
from decimal import Decimal

import boto3
from botocore.exceptions import ClientError

ddb = boto3.client("dynamodb")
dynamodb = boto3.resource("dynamodb")
ORDERS = os.environ.get("STP_ORDERS_NAME", "orders")
STOCK = os.environ.get("STP_STOCK_NAME", "stock")
OUT = {}


def error(exc):
    return {"class": type(exc).__name__, **{k: v for k, v in exc.response.items()
            if k != "ResponseMetadata"}}
"""


def _session(folder: Path, body: str, function: str = "worker") -> Session:
    (folder / "stacktape.yml").write_text(STACK, encoding="utf-8")
    behaviors = "behaviors:\n" + "".join(
        f"  {name}:\n    handler: tx_{name}:handler\n" for name in ("worker", "writer")
    )
    (folder / "stptui.yml").write_text(behaviors, encoding="utf-8")
    for name in ("worker", "writer"):
        code = body if name == function else "return None\n"
        text = PRELUDE + "\n\ndef handler(event, context):\n" + textwrap.indent(code, "    ")
        (folder / f"tx_{name}.py").write_text(text, encoding="utf-8")
    return Session.open(folder, start_ms=T0, allow_code=True)


def _run(tmp_path: Path, body: str, *setup: str, function: str = "worker") -> tuple[Session, Any]:
    """Run `body` as `function`'s handler after the `setup` commands; what it returned."""
    s = _session(tmp_path, body, function)
    for line in setup:
        execute(s, line)
    data = execute(s, f"invoke {function} '{{}}'").data
    assert data.get("error") is None, data
    return s, data["response"]


def _records(s: Session, kind: str) -> list[Any]:
    return [r for r in s.sim.trace.records if r.kind == kind]


def _items(s: Session, table: str) -> dict[str, Any]:
    return {k[0]: v for k, v in s.sim.services["tables"][table].items.items()}


ORDER = 'put-item orders \'{"id": {"S": "o-1"}, "state": {"S": "OPEN"}}\''
SKU = 'put-item stock \'{"sku": {"S": "s-1"}, "left": {"N": "3"}}\''

# -- TransactWriteItems


def test_a_transaction_writes_every_action_at_one_instant_through_the_item_writes(
    tmp_path: Path,
) -> None:
    body = """\
ddb.transact_write_items(TransactItems=[
    {"Put": {"TableName": ORDERS, "Item": {"id": {"S": "o-2"}, "state": {"S": "NEW"}},
             "ConditionExpression": "attribute_not_exists(id)"}},
    {"Update": {"TableName": STOCK, "Key": {"sku": {"S": "s-1"}},
                "UpdateExpression": "SET #l = #l - :one",
                "ConditionExpression": "#l >= :one",
                "ExpressionAttributeNames": {"#l": "left"},
                "ExpressionAttributeValues": {":one": {"N": "1"}}}},
    {"Delete": {"TableName": ORDERS, "Key": {"id": {"S": "o-1"}}}},
])
return "done"
"""
    s, got = _run(tmp_path, body, ORDER, SKU)
    assert got == "done"
    assert set(_items(s, "orders")) == {"o-2"}
    assert _items(s, "stock")["s-1"]["left"] == {"N": "2"}
    writes = [
        r
        for r in s.sim.trace.records
        if r.kind in (tk.ITEM_PUT, tk.ITEM_UPDATED, tk.ITEM_DELETED)
        and r.data["source"] != "command"
    ]
    assert [(r.kind, r.resource) for r in writes] == [
        (tk.ITEM_PUT, "orders"),
        (tk.ITEM_UPDATED, "stock"),
        (tk.ITEM_DELETED, "orders"),
    ]
    # One instant, and the writes carry the invocation as their source, as put_item's do.
    assert len({r.t for r in writes}) == 1
    assert all(r.data["source"].startswith("worker:") for r in writes)
    # The stream of orders has a record of each change, as for put_item's.
    assert all("sequence_number" in r.data for r in writes if r.resource == "orders")


def test_a_failed_condition_cancels_every_action_with_aws_reasons(tmp_path: Path) -> None:
    body = """\
try:
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": ORDERS, "Item": {"id": {"S": "o-9"}}}},
        {"ConditionCheck": {"TableName": ORDERS, "Key": {"id": {"S": "o-1"}},
                            "ConditionExpression": "#s = :paid",
                            "ExpressionAttributeNames": {"#s": "state"},
                            "ExpressionAttributeValues": {":paid": {"S": "PAID"}},
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        {"Update": {"TableName": STOCK, "Key": {"sku": {"S": "s-1"}},
                    "UpdateExpression": "SET #l = :z",
                    "ExpressionAttributeNames": {"#l": "left"},
                    "ExpressionAttributeValues": {":z": {"N": "0"}}}},
    ])
except ddb.exceptions.TransactionCanceledException as exc:
    return error(exc)
"""
    s, got = _run(tmp_path, body, ORDER, SKU)
    assert got["class"] == "TransactionCanceledException"
    assert got["Error"] == {
        "Code": "TransactionCanceledException",
        "Message": "Transaction cancelled, please refer cancellation reasons for specific "
        "reasons [None, ConditionalCheckFailed, None]",
    }
    assert got["CancellationReasons"] == [
        {"Code": "None"},
        {
            "Code": "ConditionalCheckFailed",
            "Message": "The conditional request failed",
            "Item": {"id": {"S": "o-1"}, "state": {"S": "OPEN"}},
        },
        {"Code": "None"},
    ]
    # Nothing written; each write of the transaction is an emission.failed saying why.
    assert set(_items(s, "orders")) == {"o-1"}
    assert _items(s, "stock")["s-1"]["left"] == {"N": "3"}
    failed = _records(s, tk.EMISSION_FAILED)
    assert [(r.data["emission"], r.data["target"]) for r in failed] == [
        ("putItem", "orders"),
        ("updateItem", "stock"),
    ]
    assert "TransactionCanceledException" in failed[0].data["error"]


def test_two_actions_on_one_item_are_refused_with_dynamodbs_words(tmp_path: Path) -> None:
    body = """\
try:
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": ORDERS, "Item": {"id": {"S": "o-1"}}}},
        {"Delete": {"TableName": ORDERS, "Key": {"id": {"S": "o-1"}}}},
    ])
except ClientError as exc:
    return error(exc)
"""
    s, got = _run(tmp_path, body)
    assert got["Error"] == {
        "Code": "ValidationException",
        "Message": "Transaction request cannot include multiple operations on one item",
    }
    assert _items(s, "orders") == {}


def test_a_transaction_takes_one_to_100_actions(tmp_path: Path) -> None:
    body = """\
many = [{"Put": {"TableName": ORDERS, "Item": {"id": {"S": str(i)}}}} for i in range(101)]
try:
    ddb.transact_write_items(TransactItems=many)
except ClientError as exc:
    OUT["many"] = error(exc)["Error"]
try:
    ddb.transact_write_items(TransactItems=[])
except Exception as exc:
    OUT["none"] = [type(exc).__name__, str(exc)]
ddb.transact_write_items(TransactItems=many[:100])
return OUT
"""
    s, got = _run(tmp_path, body)
    assert got["many"]["Code"] == "ValidationException"
    assert "Member must have length less than or equal to 100" in got["many"]["Message"]
    assert got["none"] == [
        "ParamValidationError",
        "Parameter validation failed:\nInvalid length for parameter TransactItems, value: 0, "
        "valid min length: 1",
    ]
    assert len(_items(s, "orders")) == 100


def test_an_action_needs_its_own_permission_and_a_refusal_writes_nothing(
    tmp_path: Path,
) -> None:
    body = """\
try:
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": "orders", "Item": {"id": {"S": "o-5"}}}},
        {"ConditionCheck": {"TableName": "orders", "Key": {"id": {"S": "o-1"}},
                            "ConditionExpression": "attribute_exists(id)"}},
    ])
except ClientError as exc:
    return error(exc)
"""
    s, got = _run(tmp_path, body, ORDER, function="writer")
    assert got["Error"]["Code"] == "AccessDeniedException"
    assert "not authorized to perform: dynamodb:ConditionCheckItem" in got["Error"]["Message"]
    assert set(_items(s, "orders")) == {"o-1"}


def test_a_transaction_after_a_sleep_is_refused_clearly(tmp_path: Path) -> None:
    body = """\
context.sleep(100)
try:
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": ORDERS, "Item": {"id": {"S": "o-5"}}}}])
except Exception as exc:
    return [type(exc).__name__, str(exc)]
"""
    s, got = _run(tmp_path, body)
    assert got[0] == "BehaviorError"
    assert "transaction at the call only" in got[1]
    execute(s, "advance 1s")
    assert _items(s, "orders") == {}


def test_meta_client_of_the_resource_makes_transactions_with_conditions_objects(
    tmp_path: Path,
) -> None:
    body = """\
from boto3.dynamodb.conditions import Attr

client = dynamodb.Table(ORDERS).meta.client
client.transact_write_items(TransactItems=[
    {"Put": {"TableName": ORDERS, "Item": {"id": {"S": "o-3"}}}},
    {"Delete": {"TableName": ORDERS, "Key": {"id": {"S": "o-1"}},
                "ConditionExpression": Attr("state").eq("OPEN")}},
])
return "ok"
"""
    s, got = _run(tmp_path, body, ORDER)
    assert got == "ok"
    assert set(_items(s, "orders")) == {"o-3"}


# -- TransactGetItems and BatchGetItem


def test_transact_get_items_answers_each_item_in_order_and_an_empty_one_when_missing(
    tmp_path: Path,
) -> None:
    body = """\
got = ddb.transact_get_items(TransactItems=[
    {"Get": {"TableName": STOCK, "Key": {"sku": {"S": "s-1"}}}},
    {"Get": {"TableName": ORDERS, "Key": {"id": {"S": "nope"}}}},
    {"Get": {"TableName": ORDERS, "Key": {"id": {"S": "o-1"}}}},
])
got.pop("ResponseMetadata")
return got
"""
    _, got = _run(tmp_path, body, ORDER, SKU)
    assert got == {
        "Responses": [
            {"Item": {"sku": {"S": "s-1"}, "left": {"N": "3"}}},
            {},
            {"Item": {"id": {"S": "o-1"}, "state": {"S": "OPEN"}}},
        ]
    }


def test_batch_get_item_answers_by_table_with_no_unprocessed_keys(tmp_path: Path) -> None:
    body = """\
got = ddb.batch_get_item(RequestItems={
    ORDERS: {"Keys": [{"id": {"S": "o-1"}}, {"id": {"S": "nope"}}]},
    STOCK: {"Keys": [{"sku": {"S": "s-1"}}]},
})
got.pop("ResponseMetadata")
plain = dynamodb.batch_get_item(RequestItems={STOCK: {"Keys": [{"sku": "s-1"}]}})
OUT["got"] = got
OUT["names"] = [ORDERS, STOCK]
OUT["decimal"] = isinstance(plain["Responses"][STOCK][0]["left"], Decimal)
try:
    ddb.batch_get_item(RequestItems={STOCK: {"Keys": [{"sku": {"S": "a"}}] * 2}})
except ClientError as exc:
    OUT["twice"] = error(exc)["Error"]
many = [{"sku": {"S": str(i)}} for i in range(101)]
try:
    ddb.batch_get_item(RequestItems={STOCK: {"Keys": many}})
except ClientError as exc:
    OUT["many"] = error(exc)["Error"]
return OUT
"""
    _, got = _run(tmp_path, body, ORDER, SKU)
    # Keyed by the names the request gave (the AWS names the environment holds).
    orders, stock = got["names"]
    assert orders.startswith("shop-dev-orders-")
    assert got["got"] == {
        "Responses": {
            orders: [{"id": {"S": "o-1"}, "state": {"S": "OPEN"}}],
            stock: [{"sku": {"S": "s-1"}, "left": {"N": "3"}}],
        },
        "UnprocessedKeys": {},
    }
    assert got["decimal"] is True
    assert got["twice"] == {
        "Code": "ValidationException",
        "Message": "Provided list of item keys contains duplicates",
    }
    assert got["many"] == {
        "Code": "ValidationException",
        "Message": "Too many items requested for the BatchGetItem call",
    }


def test_batch_get_item_needs_batch_get_item_permission(tmp_path: Path) -> None:
    body = """\
try:
    ddb.batch_get_item(RequestItems={"orders": {"Keys": [{"id": {"S": "o-1"}}]}})
except ClientError as exc:
    return error(exc)["Error"]
"""
    _, got = _run(tmp_path, body, ORDER, function="writer")
    assert got["Code"] == "AccessDeniedException"
    assert "dynamodb:BatchGetItem" in got["Message"]


def test_context_methods_take_plain_json(tmp_path: Path) -> None:
    body = """\
context.transact_write_items([{"Put": {"TableName": "orders", "Item": {"id": "o-7", "n": 2}}}])
return {
    "tx": context.transact_get_items([{"Get": {"TableName": "orders", "Key": {"id": "o-7"}}}]),
    "batch": context.batch_get_item({"orders": [{"id": "o-7"}, {"id": "x"}]}),
}
"""
    _, got = _run(tmp_path, body)
    assert got == {
        "tx": [{"id": "o-7", "n": 2}],
        "batch": {"Responses": {"orders": [{"id": "o-7", "n": 2}]}, "UnprocessedKeys": {}},
    }
    assert json.dumps(got)  # plain JSON throughout
