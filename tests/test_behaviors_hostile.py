"""The behaviours file used by a hostile user: every problem is a diagnostic or a clear
outcome, never a traceback, never a silently wrong simulation."""

from __future__ import annotations

import json
import os
import random
import textwrap
from pathlib import Path
from typing import Any

import pytest
from workcount import hang_guard

from stptui.config import load_stack_text
from stptui.config.diagnostics import Diagnostic
from stptui.sim.behavior import Behaviors, InvocationInput, Outcome

STACK = load_stack_text(
    """
serviceName: hostile
resources:
  jobs: {type: sqs-queue}
  bus: {type: event-bus}
  topic: {type: sns-topic}
  uploads: {type: bucket}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/w.ts}}
      timeout: 20
      events:
        - type: sqs
          properties: {sqsQueueName: jobs}
  plain:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/p.ts}}
      timeout: 20
  job:
    type: batch-job
    properties:
      container:
        packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: src/n.ts}}
      resources: {cpu: 1, memory: 1024}
"""
)

T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z

# The start of a behaviours file whose `plain` emits one item.
EMIT = "behaviors:\n  plain:\n    emit:\n      - "


def load(text: str, **kw: Any) -> tuple[Behaviors, list[Diagnostic]]:
    return Behaviors.from_text(textwrap.dedent(text), "stptui.yml", STACK, **kw)


def ok(text: str, **kw: Any) -> Behaviors:
    behaviors, diags = load(text, **kw)
    assert diags == [], [d.format() for d in diags]
    return behaviors


def invoke(behaviors: Behaviors, event: Any, *, function: str = "plain") -> Outcome:
    inp = InvocationInput(function, 1, 1, "invoke", T0, 20_000, lambda: event, None, "r1")
    return behaviors.decide(inp, random.Random(0), [])


def sqs(behaviors: Behaviors, bodies: list[Any]) -> Outcome:
    records = [
        {
            "messageId": f"m{i}",
            "body": b if isinstance(b, str) else json.dumps(b),
            "attributes": {},
            "messageAttributes": {},
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:jobs",
        }
        for i, b in enumerate(bodies)
    ]
    inp = InvocationInput(
        "worker", 1, 1, "sqs", T0, 20_000, lambda: {"Records": records}, lambda: records, "r1"
    )
    return behaviors.decide(inp, random.Random(0), [])


# ---------------------------------------------------------------------------------------------
# Messages name every kind of emission


def test_emit_messages_name_notify_too() -> None:
    _, diags = load("behaviors:\n  plain:\n    emit: {send: {queue: jobs, body: body}}\n")
    assert "notify" in diags[0].message
    _, diags = load("behaviors:\n  plain:\n    emit:\n      - {}\n")
    assert "notify" in diags[0].message
    _, diags = load("behaviors:\n  plain:\n    emit:\n      - nothing: {}\n")
    assert "notify" in (diags[0].hint or "")


def test_an_item_level_when_says_where_it_goes() -> None:
    _, diags = load(
        """\
        behaviors:
          plain:
            emit:
              - send: {queue: jobs, body: body}
                when: body
        """
    )
    (d,) = diags
    assert (d.line, d.column) == (4, 9)
    assert "inside" in (d.hint or "")


def test_an_empty_target_is_named_with_the_right_article() -> None:
    _, diags = load("behaviors:\n  plain:\n    emit:\n      - send: {queue: '', body: body}\n")
    assert "an sqs-queue name" in diags[0].message


# ---------------------------------------------------------------------------------------------
# JMESPath comparisons of a number with a string give null, as the specification says


@pytest.mark.parametrize("amount", ['"5000"', "null", "[1]", "true"])
def test_ordering_a_number_against_another_type_is_null_not_an_error(amount: str) -> None:
    behaviors = ok(
        """\
        behaviors:
          worker:
            fail: {when: "body.amount > `1000`", error: Declined}
        """
    )
    out = sqs(behaviors, [f'{{"amount": {amount}}}'])
    assert out.status == "success", out


def test_string_ordering_still_works_and_numbers_still_compare() -> None:
    behaviors = ok("behaviors:\n  plain:\n    fail: {when: \"name > 'm'\"}\n")
    assert invoke(behaviors, {"name": "z"}).status == "error"
    assert invoke(behaviors, {"name": "a"}).status == "success"
    assert invoke(behaviors, {"name": 5}).status == "success"


