"""What every command module shares: the registry, the `command` decorator and the argument
readers. The commands themselves are declared once in `REGISTRY`, one module per topic.

Every handler follows the same discipline (design rule 2): read and validate every argument
first (names, durations, numbers, JSON) and raise CommandError on the first problem; only
then call the Simulator. So a command either applies fully or changes nothing. Handlers never
print: they return a CommandResult.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, NoReturn

from stptui import jsontext
from stptui.commands.registry import (
    Arg,
    Call,
    Command,
    CommandError,
    Option,
    Registry,
)
from stptui.commands.result import CommandResult
from stptui.commands.session import Session
from stptui.sim import trace as tk
from stptui.sim.behavior import (
    BehaviorError,
    format_duration,
    parse_duration,
)
from stptui.sim.clock import MAX_MS, iso_ms
from stptui.sim.engine import SimError, Simulator
from stptui.sim.payloads import NumberText
from stptui.sim.services.function import FunctionSim
from stptui.sim.services.queue import QueueSim

REGISTRY = Registry()

DEFAULT_RUN_MAX = "1d"
DEFAULT_TRACE_ROWS = 20
MAX_SHOWN_MESSAGES = 100
BODY_PREVIEW = 60
MAX_ATTRIBUTES = 10  # SQS allows at most 10 message attributes

# Every record kind the trace module defines: `expect count KIND` checks against these.
TRACE_KINDS: tuple[str, ...] = tuple(
    sorted(
        v
        for k, v in vars(tk).items()
        if k.isupper() and isinstance(v, str) and re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", v)
    )
)


def command(
    name: str,
    topic: str,
    summary: str,
    *,
    args: tuple[Arg, ...] = (),
    options: tuple[Option, ...] = (),
    examples: tuple[str, ...] = (),
    changes_state: bool = False,
    usage: str | None = None,
    details: str = "",
) -> Callable[[Callable[[Session, Call], CommandResult]], Callable[[Session, Call], CommandResult]]:
    """Declare a command in REGISTRY with the decorated function as its handler."""

    def register(
        fn: Callable[[Session, Call], CommandResult],
    ) -> Callable[[Session, Call], CommandResult]:
        REGISTRY.add(
            Command(
                name,
                topic,
                summary,
                fn,
                args,
                options,
                examples,
                changes_state,
                usage,
                details,
            )
        )
        return fn

    return register


# -- shared argument readers (raise CommandError, change nothing) ----------------------------


def _queue(sim: Simulator, name: str) -> QueueSim:
    try:
        return sim.queue(name)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None


def _function(sim: Simulator, name: str) -> FunctionSim:
    try:
        return sim.function(name)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None


def _duration(text: str, what: str) -> int:
    try:
        return parse_duration(text)
    except BehaviorError as exc:
        raise CommandError(f"{what}: {exc}", exc.hint) from None


def _whole(text: str, what: str, *, minimum: int = 1) -> int:
    if not re.fullmatch(r"\d{1,9}", text) or int(text) < minimum:
        raise CommandError(f"{what} must be a whole number of at least {minimum}, not {text!r}")
    return int(text)


def _number(text: str) -> int | float | None:
    """`text` as a number when it is one (`5`, `-2`, `1.5`, `1e3`), else None."""
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?", text):
        return float(text)
    return None


_ATTR_NAME = re.compile(r"[A-Za-z0-9_\-.]{1,256}")
# SQS's Number attributes: up to 38 significant digits, magnitude from 1e-128 to 1e126.
_SQS_DIGITS = 38
_SQS_SMALLEST = Decimal("1e-128")
_SQS_LARGEST = Decimal("1e126")


def _sqs_number(key: str, text: str) -> NumberText:
    """A Number attribute's text, kept as written, when SQS would take it."""
    value = Decimal(text)
    # Significant digits, counted exactly (normalize() would round to 28 of them).
    digits = len("".join(map(str, value.as_tuple().digits)).strip("0"))
    if (value and not _SQS_SMALLEST <= abs(value) <= _SQS_LARGEST) or digits > _SQS_DIGITS:
        raise CommandError(
            f"--attr {key}={text}: not a Number SQS takes",
            f"at most {_SQS_DIGITS} significant digits, between 1e-128 and 1e126 in size",
        )
    return NumberText(text)


