"""`stptui run [STACK] SCRIPT [SCRIPT ...]`: several scenarios in one call, for CI.

Each script runs on a new simulation of the stack (read once), with the same seed and
start, in the order given; the output is headed `==> SCRIPT <==` per script; the exit code
is the worst (2 over 1 over 0), Ctrl-C and SIGTERM stopping them all; `--fail-fast` runs
none after the first that fails. `--junit` writes one report, a `<testsuite>` per script;
`--trace` and `--save-on-failure` a file per script, named with `{name}`.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_run_junit import check_schema

from stptui.cli import main

ROOT = Path(__file__).resolve().parents[1]
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"
START = "2026-01-05T08:00:00Z"

# Each leaves the stack in another state than it found it; each expects the start's.
PASS = """\
expect queue.jobQueue.depth == 0
send jobQueue '{"orderId": 1, "amount": 20}'
advance 1m
expect function.worker.successes == 1
"""
FAIL = """\
expect queue.jobQueue.depth == 0
send jobQueue '{"orderId": 2, "amount": 20}'
expect queue.jobQueue.depth == 5
expect queue.jobQueue.depth == 1
"""
ERROR = """\
expect queue.jobQueue.depth == 0
sendd jobQueue x
expect queue.jobQueue.depth == 1
"""
SCRIPTS = {"pass": PASS, "fail": FAIL, "error": ERROR}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder holding the job-queue stack, its behaviours and one script of each
    kind (pass.stp, fail.stp, error.stp), as the current folder."""
    for name in ("stacktape.yml", "stptui.yml"):
        shutil.copy(JOB_QUEUE / name, tmp_path / name)
    for name, text in SCRIPTS.items():
        (tmp_path / f"{name}.stp").write_text(text)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*words: str) -> int:
    return main(["run", *words, "--start", START])


def headings(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("==> ")]


# -- exit codes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kinds", "code"),
    [
        (["pass", "pass"], 0),
        (["pass", "fail"], 1),
        (["fail", "pass"], 1),
        (["fail", "fail"], 1),
        (["pass", "error"], 2),
        (["error", "pass"], 2),
        (["error", "fail"], 2),
        (["fail", "error", "pass"], 2),
    ],
)
def test_every_script_runs_and_the_worst_code_wins(
    project: Path, capsys: pytest.CaptureFixture[str], kinds: list[str], code: int
) -> None:
    scripts = []
    for i, kind in enumerate(kinds):
        scripts.append(f"{i}-{kind}.stp")
        (project / scripts[-1]).write_text(SCRIPTS[kind])
    assert run("stacktape.yml", *scripts) == code
    out, err = capsys.readouterr()
    assert headings(out) == [f"==> {s} <==" for s in scripts]
    exits = {"fail": 1, "error": 2}
    failed = [f"{s} (exit {exits[k]})" for s, k in zip(scripts, kinds, strict=True) if k in exits]
    summary = [line for line in err.splitlines() if line.startswith("stptui run: ")]
    if failed:
        assert summary == [
            f"stptui run: {len(failed)} of {len(scripts)} scripts failed: {', '.join(failed)}"
        ]
    else:
        assert summary == [] and err == ""


