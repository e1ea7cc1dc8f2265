"""Subscriptions to Textual's signals whose errors are not lost.

Textual's `Signal.publish` calls an immediate subscriber inside a `try` that logs any
exception to Textual's devtools log and goes on: a bug in a layout callback left a dialog
unfitted, in silence, and the test that drove it passed. `subscribe_loudly` hands such an
error to the app's own path for an unhandled error instead (the app exits with its
traceback; a test's `run_test` raises it), as an error in any message handler is."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from textual.dom import DOMNode
from textual.signal import Signal

T = TypeVar("T")


def _raise(error: Exception) -> None:
    raise error


def subscribe_loudly(
    signal: Signal[T], node: DOMNode, callback: Callable[[T], object], immediate: bool = False
) -> None:
    """Subscribe `node` to `signal` (see `Signal.subscribe`): `callback` is called with
    what is published, at once when `immediate`, else posted to `node`. An exception it
    raises is raised again by the app's next callback, which Textual's message loop
    hands to the app's error handling (`App._handle_exception`): the app exits with it."""

    def loud(data: T) -> None:
        try:
            callback(data)
        except Exception as error:
            node.app.call_next(_raise, error)

    signal.subscribe(node, loud, immediate=immediate)
