"""Whole-stack checks of what a rule or subscription is given (stptui.config.lint): ARNs
that are names, event patterns and filter policies, target inputs, FIFO queue targets.

Each check is tested at the exact position of the value to fix, against the stacks AWS and
Stacktape accept (no finding), and, where the graph or the simulator read the same value,
for agreement with them.
"""

from __future__ import annotations

from textwrap import dedent

import pytest
from lintkit import PKG, found, load, one, where
from workcount import CountWork

from stptui.config import load_stack_text
from stptui.config.lint import lint_stack
from stptui.config.model import Stack
from stptui.graph import build_graph, to_text
from tests.simkit import make_sim


def function_with(event: str, *, extra: str = "") -> str:
    """A stack: queue `q`, bus `bus`, topic `t`, bucket `b`, and function `fn` whose one
    event (flow-style properties on line 10) is `event`; `extra` adds resources at the end."""
    return f"""\
        resources:
          q: {{type: sqs-queue}}
          bus: {{type: event-bus}}
          t: {{type: sns-topic}}
          b: {{type: bucket}}
          fn:
            type: function
            properties:
              {{PKG}}
              events: [{event}]
        {extra}"""


# -- 1. a name written where an ARN belongs ----------------------------------------------------

# case -> (stack, line, column of the value, the fix the hint names)
NAME_AS_ARN = {
    "sqsQueueArn": (
        function_with("{type: sqs, properties: {sqsQueueArn: q}}"),
        10,
        54,
        "`sqsQueueName: q` or `sqsQueueArn: $ResourceParam('q', 'arn')`",
    ),
    "eventBusArn": (
        function_with("{type: event-bus, properties: {eventBusArn: bus, eventPattern: {a: [1]}}}"),
        10,
        60,
        "`eventBusName: bus` or `eventBusArn: $ResourceParam('bus', 'arn')`",
    ),
    "snsTopicArn": (
        function_with("{type: sns, properties: {snsTopicArn: t}}"),
        10,
        54,
        "`snsTopicName: t` or `snsTopicArn: $ResourceParam('t', 'arn')`",
    ),
    "bucketArn": (
        function_with("{type: s3, properties: {bucketArn: b, s3EventType: 's3:ObjectCreated:*'}}"),
        10,
        51,
        "$ResourceParam('b', 'arn')",
    ),
    "onDeliveryFailure.sqsQueueArn": (
        function_with(
            "{type: sns, properties: {snsTopicName: t, onDeliveryFailure: {sqsQueueArn: q}}}"
        ),
        10,
        91,
        "`sqsQueueName: q` or `sqsQueueArn: $ResourceParam('q', 'arn')`",
    ),
    "redrivePolicy.targetSqsQueueArn": (
        """\
        resources:
          dlq: {type: sqs-queue}
          q:
            type: sqs-queue
            properties:
              redrivePolicy: {targetSqsQueueArn: dlq, maxReceiveCount: 5}
        """,
        6,
        42,
        "`targetSqsQueueName: dlq` or `targetSqsQueueArn: $ResourceParam('dlq', 'arn')`",
    ),
    "destinations.onFailure": (
        """\
        resources:
          q: {type: sqs-queue}
          fn:
            type: function
            properties:
              {PKG}
              destinations: {onFailure: q}
        """,
        7,
        33,
        "$ResourceParam('q', 'arn')",
    ),
    "streamArn": (
        function_with(
            "{type: dynamo-db-stream, properties: {streamArn: table}}",
            extra="  table: {type: dynamo-db-table, properties: {primaryKey: "
            "{partitionKey: {name: id, type: string}}, streamType: NEW_IMAGE}}\n",
        ),
        10,
        65,
        "$ResourceParam('table', 'streamArn')",
    ),
}


@pytest.mark.parametrize("case", sorted(NAME_AS_ARN))
def test_a_resource_name_where_an_arn_belongs_is_an_error(case: str) -> None:
    text, line, column, fix = NAME_AS_ARN[case]
    d = one(text, "arn-expected")
    assert where(d) == ("error", "s.yml", line, column)
    assert f"`{case}` needs an ARN" in d.message
    assert d.hint is not None and fix in d.hint, d.hint


