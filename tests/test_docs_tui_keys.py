"""docs/tui.md's table of keys is the main screen's bindings: every key the app binds has a row,
and every row names keys the app binds, so a key added, renamed or dropped cannot leave the
tour stale. README.md's keys of the terminal UI are bindings too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.binding import Binding

from stptui.tui.app import StptuiApp

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "tui.md"

# Textual's names of keys the page writes as the character.
_CHARACTERS = {
    "question_mark": "?",
    "colon": ":",
    "slash": "/",
    "plus": "+",
    "equals_sign": "=",
    "minus": "-",
}


def bound_keys() -> set[str]:
    """Every key of the main screen's bindings, as the page writes it, and the command
    palette's, which Textual binds."""
    keys = {StptuiApp.COMMAND_PALETTE_BINDING}
    for binding in StptuiApp.BINDINGS:
        assert isinstance(binding, Binding)
        keys.update(_CHARACTERS.get(k.strip(), k.strip()) for k in binding.key.split(","))
    return keys


def documented_keys(page: str) -> set[str]:
    """The keys the first column of the page's `## Keys` table names: each code span, and
    a range `1`-`5` as its keys."""
    table = page.split("\n## Keys\n", 1)[1].lstrip("\n").split("\n\n", 1)[0]
    cells = [m[1] for m in re.finditer(r"^\| (.+?) \| ", table, re.M)]
    keys: set[str] = set()
    for cell in cells[1:]:  # the header; the `| --- |` line has no code span
        if m := re.fullmatch(r"`(\d)`-`(\d)`", cell):
            keys.update(str(n) for n in range(int(m[1]), int(m[2]) + 1))
        else:
            keys.update(re.findall(r"`([^`]+)`", cell))
    return keys


def test_every_binding_has_a_row_and_every_row_is_a_binding() -> None:
    documented = documented_keys(PAGE.read_text(encoding="utf-8"))
    bound = bound_keys()
    assert sorted(bound - documented) == [], "keys docs/tui.md's table leaves out"
    assert sorted(documented - bound) == [], "keys docs/tui.md names that the app does not bind"


def test_readme_names_keys_the_app_binds() -> None:
    # README: "(`space` runs it, `n` steps, `s` sends a message, `:` takes any command, `?`
    # lists every key)".
    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    m = re.search(r"starts paused \(([^)]*)\)", text)
    assert m is not None
    keys = re.findall(r"`([^`]+)` [a-z]", m[1])
    assert keys and set(keys) <= bound_keys()


@pytest.mark.parametrize(
    ("cell", "keys"),
    [
        ("`space`", {"space"}),
        ("`1`-`5`", {"1", "2", "3", "4", "5"}),
        ("`+` (or `=`, unshifted on most keyboards) / `-`", {"+", "=", "-"}),
        ("`ctrl+z`, `ctrl+y`", {"ctrl+z", "ctrl+y"}),
    ],
)
def test_documented_keys_reads_each_form_of_cell(cell: str, keys: set[str]) -> None:
    page = f"x\n## Keys\n\n| key | does |\n| --- | --- |\n| {cell} | it |\n\nafter\n"
    assert documented_keys(page) == keys
