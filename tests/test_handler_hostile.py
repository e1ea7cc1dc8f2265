"""Python handlers used by hostile code: whatever a handler passes to its `context` or to
boto3, whatever it does to what it was given or to the process it runs in, the simulation
answers with an error raised into the handler (or the invocation's error) and goes on; no
input ends in a traceback of stptui, and the process is as it was after every run."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from stptui.commands import Session, execute
from stptui.sim import trace as tk

START = 1_767_600_000_000  # 2026-01-05T08:00:00Z
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: p.ts}}"

STACK = f"""
serviceName: hostile
resources:
  jobs:
    type: sqs-queue
  alerts:
    type: sns-topic
  bus:
    type: event-bus
  files:
    type: bucket
  orders:
    type: dynamo-db-table
    properties:
      primaryKey:
        partitionKey: {{name: pk, type: string}}
  flow:
    type: state-machine
    properties:
      definition:
        StartAt: Done
        States: {{Done: {{Type: Succeed}}}}
  again:
    type: state-machine
    properties:
      definition:
        StartAt: Call
        States:
          Call:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters:
              FunctionName: $ResourceParam('inner', 'arn')
              Payload.$: $
            End: true
  inner:
    type: function
    properties:
      {PKG}
      connectTo: [jobs]
  writer:
    type: function
    properties:
      {PKG}
      timeout: 5
      connectTo: [jobs, alerts, bus, files, orders, flow, again, outsider]
  outsider:
    type: function
    properties:
      {PKG}
"""

# The handlers: `run` makes the call its event names with hostile values built here, at
# once or after a sleep, then (`mutate`) changes what it passed; the others attack the
# context and the process.
HANDLERS = '''
import os
import sys
import types


class Hostile(str):
    """Text whose own methods all raise: stptui must read it as the text it holds."""

    def __str__(self):
        raise RuntimeError("__str__")

    def __repr__(self):
        raise RuntimeError("__repr__")

    def encode(self, *args, **kwargs):
        raise RuntimeError("encode")

    def __len__(self):
        raise RuntimeError("__len__")


class Lying(dict):
    """A dict whose deep copy is not JSON."""

    def __deepcopy__(self, memo):
        return {"x": {1, 2}}


def value(name):
    return {
        "hostile": Hostile("h"),
        "lying": Lying(a=1),
        "int_names": {1: "a"},
        "none_names": {None: "a"},
        "float_names": {1.5: "a"},
    }[name]


def run(event, context):
    args = [value(a[1:]) if isinstance(a, str) and a.startswith("$") else a for a in event["args"]]
    kwargs = {k: value(v[1:]) if isinstance(v, str) and v.startswith("$") else v
              for k, v in event.get("kwargs", {}).items()}
    if event.get("sleep"):
        context.sleep(event["sleep"])
    try:
        getattr(context, event["method"])(*args, **kwargs)
        got = "ok"
    except Exception as exc:
        got = type(exc).__name__
    for a in (*args, *kwargs.values()):
        if isinstance(a, dict) and not isinstance(a, Lying):
            a.clear()
            a[7] = {1, 2}
    return got


class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("no message")


def unprintable(event, context):
    raise Unprintable()


class Shows:
    """An object whose str() is Hostile text."""

    def __str__(self):
        return Hostile("shown")


def logs(event, context):
    context.log(Shows())
    print(Shows())
    return "logged"


def renamed(event, context):
    """An exception whose class's name is text with raising methods."""
    error = type("Renamed", (Exception,), {})
    error.__name__ = Hostile("Renamed")
    raise error("renamed")


def overwrite(event, context):
    """Write over the context's bookkeeping."""
    failed = []
    for name, val in (("slept_ms", "x"), ("logs", None), ("later", [1]), ("emissions", 5),
                      ("denied", 5)):
        try:
            setattr(context, name, val)
        except AttributeError:
            failed.append(name)
    return failed


def process(event, context):
    """Change the process the handler runs in."""
    os.chdir("/")
    os.environ = {"REPLACED": "1"}
    sys.modules["boto3"] = types.ModuleType("not_boto3")
    sys.path.clear()
    return "changed"


def interrupt(event, context):
    """Raise what a Ctrl-C raises, or (`signal`) have a SIGINT arrive as the user's Ctrl-C
    does (the handler's own signal to its process is its runtime's end: handler_exits)."""
    if event.get("signal"):
        import _thread

        _thread.interrupt_main()
    raise KeyboardInterrupt("raised by the handler")


