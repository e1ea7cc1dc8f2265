"""`stptui run --junit FILE`: the run as a JUnit XML report, each `expect` line a test case.

CI systems (GitLab's `artifacts:reports:junit`, GitHub Actions' test reporters, Jenkins,
Azure Pipelines) read JUnit XML. There is no one standard for it: the report keeps to the
elements and attributes of Jenkins' `junit-10.xsd` (which pytest's own reports are checked
against), plus the `file` and `line` attributes of a test case, which GitLab and the GitHub
reporters read to link a failure to its line. docs/simulating.md ("JUnit reports for CI")
describes the report for users; the choices it makes:

- One `<testsuite>` per script, named after it, in a `<testsuites>` (`stptui run` with
  several scripts: `JunitReport.combined`; a script that did not run, after --fail-fast or
  an interruption, has its `expect` lines skipped). Its `time` is the wall time of the
  script's run, its `timestamp` the wall clock instant the run started, in UTC to
  the second and written without a zone, as Ant's schema has it. The report is for people
  and CI, not the trace: these two and each test case's `time` are the only fields that
  differ between two runs of the same stack, behaviours, seed, start and script.
- A test case per `expect` line that ran: `name` the line as written, on one line; the
  same line a second time in one file is named with ` (2)` after it (GitLab keeps only the
  first of the test cases that share a class name and a name). `classname` and `file` are
  the path of the file the line is in, as given on the command line or to `source`
  (GitLab shows the class name as the test's suite; a path is not turned into dots); `line`
  its line. `time` is the wall time spent on that line, in seconds.
- A failed `expect` is a `<failure>` whose message is the terminal's expected-vs-actual
  text; a command error a test case for that line, with an `<error>`, whatever command it
  is; an error about one word of the line ends its message with the word's column,
  `(column 6)`, since neither schema has an attribute for one (the case's `line` is the
  line). Without --keep-going the run stops there, and the `expect` lines of the script
  that did not run are `<skipped/>` test cases, so that a report counts the same tests
  whether a run passes or stops early. (Lines of a `source`d script that did not run are not listed:
  which script a later `source` line reads is known only when it runs; nor, from `-`,
  lines that were never read.) With --keep-going a sourced script runs on past its failed
  `expect` lines, each its own `<failure>`.
- A script or stack that cannot be read is one test case with an `<error>`, so that CI
  shows why nothing ran rather than an empty report.
- `<system-out>` and `<system-err>` hold what the run printed (the last million characters
  of each).
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from stptui import __version__
from stptui.commands.registry import CommandError, ExpectationFailed, tokenize
from stptui.commands.result import CommandResult
from stptui.sim.clock import iso_ms
from stptui.textsafe import flat, printable

if TYPE_CHECKING:
    from stptui.commands.script import ScriptOptions, Unrunnable
    from stptui.commands.session import Session

# What `<system-out>` and `<system-err>` keep of a run's output, each: the end of it, where
# a failure is. GitLab refuses a report over 30 MB; a run under load can print more.
OUTPUT_LIMIT = 1_000_000
EXPECT = "expect"


@dataclass(slots=True)
class Case:
    """One `<testcase>`: where its line is, how long it took, and how it ended (`outcome`
    None when it passed, else "failure", "error" or "skipped")."""

    name: str
    file: str
    line: int | None
    seconds: float = 0.0
    outcome: str | None = None
    kind: str = ""
    message: str = ""
    text: str = ""


@dataclass(slots=True)
class _Running:
    """A line that started and has not ended: a line `source` runs is one inside another."""

    file: str
    line: int
    text: str
    started: float


def is_expect(line: str) -> bool:
    """Whether a script line is an `expect` command (a line that does not split is not)."""
    if not line.lstrip().startswith(EXPECT):
        return False
    try:
        words = tokenize(line)
    except CommandError:
        return False
    return bool(words) and words[0] == EXPECT


class Captured:
    """The end of what a stream was written, up to OUTPUT_LIMIT characters."""

    def __init__(self) -> None:
        self._chunks: list[str] = []
        self._size = 0
        self.dropped = 0
        self.written = 0

    def write(self, text: str) -> None:
        """Keep `text`, dropping the oldest text once there is twice the limit."""
        self._chunks.append(text)
        self._size += len(text)
        self.written += len(text)
        if self._size > 2 * OUTPUT_LIMIT:
            whole = "".join(self._chunks)
            self.dropped += len(whole) - OUTPUT_LIMIT
            self._chunks = [whole[-OUTPUT_LIMIT:]]
            self._size = OUTPUT_LIMIT

    def since(self, mark: int) -> str:
        """What was written after `written` was `mark` (as much of it as is kept)."""
        return "".join(self._chunks)[-(self.written - mark) :] if self.written > mark else ""

    def text(self) -> str:
        """What was kept, after a line saying how much was left out before it."""
        whole = "".join(self._chunks)
        dropped = self.dropped + max(0, len(whole) - OUTPUT_LIMIT)
        if not dropped:
            return whole
        return f"[{dropped:,} characters before these left out]\n{whole[-OUTPUT_LIMIT:]}"


class Tee:
    """A text stream that also keeps what is written to it (for `<system-out>`)."""

    def __init__(self, stream: TextIO, kept: Captured) -> None:
        self._stream = stream
        self._kept = kept

    def write(self, text: str, /) -> int:
        """Write `text` to the stream, and keep it."""
        written = self._stream.write(text)
        self._kept.write(text)
        return written

    def flush(self) -> None:
        """Flush the stream."""
        self._stream.flush()

    def isatty(self) -> bool:
        """Whether the stream is a terminal."""
        isatty = getattr(self._stream, "isatty", None)
        return bool(isatty()) if isatty is not None else False

    def fileno(self) -> int:
        """The stream's file descriptor (OSError, or ValueError, when it has none)."""
        return self._stream.fileno()


