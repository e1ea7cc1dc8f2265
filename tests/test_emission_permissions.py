"""Emissions need the workload's role to allow them, as on AWS: `connectTo` (Stacktape's
statements per target type) or `iamRoleStatements`; otherwise the call fails with the
service's AccessDenied error, and `stptui validate` warns at the emission."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from stptui.cli import main
from stptui.sim import trace as tk
from stptui.sim.engine import Simulator
from tests.simkit import make_sim, records

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: p.ts}}"
ROLE = "arn:aws:sts::123456789012:assumed-role/perm-dev-producer-us-east-1/perm-dev-producer"


def stack(grant: str = "") -> str:
    """Every emission target, and `producer`, whose properties get the lines `grant`."""
    extra = textwrap.indent(textwrap.dedent(grant).strip("\n"), "      ")
    return f"""
serviceName: perm
resources:
  jobs: {{type: sqs-queue}}
  appBus: {{type: event-bus}}
  alerts: {{type: sns-topic}}
  files: {{type: bucket}}
  clicks: {{type: kinesis-stream}}
  views:
    type: dynamo-db-table
    properties: {{primaryKey: {{partitionKey: {{name: id, type: string}}}}}}
  audit:
    type: function
    properties:
      {PKG}
  producer:
    type: function
    properties:
      {PKG}
{extra}
"""


# kind -> (the emit item, its target, AWS's error code, the action as AWS spells it)
EMITS = {
    "send": ('send: {queue: jobs, body: "@"}', "jobs", "AccessDenied", "sqs:sendmessage"),
    "publish": (
        'publish: {bus: appBus, source: "\'app\'", detailType: "\'Done\'", detail: "@"}',
        "appBus",
        "AccessDeniedException",
        "events:PutEvents",
    ),
    "notify": (
        'notify: {topic: alerts, message: "@"}',
        "alerts",
        "AuthorizationError",
        "SNS:Publish",
    ),
    "put": (
        'put: {bucket: files, key: "\'out/a.json\'", content: "@"}',
        "files",
        "AccessDenied",
        "s3:PutObject",
    ),
    "invoke": (
        'invoke: {function: audit, payload: "@"}',
        "audit",
        "AccessDeniedException",
        "lambda:InvokeFunction",
    ),
    "putRecord": (
        'putRecord: {stream: clicks, data: "@"}',
        "clicks",
        "AccessDeniedException",
        "kinesis:PutRecord",
    ),
    "putItem": (
        "putItem: {table: views, item: \"{id: 'a'}\"}",
        "views",
        "AccessDeniedException",
        "dynamodb:PutItem",
    ),
    "deleteItem": (
        "deleteItem: {table: views, key: \"{id: 'a'}\"}",
        "views",
        "AccessDeniedException",
        "dynamodb:DeleteItem",
    ),
    "updateItem": (
        "updateItem: {table: views, key: \"{id: 'a'}\", update: \"'SET n = :n'\", "
        "values: '`{\":n\": 1}`'}",
        "views",
        "AccessDeniedException",
        "dynamodb:UpdateItem",
    ),
}


def sidecar(*items: str) -> str:
    return "behaviors:\n  producer:\n    emit:\n" + "".join(f"      - {i}\n" for i in items)


def run_producer(sim: Simulator) -> None:
    sim.invoke_async("producer", {"n": 1}, "invoke", "test")
    sim.advance(600_000)  # Lambda's two retries of an asynchronous event included


def resource_arn(sim: Simulator, kind: str, target: str) -> str:
    return sim.arn(target) + ("/out/a.json" if kind == "put" else "")


@pytest.mark.parametrize("kind", list(EMITS))
def test_an_emission_without_a_grant_fails_the_invocation_with_awss_access_denied(
    kind: str,
) -> None:
    item, target, code, action = EMITS[kind]
    sim = make_sim(stack(), sidecar(item))
    run_producer(sim)
    arn = resource_arn(sim, kind, target)
    shown = f'"{arn}"' if kind == "put" else arn
    message = (
        f"User: {ROLE} is not authorized to perform: {action} on resource: {shown} "
        f"because no identity-based policy allows the {action} action"
    )
    failed = records(sim, tk.INVOCATION_FAILED, "producer")[0]
    assert (failed.get("error"), failed.get("error_message")) == (code, message)
    refused = records(sim, tk.EMISSION_FAILED, "producer")[0]
    assert refused.data == {
        "invocation_id": failed.get("invocation_id"),
        "emission": kind,
        "target": target,
        # AWS's text, then where the behaviours file declares the emission.
        "error": f"{code}: {message} (stptui.yml:4:9: producer.emit[0].{kind})",
    }
    # Nothing reached the target: not the first attempt, nor Lambda's two retries.
    assert not [r for r in sim.trace.records if r.resource == target]
    assert len(records(sim, tk.INVOCATION_FAILED, "producer")) == 3
    assert len(records(sim, tk.EMISSION_FAILED, "producer")) == 3


@pytest.mark.parametrize("kind", list(EMITS))
def test_connect_to_the_target_grants_the_emission(kind: str) -> None:
    item, target, _, _ = EMITS[kind]
    sim = make_sim(stack(f"connectTo: [{target}]"), sidecar(item))
    run_producer(sim)
    assert not records(sim, tk.EMISSION_FAILED)
    assert len(records(sim, tk.INVOCATION_SUCCEEDED, "producer")) == 1
    if kind != "deleteItem":  # deleting an absent item writes nothing
        assert [r for r in sim.trace.records if r.resource == target]


def test_one_denied_emission_drops_the_granted_ones_of_the_same_invocation() -> None:
    sim = make_sim(stack("connectTo: [jobs]"), sidecar(EMITS["send"][0], EMITS["notify"][0]))
    run_producer(sim)
    assert not records(sim, tk.MESSAGE_SENT, "jobs")
    assert {r.get("target") for r in records(sim, tk.EMISSION_FAILED)} == {"alerts"}


@pytest.mark.parametrize(
    ("statement", "allowed"),
    [
        ("{Action: ['sqs:Send*'], Resource: ['arn:aws:sqs:*:*:perm-dev-j?bs']}", True),
        ("{Action: ['SQS:SENDMESSAGE'], Resource: ['*']}", True),
        (
            "{Effect: Allow, Action: ['sqs:SendMessage'], Resource: [\"$ResourceParam('jobs', 'arn')\"]}",
            True,
        ),
        ("{Resource: ['*']}", True),  # Stacktape writes a missing Action as `*`
        ("{Action: ['sqs:SendMessage'], Resource: [\"$ResourceParam('alerts', 'arn')\"]}", False),
        ("{Action: ['sqs:Receive*'], Resource: ['*']}", False),
        ("{Action: ['sqs:SendMessage'], Resource: ['arn:aws:sqs:*:*:perm-dev-j?']}", False),
        ("{Effect: Deny, Action: ['sqs:SendMessage'], Resource: ['*']}", False),
        # A condition cannot be evaluated here: no false denial.
        ("{Action: ['sqs:SendMessage'], Resource: ['*'], Condition: {Bool: {x: 'true'}}}", True),
    ],
)
def test_iam_role_statements_grant_by_action_and_resource_with_wildcards(
    statement: str, allowed: bool
) -> None:
    sim = make_sim(stack(f"iamRoleStatements:\n  - {statement}"), sidecar(EMITS["send"][0]))
    run_producer(sim)
    assert bool(records(sim, tk.MESSAGE_SENT, "jobs")) is allowed
    assert bool(records(sim, tk.EMISSION_FAILED)) is not allowed


@pytest.mark.parametrize(("key", "allowed"), [("out/a.json", True), ("in/a.json", False)])
def test_a_put_is_checked_against_the_objects_arn(key: str, allowed: bool) -> None:
    grant = """
        iamRoleStatements:
          - Action: [s3:PutObject]
            Resource:
              - "$CfFormat('{}/out/*', $ResourceParam('files', 'arn'))"
    """
    sim = make_sim(stack(grant), sidecar(f"put: {{bucket: files, key: \"'{key}'\", content: x}}"))
    run_producer(sim)
    assert bool(records(sim, tk.EMISSION_FAILED)) is not allowed


DEFAULT_BUS_PUBLISH = 'publish: {bus: default, source: "\'app\'", detailType: "\'x\'", detail: "@"}'


def test_the_default_bus_needs_an_iam_role_statement() -> None:
    sim = make_sim(stack(), sidecar(DEFAULT_BUS_PUBLISH))
    run_producer(sim)
    refused = records(sim, tk.EMISSION_FAILED)[0]
    assert "on resource: arn:aws:events:us-east-1:123456789012:event-bus/default" in (
        refused.get("error")
    )
    grant = """
        iamRoleStatements:
          - Action: [events:PutEvents]
            Resource: [arn:aws:events:us-east-1:123456789012:event-bus/default]
    """
    sim = make_sim(stack(grant), sidecar(DEFAULT_BUS_PUBLISH))
    run_producer(sim)
    assert not records(sim, tk.EMISSION_FAILED)
    assert records(sim, tk.EVENT_PUBLISHED)


HANDLERS = """
def uncaught(event, context):
    context.send("jobs", "hello")
    return "never"