def boto3_hostile(event, context):
    """boto3 calls with values whose own methods raise, or whose repr does."""
    import copy

    import boto3

    out = []
    table = Hostile("orders")
    out.append(boto3.client("dynamodb").get_item(TableName=table, Key={"pk": {"S": "a"}}))
    client = boto3.client("sqs")
    try:
        client.send_message(QueueUrl="jobs", MessageBody=10**5000)
    except Exception as exc:
        out.append([type(exc).__name__, str(exc)])
    copied = copy.deepcopy(boto3.client("s3"))
    out.append(copied.meta.region_name)
    out.append(copy.copy(client).send_message(QueueUrl="jobs", MessageBody="x")["MD5OfMessageBody"])
    return out


def reenter(event, context):
    """Start an execution whose Task runs `inner` inside this call, then go on."""
    import boto3

    os.environ["MARK"] = "outer"
    cwd = os.getcwd()
    context.start_execution("again", {})
    import boto3 as again

    again.client("sqs").send_message(QueueUrl="jobs", MessageBody="outer")
    return [os.environ.get("MARK"), os.getcwd() == cwd, again is boto3]


def inner(event, context):
    """Run inside another handler's call: change the process, write, and interrupt."""
    import boto3

    os.environ.clear()
    os.chdir("/")
    sys.modules["boto3"] = types.ModuleType("junk")
    boto3.client("sqs").send_message(QueueUrl="jobs", MessageBody="inner")
    raise KeyboardInterrupt("inner")


def regions(event, context):
    """The region of clients made as Lambda code makes them."""
    import boto3
    from botocore.config import Config

    return [
        boto3.client("s3", "eu-central-1").meta.region_name,
        boto3.client("sqs").meta.region_name,
        boto3.client("sqs", config=Config(region_name="ap-south-1")).meta.region_name,
        boto3.Session(region_name="sa-east-1").client("sqs").meta.region_name,
        boto3.Session(profile_name="prod").client("sqs").meta.region_name,
    ]


def exits(event, context):
    """End the process each way Python can, or call os._exit wrongly."""
    import posix

    how = event["how"]
    if how == "os._exit":
        os._exit(event["status"])
    if how == "posix._exit":
        posix._exit(2)
    if how == "exit":
        exit(3)
    if how == "quit":
        quit("bye")
    if how == "caught":
        try:
            os._exit(4)
        finally:
            return "after os._exit"


def inner_exits(event, context):
    """Run inside another handler's call, and end the process there."""
    os._exit(6)


KEPT = []


def keep(event, context):
    """Keep the first invocation's context; use it in the next (same environment)."""
    if KEPT:
        return use_kept(event, context)
    KEPT.append(context)


def use_kept(event, context):
    try:
        KEPT[0].send("jobs", "late")
    except Exception as exc:
        return type(exc).__name__, str(exc)
    return "sent"