class JunitReport:
    """The report of one `stptui run`, filled in as its lines run (`at_line`, `reported`,
    `failed`: the script runner's watch), then `write`."""

    def __init__(self, path: str, script: str) -> None:
        self.path = path
        self.script = script
        self.timestamp = datetime.now(UTC)
        # When the run began, by `time.perf_counter` (the suites' times are measured from it).
        self.started = time.perf_counter()
        # When the script's run ended (`end`); None while it runs.
        self._ended: float | None = None
        self.properties: list[tuple[str, str]] = [("stptui", __version__)]
        self.cases: list[Case] = []
        self.out = Captured()
        self.err = Captured()
        self._running: list[_Running] = []
        self._where: tuple[str, int] | None = None
        self._names: Counter[tuple[str, str]] = Counter()
        self._last_top = 0
        # The script's lines, when it was read whole: those left when the run stops are
        # listed as skipped.
        self.lines: list[tuple[int, str]] = []
        # True when the report would overwrite one of the run's inputs: then none is written.
        self.refused = False

    def describe(self, session: Session, opts: ScriptOptions) -> None:
        """The `<properties>`: what the run was made of, so that it can be run again."""
        props = [("stack", opts.stack)]
        if session.behaviors_path is not None and session.behaviors_name is not None:
            # As it was given, or found beside the stack as given: not made absolute.
            props.append(("behaviors", session.behaviors_name))
        props += [("seed", str(opts.seed)), ("start", iso_ms(opts.start_ms))]
        props += [("stage", opts.stage), ("region", opts.region)]
        if opts.project is not None:
            props.append(("project", opts.project))
        self.properties = [*props, ("stptui", __version__)]

    # -- the watch of run_script ----------------------------------------------------------

    def at_line(self, file: str, n: int) -> None:
        """The next line reported comes from line `n` of `file`."""
        self._where = (file, n)

    def reported(self, line: str, result: CommandResult | None) -> None:
        """A line starts (result None) or ends; an `expect` that ends has passed."""
        if result is None:
            file, n = self._where if self._where is not None else (self.script, 0)
            self._where = None
            if not self._running:
                self._last_top = n
            self._running.append(_Running(file, n, line, time.perf_counter()))
            return
        if not self._running:
            return
        done = self._running.pop()
        if is_expect(done.text):
            self._case(done)

    def failed(
        self, exc: CommandError, text: str, *, going_on: bool = False, at: str | None = None
    ) -> None:
        """The running line failed with `exc`, which stderr showed as `text`: a `<failure>`
        for an `expect` that did not hold, an `<error>` for any line that could not run.
        `going_on`: a sourced `expect` under `--keep-going`, whose `source` lines run on;
        `at`, the LINE:COL of the word at fault in the script's own line."""
        if not self._running:
            self.error("run", self.script, None, exc.message, text)
            return
        running = self._running
        self._running = running[:-1] if going_on else []
        case = self._case(running[-1])
        # `source` puts FILE:LINE (FILE:LINE:COL for an error about one word) before the
        # error of a line it runs: the test case is that line's, whose message is the error
        # alone, then the column of its word, which no attribute of the schema holds.
        message = exc.message
        for inner in running[1:]:
            head = re.match(re.escape(f"{inner.file}:") + r"(\d+(?::\d+)?): ", message)
            if head is None:
                continue
            at, message = head.group(1), message[head.end() :]
        if at is not None and ":" in at:
            line, column = at.split(":")
            where = f"(column {column})"
            if int(line) != case.line:  # a word on a later line of a command over several
                where = f"(line {line}, column {column})"
            if not message.endswith(where):  # an escape's error says its column already
                message = f"{message} {where}"
        failure = isinstance(exc, ExpectationFailed)
        case.outcome = "failure" if failure else "error"
        case.kind = "expectation failed" if failure else "command error"
        case.message = message
        case.text = text

    # -- what the run adds ----------------------------------------------------------------

    def aborted(self, reason: str) -> None:
        """The run ended on something other than a command (Ctrl-C, a stream that could not
        be written): an `<error>` on the line that was running, or on the run."""
        if self._running:
            self.failed(CommandError(reason), reason)
        else:
            self.error("run", self.script, None, reason, reason)

    def error(self, name: str, file: str, line: int | None, message: str, text: str) -> None:
        """A test case with an `<error>` that is no line's (a script that cannot be read)."""
        self.cases.append(Case(name, file, line, 0.0, "error", "error", message, text))

    def skip_rest(self, message: str | None = None) -> None:
        """After a run that stopped early, the `expect` lines of the script (`lines`, when
        it was read whole) after the one that stopped it, as skipped test cases; `message`
        says why (default: where the run stopped)."""
        why = message or f"not run: the run stopped at {self.script}:{self._last_top}"
        for n, line in self.lines:
            if n > self._last_top and is_expect(line):
                case = self._new(self.script, n, line)
                case.outcome = "skipped"
                case.message = why

    def unrunnable(self, said: list[tuple[Unrunnable, str, str | None]]) -> None:
        """A script refused before its first line ran: a test case with an `<error>` for
        each line that cannot run as written ((problem, the text stderr showed, its LINE:COL
        in the script's own line)), the line at fault's, in the script a `source` line runs
        when it is there, as its turn would report it; the script's other `expect` lines
        skipped; in the script's order."""
        bad: dict[int, list[tuple[Unrunnable, str, str | None]]] = {}
        for entry in said:
            bad.setdefault(entry[0].line[0], []).append(entry)
        why = f"not run: {self.script} has lines that cannot run as written"
        for n, line in self.lines:
            for problem, text, at in bad.get(n, []):
                self.at_line(self.script, n)
                self.reported(line, None)
                for file, item in problem.chain:
                    self.at_line(file, item[0])
                    self.reported(item[1], None)
                self.failed(problem.error, text, at=at)
            if n not in bad and is_expect(line):
                case = self._new(self.script, n, line)
                case.outcome = "skipped"
                case.message = why

    def end(self) -> None:
        """The script's run ended: the suite's `time` is up to now."""
        if self._ended is None:
            self._ended = time.perf_counter()

    def _case(self, running: _Running) -> Case:
        case = self._new(running.file, running.line, running.text)
        case.seconds = time.perf_counter() - running.started
        return case

    def _new(self, file: str, n: int, line: str) -> Case:
        name = flat(line)
        self._names[file, name] += 1
        if (count := self._names[file, name]) > 1:
            name = f"{name} ({count})"
        case = Case(name, file, n)
        self.cases.append(case)
        return case

    # -- the XML --------------------------------------------------------------------------

    def suite(self, now: float) -> ET.Element:
        """The `<testsuite>` of the script, its time up to its end (`now` if it runs)."""
        seconds = f"{(self._ended or now) - self.started:.3f}"
        counts = Counter(c.outcome for c in self.cases)
        suite = _element(
            "testsuite",
            {
                "name": self.script,
                **_totals(self.cases),
                "skipped": str(counts["skipped"]),
                "time": seconds,
                "timestamp": self.timestamp.strftime("%Y-%m-%dT%H:%M:%S"),
            },
        )
        properties = ET.SubElement(suite, "properties")
        for name, value in self.properties:
            properties.append(_element("property", {"name": name, "value": value}))
        for case in self.cases:
            suite.append(_case_element(case))
        for tag, kept in (("system-out", self.out), ("system-err", self.err)):
            suite.append(_element(tag, {}, kept.text()))
        return suite

    def xml(self) -> str:
        """The report as XML text (UTF-8 declared)."""
        return _document([self])

    def write(self) -> None:
        """Write the report atomically (readers see the old file or the whole new one).
        Raises OSError, or CommandError for a target that is not a regular file."""
        from stptui.commands.session import write_atomic

        write_atomic(Path(self.path), self.xml())

    @staticmethod
    def combined(reports: list[JunitReport]) -> JunitReports:
        """The report of several scripts' runs, each of `reports` one `<testsuite>`."""
        return JunitReports(reports)