def test_the_alternate_spelling_of_an_arn_property_is_checked_too() -> None:
    text = """\
        resources:
          dlq: {type: sqs-queue}
          q:
            type: sqs-queue
            properties:
              redrivePolicy: {deadLetterTargetArn: dlq, maxReceiveCount: 5}
        """
    d = one(text, "arn-expected")
    assert where(d) == ("error", "s.yml", 6, 44)


def test_text_that_is_no_arn_and_no_resource_is_an_error_with_a_guess() -> None:
    d = one(function_with("{type: sqs, properties: {sqsQueueArn: qq}}"), "arn-expected")
    assert where(d) == ("error", "s.yml", 10, 54)
    assert "names no resource in this stack" in d.message
    assert d.hint == "did you mean `sqsQueueName: q`?"
    d = one(function_with("{type: sns, properties: {snsTopicArn: somewhere}}"), "arn-expected")
    assert d.hint is not None and "full ARN" in d.hint


def test_an_event_bus_arn_that_is_a_foreign_name_is_a_warning() -> None:
    # EventBridge's EventBusName takes a name or an ARN: `default` is AWS's default bus.
    text = function_with(
        "{type: event-bus, properties: {eventBusArn: default, eventPattern: {a: [1]}}}"
    )
    d = one(text, "arn-expected")
    assert where(d) == ("warning", "s.yml", 10, 60)
    assert d.hint is not None and "useDefaultBus: true" in d.hint


@pytest.mark.parametrize(
    "value",
    [
        "\"$ResourceParam('q', 'arn')\"",
        "arn:aws:sqs:us-east-1:123456789012:app-dev-q",
        "arn:aws:sqs:eu-west-1:999999999999:elsewhere",
        "\"$CfResourceParam('MyQueue', 'Arn')\"",
        "\"$Secret('queueArn')\"",
        "\"$Format('arn:aws:sqs:{}:{}:other', $Region(), $AwsAccountId())\"",
    ],
)
def test_arns_and_values_only_aws_knows_are_not_reported(value: str) -> None:
    text = function_with(f"{{type: sqs, properties: {{sqsQueueArn: {value}}}}}")
    assert not found(text, "arn-expected")


def test_a_directive_that_failed_is_reported_by_the_directives_alone() -> None:
    text = function_with("{type: sqs, properties: {sqsQueueArn: \"$Nope('q')\"}}")
    assert not found(text, "arn-expected")
    assert found(text, "directive-unknown")


@pytest.mark.parametrize("kind", ["kinesis-stream", "dynamo-db-stream"])
def test_a_stream_of_the_configs_cloudformation_resources_is_drawn_as_that_resource(
    kind: str,
) -> None:
    # Stacktape's own batch-job snippet reads a stream declared under
    # `cloudformationResources` through $CfResourceParam: the graph drew the placeholder
    # `<cf:stream.Arn>` as a missing node, beside the `cf:` node of its onFailure queue.
    text = (
        "resources:\n"
        "  fn:\n"
        "    type: function\n"
        "    properties:\n"
        f"      {PKG}\n"
        "      events:\n"
        f"        - type: {kind}\n"
        "          properties:\n"
        "            streamArn: $CfResourceParam('clicks', 'Arn')\n"
        "cloudformationResources:\n"
        "  clicks: {Type: AWS::Kinesis::Stream, Properties: {ShardCount: 1}}\n"
    )
    g = build_graph(load(text))
    ((source, _, data),) = g.in_edges("fn", data=True)
    assert (source, data["via"], g.nodes[source]["kind"]) == (
        "cf:clicks",
        kind,
        "cloudformation-resource",
    )
    assert not g.nodes[source].get("missing")
    assert "cf:clicks (cloudformation-resource, AWS::Kinesis::Stream)" in to_text(g)


def test_the_graph_draws_a_name_where_an_arn_belongs_as_a_missing_source() -> None:
    g = build_graph(load(NAME_AS_ARN["sqsQueueArn"][0]))
    ((source, _, kind),) = g.in_edges("fn", data="kind")
    assert kind == "trigger" and source != "q"
    assert g.nodes[source]["missing"] is True
    assert g.nodes[source]["label"] == "q (not an ARN)"
    assert "q (not an ARN) --sqs(batch 10)--> fn" in to_text(g)
    assert not g.out_edges("q")


