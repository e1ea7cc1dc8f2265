"""Handlers that write to Kinesis streams and DynamoDB tables: the `putRecord`, `putItem`
and `deleteItem` emissions (and the Python handler's context.put_record / put_item /
delete_item), on docs/examples/click-chain.yml."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from stptui.commands import Session, execute
from stptui.commands.session import SessionError
from stptui.sim import trace as tk
from stptui.sim.explain import explain
from stptui.sim.trace import Record
from tests.simkit import click_chain_session

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
STACK = EXAMPLES / "click-chain.yml"
START = 1_767_600_000_000  # 2026-01-05T08:00:00Z


def session(tmp_path: Path, behaviors: str, *, allow_code: bool = False) -> Session:
    return click_chain_session(tmp_path, behaviors, allow_code=allow_code)


def of(s: Session, kind: str) -> list[Record]:
    return [r for r in s.sim.trace.records if r.kind == kind]


def click(s: Session, user: str, body: str) -> None:
    execute(s, f"http POST /users/{user}/clicks '{body}'")


def test_put_record_builds_data_and_partition_key_and_names_the_invocation(
    tmp_path: Path,
) -> None:
    s = session(
        tmp_path,
        """
        behaviors:
          clickApi:
            emit:
              - putRecord: {stream: clicks, data: "body", partitionKey: "pathParameters.user"}
              - putRecord: {stream: clicks, data: "{n: `1`}", when: "pathParameters.user == 'u-2'"}
        """,
    )
    click(s, "u-1", '{"page": "/home"}')
    click(s, "u-2", '{"page": "/cart"}')
    puts = of(s, tk.STREAM_RECORD_PUT)
    assert [r.data["partition_key"] for r in puts] == ["u-1", "u-2", "stptui"]
    started = {r.data["invocation_id"] for r in of(s, tk.INVOCATION_STARTED)}
    for put in puts:
        fn, inv = put.data["source"].split(":")
        assert fn == "clickApi" and inv in started
    execute(s, "advance 5s")
    # The consumer reads what was written: the body as text, and the object as JSON.
    counter = [r for r in of(s, tk.INVOCATION_STARTED) if r.resource == "clickCounter"]
    assert sum(len(r.data["sequence_numbers"]) for r in counter) == 3
    assert puts[0].data["size"] == len('{"page": "/home"}')
    assert puts[2].data["size"] == len('{"n":1}')


def test_put_item_marshals_plain_json_and_the_tables_stream_triggers_its_reader(
    tmp_path: Path,
) -> None:
    s = session(
        tmp_path,
        """
        behaviors:
          clickApi:
            emit:
              - putItem:
                  table: pageViews
                  item: "{page: pathParameters.user, n: `2.50`, ok: `true`, none: `null`,
                          tags: ['a'], meta: {x: `1`}}"
        """,
    )
    click(s, "u-1", "{}")
    assert execute(s, "show table pageViews").data["first_items"] == [
        {
            "page": {"S": "u-1"},
            "n": {"N": "2.5"},
            "ok": {"BOOL": True},
            "none": {"NULL": True},
            "tags": {"L": [{"S": "a"}]},
            "meta": {"M": {"x": {"N": "1"}}},
        }
    ]
    (put,) = of(s, tk.ITEM_PUT)
    assert put.data["event_name"] == "INSERT"
    assert put.data["source"].startswith("clickApi:")
    execute(s, "advance 2s")
    assert [r.resource for r in of(s, tk.INVOCATION_SUCCEEDED)] == ["clickApi", "viewAudit"]


def test_delete_item_removes_by_a_plain_key_and_writes_a_remove_record(tmp_path: Path) -> None:
    s = session(
        tmp_path,
        """
        behaviors:
          clickApi:
            emit:
              - deleteItem: {table: pageViews, key: "{page: pathParameters.user}"}
        """,
    )
    execute(s, """put-item pageViews '{"page": {"S": "u-1"}, "n": {"N": "1"}}'""")
    click(s, "u-1", "{}")
    (deleted,) = of(s, tk.ITEM_DELETED)
    assert deleted.data["key"] == '{"page":{"S":"u-1"}}'
    assert deleted.data["source"].startswith("clickApi:")
    assert execute(s, "show table pageViews").data["items"] == 0


@pytest.mark.parametrize(
    ("item", "error"),
    [
        (
            "{other: 'x'}",
            "ValidationException: One or more parameter values were invalid: Missing the key "
            "page in the item",
        ),
        (
            "{page: `5`}",
            "ValidationException: One or more parameter values were invalid: Type mismatch for "
            "key page expected: S actual: N",
        ),
        (
            "{page: ''}",
            "ValidationException: One or more parameter values are not valid. The "
            "AttributeValue for a key attribute cannot contain an empty string value. Key: page",
        ),
    ],
)
def test_a_refused_put_item_is_an_emission_failed_with_dynamodbs_text_and_changes_nothing(
    tmp_path: Path, item: str, error: str
) -> None:
    s = session(
        tmp_path,
        f"""
        behaviors:
          clickApi:
            emit:
              - putItem: {{table: pageViews, item: "{item}"}}
              - putRecord: {{stream: clicks, data: "body"}}
        """,
    )
    click(s, "u-1", "{}")
    (failed,) = of(s, tk.EMISSION_FAILED)
    assert failed.data["emission"] == "putItem"
    assert failed.data["target"] == "pageViews"
    # AWS's text, then where the behaviours file declares the emission.
    assert failed.data["error"].startswith(f"{error} (")
    assert failed.data["error"].endswith("stptui.yml:5:9: clickApi.emit[0].putItem)")
    assert not of(s, tk.ITEM_PUT)
    assert execute(s, "show table pageViews").data["items"] == 0
    # The refusal does not stop the handler's other writes, nor fail the invocation.
    assert len(of(s, tk.STREAM_RECORD_PUT)) == 1
    assert len(of(s, tk.INVOCATION_SUCCEEDED)) == 1


def test_a_refused_put_record_is_an_emission_failed_with_kinesiss_text(tmp_path: Path) -> None:
    s = session(
        tmp_path,
        """
        behaviors:
          clickApi:
            emit:
              - putRecord: {stream: clicks, data: "body", partitionKey: "''"}
        """,
    )
    click(s, "u-1", "{}")
    (failed,) = of(s, tk.EMISSION_FAILED)
    assert failed.data["emission"] == "putRecord"
    assert failed.data["error"].startswith(
        "ValidationException: 1 validation error detected: Value at 'partitionKey' failed to "
        "satisfy constraint: Member must have length greater than or equal to 1 ("
    )
    assert failed.data["error"].endswith("stptui.yml:5:9: clickApi.emit[0].putRecord)")
    assert not of(s, tk.STREAM_RECORD_PUT)


@pytest.mark.parametrize(
    ("emit", "line_col", "message", "hint"),
    [
        (
            "- putRecord: {stream: click, data: body}",
            (4, 29),
            "no kinesis-stream named 'click' in the stack; did you mean 'clicks'?",
            "kinesis-streams: clicks",
        ),
        (
            "- putItem: {table: clicks, item: '@'}",
            (4, 26),
            "'clicks' is a kinesis-stream; putItem needs a dynamo-db-table",
            None,
        ),
        ("- putRecord: {stream: clicks}", (4, 20), "putRecord needs `data`", None),
        ("- deleteItem: {table: pageViews}", (4, 21), "deleteItem needs `key`", None),
        (
            "- putItem: {table: pageViews, item: [1]}",
            (4, 43),
            "DynamoDB needs a JSON object, not an array of 1 value",
            "DocumentClient",
        ),
        (
            "- putRecord: {stream: clicks, data: body, partitionkey: x}",
            (4, 49),
            "did you mean 'partitionKey'",
            None,
        ),
        ("- putRecords: {stream: clicks}", (4, 9), "did you mean 'putRecord'?", "putItem"),
    ],
)
def test_the_behaviours_file_refuses_bad_stream_and_table_emissions_with_positions(
    tmp_path: Path, emit: str, line_col: tuple[int, int], message: str, hint: str | None
) -> None:
    with pytest.raises(SessionError) as caught:
        session(tmp_path, f"behaviors:\n  clickApi:\n    emit:\n      {emit}\n")
    diags = [d for d in caught.value.diagnostics if d.severity == "error"]
    assert len(diags) == 1, diags
    (diag,) = diags
    assert (diag.line, diag.column) == line_col
    assert message in diag.message
    if hint is not None:
        assert hint in (diag.hint or "")


def test_explain_of_the_http_request_follows_the_stream_and_the_table_to_the_last_reader() -> None:
    s = Session.open(STACK, behaviors_path=EXAMPLES / "click-chain-behaviors.yml", start_ms=START)
    out = execute(s, """http POST /users/u-1/clicks '{"page": "/home"}'""")
    execute(s, "advance 5s")
    request_id = out.data["request_id"]
    chain = [(r.kind, r.resource) for r in explain(s.sim.trace, request_id).records]
    assert (tk.STREAM_RECORD_PUT, "clicks") in chain
    assert (tk.INVOCATION_STARTED, "clickCounter") in chain
    assert (tk.ITEM_PUT, "pageViews") in chain
    assert chain[-1] == (tk.INVOCATION_SUCCEEDED, "viewAudit")
    item = json.loads(execute(s, "show table pageViews").text.splitlines()[1])
    assert item == {"page": {"S": "/home"}, "lastUser": {"S": "u-1"}}


def test_the_same_requests_give_the_same_trace() -> None:
    def run() -> list[str]:
        s = Session.open(
            STACK, behaviors_path=EXAMPLES / "click-chain-behaviors.yml", start_ms=START
        )
        for i in range(6):
            click(s, f"u-{i % 3}", f'{{"page": "/p{i % 4}"}}')
        execute(s, "advance 10s")
        return [r.to_line() for r in s.sim.trace.records]

    assert run() == run()


def test_a_python_handler_writes_with_put_record_put_item_and_delete_item(
    tmp_path: Path,
) -> None:
    (tmp_path / "chain_handlers.py").write_text(
        textwrap.dedent(
            """
            import json

            def api(event, context):
                body = json.loads(event["body"])
                context.put_record("clicks", body, partition_key=body["user"])
                context.put_item("pageViews", {"page": body["page"], "n": 1})
                context.delete_item("pageViews", {"page": "/old"})
                return {"statusCode": 202}

            def wrong(event, context):
                context.put_item("clicks", {"page": "x"})
            """
        ),
        encoding="utf-8",
    )
    s = session(
        tmp_path,
        """
        behaviors:
          clickApi: {handler: chain_handlers:api}
          viewAudit: {handler: chain_handlers:wrong}
        """,
        allow_code=True,
    )
    execute(s, """put-item pageViews '{"page": {"S": "/old"}}'""")
    click(s, "u-7", '{"user": "u-7", "page": "/home"}')
    (put,) = of(s, tk.STREAM_RECORD_PUT)
    assert put.data["partition_key"] == "u-7"
    assert put.data["size"] == len('{"user":"u-7","page":"/home"}')
    assert [r.data["key"] for r in of(s, tk.ITEM_PUT)][-1] == '{"page":{"S":"/home"}}'
    assert of(s, tk.ITEM_DELETED)[0].data["source"] == put.data["source"]
    execute(s, "advance 2s")
    # A target of the wrong type raises BehaviorError inside the handler.
    failed = [r for r in of(s, tk.INVOCATION_FAILED) if r.resource == "viewAudit"]
    assert failed and "no dynamo-db-table named 'clicks'" in failed[0].data["error_message"]


def test_table_writes_follow_their_when_and_take_a_constant_item(tmp_path: Path) -> None:
    s = session(
        tmp_path,
        """
        behaviors:
          clickApi:
            emit:
              - putItem: {table: pageViews, item: {page: home, hits: 1}, when: "body == 'put'"}
              - deleteItem: {table: pageViews, key: {page: home}, when: "body == 'delete'"}
        """,
    )
    click(s, "u-1", "other")
    assert not of(s, tk.ITEM_PUT) and not of(s, tk.ITEM_DELETED)
    click(s, "u-1", "put")
    assert execute(s, "show table pageViews").data["first_items"] == [
        {"page": {"S": "home"}, "hits": {"N": "1"}}
    ]
    click(s, "u-1", "delete")
    assert len(of(s, tk.ITEM_DELETED)) == 1
    assert execute(s, "show table pageViews").data["items"] == 0
