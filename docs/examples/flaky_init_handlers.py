"""A handler module whose top level loads its price list from a service that fails one
read in four: a cold start whose read fails ends its init phase, and Lambda runs the init
again within the invocation, where the read may succeed (docs/python-handlers.md)."""

from __future__ import annotations

import random
import sys
from typing import Any

# The service's answer, drawn from the simulation's seeded randomness: the same every run.
if random.random() < 0.25:
    print("price list service unavailable")
    sys.exit(1)
print("price list loaded")


def handler(event: dict[str, Any], context: Any) -> str:
    """Price the order."""
    return "priced"
