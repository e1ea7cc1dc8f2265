"""`validate` reports, at file:line:col, what Stacktape's schema or DynamoDB's CreateTable
would refuse in a `dynamo-db-table`'s `secondaryIndexes`, and a primary key that names one
attribute twice."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lintkit import SAMPLE_STACKS, codes, found, one, where

from stptui.config import load_stack

CODES = (
    "table-secondary-index",
    "table-key-attribute-type",
    "table-index-count",
    "table-projection-count",
)
HEAD = (
    "resources:\n  t:\n    type: dynamo-db-table\n    properties:\n"
    "      primaryKey: {partitionKey: {name: id, type: string}}\n"
    "      secondaryIndexes:\n"
)


def table(*indexes: str) -> str:
    """A table keyed on `id` (a string) with these flow-style indexes, from line 7 on."""
    return HEAD + "".join(f"        - {index}\n" for index in indexes)


def col(text: str, line: int, fragment: str) -> int:
    """The 1-based column of `fragment` on a 1-based line of `text`."""
    return text.splitlines()[line - 1].index(fragment) + 1


GOOD = "{name: byEmail, partitionKey: {name: email, type: string}}"


@pytest.mark.parametrize(
    "index",
    [
        GOOD,
        "{name: byStatus.created_at-1, partitionKey: {name: status, type: string},"
        " sortKey: {name: createdAt, type: number}, projections: [total, note]}",
        # An index may reuse a table key with the table's type (a common inverted index).
        "{name: byOwner, partitionKey: {name: owner, type: binary}, sortKey: {name: id,"
        " type: string}}",
    ],
)
def test_indexes_of_stacktapes_shape_are_accepted(index: str) -> None:
    assert codes(table(index)) == []


def test_a_repeated_index_name_is_an_error_at_the_second_name() -> None:
    text = table(GOOD, "{name: byEmail, partitionKey: {name: mail, type: string}}")
    d = one(text, "table-secondary-index")
    assert where(d) == ("error", "s.yml", 8, col(text, 8, "byEmail"))
    assert "like the index at line 7" in d.message and d.hint == "give each index its own name"


@pytest.mark.parametrize("name", ["by", "by email", "by/email", "x" * 256, "5"])
def test_an_index_name_dynamodb_refuses_is_an_error_at_it(name: str) -> None:
    text = table(f"{{name: '{name}', partitionKey: {{name: email, type: string}}}}")
    d = one(text, "table-secondary-index")
    assert (d.line, d.column) == (7, col(text, 7, f"'{name}'"))
    assert "3 to 255" in d.message


def test_the_keys_of_an_index_are_checked_like_the_primary_key() -> None:
    # Stacktape's newer hand-written docs show DynamoDB's letters and `projectionType: ALL`.
    text = table(
        "{name: byCustomer, partitionKey: {name: customerId, type: S},"
        " sortKey: {name: orderDate, type: S}, projectionType: ALL}"
    )
    diags = found(text, "table-secondary-index")
    assert [(d.column, d.hint) for d in diags] == [
        (col(text, 7, "S}"), "write type: string"),
        (col(text, 7, "S},") + len("S}, sortKey: {name: orderDate, type: "), "write type: string"),
        (col(text, 7, "projectionType"), diags[2].hint),
    ]
    assert "secondaryIndexes[0].partitionKey" in diags[0].message
    assert "unknown property `projectionType`" in diags[2].message
    assert diags[2].hint is not None and "`projections`" in diags[2].hint


@pytest.mark.parametrize(
    ("index", "words", "fragment"),
    [
        ("{partitionKey: {name: email, type: string}}", "has no name", "{partitionKey"),
        ("{name: byEmail}", "partitionKey of dynamo-db-table 't' is missing", "{name"),
        ("{name: byEmail, partitionKey: email}", "is not a mapping", "email}"),
        ("{name: byEmail, partitionKey: {type: string}}", "has no name", "partitionKey"),
        ("{name: byEmail, partitionKey: {name: e, type: date}}", "'date'", "date"),
        (
            "{name: byEmail, partitionKey: {name: e, type: string}, projections: e}",
            "not a list",
            "e}",
        ),
        (
            "{name: byEmail, partitionKey: {name: e, type: string}, projections: [a, 3]}",
            "entry 3",
            "3]",
        ),
        (
            "{name: byEmail, partitionKey: {name: e, type: string}, sortkey: {name: s}}",
            "unknown property `sortkey`",
            "sortkey",
        ),
        ("byEmail", "is not a mapping", "byEmail"),
    ],
)
def test_each_malformed_index_gets_one_finding_at_its_place(
    index: str, words: str, fragment: str
) -> None:
    text = table(index)
    d = one(text, "table-secondary-index")
    assert words in d.message, d.format()
    assert (d.line, d.column) == (7, text.splitlines()[6].rindex(fragment) + 1), d.format()


def test_a_misspelt_key_gets_its_real_name_as_the_hint() -> None:
    d = one(
        table("{Name: byEmail, partitionKey: {name: e, type: string}}"), "table-secondary-index"
    )
    assert d.hint == "did you mean `name`?"


def test_secondary_indexes_that_are_no_list_are_an_error() -> None:
    text = HEAD.replace("      secondaryIndexes:\n", "      secondaryIndexes: {name: byEmail}\n")
    d = one(text, "table-secondary-index")
    assert (d.line, "not a list" in d.message) == (6, True)


@pytest.mark.parametrize(
    ("keys", "code"),
    [
        (
            "primaryKey: {partitionKey: {name: pk, type: string}, sortKey: {name: pk, type: string}}",
            "table-primary-key",
        ),
        (
            "primaryKey: {partitionKey: {name: id, type: string}}\n      secondaryIndexes:\n"
            "        - {name: byPk, partitionKey: {name: pk, type: string}, sortKey: {name: pk,"
            " type: string}}",
            "table-secondary-index",
        ),
    ],
)
def test_one_attribute_as_both_keys_is_an_error_at_the_sort_key(keys: str, code: str) -> None:
    text = f"resources:\n  t:\n    type: dynamo-db-table\n    properties:\n      {keys}\n"
    d = one(text, code)
    line = len(text.splitlines())
    assert (d.line, d.column) == (line, text.splitlines()[line - 1].rindex("pk,") + 1)
    assert "both its partitionKey and its sortKey" in d.message


def test_an_attribute_keyed_with_two_types_is_an_error_at_the_second_type() -> None:
    text = table(
        "{name: byId, partitionKey: {name: id, type: number}}",
        "{name: byAt, partitionKey: {name: at, type: string}}",
        "{name: byAt2, partitionKey: {name: x, type: string}, sortKey: {name: at, type: number}}",
    )
    diags = found(text, "table-key-attribute-type")
    assert [(d.line, d.column) for d in diags] == [
        (7, col(text, 7, "number")),
        (9, col(text, 9, "number")),
    ]
    assert "primaryKey.partitionKey makes it a string" in diags[0].message
    assert "secondaryIndexes[1].partitionKey makes it a string" in diags[1].message
    assert diags[0].hint == "write type: string, or key the index on another attribute"


def _indexes(n: int) -> list[str]:
    return [f"{{name: index{i}, partitionKey: {{name: k{i}, type: string}}}}" for i in range(n)]


def test_more_than_twenty_indexes_is_a_warning_at_the_twenty_first() -> None:
    assert found(table(*_indexes(20)), "table-index-count") == []
    text = table(*_indexes(22))
    d = one(text, "table-index-count")
    assert where(d) == ("warning", "s.yml", 7 + 20, 11)
    assert "22 secondary indexes" in d.message and "quota" in d.message


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=6))
def test_projected_attributes_are_refused_past_one_hundred_in_all(sizes: list[int]) -> None:
    # Each index projects its own attributes; the key attributes it names do not count.
    indexes = [
        f"{{name: index{i}, partitionKey: {{name: k{i}, type: string}}, projections: "
        f"[id, k{i}{''.join(f', a{j}' for j in range(n))}]}}"
        for i, n in enumerate(sizes)
    ]
    text = table(*indexes)
    diags = found(text, "table-projection-count")
    totals = [sum(sizes[: i + 1]) for i in range(len(sizes))]
    crossing = next((i for i, total in enumerate(totals) if total > 100), None)
    if crossing is None:
        assert diags == []
    else:
        assert [(d.line, d.column) for d in diags] == [
            (7 + crossing, col(text, 7 + crossing, "projections: [") + len("projections: "))
        ]
        assert f"project {totals[crossing]} non-key attributes" in diags[0].message


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet="abcXYZ019_.-", min_size=3, max_size=12), min_size=1, max_size=8))
def test_each_repeat_of_a_valid_name_is_reported_once(names: list[str]) -> None:
    text = table(*(f"{{name: '{n}', partitionKey: {{name: k, type: string}}}}" for n in names))
    repeats = [i for i, n in enumerate(names) if n in names[:i]]
    assert [d.line for d in found(text, "table-secondary-index")] == [7 + i for i in repeats]


def test_sample_stacks_stay_clean() -> None:
    for path in SAMPLE_STACKS:
        assert not [d for d in load_stack(path).diagnostics if d.code in CODES], path
