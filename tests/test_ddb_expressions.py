"""DynamoDB's expression language (stptui.sim.ddb_expressions): the worked examples of the
DynamoDB Developer Guide's "Using update expressions in DynamoDB" and "Condition and filter
expressions, operators, and functions" pages, DynamoDB's error texts, and properties."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stptui.sim import ddbjson
from stptui.sim.ddb_expressions import RESERVED_WORDS, ConditionalCheckFailed, prepare

# The developer guide's ProductCatalog item 789, as its update examples start from it.
PRODUCT: dict[str, Any] = {
    "Id": {"N": "789"},
    "ProductCategory": {"S": "Home Improvement"},
    "Price": {"N": "52"},
    "InStock": {"BOOL": True},
    "Brand": {"S": "Acme"},
}


def update(item: dict[str, Any], expr: str, values: Any = None, names: Any = None) -> Any:
    return prepare(update=expr, names=names, values=values, key_names=("Id",)).apply(item)


def holds(item: dict[str, Any], expr: str, values: Any = None, names: Any = None) -> bool:
    return prepare(condition=expr, names=names, values=values).holds(item)


def refusal(**request: Any) -> str:
    with pytest.raises(ddbjson.DynamoDBError) as err:
        prepare(key_names=("Id",), **request)
    return str(err.value)


# -- the developer guide's update examples ------------------------------------------------


def test_set_modifies_and_adds_top_level_attributes() -> None:
    values = {":c": {"S": "Hardware"}, ":p": {"N": "60"}}
    new = update(PRODUCT, "SET ProductCategory = :c, Price = :p", values)
    assert new["ProductCategory"] == {"S": "Hardware"} and new["Price"] == {"N": "60"}
    assert PRODUCT["Price"] == {"N": "52"}  # the item given is left as it was


def test_set_adds_lists_and_maps_then_nested_elements_through_placeholders() -> None:
    values = {
        ":ri": {"L": [{"S": "Hammer"}]},
        ":pr": {"M": {"FiveStar": {"L": [{"S": "Best product ever!"}]}}},
    }
    new = update(PRODUCT, "SET RelatedItems = :ri, ProductReviews = :pr", values)
    names = {"#pr": "ProductReviews", "#5star": "FiveStar", "#3star": "ThreeStar"}
    values = {":r5": {"S": "Very happy with my purchase"}, ":r3": {"L": [{"S": "Just OK"}]}}
    new = update(new, "SET #pr.#5star[1] = :r5, #pr.#3star = :r3", values, names)
    reviews = new["ProductReviews"]["M"]
    assert [v["S"] for v in reviews["FiveStar"]["L"]] == [
        "Best product ever!",
        "Very happy with my purchase",
    ]
    assert reviews["ThreeStar"] == {"L": [{"S": "Just OK"}]}
    # An index past the end of a list appends to it.
    new = update(new, "SET RelatedItems[5] = :x", {":x": {"S": "Nails"}})
    assert [v["S"] for v in new["RelatedItems"]["L"]] == ["Hammer", "Nails"]


def test_set_arithmetic_list_append_and_if_not_exists() -> None:
    new = update(PRODUCT, "SET Price = Price - :p", {":p": {"N": "15"}})
    assert new["Price"] == {"N": "37"}
    item = {**PRODUCT, "RelatedItems": {"L": [{"S": "Hammer"}]}}
    names = {"#ri": "RelatedItems"}
    new = update(
        item, "SET #ri = list_append(#ri, :vals)", {":vals": {"L": [{"S": "Screwdriver"}]}}, names
    )
    assert [v["S"] for v in new["RelatedItems"]["L"]] == ["Hammer", "Screwdriver"]
    new = update(
        item, "SET #ri = list_append(:vals, #ri)", {":vals": {"L": [{"S": "Chisel"}]}}, names
    )
    assert [v["S"] for v in new["RelatedItems"]["L"]] == ["Chisel", "Hammer"]
    # if_not_exists keeps the Price there is; it writes the value only where there is none.
    assert update(PRODUCT, "SET Price = if_not_exists(Price, :p)", {":p": {"N": "100"}}) == PRODUCT
    new = update(PRODUCT, "SET Stock = if_not_exists(Stock, :p)", {":p": {"N": "100"}})
    assert new["Stock"] == {"N": "100"}


def test_remove_attributes_and_list_elements_by_their_positions_before_the_update() -> None:
    new = update(PRODUCT, "REMOVE Brand, InStock, QuantityOnHand")
    assert sorted(new) == ["Id", "Price", "ProductCategory"]
    items = {"L": [{"S": "Hammer"}, {"S": "Nails"}, {"S": "Screwdriver"}, {"S": "Saw"}]}
    new = update({**PRODUCT, "RelatedItems": items}, "REMOVE RelatedItems[1], RelatedItems[2]")
    assert [v["S"] for v in new["RelatedItems"]["L"]] == ["Hammer", "Saw"]
    # An index past the end removes nothing.
    assert update({**PRODUCT, "L": items}, "REMOVE L[9]")["L"] == items


def test_add_numbers_and_sets_and_delete_from_sets() -> None:
    new = update(PRODUCT, "ADD QuantityOnHand :q", {":q": {"N": "5"}})
    assert new["QuantityOnHand"] == {"N": "5"}
    assert update(new, "ADD QuantityOnHand :q", {":q": {"N": "-2.5"}})["QuantityOnHand"] == {
        "N": "2.5"
    }
    new = update(PRODUCT, "ADD Color :c", {":c": {"SS": ["Orange", "Purple"]}})
    new = update(new, "ADD Color :c", {":c": {"SS": ["Yellow", "Purple"]}})
    assert new["Color"] == {"SS": ["Orange", "Purple", "Yellow"]}
    new = update(new, "DELETE Color :p", {":p": {"SS": ["Yellow", "Purple"]}})
    assert new["Color"] == {"SS": ["Orange"]}
    # A set cannot be empty: deleting its last member removes the attribute.
    assert "Color" not in update(new, "DELETE Color :p", {":p": {"SS": ["Orange"]}})
    # DELETE from an attribute that is not there does nothing.
    assert update(PRODUCT, "DELETE Nope :p", {":p": {"SS": ["x"]}}) == PRODUCT


def test_every_operand_is_read_from_the_item_before_the_update() -> None:
    item = {"Id": {"N": "1"}, "a": {"N": "1"}, "b": {"N": "2"}}
    new = update(item, "SET a = b, b = a")
    assert new["a"] == {"N": "2"} and new["b"] == {"N": "1"}


def test_keywords_are_case_insensitive_and_function_names_are_not() -> None:
    assert update(PRODUCT, "set Price = :p remove Brand", {":p": {"N": "1"}})["Price"] == {"N": "1"}
    assert "Invalid function name; function: If_not_exists" in refusal(
        update="SET Price = If_not_exists(Price, :p)", values={":p": {"N": "1"}}
    )


# -- the developer guide's condition examples ---------------------------------------------

PICTURED: dict[str, Any] = {
    **PRODUCT,
    "Color": {"SS": ["Red", "Black"]},
    "Pictures": {"M": {"FrontView": {"S": "http://example.com/products/789_front.jpg"}}},
    "ProductReviews": {"M": {"OneStar": {"L": [{"S": "Terrible"}]}}},
    "VideoClip": {"B": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIj"},
}


@pytest.mark.parametrize(
    ("expr", "values", "expected"),
    [
        ("attribute_not_exists(Price)", None, False),
        ("attribute_not_exists(Discount)", None, True),
        ("attribute_exists(ProductReviews.OneStar)", None, True),
        ("attribute_exists(ProductReviews.FiveStar)", None, False),
        ("attribute_type(Color, :v_sub)", {":v_sub": {"S": "SS"}}, True),
        ("attribute_type(Color, :v_sub)", {":v_sub": {"S": "L"}}, False),
        ("begins_with(Pictures.FrontView, :v_sub)", {":v_sub": {"S": "http://"}}, True),
        ("contains(Color, :v_sub)", {":v_sub": {"S": "Red"}}, True),
        ("contains(Brand, :v_sub)", {":v_sub": {"S": "cm"}}, True),
        ("contains(ProductReviews.OneStar, :v_sub)", {":v_sub": {"S": "Terrible"}}, True),
        ("size(VideoClip) > :v_sub", {":v_sub": {"N": "35"}}, True),
        ("size(Color) = :v_sub", {":v_sub": {"N": "2"}}, True),
        ("Price BETWEEN :lo AND :hi", {":lo": {"N": "50"}, ":hi": {"N": "52"}}, True),
        ("Price IN (:a, :b)", {":a": {"N": "1"}, ":b": {"N": "52.0"}}, True),
        ("Price <> :p", {":p": {"N": "52"}}, False),
        ("Price > :p", {":p": {"S": "5"}}, False),  # another type never orders
        ("Brand < :b", {":b": {"S": "Acmf"}}, True),
        ("NOT InStock = :t OR Price >= :p", {":t": {"BOOL": True}, ":p": {"N": "52"}}, True),
    ],
)
def test_the_guides_condition_functions_and_comparators(
    expr: str, values: Any, expected: bool
) -> None:
    assert holds(PICTURED, expr, values) is expected


def test_not_binds_tighter_than_and_which_binds_tighter_than_or() -> None:
    t, f = "attribute_exists(Price)", "attribute_exists(Nope)"
    assert holds(PRODUCT, f"{t} OR {f} AND {f}")  # t OR (f AND f)
    assert not holds(PRODUCT, f"({t} OR {f}) AND {f}")
    assert holds(PRODUCT, f"NOT {f} AND {t}")  # (NOT f) AND t
    assert not holds(PRODUCT, f"NOT ({f} OR {t})")


def test_a_failed_condition_raises_conditional_check_failed() -> None:
    prepared = prepare(condition="attribute_not_exists(Id)")
    with pytest.raises(ConditionalCheckFailed) as err:
        prepared.require(PRODUCT)
    assert str(err.value) == "ConditionalCheckFailedException: The conditional request failed"
    prepared.require(None)  # no item: nothing exists


# -- DynamoDB's refusals ------------------------------------------------------------------

N1 = {":v": {"N": "1"}}
S1 = {":v": {"S": "x"}}


@pytest.mark.parametrize(
    ("request_", "text"),
    [
        (
            {"update": "SET status = :v", "values": S1},
            "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: "
            "status",
        ),
        (
            {"condition": "a.name = :v", "values": S1},
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved "
            "keyword: name",
        ),
        (
            {"update": "SET #s = :v", "values": S1},
            "Invalid UpdateExpression: An expression attribute name used in the document path "
            "is not defined; attribute name: #s",
        ),
        (
            {"update": "SET a = :w", "values": S1},
            "Invalid UpdateExpression: An expression attribute value used in expression is not "
            "defined; attribute value: :w",
        ),
        (
            {"update": "SET a = :v", "values": {**S1, ":x": {"N": "2"}}},
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}",
        ),
        (
            {"update": "SET a = :v", "values": S1, "names": {"#n": "n"}},
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#n}",
        ),
        ({"update": "SET a = :v", "values": {}}, "ExpressionAttributeValues must not be empty"),
        (
            {"update": "SET a = :v", "values": {"v": {"N": "1"}}},
            'ExpressionAttributeValues contains invalid key: Syntax error; key: "v"',
        ),
        (
            {"update": "REMOVE #n", "names": {"n": "a"}},
            'ExpressionAttributeNames contains invalid key: Syntax error; key: "n"',
        ),
        ({"update": "REMOVE a", "names": {}}, "ExpressionAttributeNames must not be empty"),
        (
            {"values": S1},
            "ExpressionAttributeValues can only be specified when using expressions: "
            "ConditionExpression is null",
        ),
        (
            {"update": "SET a = :v", "values": {":v": {"SS": []}}},
            "ExpressionAttributeValues contains invalid value: One or more parameter values "
            "were invalid: An string set  may not be empty for key :v",
        ),
        (
            {"update": "SET a = :v SET b = :v", "values": S1},
            'Invalid UpdateExpression: The "SET" section can only be used once in an update '
            "expression;",
        ),
        (
            {"update": "SET a = :v, a.b = :v", "values": S1},
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove "
            "or rewrite one of these paths; path one: [a], path two: [a, b]",
        ),
        (
            {"update": "SET a = :v REMOVE a", "values": S1},
            "Two document paths overlap with each other; must remove or rewrite one of these "
            "paths; path one: [a], path two: [a]",
        ),
        (
            {"update": "SET a.b = :v, a[0] = :v", "values": S1},
            "Invalid UpdateExpression: Two document paths conflict with each other; must remove "
            "or rewrite one of these paths; path one: [a, b], path two: [a, [0]]",
        ),
        (
            {"update": "SET Id = :v", "values": N1},
            "Cannot update attribute Id. This attribute is part of the key",
        ),
        (
            {"update": "SET a = a + :v", "values": S1},
            "Invalid UpdateExpression: Incorrect operand type for operator or function; "
            "operator or function: +, operand type: S",
        ),
        (
            {"update": "SET a = list_append(a, :v)", "values": S1},
            "Incorrect operand type for operator or function; operator or function: "
            "list_append, operand type: S",
        ),
        (
            {"update": "ADD a :v", "values": S1},
            "Invalid UpdateExpression: Incorrect operand type for operator or function; "
            "operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND",
        ),
        (
            {"update": "DELETE a :v", "values": N1},
            "Invalid UpdateExpression: Incorrect operand type for operator or function; "
            "operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND",
        ),
        (
            {"update": "SET a = size(b)"},
            "Invalid UpdateExpression: The function is not allowed in an update expression; "
            "function: size",
        ),
        (
            {"update": "SET a = list_append(b)"},
            "Incorrect number of operands for operator or function; operator or function: "
            "list_append, number of operands: 1",
        ),
        (
            {"update": "SET a = if_not_exists(:v, b)", "values": N1},
            "Operator or function requires a document path; operator or function: if_not_exists",
        ),
        (
            {"update": "SET a = "},
            'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "= "',
        ),
        (
            {"update": "SET a = b $ c"},
            'Invalid UpdateExpression: Syntax error; token: "$", near: "b $ c"',
        ),
        (
            {"condition": "((a = :v))", "values": N1},
            "Invalid ConditionExpression: The expression has redundant parentheses;",
        ),
        (
            {"condition": "size(a)"},
            "The function is not allowed to be used this way in an expression; function: size",
        ),
        (
            {"condition": "a = if_not_exists(a, :v)", "values": N1},
            "Invalid ConditionExpression: The function is not allowed in a condition "
            "expression; function: if_not_exists",
        ),
        (
            {"condition": "begins_with(a, :v)", "values": N1},
            "Incorrect operand type for operator or function; operator or function: "
            "begins_with, operand type: N",
        ),
        (
            {"condition": "attribute_type(a, :v)", "values": {":v": {"S": "STRING"}}},
            "Invalid attribute type name found; type: STRING, valid types: "
            "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
        ),
        (
            {"condition": "a BETWEEN :h AND :l", "values": {":h": {"N": "5"}, ":l": {"N": "1"}}},
            "The BETWEEN operator requires upper bound to be greater than or equal to lower "
            "bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: "
            "AttributeValue: {N:1}",
        ),
        (
            {"condition": "a = a"},
            "The first operand must be distinct from the remaining operands for this operator "
            "or function; operator: =, first operand: [a]",
        ),
        (
            {"condition": "a IN (" + ", ".join([":v"] * 101) + ")", "values": N1},
            "The IN operator is provided with too many operands; number of operands: 101",
        ),
        (
            {"update": "SET a = :v" + " " * 4100, "values": N1},
            "Expression size has exceeded the maximum allowed size; expression size: 4110",
        ),
    ],
)
def test_dynamodbs_refusals_with_its_texts(request_: dict[str, Any], text: str) -> None:
    message = refusal(**request_)
    assert text in message
    assert message.startswith("ValidationException: ")


@pytest.mark.parametrize(
    ("item", "expr", "values", "text"),
    [
        ({"a": {"S": "x"}}, "SET a = a + :v", N1, "incorrect data type"),
        ({"a": {"S": "x"}}, "ADD a :v", N1, "incorrect data type"),
        ({"a": {"SS": ["x"]}}, "ADD a :v", {":v": {"NS": ["1"]}}, "incorrect data type"),
        ({"a": {"N": "1"}}, "SET a = list_append(a, :v)", {":v": {"L": []}}, "incorrect data"),
        ({}, "SET a = b + :v", N1, "refers to an attribute that does not exist in the item"),
        ({}, "SET a.b = :v", N1, "The document path provided in the update expression is "),
        ({"a": {"L": []}}, "SET a.b = :v", N1, "invalid for update"),
        (
            {"a": {"N": "1" + "0" * 36 + "1"}},  # 38 digits; plus 0.1 needs 39
            "SET a = a + :v",
            {":v": {"N": "0.1"}},
            "Attempting to store more than 38 significant digits in a Number",
        ),
        ({"a": {"N": "9E+125"}}, "ADD a :v", {":v": {"N": "9E+125"}}, "Number overflow"),
    ],
)
def test_refusals_that_depend_on_the_item(item: Any, expr: str, values: Any, text: str) -> None:
    prepared = prepare(update=expr, values=values)
    with pytest.raises(ddbjson.DynamoDBError, match=text):
        prepared.apply({"Id": {"N": "1"}, **item})


def test_the_reserved_words_are_dynamodbs_573_and_placeholders_escape_them() -> None:
    assert len(RESERVED_WORDS) == 573
    assert {"STATUS", "NAME", "DATA", "TTL", "COUNT", "TOTAL"} <= RESERVED_WORDS
    new = update(PRODUCT, "SET #s = :v", S1, {"#s": "status"})
    assert new["status"] == {"S": "x"}


# -- properties ---------------------------------------------------------------------------

scalars = st.one_of(
    st.text(max_size=8).map(lambda s: {"S": s}),
    st.integers(-(10**30), 10**30).map(lambda n: {"N": str(n)}),
    st.booleans().map(lambda b: {"BOOL": b}),
)
values_ = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda v: {"L": v}),
        st.dictionaries(st.from_regex(r"[a-z]{1,4}", fullmatch=True), inner, max_size=3).map(
            lambda m: {"M": m}
        ),
    ),
    max_leaves=6,
)
items = st.dictionaries(st.from_regex(r"q[a-z]{0,3}", fullmatch=True), values_, max_size=4).map(
    lambda d: {"Id": {"N": "1"}, **d}
)


@settings(max_examples=60, deadline=None)
@given(items, values_)
def test_set_of_a_new_attribute_then_remove_restores_the_item(
    item: dict[str, Any], value: Any
) -> None:
    value = ddbjson.check_value(value, "v")
    added = update(item, "SET #new = :v", {":v": value}, {"#new": "zz new"})
    assert ddbjson.same_value(added["zz new"], value)
    restored = update(added, "REMOVE #new", names={"#new": "zz new"})
    assert ddbjson.same_item(restored, item)


numbers = st.decimals(
    min_value=Decimal("-1e20"), max_value=Decimal("1e20"), places=6, allow_nan=False
).map(lambda d: ddbjson.canonical_number(str(d), "n"))


@settings(max_examples=80, deadline=None)
@given(numbers, numbers)
def test_add_of_n_then_minus_n_leaves_a_number_unchanged(start: str, n: str) -> None:
    item = {"Id": {"N": "1"}, "c": {"N": start}}
    minus = ddbjson.canonical_number(str(-Decimal(n)), "n")
    once = update(item, "ADD c :n", {":n": {"N": n}})
    assert Decimal(once["c"]["N"]) == Decimal(start) + Decimal(n)
    assert update(once, "ADD c :n", {":n": {"N": minus}}) == item
    assert (
        update(update(item, "SET c = c + :n", {":n": {"N": n}}), "SET c = c - :n", {":n": {"N": n}})
        == item
    )


@settings(max_examples=60, deadline=None)
@given(items, values_)
def test_equal_and_not_equal_are_complements_and_not_not_is_the_identity(
    item: dict[str, Any], value: Any
) -> None:
    value = ddbjson.check_value(value, "v")
    for path in ["Id", *[k for k in item if k != "Id"][:2]]:
        names = {"#p": path}
        eq = holds(item, "#p = :v", {":v": value}, names)
        assert holds(item, "#p <> :v", {":v": value}, names) is not eq
        assert holds(item, "NOT NOT #p = :v", {":v": value}, names) is eq


# -- the audit: each comparator, function and clause the guide lists ------------------------

MIXED: dict[str, Any] = {
    "Id": {"N": "1"},
    "a": {"N": "5"},
    "s": {"S": "hello"},
    "l": {"L": [{"S": "x"}, {"N": "2"}]},
    "m": {"M": {"k": {"S": "v"}}},
    "ns": {"NS": ["1", "2"]},
    "bs": {"BS": ["AAE="]},
    "b": {"B": "AAEC"},
    "nul": {"NULL": True},
    "t": {"BOOL": True},
    "u": {"S": "é𝄞"},
}


@pytest.mark.parametrize(
    ("expr", "values", "expected"),
    [
        ("a = :v", {":v": {"N": "5.00"}}, True),
        ("a = :v", {":v": {"S": "5"}}, False),  # values of different types are never equal
        ("a <> :v", {":v": {"S": "5"}}, True),
        ("a < :v", {":v": {"N": "5"}}, False),
        ("a <= :v", {":v": {"N": "5"}}, True),
        ("a <= :v", {":v": {"N": "4.99"}}, False),
        ("a > :v", {":v": {"N": "-5"}}, True),
        ("a >= :v", {":v": {"N": "5"}}, True),
        ("s BETWEEN :x AND :y", {":x": {"S": "a"}, ":y": {"S": "hello"}}, True),
        ("b BETWEEN :x AND :y", {":x": {"B": "AAE="}, ":y": {"B": "AAI="}}, True),
        ("a IN (:v)", {":v": {"N": "5"}}, True),
        ("contains(ns, :v)", {":v": {"N": "2.0"}}, True),
        ("contains(bs, :v)", {":v": {"B": "AAE="}}, True),
        ("contains(l, :v)", {":v": {"N": "2"}}, True),
        ("contains(l, :v)", {":v": {"S": "2"}}, False),
        ("begins_with(b, :v)", {":v": {"B": "AAE="}}, True),
        ("begins_with(s, :v)", {":v": {"S": "hex"}}, False),
        ("size(s) = :v", {":v": {"N": "5"}}, True),
        ("size(m) = :v", {":v": {"N": "1"}}, True),
        ("size(l) = :v", {":v": {"N": "2"}}, True),
        ("size(b) = :v", {":v": {"N": "3"}}, True),
        ("size(a) = :v", {":v": {"N": "1"}}, False),  # a number has no size
        ("attribute_type(nul, :v)", {":v": {"S": "NULL"}}, True),
        ("attribute_type(t, :v)", {":v": {"S": "BOOL"}}, True),
        ("attribute_type(bs, :v)", {":v": {"S": "BS"}}, True),
        ("attribute_type(m, :v)", {":v": {"S": "M"}}, True),
        ("attribute_exists(m.k) AND attribute_not_exists(m.z)", None, True),
        ("attribute_exists(l[1]) AND attribute_not_exists(l[2])", None, True),
        ("nope <> :v", {":v": {"N": "1"}}, True),  # a missing attribute equals nothing
        ("nope < :v OR nope >= :v", {":v": {"N": "1"}}, False),
    ],
)
def test_every_comparator_and_function_on_each_type(expr: str, values: Any, expected: bool) -> None:
    assert holds(MIXED, expr, values) is expected


def test_size_of_a_string_counts_utf16_code_units_as_dynamodb_does() -> None:
    # DynamoDB's size("é𝄞") is 3, not 2 characters or 6 UTF-8 bytes (checked against
    # DynamoDB in ExtendDB/extenddb#67): the musical symbol is a surrogate pair.
    assert holds(MIXED, "size(u) = :v", {":v": {"N": "3"}})
    assert not holds(MIXED, "size(u) = :v", {":v": {"N": "2"}})


def test_in_takes_up_to_100_operands() -> None:
    values = {f":v{i}": {"N": str(i)} for i in range(100)}
    expr = "a IN (" + ", ".join(values) + ")"
    assert holds(MIXED, expr, values)
    values[":v5"] = {"N": "6"}
    assert not holds(MIXED, expr, values)


@pytest.mark.parametrize(
    ("request_", "text"),
    [
        (
            {"update": "REMOVE a REMOVE s"},
            'The "REMOVE" section can only be used once in an update expression;',
        ),
        (
            {"update": "ADD a :v ADD s :v", "values": N1},
            'The "ADD" section can only be used once in an update expression;',
        ),
        (
            {"update": "DELETE ns :v DELETE ns :v", "values": {":v": {"NS": ["1"]}}},
            'The "DELETE" section can only be used once in an update expression;',
        ),
        (
            {"update": "ADD l :v", "values": {":v": {"L": [{"S": "y"}]}}},
            "operator: ADD, operand type: LIST, typeSet: ALLOWED_FOR_ADD_OPERAND",
        ),
        (
            {"update": "DELETE l :v", "values": {":v": {"L": [{"S": "y"}]}}},
            "operator: DELETE, operand type: LIST, typeSet: ALLOWED_FOR_DELETE_OPERAND",
        ),
        (
            {"condition": "attribute_exists(status)"},
            "Attribute name is a reserved keyword; reserved keyword: status",
        ),
        (
            {"update": "REMOVE #a.data", "names": {"#a": "a"}},
            "Attribute name is a reserved keyword; reserved keyword: data",
        ),
        (
            {"update": "SET a = :v", "condition": "s = :w", "values": {**N1, ":w": S1[":v"]}},
            "",  # the condition uses :w: nothing unused
        ),
        (
            {"update": "SET a = :v", "condition": "s = :v", "values": {**N1, ":w": S1[":v"]}},
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}",
        ),
        ({"update": "SET a = a + :v - :v", "values": N1}, 'Syntax error; token: "-"'),
        (
            {"condition": "a BETWEEN :lo AND :hi", "values": {":lo": N1[":v"], ":hi": S1[":v"]}},
            "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower "
            "and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: "
            "AttributeValue: {S:x}",
        ),
    ],
)
def test_clauses_once_and_placeholders_used_across_update_and_condition(
    request_: dict[str, Any], text: str
) -> None:
    if not text:
        prepare(key_names=("Id",), **request_)
        return
    assert text in refusal(**request_)
