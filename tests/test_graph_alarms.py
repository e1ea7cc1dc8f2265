"""CloudWatch alarms in the stack graph and the diagram: a resource's `alarms` on its node,
a function's `cloudwatch-alarm` event as a trigger edge from the alarm's resource, the
exports, and boxes with an alarm line (stacks without alarms drawn as before)."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stptui.config import load_stack, load_stack_text
from stptui.graph import (
    TRIGGER,
    build_graph,
    downstream,
    edge_label,
    to_dot,
    to_json,
    to_mermaid,
    to_text,
)
from stptui.tui import diagram as dg

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "alarms.yml"
SAMPLES = ROOT / "stptui" / "sample_stacks"

FN = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"


def example_graph() -> nx.MultiDiGraph:
    return build_graph(load_stack(EXAMPLE, lint=False))


def graph_of(text: str) -> nx.MultiDiGraph:
    return build_graph(load_stack_text(text, lint=False))


def pager_stack(alarm_name: str) -> str:
    """A queue with one alarm and a function whose cloudwatch-alarm event names
    `alarm_name` (a YAML scalar, written as given)."""
    return f"""\
resources:
  dlq:
    type: sqs-queue
    properties:
      alarms:
        - trigger: {{type: sqs-queue-not-empty}}
  pager:
    type: function
    properties:
      {FN}
      events:
        - type: cloudwatch-alarm
          properties: {{alarmName: {alarm_name}}}
"""


def test_a_resource_s_alarms_are_on_its_node_and_only_there() -> None:
    g = example_graph()
    assert g.nodes["jobsDlq"]["alarms"] == [
        {
            "reference": "jobsDlq.alarms.0",
            "name": "shop-dev-SqsQueueNotEmptyForJobsDlq0",
            "trigger": "sqs-queue-not-empty",
            "simulated": True,
        }
    ]
    assert [a["reference"] for a in g.nodes["worker"]["alarms"]] == ["worker.alarms.0"]
    assert [a["trigger"] for a in g.nodes["api"]["alarms"]] == ["http-api-gateway-error-rate"]
    assert {n for n, a in g.nodes(data="alarms") if a} == {"jobsDlq", "worker", "api"}
    assert "alarms" not in g.nodes["jobs"]


def test_a_cloudwatch_alarm_event_is_a_trigger_from_the_alarm_s_resource() -> None:
    g = example_graph()
    (u, key, d) = next((u, k, d) for u, v, k, d in g.edges(keys=True, data=True) if v == "pager")
    assert (u, key, d["kind"], d["via"], d["alarm"]) == (
        "jobsDlq",
        "trigger:0",
        TRIGGER,
        "cloudwatch-alarm",
        "jobsDlq.alarms.0",
    )
    assert edge_label(d) == "cloudwatch-alarm(jobsDlq.alarms.0)"
    # A message reaching the dead-letter queue now leads on to the pager: the alarm's
    # state change invokes it.
    assert "pager" in downstream(g, "jobs")
    # Where it is written: the event's line in the config.
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    assert "type: cloudwatch-alarm" in lines[d["line"] - 1]


def test_the_exports_name_the_alarms_and_the_edge() -> None:
    g = example_graph()
    text = to_text(g)
    assert "jobsDlq (sqs-queue, visibility 30s, 1 alarm)" in text
    assert "worker (function, timeout 20s, memory 1024MB, 1 alarm)" in text
    assert "  jobsDlq --cloudwatch-alarm(jobsDlq.alarms.0)--> pager" in text
    assert "pager (function, timeout 20s, memory 1024MB)\n" in text
    assert '"jobsDlq<br/>sqs-queue<br/>1 alarm"' in to_mermaid(g)
    assert 'label="cloudwatch-alarm&#40;jobsDlq.alarms.0&#41;"' in to_dot(g)
    assert "jobsDlq\\nsqs-queue\\n1 alarm" in to_dot(g)
    back = nx.node_link_graph(json.loads(to_json(g)), edges="edges")
    assert back.nodes["worker"]["alarms"] == g.nodes["worker"]["alarms"]


def test_an_alarm_name_that_is_no_alarm_of_the_stack_leads_from_a_missing_node() -> None:
    # The simulator's `show alarms` says the event names no alarm; the graph shows the
    # dangling name as it shows any reference to something undefined.
    g = graph_of(pager_stack("dlq.alarms.7"))
    assert g.nodes["dlq.alarms.7"]["missing"] is True
    assert [(u, v) for u, v in g.in_edges("pager")] == [("dlq.alarms.7", "pager")]
    # Its AWS name is not how Stacktape's event names an alarm (the simulator reads
    # `resource.alarms.N` only): missing too, not an edge from dlq.
    g = graph_of(pager_stack("app-dev-SqsQueueNotEmptyForDlq0"))
    assert g.nodes["app-dev-SqsQueueNotEmptyForDlq0"]["missing"] is True
    # No name at all: no edge.
    g = graph_of(pager_stack("[]"))
    assert not list(g.in_edges("pager"))


def test_a_hostile_alarm_name_is_escaped_in_every_export() -> None:
    g = graph_of(pager_stack('"[bold]x\\e]8;;http://e.com\\e\\\\"'))
    text = to_text(g)
    assert "\x1b" not in text and "--cloudwatch-alarm([bold]x\\x1b]8;;http://e.com" in text
    assert "\x1b" not in to_mermaid(g) and "[bold]" not in to_mermaid(g)
    assert "\x1b" not in to_dot(g)
    d = dg.layout(g)
    assert "\x1b" not in d.text() and "? [bold]x\\x1b" in d.text()


def test_a_box_with_alarms_has_a_third_line_saying_how_many() -> None:
    g = example_graph()
    d = dg.layout(g)
    rows = d.text().splitlines()
    for node in ("jobsDlq", "worker", "api"):
        box = d.boxes[node]
        assert box.height == 5, node
        assert rows[box.y + 3][box.x + 2 :].startswith("1 alarm"), node
    # The others keep their two lines.
    assert d.boxes["jobs"].height == 4 and d.boxes["pager"].height == 4
    edge = next(e for e in d.edges if e.target == "pager")
    assert (edge.source, edge.kind) == ("jobsDlq", TRIGGER)


def test_several_alarms_are_counted_on_the_box() -> None:
    g = graph_of(
        f"""\
