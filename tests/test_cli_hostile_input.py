"""The command line given what a hostile user types: `stptui match` with an `@` and no file
name, a file that is not there or JSON the shell unquoted, `stptui schedule` with an expression that never fires,
a misspelt or misplaced sub-command, an option given twice. Each says what happened in one
line, without Python's errno notation, and exits as documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_match_at_sign_without_a_file_name(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "match", "@", "{}")
    assert (code, out) == (2, "")
    assert err == "stptui match: @ names no pattern file; write @FILE, e.g. @pattern.json\n"


def test_match_file_that_cannot_be_read_says_why_in_words(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "match", '{"source": ["a"]}', "@/no/such/event.json")
    assert (code, out) == (2, "")
    assert err == (
        "stptui match: cannot read the event file /no/such/event.json: No such file or directory\n"
    )


@pytest.mark.parametrize(
    "expression", ["cron(0 9 31 2 ? *)", "cron(0 9 * * ? 2020)", "cron(0 9 30 2 ? *)"]
)
def test_a_cron_that_never_fires_says_so(
    capsys: pytest.CaptureFixture[str], expression: str
) -> None:
    code, out, err = run(capsys, "schedule", expression, "--after", "2026-01-05T08:00:00Z")
    assert (code, out) == (0, "")
    assert err == f"{expression}: no fire after 2026-01-05T08:00:00Z up to 2199, cron's last year\n"


def test_schedule_that_fires_less_than_asked_prints_no_note(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(
        capsys, "schedule", "rate(1 minute)", "-n", "3", "--after", "9999-12-31T23:58:00Z"
    )
    assert (code, out, err) == (0, "9999-12-31T23:59:00Z\n", "")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["valdate", "stptui/sample_stacks/job-queue"],
            "no sub-command or stack 'valdate'; did you mean `stptui validate`?",
        ),
        (["grpah"], "no sub-command or stack 'grpah'; did you mean `stptui graph`?"),
        # Other tools' words: `lint` is nearest `init` by spelling, `check` near nothing.
        (["lint"], "no sub-command or stack 'lint'; did you mean `stptui validate`?"),
        (["check", "x.yml"], "no sub-command or stack 'check'; did you mean `stptui validate`?"),
        (["test"], "no sub-command or stack 'test'; did you mean `stptui run`?"),
        (["--stage", "prod", "validate", "x.yml"], "put the sub-command first: stptui validate"),
        (["--no-tui", "run", "a", "b"], "put the sub-command first: stptui run"),
        # A command of the language typed as a sub-command: "unrecognized arguments: orders
        # hi" said nothing of where it goes.
        (
            ["send", "orders", "hi"],
            "send is a command inside a session, not a sub-command: type it in `stptui repl "
            "[STACK]`, or pipe it in: echo 'send ...' | stptui run STACK -",
        ),
        # A bare word near no sub-command was read as a file: "cannot read the file".
        (
            ["xyzzy"],
            "no sub-command or stack 'xyzzy': no such file or folder (sub-commands: init, "
            "validate, graph, run, repl, match, schedule)",
        ),
        # Stacktape's own sub-command: it was taken for `repl`.
        (
            ["deploy"],
            "no sub-command or stack 'deploy': stptui changes nothing in AWS (that is "
            "`stacktape deploy`); `stptui [STACK]` runs the stack on its simulator",
        ),
        # A word for opening the terminal UI, which no sub-command does.
        (
            ["simulate"],
            "no sub-command or stack 'simulate'; the terminal UI is no sub-command: "
            "`stptui [STACK]` opens it",
        ),
        (["tui", "x.yml"], "no sub-command or stack 'tui'; the terminal UI is no sub-command"),
    ],
)
def test_a_misspelt_or_misplaced_subcommand_is_named_as_one(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    assert info.value.code == 2 and out == ""
    assert f"stptui: error: {message}" in err


def test_a_stack_that_exists_is_opened_whatever_its_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "graph").mkdir()
    (tmp_path / "graph" / "stacktape.yml").write_text(
        "resources:\n  jobs:\n    type: sqs-queue\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "--no-tui", "graph")
    assert code == 0
    assert "jobs (sqs-queue" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "stack", "s.stp", "--seed", "1", "--seed", "2"],
        ["run", "stack", "s.stp", "--start", "2026-01-05T08:00:00Z", "--start", "2026-01-06"],
        ["validate", "--format", "json", "x.yml", "--format", "text"],
        ["schedule", "rate(1 day)", "-n", "1", "-n", "2"],
        ["repl", "stack", "--stage", "dev", "--stage", "prod"],
    ],
)
def test_an_option_given_twice_is_refused_not_overridden(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    option = next(w for w in argv[2:] if w.startswith("-") and argv.count(w) == 2)
    assert info.value.code == 2 and out == ""
    assert err.endswith(f"error: {option} given twice; give it once\n")


def test_match_json_the_shell_unquoted_says_to_quote_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # `stptui match {"source": ["a"]} {}` typed without quotes reaches us as {source: [a]}.
    code, out, err = run(capsys, "match", "{source: [a]}", "{}")
    assert (code, out) == (2, "")
    assert err.endswith('; put it in single quotes: \'{"source": ["orders"]}\'\n')
    code, _, err = run(capsys, "match", '{"source": ["a"]}', '{"a":')
    assert code == 2 and "single quotes" not in err


@pytest.mark.parametrize(
    ("stage", "message"),
    [
        ("", "the stage is empty; give one such as dev or prod"),
        ("a b", "stage 'a b' may hold only letters, digits and '-' (it names the stack)"),
        ("prod_1", "stage 'prod_1' may hold only letters, digits and '-' (it names the stack)"),
    ],
)
def test_a_stage_that_cannot_name_the_stack_is_refused(
    capsys: pytest.CaptureFixture[str], stage: str, message: str
) -> None:
    # `{project}-{stage}` is a CloudFormation stack name: an empty stage named it `app-`.
    with pytest.raises(SystemExit) as info:
        main(["validate", "stptui/sample_stacks/job-queue", "--stage", stage])
    out, err = capsys.readouterr()
    assert info.value.code == 2 and out == ""
    assert err.endswith(f"error: argument --stage: {message}\n")


def test_match_reads_json_files_saved_with_a_byte_order_mark(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Windows editors (Notepad, PowerShell's Out-File -Encoding utf8) start UTF-8 with a BOM;
    # RFC 8259 lets a parser ignore it, and Python's message for it names a codec instead.
    pattern = tmp_path / "pattern.json"
    pattern.write_bytes(b'\xef\xbb\xbf{"source": ["orders"]}')
    event = tmp_path / "event.json"
    event.write_bytes(b'\xef\xbb\xbf{"source": "orders", "detail-type": "A", "detail": {}}')
    code, out, err = run(capsys, "match", f"@{pattern}", f"@{event}")
    assert (code, err) == (0, "")
    assert out.startswith("match\n")


@pytest.mark.parametrize("which", ["pattern", "event"])
def test_match_reads_a_file_only_up_to_a_bound(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], which: str
) -> None:
    # The file was read whole: `@/dev/zero` ended in a MemoryError once the memory was
    # gone. A pipe (`@<(...)`, `@/dev/stdin`) is still read, up to the same bound.
    big = tmp_path / "big.json"
    big.write_text('{"a": "' + "x" * (4 * 1024 * 1024) + '"}', encoding="utf-8")
    args = [f"@{big}", "{}"] if which == "pattern" else ['{"source": ["a"]}', f"@{big}"]
    code, out, err = run(capsys, "match", *args)
    assert (code, out) == (2, "")
    assert err == (
        f"stptui match: cannot read the {which} file {big}: it holds more than 4,194,304 "
        "bytes, more than any pattern or event\n"
    )