def test_the_simulator_agrees_that_the_queue_has_no_consumer() -> None:
    sim = make_sim(dedent(NAME_AS_ARN["sqsQueueArn"][0]).replace("{PKG}", PKG), allow_errors=True)
    sim.send("q", "{}")
    sim.run(60_000)
    assert sim.function_stats("fn")["invocations"] == 0
    assert sim.queue_stats("q")["visible"] == 1


# -- 2. event patterns and filter policies -----------------------------------------------------


def bus_rule(pattern: str) -> str:
    return function_with(f"{{type: event-bus, properties: {{eventBusName: bus, {pattern}}}}}")


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("{id: [x]}", '"id" is not allowed at the top level of a Stacktape eventPattern'),
        ("{source: a}", '"source" must be an object or an array'),
        ("{source: []}", "Empty arrays are not allowed"),
        ("{detail: {n: [{numeric: ['>']}]}}", "Value of > must be numeric"),
        ("{detail: {n: [{regex: x}]}}", "Unrecognized match type regex"),
    ],
)
def test_an_invalid_event_pattern_is_an_error_with_aws_message(pattern: str, reason: str) -> None:
    d = one(bus_rule(f"eventPattern: {pattern}"), "invalid-event-pattern")
    assert where(d) == ("error", "s.yml", 10, 80)
    assert d.message.startswith("Event pattern is not valid. Reason: "), d.message
    assert reason in d.message


def test_a_block_style_pattern_is_reported_where_it_starts() -> None:
    text = """\
        resources:
          fn:
            type: function
            properties:
              {PKG}
              events:
                - type: event-bus
                  properties:
                    useDefaultBus: true
                    eventPattern:
                      source: orders
        """
    d = one(text, "invalid-event-pattern")
    assert where(d) == ("error", "s.yml", 11, 15)


@pytest.mark.parametrize(
    "pattern",
    [
        "{source: [a], detail-type: [B], detail: {n: [{numeric: ['>', 1]}]}}",
        "{detail: {k: [{prefix: x}, {anything-but: [y]}, {exists: false}]}}",
        # A $ResourceParam value is a string subclass; AWS receives it as plain JSON text.
        "{resources: [\"$ResourceParam('b', 'arn')\"]}",
    ],
)
def test_valid_event_patterns_are_not_reported(pattern: str) -> None:
    assert not found(bus_rule(f"eventPattern: {pattern}"), "invalid-event-pattern")


def test_an_empty_pattern_is_reported_once_by_its_own_code() -> None:
    text = bus_rule("eventPattern: {}")
    assert found(text, "missing-event-pattern")
    assert not found(text, "invalid-event-pattern")


def sns_subscription(policy: str) -> str:
    return function_with(f"{{type: sns, properties: {{snsTopicName: t, filterPolicy: {policy}}}}}")


