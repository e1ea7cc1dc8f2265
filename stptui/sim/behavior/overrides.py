"""Runtime overrides: the `fail`, `succeed` and `slow` commands.

They layer `Override`s on top of the declared behaviour: `fail F` / `fail F always`,
`fail F next N`, `fail F rate P`, `fail F when JMESPATH`, `succeed F` (drops every override of F
and suppresses F's declared failures: timeout, fail and partial rules, and a duration longer
than the timeout; a Python handler's own exceptions still fail), `succeed F --returns JSON`
(that, and each successful invocation returns JSON in place of what the behaviour or the
Python handler returns; `succeed F` alone puts the declared response back), `slow F
DURATION` (replaces the declared duration). A fail override that fires fails the
invocation without running a Python handler; one that does not fire leaves the declared
behaviour in charge. Use
`add_override` to keep a function's list tidy: a new `fail` replaces the previous `fail`
(and `succeed`), a new `slow` the previous `slow`.

`parse_override` reads a command's words, with the fixes for the usual mistakes (an unquoted
condition that the split into words changed, a bare number compared).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from stptui.config.diagnostics import did_you_mean
from stptui.sim.behavior.contexts import InputViews
from stptui.sim.behavior.durations import format_duration, parse_duration
from stptui.sim.behavior.errors import BehaviorError, quote
from stptui.sim.behavior.expressions import (
    CONDITION_EXAMPLE,
    CONSTANTS_HINT,
    compile_expression,
    search,
    truthy,
)
from stptui.sim.behavior.outcome import InvocationInput
from stptui.textsafe import quote_word

# The most digits `fail F next N` takes: a count up to 999,999,999.
_MAX_COUNT_DIGITS = 9
# A probability as `fail F rate P` takes it: ASCII digits, a point, an exponent (and NaN
# and infinity, which the range check then refuses as no probability).
_RATE = re.compile(
    r"[-+]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[-+]?[0-9]+)?|nan|inf(?:inity)?)", re.IGNORECASE
)

OverrideKind = Literal["fail", "succeed", "slow"]
FailMode = Literal["always", "next", "rate", "when"]
# The forms of `fail FUNCTION ...` after its function, as its help, its usage and its
# refusal of another word all write them (one text: the REPL's check before Enter shows
# that refusal too).
FAIL_FORMS = "always | next N | rate P | when JMESPATH"
# Every override's form, a fail's in FAIL_FORMS' words (the behaviour dialog's field says
# them too).
_OVERRIDE_FORMS = f"fail F [{FAIL_FORMS}]; succeed F [--returns JSON]; slow F DURATION"
# The most characters of a `--returns` JSON that `describe` shows.
_SHOWN_RETURNS = 60


@dataclass(eq=False)
class Override:
    """A runtime change to one workload's behaviour (the `fail`, `succeed`, `slow` commands).

    `decide` consumes `fail next N` (it decrements `count`); `used_up` tells when it is spent.
    """

    function: str
    kind: OverrideKind
    mode: FailMode | None = None
    count: int = 0
    total: int = 0
    rate: float = 0.0
    expression: str | None = None
    duration_ms: int | None = None
    # `succeed F --returns JSON`: what each successful invocation returns, as compact JSON
    # text (None: what the behaviour or handler returns; JSON's null is "null").
    returns: str | None = None
    compiled: Any = field(default=None, repr=False)

    @property
    def used_up(self) -> bool:
        """True once a `fail next N` has failed its N invocations."""
        return self.mode == "next" and self.count <= 0

    def command(self) -> str:
        """The command that recreates this override as it is now (for saved sessions)."""
        if self.kind == "succeed":
            if self.returns is not None:
                return f"succeed {quote_word(self.function)} --returns {quote_word(self.returns)}"
            return f"succeed {quote_word(self.function)}"
        if self.kind == "slow":
            return f"slow {quote_word(self.function)} {self.duration_ms}ms"
        if self.mode == "next":
            return f"fail {quote_word(self.function)} next {self.count}"
        if self.mode == "rate":
            return f"fail {quote_word(self.function)} rate {self.rate:g}"
        if self.mode == "when":
            return f"fail {quote_word(self.function)} when {condition_word(self.expression or '')}"
        return f"fail {quote_word(self.function)} always"

    def label(self) -> str:
        """The command as the user typed it (`fail worker next 3`, whatever is left of it)."""
        if self.mode == "next":
            return f"fail {quote_word(self.function)} next {self.total}"
        return self.command()

    def describe(self) -> str:
        """One line for the UI: `fail worker next 3 (2 left)`, `slow worker 2 s`."""
        if self.returns is not None and len(self.returns) > _SHOWN_RETURNS:
            # A whole page of JSON would push the rest of the line (and the inspector's
            # other rows) away: its start says which it is.
            cut = self.returns[: _SHOWN_RETURNS - 1] + "…"
            return f"succeed {quote_word(self.function)} --returns {quote_word(cut)}"
        if self.kind == "slow":
            return f"slow {quote_word(self.function)} {format_duration(self.duration_ms or 0)}"
        if self.mode == "next":
            left = "used up" if self.used_up else f"{self.count} left"
            return f"fail {quote_word(self.function)} next {self.total} ({left})"
        return self.command()

    def fires(self, inp: InvocationInput, rng: random.Random, data: InputViews) -> bool:
        """Whether this `fail` override fails the invocation: `always` does; `next N` while
        any are left (taking one); `rate` by a draw of `rng`; `when` when its condition holds
        for one of the inputs."""
        mode = self.mode
        if mode == "next":
            if self.count <= 0:
                return False
            self.count -= 1
            return True
        if mode == "rate":
            if self.rate <= 0.0:
                return False
            return self.rate >= 1.0 or rng.random() < self.rate
        if mode == "when":
            where = f"override `{self.command()}`"
            return any(truthy(search(self.compiled, c, where)) for _, c in data.contexts())
        return True


def parse_override(words: list[str], typed: str | None = None) -> Override:
    """Parse an override command given as words, verb and function included.

    `["fail", "worker", "next", "3"]`, `["succeed", "worker"]`, `["slow", "worker", "2s"]`.
    Raises BehaviorError with a message and an example on anything else.

    `typed` is a `when` condition as it was typed, before the line was split into words:
    a condition typed without quotes that the split changed (`'poison'` became `poison`,
    a field name) is refused with the quoted line that means what was typed.
    """
    if not words:
        raise BehaviorError("empty override", f"forms: {_OVERRIDE_FORMS}")
    verb = words[0].lower()
    if verb not in ("fail", "succeed", "slow"):
        raise BehaviorError(
            f"unknown override {quote(words[0])}; use fail, succeed or slow",
            f"forms: {_OVERRIDE_FORMS}",
        )
    examples = {"fail": "fail worker next 3", "succeed": "succeed worker", "slow": "slow worker 2s"}
    if len(words) < 2 or not words[1]:
        raise BehaviorError(f"{verb} needs a function name", f"e.g. `{examples[verb]}`")
    fn, rest = words[1], words[2:]
    if verb == "succeed":
        if rest:
            raise BehaviorError(
                f"succeed takes only a function name, not {quote(' '.join(rest))}",
                f"e.g. `succeed {quote_word(fn)}`",
                word=rest[0],
            )
        return Override(fn, "succeed")
    if verb == "slow":
        if not rest:
            raise BehaviorError("slow needs a duration", f"e.g. `slow {quote_word(fn)} 2s`")
        try:
            ms = parse_duration(" ".join(rest))
        except BehaviorError as exc:
            raise BehaviorError(
                f"slow: {exc}", exc.hint or f"e.g. `slow {quote_word(fn)} 2s`"
            ) from None
        return Override(fn, "slow", duration_ms=ms)
    if not rest:
        return Override(fn, "fail", "always")
    mode = rest[0].lower()
    args = rest[1:]
    if mode == "always":
        if args:
            raise BehaviorError(
                f"`fail {quote_word(fn)} always` takes nothing more, not {quote(' '.join(args))}",
                f"e.g. `fail {quote_word(fn)} always`",
                word=args[0],
            )
        return Override(fn, "fail", "always")
    if mode == "next":
        if not args:
            raise BehaviorError(
                f"`fail {quote_word(fn)} next N` needs a count",
                f"write a whole number from 1 to {10**_MAX_COUNT_DIGITS - 1:,}",
                word=rest[0],
            )
        if len(args) > 1:
            raise BehaviorError(
                f"`fail {quote_word(fn)} next N` takes one count, not {quote(' '.join(args))}",
                f"e.g. `fail {quote_word(fn)} next {args[0]}`",
                word=args[1],
            )
        if not re.fullmatch(r"[0-9]+", args[0]):
            raise BehaviorError(
                f"next needs a whole number, e.g. `fail {quote_word(fn)} next 3`", word=args[0]
            )
        if len(args[0].lstrip("0")) > _MAX_COUNT_DIGITS:
            raise BehaviorError(
                f"next needs a whole number of at most {10**_MAX_COUNT_DIGITS - 1:,}",
                f"e.g. `fail {quote_word(fn)} next 3`",
                word=args[0],
            )
        n = int(args[0])
        if n < 1:
            raise BehaviorError(
                f"next needs a whole number of at least 1, e.g. `fail {quote_word(fn)} next 3`",
                word=args[0],
            )
        return Override(fn, "fail", "next", count=n, total=n)
    if mode == "rate":
        example = f"e.g. `fail {quote_word(fn)} rate 0.3` or `fail {quote_word(fn)} rate 30%`"
        if len(args) != 1:
            # The second probability, or `rate` itself when none follows it.
            raise BehaviorError(
                "rate needs one probability between 0 and 1",
                example,
                word=args[1] if args else rest[0],
            )
        text = args[0]
        number = text[:-1] if text.endswith("%") else text
        # float() also reads `1_0` and other scripts' digits (`０.５`), which no number of
        # the command language is written in.
        if not _RATE.fullmatch(number):
            raise BehaviorError(f"rate needs a number, not {quote(text)}", example, word=text)
        p = float(number) / 100 if text.endswith("%") else float(number)
        if not 0.0 <= p <= 1.0:
            raise BehaviorError(f"a probability is between 0 and 1, not {text}", example, word=text)
        return Override(fn, "fail", "rate", rate=p)
    if mode == "when":
        expression = " ".join(args).strip()
        example = f'fail {quote_word(fn)} when "{CONDITION_EXAMPLE}"'
        if not expression:
            raise BehaviorError("when needs a JMESPath condition", f"e.g. {example}", word=rest[0])
        if len(args) > 1:
            return _split_condition(fn, args, expression, typed)
        try:
            compiled = compile_expression(expression, example)
        except BehaviorError as exc:
            raise BehaviorError(str(exc), exc.hint, word=args[0]) from None
        return Override(fn, "fail", "when", expression=expression, compiled=compiled)
    guess = did_you_mean(mode, ("always", "next", "rate", "when"))
    raise BehaviorError(
        f"unknown fail form {quote(rest[0])}" + (f"; did you mean {guess}?" if guess else ""),
        f"forms: fail {quote_word(fn)} [{FAIL_FORMS}]",
        word=rest[0],
    )


def _split_condition(fn: str, args: list[str], expression: str, typed: str | None) -> Override:
    """`fail FN when ...` whose condition was typed without quotes, so arrived as several
    words: taken as they read joined, unless the split lost quotes from what was typed.
    A refusal offers the whole line, the condition quoted as one word, when it knows one."""
    # Quotes counted, not words compared: quotes typed with backslashes (\'poison\') reach
    # the condition as they read, so the line already means what it says.
    if typed is not None and _quote_count(typed) != _quote_count(expression):
        typed = typed.strip()
        raise BehaviorError(
            "quote the whole condition: split into words, it loses its own quotes and reads "
            + quote(expression),
            f"fail {quote_word(fn)} when {condition_word(_repaired(typed) or typed)}",
        )
    try:
        compiled = compile_expression(expression)
    except BehaviorError as exc:
        repaired = _repaired(expression)
        hint = (
            "numbers are JSON constants in backticks: "
            f"fail {quote_word(fn)} when {condition_word(repaired)}"
            if repaired
            else f'e.g. fail {quote_word(fn)} when "{CONDITION_EXAMPLE}"; {CONSTANTS_HINT}'
        )
        raise BehaviorError(str(exc), hint) from None
    return Override(fn, "fail", "when", expression=expression, compiled=compiled)


def _quote_count(text: str) -> int:
    """How many of JMESPath's quote characters (' " `) `text` holds."""
    return sum(text.count(q) for q in "'\"`")


