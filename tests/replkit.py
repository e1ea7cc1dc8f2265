"""What Tab offers in the REPL, driven through its completer with prompt_toolkit's `Document`
and `CompleteEvent`, as a key press is."""

from __future__ import annotations

from prompt_toolkit.completion import CompleteEvent, Completion
from prompt_toolkit.document import Document

from stptui.commands import Session
from stptui.repl.completer import build_completer


def completions(session: Session, text: str) -> list[Completion]:
    """What Tab offers at the end of `text`, as prompt_toolkit's Completions."""
    completer = build_completer(lambda: session)
    event = CompleteEvent(completion_requested=True)
    return list(completer.get_completions(Document(text), event))


def complete(session: Session, text: str) -> list[str]:
    """What Tab offers at the end of `text`: exact and fuzzy merged, exact first."""
    return [c.text for c in completions(session, text)]


def metas(session: Session, text: str) -> dict[str, str]:
    """Each offer at the end of `text` with the help line the menu shows beside it."""
    return {c.text: c.display_meta_text for c in completions(session, text)}


def tabbed(session: Session, text: str) -> list[str]:
    """Each line Tab makes of `text`: an offer put in place of the text it replaces."""
    return [text[: len(text) + c.start_position] + c.text for c in completions(session, text)]
