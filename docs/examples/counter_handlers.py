"""Handlers that keep state in module globals: each execution environment runs its own
copy of the module, from its init phase on (docs/python-handlers.md, "Each execution
environment imports its handler afresh")."""

from __future__ import annotations

import sys
from typing import Any

# The module's top level is Lambda's init phase: it runs once in each new execution
# environment, and again in one Lambda reset after a timeout or a runtime exit.
print("init: price list loaded")
INVOCATIONS = 0


def count(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Count this environment's invocations; `{"exit": N}` ends the runtime's process."""
    global INVOCATIONS
    INVOCATIONS += 1
    if "exit" in event:
        sys.exit(event["exit"])
    return {"invocations": INVOCATIONS}
