"""The examples of README.md and the docs pages that are not `console` blocks still hold.

tests/test_docs.py runs the `console` blocks of docs/*.md. A page also shows YAML snippets,
lists of commands, usage lines and file layouts. Each such block is marked with what checks
it, by an HTML comment that ends on the line right before its fence (it may span lines):

- `<!-- check: behaviors STACK -->`: the YAML is a behaviours file that loads for STACK
  with no diagnostic at all.
- `<!-- check: same-data FILE -->`: the YAML is the same data as FILE (comments aside).
- `<!-- check: excerpt FILE -->`: the block is a run of whole lines of FILE; a `# ...`
  (or `// ...`) line stands for lines left out.
- `<!-- check: commands STACK -->`: every line runs, in order, in one session of STACK.
- `<!-- check: cli WORD=WORD ... -->`: every `stptui` command (a `\\` at a line's end goes
  on on the next; up to a `|`, `&&` or `;`, less a `# comment`; in a `yaml` block, a CI
  job's steps, the commands of its strings) runs with the words replaced, and its exit
  code is 0 or 1: no usage error.
- `<!-- check: junit ARG ... -->`: the XML is the JUnit report `stptui run ARG ... --junit
  FILE` writes from the repository root, but for its times and the stptui version.
- `<!-- check: usage SUBCOMMAND -->`: the synopsis names exactly the options of
  `stptui SUBCOMMAND --help`.
- `<!-- check: layout -->`: the tree of files names files that exist, and lists every
  module of the packages it details.
- `<!-- check: by TEST_FILE -->`: a test of TEST_FILE finds the block by its text on the
  page and checks it against what stptui does (a REPL screen, a progress line): the file
  must name the page.

A block another test finds by a marker of its own (`<!-- repl transcript -->`: see
READ_ELSEWHERE) needs no `check:` marker; that test file must hold the marker's words.

Paths are relative to the repository root. Any page of docs/, or the sample stacks'
README, may mark its blocks so. On the pages of PAGES every block must be a `console`
block or marked (README's install and test commands, which .ci/run reads, are marked
`run-command` and `test-command`), so a new example cannot go unchecked. The CLI's options
and sub-commands must each be named somewhere in the docs.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from stptui.cli import SUBCOMMANDS, main
from stptui.commands import REGISTRY, CommandError, Session, execute
from stptui.config import load_stack
from stptui.sim.behavior import Behaviors
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
SAMPLES_README = ROOT / "stptui" / "sample_stacks" / "README.md"
PAGES = [
    ROOT / "README.md",
    ROOT / "docs" / "behaviors.md",
    ROOT / "docs" / "python-handlers.md",
    ROOT / "docs" / "patterns-and-schedules.md",
    ROOT / "docs" / "design.md",
    ROOT / "docs" / "getting-started.md",
    ROOT / "docs" / "simulating.md",
    ROOT / "docs" / "repl.md",
    ROOT / "docs" / "ci.md",
    ROOT / "docs" / "reading-configs.md",
    ROOT / "docs" / "state-machines.md",
    ROOT / "docs" / "trace-format.md",
    ROOT / "docs" / "tui.md",
    SAMPLES_README,
]
# The markers other tests find blocks by (the marker's first words), and the test file that
# does: a block so marked is checked there.
READ_ELSEWHERE = {
    "repl transcript": "tests/test_repl_session.py",
    "piped tour": "tests/test_repl_piped.py",
    "line mode": "tests/test_repl_line_mode.py",
    "line mode log": "tests/test_repl_line_mode.py",
    "record header:": "tests/test_docs_record_header.py",
    "reload example:": "tests/test_undo_reload.py",
    "helper reload example:": "tests/test_undo_reload.py",
    "rendered mermaid": "tests/test_docs.py",
    "clock bar while undoing:": "tests/test_tui_rebuild.py",
    "run-command": "tests/test_docs_examples.py",
    "test-command": "tests/test_docs_examples.py",
    "start-execution hint": "tests/test_commands_examples_sfn.py",
}
# The command .ci/run takes from README.md; it must stay exactly this.
TEST_COMMAND = (
    "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest"
)

_FENCE_RE = re.compile(r"^(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_MARK_RE = re.compile(r"^<!--\s*(?P<text>.*?)\s*-->$", re.S)


@dataclass(frozen=True)
class Block:
    """A fenced block of a page, with the HTML comment on the line before its fence."""

    page: Path
    line: int  # 1-based line of the opening fence
    info: str
    marker: str | None
    text: str

    @property
    def name(self) -> str:
        return f"{self.page.name}:{self.line}"

    @property
    def check(self) -> list[str]:
        """The words after `check:` in the marker, or [] for a block not marked so."""
        if self.marker is None or not self.marker.startswith("check:"):
            return []
        return self.marker.removeprefix("check:").split()


def blocks(page: Path) -> list[Block]:
    """Every fenced block of a page, in order."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        m = _FENCE_RE.match(lines[i])
        if m is None:
            i += 1
            continue
        end = i + 1
        while end < len(lines) and lines[end].strip() != m["fence"]:
            end += 1
        text = "\n".join(lines[i + 1 : end]) + "\n"
        found.append(Block(page, i + 1, m["info"].strip(), _marker(lines[:i]), text))
        i = end + 1
    return found


