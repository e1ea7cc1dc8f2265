"""Regular expressions of JSONata expressions (`/pattern/flags`), compiled for the engine.

JSONata's `$match`, `$replace`, `$split`, `$contains` and a regex applied as a function run
on Python's `re`, a backtracking matcher: a pattern whose loops can split the same text in
exponentially many ways (`(a+)+$`, `(\\w+\\s?)*$`) can run one call for hours, and the
evaluation's step limits (stptui.sim.asl_jsonata) are only counted between calls. Definitions
are untrusted, so such a pattern is not run: `compile_pattern` gives a pattern that refuses
every use, and `risk` says why, for `validate`. Every other pattern is Python's own, so
results do not change. Rule and its limits: docs/fidelity.md, "Step Functions: JSONata".
"""

from __future__ import annotations

import re
import re._constants as sre  # the parse tree's opcodes (no public API exposes the tree)
import re._parser as sre_parse
from typing import Any

# A counted outer loop that may repeat more than this many times is treated as unbounded:
# `(a+){1,100}` splits text as many ways as `(a+)+`.
MANY_REPEATS = 10
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT)
# Characters tried when asking whether two character sets share one: every ASCII character,
# a few of other Unicode categories, and the literals and range ends of the sets themselves.
_SAMPLES = [chr(c) for c in range(128)] + list("\u00a0\u00e9\u00df\u0130\u0663\u2028\u212a中😀")
# A single-character matcher that matches anything: what a backreference may start with.
_ANYTHING = (sre.ANY, "all")

Atom = tuple[Any, Any]


class RegexRefused(ValueError):
    """A regular expression the simulator does not run (see `risk`)."""


class RefusedPattern:
    """Stands for a refused pattern in the engine: it parses and compiles like any other,
    but every use fails with RegexRefused, so only an expression that runs it fails."""

    def __init__(self, pattern: str, why: str) -> None:
        self.pattern = pattern
        self.why = why

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise RegexRefused(f"the regular expression /{self.pattern}/ {self.why}")

    search = finditer = sub = split = _refuse


def compile_pattern(pattern: str, flags: Any) -> Any:
    """The engine's regex_engine: `pattern` compiled by `re` as jsonata-python does (a bad
    pattern raises re.error, a syntax error of the expression), or a RefusedPattern when
    `risk` finds it can backtrack catastrophically."""
    compiled = re.compile(
        pattern,
        (re.IGNORECASE if flags.case_insensitive else 0) | (re.MULTILINE if flags.multiline else 0),
    )
    why = risk(pattern, compiled.flags)
    return compiled if why is None else RefusedPattern(pattern, why)


def risk(pattern: str, flags: int = 0) -> str | None:
    """Why `pattern` can take exponential time on a backtracking matcher, or None: a loop
    that may repeat without bound (or more than MANY_REPEATS times) holds a part of variable
    length (`+`, `*`, `?`, `{m,n}`) whose characters can also be matched by what comes next
    inside the loop, its next round included. `(a+)+` and `(\\w+\\s?)*` are such; `(\\d+\\.)+`
    and `(,\\w+)*`, whose inner part ends at a character it cannot match, are not."""
    tree = sre_parse.parse(pattern, flags)
    if not _scan(list(tree), [], False, tree.state.flags):
        return None
    return (
        "can backtrack for a very long time: a loop of it repeats a part of variable length "
        "whose characters may also start what follows that part in the loop"
    )


def _first(seq: list[Any]) -> tuple[list[Atom], bool]:
    """The single-character matchers that can start a match of `seq`, and whether `seq`
    can match the empty string."""
    atoms: list[Atom] = []
    for op, av in seq:
        own, nullable = _first_of(op, av)
        atoms.extend(own)
        if not nullable:
            return atoms, False
    return atoms, True


def _first_of(op: Any, av: Any) -> tuple[list[Atom], bool]:
    if op in (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN):
        return [(op, av)], False
    if op in (*_REPEATS, sre.POSSESSIVE_REPEAT):
        atoms, nullable = _first(list(av[2]))
        return atoms, nullable or av[0] == 0
    if op == sre.SUBPATTERN:
        return _first(list(av[3]))
    if op == sre.ATOMIC_GROUP:
        return _first(list(av))
    if op == sre.BRANCH:
        atoms: list[Atom] = []
        nullable = False
        for alt in av[1]:
            more, empty = _first(list(alt))
            atoms.extend(more)
            nullable = nullable or empty
        return atoms, nullable
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return [], True  # zero-width
    return [_ANYTHING], True  # a backreference, a conditional group: could be anything


