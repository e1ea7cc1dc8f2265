"""A wrong value read through `$File` is reported inside the file it was read from (at the
line and column there, with the file named as the user can open it), also through nested
includes; values built from several pieces, and problems of the directive itself, stay at
the directive in stacktape.yml."""

from __future__ import annotations

from pathlib import Path

import pytest
from workcount import CountWork

from stptui.cli import main
from stptui.config import Diagnostic, load_stack

FILES = {
    # line 1: a value of the wrong type; line 2: a property queues do not have
    "queue.yml": 'visibilityTimeoutSeconds: "abc"\nbogus: 1\n',
    "all.json": (
        "{\n"
        '  "mem": "lots",\n'
        '  "queue": {\n'
        '    "visibilityTimeoutSeconds": "x",\n'
        '    "wat": true\n'
        "  },\n"
        '  "delays": [1, "two"]\n'
        "}\n"
    ),
    "env.yml": "- name: A\n  value: '1'\n- name: B\n",
    "outer.yml": (
        "queue:\n"
        "  visibilityTimeoutSeconds: 20\n"
        "  redrivePolicy: $File('parts/deeper/inner.json')\n"
        "other:\n"
        "  redrivePolicy: $File('parts/deeper/inner.json')\n"
    ),
    "deeper/inner.json": '{\n  "targetSqsQueueName": "dlq",\n  "maxReceiveCount": "many"\n}\n',
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config in `sub/` whose includes live in `sub/parts/`; the working directory is the
    one above `sub/`, as when a user runs `stptui validate sub/stacktape.yml`."""
    for name, text in FILES.items():
        path = tmp_path / "sub" / "parts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_config(project: Path, queue_properties: str, *function_properties: str) -> None:
    """A queue `q` with the given `properties:` text (a DLQ beside it), and a function with
    the given extra property lines."""
    lines = [
        "resources:",
        "  q:",
        "    type: sqs-queue",
        f"    properties: {queue_properties}",
        "  dlq:",
        "    type: sqs-queue",
        "  fn:",
        "    type: function",
        "    properties:",
        "      packaging:",
        "        type: stacktape-lambda-buildpack",
        "        properties:",
        "          entryfilePath: a.ts",
        *(f"      {line}" for line in function_properties),
    ]
    (project / "sub" / "stacktape.yml").write_text("\n".join(lines) + "\n")


def located(diags: list[Diagnostic], *codes: str) -> list[str]:
    return [f"{d.location}: {d.code}" for d in diags if d.code in codes]


def test_wrong_value_and_unknown_key_in_an_included_yaml_file(project: Path) -> None:
    write_config(project, "$File('parts/queue.yml')")
    diags = load_stack("sub/stacktape.yml").diagnostics
    assert located(diags, "wrong-type", "unknown-property") == [
        "sub/parts/queue.yml:1:27: wrong-type",
        "sub/parts/queue.yml:2:1: unknown-property",
    ]
    assert all(Path(d.file).is_file() for d in diags if d.file)


def test_included_json_file_with_a_property_path(project: Path) -> None:
    write_config(
        project,
        "$File('parts/all.json').queue",
        "memory: $File('parts/all.json').mem",  # a scalar read from the file
    )
    diags = load_stack("sub/stacktape.yml").diagnostics
    assert located(diags, "wrong-type", "unknown-property") == [
        "sub/parts/all.json:2:10: wrong-type",
        "sub/parts/all.json:4:33: wrong-type",
        "sub/parts/all.json:5:5: unknown-property",
    ]


def test_a_list_index_in_the_property_path(project: Path) -> None:
    write_config(project, "\n      delayMessagesSecond: $File('parts/all.json').delays.1")
    diags = load_stack("sub/stacktape.yml").diagnostics
    assert located(diags, "wrong-type") == ["sub/parts/all.json:7:17: wrong-type"]


def test_environment_entry_in_an_included_list(project: Path) -> None:
    write_config(project, "{}", "environment: $File('parts/env.yml')")
    diags = load_stack("sub/stacktape.yml").diagnostics
    assert located(diags, "missing-property") == ["sub/parts/env.yml:3:3: missing-property"]


@pytest.mark.parametrize(
    "properties", ["$File('parts/outer.yml').queue", "$File('parts/outer.yml').other"]
)
def test_nested_includes_map_to_the_innermost_file(project: Path, properties: str) -> None:
    write_config(project, properties)
    diags = load_stack("sub/stacktape.yml").diagnostics
    assert located(diags, "wrong-type") == ["sub/parts/deeper/inner.json:3:22: wrong-type"]


def test_nested_include_reached_by_the_property_path(project: Path) -> None:
    # The path ends on the inner directive: its value is the inner file's data.
    write_config(project, "\n      redrivePolicy: $File('parts/outer.yml').queue.redrivePolicy")
    diags = load_stack("sub/stacktape.yml").diagnostics
    assert located(diags, "wrong-type") == ["sub/parts/deeper/inner.json:3:22: wrong-type"]


def test_lint_findings_in_an_included_file(project: Path) -> None:
    (project / "sub" / "parts" / "deeper" / "inner.json").write_text(
        '{\n  "targetSqsQueueName": "dlqq",\n  "maxReceiveCount": 3\n}\n'
    )
    write_config(project, "$File('parts/outer.yml').queue")
    diags = load_stack("sub/stacktape.yml").diagnostics
    assert located(diags, "missing-resource") == [
        "sub/parts/deeper/inner.json:2:25: missing-resource"
    ]


def test_a_value_not_wholly_the_directive_stays_at_the_directive(project: Path) -> None:
    write_config(
        project,
        "{}",
        "memory: $Format('{}', $File('parts/all.json').mem)",
        "timeout: $Var().timeout",
    )
    config = project / "sub" / "stacktape.yml"
    config.write_text("variables:\n  timeout: $File('parts/all.json').mem\n" + config.read_text())
    diags = load_stack("sub/stacktape.yml").diagnostics
    assert located(diags, "wrong-type") == [
        "sub/stacktape.yml:16:15: wrong-type",
        "sub/stacktape.yml:17:16: wrong-type",
    ]


def test_the_key_of_the_directive_is_where_it_is_written(project: Path) -> None:
    write_config(
        project, "\n      visibilityTimeoutSeconds: 30\n      wat: $File('parts/queue.yml')"
    )
    diags = load_stack("sub/stacktape.yml").diagnostics
    assert located(diags, "unknown-property") == ["sub/stacktape.yml:6:7: unknown-property"]


def test_problems_of_the_directive_itself_stay_at_the_directive(project: Path) -> None:
    write_config(
        project, "$File('parts/all.json').queue.nope", "environment: $File('parts/no.yml')"
    )
    diags = load_stack("sub/stacktape.yml").diagnostics
    assert located(diags, "directive-path", "directive-file") == [
        "sub/stacktape.yml:4:17: directive-path",
        "sub/stacktape.yml:14:20: directive-file",
    ]


def test_included_file_named_from_the_config_folder(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(project, "$File('./parts/queue.yml')")
    monkeypatch.chdir(project / "sub")
    diags = load_stack("stacktape.yml").diagnostics
    assert located(diags, "wrong-type") == ["parts/queue.yml:1:27: wrong-type"]


def test_through_validate(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_config(project, "$File('parts/queue.yml')")
    assert main(["validate", "sub/stacktape.yml"]) == 1
    out = capsys.readouterr().out
    assert (
        "sub/parts/queue.yml:1:27: error wrong-type [q]: `visibilityTimeoutSeconds` must be an "
        "integer, not the string 'abc'\n"
    ) in out
    assert "sub/parts/queue.yml:2:1: error unknown-property [q]: unknown property `bogus`" in out


def test_a_warning_from_an_included_file_is_reported_once_where_it_is_written(
    project: Path,
) -> None:
    # The variable is resolved by the walk over the config and again for its user: both
    # report the code file at the same place in the included file, so the user sees it once.
    (project / "sub" / "parts" / "code.yml").write_text("t: 30\nh: $File('h.js')\n")
    (project / "sub" / "stacktape.yml").write_text(
        "variables:\n"
        "  x: $File('parts/code.yml')\n"
        "resources:\n"
        "  q:\n"
        "    type: sqs-queue\n"
        "    properties:\n"
        "      visibilityTimeoutSeconds: $Var().x.t\n"
    )
    diags = load_stack("sub/stacktape.yml").diagnostics
    assert located(diags, "directive-file-code") == ["sub/parts/code.yml:2:4: directive-file-code"]


def test_work_grows_linearly_with_the_included_file(project: Path) -> None:
    # Every entry of a large included list is wrong: each is placed through the include
    # (nothing copies the file's marks per use or per diagnostic).
    def steps(entries: int) -> int:
        env = "".join(f"- name: V{i}\n" for i in range(entries))
        (project / "sub" / "parts" / "env.yml").write_text(env)
        write_config(project, "{}", "environment: $File('parts/env.yml')")
        with CountWork(lines=False) as work:
            diags = load_stack("sub/stacktape.yml").diagnostics
        assert len(located(diags, "missing-property")) == entries
        assert located(diags, "missing-property")[-1] == (
            f"sub/parts/env.yml:{entries}:3: missing-property"
        )
        return work.steps

    small, large = steps(300), steps(600)
    assert large < 2.5 * small, (small, large)


def test_a_file_that_reads_a_part_of_itself(project: Path) -> None:
    (project / "sub" / "parts" / "self.yml").write_text(
        "props:\n"
        "  visibilityTimeoutSeconds: $File('parts/self.yml').t\n"
        "  delayMessagesSecond: $File('parts/self.yml').props.visibilityTimeoutSeconds\n"
        "t: bad\n"
    )
    write_config(project, "$File('parts/self.yml').props")
    stack = load_stack("sub/stacktape.yml")
    assert located(stack.diagnostics, "wrong-type") == [
        "sub/parts/self.yml:4:4: wrong-type",
        "sub/parts/self.yml:4:4: wrong-type",
    ]
    # The file's document refers to itself in its includes: loading twice still compares.
    assert load_stack("sub/stacktape.yml").source == stack.source


def test_second_places_in_messages_and_graph_edges_name_the_included_file(
    project: Path,
) -> None:
    from stptui.graph import build_graph

    (project / "sub" / "parts" / "slow.yml").write_text("visibilityTimeoutSeconds: 5\n")
    (project / "sub" / "parts" / "events.yml").write_text(
        "- type: sqs\n  properties:\n    sqsQueueName: q\n"
    )
    write_config(
        project, "$File('parts/slow.yml')", "timeout: 30", "events: $File('parts/events.yml')"
    )
    stack = load_stack("sub/stacktape.yml")
    [short] = [d for d in stack.diagnostics if d.code == "visibility-timeout-too-short"]
    # the hint's second place is inside the include, not "line 1" of stacktape.yml
    assert "of 'q' (sub/parts/slow.yml:1:27)" in (short.hint or "")
    [edge] = [d for _, _, d in build_graph(stack).edges(data=True) if d["kind"] == "trigger"]
    assert (edge["file"], edge["line"], edge["column"]) == ("sub/parts/events.yml", 1, 3)


# -- problems of directives written inside an included file ----------------------------------


def test_a_bad_directive_inside_an_included_file_is_reported_where_it_is_written(
    project: Path,
) -> None:
    (project / "sub" / "parts" / "bad.yml").write_text(
        "visibilityTimeoutSeconds: 30\n"
        "delayMessagesSecond: $Format('{}-{}', 'only-one')\n"
        "messageRetentionPeriodSeconds: $Var().nope\n"
    )
    write_config(project, "$File('parts/bad.yml')")
    diags = load_stack("sub/stacktape.yml").diagnostics
    assert located(diags, "directive-format", "directive-var-missing", "directive-path") == [
        "sub/parts/bad.yml:2:22: directive-format",
        "sub/parts/bad.yml:3:32: directive-var-missing",
    ]
    # The $File directive only says that its value is not resolved, and where to look.
    [pointer] = [d for d in diags if d.code == "directive-unresolved"]
    assert pointer.location == "sub/stacktape.yml:4:17"
    assert "sub/parts/bad.yml:2:22" in pointer.message
    [fmt] = [d for d in diags if d.code == "directive-format"]
    assert fmt.resource == "q"


def test_a_bad_directive_in_a_nested_include_is_reported_in_the_innermost_file(
    project: Path,
) -> None:
    (project / "sub" / "parts" / "deeper" / "inner.json").write_text(
        '{\n  "targetSqsQueueName": "dlq",\n  "maxReceiveCount": "$Bogus()"\n}\n'
    )
    write_config(project, "$File('parts/outer.yml').queue")
    diags = load_stack("sub/stacktape.yml").diagnostics
    assert located(diags, "directive-unknown") == [
        "sub/parts/deeper/inner.json:3:22: directive-unknown"
    ]


def test_a_bad_directive_that_is_the_whole_value_read_from_the_file(project: Path) -> None:
    (project / "sub" / "parts" / "one.yml").write_text("a: 1\nt: $Format('{}, $Stage())\n")
    write_config(project, "{}", "timeout: $File('parts/one.yml').t")
    diags = load_stack("sub/stacktape.yml").diagnostics
    assert located(diags, "directive-syntax") == ["sub/parts/one.yml:2:4: directive-syntax"]


def test_directive_text_that_stays_literal_in_an_included_file_is_reported_there(
    project: Path,
) -> None:
    (project / "sub" / "parts" / "lit.yml").write_text(
        "visibilityTimeoutSeconds: 30\n"
        "tags:\n"
        "  - key: name\n"
        "    value: q-$Stage()\n"
        "  - $Var().k: 1\n"
    )
    write_config(project, "$File('parts/lit.yml')")
    diags = load_stack("sub/stacktape.yml").diagnostics
    assert located(diags, "directive-embedded", "directive-in-key") == [
        "sub/parts/lit.yml:4:12: directive-embedded",
        "sub/parts/lit.yml:5:5: directive-in-key",
    ]
    [key] = [d for d in diags if d.code == "directive-in-key"]
    assert key.resource == "q"


@pytest.mark.parametrize("directive", ["File", "FileRaw"])
def test_a_file_named_by_a_custom_directive_is_known_only_by_running_it(
    project: Path, directive: str
) -> None:
    # Stacktape's own nesting example: the file name comes from config code stptui never runs.
    (project / "sub" / "stacktape.yml").write_text(
        "directives:\n"
        "  - name: GetFileName\n"
        "    filePath: my-directive.ts:getFileNameFromStage\n"
        "variables:\n"
        "  envFileName: $GetFileName($Stage())\n"
        "resources:\n"
        "  fn:\n"
        "    type: function\n"
        "    properties:\n"
        "      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}\n"
        "      environment:\n"
        f"        - {{name: A, value: ${directive}($Var().envFileName)}}\n"
    )
    diags = load_stack("sub/stacktape.yml").diagnostics
    assert [d.code for d in diags if d.severity == "error"] == []
    assert all("Placeholder(" not in d.message + (d.hint or "") for d in diags)
