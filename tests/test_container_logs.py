"""A container's `logging` as Stacktape compiles it (disabled: no log group; retentionDays
checked), and `cloudwatch-log` events that name a container's log group by its ARN: they
resolve to the container, the graph draws them, and its lines reach the subscriber."""

from __future__ import annotations

import textwrap
from pathlib import Path

import networkx as nx
import pytest

from stptui.commands import CommandError, Session, execute
from stptui.config import load_stack_text
from stptui.graph import build_graph
from stptui.sim import trace as tk
from stptui.tui.widgets.inspector_pane import describe_resource
from tests.simkit import EXAMPLES, START, records

GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/stp/shop-dev/ecs"

STACK = textwrap.dedent(f"""\
    serviceName: shop
    resources:
      web:
        type: web-service
        properties:
          packaging: {{type: stacktape-image-buildpack, properties: {{entryfilePath: s.ts}}}}
          resources: {{cpu: 0.25, memory: 512}}
      quiet:
        type: web-service
        properties:
          packaging: {{type: stacktape-image-buildpack, properties: {{entryfilePath: s.ts}}}}
          resources: {{cpu: 0.25, memory: 512}}
          loadBalancing: {{type: application-load-balancer}}
          logging: {{disabled: true}}
      multi:
        type: multi-container-workload
        properties:
          resources: {{cpu: 0.25, memory: 512}}
          containers:
            - name: app
              packaging: {{type: stacktape-image-buildpack, properties: {{entryfilePath: a.ts}}}}
              logging: {{disabled: true}}
            - name: side
              packaging: {{type: stacktape-image-buildpack, properties: {{entryfilePath: a.ts}}}}
              logging: {{retentionDays: 14}}
      alerter:
        type: function
        properties:
          packaging: {{type: stacktape-lambda-buildpack, properties: {{entryfilePath: a.ts}}}}
          events:
            - type: cloudwatch-log
              properties:
                logGroupArn: {GROUP}/web/service-container/process-logs
                filter: ERROR
            - type: cloudwatch-log
              properties:
                logGroupArn: {GROUP}/multi/side/process-logs:*
    """)

BEHAVIORS = """\
behaviors:
  web: {log: "join(' ', ['ERROR', path])"}
  quiet: {log: "'a line'"}
"""


def test_a_cloudwatch_log_event_naming_a_containers_group_resolves_to_it() -> None:
    stack = load_stack_text(STACK, "stacktape.yml")
    assert not stack.diagnostics, [d.format() for d in stack.diagnostics]
    alerter = stack.resources["alerter"]
    found = [(t.log_group.target, t.group_container) for t in alerter.events]
    assert found == [("web", "service-container"), ("multi", "side")]
    g = build_graph(stack)
    assert {u for u, v, d in g.in_edges("alerter", data=True)} == {"web", "multi"}


def _open(tmp_path: Path) -> Session:
    (tmp_path / "stacktape.yml").write_text(STACK)
    (tmp_path / "stptui.yml").write_text(BEHAVIORS)
    return Session.open(tmp_path / "stacktape.yml", start_ms=START)


def test_a_containers_lines_reach_its_subscriber(tmp_path: Path) -> None:
    session = _open(tmp_path)
    sim = session.sim
    execute(session, "http GET /boom")
    (delivered,) = records(sim, tk.LOG_DELIVERED)
    assert delivered.resource == "web"
    assert delivered.get("group") == "/stp/shop-dev/ecs/web/service-container/process-logs"
    assert delivered.get("subscriber") == "alerter"
    execute(session, "advance 1s")  # the subscriber is invoked asynchronously
    (started,) = records(sim, tk.INVOCATION_STARTED, "alerter")
    assert started.get("trigger") == "cloudwatch-log"
    # `log` into the other subscribed group, named WORKLOAD.CONTAINER.
    text = execute(session, "log multi.side 'side line'").text
    assert "-> alerter (shop-dev-alerter-cloudwatch-log-1)" in text


def test_disabled_logging_leaves_the_container_without_a_group(tmp_path: Path) -> None:
    session = _open(tmp_path)
    sim = session.sim
    assert sorted(sim.services["logs"].groups) == ["alerter", "multi.side", "web"]
    execute(session, "http GET /x --gateway quiet")
    # The behaviour's line is traced; it goes into no group.
    assert [r.get("text") for r in records(sim, tk.HANDLER_LOG, "quiet")] == ["a line"]
    cases = {
        "show logs quiet": "quiet has logging disabled: it has no log group",
        "log quiet hello": "quiet has logging disabled: it has no log group",
        "show logs quiet.service-container": "quiet has logging disabled",
        "show logs multi.app": "container app of multi has logging disabled",
        "show logs multi.nope": "multi has no container named 'nope'",
    }
    for line, message in cases.items():
        with pytest.raises(CommandError) as caught:
            execute(session, line)
        assert message in str(caught.value), line
    # A one-container workload's group goes by its name, or by WORKLOAD.CONTAINER.
    by_name = execute(session, "show logs web").data["group"]
    assert execute(session, "show logs web.service-container").data["group"] == by_name
    page = describe_resource("quiet", sim.stack, nx.MultiDiGraph(), sim, [], START).plain
    assert "logging disabled: no log group" in page


def test_subscribing_to_a_container_whose_logging_is_disabled_is_warned_about() -> None:
    text = STACK.replace("multi/side/process-logs:*", "multi/app/process-logs")
    stack = load_stack_text(text, "stacktape.yml")
    (warning,) = stack.diagnostics
    assert (warning.severity, warning.code) == ("warning", "log-group-unknown")
    assert "multi's container app, but it has logging disabled" in warning.message


def test_a_group_of_no_container_of_the_stack_is_warned_about() -> None:
    text = STACK.replace("multi/side/process-logs:*", "multi/nope/process-logs")
    stack = load_stack_text(text, "stacktape.yml")
    (warning,) = stack.diagnostics
    assert (warning.severity, warning.code) == ("warning", "log-group-unknown")
    assert "functions', batch jobs' or containers'" in warning.message


def test_a_containers_retention_is_checked_as_a_functions() -> None:
    stack = load_stack_text(STACK.replace("retentionDays: 14", "retentionDays: 4"), "s.yml")
    (error,) = stack.errors
    assert error.code == "invalid-value" and "`retentionDays` is 4" in error.message


def test_the_docs_example_alerts_on_the_web_services_error_lines() -> None:
    session = Session.open(
        EXAMPLES / "web-service-logs.yml",
        behaviors_path=EXAMPLES / "web-service-logs-behaviors.yml",
        start_ms=START,
    )
    assert not session.stack.diagnostics
    execute(session, "http GET /fail/payment")
    execute(session, "http GET /orders")
    (delivered,) = records(session.sim, tk.LOG_DELIVERED)
    assert delivered.get("count") == 1
