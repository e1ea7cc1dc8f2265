"""`stptui init`: the starter behaviours file loads cleanly against its stack (every sample
stack, docs example and real stack), its placeholders make the stack run where the defaults
break it, it never overwrites without --force, and untrusted names cannot break its YAML."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from stptui.cli import main
from stptui.commands import Session, execute
from stptui.commands.result import render_plain
from stptui.config import ConfigError, Stack, load_stack, load_stack_text
from stptui.config.loader import parse_yaml
from stptui.sim.behavior import Behaviors
from stptui.sim.clock import parse_instant
from stptui.starter import comment_text, starter_file
from stptui.yamltext import yaml_key, yaml_string

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples"
SAMPLES = ROOT / "stptui" / "sample_stacks"
REAL = ROOT.parent / "shared" / "reference" / "real-stacks"
START = parse_instant("2026-01-05T08:00:00Z")
# The commented-out `emit` and `poll` items of an entry, uncommented.
_COMMENTED_ITEMS = re.compile(r"^(    )# ((?:emit|poll):|  - )", re.M)


def _stack_or_none(path: Path) -> Stack | None:
    """The stack at `path` when it loads with resources (a behaviours file has none)."""
    try:
        stack = load_stack(path)
    except ConfigError:
        return None
    return stack if stack.resources else None


def _problems(stack: Stack, text: str) -> list[str]:
    """What the behaviours loader reports of `text` against `stack`."""
    _, diags = Behaviors.from_text(text, str(Path(stack.file).parent / "stptui.yml"), stack)
    return [d.format() for d in diags]


# The bundled stacks: the sample stacks and docs/examples' configs, not its behaviours files
# (whose top-level key is `behaviors`).
BUNDLED = [
    path
    for path in sorted(SAMPLES.glob("*/stacktape.yml")) + sorted(EXAMPLES.glob("*.yml"))
    if not re.search(r"^behaviors\s*:", path.read_text("utf-8"), re.M)
]


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_starter_of_every_bundled_stack_loads_cleanly(path: Path) -> None:
    stack = _stack_or_none(path)
    assert stack is not None, f"{path} does not load with resources"
    starter = starter_file(stack)
    assert _problems(stack, starter.text) == []
    # Each workload has its entry, in the stack's order.
    data = yaml.safe_load(starter.text)["behaviors"]
    workloads = [n for n in stack.resources if n in {w.name for w in stack.workloads}]
    assert [n for n in data if n in workloads] == workloads
    # Its commented-out emit and poll items are written in the file's own syntax: taken
    # in, they load without an error.
    taken_in = _COMMENTED_ITEMS.sub(r"\1\2", starter.text)
    errors = [p for p in _problems(stack, taken_in) if " error " in p]
    assert errors == []
    # Each function, and nothing else, has a commented-out `initDuration`: taken in, it
    # loads without a problem.
    cold = re.sub(r"^    # (initDuration: )", r"    \1", starter.text, flags=re.M)
    assert _problems(stack, cold) == []
    entries = yaml.safe_load(cold)["behaviors"] or {}
    assert {n for n, b in entries.items() if "initDuration" in (b or {})} == {
        f.name for f in stack.functions
    }


@pytest.mark.skipif(not REAL.is_dir(), reason=f"no real-stacks folder at {REAL}")
def test_the_starter_of_every_real_stack_that_opens_loads_cleanly() -> None:
    failures: list[str] = []
    opened = 0
    for path in sorted(REAL.rglob("*")):
        if path.suffix not in (".yml", ".yaml") or not path.is_file():
            continue
        stack = _stack_or_none(path)
        if stack is None:
            continue
        opened += 1
        problems = _problems(stack, starter_file(stack).text)
        if problems:
            failures.append(f"{path.relative_to(REAL)}: {problems[:2]}")
    assert opened > 1000
    assert failures == []


def _run(session: Session, *lines: str) -> None:
    for line in lines:
        execute(session, line)


def _example(tmp_path: Path, name: str, *, starter: bool = True) -> Session:
    """docs/examples/NAME as tmp_path/stacktape.yml, opened with the starter file `stptui
    init` writes beside it, or with none."""
    shutil.copy(EXAMPLES / name, tmp_path / "stacktape.yml")
    if starter:
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["init", str(tmp_path)]) == 0
    return Session.open(tmp_path, start_ms=START)


def test_the_placeholders_make_the_state_machine_and_the_route_run(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    without = _example(tmp_path / "a", "workflow.yml", starter=False)
    with_file = _example(tmp_path / "b", "workflow.yml")
    scenario = (
        'start-execution orderFlow \'{"orderId": "o-1", "amount": 20}\'',
        "http POST /orders/o-1 '{}'",
        "advance 1m",
    )
    for session in (without, with_file):
        _run(session, *scenario)
    trace = without.sim.trace
    # Without the file checkOrder returns null: the Choice reads $.check.payable and fails.
    assert trace.count("sfn.execution.failed", "orderFlow") == 1
    failed = next(r for r in trace.tail(10_000) if r.kind == "sfn.execution.failed")
    assert failed.get("error") == "States.Runtime"
    answers = [r.get("status") for r in trace.tail(10_000) if r.kind == "http.response"]
    assert answers == [500]
    # With it the Choice takes ChargeCard, the execution succeeds, and the route answers 200.
    trace = with_file.sim.trace
    assert trace.count("sfn.execution.succeeded", "orderFlow") == 1
    assert trace.count("sfn.execution.failed", "orderFlow") == 0
    entered = [r.get("state") for r in trace.tail(10_000) if r.kind == "sfn.state.entered"]
    assert "ChargeCard" in entered and "OrderFailed" not in entered
    answers = [r.get("status") for r in trace.tail(10_000) if r.kind == "http.response"]
    assert answers == [200]


def test_the_user_pools_custom_challenge_signs_in_with_the_placeholder_answer(
    tmp_path: Path,
) -> None:
    session = _example(tmp_path, "user-pool.yml")
    _run(
        session,
        "sign-up users ann@example.com",
        "confirm-sign-up users ann@example.com",
        "sign-in users ann@example.com --custom",
    )
    wrong = render_plain(execute(session, "answer-challenge users ann@example.com nope"))
    assert wrong.startswith("challenge CUSTOM_CHALLENGE")
    right = execute(session, "answer-challenge users ann@example.com placeholder-answer")
    assert render_plain(right).startswith("signed in ann@example.com")


def test_a_user_the_starters_presignup_leaves_unconfirmed_is_told_to_confirm_it(
    tmp_path: Path,
) -> None:
    # The starter answers preSignUp with the event back, as Cognito's default: the user
    # stays UNCONFIRMED, and the sign-in's refusal names the command that confirms it.
    session = _example(tmp_path, "user-pool.yml")
    assert 'response: "@"' in (tmp_path / "stptui.yml").read_text("utf-8")
    signed_up = render_plain(execute(session, "sign-up users ann@example.com"))
    assert "UNCONFIRMED" in signed_up.splitlines()[0]
    refused = render_plain(execute(session, "sign-in users ann@example.com")).splitlines()
    assert refused[0] == "refused: UserNotConfirmedException: User is not confirmed."
    assert "  hint: confirm-sign-up users ann@example.com" in refused
    _run(session, "confirm-sign-up users ann@example.com")
    signed_in = render_plain(execute(session, "sign-in users ann@example.com"))
    assert signed_in.startswith("signed in ann@example.com")


BUS_STACK = """\
resources:
  events: {type: event-bus}
  producer:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: p.ts}}
      connectTo: [events]
  shipping:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: s.ts}}
      events:
        - type: event-bus
          properties:
            eventBusName: events
            eventPattern: {source: [shop.orders], detail-type: [OrderPlaced, OrderPaid]}