def test_the_override_condition_follows_the_same_rule() -> None:
    from stptui.sim.behavior import parse_override

    behaviors = ok("behaviors: {}\n")
    override = parse_override(["fail", "plain", "when", "amount", ">", "`10`"])
    inp = InvocationInput("plain", 1, 1, "invoke", T0, 0, lambda: {"amount": "x"}, None, "r")
    assert behaviors.decide(inp, random.Random(0), [override]).status == "success"


# ---------------------------------------------------------------------------------------------
# NaN and Infinity are not JSON


@pytest.mark.parametrize(
    ("field", "expression"),
    [
        ("send: {queue: jobs, body: BODY}", "{x: to_number('nan')}"),
        ("put: {bucket: uploads, key: \"'k'\", content: BODY}", "[`1e999`]"),
        ("notify: {topic: topic, message: BODY}", "{x: to_number('-inf')}"),
        ("invoke: {function: plain, payload: BODY}", "{x: `1e999`}"),
        (
            "publish: {bus: bus, source: \"'s'\", detailType: \"'d'\", detail: BODY}",
            "{x: to_number('inf')}",
        ),
        ("send: {queue: jobs, body: \"'b'\", attributes: BODY}", "{n: to_number('nan')}"),
    ],
)
def test_an_emitted_nan_or_infinity_fails_the_invocation(field: str, expression: str) -> None:
    behaviors = ok(EMIT + field.replace("BODY", json.dumps(expression)) + "\n")
    out = invoke(behaviors, {})
    assert (out.status, out.error_type) == ("error", "BehaviorError"), out
    assert "NaN" in (out.error_message or "") or "Infinity" in (out.error_message or "")
    assert out.emissions == []


def test_a_response_of_nan_fails_the_invocation() -> None:
    behaviors = ok("behaviors:\n  plain:\n    response: \"{x: to_number('nan')}\"\n")
    out = invoke(behaviors, {})
    assert (out.status, out.error_type) == ("error", "BehaviorError")
    assert "plain.response" in (out.error_message or "")


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("behaviors:\n  plain:\n    response: {a: .nan}\n", 3, 15),
        ("behaviors:\n  plain:\n    response: .inf\n", 3, 15),
        (EMIT + "invoke: {function: plain, payload: [.inf]}\n", 4, 44),
        (EMIT + "put: {bucket: uploads, key: k, content: .nan}\n", 4, 49),
        (EMIT + "send: {queue: jobs, body: b, attributes: {a: .inf}}\n", 4, 50),
    ],
)
def test_a_constant_nan_or_infinity_is_refused_when_the_file_is_read(
    text: str, line: int, column: int
) -> None:
    behaviors, diags = load(text)
    (d,) = diags
    assert (d.code, d.line, d.column, d.severity) == ("behavior-bad-value", line, column, "error")
    assert "NaN" in d.message or "Infinity" in d.message
    assert invoke(behaviors, {}).status == "success"  # the bad entry falls back to defaults


# ---------------------------------------------------------------------------------------------
# Python handlers


@pytest.fixture
def code_dir(tmp_path: Path) -> Path:
    (tmp_path / "hostile_handlers.py").write_text(
        textwrap.dedent(
            """
            import math

            class Odd(BaseException):
                pass

            def nan(event, context):
                return {"x": float("nan")}

            def inf(event, context):
                return -math.inf

            def deep(event, context):
                value = []
                for _ in range(100_000):
                    value = [value]
                return value

            def base_exception(event, context):
                raise Odd("not an Exception")

            def send_nan(event, context):
                context.send("jobs", {"x": float("nan")})

            def send_set(event, context):
                context.send("jobs", {1, 2})

            def sleep_nan(event, context):
                context.sleep(float("nan"))

            def sleep_inf(event, context):
                context.sleep(math.inf)

            def sleep_fraction(event, context):
                context.sleep(1.5)

            def sleep_none(event, context):
                context.sleep(None)

            def sleep_bool(event, context):
                context.sleep(True)

            def sleep_forever(event, context):
                context.sleep(10**30)

            def sleep_beyond_float(event, context):
                context.sleep(10**400)

            def sleep_float_ok(event, context):
                context.sleep(250.0)
                return context.remaining_time_ms()
            """
        )
    )
    (tmp_path / "odd_import.py").write_text(
        "class Odd(BaseException):\n    pass\n\nraise Odd('at import')\n"
    )
    return tmp_path


def handler(code_dir: Path, ref: str, function: str = "plain") -> Behaviors:
    return ok(
        f"behaviors:\n  {function}:\n    handler: {ref}\n", allow_code=True, base_dir=code_dir
    )


