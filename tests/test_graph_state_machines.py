"""State machines in the graph: a `task` edge to each stack function a Task state invokes
(resolved as the simulator resolves it, nested states included), in every export and in the
TUI diagram, with the state machine placed after what starts it and before its functions.

Expected edges were worked out by hand from the definitions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stptui.config import load_stack, load_stack_text
from stptui.graph import (
    TASK,
    build_graph,
    downstream,
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