def condition_word(text: str) -> str:
    """A `when` condition as one word of a command line, as the tokeniser reads it back:
    bare, in `$'...'` (a line break) or, when it holds a `"` and no `'`, in single quotes,
    as `quote_word` writes it; else in double quotes, a `"` or backslash inside escaped, as
    the examples write conditions (`"body.kind == 'poison'"`): JMESPath's raw strings use
    single quotes, which `quote_word` would splice in as `'"'"'`."""
    word = quote_word(text)
    if word == text or word.startswith("$'") or ('"' in text and "'" not in text):
        return word
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# A quoted part of a JMESPath expression (raw string, quoted name or JSON constant), left as
# it is, and a bare number beside a comparison, which JMESPath writes as `1000`.
_QUOTED_PART = re.compile(r"""('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`)""")
_NUMBER_COMPARED = re.compile(r"(==|!=|<=|>=|<|>)(\s*)(-?\d+(?:\.\d+)?)(?![\w.])")


def _repaired(expression: str) -> str | None:
    """`expression`, which does not parse, with each bare number compared with something
    written as a JSON constant (body.amount > 1000 becomes body.amount > `1000`), when that
    parses; else None."""
    if _parses(expression):
        return None
    parts = _QUOTED_PART.split(expression)
    for i in range(0, len(parts), 2):
        parts[i] = _NUMBER_COMPARED.sub(r"\1\2`\3`", parts[i])
    repaired = "".join(parts)
    return repaired if _parses(repaired) else None


def _parses(expression: str) -> bool:
    try:
        compile_expression(expression)
    except BehaviorError:
        return False
    return True


def add_override(overrides: list[Override], new: Override) -> None:
    """Add `new` to one function's override list, dropping what it replaces (and spent ones).

    `succeed` clears the list; `fail` replaces earlier `fail` and `succeed` overrides;
    `slow` replaces an earlier `slow`.
    """
    drop_replaced(overrides, new)
    overrides.append(new)


def drop_replaced(overrides: list[Override], new: Override) -> None:
    """Drop from `overrides` what `new` replaces (and spent ones), without adding it: a
    container workload's override (`fail web`) replaces its containers' own (`web.app`)."""
    if new.kind == "succeed":
        overrides.clear()
    elif new.kind == "fail":
        overrides[:] = [o for o in overrides if o.kind == "slow"]
    else:
        overrides[:] = [o for o in overrides if o.kind != "slow" and not o.used_up]