@pytest.mark.parametrize(
    ("policy", "reason"),
    [
        ("{a: b}", 'FilterPolicy: "a" must be an object or an array'),
        ("{a: [{wildcard: 'x*'}]}", "FilterPolicy: Unrecognized match type wildcard"),
        ("{a: {b: [1]}}", "does not support nested filter policy"),
        ("{a: [1], b: [1], c: [1], d: [1], e: [1], f: [1]}", "can not have more than 5 keys"),
        # SNS has no wildcard, inside anything-but either (EventBridge has both).
        ("{a: [{anything-but: {wildcard: 'x*'}}]}", "Unsupported anything-but pattern: wildcard"),
        # SNS's limits hold inside the branches of a $or beside other names.
        ("{a: [x], $or: [{b: [{wildcard: 'x*'}]}, {c: [y]}]}", "Unrecognized match type wildcard"),
        ("{a: [x], $or: [{b: {c: [1]}}, {d: [y]}]}", "does not support nested filter policy"),
        ("{a: [x], $or: [{b: [2e9]}, {c: [y]}]}", "outside numeric matching's range"),
        # (a * b) + (a * c) = 10 * 10 + 10 * 6 = 160 combinations, over 150.
        (
            f"{{a: {list(range(10))}, $or: [{{b: {list(range(10))}}}, {{c: {list(range(6))}}}]}}",
            "Filter policy is too complex",
        ),
        # A nested $or: a * (b + c * (d + e)) = 2 * (1 + 25 * (2 + 1)) = 152.
        (
            f"{{a: [1, 2], $or: [{{b: [1]}}, {{c: {list(range(25))}, $or: [{{d: [1, 2]}}, {{e: [1]}}]}}]}}",
            "Filter policy is too complex",
        ),
        # "The maximum size of a filter policy is 256 KB".
        pytest.param(
            f"{{a: [{'x' * 140_000}, {'y' * 140_000}]}}", "over 256 KB", id="policy-over-256KB"
        ),
    ],
)
def test_an_invalid_filter_policy_is_an_error_with_sns_message(policy: str, reason: str) -> None:
    d = one(sns_subscription(policy), "invalid-filter-policy")
    assert where(d) == ("error", "s.yml", 10, 72)
    assert d.message.startswith("Invalid parameter: FilterPolicy: "), d.message
    assert reason in d.message


@pytest.mark.parametrize(
    "policy",
    [
        "{type: [order]}",
        "{n: [{numeric: ['>', 0]}], k: [{prefix: a}]}",
        "{}",
        "{a: [x], $or: [{b: [{anything-but: {prefix: p}}]}, {c: [{cidr: 10.0.0.0/24}]}]}",
        # (a * b) + (a * c) = 10 * 10 + 10 * 5 = 150, the most SNS takes.
        f"{{a: {list(range(10))}, $or: [{{b: {list(range(10))}}}, {{c: {list(range(5))}}}]}}",
    ],
)
def test_valid_filter_policies_are_not_reported(policy: str) -> None:
    # `{}` is SNS's way of saying "no filter".
    assert not found(sns_subscription(policy), "invalid-filter-policy")


# -- 3. target inputs --------------------------------------------------------------------------


def scheduled(props: str) -> str:
    return function_with(f"{{type: schedule, properties: {{scheduleRate: rate(1 hour), {props}}}}}")


@pytest.mark.parametrize(
    ("props", "column", "reason"),
    [
        ("input: hello", 81, "input is not valid JSON text"),
        ("inputPath: ./detail", 85, "JSON path './detail' must start with $"),
        (
            "inputTransformer: {inputTemplate: '{\"a\": <nope>}'}",
            74,
            "InputTemplate contains invalid placeholder nope.",
        ),
    ],
)
def test_an_invalid_schedule_input_is_an_error(props: str, column: int, reason: str) -> None:
    d = one(scheduled(props), "invalid-target-input")
    assert where(d) == ("error", "s.yml", 10, column)
    assert reason in d.message, d.message
    assert d.resource == "fn"


@pytest.mark.parametrize(
    "props",
    [
        "input: {source: cron}",
        "input: '\"hello\"'",
        "input: '{\"a\": 1}'",
        "input: 5",
        "inputPath: $.detail",
        # Stacktape's own example: an object template becomes its JSON text.
        "inputTransformer: {inputPathsMap: {t: $.time}, inputTemplate: {message: 'at <t>'}}",
        # Plain text, quoted, is a JSON string: a function can take it.
        "inputTransformer: {inputPathsMap: {s: $.detail.state}, inputTemplate: '\"<s> is on\"'}",
        "inputTransformer: {inputPathsMap: {n: $.detail.n}, inputTemplate: '{\"n\": <n>}'}",
        'inputTransformer: {inputTemplate: \'{"rule": "<aws.events.rule-name>"}\'}',
    ],
)
def test_valid_schedule_inputs_are_not_reported(props: str) -> None:
    assert not found(scheduled(props), "invalid-target-input")


def _paths(n: int) -> str:
    return "{" + ", ".join(f"k{i}: $.detail.k{i}" for i in range(n)) + "}"


