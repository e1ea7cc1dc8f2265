"""Emission fields written the way users get them wrong: a JMESPath literal of the wrong type
is refused when the file loads (as a YAML constant is), and a bare word meant as text, which
JMESPath reads as a field the event lacks, fails with the raw literal that fixes it."""

from __future__ import annotations

import random
import textwrap
from pathlib import Path

import pytest
import yaml

from stptui.commands import Session, execute
from stptui.config import load_stack_text
from stptui.sim.behavior import Behaviors, InvocationInput
from stptui.sim.behavior.expressions import quoted_text
from tests.test_behaviors_hostile import EMIT, T0, invoke, load, ok, sqs

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("item", "value", "message"),
    [
        (
            "send: {queue: jobs, body: b, delay: \"'5'\"}",
            "\"'5'\"",
            'plain.emit[0].send.delay: must be whole seconds, not a string ("5")',
        ),
        (
            "send: {queue: jobs, body: b, delay: '`901`'}",
            "'`901`'",
            "plain.emit[0].send.delay: must be 0..900 seconds, not a number (901)",
        ),
        ("put: {bucket: uploads, key: \"''\", content: b}", "\"''\"", "plain.emit[0].put.key"),
        (
            "publish: {bus: bus, source: \"'s'\", detailType: \"'d'\", detail: '`[1]`'}",
            "'`[1]`'",
            "plain.emit[0].publish.detail: EventBridge needs a JSON object, not an array of 1 value",
        ),
        (
            # An array is a String.Array; an array of arrays is nothing SNS takes.
            "notify: {topic: topic, message: m, attributes: '`{\"a\": [[1]]}`'}",
            "'`{",
            "plain.emit[0].notify.attributes.a",
        ),
    ],
)
def test_a_literal_of_the_wrong_type_is_refused_when_the_file_loads(
    item: str, value: str, message: str
) -> None:
    """Before, these loaded cleanly and failed every invocation with BehaviorError."""
    _, diags = load(EMIT + item + "\n")
    (d,) = diags
    column = len("      - ") + item.index(value) + 1
    assert (d.code, d.line, d.column, d.severity) == ("behavior-bad-value", 4, column, "error")
    assert d.message.startswith(message)


SENDER = load_stack_text(
    """
serviceName: literals
resources:
  jobs: {type: sqs-queue}
  sender:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/s.ts}}
      connectTo: [jobs]
"""
)


def test_a_literal_of_the_right_type_still_loads_and_is_emitted() -> None:
    text = "behaviors:\n  sender:\n    emit:\n      - send: {queue: jobs, body: \"'hi'\", delay: '`5`'}\n"
    behaviors, diags = Behaviors.from_text(textwrap.dedent(text), "stptui.yml", SENDER)
    assert diags == []
    inp = InvocationInput("sender", 1, 1, "invoke", T0, 20_000, lambda: {}, None, "r1")
    out = behaviors.decide(inp, random.Random(0), [])
    assert out.status == "success"
    assert [(e.kind, e.fields["body"], e.fields["delay"]) for e in out.emissions] == [
        ("send", "hi", 5)
    ]


def test_a_bare_word_that_finds_nothing_says_it_read_the_event_and_gives_the_literal() -> None:
    behaviors = ok(EMIT + "publish: {bus: bus, source: orders, detailType: \"'d'\", detail: {}}\n")
    out = invoke(behaviors, {"body": "{}"})
    assert (out.status, out.error_type) == ("error", "BehaviorError")
    assert out.error_message == (
        "stptui.yml:4:37: plain.emit[0].publish.source: must be a non-empty string, but "
        "`orders` found null; fix: `source: orders` reads the input's field 'orders', which "
        "this input does not have; a constant string is a raw literal: source: \"'orders'\""
    )


def test_a_field_the_event_has_but_holds_null_is_not_called_missing() -> None:
    behaviors = ok(EMIT + "put: {bucket: uploads, key: name, content: b}\n")
    out = invoke(behaviors, {"name": None})
    assert out.error_message == (
        "stptui.yml:4:37: plain.emit[0].put.key: must be a non-empty string, but `name` found "
        "null; fix: check the path against the input (docs/behaviors.md, JMESPath input), or "
        'add when: "name" to the item to skip inputs without it'
    )


def test_the_when_a_null_fix_offers_is_yaml_that_reads_back_as_the_expression() -> None:
    # The fix wrote the expression between double quotes as it was: a quoted name in it
    # (`"order id"`) ended the YAML string early, and the line pasted in was not YAML.
    behaviors = ok(EMIT + "put: {bucket: uploads, key: '\"order id\"', content: b}\n")
    out = invoke(behaviors, {"order id": None})
    offered = out.error_message.partition("or add ")[2].removesuffix(
        " to the item to skip inputs without it"
    )
    assert offered == 'when: "\\"order id\\""'
    assert yaml.safe_load(offered) == {"when": '"order id"'}


