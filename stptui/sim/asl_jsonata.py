"""Step Functions' JSONata query language (`QueryLanguage: JSONata`): expressions, evaluation.

A field's string value is a JSONata expression when the whole string is `{% ... %}`; any other
string is a literal. `evaluate` replaces every expression inside a JSON value by its result,
with `$states` and the workflow variables bound, the functions Step Functions adds
(`$partition`, `$range`, `$hash`, `$random`, `$uuid`, `$parse`), `$now`/`$millis` reading the
simulation's clock and every random choice drawn from the caller's stream, so the same inputs
give the same result. Definitions are untrusted: evaluation is bounded by steps, depth and the
size of what it builds, all counted, never timed. The engine is the `jsonata-python` package,
loaded when the first expression is compiled (it stays out of a plain start-up).
"""

from __future__ import annotations

import functools
import hashlib
import random
import sys
from collections.abc import Callable, Mapping
from typing import Any

from stptui import jsontext
from stptui.sim import asl_jsonata_regex

QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"

# Limits of this simulator (AWS documents none of its own): an expression stops with
# States.QueryEvaluationError after MAX_STEPS units of work (an evaluation step is one unit;
# building a value costs its items, or its characters / STRING_UNIT), when its evaluation nests
# deeper than MAX_DEPTH, or when one value it builds would serialize to more than MAX_WEIGHT
# units (shared parts counted each time they appear, as JSON text repeats them).
MAX_STEPS = 250_000
MAX_DEPTH = 400
MAX_WEIGHT = 1_000_000
STRING_UNIT = 64
MAX_STRING_CHARS = MAX_WEIGHT * STRING_UNIT // 16
# Python frames per level of JSONata evaluation are about 4; the engine needs this many while
# it runs (it raised the process-wide limit to 10,000 itself; we raise it only while evaluating).
_RECURSION_LIMIT = 10_000
# $range is States.ArrayRange's equivalent: "can't contain more than 1000 items".
MAX_RANGE_ITEMS = 1000
HASH_ALGORITHMS: dict[str, Callable[..., Any]] = {
    "MD5": hashlib.md5,
    "SHA-1": hashlib.sha1,
    "SHA-256": hashlib.sha256,
    "SHA-384": hashlib.sha384,
    "SHA-512": hashlib.sha512,
}
# JSON.stringify writes integral doubles below 1e21 without a fraction or exponent.
_INTEGRAL_DOUBLE_LIMIT = 1e21
# Evaluation kinds whose result only refers to a value that already exists (no charge).
_REFERENCES = frozenset(
    {"path", "variable", "name", "string", "number", "value", "parent", "regex", "lambda"}
)


class JsonataError(Exception):
    """A failed JSONata evaluation: `.error` is the Step Functions error name, `.cause` the
    text that goes with it."""

    def __init__(self, error: str, cause: str) -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


def is_expression(value: object) -> bool:
    """True for a string that is one JSONata expression: `{%` first and `%}` last, with no
    space outside them (Step Functions' rule); every other value is a literal."""
    return (
        isinstance(value, str)
        and len(value) >= 4
        and value.startswith("{%")
        and value.endswith("%}")
    )


def lookalike(value: object) -> str | None:
    """Why a string that is *not* an expression looks meant as one, or None. Step Functions
    takes such a string as a literal (only a whole `{% ... %}` is evaluated), so it is
    almost always a mistake: a space or newline outside the marks, a missing `{%` or `%}`,
    or `{% %}` inside other text (there is no interpolation)."""
    if not isinstance(value, str) or is_expression(value):
        return None
    text = value.strip()
    opens, closes = text.startswith("{%"), text.endswith("%}")
    if opens and closes and len(text) >= 4:
        return "has whitespace before {% or after %}"
    if opens:
        return "starts with {% but does not end with %}"
    if closes:
        return "ends with %} but does not start with {%"
    start = value.find("{%")
    if start >= 0 and value.find("%}", start + 2) >= 0:
        return "has {% ... %} inside other text (Step Functions does not interpolate)"
    return None


