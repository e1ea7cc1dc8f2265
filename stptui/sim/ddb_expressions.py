"""DynamoDB's expression language: document paths, UpdateExpression and ConditionExpression.

`prepare` checks one request's expressions, `ExpressionAttributeNames` and
`ExpressionAttributeValues` as DynamoDB does (syntax, reserved words, undefined and unused
placeholders, operand types known before reading the item, overlapping paths, key
attributes) and returns a `Prepared` request: `holds(item)` evaluates its condition and
`apply(item)` returns the item its update makes, both on canonical DynamoDB JSON items
(stptui.sim.ddbjson). Every refusal is a ddbjson.DynamoDBError with DynamoDB's text; a
condition that does not hold is a ConditionalCheckFailed. Pure functions: no simulator
state. docs/fidelity.md ("DynamoDB update and condition expressions") has the sources.
"""

from __future__ import annotations

import base64
import copy
from dataclasses import dataclass, field
from decimal import Context, Decimal
from typing import Any

from stptui.sim import ddbjson

# DynamoDB's reserved words ("Reserved words in DynamoDB", Amazon DynamoDB Developer Guide):
# an expression must name such an attribute through an ExpressionAttributeNames placeholder.
_RESERVED_TEXT = """
ABORT ABSOLUTE ACTION ADD AFTER AGENT AGGREGATE ALL ALLOCATE ALTER ANALYZE AND ANY ARCHIVE ARE
ARRAY AS ASC ASCII ASENSITIVE ASSERTION ASYMMETRIC AT ATOMIC ATTACH ATTRIBUTE AUTH
AUTHORIZATION AUTHORIZE AUTO AVG BACK BACKUP BASE BATCH BEFORE BEGIN BETWEEN BIGINT BINARY BIT
BLOB BLOCK BOOLEAN BOTH BREADTH BUCKET BULK BY BYTE CALL CALLED CALLING CAPACITY CASCADE
CASCADED CASE CAST CATALOG CHAR CHARACTER CHECK CLASS CLOB CLOSE CLUSTER CLUSTERED CLUSTERING
CLUSTERS COALESCE COLLATE COLLATION COLLECTION COLUMN COLUMNS COMBINE COMMENT COMMIT COMPACT
COMPILE COMPRESS CONDITION CONFLICT CONNECT CONNECTION CONSISTENCY CONSISTENT CONSTRAINT
CONSTRAINTS CONSTRUCTOR CONSUMED CONTINUE CONVERT COPY CORRESPONDING COUNT COUNTER CREATE CROSS
CUBE CURRENT CURSOR CYCLE DATA DATABASE DATE DATETIME DAY DEALLOCATE DEC DECIMAL DECLARE
DEFAULT DEFERRABLE DEFERRED DEFINE DEFINED DEFINITION DELETE DELIMITED DEPTH DEREF DESC
DESCRIBE DESCRIPTOR DETACH DETERMINISTIC DIAGNOSTICS DIRECTORIES DISABLE DISCONNECT DISTINCT
DISTRIBUTE DO DOMAIN DOUBLE DROP DUMP DURATION DYNAMIC EACH ELEMENT ELSE ELSEIF EMPTY ENABLE
END EQUAL EQUALS ERROR ESCAPE ESCAPED EVAL EVALUATE EXCEEDED EXCEPT EXCEPTION EXCEPTIONS
EXCLUSIVE EXEC EXECUTE EXISTS EXIT EXPLAIN EXPLODE EXPORT EXPRESSION EXTENDED EXTERNAL EXTRACT
FAIL FALSE FAMILY FETCH FIELDS FILE FILTER FILTERING FINAL FINISH FIRST FIXED FLATTERN FLOAT
FOR FORCE FOREIGN FORMAT FORWARD FOUND FREE FROM FULL FUNCTION FUNCTIONS GENERAL GENERATE GET
GLOB GLOBAL GO GOTO GRANT GREATER GROUP GROUPING HANDLER HASH HAVE HAVING HEAP HIDDEN HOLD HOUR
IDENTIFIED IDENTITY IF IGNORE IMMEDIATE IMPORT IN INCLUDING INCLUSIVE INCREMENT INCREMENTAL
INDEX INDEXED INDEXES INDICATOR INFINITE INITIALLY INLINE INNER INNTER INOUT INPUT INSENSITIVE
INSERT INSTEAD INT INTEGER INTERSECT INTERVAL INTO INVALIDATE IS ISOLATION ITEM ITEMS ITERATE
JOIN KEY KEYS LAG LANGUAGE LARGE LAST LATERAL LEAD LEADING LEAVE LEFT LENGTH LESS LEVEL LIKE
LIMIT LIMITED LINES LIST LOAD LOCAL LOCALTIME LOCALTIMESTAMP LOCATION LOCATOR LOCK LOCKS LOG
LOGED LONG LOOP LOWER MAP MATCH MATERIALIZED MAX MAXLEN MEMBER MERGE METHOD METRICS MIN MINUS
MINUTE MISSING MOD MODE MODIFIES MODIFY MODULE MONTH MULTI MULTISET NAME NAMES NATIONAL NATURAL
NCHAR NCLOB NEW NEXT NO NONE NOT NULL NULLIF NUMBER NUMERIC OBJECT OF OFFLINE OFFSET OLD ON
ONLINE ONLY OPAQUE OPEN OPERATOR OPTION OR ORDER ORDINALITY OTHER OTHERS OUT OUTER OUTPUT OVER
OVERLAPS OVERRIDE OWNER PAD PARALLEL PARAMETER PARAMETERS PARTIAL PARTITION PARTITIONED
PARTITIONS PATH PERCENT PERCENTILE PERMISSION PERMISSIONS PIPE PIPELINED PLAN POOL POSITION
PRECISION PREPARE PRESERVE PRIMARY PRIOR PRIVATE PRIVILEGES PROCEDURE PROCESSED PROJECT
PROJECTION PROPERTY PROVISIONING PUBLIC PUT QUERY QUIT QUORUM RAISE RANDOM RANGE RANK RAW READ
READS REAL REBUILD RECORD RECURSIVE REDUCE REF REFERENCE REFERENCES REFERENCING REGEXP REGION
REINDEX RELATIVE RELEASE REMAINDER RENAME REPEAT REPLACE REQUEST RESET RESIGNAL RESOURCE
RESPONSE RESTORE RESTRICT RESULT RETURN RETURNING RETURNS REVERSE REVOKE RIGHT ROLE ROLES
ROLLBACK ROLLUP ROUTINE ROW ROWS RULE RULES SAMPLE SATISFIES SAVE SAVEPOINT SCAN SCHEMA SCOPE
SCROLL SEARCH SECOND SECTION SEGMENT SEGMENTS SELECT SELF SEMI SENSITIVE SEPARATE SEQUENCE
SERIALIZABLE SESSION SET SETS SHARD SHARE SHARED SHORT SHOW SIGNAL SIMILAR SIZE SKEWED SMALLINT
SNAPSHOT SOME SOURCE SPACE SPACES SPARSE SPECIFIC SPECIFICTYPE SPLIT SQL SQLCODE SQLERROR
SQLEXCEPTION SQLSTATE SQLWARNING START STATE STATIC STATUS STORAGE STORE STORED STREAM STRING
STRUCT STYLE SUB SUBMULTISET SUBPARTITION SUBSTRING SUBTYPE SUM SUPER SYMMETRIC SYNONYM SYSTEM
TABLE TABLESAMPLE TEMP TEMPORARY TERMINATED TEXT THAN THEN THROUGHPUT TIME TIMESTAMP TIMEZONE
TINYINT TO TOKEN TOTAL TOUCH TRAILING TRANSACTION TRANSFORM TRANSLATE TRANSLATION TREAT TRIGGER
TRIM TRUE TRUNCATE TTL TUPLE TYPE UNDER UNDO UNION UNIQUE UNIT UNKNOWN UNLOGGED UNNEST
UNPROCESSED UNSIGNED UNTIL UPDATE UPPER URL USAGE USE USER USERS USING UUID VACUUM VALUE VALUED
VALUES VARCHAR VARIABLE VARIANCE VARINT VARYING VIEW VIEWS VIRTUAL VOID WAIT WHEN WHENEVER
WHERE WHILE WINDOW WITH WITHIN WITHOUT WORK WRAPPED WRITE YEAR ZONE
"""
RESERVED_WORDS = frozenset(_RESERVED_TEXT.split())
# "The maximum length of any expression string is 4 KB" (Service quotas: Expression parameters).
MAX_EXPRESSION_BYTES = 4096
# "The maximum number of operands for the IN comparator is 100".
MAX_IN_OPERANDS = 100
_KEYWORDS = frozenset({"SET", "REMOVE", "ADD", "DELETE", "AND", "OR", "NOT", "BETWEEN", "IN"})
_CONDITION_FUNCTIONS = {
    "attribute_exists": 1,
    "attribute_not_exists": 1,
    "attribute_type": 2,
    "begins_with": 2,
    "contains": 2,
    "size": 1,
}
_UPDATE_FUNCTIONS = {"if_not_exists": 2, "list_append": 2}
_COMPARATORS = ("=", "<>", "<", "<=", ">", ">=")
# attribute_type's valid type names, in the order DynamoDB's message lists them.
_TYPE_NAMES = ("B", "NULL", "SS", "BOOL", "L", "BS", "N", "NS", "S", "M")
# The type names DynamoDB's ADD and DELETE messages use.
_LONG_TYPES = {
    "S": "STRING",
    "N": "NUMBER",
    "B": "BINARY",
    "BOOL": "BOOLEAN",
    "NULL": "NULL",
    "M": "MAP",
    "L": "LIST",
    "SS": "STRING_SET",
    "NS": "NUMBER_SET",
    "BS": "BINARY_SET",
}
_SETS = ("SS", "NS", "BS")
# Arithmetic wide enough never to round: DynamoDB refuses a result of over 38 digits rather
# than rounding it (the default context keeps 28).
_EXACT = Context(prec=1000)
INVALID_FOR_UPDATE = "The document path provided in the update expression is invalid for update"
INCORRECT_TYPE = "An operand in the update expression has an incorrect data type"
MISSING_OPERAND = "The provided expression refers to an attribute that does not exist in the item"