def _marker(before: list[str]) -> str | None:
    """The HTML comment that ends on the last of these lines (it may span several)."""
    if not before or not before[-1].rstrip().endswith("-->"):
        return None
    start = len(before) - 1
    while start > 0 and "<!--" not in before[start]:
        start -= 1
    m = _MARK_RE.match(" ".join(line.strip() for line in before[start:]))
    return " ".join(m["text"].split()) if m else None


def checked(kind: str) -> list[Block]:
    """The blocks marked `check: KIND`, on any page (another page may opt in)."""
    pages = [ROOT / "README.md", SAMPLES_README, *sorted((ROOT / "docs").glob("*.md"))]
    return [b for page in pages for b in blocks(page) if b.check[:1] == [kind]]


def run_cli(argv: list[str]) -> tuple[int, str]:
    """`stptui ARGV` in-process, with an empty standard input: (exit code, all output)."""
    buf = io.StringIO()
    stdin = sys.stdin
    sys.stdin = io.StringIO("")
    try:
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
            try:
                code = main(argv)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    finally:
        sys.stdin = stdin
    return code, buf.getvalue()


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("NO_COLOR", "1")


def _ids(found: list[Block]) -> list[str]:
    return [b.name for b in found]


# -- every block is checked -----------------------------------------------------------------


def read_elsewhere(marker: str | None) -> str | None:
    """The test file that finds a block by this marker of its own, or None."""
    if marker is None:
        return None
    # The longest key first: `line mode log` is not read as `line mode`.
    for words in sorted(READ_ELSEWHERE, key=len, reverse=True):
        if marker == words or marker.startswith(words if words.endswith(":") else words + " "):
            return READ_ELSEWHERE[words]
    return None


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_example_is_checked(page: Path) -> None:
    kinds = {"behaviors", "same-data", "excerpt", "commands", "cli", "junit", "usage", "layout"}
    unchecked = [
        f"{b.name} ({b.info or 'no info string'}, marker {b.marker!r})"
        for b in blocks(page)
        if b.info != "console"
        and read_elsewhere(b.marker) is None
        and b.check[:1] not in [[k] for k in kinds | {"by"}]
    ]
    assert not unchecked, f"blocks no test runs: {unchecked}"


def test_the_markers_other_tests_read_are_in_those_tests() -> None:
    for words, test_file in READ_ELSEWHERE.items():
        assert words in (ROOT / test_file).read_text(encoding="utf-8"), (words, test_file)


@pytest.mark.parametrize("block", checked("by"), ids=_ids(checked("by")))
def test_a_block_checked_by_another_test_names_a_test_that_reads_its_page(block: Block) -> None:
    (test_file,) = block.check[1:]
    assert re.fullmatch(r"tests/test_[a-z0-9_]+\.py", test_file), test_file
    assert block.page.name in (ROOT / test_file).read_text(encoding="utf-8")


def test_a_marker_is_read_elsewhere_by_its_words_not_a_prefix_of_a_word() -> None:
    assert read_elsewhere("line mode log") == "tests/test_repl_line_mode.py"
    assert read_elsewhere("repl transcript width=60") == "tests/test_repl_session.py"
    assert read_elsewhere("reload example: stptui/sample_stacks/job-queue") is not None
    assert read_elsewhere("repl transcripts") is None
    assert read_elsewhere("check: cli") is None
    assert read_elsewhere(None) is None


def test_the_readme_test_command_is_what_ci_runs() -> None:
    (block,) = [b for b in blocks(ROOT / "README.md") if b.marker == "test-command"]
    assert block.text == TEST_COMMAND + "\n"
    # docs/getting-started.md repeats it: the same line.
    others = [b.text for page in PAGES for b in blocks(page) if b.marker == "test-command"]
    assert others and set(others) == {TEST_COMMAND + "\n"}