def _scan(seq: list[Any], follow: list[Atom], in_loop: bool, flags: int) -> bool:
    """Whether `seq` holds a risky loop, given what may follow `seq` inside the nearest
    enclosing unbounded loop (`in_loop`)."""
    for i, (op, av) in enumerate(seq):
        rest, rest_nullable = _first(seq[i + 1 :])
        after = rest + follow if rest_nullable else rest
        if op in _REPEATS:
            low, high, body = av[0], av[1], list(av[2])
            starts, _ = _first(body)
            if in_loop and high > low and _overlap(starts, after, flags):
                return True
            if high == sre.MAXREPEAT or high > MANY_REPEATS:
                found = _scan(body, starts, True, flags)
            else:
                found = _scan(body, starts + after if high > 1 else after, in_loop, flags)
        elif op == sre.SUBPATTERN:
            found = _scan(list(av[3]), after, in_loop, flags)
        elif op in (sre.ATOMIC_GROUP, sre.POSSESSIVE_REPEAT):
            # Neither gives back what it matched: nothing inside can be re-split.
            found = False
        elif op == sre.BRANCH:
            found = any(_scan(list(alt), after, in_loop, flags) for alt in av[1])
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            found = _scan(list(av[1]), [], False, flags)
        else:
            found = False
        if found:
            return True
    return False


def _overlap(a: list[Atom], b: list[Atom], flags: int) -> bool:
    """Whether some character is matched by a matcher of `a` and one of `b`."""
    if not a or not b:
        return False
    samples = set(_SAMPLES)
    for op, av in (*a, *b):
        if op in (sre.LITERAL, sre.NOT_LITERAL):
            samples.add(chr(av))
        elif op == sre.IN:
            for kind, value in av:
                if kind == sre.LITERAL:
                    samples.add(chr(value))
                elif kind == sre.RANGE:
                    samples.update((chr(value[0]), chr(value[1])))
    return any(
        any(_matches(x, ch, flags) for x in a) and any(_matches(x, ch, flags) for x in b)
        for ch in samples
    )


_CATEGORIES = {
    sre.CATEGORY_DIGIT: str.isdecimal,
    sre.CATEGORY_SPACE: str.isspace,
    sre.CATEGORY_WORD: lambda ch: ch.isalnum() or ch == "_",
}
_NEGATED = {
    sre.CATEGORY_NOT_DIGIT: sre.CATEGORY_DIGIT,
    sre.CATEGORY_NOT_SPACE: sre.CATEGORY_SPACE,
    sre.CATEGORY_NOT_WORD: sre.CATEGORY_WORD,
}


def _matches(atom: Atom, ch: str, flags: int) -> bool:
    """Whether the single-character matcher `atom` matches `ch` (either case with
    IGNORECASE). Unknown matchers match: a wrong yes only refuses a pattern."""
    op, av = atom
    chars = {ch, ch.lower(), ch.upper()} if flags & re.IGNORECASE else {ch}
    if op == sre.LITERAL:
        return chr(av) in chars
    if op == sre.NOT_LITERAL:
        return chr(av) not in chars
    if op == sre.ANY:
        return av == "all" or bool(flags & re.DOTALL) or ch != "\n"
    if op != sre.IN:
        return True
    negate = bool(av) and av[0][0] == sre.NEGATE
    hit = any(_in_item(kind, value, c) for kind, value in av for c in chars)
    return hit != negate


def _in_item(kind: Any, value: Any, ch: str) -> bool:
    if kind == sre.NEGATE:
        return False
    if kind == sre.LITERAL:
        return ch == chr(value)
    if kind == sre.RANGE:
        return value[0] <= ord(ch) <= value[1]
    if kind == sre.CATEGORY:
        if value in _CATEGORIES:
            return _CATEGORIES[value](ch)
        if value in _NEGATED:
            return not _CATEGORIES[_NEGATED[value]](ch)
    return True