class ConditionalCheckFailed(ddbjson.DynamoDBError):
    """The request's ConditionExpression is false for the item: nothing changes."""

    def __init__(self) -> None:
        ValueError.__init__(self, "ConditionalCheckFailedException: The conditional request failed")
        self.hint = "the item as it is does not satisfy --condition; `show table` lists it"


# -- tokens ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Token:
    """One token of an expression: its kind (`name`, `#`, `:`, `index`, `eof` or the
    punctuation itself), its text and where it starts and ends."""

    kind: str
    text: str
    start: int
    end: int


_PUNCT = ("<>", "<=", ">=", "=", "<", ">", "(", ")", "[", "]", ",", ".", "+", "-")


def _word_end(text: str, i: int) -> int:
    while i < len(text) and (text[i].isascii() and (text[i].isalnum() or text[i] == "_")):
        i += 1
    return i


def tokenize(text: str) -> list[Token]:
    """The tokens of `text`, ending with an `eof` token."""
    out: list[Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "#:":
            end = _word_end(text, i + 1)
            out.append(Token(ch, text[i:end], i, end))
            i = end
            continue
        if ch.isascii() and ch.isdigit():
            end = i
            while end < len(text) and text[end].isascii() and text[end].isdigit():
                end += 1
            out.append(Token("index", text[i:end], i, end))
            i = end
            continue
        if ch.isascii() and (ch.isalpha() or ch == "_"):
            end = _word_end(text, i)
            out.append(Token("name", text[i:end], i, end))
            i = end
            continue
        punct = next((p for p in _PUNCT if text.startswith(p, i)), None)
        # A character no token starts with is a token of its own that nothing accepts.
        tok = punct or ch
        out.append(Token(punct or "bad", tok, i, i + len(tok)))
        i += len(tok)
    out.append(Token("eof", "<EOF>", len(text), len(text)))
    return out


# -- syntax tree -------------------------------------------------------------------------

# A path element as written: ("name", text), ("#", placeholder) or ("index", n).
Part = tuple[str, Any]
# A resolved path element: an attribute (map key) name, or a list index.
Element = str | int


@dataclass(slots=True)
class Path:
    """A document path: `a.b[2].#c`."""

    parts: list[Part]
    elements: tuple[Element, ...] = ()


@dataclass(slots=True)
class Value:
    """A `:value` placeholder."""

    name: str
    value: Any = None


@dataclass(slots=True)
class Call:
    """A function call: `size(a)`, `if_not_exists(a, :v)`."""

    name: str
    args: list[Any]


@dataclass(slots=True)
class Arith:
    """`x + y` or `x - y` (UpdateExpression SET only)."""

    op: str
    left: Any
    right: Any


@dataclass(slots=True)
class Compare:
    """`x OP y` for one of = <> < <= > >=."""

    op: str
    left: Any
    right: Any


@dataclass(slots=True)
class Between:
    """`x BETWEEN lo AND hi`."""

    subject: Any
    low: Any
    high: Any


@dataclass(slots=True)
class In:
    """`x IN (a, b, ...)`."""

    subject: Any
    options: list[Any]


@dataclass(slots=True)
class Logic:
    """`x AND y`, `x OR y` (`NOT x` has right None)."""

    op: str
    left: Any
    right: Any = None


@dataclass(slots=True)
class Paren:
    """`( condition )`: kept so that redundant parentheses can be refused."""

    inner: Any


@dataclass(slots=True)
class Action:
    """One action of an update: SET path = value, REMOVE path, ADD path :v, DELETE path :v."""

    clause: str
    path: Path
    value: Any = None


@dataclass(slots=True)
class Parsed:
    """What parsing one expression found: its tree and every placeholder and bare name it
    uses, in order."""

    tree: Any
    names: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    bare: list[str] = field(default_factory=list)


# -- parsing -----------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str, what: str) -> None:
        self.text = text
        self.what = what
        self.tokens = tokenize(text)
        self.i = 0
        self.found = Parsed(None)

    def fail(self, message: str) -> ddbjson.DynamoDBError:
        return ddbjson.DynamoDBError(f"Invalid {self.what}: {message}", _HINTS.get(self.what))

    def syntax(self) -> ddbjson.DynamoDBError:
        """DynamoDB's syntax error: the token, and the text from the token before it to the
        token after it."""
        tok = self.tokens[self.i]
        first = self.tokens[max(self.i - 1, 0)]
        last = self.tokens[min(self.i + 1, len(self.tokens) - 1)]
        near = self.text[first.start : max(last.end, tok.end)]
        return self.fail(f'Syntax error; token: "{tok.text}", near: "{near}"')

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def keyword(self, word: str) -> bool:
        tok = self.tok
        return tok.kind == "name" and tok.text.upper() == word

    def take(self, kind: str) -> Token:
        tok = self.tok
        if tok.kind != kind:
            raise self.syntax()
        self.i += 1
        return tok

    def take_keyword(self, word: str) -> None:
        if not self.keyword(word):
            raise self.syntax()
        self.i += 1

    def end(self) -> None:
        if self.tok.kind != "eof":
            raise self.syntax()

    # -- operands ----------------------------------------------------------------------

    def path(self) -> Path:
        parts: list[Part] = [self.path_name()]
        while self.tok.kind in (".", "["):
            if self.take(self.tok.kind).kind == ".":
                parts.append(self.path_name())
            else:
                parts.append(("index", int(self.take("index").text)))
                self.take("]")
        return Path(parts)

    def path_name(self) -> Part:
        tok = self.tok
        if tok.kind == "#" and len(tok.text) > 1:
            self.i += 1
            self.found.names.append(tok.text)
            return ("#", tok.text)
        if tok.kind == "name" and tok.text.upper() not in _KEYWORDS:
            self.i += 1
            self.found.bare.append(tok.text)
            return ("name", tok.text)
        raise self.syntax()

    def operand(self, update: bool) -> Any:
        tok = self.tok
        if tok.kind == ":" and len(tok.text) > 1:
            self.i += 1
            self.found.values.append(tok.text)
            return Value(tok.text)
        if tok.kind == "name" and self.tokens[self.i + 1].kind == "(":
            return self.call(update)
        return self.path()

    def call(self, update: bool) -> Call:
        name = self.take("name").text
        self.take("(")
        args = [self.operand(update)]
        while self.tok.kind == ",":
            self.i += 1
            args.append(self.operand(update))
        self.take(")")
        return Call(name, args)

    # -- UpdateExpression ----------------------------------------------------------------

    def update(self) -> list[Action]:
        actions: list[Action] = []
        seen: set[str] = set()
        if self.tok.kind == "eof":
            raise self.syntax()
        while self.tok.kind != "eof":
            clause = self.tok.text.upper() if self.tok.kind == "name" else ""
            if clause not in ("SET", "REMOVE", "ADD", "DELETE"):
                raise self.syntax()
            if clause in seen:
                raise self.fail(
                    f'The "{clause}" section can only be used once in an update expression;'
                )
            seen.add(clause)
            self.i += 1
            while True:
                actions.append(self.action(clause))
                if self.tok.kind != ",":
                    break
                self.i += 1
        return actions

    def action(self, clause: str) -> Action:
        path = self.path()
        if clause == "REMOVE":
            return Action(clause, path)
        if clause == "SET":
            self.take("=")
            left = self.operand(True)
            if self.tok.kind in ("+", "-"):
                op = self.take(self.tok.kind).kind
                return Action(clause, path, Arith(op, left, self.operand(True)))
            return Action(clause, path, left)
        tok = self.tok
        if tok.kind != ":" or len(tok.text) < 2:
            raise self.syntax()
        self.i += 1
        self.found.values.append(tok.text)
        return Action(clause, path, Value(tok.text))

    # -- ConditionExpression -------------------------------------------------------------

    def condition(self) -> Any:
        left = self.conjunction()
        while self.keyword("OR"):
            self.i += 1
            left = Logic("OR", left, self.conjunction())
        return left

    def conjunction(self) -> Any:
        left = self.negation()
        while self.keyword("AND"):
            self.i += 1
            left = Logic("AND", left, self.negation())
        return left

    def negation(self) -> Any:
        if self.keyword("NOT"):
            self.i += 1
            return Logic("NOT", self.negation())
        return self.predicate()

    def predicate(self) -> Any:
        if self.tok.kind == "(":
            self.i += 1
            inner = self.condition()
            self.take(")")
            if isinstance(inner, Paren):
                raise self.fail("The expression has redundant parentheses;")
            return Paren(inner)
        subject = self.operand(False)
        tok = self.tok
        if tok.kind in _COMPARATORS:
            self.i += 1
            return Compare(tok.kind, subject, self.operand(False))
        if self.keyword("BETWEEN"):
            self.i += 1
            low = self.operand(False)
            self.take_keyword("AND")
            return Between(subject, low, self.operand(False))
        if self.keyword("IN"):
            self.i += 1
            self.take("(")
            options = [self.operand(False)]
            while self.tok.kind == ",":
                self.i += 1
                options.append(self.operand(False))
            self.take(")")
            return In(subject, options)
        if isinstance(subject, Call):
            return subject
        raise self.syntax()


_HINTS = {
    "UpdateExpression": "e.g. --update 'SET #s = :s, qty = qty + :n REMOVE note' "
    '--names \'{"#s": "status"}\' --values \'{":s": {"S": "paid"}, ":n": {"N": "1"}}\'',
    "ConditionExpression": "e.g. --condition 'attribute_exists(id) AND qty < :max' "
    '--values \'{":max": {"N": "100"}}\'',
}


def parse_update(text: str) -> Parsed:
    """An UpdateExpression's actions (DynamoDBError with DynamoDB's text when it is not one)."""
    parser = _Parser(text, "UpdateExpression")
    parser.found.tree = parser.update()
    parser.end()
    return parser.found


def parse_condition(text: str, what: str = "ConditionExpression") -> Parsed:
    """A condition's tree (DynamoDBError with DynamoDB's text when it is not one). `what`
    names the parameter in messages: a KeyConditionExpression and a FilterExpression have
    a ConditionExpression's grammar."""
    parser = _Parser(text, what)
    if parser.tok.kind == "eof":
        raise parser.syntax()
    parser.found.tree = parser.condition()
    parser.end()
    return parser.found


# -- checking a request ------------------------------------------------------------------


def path_text(elements: tuple[Element, ...]) -> str:
    """A path as DynamoDB's messages write it: `[a, b, [2]]`."""
    return "[" + ", ".join(f"[{e}]" if isinstance(e, int) else e for e in elements) + "]"


def _walk(node: Any) -> list[Any]:
    """Every node of a tree, parents before children, in the order written."""
    out = [node]
    if isinstance(node, list):
        for action in node:
            out += _walk(action)
    elif isinstance(node, Action):
        out += _walk(node.path) + ([] if node.value is None else _walk(node.value))
    elif isinstance(node, Call):
        for arg in node.args:
            out += _walk(arg)
    elif isinstance(node, (Arith, Compare, Logic)):
        out += _walk(node.left) + ([] if node.right is None else _walk(node.right))
    elif isinstance(node, Between):
        out += _walk(node.subject) + _walk(node.low) + _walk(node.high)
    elif isinstance(node, In):
        out += _walk(node.subject)
        for option in node.options:
            out += _walk(option)
    elif isinstance(node, Paren):
        out += _walk(node.inner)
    return out


@dataclass(slots=True)
class Prepared:
    """A checked request: its update actions (empty for PutItem and DeleteItem) and its
    condition (None when it has none)."""

    actions: list[Action]
    condition: Any
    # A Query's KeyConditionExpression and a Query's or Scan's FilterExpression.
    key: Any = None
    filter: Any = None

    def holds(self, item: dict[str, Any] | None) -> bool:
        """Whether the condition holds for `item` (None: no item with the key)."""
        return self.condition is None or _truth(self.condition, item or {})

    def require(self, item: dict[str, Any] | None) -> None:
        """ConditionalCheckFailed unless the condition holds for `item`."""
        if not self.holds(item):
            raise ConditionalCheckFailed()

    def apply(self, item: dict[str, Any]) -> dict[str, Any]:
        """The item the update makes of `item` (a new dict; `item` is not changed). Every
        operand is read from `item` as it was before the update, as DynamoDB does."""
        results = [(a, _update_value(a.value, item)) for a in self.actions if a.clause == "SET"]
        new = copy.deepcopy(item)
        for action, value in results:
            _set(new, action.path.elements, value)
        removes = [a.path.elements for a in self.actions if a.clause == "REMOVE"]
        # Later list elements first, so that each index names the element it named before.
        for elements in sorted(removes, key=_remove_order, reverse=True):
            _remove(new, elements)
        for action in self.actions:
            if action.clause in ("ADD", "DELETE"):
                _add_or_delete(new, action.clause, action.path.elements, action.value.value)
        return new


def _remove_order(elements: tuple[Element, ...]) -> tuple[Any, ...]:
    return tuple((1, e) if isinstance(e, int) else (0, e) for e in elements)


def prepare(
    *,
    update: Any = None,
    condition: Any = None,
    names: Any = None,
    values: Any = None,
    key_names: tuple[str, ...] = (),
    null_text: str = "ConditionExpression is null",
    key_condition: Any = None,
    filter_: Any = None,
) -> Prepared:
    """Check a request's expressions and placeholders as DynamoDB does before it reads the
    item. `key_names` are the table's key attributes (an update cannot change them);
    `null_text` ends the message for placeholders given without an expression. A Query
    gives its `key_condition`, a Query or a Scan its `filter_` (their placeholders share the
    request's names and values, as the condition's do)."""
    for label, given in (
        ("ExpressionAttributeNames", names),
        ("ExpressionAttributeValues", values),
    ):
        if given is None:
            continue
        if not isinstance(given, dict):
            raise ddbjson.DynamoDBError(
                f"Invalid type for parameter {label}: a JSON object is needed",
                '--names \'{"#s": "status"}\', --values \'{":v": {"N": "1"}}\'',
            )
        if not given:
            raise ddbjson.DynamoDBError(f"{label} must not be empty")
        if update is None and condition is None and key_condition is None and filter_ is None:
            raise ddbjson.DynamoDBError(
                f"{label} can only be specified when using expressions: {null_text}"
            )
    for label, given, mark in (
        ("ExpressionAttributeNames", names, "#"),
        ("ExpressionAttributeValues", values, ":"),
    ):
        bad = next((k for k in given or {} if not k.startswith(mark) or len(k) < 2), None)
        if bad is not None:
            raise ddbjson.DynamoDBError(
                f'{label} contains invalid key: Syntax error; key: "{bad}"',
                f"a placeholder starts with {mark}: {mark}name",
            )
    names = names or {}
    for name, real in names.items():
        if not isinstance(real, str):
            raise ddbjson.DynamoDBError(
                f"Invalid type for parameter ExpressionAttributeNames.{name}: a string is needed"
            )
    checked = {k: _check_value(k, v) for k, v in (values or {}).items()}
    parsed: list[tuple[str, Parsed]] = []
    for what, text, parse in (
        ("UpdateExpression", update, parse_update),
        ("ConditionExpression", condition, parse_condition),
        ("KeyConditionExpression", key_condition, _parse_key_condition),
        ("FilterExpression", filter_, _parse_filter),
    ):
        if text is None:
            continue
        if not isinstance(text, str):  # a Step Functions task's Parameters may hold anything
            raise ddbjson.DynamoDBError(f"Invalid type for parameter {what}: a string is needed")
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_EXPRESSION_BYTES:
            raise ddbjson.DynamoDBError(
                f"Invalid {what}: Expression size has exceeded the maximum allowed size; "
                f"expression size: {size}"
            )
        if not text.strip():
            raise ddbjson.DynamoDBError(
                f"Invalid {what}: The expression can not be empty;", _HINTS.get(what)
            )
        parsed.append((what, parse(text)))
    for what, found in parsed:
        _resolve(what, found, names, checked)
    for label, used, given in (
        ("ExpressionAttributeNames", {n for _, f in parsed for n in f.names}, names),
        ("ExpressionAttributeValues", {v for _, f in parsed for v in f.values}, checked),
    ):
        unused = [k for k in given if k not in used]
        if unused:
            raise ddbjson.DynamoDBError(
                f"Value provided in {label} unused in expressions: keys: {{{', '.join(unused)}}}",
                "remove it, or use it in an expression",
            )
    out = Prepared([], None)
    for what, found in parsed:
        if what == "UpdateExpression":
            out.actions = found.tree
            _check_update(out.actions, key_names)
        elif what == "ConditionExpression":
            out.condition = found.tree
            _check_condition(out.condition)
        elif what == "KeyConditionExpression":
            out.key = found.tree  # its shape is the Query's to check: it knows the key
        else:
            out.filter = found.tree
            _check_condition(out.filter, what)
    return out


def _parse_key_condition(text: str) -> Parsed:
    return parse_condition(text, "KeyConditionExpression")


def _parse_filter(text: str) -> Parsed:
    return parse_condition(text, "FilterExpression")


def matches(tree: Any, item: dict[str, Any]) -> bool:
    """Whether a condition tree (a FilterExpression's, a KeyConditionExpression's) holds
    for `item`."""
    return _truth(tree, item)


def key_condition(tree: Any, key: list[tuple[str, str]]) -> tuple[Any, Any]:
    """The partition key's value and the sort key's condition (None when there is none) of
    a prepared KeyConditionExpression over the key schema `key` ((name, type) pairs, the
    partition key first: a table's or a secondary index's); DynamoDBError with DynamoDB's
    text for what a key condition cannot be."""

    def bad(message: str) -> ddbjson.DynamoDBError:
        return ddbjson.DynamoDBError(message)

    def conjuncts(node: Any) -> list[Any]:
        if isinstance(node, Paren):
            return conjuncts(node.inner)
        if isinstance(node, Logic):
            if node.op != "AND":
                raise bad(f"Invalid operator used in KeyConditionExpression: {node.op}")
            return conjuncts(node.left) + conjuncts(node.right)
        return [node]

    parts = conjuncts(tree)
    if len(parts) > 2:
        raise bad("Conditions can be of length 1 or 2 only")
    pk_name, pk_type = key[0]
    sk = key[1] if len(key) > 1 else None
    pk_value = None
    sk_condition = None
    for node in parts:
        if isinstance(node, In):
            raise bad("Invalid operator used in KeyConditionExpression: IN")
        if isinstance(node, Call):
            if node.name != "begins_with":
                raise bad(f"Invalid operator used in KeyConditionExpression: {node.name}")
            subject, operands = node.args[0], node.args[1:]
        elif isinstance(node, Compare):
            if node.op == "<>":
                raise bad("Invalid operator used in KeyConditionExpression: <>")
            subject, operands = node.left, [node.right]
        else:
            subject, operands = node.subject, [node.low, node.high]
        if not isinstance(subject, Path) or len(subject.elements) != 1:
            raise bad("Query key condition not supported")
        if not all(isinstance(o, Value) for o in operands):
            raise bad("Query key condition not supported")
        name = subject.elements[0]
        kind = pk_type if name == pk_name else sk[1] if sk and name == sk[0] else None
        if kind is None:
            raise bad("Query key condition not supported")
        if any(next(iter(o.value)) != kind for o in operands):
            raise bad(
                "One or more parameter values were invalid: Condition parameter type does "
                "not match schema type"
            )
        if name == pk_name:
            if not isinstance(node, Compare) or node.op != "=":
                raise bad("Query key condition not supported")
            if pk_value is not None:
                raise bad("KeyConditionExpressions must only contain one condition per key")
            pk_value = operands[0].value
        else:
            if sk_condition is not None:
                raise bad("KeyConditionExpressions must only contain one condition per key")
            sk_condition = node
    if pk_value is None:
        raise bad(f"Query condition missed key schema element: {pk_name}")
    return pk_value, sk_condition


# DynamoDB stops a Query or a Scan after it has read 1 MB ("Query results", "Scan").
MAX_READ_BYTES = 1024 * 1024


def read_page(
    items: list[dict[str, Any]], limit: int | None, filter_tree: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], bool]:
    """One page of a Query or Scan over `items` (already in reading order): the items read
    (up to `limit`, or until 1 MB has been read), those of them `filter_tree` keeps (a
    filter applies after the limit, as DynamoDB applies it), and whether it stopped early."""
    scanned: list[dict[str, Any]] = []
    read = 0
    for item in items:
        scanned.append(item)
        read += ddbjson.item_size(item)
        if (limit is not None and len(scanned) >= limit) or read >= MAX_READ_BYTES:
            kept = [i for i in scanned if filter_tree is None or matches(filter_tree, i)]
            return scanned, kept, True
    kept = [i for i in scanned if filter_tree is None or matches(filter_tree, i)]
    return scanned, kept, False