def test_the_readme_run_command_starts_the_installed_entry_point() -> None:
    (block,) = [b for b in blocks(ROOT / "README.md") if b.marker == "run-command"]
    assert block.text.strip().endswith("&& .venv/bin/stptui")
    others = [b.text for page in PAGES for b in blocks(page) if b.marker == "run-command"]
    assert set(others) == {block.text}, "docs/getting-started.md installs as README.md does"
    project = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '\nstptui = "stptui.cli:main"\n' in project


# -- behaviours files -----------------------------------------------------------------------


@pytest.mark.parametrize("block", checked("behaviors"), ids=_ids(checked("behaviors")))
def test_behaviors_snippet_loads_without_a_diagnostic(block: Block, at_root: None) -> None:
    (stack_path,) = block.check[1:]
    stack = load_stack(ROOT / stack_path)
    _, diags = Behaviors.from_text(block.text, block.name, stack, base_dir=ROOT / "docs")
    assert [f"{d.severity} {d.code}: {d.message}" for d in diags] == []


@pytest.mark.parametrize("block", checked("same-data"), ids=_ids(checked("same-data")))
def test_snippet_is_the_file_it_names(block: Block) -> None:
    (path,) = block.check[1:]
    assert yaml.safe_load(block.text) == yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))


_ELISION_RE = re.compile(r"^\s*(#|//)\s*\.\.\.")


def is_excerpt(want: list[str], lines: list[str]) -> bool:
    """Whether `want` is a run of `lines`, where a `# ...` line stands for lines left out."""
    segments: list[list[str]] = [[]]
    for line in want:
        if _ELISION_RE.match(line):
            segments.append([])
        else:
            segments[-1].append(line)
    at = 0
    for seg in segments:
        # The earliest place each run fits leaves the most room for the runs after it.
        found = next(
            (i for i in range(at, len(lines) - len(seg) + 1) if lines[i : i + len(seg)] == seg),
            None,
        )
        if found is None:
            return False
        at = found + len(seg)
    return True


@pytest.mark.parametrize("block", checked("excerpt"), ids=_ids(checked("excerpt")))
def test_excerpt_is_in_the_file_it_names(block: Block) -> None:
    (path,) = block.check[1:]
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
    assert is_excerpt(block.text.splitlines(), lines), f"{block.name}: not an excerpt of {path}"


@pytest.mark.parametrize(
    ("want", "ok"),
    [("b c", True), ("b d", False), ("a # ... d", True), ("c # ... b", False), ("# ... e", True)],
)
def test_excerpt_matching(want: str, ok: bool) -> None:
    lines = ["a", "b", "c", "d", "e"]
    assert is_excerpt(want.replace("# ...", "#...").split(), lines) is ok


# -- commands inside a session --------------------------------------------------------------


