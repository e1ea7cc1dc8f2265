"""`stptui run --junit FILE`: a JUnit XML report CI shows, each `expect` line a test case.

The report is checked the way a CI reporter reads it (xml.etree), and against the rules of
Jenkins' junit-10.xsd (the schema pytest checks its own reports against: no validating
parser is a dependency, so its rules are written out below), with the `file` and `line`
attributes of a test case that GitLab and the GitHub reporters read.
"""

from __future__ import annotations

import io
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from stptui.cli import main
from stptui.commands.script import ScriptOptions, run_from_files
from stptui.sim.clock import parse_instant
from stptui.textsafe import printable

START = "2026-01-05T08:00:00Z"

STACK = """\
serviceName: junittest
resources:
  jobQueue:
    type: sqs-queue
    properties:
      visibilityTimeoutSeconds: 30
      redrivePolicy: {targetSqsQueueName: deadLetterQueue, maxReceiveCount: 3}
  deadLetterQueue:
    type: sqs-queue
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}
      timeout: 5
      events:
        - type: sqs
          properties: {sqsQueueName: jobQueue, batchSize: 1}
"""

PASSING = """\
# the job-queue story
fail worker always
send jobQueue '{"jobId": 1}'
advance 2m
expect count message.dead_lettered jobQueue == 1
expect queue.deadLetterQueue.depth == 1
"""

FAILING = """\
send jobQueue a
advance 1m
expect queue.deadLetterQueue.depth == 1
expect function.worker.successes == 1
expect function.worker.successes == 5
"""

# junit-10.xsd (jenkinsci/xunit-plugin): each element's attributes and children; the
# required attributes; testsuite's time as SUREFIRE_TIME. `file` and `line` on a test case
# are the one addition (GitLab reads `file`, the GitHub reporters `file` and `line`).
ATTRIBUTES = {
    "testsuites": {"name", "time", "tests", "failures", "errors"},
    "testsuite": {
        "name",
        "tests",
        "failures",
        "errors",
        "group",
        "time",
        "skipped",
        "timestamp",
        "hostname",
        "id",
        "package",
        "file",
        "log",
        "url",
    },
    "properties": set(),
    "property": {"name", "value"},
    "testcase": {"name", "time", "classname", "group", "file", "line"},
    "failure": {"type", "message"},
    "error": {"type", "message"},
    "skipped": {"type", "message"},
    "system-out": set(),
    "system-err": set(),
}
REQUIRED = {
    "testsuite": {"name", "tests", "failures", "errors"},
    "property": {"name", "value"},
    "testcase": {"name"},
}
CHILDREN = {
    "testsuites": {"testsuite"},
    "testsuite": {"testsuite", "properties", "testcase", "system-out", "system-err"},
    "properties": {"property"},
    "testcase": {"skipped", "error", "failure", "system-out", "system-err"},
}
SUREFIRE_TIME = re.compile(r"(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?")


def check_schema(element: ET.Element) -> None:
    """`element` and what it holds keep to junit-10.xsd (plus file and line)."""
    tag = element.tag
    assert tag in ATTRIBUTES, tag
    assert set(element.attrib) <= ATTRIBUTES[tag], (tag, element.attrib)
    assert REQUIRED.get(tag, set()) <= set(element.attrib), (tag, element.attrib)
    if tag in ("testsuites", "testsuite") and "time" in element.attrib:
        assert SUREFIRE_TIME.fullmatch(element.attrib["time"]), element.attrib["time"]
    for child in element:
        assert child.tag in CHILDREN.get(tag, set()), (tag, child.tag)
        check_schema(child)


def parse(path: Path) -> ET.Element:
    root = ET.fromstring(path.read_bytes())
    check_schema(root)
    assert root.tag == "testsuites"
    (suite,) = root
    # The totals are the test cases' own counts.
    cases = suite.findall("testcase")
    assert suite.get("tests") == root.get("tests") == str(len(cases))
    for what, tag in (("failures", "failure"), ("errors", "error"), ("skipped", "skipped")):
        assert suite.get(what) == str(sum(c.find(tag) is not None for c in cases)), what
    return suite