def check_filter_keys(tree: Any, key: list[tuple[str, str]]) -> None:
    """A Query's FilterExpression may not name an attribute of the key schema it queries
    (DynamoDBError with DynamoDB's text)."""
    keys = {n for n, _ in key}
    for node in _walk(tree):
        if isinstance(node, Path) and node.elements[0] in keys:
            raise ddbjson.DynamoDBError(
                "Filter Expression can only contain non-primary key attributes: Primary key "
                f"attribute: {node.elements[0]}"
            )


def order(a: Any, b: Any) -> int | None:
    """-1, 0 or 1 comparing two N, S or B values as DynamoDB orders them (numbers by value,
    strings and binary by their bytes); None for other types or two types."""
    return _order(a, b)


def _check_value(name: str, value: Any) -> Any:
    try:
        return ddbjson.check_value(value, f"ExpressionAttributeValues.{name}")
    except ddbjson.DynamoDBError as exc:
        code, _, message = str(exc).partition(": ")
        if code != "ValidationException":
            raise
        raise ddbjson.DynamoDBError(
            f"ExpressionAttributeValues contains invalid value: {message} for key {name}",
            exc.hint,
        ) from None


def _resolve(what: str, found: Parsed, names: dict[str, str], values: dict[str, Any]) -> None:
    """Resolve placeholders (refusing reserved words and undefined placeholders)."""

    def fail(message: str, hint: str) -> ddbjson.DynamoDBError:
        return ddbjson.DynamoDBError(f"Invalid {what}: {message}", hint)

    for word in found.bare:
        if word.upper() in RESERVED_WORDS:
            raise fail(
                f"Attribute name is a reserved keyword; reserved keyword: {word}",
                f'write #{word} in the expression and add --names \'{{"#{word}": "{word}"}}\'',
            )
    for name in found.names:
        if name not in names:
            raise fail(
                "An expression attribute name used in the document path is not defined; "
                f"attribute name: {name}",
                f'define it: --names \'{{"{name}": "attributeName"}}\'',
            )
    for name in found.values:
        if name not in values:
            raise fail(
                "An expression attribute value used in expression is not defined; "
                f"attribute value: {name}",
                f'define it: --values \'{{"{name}": {{"S": "text"}}}}\'',
            )
    for node in _walk(found.tree):
        if isinstance(node, Path):
            node.elements = tuple(names[v] if kind == "#" else v for kind, v in node.parts)
        elif isinstance(node, Value):
            node.value = values[node.name]


