"""DynamoDB's item operations (PutItem, GetItem, UpdateItem, DeleteItem, Query, Scan) through
the context, in either codec: the low-level client's here, a resource Table's in
dynamodb_resource.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from stptui.sim.behavior.boto3_standin.conditions import ConditionBase, ConditionExpressionBuilder
from stptui.sim.behavior.boto3_standin.dynamodb_codec import Codec, ddb_item_in, ddb_item_out
from stptui.sim.behavior.boto3_standin.exceptions import ParamValidationError, aws_error, refuse
from stptui.sim.behavior.boto3_standin.invocation import Operation
from stptui.sim.behavior.boto3_standin.paginators import Paging
from stptui.sim.behavior.boto3_standin.params import P, validate_value
from stptui.sim.behavior.boto3_standin.responses import boto3_response
from stptui.sim.behavior.errors import shown
from stptui.sim.behavior.handler_batch import MAX_BATCH_WRITE

if TYPE_CHECKING:
    from stptui.sim.behavior.boto3_standin.client import Client
    from stptui.sim.behavior.python_handlers import HandlerContext


def _condition_args(
    p: dict[str, Any], codec: Codec, call: str, *, conditional: bool = True
) -> dict[str, Any]:
    """ConditionExpression and its placeholders as the context method's keywords; refused
    where the method takes no condition (`conditional` false: DeleteItem's)."""
    texts, names, values = _expressions(p, ("ConditionExpression",), codec)
    condition = texts["ConditionExpression"]
    if condition is None and names is None and values is None:
        return {}
    if not conditional:
        raise refuse(call, "cannot pass a ConditionExpression: the context's method takes none")
    out: dict[str, Any] = {"condition": condition}
    if names is not None:
        out["names"] = names
    if values is not None:
        out["values"] = values
    return out


def _expressions(
    p: dict[str, Any], keys: tuple[str, ...], codec: Codec
) -> tuple[dict[str, str | None], dict[str, str] | None, dict[str, Any] | None]:
    """The expression parameters `keys` (text, or boto3.dynamodb.conditions objects, written
    out with one set of placeholders) and the ExpressionAttributeNames/Values they need,
    merged with those given."""
    names = p.get("ExpressionAttributeNames")
    values = p.get("ExpressionAttributeValues")
    plain_values = None if values is None else codec.item_in(values, "ExpressionAttributeValues")
    builder = ConditionExpressionBuilder()
    texts: dict[str, str | None] = {}
    for key in keys:
        expression = p.get(key)
        if isinstance(expression, ConditionBase):
            expression = builder.build(expression, is_key=key == "KeyConditionExpression")
        elif expression is not None and not isinstance(expression, str):
            raise ParamValidationError(
                report=f"Invalid type for parameter {key}, value: {shown(expression)}, type: "
                f"{type(expression)}, valid types: <class 'str'>"
            )
        texts[key] = expression
    if builder.names:
        names = {**(names or {}), **builder.names}
    if builder.values:
        plain_values = {**(plain_values or {}), **builder.values}
    return texts, names, plain_values


# The ReturnValues each write takes (DynamoDB API Reference, PutItem, DeleteItem, UpdateItem).
_RETURNS = {
    "PutItem": ("NONE", "ALL_OLD"),
    "DeleteItem": ("NONE", "ALL_OLD"),
    "UpdateItem": ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"),
}


def _return_values(p: dict[str, Any], call: str) -> str:
    """The write's ReturnValues (NONE when not given), or DynamoDB's ValidationException."""
    returns = p.get("ReturnValues", "NONE")
    if returns not in _RETURNS[call]:
        raise aws_error(
            "ValidationException",
            f"Return values set to invalid value; ReturnValues: {returns} ({call} takes "
            f"{', '.join(_RETURNS[call])})",
            call,
        )
    return str(returns)


def _returns_arg(returns: str) -> dict[str, str]:
    """The context method's `return_values`, passed only when the call asks for an item."""
    return {} if returns == "NONE" else {"return_values": returns}


def _written(result: dict[str, Any] | None, codec: Codec) -> dict[str, Any]:
    """A write's answer: its Attributes (when ReturnValues asked for them) in the codec."""
    if result is not None and "Attributes" in result:
        result = {**result, "Attributes": codec.item_out(result["Attributes"])}
    return boto3_response(result, {})


def _ddb_put_item(codec: Codec) -> Callable[..., dict[str, Any]]:
    def run(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
        returns = _return_values(p, "PutItem")
        extra = _condition_args(p, codec, "PutItem")
        item = codec.item_in(p["Item"], "Item")
        result = ctx.put_item(client._target_table(p), item, **extra, **_returns_arg(returns))
        return _written(result, codec)

    return run


def _ddb_delete_item(codec: Codec) -> Callable[..., dict[str, Any]]:
    def run(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
        returns = _return_values(p, "DeleteItem")
        extra = _condition_args(p, codec, "DeleteItem", conditional=False)
        key = codec.item_in(p["Key"], "Key")
        result = ctx.delete_item(client._target_table(p), key, **extra, **_returns_arg(returns))
        return _written(result, codec)

    return run


def _ddb_update_item(codec: Codec) -> Callable[..., dict[str, Any]]:
    def run(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
        returns = _return_values(p, "UpdateItem")
        if "UpdateExpression" not in p:
            raise refuse("UpdateItem", "needs an UpdateExpression (AttributeUpdates is legacy)")
        texts, names, values = _expressions(p, ("ConditionExpression",), codec)
        result = ctx.update_item(
            client._target_table(p),
            codec.item_in(p["Key"], "Key"),
            p["UpdateExpression"],
            names=names,
            values=values,
            condition=texts["ConditionExpression"],
            **_returns_arg(returns),
        )
        return _written(result, codec)

    return run


def _ddb_get_item(codec: Codec) -> Callable[..., dict[str, Any]]:
    def run(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
        if p.get("ProjectionExpression") or p.get("AttributesToGet"):
            raise refuse("GetItem", "reads whole items: ProjectionExpression is not taken")
        item = ctx.get_item(client._target_table(p), codec.item_in(p["Key"], "Key"))
        return boto3_response(None, {} if item is None else {"Item": codec.item_out(item)})

    return run


def _ddb_read(codec: Codec, operation: str) -> Callable[..., dict[str, Any]]:
    def run(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
        for name in ("ProjectionExpression", "Select", "Segment", "TotalSegments"):
            if p.get(name) is not None and not (name == "Select" and p[name] == "ALL_ATTRIBUTES"):
                raise refuse(operation, f"does not take {name}")
        keys = ("KeyConditionExpression", "FilterExpression")
        texts, names, values = _expressions(p, keys if operation == "Query" else keys[1:], codec)
        filter_ = texts["FilterExpression"]
        start = p.get("ExclusiveStartKey")
        start_key = None if start is None else codec.item_in(start, "ExclusiveStartKey")
        table = client._target_table(p)
        if operation == "Query":
            key = texts["KeyConditionExpression"]
            if key is None:
                raise refuse(operation, "needs a KeyConditionExpression (KeyConditions is legacy)")
            out = ctx.query(
                table,
                key,
                values=values,
                names=names,
                index=p.get("IndexName"),
                limit=p.get("Limit"),
                forward=p.get("ScanIndexForward", True),
                filter=filter_,
                start_key=start_key,
            )
        else:
            if p.get("IndexName") is not None:
                raise refuse(operation, "scans tables, not their indexes (IndexName)")
            out = ctx.scan(
                table,
                filter=filter_,
                values=values,
                names=names,
                limit=p.get("Limit"),
                start_key=start_key,
            )
        answer: dict[str, Any] = {
            "Items": [codec.item_out(i) for i in out["Items"]],
            "Count": out["Count"],
            "ScannedCount": out["ScannedCount"],
        }
        if "LastEvaluatedKey" in out:
            answer["LastEvaluatedKey"] = codec.item_out(out["LastEvaluatedKey"])
        return boto3_response(None, answer)

    return run


def _ddb_batch_write(codec: Codec) -> Callable[..., dict[str, Any]]:
    def run(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
        tables = p["RequestItems"]
        total = sum(len(r) if isinstance(r, list) else 0 for r in tables.values())
        if total > MAX_BATCH_WRITE:
            raise aws_error(
                "ValidationException",
                "Too many items requested for the BatchWriteItem call",
                "BatchWriteItem",
            )
        for table, requests in tables.items():
            ctx.batch_write_item(table, [_plain_request(codec, r) for r in requests])
        # Every request is written or refused whole: none is left unprocessed.
        return boto3_response(None, {"UnprocessedItems": {}})

    return run


def _plain_request(codec: Codec, request: Any) -> Any:
    """One PutRequest's Item or DeleteRequest's Key as the context's plain JSON (anything
    else as given, for the context's own refusal)."""
    if isinstance(request, dict) and len(request) == 1:
        ((what, body),) = request.items()
        name = {"PutRequest": "Item", "DeleteRequest": "Key"}.get(what)
        if name is not None and isinstance(body, dict) and isinstance(body.get(name), dict):
            return {what: {**body, name: codec.item_in(body[name], f"{what}.{name}")}}
    return request


def batch_write_operation(codec: Codec) -> Operation:
    """BatchWriteItem, in the codec: the low-level client's or the resource's."""
    members = {
        "RequestItems": P("map", True),
        "ReturnConsumedCapacity": P("string"),
        "ReturnItemCollectionMetrics": P("string"),
    }
    return Operation("BatchWriteItem", members, _ddb_batch_write(codec))


# A TransactWriteItems action's members whose values are items (in the client's codec).
_ITEM_MEMBERS = ("Item", "Key", "ExpressionAttributeValues")


def _transact_action(codec: Codec, action: dict[str, Any]) -> dict[str, Any]:
    """One TransactItems entry with its items as the context's plain JSON, and conditions
    objects written out as expressions."""
    out: dict[str, Any] = {}
    for what, body in action.items():
        texts, names, values = _expressions(body, ("ConditionExpression",), codec)
        plain = {k: v for k, v in body.items() if k not in _ITEM_MEMBERS}
        for name in ("Item", "Key"):
            if name in body:
                plain[name] = codec.item_in(body[name], f"{what}.{name}")
        if texts["ConditionExpression"] is not None:
            plain["ConditionExpression"] = texts["ConditionExpression"]
        if names is not None:
            plain["ExpressionAttributeNames"] = names
        if values is not None:
            plain["ExpressionAttributeValues"] = values
        out[what] = plain
    return out


def _ddb_transact_write(codec: Codec) -> Callable[..., dict[str, Any]]:
    def run(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
        actions = [_transact_action(codec, a) for a in p["TransactItems"]]
        if any(len(a) != 1 for a in actions):
            raise aws_error(
                "ValidationException",
                "TransactItems can only contain one of Check, Put, Update or Delete",
                "TransactWriteItems",
            )
        ctx.transact_write_items(actions)
        return boto3_response(None, {})

    return run


def _ddb_transact_get(codec: Codec) -> Callable[..., dict[str, Any]]:
    def run(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
        gets = []
        for entry in p["TransactItems"]:
            get = entry["Get"]  # required: botocore's check has found it
            if get.get("ProjectionExpression") is not None:
                raise refuse(
                    "TransactGetItems", "reads whole items: ProjectionExpression is not taken"
                )
            gets.append(
                {
                    "Get": {
                        "TableName": get["TableName"],
                        "Key": codec.item_in(get["Key"], "Get.Key"),
                    }
                }
            )
        items = ctx.transact_get_items(gets)
        responses = [{} if i is None else {"Item": codec.item_out(i)} for i in items]
        return boto3_response(None, {"Responses": responses})

    return run


def _ddb_batch_get(codec: Codec) -> Callable[..., dict[str, Any]]:
    def run(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
        request: dict[str, list[Any]] = {}
        for table, spec in p["RequestItems"].items():
            report: list[str] = []
            members = P("structure", members=_KEYS_AND_ATTRIBUTES)
            validate_value(spec, members, f"RequestItems.{table}", report)
            if report:
                raise ParamValidationError(report="\n".join(report))
            for name in ("ProjectionExpression", "AttributesToGet"):
                if spec.get(name) is not None:
                    raise refuse("BatchGetItem", f"reads whole items: {name} is not taken")
            request[table] = [
                codec.item_in(key, f"RequestItems.{table}.Keys[{i}]")
                if isinstance(key, dict)
                else key
                for i, key in enumerate(spec["Keys"])
            ]
        out = ctx.batch_get_item(request)
        responses = {t: [codec.item_out(i) for i in items] for t, items in out["Responses"].items()}
        return boto3_response(None, {"Responses": responses, "UnprocessedKeys": {}})

    return run


# botocore's TransactWriteItem: one of the four actions, each with its required members.
_ACTION_COMMON = {
    "ConditionExpression": P("any"),
    "ExpressionAttributeNames": P("map"),
    "ExpressionAttributeValues": P("map"),
    "ReturnValuesOnConditionCheckFailure": P("string"),
}
_TRANSACT_WRITE_ITEM = {
    "ConditionCheck": P(
        "structure",
        members={
            "Key": P("map", True),
            "TableName": P("string", True),
            **_ACTION_COMMON,
            "ConditionExpression": P("any", True),
        },
    ),
    "Put": P(
        "structure",
        members={"Item": P("map", True), "TableName": P("string", True), **_ACTION_COMMON},
    ),
    "Delete": P(
        "structure",
        members={"Key": P("map", True), "TableName": P("string", True), **_ACTION_COMMON},
    ),
    "Update": P(
        "structure",
        members={
            "Key": P("map", True),
            "UpdateExpression": P("string", True),
            "TableName": P("string", True),
            **_ACTION_COMMON,
        },
    ),
}
_GET = {
    "Key": P("map", True),
    "TableName": P("string", True),
    "ProjectionExpression": P("string"),
    "ExpressionAttributeNames": P("map"),
}
_KEYS_AND_ATTRIBUTES = {
    "Keys": P("list", True, min_items=1),
    "AttributesToGet": P("list"),
    "ConsistentRead": P("boolean"),
    "ProjectionExpression": P("string"),
    "ExpressionAttributeNames": P("map"),
}


def multi_item_operations(codec: Codec) -> dict[str, Operation]:
    """TransactWriteItems, TransactGetItems and BatchGetItem, in the codec."""
    return {
        "transact_write_items": Operation(
            "TransactWriteItems",
            {
                "TransactItems": P("list", True, _TRANSACT_WRITE_ITEM, min_items=1),
                "ReturnConsumedCapacity": P("string"),
                "ReturnItemCollectionMetrics": P("string"),
                "ClientRequestToken": P("string"),
            },
            _ddb_transact_write(codec),
        ),
        "transact_get_items": Operation(
            "TransactGetItems",
            {
                "TransactItems": P("list", True, {"Get": P("structure", True, _GET)}, min_items=1),
                "ReturnConsumedCapacity": P("string"),
            },
            _ddb_transact_get(codec),
        ),
        "batch_get_item": Operation(
            "BatchGetItem",
            {"RequestItems": P("map", True), "ReturnConsumedCapacity": P("string")},
            _ddb_batch_get(codec),
        ),
    }


_LOW = Codec(ddb_item_in, ddb_item_out)
_EXPRESSION_NAMES = {"ExpressionAttributeNames": P("map"), "ExpressionAttributeValues": P("map")}
_CONDITIONAL = {
    "ConditionExpression": P("any"),
    **_EXPRESSION_NAMES,
    "ReturnValues": P("string"),
    "ReturnConsumedCapacity": P("string"),
    "ReturnItemCollectionMetrics": P("string"),
    "ReturnValuesOnConditionCheckFailure": P("string"),
}
_READ = {
    "IndexName": P("string"),
    "Limit": P("integer"),
    "ConsistentRead": P("boolean"),
    "ExclusiveStartKey": P("map"),
    "FilterExpression": P("any"),
    "ProjectionExpression": P("string"),
    "Select": P("string"),
    **_EXPRESSION_NAMES,
    "ReturnConsumedCapacity": P("string"),
}


def dynamodb_operations(codec: Codec, table: bool) -> dict[str, Operation]:
    """DynamoDB's operations: the low-level client's (TableName required) or a resource
    Table's (its own name)."""
    name = {} if table else {"TableName": P("string", True)}
    return {
        "put_item": Operation(
            "PutItem", {**name, "Item": P("map", True), **_CONDITIONAL}, _ddb_put_item(codec)
        ),
        "get_item": Operation(
            "GetItem",
            {
                **name,
                "Key": P("map", True),
                "ConsistentRead": P("boolean"),
                "ProjectionExpression": P("string"),
                "ExpressionAttributeNames": P("map"),
                "ReturnConsumedCapacity": P("string"),
            },
            _ddb_get_item(codec),
        ),
        "update_item": Operation(
            "UpdateItem",
            {**name, "Key": P("map", True), "UpdateExpression": P("string"), **_CONDITIONAL},
            _ddb_update_item(codec),
        ),
        "delete_item": Operation(
            "DeleteItem", {**name, "Key": P("map", True), **_CONDITIONAL}, _ddb_delete_item(codec)
        ),
        "query": Operation(
            "Query",
            {
                **name,
                "KeyConditionExpression": P("any"),
                "ScanIndexForward": P("boolean"),
                **_READ,
            },
            _ddb_read(codec, "Query"),
        ),
        "scan": Operation(
            "Scan",
            {**name, "Segment": P("integer"), "TotalSegments": P("integer"), **_READ},
            _ddb_read(codec, "Scan"),
        ),
    }


OPERATIONS = {
    **dynamodb_operations(_LOW, table=False),
    "batch_write_item": batch_write_operation(_LOW),
    **multi_item_operations(_LOW),
}

# botocore's paginators-1.json: Query and Scan page by ExclusiveStartKey, Limit a page.
PAGINATORS = {
    name: Paging(
        "ExclusiveStartKey", "LastEvaluatedKey", "Limit", ("Items", "Count", "ScannedCount")
    )
    for name in ("query", "scan")
}