@pytest.mark.parametrize("name", ["nan", "inf"])
def test_a_handler_returning_nan_or_infinity_is_a_marshal_error(code_dir: Path, name: str) -> None:
    out = invoke(handler(code_dir, f"hostile_handlers:{name}"), {})
    assert (out.status, out.error_type) == ("error", "Runtime.MarshalError"), out
    assert "JSON" in (out.error_message or "")


def test_a_handler_returning_a_value_nested_too_deep_is_a_marshal_error(code_dir: Path) -> None:
    out = invoke(handler(code_dir, "hostile_handlers:deep"), {})
    assert (out.status, out.error_type) == ("error", "Runtime.MarshalError"), out


def test_a_handler_raising_a_base_exception_exits_its_runtime(code_dir: Path) -> None:
    # Lambda's Python runtime catches only Exception: the interpreter prints the traceback
    # and exits 1 (tests/test_handler_exits.py).
    out = invoke(handler(code_dir, "hostile_handlers:base_exception"), {})
    assert (out.status, out.error_type, out.error_message) == (
        "error",
        "Runtime.ExitError",
        "RequestId: r1 Error: Runtime exited with error: exit status 1",
    )
    assert out.logs[-1] == "hostile_handlers.Odd: not an Exception"


def test_a_module_raising_a_base_exception_at_import_fails_the_init_phase(
    code_dir: Path,
) -> None:
    # Lambda's runtime catches only Exception: the process ends in the function's init
    # phase, which fails each invocation with Runtime.ExitError; the file is fine.
    behaviors, diags = load(
        "behaviors:\n  plain:\n    handler: odd_import:f\n", allow_code=True, base_dir=code_dir
    )
    (d,) = diags
    assert (d.code, d.severity, d.line, d.column) == (
        "behavior-handler-init-exit",
        "warning",
        3,
        14,
    )
    assert "(Odd: at import, at /var/task/odd_import.py, line 4)" in d.message
    out = invoke(behaviors, {})
    assert (out.status, out.error_type) == ("error", "Runtime.ExitError")
    assert (out.error_message or "").endswith("Runtime exited with error: exit status 1")


@pytest.mark.parametrize("name", ["send_nan", "send_set"])
def test_a_handler_emitting_what_json_cannot_hold_gets_a_behavior_error(
    code_dir: Path, name: str
) -> None:
    out = invoke(handler(code_dir, f"hostile_handlers:{name}"), {})
    assert (out.status, out.error_type) == ("error", "BehaviorError"), out
    assert "context.send.body" in (out.error_message or "")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("sleep_nan", "nan"),
        ("sleep_inf", "inf"),
        ("sleep_fraction", "1.5"),
        ("sleep_none", "None"),
        ("sleep_bool", "True"),
        ("sleep_forever", "3650-day"),
        ("sleep_beyond_float", "3650-day"),
    ],
)
def test_a_bad_sleep_is_a_behavior_error(code_dir: Path, name: str, message: str) -> None:
    out = invoke(handler(code_dir, f"hostile_handlers:{name}"), {})
    assert (out.status, out.error_type) == ("error", "BehaviorError"), out
    assert "sleep" in (out.error_message or "") and message in (out.error_message or "")


def test_a_whole_float_sleep_is_milliseconds(code_dir: Path) -> None:
    out = invoke(handler(code_dir, "hostile_handlers:sleep_float_ok"), {})
    assert (out.status, out.duration_ms, out.response) == ("success", 350, 19_750)


def test_a_bad_sleep_on_a_batch_job_without_timeout_cannot_outrun_the_clock(
    code_dir: Path,
) -> None:
    behaviors = handler(code_dir, "hostile_handlers:sleep_forever", function="job")
    inp = InvocationInput("job", 1, 1, "batch", T0, 0, lambda: {}, None, "r1")
    out = behaviors.decide(inp, random.Random(0), [])
    assert (out.status, out.error_type) == ("error", "BehaviorError")
    assert out.duration_ms == 100


def test_a_handler_reference_with_a_trailing_newline_is_refused() -> None:
    _, diags = load('behaviors:\n  plain:\n    handler: "hostile_handlers:nan\\n"\n')
    (d,) = diags
    assert (d.code, d.line, d.column) == ("behavior-bad-handler", 3, 14)