@pytest.mark.parametrize(
    ("expression", "found"),
    [
        ('body.type == "invoice"', ("invoice", "==")),
        ('body.type != "invoice paid" && body.n > `1`', ("invoice paid", "!=")),
        ("body.type == 'invoice'", None),  # the raw literal: text
        ("\"detail-type\" == 'OrderCreated'", None),  # a quoted field on the left is a field
        ('body.a == "b".c', None),  # the start of a path: a field, on purpose
        ('body.a == @."b"', None),  # the escape the hint offers
        ('headers."stripe-signature"', None),
    ],
)
def test_quoted_text_finds_a_double_quoted_word_compared_with(
    expression: str, found: tuple[str, str] | None
) -> None:
    assert quoted_text(expression) == found


def test_a_condition_comparing_with_double_quoted_text_is_a_warning_at_its_place() -> None:
    """`"invoice"` is the field `invoice` in JMESPath: the condition never holds. Before, the
    file loaded without a word and the rule silently never fired."""
    behaviors, diags = load(
        "behaviors:\n  worker:\n    fail:\n      when: 'body.type == \"invoice\"'\n"
    )
    (d,) = diags
    assert (d.code, d.severity, d.line, d.column) == ("behavior-quoted-text", "warning", 4, 13)
    assert d.message == (
        "== \"invoice\" compares with the field 'invoice' of the input, not with the text: in "
        "JMESPath double quotes name a field"
    )
    assert (
        d.hint
        == "for the text, write the raw literal 'invoice'; for the field, write @.\"invoice\""
    )
    # As written it holds for a record whose `invoice` equals its type, not for the text.
    assert sqs(behaviors, [{"type": "invoice"}]).status == "success"


def test_fail_when_with_double_quoted_text_applies_and_says_what_it_compares() -> None:
    session = Session.open(ROOT / "stptui" / "sample_stacks" / "job-queue", start_ms=T0)
    result = execute(session, """fail worker when 'body.kind == "poison"'""")
    assert result.text.splitlines() == [
        "worker overrides: fail when 'body.kind == \"poison\"'",
        "note: == \"poison\" compares with the field 'poison' of the input, not with the text: "
        "in JMESPath double quotes name a field; for the text, write the raw literal 'poison'; "
        'for the field, write @."poison"',
    ]
    plain = execute(session, "fail worker when \"body.kind == 'poison'\"")
    assert "note:" not in plain.text


WRITER = load_stack_text(
    """
serviceName: updates
resources:
  pages:
    type: dynamo-db-table
    properties:
      primaryKey: {partitionKey: {name: page, type: string}}
  writer:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/w.ts}}
      connectTo: [pages]
"""
)
UPDATE = (
    "behaviors:\n  writer:\n    emit:\n      - updateItem: {table: pages, key: \"{page: 'p'}\", "
)


@pytest.mark.parametrize(
    ("rest", "message", "hint"),
    [
        (
            "update: \"'SET n = :n'\"}",
            "ValidationException: Invalid UpdateExpression: An expression attribute value used "
            "in expression is not defined; attribute value: :n",
            'add it to values, in plain JSON: values: {":n": 1}',
        ),
        (
            "update: \"'SET #v = :n'\", values: {':n': 1}}",
            "ValidationException: Invalid UpdateExpression: An expression attribute name used "
            "in the document path is not defined; attribute name: #v",
            'add it to names: names: {"#v": attributeName}',
        ),
        (
            "update: \"'SET n = :n'\", values: {':n': 1, ':m': 2}}",
            "ValidationException: Value provided in ExpressionAttributeValues unused in "
            "expressions: keys: {:m}",
            "remove it, or use it in an expression",
        ),
        (
            "update: \"'SET page = :n'\", values: {':n': 'q'}}",
            "ValidationException: One or more parameter values were invalid: Cannot update "
            "attribute page. This attribute is part of the key",
            "a key attribute cannot change: delete the item and put a new one",
        ),
    ],
)
def test_an_update_item_dynamodb_refuses_whatever_the_input_is_an_error_at_load(
    rest: str, message: str, hint: str
) -> None:
    """Before, each loaded cleanly and every invocation's write was an emission.failed."""
    _, diags = Behaviors.from_text(UPDATE + rest + "\n", "stptui.yml", WRITER)
    (d,) = diags
    assert (d.code, d.line, d.severity) == ("behavior-bad-value", 4, "error")
    assert (d.message, d.hint) == (message, hint)


def test_an_update_item_whose_values_come_from_the_input_is_left_to_run_time() -> None:
    text = UPDATE + "update: \"'SET n = :n'\", values: '{\":m\": body}'}\n"
    _, diags = Behaviors.from_text(text, "stptui.yml", WRITER)
    assert diags == []