"""


def test_a_publish_item_names_a_source_and_detail_type_a_rule_of_the_bus_matches(
    tmp_path: Path,
) -> None:
    # `placeholder.source` matched no rule: uncommented, the publish item went nowhere.
    (tmp_path / "stacktape.yml").write_text(BUS_STACK, encoding="utf-8")
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["init", str(tmp_path)]) == 0
    starter = tmp_path / "stptui.yml"
    text = starter.read_text("utf-8")
    assert "source: \"'shop.orders'\", detailType: \"'OrderPlaced'\"" in text
    starter.write_text(_COMMENTED_ITEMS.sub(r"\1\2", text), encoding="utf-8")
    session = Session.open(tmp_path, start_ms=START)
    _run(session, "invoke producer", "advance 1s")
    assert session.sim.trace.count("event.matched", "events") == 1
    assert session.sim.function_stats("shipping")["invocations"] == 1


WORKER_TO_FIFO = """\
resources:
  inbox: {type: sqs-queue}
  outbox: {type: sqs-queue, properties: {fifoEnabled: true}}
  processing:
    type: KIND
    properties:
      packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: p.ts}}
      resources: {cpu: 0.25, memory: 512}
      connectTo: [inbox, outbox]
"""


@pytest.mark.parametrize("kind", ["worker-service", "web-service"])
def test_a_polling_workers_fifo_send_has_a_deduplication_id_of_the_message(
    kind: str, tmp_path: Path
) -> None:
    # `requestContext.requestId` is null for a polled message: uncommented, the send to the
    # FIFO queue failed for want of a deduplication id (emission.failed).
    (tmp_path / "stacktape.yml").write_text(WORKER_TO_FIFO.replace("KIND", kind), "utf-8")
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["init", str(tmp_path)]) == 0
    starter = tmp_path / "stptui.yml"
    text = starter.read_text("utf-8")
    trace = 'headers.\\"x-amzn-trace-id\\"'
    dedup = f"{trace} || MessageId" if kind == "web-service" else "MessageId"
    assert f'dedupId: "{dedup}"' in text
    # Uncommented, less its poll of the FIFO queue it sends to (a loop).
    text = _COMMENTED_ITEMS.sub(r"\1\2", text).replace("      - {queue: outbox}\n", "")
    text = text.replace('      - send: {queue: inbox, body: "body"}\n', "")
    starter.write_text(text, encoding="utf-8")
    session = Session.open(tmp_path, start_ms=START)
    _run(session, "send inbox hello", "send inbox other", "advance 5s")
    if kind == "web-service":
        _run(session, "http POST /x hi")
    assert session.sim.trace.count("emission.failed") == 0
    assert session.sim.queues["outbox"].depth == (3 if kind == "web-service" else 2)


def test_it_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "workflow.yml", tmp_path / "stacktape.yml")
    mine = tmp_path / "stptui.yml"
    mine.write_text("behaviors: {}\n", encoding="utf-8")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["init", str(tmp_path)]) == 2
    assert mine.read_text(encoding="utf-8") == "behaviors: {}\n"
    assert "exists; nothing written" in err.getvalue()
    assert "--force" in err.getvalue()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["init", str(tmp_path), "--force"]) == 0
    assert out.getvalue() == (
        f"wrote {mine}: 4 entries, 3 with a placeholder answer\n"
        f"next: edit it, then `stptui repl {tmp_path}` runs the stack with it\n"
    )
    assert "checkOrder:" in mine.read_text(encoding="utf-8")


def test_force_over_a_file_keeps_it_whole_when_the_write_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(EXAMPLES / "workflow.yml", tmp_path / "stacktape.yml")
    mine = tmp_path / "stptui.yml"
    mine.write_text("behaviors: {}\n", encoding="utf-8")

    def full(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("stptui.commands.session.os.replace", full)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["init", str(tmp_path), "--force"]) == 2
    assert err.getvalue() == f"stptui init: cannot write {mine}: No space left on device\n"
    assert mine.read_text(encoding="utf-8") == "behaviors: {}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stacktape.yml", "stptui.yml"]


def test_out_onto_a_link_replaces_the_link_and_a_loop_is_refused(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "workflow.yml", tmp_path / "stacktape.yml")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    (tmp_path / "link.yml").symlink_to(victim)
    (tmp_path / "loop.yml").symlink_to(tmp_path / "loop.yml")
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["init", str(tmp_path), "--out", str(tmp_path / "link.yml"), "--force"]) == 0
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    assert "checkOrder:" in (tmp_path / "link.yml").read_text(encoding="utf-8")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["init", str(tmp_path), "--out", str(tmp_path / "loop.yml"), "--force"]) == 2
    loop = tmp_path / "loop.yml"
    assert (
        err.getvalue() == f"stptui init: cannot write {loop}: Too many levels of symbolic links\n"
    )
    assert loop.is_symlink()


def test_it_replaces_the_behaviours_file_the_stack_already_reads(tmp_path: Path) -> None:
    # stptui.yaml is read when there is no stptui.yml: writing a stptui.yml would hide it.
    shutil.copy(EXAMPLES / "workflow.yml", tmp_path / "stacktape.yml")
    (tmp_path / "stptui.yaml").write_text("behaviors: {}\n", encoding="utf-8")
    with contextlib.redirect_stderr(io.StringIO()):
        assert main(["init", str(tmp_path)]) == 2
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["init", str(tmp_path), "--force"]) == 0
    assert not (tmp_path / "stptui.yml").exists()
    assert "checkOrder:" in (tmp_path / "stptui.yaml").read_text(encoding="utf-8")


def test_out_dash_prints_the_file_and_writes_nothing(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "workflow.yml", tmp_path / "stacktape.yml")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["init", str(tmp_path), "--out", "-"]) == 0
    assert out.getvalue() == starter_file(load_stack(tmp_path)).text
    assert list(tmp_path.iterdir()) == [tmp_path / "stacktape.yml"]


def test_a_file_that_is_no_stack_is_refused(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text("behaviors: {}\n", encoding="utf-8")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        assert main(["init", str(tmp_path)]) == 2
    assert "has no resources" in err.getvalue()
    assert not (tmp_path / "stptui.yml").exists()


WEIRD = """\
resources:
  "on":
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      connectTo: ["q #1: x"]
      events:
        - type: http-api-gateway
          properties: {httpApiGatewayName: api, path: "/a\\n  evil: {fail: true} #", method: GET}
  "q #1: x":
    type: sqs-queue
  api:
    type: http-api-gateway
  "w\\"'`\\u2028: [1]":
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      events:
        - type: sqs
          properties: {sqsQueueName: "q #1: x"}