@pytest.mark.parametrize("block", checked("commands"), ids=_ids(checked("commands")))
def test_command_lines_run(block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (stack_path,) = block.check[1:]
    session = Session.open(ROOT / stack_path, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    # What a line writes (`save incident.json`) lands in a scratch folder that sees docs/.
    (tmp_path / "docs").symlink_to(ROOT / "docs")
    monkeypatch.chdir(tmp_path)
    for line in block.text.splitlines():
        try:
            execute(session, line)
        except CommandError as exc:
            pytest.fail(f"{block.name}: {line!r} is refused: {exc}", pytrace=False)


# -- stptui command lines -------------------------------------------------------------------


def cli_lines(block: Block) -> list[list[str]]:
    """The argv of each `stptui` command of a block (a line ending in `\\` goes on on the
    next; a command ends at a `|`, `&&`, `||` or `;` outside quotes), with the marker's
    words replaced. In a `yaml` block (a CI job's steps) the commands are those of its
    strings, a folded one (`run: >-`) being one line."""
    swap = dict(pair.split("=", 1) for pair in block.check[1:])
    text = _yaml_strings(block.text) if block.info == "yaml" else block.text
    out = []
    for line in text.replace("\\\n", " ").splitlines():
        lex = shlex.shlex(line, posix=True, punctuation_chars="|&;")
        lex.whitespace_split = True
        commands: list[list[str]] = [[]]
        for word in lex:
            if set(word) <= set("|&;"):
                commands.append([])
            else:
                commands[-1].append(word)
        out += [
            [swap.get(w, w) for w in words[1:]] for words in commands if words[:1] == ["stptui"]
        ]
    return out


def _yaml_strings(text: str) -> str:
    """Every string of a YAML document, one a line, in order."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(yaml.safe_load(text))
    return "\n".join(found)


def _from_root(word: str) -> str:
    """A word naming a file of the repository (or `@FILE`) as an absolute path."""
    at, rest = ("@", word[1:]) if word.startswith("@") else ("", word)
    return at + str(ROOT / rest) if "/" in rest and (ROOT / rest).exists() else word


@pytest.mark.parametrize("block", checked("cli"), ids=_ids(checked("cli")))
def test_cli_lines_run(
    block: Block, at_root: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    argvs = cli_lines(block)
    assert argvs, f"{block.name} has no stptui line"
    # What a line writes (a --trace file) lands in a scratch folder that sees docs/ (a
    # script's `source docs/examples/...` line reads from there).
    (tmp_path / "docs").symlink_to(ROOT / "docs")
    monkeypatch.chdir(tmp_path)
    for words in argvs:
        argv = [_from_root(w) for w in words]
        code, out = run_cli(argv)
        assert code in (0, 1), f"{block.name}: stptui {shlex.join(argv)} exits {code}:\n{out}"


# The fields of a JUnit report that differ from run to run (times), or from release to
# release (the version).
_JUNIT_VARYING = re.compile(r'\b(time|timestamp)="[^"]*"|(name="stptui" value=)"[^"]*"')


def _junit_fixed(text: str) -> str:
    return _JUNIT_VARYING.sub(lambda m: f'{m[1] or ""}{"=" if m[1] else m[2]}"..."', text)


@pytest.mark.parametrize("block", checked("junit"), ids=_ids(checked("junit")))
def test_junit_report_is_what_the_run_writes(block: Block, at_root: None, tmp_path: Path) -> None:
    report = tmp_path / "report.xml"
    code, out = run_cli(["run", *block.check[1:], "--junit", str(report)])
    assert code in (0, 1), f"{block.name}: exits {code}:\n{out}"
    assert _junit_fixed(report.read_text(encoding="utf-8")) == _junit_fixed(block.text)


def test_junit_report_comparison_ignores_only_times_and_the_version() -> None:
    a = '<t time="0.1" timestamp="2026-01-01T00:00:00"><property name="stptui" value="1" />'
    b = '<t time="9.0" timestamp="2027-01-01T00:00:00"><property name="stptui" value="2" />'
    assert _junit_fixed(a) == _junit_fixed(b)
    assert _junit_fixed(a) != _junit_fixed(a.replace('name="stptui"', 'name="seed"'))


def test_cli_line_swaps_words_and_drops_pipes_and_comments() -> None:
    block = Block(
        Path("p.md"),
        1,
        "sh",
        "check: cli a.yml=docs/x.yml",
        "stptui graph a.yml --format dot | dot -Tsvg  # draw\nls\nstptui x 'a|b'  # c\n"
        "printf 'x' |\n    stptui run a.yml - \\\n    --seed 1\n",
    )
    assert cli_lines(block) == [
        ["graph", "docs/x.yml", "--format", "dot"],
        ["x", "a|b"],
        ["run", "docs/x.yml", "-", "--seed", "1"],
    ]


def test_cli_lines_of_a_ci_job_are_its_steps_stptui_commands() -> None:
    text = (
        "- run: pip install stptui\n"
        "- run: >-\n    mkdir -p out &&\n    stptui run a.yml s.stp\n    --seed 1\n"
        "- name: report\n  with: {path: 'stptui x'}\n"
        "- script: [stptui validate a.yml || true]\n"
    )
    block = Block(Path("p.md"), 1, "yaml", "check: cli a.yml=docs/x.yml", text)
    assert cli_lines(block) == [
        ["run", "docs/x.yml", "s.stp", "--seed", "1"],
        ["x"],
        ["validate", "docs/x.yml"],
    ]


def test_readme_project_name_line_names_the_stack(at_root: None) -> None:
    # README: `stptui graph stacktape.yml --project-name shop --stage prod   # stack shop-prod`
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "--project-name shop --stage prod   # stack shop-prod: ..." in text
    code, out = run_cli(
        ["graph", "docs/examples/directives.yml", "--project-name", "shop", "--stage", "prod"]
    )
    assert code == 0 and out.startswith("stack shop-prod: ")


def test_readme_names_only_commands_that_exist() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"A script is one command per line \((?P<names>[^)]*)\)", text)
    assert m is not None
    names = re.findall(r"`([a-z-]+)`", m["names"])
    assert names and not [n for n in names if n not in REGISTRY.commands]


def test_readme_links_every_docs_page() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Documentation", 1)[1]
    linked = set(re.findall(r"\]\(docs/([a-z-]+\.md)\)", section))
    pages = {p.name for p in (ROOT / "docs").glob("*.md")}
    assert pages - linked == set(), "pages the README's Documentation list leaves out"


# -- usage lines and options ----------------------------------------------------------------


def help_options(subcommand: str | None) -> set[str]:
    """The options of `stptui [SUBCOMMAND] --help`'s usage, less -h."""
    code, out = run_cli([*([subcommand] if subcommand else []), "--help"])
    assert code == 0
    usage = out.split("\n\n", 1)[0]
    return set(re.findall(r"\[(-[-\w]+)", usage)) - {"-h"}


@pytest.mark.parametrize("block", checked("usage"), ids=_ids(checked("usage")))
def test_usage_synopsis_has_the_options_of_help(block: Block) -> None:
    (sub,) = block.check[1:]
    assert block.text.startswith(f"stptui {sub} ")
    assert set(re.findall(r"\[(-[-\w]+)", block.text)) == help_options(sub)


@pytest.mark.parametrize(
    "subcommand", [None, "validate", "graph", "run", "repl", "match", "schedule", "init"], ids=str
)
def test_every_option_is_documented(subcommand: str | None) -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    text = "\n".join(p.read_text(encoding="utf-8") for p in pages)
    # Words of inline code (`--seed N`, `stptui --version`), not of usage dumps in blocks.
    spans = re.findall(r"(?<!`)`([^`\n]+)`(?!`)", text)
    words = {w for span in spans for w in span.split()}
    missing = sorted(o for o in help_options(subcommand) if o not in words)
    assert not missing, f"options no page mentions in inline code: {missing}"


def test_every_subcommand_is_in_the_help_and_the_readme() -> None:
    # `stptui --help` ends with the sub-commands, one a line: its name, arguments and what
    # it does.
    code, out = run_cli(["--help"])
    assert code == 0
    listing = out.split("\nsub-commands (", 1)[1]
    names = re.findall(r"^  ([a-z]+) \[?[A-Z]+.*\w", listing, re.M)
    assert names == list(SUBCOMMANDS)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert [n for n in names if f"\nstptui {n} " not in readme] == []


# -- the layout of design.md ----------------------------------------------------------------

# The packages whose modules design.md lists one by one.
DETAILED = ("stptui/config", "stptui/sim", "stptui/commands")


def layout_paths(block: Block) -> list[str]:
    """The paths the tree names: an entry is `name` or `dir/` at two spaces per level."""
    paths: list[str] = []
    stack: list[str] = []
    for line in block.text.splitlines():
        m = re.match(r"^(?P<indent> *)(?P<name>[\w.-]+/?)(?:\s{2,}|$)", line)
        if m is None or len(m["indent"]) % 2 or len(m["indent"]) // 2 > len(stack):
            continue  # a continuation of the description above
        depth = len(m["indent"]) // 2
        del stack[depth:]
        path = "".join(stack) + m["name"]
        paths.append(path.rstrip("/"))
        if m["name"].endswith("/"):
            stack.append(m["name"])
    return paths


@pytest.mark.parametrize("block", checked("layout"), ids=_ids(checked("layout")))
def test_layout_names_files_that_exist(block: Block) -> None:
    paths = layout_paths(block)
    assert "stptui/sim/services" in paths
    assert [p for p in paths if not (ROOT / p).exists()] == []


@pytest.mark.parametrize("block", checked("layout"), ids=_ids(checked("layout")))
def test_layout_lists_every_module_of_the_detailed_packages(block: Block) -> None:
    paths = set(layout_paths(block))
    modules = {
        str(p.relative_to(ROOT))
        for package in DETAILED
        for p in (ROOT / package).glob("*.py")
        if p.name != "__init__.py"
    }
    assert sorted(modules - paths) == []


def test_layout_reads_nesting_and_skips_continuations() -> None:
    text = "a/\n  b.py            x\n  c/                y\n                    more words\n    d.py\ne/\n"
    block = Block(Path("p.md"), 1, "", "check: layout", text)
    assert layout_paths(block) == ["a", "a/b.py", "a/c", "a/c/d.py", "e"]
