"""EventBridge event patterns: validation, matching and explanation (pure, deterministic).

EventBridge matches with aws/event-ruler; this module follows it as reference section 4.2
describes (AWS-validated behaviour first, event-ruler's source where AWS is silent):

* A pattern mirrors the event. Fields are AND-ed, the values in a field's array are OR-ed,
  keys and operator names are case-sensitive.
* A field matches when *any* of its event values (an event array gives several) satisfies
  *any* matcher. An object-valued field, a missing field and an empty array have no value:
  only ``{"exists": false}`` matches them. (SNS filter policies read a String.Array
  otherwise for ``anything-but``, which must hold for every element: ``every_element``.)
* Paths are keys joined with dots, so ``{"a": {"b": [...]}}`` and ``{"a.b": [...]}`` are
  the same clause, in patterns and in events alike. Two clauses on one path: the later one
  in the JSON wins.
* ``"$or": [{...}, {...}]`` expands the pattern into several plain rules, as event-ruler's
  JsonRuleCompiler does: each branch continues the rule built so far (overriding an
  earlier clause on the same path), later keys apply to every branch, and the event matches
  when one rule does.
* Each rule is matched array-consistently: every field it takes from inside an array of
  objects must come from the same element.
* ``equals-ignore-case`` (alone, in ``prefix``/``suffix`` and in ``anything-but``) is
  event-ruler's EqualsIgnoreCaseParser: each pattern character matches its own lower- and
  upper-case forms (full mappings: ß is ß or SS) and the event's text is not folded, so
  "straße" does not match "strasse" and "σ" does not match "ς".

Choices made where neither AWS nor event-ruler pins the behaviour down (docs/fidelity.md):

* An event object that spells one path both ways (``"a": {"b": 1}`` *and* ``"a.b": 2``):
  the nested spelling is used and the dotted one is not consulted.
* ``exists: false`` inside an array of objects holds when *some* element lacks the field
  (per element, as for every other field taken from an array element).
* Number comparisons use exact Python arithmetic, without event-ruler's six-decimal
  rounding and without a range limit (current event-ruler accepts beyond ±5e9).
* An IPv4 address is read as four decimal numbers, leading zeros allowed (``010.0.0.1`` is
  10.0.0.1). String values are compared character for character, even when they look like
  IP addresses.
* "Rule is too complex" for wildcards is an estimate of event-ruler's
  ``MachineComplexityEvaluator`` with a limit of 10, calibrated on patterns AWS accepted and
  refused; the ``$or`` limit counts the rules the pattern expands to (at most 1,000).

Duplicate keys in pattern JSON: the last one wins, as on AWS. That happens when the JSON
text is parsed (``json.loads`` keeps the last value), before this module sees the pattern.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

from stptui.textsafe import json_text

__all__ = [
    "ENVELOPE_MARKERS",
    "MAX_DEPTH",
    "MAX_OR_COMBINATIONS",
    "MAX_PATTERN_CHARS",
    "MAX_WILDCARD_COMPLEXITY",
    "TOP_LEVEL_KEYS",
    "CompiledPattern",
    "Explanation",
    "Failure",
    "Hit",
    "Pattern",
    "PatternError",
    "as_event",
    "compile_pattern",
    "explain",
    "matches",
    "validate_pattern",
]

MAX_PATTERN_CHARS: Final = 4096
"""PutRule's limit on the EventPattern text (botocore 2026; 2,048 in older models)."""

MAX_OR_COMBINATIONS: Final = 1000
"""PutRule refuses a pattern whose ``$or`` branches multiply out to more than this."""

MAX_WILDCARD_COMPLEXITY: Final = 10
"""Most wildcard prefixes a worst-case value may keep alive at once (see module docstring)."""

MAX_DEPTH: Final = 100
"""Deepest path (keys, counting dotted parts) stptui accepts. AWS documents no limit; the
4,096-character limit allows about 800 levels, which would exhaust Python's stack."""

TOP_LEVEL_KEYS: Final = (
    "version",
    "detail-type",
    "source",
    "account",
    "region",
    "resources",
    "detail",
    "replay-name",
)
"""The top-level keys Stacktape's schema accepts in an ``eventPattern``."""

# event-ruler's Constants.RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP: an object inside a `$or`
# array that uses one of these as a field name makes `$or` an ordinary field name.
_RESERVED_IN_OR: Final = frozenset(
    {
        "exactly",
        "equals-ignore-case",
        "prefix",
        "suffix",
        "anything-but",
        "exists",
        "wildcard",
        "numeric",
        "cidr",
        "=",
        "<",
        "<=",
        ">",
        ">=",
        "regex",
        "not-wildcard",
        "not-equals-ignore-case",
        "date-after",
        "date-on-or-after",
        "date-before",
        "date-on-or-before",
        "in-date-range",
        "ip-address-in-range",
        "ip-address-not-in-range",
    }
)

_TOO_COMPLEX: Final = (
    "Rule is too complex - try using fewer wildcard characters or fewer repeating character "
    "sequences after a wildcard character"
)
_MATCH_VALUE: Final = "Match value must be String, number, true, false, or null"
_ONE_KEY: Final = "Only one key allowed in match expression"
_TOO_MANY_NUMERIC: Final = "Too many elements in numeric expression"


class PatternError(ValueError):
    """A pattern EventBridge would refuse. ``message`` is AWS's own reason where AWS has one
    (``"string" must be an object or an array``); ``aws_message`` is the full API text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def aws_message(self) -> str:
        """The message as PutRule / TestEventPattern word it."""
        return f"Event pattern is not valid. Reason: {self.message}"


# ---------------------------------------------------------------------------------------
# Event values
# ---------------------------------------------------------------------------------------


class _Missing:
    """The type of `_MISSING`: a key the event does not have."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Final = _Missing()
_EMPTY: Final[dict[str, Any]] = {}  # matched against when an object is absent; never mutated


def _is_number(value: object) -> bool:
    # bool is an int in Python but a JSON literal to EventBridge; it never counts as a number
    t = type(value)
    if t is int:
        return True
    return t is float and math.isfinite(value)  # type: ignore[arg-type]


def _dicts_in(value: Any) -> Iterator[dict[str, Any]]:
    """The objects in an event value: itself, or the objects anywhere in an array of arrays
    (in order; iterative, so a deeply nested event cannot exhaust the stack)."""
    if type(value) is dict:
        yield value
        return
    if type(value) is not list:
        return
    stack = [iter(value)]
    while stack:
        for item in stack[-1]:
            t = type(item)
            if t is dict:
                yield item
            elif t is list:
                stack.append(iter(item))
                break
        else:
            stack.pop()


def _collect_leaves(value: Any, out: list[Any]) -> None:
    """Append the leaf values of an event value: arrays are crushed, objects have none."""
    if type(value) is not list:
        if type(value) is not dict and value is not _MISSING:
            out.append(value)
        return
    stack = [iter(value)]
    while stack:
        for item in stack[-1]:
            t = type(item)
            if t is list:
                stack.append(iter(item))
                break
            if t is not dict:
                out.append(item)
        else:
            stack.pop()


def _leaves(value: Any) -> list[Any]:
    out: list[Any] = []
    _collect_leaves(value, out)
    return out


