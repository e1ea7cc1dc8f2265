"""Making untrusted text safe to print: control characters become visible escapes.

Message bodies, keys and names come from users' files and simulated handlers; an ANSI
escape inside one must show up as text, never move the cursor or recolour the terminal.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` with every control character except newline and tab shown as `\\xNN`."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
