"""Diagnostics: every problem found in a config, with its source position."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

from stptui.textsafe import one_line, printable

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, slots=True)
class Position:
    """A 1-based line and column in a named file."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding about a config: what is wrong, where, and how to fix it."""

    severity: Severity
    code: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    resource: str | None = None
    hint: str | None = None

    @classmethod
    def at(
        cls,
        pos: Position | None,
        severity: Severity,
        code: str,
        message: str,
        *,
        resource: str | None = None,
        hint: str | None = None,
    ) -> Diagnostic:
        """Build a diagnostic placed at `pos` (which may be unknown)."""
        if pos is None:
            return cls(severity, code, message, resource=resource, hint=hint)
        return cls(
            severity, code, message, pos.file, pos.line, pos.column, resource=resource, hint=hint
        )

    @property
    def location(self) -> str:
        """`file:line:col`, or as much of it as is known."""
        if self.file is None:
            return "<config>"
        if self.line is None:
            return self.file
        return f"{self.file}:{self.line}:{self.column or 1}"

    def format(self) -> str:
        """One human-readable line (plus an indented hint line when there is a hint), safe
        to print: every surface shows a diagnostic as this text.

        Line breaks inside the fields (a resource name is the config's text) are shown as
        `\\n`, so that no field can pass for a diagnostic line of its own, and what would act
        on a terminal or draw nothing as `printable` escapes it. The resource is a value
        (`one_line`: a backslash that would read as an escape written twice); the message
        and hint name what they quote with `textsafe.named`."""
        where = f" [{one_line(self.resource)}]" if self.resource else ""
        text = f"{printable(self.location)}: {self.severity} {self.code}{where}: "
        text += _one_line(self.message)
        if self.hint:
            text += f"\n    hint: {_one_line(self.hint)}"
        return text

    def to_json(self) -> dict[str, object]:
        """The documented JSON shape of a diagnostic."""
        return asdict(self)


_LINE_BREAKS = str.maketrans({"\n": "\\n", "\r": "\\r"})


def _one_line(text: str) -> str:
    return printable(text.translate(_LINE_BREAKS))


def sort_diagnostics(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Order by file position, then severity, so output is stable and readable."""
    return sorted(
        diags,
        key=lambda d: (
            d.file or "",
            d.line or 0,
            d.column or 0,
            SEVERITY_ORDER[d.severity],
            d.code,
            d.message,
        ),
    )


def indefinite_article(word: str) -> str:
    """`a` or `an` before a word as it is read aloud: `an sqs-queue`, `an s3` and `an
    http-api-gateway` (spelt out letter by letter), `a function`."""
    low = word.lower()
    return "an" if low[:1] in "aeiou" or low.startswith(("s3", "sqs", "sns", "http")) else "a"


def with_article(word: str) -> str:
    """`word` after its indefinite article: `an sqs-queue`, `a function`."""
    return f"{indefinite_article(word)} {word}"


def plural(word: str) -> str:
    """A resource type's plural, as a list of names is headed: `sqs-queues`, `event-buses`."""
    return f"{word}es" if word.endswith(("s", "x", "ch", "sh")) else f"{word}s"


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to `word`, if one is close enough to suggest."""
    pool = list(candidates)
    lower = word.lower()
    # The least of the names equal but for case, not the first met: a set's order (the
    # hash seed's) or a folder's (the file system's) would choose otherwise.
    same = [c for c in pool if c.lower() == lower]
    if same:
        return min(same)
    match = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return match[0] if match else None


class ConfigError(Exception):
    """A config that cannot be read or parsed at all (exit code 2 of `validate`)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.format())
        self.diagnostic = diagnostic