def _type(value: Any) -> str:
    return next(iter(value))


def _update_error(message: str) -> ddbjson.DynamoDBError:
    return ddbjson.DynamoDBError(f"Invalid UpdateExpression: {message}", _HINTS["UpdateExpression"])


def _operand_type_error(what: str, function: str, kind: str) -> ddbjson.DynamoDBError:
    return ddbjson.DynamoDBError(
        f"Invalid {what}: Incorrect operand type for operator or function; operator or "
        f"function: {function}, operand type: {kind}",
        _HINTS.get(what),
    )


def _check_update(actions: list[Action], key_names: tuple[str, ...]) -> None:
    for action in actions:
        if action.path.elements[0] in key_names:
            raise ddbjson.DynamoDBError(
                f"One or more parameter values were invalid: Cannot update attribute "
                f"{action.path.elements[0]}. This attribute is part of the key",
                "a key attribute cannot change: delete the item and put a new one",
            )
        if action.clause == "SET":
            _check_update_operand(action.value, top=True)
        elif action.clause == "ADD":
            kind = _type(action.value.value)
            if kind not in ("N", *_SETS):
                raise _update_error(
                    "Incorrect operand type for operator or function; operator: ADD, operand "
                    f"type: {_LONG_TYPES[kind]}, typeSet: ALLOWED_FOR_ADD_OPERAND"
                )
        elif action.clause == "DELETE":
            kind = _type(action.value.value)
            if kind not in _SETS:
                raise _update_error(
                    "Incorrect operand type for operator or function; operator: DELETE, operand "
                    f"type: {_LONG_TYPES[kind]}, typeSet: ALLOWED_FOR_DELETE_OPERAND"
                )
    for i, a in enumerate(actions):
        for b in actions[i + 1 :]:
            _check_overlap(a.path.elements, b.path.elements)