@pytest.mark.parametrize(
    ("props", "reason"),
    [
        # PutTargets' limits (EventBridge API reference, InputTransformer and Target; botocore's
        # model: TransformerPaths max 100, InputTransformerPathKey 1-256 of [A-Za-z0-9\_\-]+,
        # TargetInputPath max 256, TransformerInput 1-8192, TargetInput max 8192).
        (
            f"inputTransformer: {{inputPathsMap: {_paths(101)}, inputTemplate: '<k0>'}}",
            "inputPathsMap has 101 entries; EventBridge takes at most 100",
        ),
        (
            "inputTransformer: {inputPathsMap: {my.name: $.detail}, inputTemplate: '<my.name>'}",
            "inputPathsMap key 'my.name' must match [A-Za-z0-9\\_\\-]+",
        ),
        (
            "inputTransformer: {inputPathsMap: {'a b': $.detail}, inputTemplate: '\"x\"'}",
            "inputPathsMap key 'a b' must match",
        ),
        (
            f"inputTransformer: {{inputPathsMap: {{{'k' * 257}: $.detail}}, inputTemplate: '1'}}",
            "is 257 characters; at most 256",
        ),
        (
            f"inputTransformer: {{inputPathsMap: {{k: $.detail.{'a' * 250}}}, inputTemplate: '<k>'}}",
            "inputPathsMap.k is 259 characters; a JSON path is at most 256",
        ),
        (
            f"inputPath: $.detail.{'a' * 250}",
            "inputPath is 259 characters; a JSON path is at most 256",
        ),
        ("inputTransformer: {inputTemplate: ''}", "inputTemplate is empty"),
        (
            f"inputTransformer: {{inputTemplate: '\"{'x' * 8191}\"'}}",
            "inputTemplate is 8,193 characters; at most 8,192",
        ),
        (f"input: '\"{'x' * 8191}\"'", "input is 8,193 characters; at most 8,192"),
        (
            "inputTransformer: {inputPathsMap: {k: $.detail.k}, inputTemplate: '{<k>: 1}'}",
            "the placeholder <k> is used as an object key",
        ),
    ],
    ids=[
        "101-paths",
        "dotted-key",
        "spaced-key",
        "long-key",
        "long-path",
        "long-input-path",
        "empty-template",
        "long-template",
        "long-input",
        "placeholder-key",
    ],
)
def test_put_targets_limits_of_target_input_are_errors(props: str, reason: str) -> None:
    d = one(scheduled(props), "invalid-target-input")
    assert reason in d.message, d.message


@pytest.mark.parametrize(
    "props",
    [
        f"inputTransformer: {{inputPathsMap: {_paths(100)}, inputTemplate: '<k0>'}}",
        f"inputTransformer: {{inputPathsMap: {{{'k' * 256}: $.detail}}, inputTemplate: '1'}}",
        "inputTransformer: {inputPathsMap: {a-b_C9: $.detail}, inputTemplate: '<a-b_C9>'}",
        f"inputPath: $.detail.{'a' * 247}",
        f"inputTransformer: {{inputTemplate: '\"{'x' * 8190}\"'}}",
        # A placeholder as a value, in a string, or in a template that is no JSON object.
        "inputTransformer: {inputPathsMap: {k: $.detail.k}, inputTemplate: '{\"<k>\": <k>}'}",
        "inputTransformer: {inputPathsMap: {k: $.detail.k}, inputTemplate: '[<k>, 1]'}",
        # Target.InputPath: "You may use JSON dot notation or bracket notation".
        "inputPath: \"$['detail']['order-id'][0]\"",
    ],
    ids=[
        "100-paths",
        "key-256",
        "key-characters",
        "path-256",
        "template-8192",
        "value",
        "array",
        "bracket-input-path",
    ],
)
def test_target_inputs_at_put_targets_limits_are_accepted(props: str) -> None:
    assert not found(scheduled(props), "invalid-target-input")


def test_a_template_a_function_cannot_take_is_a_warning_at_the_template() -> None:
    # It deploys (a queue would take the text), but Lambda refuses every delivery.
    text = scheduled(
        "inputTransformer: {inputPathsMap: {s: $.detail.state}, inputTemplate: '<s> is on'}"
    )
    d = one(text, "target-input-not-json")
    assert where(d) == ("warning", "s.yml", 10, 144)
    assert "('\"\" is on')" in d.message and "'fn' is a function" in d.message
    assert not found(text, "invalid-target-input")


