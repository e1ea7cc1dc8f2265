"""`show` listings drawn in a console of any width (the REPL, the TUI's command line): short
columns keep their headers and values whole, long ones wrap, and where even that does not
fit each row becomes a block of its fields."""

from __future__ import annotations

from rich.console import Console

from stptui.commands.result import rich_table

HEADERS = ["queue", "type", "visible", "in_flight", "redrive"]
ROWS = [
    ["jobQueue", "standard", "0", "0", "-> deadLetterQueue after 3 receives"],
    ["deadLetterQueue", "standard", "12", "0", ""],
]


def drawn(width: int) -> list[str]:
    console = Console(width=width, color_system=None, record=True)
    console.print(rich_table(HEADERS, ROWS))
    return [line.rstrip() for line in console.export_text().splitlines()]


def test_a_wide_console_gets_a_table_with_whole_short_columns() -> None:
    lines = drawn(70)
    assert lines[0].split() == HEADERS
    assert lines[2].split()[:4] == ["jobQueue", "standard", "0", "0"]
    # the long column wraps inside its own column, at words
    assert any(line.endswith("after 3") or line.endswith("receives") for line in lines[3:])
    assert all(len(line) <= 70 for line in lines)


def test_a_narrow_console_gets_one_block_per_row() -> None:
    lines = drawn(44)
    assert lines == [
        "jobQueue",
        "  type standard  visible 0  in_flight 0",
        "  redrive -> deadLetterQueue after 3",
        "  receives",
        "deadLetterQueue",
        "  type standard  visible 12  in_flight 0",
    ]


def test_text_in_cells_is_never_markup() -> None:
    console = Console(width=30, color_system=None, record=True)
    console.print(rich_table(["name", "note"], [["[bold]x[/bold]", "[red]y"]]))
    text = console.export_text()
    assert "[bold]x[/bold]" in text and "[red]y" in text


def test_blocks_lay_out_every_row_alike() -> None:
    # `show trace` at 60 columns: `kind` is short in one row and long in the next. Every
    # block lists its fields in the same order, on the same lines.
    headers = ["seq", "time", "kind", "resource", "details"]
    rows = [
        ["1", "2026-01-05T08:00:00.000Z", "message.sent", "jobQueue", "message_id=" + "a" * 36],
        ["2", "2026-01-05T08:00:00.000Z", "message.dead_lettered", "jobQueue", "x=1"],
    ]
    console = Console(width=60, color_system=None, record=True)
    console.print(rich_table(headers, rows))
    lines = console.export_text().splitlines()
    first, second = lines[: lines.index("2")], lines[lines.index("2") :]

    def labels(block: list[str]) -> list[str]:
        return [line.split()[0] for line in block[1:] if line.startswith("  ") and line[2] != " "]

    assert labels(first) == labels(second) == ["time", "kind", "resource", "details"]