def _check_overlap(one: tuple[Element, ...], two: tuple[Element, ...]) -> None:
    for x, y in zip(one, two, strict=False):
        if x == y and isinstance(x, int) == isinstance(y, int):
            continue
        if isinstance(x, int) != isinstance(y, int):
            raise _update_error(
                "Two document paths conflict with each other; must remove or rewrite one of "
                f"these paths; path one: {path_text(one)}, path two: {path_text(two)}"
            )
        return
    raise _update_error(
        "Two document paths overlap with each other; must remove or rewrite one of these "
        f"paths; path one: {path_text(one)}, path two: {path_text(two)}"
    )


def _check_update_operand(node: Any, top: bool = False) -> None:
    if isinstance(node, Arith):
        for side in (node.left, node.right):
            if isinstance(side, Arith):
                raise _update_error(f'Syntax error; token: "{node.op}", near: "{node.op}"')
            _check_update_operand(side)
            if isinstance(side, Value) and _type(side.value) != "N":
                raise _operand_type_error("UpdateExpression", node.op, _type(side.value))
        return
    if not isinstance(node, Call):
        return
    if node.name in _CONDITION_FUNCTIONS:
        raise _update_error(
            f"The function is not allowed in an update expression; function: {node.name}"
        )
    if node.name not in _UPDATE_FUNCTIONS:
        raise _update_error(f"Invalid function name; function: {node.name}")
    if len(node.args) != _UPDATE_FUNCTIONS[node.name]:
        raise _update_error(
            "Incorrect number of operands for operator or function; operator or function: "
            f"{node.name}, number of operands: {len(node.args)}"
        )
    if node.name == "if_not_exists" and not isinstance(node.args[0], Path):
        raise _update_error(
            "Operator or function requires a document path; operator or function: if_not_exists"
        )
    for arg in node.args:
        _check_update_operand(arg)
        if node.name == "list_append" and isinstance(arg, Value) and _type(arg.value) != "L":
            raise _operand_type_error("UpdateExpression", "list_append", _type(arg.value))


