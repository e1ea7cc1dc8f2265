"""Text fields that keep control characters out: what a user types or pastes is shown in the
field as it is, so it must hold nothing a terminal would act on.

Textual's Input and TextArea take a paste as it comes and draw it raw: an ESC from a
pasted log line reached the terminal as the start of an escape sequence (recolouring,
moving the cursor, clearing the screen), a BEL rang it. Typed keys never carry controls
(Textual inserts only printable characters), so pastes are what this guards against.

The rule: carriage returns (`\\r\\n`, `\\r`, what some terminals paste line breaks as)
become newlines; every other character `stptui.textsafe.printable` would escape is
dropped (C0 controls but tab and newline, DEL, C1 controls, bidirectional marks and
overrides, zero-width spaces, byte-order marks, line and paragraph separators). So a field
shows exactly what the command receives. A JSON body can still carry any of them as an
escape (`"\\u001b"`).
"""

from __future__ import annotations

import re

from textual.widgets import Input, TextArea
from textual.widgets.text_area import Edit, EditResult

# The characters `stptui.textsafe.printable` escapes, less tab and newline (a test keeps
# the two sets the same).
DROPPED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029"
    "\u202a-\u202e\u2066-\u2069\ufeff]"
)
_RETURNS = re.compile("\r\n?")


def clean_typed(text: str) -> str:
    """`text` as a field keeps it: carriage returns made newlines, the characters in
    `DROPPED` left out."""
    return DROPPED.sub("", _RETURNS.sub("\n", text))


class SafeInput(Input):
    """An Input that drops control characters from what is typed or pasted into it."""

    def replace(self, text: str, start: int, end: int) -> None:
        """Replace `start`..`end` with `text` cleaned (every insertion ends here)."""
        super().replace(clean_typed(text), start, end)


class SafeTextArea(TextArea):
    """A TextArea that drops control characters from what is typed or pasted into it."""

    def edit(self, edit: Edit) -> EditResult:
        """Perform `edit` with its text cleaned (keys, pastes and the app's clipboard all
        end here)."""
        edit.text = clean_typed(edit.text)
        return super().edit(edit)
