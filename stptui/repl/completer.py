"""Tab completion for the REPL, from the command registry and the live simulation.

The candidates themselves come from `stptui.repl.candidates` (no prompt_toolkit there).
`CommandCompleter` wraps them for prompt_toolkit with exact (prefix) matching, adds file
paths, and `build_completer` merges it with a fuzzy matcher over the same candidates, exact
matches first (ptpython's habit), so `dlq` finds `deadLetterQueue`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prompt_toolkit.completion import (
    CompleteEvent,
    Completer,
    Completion,
    FuzzyCompleter,
    PathCompleter,
    merge_completers,
)
from prompt_toolkit.document import Document

from stptui.commands import Session
from stptui.commands import registry as kinds
from stptui.repl.candidates import Candidate, Context, candidates, context, slot_candidates
from stptui.repl.grammar import Slot
from stptui.repl.shown import EscapedCompletions
from stptui.repl.words import read_words

__all__ = [
    "Candidate",
    "CommandCompleter",
    "Context",
    "build_completer",
    "candidates",
    "context",
    "slot_candidates",
]


class CommandCompleter(Completer):
    """Exact completion: the candidates that start with the word typed (any case)."""

    def __init__(self, get_session: Callable[[], Session]) -> None:
        self.get_session = get_session
        self._paths = PathCompleter(expanduser=True)

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        """Completions for the word before the cursor. Each replaces the word as typed,
        quotes and escapes included (`"my q`, `my\\ q`), with its value quoted as the line
        needs it (`'my queue'`)."""
        text = document.text_before_cursor
        ctx = context(text)
        if ctx is None:
            return
        session = self.get_session()
        word = ctx.word
        if ctx.raw.startswith("--") and "=" in word:
            yield from self._inline_option_value(session, text, ctx.raw, complete_event)
            return
        low = word.lower()
        for c in candidates(session, text):
            if c.text.lower().startswith(low):
                yield Completion(kinds.quote_word(c.text), -len(ctx.raw), display_meta=c.about)
        if (not word.startswith("-") or ctx.in_quote) and any(
            s.kind == kinds.FILE for s in ctx.slots
        ):
            yield from self._file_paths(word, ctx.raw, complete_event)

    def _inline_option_value(
        self, session: Session, text: str, raw: str, event: CompleteEvent
    ) -> Iterable[Completion]:
        """Values of `--opt=VALUE`, `raw` being the word as typed (its value may be quoted)."""
        name, _, raw_value = raw.partition("=")
        ctx = context(text[: len(text) - len(raw)])
        opt = next((o for o in ctx.options if o.name == name), None) if ctx else None
        if opt is None:
            return
        typed = read_words(raw_value).words
        value = typed[0].text if typed else ""
        slot = Slot(opt.kind, opt.choices, opt.help, option=opt)
        for c in slot_candidates(session, slot, value, ctx.before if ctx else ()):
            if c.text.lower().startswith(value.lower()):
                yield Completion(kinds.quote_word(c.text), -len(raw_value), display_meta=c.about)
        if opt.kind == kinds.FILE:
            yield from self._file_paths(value, raw_value, event)

    def _file_paths(self, word: str, raw: str, event: CompleteEvent) -> Iterable[Completion]:
        """The paths that `word` (typed as `raw`) starts, as PathCompleter finds them. A
        path that needs quotes (a space, a quote in it) replaces the whole word, quoted:
        PathCompleter adds the missing letters as they are, which would split the word."""
        for c in self._paths.get_completions(Document(word), event):
            path = word[: len(word) + c.start_position] + c.text
            quoted = kinds.quote_word(path)
            if quoted == path and raw == word:
                yield c
            else:
                yield Completion(quoted, -len(raw), display=c.display)


def build_completer(get_session: Callable[[], Session]) -> Completer:
    """Exact and fuzzy completion merged, exact matches first, duplicates dropped; their
    menu entries drawn with control characters escaped (`EscapedCompletions`)."""
    exact = CommandCompleter(get_session)
    # WORD=True: the fuzzy matcher sees the whole word (`queue.dlq.de`, `--dedup-id`).
    merged = merge_completers([exact, FuzzyCompleter(exact, WORD=True)], deduplicate=True)
    return EscapedCompletions(merged)
