"""State machines in the graph: a `task` edge to each stack function a Task state invokes
(resolved as the simulator resolves it, nested states included), in every export and in the
TUI diagram, with the state machine placed after what starts it and before its functions.

Expected edges were worked out by hand from the definitions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from stptui.config import load_stack, load_stack_text
from stptui.graph import (
    READ,
    TASK,
    build_graph,
    downstream,
    edge_label,
    reachable_from_stimulus,
    to_dot,
    to_json,
    to_mermaid,
    to_text,
)
from stptui.tui.diagram import layout

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"


def tasks(g: Any) -> list[tuple[str, str, str]]:
    return sorted((u, v, d["state"]) for u, v, d in g.edges(data=True) if d["kind"] == TASK)


def test_the_workflow_example_has_a_task_edge_per_task_state() -> None:
    g = build_graph(load_stack(EXAMPLES / "workflow.yml"))
    assert tasks(g) == [
        ("orderFlow", "chargeCard", "ChargeCard"),
        ("orderFlow", "checkOrder", "CheckOrder"),
        ("orderFlow", "writeReceipt", "WriteReceipt"),
    ]
    # The lambda:invoke integration and the direct Resource forms, as the simulator reads them.
    edge = g.edges["orderFlow", "chargeCard", "task:ChargeCard"]
    assert edge["integration"] == "arn:aws:states:::lambda:invoke"
    assert (edge["file"], edge["line"]) == (str(EXAMPLES / "workflow.yml"), 73)
    # Executions really invoke them: task edges are flow edges, unlike connectTo.
    assert sorted(downstream(g, "orderFlow")) == ["chargeCard", "checkOrder", "writeReceipt"]
    assert downstream(g, "ordersApi") == ["placeOrder"]


def test_the_starter_comes_before_the_state_machine_and_its_functions_after() -> None:
    g = build_graph(load_stack(EXAMPLES / "workflow.yml"))
    layer = dict(g.nodes(data="layer"))
    assert layer["ordersApi"] < layer["placeOrder"] < layer["orderFlow"] < layer["checkOrder"]
    assert layer["checkOrder"] == layer["chargeCard"] == layer["writeReceipt"]


def test_a_request_may_reach_the_state_machine_and_its_tasks_through_connect_to() -> None:
    g = build_graph(load_stack(EXAMPLES / "workflow.yml"))
    assert reachable_from_stimulus(g, "ordersApi") == {
        "placeOrder": "triggers",
        "orderFlow": "may-send",
        "checkOrder": "may-send",
        "chargeCard": "may-send",
        "writeReceipt": "may-send",
    }
    assert reachable_from_stimulus(g, "orderFlow") == {
        "checkOrder": "triggers",
        "chargeCard": "triggers",
        "writeReceipt": "triggers",
    }


def stack(definition: dict[str, Any], *functions: str) -> str:
    lines = ["resources:"]
    for name in functions:
        lines += [f"  {name}:", "    type: function", "    properties:", f"      {PKG}"]
    lines += [
        "  flow:",
        "    type: state-machine",
        "    properties:",
        f"      definition: {json.dumps(definition)}",
    ]
    return "\n".join(lines) + "\n"


def test_nested_states_and_every_resource_form_are_followed() -> None:
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Parallel",
                "Next": "Each",
                "Branches": [
                    {
                        "StartAt": "A",
                        "States": {
                            "A": {
                                "Type": "Task",
                                "Resource": {"Fn::GetAtt": ["AlphaFunction", "Arn"]},
                                "End": True,
                            }
                        },
                    }
                ],
            },
            "Each": {
                "Type": "Map",
                "Next": "Outside",
                "ItemProcessor": {
                    "StartAt": "B",
                    "States": {
                        "B": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::lambda:invoke",
                            "Parameters": {"FunctionName": "beta"},
                            "End": True,
                        }
                    },
                },
            },
            "Outside": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:111111111111:function:elsewhere",
                "Next": "RunTime",
            },
            "RunTime": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName.$": "$.fn"},
                "End": True,
            },
        },
    }
    g = build_graph(load_stack_text(stack(definition, "alpha", "beta"), "stacktape.yml"))
    assert tasks(g) == [
        ("flow", "alpha", "Fan.Branches.0.A"),
        ("flow", "beta", "Each.ItemProcessor.B"),
    ]


def test_a_function_two_states_invoke_gets_two_edges_and_a_bad_definition_none() -> None:
    task = {"Type": "Task", "Resource": {"Fn::GetAtt": ["WorkFunction", "Arn"]}}
    definition = {
        "StartAt": "One",
        "States": {"One": {**task, "Next": "Two"}, "Two": {**task, "End": True}},
    }
    g = build_graph(load_stack_text(stack(definition, "work"), "stacktape.yml"))
    assert tasks(g) == [("flow", "work", "One"), ("flow", "work", "Two")]
    g = build_graph(load_stack_text(stack({"States": "nope"}, "work"), "stacktape.yml"))
    assert tasks(g) == []


def test_every_export_shows_the_task_edges() -> None:
    g = build_graph(load_stack(EXAMPLES / "workflow.yml"))
    assert "  orderFlow --task(ChargeCard)--> chargeCard\n" in to_text(g)
    assert '-->|"task#40;ChargeCard#41;"|' in to_mermaid(g)
    assert 'label="task&#40;ChargeCard&#41;"' in to_dot(g)
    data = json.loads(to_json(g))
    found = [e for e in data["edges"] if e["kind"] == "task" and e["target"] == "chargeCard"]
    assert [(e["source"], e["state"]) for e in found] == [("orderFlow", "ChargeCard")]


def test_the_tui_diagram_draws_task_edges_with_their_own_legend() -> None:
    g = build_graph(load_stack(EXAMPLES / "workflow.yml"))
    text = layout(g).text()
    assert "──► task" in text.splitlines()[0]
    assert "orderFlow" in text and "writeReceipt" in text


# -- the other integrations: queues, topics, buses, tables, jobs, state machines, buckets ----


def edges(g: Any) -> list[tuple[str, str, str, str]]:
    """(state machine, target, kind, label) of every task and read edge, sorted."""
    return sorted(
        (u, v, d["kind"], edge_label(d))
        for u, v, d in g.edges(data=True)
        if d["kind"] in (TASK, READ)
    )


def test_service_integrations_get_an_edge_labelled_with_what_they_do() -> None:
    path = EXAMPLES / "workflow-integrations.yml"
    g = build_graph(load_stack(path))
    assert edges(g) == [
        ("fulfil", "customerTopic", "task", "publishes(Notify)"),
        ("fulfil", "orderEvents", "task", "puts-event(Announce)"),
        ("fulfil", "orders", "task", "writes-item(SaveOrder)"),
        ("fulfil", "shipments", "task", "sends(QueueShipment)"),
    ]
    # Placed where the target is named; the JSON graph says what the state does and how.
    edge = g.edges["fulfil", "shipments", "task:QueueShipment"]
    assert (edge["file"], edge["line"]) == (str(path), 84)
    assert (edge["action"], edge["integration"]) == (
        "sends",
        "arn:aws:states:::sqs:sendMessage",
    )
    assert g.edges["fulfil", "orderEvents", "task:Announce"]["line"] == 94
    # What the integrations deliver flows on: the queue's, bus's, topic's and stream's
    # consumers come after the state machine.
    assert sorted(downstream(g, "fulfil")) == [
        "auditor",
        "customerTopic",
        "mailer",
        "orderEvents",
        "orders",
        "shipments",
        "shipper",
    ]
    layer = dict(g.nodes(data="layer"))
    assert layer["fulfil"] < layer["shipments"] < layer["shipper"]


def test_jobs_and_child_executions_say_how_the_state_waits() -> None:
    g = build_graph(load_stack(EXAMPLES / "report-jobs.yml"))
    assert edges(g) == [
        ("nightly", "reportFlow", "task", "starts-execution(runReport, sync:2)"),
        ("reportFlow", "generateReport", "task", "submits-job(generate, sync)"),
        ("reportFlow", "uploadReport", "task", "task(upload)"),
    ]
    edge = g.edges["nightly", "reportFlow", "task:runReport"]
    assert (edge["waits"], edge["integration"]) == (
        "sync:2",
        "arn:aws:states:::states:startExecution.sync:2",
    )
    assert "waits" not in g.edges["reportFlow", "uploadReport", "task:upload"]
    layer = dict(g.nodes(data="layer"))
    assert layer["nightly"] < layer["reportFlow"] < layer["generateReport"]
    assert reachable_from_stimulus(g, "nightly") == {
        "reportFlow": "triggers",
        "generateReport": "triggers",
        "uploadReport": "triggers",
    }


def test_callback_tasks_say_they_wait_for_a_token() -> None:
    g = build_graph(load_stack(EXAMPLES / "workflow-callback.yml"))
    assert edges(g) == [
        ("orderApproval", "approvals", "task", "sends(RequestApproval, waitForTaskToken)"),
        ("orderApproval", "shipper", "task", "task(Ship, waitForTaskToken)"),
    ]


def test_a_distributed_maps_bucket_is_read_not_fed() -> None:
    g = build_graph(load_stack(EXAMPLES / "photo-batch.yml"))
    assert edges(g) == [
        ("resizeAll", "resize", "task", "task(ResizeEach.ItemProcessor.Resize)"),
        ("resizeAll", "uploads", "read", "reads-items(ResizeEach)"),
    ]
    # Reading puts nothing into the bucket: it stays a source, and is not downstream.
    assert g.nodes["uploads"]["layer"] == 0
    assert downstream(g, "resizeAll") == ["resize"]
    edge = g.edges["resizeAll", "uploads", "read:ResizeEach"]
    assert edge["integration"] == "arn:aws:states:::s3:getObject"


TARGETS = """\
  jobs:
    type: sqs-queue
  alerts:
    type: sns-topic
  appBus:
    type: event-bus
  items:
    type: dynamo-db-table
    properties:
      primaryKey:
        partitionKey: {name: id, type: string}
  files:
    type: bucket
  report:
    type: batch-job
    properties:
      container:
        packaging: {type: prebuilt-image, properties: {image: alpine:3}}
      resources: {cpu: 1, memory: 2048}
  child:
    type: state-machine
    properties:
      definition: {StartAt: Done, States: {Done: {Type: Succeed}}}
