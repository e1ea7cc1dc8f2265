"""The `stptui` command line: validate (text, JSON, exit codes), graph, the no-argument demo,
`--stage`, escaping of untrusted text, and the commands the README tells people to run."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from stptui import graph
from stptui.cli import demo_stack_path, main
from stptui.config import load_stack
from stptui.textsafe import printable

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((REPO_ROOT / "stptui" / "sample_stacks").glob("*/stacktape.yml"))
SEEDS = sorted((REPO_ROOT / "tests" / "fixtures" / "seed").glob("*.yml"))
JSON_FIELDS = ["severity", "code", "message", "file", "line", "column", "resource", "hint"]
# C0 controls except tab and newline, DEL and the C1 controls (0x9b is a one-byte CSI).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_there_are_samples_and_seeds() -> None:
    assert len(SAMPLES) >= 6
    assert len(SEEDS) >= 6


# -- validate: exit codes --------------------------------------------------------------------


@pytest.mark.parametrize("path", SAMPLES, ids=[p.parent.name for p in SAMPLES])
def test_validate_sample_stacks_exit_0(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(capsys, "validate", str(path))
    assert rc == 0, out
    assert err == ""
    assert " 0 errors," in out.splitlines()[-1]
    # The directory holding stacktape.yml works the same way.
    rc_dir, out_dir, _ = run(capsys, "validate", str(path.parent))
    assert (rc_dir, out_dir) == (rc, out)


def test_validate_strict_fails_on_a_warning_and_never_on_an_info(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An HTTP API without a name on its event is a warning; a queue without a dead-letter
    # queue an info.
    config = tmp_path / "stacktape.yml"
    config.write_text(
        "resources:\n"
        "  gw: {type: http-api-gateway}\n"
        "  api:\n"
        "    type: function\n"
        "    properties:\n"
        "      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}\n"
        "      events:\n"
        "        - {type: http-api-gateway, properties: {method: GET, path: /x}}\n"
    )
    rc, out, _ = run(capsys, "validate", str(config))
    assert "warning missing-gateway-name" in out
    assert rc == 0
    assert run(capsys, "validate", str(config), "--strict")[0] == 1
    infos_only = tmp_path / "infos.yml"
    infos_only.write_text(
        "resources:\n"
        "  jobs: {type: sqs-queue}\n"
        "  worker:\n"
        "    type: function\n"
        "    properties:\n"
        "      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}\n"
        "      events: [{type: sqs, properties: {sqsQueueName: jobs}}]\n"
    )
    rc, out, _ = run(capsys, "validate", str(infos_only), "--strict")
    assert " 0 warnings, 2 infos" in out.splitlines()[-1]
    assert rc == 0


@pytest.mark.parametrize("path", SEEDS, ids=[p.stem for p in SEEDS])
def test_validate_guide_snippets_exit_1_for_missing_database(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, _ = run(capsys, "validate", str(path))
    assert rc == 1
    missing = [
        line
        for line in out.splitlines()
        if " error missing-resource " in line and "'database'" in line
    ]
    assert missing, out
    assert all(line.startswith(f"{path}:") for line in missing)
    rc_json, out_json, _ = run(capsys, "validate", str(path), "--format", "json")
    assert rc_json == 1
    diags = json.loads(out_json)
    assert any(
        d["severity"] == "error" and d["code"] == "missing-resource" and "database" in d["message"]
        for d in diags
    )


def test_validate_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.yml"
    rc, out, err = run(capsys, "validate", str(missing))
    assert rc == 2
    assert out == ""
    assert err.startswith(f"{missing}: error file-unreadable: ")
    rc, out, _ = run(capsys, "validate", str(missing), "--format", "json")
    assert rc == 2
    [diag] = json.loads(out)
    assert (diag["code"], diag["file"], diag["severity"]) == (
        "file-unreadable",
        str(missing),
        "error",
    )


def test_validate_directory_without_config_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "other.yml").write_text("resources: {}\n", encoding="utf-8")
    rc, out, err = run(capsys, "validate", str(tmp_path))
    assert rc == 2
    assert out == ""
    assert "file-unreadable" in err and "stacktape.yml" in err


def test_validate_yaml_syntax_error_exits_2_with_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "stacktape.yml"
    path.write_text("resources:\n  q:\n    type: sqs-queue\n  bad: [1, 2\n", encoding="utf-8")
    rc, out, err = run(capsys, "validate", str(path))
    assert rc == 2
    assert out == ""
    assert re.match(rf"{re.escape(str(path))}:5:1: error yaml-syntax: YAML syntax error: ", err)
    rc, out, _ = run(capsys, "validate", str(path), "--format", "json")
    assert rc == 2
    [diag] = json.loads(out)
    assert list(diag) == JSON_FIELDS
    assert (diag["code"], diag["line"], diag["column"]) == ("yaml-syntax", 5, 1)
    assert diag["message"].startswith("YAML syntax error: ")


def test_validate_unknown_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["validate", str(SAMPLES[0]), "--format", "xml"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


# -- validate: output ------------------------------------------------------------------------


def test_validate_text_output_lists_every_diagnostic(capsys: pytest.CaptureFixture[str]) -> None:
    path = SEEDS[0]
    stack = load_stack(path)
    assert stack.diagnostics
    rc, out, _ = run(capsys, "validate", str(path))
    assert rc == 1
    expected = "".join(printable(d.format()) + "\n" for d in stack.diagnostics)
    counts = {s: sum(d.severity == s for d in stack.diagnostics) for s in ("error", "warning")}
    assert out.startswith(expected)
    summary = out[len(expected) :]
    n = len(stack.resources)
    assert summary.startswith(f"{path}: {n} resource{'' if n == 1 else 's'}; ")
    assert f"{counts['error']} error" in summary and f"{counts['warning']} warning" in summary
    first = stack.diagnostics[0]
    assert out.startswith(
        f"{first.file}:{first.line}:{first.column}: {first.severity} {first.code}"
    )


def test_validate_text_output_shows_resource_and_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "stacktape.yml"
    path.write_text(
        "resources:\n  fn:\n    type: function\n    properties:\n"
        "      packaging: {type: x}\n      connectTo: [jobQueu]\n  jobQueue:\n"
        "    type: sqs-queue\n",
        encoding="utf-8",
    )
    rc, out, _ = run(capsys, "validate", str(path))
    assert rc == 1
    lines = out.splitlines()
    [i] = [n for n, line in enumerate(lines) if " missing-resource " in line]
    assert lines[i].startswith(f"{path}:6:19: error missing-resource [fn]: ")
    assert "'jobQueu'" in lines[i]
    assert lines[i + 1].startswith("    hint: ")
    assert "jobQueue" in lines[i + 1]


def test_validate_json_has_every_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "stacktape.yml"
    path.write_text(
        "resources:\n  fn:\n    type: function\n    properties:\n"
        "      packaging: {type: x}\n      connectTo: [jobQueu]\n  jobQueue:\n"
        "    type: sqs-queue\n  other:\n    type: sqs-queue\n",
        encoding="utf-8",
    )
    stack = load_stack(path)
    rc, out, _ = run(capsys, "validate", str(path), "--format", "json")
    assert rc == 1
    diags = json.loads(out)
    assert len(diags) == len(stack.diagnostics)
    for got, want in zip(diags, stack.diagnostics, strict=True):
        assert list(got) == JSON_FIELDS
        assert got == {field: getattr(want, field) for field in JSON_FIELDS}
    missing = next(d for d in diags if d["code"] == "missing-resource")
    assert missing == {
        "severity": "error",
        "code": "missing-resource",
        "message": missing["message"],
        "file": str(path),
        "line": 6,
        "column": 19,
        "resource": "fn",
        "hint": missing["hint"],
    }
    assert "jobQueu" in missing["message"]
    assert isinstance(missing["hint"], str) and "jobQueue" in missing["hint"]
    # A diagnostic without resource or hint still has the keys, as null.
    no_hint = [d for d in diags if d["hint"] is None]
    assert all(set(d) == set(JSON_FIELDS) for d in no_hint)


def test_validate_json_of_sample_stacks_has_no_errors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for path in SAMPLES:
        rc, out, _ = run(capsys, "validate", str(path), "--format", "json")
        assert rc == 0
        assert all(d["severity"] != "error" for d in json.loads(out))


# -- graph -----------------------------------------------------------------------------------

JOB_QUEUE = REPO_ROOT / "stptui" / "sample_stacks" / "job-queue" / "stacktape.yml"


def test_graph_text_folds_to_the_terminal_and_not_into_a_pipe(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    combined = REPO_ROOT / "stptui" / "sample_stacks" / "combined"
    g = graph.build_graph(load_stack(combined))
    monkeypatch.setenv("COLUMNS", "80")
    _, piped, _ = run(capsys, "graph", str(combined))
    assert piped == graph.to_text(g)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    _, shown, _ = run(capsys, "graph", str(combined))
    assert shown == graph.to_text(g, 80) != piped
    assert "  api ..connect..> jobQueue\n      [STP_JOB_QUEUE_ARN" in shown
    # A trigger's pattern goes on under its edge there; piped, the edge is one line.
    assert '  eventBus --event-bus--> emailService\n      ({"source":["orders"],' in shown
    assert (
        '  eventBus --event-bus({"source":["orders"],"detail-type":["OrderCreated",'
        '"OrderShipped"]})--> emailService\n'
    ) in piped


def test_the_folded_graph_in_the_guide_is_what_a_terminal_of_60_columns_shows(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    page = (REPO_ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8")
    block = re.search(
        r"<!-- check: by tests/test_cli.py -->\n```text\n(.*?)^```$", page, re.S | re.M
    )
    assert block is not None
    monkeypatch.setenv("COLUMNS", "60")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    _, shown, _ = run(capsys, "graph", str(REPO_ROOT / "stptui" / "sample_stacks" / "combined"))
    assert block[1] in shown
    assert max(len(line) for line in shown.splitlines()) <= 60


def test_graph_text(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(capsys, "graph", str(JOB_QUEUE))
    assert (rc, err) == (0, "")
    g = graph.build_graph(load_stack(JOB_QUEUE))
    assert out == graph.to_text(g)
    assert out.startswith(f"stack job-queue-demo-dev: {len(g)} nodes, {len(g.edges)} edges\n")
    assert "  jobQueue --redrive(after 3)--> deadLetterQueue\n" in out
    assert "  jobQueue --sqs(batch 1)--> worker\n" in out
    assert "  api ..connect..> jobQueue [STP_JOB_QUEUE_ARN" in out


@pytest.mark.parametrize(
    ("resources", "counts", "errors"),
    [
        ("  q: {type: sqs-queue}\n", "1 node, 0 edges", ""),
        (
            "  q: {type: sqs-queue}\n  f:\n    type: function\n    properties:\n"
            "      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.py}}\n"
            "      events: [{type: sqs, properties: {sqsQueueName: q}}]\n",
            "2 nodes, 1 edge",
            "",
        ),
        (
            "  f:\n    type: function\n    properties:\n"
            "      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.py}}\n"
            "      events: [{type: sqs, properties: {sqsQueueName: nope}}]\n",
            "2 nodes, 1 edge",
            "1 error in the config",
        ),
        (
            "  f:\n    type: function\n    properties:\n"
            "      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.py}}\n"
            "      events:\n"
            "        - {type: sqs, properties: {sqsQueueName: nope}}\n"
            "        - {type: sqs, properties: {sqsQueueName: gone}}\n",
            "3 nodes, 2 edges",
            "2 errors in the config",
        ),
    ],
)
def test_graph_text_counts_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], resources: str, counts: str, errors: str
) -> None:
    path = tmp_path / "stacktape.yml"
    path.write_text(f"serviceName: app\nresources:\n{resources}", encoding="utf-8")
    rc, out, err = run(capsys, "graph", str(path))
    assert rc == 0
    assert out.startswith(f"stack app-dev: {counts}\n")
    assert err == (f"{errors}; run `stptui validate {shlex.quote(str(path))}`\n" if errors else "")


def test_graph_mermaid(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "graph", str(JOB_QUEUE), "--format", "mermaid")
    assert rc == 0
    lines = out.splitlines()
    assert lines[0] == "flowchart LR"
    assert any('"jobQueue<br/>sqs-queue"' in line for line in lines)
    assert sum("==>" in line for line in lines) == 1  # the one redrive edge
    assert out == graph.to_mermaid(graph.build_graph(load_stack(JOB_QUEUE)))


def test_graph_dot(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "graph", str(JOB_QUEUE), "--format", "dot")
    assert rc == 0
    body = out.strip()
    assert body.startswith("digraph stack {") and body.endswith("}")
    assert body.count("{") == body.count("}")
    g = graph.build_graph(load_stack(JOB_QUEUE))
    assert sum(" -> " in line for line in body.splitlines()) == len(g.edges)


def test_graph_json_round_trips(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "graph", str(JOB_QUEUE), "--format", "json")
    assert rc == 0
    back = nx.node_link_graph(json.loads(out), edges="edges")
    g = graph.build_graph(load_stack(JOB_QUEUE))
    assert set(back.nodes) == set(g.nodes)
    assert {"api", "jobQueue", "deadLetterQueue", "worker", "httpApi"} <= set(back.nodes)
    assert sorted((u, v, k) for u, v, k in back.edges(keys=True)) == sorted(
        (u, v, k) for u, v, k in g.edges(keys=True)
    )
    assert back.nodes["jobQueue"]["kind"] == "sqs-queue"


def test_graph_of_a_broken_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "stacktape.yml"
    path.write_text("resources: [\n", encoding="utf-8")
    rc, out, err = run(capsys, "graph", str(path), "--format", "mermaid")
    assert rc == 2
    assert out == ""
    assert "yaml-syntax" in err


# -- no argument: the demo stack -------------------------------------------------------------


def test_no_argument_prints_the_demo_graph(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(capsys)
    assert rc == 0
    assert err == ""
    demo = demo_stack_path()
    assert demo.is_file()
    expected = graph.to_text(graph.build_graph(load_stack(demo)))
    assert out.startswith(expected)
    assert out.startswith("stack background-jobs-demo-dev: ")
    for name in ("dailyReport", "jobQueue", "webhookReceiver", "fileProcessor", "heavyJob"):
        assert f"\n{name} (" in out
    assert " in the config; run" not in out
    assert f"stptui validate {demo}" in out


def test_open_with_a_stack_and_a_broken_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, _ = run(capsys, str(JOB_QUEUE))
    assert rc == 0
    assert out.startswith("stack job-queue-demo-dev: ")
    rc, out, _ = run(capsys, str(SEEDS[0]))
    assert rc == 0
    assert re.search(r"\b\d+ errors? in the config; run `stptui validate", out)
    rc, out, err = run(capsys, str(tmp_path / "missing.yml"))
    assert rc == 2
    assert "file-unreadable" in err


def test_open_without_a_terminal_names_the_commands_that_drive_the_stack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A first run piped or in CI prints the graph: the next commands to type must include
    # the simulator's, and a sample's demo script with the start its `until` lines need.
    rc, out, _ = run(capsys, str(JOB_QUEUE.parent), "--no-tui")
    assert rc == 0
    here = str(JOB_QUEUE.parent)
    assert f"  stptui repl {here}\n" in out
    assert f"  stptui run {here} {here}/demo.stp --start 2026-01-05T08:00:00Z\n" in out
    (tmp_path / "my stack").mkdir()
    (tmp_path / "my stack" / "stacktape.yml").write_text(STAGED)
    rc, out, _ = run(capsys, str(tmp_path / "my stack" / "stacktape.yml"), "--no-tui")
    assert rc == 0
    quoted = shlex.quote(str(tmp_path / "my stack" / "stacktape.yml"))
    assert f"  stptui repl {quoted}\n" in out
    assert f"  stptui run {quoted} SCRIPT\n" in out
    assert "demo.stp" not in out


# -- --stage ---------------------------------------------------------------------------------

STAGED = """\
resources:
  queuedev: {type: sqs-queue}
  queueprod: {type: sqs-queue}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      environment:
        - name: STAGE_NAME
          value: $Format('stage-{}', $Stage())
      events:
        - type: sqs
          properties:
            sqsQueueName: $Format('queue{}', $Stage())
        - type: sqs
          properties:
            sqsQueueName: queueprod
