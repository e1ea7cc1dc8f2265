"""A forgiving reading of a half-typed command line: its words with their positions, and
whether a quote, a bracket or a comment is still open at the end.

`stptui.commands.registry.tokenize` is the reader that decides what a finished line means;
it refuses an open quote. Completion, highlighting, validation while typing and the "go on
on the next line" rule need to read a line that is not finished yet, with the same quoting
rules: quotes group words, a backslash escapes the next character (outside quotes and
inside double quotes) and `#` at the start of a word begins a comment.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stptui.commands.registry import WORD_SEPARATORS

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
    for i, ch in enumerate(text):
        if escaped:
            escaped = False
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
        else:
            if ch in BRACKETS:
                out.depth += 1
            elif ch in BRACKETS.values() and out.depth:
                out.depth -= 1
            buf.append(ch)
    if start is not None:
        out.words.append(Word("".join(buf), start))
        out.at_gap = out.comment is not None
    out.quote = quote
    return out


def one_line(text: str) -> str:
    """`text` with the line breaks outside quotes turned into spaces.

    A command typed over several lines (an open bracket carries it on) means the same as
    the one-line form, and the session log and recorded scripts hold one command per line
    except inside quotes, where a line break is part of the value."""
    if "\n" not in text:
        return text
    out: list[str] = []
    quote: str | None = None
    escaped = False
    for ch in text:
        if escaped:
            escaped = False
        elif quote is not None:
            if ch == quote:
                quote = None
            elif ch == "\\" and quote == '"':
                escaped = True
        elif ch == "\\":
            escaped = True
        elif ch in "'\"":
            quote = ch
        elif ch == "\n":
            ch = " "
        out.append(ch)
    return "".join(out)