"""


def integration_stack(definition: dict[str, Any]) -> str:
    return stack(definition).replace("resources:\n", "resources:\n" + TARGETS, 1)


def task(resource: str, **params: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": "arn:aws:states:::" + resource, "Parameters": params}


def chain(states: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A machine running `states` in order."""
    names = list(states)
    for name, after in zip(names, [*names[1:], None], strict=True):
        states[name] = {**states[name], **({"Next": after} if after else {"End": True})}
    return {"StartAt": names[0], "States": states}


def test_every_form_the_simulator_resolves_and_nested_states_are_followed() -> None:
    url = "https://sqs.us-east-1.amazonaws.com/111111111111/elsewhere"
    reader = {
        "Type": "Map",
        "ItemReader": {
            "Resource": "arn:aws:states:::s3:getObject",
            "Parameters": {"Bucket": {"Fn::GetAtt": ["FilesBucket", "Arn"]}, "Key": "a.json"},
        },
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            **chain({"Start": task("states:startExecution", StateMachineArn="child")}),
        },
    }
    definition = chain(
        {
            "Send": task("sqs:sendMessage", QueueUrl={"Ref": "JobsSqsQueue"}, MessageBody="x"),
            "Fan": {
                "Type": "Parallel",
                "Branches": [
                    chain(
                        {
                            "Put": task(
                                "events:putEvents",
                                Entries=[
                                    {"EventBusName": "appBus", "Source": "s"},
                                    {"Source": "s"},
                                    {"EventBusName": "default", "Source": "s"},
                                ],
                            ),
                            "Get": task("dynamodb:getItem", TableName="items", Key={}),
                        }
                    ),
                    chain({"Read": reader}),
                ],
            },
            "Each": {
                "Type": "Map",
                "ItemProcessor": chain(
                    {
                        "Job": task(
                            "batch:submitJob",
                            JobDefinition="report",
                            JobName="j",
                            JobQueue="q",
                        )
                    }
                ),
            },
            # Known only at run time, outside the stack, or naming nothing: no edge.
            "Later": task("sqs:sendMessage", **{"QueueUrl.$": "$.queue", "MessageBody": "x"}),
            "Outside": task("sqs:sendMessage", QueueUrl=url, MessageBody="x"),
            "Nothing": task("sns:publish", TopicArn="nope", Message="x"),
            "NoParameters": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish"},
            "InlineReader": {**reader, "ItemProcessor": chain({"P": {"Type": "Pass"}})},
        }
    )
    g = build_graph(load_stack_text(integration_stack(definition), "stacktape.yml"))
    assert edges(g) == [
        ("flow", "appBus", "task", "puts-event(Fan.Branches.0.Put)"),
        ("flow", "bus:default", "task", "puts-event(Fan.Branches.0.Put)"),
        # A Distributed Map's child executions run its ItemProcessor's states.
        ("flow", "child", "task", "starts-execution(Fan.Branches.1.Read.ItemProcessor.Start)"),
        ("flow", "files", "read", "reads-items(Fan.Branches.1.Read)"),
        ("flow", "items", "read", "reads-item(Fan.Branches.0.Get)"),
        ("flow", "jobs", "task", "sends(Send)"),
        ("flow", "report", "task", "submits-job(Each.ItemProcessor.Job)"),
    ]
    # Both default-bus entries share the one default bus node (and one edge).
    assert g.nodes["bus:default"]["kind"] == "event-bus"


