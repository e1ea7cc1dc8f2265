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
from stptui.repl.candidates import (
    Candidate,
    Context,
    candidates,
    context,
    file_word,
    offers,
    slot_candidates,
)
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
        """Completions for the word before the cursor (`offers`). Each replaces the word as
        typed, quotes and escapes included (`"my q`, `my\\ q`), with its value quoted as the
        line needs it (`'my queue'`); then the file paths a FILE value may be."""
        text = document.text_before_cursor
        ctx = context(text)
        if ctx is None:
            return
        for offer in offers(self.get_session(), text):
            c = offer.candidate
            yield Completion(offer.text, -offer.replaces, display_meta=c.about)
        found = file_word(text, ctx)
        if found is not None:
            yield from self._file_paths(*found, complete_event)

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