def _joined(d: Mapping[str, Any], key: str) -> Any:
    """The object that `key` would hold if `d` spelled it nested: its dotted keys
    ("state.status" gives {"status": ...} for "state"), or `_MISSING` when there are none.
    Only consulted when `d` has no `key` itself (the nested spelling wins)."""
    prefix = key + "."
    cut = len(prefix)
    joined = {k[cut:]: v for k, v in d.items() if type(k) is str and k.startswith(prefix)}
    return joined if joined else _MISSING


def _object_at(d: Mapping[str, Any], key: str) -> Any:
    """The event value under `key` where the pattern has an object there."""
    value = d.get(key, _MISSING)
    return _joined(d, key) if value is _MISSING else value


# ---------------------------------------------------------------------------------------
# Compiled form: a small tree of objects, leaves and $or groups
# ---------------------------------------------------------------------------------------


def _js(value: Any) -> str:
    """JSON text for messages: ", " separators, non-ASCII kept, controls as JSON escapes."""
    try:
        return json_text(value, separators=(", ", ": "))
    except (TypeError, ValueError):
        return repr(value)


@dataclass(frozen=True, slots=True)
class _Op:
    """One matcher of a field, applied to one leaf value at a time."""

    kind: str  # exact, prefix, suffix, equals-ignore-case, wildcard, anything-but, numeric, cidr
    test: Callable[[Any], bool]
    text: str  # what it accepts, in words: 'a string starting with "orders"'
    strings: frozenset[str] = frozenset()  # exact only: for the fast path and hints
    numbers: frozenset[Any] = frozenset()  # exact only: hints
    # SNS's anything-but on a String.Array: it holds only when every element passes
    every: bool = False


@dataclass(frozen=True, slots=True)
class _Leaf:
    """A field whose pattern value is an array of matchers."""

    ops: tuple[_Op, ...]
    exists_true: bool
    exists_false: bool
    written: list[Any]  # the array as written, for "expected"


@dataclass(frozen=True, slots=True)
class _Field:
    """A key of the pattern as written (it may contain dots) and what it holds."""

    key: str
    child: _Leaf | _Obj


@dataclass(frozen=True, slots=True)
class _Or:
    """A `$or` group as written, at `path` (the keys of the objects around it)."""

    branches: tuple[_Obj, ...]
    written: list[Any]
    path: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Obj:
    """An object level of the pattern as written: fields and `$or` groups, in JSON order
    (the order decides which of two clauses on one path wins, as in event-ruler)."""

    items: tuple[_Field | _Or, ...]


@dataclass(frozen=True, slots=True)
class _Node:
    """One level of a `$or`-free rule with its paths split at the dots: what is matched.
    A key may appear twice, once with a leaf and once with an object ("a" and "a.b")."""

    fields: tuple[tuple[str, _Leaf | _Node], ...]


def _rules(root: _Obj) -> list[dict[str, _Leaf]]:
    """event-ruler's JsonRuleCompiler: the pattern as plain rules (joined path -> leaf).

    Each `$or` branch continues a copy of the rules built so far, so a branch overrides an
    earlier clause on the same path and a later clause overrides every branch; every rule
    must then hold as a whole, array-consistently."""
    rules: list[dict[str, _Leaf]] = []

    def walk(obj: _Obj, path: tuple[str, ...], rules: list[dict[str, _Leaf]]) -> None:
        for item in obj.items:
            if isinstance(item, _Or):
                current = [dict(rule) for rule in rules]
                rules.clear()
                for branch in item.branches:
                    forked = [dict(rule) for rule in current] or [{}]
                    walk(branch, path, forked)
                    rules.extend(forked)
            elif isinstance(item.child, _Obj):
                walk(item.child, (*path, item.key), rules)
            else:
                name = ".".join((*path, item.key))
                if not rules:
                    rules.append({})
                for rule in rules:
                    rule[name] = item.child

    walk(root, (), rules)
    return rules


def _nest(rule: dict[str, _Leaf]) -> _Node:
    """A plain rule as a tree: "detail.state.status" becomes detail -> state -> status, so
    fields from one array element are matched together (array consistency)."""
    root: dict[str, list[Any]] = {}
    for path, leaf in rule.items():
        *parents, last = path.split(".")
        level = root
        for key in parents:
            slot = level.setdefault(key, [None, None])
            if slot[1] is None:
                slot[1] = {}
            level = slot[1]
        level.setdefault(last, [None, None])[0] = leaf

    def freeze(level: dict[str, list[Any]]) -> _Node:
        fields: list[tuple[str, _Leaf | _Node]] = []
        for key, (leaf, sub) in level.items():
            if leaf is not None:
                fields.append((key, leaf))
            if sub is not None:
                fields.append((key, freeze(sub)))
        return _Node(tuple(fields))

    return freeze(root)


# --- operators ---------------------------------------------------------------------------


def _exact_op(values: list[Any]) -> _Op:
    strings = frozenset(v for v in values if type(v) is str)
    numbers = frozenset(v for v in values if _is_number(v))
    bools = frozenset(v for v in values if type(v) is bool)
    has_null = any(v is None for v in values)

    # Type first: True == 1 and 300 == 300.0 in Python, but only the second holds on AWS.
    def test(x: Any) -> bool:
        t = type(x)
        if t is str:
            return x in strings
        if t is int or t is float:
            return x in numbers
        if t is bool:
            return x in bools
        return x is None and has_null

    shown = list(dict.fromkeys(_js(v) for v in values))
    text = shown[0] if len(shown) == 1 else "one of [" + ", ".join(shown) + "]"
    return _Op("exact", test, text, strings, numbers)


def _case_matcher(value: str, where: str) -> Callable[[str], bool]:
    """Whether a string equals `value` ignoring case (`where` "all"), starts with it
    ("start") or ends with it ("end"), as event-ruler's EqualsIgnoreCaseParser decides.

    Each character of the pattern stands for its own lower- and upper-case forms, full
    mappings included, and the event's text is compared as it is, not folded: "ß" matches
    "ß" and "SS" but not "ss", "σ" matches "Σ" but not "ς", "k" does not match the Kelvin
    sign. An ASCII pattern only ever matches ASCII characters, one per pattern character."""
    if value.isascii():
        lowered = value.lower()
        size = len(lowered)
        if where == "all":
            return lambda x: x.isascii() and x.lower() == lowered
        if not size:
            return lambda x: True
        if where == "start":
            return lambda x: x[:size].isascii() and x[:size].lower() == lowered
        return lambda x: x[-size:].isascii() and x[-size:].lower() == lowered
    forms = [tuple(dict.fromkeys((c.lower(), c.upper()))) for c in value]
    if where == "end":  # match the reversed text from its start: linear, no search
        forms = [tuple(f[::-1] for f in pair) for pair in reversed(forms)]
    regex = re.compile(
        "".join("(?:" + "|".join(re.escape(f) for f in pair) + ")" for pair in forms)
    )
    if where == "all":
        return lambda x: regex.fullmatch(x) is not None
    if where == "start":
        return lambda x: regex.match(x) is not None
    return lambda x: regex.match(x[::-1]) is not None


