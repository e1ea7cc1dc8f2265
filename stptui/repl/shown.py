"""What the REPL's prompt draws of untrusted text: the completion menu, the input line and
the history search's field (Ctrl-R).

prompt_toolkit draws a completion's text and the line being typed as they are, but for the
C0 and C1 controls, which it shows as `^[` and `<9b>`. The bidirectional overrides and
isolates (U+202E, U+2066, ...), the zero-width space, the line separator and the other
characters that draw nothing (a word joiner, tag characters) reach the terminal, where a
key offered in the menu or completed into the line reorders what is drawn after it
(Trojan Source), or hides text. Here they are shown as the rest of stptui shows them,
`textsafe.printable`'s escapes (`\\u202e`, `\\x1b`), while the line itself keeps the
characters: the command gets the key as it is, the one the escape stands for.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from functools import partial
from typing import Any

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import AnyFormattedText, StyleAndTextTuples, to_formatted_text
from prompt_toolkit.layout.controls import SearchBufferControl
from prompt_toolkit.layout.processors import Processor, Transformation, TransformationInput
from prompt_toolkit.layout.utils import explode_text_fragments

from stptui.textsafe import ESCAPED, printable

# The style of an escape drawn in the input line: it is not what was typed, as such.
ESCAPE_STYLE = "class:escaped-control"


def escaped_fragments(fragments: StyleAndTextTuples) -> StyleAndTextTuples:
    """Formatted text with its control characters written as `printable` escapes."""
    return [(style, printable(text), *rest) for style, text, *rest in fragments]  # type: ignore[misc]


class EscapedCompletions(Completer):
    """Another completer's completions, their menu entry and help line escaped. What a
    completion inserts is unchanged: the key itself, which the line then shows escaped
    (`EscapedControls`)."""

    def __init__(self, completer: Completer) -> None:
        self.completer = completer

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        """The wrapped completer's completions, drawn safely."""
        for c in self.completer.get_completions(document, complete_event):
            display = to_formatted_text(c.display)
            # The help line as given (prompt_toolkit's FuzzyCompleter reads it so too): one
            # made when first drawn (`Candidate.about`) is escaped then, not made here.
            given = c._display_meta
            meta: AnyFormattedText
            if callable(given):
                meta = partial(_escaped, given)
            else:
                fragments = to_formatted_text(given or "")
                if not ESCAPED.search("".join(text for _, text, *_ in display + fragments)):
                    yield c
                    continue
                meta = escaped_fragments(fragments)
            yield Completion(
                c.text,
                c.start_position,
                display=escaped_fragments(display),
                display_meta=meta,
                style=c.style,
                selected_style=c.selected_style,
            )


def _escaped(text: AnyFormattedText) -> StyleAndTextTuples:
    """`text` made and drawn with its control characters escaped."""
    return escaped_fragments(to_formatted_text(text))


class EscapedControls(Processor):
    """Draws each control character of a line (typed, pasted, completed, or suggested from
    the history) as its `printable` escape, with the cursor mapped around it."""

    def apply_transformation(self, transformation_input: TransformationInput) -> Transformation:
        """The line's fragments with their control characters escaped."""
        fragments = transformation_input.fragments
        if not any(ESCAPED.search(text) for _, text, *_ in fragments):
            return Transformation(fragments)
        out: StyleAndTextTuples = []
        # starts[i]: where the source's character i is drawn.
        starts: list[int] = []
        at = 0
        for style, char, *rest in explode_text_fragments(fragments):
            starts.append(at)
            if ESCAPED.match(char):
                shown = printable(char)
                out.append((f"{style} {ESCAPE_STYLE}", shown))
                at += len(shown)
            else:
                out.append((style, char, *rest))  # type: ignore[arg-type]
                at += len(char)
        starts.append(at)

        def source_to_display(i: int) -> int:
            return starts[i] if i < len(starts) else at + i - (len(starts) - 1)

        def display_to_source(d: int) -> int:
            return max(0, bisect_right(starts, d) - 1) if d <= at else len(starts) - 1 + d - at

        return Transformation(out, source_to_display, display_to_source)


def escape_search_fields(prompt: PromptSession[Any]) -> None:
    """Draw the text typed or pasted into `prompt`'s history search (Ctrl-R, and `/` in vi
    mode) escaped as the input line is: the single-line `(reverse-i-search)` control and
    the multi-line mode's search toolbar. PromptSession takes no processors for them, so
    EscapedControls goes first into theirs, before the one that adds the search prompt
    (whose own text has no controls). The matched history line is the input line's control
    drawn again, EscapedControls included. What is searched for stays the text itself."""
    # The layout holds a control in more than one place: each is given the processor once.
    found = {id(c): c for c in prompt.layout.find_all_controls()}
    for control in found.values():
        if isinstance(control, SearchBufferControl):
            control.input_processors = [EscapedControls(), *(control.input_processors or [])]
