"""`stptui STACK` without the terminal UI: the commands it suggests carry the options it was
given (copied, they open the stack that was shown; so does `graph`'s advice to run
`validate`), and it refuses what the UI, `repl` and
`run` refuse (a behaviours file with errors) with their messages and exit code."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import pytest

from stptui.cli import main

ROOT = Path(__file__).resolve().parents[1]
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"
INCLUDES = ROOT / "docs" / "examples" / "includes"
TYPO_BEHAVIORS = ROOT / "docs" / "examples" / "typo-behaviors.yml"


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def suggested(out: str) -> dict[str, list[str]]:
    """The suggested command lines, split as a shell splits them, by sub-command."""
    lines = out.split("\nCommands:\n", 1)[1].splitlines()
    words = [shlex.split(line) for line in lines if line.startswith("  stptui ")]
    assert all(w[0] == "stptui" for w in words)
    return {w[1]: w[2:] for w in words}


def value(words: list[str], option: str) -> str | None:
    return words[words.index(option) + 1] if option in words else None


def stack_name(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """The stack a `graph` line shows (its first line), run as the user would run it."""
    code, out, _ = cli(capsys, "graph", *[w for w in argv if w not in ("--format", "mermaid")])
    assert code == 0
    return out.split(":", 1)[0]


def test_the_suggested_lines_open_the_stack_that_was_shown(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = cli(capsys, str(JOB_QUEUE), "--no-tui", "--stage", "prod")
    assert code == 0
    assert out.startswith("stack job-queue-demo-prod: ")
    lines = suggested(out)
    assert set(lines) == {"validate", "graph", "repl", "run"}
    for sub in ("validate", "graph", "repl", "run"):
        assert value(lines[sub], "--stage") == "prod", sub
    assert stack_name(capsys, lines["graph"]) == "stack job-queue-demo-prod"


def test_every_option_that_changes_the_session_is_carried_to_the_lines_that_take_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A stack without serviceName, so that --project-name names it, and a behaviours file
    # in a folder whose name a shell would split and expand.
    folder = tmp_path / "my $HOME stack"
    folder.mkdir()
    (folder / "stacktape.yml").write_text(
        "resources:\n  jobQueue: {type: sqs-queue}\n", encoding="utf-8"
    )
    behaviors = folder / "it's.yml"
    behaviors.write_text("{}\n", encoding="utf-8")
    given = {
        "--stage": "prod",
        "--region": "eu-west-1",
        "--project-name": "shop",
        "--behaviors": str(behaviors),
        "--seed": "7",
        "--start": "2026-03-01T10:00:00+01:00",
    }
    argv = [str(folder), "--no-tui", "--allow-code"]
    for option, text in given.items():
        argv += [option, text]
    code, out, _ = cli(capsys, *argv)
    assert code == 0
    assert out.startswith("stack shop-prod: ")
    lines = suggested(out)
    for sub, words in lines.items():
        assert words[0] == str(folder), sub
    assert lines["run"][1] == "SCRIPT"
    stack_options = ("--stage", "--region", "--project-name")
    for sub in ("validate", "graph"):
        # They take no behaviours, seed, start or --allow-code.
        assert {o: value(lines[sub], o) for o in stack_options} == {
            o: given[o] for o in stack_options
        }, sub
        assert "--behaviors" not in lines[sub] and "--allow-code" not in lines[sub]
    for sub in ("repl", "run"):
        assert {o: value(lines[sub], o) for o in given} == given, sub
        assert "--allow-code" in lines[sub]
    assert stack_name(capsys, lines["graph"]) == "stack shop-prod"


def test_options_at_their_default_are_left_out(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, str(JOB_QUEUE), "--no-tui", "--stage", "dev", "--seed", "0")
    assert code == 0
    assert f"  stptui repl {JOB_QUEUE}\n" in out
    assert f"  stptui validate {JOB_QUEUE}\n" in out


def test_a_start_given_replaces_the_demo_scripts_start(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, str(JOB_QUEUE), "--no-tui", "--start", "2026-02-01T00:00:00Z")
    assert code == 0
    run = suggested(out)["run"]
    assert run[:2] == [str(JOB_QUEUE), str(JOB_QUEUE / "demo.stp")]
    assert run.count("--start") == 1 and value(run, "--start") == "2026-02-01T00:00:00Z"
    assert value(suggested(out)["repl"], "--start") == "2026-02-01T00:00:00Z"


@pytest.mark.parametrize(
    "argv",
    [[str(INCLUDES), "--no-tui", "--stage", "prod"], ["graph", str(INCLUDES), "--stage", "prod"]],
    ids=["bare", "graph"],
)
def test_the_validate_advice_for_a_broken_stack_carries_the_stage(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # The errors may depend on the stage ($Stage() in a name): validate the one shown.
    code, out, err = cli(capsys, *argv)
    assert code == 0
    assert f"1 error in the config; run `stptui validate {INCLUDES} --stage prod`\n" in out + err


def test_a_behaviours_file_with_errors_is_refused_as_repl_and_run_refuse_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    behaviors = str(TYPO_BEHAVIORS)
    bare = cli(capsys, str(INCLUDES), "--no-tui", "--behaviors", behaviors)
    repl = cli(capsys, "repl", str(INCLUDES), "--behaviors", behaviors)
    script = tmp_path / "empty.stp"
    script.write_text("", encoding="utf-8")
    ran = cli(capsys, "run", str(INCLUDES), str(script), "--behaviors", behaviors)
    # The same messages, each summary line starting with the sub-command that wrote it.
    summary = f"{behaviors} has errors\n"
    assert bare[2].endswith(f"\nstptui: {summary}")
    assert repl[2].endswith(f"\nstptui repl: {summary}")
    assert ran[2].endswith(f"\nstptui run: {summary}")
    assert bare[2].removesuffix(f"stptui: {summary}") == ran[2].removesuffix(
        f"stptui run: {summary}"
    )
    assert bare[:2] == repl[:2] == ran[:2] == (2, "")
    assert repl[2].replace("stptui repl: ", "stptui run: ") == ran[2]
    assert bare[2].count(": error behavior-") == 3


def test_the_default_behaviours_file_is_checked_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # stptui.yml next to the stack is what `repl` and `run` read when no --behaviors is given.
    shutil.copytree(INCLUDES, tmp_path / "stack")
    shutil.copy(TYPO_BEHAVIORS, tmp_path / "stack" / "stptui.yml")
    code, out, err = cli(capsys, str(tmp_path / "stack"), "--no-tui")
    assert (code, out) == (2, "")
    assert err.endswith("stptui.yml has errors\n")
    assert f"\nstptui: {tmp_path / 'stack' / 'stptui.yml'} has errors\n" in err
    repl_err = cli(capsys, "repl", str(tmp_path / "stack"))[2]
    assert err.replace("\nstptui: ", "\nstptui repl: ") == repl_err


def test_a_config_with_no_resource_to_drive_is_refused_as_repl_refuses_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A graph of nothing and exit 0 read as a pass, while every line suggested exits 2.
    config = tmp_path / "stacktape.yml"
    config.write_text("- a\n- b\n", encoding="utf-8")
    code, out, err = cli(capsys, str(config), "--no-tui")
    assert (code, out) == (2, "")
    assert "the config must be a mapping, not a list" in err
    assert err.endswith("\nstptui: cannot read the stack\n")
    repl_err = cli(capsys, "repl", str(config))[2]
    assert err.replace("\nstptui: ", "\nstptui repl: ") == repl_err


def test_a_stack_without_behaviours_is_offered_init_first(
    capsys: pytest.CaptureFixture[str],
) -> None:
    workflow = ROOT / "docs" / "examples" / "workflow.yml"
    code, out, _ = cli(capsys, str(workflow), "--no-tui", "--stage", "prod")
    assert code == 0
    commands = out.split("\nCommands:\n", 1)[1].splitlines()
    assert commands[0] == f"  stptui init {workflow} --stage prod"
    assert "returns null" in commands[1]
    # The line runs: it writes the starter for the stack that was shown.
    lines = suggested(out)
    assert lines["init"] == [str(workflow), "--stage", "prod"]
    # A stack with its behaviours file is not offered one.
    _, out, _ = cli(capsys, str(JOB_QUEUE), "--no-tui")
    assert "init" not in suggested(out)
