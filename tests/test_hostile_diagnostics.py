"""Hostile names and values in the diagnostics of `stptui validate`, the REPL and the TUI
(docs/fidelity.md, "Untrusted text on screen").

A diagnostic names what it is about by the config's own text: a name that is not a plain
word is quoted as Python's repr writes it (`textsafe.named`), a name in the YAML a hint
offers is YAML that reads back as the name (`yamltext.yaml_key`), and the whole line goes
through one safe path (`Diagnostic.format`). The names here end in a backslash and a
right-to-left override: printed bare, the line shows `fn\\u202e` (two backslashes), the
same as a name that holds the six characters `\\u202e`; named, `'fn\\\\\\u202e'`."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest
import yaml
from hostilekit import unsafe

from stptui.cli import main
from stptui.config import ConfigError, load_stack, load_stack_text
from stptui.config.diagnostics import Diagnostic
from stptui.sim.behavior import Behaviors
from stptui.textsafe import named, named_list, printable

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "hostile-names"
REAL = ROOT.parent / "shared" / "reference" / "real-stacks"

# What every hostile name ends in, and that end printed bare: a backslash not doubled
# before the override's escape.
SUFFIX = "\\\u202e"
BARE = re.compile(r"(?<!\\)\\\\u202e")

# A stack whose every name ends in SUFFIX, written so that each check that names a resource
# in its message or hint fires: a queue nothing reads (its name holds `: #`, which YAML
# would read as a key and a comment), a dead-letter queue nothing reads, a queue without
# one, a function without a runtime, a web service with a refused size and scaling range.
STACK = r"""
resources:
  "idle\\\u202e: #x":
    type: sqs-queue
  "src\\\u202e":
    type: sqs-queue
    properties:
      redrivePolicy: {targetSqsQueueName: "dead\\\u202e", maxReceiveCount: 5}
  "dead\\\u202e":
    type: sqs-queue
  "work\\\u202e":
    type: sqs-queue
  "fn\\\u202e":
    type: function
    properties:
      packaging: {type: custom-artifact, properties: {packagePath: a.zip, handler: "a:b"}}
      events:
        - type: sqs
          properties: {sqsQueueName: "work\\\u202e"}
        - type: sqs
          properties: {sqsQueueName: "src\\\u202e"}
  "web\\\u202e":
    type: web-service
    properties:
      packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: a.ts}}
      resources: {cpu: 1, memory: 1024}
      scaling: {minInstances: 5, maxInstances: 2}
"""
# Its behaviours: an entry for no workload, an unknown key, a send the role does not
# allow, targets the stack lacks and values that are no duration or JMESPath.
BEHAVIORS = r"""
behaviors:
  "nosuch\\\u202e":
    duration: 10ms
  "fn\\\u202e":
    "key\\\u202e": 1
    duration: "1\\\u202ems"
    response: "{a: b\\\u202e"
    emit:
      - send: {queue: "idle\\\u202e: #x", body: "'x'"}
      - send: {queue: "q\\\u202e", body: "'x'"}