class JunitReports:
    """The report of a run of several scripts: one `<testsuites>`, a suite per script."""

    def __init__(self, reports: list[JunitReport]) -> None:
        self.reports = reports
        self.path = reports[0].path

    def xml(self) -> str:
        """The report as XML text (UTF-8 declared)."""
        return _document(self.reports)

    def write(self) -> None:
        """Write the report atomically, as JunitReport.write does."""
        from stptui.commands.session import write_atomic

        write_atomic(Path(self.path), self.xml())


def _totals(cases: list[Case]) -> dict[str, str]:
    counts = Counter(c.outcome for c in cases)
    return {
        "tests": str(len(cases)),
        "failures": str(counts["failure"]),
        "errors": str(counts["error"]),
    }


def _document(reports: list[JunitReport]) -> str:
    """The `<testsuites>` of the reports' suites, as XML text; its time from the first's
    start to now."""
    now = time.perf_counter()
    every = [case for report in reports for case in report.cases]
    seconds = f"{now - reports[0].started:.3f}"
    root = _element("testsuites", {"name": "stptui run", **_totals(every), "time": seconds})
    for report in reports:
        root.append(report.suite(now))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _element(tag: str, attrs: dict[str, str], text: str | None = None) -> ET.Element:
    """An element whose attribute values and text XML can carry, whatever they hold: what
    XML 1.0 cannot hold even as a character reference (C0 controls but tab, newline and
    carriage return, U+FFFE, U+FFFF, a lone surrogate) `printable` already escapes, as the
    terminal shows it."""
    element = ET.Element(tag, {k: printable(v) for k, v in attrs.items()})
    if text:
        element.text = printable(text)
    return element


def _case_element(case: Case) -> ET.Element:
    attrs = {"name": case.name, "classname": case.file, "file": case.file}
    if case.line is not None:
        attrs["line"] = str(case.line)
    attrs["time"] = f"{case.seconds:.3f}"
    element = _element("testcase", attrs)
    if case.outcome == "skipped":
        element.append(_element("skipped", {"message": case.message}))
    elif case.outcome is not None:
        element.append(
            _element(case.outcome, {"message": case.message, "type": case.kind}, case.text)
        )
    return element