def check(text: str) -> str | None:
    """The syntax problem of an expression (the whole `{% ... %}` string or its body), or None.

    Step Functions refuses such a definition when it is created; the lint reports this text.
    """
    body = text[2:-2] if is_expression(text) else text
    compiled = _compile(body)
    return compiled if isinstance(compiled, str) else None


def refused_regexes(text: str) -> list[str]:
    """Why each regular expression literal of an expression (the whole `{% ... %}` string
    or its body) that the simulator will not run (asl_jsonata_regex.risk) is refused,
    sorted; empty when the expression does not parse."""
    body = text[2:-2] if is_expression(text) else text
    compiled = _compile(body)
    if isinstance(compiled, str):
        return []
    found: list[str] = []
    todo: list[Any] = [compiled.ast]
    seen: set[int] = set()
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        value = getattr(node, "value", None)
        if isinstance(value, asl_jsonata_regex.RefusedPattern):
            found.append(f"the regular expression /{value.pattern}/ {value.why}")
        for attr in _CHILDREN:
            child = getattr(node, attr, None)
            items = child if isinstance(child, list | tuple) else [child]
            for item in items:
                pair = item if isinstance(item, list | tuple) else [item]
                todo.extend(sub for sub in pair if hasattr(sub, "type"))
    return sorted(found)


# The functions Step Functions adds to JSONata's own (bound by `_Run`); a `$name` that names
# one of these or a JSONata function is a function, not a workflow variable.
ADDED_FUNCTIONS = frozenset({"partition", "range", "hash", "random", "uuid", "parse"})
# The attributes of a parsed JSONata node that hold the nodes under it (its parent links,
# `ancestor`, `slot` and `seeking_parent`, are left out: they point back up the tree).
_CHILDREN = (
    "lhs",
    "rhs",
    "expression",
    "expressions",
    "steps",
    "stages",
    "predicate",
    "expr",
    "arguments",
    "procedure",
    "body",
    "condition",
    "then",
    "_else",
    "terms",
    "pattern",
    "update",
    "delete",
    "group",
    "lhs_object",
    "rhs_object",
)


class _Frame:
    """The names a JSONata frame has bound so far while `variable_refs` walks the tree in
    evaluation order: a block's or a function body's (`owner`, its node), or a path's focus
    and index names (`forward`: a `:=` inside the path binds in the frame around it)."""

    __slots__ = ("forward", "names", "owner", "parent")

    def __init__(
        self, names: set[str], parent: _Frame | None, owner: int, forward: bool = False
    ) -> None:
        self.names = names
        self.parent = parent
        self.owner = owner
        self.forward = forward

    def has(self, name: str) -> bool:
        frame: _Frame | None = self
        while frame is not None:
            if name in frame.names:
                return True
            frame = frame.parent
        return False

    def binder(self) -> _Frame:
        """The frame a `:=` here binds in."""
        frame = self
        while frame.forward and frame.parent is not None:
            frame = frame.parent
        return frame


def _children(node: Any) -> list[Any]:
    """The nodes under `node`, in the order JSONata evaluates them."""
    out: list[Any] = []
    for attr in _CHILDREN:
        child = getattr(node, attr, None)
        if child is None:
            continue
        if attr == "procedure" and getattr(child, "type", None) == "variable":
            continue  # a called name is a function: variables hold JSON
        items = child if isinstance(child, list | tuple) else [child]
        for item in items:
            pair = item if isinstance(item, list | tuple) else [item]
            out.extend(sub for sub in pair if hasattr(sub, "type"))
    return out


def _bind_name(node: Any) -> str | None:
    """The name a `$name := value` node binds (None for any other node)."""
    if getattr(node, "type", None) != "bind" or getattr(node.lhs, "type", None) != "variable":
        return None
    return node.lhs.value


def _frame_binds(root: Any) -> dict[int, set[str]]:
    """Every name each frame binds anywhere in it: by its owner (a block's or a function's
    node; 0 for the whole expression). A function's body reads its defining frames when it
    is called, by which time they may have bound more than where it was defined."""
    out: dict[int, set[str]] = {0: set()}
    todo: list[tuple[Any, int]] = [(root, 0)]
    seen: set[int] = set()
    while todo:
        node, owner = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        kind = node.type
        if kind in ("block", "lambda"):
            owner = id(node)
            out[owner] = set()
        name = _bind_name(node)
        if name is not None:
            out[owner].add(name)
        # A bind's `$name` node is visited too: a variable binds nothing, so it adds nothing.
        below = [node.body] if kind == "lambda" else _children(node)
        todo.extend((child, owner) for child in below)
    return out


