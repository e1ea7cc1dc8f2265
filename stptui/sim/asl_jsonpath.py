"""JSONPath as Step Functions reads it (JSONPath query language), parsed and applied exactly.

Step Functions evaluates paths with Jayway JsonPath. This is a small exact parser rather
than jsonpath-ng because the two differ where it matters here: jsonpath-ng returns a list
for every path (Jayway returns the bare value of a definite path and raises when it is
missing), has no notion of a *reference path* (the restricted form ResultPath, Choice
`Variable` and the `*Path` fields must use), and its `update_or_create` builds lists where
Step Functions fails with States.ResultPathMatchFailure.

Supported: `$` and `$$` (the context object), `$name` (a workflow variable, the value an
`Assign` stored: "To reference a variable, prepend the name with a dollar sign"), `.name`,
`['name']` (and `["name"]`, and unions of names), `[0]`, `[-1]`, `[0,2]`, `[1:3]`, `*`,
`..name` (deep scan) and filters `[?(@.x op literal)]` joined with `&&` / `||`. A path is
*definite* when it names one node (names and single indexes only); reading a definite path
that does not exist raises `PathNotFoundError`, reading an indefinite one returns the list of
its matches.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from json.encoder import c_make_encoder, encode_basestring
from typing import Any


class StatesRuntimeError(Exception):
    """A runtime error of a state, named and described as Step Functions reports it
    (e.g. error "States.Runtime", cause "An error occurred while executing the state 'X' ...").

    `hint` is stptui's own advice to the user (never part of AWS's cause)."""

    error: str
    cause: str
    hint: str

    def __init__(self, error: str, cause: str, *, hint: str = "") -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause
        self.hint = hint


class PathSyntaxError(ValueError):
    """A path that is not JSONPath as Step Functions accepts it."""


class PathNotFoundError(LookupError):
    """A definite path that names no node of the document (Jayway's PathNotFoundException)."""

    def __init__(self, path: JsonPath) -> None:
        super().__init__(f"No results for path: {path.normalized()}")
        self.path = path


class UnknownVariableError(PathNotFoundError):
    """A path that starts with a variable no state has assigned (in the flow's scope)."""

    def __init__(self, path: JsonPath) -> None:
        LookupError.__init__(self, f"the variable ${path.variable} has not been assigned")
        self.path = path


class PathWriteError(ValueError):
    """A reference path that cannot be written into a document (ResultPath's failure)."""


@dataclass(frozen=True, slots=True)
class Name:
    """`.name` or `['name']`."""

    name: str


@dataclass(frozen=True, slots=True)
class Index:
    """`[3]` or `[-1]`."""

    index: int


@dataclass(frozen=True, slots=True)
class Wildcard:
    """`*` or `[*]`."""


@dataclass(frozen=True, slots=True)
class Names:
    """`['a','b']`."""

    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Indexes:
    """`[0,2]`."""

    indexes: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Slice:
    """`[1:3]`, `[:2]`, `[-2:]`."""

    start: int | None
    end: int | None


@dataclass(frozen=True, slots=True)
class Compare:
    """`@.x op literal` (op None: `@.x` exists) inside a filter."""

    operand: tuple[Name | Index, ...]
    op: str | None
    literal: Any


@dataclass(frozen=True, slots=True)
class BoolOp:
    """`a && b` or `a || b` inside a filter."""

    op: str
    left: Compare | BoolOp
    right: Compare | BoolOp


@dataclass(frozen=True, slots=True)
class Filter:
    """`[?(...)]`."""

    expr: Compare | BoolOp


@dataclass(frozen=True, slots=True)
class Deep:
    """`..name`, `..*`, `..[...]`: the inner segment applied to every descendant."""

    inner: Segment


Segment = Name | Index | Wildcard | Names | Indexes | Slice | Filter | Deep


@dataclass(frozen=True, slots=True)
class JsonPath:
    """A parsed path; `context` is True for `$$` paths (read from the context object),
    `variable` the variable's name for `$name...` paths (read from the variables)."""

    text: str
    context: bool
    segments: tuple[Segment, ...]
    variable: str | None = None
    # True when the path names at most one node (names and single indexes only); worked out
    # once, as every read asks it.
    definite: bool = field(init=False, compare=False)

    def __post_init__(self) -> None:
        definite = all(isinstance(s, Name | Index) for s in self.segments)
        object.__setattr__(self, "definite", definite)

    def normalized(self) -> str:
        """Jayway's bracket form, as its error messages print a path: `$['a'][0]`."""
        out = ["$" + (self.variable or "")]
        for seg in self.segments:
            if isinstance(seg, Name):
                out.append(f"['{seg.name}']")
            elif isinstance(seg, Index):
                out.append(f"[{seg.index}]")
            else:
                return self.text
        return "".join(out)


# A dot-notation name runs to the next `.` or `[`; Jayway takes these characters in it.
_DOT_NAME = re.compile(r"[^.\[\]()'\"\s,]+")
_INT = re.compile(r"-?\d+")
# A variable reference after the `$`: a Unicode identifier ("Variable names follow the rules
# for Unicode Identifiers"; `\w` is Python's Unicode word character).
_VARIABLE = re.compile(r"[^\W\d]\w*")
_MAX_PATH = 4096
# Parsed paths by their text. A definition's paths are read again for every state entry and
# every Map item; a JsonPath is immutable, so one parse serves them all. Bounded: it is
# emptied when full (paths come from definitions, so it rarely is).
_PARSED: dict[str, JsonPath] = {}
_PARSED_MAX = 4096


def parse_path(text: str) -> JsonPath:
    """Parse `text` as a JSONPath (`$...` or `$$...`); PathSyntaxError says what is wrong."""
    if not isinstance(text, str):
        raise PathSyntaxError("a path must be a string")
    path = _PARSED.get(text)
    if path is not None:
        return path
    if len(text) > _MAX_PATH:
        raise PathSyntaxError(f"a path is at most {_MAX_PATH} characters")
    if not text.startswith("$"):
        raise PathSyntaxError(f"'{text}' does not start with '$'")
    context = text.startswith("$$")
    variable = None if context else _VARIABLE.match(text, 1)
    if variable is not None:
        parser = _PathParser(text, variable.end())
        path = JsonPath(text, False, parser.segments(), variable.group())
    else:
        parser = _PathParser(text, 2 if context else 1)
        path = JsonPath(text, context, parser.segments())
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.clear()
    _PARSED[text] = path
    return path


def parse_reference_path(text: str) -> JsonPath:
    """Parse a *reference path*: one node only, by `.name`, `['name']` and `[n]`."""
    path = parse_path(text)
    if not path.definite:
        raise PathSyntaxError(
            f"'{text}' is not a reference path: only .name, ['name'] and [index] may follow $ "
            "(no *, .., [a,b], [a:b] or filters)"
        )
    return path


class _PathParser:
    def __init__(self, text: str, pos: int) -> None:
        self.text = text
        self.pos = pos

    def fail(self, what: str) -> PathSyntaxError:
        return PathSyntaxError(f"'{self.text}': {what} at character {self.pos + 1}")

    def peek(self, n: int = 1) -> str:
        return self.text[self.pos : self.pos + n]

    def segments(self) -> tuple[Segment, ...]:
        out: list[Segment] = []
        while self.pos < len(self.text):
            if self.peek(2) == "..":
                self.pos += 2
                if self.peek() == "[":
                    out.append(Deep(self.bracket()))
                else:
                    out.append(Deep(self.dot_member()))
            elif self.peek() == ".":
                self.pos += 1
                out.append(self.dot_member())
            elif self.peek() == "[":
                out.append(self.bracket())
            else:
                raise self.fail(f"unexpected '{self.peek()}'")
        return tuple(out)

    def dot_member(self) -> Segment:
        if self.peek() == "*":
            self.pos += 1
            return Wildcard()
        m = _DOT_NAME.match(self.text, self.pos)
        if not m:
            raise self.fail("a name is missing")
        self.pos = m.end()
        if self.peek() == "(":
            raise self.fail("functions such as length() are not supported")
        return Name(m.group())

    def skip_spaces(self) -> None:
        while self.peek() == " ":
            self.pos += 1

    def expect(self, s: str) -> None:
        self.skip_spaces()
        if not self.text.startswith(s, self.pos):
            raise self.fail(f"'{s}' expected")
        self.pos += len(s)

    def quoted(self) -> str:
        quote = self.peek()
        self.pos += 1
        out: list[str] = []
        while True:
            if self.pos >= len(self.text):
                raise self.fail("unterminated quoted name")
            ch = self.text[self.pos]
            if ch == "\\" and self.pos + 1 < len(self.text):
                out.append(self.text[self.pos + 1])
                self.pos += 2
            elif ch == quote:
                self.pos += 1
                return "".join(out)
            else:
                out.append(ch)
                self.pos += 1

    def bracket(self) -> Segment:
        self.pos += 1
        self.skip_spaces()
        ch = self.peek()
        if ch == "*":
            self.pos += 1
            self.expect("]")
            return Wildcard()
        if ch == "?":
            self.pos += 1
            self.expect("(")
            expr = self.filter_or()
            self.expect(")")
            self.expect("]")
            return Filter(expr)
        if ch in "'\"":
            names = [self.quoted()]
            self.skip_spaces()
            while self.peek() == ",":
                self.pos += 1
                self.skip_spaces()
                if self.peek() not in ("'", '"') or not self.peek():
                    raise self.fail("a quoted name expected")
                names.append(self.quoted())
                self.skip_spaces()
            self.expect("]")
            return Name(names[0]) if len(names) == 1 else Names(tuple(names))
        return self.index_or_slice()

    def integer(self) -> int | None:
        self.skip_spaces()
        m = _INT.match(self.text, self.pos)
        if not m:
            return None
        self.pos = m.end()
        return int(m.group())

    def index_or_slice(self) -> Segment:
        first = self.integer()
        self.skip_spaces()
        if self.peek() == ":":
            self.pos += 1
            end = self.integer()
            self.expect("]")
            return Slice(first, end)
        if first is None:
            raise self.fail("an index, a quoted name, * or a filter expected")
        indexes = [first]
        while self.peek() == ",":
            self.pos += 1
            nxt = self.integer()
            if nxt is None:
                raise self.fail("an index expected")
            indexes.append(nxt)
            self.skip_spaces()
        self.expect("]")
        return Index(first) if len(indexes) == 1 else Indexes(tuple(indexes))

    def filter_or(self) -> Compare | BoolOp:
        left = self.filter_and()
        self.skip_spaces()
        while self.peek(2) == "||":
            self.pos += 2
            left = BoolOp("||", left, self.filter_and())
            self.skip_spaces()
        return left

    def filter_and(self) -> Compare | BoolOp:
        left = self.filter_term()
        self.skip_spaces()
        while self.peek(2) == "&&":
            self.pos += 2
            left = BoolOp("&&", left, self.filter_term())
            self.skip_spaces()
        return left

    def filter_term(self) -> Compare | BoolOp:
        self.skip_spaces()
        if self.peek() == "(":
            self.pos += 1
            inner = self.filter_or()
            self.expect(")")
            return inner
        if self.peek() != "@":
            raise self.fail("a filter compares @ (the current item)")
        self.pos += 1
        operand: list[Name | Index] = []
        while self.peek() in (".", "["):
            if self.peek() == ".":
                self.pos += 1
                seg = self.dot_member()
            else:
                seg = self.bracket()
            if not isinstance(seg, Name | Index):
                raise self.fail("a filter operand is @ followed by names and indexes")
            operand.append(seg)
        self.skip_spaces()
        m = re.compile(r"==|!=|<=|>=|<|>").match(self.text, self.pos)
        if not m:
            return Compare(tuple(operand), None, None)
        self.pos = m.end()
        return Compare(tuple(operand), m.group(), self.literal())

    def literal(self) -> Any:
        self.skip_spaces()
        if self.peek() in ("'", '"'):
            return self.quoted()
        for word, value in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return value
        m = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?").match(self.text, self.pos)
        if not m:
            raise self.fail("a literal (number, 'string', true, false or null) expected")
        self.pos = m.end()
        return json.loads(m.group())


def is_number(value: Any) -> bool:
    """True for a JSON number (a bool is not one, whatever Python says)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality: `true` is not `1`, `1` is `1.0`, objects compare by keys."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if is_number(a) and is_number(b):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def _children(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return list(node.values())
    if isinstance(node, list):
        return list(node)
    return []


def _walk_operand(node: Any, operand: tuple[Name | Index, ...]) -> tuple[bool, Any]:
    for seg in operand:
        found, node = _step_definite(node, seg)
        if not found:
            return False, None
    return True, node


def _compare(value: Any, op: str, literal: Any) -> bool:
    if op == "==":
        return json_equal(value, literal)
    if op == "!=":
        return not json_equal(value, literal)
    both_numbers = is_number(value) and is_number(literal)
    both_strings = isinstance(value, str) and isinstance(literal, str)
    if not (both_numbers or both_strings):
        return False
    return {
        "<": value < literal,
        "<=": value <= literal,
        ">": value > literal,
        ">=": value >= literal,
    }[op]


def _holds(node: Any, expr: Compare | BoolOp) -> bool:
    if isinstance(expr, BoolOp):
        if expr.op == "&&":
            return _holds(node, expr.left) and _holds(node, expr.right)
        return _holds(node, expr.left) or _holds(node, expr.right)
    found, value = _walk_operand(node, expr.operand)
    if expr.op is None:
        return found
    return found and _compare(value, expr.op, expr.literal)


def _step_definite(node: Any, seg: Name | Index) -> tuple[bool, Any]:
    if isinstance(seg, Name):
        if isinstance(node, dict) and seg.name in node:
            return True, node[seg.name]
        return False, None
    if isinstance(node, list) and -len(node) <= seg.index < len(node):
        return True, node[seg.index]
    return False, None


def _apply(nodes: list[Any], seg: Segment) -> list[Any]:
    out: list[Any] = []
    for node in nodes:
        if isinstance(seg, Name | Index):
            found, value = _step_definite(node, seg)
            if found:
                out.append(value)
        elif isinstance(seg, Wildcard):
            out.extend(_children(node))
        elif isinstance(seg, Names):
            if isinstance(node, dict):
                out.extend(node[n] for n in seg.names if n in node)
        elif isinstance(seg, Indexes):
            for i in seg.indexes:
                found, value = _step_definite(node, Index(i))
                if found:
                    out.append(value)
        elif isinstance(seg, Slice):
            if isinstance(node, list):
                out.extend(node[seg.start : seg.end])
        elif isinstance(seg, Filter):
            out.extend(child for child in _children(node) if _holds(child, seg.expr))
        else:
            out.extend(_deep(node, seg.inner))
    return out


def _deep(node: Any, inner: Segment) -> list[Any]:
    # Jayway's scan: the node itself first, then its children in document order.
    out = _apply([node], inner)
    for child in _children(node):
        out.extend(_deep(child, inner))
    return out


def read_path(path: JsonPath, data: Any) -> Any:
    """The value at a definite path (PathNotFoundError if absent), or the list of matches."""
    if path.definite:
        node = data
        for seg in path.segments:
            found, node = _step_definite(node, seg)  # type: ignore[arg-type]
            if not found:
                raise PathNotFoundError(path)
        return node
    nodes = [data]
    for seg in path.segments:
        nodes = _apply(nodes, seg)
    return nodes


def source_of(path: JsonPath, data: Any, context: Any, variables: Mapping[str, Any] | None) -> Any:
    """The document `path` reads: the variable it names (UnknownVariableError when none is
    assigned), the context object for `$$`, else `data`."""
    name = path.variable
    if name is None:
        return context if path.context else data
    if variables is None or name not in variables:
        raise UnknownVariableError(path)
    return variables[name]


def write_path(path: JsonPath, data: Any, value: Any) -> Any:
    """A copy of `data` with `value` placed at the reference path, creating missing objects
    on the way as Step Functions does; PathWriteError when a step meets a non-object or an
    index outside its array."""
    if not path.segments:
        return value
    # Only the objects and arrays on the path are copied; the rest of the new document is
    # shared with `data`. Nothing changes a state's data in place (a handler gets a deep copy
    # of its event), so sharing is safe, and a Map of 10,000 items does not copy each item.
    root = _shallow(data)
    node = root
    last = len(path.segments) - 1
    for i, seg in enumerate(path.segments):
        if isinstance(seg, Name):
            if not isinstance(node, dict):
                raise PathWriteError(seg.name)
            if i == last:
                node[seg.name] = value
            else:
                child = _shallow(node[seg.name]) if seg.name in node else {}
                node[seg.name] = child
                node = child
        elif isinstance(seg, Index):
            if not isinstance(node, list) or not -len(node) <= seg.index < len(node):
                raise PathWriteError(str(seg.index))
            if i == last:
                node[seg.index] = value
            else:
                child = _shallow(node[seg.index])
                node[seg.index] = child
                node = child
        else:
            raise PathWriteError("not a reference path")
    return root


def _shallow(value: Any) -> Any:
    """A copy of an object or array (its members shared); any other value itself."""
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    return value


def _one_encoder(key_separator: str, item_separator: str) -> Callable[[Any], str]:
    """`json.dumps(value, ensure_ascii=False, separators=(item_separator, key_separator))`
    as a function that makes no encoder per call.

    Every state's input and output is sized as JSON text, and every Choice verdict prints
    the value it read: `json.dumps` with options makes a JSONEncoder, and its `encode` a C
    encoder, for every call, which cost as much as encoding a small state's data. This C
    encoder is made once, with the arguments JSONEncoder gives it for that call (markers,
    default, string encoder, indent, separators, sort_keys, skipkeys, allow_nan). Its
    `markers` (the objects being encoded, so that a circular one is refused) are empty
    again after every encoding that returns, and are emptied after one that raised."""
    if c_make_encoder is None:  # a Python without the C accelerator
        separators = (item_separator, key_separator)
        return json.JSONEncoder(ensure_ascii=False, separators=separators).encode
    markers: dict[int, Any] = {}
    default = json.JSONEncoder().default
    encoder = c_make_encoder(
        markers, default, encode_basestring, None, key_separator, item_separator, False, False, True
    )

    def encode(value: Any) -> str:
        try:
            return "".join(encoder(value, 0))
        except BaseException:
            markers.clear()
            raise

    return encode


_compact = _one_encoder(":", ",")
# `json.dumps(value, ensure_ascii=False)`: the text whose UTF-8 bytes are a state's input
# and output size (the 256 KiB limit, the trace's byte counts).
json_text = _one_encoder(": ", ", ")


def compact_json(value: Any) -> str:
    """JSON text as Step Functions prints it in causes and States.JsonToString: compact."""
    return _compact(value)


def utf8_bytes(text: str) -> int:
    """How many bytes `text` takes as UTF-8 (a lone surrogate as three)."""
    # An ASCII string (most JSON text) has as many bytes as characters, and says so without
    # a scan: only other text is encoded to be counted.
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def json_bytes(value: Any) -> int:
    """The size of `value` as Step Functions counts it: its JSON text's UTF-8 bytes."""
    return utf8_bytes(json_text(value))