"""


def test_stage_option_changes_stage_resolution(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "stacktape.yml"
    path.write_text(STAGED, encoding="utf-8")

    def worker_env(*extra: str) -> dict[str, str]:
        rc, out, _ = run(capsys, "graph", str(path), "--format", "json", *extra)
        assert rc == 0
        data = json.loads(out)
        [node] = [n for n in data["nodes"] if n["id"] == "worker"]
        return {e["name"]: e["value"] for e in node["env"]}

    assert worker_env()["STAGE_NAME"] == "stage-dev"
    assert worker_env("--stage", "prod")["STAGE_NAME"] == "stage-prod"
    # With --stage prod both events read queueprod: the second consumer is diagnosed.
    _, dev, _ = run(capsys, "validate", str(path), "--format", "json")
    _, prod, _ = run(capsys, "validate", str(path), "--format", "json", "--stage", "prod")
    dev_codes = {d["code"] for d in json.loads(dev)}
    prod_codes = {d["code"] for d in json.loads(prod)}
    assert dev_codes != prod_codes
    rc, out, _ = run(capsys, "graph", str(path), "--stage", "prod")
    assert rc == 0
    assert out.startswith("stack app-prod: ")
    rc, out, _ = run(capsys, "graph", str(path))
    assert "  queuedev --sqs" in out and "  queueprod --sqs" in out


def test_stage_option_reaches_references(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "stacktape.yml"
    path.write_text(
        "resources:\n  queueprod: {type: sqs-queue}\n  worker:\n    type: function\n"
        "    properties:\n      packaging: {type: stacktape-lambda-buildpack, "
        "properties: {entryfilePath: a.ts}}\n      events:\n        - type: sqs\n"
        "          properties:\n            sqsQueueName: $Format('queue{}', $Stage())\n",
        encoding="utf-8",
    )
    rc_dev, out_dev, _ = run(capsys, "validate", str(path))
    rc_prod, out_prod, _ = run(capsys, "validate", str(path), "--stage", "prod")
    assert rc_dev == 1 and "'queuedev'" in out_dev
    assert rc_prod == 0, out_prod


# -- untrusted text is printed escaped -------------------------------------------------------

EVIL = """\
serviceName: "evil\\e[31m"
resources:
  "q\\e[31mred":
    type: sqs-queue
  "w\\e]0;title\\a":
    type: function
    properties:
      packaging: {type: x}
      connectTo: ["\\e[2Jgone", "q\\e[31mred"]
      environment:
        - name: "\\e[1mNAME"
          value: "\\e[5mblink"
      events:
        - type: "\\e[1mfoo"
        - type: sqs
          properties: {sqsQueueName: "q\\e[31mred"}
