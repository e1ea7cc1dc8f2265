"""Command lines run as the REPL runs them, and what reached its console: the loop the
hostile-text tests (test_hostile_views.py, test_textsafe_surfaces.py) share, and what in
the output a terminal would act on."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from stptui.commands import CommandError, Session, execute
from stptui.commands.result import make_console, render_plain
from stptui.repl.printer import Printer
from stptui.textsafe import ESCAPED

# Rich's own colours are the only escape sequences a coloured console writes.
SGR = re.compile(r"\x1b\[[0-9;]*m")


def unsafe(text: str) -> list[str]:
    """What in `text` a terminal would act on, or draws nothing (tab and newline are fine,
    and so are Rich's colours)."""
    return sorted({m.group() for m in ESCAPED.finditer(SGR.sub("", text))})


@dataclass(frozen=True)
class Printed:
    """What the lines left: the REPL console's output (colours and all), each line that
    ran with its result's plain text (records too), and each line refused with its error."""

    console: str
    plain: list[tuple[str, str]]
    refused: list[tuple[str, CommandError]]


def print_lines(session: Session, lines: Iterable[str], *, width: int) -> Printed:
    """Run `lines` in `session` as the REPL does: each result printed by its Printer on a
    coloured console `width` columns wide, each refusal printed as its error."""
    out = io.StringIO()
    printer = Printer(make_console(file=out, width=width, force_terminal=True))
    plain: list[tuple[str, str]] = []
    refused: list[tuple[str, CommandError]] = []
    for line in lines:
        try:
            result = execute(session, line)
        except CommandError as exc:
            printer.error(exc)
            refused.append((line, exc))
            continue
        printer.result(result)
        plain.append((line, render_plain(result, with_records=True)))
    return Printed(out.getvalue(), plain, refused)
