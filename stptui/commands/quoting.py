"""Bash's ANSI-C quoting, `$'...'`: the one way a command line types any character.

Inside `$'...'` a backslash starts an escape as bash documents them (`\\n`, `\\t`, `\\e`,
`\\xHH`, `\\uHHHH`, `\\UHHHHHHHH`, `\\NNN` in octal, `\\cX` ...), so a body, key or name with
a tab, an ESC, a line break or an invisible U+202E can be typed, saved and recorded in
printable text. `decode` reads the inside of such a quote; `ansi_c_quoted` (in `textsafe`,
which every layer's hints use) writes a word in it. What bash leaves as it is, we refuse (an
unknown escape, `\\x` without a hex digit), and a code point past U+10FFFF and a surrogate
pair written as UTF-16 writes it; a lone surrogate is read, so that a name holding one is
typed as it is shown: see docs/fidelity.md, "Typing any character".
"""

from __future__ import annotations

import re

from stptui.textsafe import NEEDS_ANSI_C, ansi_c_quoted, printable

# The escapes of one character each, as bash's `$'...'` reads them.
_SIMPLE = {
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}
# Each escape with its digits, as many as bash takes (it stops at the first that is not
# one: `\x41B` is "AB"); `rest` is whatever follows a backslash that starts none of them.
_ESCAPE = re.compile(
    r"""\\(?:
        (?P<simple>[abeEfnrtv\\'"?])
      | (?P<octal>[0-7]{1,3})
      | x(?P<hex>[0-9A-Fa-f]{1,2})?
      | u(?P<u4>[0-9A-Fa-f]{1,4})?
      | U(?P<u8>[0-9A-Fa-f]{1,8})?
      | c(?P<control>[@A-Z\[\]^_a-z?])?
      | (?P<rest>(?s:.))?
    )""",
    re.VERBOSE,
)
ESCAPES_HINT = (
    "inside $'...' a backslash starts one of \\n \\t \\r \\e \\a \\b \\f \\v \\\\ \\' \\\" "
    "\\? \\NNN (octal) \\xHH \\uHHHH \\UHHHHHHHH \\cX; write \\\\ for a backslash itself"
)


