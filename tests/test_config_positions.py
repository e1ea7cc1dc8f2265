"""Where config diagnostics point: control characters, merge keys (`<<`), files read by
`$File`/`$FileRaw`, and the directive work limit blamed only where it is exceeded."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.cli import main
from stptui.config import ConfigError, Diagnostic, load_stack, load_stack_text
from stptui.config import directives as directives_module
from stptui.config.directives import resolve_directives
from stptui.config.loader import LoadedYaml, parse_yaml

# -- control characters ----------------------------------------------------------------------


def syntax_error(text: str) -> Diagnostic:
    with pytest.raises(ConfigError) as exc:
        parse_yaml(text, "c.yml")
    return exc.value.diagnostic


@pytest.mark.parametrize("char", ["\x01", "\x7f", "\x0b", "\x1b", "\x9f", "\ufffe"])
def test_control_character_is_reported_at_its_line_and_column(char: str) -> None:
    text = f'resources:\n  q:\n    type: sqs-queue\n    properties:\n      x: "ab{char}c"\n'
    d = syntax_error(text)
    assert (d.code, d.file, d.line, d.column) == ("yaml-syntax", "c.yml", 5, 13)
    assert f"#x{ord(char):04x}" in d.message
    assert "\n" not in d.message and "position" not in d.message
    assert d.hint is not None


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("x: é\x01\n", 1, 5),  # two UTF-8 bytes, one column
        ("x: 😀\x01\n", 1, 5),  # four UTF-8 bytes, one column
        ("a: 'é😀中'\nb: é\x01\n", 2, 5),  # the characters of earlier lines are not counted
        ("a: 1\r\nb: 2\r\nc: \x01\r\n", 3, 4),  # CRLF is one line break
        ("a: 1\rb: \x01\n", 2, 4),  # so are CR, NEL and the Unicode separators (as YAML says)
        ("a: 1\x85b: \x01\n", 2, 4),
        ("a: 1\u2028b: 2\u2029c: \x01\n", 3, 4),
        ("\x00", 1, 1),
        ("\ufeffx: \x01\n", 1, 4),  # a byte order mark takes no column, as for other errors
        ("x: \ufeff\x01\n", 1, 5),  # except where it is text
    ],
)
def test_control_character_columns_count_characters(text: str, line: int, column: int) -> None:
    d = syntax_error(text)
    assert (d.line, d.column) == (line, column)


def test_control_character_columns_agree_with_other_syntax_errors() -> None:
    # The same place holds a character the reader refuses, then a `:` the parser refuses.
    prefix = "a: 1\r\nb: 'é😀'\u2028c: é"
    refused = syntax_error(prefix + "\x01\n")
    misplaced = syntax_error(prefix + ": x\n")
    assert (refused.line, refused.column) == (misplaced.line, misplaced.column) == (3, 5)


def test_lone_surrogate_is_a_positioned_error_not_a_traceback() -> None:
    d = syntax_error("a: 1\nb: x\ud800\n")
    assert (d.code, d.line, d.column) == ("yaml-syntax", 2, 5)
    assert "#xd800" in d.message


def test_control_character_through_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "stacktape.yml").write_bytes(b"resources:\n  q:\n    type: sqs\x7f-queue\n")
    assert main(["validate", "stacktape.yml"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "stacktape.yml:3:14: error yaml-syntax: YAML syntax error: unacceptable character "
        "#x007f: control characters are not allowed\n"
    )


# -- merge keys ------------------------------------------------------------------------------

BASE = """\
x-base: &base
  type: function
  properties:
    timeout: abc
    memory: 256
x-more: &more
  type: batch-job
  region: here
"""


def at(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """The 1-based line and column of the `nth` occurrence of `needle` in `text`."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def mark(loaded: LoadedYaml, *path: str, key: bool = False) -> tuple[int, int]:
    pos = loaded.pos(path, key=key)
    return pos.line, pos.column