def _attributes(pairs: list[str]) -> dict[str, Any]:
    """`--attr k=v` values as SQS message attributes; numbers become Number attributes."""
    attrs: dict[str, Any] = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq or not key:
            raise CommandError(f"--attr needs NAME=VALUE, not {pair!r}", "e.g. --attr priority=5")
        # SQS's own rules for attribute names (reference aws-semantics §1).
        if (
            not _ATTR_NAME.fullmatch(key)
            or key.startswith(".")
            or key.endswith(".")
            or ".." in key
            or key.lower().startswith(("aws.", "amazon."))
        ):
            raise CommandError(
                f"{key!r} is not a valid message attribute name",
                "letters, digits, _ - and . (not first, last or doubled); not AWS.* or Amazon.*",
            )
        if key in attrs:
            raise CommandError(f"--attr {key} given twice")
        if value == "":
            raise CommandError(f"--attr {key} has an empty value; SQS requires one")
        attrs[key] = _sqs_number(key, value) if _number(value) is not None else value
    if len(attrs) > MAX_ATTRIBUTES:
        raise CommandError(f"{len(attrs)} attributes; SQS allows at most {MAX_ATTRIBUTES}")
    return attrs


# What a JSON object or array typed without quotes around it becomes: the line's shell-style
# quoting takes its double quotes away ({"a": 1} reads as {a: 1}).
UNQUOTED_JSON_HINT = "put JSON in single quotes so that its double quotes stay: '{\"orderId\": 1}'"


def parse_payload(text: str | None) -> Any:
    """An invoke payload: JSON when the text is JSON, else the text itself (default `{}`).

    JSON only Python would read (NaN, 1e400, nesting beyond `jsontext.MAX_DEPTH`) is refused:
    as text it would not be what the user meant. So is text that starts as an object or an
    array does but is not JSON: almost always JSON whose quotes the line took away."""
    if text is None:
        return {}
    try:
        return jsontext.loads(text)
    except jsontext.JsonLimitError as exc:
        raise CommandError(f"the payload is not usable JSON: {exc}") from None
    except ValueError as exc:
        if looks_like_json(text):
            raise CommandError(
                f"the payload starts like JSON but is not JSON: {exc}", UNQUOTED_JSON_HINT
            ) from None
        return text


def looks_like_json(text: str) -> bool:
    """True for text that opens as a JSON object or array does."""
    return text.lstrip().startswith(("{", "["))


def lost_its_quotes(text: str) -> bool:
    """True for text that opens as JSON does but does not read as JSON (JSON past
    `jsontext`'s limits, NaN say, has another fault than quoting)."""
    if not looks_like_json(text):
        return False
    try:
        jsontext.loads(text)
    except jsontext.JsonLimitError:
        return False
    except ValueError:
        return True
    return False


def _short(text: str, limit: int = BODY_PREVIEW) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def refuse_past_end(sim: Simulator, what: str) -> NoReturn:
    """Refuse a move of the clock beyond MAX_MS: `what` says where it would go; the hint
    says how much time is left before the maximum."""
    now = sim.clock.now
    left = MAX_MS - now
    raise CommandError(
        f"{what}; the clock cannot pass {iso_ms(MAX_MS)}",
        f"now {iso_ms(now)}: at most {format_duration(left)} of virtual time is left"
        if left > 0
        else "the clock is at the end of its range: nothing moves it further",
    )


def _now_line(sim: Simulator, before_ms: int) -> str:
    moved = sim.clock.now - before_ms
    return f"now {iso_ms(sim.clock.now)} (+{format_duration(moved)})"
