"""IAM's policy evaluation for a workload's role, as stptui.config.permissions does it: an
explicit Deny overrides every Allow (connectTo and Stacktape's own grants included), with
Action/NotAction, Resource/NotResource and the `*`/`?` wildcards (actions in any case,
resources case-sensitive, a `*` crossing colons only at the end of an ARN segment); the
AccessDenied message AWS gives for an explicit deny; `validate` saying which of the two
denials it found; and the deliveries Lambda makes with a function's role (destinations, a
stream event's `onFailure`), which Stacktape always grants and only a Deny can refuse."""

from __future__ import annotations

import fnmatch
import json
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stptui.cli import main
from stptui.config import load_stack_text
from stptui.config.permissions import (
    Target,
    action_matches,
    evaluate,
    read_statement,
    resource_matches,
)
from stptui.sim import trace as tk
from tests.simkit import make_sim, records
from tests.test_emission_permissions import EMITS, ROLE, run_producer, sidecar, stack

JOBS_ARN = "arn:aws:sqs:us-east-1:123456789012:perm-dev-jobs"
EXPLICIT = "with an explicit deny in an identity-based policy"

# -- wildcard matching against a reference ----------------------------------------------


def reference_resource_match(pattern: str, arn: str) -> bool:
    """The IAM User Guide's rule, read literally and matched by backtracking: `?` is one
    character of a segment, `*` any run of them, and a `*` that ends a segment (the last
    character, or one before a colon) may also run across colons."""

    @cache
    def go(i: int, j: int) -> bool:
        if i == len(pattern):
            return j == len(arn)
        c = pattern[i]
        if c == "*":
            crosses = i + 1 == len(pattern) or pattern[i + 1] == ":"
            k = j
            while True:
                if go(i + 1, k):
                    return True
                if k == len(arn) or (arn[k] == ":" and not crosses):
                    return False
                k += 1
        if j == len(arn):
            return False
        if c == "?":
            return arn[j] != ":" and go(i + 1, j + 1)
        return arn[j] == c and go(i + 1, j + 1)

    return go(0, 0)


PATTERN = st.text(alphabet="aB:/*?", max_size=8)
TEXT = st.text(alphabet="aBb:/", max_size=8)


@given(PATTERN, TEXT)
def test_resource_wildcards_match_as_the_reference_does(pattern: str, arn: str) -> None:
    assert resource_matches(pattern, arn) is reference_resource_match(pattern, arn)


@given(st.text(alphabet="aB:*?", max_size=8), st.text(alphabet="aAbB:", max_size=8))
def test_action_wildcards_match_in_any_case(pattern: str, action: str) -> None:
    # fnmatch's `*` and `?` are IAM's for actions (no brackets in this alphabet).
    expected = fnmatch.fnmatchcase(action.lower(), pattern.lower())
    assert action_matches(pattern, action) is expected


@given(TEXT, TEXT)
def test_a_pattern_without_wildcards_matches_only_itself(pattern: str, arn: str) -> None:
    assert resource_matches(pattern, arn) is (pattern == arn)


@pytest.mark.parametrize(
    ("pattern", "matches"),
    [
        ("arn:aws:sqs:*:*:perm-dev-jobs", True),
        ("arn:aws:sqs:us-*:perm-dev-jobs", True),  # `*` ends its segment: crosses colons
        ("arn:aws:sqs:us*012:perm-dev-jobs", False),  # mid-segment `*` stays in its segment
        ("arn:aws:sqs:us-east-1:123456789012:perm-dev-j?bs", True),
        ("arn:aws:sqs:us-east-1:123456789012:PERM-DEV-JOBS", False),  # case-sensitive
        ("*", True),
    ],
)
def test_resource_patterns_on_a_queue_arn(pattern: str, matches: bool) -> None:
    assert resource_matches(pattern, JOBS_ARN) is matches


# -- evaluation -----------------------------------------------------------------------------