def test_without_allow_code_no_handler_runs(code_dir: Path) -> None:
    marker = code_dir / "ran.txt"
    (code_dir / "side_effect.py").write_text(
        f"open({str(marker)!r}, 'w').close()\n\ndef f(event, context):\n    return 1\n"
    )
    behaviors, diags = load("behaviors:\n  plain:\n    handler: side_effect:f\n", base_dir=code_dir)
    assert [d.code for d in diags] == ["behavior-handler-skipped"]
    out = invoke(behaviors, {})
    assert (out.status, out.response) == ("success", None)
    assert not marker.exists()


def test_to_number_makes_a_string_amount_comparable_as_the_page_says() -> None:
    behaviors = ok(
        """\
        behaviors:
          worker:
            fail: {when: "to_number(body.amount) > `1000`", error: Declined}
        """
    )
    assert sqs(behaviors, [{"amount": "5000"}]).error_type == "Declined"
    assert sqs(behaviors, [{"amount": "50"}]).status == "success"


# ---------------------------------------------------------------------------------------------
# The file itself: what the stack's loader refuses, the behaviours file's loader refuses too


def _bomb() -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * 9) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    return "\n".join([*lines, "behaviors:\n  plain:\n    duration: 1s\n    x: *a8\n"])


@pytest.mark.parametrize(
    ("data", "code", "line"),
    [
        (_bomb().encode(), "yaml-too-many-nodes", 1),  # 9**9 values, refused before built
        (
            b"behaviors:\n  plain: {duration: 1s}\n  plain: {duration: 2s}\n",
            "yaml-duplicate-key",
            3,
        ),
        (b"behaviors:\n  plain: {duration: 1s\x00}\n", "yaml-syntax", 2),
        (b"behaviors:\n  plain: {duration: 1s} # caf\xe9\n", "file-encoding", None),
        (b"behaviors: " + b"[" * 5000 + b"]" * 5000 + b"\n", "yaml-syntax", 1),
        (b"behaviors: {}\n" + b"#" * (5 * 1024 * 1024), "file-too-large", None),
    ],
    ids=["alias bomb", "duplicate key", "NUL", "latin-1", "deep", "5 MB"],
)
def test_a_behaviours_file_the_yaml_loader_refuses_is_one_error(
    tmp_path: Path, data: bytes, code: str, line: int | None
) -> None:
    path = tmp_path / "stptui.yml"
    path.write_bytes(data)
    with hang_guard(20):
        behaviors, diags = Behaviors.load(path, STACK)
    assert [(d.severity, d.code, d.line) for d in diags] == [("error", code, line)]
    assert diags[0].file == str(path)
    if code != "yaml-duplicate-key":  # read as YAML, with an error that stops a session
        assert behaviors.describe("plain") == "100 ms; always succeeds (default)"


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbfbehaviors:\n  plain:\n    duration: 7s\n",
        b"behaviors:\r\n  plain:\r\n    duration: 7s\r\n",
    ],
    ids=["BOM", "CRLF"],
)
def test_a_byte_order_mark_or_crlf_line_ends_read_as_the_plain_file(
    tmp_path: Path, data: bytes
) -> None:
    path = tmp_path / "stptui.yml"
    path.write_bytes(data)
    behaviors, diags = Behaviors.load(path, STACK)
    assert diags == []
    assert invoke(behaviors, {}).duration_ms == 7_000


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_behaviours_file_that_never_ends_or_loops_is_refused_unread(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yml")
    (tmp_path / "loop.yml").symlink_to(tmp_path / "loop.yml")
    for path in (tmp_path / "pipe.yml", Path("/dev/zero"), tmp_path / "loop.yml"):
        with hang_guard(20):
            _, diags = Behaviors.load(path, STACK)
        assert [(d.code, d.file) for d in diags] == [("file-unreadable", str(path))]


def test_python_tags_and_module_names_in_a_behaviours_file_run_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    (tmp_path / "side_effect.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    path = tmp_path / "stptui.yml"
    path.write_text(
        "behaviors:\n"
        f"  plain: !!python/object/apply:os.system ['touch {marker}']\n"
        "  worker:\n    handler: side_effect:f\n"
        "  job:\n    handler: os:system\n"
        f"    duration: !!python/object/apply:builtins.exec [\"open('{marker}', 'w')\"]\n",
        encoding="utf-8",
    )
    _, diags = Behaviors.load(path, STACK)
    assert not marker.exists()
    assert {d.code for d in diags} >= {"yaml-unknown-tag", "behavior-handler-skipped"}
