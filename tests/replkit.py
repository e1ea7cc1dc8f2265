"""What Tab offers in the REPL, driven through its completer with prompt_toolkit's `Document`
and `CompleteEvent`, as a key press is."""

from __future__ import annotations

from prompt_toolkit.completion import CompleteEvent, Completion
from prompt_toolkit.document import Document

from stptui.commands import Session
from stptui.repl.completer import build_completer


def _completions(session: Session, text: str) -> list[Completion]:
    completer = build_completer(lambda: session)
    event = CompleteEvent(completion_requested=True)
    return list(completer.get_completions(Document(text), event))


def complete(session: Session, text: str) -> list[str]:
    """What Tab offers at the end of `text`: exact and fuzzy merged, exact first."""
    return [c.text for c in _completions(session, text)]


def metas(session: Session, text: str) -> dict[str, str]:
    """Each offer at the end of `text` with the help line the menu shows beside it."""
    return {c.text: c.display_meta_text for c in _completions(session, text)}