class EscapeError(ValueError):
    """An escape inside `$'...'` that names no character; `offset` is where its backslash
    is in the quoted text."""

    def __init__(self, offset: int, message: str, hint: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message
        self.hint = hint


def decode(body: str) -> str:
    """The text that `$'BODY'` stands for; an EscapeError for an escape that names no
    character (unknown, without digits, past U+10FFFF, octal past 377) and for a surrogate
    pair written as two `\\u` escapes. A lone surrogate is that code unit: Python reads an
    undecodable byte of a file name as one, and stptui shows it as its escape."""
    if "\\" not in body:
        return body
    out: list[str] = []
    at = 0
    previous: re.Match[str] | None = None
    for m in _ESCAPE.finditer(body):
        out.append(body[at : m.start()])
        out.append(_one(m))
        if previous is not None and previous.end() == m.start():
            _refuse_pair(previous, m)
        previous = m
        at = m.end()
    out.append(body[at:])
    return "".join(out)


def _refuse_pair(high: re.Match[str], low: re.Match[str]) -> None:
    """Refuse `\\uD83D\\uDE00`, a character as UTF-16 (JSON, JavaScript) writes it: bash
    reads two code units, which no one means. `\\U0000dxxx` writes a code unit on its own."""
    first, second = high.group("u4"), low.group("u4")
    if first is None or second is None:
        return
    hi, lo = int(first, 16), int(second, 16)
    if 0xD800 <= hi <= 0xDBFF and 0xDC00 <= lo <= 0xDFFF:
        code = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
        raise EscapeError(
            high.start(),
            f"{high.group()}{low.group()} is a surrogate pair, UTF-16's way to write U+{code:04X}",
            f"write the character's own code point: \\U{code:08x}",
        )


def body_index(body: str, k: int) -> int:
    """Where, in the text of `$'BODY'`, the character `k` of what it stands for was typed:
    an escape's backslash for the character it makes (len(BODY) past the last one). The
    body's escapes are valid (`decode` read it)."""
    at = 0
    for m in _ESCAPE.finditer(body):
        plain = m.start() - at
        if k < plain:
            return at + k
        if k == plain:
            return m.start()
        k -= plain + 1
        at = m.end()
    return min(at + k, len(body))


def _one(m: re.Match[str]) -> str:
    """The character escape `m` stands for, or the EscapeError that says why none."""
    at = m.start()
    if (simple := m.group("simple")) is not None:
        return _SIMPLE[simple]
    if (octal := m.group("octal")) is not None:
        if int(octal, 8) > 0o377:
            raise EscapeError(
                at,
                f"\\{octal} is past \\377, the largest octal escape (one byte)",
                f"write a character past U+00FF as \\u: \\u{int(octal, 8):04x}",
            )
        return chr(int(octal, 8))
    escape = m.group()
    if escape[1:2] in ("x", "u", "U"):
        digits = m.group("hex") or m.group("u4") or m.group("u8")
        if digits is None:
            width = {"x": "one or two", "u": "one to four", "U": "one to eight"}[escape[1]]
            example = {"x": "\\x1b", "u": "\\u202e", "U": "\\U0001f600"}[escape[1]]
            hint = _braces_hint(m.string, m.end()) or f"e.g. {example}"
            raise EscapeError(at, f"\\{escape[1]} needs {width} hex digits", hint)
        code = int(digits, 16)
        if code > 0x10FFFF:
            raise EscapeError(
                at,
                f"{escape} is past U+10FFFF, the last Unicode code point",
                "a \\U escape names a code point from 0 to 10ffff",
            )
        return chr(code)
    if escape[1:2] == "c":
        if (control := m.group("control")) is None:
            raise EscapeError(
                at, "\\c needs a letter or one of @ [ ] ^ _ ?", "e.g. \\cA for U+0001"
            )
        return "\x7f" if control == "?" else chr(ord(control.upper()) & 0x1F)
    rest = m.group("rest")
    if rest is None:
        raise EscapeError(at, "a backslash ends the $'...' text", ESCAPES_HINT)
    if rest == "\n":
        raise EscapeError(at, "a backslash before a line break is no escape", ESCAPES_HINT)
    raise EscapeError(at, f"\\{printable(rest)} is no escape", ESCAPES_HINT)


def _braces_hint(body: str, at: int) -> str | None:
    """The hint for `\\u{HEX}` (JavaScript's and Rust's form, which bash does not read),
    whose `{` is at `at`: the escape bash reads for the same code point."""
    close = body.find("}", at)
    inner = body[at + 1 : close] if body.startswith("{", at) and close != -1 else ""
    if not re.fullmatch(r"[0-9A-Fa-f]{1,8}", inner):
        return None
    code = int(inner, 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None  # no character: the general hint
    escape = f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
    return f"bash reads no braces: write {escape}"


# A field's whole text as one `$'...'` quote: its body holds no `'` but an escaped one.
_WHOLE_QUOTE = re.compile(r"\$'((?:[^'\\]|\\.)*)'", re.DOTALL)


def field_value(text: str) -> str:
    """What a dialog's one-value field (a key) stands for: the text of a `$'...'` quote
    that is the whole field, as a command line reads it, so that a value holding a
    character no field holds (an ESC, a U+202E) can be offered and typed printably; any
    other text as it is. EscapeError for an escape that names no character."""
    whole = _WHOLE_QUOTE.fullmatch(text)
    return decode(whole.group(1)) if whole is not None else text


def field_text(value: str) -> str:
    """The text a one-value field holds for `value`, which `field_value` reads back as
    `value`: in `$'...'` when it holds a tab, a line break or a character shown as an
    escape (no field holds those), or is itself a whole `$'...'`; else as it is."""
    if NEEDS_ANSI_C.search(value) or _WHOLE_QUOTE.fullmatch(value):
        return ansi_c_quoted(value)
    return value