"""


def test_names_that_need_quoting_cannot_break_the_file() -> None:
    stack = load_stack_text(WEIRD, "stacktape.yml")
    text = starter_file(stack).text
    assert _problems(stack, text) == []
    entries = yaml.safe_load(text)["behaviors"]
    # Exactly the two functions, under their own names, with nothing the config injected.
    assert list(entries) == ["on", "w\"'`\u2028: [1]"]
    assert set(entries["on"]) == {"duration", "response"}
    assert set(entries["w\"'`\u2028: [1]"]) == {"duration"}
    # The route's path is shown in a comment, its line break as an escape.
    assert "# triggered by api: http(GET /a\\n  evil: {fail: true} #)" in text
    taken_in = yaml.safe_load(_COMMENTED_ITEMS.sub(r"\1\2", text))["behaviors"]
    assert taken_in["on"]["emit"] == [{"send": {"queue": "q #1: x", "body": "body"}}]


@given(st.text())
def test_yaml_strings_and_keys_read_back_as_written(text: str) -> None:
    for written in (yaml_string(text), yaml_key(text)):
        doc = f"k: {written}\n"
        assert yaml.safe_load(doc) == {"k": text}
        assert parse_yaml(doc, "x.yml").data == {"k": text}


@given(st.text())
def test_comment_text_stays_on_its_line(text: str) -> None:
    shown = comment_text(text)
    assert yaml.safe_load(f"# {shown}\nk: 1\n") == {"k": 1}
    assert len(shown) <= 100


def test_the_docs_starter_file_is_what_init_writes() -> None:
    # docs/behaviors.md runs workflow-starter.yml as `stptui init` writes it: keep it so.
    written = (EXAMPLES / "workflow-starter.yml").read_text(encoding="utf-8")
    assert written == starter_file(load_stack(EXAMPLES / "workflow.yml")).text


COUNTING = """\
resources:
  count:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: count.ts}}
  flow:
    type: state-machine
    properties:
      definition:
        StartAt: Count
        States:
          Count:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters:
              FunctionName: $ResourceParam('count', 'arn')
              Payload.$: $
            ResultPath: $.counted
            Next: Enough
          Enough:
            Type: Choice
            Choices:
              - Variable: $.counted.Payload.total
                NumericLessThan: 0
                Next: Broken
              - Variable: $.counted.Payload.total
                NumericGreaterThan: 3
                Next: Done
            Default: Broken
          Broken:
            Type: Fail
            Error: Broken
          Done:
            Type: Succeed
"""


def test_a_choice_on_lambda_invokes_payload_gets_a_result_for_its_first_good_branch(
    tmp_path: Path,
) -> None:
    (tmp_path / "stacktape.yml").write_text(COUNTING, encoding="utf-8")
    stack = load_stack(tmp_path)
    text = starter_file(stack).text
    # The rule to the Fail state is passed over; the result sits under lambda:invoke's Payload.
    assert yaml.safe_load(text)["behaviors"]["count"]["response"] == {"total": 4}
    assert "# placeholder: Choice Enough after Task flow.Count goes on to Done" in text
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["init", str(tmp_path)]) == 0
    session = Session.open(tmp_path, start_ms=START)
    _run(session, "start-execution flow '{}'", "advance 1m")
    assert session.sim.trace.count("sfn.execution.succeeded", "flow") == 1