resources:
  worker:
    type: function
    properties:
      {FN}
      alarms:
        - trigger: {{type: lambda-error-rate, properties: {{thresholdPercent: 5}}}}
        - trigger: {{type: lambda-duration, properties: {{thresholdMilliseconds: 900}}}}
"""
    )
    assert "worker (function, timeout 20s, memory 1024MB, 2 alarms)" in to_text(g)
    assert "2 alarms" in dg.layout(g).text()


@pytest.mark.parametrize("name", sorted(p.parent.name for p in SAMPLES.glob("*/stacktape.yml")))
def test_stacks_without_alarms_are_drawn_with_two_lines_a_box(name: str) -> None:
    # None of the bundled stacks has alarms: no node carries any, and every box is as tall
    # as its ports need (at least two lines), as before alarms were drawn.
    g = build_graph(load_stack(SAMPLES / name, lint=False))
    assert not any(a for _, a in g.nodes(data="alarms"))
    d = dg.layout(g)
    for node, box in d.boxes.items():
        ports = [e for e in d.edges if node in (e.source, e.target)]
        assert box.height == 4 or box.height - 2 <= len(ports), node


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["jobs", "dlq", "worker"]), max_size=4))
def test_alarm_edges_follow_the_names_the_events_give(names: list[str]) -> None:
    # Each event naming `R.alarms.0` of a resource with one alarm is an edge from R; the
    # others (a resource without alarms) lead from a missing node; never a second edge
    # for the same event.
    events = "\n".join(
        f"        - type: cloudwatch-alarm\n          properties: {{alarmName: {n}.alarms.0}}"
        for n in names
    )
    g = graph_of(
        f"""\
resources:
  jobs: {{type: sqs-queue}}
  dlq:
    type: sqs-queue
    properties:
      alarms: [{{trigger: {{type: sqs-queue-not-empty}}}}]
  worker:
    type: function
    properties:
      {FN}
      alarms: [{{trigger: {{type: lambda-error-rate, properties: {{thresholdPercent: 1}}}}}}]
  pager:
    type: function
    properties:
      {FN}
      events:
{events if names else "        []"}
"""
    )
    sources = sorted(
        u for u, _, d in g.in_edges("pager", data=True) if d["via"] == "cloudwatch-alarm"
    )
    expected = sorted(n if n != "jobs" else "jobs.alarms.0" for n in names)
    assert sources == expected
    assert all(g.nodes[u]["missing"] == (u == "jobs.alarms.0") for u in sources)
