"""The examples in docs/*.md run, and print what the page says they print.

In README.md and every `docs/*.md`, a fenced block whose info string is `console` is an
example:

    ```console
    $ stptui validate docs/examples/job-queue-guide.yml  # exit 1
    docs/examples/job-queue-guide.yml:13:13: warning missing-gateway-name [api]: ...
    ...
    ```

- A line starting with `$ ` is a command; a command line ending in `\\` continues on the
  next line. Only `stptui ...` commands are allowed. They run in-process through
  `stptui.cli.main` with the repository root as the working directory, so paths in the
  examples are relative to it.
- The lines after a command, up to the next command, are its expected output (stdout and
  stderr together, in the order written). Trailing whitespace and trailing blank lines are
  ignored; a line holding only `...` matches any run of lines, including none.
- `# exit N` at the end of the command line asserts the exit code; without it the command
  must exit 0. Any other `# comment` is ignored, as a shell would.
- A block right after a `<!-- scratch folder -->` line runs in a folder of its own that sees
  the repository's `docs/` and `stptui/`, so that what its commands write (a session file a
  failed run saves, which the next command loads) lands there, not in the repository.

Each block is one test, named `page.md#N` (N counts the console blocks of the page from 0),
and a failure names the page, the line of the command and shows a diff. The relative links
of docs/*.md and README.md are checked too.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from stptui.cli import main

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

_FENCE_RE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*?)\s*$")
_EXIT_RE = re.compile(r"\s+#\s*exit\s+(?P<code>\d+)\s*$")
_LINK_RE = re.compile(r"(?<!!)\[[^\]]*\]\((?P<target>[^)\s]+)\)")
SCRATCH_MARK = "<!-- scratch folder -->"


@dataclass(frozen=True)
class Block:
    """A `console` block: its page, its index among the page's console blocks, its lines."""

    page: Path
    index: int
    line: int  # 1-based line of the first line inside the fence
    lines: tuple[str, ...]
    scratch: bool = False  # run in a folder of its own (SCRATCH_MARK before the fence)

    @property
    def name(self) -> str:
        return f"{self.page.name}#{self.index}"


@dataclass(frozen=True)
class Example:
    """One command of a block with the exit code and output the page expects."""

    command: str
    argv: tuple[str, ...]
    exit_code: int
    expected: tuple[str, ...]
    line: int


def console_blocks(page: Path) -> Iterator[Block]:
    """Every fenced block with the info string `console` in a Markdown page."""
    lines = page.read_text(encoding="utf-8").splitlines()
    i, index = 0, 0
    while i < len(lines):
        m = _FENCE_RE.match(lines[i])
        if m is None:
            i += 1
            continue
        fence, info = m["fence"], m["info"].split()
        end = i + 1
        while end < len(lines):
            close = _FENCE_RE.match(lines[end])
            if (
                close
                and not close["info"]
                and close["fence"][0] == fence[0]
                and len(close["fence"]) >= len(fence)
            ):
                break
            end += 1
        if info[:1] == ["console"]:
            scratch = i > 0 and lines[i - 1].strip() == SCRATCH_MARK
            yield Block(page, index, i + 2, tuple(lines[i + 1 : end]), scratch)
            index += 1
        i = end + 1


def parse_block(block: Block) -> list[Example]:
    """The commands of a block; ValueError for a block that is not a valid example."""
    examples: list[Example] = []
    lines = list(block.lines)
    i = 0
    while i < len(lines):
        text, at = lines[i], block.line + i
        if not text.startswith("$ "):
            if text.strip():
                raise ValueError(f"line {at}: output before any `$ ` command: {text!r}")
            i += 1
            continue
        command = text[2:]
        while command.endswith("\\") and i + 1 < len(lines):
            i += 1
            command = command[:-1] + lines[i].strip()
        i += 1
        start = i
        while i < len(lines) and not lines[i].startswith("$ "):
            i += 1
        exit_code = 0
        if m := _EXIT_RE.search(command):
            exit_code = int(m["code"])
            command = command[: m.start()]
        try:
            argv = shlex.split(command, comments=True)
        except ValueError as exc:
            raise ValueError(f"line {at}: cannot split {command!r}: {exc}") from None
        if not argv or argv[0] != "stptui":
            raise ValueError(f"line {at}: only `stptui ...` commands may run, not {command!r}")
        examples.append(
            Example(command.strip(), tuple(argv[1:]), exit_code, _clean(lines[start:i]), at)
        )
    if not examples:
        raise ValueError(f"line {block.line}: a console block without a `$ ` command")
    return examples