def caught(event, context):
    try:
        context.send("jobs", "hello")
    except Exception as exc:
        context.log(exc.response["Error"]["Code"] + " " + exc.operation_name)
    context.notify("alerts", "went on")
    return "ok"
"""


def handler_sim(tmp_path: Path, handler: str) -> Simulator:
    from stptui.config import load_stack_text
    from stptui.sim.behavior import Behaviors
    from tests.simkit import START

    (tmp_path / "perm_handlers.py").write_text(HANDLERS, encoding="utf-8")
    st = load_stack_text(stack("connectTo: [alerts]"), "stacktape.yml")
    text = f"behaviors:\n  producer: {{handler: 'perm_handlers:{handler}'}}\n"
    behaviors, diags = Behaviors.from_text(
        text, str(tmp_path / "stptui.yml"), st, allow_code=True, base_dir=tmp_path
    )
    assert not diags
    sim = Simulator(st, behaviors, seed=0, start_ms=START)
    run_producer(sim)
    return sim


def test_a_python_handlers_denied_call_raises_and_uncaught_fails_the_invocation(
    tmp_path: Path,
) -> None:
    sim = handler_sim(tmp_path, "uncaught")
    failed = records(sim, tk.INVOCATION_FAILED, "producer")[0]
    assert failed.get("error") == "ClientError"
    assert failed.get("error_message").startswith(
        f"An error occurred (AccessDenied) when calling the SendMessage operation: User: {ROLE} "
        "is not authorized to perform: sqs:sendmessage"
    )
    refused = records(sim, tk.EMISSION_FAILED, "producer")
    assert refused and refused[0].get("target") == "jobs"
    assert not records(sim, tk.MESSAGE_SENT, "jobs")


def test_a_python_handler_may_catch_the_denial_and_go_on(tmp_path: Path) -> None:
    sim = handler_sim(tmp_path, "caught")
    assert [r.get("text") for r in records(sim, tk.HANDLER_LOG)] == ["AccessDenied SendMessage"]
    assert records(sim, tk.INVOCATION_SUCCEEDED, "producer")
    assert [r.get("target") for r in records(sim, tk.EMISSION_FAILED)] == ["jobs"]
    assert records(sim, tk.TOPIC_PUBLISHED, "alerts")


def test_a_batch_jobs_emission_is_checked_with_its_own_role() -> None:
    text = stack() + textwrap.dedent(
        """
        nightly:
          type: batch-job
          properties:
            container: {packaging: {type: prebuilt-image, properties: {image: x}}}
            resources: {cpu: 1, memory: 1024}
            retryConfig: {attempts: 1}
            events: [{type: schedule, properties: {scheduleRate: 'rate(1 hour)'}}]
        """
    ).replace("\n", "\n  ")
    sim = make_sim(text, "behaviors:\n  nightly:\n    emit: [{send: {queue: jobs, body: x}}]\n")
    sim.advance(3_700_000)
    (refused,) = records(sim, tk.EMISSION_FAILED, "nightly")
    assert "assumed-role/perm-dev-nightly-us-east-1/" in refused.get("error")
    assert records(sim, tk.BATCH_FAILED, "nightly")


# -- stptui validate ------------------------------------------------------------------------


def write(tmp_path: Path, grant: str, behaviors: str) -> Path:
    (tmp_path / "stacktape.yml").write_text(stack(grant), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(behaviors, encoding="utf-8")
    return tmp_path / "stacktape.yml"


def test_validate_warns_at_each_emission_the_role_does_not_allow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "connectTo: [alerts]", sidecar(EMITS["send"][0], EMITS["notify"][0]))
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    side = tmp_path / "stptui.yml"
    assert f"{side}:4:23: warning emission-not-permitted [producer]: producer's role " in out
    assert "does not allow sqs:SendMessage on 'jobs'" in out
    assert "hint: add jobs to producer's connectTo: `connectTo: [jobs]`" in out
    assert out.count("emission-not-permitted") == 1  # alerts is connected
    assert ": 8 resources; 0 errors," in out


def test_validate_takes_a_behaviours_file_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "", "behaviors: {}\n")
    other = tmp_path / "other.yml"
    other.write_text(sidecar(DEFAULT_BUS_PUBLISH), encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    assert "emission-not-permitted" not in capsys.readouterr().out
    assert main(["validate", str(path), "--behaviors", str(other), "--format", "json"]) == 0
    (diag,) = [
        d for d in json.loads(capsys.readouterr().out) if d["code"] == "emission-not-permitted"
    ]
    assert diag["file"] == str(other) and diag["line"] == 4
    assert "iamRoleStatements" in diag["hint"] and "event-bus/default" in diag["hint"]


def test_validate_with_a_missing_behaviours_file_says_so_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "", "behaviors: {}\n")
    assert main(["validate", str(path), "--behaviors", str(tmp_path / "nope.yml")]) == 2
    assert "behaviours file not found" in capsys.readouterr().err
