"""The job-queue stack's API as the "Background Jobs & Automations" guide writes it: it
reads the queue's URL from STP_JOB_QUEUE_QUEUE_URL, a name Stacktape never sets (its name
is STP_JOB_QUEUE_URL), so the handler fails with a KeyError."""

from __future__ import annotations

import os
from typing import Any


def api(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Queue the request's body by the guide's name of the queue's URL."""
    context.send(os.environ["STP_JOB_QUEUE_QUEUE_URL"], event["body"])
    return {"statusCode": 202, "body": "queued"}