"""
NAME = "idle" + SUFFIX + ": #x"


# The codes whose message quotes a value as the simulator's runtime errors do (a duration,
# a JMESPath expression: the same error a handler's call gets, which the trace keeps as it
# is and its views escape), as text between quotes: safe to print, but not a name.
VALUES_QUOTED = frozenset({"behavior-bad-duration", "behavior-bad-jmespath"})


def bare_in(diags: list[Diagnostic]) -> list[str]:
    """Each diagnostic line whose message or hint prints a hostile name bare (as the
    terminal gets it: the override an escape, however the line wrote it)."""
    return [
        line
        for line in (printable(d.format()) for d in diags if d.code not in VALUES_QUOTED)
        if BARE.search(line.split("]: ", 1)[-1]) is not None
    ]


def test_named_writes_a_plain_word_as_it_is_and_any_other_quoted_and_escaped() -> None:
    assert named("jobsQueue") == "jobsQueue"
    assert named("my-api.v2") == "my-api.v2"
    # Printable non-ASCII stays readable; a combining mark makes the name a quoted one.
    assert named("队列处理") == "队列处理"
    assert named("Z\u0301q") == "'Z\u0301q'"
    assert named("fn" + SUFFIX) == "'fn\\\\\\u202e'"
    assert named("a b") == "'a b'" and named("x'y") == '"x\'y"'
    assert named_list(["b", "a b", "b"]) == "b, 'a b'"


def test_every_diagnostic_names_a_hostile_name_quoted_and_escaped(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(BEHAVIORS, encoding="utf-8")
    stack = load_stack(tmp_path / "stacktape.yml")
    _, behavior_diags = Behaviors.load(tmp_path / "stptui.yml", stack)
    diags = [*stack.diagnostics, *behavior_diags]
    codes = {d.code for d in diags}
    assert {
        "queue-no-consumer",
        "dlq-no-consumer",
        "queue-no-dlq",
        "custom-artifact-runtime",
        "fargate-cpu-memory",
        "scaling-range",
        "behavior-unknown-function",
        "behavior-unknown-key",
        "behavior-unknown-target",
        "behavior-bad-duration",
        "behavior-bad-jmespath",
    } <= codes, codes
    assert bare_in(diags) == []
    assert [d.format() for d in diags if unsafe(d.format())] == []


def test_validate_prints_a_hostile_name_in_its_hints_as_yaml_that_reads_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(BEHAVIORS, encoding="utf-8")
    with contextlib.suppress(SystemExit):
        main(["validate", str(tmp_path)])
    out = capsys.readouterr().out
    assert unsafe(out) == []
    assert [line for line in out.splitlines() if BARE.search(line)] == [
        line for line in out.splitlines() if any(code in line for code in VALUES_QUOTED)
    ]
    # The YAML a hint offers, pasted into the stack, names the queue itself (bare, `: #`
    # made a key and a comment of it).
    offered = re.search(r"`sqsQueueName: (.*?)` to a function's events", out)
    assert offered is not None
    assert yaml.safe_load(f"sqsQueueName: {offered[1]}") == {"sqsQueueName": NAME}
    granted = re.search(r"`connectTo: (\[.*?\])`", out)
    assert granted is not None
    assert yaml.safe_load(granted[1]) == [NAME]
    redrive = re.search(r"`redrivePolicy: (\{.*?\})`", out)
    assert redrive is not None
    assert yaml.safe_load(redrive[1])["targetSqsQueueName"] == "work" + SUFFIX + "Dlq"


def test_validate_keeps_printable_non_ascii_names_readable(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with contextlib.suppress(SystemExit):
        main(["validate", str(FIXTURE)])
    out = capsys.readouterr().out
    assert unsafe(out) == []
    # Wide letters and combining marks are shown as they are; the override and the C1 CSI
    # of the dead-letter queue's name as escapes, the name quoted.
    assert "队列处理队列处理队列处理队列处理" in out
    assert "Z\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308q" in out
    assert "dead-letter queue 'd\\u202eead\\x9b2J\\x1b]8;;" in out
    # The combining-mark queue's hint is YAML that reads back as its name.
    offered = re.findall(r"`sqsQueueName: (.*?)` to a function's events", out)
    names = [yaml.safe_load(f"k: {o}")["k"] for o in offered]
    assert "Z\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308q" in names


def test_a_diagnostic_formats_its_own_fields_safely() -> None:
    # Whatever a message was composed of, its line is safe to print: the resource shown
    # as a value (a backslash before an escape doubled), the message and hint escaped.
    d = Diagnostic(
        "error", "x-code", "a \x1b]0;T\x07 b\nc", "f\u202e.yml", 1, 2, "r" + SUFFIX, "h\x9b"
    )
    line = d.format()
    assert unsafe(line) == []
    assert line.splitlines() == [
        "f\\u202e.yml:1:2: error x-code [r\\\\\\u202e]: a \\x1b]0;T\\x07 b\\nc",
        "    hint: h\\x9b",
    ]


# libyaml's safe loader where PyYAML has it: it reads each real stack as the pure-Python one
# does (the renamed texts of all 1,818 came out the same, byte for byte) in a fifth of the
# time, which was most of the time of the test below.
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _renamed(path: Path) -> str | None:
    """The config at `path` with every resource renamed to end in SUFFIX, references to it
    too (a value that is the name, a `$ResourceParam('name'`); None when it is no stack."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=FAST_LOADER)
    except (yaml.YAMLError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("resources"), dict):
        return None
    names = {k for k in data["resources"] if isinstance(k, str)}

    def rename(value: object) -> object:
        if isinstance(value, dict):
            return {rename(k) if k in names else k: rename(v) for k, v in value.items()}
        if isinstance(value, list):
            return [rename(v) for v in value]
        if isinstance(value, str):
            if value in names:
                return value + SUFFIX
            for name in names:
                value = value.replace(f"('{name}'", f"('{name}{SUFFIX}'")
        return value

    return yaml.safe_dump(rename(data), allow_unicode=False, sort_keys=False)


@pytest.mark.skipif(not REAL.is_dir(), reason=f"no real-stacks folder at {REAL}")
def test_no_real_stack_renamed_hostile_gets_a_diagnostic_that_prints_a_name_bare() -> None:
    # Every check the real stacks set off, each resource renamed: each names it quoted.
    found: list[str] = []
    checked = 0
    for path in sorted(REAL.rglob("*.yml")):
        text = _renamed(path)
        if text is None:
            continue
        try:
            stack = load_stack_text(text, path.name)
        except ConfigError:
            continue
        checked += 1
        found += bare_in(stack.diagnostics)
    assert checked > 1000
    assert found == []