"""


def _all_outputs(path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    outputs = {}
    for name, argv in {
        "validate": ["validate", str(path)],
        "validate json": ["validate", str(path), "--format", "json"],
        "graph text": ["graph", str(path)],
        "graph mermaid": ["graph", str(path), "--format", "mermaid"],
        "graph dot": ["graph", str(path), "--format", "dot"],
        "graph json": ["graph", str(path), "--format", "json"],
        "open": [str(path)],
    }.items():
        rc, out, err = run(capsys, *argv)
        assert rc in (0, 1), (name, rc, err)
        outputs[name] = out + err
    return outputs


def test_ansi_escapes_in_names_are_printed_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "stacktape.yml"
    path.write_text(EVIL, encoding="utf-8")
    stack = load_stack(path)
    assert "q\x1b[31mred" in stack.resources  # the name really holds an ESC
    outputs = _all_outputs(path, capsys)
    for name, text in outputs.items():
        assert "\x1b" not in text, name
        assert "\x07" not in text, name
    assert "q\\x1b[31mred" in outputs["validate"]
    assert "q\\x1b[31mred" in outputs["graph text"]
    assert "q\\x1b[31mred" in outputs["open"]
    assert json.loads(outputs["validate json"])  # escaped as \u001b, still valid JSON


def test_c1_controls_in_names_are_printed_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """U+009B is a one-character CSI; xterm acts on it in UTF-8 too. No output may carry it raw."""
    path = tmp_path / "stacktape.yml"
    path.write_text(EVIL.replace("\\e[", "\\x9b").replace("\\e]", "\\x9d"), encoding="utf-8")
    assert any("\x9b" in name for name in load_stack(path).resources)
    outputs = _all_outputs(path, capsys)
    raw = {name: sorted(set(CONTROL.findall(text))) for name, text in outputs.items()}
    assert not any(raw.values()), {name: chars for name, chars in raw.items() if chars}


def test_escapes_in_the_file_name_are_printed_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "\x1b[31mred"
    folder.mkdir()
    (folder / "stacktape.yml").write_text("resources:\n  q: {type: function}\n", encoding="utf-8")
    for argv in (["validate", str(folder)], ["graph", str(folder)], [str(folder)]):
        rc, out, err = run(capsys, *argv)
        assert rc in (0, 1), (argv, err)
        assert "\x1b" not in out + err, argv
    rc, out, err = run(capsys, "validate", str(folder / "missing.yml"))
    assert rc == 2
    assert "\x1b" not in out + err
    assert "\\x1b[31mred" in err
    broken = folder / "broken.yml"
    broken.write_text("resources: [\x1b\n", encoding="utf-8")
    rc, out, err = run(capsys, "validate", str(broken))
    assert rc == 2
    assert "\x1b" not in out + err


# -- the README's commands -------------------------------------------------------------------


def _readme_command(marker: str) -> str:
    """The first line inside the code fence that follows `marker` in README.md."""
    lines = (REPO_ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index(marker)
    fence = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("```"))
    return lines[fence + 1]


def test_readme_test_command_is_what_ci_runs() -> None:
    command = _readme_command("<!-- test-command -->")
    assert "pytest" in command
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    match = re.search(r"cmd=\$\(awk '([^']*)' README\.md\)", ci)
    assert match, "the awk extraction in .ci/run changed; update this test"
    if shutil.which("awk") is None:
        pytest.skip("awk is not installed")
    done = subprocess.run(
        ["awk", match.group(1), "README.md"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert done.stdout.rstrip("\n") == command


def test_readme_test_command_runs_pytest_from_the_repo() -> None:
    parts = [shlex.split(p) for p in _readme_command("<!-- test-command -->").split("&&")]
    assert parts[-1][-2:] == ["-m", "pytest"] or parts[-1][-1].endswith("pytest")
    assert any("pip" in p[0] and "install" in p for p in parts)


def test_readme_run_command_ends_by_running_stptui() -> None:
    command = _readme_command("<!-- run-command -->")
    parts = [shlex.split(p) for p in command.split("&&")]
    assert parts[-1] and Path(parts[-1][0]).name == "stptui", command
    assert len(parts[-1]) == 1, "the demo is opened with no argument"
    install = [p for p in parts if len(p) > 1 and Path(p[0]).name == "pip" and "install" in p]
    assert install, command
    venv = Path(parts[-1][0]).parent
    assert Path(install[0][0]).parent == venv, "stptui runs from the venv pip installed into"


def test_validate_counts_in_the_singular_for_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = tmp_path / "stacktape.yml"
    one.write_text("resources:\n  a:\n    type: bucket\n")
    assert main(["validate", str(one)]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == f"{one}: 1 resource; 0 errors, 0 warnings, 0 infos"


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (("--start", "garbage"), "stptui: --start 'garbage' is not an ISO-8601 instant"),
        (("--speed", "7x"), "stptui: --speed must be one of 1x, 10x, 60x, 600x, 3600x, max"),
    ],
)
def test_open_without_a_terminal_still_refuses_a_bad_start_or_speed(
    option: tuple[str, str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without a terminal the graph is printed instead of the UI; a mistyped option must
    # still fail, or the same line fails only once someone runs it on a terminal.
    rc, out, err = run(capsys, str(JOB_QUEUE), "--no-tui", *option)
    assert (rc, out) == (2, "")
    assert err.startswith(message)


def test_a_folder_of_stacks_names_the_subfolders_that_hold_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("orders", "billing"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "stacktape.yml").write_text("resources: {}\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    rc, _, err = run(capsys, "validate", str(tmp_path))
    assert rc == 2
    hint = err.splitlines()[1]
    assert (
        hint == f"    hint: these folders hold one: {tmp_path / 'billing'}, {tmp_path / 'orders'}"
    )


def test_run_without_a_script_says_what_to_give(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["run", str(SAMPLES[0].parent)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "required: script\n  hint: a file of commands" in err
    assert "demo.stp" in err and "stptui repl STACK" in err


def test_run_with_only_a_script_runs_it_on_the_stack_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # As validate, graph and repl do: inside a project folder the stack goes without saying.
    for f in demo_stack_path("job-queue").parent.iterdir():
        shutil.copy(f, tmp_path / f.name)
    monkeypatch.chdir(tmp_path)
    assert main(["run", "demo.stp", "--start", "2026-01-05T08:00:00Z"]) == 0
    alone = capsys.readouterr().out
    assert "message.deleted" in alone
    assert main(["run", "stacktape.yml", "demo.stp", "--start", "2026-01-05T08:00:00Z"]) == 0
    assert capsys.readouterr().out == alone


def test_run_with_only_a_script_and_no_stack_here_says_the_line_to_type(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "checks.stp").write_text("advance 1m\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(["run", "checks.stp"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "no STACK given and no stacktape.yml in the current folder" in err
    assert err.rstrip().endswith("give one: stptui run path/to/stacktape.yml checks.stp")
