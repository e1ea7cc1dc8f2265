"""A handler that polls docs/examples/long-poll.yml's queue itself, with a long poll, as
Lambda code does with boto3 (docs/python-handlers.md, "When a handler's calls happen")."""

from __future__ import annotations

import os
from typing import Any

import boto3

sqs = boto3.client("sqs")
QUEUE_URL = os.environ["STP_INBOX_URL"]


def drain(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Take what the queue holds, waiting up to 20 s for a message when it holds none."""
    answer = sqs.receive_message(QueueUrl=QUEUE_URL, MaxNumberOfMessages=10, WaitTimeSeconds=20)
    messages = answer.get("Messages", [])
    for message in messages:
        sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=message["ReceiptHandle"])
    return {"taken": len(messages)}
