"""The JMESPath layer: compiling an expression with a message that says what is wrong and at
which column, evaluating it, and the errors of one that fails while it runs.

A condition holds when its value is JMESPath-true: not null, false, an empty string, list
or object (0 is true). An ordering comparison (`<`, `>`...) of anything but two numbers or
two strings is null, as the JMESPath specification says. An expression that fails while
running (a function given the wrong type), and an emission field or response whose value
does not fit (a wrong type, NaN or an infinity, which JSON cannot write), fail the
invocation with errorType `BehaviorError` and a message that says where the expression is
written (file:line:col and the key), what it found in JSON's words (`null`, `a string
("5")`) and the fix (see `Site`, `FieldError`).

One module, because load-time checks (the reader), runtime evaluation (declared rules and
emissions) and `fail F when EXPR` overrides all compile and search through it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import jmespath
from jmespath import exceptions as jmespath_errors
from jmespath.functions import Functions
from jmespath.lexer import Lexer
from jmespath.visitor import TreeInterpreter

from stptui.config.diagnostics import did_you_mean
from stptui.sim.behavior.errors import BehaviorError, Site, json_kind, quote


class _Interpreter(TreeInterpreter):
    """jmespath's interpreter, with `<`, `<=`, `>`, `>=` on a number and a string giving null.

    The specification makes an ordering comparison of anything but two numbers (jmespath
    also allows two strings) null; jmespath 1.1 lets Python compare a number with a string,
    which raises TypeError: a condition `body.amount > 1000` on `{"amount": "5000"}` would
    fail the invocation instead of not holding."""

    def visit_comparator(self, node: dict[str, Any], value: Any) -> Any:
        if node["value"] in self._EQUALITY_OPS:
            return super().visit_comparator(node, value)
        left = self.visit(node["children"][0], value)
        right = self.visit(node["children"][1], value)
        if isinstance(left, str) and isinstance(right, str):
            return self.COMPARATOR_FUNC[node["value"]](left, right)
        if is_number(left) and is_number(right):
            return self.COMPARATOR_FUNC[node["value"]](left, right)
        return None

    def visit_function_expression(self, node: dict[str, Any], value: Any) -> Any:
        args = [self.visit(child, value) for child in node["children"]]
        try:
            return self._functions.call_function(node["value"], args)
        except jmespath_errors.JMESPathTypeError as exc:
            # Raised with the call, so that the message can name the argument that found
            # the wrong value (jmespath's own names the function only, in Python's words).
            raise _CallError(node, args, exc) from None


# One interpreter for every search: ParsedResult.search builds a new one per call.
INTERPRETER = _Interpreter()


# JMESPath's built-in functions by name, with their signatures.
_FUNCTIONS: dict[str, Any] = Functions().FUNCTION_TABLE


# How to write constants: what most invalid expressions get wrong.
CONSTANTS_HINT = "string constants are raw literals: 'text'; JSON constants use backticks"

# A condition that parses, for the hint of one that does not.
CONDITION_EXAMPLE = "body.amount > `1000`"


def compile_expression(expression: str, example: str | None = None) -> Any:
    """Compile a JMESPath expression; raise BehaviorError with jmespath's own message, or
    for a function that does not exist or is called with the wrong number of arguments
    (which jmespath would only find when the expression runs). The hint of an expression
    that does not parse shows `example`, a valid one written where this one was."""
    hint = f"e.g. {example}; {CONSTANTS_HINT}" if example else CONSTANTS_HINT
    try:
        compiled = jmespath.compile(expression)
    except jmespath_errors.LexerError as exc:
        if exc.lexer_value == "=":
            hint = "compare with ==" + (f", e.g. {example}" if example else "")
        raise BehaviorError(_jmespath_message(expression, exc), hint) from None
    except jmespath_errors.JMESPathError as exc:
        raise BehaviorError(_jmespath_message(expression, exc), hint) from None
    except Exception as exc:  # the lexer can fail in odd ways on hostile input
        raise BehaviorError(f"invalid JMESPath {quote(expression)}: {exc}", hint) from None
    _check_calls(expression, compiled.parsed)
    return compiled


# Tokens after which a value is compared: a quoted identifier there is a field, not text.
_COMPARATORS = frozenset({"eq", "ne", "lt", "lte", "gt", "gte"})


def quoted_text(expression: str) -> tuple[str, str] | None:
    """`(word, comparator)` when `expression` compares with a double-quoted word that is not
    the start of a path: `body.type == "invoice"`. In JMESPath double quotes name a field,
    so that compares with the field `invoice` of the input (null, nearly always) rather than
    with the text; raw literals (`'invoice'`) are text. None when there is no such word, or
    when the expression does not tokenize (compiling it says why)."""
    try:
        tokens = list(Lexer().tokenize(expression))
    except Exception:  # the lexer's own errors, and odd ones on hostile input
        return None
    for before, token, after in zip(tokens, tokens[1:], tokens[2:], strict=False):
        if (
            token["type"] == "quoted_identifier"
            and before["type"] in _COMPARATORS
            and after["type"] not in ("dot", "lbracket", "filter", "flatten")
        ):
            return str(token["value"]), str(before["value"])
    return None


def quoted_text_warning(expression: str) -> tuple[str, str] | None:
    """The message and hint of `quoted_text` for `expression`, or None."""
    found = quoted_text(expression)
    if found is None:
        return None
    word, comparator = found
    literal = "'" + word.replace("'", "\\'") + "'"
    return (
        f'{comparator} "{word}" compares with the field {word!r} of the input, not with the '
        "text: in JMESPath double quotes name a field",
        f'for the text, write the raw literal {literal}; for the field, write @."{word}"',
    )


# Nodes whose first child is read from the node's own input and the others from what it
# gives (`a.b`, `a[0]`, `a[*].b`, `a[?c].b`, `a | b`).
_CHAINS = frozenset(
    {
        "subexpression",
        "index_expression",
        "projection",
        "value_projection",
        "filter_projection",
        "flatten",
        "pipe",
    }
)
# Nodes whose children all read the node's input (`a == b`, `f(a, b)`, `[a, b]`, `{k: a}`).
_SPREADS = frozenset(
    {
        "comparator",
        "and_expression",
        "or_expression",
        "not_expression",
        "multi_select_list",
        "multi_select_dict",
        "key_val_pair",
        "function_expression",
    }
)


def root_fields(tree: dict[str, Any]) -> set[str]:
    """The fields an expression reads from the top of its input: `Records` for
    `length(Records[?x]) > `0``, `body` for `body.amount > `1``."""
    found: set[str] = set()
    nodes = [tree]
    while nodes:
        node = nodes.pop()
        if not isinstance(node, dict):
            continue
        kind, children = node.get("type"), node.get("children", [])
        if kind == "field":
            found.add(str(node.get("value")))
        elif kind in _CHAINS and children:
            nodes.append(children[0])
        elif kind in _SPREADS:
            nodes.extend(children)
    return found


def _check_calls(expression: str, tree: dict[str, Any]) -> None:
    nodes = [tree]
    while nodes:
        node = nodes.pop()
        if not isinstance(node, dict):
            continue
        children = node.get("children", [])
        nodes.extend(children)
        if node.get("type") != "function_expression":
            continue
        name = node["value"]
        spec = _FUNCTIONS.get(name)
        if spec is None:
            guess = did_you_mean(name, _FUNCTIONS)
            raise BehaviorError(
                f"invalid JMESPath {quote(expression)}: unknown function {name}()",
                f"did you mean {guess}()?" if guess else "see jmespath.org for its functions",
            )
        signature = spec["signature"]
        variadic = bool(signature) and signature[-1].get("variadic", False)
        given = len(children)
        if given < len(signature) or (given > len(signature) and not variadic):
            plural = "" if len(signature) == 1 else "s"
            wanted = f"at least {len(signature)}" if variadic else str(len(signature))
            raise BehaviorError(
                f"invalid JMESPath {quote(expression)}: {name}() takes {wanted} "
                f"argument{plural}, not {given}"
            )


# jmespath's token types, as a person would name them in a message.
_TOKEN_WORDS = {
    "unquoted_identifier": "a name",
    "quoted_identifier": "a name",
    "lbracket": "`[`",
    "rbracket": "`]`",
    "lbrace": "`{`",
    "rbrace": "`}`",
    "lparen": "`(`",
    "rparen": "`)`",
    "comma": "`,`",
    "colon": "`:`",
    "dot": "`.`",
    "star": "`*`",
    "number": "a number",
}


def _jmespath_message(expression: str, exc: jmespath_errors.JMESPathError) -> str:
    """One line: what is wrong with the expression and at which 1-based column.

    jmespath's own message spans three lines (the expression and a caret under it) and
    names tokens by their grammar names; this says the same in words."""
    if isinstance(exc, jmespath_errors.EmptyExpressionError):
        return "the JMESPath expression is empty"
    start = f"invalid JMESPath {quote(expression)}"
    if isinstance(exc, jmespath_errors.LexerError):
        return f"{start}: {exc.message} at column {exc.lexer_position + 1}"
    position = getattr(exc, "lex_position", None)  # ArityError, say, has none
    if not isinstance(exc, jmespath_errors.ParseError) or not isinstance(position, int):
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return f"{start}: {first.rstrip(':')}"
    column = position + 1
    at_end = isinstance(exc, jmespath_errors.IncompleteExpressionError) or (
        str(exc.token_type).upper() == "EOF"
    )
    expecting = re.fullmatch(r"Expecting: (.*), got: \w+", exc.msg)
    if expecting is not None:
        names = re.findall(r"[a-z_]+", expecting.group(1))
        words = list(dict.fromkeys(_TOKEN_WORDS.get(n, f"`{n}`") for n in names))
        wanted = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
        if at_end:
            return f"{start}: Incomplete expression at column {column}: expected {wanted}"
        return f"{start}: expected {wanted} at column {column}, not {quote(str(exc.token_value))}"
    if at_end:
        return f"{start}: Incomplete expression at column {column}"
    if exc.msg in ("invalid token", "syntax error") or exc.msg.startswith("Unexpected token"):
        return f"{start}: unexpected {quote(str(exc.token_value))} at column {column}"
    return f"{start}: {exc.msg.rstrip('.')} at column {column}"


def search(compiled: Any, data: Any, site: Site | str) -> Any:
    """Evaluate a compiled expression; a runtime failure becomes a BehaviorError that says
    where it was written (`site`), what it found and the fix."""
    try:
        return INTERPRETER.visit(compiled.parsed, data)
    except Exception as exc:  # a function given the wrong type, or anything odd in user data
        raise _runtime_error(site, exc) from None


def truthy(value: Any) -> bool:
    """JMESPath truth: false, null and empty strings, lists and objects are false; 0 is true."""
    if value is None or value is False:
        return False
    if isinstance(value, (str, list, dict)):
        return len(value) > 0
    return True


# JMESPath's type names (in its functions' signatures) as a person says them.
_TYPE_WORDS = {
    "number": "a number",
    "string": "a string",
    "array": "an array",
    "object": "an object",
    "boolean": "a boolean",
    "null": "null",
    "any": "any value",
    "expref": "an expression reference (&field)",
    "array-number": "an array of numbers",
    "array-string": "an array of strings",
}


def _either(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def node_text(node: Any) -> str | None:
    """The JMESPath text of a simple expression tree (a path, an index, `@`, a literal, a
    function call of these), as a message quotes it; None for anything more complex."""
    if not isinstance(node, dict):
        return None
    kind, children = node.get("type"), node.get("children", [])
    if kind == "field":
        name = str(node["value"])
        return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else json.dumps(name)
    if kind == "current":
        return "@"
    if kind == "literal":
        value = node.get("value")
        if isinstance(value, str):
            return "'" + value.replace("'", "\\'") + "'"
        return "`" + json.dumps(value, separators=(",", ":")) + "`"
    if kind == "index":
        return f"[{node['value']}]"
    if kind == "expref":
        inner = node_text(children[0]) if children else None
        return None if inner is None else f"&{inner}"
    parts = [node_text(child) for child in children]
    if any(p is None for p in parts):
        return None
    if kind == "subexpression":
        return ".".join(parts)  # type: ignore[arg-type]
    if kind == "index_expression" and len(parts) == 2:
        return f"{parts[0]}{parts[1]}"
    if kind == "function_expression":
        return f"{node['value']}({', '.join(parts)})"  # type: ignore[arg-type]
    return None


class _CallError(Exception):
    """A JMESPath function given a value of the wrong type, with the call's tree and the
    values of its arguments, so that the message can say which argument found what."""

    def __init__(self, node: dict[str, Any], args: list[Any], exc: Any) -> None:
        super().__init__(str(exc))
        self.node = node
        self.args_values = args
        self.exc = exc


def _call_message(err: _CallError) -> tuple[str, str]:
    """What a function call refused, in JSON's words, and the fix: `abs() takes a number, but
    body.name found null`."""
    exc, node = err.exc, err.node
    name = node["value"]
    wanted = _either([_TYPE_WORDS.get(t, t) for t in exc.expected_types])
    bad = exc.current_value
    children = node.get("children", [])
    index = next((i for i, v in enumerate(err.args_values) if v is bad), None)
    if index is None:  # an element of an array argument, or a key an &expression gave
        index = next(
            (
                i
                for i, v in enumerate(err.args_values)
                if isinstance(v, list) and any(item is bad for item in v)
            ),
            None,
        )
        arg = node_text(children[index]) if index is not None else None
        if arg is None:
            key = next((node_text(c) for c in children if c.get("type") == "expref"), None)
            what = f"the key {key} gave" if key else "a value given to it is"
            return (
                f"{name}() takes {wanted}, but {what} {json_kind(bad)}",
                f"see jmespath.org for what {name}() takes",
            )
        return (
            f"{name}() takes {wanted}, but `{arg}` holds {json_kind(bad)}",
            f"pick the values of one type, e.g. `{arg}[?type(@) == 'number']`",
        )
    arg = node_text(children[index]) if index < len(children) else None
    which = f"`{arg}`" if arg else f"its argument {index + 1}"
    message = f"{name}() takes {wanted}, but {which} found {json_kind(bad)}"
    shown = arg or "…"
    expected = set(exc.expected_types)
    if bad is None:
        hint = (
            f"the input has no value at {shown}: check the path against the input (docs/"
            f"behaviors.md, JMESPath input), or give a default: not_null({shown}, `0`)"
        )
    elif expected == {"number"} and isinstance(bad, str):
        hint = f"convert the text: to_number({shown})"
    elif expected == {"string"} and is_number(bad):
        hint = f"convert the number: to_string({shown})"
    else:
        hint = f"give {name}() {wanted}"
    return message, hint


def _runtime_error(site: Site | str, exc: BaseException) -> BehaviorError:
    """A JMESPath expression that failed while running, as a BehaviorError whose message
    says where it was written, what it found (in JSON's words) and how to fix it."""
    if isinstance(site, str):
        site = Site(site)
    written = f" `{site.expression}`" if site.expression else ""
    if isinstance(exc, _CallError):
        text, hint = _call_message(exc)
        return BehaviorError(f"{site.at()}{written}: {text}", hint)
    if isinstance(exc, RecursionError):
        return BehaviorError(
            f"{site.at()}{written}: the input is nested too deeply to search",
            "search a part of it nearer the top",
        )
    return BehaviorError(f"{site.at()}{written}: {exc}")


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
