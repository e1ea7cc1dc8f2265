"""The errors of behaviours, and the words their messages are written in.

`BehaviorError` (a bad duration, override or behaviour value, or an expression that failed
while running) and its kinds, `FieldError` among them (an emission field whose value does
not fit); `Site`, where an expression or value is written in the behaviours file;
`json_kind`, a value described in JSON's words (`null`, `a string ("5")`) rather than
Python's repr; and `compact_json`, JSON text that refuses, with a BehaviorError, what JSON
cannot hold. Every other module of the package raises or words its errors with these, so
they sit apart, below all of them.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from stptui.config.diagnostics import Position


class BehaviorError(ValueError):
    """A bad duration, override or behaviour value; `hint` says how to write it instead;
    `word`, the word of a command line it refuses, when it is about one."""

    def __init__(self, message: str, hint: str | None = None, *, word: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint
        self.word = word


class DurationTooLongError(BehaviorError):
    """A duration over the 3650-day limit; `ms` is how long it is, so that a caller can say
    where it would lead (`advance` offers `until` that instant)."""

    def __init__(self, message: str, hint: str, ms: int) -> None:
        super().__init__(message, hint)
        self.ms = ms


def quote(text: str, limit: int = 40) -> str:
    """Quote user text for a message, shortened so that a huge input stays readable."""
    if len(text) > limit:
        text = text[:limit] + "…"
    return f"'{text}'"


def compact_json(value: Any, where: str) -> str:
    """`value` as compact JSON (the separators JavaScript's JSON.stringify writes); a
    BehaviorError naming `where` for what JSON cannot hold: NaN and the infinities (which
    Python's json would write as bare words no JSON reader accepts), other types, cycles."""
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except ValueError as exc:
        if "Circular" in str(exc):
            raise BehaviorError(f"{where}: not JSON: it contains itself") from None
        if "integer string conversion" in str(exc):
            raise BehaviorError(
                f"{where}: not JSON: an integer of more than {sys.get_int_max_str_digits()} "
                "digits, which Python does not write as text"
            ) from None
        raise BehaviorError(f"{where}: not JSON: NaN and Infinity have no JSON form") from None
    except TypeError as exc:
        raise BehaviorError(f"{where}: not JSON: {exc}") from None
    except RecursionError:
        raise BehaviorError(f"{where}: not JSON: nested too deeply") from None


def json_text(value: Any, where: str) -> str:
    """A body or object content: strings as they are, anything else as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    return compact_json(value, where)


def json_kind(value: Any) -> str:
    """What `value` is, in JSON's words, with a short view of it: `null`, `true`, `a number
    (5)`, `a string ("5")`, `an empty array`, `an object with keys id, total`. Messages
    about a value the input held say this rather than Python's repr (`None`, `{'a': 1}`)."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"a number ({_dumps_or_repr(value)})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:40] + "…"
        return f"a string ({json.dumps(shown, ensure_ascii=False)})"
    if isinstance(value, (list, tuple)):
        if not value:
            return "an empty array"
        return f"an array of {len(value)} value{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        if not value:
            return "an empty object"
        names = [str(k) for k in list(value)[:3]]
        more = ", …" if len(value) > 3 else ""
        return f"an object with key{'s' if len(value) != 1 else ''} {', '.join(names)}{more}"
    return f"a {type(value).__name__}, which JSON cannot hold"


def _dumps_or_repr(value: float) -> str:
    """A number as JSON writes it (`5`, `2.5`); NaN and the infinities by name."""
    if isinstance(value, int):
        # Not through a float, which a long int overflows.
        try:
            return str(int.__int__(value))
        except ValueError:
            return f"an integer of more than {sys.get_int_max_str_digits()} digits"
    return json.dumps(value) if math.isfinite(value) else repr(value)


# How many characters of a value's repr a message shows.
SHOWN_CHARS = 200


def shown(value: Any) -> str:
    """`repr(value)` for a message about a value a Python handler passed, cut to
    SHOWN_CHARS; a value whose repr raises (an int of more than 4,300 digits, a list
    nested past Python's limit, the handler's own class) is named by its type, so that
    the message is the error the handler gets, not the repr's."""
    try:
        text = repr(value)
    except (Exception, RecursionError) as exc:
        return f"a {type(value).__name__} (whose repr raised {type(exc).__name__})"
    if not isinstance(text, str):
        return f"a {type(value).__name__}"
    text = str.__str__(text)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


@dataclass(frozen=True, slots=True)
class Site:
    """Where a JMESPath expression or a value was written in the behaviours file: the key
    path as messages name it (`worker.emit[0].send.body`), its file:line:col, and the
    expression's text (None for a constant). A command's expression (`fail F when EXPR`)
    has no position."""

    where: str
    pos: Position | None = None
    expression: str | None = None

    def at(self) -> str:
        """`stptui.yml:4:35: worker.emit[0].send.body`, or just the key path.

        The file by its name alone: a runtime error goes into the trace, which must not
        change with the current folder or the form the path was typed in (`./b.yml`,
        `/home/ci/checkout/b.yml`); a diagnostic names the file as given beside it."""
        if self.pos is None:
            return self.where
        pos = self.pos
        return f"{PurePath(pos.file).name or pos.file}:{pos.line}:{pos.column}: {self.where}"


class FieldError(BehaviorError):
    """An emission field whose value does not fit: `name` is the field (`delay`), `label`
    the part refused (`attributes.color`), `need` what it must be and `value` what it was.
    Its message says the value in JSON's words; an emission read from the behaviours file
    adds the expression that found it and where it is written (see `EmitSpec.build`)."""

    def __init__(
        self,
        where: str,
        name: str,
        need: str,
        value: Any,
        hint: str | None = None,
        label: str | None = None,
    ) -> None:
        self.where = where
        self.name = name
        self.label = label or name
        self.need = need
        self.value = value
        super().__init__(f"{where}.{self.label}: {need}, not {json_kind(value)}", hint)
