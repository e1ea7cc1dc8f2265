"""docs/trace-format.md documents every record kind, and its example is a real trace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stptui.cli import main
from stptui.sim import trace

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "trace-format.md"
DEMO = ROOT / "stptui" / "sample_stacks" / "webhook-processor" / "demo.stp"


# Every record kind trace.py defines (KIND = "noun.verb"), whatever its number of dots.
KINDS = {
    v
    for k, v in vars(trace).items()
    if k.isupper() and isinstance(v, str) and re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", v)
}


def _page() -> str:
    return PAGE.read_text(encoding="utf-8")


def test_every_record_kind_has_a_row_and_no_row_is_stale() -> None:
    documented = set(re.findall(r"^\| `([a-z_]+(?:\.[a-z_]+)+)` \|", _page(), flags=re.M))
    assert documented == KINDS, (
        f"missing from docs/trace-format.md: {sorted(KINDS - documented)}; "
        f"not record kinds: {sorted(documented - KINDS)}"
    )


def _documented_fields(cell: str) -> set[str]:
    """The field names in a Fields cell: its backticked names, less the notes in
    parentheses (`error` (`RecursiveInvocationException`)) and the `for TRIGGER:` labels
    (or `for TRIGGER or TRIGGER:`, for two)."""
    cell = re.sub(r"\([^)]*\)", "", cell)
    cell = re.sub(r"for `[^`]+`(?: or `[^`]+`)*:", "", cell)
    return set(re.findall(r"`([a-z_]+)`", cell))


def test_every_kind_row_lists_exactly_the_fields_of_kind_fields() -> None:
    rows = re.findall(r"^\| `([a-z_]+(?:\.[a-z_]+)+)` \| [^|]* \| ([^|]*) \|", _page(), flags=re.M)
    documented = {kind: _documented_fields(cell) for kind, cell in rows}
    wrong = {
        kind: {
            "not documented": sorted(set(fields) - documented.get(kind, set())),
            "not in KIND_FIELDS": sorted(documented.get(kind, set()) - set(fields)),
        }
        for kind, fields in trace.KIND_FIELDS.items()
        if set(fields) != documented.get(kind)
    }
    assert wrong == {}, "docs/trace-format.md and trace.KIND_FIELDS disagree"


def test_the_jsonl_example_is_what_stptui_run_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    m = re.search(r"^```jsonl\n(.*?)^```$", _page(), flags=re.S | re.M)
    assert m is not None, "docs/trace-format.md has no ```jsonl example"
    trace = tmp_path / "trace.jsonl"
    argv = ["run", str(DEMO.parent), str(DEMO), "--start", "2026-01-05T08:00:00Z"]
    assert main([*argv, "--trace", str(trace)]) == 0
    capsys.readouterr()
    assert m[1] == trace.read_text(encoding="utf-8"), (
        "the trace example in docs/trace-format.md is stale; regenerate it with "
        "stptui run stptui/sample_stacks/webhook-processor "
        "stptui/sample_stacks/webhook-processor/demo.stp "
        "--start 2026-01-05T08:00:00Z --trace trace.jsonl"
    )


def test_the_record_shown_first_is_a_line_of_the_example_trace() -> None:
    # "A record" shows one line before the example trace further down; it must stay one of
    # that trace's lines, which the test above keeps what `stptui run` writes.
    m = re.search(
        r"^## A record\n\n(?:<!--[^\n]*-->\n)?```json\n(.*?)^```$", _page(), flags=re.S | re.M
    )
    assert m is not None, "docs/trace-format.md's `A record` has no ```json line"
    example = re.search(r"^```jsonl\n(.*?)^```$", _page(), flags=re.S | re.M)
    assert example is not None
    assert m[1] in example[1].splitlines(keepends=True)
