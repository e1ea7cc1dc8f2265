"""`update-item`, and `--condition` on `put-item` and `delete-item`: DynamoDB's UpdateItem and
conditional writes on a simulated table, their stream records and images, and the
`updateItem` emission (and the Python handler's context.update_item)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from stptui.commands import Session, execute
from stptui.commands.registry import CommandError
from stptui.commands.session import SessionError
from stptui.sim import trace as tk
from stptui.sim.trace import Record
from tests.simkit import click_chain_session

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
START = 1_767_600_000_000  # 2026-01-05T08:00:00Z
KEY = """'{"id": {"S": "c-1"}}'"""


def table_stack(tmp_path: Path, view: str) -> Session:
    """A table `carts` (key `id`) with the stream `view` (none when empty)."""
    stream = f"\n      streamType: {view}" if view else ""
    path = tmp_path / "stacktape.yml"
    path.write_text(
        "serviceName: upd\nresources:\n  carts:\n    type: dynamo-db-table\n    properties:\n"
        "      primaryKey:\n        partitionKey: {name: id, type: string}" + stream + "\n",
        encoding="utf-8",
    )
    return Session.open(path, start_ms=START)


def of(s: Session, kind: str) -> list[Record]:
    return [r for r in s.sim.trace.records if r.kind == kind]


def stream_events(s: Session) -> list[dict[str, Any]]:
    stream = s.sim.services["tables"]["carts"].stream
    return [r.event for r in stream.shards[0].records]


def refused(s: Session, line: str) -> str:
    with pytest.raises(CommandError) as err:
        execute(s, line)
    return err.value.format()


def test_update_item_creates_then_modifies_and_an_update_that_changes_nothing_writes_nothing(
    tmp_path: Path,
) -> None:
    s = table_stack(tmp_path, "NEW_AND_OLD_IMAGES")
    first = execute(
        s, f"""update-item carts {KEY} --update "SET qty = :q" --values '{{":q": {{"N": "1"}}}}'"""
    )
    assert first.data["event_name"] == "INSERT"
    assert first.data["item"] == {"id": {"S": "c-1"}, "qty": {"N": "1"}}
    line = (
        f"""update-item carts {KEY} --update "SET qty = qty + :n, #s = :s" """
        """--names '{"#s": "status"}' --values '{":n": {"N": "2"}, ":s": {"S": "open"}}'"""
    )
    assert execute(s, line).data["event_name"] == "MODIFY"
    same = f"""update-item carts {KEY} --update "SET qty = :q" --values '{{":q": {{"N": "3"}}}}'"""
    result = execute(s, same)
    assert result.data["event_name"] is None and "unchanged: no stream record" in result.text
    events = stream_events(s)
    assert [e["eventName"] for e in events] == ["INSERT", "MODIFY"]
    modify = events[1]["dynamodb"]
    assert modify["Keys"] == {"id": {"S": "c-1"}}
    assert modify["OldImage"] == {"id": {"S": "c-1"}, "qty": {"N": "1"}}
    assert modify["NewImage"] == {"id": {"S": "c-1"}, "qty": {"N": "3"}, "status": {"S": "open"}}
    updated = of(s, tk.ITEM_UPDATED)
    assert [r.data["event_name"] for r in updated] == ["INSERT", "MODIFY", None]
    assert updated[1].data["sequence_number"] == modify["SequenceNumber"]
    assert "sequence_number" not in updated[2].data


@pytest.mark.parametrize(
    ("view", "images"),
    [
        ("KEYS_ONLY", []),
        ("NEW_IMAGE", ["NewImage"]),
        ("OLD_IMAGE", ["OldImage"]),
        ("NEW_AND_OLD_IMAGES", ["NewImage", "OldImage"]),
    ],
)
def test_an_updates_stream_record_carries_the_images_its_stream_type_asks_for(
    tmp_path: Path, view: str, images: list[str]
) -> None:
    s = table_stack(tmp_path, view)
    execute(s, """put-item carts '{"id": {"S": "c-1"}, "n": {"N": "1"}}'""")
    execute(s, f"""update-item carts {KEY} --update "ADD n :n" --values '{{":n": {{"N": "1"}}}}'""")
    data = stream_events(s)[1]["dynamodb"]
    assert [k for k in data if k.endswith("Image")] == images
    if "NewImage" in images:
        assert data["NewImage"]["n"] == {"N": "2"}


def test_a_failed_condition_changes_nothing_on_update_put_and_delete(tmp_path: Path) -> None:
    s = table_stack(tmp_path, "NEW_IMAGE")
    execute(s, """put-item carts '{"id": {"S": "c-1"}, "qty": {"N": "5"}}'""")
    before = (len(s.sim.trace.records), stream_events(s)[:])
    for line in (
        f"""update-item carts {KEY} --update "REMOVE qty" --condition "qty > :m" """
        """--values '{":m": {"N": "5"}}'""",
        """put-item carts '{"id": {"S": "c-1"}}' --condition "attribute_not_exists(id)" """,
        f"""delete-item carts {KEY} --condition "qty < :m" --values '{{":m": {{"N": "5"}}}}'""",
    ):
        text = refused(s, line)
        assert text.startswith("ConditionalCheckFailedException: The conditional request failed")
    assert (len(s.sim.trace.records), stream_events(s)) == before
    assert execute(s, "show table carts").data["first_items"] == [
        {"id": {"S": "c-1"}, "qty": {"N": "5"}}
    ]
    # The same conditions, holding, let the writes through.
    execute(
        s, f"""delete-item carts {KEY} --condition "qty = :m" --values '{{":m": {{"N": "5"}}}}'"""
    )
    execute(s, """put-item carts '{"id": {"S": "c-1"}}' --condition "attribute_not_exists(id)" """)
    assert [e["eventName"] for e in stream_events(s)] == ["INSERT", "REMOVE", "INSERT"]


def test_update_item_refusals_say_what_dynamodb_says_with_a_hint(tmp_path: Path) -> None:
    s = table_stack(tmp_path, "")
    text = refused(
        s,
        f"""update-item carts {KEY} --update "SET status = :s" --values '{{":s": {{"S": "x"}}}}'""",
    )
    assert "reserved keyword: status" in text and '--names \'{"#status": "status"}\'' in text
    text = refused(
        s, f"""update-item carts {KEY} --update "SET id = :s" --values '{{":s": {{"S": "x"}}}}'"""
    )
    assert "Cannot update attribute id. This attribute is part of the key" in text
    assert "update-item needs --update EXPR" in refused(s, f"update-item carts {KEY}")
    assert "--values is not JSON" in refused(
        s, f"""update-item carts {KEY} --update "REMOVE a" --values '{{'"""
    )
    text = refused(
        s,
        """update-item carts '{"id": {"S": "c-1"}, "x": {"N": "1"}}' --update "REMOVE a" """,
    )
    assert "The provided key element does not match the schema" in text
    text = refused(s, """put-item carts '{"id": {"S": "c-1"}}' --values '{":v": {"N": "1"}}'""")
    assert "ExpressionAttributeValues can only be specified when using expressions" in text
    assert not s.sim.services["tables"]["carts"].items and not of(s, tk.ITEM_UPDATED)


def test_an_update_past_400_kb_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    s = table_stack(tmp_path, "NEW_IMAGE")
    big = "x" * 300_000
    execute(s, f"""put-item carts '{{"id": {{"S": "c-1"}}, "a": {{"S": "{big}"}}}}'""")
    line = f"""update-item carts {KEY} --update "SET b = a" """
    assert "Item size to update has exceeded the maximum allowed size" in refused(s, line)
    assert len(stream_events(s)) == 1


def test_a_string_shown_from_an_update_is_never_markup(tmp_path: Path) -> None:
    s = table_stack(tmp_path, "")
    result = execute(
        s,
        f"""update-item carts {KEY} --update "SET t = :t" --values '{{":t": {{"S": "[red]x\\u001b"}}}}'""",
    )
    assert "[red]x" in result.text and "\x1b" not in result.text


# -- the updateItem emission --------------------------------------------------------------


def chain(tmp_path: Path, behaviors: str, *, allow_code: bool = False) -> Session:
    return click_chain_session(tmp_path, behaviors, allow_code=allow_code)


def click(s: Session, user: str, body: str) -> None:
    execute(s, f"http POST /users/{user}/clicks '{body}'")


def test_an_update_item_emission_counts_views_with_values_marshalled_from_plain_json(
    tmp_path: Path,
) -> None:
    s = chain(
        tmp_path,
        """
        behaviors:
          clickApi:
            emit:
              - updateItem:
                  table: pageViews
                  key: "{page: 'home'}"
                  update: "'SET lastUser = :u ADD #n :one'"
                  names: {"#n": "views"}
                  values: '{":u": pathParameters.user, ":one": `1`}'
        """,
    )
    click(s, "u-1", "{}")
    click(s, "u-2", "{}")
    updates = of(s, tk.ITEM_UPDATED)
    assert [r.data["event_name"] for r in updates] == ["INSERT", "MODIFY"]
    fn, _ = updates[0].data["source"].split(":")
    assert fn == "clickApi"
    item = s.sim.services["tables"]["pageViews"].items[("home",)]
    assert item == {"page": {"S": "home"}, "lastUser": {"S": "u-2"}, "views": {"N": "2"}}


def test_a_failed_update_item_condition_is_an_emission_failed_and_changes_nothing(
    tmp_path: Path,
) -> None:
    s = chain(
        tmp_path,
        """
        behaviors:
          clickApi:
            emit:
              - updateItem:
                  table: pageViews
                  key: "{page: pathParameters.user}"
                  update: "'SET n = :one'"
                  condition: "'attribute_exists(page)'"
                  values: {":one": 1}
        """,
    )
    click(s, "u-1", '{"page": "/home"}')
    (failed,) = of(s, tk.EMISSION_FAILED)
    assert failed.data["emission"] == "updateItem"
    assert failed.data["error"].startswith("ConditionalCheckFailedException")
    assert not of(s, tk.ITEM_UPDATED) and len(of(s, tk.INVOCATION_SUCCEEDED)) == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ('{table: pageViews, key: "{page: body.page}"}', "updateItem needs `update`"),
        (
            '{table: pageViews, key: "{page: body.page}", update: "\'REMOVE a\'", value: {}}',
            "value",
        ),
        ('{table: clicks, key: "{page: body.page}", update: "\'REMOVE a\'"}', "is a kinesis"),
        ('{table: pageViews, key: "{page: body.page}", update: 3}', "expression is text"),
        (
            '{table: pageViews, key: "{page: body.page}", update: "\'SET status = :s\'"}',
            "status is a DynamoDB reserved word",
        ),
        (
            '{table: pageViews, key: "{page: body.page}", update: "\'SET a = \'"}',
            'Syntax error; token: "<EOF>"',
        ),
        (
            '{table: pageViews, key: "{page: body.page}", update: "\'REMOVE a\'", '
            "condition: \"'a = '\"}",
            "Invalid ConditionExpression",
        ),
        (
            '{table: pageViews, key: "{page: body.page}", update: "\'REMOVE a\'", names: [1]}',
            "names",
        ),
    ],
)
def test_an_update_item_emission_is_checked_when_the_file_loads(
    tmp_path: Path, fields: str, message: str
) -> None:
    with pytest.raises(SessionError) as caught:
        chain(tmp_path, f"behaviors:\n  clickApi:\n    emit:\n      - updateItem: {fields}\n")
    (diag,) = [d for d in caught.value.diagnostics if d.severity == "error"]
    assert message in diag.message
    assert diag.line == 4 and diag.column > 9


def test_a_python_handler_updates_with_context_update_item(tmp_path: Path) -> None:
    (tmp_path / "upd_handlers.py").write_text(
        textwrap.dedent(
            """
            import json

            def api(event, context):
                body = json.loads(event["body"])
                context.update_item(
                    "pageViews",
                    {"page": body["page"]},
                    "SET #t = list_append(if_not_exists(#t, :none), :tag)",
                    names={"#t": "tags"},
                    values={":none": [], ":tag": [body["tag"]]},
                )
                return {"statusCode": 202}
            """
        ),
        encoding="utf-8",
    )
    s = chain(tmp_path, "behaviors:\n  clickApi: {handler: upd_handlers:api}\n", allow_code=True)
    click(s, "u-1", '{"page": "/a", "tag": "x"}')
    click(s, "u-1", '{"page": "/a", "tag": "y"}')
    item = s.sim.services["tables"]["pageViews"].items[("/a",)]
    assert item["tags"] == {"L": [{"S": "x"}, {"S": "y"}]}
    execute(s, "advance 2s")
    audit = [r for r in of(s, tk.INVOCATION_STARTED) if r.resource == "viewAudit"]
    assert audit, "the stream's reader ran on the updates"
    assert json.loads(of(s, tk.ITEM_UPDATED)[0].data["key"]) == {"page": {"S": "/a"}}