def _affix_op(kind: str, affix: str, ignore_case: bool) -> _Op:
    """A `prefix` or `suffix` clause (`kind`) on `affix`: one test, read from the string's
    start or from its end."""
    start = kind == "prefix"
    verb = "starting" if start else "ending"
    if ignore_case:
        matches = _case_matcher(affix, "start" if start else "end")

        def test(x: Any) -> bool:
            return type(x) is str and matches(x)

        return _Op(kind, test, f"a string {verb} with {_js(affix)} in any letter case")
    # Each exact test calls its str method by name: a test runs for every event the
    # pattern sees, and `x.startswith(...)` is quicker than an unbound method held in a cell.
    if start:

        def test_exact(x: Any) -> bool:
            return type(x) is str and x.startswith(affix)

    else:

        def test_exact(x: Any) -> bool:
            return type(x) is str and x.endswith(affix)

    return _Op(kind, test_exact, f"a string {verb} with {_js(affix)}")


def _ignore_case_op(value: str) -> _Op:
    equal = _case_matcher(value, "all")

    def test(x: Any) -> bool:
        return type(x) is str and equal(x)

    return _Op("equals-ignore-case", test, f"{_js(value)} in any letter case")


def _glob(segments: tuple[str, ...]) -> Callable[[str], bool]:
    """A matcher for literal `segments` separated by stars. Greedy leftmost search is exact
    for `*`-only globs and linear in the value, unlike a backtracking regular expression."""
    if len(segments) == 1:
        (only,) = segments
        return only.__eq__
    first, last, middle = segments[0], segments[-1], segments[1:-1]
    least = len(first) + len(last)

    def match(s: str) -> bool:
        if len(s) < least or not s.startswith(first) or not s.endswith(last):
            return False
        pos, end = len(first), len(s) - len(last)
        for seg in middle:
            i = s.find(seg, pos, end)
            if i < 0:
                return False
            pos = i + len(seg)
        return True

    return match


def _wildcard_op(value: str, segments: tuple[str, ...]) -> _Op:
    glob = _glob(segments)

    def test(x: Any) -> bool:
        return type(x) is str and glob(x)

    return _Op("wildcard", test, f"a string matching the wildcard {_js(value)}")


def _anything_but_op(kind: str | None, values: list[Any], single: bool) -> _Op:
    """anything-but: true for every present value that the inner matcher rejects, including
    null and values of another type (AWS-validated)."""
    shown = _js(values[0]) if single else _js(values)
    if kind is None:
        strings = frozenset(v for v in values if type(v) is str)
        numbers = frozenset(v for v in values if _is_number(v))

        def test(x: Any) -> bool:
            t = type(x)
            if t is str:
                return x not in strings
            if t is int or t is float:
                return x not in numbers
            return True

        return _Op("anything-but", test, f"anything but {'' if single else 'one of '}{shown}")
    if kind == "equals-ignore-case":
        equals = tuple(_case_matcher(v, "all") for v in values)

        def test_ic(x: Any) -> bool:
            return type(x) is not str or not any(equal(x) for equal in equals)

        what = shown if single else f"one of {shown}"
        return _Op("anything-but", test_ic, f"anything but {what} in any letter case")
    if kind == "prefix":
        prefixes = tuple(values)

        def test_prefix(x: Any) -> bool:
            return type(x) is not str or not x.startswith(prefixes)

        what = shown if single else f"one of {shown}"
        return _Op("anything-but", test_prefix, f"anything but a string starting with {what}")
    if kind == "suffix":
        suffixes = tuple(values)

        def test_suffix(x: Any) -> bool:
            return type(x) is not str or not x.endswith(suffixes)

        what = shown if single else f"one of {shown}"
        return _Op("anything-but", test_suffix, f"anything but a string ending with {what}")
    globs = tuple(_glob(_parse_wildcard(v)) for v in values)

    def test_wildcard(x: Any) -> bool:
        if type(x) is not str:
            return True
        return not any(g(x) for g in globs)

    what = f"the wildcard {shown}" if single else f"one of the wildcards {shown}"
    return _Op("anything-but", test_wildcard, f"anything but a string matching {what}")


def _numeric_op(lo: float | None, lo_open: bool, hi: float | None, hi_open: bool) -> _Op:
    # numeric matches JSON numbers only: never strings, null or booleans (AWS-validated)
    if lo is not None and lo == hi:
        target = lo

        def test_eq(x: Any) -> bool:
            t = type(x)
            return (t is int or t is float) and x == target

        return _Op("numeric", test_eq, f"a number = {_js(target)}")

    def test(x: Any) -> bool:
        t = type(x)
        if t is not int and t is not float:
            return False
        if lo is not None and (x <= lo if lo_open else x < lo):
            return False
        return hi is None or (x < hi if hi_open else x <= hi)

    parts = []
    if lo is not None:
        parts.append(f"{'>' if lo_open else '>='} {_js(lo)}")
    if hi is not None:
        parts.append(f"{'<' if hi_open else '<='} {_js(hi)}")
    return _Op("numeric", test, "a number " + " and ".join(parts))


_IPV4_SHAPE: Final = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_IPV6_SHAPE: Final = re.compile(r"[0-9a-fA-F:]*:[0-9a-fA-F:]*")


def _ip_value(text: str) -> tuple[int, int] | None:
    """(version, address as an integer) of an IP literal, or None. Only the two shapes
    event-ruler recognises count; IPv4 parts are decimal, leading zeros allowed."""
    if _IPV4_SHAPE.fullmatch(text):
        # strip leading zeros first: int() refuses digit strings longer than 4,300
        parts = [int(p.lstrip("0")[:4] or "0") for p in text.split(".")]
        if any(p > 255 for p in parts):
            return None
        return 4, (parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]
    if _IPV6_SHAPE.fullmatch(text):
        import ipaddress  # only cidr patterns need it

        try:
            return 6, int(ipaddress.IPv6Address(text))
        except ValueError:
            return None
    return None


def _cidr_op(text: str) -> _Op:
    version, network, mask = _parse_cidr(text)

    def test(x: Any) -> bool:
        if type(x) is not str:
            return False
        ip = _ip_value(x)
        # An event value that is not an IP address simply does not match (AWS-validated).
        return ip is not None and ip[0] == version and ip[1] & mask == network

    return _Op("cidr", test, f"an IP address in {text}")


# --- validation and compilation ---------------------------------------------------------


def _token(value: Any) -> str:
    """How event-ruler's JSON parser shows a token in its messages."""
    if type(value) is dict:
        return "{"
    if type(value) is list:
        return "["
    if type(value) is str:
        return value
    return _js(value)


def _parse_wildcard(value: str) -> tuple[str, ...]:
    """The literal segments between unescaped stars. Positions in errors are event-ruler's:
    a byte offset in the UTF-8 text counted from the opening quote of the JSON string."""
    data = value.encode("utf-8")
    segments: list[str] = []
    current = bytearray()
    i = 0
    while i < len(data):
        byte = data[i]
        if byte == 0x2A:  # *
            if i + 1 < len(data) and data[i + 1] == 0x2A:
                raise PatternError(f"Consecutive wildcard characters at pos {i + 1}")
            segments.append(current.decode("utf-8"))
            current = bytearray()
        elif byte == 0x5C:  # backslash: only \* and \\ are escapes
            if i + 1 < len(data) and data[i + 1] in (0x2A, 0x5C):
                current.append(data[i + 1])
                i += 2
                continue
            raise PatternError(f"Invalid escape character at pos {i + 1}")
        else:
            current.append(byte)
        i += 1
    segments.append(current.decode("utf-8"))
    return tuple(segments)