def test_every_export_shows_what_the_integrations_do() -> None:
    g = build_graph(load_stack(EXAMPLES / "photo-batch.yml"))
    assert "  resizeAll --reads-items(ResizeEach)--> uploads\n" in to_text(g)
    assert '-.->|"reads-items#40;ResizeEach#41;"|' in to_mermaid(g)
    assert 'style=dashed, label="reads-items&#40;ResizeEach&#41;"' in to_dot(g)
    data = json.loads(to_json(g))
    [found] = [e for e in data["edges"] if e["kind"] == "read"]
    assert (found["source"], found["target"], found["action"], found["state"]) == (
        "resizeAll",
        "uploads",
        "reads-items",
        "ResizeEach",
    )
    g = build_graph(load_stack(EXAMPLES / "report-jobs.yml"))
    assert "  nightly --starts-execution(runReport, sync:2)--> reportFlow\n" in to_text(g)
    assert '-->|"submits-job#40;generate, sync#41;"|' in to_mermaid(g)


def test_a_result_writers_bucket_is_fed_by_the_map() -> None:
    # The Map Run's result files are written there: a task edge, so the bucket is downstream.
    g = build_graph(load_stack(EXAMPLES / "result-writer.yml"))
    assert edges(g) == [("tally", "reports", "task", "writes-results(PriceEach)")]
    assert downstream(g, "tally") == ["reports"]
    edge = g.edges["tally", "reports", "task:PriceEach"]
    assert edge["integration"] == "arn:aws:states:::s3:putObject"


