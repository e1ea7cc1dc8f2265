"""A handler's log lines as CloudWatch Logs receives them from Lambda, bounded for the trace.

Lambda sends each line a handler writes as one CloudWatch Logs event. An event is at most
262,144 bytes including 26 bytes of overhead, and Lambda cuts a longer line into events of
at most 262,118 bytes of its UTF-8 text (docs/fidelity.md, "Handler logs"). AWS raised
CloudWatch Logs' own event limit to 1 MB in April 2025, for PutLogEvents; Lambda's cut is
still observed at the old size, which is the one modelled here.

The trace keeps at most INVOCATION_LOG_MAX_BYTES of one invocation's log (each event
counting its text and the 26 bytes), so a handler that prints 50 MB does not put 50 MB in
the trace: the events past the bound are counted in one last line instead.
"""

from __future__ import annotations

from collections.abc import Iterable

# CloudWatch Logs' per-event overhead, counted against both the event size and batch size.
EVENT_OVERHEAD_BYTES = 26
LOG_EVENT_MAX_BYTES = 262_144 - EVENT_OVERHEAD_BYTES
# The simulator's own bound on one invocation's log in the trace: four full events.
INVOCATION_LOG_MAX_BYTES = 4 * 262_144


def _pieces(data: bytes) -> Iterable[tuple[int, int]]:
    """(start, end) of each event a line's UTF-8 bytes make, never cutting a character."""
    start, size = 0, len(data)
    while True:
        end = min(start + LOG_EVENT_MAX_BYTES, size)
        # A continuation byte (0b10xxxxxx) is inside a character: cut before that character.
        while end < size and data[end] & 0xC0 == 0x80:
            end -= 1
        yield start, end
        if end >= size:
            return
        start = end


def log_events(lines: Iterable[str]) -> list[str]:
    """The log events `lines` make, as many as the trace keeps, then (when some are not
    kept) a line saying how many were left out and how many bytes they held."""
    events: list[str] = []
    kept = 0
    dropped_events = dropped_bytes = 0
    for line in lines:
        # A lone surrogate (a handler may print one) is kept, as its own three bytes.
        data = line.encode("utf-8", "surrogatepass")
        for start, end in _pieces(data):
            cost = end - start + EVENT_OVERHEAD_BYTES
            if not dropped_events and kept + cost <= INVOCATION_LOG_MAX_BYTES:
                events.append(data[start:end].decode("utf-8", "surrogatepass"))
                kept += cost
            else:
                dropped_events += 1
                dropped_bytes += end - start
    if dropped_events:
        events.append(
            f"stptui: left out {dropped_events:,} more log event"
            f"{'s' * (dropped_events != 1)} ({dropped_bytes:,} bytes) of this invocation: "
            f"the trace keeps {INVOCATION_LOG_MAX_BYTES:,} bytes of an invocation's log"
        )
    return events


# The trace keeps at most one log event's worth of an error message: what CloudWatch Logs
# shows of the runtime's `[ERROR]` line (docs/fidelity.md, "Error messages").
ERROR_MESSAGE_MAX_BYTES = LOG_EVENT_MAX_BYTES
# At most 4 bytes a character: a message of this many characters or fewer always fits,
# without encoding it (callers on a hot path check this before calling `bounded_message`).
ALWAYS_FITS_CHARS = ERROR_MESSAGE_MAX_BYTES // 4


def bounded_message(message: str) -> tuple[str, int | None]:
    """`message` as the trace keeps it: `(message, None)` when it fits, else its first
    ERROR_MESSAGE_MAX_BYTES bytes of UTF-8 (never cutting a character) and its full size."""
    if len(message) <= ALWAYS_FITS_CHARS:
        return message, None
    data = message.encode("utf-8", "surrogatepass")
    if len(data) <= ERROR_MESSAGE_MAX_BYTES:
        return message, None
    _, end = next(iter(_pieces(data)))
    return data[:end].decode("utf-8", "surrogatepass"), len(data)