_MASK_BITS: Final = re.compile(r"[+-]?[0-9]+")


def _parse_cidr(text: str) -> tuple[int, int, int]:
    """(version, network, mask) of a CIDR, with event-ruler's messages. Host bits are
    ignored (220.160.154.255/24 is 220.160.154.0/24)."""
    # Java's String.split drops trailing empty parts: "10.0.0.0/" has no second part.
    parts = text.split("/")
    while parts and parts[-1] == "":
        parts.pop()
    if len(parts) != 2:
        raise PatternError("Malformed CIDR, one '/' required")
    address, bits_text = parts
    # Java's Integer.parseInt: an optional sign, decimal digits, 32-bit range
    digits = bits_text.lstrip("+-").lstrip("0")
    if (
        not _MASK_BITS.fullmatch(bits_text)
        or len(digits) > 10
        or not -(2**31) <= int(bits_text) < 2**31
    ):
        raise PatternError("Malformed CIDR, mask bits must be an integer")
    bits = int(bits_text)
    if bits < 0:
        raise PatternError("Malformed CIDR, mask bits must not be negative")
    if not (_IPV4_SHAPE.fullmatch(address) or _IPV6_SHAPE.fullmatch(address)):
        raise PatternError(f"Nonstandard IP address: {address}")
    ip = _ip_value(address)
    if ip is None:
        raise PatternError(f"Invalid IP address: {address}")
    version, value = ip
    width = 32 if version == 4 else 128
    if bits > width - 1:
        # event-ruler refuses a single-address CIDR (/32, /128): an exact string does that
        raise PatternError(f"IPv{version} mask bits must be < {width}")
    mask = ((1 << width) - 1) ^ ((1 << (width - bits)) - 1)
    return version, value & mask, mask


def is_or_group(value: Any) -> bool:
    """event-ruler's rule: `$or` means OR only for an array of at least two objects that use
    no operator keyword as a field name; otherwise it is an ordinary field called "$or"."""
    if type(value) is not list or len(value) < 2:
        return False
    return all(type(b) is dict and not _uses_reserved_name(b) for b in value)


def _uses_reserved_name(obj: dict[Any, Any]) -> bool:
    for key, value in obj.items():
        if key in _RESERVED_IN_OR:
            return True
        if type(value) is dict and _uses_reserved_name(value):
            return True
        if (
            key == "$or"
            and type(value) is list
            and any(type(b) is dict and _uses_reserved_name(b) for b in value)
        ):
            return True
    return False


class _Compiler:
    """Validates a pattern in event-ruler's order (so the first error is AWS's first error)
    and builds the matcher tree."""

    def __init__(self, top_level: bool, every_element: bool = False) -> None:
        self.top_level = top_level
        self.every_element = every_element
        # joined path -> wildcard values on that field, for the complexity check
        self.wildcards: dict[str, list[tuple[str, ...]]] = {}
        self.or_groups: list[_Or] = []  # for naming them in explanations

    def compile(self, pattern: Any) -> _Obj:
        if type(pattern) is not dict:
            raise PatternError("Filter is not an object")
        try:
            text = json.dumps(pattern, ensure_ascii=False, separators=(",", ":"))
        except (TypeError, ValueError, RecursionError):
            text = ""  # not JSON-shaped; the walk below names the offending value
        # The API checks the length of the EventPattern text before anything else.
        if len(text) > MAX_PATTERN_CHARS:
            raise PatternError(
                f"Event pattern is too long: {len(text):,} characters of JSON, "
                f"more than the limit of {MAX_PATTERN_CHARS:,}"
            )
        root = self.object(pattern, ())
        combinations = _combinations(root)
        if combinations > MAX_OR_COMBINATIONS:
            raise PatternError(
                f"Event pattern is too complex: its $or branches expand to {combinations:,} "
                f"combinations, more than the limit of {MAX_OR_COMBINATIONS:,}"
            )
        for values in self.wildcards.values():
            if _wildcard_complexity(values) > MAX_WILDCARD_COMPLEXITY:
                raise PatternError(_TOO_COMPLEX)
        return root

    def object(self, obj: dict[Any, Any], path: tuple[str, ...]) -> _Obj:
        if not obj:
            raise PatternError("Empty objects are not allowed")
        _check_depth(path)
        items: list[_Field | _Or] = []
        for key, value in obj.items():
            if type(key) is not str:
                raise PatternError(f"Field names must be strings, got {key!r}")
            if self.top_level and not path and key not in TOP_LEVEL_KEYS:
                raise PatternError(
                    f'"{key}" is not allowed at the top level of a Stacktape eventPattern '
                    f"(allowed: {', '.join(TOP_LEVEL_KEYS)})"
                )
            if key == "$or" and is_or_group(value):
                group = _Or(tuple(self.object(b, path) for b in value), value, path)
                self.or_groups.append(group)
                items.append(group)
            elif type(value) is dict:
                items.append(_Field(key, self.object(value, (*path, key))))
            elif type(value) is list:
                items.append(_Field(key, self.leaf(value, (*path, key))))
            else:
                raise PatternError(f'"{key}" must be an object or an array')
        return _Obj(tuple(items))

    def leaf(self, values: list[Any], path: tuple[str, ...]) -> _Leaf:
        _check_depth(path)
        exact: list[Any] = []
        ops: list[_Op] = []
        exists_true = exists_false = False
        for value in values:
            t = type(value)
            if t is dict:
                op = self.expression(value, path)
                if op is True:
                    exists_true = True
                elif op is False:
                    exists_false = True
                else:
                    ops.append(op)
            elif t is str or t is bool or value is None or _is_number(value):
                exact.append(value)
            else:
                raise PatternError(_MATCH_VALUE)
        if not values:
            raise PatternError("Empty arrays are not allowed")
        if exact:
            ops.insert(0, _exact_op(exact))
        return _Leaf(tuple(ops), exists_true, exists_false, values)

    def expression(self, expr: dict[Any, Any], path: tuple[str, ...]) -> _Op | bool:
        """One `{operator: argument}` object; `True`/`False` stand for exists."""
        if not expr:
            raise PatternError("Match expression name not found")
        name, arg = next(iter(expr.items()))
        extra = len(expr) > 1
        if name in ("prefix", "suffix"):
            return self.affix(name, arg, extra)
        if name == "equals-ignore-case":
            if type(arg) is not str:
                raise PatternError("equals-ignore-case match pattern must be a string")
            _only_one(extra)
            return _ignore_case_op(arg)
        if name == "wildcard":
            if type(arg) is not str:
                raise PatternError("wildcard match pattern must be a string")
            segments = _parse_wildcard(arg)
            _only_one(extra)
            self.wildcards.setdefault(".".join(path), []).append(segments)
            return _wildcard_op(arg, segments)
        if name == "numeric":
            if type(arg) is not list:
                raise PatternError("Value of numeric must be an array.")
            op = _numeric(arg)
            if extra:
                raise PatternError(_TOO_MANY_NUMERIC)
            return op
        if name == "anything-but":
            return self.anything_but(arg, extra)
        if name == "exists":
            if type(arg) is not bool:
                raise PatternError("exists match pattern must be either true or false.")
            _only_one(extra)
            return arg
        if name == "cidr":
            if type(arg) is not str:
                # sic: event-ruler reuses the prefix message here (AWS-validated)
                raise PatternError("prefix match pattern must be a string")
            op = _cidr_op(arg)
            _only_one(extra)
            return op
        raise PatternError(f"Unrecognized match type {name}")

    def affix(self, name: str, arg: Any, extra: bool) -> _Op:
        if type(arg) is dict:
            # {"prefix": {"equals-ignore-case": "EventB"}}
            if not arg:
                raise PatternError(f"{name.capitalize()} expression name not found")
            inner, value = next(iter(arg.items()))
            if inner != "equals-ignore-case":
                raise PatternError(f"Unsupported {name} pattern: {inner}")
            if type(value) is not str:
                raise PatternError("equals-ignore-case match pattern must be a string")
            _only_one(len(arg) > 1 or extra)
            return _affix_op(name, value, True)
        if type(arg) is not str:
            raise PatternError(f"{name} match pattern must be a string")
        _only_one(extra)
        return _affix_op(name, arg, False)

    def anything_but(self, arg: Any, extra: bool) -> _Op:
        """anything-but takes a string or number, a list of all strings or all numbers, or
        one of prefix, suffix, equals-ignore-case and wildcard with a string or strings."""
        kind: str | None = None
        inner_extra = False
        if type(arg) is dict:
            if not arg:
                raise PatternError("Anything-But expression name not found")
            inner = arg
            kind, arg = next(iter(inner.items()))
            if kind not in ("equals-ignore-case", "prefix", "suffix", "wildcard"):
                raise PatternError(f"Unsupported anything-but pattern: {kind}")
            inner_extra = len(inner) > 1
        single = type(arg) is not list
        if single and type(arg) is not str and not _is_number(arg):
            # also {"prefix": {"equals-ignore-case": ...}} nested inside anything-but
            raise PatternError(
                "Value of anything-but must be an array or single string/number value."
            )
        values: list[Any] = [arg] if single else arg
        if kind is None:
            if not single:
                has_string = has_number = False
                for value in values:
                    if type(value) is str:
                        has_string = True
                    elif _is_number(value):
                        has_number = True
                    else:
                        raise PatternError(
                            "Inside anything but list, start|null|boolean is not supported."
                        )
                if has_string == has_number:
                    raise PatternError(
                        "Inside anything but list, either all values are number or string, "
                        "mixed type is not supported"
                    )
        else:
            for value in values:
                if type(value) is str:
                    if kind in ("prefix", "suffix") and not value:
                        raise PatternError("Null prefix/suffix not allowed")
                elif kind == "equals-ignore-case":
                    raise PatternError(
                        "Inside anything-but/equals-ignore-case list, "
                        "number|start|null|boolean is not supported."
                    )
                elif kind == "wildcard":
                    raise PatternError("wildcard match pattern must be a string")
                else:
                    raise PatternError("prefix/suffix match pattern must be a string")
            if kind == "wildcard":
                for value in values:
                    _parse_wildcard(value)
        if inner_extra or extra:
            raise PatternError(_TOO_MANY_NUMERIC)
        op = _anything_but_op(kind, values, single)
        return replace(op, every=True) if self.every_element else op