def test_explicit_key_before_merge_keeps_its_own_position() -> None:
    text = BASE + "fn: {type: sqs-queue, properties: {timeout: 5}, <<: *base}\n"
    loaded = parse_yaml(text)
    assert loaded.data["fn"] == {"type": "sqs-queue", "properties": {"timeout": 5}}
    assert mark(loaded, "fn", "type") == at(text, "sqs-queue")
    assert mark(loaded, "fn", "type", key=True) == at(text, "type", 2)
    assert mark(loaded, "fn", "properties", "timeout") == at(text, "5}")
    # The anchor's `memory` is not part of fn's properties: a question about it is answered
    # with the properties fn has, not with the anchor's line.
    assert mark(loaded, "fn", "properties", "memory") == at(text, "{timeout: 5}")


@pytest.mark.parametrize("explicit_first", [True, False], ids=["explicit-first", "merge-first"])
def test_block_mapping_with_merge_in_either_order(explicit_first: bool) -> None:
    explicit = ["    properties:", "      timeout: xyz"]
    merge = ["    <<: *base"]
    body = explicit + merge if explicit_first else merge + explicit
    text = BASE + "fn:\n" + "\n".join(body) + "\n"
    loaded = parse_yaml(text)
    assert loaded.data["fn"] == {"properties": {"timeout": "xyz"}, "type": "function"}
    assert mark(loaded, "fn", "properties", "timeout") == at(text, "xyz")
    assert mark(loaded, "fn", "properties", key=True) == at(text, "properties", 1)
    # not the anchor's `memory`: fn's own properties, which have none
    assert mark(loaded, "fn", "properties", "memory") == at(text, "timeout: xyz")
    # A key only the anchor has is reported where the anchor writes it.
    assert mark(loaded, "fn", "type") == at(text, "function")
    assert mark(loaded, "fn", "type", key=True) == at(text, "type")
    assert mark(loaded, "fn") == (10, 5)  # the mapping itself stays where it starts


def test_several_merges_blame_the_source_that_wins() -> None:
    # `<<: [*base, *more]`: the first source wins a key both have (`type`).
    text = BASE + "fn:\n  region: mine\n  <<: [*base, *more]\n"
    loaded = parse_yaml(text)
    assert loaded.data["fn"] == {
        "region": "mine",
        "type": "function",
        "properties": {"timeout": "abc", "memory": 256},
    }
    assert mark(loaded, "fn", "region") == at(text, "mine")  # explicit, though *more has it
    assert mark(loaded, "fn", "type") == at(text, "function")  # *base, though *more has it
    assert mark(loaded, "fn", "properties", "timeout") == at(text, "abc")
    text = BASE + "fn:\n  <<: [*more, *base]\n  region: mine\n"
    loaded = parse_yaml(text)
    assert loaded.data["fn"]["type"] == "batch-job"
    assert mark(loaded, "fn", "type") == at(text, "batch-job")
    assert mark(loaded, "fn", "properties", "memory") == at(text, "256")
    assert mark(loaded, "fn", "region") == at(text, "mine")


def test_nested_merges_keep_their_positions() -> None:
    text = BASE + "outer: &outer\n  inner:\n    <<: *more\n    type: own\nfn:\n  <<: *outer\n"
    loaded = parse_yaml(text)
    assert loaded.data["fn"] == {"inner": {"type": "own", "region": "here"}}
    assert mark(loaded, "fn", "inner", "type") == at(text, "own")
    assert mark(loaded, "fn", "inner", "region") == at(text, "here")


@pytest.mark.parametrize(
    "resource",
    [
        "resources:\n  fn: {properties: {timeout: xyz}, <<: *fn}\n",
        "resources:\n  fn:\n    properties: {timeout: xyz}\n    <<: *fn\n",
        "resources:\n  fn:\n    <<: *fn\n    properties: {timeout: xyz}\n",
        "resources:\n  fn:\n    properties: {timeout: xyz}\n    <<: [*other, *fn]\n",
        "resources:\n  fn:\n    <<: [*fn, *other]\n    properties: {timeout: xyz}\n",
    ],
    ids=[
        "flow-explicit-first",
        "block-explicit-first",
        "block-merge-first",
        "two-merges-explicit-first",
        "two-merges-merge-first",
    ],
)
def test_stack_diagnostics_name_the_explicit_value(resource: str) -> None:
    anchors = "x-fn: &fn\n  type: function\n  properties:\n    timeout: abc\n"
    anchors += "    packaging:\n      type: stacktape-lambda-buildpack\n"
    anchors += "      properties: {entryfilePath: a.ts}\n"
    anchors += "x-other: &other\n  properties: {timeout: def}\n"
    text = anchors + resource
    stack = load_stack_text(text, "s.yml", lint=False)
    found = [(d.resource, d.line, d.column) for d in stack.diagnostics if d.code == "wrong-type"]
    assert found == [("fn", *at(text, "xyz"))]


