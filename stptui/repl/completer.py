"""Tab completion for the REPL, from the command registry and the live simulation.

The candidates themselves come from `stptui.repl.candidates` (no prompt_toolkit there).
`CommandCompleter` wraps them for prompt_toolkit with exact (prefix) matching, adds the file
names a FILE value may be (`file_offers`, the terminal UI's command line's own), and
`build_completer` merges it with a fuzzy matcher over the same candidates but the file
names, exact matches first (ptpython's habit), so `dlq` finds `deadLetterQueue`.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from itertools import islice

from prompt_toolkit.completion import (
    CompleteEvent,
    Completer,
    Completion,
    FuzzyCompleter,
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
    file_offers,
    iter_offers,
    slot_candidates,
    state_cache,
)
from stptui.repl.shown import EscapedCompletions

# The most completions each matcher offers at a key press. A menu shows a dozen at a time,
# and a stack of 2,000 resources has some 55,000 metric paths: making each a completion
# (three objects through prompt_toolkit's matchers) took a second at each key press. The
# word typed narrows them, as a directory's entries are (PATH_LIMIT).
OFFER_LIMIT = 500
# The most lines whose completions are kept for one state.
DERIVED_LIMIT = 8
# The kinds of a body, a payload or a message: free text, matched by prefix only.
BODY_KINDS = frozenset({kinds.TEXT, kinds.PAYLOAD})

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
    """Exact completion: the candidates that start with the word typed (any case), then,
    unless `files` is False, the file names a FILE value may be."""

    def __init__(self, get_session: Callable[[], Session], files: bool = True) -> None:
        self.get_session = get_session
        self.files = files

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        """Completions for the word before the cursor (`offers`). Each replaces the word as
        typed, quotes and escapes included (`"my q`, `my\\ q`), with its value quoted as the
        line needs it (`'my queue'`); then the file names a FILE value may be, the terminal
        UI's (`file_offers`), shown in the menu by their last part (`incident.json`)."""
        text = document.text_before_cursor
        session = self.get_session()
        built = state_cache(session)
        # By id, the completer held weakly: the cache is the session's, and this holds it.
        key = (id(self), text)
        kept = built.derived.get(key)
        if isinstance(kept, tuple) and kept[0]() is self:
            made: list[Completion] = kept[1]
        else:
            if len(built.derived) >= DERIVED_LIMIT:
                built.derived.clear()  # a state held long: its lines typed long ago
            # Kept for the state: the fuzzy matcher asks for the same line (the word left
            # out) at each key press, thousands of values on a large stack.
            made = [
                Completion(o.text, -o.replaces, display_meta=o.candidate.about)
                for o in islice(iter_offers(session, text), OFFER_LIMIT)
            ]
            built.derived[key] = (weakref.ref(self), made)
        yield from made
        if not self.files:
            return
        for offer in file_offers(text):
            c = offer.candidate
            shown = c.text.rstrip("/").rpartition("/")[2] + "/" * c.text.endswith("/")
            yield Completion(offer.text, -offer.replaces, display=shown, display_meta=c.about)


def close_match(word: str, name: str) -> bool:
    """Whether `word`, a command name being typed, fuzzily names `name` closely: its first
    letter starts `name` or one of its `-` parts, and its letters follow within twice its
    length (`snd`: send, ws-send; `pubsns`: publish-sns). A looser match offered words from
    other tools commands they do not mean (`ls`: global-sign-out, `tail`:
    send-task-failure, `info`: admin-remove-user-from-group), which Tab then typed."""
    word, name = word.lower(), name.lower()
    if not word:
        return True
    starts = [0, *(i + 1 for i, c in enumerate(name) if c == "-")]
    for start in starts:
        if name[start] != word[0]:
            continue
        at = start
        for char in word[1:]:
            at = name.find(char, at + 1)
            if at < 0:
                break
        else:
            if at - start + 1 <= 2 * len(word):
                return True
    return False


class CommandNameFilter(Completer):
    """Another completer's completions, those of a command name kept only when they match
    the word typed closely (`close_match`), none for a body being typed (its examples are
    offered at its start: any text it holds would match one fuzzily); every other word's
    kept as they are; at most OFFER_LIMIT of them."""

    def __init__(self, completer: Completer) -> None:
        self.completer = completer

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        """The wrapped completer's completions, a command name's filtered."""
        text = document.text_before_cursor
        ctx = context(text)
        if (
            ctx is not None
            and ctx.word
            and ctx.slots
            and all(s.kind in BODY_KINDS for s in ctx.slots)
        ):
            return
        naming = ctx is not None and ctx.command_name
        found = self.completer.get_completions(document, complete_event)
        kept = (c for c in found if not naming or close_match(ctx.word if ctx else "", c.text))
        yield from islice(kept, OFFER_LIMIT)


def build_completer(get_session: Callable[[], Session]) -> Completer:
    """Exact and fuzzy completion merged, exact matches first, duplicates dropped; their
    menu entries drawn with control characters escaped (`EscapedCompletions`). File names
    are matched by prefix only, as the terminal UI's command line matches them: a fuzzy
    match would list a directory's entries again, at each key press, under other rules."""
    exact = CommandCompleter(get_session)
    names = CommandCompleter(get_session, files=False)
    # WORD=True: the fuzzy matcher sees the whole word (`queue.dlq.de`, `--dedup-id`).
    fuzzy = CommandNameFilter(FuzzyCompleter(names, WORD=True))
    merged = merge_completers([exact, fuzzy], deduplicate=True)
    return EscapedCompletions(merged)