def test_a_script_that_cannot_be_read_fails_alone(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("pass.stp", "missing.stp", "fail.stp") == 2
    out, err = capsys.readouterr()
    assert headings(out) == ["==> pass.stp <==", "==> missing.stp <==", "==> fail.stp <=="]
    assert "missing.stp: cannot read the script: No such file or directory" in err
    assert err.endswith(
        "stptui run: 2 of 3 scripts failed: missing.stp (exit 2), fail.stp (exit 1)\n"
    )


def test_fail_fast_runs_none_after_the_first_failure(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("pass.stp", "fail.stp", "error.stp", "--fail-fast") == 1
    out, err = capsys.readouterr()
    assert headings(out) == ["==> pass.stp <==", "==> fail.stp <=="]
    assert "sendd" not in out
    assert err.endswith(
        "stptui run: 1 of 3 scripts failed: fail.stp (exit 1); --fail-fast: not run: error.stp\n"
    )


def test_keep_going_applies_within_each_script(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("fail.stp", "pass.stp", "--keep-going") == 1
    out, err = capsys.readouterr()
    # fail.stp's last line ran, after its failed one; pass.stp ran after it.
    assert "ok: queue.jobQueue.depth == 1 (actual 1)" in out
    assert "fail.stp: 1 expectation failed\n" in err
    assert headings(out) == ["==> fail.stp <==", "==> pass.stp <=="]


def test_a_stack_that_cannot_be_opened_runs_no_script(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "broken.yml").write_text("- not a mapping\n")
    assert run("broken.yml", "pass.stp", "fail.stp", "--junit", "r.xml") == 2
    out, err = capsys.readouterr()
    assert out == "==> pass.stp <==\n"
    assert err.endswith(
        "stptui run: 1 of 2 scripts failed: pass.stp (exit 2); the stack cannot be opened: "
        "not run: fail.stp\n"
    )
    first, second = report(project / "r.xml")
    assert [c.find("error") is not None for c in first.findall("testcase")] == [True]
    assert {s.get("message") for s in second.iter("skipped")} == {
        "not run: the stack cannot be opened"
    }


# -- isolation -------------------------------------------------------------------------------


def test_each_script_starts_from_the_same_simulation(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The second script's trace is byte for byte the one it writes run alone: clock,
    queues, ids and random choices all start over."""
    (project / "traces").mkdir()
    assert run("pass.stp", "fail.stp", "--keep-going", "--trace", "traces/{name}.jsonl") == 1
    together = (project / "traces" / "fail.jsonl").read_bytes()
    assert (project / "traces" / "pass.jsonl").read_bytes()
    assert run("fail.stp", "--keep-going", "--trace", "alone.jsonl") == 1
    assert together == (project / "alone.jsonl").read_bytes()
    out = capsys.readouterr().out
    # The first expect of each script (depth 0 at the start) held, after pass.stp sent one.
    assert out.count("ok: queue.jobQueue.depth == 0 (actual 0)") == 3


HANDLERS = """\
calls = 0


def worker(event, context):
    global calls
    calls += 1
    if calls > 1:
        raise RuntimeError(f"call {calls}: state carried over from another script")
    return {"calls": calls}
"""
ONE_CALL = """\
send jobQueue '{"orderId": 1, "amount": 20}'
advance 1m
expect function.worker.successes == 1
expect function.worker.failures == 0
"""


def test_a_python_handler_starts_afresh_for_each_script(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "counting.py").write_text(HANDLERS)
    (project / "counting.yml").write_text("behaviors:\n  worker:\n    handler: counting:worker\n")
    for name in ("one.stp", "two.stp", "three.stp"):
        (project / name).write_text(ONE_CALL)
    code = run(*("one.stp", "two.stp", "three.stp"), "--behaviors", "counting.yml", "--allow-code")
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.count("ok: function.worker.successes == 1 (actual 1)") == 3


def test_the_stack_is_read_once(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from stptui.commands import session

    reads: list[Path] = []
    real = session.load_stack

    def load_stack(path, **kw):  # type: ignore[no-untyped-def]
        reads.append(path)
        return real(path, **kw)

    monkeypatch.setattr(session, "load_stack", load_stack)
    assert run("pass.stp", "fail.stp", "error.stp") == 2
    assert len(reads) == 1


# -- output ----------------------------------------------------------------------------------


def test_the_output_is_headed_per_script(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "a.stp").write_text("advance 1s\n")
    (project / "b.stp").write_text("# nothing but a comment\n")
    (project / "c.stp").write_text("advance 2s\n")
    assert run("a.stp", "b.stp", "c.stp") == 0
    assert capsys.readouterr().out == (
        "==> a.stp <==\n"
        "> advance 1s\n"
        "now 2026-01-05T08:00:01.000Z (+1 s)\n"
        "\n"
        "==> b.stp <==\n"
        "\n"
        "==> c.stp <==\n"
        "> advance 2s\n"
        "now 2026-01-05T08:00:02.000Z (+2 s)\n"
    )


def test_one_of_the_scripts_from_standard_input(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("advance 5s\n"))
    assert run("pass.stp", "-") == 0
    out = capsys.readouterr().out
    assert headings(out) == ["==> pass.stp <==", "==> <stdin> <=="]
    assert out.endswith("> advance 5s\nnow 2026-01-05T08:00:05.000Z (+5 s)\n")


# -- the single-script forms, as they were -----------------------------------------------------


@pytest.mark.parametrize(
    "words",
    [
        ["pass.stp"],  # the stack of the current folder
        ["stacktape.yml", "pass.stp"],
        [".", "pass.stp"],  # a folder holding it
        ["--seed", "0", "stacktape.yml", "pass.stp"],
    ],
)
def test_one_script_is_run_as_before_without_a_heading(
    project: Path, capsys: pytest.CaptureFixture[str], words: list[str]
) -> None:
    assert run(*words) == 0
    out = capsys.readouterr().out
    assert out.startswith("> expect queue.jobQueue.depth == 0\n")
    assert headings(out) == []


def test_one_script_writes_a_report_of_one_suite_and_files_without_name(
    project: Path,
) -> None:
    code = run("fail.stp", "--junit", "r.xml", "--trace", "t.jsonl", "--save-on-failure", "s.json")
    assert code == 1
    (suite,) = report(project / "r.xml")
    assert suite.get("name") == "fail.stp"
    assert (project / "t.jsonl").is_file() and (project / "s.json").is_file()


def test_name_in_a_file_is_replaced_with_one_script_too(project: Path) -> None:
    assert run("fail.stp", "--trace", "{name}.jsonl", "--save-on-failure", "{name}.json") == 1
    assert (project / "fail.jsonl").is_file() and (project / "fail.json").is_file()
    assert not list(project.glob("{name}*"))


def test_the_stack_after_a_script_is_pointed_out(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("pass.stp", "stacktape.yml") == 2
    assert capsys.readouterr().err == (
        "stptui run: pass.stp is the script; the stack comes first: "
        "stptui run stacktape.yml pass.stp\n"
    )
    assert run("pass.stp", "stacktape.yml", "fail.stp") == 2
    assert capsys.readouterr().err == (
        "stptui run: pass.stp is a script; the stack comes first: "
        "stptui run stacktape.yml pass.stp fail.stp\n"
    )


# -- bad combinations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (
            ["pass.stp", "fail.stp", "--trace", "t.jsonl"],
            "stptui run: --trace with several scripts writes a file for each: put {name} in "
            "t.jsonl (the script's file name without .stp), e.g. --trace traces/{name}.jsonl\n",
        ),
        (
            ["pass.stp", "fail.stp", "--save-on-failure", "s.json"],
            "stptui run: --save-on-failure with several scripts writes a file for each: put "
            "{name} in s.json (the script's file name without .stp), e.g. --save-on-failure "
            "{name}-session.json\n",
        ),
        (
            ["pass.stp", "sub/pass.stp", "--trace", "{name}.jsonl"],
            "stptui run: --trace {name}.jsonl names the same file for pass.stp and "
            "sub/pass.stp, pass.jsonl; rename one of the scripts\n",
        ),
        (
            ["pass.stp", "fail.stp", "--trace", "traces/{name}.jsonl"],
            "stptui run: no directory traces for the traces; create it first\n",
        ),
        (
            ["pass.stp", "fail.stp", "./pass.stp"],
            "stptui run: ./pass.stp is given twice; give each script once\n",
        ),
        (
            ["pass.stp", "fail.stp", "--junit", "pass.stp"],
            "pass.stp: --junit names the script of this run, which it would overwrite; write "
            "the report to another file, e.g. --junit report.xml\n",
        ),
        (
            ["pass.stp", "fail.stp", "--save-on-failure", "{name}.stp"],
            "pass.stp: --save-on-failure names the script of this run; save the session to a "
            "file of its own, e.g. --save-on-failure session.json\n",
        ),
    ],
)
def test_a_bad_combination_is_refused_before_any_script_runs(
    project: Path, capsys: pytest.CaptureFixture[str], words: list[str], message: str
) -> None:
    (project / "sub").mkdir()
    (project / "sub" / "pass.stp").write_text(PASS)
    assert run(*words) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == message
    assert not list(project.glob("*.jsonl"))


def test_standard_input_twice_is_refused(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        run("pass.stp", "-", "-")
    assert exc.value.code == 2
    assert "- (standard input) given twice" in capsys.readouterr().err


def test_options_may_come_between_the_scripts(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("stacktape.yml", "pass.stp", "--seed", "3", "fail.stp") == 1
    assert headings(capsys.readouterr().out) == ["==> pass.stp <==", "==> fail.stp <=="]


# -- JUnit -------------------------------------------------------------------------------------


def report(path: Path) -> list[ET.Element]:
    """The suites of a report, checked: the totals of `<testsuites>` are its cases'."""

    root = ET.fromstring(path.read_bytes())
    check_schema(root)
    assert root.tag == "testsuites"
    cases = list(root.iter("testcase"))
    assert root.get("tests") == str(len(cases))
    for what, tag in (("failures", "failure"), ("errors", "error")):
        assert root.get(what) == str(sum(c.find(tag) is not None for c in cases))
    for suite in root:
        own = suite.findall("testcase")
        assert suite.get("tests") == str(len(own))
        for what, tag in (("failures", "failure"), ("errors", "error"), ("skipped", "skipped")):
            assert suite.get(what) == str(sum(c.find(tag) is not None for c in own)), what
    return list(root)


def test_the_report_has_a_suite_per_script(project: Path) -> None:
    assert run("pass.stp", "fail.stp", "error.stp", "--junit", "r.xml") == 2
    suites = report(project / "r.xml")
    assert [s.get("name") for s in suites] == ["pass.stp", "fail.stp", "error.stp"]
    outcomes = [
        [next((c.tag for c in case), "passed") for case in s.findall("testcase")] for s in suites
    ]
    assert outcomes == [
        ["passed", "passed"],
        ["passed", "failure", "skipped"],
        # Its `sendd` line is found before any line runs: none does.
        ["skipped", "error", "skipped"],
    ]
    for suite in suites:
        assert {c.get("file") for c in suite.findall("testcase")} == {suite.get("name")}
        props = {p.get("name"): p.get("value") for p in suite.iter("property")}
        assert props["seed"] == "0" and props["start"] == "2026-01-05T08:00:00.000Z"
        # Each suite's output is its script's alone, without the headings.
        (system_out,) = suite.findall("system-out")
        assert "==>" not in (system_out.text or "")
    assert "sendd" in (suites[2].find("system-err").text or "")
    assert "sendd" not in (suites[1].find("system-err").text or "")


def test_a_script_fail_fast_did_not_run_is_a_suite_of_skipped_tests(project: Path) -> None:
    assert run("fail.stp", "pass.stp", "--fail-fast", "--junit", "r.xml") == 1
    _, second = report(project / "r.xml")
    assert second.get("name") == "pass.stp"
    assert [c.get("line") for c in second.findall("testcase")] == ["1", "4"]
    assert {s.get("message") for s in second.iter("skipped")} == {
        "not run: --fail-fast stopped the run after fail.stp failed"
    }


# -- per-script files ------------------------------------------------------------------------


def test_each_failed_script_saves_its_own_session(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A passing script's file from an earlier run is removed: the artifacts are this run's.
    assert run("fail.stp", "--save-on-failure", "pass-session.json") == 1
    assert run("pass.stp", "fail.stp", "--save-on-failure", "{name}-session.json") == 1
    assert sorted(p.name for p in project.glob("*-session.json")) == ["fail-session.json"]
    err = capsys.readouterr().err
    assert "saved the session to fail-session.json (1 command," in err


# -- interruptions -----------------------------------------------------------------------------


@pytest.fixture
def stopped_at_advance(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The first `advance` line of the run gets the signal the test puts in the list."""
    from stptui.commands import script

    real = script.execute
    sent: list[int] = []

    def execute(session, line, **kw):  # type: ignore[no-untyped-def]
        if line.startswith("advance") and sent:
            signum = sent.pop()
            if signum == signal.SIGINT:
                raise KeyboardInterrupt
            os.kill(os.getpid(), signum)
        return real(session, line, **kw)

    monkeypatch.setattr(script, "execute", execute)
    previous = signal.getsignal(signal.SIGTERM)
    yield sent
    signal.signal(signal.SIGTERM, previous)


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_an_interruption_stops_every_script(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    stopped_at_advance: list[int],
    signum: int,
    code: int,
) -> None:
    stopped_at_advance.append(signum)
    words = ("fail.stp", "pass.stp", "error.stp", "--junit", "r.xml")
    assert run(*words, "--save-on-failure", "{name}-session.json") == code
    out, err = capsys.readouterr()
    assert headings(out) == ["==> fail.stp <==", "==> pass.stp <=="]
    how = "terminated (SIGTERM)" if signum == signal.SIGTERM else "interrupted (Ctrl-C)"
    assert f"pass.stp:3: {how} with the clock at 2026-01-05T08:00:00.000Z\n" in err
    assert err.endswith(f"stptui run: {how}: not run: error.stp\n")
    suites = report(project / "r.xml")
    assert [s.get("name") for s in suites] == ["fail.stp", "pass.stp", "error.stp"]
    assert {s.get("message") for s in suites[2].iter("skipped")} == {f"not run: {how}"}
    assert sorted(p.name for p in project.glob("*-session.json")) == [
        "fail-session.json",
        "pass-session.json",
    ]