def _condition_error(message: str, what: str = "ConditionExpression") -> ddbjson.DynamoDBError:
    return ddbjson.DynamoDBError(f"Invalid {what}: {message}", _HINTS.get(what))


def _check_condition(node: Any, what: str = "ConditionExpression") -> None:
    """The checks DynamoDB makes of a condition (or a filter) before reading the item."""
    if isinstance(node, Paren):
        _check_condition(node.inner, what)
    elif isinstance(node, Logic):
        _check_condition(node.left, what)
        if node.right is not None:
            _check_condition(node.right, what)
    elif isinstance(node, Call):
        _check_call(node, True, what)
    else:
        operands = (
            [node.left, node.right]
            if isinstance(node, Compare)
            else [node.subject, node.low, node.high]
            if isinstance(node, Between)
            else [node.subject, *node.options]
        )
        op = node.op if isinstance(node, Compare) else type(node).__name__.upper()
        if isinstance(node, In) and len(node.options) > MAX_IN_OPERANDS:
            raise _condition_error(
                "The IN operator is provided with too many operands; number of operands: "
                f"{len(node.options)}",
                what,
            )
        for operand in operands:
            if isinstance(operand, Call):
                _check_call(operand, False, what)
        first = operands[0]
        if isinstance(first, Path) and any(
            isinstance(o, Path) and o.elements == first.elements for o in operands[1:]
        ):
            raise _condition_error(
                "The first operand must be distinct from the remaining operands for this "
                f"operator or function; operator: {op}, first operand: {path_text(first.elements)}",
                what,
            )
        if (
            isinstance(node, Between)
            and isinstance(node.low, Value)
            and isinstance(node.high, Value)
        ):
            low, high = node.low.value, node.high.value
            if _type(low) != _type(high):
                raise _condition_error(
                    "The BETWEEN operator requires same data type for lower and upper bounds; "
                    f"lower bound operand: AttributeValue: {_brief(low)}, upper bound operand: "
                    f"AttributeValue: {_brief(high)}",
                    what,
                )
            if _order(low, high) == 1:
                raise _condition_error(
                    "The BETWEEN operator requires upper bound to be greater than or equal to "
                    f"lower bound; lower bound operand: AttributeValue: {_brief(low)}, upper "
                    f"bound operand: AttributeValue: {_brief(high)}",
                    what,
                )