def outcomes(suite: ET.Element) -> list[tuple[str, str, str, str]]:
    """(name, file, line, outcome) of each test case; outcome "passed" or the child's tag."""
    found = []
    for case in suite.findall("testcase"):
        assert case.get("classname") == case.get("file")
        child = next((c for c in case if c.tag in ("failure", "error", "skipped")), None)
        outcome = "passed" if child is None else child.tag
        found.append((case.get("name"), case.get("file"), case.get("line"), outcome))
    return found


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "stacktape.yml").write_text(STACK)
    (tmp_path / "s.stp").write_text(PASSING)
    return tmp_path


def run(*extra: str, script: str = "s.stp") -> int:
    return main(["run", "stacktape.yml", script, "--start", START, "--junit", "r.xml", *extra])


def test_a_passing_run_reports_each_expect_line_as_a_test(
    files: Path, capsys: pytest.CaptureFixture
) -> None:
    assert run() == 0
    out, err = capsys.readouterr()
    assert err == ""
    suite = parse(files / "r.xml")
    assert suite.get("name") == "s.stp"
    assert outcomes(suite) == [
        ("expect count message.dead_lettered jobQueue == 1", "s.stp", "5", "passed"),
        ("expect queue.deadLetterQueue.depth == 1", "s.stp", "6", "passed"),
    ]
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props == {
        "stack": "stacktape.yml",
        "seed": "0",
        "start": "2026-01-05T08:00:00.000Z",
        "stage": "dev",
        "region": "us-east-1",
        "stptui": props["stptui"],
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", suite.get("timestamp", ""))
    # What the terminal showed is the report's output.
    assert suite.findtext("system-out") == out


def test_a_failed_expect_stops_the_run_and_the_lines_after_it_are_skipped(
    files: Path, capsys: pytest.CaptureFixture
) -> None:
    (files / "s.stp").write_text(FAILING)
    assert run() == 1
    err = capsys.readouterr().err
    suite = parse(files / "r.xml")
    assert outcomes(suite) == [
        ("expect queue.deadLetterQueue.depth == 1", "s.stp", "3", "failure"),
        ("expect function.worker.successes == 1", "s.stp", "4", "skipped"),
        ("expect function.worker.successes == 5", "s.stp", "5", "skipped"),
    ]
    failure = suite.find("testcase/failure")
    assert failure is not None
    assert failure.get("message") == "expected queue.deadLetterQueue.depth == 1, actual 0"
    assert failure.get("type") == "expectation failed"
    # The failure's text is the terminal's line; the line after it says what did not run.
    assert failure.text is not None and failure.text + "\n" == err.removesuffix(
        "s.stp: 2 more lines not run, from line 4\n"
    )
    skipped = suite.find("testcase/skipped")
    assert skipped is not None and skipped.get("message") == "not run: the run stopped at s.stp:3"


def test_keep_going_reports_every_expect(files: Path, capsys: pytest.CaptureFixture) -> None:
    (files / "s.stp").write_text(FAILING)
    assert run("--keep-going") == 1
    suite = parse(files / "r.xml")
    assert [o[3] for o in outcomes(suite)] == ["failure", "passed", "failure"]
    messages = [f.get("message") for f in suite.iter("failure")]
    assert messages == [
        "expected queue.deadLetterQueue.depth == 1, actual 0",
        "expected function.worker.successes == 5, actual 1",
    ]


def test_a_command_error_is_an_error_on_its_line(
    files: Path, capsys: pytest.CaptureFixture
) -> None:
    (files / "s.stp").write_text(
        "expect queue.jobQueue.depth == 0\nadvance 10\nexpect queue.jobQueue.depth == 0\n"
    )
    assert run("--keep-going") == 2
    err = capsys.readouterr().err
    suite = parse(files / "r.xml")
    assert outcomes(suite) == [
        ("expect queue.jobQueue.depth == 0", "s.stp", "1", "passed"),
        ("advance 10", "s.stp", "2", "error"),
        ("expect queue.jobQueue.depth == 0 (2)", "s.stp", "3", "skipped"),
    ]
    error = suite.find("testcase/error")
    assert error is not None
    assert error.get("type") == "command error"
    # The schema has no attribute for a column: the message ends with it.
    assert error.get("message") == "advance: the duration '10' has no unit (column 9)"
    assert error.text is not None and error.text + "\n" == err.removesuffix(  # the hint too
        "s.stp: 1 more line not run, from line 3\n"
    )


def test_an_expect_that_cannot_run_is_an_error_not_a_failure(
    files: Path, capsys: pytest.CaptureFixture
) -> None:
    (files / "s.stp").write_text("expect queue.nope.depth == 0\n")
    assert run() == 2
    assert outcomes(parse(files / "r.xml")) == [
        ("expect queue.nope.depth == 0", "s.stp", "1", "error")
    ]


def test_the_same_line_twice_is_two_tests(files: Path) -> None:
    # GitLab keeps only the first of the test cases that share a class name and a name.
    (files / "s.stp").write_text("expect time == 2026-01-05T08:00:00Z\n" * 3)
    assert run() == 0
    names = [o[0] for o in outcomes(parse(files / "r.xml"))]
    assert names == [
        "expect time == 2026-01-05T08:00:00Z",
        "expect time == 2026-01-05T08:00:00Z (2)",
        "expect time == 2026-01-05T08:00:00Z (3)",
    ]


def test_sourced_lines_carry_their_own_file_and_line(
    files: Path, capsys: pytest.CaptureFixture
) -> None:
    (files / "inner.stp").write_text(
        "# the checks\nexpect queue.jobQueue.depth == 1\n\nexpect queue.jobQueue.depth == 7\n"
        "expect queue.jobQueue.depth == 1\n"
    )
    (files / "s.stp").write_text(
        "send jobQueue a\nsource inner.stp\nexpect queue.deadLetterQueue.depth == 0\n"
        "source inner.stp\n"
    )
    assert run("--keep-going") == 1
    suite = parse(files / "r.xml")
    # With --keep-going a sourced script runs on past its failed `expect`, as the script
    # does: each of its lines is a test case.
    assert outcomes(suite) == [
        ("expect queue.jobQueue.depth == 1", "inner.stp", "2", "passed"),
        ("expect queue.jobQueue.depth == 7", "inner.stp", "4", "failure"),
        ("expect queue.jobQueue.depth == 1 (2)", "inner.stp", "5", "passed"),
        ("expect queue.deadLetterQueue.depth == 0", "s.stp", "3", "passed"),
        ("expect queue.jobQueue.depth == 1 (3)", "inner.stp", "2", "passed"),
        ("expect queue.jobQueue.depth == 7 (2)", "inner.stp", "4", "failure"),
        ("expect queue.jobQueue.depth == 1 (4)", "inner.stp", "5", "passed"),
    ]
    failure = suite.find("testcase/failure")
    assert failure is not None
    # The message is the line's own; the text is what the terminal showed, FILE:LINE and all.
    assert failure.get("message") == "expected queue.jobQueue.depth == 7, actual 1"
    assert failure.text is not None
    assert failure.text.startswith(
        "s.stp:2: note: sources inner.stp\n"
        "inner.stp:4: expectation failed: expected queue.jobQueue.depth == 7, actual 1"
        "\n    hint: explain "
    )


def test_a_nested_source_error_names_the_innermost_line(
    files: Path, capsys: pytest.CaptureFixture
) -> None:
    # An id the run never made is refused at the line's turn, after the lines before it.
    (files / "c.stp").write_text("expect queue.jobQueue.depth == 0\n  explain nope\n")
    (files / "b.stp").write_text("source c.stp\n")
    (files / "s.stp").write_text("source b.stp\nexpect queue.jobQueue.depth == 0\n")
    assert run() == 2
    suite = parse(files / "r.xml")
    assert outcomes(suite) == [
        ("expect queue.jobQueue.depth == 0", "c.stp", "1", "passed"),
        ("explain nope", "c.stp", "2", "error"),
        ("expect queue.jobQueue.depth == 0", "s.stp", "2", "skipped"),
    ]
    error = suite.find("testcase/error")
    assert error is not None and error.get("message", "").startswith("nothing in the trace")
    assert error.get("message", "").endswith("(column 11)")


def test_a_nested_line_that_cannot_run_is_its_own_case_before_the_run(
    files: Path, capsys: pytest.CaptureFixture
) -> None:
    (files / "c.stp").write_text("expect queue.jobQueue.depth == 0\nbogus\n  sedn jobQueue x\n")
    (files / "b.stp").write_text("source c.stp\n")
    (files / "s.stp").write_text("source b.stp\nexpect queue.jobQueue.depth == 0\n")
    assert run() == 2
    suite = parse(files / "r.xml")
    # The cases a run that reached them would have had, and the expect lines not run.
    assert outcomes(suite) == [
        ("bogus", "c.stp", "2", "error"),
        ("sedn jobQueue x", "c.stp", "3", "error"),
        ("expect queue.jobQueue.depth == 0", "s.stp", "2", "skipped"),
    ]
    messages = [e.get("message") for e in suite.findall("testcase/error")]
    assert messages == ["unknown command 'bogus' (column 1)", "unknown command 'sedn' (column 3)"]


HOSTILE = [
    '[bold red]markup[/] <b>&amp;</b> ]]> "',
    "esc \x1b[31mred\x1b[0m bell \x07 nul \x00 cr \r del \x7f csi \x9b",
    "bidi \u202e override, noncharacters \ufffe \uffff",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_expect_text_is_carried_safely(
    files: Path, text: str, capsys: pytest.CaptureFixture
) -> None:
    # The line's own text, and what the error echoes of it, land in the test case's name,
    # in the error's message and in the report's output.
    (files / "s.stp").write_bytes(
        f"expect count message.sent jobQueue 'source={text}' == 0\n"
        f"expect 'queue.{text}.depth' == 0\n".encode()
    )
    assert run() == 2
    raw = (files / "r.xml").read_bytes()
    suite = parse(files / "r.xml")  # an XML 1.0 parser reads it
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", raw)
    assert "\ufffe".encode() not in raw and "\uffff".encode() not in raw
    assert "\u202e".encode() not in raw and "\x9b".encode() not in raw
    (passed, errored) = outcomes(suite)
    # The queue the path names is none of the stack's: refused before the run.
    assert passed[3] == "skipped" and errored[3] == "error"
    # The text as the terminal shows it: control characters as escapes, markup as it is.
    assert passed[0] == printable(f"expect count message.sent jobQueue 'source={text}' == 0")
    error = suite.find("testcase/error")
    assert error is not None
    assert error.get("message", "").startswith("no queue named ")
    assert error.text is not None and error.text.startswith("s.stp:2:15: error: no queue named ")
    assert "]]>" not in text or "]]&gt;" in raw.decode()


def test_an_unreadable_script_is_one_error(files: Path, capsys: pytest.CaptureFixture) -> None:
    assert run(script="missing.stp") == 2
    assert outcomes(parse(files / "r.xml")) == [("read the script", "missing.stp", None, "error")]


def test_a_stack_that_cannot_be_opened_is_one_error(
    files: Path, capsys: pytest.CaptureFixture
) -> None:
    (files / "stacktape.yml").write_text("resources: [\n")
    assert run() == 2
    suite = parse(files / "r.xml")
    assert outcomes(suite) == [("open the stack", "stacktape.yml", None, "error")]
    error = suite.find("testcase/error")
    assert error is not None and "stacktape.yml:" in (error.text or "")


def test_the_report_replaces_the_old_one_atomically(
    files: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    (files / "r.xml").write_text("old")
    replaced: list[tuple[str, str]] = []
    real = os.replace

    def replace(src: str, dst: str) -> None:
        # The whole report is in its temporary file beside the target before the rename.
        assert Path(dst) == Path("r.xml") and Path(src).parent == Path(dst).parent
        ET.fromstring(Path(src).read_bytes())
        replaced.append((str(src), str(dst)))
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    assert run() == 0
    assert len(replaced) == 1
    parse(files / "r.xml")
    assert sorted(p.name for p in files.iterdir()) == ["r.xml", "s.stp", "stacktape.yml"]


def test_a_report_that_cannot_be_written_is_a_message_and_exit_2(
    files: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    (files / "r.xml").write_text("old")

    def replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", replace)
    assert run() == 2  # the run passed; its report is lost, which CI must hear of
    err = capsys.readouterr().err
    assert err == "stptui: cannot write the JUnit report r.xml: No space left on device\n"
    assert (files / "r.xml").read_text() == "old"
    assert sorted(p.name for p in files.iterdir()) == ["r.xml", "s.stp", "stacktape.yml"]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("s.stp", "s.stp: --junit names the script of this run, which it would overwrite"),
        ("stacktape.yml", "stacktape.yml: --junit names the stack of this run"),
        ("no/such/r.xml", "no/such/r.xml: no directory no/such for the JUnit report"),
        (".", ".: --junit names a directory"),
    ],
)
def test_a_junit_file_that_cannot_be_the_report_is_refused_before_the_run(
    files: Path, target: str, message: str, capsys: pytest.CaptureFixture
) -> None:
    before = {p.name: p.read_bytes() for p in files.iterdir()}
    code = main(["run", "stacktape.yml", "s.stp", "--start", START, "--junit", target])
    assert code == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(message)
    assert {p.name: p.read_bytes() for p in files.iterdir()} == before


def test_junit_and_trace_cannot_share_a_file(files: Path, capsys: pytest.CaptureFixture) -> None:
    assert run("--trace", "r.xml") == 2
    assert "--junit and --trace name the same file" in capsys.readouterr().err
    assert not (files / "r.xml").exists()


def test_a_behaviours_file_found_beside_the_stack_is_not_overwritten(
    files: Path, capsys: pytest.CaptureFixture
) -> None:
    (files / "stptui.yml").write_text("behaviors: {}\n")
    assert main(["run", ".", "s.stp", "--start", START, "--junit", "stptui.yml"]) == 2
    assert "--junit names the behaviours file" in capsys.readouterr().err
    assert (files / "stptui.yml").read_text() == "behaviors: {}\n"


def _masked(path: Path) -> str:
    return re.sub(r'(time|timestamp)="[^"]*"', r'\1="..."', path.read_text(encoding="utf-8"))


def test_two_runs_give_the_same_report_but_for_times(
    files: Path, capsys: pytest.CaptureFixture
) -> None:
    (files / "s.stp").write_text(FAILING + "source s2.stp\n")
    (files / "s2.stp").write_text("expect queue.jobQueue.depth == 0\n")
    reports = []
    for name in ("a.xml", "b.xml"):
        main(["run", "stacktape.yml", "s.stp", "--start", START, "--keep-going", "--junit", name])
        reports.append(_masked(files / name))
    assert reports[0] == reports[1]
    assert reports[0].count('time="..."') == 2 + 4  # the suites' and the test cases'


def test_a_script_from_standard_input(files: Path) -> None:
    opts = ScriptOptions(
        stack="stacktape.yml",
        script="-",
        start_ms=parse_instant(START),
        junit="r.xml",
    )
    stdin = io.StringIO("expect queue.jobQueue.depth == 1\n")
    assert run_from_files(opts, io.StringIO(), io.StringIO(), stdin) == 1
    suite = parse(files / "r.xml")
    assert suite.get("name") == "<stdin>"
    assert outcomes(suite) == [("expect queue.jobQueue.depth == 1", "<stdin>", "1", "failure")]


def test_an_interrupted_run_still_writes_its_report(
    files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stptui.commands import script

    real = script.execute

    def execute(session, line, **kw):  # type: ignore[no-untyped-def]
        if line.startswith("advance"):
            raise KeyboardInterrupt
        return real(session, line, **kw)

    monkeypatch.setattr(script, "execute", execute)
    assert run() == 130
    suite = parse(files / "r.xml")
    error = suite.find("testcase/error")
    assert error is not None and error.get("message") == "interrupted (Ctrl-C)"
    assert [o[0] for o in outcomes(suite)] == [
        "advance 2m",
        "expect count message.dead_lettered jobQueue == 1",
        "expect queue.deadLetterQueue.depth == 1",
    ]


def test_the_output_kept_is_its_end_and_says_what_was_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from stptui.commands import junit

    monkeypatch.setattr(junit, "OUTPUT_LIMIT", 10)
    kept = junit.Captured()
    for i in range(30):
        kept.write(f"{i}\n")
    whole = "".join(f"{i}\n" for i in range(30))
    assert kept.text() == f"[{len(whole) - 10:,} characters before these left out]\n{whole[-10:]}"
    assert kept.since(kept.written - 3) == "29\n"


def test_a_script_whose_name_holds_control_characters(
    files: Path, capsys: pytest.CaptureFixture
) -> None:
    name = "s\x1b[31m\x07\u202e.stp"
    (files / name).write_text("expect queue.jobQueue.depth == 1\n")
    assert run(script=name) == 1
    suite = parse(files / "r.xml")
    assert suite.get("name") == "s\\x1b[31m\\x07\\u202e.stp"
    assert outcomes(suite) == [
        ("expect queue.jobQueue.depth == 1", "s\\x1b[31m\\x07\\u202e.stp", "1", "failure")
    ]
