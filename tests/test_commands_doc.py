"""docs/commands.md is generated from the command registry and must not go stale."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import REGISTRY
from stptui.commands.docs import GENERATOR, main, render_commands_doc

PAGE = Path(__file__).resolve().parents[1] / "docs" / "commands.md"


def test_commands_md_is_up_to_date() -> None:
    assert PAGE.read_text(encoding="utf-8") == render_commands_doc(), (
        f"docs/commands.md is stale; regenerate it with `{GENERATOR}`"
    )


def test_every_command_has_a_section_with_its_usage_and_examples() -> None:
    text = render_commands_doc()
    for cmd in REGISTRY.commands.values():
        assert f"### `{cmd.name}`\n" in text
        assert f"\n{cmd.usage}\n" in text
        for example in cmd.examples:
            assert f"\n{example}\n" in text


def test_table_cells_escape_pipes() -> None:
    text = render_commands_doc()
    fail_row = next(line for line in text.splitlines() if line.startswith("| `MODE`"))
    assert "always \\| next N" in fail_row


def test_check_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, stale = tmp_path / "good.md", tmp_path / "stale.md"
    good.write_text(render_commands_doc(), encoding="utf-8")
    stale.write_text("# old\n", encoding="utf-8")
    assert main(["--check", str(good)]) == 0
    assert main(["--check", str(stale)]) == 1
    assert "is stale" in capsys.readouterr().err
    assert main(["--bogus"]) == 2


def test_main_prints_the_page(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert capsys.readouterr().out == render_commands_doc()


def test_the_tutorial_gives_an_example_of_every_command() -> None:
    tutorial = (PAGE.parent / "simulating.md").read_text(encoding="utf-8")
    missing = [name for name in REGISTRY.commands if f"| `{name}` | `{name}" not in tutorial]
    assert not missing, f"docs/simulating.md's command table has no row for {missing}"