def _brief(value: Any) -> str:
    kind = _type(value)
    return f"{{{kind}:{value[kind]}}}"


def _check_call(node: Call, boolean: bool, what: str = "ConditionExpression") -> None:
    if node.name in _UPDATE_FUNCTIONS:
        raise _condition_error(
            f"The function is not allowed in a condition expression; function: {node.name}",
            what,
        )
    if node.name not in _CONDITION_FUNCTIONS:
        raise _condition_error(f"Invalid function name; function: {node.name}", what)
    if (node.name == "size") == boolean:
        raise _condition_error(
            "The function is not allowed to be used this way in an expression; function: "
            f"{node.name}",
            what,
        )
    if len(node.args) != _CONDITION_FUNCTIONS[node.name]:
        raise _condition_error(
            "Incorrect number of operands for operator or function; operator or function: "
            f"{node.name}, number of operands: {len(node.args)}",
            what,
        )
    if not isinstance(node.args[0], Path):
        raise _condition_error(
            f"Operator or function requires a document path; operator or function: {node.name}",
            what,
        )
    for arg in node.args[1:]:
        if isinstance(arg, Call):
            _check_call(arg, False, what)
    second = node.args[1] if len(node.args) > 1 else None
    if not isinstance(second, Value):
        return
    kind = _type(second.value)
    if node.name == "begins_with" and kind not in ("S", "B"):
        raise _operand_type_error(what, "begins_with", kind)
    if node.name == "attribute_type":
        if kind != "S":
            raise _operand_type_error(what, "attribute_type", kind)
        if second.value["S"] not in _TYPE_NAMES:
            raise _condition_error(
                f"Invalid attribute type name found; type: {second.value['S']}, valid types: "
                f"{{{','.join(_TYPE_NAMES)}}}",
                what,
            )


# -- evaluating --------------------------------------------------------------------------


def get_path(item: dict[str, Any], elements: tuple[Element, ...]) -> Any:
    """The value at a document path of `item`, or None when there is none."""
    head = elements[0]
    current = item.get(head) if isinstance(head, str) else None
    for element in elements[1:]:
        if current is None:
            return None
        if isinstance(element, int):
            inner = current.get("L")
            current = inner[element] if inner is not None and element < len(inner) else None
        else:
            inner = current.get("M")
            current = inner.get(element) if inner is not None else None
    return current


def _container(item: dict[str, Any], elements: tuple[Element, ...]) -> dict[str, Any] | list[Any]:
    """The map (a dict of attributes) or list that holds the last element of a path, or
    DynamoDB's invalid-path error when the path's parent is missing or of the wrong type."""
    if len(elements) == 1:
        return item
    parent = get_path(item, elements[:-1])
    want = "L" if isinstance(elements[-1], int) else "M"
    if parent is None or want not in parent:
        raise ddbjson.DynamoDBError(INVALID_FOR_UPDATE, "set the parent map or list first")
    return parent[want]


def _set(item: dict[str, Any], elements: tuple[Element, ...], value: Any) -> None:
    holder = _container(item, elements)
    last = elements[-1]
    if isinstance(holder, list):
        assert isinstance(last, int)
        # An index past the end appends ("Adding elements to a list").
        if last < len(holder):
            holder[last] = value
        else:
            holder.append(value)
    else:
        holder[last] = value


def _remove(item: dict[str, Any], elements: tuple[Element, ...]) -> None:
    holder = _container(item, elements)
    last = elements[-1]
    if isinstance(holder, list):
        assert isinstance(last, int)
        if last < len(holder):
            del holder[last]
    else:
        holder.pop(last, None)