# -- files read by $File and $FileRaw --------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config in `sub/` whose includes live in `sub/parts/` (and deeper); the working
    directory is the one above `sub/`, as when a user runs `stptui validate sub/stacktape.yml`."""
    parts = tmp_path / "sub" / "parts"
    (parts / "deeper").mkdir(parents=True)
    (parts / "x.yml").write_text("a: 1\na: 2\nb: !Ref x\n")
    (parts / "deeper" / "y.json").write_text('{\n  "k": 1,\n  "k": 2\n}\n')
    (parts / "bad.json").write_text('{\n  "a": [1, 2}\n')
    (parts / "ctl.yml").write_text("a: 1\nb: x\x01\n")
    (parts / "latin1.txt").write_bytes(b"ok\nab\xe9\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_config(project: Path, *values: str) -> None:
    lines = ["variables:", *(f"  v{i}: {v}" for i, v in enumerate(values))]
    lines += ["resources:", "  q:", "    type: sqs-queue"]
    (project / "sub" / "stacktape.yml").write_text("\n".join(lines) + "\n")


def located(diags: list[Diagnostic], code: str) -> list[str]:
    return [f"{d.location}: {d.code}" for d in diags if d.code == code]


@pytest.mark.parametrize("written", ["./parts/x.yml", "parts/x.yml", "parts/../parts/x.yml"])
def test_file_diagnostics_name_a_path_the_user_can_open(project: Path, written: str) -> None:
    write_config(project, f"$File('{written}')", "$File('parts/deeper/y.json')")
    diags = load_stack("sub/stacktape.yml").diagnostics
    assert located(diags, "yaml-duplicate-key") == [
        "sub/parts/deeper/y.json:3:3: yaml-duplicate-key",
        "sub/parts/x.yml:2:1: yaml-duplicate-key",
    ]
    assert located(diags, "yaml-unknown-tag") == ["sub/parts/x.yml:3:4: yaml-unknown-tag"]
    assert all(Path(d.file).is_file() for d in diags if d.file)


def test_file_diagnostics_from_the_config_folder_and_from_an_absolute_path(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(project, "$File('parts/x.yml')")
    monkeypatch.chdir(project / "sub")
    assert located(load_stack("stacktape.yml").diagnostics, "yaml-unknown-tag") == [
        "parts/x.yml:3:4: yaml-unknown-tag"
    ]
    absolute = project / "sub" / "stacktape.yml"
    assert located(load_stack(absolute).diagnostics, "yaml-unknown-tag") == [
        f"{project}/sub/parts/x.yml:3:4: yaml-unknown-tag"
    ]
    write_config(project, f"$File('{project}/sub/parts/x.yml')")
    monkeypatch.chdir(project)
    assert located(load_stack("sub/stacktape.yml").diagnostics, "yaml-unknown-tag") == [
        f"{project}/sub/parts/x.yml:3:4: yaml-unknown-tag"
    ]


def test_file_that_cannot_be_parsed_names_the_place_in_it(project: Path) -> None:
    write_config(project, "$File('parts/bad.json')", "$File('./parts/ctl.yml')")
    [bad, ctl] = [d for d in load_stack("sub/stacktape.yml").diagnostics if d.severity == "error"]
    # The value stays unresolved where the directive is written; the message says where
    # in the file the problem is, as a location the user can open.
    assert (bad.code, bad.location) == ("directive-file", "sub/stacktape.yml:2:7")
    assert bad.message.startswith("$File('parts/bad.json'): cannot parse the file (line 2, ")
    assert bad.message.endswith("(see sub/parts/bad.json:2:13)")
    assert (ctl.code, ctl.location) == ("directive-file", "sub/stacktape.yml:3:7")
    assert "#x0001" in ctl.message and ctl.message.endswith("(see sub/parts/ctl.yml:2:5)")


def test_file_read_problems_name_the_file_looked_for(project: Path) -> None:
    write_config(project, "$File('parts/nope.json')", "$FileRaw('./parts/latin1.txt')")
    diags = load_stack("sub/stacktape.yml").diagnostics
    [nope, latin1] = [d for d in diags if d.code == "directive-file"]
    assert nope.location == "sub/stacktape.yml:2:7"
    assert nope.message == "$File('parts/nope.json'): sub/parts/nope.json does not exist"
    assert latin1.location == "sub/stacktape.yml:3:7"
    assert latin1.message == (
        "$FileRaw('./parts/latin1.txt'): the file is not UTF-8 text (byte 5) "
        "(see sub/parts/latin1.txt:2:3)"
    )


def test_file_diagnostics_through_validate(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(project, "$File('./parts/x.yml')")
    assert main(["validate", "sub/stacktape.yml"]) == 1
    out = capsys.readouterr().out
    assert "\nsub/parts/x.yml:2:1: error yaml-duplicate-key: " in "\n" + out


# -- the directive work limit ----------------------------------------------------------------


def chain_config(levels: int, uses: list[str]) -> str:
    """Variables that each hold two copies of the one before (so v_k holds 2**k copies of
    v0), then a function whose properties use `uses`."""
    lines = ["variables:", "  v0: [1, 2]"]
    lines += [f"  v{i}: [$Var().v{i - 1}, $Var().v{i - 1}]" for i in range(1, levels)]
    lines += ["  name: orders", "  small: $Var().v3"]
    lines += ["resources:", "  fn:", "    type: function", "    properties:"]
    lines += [f"      p{i}: {text}" for i, text in enumerate(uses)]
    return "\n".join(lines) + "\n"


def resolved(text: str) -> tuple[dict[str, object], list[Diagnostic]]:
    loaded = parse_yaml(text, "s.yml")
    resolve_directives(loaded, directives_module.DirectiveContext())
    return loaded.data["resources"]["fn"]["properties"], loaded.diagnostics


def test_work_limit_is_blamed_only_where_it_is_exceeded() -> None:
    unrelated = ["$Stage()", "$Var().name", "$Format('{}-x', $Var().name)", "$Var().small"]
    text = chain_config(30, [*unrelated, "$Var().v5", "$Var().v29"])
    props, diags = resolved(text)
    v3 = [[[[1, 2]] * 2] * 2] * 2
    assert [props[f"p{i}"] for i in range(4)] == ["dev", "orders", "orders-x", v3]
    assert props["p4"] == [[v3] * 2] * 2
    assert props["p5"] == "$Var().v29"
    # Copying v_k takes 2**(k+2) steps: the first value over its share of the work (50,000)
    # is v14 (2 copies of v13), blamed where its second copy of v13 passes the limit. What
    # uses v14 points there; nothing else has a diagnostic.
    [too_large] = [d for d in diags if d.code == "directive-too-large"]
    assert (too_large.line, too_large.column) == at(text, "$Var().v13]")
    assert "more than 50,000 values" in too_large.message
    unresolved = [d for d in diags if d.code == "directive-unresolved"]
    assert len(unresolved) + 1 == len(diags)
    assert all(f"(see s.yml:{too_large.line}:{too_large.column})" in d.message for d in unresolved)
    v15_to_v29 = set(range(at(text, "v15:")[0], at(text, "v29:")[0] + 1))
    assert {d.line for d in unresolved} == {*v15_to_v29, at(text, "p5:")[0]}


def test_total_work_limit_gives_an_honest_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each use of v8 copies about 1,000 values, under a value's share of the work (1,200);
    # together they pass the limit for the whole config, and what is left is said to be
    # left for that reason.
    monkeypatch.setattr(directives_module, "_MAX_WORK", 12_000)
    props, diags = resolved(chain_config(10, [*["$Var().v8"] * 12, "$Stage()"]))
    assert isinstance(props["p0"], list) and props["p12"] == "$Stage()"
    assert {d.code for d in diags} == {"directive-work-limit"}
    [stop, *skipped] = diags
    assert "resolution stopped here" in stop.message
    assert skipped and all(f"(see s.yml:{stop.line}:{stop.column})" in d.message for d in skipped)
    assert all("not resolved" in d.message and "12,000" in d.message for d in skipped)