def _check_depth(path: tuple[str, ...]) -> None:
    depth = len(path) + sum(key.count(".") for key in path)
    if depth > MAX_DEPTH:
        raise PatternError(
            f"Event pattern is nested too deeply: {depth} levels, more than stptui's limit "
            f"of {MAX_DEPTH}"
        )


def _only_one(extra: bool) -> None:
    if extra:
        raise PatternError(_ONE_KEY)


def _numeric(arr: list[Any]) -> _Op:
    """`["<"|"<="|"="|">"|">=", n]` or `[">"|">=", lo, "<"|"<=", hi]`, event-ruler's way."""
    if not arr:
        raise PatternError("Invalid member in numeric match: ]")
    op = arr[0]
    if type(op) is not str:
        raise PatternError(f"Invalid member in numeric match: {_token(op)}")
    value = arr[1] if len(arr) > 1 else _MISSING
    if op == "=":
        if not _is_number(value):
            raise PatternError("Value of equals must be numeric")
        if len(arr) > 2:
            raise PatternError(_TOO_MANY_NUMERIC)
        return _numeric_op(value, False, value, False)
    if op in (">", ">="):
        if not _is_number(value):
            raise PatternError(f"Value of {op} must be numeric")
        if len(arr) == 2:
            return _numeric_op(value, op == ">", None, False)
        top_op = arr[2]
        if type(top_op) is not str:
            raise PatternError(f"Bad value in numeric range: {_token(top_op)}")
        if top_op not in ("<", "<="):
            raise PatternError(f"Bad numeric range operator: {top_op}")
        top = arr[3] if len(arr) > 3 else _MISSING
        if not _is_number(top):
            raise PatternError(f"Value of {top_op} must be numeric")
        if len(arr) > 4:
            raise PatternError("Too many terms in numeric range expression")
        if not value < top:
            raise PatternError("Bottom must be less than top")
        return _numeric_op(value, op == ">", top, top_op == "<")
    if op in ("<", "<="):
        if not _is_number(value):
            raise PatternError(f"Value of {op} must be numeric")
        if len(arr) > 2:
            raise PatternError(_TOO_MANY_NUMERIC)
        return _numeric_op(None, False, value, op == "<")
    raise PatternError(f"Unrecognized numeric range operator: {op}")


def _combinations(obj: _Obj) -> int:
    """How many plain rules the pattern expands to once every `$or` is distributed
    (counted without expanding, so a huge product is refused before it is built)."""
    total = 1
    for item in obj.items:
        if isinstance(item, _Or):
            total *= sum(_combinations(branch) for branch in item.branches)
        elif isinstance(item.child, _Obj):
            total *= _combinations(item.child)
    return total


_STAR: Final = -1
_OTHER_BYTE: Final = -2
_COMPLEXITY_SEARCH_LIMIT: Final = 2000