def _add_or_delete(
    item: dict[str, Any], clause: str, elements: tuple[Element, ...], given: Any
) -> None:
    old = get_path(item, elements)
    kind = _type(given)
    if old is None:
        # ADD to a missing attribute writes the value; DELETE from one does nothing.
        if clause == "ADD":
            _set(item, elements, copy.deepcopy(given))
        return
    if _type(old) != kind:
        raise ddbjson.DynamoDBError(
            INCORRECT_TYPE, "ADD and DELETE need a value of the attribute's type"
        )
    if kind == "N":
        _set(item, elements, {"N": _number(_EXACT.add(Decimal(old["N"]), Decimal(given["N"])))})
        return
    members = list(old[kind])
    if clause == "ADD":
        members += [m for m in given[kind] if not _member_in(kind, m, members)]
    else:
        members = [m for m in members if not _member_in(kind, m, given[kind])]
    if members:
        _set(item, elements, {kind: members})
    else:
        # A set cannot be empty: deleting its last members removes the attribute.
        _remove(item, elements)


def _member_in(kind: str, member: str, members: list[str]) -> bool:
    if kind == "NS":
        return any(Decimal(member) == Decimal(m) for m in members)
    return member in members


def _number(value: Decimal) -> str:
    return ddbjson.canonical_number(format(value, "f"), "UpdateExpression")


def _update_value(node: Any, item: dict[str, Any]) -> Any:
    if isinstance(node, Value):
        return copy.deepcopy(node.value)
    if isinstance(node, Path):
        value = get_path(item, node.elements)
        if value is None:
            raise ddbjson.DynamoDBError(
                MISSING_OPERAND, "guard it with if_not_exists(path, :default)"
            )
        return copy.deepcopy(value)
    if isinstance(node, Arith):
        left, right = _update_value(node.left, item), _update_value(node.right, item)
        if _type(left) != "N" or _type(right) != "N":
            raise ddbjson.DynamoDBError(INCORRECT_TYPE, "+ and - need numbers")
        a, b = Decimal(left["N"]), Decimal(right["N"])
        return {"N": _number(_EXACT.add(a, b) if node.op == "+" else _EXACT.subtract(a, b))}
    assert isinstance(node, Call)
    if node.name == "if_not_exists":
        found = get_path(item, node.args[0].elements)
        return copy.deepcopy(found) if found is not None else _update_value(node.args[1], item)
    first, second = (_update_value(a, item) for a in node.args)
    if _type(first) != "L" or _type(second) != "L":
        raise ddbjson.DynamoDBError(INCORRECT_TYPE, "list_append joins two lists")
    return {"L": first["L"] + second["L"]}


def _operand(node: Any, item: dict[str, Any]) -> Any:
    """A condition operand's value, or None (a missing attribute, or size() of a value
    that has no size)."""
    if isinstance(node, Value):
        return node.value
    if isinstance(node, Path):
        return get_path(item, node.elements)
    value = get_path(item, node.args[0].elements)
    size = _size(value) if value is not None else None
    return None if size is None else {"N": str(size)}


def _size(value: Any) -> int | None:
    kind = _type(value)
    if kind == "S":
        # DynamoDB counts a string's UTF-16 code units: "é𝄞" is 3 (ExtendDB/extenddb#67,
        # checked against DynamoDB), where Python's len counts 2 characters.
        return len(value["S"].encode("utf-16-le", "surrogatepass")) // 2
    if kind == "B":
        return len(base64.b64decode(value["B"]))
    if kind in (*_SETS, "L"):
        return len(value[kind])
    if kind == "M":
        return len(value["M"])
    return None


def _scalar(value: Any) -> Any:
    """A value as DynamoDB orders it: numbers by value, strings and binary by their bytes."""
    kind = _type(value)
    if kind == "N":
        return Decimal(value["N"])
    if kind == "S":
        return value["S"].encode("utf-8", "surrogatepass")
    return base64.b64decode(value["B"])


def _order(a: Any, b: Any) -> int | None:
    """-1, 0 or 1 comparing two values of one of the ordered types (N, S, B), else None."""
    if _type(a) != _type(b) or _type(a) not in ("N", "S", "B"):
        return None
    x, y = _scalar(a), _scalar(b)
    return (x > y) - (x < y)


def _truth(node: Any, item: dict[str, Any]) -> bool:
    if isinstance(node, Paren):
        return _truth(node.inner, item)
    if isinstance(node, Logic):
        if node.op == "NOT":
            return not _truth(node.left, item)
        if node.op == "AND":
            return _truth(node.left, item) and _truth(node.right, item)
        return _truth(node.left, item) or _truth(node.right, item)
    if isinstance(node, Compare):
        left, right = _operand(node.left, item), _operand(node.right, item)
        if node.op in ("=", "<>"):
            same = left is not None and right is not None and ddbjson.same_value(left, right)
            return same if node.op == "=" else not same
        order = None if left is None or right is None else _order(left, right)
        if order is None:
            return False
        return {"<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0}[node.op]
    if isinstance(node, Between):
        subject = _operand(node.subject, item)
        low, high = _operand(node.low, item), _operand(node.high, item)
        if subject is None or low is None or high is None:
            return False
        return _order(low, subject) in (-1, 0) and _order(subject, high) in (-1, 0)
    if isinstance(node, In):
        subject = _operand(node.subject, item)
        return subject is not None and any(
            (o := _operand(option, item)) is not None and ddbjson.same_value(subject, o)
            for option in node.options
        )
    return _function(node, item)


def _function(node: Call, item: dict[str, Any]) -> bool:
    value = get_path(item, node.args[0].elements)
    if node.name == "attribute_exists":
        return value is not None
    if node.name == "attribute_not_exists":
        return value is None
    other = _operand(node.args[1], item)
    if value is None or other is None:
        return False
    kind = _type(value)
    if node.name == "attribute_type":
        return _type(other) == "S" and kind == other["S"]
    if node.name == "begins_with":
        if kind != _type(other) or kind not in ("S", "B"):
            return False
        return _scalar(value).startswith(_scalar(other))
    # contains: a substring of a string, a member of a set, an element of a list.
    if kind == "S":
        return _type(other) == "S" and other["S"] in value["S"]
    if kind in _SETS:
        member = {"SS": "S", "NS": "N", "BS": "B"}[kind]
        return _type(other) == member and _member_in(kind, other[member], value[kind])
    if kind == "L":
        return any(ddbjson.same_value(v, other) for v in value["L"])
    return False
