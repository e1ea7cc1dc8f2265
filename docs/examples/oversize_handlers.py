"""Python handlers whose output is too large for the next hop, used by docs/trace-format.md.

They run only when `stptui run` is given `--allow-code`.
"""

import random
from typing import Any


def shout(event: dict[str, Any], context: Any) -> None:
    """Publish 200,000 BEL characters: SNS counts 200,000 bytes, but the event a Lambda
    subscriber gets escapes each as six (`\\u0007`), over Lambda's 1 MB asynchronous limit."""
    context.notify("alerts", "\a" * 200_000)


def chatter(event: dict[str, Any], context: Any) -> None:
    """Log a million random printable characters (five lines): gzip cannot shrink them enough
    for the subscription's delivery to stay under 1 MB."""
    rng = random.Random(7)
    printable = [chr(c) for c in range(32, 127)]
    for _ in range(5):
        context.log("".join(rng.choices(printable, k=200_000)))