@functools.lru_cache(maxsize=4096)
def variable_refs(text: str) -> frozenset[str]:
    """The workflow variables an expression (the whole `{% ... %}` string or its body) reads:
    each `$name` of its parse tree that nothing inside it has bound where it is read, that
    is not `$states`, `$` or `$$`, and that names no function (`$string`, `$partition`); a
    called name (`$f()`) is a function too. Empty when the expression does not parse.

    The tree is walked in evaluation order: a block's `$name :=` binds from there on
    (`($x; $x := 1)` reads the outer `$x` first, and so does `$x := $x + 1`), in that block
    and the blocks inside it, not around it; a function's parameters bind in its body, and
    the body, run when the function is called, sees every name its defining blocks bind
    (counting a later one as bound can only miss a warning, never invent one); a path's
    `@$name` and `#$name` bind in the whole path."""
    body = text[2:-2] if is_expression(text) else text
    compiled = _compile(body)
    if isinstance(compiled, str):
        return frozenset()
    functions = ADDED_FUNCTIONS | set(_library().Jsonata.static_frame.bindings)
    eventual = _frame_binds(compiled.ast)
    found: set[str] = set()
    # An explicit stack of (node, frame) to visit, or (None, frame, name) to bind `name`
    # once what comes before it has been visited: a deep tree costs no Python frames.
    todo: list[tuple[Any, _Frame, str]] = [(compiled.ast, _Frame(set(), None, 0), "")]
    seen: set[int] = set()
    while todo:
        node, frame, name = todo.pop()
        if node is None:
            frame.binder().names.add(name)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        kind = node.type
        if kind == "variable":
            read = node.value
            if read and read not in ("$", "states") and not frame.has(read):
                found.add(read)
            # `$x[$i]` and `$x{$k: 1}`: its filters and grouping are under it.
        elif kind == "lambda":
            names = {a.value for a in node.arguments or () if a.type == "variable"}
            chain: _Frame | None = frame
            while chain is not None:
                names |= eventual.get(chain.owner, set())
                chain = chain.parent
            todo.append((node.body, _Frame(names, frame, id(node)), ""))
            continue
        elif kind == "block":
            frame = _Frame(set(), frame, id(node))
        elif kind == "path":
            focus = {
                n
                for step in node.steps or ()
                for n in (getattr(step, "focus", None), getattr(step, "index", None))
                if isinstance(n, str)
            }
            if focus:
                frame = _Frame(focus, frame, frame.owner, forward=True)
        bound = _bind_name(node)
        if bound is not None:
            # The value is evaluated before the name is bound: `$x := $x + 1` reads `$x`.
            todo.append((None, frame, bound))
            todo.append((node.rhs, frame, ""))
            continue
        todo.extend((child, frame, "") for child in reversed(_children(node)))
    return frozenset(found - functions)


def evaluate(
    value: object,
    *,
    states: dict,
    variables: Mapping[str, object],
    now_ms: int,
    draw: Callable[[], str],
    field: str = "",
) -> object:
    """`value` with every `{% %}` string inside it replaced by its result, as a new JSON value.

    `states` is bound as `$states`, each variable as `$name`; `now_ms` is the virtual time that
    `$now()`/`$millis()` read; `draw()` gives the next id of the simulator's seeded stream
    (`$uuid()`, and the seed of `$random()` and `$shuffle()` without one). `field` names the
    state's field (e.g. "Arguments") for error causes. Raises JsonataError.
    """
    run = _Run(states, variables, now_ms, draw)
    return _walk(value, run, field)


def _walk(value: object, run: _Run, where: str) -> object:
    if isinstance(value, str):
        return run.expression(value, where) if is_expression(value) else value
    if isinstance(value, dict):
        return {k: _walk(v, run, f"{where}/{k}" if where else k) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, run, f"{where}/{i}" if where else str(i)) for i, v in enumerate(value)]
    return value