def test_an_event_bus_rule_input_is_checked_at_its_position() -> None:
    d = one(bus_rule("eventPattern: {source: [a]}, input: hello"), "invalid-target-input")
    assert where(d) == ("error", "s.yml", 10, 102)


def test_a_plain_text_template_is_fine_for_a_queue_target() -> None:
    text = """\
        resources:
          bus: {type: event-bus}
          q:
            type: sqs-queue
            properties:
              events:
                - type: event-bus
                  properties:
                    eventBusName: bus
                    eventPattern: {source: [a]}
                    inputTransformer:
                      inputPathsMap: {s: $.detail.state}
                      inputTemplate: <s> is on
        """
    assert not found(text, "invalid-target-input")
    bad = text.replace("<s> is on", "<t> is on")
    d = one(bad, "invalid-target-input")
    assert where(d) == ("error", "s.yml", 11, 13)
    assert "invalid placeholder t" in d.message


def test_each_of_several_inputs_is_checked() -> None:
    text = scheduled("input: hello, inputPath: x")
    assert found(text, "at-most-one-of")
    assert [d.column for d in found(text, "invalid-target-input")] == [81, 99]


# -- 4. FIFO queues as rule targets ------------------------------------------------------------

FIFO_SUBSCRIBER = """\
    resources:
      bus: {type: event-bus}
      fq:
        type: sqs-queue
        properties:
          fifoEnabled: true
          {dedup}
          events:
            - type: event-bus
              properties:
                eventBusName: bus
                eventPattern: {source: [a]}
                messageGroupId: all
    """


def test_a_fifo_queue_rule_target_needs_content_based_deduplication() -> None:
    d = one(FIFO_SUBSCRIBER.replace("{dedup}", ""), "fifo-content-deduplication")
    assert where(d) == ("error", "s.yml", 9, 11)
    assert d.hint == "set contentBasedDeduplication: true on 'fq'"
    with_dedup = FIFO_SUBSCRIBER.replace("{dedup}", "contentBasedDeduplication: true")
    assert not load(with_dedup).errors
    standard = FIFO_SUBSCRIBER.replace("fifoEnabled: true", "").replace("{dedup}", "")
    assert not found(standard, "fifo-content-deduplication")


def test_the_simulator_agrees_a_fifo_target_without_dedup_takes_no_event() -> None:
    sim = make_sim(dedent(FIFO_SUBSCRIBER).replace("{dedup}", ""), allow_errors=True)
    sim.services["buses"].publish("bus", "a", "T", "{}")
    assert sim.queue_stats("fq")["depth"] == 0


# -- speed -------------------------------------------------------------------------------------


def _subscribers(n: int) -> Stack:
    """`n` functions on one bus, each with its own pattern, input template and filter policy."""
    lines = ["resources:", "  bus: {type: event-bus}", "  t: {type: sns-topic}"]
    for i in range(n):
        lines += [
            f"  f{i}:",
            "    type: function",
            "    properties:",
            f"      {PKG}",
            "      events:",
            "        - type: event-bus",
            "          properties:",
            "            eventBusName: bus",
            f"            eventPattern: {{source: [app.{i}], detail: {{n: [{{numeric: ['>', {i}]}}]}}}}",
            "            inputTransformer:",
            "              inputPathsMap: {n: $.detail.n}",
            f'              inputTemplate: \'{{"n": <n>, "i": {i}}}\'',
            "        - type: sns",
            f"          properties: {{snsTopicName: t, filterPolicy: {{k: [v{i}]}}}}",
        ]
    return load_stack_text("\n".join(lines) + "\n", "big.yml", lint=False)


def test_patterns_policies_and_inputs_lint_in_linear_work() -> None:
    half, full = _subscribers(100), _subscribers(200)
    assert not [d for d in lint_stack(full) if d.severity != "info"]
    with CountWork(lines=False) as small:
        lint_stack(half)
    with CountWork(lines=False) as large:
        lint_stack(full)
    assert large.steps < 2.2 * small.steps, (small, large)
