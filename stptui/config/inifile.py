"""`.ini` files as `$File` reads them: the rules of the npm `ini` package (v4) that Stacktape
parses them with, so a value stptui shows is the value Stacktape would deploy.

That package never fails: a line it cannot read is skipped. Its rules, in short:
- lines split at any run of CR/LF; blank lines and lines starting (after spaces) with `;` or
  `#` are skipped;
- `[name]` opens a section (sections of the same name merge), and a dotted name nests:
  `[a.b]` becomes `{"a": {"b": ...}}` (`\\.` keeps a literal dot);
- `key = value`: both trimmed; an unquoted value ends at the first `;` or `#` not escaped by
  a backslash; a quoted value (`"..."` or `'...'`) is read as JSON when it is JSON;
  `true`, `false` and `null` become booleans and null; a key with no `=` is `true`;
- `key[] = value` appends to a list; otherwise the last value of a key wins.
"""

from __future__ import annotations

import json
import re
from typing import Any

# What JavaScript's trim() and `\s` count as space. Python's str.strip also strips U+001C to
# U+001F and keeps U+FEFF, which would change a value at its edges.
_JS_SPACE = (
    " \t\n\v\f\r\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_S = re.escape(_JS_SPACE)
_COMMENT = re.compile(rf"^[{_S}]*[;#]")
_BLANK = re.compile(rf"^[{_S}]*$")
# JavaScript's `.` stops at U+2028/U+2029 as well as at CR and LF, so a line holding one of
# them after `=` matches neither form and is skipped, as the package skips it.
_LINE = re.compile(rf"^\[([^\]]*)\][{_S}]*$|^([^=]+)(=([^\r\n\u2028\u2029]*))?$")
_LINE_BREAKS = re.compile(r"[\r\n]+")
_PROTO = "__proto__"
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}


def _reject_constant(name: str) -> Any:
    # JSON.parse has no NaN or Infinity: such a quoted value stays text.
    raise ValueError(name)


def _json(text: str) -> Any:
    """`text` read as JSON.parse reads it, or `text` itself when it is not JSON."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError:
        return text


def _is_quoted(text: str) -> bool:
    return (text.startswith('"') and text.endswith('"')) or (
        text.startswith("'") and text.endswith("'")
    )


def _unquote(raw: str) -> Any:
    """A key or value as the package reads it (its `unsafe`)."""
    text = raw.strip(_JS_SPACE)
    if _is_quoted(text):
        # Single quotes are dropped before the JSON reading; double quotes are JSON's own.
        return _json(text[1:-1] if text.startswith("'") else text)
    out: list[str] = []
    escaped = False
    for c in text:
        if escaped:
            # Only `\\`, `\;` and `\#` are escapes; any other backslash stays as written.
            out.append(c if c in "\\;#" else "\\" + c)
            escaped = False
        elif c in ";#":
            break
        elif c == "\\":
            escaped = True
        else:
            out.append(c)
    if escaped:
        out.append("\\")
    return "".join(out).strip(_JS_SPACE)


def _as_key(value: Any) -> str:
    """A parsed key as JavaScript names a property with it (a quoted key may be JSON)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ",".join("" if v is None else _as_key(v) for v in value)
    if isinstance(value, dict):
        return "[object Object]"
    return json.dumps(value)


def _split_sections(name: str) -> list[str]:
    """A section name split at each dot not preceded by a backslash (the backslash stays)."""
    parts: list[str] = []
    start = search = 0
    while (dot := name.find(".", search)) != -1:
        search = dot + 1
        if dot > 0 and name[dot - 1] == "\\":
            continue
        parts.append(name[start:dot])
        start = dot + 1
    parts.append(name[start:])
    return parts


def parse_ini(text: str) -> dict[str, Any]:
    """The mapping the `ini` package decodes from `text` (never fails)."""
    out: dict[str, Any] = {}
    target: dict[str, Any] = out
    for line in _LINE_BREAKS.split(text):
        if not line or _COMMENT.match(line) or _BLANK.match(line):
            continue
        match = _LINE.match(line)
        if match is None:
            continue
        if match[1] is not None:
            section = _as_key(_unquote(match[1]))
            existing = out.get(section)
            if section == _PROTO:
                # Refused by the package (it would reach the object's prototype); the
                # section's keys are read and dropped.
                target = {}
            elif isinstance(existing, dict):
                target = existing
            elif existing in (None, False, "", 0):
                target = out[section] = {}
            else:
                # A key of that name holds a value: the package's writes into the section go
                # nowhere (properties set on a JavaScript string or number are dropped).
                target = {}
            continue
        raw_key = _as_key(_unquote(match[2]))
        is_list = len(raw_key) > 2 and raw_key.endswith("[]")
        key = raw_key[:-2] if is_list else raw_key
        if key == _PROTO:
            continue
        value: Any = _unquote(match[4]) if match[3] else True
        if isinstance(value, str) and value in _LITERALS:
            value = _LITERALS[value]
        if is_list and not isinstance(target.get(key), list):
            target[key] = [target[key]] if key in target else []
        if isinstance(target.get(key), list):
            target[key].append(value)
        else:
            target[key] = value
    # A dotted section nests under its parents: {"a.b": {...}} becomes {"a": {"b": {...}}}.
    for name in [k for k, v in out.items() if isinstance(v, dict)]:
        *parents, last = _split_sections(name)
        leaf = last.replace("\\.", ".")
        if not parents and leaf == last:
            continue
        parent = out
        for part in parents:
            if part == _PROTO:
                continue
            if not isinstance(parent.get(part), dict):
                parent[part] = {}
            parent = parent[part]
        parent[leaf] = out[name]
        del out[name]
    return out