@functools.cache
def _library() -> Any:
    """The jsonata package, imported on first use. Its import raises the process's recursion
    limit to 10,000; we put the limit back and raise it only while an expression runs."""
    limit = sys.getrecursionlimit()
    import jsonata

    sys.setrecursionlimit(limit)
    return jsonata


@functools.lru_cache(maxsize=4096)
def _compile(body: str) -> Any:
    """The compiled expression, or the text of its syntax problem (both cached: executions
    evaluate the same definitions many times)."""
    if not body.strip():
        return "the expression between {% and %} is empty"
    lib = _library()
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, _RECURSION_LIMIT))
    try:
        # Regex literals compile through our engine, which will not run a pattern that can
        # backtrack catastrophically (stptui.sim.asl_jsonata_regex).
        compiled = lib.Jsonata(body, asl_jsonata_regex.compile_pattern)
    except lib.JException as exc:
        where = f" at character {exc.location}" if exc.location > 0 else ""
        return f"JSONata syntax error{where}: {exc.error}: {exc}"
    except RecursionError:
        return "JSONata syntax error: the expression nests too deeply"
    except Exception as exc:  # the engine's own failures on odd text: still a refusal
        return f"JSONata syntax error: {type(exc).__name__}: {exc}"
    finally:
        sys.setrecursionlimit(limit)
    # Null stays distinguishable from undefined (the engine's default makes both None).
    compiled.set_output_convert_nulls(False)
    return compiled


class _Runaway(Exception):
    """A guard stopped the evaluation."""


class _Guard:
    """Counts an evaluation's work and depth through the engine's entry/exit callbacks."""

    def __init__(self, utils: Any) -> None:
        self.steps = 0
        self.depth = 0
        self.range_list = utils.RangeList
        # id -> (weight, value): the value is kept so its id is not reused while we run.
        self.weights: dict[int, tuple[int, object]] = {}

    def entry(self, exp: Any, input: Any, env: Any) -> None:
        self.steps += 1
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Runaway(f"it nested more than {MAX_DEPTH} levels deep (infinite recursion?)")
        if self.steps > MAX_STEPS:
            raise _Runaway(f"it took more than {MAX_STEPS:,} steps")

    def exit(self, exp: Any, input: Any, env: Any, result: Any) -> None:
        self.depth -= 1
        if result is not None and getattr(exp, "type", None) not in _REFERENCES:
            self.charge(result)

    def charge(self, value: Any) -> None:
        if isinstance(value, str):
            if len(value) > MAX_STRING_CHARS:
                raise _Runaway(f"it built a string of more than {MAX_STRING_CHARS:,} characters")
            self.steps += len(value) // STRING_UNIT
        elif isinstance(value, list | dict) and id(value) not in self.weights:
            self.steps += len(value)
            if self.weigh(value) > MAX_WEIGHT:
                raise _Runaway(f"it built a value larger than {MAX_WEIGHT:,} units")
        if self.steps > MAX_STEPS:
            raise _Runaway(f"it took more than {MAX_STEPS:,} steps")

    def weigh(self, value: Any) -> int:
        """The size of `value` written out as JSON, in units; each container is weighed once."""
        if isinstance(value, str):
            return 1 + len(value) // STRING_UNIT
        if not isinstance(value, list | dict):
            return 1
        known = self.weights.get(id(value))
        if known is not None:
            return known[0]
        if isinstance(value, self.range_list):
            weight = 1 + len(value)
        else:
            items = value.values() if isinstance(value, dict) else value
            weight = 1 + sum(self.weigh(v) for v in items)
        self.weights[id(value)] = (weight, value)
        return weight


class _Bad(ValueError):
    """A Step Functions function refused its arguments."""