'''

BEHAVIORS = """
behaviors:
  writer: {duration: 10ms, handler: "probe:run"}
"""


def open_session(tmp_path: Path, behaviors: str = BEHAVIORS) -> Session:
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "probe.py").write_text(textwrap.dedent(HANDLERS), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(textwrap.dedent(behaviors), encoding="utf-8")
    return Session.open(
        tmp_path / "stacktape.yml",
        behaviors_path=tmp_path / "stptui.yml",
        start_ms=START,
        allow_code=True,
    )


@pytest.fixture
def s(tmp_path: Path) -> Session:
    return open_session(tmp_path)


def call(s: Session, method: str, *args: Any, sleep: int = 0, **kwargs: Any) -> Any:
    """Invoke `writer` making one context call (`"$name"` a hostile value of probe.py), then
    run the clock past the call's instant: its response, or its error type."""
    event = {"method": method, "args": list(args), "kwargs": kwargs, "sleep": sleep}
    data = execute(s, f"invoke writer '{json.dumps(event)}'").data
    execute(s, "advance 1s")
    return data["response"] if data.get("error") is None else data["error"]


def records(s: Session, kind: str) -> list[Any]:
    return [r for r in s.sim.trace.records if r.kind == kind]


# -- values whose own methods are hostile ---------------------------------------------------


@pytest.mark.parametrize("sleep", [0, 100], ids=["at the call", "after a sleep"])
@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("send", ["jobs", "$hostile"]),
        ("send", ["jobs", "x", None, None, "$hostile"]),
        ("notify", ["alerts", "$hostile"]),
        ("notify", ["alerts", "m", "$hostile"]),
        ("put_object", ["files", "k", "$hostile"]),
        ("put_item", ["orders", {"pk": "a"}, "$hostile"]),
        ("update_item", ["orders", {"pk": "a"}, "$hostile"]),
        ("start_execution", ["flow", "$hostile"]),
        ("start_execution", ["flow", {}, "$hostile"]),
    ],
)
def test_text_whose_methods_raise_is_taken_as_the_text_it_holds(
    s: Session, method: str, args: list[Any], sleep: int
) -> None:
    # A str subclass passes every isinstance check: the engine kept it and called its
    # methods later (a traceback of stptui when the call was made after a sleep).
    got = call(s, method, *args, sleep=sleep)
    assert got in ("ok", "ClientError", "BehaviorError", "FieldError", "ValidationException")
    assert records(s, tk.INVOCATION_SUCCEEDED)


def test_a_message_body_of_a_str_subclass_is_stored_as_plain_text(s: Session) -> None:
    assert call(s, "send", "jobs", "$hostile", sleep=100) == "ok"
    (sent,) = records(s, tk.MESSAGE_SENT)
    message = s.sim.queues["jobs"].messages[sent.data["message_id"]]
    assert type(message.body) is str
    assert message.body == "h"


@pytest.mark.parametrize("sleep", [0, 100], ids=["at the call", "after a sleep"])
@pytest.mark.parametrize("names", ["$int_names", "$none_names", "$float_names"])
@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("send", ["jobs", "x", None, None, None, "NAMES"]),
        ("notify", ["alerts", "m", None, "NAMES"]),
        ("update_item", ["orders", {"pk": "a"}, "SET v = :v", "NAMES", {":v": 1}]),
        ("put_item", ["orders", {"pk": "a"}, "attribute_not_exists(pk)", "NAMES"]),
    ],
)
def test_attribute_and_placeholder_names_that_are_not_text_are_a_behavior_error(
    s: Session, method: str, args: list[Any], names: str, sleep: int
) -> None:
    args = [names if a == "NAMES" else a for a in args]
    # The services matched the names with a regex (TypeError in the handler at the call,
    # a traceback of stptui after a sleep).
    assert call(s, method, *args, sleep=sleep) == "FieldError"
    assert not records(s, tk.EMISSION_FAILED)


@pytest.mark.parametrize(
    ("method", "args"),
    [("publish", ["bus", "src", "dt", "$lying"]), ("invoke", ["outsider", "$lying"])],
)
def test_a_dict_whose_deep_copy_is_not_json_is_read_as_the_dict_it_is(
    s: Session, method: str, args: list[Any]
) -> None:
    assert call(s, method, *args, sleep=100) == "ok"
    assert records(s, tk.INVOCATION_SUCCEEDED)


def test_what_a_handler_changes_after_a_later_call_does_not_change_the_call(
    s: Session,
) -> None:
    # The handler clears the attributes and names it passed and puts a set in them.
    attrs = {"kind": "order"}
    assert call(s, "send", "jobs", "x", None, None, None, attrs, sleep=100) == "ok"
    names = {"#v": "v"}
    got = call(s, "update_item", "orders", {"pk": "a"}, "SET #v = :v", names, {":v": 1}, sleep=100)
    assert got == "ok"
    (sent,) = records(s, tk.MESSAGE_SENT)
    message = s.sim.queues["jobs"].messages[sent.data["message_id"]]
    assert message.attrs == {"kind": "order"}
    execute(s, "expect item orders pk=a v == 1")  # ExpectationFailed otherwise


# -- the context and the invocation ----------------------------------------------------------


def test_an_exception_whose_str_raises_fails_the_invocation(tmp_path: Path) -> None:
    s = open_session(tmp_path, 'behaviors:\n  writer: {handler: "probe:unprintable"}\n')
    data = execute(s, "invoke writer '{}'").data
    assert data["error"] == "Unprintable"
    assert "str() of the exception raised RuntimeError" in data["error_message"]


def test_an_exception_class_named_by_a_str_subclass_fails_the_invocation(tmp_path: Path) -> None:
    s = open_session(tmp_path, 'behaviors:\n  writer: {handler: "probe:renamed"}\n')
    data = execute(s, "invoke writer '{}'").data
    assert (data["error"], data["error_message"]) == ("Renamed", "renamed")
    assert type(data["error"]) is str


def test_a_log_line_of_a_str_subclass_is_logged_as_the_text_it_holds(tmp_path: Path) -> None:
    s = open_session(tmp_path, 'behaviors:\n  writer: {handler: "probe:logs"}\n')
    assert execute(s, "invoke writer '{}'").data["response"] == "logged"
    assert [r.data["text"] for r in records(s, tk.HANDLER_LOG)] == ["shown", "shown"]


def test_a_handler_cannot_write_over_the_contexts_bookkeeping(tmp_path: Path) -> None:
    s = open_session(tmp_path, 'behaviors:\n  writer: {handler: "probe:overwrite"}\n')
    data = execute(s, "invoke writer '{}'").data
    assert data.get("error") is None
    assert data["response"] == ["slept_ms", "logs", "later", "emissions", "denied"]


def test_a_handler_run_inside_another_handlers_call_leaves_the_outer_one_as_it_was(
    tmp_path: Path,
) -> None:
    s = open_session(
        tmp_path,
        'behaviors:\n  writer: {handler: "probe:reenter"}\n  inner: {handler: "probe:inner"}\n',
    )
    cwd = os.getcwd()
    data = execute(s, "invoke writer '{}'").data
    execute(s, "advance 1s")
    assert data["response"] == ["outer", True, True]
    assert os.getcwd() == cwd and "MARK" not in os.environ
    queue = s.sim.queues["jobs"].messages
    assert [queue[r.data["message_id"]].body for r in records(s, tk.MESSAGE_SENT)] == [
        "inner",
        "outer",
    ]
    (failed,) = [r for r in records(s, tk.INVOCATION_FAILED) if r.resource == "inner"]
    assert failed.data["error"] == "Runtime.ExitError"


def test_a_context_kept_past_its_invocation_refuses_calls(tmp_path: Path) -> None:
    # A thread the handler starts, or a module global, could call it at any later moment:
    # the write would land in whatever the simulation was doing then.
    s = open_session(
        tmp_path,
        'behaviors:\n  writer: {handler: "probe:keep"}\n',
    )
    execute(s, "invoke writer '{}'")
    data = execute(s, "invoke writer '{}'").data
    kind, message = data["response"]
    assert kind == "BehaviorError"
    assert "has ended" in message
    assert not records(s, tk.MESSAGE_SENT)


def test_the_process_is_as_it_was_after_a_handler_changes_it(tmp_path: Path) -> None:
    s = open_session(tmp_path, 'behaviors:\n  writer: {handler: "probe:process"}\n')
    environ, env = os.environ, dict(os.environ)
    cwd, path, path_list = os.getcwd(), sys.path, list(sys.path)
    boto3 = sys.modules.get("boto3")
    try:
        data = execute(s, "invoke writer '{}'").data
        assert data["response"] == "changed"
        assert os.environ is environ and dict(os.environ) == env
        assert os.getcwd() == cwd
        assert sys.path is path and sys.path == path_list
        assert sys.modules.get("boto3") is boto3
    finally:
        os.environ = environ  # noqa: B003 (the mapping itself, should the handler's stay)
        if dict(environ) != env:
            environ.clear()
            environ.update(env)
        os.chdir(cwd)
        sys.path = path
        sys.path[:] = path_list
        if boto3 is None:
            sys.modules.pop("boto3", None)


@pytest.mark.parametrize("front_end_takes_ctrl_c", [False, True])
def test_a_handler_raising_keyboard_interrupt_fails_its_invocation(
    tmp_path: Path, front_end_takes_ctrl_c: bool
) -> None:
    # The REPL and the terminal UI take Ctrl-C themselves while a command runs: this one is
    # the handler's own, and it ended the user's whole session.
    import signal

    s = open_session(tmp_path, 'behaviors:\n  writer: {handler: "probe:interrupt"}\n')
    before = signal.getsignal(signal.SIGINT)
    if front_end_takes_ctrl_c:
        signal.signal(signal.SIGINT, lambda signum, frame: None)
    try:
        data = execute(s, "invoke writer '{}'").data
    finally:
        signal.signal(signal.SIGINT, before)
    # Lambda's Python runtime does not catch it either: Python ends itself with SIGINT.
    assert data["error"] == "Runtime.ExitError"
    assert data["error_message"].endswith("Error: Runtime exited with error: signal: interrupt")
    execute(s, "advance 1s")
    (writer,) = [f for f in execute(s, "show functions").data if f["function"] == "writer"]
    assert writer["running"] == 0


@pytest.mark.parametrize(
    ("event", "error", "message"),
    [
        ({"how": "os._exit", "status": 1}, "Runtime.ExitError", "exit status 1"),
        ({"how": "posix._exit"}, "Runtime.ExitError", "exit status 2"),
        ({"how": "exit"}, "Runtime.ExitError", "exit status 3"),
        ({"how": "quit"}, "Runtime.ExitError", "exit status 1"),
        ({"how": "caught"}, "Runtime.ExitError", "exit status 4"),
        # os._exit refuses what is not a C int, as the real one does: the handler's error.
        ({"how": "os._exit", "status": "x"}, "TypeError", "cannot be interpreted"),
        ({"how": "os._exit", "status": 2**40}, "OverflowError", "too large"),
    ],
)
def test_a_handler_that_ends_its_process_does_not_end_stptuis(
    tmp_path: Path, event: dict[str, Any], error: str, message: str
) -> None:
    # os._exit ended stptui's own process (a `run` script exited with the handler's
    # status, printing nothing); site's exit() and quit() closed the REPL's sys.stdin.
    import builtins

    s = open_session(tmp_path, 'behaviors:\n  writer: {handler: "probe:exits"}\n')
    before = (os._exit, builtins.exit, builtins.quit, sys.stdin)
    data = execute(s, f"invoke writer '{json.dumps(event)}'").data
    assert data["error"] == error and message in data["error_message"]
    assert (os._exit, builtins.exit, builtins.quit, sys.stdin) == before
    assert not getattr(sys.stdin, "closed", False)


def test_a_nested_handlers_exit_leaves_the_outer_one_running(tmp_path: Path) -> None:
    s = open_session(
        tmp_path,
        'behaviors:\n  writer: {handler: "probe:reenter"}\n  inner: {handler: "probe:inner_exits"}\n',
    )
    data = execute(s, "invoke writer '{}'").data
    execute(s, "advance 1s")
    assert data["response"] == ["outer", True, True]
    (failed,) = [r for r in records(s, tk.INVOCATION_FAILED) if r.resource == "inner"]
    assert failed.data["error_message"].endswith("Runtime exited with error: exit status 6")


def test_a_real_ctrl_c_in_a_handler_still_stops_the_command(tmp_path: Path) -> None:
    import signal

    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        pytest.skip("Ctrl-C is not Python's KeyboardInterrupt here")
    s = open_session(tmp_path, 'behaviors:\n  writer: {handler: "probe:interrupt"}\n')
    env, cwd, boto3 = dict(os.environ), os.getcwd(), sys.modules.get("boto3")
    with pytest.raises(KeyboardInterrupt):
        execute(s, """invoke writer '{"signal": true}'""")
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    # What escaped left the process as it was.
    assert (dict(os.environ), os.getcwd(), sys.modules.get("boto3")) == (env, cwd, boto3)


def test_boto3_takes_hostile_values_as_plain_ones_and_names_unprintable_ones(
    tmp_path: Path,
) -> None:
    s = open_session(tmp_path, 'behaviors:\n  writer: {handler: "probe:boto3_hostile"}\n')
    data = execute(s, "invoke writer '{}'").data
    assert data.get("error") is None, data
    got, (kind, message), region, md5 = data["response"]
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert kind == "ParamValidationError"
    assert "value: a int (whose repr raised ValueError)" in message
    assert region == "us-east-1"
    assert md5 == hashlib.md5(b"x").hexdigest()


def test_a_clients_region_is_the_one_boto3_would_pick(tmp_path: Path) -> None:
    # boto3.client("s3", "eu-central-1") takes the region as its second argument; without
    # one, a client in Lambda is in the function's region (AWS_DEFAULT_REGION).
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "probe.py").write_text(textwrap.dedent(HANDLERS), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text('behaviors:\n  writer: {handler: "probe:regions"}\n')
    s = Session.open(
        tmp_path / "stacktape.yml",
        behaviors_path=tmp_path / "stptui.yml",
        start_ms=START,
        allow_code=True,
        region="eu-west-1",
    )
    data = execute(s, "invoke writer '{}'").data
    assert data["response"] == ["eu-central-1", "eu-west-1", "ap-south-1", "sa-east-1", "eu-west-1"]


# -- fuzzing: any value in any argument of any method, at the call or after a sleep ----------

BASE: dict[str, list[Any]] = {
    "send": ["jobs", "x", None, None, None, None],
    "publish": ["bus", "src", "dt", {}],
    "notify": ["alerts", "m", None, None, None, None],
    "put_object": ["files", "k", "c"],
    "restore_object": ["files", "k", 1, "Standard", None],
    "invoke": ["outsider", {}],
    "put_item": ["orders", {"pk": "a"}, None, None, None],
    "delete_item": ["orders", {"pk": "a"}],
    "update_item": ["orders", {"pk": "a"}, "SET v = :v", None, {":v": 1}, None],
    "start_execution": ["flow", {}, None],
    "send_task_success": ["flow", "tok", None],
    "send_task_failure": ["flow", "tok", None, None],
    "get_object": ["files", "k", None],
    "head_object": ["files", "k", None],
    "list_objects": ["files", "", 1000, None],
    "get_item": ["orders", {"pk": "a"}],
    "query": ["orders", "pk = :p", {":p": "a"}, None, None, None, True, None, None],
    "scan": ["orders", None, None, None, None, None],
    "transact_write_items": [[{"Put": {"TableName": "orders", "Item": {"pk": "a"}}}]],
    "transact_get_items": [[{"Get": {"TableName": "orders", "Key": {"pk": "a"}}}]],
    "batch_get_item": [{"orders": [{"pk": "a"}]}],
    "receive_message": ["jobs", 1, None, None],
    "change_message_visibility": ["jobs", "h", 1],
    "sleep": [1],
    "log": ["x"],
}

FUZZ = """
from botocore.exceptions import ClientError
from stptui.sim.behavior.errors import BehaviorError


def fuzz(event, context):
    import hostile_cases

    method, args, sleep = hostile_cases.CASE
    if sleep:
        context.sleep(sleep)
    try:
        getattr(context, method)(*args)
    except (BehaviorError, ClientError, TypeError):
        return "clear"
    except Exception as exc:
        return f"unclear: {type(exc).__name__}: {exc}"
    return "ok"
"""


class Text(str):
    """Text whose methods raise."""

    def encode(self, *args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("encode")

    def __len__(self) -> int:
        raise RuntimeError("__len__")


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["\ud800", "a\x00b", "#n", ":v", "jobs", "orders", "pk", ""]),
    st.sampled_from(["pk", "#n", "jobs", "x"]).map(Text),
    st.binary(max_size=4),
    st.binary(max_size=4).map(bytearray),
    st.just(5000).map(lambda digits: 10**digits),  # its repr raises ValueError
)
keys = st.one_of(
    st.text(max_size=4),
    st.sampled_from(["pk", "#n", ":v"]).map(Text),
    st.none(),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(keys, inner, max_size=3),
        st.sets(st.integers(), max_size=2),
    ),
    max_leaves=8,
)


@pytest.fixture
def fuzzing(tmp_path: Path) -> Any:
    import types

    (tmp_path / "fuzz_handlers.py").write_text(FUZZ, encoding="utf-8")
    cases = types.ModuleType("hostile_cases")
    sys.modules["hostile_cases"] = cases
    try:
        yield (
            open_session(tmp_path, 'behaviors:\n  writer: {handler: "fuzz_handlers:fuzz"}\n'),
            cases,
        )
    finally:
        del sys.modules["hostile_cases"]


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    method=st.sampled_from(sorted(BASE)),
    slot=st.integers(min_value=0, max_value=8),
    value=values,
    sleep=st.sampled_from([0, 100]),
)
# An int too long for str() in SQS's "Value N for parameter ..." answers (found by the search).
@example(method="receive_message", slot=1, value=10**5000, sleep=0)
@example(method="change_message_visibility", slot=2, value=10**5000, sleep=0)
def test_no_argument_of_any_context_method_ends_in_a_traceback(
    fuzzing: Any, method: str, slot: int, value: Any, sleep: int
) -> None:
    s, cases = fuzzing
    args = list(BASE[method])
    args[slot % len(args)] = value
    cases.CASE = (method, args, sleep)
    data = execute(s, "invoke writer '{}'").data
    execute(s, "advance 1s")
    # The call raised a clear error into the handler, or was made; the simulation goes on.
    assert data.get("error") is None, data
    if method != "log":  # log(x) is str(x), as print(x) is: its errors are Python's own
        assert data["response"] in ("ok", "clear"), data["response"]


# A transaction's action of each kind, whose members the next fuzzer gives any value.
ACTIONS: dict[str, dict[str, Any]] = {
    "Put": {"TableName": "orders", "Item": {"pk": "a"}},
    "Update": {
        "TableName": "orders",
        "Key": {"pk": "a"},
        "UpdateExpression": "SET v = :v",
        "ExpressionAttributeValues": {":v": 1},
    },
    "Delete": {"TableName": "orders", "Key": {"pk": "b"}},
    "ConditionCheck": {
        "TableName": "orders",
        "Key": {"pk": "c"},
        "ConditionExpression": "attribute_exists(pk)",
    },
}
ACTION_MEMBERS = [
    "TableName",
    "Item",
    "Key",
    "UpdateExpression",
    "ConditionExpression",
    "ExpressionAttributeNames",
    "ExpressionAttributeValues",
    "ReturnValuesOnConditionCheckFailure",
    "Extra",
]


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    what=st.sampled_from(sorted(ACTIONS)),
    member=st.sampled_from(ACTION_MEMBERS),
    value=values,
    sleep=st.sampled_from([0, 100]),
)
def test_no_value_in_a_transactions_action_ends_in_a_traceback(
    fuzzing: Any, what: str, member: str, value: Any, sleep: int
) -> None:
    s, cases = fuzzing
    actions = [{what: {**ACTIONS[what], member: value}}, {"Put": dict(ACTIONS["Put"])}]
    actions[1]["Put"]["Item"] = {"pk": "other"}
    cases.CASE = ("transact_write_items", [actions], sleep)
    data = execute(s, "invoke writer '{}'").data
    execute(s, "advance 1s")
    assert data.get("error") is None, data
    assert data["response"] in ("ok", "clear"), data["response"]


BOTO3_FUZZ = """
import boto3
from botocore.exceptions import BotoCoreError, ClientError
from stptui.sim.behavior.errors import BehaviorError


def fuzz(event, context):
    import hostile_cases

    service, operation, params, sleep = hostile_cases.CASE
    if sleep:
        context.sleep(sleep)
    try:
        getattr(boto3.client(service), operation)(**params)
    except (BehaviorError, ClientError, BotoCoreError, TypeError):
        return "clear"
    except UnicodeEncodeError:
        return "clear"  # a str Body with a lone surrogate: botocore's encode raises it too
    except Exception as exc:
        return f"unclear: {type(exc).__name__}: {exc}"
    return "ok"
"""

# A value of each botocore type, and the stack's resource for the parameters naming one.
SAMPLES = {"string": "x", "integer": 1, "boolean": True, "blob": b"x", "list": [], "map": {}}
TARGETS = {
    "QueueUrl": "jobs",
    "TopicArn": "alerts",
    "Bucket": "files",
    "TableName": "orders",
    "FunctionName": "outsider",
    "stateMachineArn": "flow",
    "Key": "k",
}


def _sample(name: str, spec: Any) -> Any:
    if name in TARGETS and spec.kind == "string":
        return TARGETS[name]
    required = {n: _sample(n, m) for n, m in spec.members.items() if m.required}
    if spec.kind == "structure" or spec.kind == "any":
        return required
    if spec.kind == "list" and spec.members:
        return [required]
    return SAMPLES[spec.kind]


def _operations() -> list[tuple[str, str, str, dict[str, Any]]]:
    from stptui.sim.behavior.boto3_standin.client import SERVICES

    return [
        (service, name, member, {n: _sample(n, m) for n, m in op.members.items() if m.required})
        for service, ops in SERVICES.items()
        for name, op in ops.items()
        for member in op.members
    ]


@pytest.fixture
def boto3_fuzzing(tmp_path: Path) -> Any:
    import types

    (tmp_path / "fuzz_boto3.py").write_text(BOTO3_FUZZ, encoding="utf-8")
    cases = types.ModuleType("hostile_cases")
    sys.modules["hostile_cases"] = cases
    try:
        behaviors = 'behaviors:\n  writer: {handler: "fuzz_boto3:fuzz"}\n'
        yield open_session(tmp_path, behaviors), cases
    finally:
        del sys.modules["hostile_cases"]


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    call=st.sampled_from(_operations()),
    value=values,
    sleep=st.sampled_from([0, 100]),
)
# Ints too long for str() in the services' answers (each found by the search once).
@example(
    call=("sqs", "send_message", "DelaySeconds", {"QueueUrl": "jobs", "MessageBody": "x"}),
    value=10**5000,
    sleep=0,
)
@example(call=("dynamodb", "scan", "Limit", {"TableName": "orders"}), value=-(10**5000), sleep=0)
def test_no_parameter_of_any_boto3_operation_ends_in_a_traceback(
    boto3_fuzzing: Any, call: tuple[str, str, str, dict[str, Any]], value: Any, sleep: int
) -> None:
    s, cases = boto3_fuzzing
    service, operation, member, params = call
    cases.CASE = (service, operation, {**params, member: value}, sleep)
    data = execute(s, "invoke writer '{}'").data
    execute(s, "advance 1s")
    assert data.get("error") is None, data
    assert data["response"] in ("ok", "clear"), data["response"]


INJECTED_FUZZ = """
import boto3
from botocore.exceptions import BotoCoreError, ClientError
from stptui.sim.behavior.errors import BehaviorError


def fuzz(event, context):
    import hostile_cases

    name, args, sleep = hostile_cases.CASE
    if sleep:
        context.sleep(sleep)
    try:
        getattr(boto3.client("s3"), name)(*args)
    except (BehaviorError, ClientError, BotoCoreError, TypeError, ValueError, OSError):
        # ValueError: s3transfer's words for ExtraArgs and file objects; OSError: a path.
        return "clear"
    except Exception as exc:
        return f"unclear: {type(exc).__name__}: {exc}"
    return "ok"
"""


def _injected_base(folder: Path) -> dict[str, list[Any]]:
    """Each S3 method boto3 adds (positional arguments), with arguments that work."""
    import io

    source = folder / "in.txt"
    source.write_text("x", encoding="utf-8")
    return {
        "upload_file": [str(source), "files", "k", None],
        "upload_fileobj": [io.BytesIO(b"x"), "files", "k", None],
        "download_file": ["files", "k", str(folder / "out.txt"), None],
        "download_fileobj": ["files", "k", io.BytesIO(), None],
        "copy": [{"Bucket": "files", "Key": "k"}, "files", "k2", None],
        "generate_presigned_url": ["get_object", {"Bucket": "files", "Key": "k"}, 3600, None],
    }


# The argument of each method that names a local file: any value there is a path under the
# test's folder (a fuzzed path or descriptor could read a device or close the test's stdout).
_FILENAME_SLOT = {"upload_file": 0, "download_file": 2}


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.sampled_from(
        [
            "upload_file",
            "upload_fileobj",
            "download_file",
            "download_fileobj",
            "copy",
            "generate_presigned_url",
        ]
    ),
    slot=st.integers(min_value=0, max_value=3),
    value=values,
    sleep=st.sampled_from([0, 100]),
)
def test_no_argument_of_boto3s_s3_transfer_methods_ends_in_a_traceback(
    tmp_path: Path, name: str, slot: int, value: Any, sleep: int
) -> None:
    import types

    folder = tmp_path / "injected"
    folder.mkdir(exist_ok=True)
    (folder / "fuzz_injected.py").write_text(INJECTED_FUZZ, encoding="utf-8")
    args = _injected_base(folder)[name]
    if _FILENAME_SLOT.get(name) == slot and isinstance(value, (str, bytes, int)):
        value = str(folder / "named.txt")
    args[slot] = value
    cases = types.ModuleType("hostile_cases")
    cases.CASE = (name, args, sleep)  # type: ignore[attr-defined]
    sys.modules["hostile_cases"] = cases
    try:
        s = open_session(folder, 'behaviors:\n  writer: {handler: "fuzz_injected:fuzz"}\n')
        execute(s, "upload files k --content abc")
        data = execute(s, "invoke writer '{}'").data
        execute(s, "advance 1s")
    finally:
        del sys.modules["hostile_cases"]
    assert data.get("error") is None, data
    assert data["response"] in ("ok", "clear"), data["response"]


def digest(s: Session) -> str:
    return hashlib.sha256(
        "\n".join(json.dumps(r.to_json(), sort_keys=True) for r in s.sim.trace.records).encode()
    ).hexdigest()


def test_a_hostile_run_gives_the_same_trace_twice(tmp_path: Path) -> None:
    traces = []
    for n in (1, 2):
        folder = tmp_path / str(n)
        folder.mkdir()
        s = open_session(folder)
        call(s, "send", "jobs", "$hostile", sleep=100)
        call(s, "send", "jobs", "x", None, None, None, "$int_names", sleep=100)
        call(s, "publish", "bus", "src", "dt", "$lying", sleep=100)
        call(s, "put_item", "orders", {"pk": "a"}, "$hostile")
        traces.append(digest(s))
    assert traces[0] == traces[1]
