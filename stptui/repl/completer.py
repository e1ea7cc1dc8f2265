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
        """Completions for the word before the cursor."""
        text = document.text_before_cursor
        ctx = context(text)
        if ctx is None or ctx.in_quote:
            return
        session = self.get_session()
        word = ctx.word
        if word.startswith("--") and "=" in word:
            yield from self._inline_option_value(session, text, word)
            return
        low = word.lower()
        for c in candidates(session, text):
            if c.text.lower().startswith(low):
                yield Completion(kinds.quote_word(c.text), -len(word), display_meta=c.meta)
        if not word.startswith("-") and any(s.kind == kinds.FILE for s in ctx.slots):
            yield from self._paths.get_completions(Document(word), complete_event)

    def _inline_option_value(self, session: Session, text: str, word: str) -> Iterable[Completion]:
        name, _, value = word.partition("=")
        ctx = context(text[: len(text) - len(word)])
        opt = next((o for o in ctx.options if o.name == name), None) if ctx else None
        if opt is None:
            return
        slot = Slot(opt.kind, (), opt.help, option=opt)
        for c in slot_candidates(session, slot, value, ctx.before if ctx else ()):
            if c.text.lower().startswith(value.lower()):
                yield Completion(kinds.quote_word(c.text), -len(value), display_meta=c.meta)


def build_completer(get_session: Callable[[], Session]) -> Completer:
    """Exact and fuzzy completion merged, exact matches first, duplicates dropped; their
    menu entries drawn with control characters escaped (`EscapedCompletions`)."""
    exact = CommandCompleter(get_session)
    # WORD=True: the fuzzy matcher sees the whole word (`queue.dlq.de`, `--dedup-id`).
    merged = merge_completers([exact, FuzzyCompleter(exact, WORD=True)], deduplicate=True)
    return EscapedCompletions(merged)