def test_the_tui_diagram_draws_read_edges_with_their_own_legend() -> None:
    g = build_graph(load_stack(EXAMPLES / "photo-batch.yml"))
    lines = layout(g).text().splitlines()
    assert lines[0].split() == ["──►", "task", "╌╌►", "read"]
    assert any("◄╌╌┤" in line and "uploads" in line for line in lines)


# What each action's target is: a hypothesis draw may name any resource in any field.
TARGET_KINDS = {
    "sends": "sqs-queue",
    "publishes": "sns-topic",
    "puts-event": "event-bus",
    "writes-item": "dynamo-db-table",
    "reads-item": "dynamo-db-table",
    "submits-job": "batch-job",
    "starts-execution": "state-machine",
    "reads-items": "bucket",
}
NAMES = ["jobs", "alerts", "appBus", "items", "files", "report", "child", "default", "flow"]
RESOURCES = [
    "sqs:sendMessage",
    "sns:publish.waitForTaskToken",
    "events:putEvents",
    "dynamodb:putItem",
    "dynamodb:getItem",
    "batch:submitJob.sync",
    "states:startExecution.sync:2",
    "s3:getObject",
]
PARAMS = ["QueueUrl", "TopicArn", "TableName", "JobDefinition", "StateMachineArn", "Bucket"]
values = st.one_of(
    st.sampled_from(NAMES),
    st.sampled_from(NAMES).map(lambda n: {"Ref": n[0].upper() + n[1:] + "SqsQueue"}),
    st.sampled_from(NAMES).map(lambda n: {"Fn::GetAtt": [n[0].upper() + n[1:] + "Bucket", "Arn"]}),
    st.none(),
    st.integers(),
    st.lists(st.text("ab:/", max_size=3), max_size=2),
)
parameters = st.dictionaries(
    st.sampled_from([*PARAMS, "Entries", "QueueUrl.$"]),
    st.one_of(values, st.lists(st.dictionaries(st.just("EventBusName"), values), max_size=2)),
    max_size=3,
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(RESOURCES), parameters, st.booleans()), max_size=5))
def test_any_definition_builds_and_every_edge_reaches_its_kind(
    steps: list[tuple[str, dict[str, Any], bool]],
) -> None:
    states: dict[str, dict[str, Any]] = {}
    for i, (resource, params, distributed) in enumerate(steps):
        if resource == "s3:getObject":
            mode = "DISTRIBUTED" if distributed else "INLINE"
            states[f"S{i}"] = {
                "Type": "Map",
                "ItemReader": {"Resource": "arn:aws:states:::" + resource, "Parameters": params},
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": mode},
                    **chain({"P": {"Type": "Pass"}}),
                },
            }
        else:
            states[f"S{i}"] = task(resource, **params)
    definition = chain(states) if states else {"States": {}}
    g = build_graph(load_stack_text(integration_stack(definition), "stacktape.yml"))
    for u, v, d in g.edges(data=True):
        if d["kind"] in (TASK, READ):
            assert u == "flow"
            assert g.nodes[v]["kind"] == TARGET_KINDS[d["action"]]
            assert d["kind"] == (READ if d["action"].startswith("reads") else TASK)