class _Run:
    """One `evaluate` call: its bindings, shared by every expression in the value."""

    def __init__(
        self,
        states: dict,
        variables: Mapping[str, object],
        now_ms: int,
        draw: Callable[[], str],
    ) -> None:
        self.lib = _library()
        self.now_ms = now_ms
        self.draw = draw
        null = self.lib.Utils.NULL_VALUE
        # Step Functions' functions first, so a workflow variable of the same name hides one
        # (jsonata-js binds evaluation bindings in a frame inside the functions' frame).
        self.bindings: dict[str, Any] = dict(self._functions())
        # A top-level None binding would read as undefined; JSON null is the engine's NULL.
        self.bindings.update({k: null if v is None else v for k, v in variables.items()})
        self.bindings["states"] = states

    def _functions(self) -> dict[str, Any]:
        lib = self.lib
        fns = lib.Functions

        def native(fn: Callable[..., Any]) -> Any:
            return lib.Jsonata.JFunction(lib.Jsonata.JLambda(fn), None)

        return {
            "partition": native(self._partition),
            "range": native(self._range),
            "hash": native(self._hash),
            "random": native(self._random),
            "uuid": native(self._uuid),
            "parse": native(self._parse),
            "now": native(self._now),
            "millis": native(self._millis),
            "shuffle": native(self._shuffle),
            "eval": native(self._no_eval),
            "pad": native(lambda *a: self._pad(fns, *a)),
        }

    # -- one expression --------------------------------------------------------------------

    def expression(self, text: str, where: str) -> object:
        body = text[2:-2]
        shown = body.strip()
        place = f" specified for the field '{where}'" if where else ""

        def fail(what: str) -> JsonataError:
            return JsonataError(
                QUERY_EVALUATION_ERROR, f"The JSONata expression '{shown}'{place} {what}"
            )

        compiled = _compile(body)
        if isinstance(compiled, str):
            raise fail(f"could not be parsed: {compiled}")
        guard = _Guard(self.lib.Utils)
        bindings = dict(self.bindings)
        bindings["__evaluate_entry"] = guard.entry
        bindings["__evaluate_exit"] = guard.exit
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, _RECURSION_LIMIT))
        try:
            result = compiled.evaluate(None, bindings)
            if result is None:
                raise fail("returned nothing (undefined).")
            return _to_json(result, self.lib.Utils.NULL_VALUE, [0])
        except _Runaway as exc:
            raise fail(
                f"was stopped: {exc} (a limit of this simulator; simplify the expression)."
            ) from None
        except _Bad as exc:
            raise fail(f"threw an error during evaluation: {exc}") from None
        except asl_jsonata_regex.RegexRefused as exc:
            raise fail(
                f"was stopped: {exc} (a limit of this simulator; make the repeated part and "
                "what follows it exclusive, e.g. (\\d+\\.)+ rather than (\\d+\\.?)+)."
            ) from None
        except self.lib.JException as exc:
            raise fail(f"threw an error during evaluation: {exc.error}: {exc}") from None
        except RecursionError:
            raise fail("was stopped: it nested too deeply.") from None
        except JsonataError:
            raise
        except Exception as exc:  # the engine's own failure on odd input must not escape
            raise fail(f"threw an error during evaluation: {type(exc).__name__}: {exc}") from None
        finally:
            sys.setrecursionlimit(limit)

    # -- Step Functions' functions ---------------------------------------------------------

    def _plain(self, value: Any) -> Any:
        return _to_json(value, self.lib.Utils.NULL_VALUE, [0])

    def _partition(self, *args: Any) -> Any:
        _arity("$partition", args, 2, 2)
        items, size = args
        if items is None:
            return None
        # JSONata's array parameters take a single value as an array of one.
        items = self._plain(items) if isinstance(items, list) else [self._plain(items)]
        size = _integer("$partition", "the chunk size", size)
        if size <= 0:
            raise _Bad(f"$partition: the chunk size must be a positive integer, not {size}")
        return [items[i : i + size] for i in range(0, len(items), size)]

    def _range(self, *args: Any) -> Any:
        _arity("$range", args, 3, 3)
        start, end, step = (
            _integer("$range", what, v)
            for what, v in zip(("start", "end", "step"), args, strict=True)
        )
        if step == 0:
            raise _Bad("$range: the step must not be 0")
        count = max(0, (end - start) // step + 1)
        if count > MAX_RANGE_ITEMS:
            raise _Bad(
                f"$range: the array would have {count:,} items; at most {MAX_RANGE_ITEMS} are "
                "allowed"
            )
        return [start + i * step for i in range(count)]

    def _hash(self, *args: Any) -> Any:
        _arity("$hash", args, 2, 2)
        data, algorithm = args
        if not isinstance(data, str):
            raise _Bad(f"$hash: the data must be a string, not {_shown(self._plain(data))}")
        if algorithm not in HASH_ALGORITHMS:
            raise _Bad(
                f"$hash: the algorithm must be one of {', '.join(HASH_ALGORITHMS)}, "
                f"not {_shown(self._plain(algorithm))}"
            )
        return HASH_ALGORITHMS[algorithm](data.encode()).hexdigest()

    def _random(self, *args: Any) -> Any:
        _arity("$random", args, 0, 1)
        if args and args[0] is not None:
            # "the same seed ... returns an identical number": the seed alone decides it.
            return random.Random(_integer("$random", "the seed", args[0])).random()
        # random.Random(str) hashes the text with SHA-512: the same id, the same number.
        return random.Random(self.draw()).random()

    def _uuid(self, *args: Any) -> Any:
        _arity("$uuid", args, 0, 0)
        return self.draw()

    def _parse(self, *args: Any) -> Any:
        _arity("$parse", args, 1, 1)
        (text,) = args
        if text is None:
            return None
        if not isinstance(text, str):
            raise _Bad(f"$parse: the argument must be a string, not {_shown(self._plain(text))}")
        try:
            value = jsontext.loads(text)
        except ValueError as exc:
            raise _Bad(f"$parse: {_shown(text)} is not JSON text ({exc})") from None
        return self.lib.Utils.NULL_VALUE if value is None else value

    def _now(self, *args: Any) -> Any:
        _arity("$now", args, 0, 2)
        picture, zone = [*args, None, None][:2]
        return self.lib.Functions.datetime_from_millis(self.now_ms, picture, zone)

    def _millis(self, *args: Any) -> Any:
        _arity("$millis", args, 0, 0)
        return self.now_ms

    def _shuffle(self, *args: Any) -> Any:
        _arity("$shuffle", args, 1, 1)
        (items,) = args
        if items is None:
            return None
        items = list(items) if isinstance(items, list) else [items]
        random.Random(self.draw()).shuffle(items)
        return items

    def _no_eval(self, *args: Any) -> Any:
        raise _Bad("$eval is not available in Step Functions; use $parse to read JSON text")

    def _pad(self, fns: Any, *args: Any) -> Any:
        _arity("$pad", args, 2, 3)
        width = args[1]
        if isinstance(width, int | float) and abs(width) > MAX_STRING_CHARS:
            raise _Runaway(f"$pad was asked for more than {MAX_STRING_CHARS:,} characters")
        return fns.pad(*[*args, None][:3])


def _arity(name: str, args: tuple[Any, ...], least: int, most: int) -> None:
    if not least <= len(args) <= most:
        wanted = str(least) if least == most else f"{least} to {most}"
        raise _Bad(f"{name} takes {wanted} argument(s), not {len(args)}")


def _integer(name: str, what: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise _Bad(f"{name}: {what} must be an integer, not {_shown(value)}")
    return int(value)


def _shown(value: Any) -> str:
    if value is None:
        return "undefined"
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "..."


def _to_json(value: Any, null: object, count: list[int], depth: int = 0) -> Any:
    """A plain JSON copy of an engine value: sequences become lists, NULL None, integral
    doubles ints (as JSON.stringify writes them). Functions are not JSON."""
    count[0] += 1
    if count[0] > MAX_WEIGHT or depth > jsontext.MAX_DEPTH:
        raise _Runaway(
            f"its result has more than {MAX_WEIGHT:,} values or nests more than "
            f"{jsontext.MAX_DEPTH} levels deep"
        )
    if value is None or value is null:
        return None
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        # The engine keeps integral doubles as ints; from 1e21 JSON.stringify writes an exponent.
        return value if abs(value) < _INTEGRAL_DOUBLE_LIMIT else float(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < _INTEGRAL_DOUBLE_LIMIT:
            return int(value)
        return value
    if isinstance(value, dict):
        return {str(k): _to_json(v, null, count, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_json(v, null, count, depth + 1) for v in value]
    raise _Bad("the result is a function (or regular expression), which JSON cannot hold")