def _clean(lines: list[str]) -> tuple[str, ...]:
    """Lines without trailing whitespace or trailing blank lines."""
    out = [line.rstrip() for line in lines]
    while out and not out[-1]:
        out.pop()
    return tuple(out)


def output_matches(expected: tuple[str, ...], actual: tuple[str, ...]) -> bool:
    """Whether `actual` fits `expected`, where a `...` line matches any run of lines."""

    @cache
    def fits(i: int, j: int) -> bool:
        if i == len(expected):
            return j == len(actual)
        if expected[i] == "...":
            return fits(i + 1, j) or (j < len(actual) and fits(i, j + 1))
        return j < len(actual) and expected[i] == actual[j] and fits(i + 1, j + 1)

    return fits(0, 0)


def run_stptui(argv: tuple[str, ...]) -> tuple[int, str]:
    """Run `stptui ARGV` in-process; (exit code, stdout and stderr as one text)."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse: --help, usage errors
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return code, buf.getvalue()


def _all_blocks() -> list[Block]:
    pages = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
    return [b for page in pages for b in console_blocks(page)]


@pytest.fixture
def docs_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the examples assume: the repository root as cwd, a fixed width, no colour."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("LINES", "40")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)


@pytest.mark.parametrize("block", _all_blocks(), ids=lambda b: b.name)
def test_docs_example(
    block: Block, docs_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    where = block.page.relative_to(ROOT)
    if block.scratch:
        for name in ("docs", "stptui"):
            (tmp_path / name).symlink_to(ROOT / name)
        monkeypatch.chdir(tmp_path)
    try:
        examples = parse_block(block)
    except ValueError as exc:
        pytest.fail(f"{where}: {exc}", pytrace=False)
    failures = []
    # An example that writes a file (a trace, a saved session) must not leave it in the
    # repository: such a block runs in a scratch folder.
    before = {p.name for p in ROOT.iterdir()}
    for ex in examples:
        code, out = run_stptui(ex.argv)
        actual = _clean(out.splitlines())
        problems = []
        if code != ex.exit_code:
            problems.append(f"exit code {code}, the page says {ex.exit_code}")
        if not output_matches(ex.expected, actual):
            diff = difflib.unified_diff(
                ex.expected, actual, "expected (page)", "actual", lineterm="", n=2
            )
            problems.append("output differs:\n" + "\n".join(diff))
        if problems:
            failures.append(f"{where}:{ex.line}: $ {ex.command}\n" + "\n".join(problems))
    left = sorted({p.name for p in ROOT.iterdir()} - before)
    if left:
        failures.append(f"{where}: the block left {left} in the repository: mark it {SCRATCH_MARK}")
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)


def test_every_page_with_examples_is_collected() -> None:
    pages = {b.page.name for b in _all_blocks()}
    assert {"README.md", "getting-started.md", "reading-configs.md"} <= pages


def test_rendered_mermaid_in_getting_started_is_the_command_output(docs_env: None) -> None:
    # The page shows the diagram rendered too; that copy is not a console block.
    text = (DOCS / "getting-started.md").read_text(encoding="utf-8")
    m = re.search(r"^<!-- rendered mermaid -->\n```mermaid\n(.*?)^```$", text, flags=re.S | re.M)
    assert m is not None
    code, out = run_stptui(("graph", "stptui/sample_stacks/job-queue", "--format", "mermaid"))
    assert code == 0
    assert _clean(out.splitlines()) == _clean(m[1].splitlines())


@pytest.mark.parametrize("name", ["job-queue", "file-processing"])
def test_guide_examples_are_the_guide_snippets(name: str) -> None:
    # docs/examples/*-guide.yml are byte-for-byte copies of the guide's snippets.
    copy = DOCS / "examples" / f"{name}-guide.yml"
    assert copy.read_bytes() == (ROOT / "tests" / "fixtures" / "seed" / f"{name}.yml").read_bytes()


# -- scripts piped into `stptui run STACK -` ---------------------------------------------

_PIPED_RE = re.compile(
    r"^```(?:sh|console)\n(?P<printf>printf .*?)\s*\|\s*\\?\n\s*(?P<run>stptui run \S+ - .*?)\n```",
    re.S | re.M,
)


def _piped_examples() -> list[tuple[Path, str, str]]:
    """(page, printf command, stptui command) of every `printf ... | stptui run STACK -`."""
    return [
        (page, m["printf"], m["run"])
        for page in sorted(DOCS.glob("*.md"))
        for m in _PIPED_RE.finditer(page.read_text(encoding="utf-8"))
    ]


def _printf(command: str) -> str:
    """What `printf FORMAT` writes, for a FORMAT of text and backslash escapes only."""
    argv = shlex.split(command)
    assert argv[0] == "printf" and len(argv) == 2 and "%" not in argv[1], command
    return argv[1].encode("ascii").decode("unicode_escape")


def test_the_docs_pipe_a_script_into_run() -> None:
    assert any(page.name == "simulating.md" for page, _, _ in _piped_examples())


@pytest.mark.parametrize(
    "example", _piped_examples(), ids=lambda e: f"{e[0].name}:{e[2].split()[2]}"
)
def test_a_script_piped_into_run_runs_every_line(
    example: tuple[Path, str, str], docs_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, printf, run = example
    script = _printf(printf)
    stdin = io.TextIOWrapper(io.BytesIO(script.encode("utf-8")), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stdin)
    code, out = run_stptui(tuple(shlex.split(run)[1:]))
    assert code == 0, out
    echoed = [line for line in out.splitlines() if line.startswith("> ")]
    assert echoed == [f"> {line}" for line in script.splitlines()]
    expects = [line for line in script.splitlines() if line.startswith("expect ")]
    passed = [line for line in out.splitlines() if line.startswith("ok: ")]
    assert [p.split(" (actual")[0] for p in passed] == [
        f"ok: {line.removeprefix('expect ')}" for line in expects
    ]


# -- the harness itself ------------------------------------------------------------------


def _block(text: str) -> Block:
    return Block(Path("page.md"), 0, 1, tuple(text.splitlines()))


def test_parse_commands_outputs_and_exit_codes() -> None:
    examples = parse_block(
        _block(
            "$ stptui validate 'a b.yml'  # exit 1\n"
            "line one   \n"
            "\n"
            "$ stptui graph x.yml \\\n"
            "    --format json  # a comment\n"
            "{\n"
        )
    )
    assert [(e.argv, e.exit_code, e.expected, e.line) for e in examples] == [
        (("validate", "a b.yml"), 1, ("line one",), 1),
        (("graph", "x.yml", "--format", "json"), 0, ("{",), 4),
    ]


@pytest.mark.parametrize(
    "text",
    ["output first\n$ stptui graph x", "$ ls -l", "$ stptui 'unterminated", "", "\n\n"],
)
def test_parse_refuses_what_is_not_an_example(text: str) -> None:
    with pytest.raises(ValueError):
        parse_block(_block(text))


@pytest.mark.parametrize(
    ("expected", "actual", "ok"),
    [
        ("a b", "a b", True),
        ("a b", "a c", False),
        ("a ... c", "a x y c", True),
        ("a ... c", "a c", True),
        ("... c", "x c", True),
        ("a ...", "a", True),
        ("...", "", True),
        ("a ... c", "a x y", False),
        ("a", "a b", False),
        ("a ... b ... c", "a b x c", True),
    ],
)
def test_output_matching(expected: str, actual: str, ok: bool) -> None:
    assert output_matches(tuple(expected.split()), tuple(actual.split())) is ok


def test_console_blocks_are_found_by_their_info_string(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text(
        "```sh\n$ stptui x\n```\n\n````console\n$ stptui a\n```\nstill inside\n````\n"
        "~~~console\n$ stptui b\n~~~\n",
        encoding="utf-8",
    )
    blocks = list(console_blocks(page))
    assert [(b.index, b.line, b.lines) for b in blocks] == [
        (0, 6, ("$ stptui a", "```", "still inside")),
        (1, 11, ("$ stptui b",)),
    ]


def test_a_block_after_the_scratch_mark_runs_in_a_scratch_folder(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text(
        f"{SCRATCH_MARK}\n```console\n$ stptui a\n```\n\n```console\n$ stptui b\n```\n",
        encoding="utf-8",
    )
    assert [b.scratch for b in console_blocks(page)] == [True, False]


# -- links -------------------------------------------------------------------------------


def _anchors(page: Path) -> set[str]:
    """GitHub's heading anchors of a page: headings outside code blocks, slugged as GitHub
    does, a repeated one numbered (`-1`, `-2`) as GitHub numbers it."""
    return set(_anchor_order(page))


def _anchor_order(page: Path) -> list[str]:
    """A page's heading anchors (as `_anchors` makes them) in the order its headings come."""
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.S | re.M)
    order: list[str] = []
    taken: set[str] = set()
    for line in text.splitlines():
        if m := re.match(r"#{1,6}\s+(.*)", line):
            slug = re.sub(r"[^\w\- ]", "", m[1].strip().lower()).replace(" ", "-")
            n, unique = 0, slug
            while unique in taken:
                n += 1
                unique = f"{slug}-{n}"
            order.append(unique)
            taken.add(unique)
    return order


