"""A handler module that checks its configuration at import and exits when it is missing:
Lambda's init phase fails, and so does each invocation (docs/python-handlers.md)."""

from __future__ import annotations

import os
import sys
from typing import Any

if "PRICE_LIST_URL" not in os.environ:
    print("PRICE_LIST_URL is not set")
    sys.exit(1)


def handler(event: dict[str, Any], context: Any) -> str:
    """Never reached without the variable."""
    return os.environ["PRICE_LIST_URL"]
