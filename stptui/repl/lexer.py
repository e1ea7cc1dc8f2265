"""Syntax highlighting of a command line: a small Pygments lexer.

The verb, options, durations, instants, numbers, comparison operators, references (`$last`,
`$newest:KIND`), quoted strings (a quoted JSON body is highlighted as JSON) and comments are
found by regular expressions; plain words are then told apart by name: a command of the
registry, a resource of the open stack, or something else, and a word the command's grammar
reads as a FIELD=VALUE filter (`expect count KIND status=404`) as a field and its value. An
unknown verb is shown as an error while it is typed, the way fish does. Text that holds
several commands (lines pasted at once) is read a command at a time. `lexer_for` binds the
names of one session.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from pygments.lexer import Lexer, RegexLexer, bygroups, using
from pygments.token import (
    Comment,
    Error,
    Keyword,
    Literal,
    Name,
    Number,
    Operator,
    String,
    Whitespace,
)
from pygments.token import _TokenType as TokenType

from stptui.commands import REGISTRY
from stptui.commands.registry import ITEM_KEY, MESSAGE_FILTER, RECORD_FIELD
from stptui.repl.grammar import Walker
from stptui.repl.words import command_lines, read_words

_END = r"(?=\s|$)"
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def _json_lexer(**options: Any) -> Lexer:
    """Pygments' JSON lexer, imported when a JSON body is first highlighted: importing
    `pygments.lexers` (its table of every lexer) took 7 ms of each REPL start."""
    from pygments.lexers.data import JsonLexer

    return JsonLexer(**options)


# The tokens a word is made of. A plain word takes backslash escapes with it, so that an
# escaped space does not end it (`a\ #b` is one word, as `tokenize` reads it).
_WORD_PARTS: list[tuple[str, Any]] = [
    (r"--[\w-]*=?", Name.Attribute),
    # A quoted JSON object or array: JSON inside, even over several lines.
    (r"(')(\s*[\[{][^']*)('?)", bygroups(String.Single, using(_json_lexer), String.Single)),
    (r"'[^']*'?", String.Single),
    # Bash's ANSI-C quoting: a backslash escapes the quote too.
    (r"\$'(?:[^'\\]|\\[\s\S])*'?", String.Escape),
    (r'"(?:\\.|[^"\\])*"?', String.Double),
    (r"\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)?" + _END, Literal.Date),
    (r"(?:\d+(?:\.\d+)?(?:ms|[smhd]))+" + _END, Number),
    (r"-?\d+(?:\.\d+)?" + _END, Number),
    (r"(?:==|!=|<=|>=|<|>)" + _END, Operator),
    # A reference (`$last`, `$newest:KIND`): an id the line takes when it runs.
    (r"\$(?:last|newest)(?![\w-])[^\s'\"\\]*" + _END, Name.Variable.Magic),
    (r"(?:[^\s'\"\\$]|\$(?!')|\\[\s\S]|\\\Z)+", Name),
]


class CommandLexer(RegexLexer):
    """Tokens of the stptui command language; `commands` and `resources` are bound by a
    subclass made with `lexer_for`."""

    name = "stptui"
    aliases: ClassVar[list[str]] = ["stptui"]
    commands: ClassVar[frozenset[str]] = frozenset()
    resources: ClassVar[frozenset[str]] = frozenset()

    # As in a shell, `#` begins a comment only at the start of a word: state "gap" is
    # between words (after whitespace), state "word" inside one (`abc#1`, `'a'#b`).
    tokens: ClassVar[dict[str, Any]] = {
        "root": [
            (r"\s+", Whitespace),
            (r"#.*", Comment.Single),
            (r"[^\s'\"#]+", Keyword, "word"),
        ],
        "word": [
            (r"\s+", Whitespace, ("#pop", "gap")),
            *_WORD_PARTS,
        ],
        "gap": [
            (r"\s+", Whitespace),
            (r"#.*", Comment.Single),
            *((pattern, token, ("#pop", "word")) for pattern, token in _WORD_PARTS),
        ],
    }

    def get_tokens_unprocessed(
        self, text: str, stack: Iterable[str] = ("root",)
    ) -> Iterator[tuple[int, TokenType, str]]:
        """The regular tokens of each command of `text` (lines pasted at once are several),
        with the verb checked, plain words told apart by name and a FIELD=VALUE filter
        (`expect count KIND status=404`) shown as a field and value."""
        spans = command_lines(text)
        for n, (start, end) in enumerate(spans):
            for index, token, value in self._command_tokens(text[start:end], stack):
                yield start + index, token, value
            if n < len(spans) - 1:
                yield end, Whitespace, "\n"

    def _command_tokens(
        self, text: str, stack: Iterable[str]
    ) -> Iterator[tuple[int, TokenType, str]]:
        filters = _filter_starts(text)
        for index, token, value in super().get_tokens_unprocessed(text, stack):
            if token is Name and index in filters and "=" in value:
                yield from _filter_tokens(index, value)
            elif token is Keyword and self.commands and value not in self.commands:
                yield index, Error, value
            elif token is Name and value in self.resources:
                yield index, Name.Variable, value
            elif token is Name and value in self.commands:
                yield index, Name.Builtin, value
            else:
                yield index, token, value


def lexer_for(commands: Iterable[str], resources: Iterable[str]) -> type[CommandLexer]:
    """A CommandLexer class that knows these command and resource names."""
    return type(
        "BoundCommandLexer",
        (CommandLexer,),
        {"commands": frozenset(commands), "resources": frozenset(resources)},
    )


def _filter_starts(text: str) -> set[int]:
    """Where the words that the command's grammar reads as FIELD=VALUE filters (or an
    `expect item` key's KEY=VALUE) start: the same word is a message body after `send`,
    and plain there."""
    words = read_words(text).words
    command = REGISTRY.commands.get(words[0].text) if words else None
    if command is None:
        return set()
    walker = Walker(command)
    starts: set[int] = set()
    for word in words[1:]:
        slot = walker.feed(word.text)
        if slot is not None and slot.kind in (RECORD_FIELD, ITEM_KEY, MESSAGE_FILTER):
            starts.add(word.start)
    return starts


def _filter_tokens(index: int, value: str) -> Iterator[tuple[int, TokenType, str]]:
    """`status=404` as the field's name, the `=` and the value (a JSON number or constant
    as such; a quoted value is a token of its own that follows)."""
    field, _, rest = value.partition("=")
    if field:
        yield index, Name.Tag, field
    yield index + len(field), Operator, "="
    if rest:
        token = Number if _NUMBER.fullmatch(rest) else Name
        token = Keyword.Constant if rest in ("true", "false", "null") else token
        yield index + len(field) + 1, token, rest
