"""A forgiving reading of a half-typed command line: its words with their positions, and
whether a quote, a bracket or a comment is still open at the end.

`stptui.commands.registry.tokenize` is the reader that decides what a finished line means;
it refuses an open quote. Completion, highlighting, validation while typing and the "go on
on the next line" rule need to read a line that is not finished yet, with the same quoting
rules: quotes group words, a backslash escapes the next character (outside quotes; inside
double quotes only `\\` and `"`), `$'...'` reads its escapes (`$'\\t'` is a tab) and `#` at
the start of a word begins a comment.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from stptui.commands.quoting import EscapeError, decode
from stptui.commands.registry import ANSI_C_QUOTE, WORD_SEPARATORS, strip_comment

BRACKETS = {"{": "}", "[": "]"}


@dataclass(frozen=True, slots=True)
class Word:
    """One word: its value as the command will see it, and where it sits in the line."""

    text: str
    start: int


@dataclass(slots=True)
class Reading:
    """What `read_words` found in a line."""

    words: list[Word] = field(default_factory=list)
    # The quote still open at the end (None when every quote is closed).
    quote: str | None = None
    # Brackets opened outside quotes and not closed yet.
    depth: int = 0
    # True when the line ends between words (after a space), not inside one.
    at_gap: bool = True
    # Where a `# comment` starts, if there is one.
    comment: int | None = None
    # The first escape inside `$'...'` that names no character, and where it is.
    escape_error: tuple[int, EscapeError] | None = None

    @property
    def open(self) -> bool:
        """True while the command goes on on the next line (a quote or bracket is open)."""
        return self.quote is not None or self.depth > 0


def read_words(text: str) -> Reading:
    """Split `text` into words like `tokenize`, without failing on an unfinished line."""
    out = Reading()
    quote: str | None = None
    escaped = False
    buf: list[str] = []
    start: int | None = None
    body = 0  # where the text of the `$'...'` being read starts
    skip = False  # the `'` of a `$'` just read
    for i, ch in enumerate(text):
        if skip:
            skip = False
            continue
        if quote == ANSI_C_QUOTE:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == "'":
                quote = None
                buf.append(_decoded(text[body:i], body, out))
            continue
        if escaped:
            escaped = False
            if quote == '"' and ch not in '\\"':
                # Inside double quotes a backslash escapes only `\` and `"`: before anything
                # else it stays, as `tokenize` keeps it (`"a\d"` is the three characters).
                buf.append("\\")
            buf.append(ch)
            continue
        if quote is not None:
            if ch == quote:
                quote = None
            elif ch == "\\" and quote == '"':
                escaped = True
            else:
                buf.append(ch)
            continue
        if ch in WORD_SEPARATORS:
            if start is not None:
                out.words.append(Word("".join(buf), start))
                buf, start = [], None
            continue
        if ch == "#" and start is None:
            out.comment = i
            break
        if start is None:
            start = i
        if ch == "\\":
            escaped = True
        elif ch in "'\"":
            quote = ch
        elif text.startswith(ANSI_C_QUOTE, i):
            quote, body, skip = ANSI_C_QUOTE, i + 2, True
        else:
            if ch in BRACKETS:
                out.depth += 1
            elif ch in BRACKETS.values() and out.depth:
                out.depth -= 1
            buf.append(ch)
    if quote == ANSI_C_QUOTE:
        buf.append(_decoded(text[body:], body, out))
    if start is not None:
        out.words.append(Word("".join(buf), start))
        out.at_gap = out.comment is not None
    out.quote = quote
    return out


def _decoded(raw: str, at: int, out: Reading) -> str:
    """The text of `$'RAW'` (which starts at `at`), or RAW itself when an escape in it names
    no character, the first such escape then kept in `out.escape_error`."""
    try:
        return decode(raw)
    except EscapeError as exc:
        if out.escape_error is None:
            out.escape_error = (at + exc.offset, exc)
        return raw


def _structural(text: str, comments: bool) -> Iterator[tuple[int, str]]:
    """Each character of `text` (with its index) that the quoting rules leave as itself:
    not inside quotes, not escaped by a backslash, not a quote or backslash that does the
    quoting, and, when `comments`, not in a `# comment` (which a line break ends)."""
    quote: str | None = None
    escaped = in_word = in_comment = skip = False
    for i, ch in enumerate(text):
        if in_comment and ch != "\n":
            continue
        in_comment = False
        if skip:
            skip = False
        elif escaped:
            escaped = False
        elif quote == ANSI_C_QUOTE:
            if ch == "'":
                quote = None
            elif ch == "\\":
                escaped = True
        elif quote is not None:
            if ch == quote:
                quote = None
            elif ch == "\\" and quote == '"':
                escaped = True
        elif ch in WORD_SEPARATORS:
            in_word = False
            yield i, ch
        elif comments and ch == "#" and not in_word:
            in_comment = True
        else:
            in_word = True
            if ch == "\\":
                escaped = True
            elif ch in "'\"":
                quote = ch
            elif text.startswith(ANSI_C_QUOTE, i):
                quote, skip = ANSI_C_QUOTE, True
            else:
                yield i, ch


def one_line(text: str) -> str:
    """`text` with the line breaks outside quotes turned into spaces.

    A command typed over several lines (an open bracket carries it on) means the same as
    the one-line form, and the session log and recorded scripts hold one command per line
    except inside quotes, where a line break is part of the value."""
    if "\n" not in text:
        return text
    out = list(text)
    for i, ch in _structural(text, comments=False):
        if ch == "\n":
            out[i] = " "
    return "".join(out)


def command_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each command line of a buffer that may hold several (lines pasted at
    once), blank ones too: a line break ends a command unless a quote or a bracket is still
    open or a backslash escapes it, as Enter ends a typed command. The spans cover `text`
    but for the line breaks between them. One pass over the text: a long pasted JSON body
    is read once."""
    out: list[tuple[int, int]] = []
    start = depth = 0
    for i, ch in _structural(text, comments=True):
        if ch == "\n" and depth == 0:
            out.append((start, i))
            start = i + 1
        elif ch in BRACKETS:
            depth += 1
        elif ch in BRACKETS.values() and depth:
            depth -= 1
    out.append((start, len(text)))
    return out


def commands_in(text: str) -> list[tuple[int, str]]:
    """The commands of a buffer that holds several (`command_lines`), each with where it
    starts in `text`; blank and comment-only lines are left out."""
    pieces = ((at, text[at:end]) for at, end in command_lines(text))
    return [(at, command) for at, command in pieces if strip_comment(command).strip()]


def current_command(text: str) -> str:
    """The command the end of `text` is in (the text before the cursor, which may hold
    commands pasted before it)."""
    return text[command_lines(text)[-1][0] :]
