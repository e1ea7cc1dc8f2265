"""CloudWatch Logs filter patterns: parsing, matching and explanation (pure, deterministic).

The grammar is CloudWatch Logs' "Filter pattern syntax for metric filters, subscription
filters, filter log events, and Live Tail" (docs/fidelity.md, "CloudWatch Logs"):

* An empty pattern matches every event.
* Terms: ``ERROR Exception`` (every term appears), ``?ERROR ?WARN`` (at least one of the
  ``?`` terms appears), ``ERROR -Exiting`` (no ``-`` term appears). Terms are
  case-sensitive and match anywhere in the message ("ERROR" matches "ERRORCODE", the
  guide's own example). A term with characters other than letters, digits and ``_`` must be
  quoted (``"Status: timeout"``).
* JSON: ``{ $.level = "ERROR" && ($.latency > 500 || $.code != 200) }`` on a message that
  is a JSON object; selectors ``$.a.b``, ``$.a[0]``; ``=``/``!=`` on strings with ``*``
  wildcards; ``= != < > <= >=`` on numbers; ``IS NULL``, ``IS TRUE``, ``IS FALSE``,
  ``NOT EXISTS``; ``&&`` binds tighter than ``||``; parentheses group.
* Space-delimited: ``[ip, user, ..., status_code = 4*, bytes > 1000]`` on a message cut at
  spaces, where text between ``"`` or ``[ ]`` is one field; ``...`` stands for any number of
  fields; a field's condition may join conditions on the same field with ``&&``/``||``.
* Regular expressions ``%...%``: a whole pattern, or a value in JSON and space-delimited
  patterns (at most two there), with the characters CloudWatch Logs supports.

A pattern CloudWatch Logs would refuse raises FilterPatternError, with a reason and the
0-based offset of the character at fault; the API's own answer is "Invalid filter pattern".
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from stptui.textsafe import json_text

__all__ = [
    "MAX_PATTERN_CHARS",
    "FilterPattern",
    "FilterPatternError",
    "LogExplanation",
    "compile_filter",
    "explain",
    "matches",
]

# PutSubscriptionFilter's filterPattern: "Length Constraints: Minimum length of 0. Maximum
# length of 1024."
MAX_PATTERN_CHARS = 1024
# "There is a limit of 2 regex for each filter pattern when creating a delimited or JSON
# filter pattern".
MAX_REGEX_IN_STRUCTURED = 2
# The characters a regex may hold: letters, digits, the supported symbols and operators.
_REGEX_SYMBOLS = frozenset("_#=@/;,-:^$?[]{}|\\*+.")
_TERM_CHARS = re.compile(r"\w+")
_NAME = re.compile(r"[A-Za-z0-9_\-]+")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


class FilterPatternError(ValueError):
    """A pattern CloudWatch Logs refuses: `reason` says why, `offset` is the 0-based index
    of the character at fault; `aws_message` is the API's answer."""

    def __init__(self, reason: str, offset: int) -> None:
        super().__init__(f"{reason} (at character {offset + 1})")
        self.reason = reason
        self.offset = offset

    @property
    def aws_message(self) -> str:
        """What PutSubscriptionFilter answers (InvalidParameterException)."""
        return "Invalid filter pattern"


# -- verdicts ---------------------------------------------------------------------------


