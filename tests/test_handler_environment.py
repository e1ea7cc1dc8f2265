"""A Python handler runs in its workload's environment: Lambda's runtime variables, the
config's own `environment` and Stacktape's STP_* variables for its `connectTo`, with the
values the simulator names the resources by; nothing of the user's shell, which is back as
it was after the call. Its `context` methods take a target as real code names it: stptui's
name, or the URL, ARN or AWS name the environment holds (docs/python-handlers.md, "The handler's
environment"; docs/fidelity.md)."""

from __future__ import annotations

import ctypes
import itertools
import json
import os
import posix
import subprocess
import sys
from pathlib import Path

import pytest

from stptui.commands import Session, execute
from stptui.sim.behavior import handler_env
from stptui.sim.behavior.handler_env import applied
from stptui.sim.clock import parse_instant

# Where the C library's `environ` can be set (Linux), `applied` swaps the whole environment
# in; elsewhere it changes it one variable at a time. Every test here runs both ways.
SWAPPED = handler_env._environ_pointer() is not None


@pytest.fixture(autouse=True, params=["swapped", "one by one"])
def _how(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """How `applied` changes the environment for the test: `swapped` where it can."""
    if request.param == "swapped" and not SWAPPED:
        pytest.skip("the C library's environ cannot be set here")
    if request.param == "one by one":
        monkeypatch.setattr(handler_env, "_ENVIRON", [None])
    return str(request.param)


T0 = parse_instant("2026-01-05T08:00:00Z")
STACK = """\
resources:
  jobQueue: {type: sqs-queue}
  orderQueue: {type: sqs-queue, properties: {fifoEnabled: true, contentBasedDeduplication: true}}
  events: {type: event-bus}
  alerts: {type: sns-topic}
  orders:
    type: dynamo-db-table
    properties:
      primaryKey:
        partitionKey: {name: id, type: string}
  files: {type: bucket}
  clicks: {type: kinesis-stream}
  flow:
    type: state-machine
    properties:
      definition:
        StartAt: P
        States:
          P: {Type: Pass, End: true}
  other:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/other.py}}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/worker.py}}
      runtime: python3.12
      memory: 512
      environment:
        - name: STAGE_LABEL
          value: test
        - name: STP_JOB_QUEUE_NAME
          value: mine
      connectTo: [jobQueue, orderQueue, events, alerts, orders, files, clicks, flow, other]
  nightly:
    type: batch-job
    properties:
      container:
        packaging: {type: prebuilt-image, properties: {image: app:latest}}
        environment:
          - name: MODE
            value: full
      resources: {cpu: 1, memory: 1024}
      connectTo: [jobQueue]
"""
HANDLERS = """\
import ctypes
import json
import os
import posix


def dump(event, context):
    print(json.dumps(dict(os.environ), sort_keys=True))
    context.log(json.dumps(context.environment, sort_keys=True))


def send_via_env(event, context):
    context.send(os.environ["STP_JOB_QUEUE_URL"], {"n": 1})
    context.send(os.environ["STP_ORDER_QUEUE_URL"], {"n": 2}, group="g")
    context.publish(os.environ["STP_EVENTS_ARN"], "app", "Made", {})
    context.notify(os.environ["STP_ALERTS_ARN"], "hi")
    context.put_item(os.environ["STP_ORDERS_NAME"], {"id": "a"})
    context.put_item(os.environ["STP_ORDERS_ARN"], {"id": "b"})
    context.put_object(os.environ["STP_FILES_NAME"], "k1", "x")
    context.put_object(os.environ["STP_FILES_ARN"], "k2", "x")
    context.put_record(os.environ["STP_CLICKS_NAME"], "x", "p")
    context.put_record(os.environ["STP_CLICKS_ARN"], "x", "p")
    context.start_execution(os.environ["STP_FLOW_ARN"], {})
    context.invoke(os.environ["STP_OTHER_ARN"], {})


def send_by_forms(event, context):
    for target in event["targets"]:
        context.send(target, {"to": target})


def send_to(event, context):
    context.send(event["target"], {})


def publish_to(event, context):
    context.publish(event["target"], "app", "Made", {})


def invoke_by(event, context):
    context.invoke(event["target"], {})


def c_level(event, context):
    # What the process's environment held at the call's start, as a child process sees it.
    getenv = ctypes.CDLL(None).getenv
    getenv.restype = ctypes.c_char_p
    context.log(repr([getenv(b"LEFT_BY_PUTENV"), getenv(b"LANG"), getenv(b"TZ")]))
    os.putenv("LEFT_BY_PUTENV", "1")
    os.unsetenv("LANG")
    posix.putenv(b"TZ", b"EST5EDT")


def meddle(event, context):
    os.environ["LEFT_BY_HANDLER"] = "1"
    del os.environ["PATH"]
    if event.get("exit"):
        raise SystemExit(3)
    raise RuntimeError("boom")
"""
SHELL_ONLY = "STPTUI_TEST_SHELL_ONLY"


def _session(folder: Path, handler: str, job_handler: str = "dump") -> Session:
    (folder / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (folder / "stptui.yml").write_text(
        "behaviors:\n"
        f"  worker:\n    handler: env_handlers:{handler}\n"
        f"  nightly:\n    handler: env_handlers:{job_handler}\n",
        encoding="utf-8",
    )
    (folder / "env_handlers.py").write_text(HANDLERS, encoding="utf-8")
    return Session.open(folder, start_ms=T0, allow_code=True)


def _logs(s: Session, resource: str = "worker") -> list[str]:
    """The handler's log lines: `dump` logs context.environment, then prints os.environ."""
    records = s.sim.trace.records
    return [r.get("text") for r in records if r.kind == "handler.log" and r.resource == resource]


def test_a_function_sees_lambda_variables_its_own_and_its_connect_to(tmp_path: Path) -> None:
    s = _session(tmp_path, "dump")
    execute(s, "invoke worker {}")
    execute(s, "advance 1s")
    given, seen = (json.loads(line) for line in _logs(s))
    assert seen == given
    sim = s.sim
    assert seen["AWS_LAMBDA_FUNCTION_NAME"] == "app-dev-worker"
    assert seen["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "512"
    assert seen["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert seen["AWS_REGION"] == seen["AWS_DEFAULT_REGION"] == sim.region
    assert seen["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    group = sim.services["logs"].group("worker")
    assert seen["AWS_LAMBDA_LOG_GROUP_NAME"] == group.name == "/aws/lambda/app-dev-worker"
    assert seen["AWS_LAMBDA_LOG_STREAM_NAME"] == group.stream(0)
    assert seen["LAMBDA_TASK_ROOT"] == "/var/task"
    assert seen["TZ"] == ":UTC"
    assert seen["AWS_ACCESS_KEY_ID"] == "AKIAIOSFODNN7EXAMPLE"
    # The values are the simulator's own names of the resources.
    assert seen["STP_JOB_QUEUE_URL"] == sim.queues["jobQueue"].url
    assert seen["STP_JOB_QUEUE_ARN"] == sim.queues["jobQueue"].arn
    assert seen["STP_ORDER_QUEUE_URL"] == sim.queues["orderQueue"].url
    assert seen["STP_ORDER_QUEUE_URL"].endswith(".fifo")
    assert seen["STP_EVENTS_ARN"] == sim.services["buses"].buses["events"].arn
    assert seen["STP_OTHER_ARN"] == sim.functions["other"].arn
    assert seen["STP_FLOW_ARN"] == sim.arn("flow")
    assert seen["STP_ORDERS_NAME"] == sim.resource_param("orders", "name")
    assert seen["STP_FILES_NAME"] == sim.resource_param("files", "name")
    assert seen["STP_CLICKS_NAME"] == sim.resource_param("clicks", "name")
    # The config's own variables, and its value where it names an STP_* variable itself.
    assert seen["STAGE_LABEL"] == "test"
    assert seen["STP_JOB_QUEUE_NAME"] == "mine"


def test_the_shell_is_not_seen_and_is_back_after_the_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SHELL_ONLY, "from the shell")
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    monkeypatch.delenv("STAGE_LABEL", raising=False)
    before = dict(os.environ)
    s = _session(tmp_path, "dump")
    execute(s, "invoke worker {}")
    execute(s, "advance 1s")
    seen = json.loads(_logs(s)[1])
    assert SHELL_ONLY not in seen
    assert seen["AWS_REGION"] == s.sim.region == "us-east-1"
    assert dict(os.environ) == before


@pytest.mark.parametrize("event", ["{}", '{"exit": true}'])
def test_the_environment_is_restored_after_an_exception(tmp_path: Path, event: str) -> None:
    before = dict(os.environ)
    s = _session(tmp_path, "meddle")
    execute(s, f"invoke worker '{event}'")
    execute(s, "advance 1s")
    (failed,) = [r for r in s.sim.trace.records if r.kind == "invocation.failed"]
    assert failed.get("error") == ("Runtime.ExitError" if "exit" in event else "RuntimeError")
    assert dict(os.environ) == before
    assert "LEFT_BY_HANDLER" not in os.environ


def test_every_call_starts_from_the_configured_environment(tmp_path: Path) -> None:
    s = _session(tmp_path, "meddle")
    execute(s, "invoke worker {}")
    execute(s, "advance 1s")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  worker:\n    handler: env_handlers:dump\n", encoding="utf-8"
    )
    execute(s, "reload")
    execute(s, "invoke worker {}")
    execute(s, "advance 1s")
    seen = json.loads(_logs(s)[-1])
    assert "LEFT_BY_HANDLER" not in seen
    assert seen["PATH"].startswith("/var/lang/bin:")


def test_applied_skips_what_the_os_cannot_hold_and_restores_exactly() -> None:
    before = dict(os.environ)
    with applied({"GOOD": "1", "BAD=NAME": "x", "NUL": "a\0b"}):
        assert dict(os.environ) == {"GOOD": "1"}
    assert dict(os.environ) == before


def test_applied_restores_after_a_ctrl_c_half_way_in(
    monkeypatch: pytest.MonkeyPatch, _how: str
) -> None:
    """A KeyboardInterrupt while the handler's variables are being put in (before the block
    runs, so `with` would not undo it) still leaves os.environ as it was, and the process's
    environment."""
    monkeypatch.setenv(SHELL_ONLY, "from the shell")
    before, c_before = dict(os.environ), _c_environ() if os.name == "posix" else {}
    if _how == "swapped":
        # os.environ's mapping is the handler's by then; the C library's not yet.
        def interrupted(address: object) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(handler_env, "_RESTORED", [None])
        monkeypatch.setattr(handler_env, "_process_environment", interrupted)
        with pytest.raises(KeyboardInterrupt), applied({"A": "1", "B": "2", "C": "3"}):
            pytest.fail("the block ran")
    else:
        putenv, calls = os.putenv, []

        def interrupted_putenv(name: object, value: object) -> None:
            calls.append(name)
            if len(calls) == 2:
                raise KeyboardInterrupt
            putenv(name, value)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "putenv", interrupted_putenv)
        with pytest.raises(KeyboardInterrupt), applied({"A": "1", "B": "2", "C": "3"}):
            pytest.fail("the block ran")
        monkeypatch.setattr(os, "putenv", putenv)
    assert dict(os.environ) == before
    assert (_c_environ() if os.name == "posix" else {}) == c_before


def _c_environ() -> dict[bytes, bytes]:
    """The C library's environment (what a child process would inherit), read in place."""
    entries = ctypes.POINTER(ctypes.c_char_p).in_dll(ctypes.CDLL(None), "environ")
    found: dict[bytes, bytes] = {}
    for i in itertools.count():
        entry = entries[i]
        if entry is None:
            return found
        name, _, value = entry.partition(b"=")
        found[name] = value
    raise AssertionError("unreachable")


@pytest.mark.skipif(os.name != "posix", reason="reads the C library's environ")
def test_putenv_and_unsetenv_are_undone_and_the_next_call_does_not_see_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """os.putenv and os.unsetenv change the process's environment behind os.environ's back:
    a handler that calls them leaves nothing behind, for stptui or for its next call. The
    shell's LANG and TZ have the handler's values, so os.environ sees no change to undo."""
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.setenv("TZ", ":UTC")
    monkeypatch.delenv("LEFT_BY_PUTENV", raising=False)
    before = _c_environ()
    s = _session(tmp_path, "c_level")
    for _ in range(2):
        execute(s, "invoke worker {}")
        execute(s, "advance 1s")
    assert _c_environ() == before
    assert _logs(s) == ["[None, b'en_US.UTF-8', b':UTC']"] * 2


@pytest.mark.skipif(os.name != "posix", reason="reads the C library's environ")
def test_applied_undoes_putenv_of_a_name_os_environ_does_not_know(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A variable a C library set behind os.environ's back (readline's COLUMNS) gets its
    value back; one a reference to putenv taken in the block sets later is left alone."""
    monkeypatch.delenv("STPTUI_TEST_C_ONLY", raising=False)
    os.putenv("STPTUI_TEST_C_ONLY", "shell")
    try:
        before = _c_environ()
        with applied({"GOOD": "1"}):
            putenv = os.putenv
            putenv("STPTUI_TEST_C_ONLY", "handler")
            os.unsetenv("GOOD")
        assert _c_environ() == before
        assert (os.putenv, os.unsetenv) == (posix.putenv, posix.unsetenv)
        putenv("STPTUI_TEST_C_ONLY", "after")
        assert _c_environ()[b"STPTUI_TEST_C_ONLY"] == b"after"
    finally:
        os.unsetenv("STPTUI_TEST_C_ONLY")


def _inherited() -> dict[str, str]:
    """The environment a child process starts with (the C library's, not os.environ)."""
    out = subprocess.run(["/usr/bin/env", "-0"], capture_output=True, check=True).stdout
    return dict(os.fsdecode(e).split("=", 1) for e in out.split(b"\0") if e)


@pytest.mark.skipif(not Path("/usr/bin/env").exists(), reason="needs /usr/bin/env")
def test_a_child_process_inherits_the_handlers_environment_and_then_the_shells(
    monkeypatch: pytest.MonkeyPatch, _how: str
) -> None:
    """`applied` changes the process's environment itself, as os.environ's own setters do:
    a process the handler starts sees the handler's variables, one started after, the
    shell's. Swapped in whole, the handler's environment has nothing a C library set
    behind os.environ's back either; changed one variable at a time, that stays."""
    monkeypatch.setenv(SHELL_ONLY, "from the shell")
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    before, outside = dict(os.environ), _inherited()
    # What a C library set behind os.environ's back (readline's COLUMNS and LINES), which
    # os.environ does not know of.
    unknown = {name: value for name, value in outside.items() if name not in before}
    with applied({"AWS_REGION": "us-east-1", "GOOD": "1", "BAD=NAME": "x"}):
        inside = _inherited()
        os.environ["LEFT_BY_HANDLER"] = "1"
        del os.environ["AWS_REGION"]
    assert inside == {
        "AWS_REGION": "us-east-1",
        "GOOD": "1",
        **({} if _how == "swapped" else unknown),
    }
    assert dict(os.environ) == before
    assert _inherited() == outside


def test_every_identifier_the_environment_holds_is_accepted(tmp_path: Path) -> None:
    s = _session(tmp_path, "send_via_env")
    execute(s, "invoke worker {}")
    execute(s, "advance 1s")
    kinds = [(r.kind, r.resource) for r in s.sim.trace.records]
    assert ("invocation.succeeded", "worker") in kinds
    for expected, count in [
        (("message.sent", "jobQueue"), 1),
        (("message.sent", "orderQueue"), 1),
        (("event.published", "events"), 1),
        (("topic.published", "alerts"), 1),
        (("item.put", "orders"), 2),
        (("object.created", "files"), 2),
        (("stream.record_put", "clicks"), 2),
        (("sfn.execution.started", "flow"), 1),
        (("invocation.started", "other"), 1),
    ]:
        assert kinds.count(expected) == count, expected


def test_a_queue_is_named_by_its_name_url_arn_or_aws_name(tmp_path: Path) -> None:
    s = _session(tmp_path, "send_by_forms")
    q = s.sim.queues["jobQueue"]
    forms = ["jobQueue", q.url, q.arn, "app-dev-jobQueue"]
    execute(s, f"invoke worker '{json.dumps({'targets': forms})}'")
    execute(s, "advance 1s")
    sent = [r for r in s.sim.trace.records if r.kind == "message.sent"]
    assert [r.resource for r in sent] == ["jobQueue"] * 4


@pytest.mark.parametrize(
    "handler,target,reached",
    [
        # The account's default bus, which the worker's connectTo does not reach: refused by
        # IAM, named as stptui names it.
        ("publish_to", "default", ("emission.failed", "default")),
        (
            "publish_to",
            "arn:aws:events:us-east-1:123456789012:event-bus/default",
            ("emission.failed", "default"),
        ),
        ("publish_to", "app-dev-events", ("event.published", "events")),
        ("invoke_by", "app-dev-other", ("invocation.started", "other")),
        ("invoke_by", "app-dev-other:$LATEST", ("invocation.started", "other")),
        ("invoke_by", "123456789012:function:app-dev-other", ("invocation.started", "other")),
    ],
)
def test_other_aws_forms_are_accepted(
    tmp_path: Path, handler: str, target: str, reached: tuple[str, str]
) -> None:
    s = _session(tmp_path, handler)
    execute(s, f"invoke worker '{json.dumps({'target': target})}'")
    execute(s, "advance 1s")
    named = [
        (r.kind, r.get("target") if r.kind == "emission.failed" else r.resource)
        for r in s.sim.trace.records
    ]
    assert reached in named
    errors = [r.get("error") for r in s.sim.trace.records if r.kind == "invocation.failed"]
    assert "BehaviorError" not in errors


@pytest.mark.parametrize(
    "target,said",
    [
        (
            "https://sqs.us-east-1.amazonaws.com/123456789012/app-dev-nope",
            "no sqs-queue of the stack has the URL, ARN or name "
            "'https://sqs.us-east-1.amazonaws.com/123456789012/app-dev-nope'; the stack has: "
            "jobQueue (https://sqs.us-east-1.amazonaws.com/123456789012/app-dev-jobQueue), "
            "orderQueue (https://sqs.us-east-1.amazonaws.com/123456789012/"
            "app-dev-orderQueue.fifo)",
        ),
        ("jobQeue", "no sqs-queue named 'jobQeue' in the stack; did you mean 'jobQueue'?"),
        (
            # A topic's ARN names no queue.
            "arn:aws:sns:us-east-1:123456789012:app-dev-alerts",
            "no sqs-queue of the stack has the URL, ARN or name "
            "'arn:aws:sns:us-east-1:123456789012:app-dev-alerts'",
        ),
    ],
)
def test_an_identifier_the_stack_lacks_fails_the_invocation_saying_so(
    tmp_path: Path, target: str, said: str
) -> None:
    s = _session(tmp_path, "send_to")
    execute(s, f"invoke worker '{json.dumps({'target': target})}'")
    execute(s, "advance 1s")
    (failed,) = [r for r in s.sim.trace.records if r.kind == "invocation.failed"]
    assert failed.get("error") == "BehaviorError"
    assert said in failed.get("error_message")
    assert not [r for r in s.sim.trace.records if r.kind == "message.sent"]


def test_a_target_that_is_not_text_is_a_behavior_error(tmp_path: Path) -> None:
    s = _session(tmp_path, "send_to")
    execute(s, """invoke worker '{"target": ["jobQueue"]}'""")
    execute(s, "advance 1s")
    (failed,) = [r for r in s.sim.trace.records if r.kind == "invocation.failed"]
    assert failed.get("error") == "BehaviorError"
    assert failed.get("error_message").startswith("the sqs-queue must be named by text, not list")


def test_a_batch_job_sees_its_container_environment_and_the_attempts(tmp_path: Path) -> None:
    s = _session(tmp_path, "dump", job_handler="dump")
    execute(s, """start-job nightly '{"n": 7}'""")
    execute(s, "advance 1s")
    given, seen = (json.loads(line) for line in _logs(s, "nightly"))
    assert seen == given
    assert json.loads(seen["STP_TRIGGER_EVENT_DATA"]) == {"n": 7}
    assert seen["STP_CURRENT_ATTEMPT"] == "1"
    assert seen["STP_MAXIMUM_ATTEMPTS"] == "1"
    assert seen["AWS_REGION"] == "us-east-1"
    assert seen["MODE"] == "full"
    assert seen["STP_JOB_QUEUE_URL"] == s.sim.queues["jobQueue"].url
    assert "AWS_LAMBDA_FUNCTION_NAME" not in seen


def test_the_same_run_twice_gives_the_same_trace(tmp_path: Path) -> None:
    lines = []
    for run in ("a", "b"):
        folder = tmp_path / run
        folder.mkdir()
        s = _session(folder, "dump")
        execute(s, "invoke worker {}")
        execute(s, "advance 1s")
        lines.append([r.to_line() for r in s.sim.trace.records])
    assert lines[0] == lines[1]


POLLER_STACK = """\
resources:
  jobs: {type: sqs-queue}
  files: {type: bucket}
  poller:
    type: worker-service
    properties:
      packaging: {type: prebuilt-image, properties: {image: w}}
      resources: {cpu: 0.25, memory: 512}
      environment:
        - name: ROLE
          value: poller
      connectTo: [jobs, files]
"""


def test_a_container_sees_its_container_environment(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(POLLER_STACK, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  poller:\n    poll: {queue: jobs}\n    handler: env_handlers:dump\n",
        encoding="utf-8",
    )
    (tmp_path / "env_handlers.py").write_text(HANDLERS, encoding="utf-8")
    s = Session.open(tmp_path, start_ms=T0, allow_code=True)
    execute(s, "send jobs hello")
    execute(s, "advance 1s")
    given, seen = (json.loads(line) for line in _logs(s, "poller"))
    assert seen == given
    assert seen["ROLE"] == "poller"
    assert seen["STP_FILES_NAME"] == s.sim.resource_param("files", "name")
    assert seen["STP_JOBS_URL"] == s.sim.queues["jobs"].url
    assert seen["AWS_REGION"] == "us-east-1"
    # A web, private or worker service's container is Stacktape's `service-container`: no
    # PORT or HOST for a worker service (a web service's container gets them).
    assert "PORT" not in seen
    assert "AWS_LAMBDA_FUNCTION_NAME" not in seen


CHAT_STACK = """\
resources:
  chat: {type: websocket-api-gateway}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.py}}
      connectTo: [chat]
"""
CHAT_HANDLER = """\
import os


def post(event, context):
    for gateway in (
        os.environ["STP_CHAT_MANAGEMENT_ENDPOINT"],
        os.environ["STP_CHAT_API_ID"],
        os.environ["STP_CHAT_URL"],
    ):
        try:
            context.post_to_connection("AAAAAAAAAAAAAAA=", "hi", gateway=gateway)
        except Exception as exc:
            context.log(f"{type(exc).__name__}: {exc}")
"""


def test_a_websocket_api_is_named_by_its_management_endpoint_id_or_url(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(CHAT_STACK, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  worker:\n    handler: chat_handler:post\n", encoding="utf-8"
    )
    (tmp_path / "chat_handler.py").write_text(CHAT_HANDLER, encoding="utf-8")
    s = Session.open(tmp_path, start_ms=T0, allow_code=True)
    execute(s, "invoke worker {}")
    execute(s, "advance 1s")
    # Each post reaches the API, whose connection is gone: the call raises GoneException
    # (not a BehaviorError for a name that names nothing), and is recorded.
    assert [line.split(":")[0] for line in _logs(s)] == ["GoneException"] * 3
    failed = [r for r in s.sim.trace.records if r.kind == "emission.failed"]
    assert [(r.get("target"), "GoneException" in r.get("error")) for r in failed] == [
        ("chat", True)
    ] * 3


@pytest.mark.parametrize(
    "stack_file",
    [
        "stptui/sample_stacks/combined/stacktape.yml",
        "docs/examples/chat.yml",
        "docs/examples/fifo.yml",
        "docs/examples/click-chain.yml",
        "docs/examples/workflow.yml",
        "docs/examples/container-shop.yml",
        "",  # this module's STACK: every type a handler writes to
    ],
)
def test_every_stp_identifier_names_its_resource(stack_file: str) -> None:
    """Whatever a workload's STP_* variable holds for a queue's URL, a bus's ARN, a table's
    name ..., the `context` methods take it for that very resource."""
    from stptui.config import load_stack_text
    from stptui.config.envvars import env_var_name, environments
    from stptui.config.permissions import EMISSION_TARGET_TYPES
    from stptui.sim.behavior import Behaviors
    from stptui.sim.behavior.handler_targets import _PARAMS

    root = Path(__file__).resolve().parents[1]
    text = (root / stack_file).read_text(encoding="utf-8") if stack_file else STACK
    stack = load_stack_text(text, stack_file or "stacktape.yml")
    behaviors, _ = Behaviors.from_text("behaviors: {}\n", "stptui.yml", stack)
    kinds = {rtype: kind for kind, rtype in reversed(EMISSION_TARGET_TYPES.items())}
    checked = set()
    for resource in stack.resources.values():
        for _, entries in environments(stack, resource):
            for e in entries:
                target = stack.resources.get(e.source)
                if target is None or target.type not in kinds:
                    continue
                names = {env_var_name(e.source, p) for p in _PARAMS[target.type]}
                if e.name in names:
                    assert behaviors.check_target(kinds[target.type], e.value) == e.source, e
                    checked.add(target.type)
    assert checked
    if not stack_file:
        assert checked == set(kinds) - {"websocket-api-gateway"}


PAIR_STACK = """\
resources:
  jobs: {type: sqs-queue}
  pair:
    type: multi-container-workload
    properties:
      resources: {cpu: 0.25, memory: 512}
      connectTo: [jobs]
      containers:
        - name: a
          packaging: {type: prebuilt-image, properties: {image: w}}
          environment:
            - name: WHO
              value: a
        - name: b
          packaging: {type: prebuilt-image, properties: {image: w}}
          environment:
            - name: WHO
              value: b
"""


def test_a_container_of_several_sees_its_own_variables(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(PAIR_STACK, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  pair.b:\n    poll: {queue: jobs}\n    handler: env_handlers:dump\n",
        encoding="utf-8",
    )
    (tmp_path / "env_handlers.py").write_text(HANDLERS, encoding="utf-8")
    s = Session.open(tmp_path, start_ms=T0, allow_code=True)
    execute(s, "send jobs hello")
    execute(s, "advance 1s")
    given, seen = (json.loads(line) for line in _logs(s, "pair"))
    assert seen == given
    assert seen["WHO"] == "b"
    assert seen["STP_JOBS_URL"] == s.sim.queues["jobs"].url


def test_an_upstash_topic_is_named_by_its_topic_name_variable() -> None:
    from stptui.config import load_stack_text
    from stptui.config.envvars import workload_environment
    from stptui.sim.behavior import Behaviors

    path = Path(__file__).resolve().parents[1] / "docs" / "examples" / "kafka-starter.yml"
    stack = load_stack_text(path.read_text(encoding="utf-8"), str(path))
    behaviors, _ = Behaviors.from_text("behaviors: {}\n", "stptui.yml", stack)
    names = {
        e.value
        for w in stack.functions
        for e in workload_environment(stack, w)
        if e.name == "STP_KAFKA_TOPIC_TOPIC_NAME"
    }
    assert names == {"kafka-starter-dev-kafkaTopic"}
    assert behaviors.check_target("produce", names.pop()) == "kafkaTopic"
    assert behaviors.check_target("produce", "kafkaTopic") == "kafkaTopic"


@pytest.mark.skipif(os.name != "posix", reason="reads the C library's environ")
def test_what_the_process_sets_between_two_calls_stays_and_neither_call_sees_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Between two handlers' calls that add variables (the C library then makes arrays of
    its own), stptui's own code sets and removes variables: each call sees only its own
    environment, and afterwards the process has exactly what it set."""
    monkeypatch.setenv(SHELL_ONLY, "from the shell")
    monkeypatch.delenv("STPTUI_TEST_BETWEEN", raising=False)
    with applied({"GOOD": "1"}):
        os.environ["ADDED_BY_HANDLER"] = "1"
        os.putenv("PUT_BY_HANDLER", "1")
    os.environ["STPTUI_TEST_BETWEEN"] = "set between"
    del os.environ[SHELL_ONLY]
    expected, c_expected = dict(os.environ), _c_environ()
    assert c_expected[b"STPTUI_TEST_BETWEEN"] == b"set between"
    with applied({"GOOD": "2"}):
        inside = _c_environ()
        assert inside[b"GOOD"] == b"2" and b"STPTUI_TEST_BETWEEN" not in inside
        assert dict(os.environ) == {"GOOD": "2"}
        os.environ["ADDED_BY_HANDLER"] = "2"
    assert dict(os.environ) == expected
    assert _c_environ() == c_expected
    del os.environ["STPTUI_TEST_BETWEEN"]


@pytest.mark.skipif(not Path("/usr/bin/env").exists(), reason="needs /usr/bin/env")
def test_a_process_that_ran_a_handler_exits_normally_and_its_children_see_the_shell(
    tmp_path: Path,
) -> None:
    """The process's environment after a handler's call is stptui's own copy, which lives
    as long as the process: a child process started after, and the interpreter's exit,
    find the shell's variables."""
    code = (
        "import os, subprocess, sys\n"
        "from stptui.sim.behavior.handler_env import applied\n"
        "with applied({'GOOD': '1'}):\n"
        "    os.environ['ADDED'] = '1'\n"
        "out = subprocess.run(['/usr/bin/env'], capture_output=True, text=True).stdout\n"
        "assert 'STPTUI_TEST_SHELL=kept' in out.splitlines(), out\n"
        "assert 'GOOD=1' not in out.splitlines() and 'ADDED=1' not in out.splitlines(), out\n"
    )
    env = {**os.environ, "STPTUI_TEST_SHELL": "kept"}
    ended = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert (ended.returncode, ended.stderr) == (0, "")
