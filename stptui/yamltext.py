"""Names and values from a user's files written as YAML that reads back as them.

`stptui init` writes the stack's names and values into a starter behaviours file, and a
diagnostic's hint or a command's note shows the YAML line to add (`sqsQueueName: NAME`).
Either is YAML a user pastes or loads: a name must read back as exactly itself, under
Stacktape's YAML 1.2 core schema and PyYAML's 1.1 alike (`yes`, `~`, `1e3`, `12:30` and
`&a` are no plain strings to one of them), and never as a key, an anchor, a comment or
another type. And what is written must be safe to show: the characters `textsafe` shows
as escapes are YAML's escapes here too (`\\x9b`, `\\u202e`, `\\U000e0041`, the same forms),
while printable non-ASCII (CJK, combining marks) stays as it is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from stptui.textsafe import printable

# YAML 1.1 reads these plain words as booleans or null: a name spelt so is quoted.
_YAML_WORDS = frozenset(["y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"])
# A plain scalar both schemas read as this text: a letter or `_` first (no indicator, sign
# or digit), then nothing that starts a comment, a mapping value or a flow collection.
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
# What `printable` leaves that a double-quoted scalar may not hold as it is: the quote and
# backslash, and the line break and tab, which YAML folds or may trim at a line's end.
_QUOTED_SPECIAL = re.compile('["\\\\\n\t]')
_SPECIAL_WRITTEN = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t"}


def yaml_string(text: str) -> str:
    """`text` as a YAML double-quoted scalar that reads back as exactly `text`: the quote,
    backslash, line break and tab escaped, and every character `textsafe.printable` shows
    as an escape (controls, YAML's own line breaks NEL, LS and PS, bidirectional controls,
    what draws nothing, U+FEFF, U+FFFE, U+FFFF) written as that escape, which YAML reads
    as the character. A lone surrogate is written `\\udxxx` too, which PyYAML reads and
    libyaml refuses: no YAML holds one."""
    inner = _QUOTED_SPECIAL.sub(lambda m: _SPECIAL_WRITTEN[m.group()], text)
    return '"' + printable(inner) + '"'


def yaml_key(name: str) -> str:
    """A name as a YAML key or plain value: as it is when YAML reads it back as that text,
    else double-quoted (`yaml_string`)."""
    if _PLAIN.fullmatch(name) and name.lower() not in _YAML_WORDS:
        return name
    return yaml_string(name)


def yaml_number(value: float) -> str:
    """A number as YAML reads it back as that number in both schemas: a float with a `.`
    before its exponent (`1.0e+21`, which YAML 1.1 needs to read a float, not `1e+21`),
    `.inf`, `-.inf` and `.nan` for what JSON cannot write."""
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    mantissa, e, exponent = text.partition("e")
    if e and "." not in mantissa:
        return f"{mantissa}.0e{exponent}"
    return text


def yaml_flow(value: Any) -> str:
    """A JSON value as YAML flow text (strings quoted where needed)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return yaml_number(value)
    if isinstance(value, str):
        return yaml_key(value)
    if isinstance(value, Mapping):
        return (
            "{" + ", ".join(f"{yaml_key(str(k))}: {yaml_flow(v)}" for k, v in value.items()) + "}"
        )
    if isinstance(value, list):
        return "[" + ", ".join(yaml_flow(v) for v in value) + "]"
    return yaml_string(str(value))