def decide(*statements: object, action: str = "sqs:SendMessage") -> tuple[bool, int | None]:
    read = [read_statement(s, i) for i, s in enumerate(statements)]
    decision = evaluate(read, action, Target(JOBS_ARN))
    return decision.allowed, decision.denied_by


ALLOW_ALL = {"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}


@pytest.mark.parametrize(
    ("statements", "verdict"),
    [
        ([ALLOW_ALL], (True, None)),
        ([], (False, None)),  # implicit deny
        ([ALLOW_ALL, {"Effect": "Deny", "Action": ["sqs:Send*"], "Resource": ["*"]}], (False, 1)),
        # Explicit deny wins whatever the order, and whichever Allow.
        ([{"Effect": "Deny", "Action": "SQS:SENDMESSAGE", "Resource": JOBS_ARN}, ALLOW_ALL], (False, 0)),
        # A Deny that covers another action or resource changes nothing.
        ([ALLOW_ALL, {"Effect": "Deny", "Action": ["sqs:ReceiveMessage"], "Resource": "*"}], (True, None)),
        ([ALLOW_ALL, {"Effect": "Deny", "Action": ["*"], "Resource": [JOBS_ARN + "2"]}], (True, None)),
        # NotResource: a Deny of everything but another queue covers this one.
        ([ALLOW_ALL, {"Effect": "Deny", "Action": "sqs:*", "NotResource": [JOBS_ARN + "2"]}], (False, 1)),
        ([ALLOW_ALL, {"Effect": "Deny", "Action": "sqs:*", "NotResource": ["arn:aws:sqs:*:*:*jobs"]}], (True, None)),
        # NotAction: an Allow of everything but SNS; a Deny of everything but SendMessage.
        ([{"NotAction": ["sns:*"], "Resource": "*"}], (True, None)),
        ([{"NotAction": ["sqs:*"], "Resource": "*"}], (False, None)),
        ([ALLOW_ALL, {"Effect": "Deny", "NotAction": ["sqs:SendMessage"], "Resource": "*"}], (True, None)),
        # A Deny whose Condition cannot be evaluated does not refuse.
        ([ALLOW_ALL, {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}], (True, None)),
        # A conditional Allow allows only what its Action and Resource cover.
        ([{"Action": "sqs:SendMessage", "Resource": "*", "Condition": {"x": {}}}], (True, None)),
        ([{"Action": "sns:Publish", "Resource": "*", "Condition": {"x": {}}}], (False, None)),
        # Unreadable statements count as allowing, never as denying.
        ([{"Effect": "Deny", "Action": "*", "NotAction": "sns:*", "Resource": "*"}], (True, None)),
        ([ALLOW_ALL, {"Effect": "deny", "Action": "*", "Resource": "*"}], (True, None)),
        ([ALLOW_ALL, {"Effect": "Deny", "Action": ["*"], "Resource": [{"Fn::GetAtt": "x"}]}], (True, None)),
    ],
)  # fmt: skip
def test_iam_evaluation_explicit_deny_wins_then_allow(
    statements: list[object], verdict: tuple[bool, int | None]
) -> None:
    assert decide(*statements) == verdict


def test_a_put_with_an_unknown_key_is_denied_only_when_every_key_would_be() -> None:
    bucket = "arn:aws:s3:::perm-dev-files"
    where = Target(bucket + "/", prefix=True)

    def verdict(deny: str) -> tuple[bool, int | None]:
        read = [
            read_statement({"Action": "s3:*", "Resource": bucket + "/*"}, 0),
            read_statement({"Effect": "Deny", "Action": "s3:PutObject", "Resource": deny}, 1),
        ]
        decision = evaluate(read, "s3:PutObject", where)
        return decision.allowed, decision.denied_by

    assert verdict(bucket + "/*") == (False, 1)
    assert verdict(bucket + "/secret/*") == (True, None)  # other keys may be written


# -- the simulator --------------------------------------------------------------------------

DENY_SEND = "  - {Effect: Deny, Action: ['sqs:SendMessage'], Resource: ['*']}"


def test_a_deny_overrides_connect_to_with_awss_explicit_deny_message() -> None:
    grant = f"connectTo: [jobs]\niamRoleStatements:\n{DENY_SEND}"
    sim = make_sim(stack(grant), sidecar(EMITS["send"][0]))
    run_producer(sim)
    failed = records(sim, tk.INVOCATION_FAILED, "producer")[0]
    assert failed.get("error") == "AccessDenied"
    assert failed.get("error_message") == (
        f"User: {ROLE} is not authorized to perform: sqs:sendmessage on resource: {JOBS_ARN} "
        f"{EXPLICIT}"
    )
    assert not records(sim, tk.MESSAGE_SENT, "jobs")


@pytest.mark.parametrize("kind", ["notify", "put", "invoke", "putItem"])
def test_each_services_explicit_deny_keeps_its_code_and_spelling(kind: str) -> None:
    item, target, code, action = EMITS[kind]
    grant = f"connectTo: [{target}]\niamRoleStatements:\n  - {{Effect: Deny, Resource: ['*']}}"
    sim = make_sim(stack(grant), sidecar(item))
    run_producer(sim)
    failed = records(sim, tk.INVOCATION_FAILED, "producer")[0]
    assert failed.get("error") == code
    message = failed.get("error_message")
    assert f"is not authorized to perform: {action} on resource: " in message
    assert message.endswith(EXPLICIT)
    assert ('"arn:aws:s3:::' in message) is (kind == "put")


DEST = """\
serviceName: perm
resources:
  dlq: {type: sqs-queue}
  bus: {type: event-bus}
  f:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}
      destinations: {onFailure: "$ResourceParam('dlq', 'arn')"}
      events:
        - type: event-bus
          properties: {eventBusName: bus, eventPattern: {source: [app]}}
"""


def test_a_destination_is_granted_but_a_deny_refuses_its_delivery() -> None:
    sim = make_sim(DEST, "behaviors:\n  f:\n    fail: true\n")
    sim.services["buses"].publish("bus", "app", "T", {})
    sim.advance(10 * 60_000)
    assert records(sim, tk.DESTINATION_DELIVERED, "f")
    assert sim.queue("dlq").depth == 1

    denied = DEST + "      iamRoleStatements:\n" + DENY_SEND.replace("  -", "        -") + "\n"
    sim = make_sim(denied, "behaviors:\n  f:\n    fail: true\n")
    sim.services["buses"].publish("bus", "app", "T", {})
    sim.advance(10 * 60_000)
    (failed,) = records(sim, tk.EMISSION_FAILED, "f")
    assert (failed.get("emission"), failed.get("target")) == ("onFailure", "dlq")
    assert failed.get("error").startswith("AccessDenied: User: arn:aws:sts::123456789012:")
    assert failed.get("error").endswith(EXPLICIT)
    assert not records(sim, tk.DESTINATION_DELIVERED)
    assert sim.queue("dlq").depth == 0


def test_the_destination_grant_also_lets_the_handler_send_there() -> None:
    # Stacktape's `allow-destinations` policy is the function's, whoever makes the call.
    sim = make_sim(DEST, "behaviors:\n  f:\n    emit: [{send: {queue: dlq, body: \"'x'\"}}]\n")
    sim.services["buses"].publish("bus", "app", "T", {})
    sim.advance(60_000)
    assert not records(sim, tk.EMISSION_FAILED)
    assert records(sim, tk.MESSAGE_SENT, "dlq")


STREAM = """\
serviceName: kin
resources:
  clicks: {type: kinesis-stream}
  failed: {type: sqs-queue}
  reader:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      events:
        - type: kinesis-stream
          properties:
            kinesisStreamName: clicks
            maximumRetryAttempts: 0
            onFailure: {arn: "$ResourceParam('failed', 'arn')", type: sqs}
"""


@pytest.mark.parametrize("deny", [False, True])
def test_a_stream_events_on_failure_delivery_is_refused_only_by_a_deny(deny: bool) -> None:
    text = STREAM + ("      iamRoleStatements:\n        - {Effect: Deny, Resource: ['*']}\n")
    sim = make_sim(text if deny else STREAM, "behaviors:\n  reader:\n    fail: true\n")
    sim.services["streams"]["clicks"].put(b"a", "k")
    sim.run(60_000)
    refused = records(sim, tk.EMISSION_FAILED, "reader")
    assert bool(records(sim, tk.STREAM_FAILURE_DELIVERED)) is not deny
    assert [r.get("emission") for r in refused] == (["onFailure"] if deny else [])
    if deny:
        assert refused[0].get("error").endswith(EXPLICIT)
    assert sim.queue("failed").depth == (0 if deny else 1)


# -- stptui validate ------------------------------------------------------------------------


def validate(tmp_path: Path, text: str, behaviors: str, capsys: pytest.CaptureFixture[str]) -> str:
    (tmp_path / "stacktape.yml").write_text(text, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(behaviors, encoding="utf-8")
    main(["validate", str(tmp_path / "stacktape.yml")])
    return capsys.readouterr().out


def test_validate_says_an_explicit_deny_refuses_the_emission_and_which_statement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    grant = f"connectTo: [jobs]\niamRoleStatements:\n  - {{Action: ['*'], Resource: ['*']}}\n{DENY_SEND}"
    out = validate(tmp_path, stack(grant), sidecar(EMITS["send"][0]), capsys)
    assert (
        "warning emission-not-permitted [producer]: producer's role explicitly denies "
        "sqs:SendMessage on 'jobs': its iamRoleStatements[1] (line 23) is a Deny that covers "
        "the call, and an explicit deny overrides every Allow (connectTo included)"
    ) in out
    assert "hint: narrow or remove the Deny in producer's iamRoleStatements[1]" in out
    assert "neither its connectTo" not in out


def test_validate_warns_at_a_destination_and_an_event_source_a_deny_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = DEST.replace("dlq: {type: sqs-queue}", "dlq: {type: sqs-queue}\n  q: {type: sqs-queue}")
    text += (
        "        - {type: sqs, properties: {sqsQueueName: q}}\n"
        "      iamRoleStatements:\n"
        "        - {Effect: Deny, Action: ['sqs:SendMessage', 'sqs:DeleteMessage'], Resource: ['*']}\n"
    )
    out = validate(tmp_path, text, "behaviors: {}\n", capsys)
    path = tmp_path / "stacktape.yml"
    assert (
        f"{path}:10:33: warning delivery-denied [f]: f's iamRoleStatements[0] (line 16) "
        "explicitly denies sqs:SendMessage on 'dlq', its destinations.onFailure"
    ) in out
    assert (
        f"{path}:14:11: warning event-source-denied [f]: f's iamRoleStatements[0] (line 16) "
        "explicitly denies sqs:DeleteMessage on the sqs event's source"
    ) in out
    assert out.count("delivery-denied") == 1 and out.count("event-source-denied") == 1


def test_stacktapes_own_grants_make_no_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack_ = load_stack_text(STREAM + DEST.split("resources:\n", 1)[1])
    assert not [d for d in stack_.diagnostics if d.code.endswith("-denied")]
    out = validate(
        tmp_path, DEST, "behaviors:\n  f:\n    emit: [{send: {queue: dlq, body: x}}]\n", capsys
    )
    assert "emission-not-permitted" not in out


def test_validate_json_carries_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    grant = f"iamRoleStatements:\n{DENY_SEND}"
    (tmp_path / "stacktape.yml").write_text(stack(grant), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(sidecar(EMITS["send"][0]), encoding="utf-8")
    main(["validate", str(tmp_path / "stacktape.yml"), "--format", "json"])
    (diag,) = [
        d for d in json.loads(capsys.readouterr().out) if d["code"] == "emission-not-permitted"
    ]
    assert "explicitly denies" in diag["message"] and "iamRoleStatements[0]" in diag["hint"]