def test_anchors_are_githubs() -> None:
    # A `#` line inside a code block is no heading; a repeated heading gets a number.
    page = DOCS / "simulating.md"
    anchors = _anchors(page)
    assert "incidentstp-reproduce-a-nights-failures-then-keep-the-state-for-later" not in anchors
    assert {"every-failed-check-at-once---keep-going", "a-script-from-standard-input--"} <= anchors


def test_repeated_headings_are_numbered(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text("# A\n## Notes\n```sh\n# not a heading\n```\n### Notes\n", encoding="utf-8")
    assert _anchors(page) == {"a", "notes", "notes-1"}


# A link or an image: a picture that is not there is as broken as a page.
_TARGET_RE = re.compile(r"!?\[[^\]]*\]\((?P<target>[^)\s]+)\)")
_LINKED_PAGES = [
    ROOT / "README.md",
    ROOT / "stptui" / "sample_stacks" / "README.md",
    *sorted(DOCS.glob("*.md")),
]


@pytest.mark.parametrize(
    "page", _LINKED_PAGES, ids=lambda p: str(p.relative_to(ROOT)).replace("/", "-")
)
def test_relative_links_resolve(page: Path) -> None:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    broken = []
    # A page links to its own sections dozens of times: each page's anchors are read once.
    anchors: dict[Path, set[str]] = {}
    for m in _TARGET_RE.finditer(text):
        target = m["target"]
        if re.match(r"[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        dest = (page.parent / file).resolve() if file else page
        if not dest.exists():
            broken.append(target)
        elif anchor and dest.suffix == ".md":
            if dest not in anchors:
                anchors[dest] = _anchors(dest)
            if anchor not in anchors[dest]:
                broken.append(target)
    assert not broken, f"{page.relative_to(ROOT)}: broken links {broken}"


def _contents_pages() -> list[Path]:
    return [p for p in sorted(DOCS.glob("*.md")) if "\nOn this page:\n" in p.read_text("utf-8")]


def test_long_pages_have_contents() -> None:
    # A reader finds a section of a long page from its top; the generated pages have
    # their own contents (commands.md) or are looked up by code (diagnostics.md).
    long = {
        p.name
        for p in DOCS.glob("*.md")
        if len(p.read_text("utf-8").splitlines()) > 500
        and p.name not in {"commands.md", "diagnostics.md"}
    }
    assert long <= {p.name for p in _contents_pages()}


@pytest.mark.parametrize("page", _contents_pages(), ids=lambda p: p.name)
def test_contents_list_every_section(page: Path) -> None:
    # "On this page:" links each `##` section, so a section added later is not hidden.
    text = page.read_text(encoding="utf-8")
    start = text.index("\nOn this page:\n")
    contents = text[start : text.index("\n## ", start)]
    linked = {m["target"][1:] for m in _LINK_RE.finditer(contents) if m["target"][0] == "#"}
    body = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    sections = {
        re.sub(r"[^\w\- ]", "", m[1].strip().lower()).replace(" ", "-")
        for m in re.finditer(r"^##\s+(.*)$", body, re.M)
    }
    assert sections - linked == set(), f"{page.name}: sections missing from its contents"


@pytest.mark.parametrize("page", _contents_pages(), ids=lambda p: p.name)
def test_contents_follow_the_page(page: Path) -> None:
    # A contents list read top to bottom walks the page top to bottom: an entry moved or a
    # section moved without the other sends the reader back up the page.
    text = page.read_text(encoding="utf-8")
    start = text.index("\nOn this page:\n")
    contents = text[start : text.index("\n## ", start)]
    linked = [m["target"][1:] for m in _LINK_RE.finditer(contents) if m["target"][0] == "#"]
    order = _anchor_order(page)
    assert [a for a in linked if a not in order] == [], f"{page.name}: contents name no section"
    positions = [order.index(a) for a in linked]
    late = [linked[i] for i in range(1, len(linked)) if positions[i] < positions[i - 1]]
    assert late == [], f"{page.name}: contents entries placed after a later section's"


# -- sections named from code and examples -----------------------------------------------

# `docs/fidelity.md ("Kinesis")`, `docs/simulating.md, "State machines"`: a page and the
# start of one of its headings, as modules, tests and example files cite them.
_SECTION_REF_RE = re.compile(r'docs/(?P<page>[a-z-]+\.md)(?:,\s*|\s*\(\s*)"(?P<section>[^"]+)"')


def _headings(page: Path) -> list[str]:
    """A page's headings as they read, without code spans, outside code blocks."""
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.S | re.M)
    return [m[1].replace("`", "").strip() for m in re.finditer(r"^#{1,6}\s+(.*)$", text, re.M)]


def _section_refs() -> list[tuple[str, str, str]]:
    """(file, page, section) of every reference to a docs section by its heading."""
    files = [
        *sorted((ROOT / "stptui").rglob("*.py")),
        *sorted((ROOT / "tests").glob("*.py")),
        *sorted((ROOT / "benchmarks").glob("*.py")),
        *sorted(p for p in (DOCS / "examples").rglob("*") if p.suffix in {".yml", ".stp"}),
    ]
    refs = []
    for file in files:
        text = file.read_text(encoding="utf-8", errors="replace")
        for m in _SECTION_REF_RE.finditer(text):
            # A reference wrapped over comment lines: join its words again.
            section = " ".join(m["section"].replace("#", " ").split())
            refs.append((str(file.relative_to(ROOT)), m["page"], section))
    return refs


def test_sections_cited_in_code_exist() -> None:
    refs = _section_refs()
    assert len(refs) > 10  # the pattern still finds the citations
    headings = {page.name: _headings(page) for page in DOCS.glob("*.md")}
    missing = [
        ref
        for ref in refs
        if not any(h.startswith(ref[2].rstrip(",. ")) for h in headings.get(ref[1], []))
    ]
    assert not missing, f"(file, page, section) citing a section that is not there: {missing}"