def _wildcard_complexity(values: list[tuple[str, ...]]) -> int:
    """An estimate of event-ruler's MachineComplexityEvaluator for the wildcards of one
    field: the most wildcard-pattern transitions a worst-case value keeps alive at once.

    Each value becomes an NFA over its UTF-8 bytes wrapped in quotes (event-ruler matches
    the quoted JSON text). As in event-ruler's byte machine, patterns share states up to and
    including their first star; each live transition counts once per pattern that uses it,
    and a literal transition into a starred state also counts that state's star loop. The
    subset search is bounded, so a huge pattern can only be under-estimated, never hang."""
    weight: list[int] = []
    loops: list[bool] = []
    literal: list[dict[int, list[int]]] = []
    skip: list[list[int]] = []
    ids: dict[Any, int] = {}

    def state(key: Any) -> int:
        if key not in ids:
            ids[key] = len(weight)
            weight.append(0)
            loops.append(False)
            literal.append({})
            skip.append([])
        return ids[key]

    alphabet: set[int] = set()
    roots: set[int] = set()
    for number, segments in enumerate(values):
        tokens: list[int] = [0x22]
        for i, segment in enumerate(segments):
            if i:
                tokens.append(_STAR)
            tokens.extend(segment.encode("utf-8"))
        tokens.append(0x22)
        first_star = tokens.index(_STAR) if _STAR in tokens else len(tokens)
        states = [
            state(("shared", tuple(tokens[:i])) if i <= first_star else (number, i))
            for i in range(len(tokens) + 1)
        ]
        for s in dict.fromkeys(states):
            weight[s] += 1
        roots.add(states[0])
        for i, token in enumerate(tokens):
            here, there = states[i], states[i + 1]
            if token == _STAR:
                loops[here] = True
                if there not in skip[here]:
                    skip[here].append(there)
            else:
                alphabet.add(token)
                targets = literal[here].setdefault(token, [])
                if there not in targets:
                    targets.append(there)

    def closure(start: Iterable[int]) -> frozenset[int]:
        todo = list(start)
        seen = set(todo)
        while todo:
            for nxt in skip[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return frozenset(seen)

    symbols = [*sorted(alphabet), _OTHER_BYTE]
    first = closure(roots)
    pending = [first]
    visited = {first}
    worst = 0
    while pending and len(visited) < _COMPLEXITY_SEARCH_LIMIT:
        active = pending.pop()
        looping = {s for s in active if loops[s]}
        for symbol in symbols:
            reached: set[int] = set()
            if symbol != _OTHER_BYTE:
                for s in active:
                    reached.update(literal[s].get(symbol, ()))
            if not reached and not looping:
                continue
            size = sum(weight[s] for s in reached) + sum(weight[s] for s in looping)
            size += sum(weight[s] for s in reached if loops[s] and s not in looping)
            worst = max(worst, size)
            following = closure(reached | looping)
            if following not in visited:
                visited.add(following)
                pending.append(following)
    return worst


# ---------------------------------------------------------------------------------------
# Fast matching: the tree compiled into closures
# ---------------------------------------------------------------------------------------

Check = Callable[[Mapping[str, Any]], bool]


def _never(_value: Any) -> bool:
    return False


def _compile_leaf(leaf: _Leaf) -> Callable[[Any], bool]:
    """A function of the raw event value (or `_MISSING`) that says whether the field holds."""
    tests = tuple(op.test for op in leaf.ops)
    exists_true, exists_false = leaf.exists_true, leaf.exists_false
    test: Callable[[Any], bool]
    if not tests:
        test = _never
    elif len(tests) == 1:
        test = tests[0]
    else:

        def test(x: Any) -> bool:
            for one in tests:  # noqa: SIM110 (hot path: any() would allocate a generator)
                if one(x):
                    return True
            return False

    every_tests = tuple(op.test for op in leaf.ops if op.every)
    any_tests = tuple(op.test for op in leaf.ops if not op.every)

    def general(value: Any) -> bool:
        t = type(value)
        if t is list:
            found = _leaves(value)
            if not found:
                return exists_false  # [] and arrays of objects count as absent
            if exists_true:
                return True
            if every_tests:
                return any(one(x) for one in any_tests for x in found) or any(
                    all(one(x) for x in found) for one in every_tests
                )
            for x in found:  # noqa: SIM110 (hot path, as above)
                if test(x):
                    return True
            return False
        if t is dict or value is _MISSING:
            return exists_false  # an object-valued field has no leaf value here
        return exists_true or test(value)

    if exists_true or len(tests) != 1:
        return general
    if leaf.ops[0].kind == "exact":
        strings = leaf.ops[0].strings

        # The common case, a list of strings: one type check and one set lookup.
        def exact_strings(value: Any) -> bool:
            if type(value) is str:
                return value in strings
            return general(value)

        return exact_strings

    def one_op(value: Any) -> bool:
        if type(value) is str:
            return test(value)
        return general(value)

    return one_op


def _leaf_check(key: str, leaf_fn: Callable[[Any], bool]) -> Check:
    def check(d: Mapping[str, Any]) -> bool:
        return leaf_fn(d.get(key, _MISSING))

    return check


def _object_value(sub: Check, value: Any) -> bool:
    t = type(value)
    if t is dict:
        return sub(value)
    if t is list:
        # array-consistent: the whole sub-pattern must hold within one element
        seen = False
        for item in _dicts_in(value):
            seen = True
            if sub(item):
                return True
        if seen:
            return False
    return sub(_EMPTY)  # absent: only exists:false fields can still hold


def _object_check(key: str, sub: Check) -> Check:
    def check(d: Mapping[str, Any]) -> bool:
        value = d.get(key, _MISSING)
        if type(value) is dict:
            return sub(value)
        if value is _MISSING:
            value = _joined(d, key)  # dotted keys in the event ("state.status")
        return _object_value(sub, value)

    return check


def _any_of(branches: tuple[Check, ...]) -> Check:
    def check(d: Mapping[str, Any]) -> bool:
        for branch in branches:  # noqa: SIM110 (hot path, as above)
            if branch(d):
                return True
        return False

    return check


def _all_of(checks: tuple[Check, ...]) -> Check:
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks

        def both(d: Mapping[str, Any]) -> bool:
            return first(d) and second(d)

        return both

    def every(d: Mapping[str, Any]) -> bool:
        for check in checks:  # noqa: SIM110 (hot path, as above)
            if not check(d):
                return False
        return True

    return every


def _compile_node(node: _Node) -> Check:
    leaves: list[Check] = []
    objects: list[Check] = []
    for key, child in node.fields:
        if isinstance(child, _Leaf):
            leaves.append(_leaf_check(key, _compile_leaf(child)))
        else:
            objects.append(_object_check(key, _compile_node(child)))
    # AND is order-free: cheap leaf checks first so most non-matching events fail fast.
    return _all_of((*leaves, *objects))


class CompiledPattern:
    """A validated pattern compiled for repeated matching (`compile_pattern`).

    Internally the pattern is expanded into event-ruler's plain rules (one per `$or`
    combination), each a tree of paths matched array-consistently; the event matches when
    one rule does."""

    __slots__ = ("_check", "_or_label", "_trees", "pattern")

    def __init__(self, pattern: dict[str, Any], root: _Obj, or_groups: list[_Or]) -> None:
        self.pattern = pattern
        self._trees = tuple(_nest(rule) for rule in _rules(root))
        checks = tuple(_compile_node(tree) for tree in self._trees)
        self._check = checks[0] if len(checks) == 1 else _any_of(checks)
        if len(or_groups) == 1:
            (group,) = or_groups
            self._or_label = (".".join((*group.path, "$or")), _js(group.written))
        else:
            self._or_label = ("$or", _js([group.written for group in or_groups]))

    def matches(self, event: Mapping[str, Any]) -> bool:
        """Whether `event` (a parsed JSON object) matches; a few microseconds per call."""
        if type(event) is not dict:
            raise TypeError("an event must be a JSON object")
        return self._check(event)

    def explain(self, event: Mapping[str, Any]) -> Explanation:
        """Why `event` matches or not, clause by clause (see `explain`)."""
        if type(event) is not dict:
            raise TypeError("an event must be a JSON object")
        results = [_explain_node(tree, event, "") for tree in self._trees]
        if len(results) == 1:
            failures, hits, count = results[0]
            return Explanation(not failures, failures, hits, count)
        return _explain_alternatives(results, *self._or_label)

    def __repr__(self) -> str:
        return f"CompiledPattern({_js(self.pattern)})"


Pattern = CompiledPattern


def validate_pattern(pattern: Any, *, top_level: bool = False) -> None:
    """Raise `PatternError` when EventBridge would refuse `pattern` (a parsed JSON value).

    With ``top_level=True`` the pattern is checked as a Stacktape ``eventPattern``, whose
    schema allows only `TOP_LEVEL_KEYS` at the top."""
    _Compiler(top_level).compile(as_json(pattern))


def compile_pattern(
    pattern: Any, *, top_level: bool = False, every_element: bool = False
) -> CompiledPattern:
    """Validate `pattern` (raising `PatternError`) and compile it for fast matching.

    With ``every_element=True``, `anything-but` holds for an array only when none of its
    elements is excluded, as SNS reads a String.Array attribute; EventBridge's holds when
    one element is not."""
    pattern = as_json(pattern)
    compiler = _Compiler(top_level, every_element)
    root = compiler.compile(pattern)
    return CompiledPattern(pattern, root, compiler.or_groups)


def as_json(value: Any) -> Any:
    """`value` as AWS receives it, in plain JSON types: a config's directive results are
    `str` subclasses (a `$ResourceParam` ARN), which the grammar's exact type checks refuse."""
    kind = type(value)
    if kind is dict:
        return {as_json(k): as_json(v) for k, v in value.items()}
    if kind is list:
        return [as_json(v) for v in value]
    if kind is not str and isinstance(value, str):
        return str(value)
    return value


def matches(pattern: Any, event: Mapping[str, Any]) -> bool:
    """Whether `event` matches `pattern` (raw or compiled). Compiling once with
    `compile_pattern` is much faster when the same pattern meets many events."""
    if not isinstance(pattern, CompiledPattern):
        pattern = compile_pattern(pattern)
    return pattern.matches(event)


# ---------------------------------------------------------------------------------------
# Explanation
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Failure:
    """A clause that does not hold: where, what the pattern says, what the event has, why."""

    path: str  # "detail.amount"; "detail.items[1].sku" inside arrays; "detail.$or"
    expected: str  # the pattern clause as written (JSON)
    actual: str  # the event value as JSON, or "missing"
    reason: str  # one line: 'expected a number > 100, got 50'
    alternatives: tuple[tuple[Failure, ...], ...] = ()  # $or: why each branch failed

    def line(self) -> str:
        """``path: reason``."""
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Hit:
    """A clause that holds, with the same fields as `Failure`."""

    path: str
    expected: str
    actual: str
    reason: str  # '"orders" matches "orders"'
    alternatives: tuple[tuple[Hit, ...], ...] = ()  # $or: the clauses of the branch that held

    def line(self) -> str:
        """``path: reason``."""
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Explanation:
    """The verdict of one pattern on one event, clause by clause."""

    matched: bool
    failures: list[Failure]  # every failing clause (empty on a match)
    hits: list[Hit] = field(default_factory=list)  # the clauses that held
    conditions: int = 0  # clauses checked: leaf fields and $or groups

    @property
    def summary(self) -> str:
        """One line: how many conditions held or failed, and which failed."""
        n = self.conditions
        if self.matched:
            return f"all {n} condition{'' if n == 1 else 's'} matched"
        paths = ", ".join(f.path for f in self.failures)
        return f"{len(self.failures)} of {n} condition{'' if n == 1 else 's'} failed: {paths}"

    def lines(self) -> list[str]:
        """Plain text: the summary, then one indented line per failing clause (on a match,
        per matching clause), with `$or` alternatives indented below theirs."""
        out = [self.summary]
        for clause in self.hits if self.matched else self.failures:
            _render(clause, "  ", out)
        return out


def _render(clause: Failure | Hit, indent: str, out: list[str]) -> None:
    out.append(indent + clause.line())
    for number, branch in enumerate(clause.alternatives, 1):
        if isinstance(clause, Failure):
            out.append(f"{indent}  alternative {number}:")
            for sub in branch:
                _render(sub, indent + "    ", out)
        else:
            for sub in branch:
                _render(sub, indent + "  ", out)


def explain(pattern: Any, event: Mapping[str, Any]) -> Explanation:
    """Match `event` against `pattern` (raw or compiled) and say why, clause by clause.

    On a non-match every failing clause is a `Failure` (path, the clause as written, the
    event's value or "missing", a one-line reason); on a match the clauses that held are
    `Hit`s. ``explain(p, e).matched == matches(p, e)`` always."""
    if not isinstance(pattern, CompiledPattern):
        pattern = compile_pattern(pattern)
    return pattern.explain(event)


_Verdict = tuple[list[Failure], list[Hit], int]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _explain_node(node: _Node, d: Mapping[str, Any], path: str) -> _Verdict:
    failures: list[Failure] = []
    hits: list[Hit] = []
    count = 0
    for key, child in node.fields:
        where = _join(path, key)
        if isinstance(child, _Leaf):
            count += 1
            clause = _explain_leaf(child, d.get(key, _MISSING), where)
            if isinstance(clause, Failure):
                failures.append(clause)
            else:
                hits.append(clause)
        else:
            sub_failures, sub_hits, sub_count = _explain_object_value(
                child, _object_at(d, key), where
            )
            failures += sub_failures
            hits += sub_hits
            count += sub_count
    return failures, hits, count


def _explain_alternatives(results: list[_Verdict], or_path: str, or_expected: str) -> Explanation:
    """The verdicts of the rules a `$or` expands to, as one explanation: clauses every
    alternative shares are reported once, the rest under "alternative N" (N counts the
    expanded rules; with a single `$or` group it is the branch number)."""
    total = len(results)
    shared_paths = set.intersection(*({c.path for c in (*r[0], *r[1])} for r in results))
    winner = next((i for i, r in enumerate(results) if not r[0]), None)
    if winner is not None:
        hits = results[winner][1]
        own = tuple(h for h in hits if h.path not in shared_paths)
        reason = f"alternative {winner + 1} of {total} matched"
        top = [h for h in hits if h.path in shared_paths]
        return Explanation(
            True, [], [*top, Hit(or_path, or_expected, "", reason, (own,))], len(shared_paths) + 1
        )

    def key(f: Failure) -> tuple[str, str]:
        return f.path, f.reason

    common = set.intersection(*({key(f) for f in r[0]} for r in results))
    failures = [f for f in results[0][0] if key(f) in common]
    rest = tuple(tuple(f for f in r[0] if key(f) not in common) for r in results)
    if all(rest):  # otherwise some alternative failed only on the shared clauses
        reason = f"none of the {total} alternatives matched"
        failures.append(Failure(or_path, or_expected, "", reason, rest))
    return Explanation(False, failures, [], len(shared_paths) + 1)


def _labelled_dicts(value: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """The objects of an event value with their index path ("", "[1]", "[0][2]")."""
    if type(value) is dict:
        yield "", value
        return
    if type(value) is not list:
        return
    stack = [("", iter(enumerate(value)))]
    while stack:
        label, items = stack[-1]
        for i, item in items:
            t = type(item)
            if t is dict:
                yield f"{label}[{i}]", item
            elif t is list:
                stack.append((f"{label}[{i}]", iter(enumerate(item))))
                break
        else:
            stack.pop()


def _explain_object_value(child: _Node, value: Any, where: str) -> _Verdict:
    elements = list(_labelled_dicts(value))
    if not elements:
        return _explain_node(child, _EMPTY, where)
    best: _Verdict | None = None
    for label, element in elements:
        verdict = _explain_node(child, element, where + label)
        if not verdict[0]:
            return verdict  # the first element that holds all of it
        if best is None or len(verdict[0]) < len(best[0]):
            best = verdict  # otherwise the element that came closest
    assert best is not None
    return best


def _show(value: Any) -> str:
    if value is _MISSING:
        return "missing"
    text = _js(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _describe(leaf: _Leaf, *, absent_ok: bool) -> str:
    parts = [op.text for op in leaf.ops]
    if leaf.exists_true:
        parts.append("any value")
    if leaf.exists_false and absent_ok:
        parts.append("the field to be absent")
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " or " + parts[-1]


def _explain_leaf(leaf: _Leaf, raw: Any, where: str) -> Failure | Hit:
    expected = _js(leaf.written)
    actual = _show(raw)
    values = _leaves(raw)
    is_array = type(raw) is list
    if not values:
        if leaf.exists_false:
            how = "absent" if raw is _MISSING else f"{_absent_kind(raw)}, which counts as absent"
            return Hit(where, expected, actual, f"{how}, as required")
        return Failure(where, expected, actual, _absent_reason(leaf, raw))
    for op in leaf.ops:
        if op.every and is_array:
            if all(op.test(x) for x in values):
                return Hit(where, expected, actual, f"every element of {actual} is {op.text}")
            continue
        for x in values:
            if op.test(x):
                what = f"the element {_show(x)} of {actual}" if is_array else _show(x)
                return Hit(where, expected, actual, f"{what} matches {op.text}")
    if leaf.exists_true:
        return Hit(where, expected, actual, f"{actual} is present, as required")
    if not leaf.ops:
        reason = f"got {actual}, but the pattern requires it to be absent"
    else:
        reason = f"expected {_describe(leaf, absent_ok=True)}, got {actual}"
        excluded = _excluded_element(leaf, values) if is_array else None
        if excluded is not None:
            reason += (
                f" (the element {_show(excluded)} of {actual} is excluded: anything-but "
                "holds only when none of a String.Array's elements is)"
            )
        elif is_array and len(values) > 1:
            reason += " (no element matched)"
        else:
            reason += _hint(leaf, values[0])
    return Failure(where, expected, actual, reason)


def _excluded_element(leaf: _Leaf, values: list[Any]) -> Any:
    """The first element an every-element anything-but excludes, or None when it has none."""
    for op in leaf.ops:
        if op.every:
            for x in values:
                if not op.test(x):
                    return x
    return None


def _absent_kind(raw: Any) -> str:
    """What a present value without leaves is: an object or an array without leaf values."""
    if type(raw) is dict:
        return "an object"
    if any(True for _ in _dicts_in(raw)):
        return "an array of objects"
    return "an empty array" if not raw else "an array of empty arrays"


def _absent_reason(leaf: _Leaf, raw: Any) -> str:
    if not leaf.ops:  # exists: true alone
        if raw is _MISSING:
            return "missing (the pattern requires it to exist)"
        return (
            f"got {_absent_kind(raw)}, which counts as missing "
            "(exists looks at leaf values; the pattern requires one)"
        )
    desc = _describe(leaf, absent_ok=False)
    if raw is _MISSING:
        if all(op.kind == "anything-but" for op in leaf.ops):
            return f"missing (expected {desc}; anything-but never matches a missing field)"
        return f"missing (expected {desc})"
    return f"expected {desc}, got {_absent_kind(raw)}, which counts as missing"


def _hint(leaf: _Leaf, x: Any) -> str:
    """A short why for the commonest near misses: wrong JSON type, letter case, null vs ""."""
    kinds = {op.kind for op in leaf.ops}
    exact = next((op for op in leaf.ops if op.kind == "exact"), None)
    if type(x) is str:
        if "numeric" in kinds:
            return " (a string; numeric matching needs a JSON number)"
        if "equals-ignore-case" in kinds and _folds_to_written(leaf, x):
            return (
                " (equal only under full Unicode case folding; EventBridge matches each "
                "pattern letter's own lower- and upper-case forms)"
            )
        if exact is not None:
            if exact.numbers and _number_text(x) in exact.numbers:
                return " (a string, not a number)"
            if x in ("true", "false") and exact.test(x == "true"):
                return f" (a string, not the JSON literal {x})"
            if x == "" and exact.test(None):
                return " (the empty string is not null)"
            if any(_case_matcher(s, "all")(x) for s in exact.strings):
                return " (only the letter case differs; equals-ignore-case would match)"
        if "cidr" in kinds and _ip_value(x) is None:
            return " (not an IP address)"
        return ""
    if x is None and exact is not None and "" in exact.strings:
        return " (null is not the empty string)"
    if _is_number(x) and exact is not None and _js(x) in exact.strings:
        return " (a number, not a string)"
    if kinds & {"prefix", "suffix", "wildcard", "equals-ignore-case", "cidr"}:
        return " (not a string)"
    return ""


def _folds_to_written(leaf: _Leaf, x: str) -> bool:
    """Whether `x` equals one of the leaf's equals-ignore-case values after full case folding
    (ß as ss, ς as σ): the near miss that folding text by hand would hide."""
    folded = x.casefold()
    return any(
        type(w) is dict
        and type(w.get("equals-ignore-case")) is str
        and w["equals-ignore-case"].casefold() == folded
        for w in leaf.written
    )


def _number_text(text: str) -> Any:
    try:
        number = json.loads(text)
    except ValueError:
        return None
    return number if _is_number(number) else None


# ---------------------------------------------------------------------------------------
# Events given by hand
# ---------------------------------------------------------------------------------------

ENVELOPE_MARKERS: Final = ("source", "detail-type", "detail")
"""An object with none of these keys is taken to be a detail, not a whole event."""

# The id and time of the envelope `stptui match` wraps a bare detail in: fixed, as its
# account and region are, so that a pattern on them gives the same verdict on every run (a
# random id and the wall clock's time made `prefix` on either flip from run to run).
ENVELOPE_ID: Final = "00000000-0000-0000-0000-000000000000"
ENVELOPE_TIME: Final = "1970-01-01T00:00:00Z"


def as_event(
    value: dict[str, Any],
    *,
    event_id: str = ENVELOPE_ID,
    time: str = ENVELOPE_TIME,
    account: str = "123456789012",
    region: str = "us-east-1",
) -> tuple[dict[str, Any], bool]:
    """`value` as a full EventBridge event, and whether it had to be wrapped.

    People testing a pattern often paste just the detail. When `value` has none of
    `source`, `detail-type` and `detail` it becomes the `detail` of an envelope with empty
    source and detail-type (and, unless given, a fixed id and time); otherwise it is
    returned unchanged (the rule is predictable: one of those keys makes it an event)."""
    if any(key in value for key in ENVELOPE_MARKERS):
        return value, False
    envelope = {
        "version": "0",
        "id": event_id,
        "detail-type": "",
        "source": "",
        "account": account,
        "time": time,
        "region": region,
        "resources": [],
        "detail": value,
    }
    return envelope, True
