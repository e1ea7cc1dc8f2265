"""Making untrusted text safe to print: control characters become visible escapes.

Message bodies, keys and names come from users' files and simulated handlers; an ANSI
escape inside one must show up as text, never move the cursor or recolour the terminal.
Every surface shows such a character the one way `printable` writes it (`\\x1b`, `\\x9b`,
`\\u202e`), and text that is JSON the way JSON writes it (`json_shown`), so that it still
parses to the same value. A value (`shown`, `one_line`) also has each backslash that would
read as an escape written twice, so that a key holding U+202E and one holding the six
characters `\\u202e` never print alike. docs/fidelity.md ("Untrusted text on screen")
states the rule. A name a hint offers is written as a command line types it (`quote_word`,
in `$'...'` when it holds such a character), so that it can be typed back as it is shown.
A name a diagnostic's message quotes is `named`: as it is when it is a plain word, else as
Python's repr writes it.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterable
from typing import Any

# C0/C1 controls (ESC starts terminal sequences; U+009B is a one-character CSI), the
# bidirectional marks and overrides that can make text read differently from what it is,
# the Unicode line and paragraph separators, which some terminals break lines at, and the
# format characters that draw nothing and belong to no script: the zero-width space, the
# byte-order mark, the word joiner and invisible operators (U+2060-U+2064), the deprecated
# format controls (U+206A-U+206F), the Mongolian vowel separator, the interlinear annotation
# marks, and the tag characters (the block U+E0000-U+E007F: invisible ASCII, which can hide
# a whole text inside a name). Not the zero-width joiner and non-joiner (U+200C, U+200D),
# which emoji and scripts need, nor the format controls of Egyptian hieroglyphs, shorthand
# and music, which their texts need. And what is no character at all: a lone surrogate (an
# undecodable byte of a file name reads as one), which UTF-8 cannot encode, so that writing
# it raises, and the noncharacters U+FFFE and U+FFFF (which XML cannot hold either). The
# TUI's text fields drop them, the REPL's input line and completion menu show them escaped.
# One range past U+FFFF: a regular expression looks each character up in a table for the
# others, and tries the ranges past it one by one.
ESCAPED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u180e\u200b\u200e\u200f\u2028\u2029"
    "\u202a-\u202e\u2060-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb\ufffe\uffff"
    "\U000e0000-\U000e007f]"
)

# What of ESCAPED ASCII text can hold: the C0 controls and DEL. Most text shown is ASCII
# (names, ids, JSON bodies), which `str.isascii` tells from a flag without reading it, and
# this class is checked faster than ESCAPED, whose range past U+FFFF is tried for every
# character.
_ESCAPED_ASCII = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def _escaped_in(text: str) -> re.Pattern[str]:
    """ESCAPED, or the class that finds the same in `text` faster when it is ASCII."""
    return _ESCAPED_ASCII if text.isascii() else ESCAPED


def _escape_of(code: int) -> str:
    """How stptui writes the character `code` as an escape, as Python does: `\\xHH` up to
    U+00FF, `\\uHHHH` up to U+FFFF, `\\UHHHHHHHH` above (every digit, so that a hex
    digit after it is never read as part of it)."""
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _escape(m: re.Match[str]) -> str:
    return _escape_of(ord(m.group()))


def printable(text: str) -> str:
    """`text` with control characters (except newline and tab), bidirectional marks and
    overrides, invisible separators and what is no character (a lone surrogate, which
    UTF-8 cannot encode; U+FFFE, U+FFFF) shown as escapes such as `\\x1b` or `\\u202e`.

    For whole outputs (a result's text, an error message), the last safeguard before the
    terminal: it leaves backslashes alone, so text it already went through, or `shown`
    wrote, is left as it is. An untrusted value inside a line goes through `shown`."""
    return _escaped_in(text).sub(_escape, text)


# A backslash a reader would take for the start of an escape: one before another backslash,
# a letter (`\u202e`, `\x1b`, `\n`), a line break or tab (which one-line forms write `\n`
# and `\t`), or a character `printable` escapes. `shown` writes it twice.
_READS_AS_ESCAPE = re.compile(r"\\(?=[\\A-Za-z\t\n]|" + ESCAPED.pattern + ")")


def shown(text: str) -> str:
    """An untrusted value as `printable` shows it, and unambiguous: a backslash that would
    read as the start of an escape is written twice, so a key holding U+202E shows as
    `a\\u202e` and one holding the six characters `\\u202e` as `a\\\\u202e`. For a value
    inside a line (a key, a body, a record's field): the whole line then goes through
    `printable`, which leaves what `shown` wrote as it is."""
    if "\\" in text:
        text = _READS_AS_ESCAPE.sub(r"\\\\", text)
    return _escaped_in(text).sub(_escape, text)


def one_line(text: str) -> str:
    """`shown` on one line: newline and tab too as `\\n` and `\\t` (a table cell, a field of
    a record's line, a name in a pane)."""
    return shown(text).replace("\n", "\\n").replace("\t", "\\t")


# A log line's tab stops, every 8 columns as a terminal's and CloudWatch's console's.
LOG_TAB = 8


def log_line(text: str) -> str:
    """A log line (a handler's print, Lambda's REPORT) on one line as `one_line` shows it,
    but each tab as spaces to the next tab stop (LOG_TAB), counted from the line's start:
    Lambda separates REPORT's fields with tabs, which the console shows as gaps."""
    return shown(text).replace("\n", "\\n").expandtabs(LOG_TAB)


def flat(text: str) -> str:
    """A composed line (a typed command, a title) on one line, as `printable` shows it, with
    newline and tab as `\\n` and `\\t`: its backslashes are left as they are, since the
    values in it were shown already, or were typed so."""
    return printable(text).replace("\n", "\\n").replace("\t", "\\t")


class Shown(str):
    """Text already made safe to show on one line (by `one_line`, or JSON by `json_text`):
    a table cell takes it as it is, where it escapes a raw value, which would write the
    backslashes of the escapes in it twice."""

    __slots__ = ()


def json_shown(text: str) -> str:
    """JSON text (as `json.dumps(..., ensure_ascii=False)` writes it) with the characters
    `printable` escapes written as JSON's `\\u` escapes (`\\u009b`, `\\u202e`, a lone
    surrogate `\\ud800`): they can only be inside its strings, where the escape is the same
    character, so the text still parses to the same value and can be shown, edited and sent
    back. But for two lone surrogates that read as a pair once escaped (a high one, then a
    low one: Python holds them as two characters, JSON's `\\ud83d\\ude00` is one): JSON
    cannot write them apart, and the second is written as Python writes it, `\\U0000de00`,
    which no JSON reader takes, so that what was not a character is never sent back as
    one."""
    return _escaped_in(text).sub(_json_escape, text)


# A JSON escape of a high surrogate just before `at`, after an even run of backslashes.
_HIGH_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u[dD][89abAB][0-9a-fA-F]{2}\Z")
_LOW_ESCAPE = re.compile(r"\\u[dD][c-fC-F][0-9a-fA-F]{2}")


def _json_escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    if 0xD800 <= code <= 0xDFFF and _pairs_with_neighbour(m.string, m.start(), code):
        return f"\\U{code:08x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    # JSON escapes a character past U+FFFF as its UTF-16 surrogate pair.
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def _pairs_with_neighbour(text: str, at: int, code: int) -> bool:
    """Whether the lone surrogate `code` at `at`, written as a JSON escape, would pair with
    its neighbour: a low one after a high one (a character or its escape), a high one
    before the escape of a low one (a low character after it gets the long form itself)."""
    if code >= 0xDC00:
        before = text[at - 1 : at]
        if before and 0xD800 <= ord(before) <= 0xDBFF:
            return True
        return _HIGH_ESCAPE.search(text[max(0, at - 64) : at]) is not None
    return _LOW_ESCAPE.match(text, at + 1) is not None


def json_text(value: Any, **options: Any) -> str:
    """`value` as JSON for people to read (non-ASCII kept, as `json.dumps(value,
    ensure_ascii=False, **options)` writes it), with `json_shown`'s escapes: the same JSON
    anywhere it is shown, and the same value when it is pasted back."""
    return json_shown(json.dumps(value, ensure_ascii=False, **options))


def double_quoted(text: str) -> str:
    """Text in double quotes on one line, as the agenda and `show bucket` quote object keys:
    `"` and backslash escaped with a backslash (so a key with a quote in it reads one way
    only), newline and tab as `\\n` and `\\t`, and other control characters as `printable`
    shows them (`\\x1b`, like the rest of stptui, not JSON's `\\u001b`)."""
    inner = text.replace("\\", "\\\\").replace('"', '\\"')
    inner = inner.replace("\n", "\\n").replace("\t", "\\t")
    return '"' + printable(inner) + '"'


# A name a message may print as it is: letters (any script's), digits, `_`, `-`, `.`, `/`
# and `:` (an ARN's, a path's), nothing that starts or ends a quote, escape or word.
_PLAIN_NAME = re.compile(r"[\w./:-]+")


def named(name: str) -> str:
    """A name or value from a user's file as a diagnostic or error message names it: as it
    is when it is a plain word (`jobsQueue`, `队列`, `my-api.v2`), so that messages read as
    Stacktape words them, else quoted as Python's `repr` writes it (`'a b'`, `'d\\u202e'`),
    which escapes every character that draws nothing or acts on a terminal, writes each
    backslash twice and keeps printable non-ASCII (CJK, combining marks) readable."""
    return name if _PLAIN_NAME.fullmatch(name) else repr(name)


def named_list(names: Iterable[str]) -> str:
    """Names, each once and as `named` writes it, joined with commas (`workloads: worker,
    'my worker'`)."""
    return ", ".join(named(name) for name in dict.fromkeys(names))


# How much of a name or id an error message echoes.
QUOTED_WIDTH = 100


def quoted(text: str) -> str:
    """Text a user typed, as an error message echoes it: quoted and its control characters
    escaped (repr), and cut, so a name or id of thousands of characters is not echoed whole."""
    # repr escapes NUL as four characters: the cut is of what is shown.
    shown = repr(text[: QUOTED_WIDTH + 1])
    if len(text) <= QUOTED_WIDTH and len(shown) <= QUOTED_WIDTH + 2:
        return shown
    return shown[:QUOTED_WIDTH] + "…" + shown[-1]


# What a word needs `$'...'` for: a character `textsafe` shows as an escape (controls,
# bidirectional overrides, invisible separators), or a tab or line break, which a line
# shows as a gap or breaks at.
NEEDS_ANSI_C = re.compile(f"[\t\n]|{ESCAPED.pattern}")
# How `ansi_c_quoted` writes the characters it escapes: the short forms bash reads.
_WRITTEN = {
    "\\": "\\\\",
    "'": "\\'",
    "\a": "\\a",
    "\b": "\\b",
    "\x1b": "\\e",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}
_TO_WRITE = re.compile(f"[\\\\']|{NEEDS_ANSI_C.pattern}")


def _written(m: re.Match[str]) -> str:
    ch = m.group()
    written = _WRITTEN.get(ch)
    if written is not None:
        return written
    code = ord(ch)
    if (
        0xDC00 <= code <= 0xDFFF
        and 0xD800 <= ord(m.string[m.start() - 1 : m.start()] or "\0") <= 0xDBFF
    ):
        # A low surrogate after a high one: `\ud83d\ude00` reads as UTF-16's pair, which a
        # line refuses; the long form is the code unit on its own.
        return f"\\U{code:08x}"
    # Always every digit: a shorter escape would take a hex digit that follows it.
    return _escape_of(code)


def ansi_c_quoted(word: str) -> str:
    """`word` in `$'...'`, its backslashes, quotes, tabs, line breaks, control and
    invisible characters written as escapes: printable, on one line, read back the same."""
    return "$'" + _TO_WRITE.sub(_written, word) + "'"


def quote_word(word: str) -> str:
    """`word` as the command line's tokeniser reads it back: bare when it can be (`>=` needs
    no quotes here, unlike in a shell), in `$'...'` when it holds a tab, a line break, a
    control or an invisible character (so that the line shows it, on one line), in double
    quotes when it holds a `'` and neither `"` nor a backslash (`"it's"`, where shlex writes
    `'it'"'"'s'`), else in single quotes (also for any other space, so that a word reads as
    one), and so is a word that would read as a reference (`$last`: `is_reference`). Here,
    not in `commands`, so that the simulator's hints name things as they are typed too."""
    if NEEDS_ANSI_C.search(word):
        return ansi_c_quoted(word)
    if word and not _QUOTE_NEEDED.search(word) and word[0] != "#" and not is_reference(word):
        return word
    if "'" in word and '"' not in word and "\\" not in word:
        # Inside double quotes only `"` and a backslash are special to the tokeniser (a `$`
        # is a character, unlike in a shell).
        return f'"{word}"'
    return shlex.quote(word)


# A reference as the command line reads one typed bare (`stptui.commands.references`):
# `$last` or `$newest...`, alone or the value after `NAME=`. `$lastly` and `$newest_x` are
# plain text. Such a word, meant as text, is quoted, so that it reads back as text.
REFERENCE = re.compile(
    r"(?P<prefix>[^\s'\"\\$=]+=)?(?P<ref>\$(?:last|newest)(?![\w-])[^\s'\"\\]*)", re.ASCII
)


def is_reference(word: str) -> bool:
    """Whether `word`, typed bare, would be read as a reference (`$last`, `$newest:KIND`,
    `message_id=$last`) rather than as the text it spells."""
    return "$" in word and REFERENCE.fullmatch(word) is not None


# What a word is quoted for (but for `NEEDS_ANSI_C`): a quote, a backslash, or a space,
# which the tokeniser splits at (space, tab, CR, LF) or a reader would take for a gap.
_QUOTE_NEEDED = re.compile(r"[\s'\"\\]")


def typed_names(names: Iterable[str]) -> str:
    """Names joined with commas, each as a command line types it (`quote_word`): the list a
    hint offers (`functions in this stack: 'my worker', sub`)."""
    return ", ".join(quote_word(name) for name in names)


def typed_words(*words: str) -> str:
    """Words as a command line types them (`quote_word`), joined with spaces: the names in a
    command a hint shows (`sign-in {typed_words(pool, user)} --custom`), so that the line,
    pasted back, reads as those words."""
    return " ".join(quote_word(word) for word in words)