@dataclass(slots=True)
class LogExplanation:
    """The verdict of one pattern on one message: `reasons` are the clauses that decided
    it (the failing ones on a miss, the holding ones on a match)."""

    matched: bool
    reasons: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Plain text: a verdict line, then one indented line per reason."""
        head = "matched" if self.matched else "not matched"
        return [head, *(f"  {r}" for r in self.reasons)]


# A check returns (holds, reasons); `why` is False on the fast path, which skips the words.
Check = Callable[[Any, bool], tuple[bool, list[str]]]


def _show(text: str, limit: int = 60) -> str:
    """A message value quoted for an explanation, cut when long."""
    shown = json_text(text)
    return shown if len(shown) <= limit else shown[: limit - 4] + '..."'


# -- values: strings with wildcards, numbers, regexes ------------------------------------


@dataclass(frozen=True, slots=True)
class _Value:
    """The right-hand side of a comparison."""

    text: str  # as written
    number: float | None  # a numeric literal
    string: Callable[[str], bool] | None  # a string literal with wildcards, or a regex
    regex: bool = False

    def equals(self, value: Any) -> bool:
        """`=` on a JSON value or a delimited field (a str)."""
        if isinstance(value, bool) or value is None:
            return False
        if self.number is not None:
            num = _as_number(value)
            return num is not None and num == self.number
        if isinstance(value, (int, float)):
            value = _number_text(value)
        return self.string is not None and isinstance(value, str) and self.string(value)


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        return float(value)
    return None


def _wildcard(text: str) -> Callable[[str], bool]:
    """`*` matches any text, anywhere in the value."""
    if "*" not in text:
        return text.__eq__
    rx = re.compile(".*".join(re.escape(p) for p in text.split("*")), re.DOTALL)
    return lambda s: rx.fullmatch(s) is not None


def _compile_regex(body: str, offset: int) -> re.Pattern[str]:
    """A `%...%` body (without the `%`), checked against what CloudWatch Logs supports."""
    if not body:
        raise FilterPatternError("a regular expression between % and % is empty", offset)
    for i, ch in enumerate(body):
        if ch in "()":
            raise FilterPatternError(
                "regular expressions may not use ( and ): subpatterns are not supported",
                offset + 1 + i,
            )
        if ord(ch) > 127:
            raise FilterPatternError(
                f"multi-byte character {ch!r} is not supported in a regular expression",
                offset + 1 + i,
            )
        if not (ch.isalnum() or ch in _REGEX_SYMBOLS):
            raise FilterPatternError(
                f"character {ch!r} is not supported in a regular expression", offset + 1 + i
            )
    try:
        return re.compile(body)
    except re.error as exc:
        raise FilterPatternError(f"invalid regular expression: {exc.msg}", offset) from None


# -- the tokenizer of JSON and space-delimited patterns ----------------------------------


class _Lexer:
    """Tokens of a JSON or space-delimited pattern: operators, quoted strings, regexes,
    selectors and bare words, each with its offset in the whole pattern."""

    _OPS = ("&&", "||", "!=", "<=", ">=", "=", "<", ">", "(", ")", ",", "[", "]", "{", "}")

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text = text
        self.pos = start
        self.end = end

    def skip(self) -> None:
        """Skip whitespace."""
        while self.pos < self.end and self.text[self.pos].isspace():
            self.pos += 1

    def peek_op(self, *ops: str) -> str | None:
        """The operator among `ops` at the cursor (after whitespace), without taking it."""
        self.skip()
        for op in ops:
            if self.text.startswith(op, self.pos) and self.pos + len(op) <= self.end:
                return op
        return None

    def take_op(self, *ops: str) -> str | None:
        """Take and return one of `ops` when it is next."""
        op = self.peek_op(*ops)
        if op is not None:
            self.pos += len(op)
        return op

    def expect(self, op: str, what: str) -> None:
        """Take `op` or fail saying `what` was expected."""
        if self.take_op(op) is None:
            raise FilterPatternError(f"expected {what}", min(self.pos, self.end))

    def at_end(self) -> bool:
        """True when only whitespace is left."""
        self.skip()
        return self.pos >= self.end

    def word(self, stop: str) -> tuple[str, int]:
        """A bare word: everything up to whitespace or a character of `stop`."""
        self.skip()
        start = self.pos
        while self.pos < self.end and not self.text[self.pos].isspace():
            if self.text[self.pos] in stop or self.text.startswith(("&&", "||"), self.pos):
                break
            self.pos += 1
        return self.text[start : self.pos], start

    def quoted(self) -> tuple[str, int]:
        """A double-quoted string (``\\"`` and ``\\\\`` escaped) at the cursor."""
        start = self.pos
        out: list[str] = []
        i = start + 1
        while i < self.end:
            ch = self.text[i]
            if ch == "\\" and i + 1 < self.end:
                out.append(self.text[i + 1])
                i += 2
                continue
            if ch == '"':
                self.pos = i + 1
                return "".join(out), start
            out.append(ch)
            i += 1
        raise FilterPatternError("a quoted string is not closed", start)

    def regex(self) -> tuple[re.Pattern[str], int]:
        """A `%...%` regular expression at the cursor."""
        start = self.pos
        close = self.text.find("%", start + 1, self.end)
        if close < 0:
            raise FilterPatternError("a regular expression is not closed with %", start)
        self.pos = close + 1
        return _compile_regex(self.text[start + 1 : close], start), start

    def value(self, stop: str) -> _Value:
        """The value after an operator: a quoted string, a regex, a number or a word."""
        self.skip()
        if self.pos >= self.end:
            raise FilterPatternError("expected a value after the operator", self.end)
        ch = self.text[self.pos]
        if ch == '"':
            text, _ = self.quoted()
            return _Value(json.dumps(text), None, _wildcard(text))
        if ch == "%":
            rx, start = self.regex()
            return _Value(
                self.text[start : self.pos], None, lambda s: rx.search(s) is not None, True
            )
        word, start = self.word(stop)
        if not word:
            raise FilterPatternError("expected a value after the operator", start)
        if _NUMBER.fullmatch(word):
            return _Value(word, float(word), None)
        for i, c in enumerate(word):
            if not (c.isalnum() or c in "_*.-:/@"):
                raise FilterPatternError(
                    f"character {c!r} in the value {word!r} must be inside double quotes",
                    start + i,
                )
        return _Value(word, None, _wildcard(word))


# -- terms --------------------------------------------------------------------------------


def _compile_terms(text: str) -> Check:
    """Terms, `?` terms and `-` terms, separated by whitespace."""
    required: list[str] = []
    optional: list[str] = []
    excluded: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        prefix = ""
        if text[i] in "?-":
            prefix = text[i]
            i += 1
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                raise FilterPatternError(f"{prefix} must be followed by a term", i - 1)
        start = i
        if text[i] == '"':
            lex = _Lexer(text, i, n)
            term, _ = lex.quoted()
            i = lex.pos
            if i < n and not text[i].isspace():
                raise FilterPatternError("put a space after a quoted term", i)
        else:
            while i < n and not text[i].isspace():
                i += 1
            term = text[start:i]
            if not _TERM_CHARS.fullmatch(term):
                bad = next(c for c in term if not (c.isalnum() or c == "_"))
                raise FilterPatternError(
                    f"Invalid character(s) in term '{bad}': quote a term that has "
                    "characters other than letters, digits and _",
                    start + term.index(bad),
                )
        {"": required, "?": optional, "-": excluded}[prefix].append(term)

    def check(message: Any, why: bool) -> tuple[bool, list[str]]:
        if not why:
            return (
                all(t in message for t in required)
                and (not optional or any(t in message for t in optional))
                and not any(t in message for t in excluded),
                [],
            )
        held: list[str] = []
        failed: list[str] = []
        for term in required:
            if term in message:
                held.append(f"term {_show(term)} appears")
            else:
                failed.append(f"term {_show(term)} does not appear")
        if optional:
            hits = [t for t in optional if t in message]
            if hits:
                held.append(f"term ?{_show(hits[0])} appears")
            else:
                names = ", ".join(_show(t) for t in optional)
                failed.append(f"none of the ? terms appears ({names})")
        for term in excluded:
            if term in message:
                failed.append(f"excluded term -{_show(term)} appears")
            else:
                held.append(f"excluded term -{_show(term)} does not appear")
        return (not failed, failed or held)

    return check


# -- JSON patterns ------------------------------------------------------------------------


_MISSING = object()


def _select(doc: Any, path: tuple[str | int, ...]) -> Any:
    """The value a selector names, or _MISSING."""
    node = doc
    for step in path:
        if isinstance(step, int):
            if not isinstance(node, list) or step >= len(node):
                return _MISSING
            node = node[step]
        else:
            if not isinstance(node, dict) or step not in node:
                return _MISSING
            node = node[step]
    return node


def _selector(lex: _Lexer) -> tuple[tuple[str | int, ...], str]:
    """`$.a.b[0].c`: the path and its text."""
    lex.skip()
    start = lex.pos
    text = lex.text
    if lex.pos >= lex.end or text[lex.pos] != "$":
        raise FilterPatternError("a JSON condition starts with a selector such as $.level", start)
    lex.pos += 1
    path: list[str | int] = []
    while lex.pos < lex.end:
        ch = text[lex.pos]
        if ch == ".":
            m = _NAME.match(text, lex.pos + 1, lex.end)
            if m is None:
                raise FilterPatternError(
                    "a selector's property name may hold letters, digits, - and _", lex.pos + 1
                )
            path.append(m.group())
            lex.pos = m.end()
        elif ch == "[":
            m = re.compile(r"\[(\d+)\]").match(text, lex.pos, lex.end)
            if m is None:
                raise FilterPatternError("an array index is written [NUMBER]", lex.pos)
            if not path:
                raise FilterPatternError("an array index must follow a property", lex.pos)
            path.append(int(m.group(1)))
            lex.pos = m.end()
        else:
            break
    if not path:
        raise FilterPatternError("a selector names a property: $.name", start)
    return tuple(path), text[start : lex.pos]


def _describe_json(value: Any) -> str:
    if value is _MISSING:
        return "missing"
    return json_text(value)[:60]


class _JsonParser:
    """Recursive descent over `||`, `&&`, parentheses and conditions."""

    def __init__(self, lex: _Lexer) -> None:
        self.lex = lex
        self.regexes = 0

    def parse_or(self) -> Check:
        parts = [self.parse_and()]
        while self.lex.take_op("||"):
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else _any(parts)

    def parse_and(self) -> Check:
        parts = [self.parse_unary()]
        while self.lex.take_op("&&"):
            parts.append(self.parse_unary())
        return parts[0] if len(parts) == 1 else _all(parts)

    def parse_unary(self) -> Check:
        lex = self.lex
        if lex.take_op("("):
            inner = self.parse_or()
            lex.expect(")", "a closing )")
            return inner
        path, sel = _selector(lex)
        lex.skip()
        rest = lex.text[lex.pos : lex.end]
        for words, kind in (
            (("IS", "NULL"), "null"),
            (("IS", "TRUE"), "true"),
            (("IS", "FALSE"), "false"),
            (("NOT", "EXISTS"), "absent"),
        ):
            m = re.match(rf"{words[0]}\s+{words[1]}\b", rest)
            if m:
                lex.pos += m.end()
                return _is_check(path, sel, kind)
        op = lex.take_op("!=", "<=", ">=", "=", "<", ">")
        if op is None:
            raise FilterPatternError(
                f"expected an operator (=, !=, <, >, <=, >=, IS NULL, NOT EXISTS) after {sel}",
                lex.pos,
            )
        at = lex.pos
        value = lex.value("()&|}")
        if value.regex:
            self.regexes += 1
            if self.regexes > MAX_REGEX_IN_STRUCTURED:
                raise FilterPatternError(
                    "a JSON or space-delimited pattern may hold at most 2 regular expressions", at
                )
        if op not in ("=", "!=") and value.number is None:
            raise FilterPatternError(f"{op} compares numbers: {value.text} is not a number", at)
        return _compare_check(path, sel, op, value)


def _any(parts: list[Check]) -> Check:
    def check(doc: Any, why: bool) -> tuple[bool, list[str]]:
        failed: list[str] = []
        for part in parts:
            ok, reasons = part(doc, why)
            if ok:
                return True, reasons
            failed += reasons
        return False, failed

    return check


def _all(parts: list[Check]) -> Check:
    def check(doc: Any, why: bool) -> tuple[bool, list[str]]:
        held: list[str] = []
        for part in parts:
            ok, reasons = part(doc, why)
            if not ok:
                return False, reasons
            held += reasons
        return True, held

    return check


def _is_check(path: tuple[str | int, ...], sel: str, kind: str) -> Check:
    words = {"null": "IS NULL", "true": "IS TRUE", "false": "IS FALSE", "absent": "NOT EXISTS"}

    def check(doc: Any, why: bool) -> tuple[bool, list[str]]:
        got = _select(doc, path)
        if kind == "absent":
            ok = got is _MISSING
        elif kind == "null":
            ok = got is None
        else:
            ok = got is (kind == "true")
        if not why:
            return ok, []
        return ok, [f"{sel} {words[kind]}: {'holds' if ok else 'got ' + _describe_json(got)}"]

    return check


_NUMERIC = {
    "<": float.__lt__,
    ">": float.__gt__,
    "<=": float.__le__,
    ">=": float.__ge__,
}


def _compare_check(path: tuple[str | int, ...], sel: str, op: str, value: _Value) -> Check:
    def check(doc: Any, why: bool) -> tuple[bool, list[str]]:
        got = _select(doc, path)
        # The selector must name a value node: a missing field, an object or an array
        # matches neither = nor != (the guide: "the filter will not be applied").
        if got is _MISSING or isinstance(got, (dict, list)):
            ok = False
        elif op in _NUMERIC:
            num = got if isinstance(got, (int, float)) and not isinstance(got, bool) else None
            ok = num is not None and _NUMERIC[op](float(num), value.number or 0.0)
        elif value.number is not None and not (
            isinstance(got, (int, float)) and not isinstance(got, bool)
        ):
            ok = False if op == "=" else got is not None and not isinstance(got, bool)
        else:
            eq = value.equals(got)
            ok = eq if op == "=" else not eq
        if not why:
            return ok, []
        verdict = "holds" if ok else f"got {_describe_json(got)}"
        return ok, [f"{sel} {op} {value.text}: {verdict}"]

    return check


def _compile_json(text: str, start: int, end: int) -> Check:
    lex = _Lexer(text, start + 1, end - 1)
    if lex.at_end():
        raise FilterPatternError("a JSON pattern { } holds at least one condition", start)
    parser = _JsonParser(lex)
    body = parser.parse_or()
    if not lex.at_end():
        raise FilterPatternError("expected && or || between conditions", lex.pos)

    def check(message: Any, why: bool) -> tuple[bool, list[str]]:
        try:
            doc = json.loads(message)
        except (ValueError, RecursionError):
            doc = _MISSING
        if not isinstance(doc, dict):
            return False, ["the message is not a JSON object"] if why else []
        return body(doc, why)

    return check


# -- space-delimited patterns -------------------------------------------------------------


def split_fields(message: str) -> list[str]:
    """A message's space-delimited fields: text between `"` and `"`, or `[` and `]`, is one
    field (without them); runs of spaces separate fields."""
    fields: list[str] = []
    i, n = 0, len(message)
    while i < n:
        ch = message[i]
        if ch.isspace():
            i += 1
            continue
        if ch in '"[':
            close = message.find('"' if ch == '"' else "]", i + 1)
            if close >= 0:
                fields.append(message[i + 1 : close])
                i = close + 1
                continue
        start = i
        while i < n and not message[i].isspace():
            i += 1
        fields.append(message[start:i])
    return fields


@dataclass(slots=True)
class _Field:
    """One slot of a space-delimited pattern: a name (None for `...`) and its condition."""

    name: str | None
    cond: Check | None = None


def _delimited_condition(lex: _Lexer, name: str, parser_regexes: list[int]) -> Check:
    """`op value` joined by && / || with the same field named again."""
    alternatives: list[list[tuple[str, _Value]]] = [[]]
    while True:
        op = lex.take_op("!=", "<=", ">=", "=", "<", ">")
        if op is None:
            raise FilterPatternError(f"expected an operator after the field {name}", lex.pos)
        at = lex.pos
        value = lex.value(",]&|")
        if value.regex:
            parser_regexes[0] += 1
            if parser_regexes[0] > MAX_REGEX_IN_STRUCTURED:
                raise FilterPatternError(
                    "a JSON or space-delimited pattern may hold at most 2 regular expressions", at
                )
        if op not in ("=", "!=") and value.number is None:
            raise FilterPatternError(f"{op} compares numbers: {value.text} is not a number", at)
        alternatives[-1].append((op, value))
        joiner = lex.take_op("&&", "||")
        if joiner is None:
            break
        if joiner == "||":
            alternatives.append([])
        again, at = lex.word(",]=!<>&|")
        if again != name:
            # AWS answers "Invalid filter pattern" to `status_code = 4* && bytes > 1000`.
            raise FilterPatternError(
                f"a condition of the field {name} may name only {name}, not {again or 'nothing'}",
                at,
            )

    def holds(op: str, value: _Value, token: str) -> bool:
        if op in _NUMERIC:
            num = _as_number(token)
            return num is not None and _NUMERIC[op](num, value.number or 0.0)
        eq = value.equals(token)
        return eq if op == "=" else not eq

    def check(token: Any, why: bool) -> tuple[bool, list[str]]:
        for conds in alternatives:
            if all(holds(op, v, token) for op, v in conds):
                text = " && ".join(f"{name} {op} {v.text}" for op, v in conds)
                return True, [f"{text}: {_show(token)} holds"] if why else []
        if not why:
            return False, []
        text = " || ".join(
            " && ".join(f"{name} {op} {v.text}" for op, v in c) for c in alternatives
        )
        return False, [f"{text}: got {_show(token)}"]

    return check


def _compile_delimited(text: str, start: int, end: int) -> Check:
    lex = _Lexer(text, start + 1, end - 1)
    slots: list[_Field] = []
    regexes = [0]
    if lex.at_end():
        raise FilterPatternError("a space-delimited pattern [ ] names at least one field", start)
    while True:
        lex.skip()
        if lex.text.startswith("...", lex.pos) or lex.text.startswith("…", lex.pos):
            lex.pos += 3 if lex.text.startswith("...", lex.pos) else 1
            slots.append(_Field(None))
        else:
            name, at = lex.word(",]=!<>&|")
            if not name:
                raise FilterPatternError("expected a field name", at)
            if not re.fullmatch(r"\w+", name):
                raise FilterPatternError(
                    f"a field name may hold letters, digits and _, not {name!r}", at
                )
            cond = None
            if lex.peek_op("!=", "<=", ">=", "=", "<", ">"):
                cond = _delimited_condition(lex, name, regexes)
            slots.append(_Field(name, cond))
        if lex.at_end():
            break
        lex.expect(",", "a comma between fields")
        if lex.at_end():
            # A trailing comma is one more field without a name: the guide's
            # `[..., request=*.html*, status_code=4*,]` extracts `$7`, the bytes after it.
            slots.append(_Field(f"${len(slots) + 1}"))
            break
    return _delimited_check(slots)


def _delimited_check(slots: list[_Field]) -> Check:
    def align(tokens: list[str], si: int, ti: int, out: list[tuple[_Field, str]]) -> bool:
        if si == len(slots):
            return ti == len(tokens)
        slot = slots[si]
        if slot.name is None:
            for skip in range(len(tokens) - ti + 1):
                if align(tokens, si + 1, ti + skip, out):
                    return True
            return False
        if ti >= len(tokens):
            return False
        out.append((slot, tokens[ti]))
        if align(tokens, si + 1, ti + 1, out):
            return True
        out.pop()
        return False

    named = sum(1 for s in slots if s.name is not None)
    open_ended = any(s.name is None for s in slots)

    def check(message: Any, why: bool) -> tuple[bool, list[str]]:
        tokens = split_fields(message)
        pairs: list[tuple[_Field, str]] = []
        if not align(tokens, 0, 0, pairs):
            if not why:
                return False, []
            need = f"at least {named}" if open_ended else str(named)
            return False, [f"the message has {len(tokens)} fields; the pattern needs {need}"]
        held: list[str] = []
        for slot, token in pairs:
            if slot.cond is None:
                continue
            ok, reasons = slot.cond(token, why)
            if not ok:
                return False, reasons
            held += reasons
        if why and not held:
            held = [f"the message's {len(tokens)} fields fit the pattern"]
        return True, held

    return check


# -- compiled patterns --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FilterPattern:
    """A compiled filter pattern: `kind` is all, terms, json, delimited or regex."""

    text: str
    kind: str
    _check: Check

    def matches(self, message: str) -> bool:
        """True when a log event with this message passes the filter."""
        return self._check(message, False)[0]

    def explain(self, message: str) -> LogExplanation:
        """Whether the message matches, and the clauses that decided it."""
        ok, reasons = self._check(message, True)
        return LogExplanation(ok, reasons)


def _match_all(_message: Any, why: bool) -> tuple[bool, list[str]]:
    return True, ["an empty pattern matches every log event"] if why else []


def compile_filter(text: str) -> FilterPattern:
    """Parse a filter pattern; raise FilterPatternError where CloudWatch Logs would refuse it."""
    if not isinstance(text, str):
        raise FilterPatternError("a filter pattern is a string", 0)
    if len(text) > MAX_PATTERN_CHARS:
        raise FilterPatternError(
            f"a filter pattern is at most {MAX_PATTERN_CHARS} characters, not {len(text)}",
            MAX_PATTERN_CHARS,
        )
    stripped = text.strip()
    if not stripped:
        return FilterPattern(text, "all", _match_all)
    start = len(text) - len(text.lstrip())
    end = start + len(stripped)
    first, last = stripped[0], stripped[-1]
    if first == "{":
        if last != "}":
            raise FilterPatternError("a JSON pattern ends with }", end - 1)
        return FilterPattern(text, "json", _compile_json(text, start, end))
    if first == "[":
        if last != "]":
            raise FilterPatternError("a space-delimited pattern ends with ]", end - 1)
        return FilterPattern(text, "delimited", _compile_delimited(text, start, end))
    if first == "%" and last == "%" and len(stripped) > 1 and stripped.count("%") == 2:
        rx = _compile_regex(stripped[1:-1], start)

        def regex_check(message: Any, why: bool) -> tuple[bool, list[str]]:
            ok = rx.search(message) is not None
            if not why:
                return ok, []
            return ok, [f"{stripped} {'is found' if ok else 'is not found'} in the message"]

        return FilterPattern(text, "regex", regex_check)
    return FilterPattern(text, "terms", _compile_terms(text))


def matches(pattern: str | FilterPattern, message: str) -> bool:
    """True when `message` passes `pattern` (text or compiled)."""
    if not isinstance(pattern, FilterPattern):
        pattern = compile_filter(pattern)
    return pattern.matches(message)


def explain(pattern: str | FilterPattern, message: str) -> LogExplanation:
    """Why `message` does or does not pass `pattern`; `.matched` equals `matches`."""
    if not isinstance(pattern, FilterPattern):
        pattern = compile_filter(pattern)
    return pattern.explain(message)
