"""What a first-time user of the `stptui` command line trips over: `validate` checks the
behaviours file that `run` would refuse, and a file given in the wrong place (a script as
the stack, the arguments of `run` swapped, a behaviours file as the stack) is named for what
it is, with the command line to type instead."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stptui.cli import main

REPO_ROOT = Path(__file__).resolve().parents[1]
JOB_QUEUE = REPO_ROOT / "stptui" / "sample_stacks" / "job-queue"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture
def stack_dir(tmp_path: Path) -> Path:
    """The job-queue stack in a folder of its own, to put a behaviours file beside."""
    (tmp_path / "stacktape.yml").write_text((JOB_QUEUE / "stacktape.yml").read_text())
    return tmp_path


# -- validate checks the behaviours file -------------------------------------------------------


def test_validate_fails_on_an_error_in_the_sidecar_that_run_refuses(
    stack_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (stack_dir / "stptui.yml").write_text("behaviors:\n  workr:\n    duration: 1s\n")
    rc, out, _ = run(capsys, "validate", str(stack_dir))
    assert rc == 1
    assert "stptui.yml:2:3: error behavior-unknown-function [workr]" in out
    assert "did you mean 'worker'?" in out
    # The error is the behaviours file's, and the summary says so: the stack has none.
    side = stack_dir / "stptui.yml"
    assert out.splitlines()[-1] == (
        f"{stack_dir / 'stacktape.yml'}: 6 resources; 0 errors, 0 warnings, 3 infos; "
        f"{side}: 1 error, 0 warnings, 0 infos"
    )
    # `run` refuses the same file, so passing `validate` would have promised too much.
    script = stack_dir / "s.stp"
    script.write_text("advance 1s\n")
    assert run(capsys, "run", str(stack_dir), str(script))[0] == 2


def test_validate_reports_the_behaviours_file_warnings_without_failing(
    stack_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (stack_dir / "stptui.yml").write_text("behaviors:\n  worker:\n    duration: 1h\n")
    rc, out, _ = run(capsys, "validate", str(stack_dir), "--format", "json")
    assert rc == 0
    codes = [(d["severity"], d["code"], d["line"]) for d in json.loads(out)]
    assert ("warning", "behavior-duration-over-timeout", 3) in codes


def test_validate_checks_the_file_behaviors_names(
    stack_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.yml"
    other.write_text("behaviors: [\n")
    rc, out, _ = run(capsys, "validate", str(stack_dir), "--behaviors", str(other))
    assert rc == 1
    assert f"{other}:2:1: error yaml-syntax" in out


def test_validate_of_a_sample_with_its_own_sidecar_stays_clean(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rc, out, _ = run(capsys, "validate", str(JOB_QUEUE))
    assert rc == 0
    assert "behavior-" not in out


# -- a file in the wrong place ----------------------------------------------------------------


def test_run_with_its_two_files_swapped_gives_the_line_to_type(
    capsys: pytest.CaptureFixture[str],
) -> None:
    stack, script = JOB_QUEUE / "stacktape.yml", JOB_QUEUE / "demo.stp"
    rc, out, err = run(capsys, "run", str(script), str(stack))
    assert rc == 2
    assert out == ""
    assert err == (
        f"stptui run: {script} is the script; the stack comes first: stptui run {stack} {script}\n"
    )


@pytest.mark.parametrize("words", [[], [str(JOB_QUEUE / "stacktape.yml")]], ids=len)
def test_run_without_a_script_asks_for_one_with_what_it_is(
    words: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # `stptui run` alone, the first thing typed to see what it takes, was asked for
    # `stack, SCRIPT` without a hint, though the stack may be left out.
    with pytest.raises(SystemExit) as exit_:
        main(["run", *words])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.endswith(
        "stptui run: error: the following arguments are required: script\n"
        "  hint: a file of commands, one per line (each sample stack has its demo.stp), or - "
        "to read them from standard input; `stptui repl STACK` types them instead\n"
    )


@pytest.mark.parametrize("sub", [["validate"], ["graph"], ["repl"], []], ids=str)
def test_a_script_given_as_the_stack_is_named_as_a_script(
    sub: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    script = JOB_QUEUE / "demo.stp"
    rc, out, err = run(capsys, *sub, str(script))
    assert rc == 2
    text = out + err
    # Not a YAML syntax error at some column of a command: what the file is, and what to do.
    assert f"{script}: error not-a-config: this is a stptui script" in text
    assert "yaml-syntax" not in text
    assert f"hint: a script runs on a stack: stptui run stacktape.yml {script}" in text


def test_a_stack_given_as_the_script_says_the_line_is_yaml(
    capsys: pytest.CaptureFixture[str],
) -> None:
    stack = JOB_QUEUE / "stacktape.yml"
    rc, _, err = run(capsys, "run", str(JOB_QUEUE), str(stack))
    assert rc == 2
    assert "unknown command 'serviceName:': this line is YAML, not a command" in err
    assert "`stptui run STACK SCRIPT` takes the stacktape.yml first, then the script" in err


def test_a_behaviours_file_given_as_the_stack_names_the_option_it_belongs_to(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rc, out, _ = run(capsys, "validate", str(JOB_QUEUE / "stptui.yml"))
    assert rc == 1
    assert (
        "hint: this is a behaviours file (its key is `behaviors`): give the stack's "
        "stacktape.yml, and this file with --behaviors"
    ) in out
    # The file is not also checked as its own sidecar against a stack of no resources.
    assert "behavior-unknown-function" not in out
