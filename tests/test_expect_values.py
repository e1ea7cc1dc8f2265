"""`expect item TABLE KEY=VALUE ... ATTRIBUTE` and `expect object BUCKET KEY exists|size`:
values, not counts. An item's attribute is read as plain JSON and compared as JSON; a key
with no item, or an object that is not there, is a failed expect; a table or bucket that is
not in the stack is a command error with a did-you-mean. Completion offers each word."""

from __future__ import annotations

from pathlib import Path

import pytest
from pygments.token import Name, Number, Operator
from replkit import complete, metas

from stptui.commands import (
    REGISTRY,
    CommandError,
    ExpectationFailed,
    Session,
    complete_values,
    execute,
)
from stptui.commands import registry as kinds
from stptui.repl.candidates import offers
from stptui.repl.grammar import Walker
from stptui.repl.lexer import lexer_for
from stptui.repl.validator import check
from stptui.sim.clock import parse_instant

T0 = parse_instant("2026-01-05T08:00:00Z")

STACK = """\
serviceName: values
resources:
  orders:
    type: dynamo-db-table
    properties:
      primaryKey:
        partitionKey: {name: customer, type: string}
        sortKey: {name: n, type: number}
  carts:
    type: dynamo-db-table
    properties:
      primaryKey: {partitionKey: {name: id, type: string}}
  uploads:
    type: bucket
"""

ORDER = (
    '\'{"customer": {"S": "c-1"}, "n": {"N": "7"}, "status": {"S": "CANCELLED"}, '
    '"total": {"N": "5000"}, "code": {"S": "5000"}, "paid": {"BOOL": false}, '
    '"address": {"M": {"city": {"S": "Brno"}}}, "lines": {"L": [{"S": "a"}, {"S": "b"}]}}\''
)


@pytest.fixture
def session(tmp_path: Path) -> Session:
    path = tmp_path / "stacktape.yml"
    path.write_text(STACK)
    s = Session.open(path, start_ms=T0)
    execute(s, f"put-item orders {ORDER}")
    execute(s, "upload uploads reports/a.csv --content 'id,amount'")
    return s


def failed(session: Session, line: str) -> ExpectationFailed:
    with pytest.raises(ExpectationFailed) as info:
        execute(session, line)
    return info.value


def refused(session: Session, line: str) -> CommandError:
    with pytest.raises(CommandError) as info:
        execute(session, line)
    assert not isinstance(info.value, ExpectationFailed), info.value.message
    return info.value


# -- (a) an item's attribute -----------------------------------------------------------------


def test_an_item_attribute_holds_as_plain_json(session: Session) -> None:
    result = execute(session, "expect item orders customer=c-1 n=7 status == CANCELLED")
    assert result.text == (
        'ok: item orders customer=c-1 n=7 status == "CANCELLED" (actual "CANCELLED")'
    )
    # A number attribute (DynamoDB's {"N": "5000"}) is the number 5000, as DocumentClient
    # reads it: it orders as a number.
    assert execute(session, "expect item orders customer=c-1 n=7 total > 4999").data["ok"]
    assert execute(session, "expect item orders customer=c-1 n=7 paid == false").data["ok"]
    # Nested maps and lists by a document path.
    assert execute(session, "expect item orders customer=c-1 n=7 address.city == Brno")
    assert execute(session, "expect item orders customer=c-1 n=7 'lines[1]' == b")
    assert execute(session, 'expect item orders customer=c-1 n=7 address == \'{"city": "Brno"}\'')


def test_a_string_is_not_a_number_and_the_failure_says_so(session: Session) -> None:
    e = failed(session, "expect item orders customer=c-1 n=7 code == 5000")
    assert e.message == (
        'expected item orders customer=c-1 n=7 code == 5000 (a number), actual "5000" (a string)'
    )
    # To compare with the text, quote it as a JSON string.
    assert execute(session, "expect item orders customer=c-1 n=7 code == '\"5000\"'").data["ok"]
    e = failed(session, "expect item orders customer=c-1 n=7 code > 10")
    assert e.message.endswith('actual "5000" (a string)')
    assert e.hint == (
        "the item holds a string and 10 is a number: values of two JSON types never match; "
        "to compare with the text, write '\"10\"'"
    )


def test_a_failed_value_says_expected_and_actual(session: Session) -> None:
    e = failed(session, "expect item orders customer=c-1 n=7 status == SHIPPED")
    assert e.message == (
        'expected item orders customer=c-1 n=7 status == "SHIPPED", actual "CANCELLED"'
    )


def test_a_key_with_no_item_is_a_failed_expect(session: Session) -> None:
    e = failed(session, "expect item orders customer=c-1 n=8 status == CANCELLED")
    assert e.message == (
        'expected item orders customer=c-1 n=8 status == "CANCELLED", but orders has no item '
        "customer=c-1 n=8"
    )
    assert e.hint == "`show table orders` lists its items"
    # An attribute the item lacks: the attributes it has.
    e = failed(session, "expect item orders customer=c-1 n=7 state == CANCELLED")
    assert "the item has no attribute state" in e.message
    assert e.hint is not None and e.hint.startswith("did you mean status?")


def test_a_table_or_key_that_is_wrong_is_a_command_error(session: Session) -> None:
    e = refused(session, "expect item ordrs customer=c-1 n=7 status == X")
    assert (e.message, e.hint) == ("no dynamo-db-table named 'ordrs'", "did you mean orders?")
    e = refused(session, "expect item orders customer=c-1 status == X")
    assert e.message == "a key of orders has customer (S), n (N): n= is missing"
    e = refused(session, "expect item orders custmer=c-1 n=7 status == X")
    assert e.message == "orders has no key attribute 'custmer'"
    assert e.hint == "did you mean customer?"
    e = refused(session, "expect item orders customer=c-1 n=seven status == X")
    assert e.message == "n is a number key of orders: 'seven' is not a number"
    e = refused(session, "expect item orders customer=c-1 n=7 == X")
    assert e.message == "expect item needs an ATTRIBUTE after the key"
    assert e.hint == "e.g. expect item orders customer=c-1 n=7 ATTRIBUTE == VALUE"
    # Checked before Enter as well, with the same words.
    p = check(session, "expect item ordrs customer=c-1 n=7 status == X")
    assert p is not None and p.hint == "did you mean orders?"
    p = check(session, "expect item orders custmer=c-1 n=7 status == X")
    assert p is not None and p.message == "orders has no key attribute 'custmer'"
    assert check(session, "expect item orders customer=c-1 n=7 status == X") is None


def test_more_words_than_the_path_has_are_refused(session: Session) -> None:
    e = refused(session, "expect item orders customer=c-1 n=7 status total == X")
    assert e.message == (
        "expect item reads one ATTRIBUTE, after the key: 'total' after status is too much"
    )
    e = refused(session, "expect item orders customer=c-1 n=7 'a..b' == X")
    assert e.message == "'a..b' is not an attribute path"
    e = refused(session, "expect object uploads reports/a.csv size bytes == 9")
    assert e.message == "expect object reads one KEY and one field, not 'reports/a.csv size bytes'"
    e = refused(session, "expect object uploads reports/a.csv == 9")
    assert (e.message, e.hint) == (
        "expect object needs BUCKET KEY, then exists or size",
        "e.g. expect object uploads reports/a.csv exists == true",
    )


def test_only_numbers_and_strings_have_an_order(session: Session) -> None:
    e = failed(session, "expect item orders customer=c-1 n=7 paid < true")
    assert e.message == "expected item orders customer=c-1 n=7 paid < true, actual false"
    assert e.hint == "only numbers and strings have an order: use == or !="
    assert execute(session, "expect item orders customer=c-1 n=7 status > BEGIN").data["ok"]
    # A nested path that goes past a value: what is there instead.
    e = failed(session, "expect item orders customer=c-1 n=7 status.code == 1")
    assert e.message.endswith('but the item has no status.code (status is a string: "CANCELLED")')


def test_a_string_key_reads_the_word_as_text(session: Session) -> None:
    execute(session, 'put-item carts \'{"id": {"S": "42"}, "qty": {"N": "2"}}\'')
    assert execute(session, "expect item carts id=42 qty == 2").data["ok"]
    # An attribute called size is an item's attribute like any other, compared as JSON.
    execute(session, 'put-item carts \'{"id": {"S": "s"}, "size": {"S": "XL"}}\'')
    assert execute(session, "expect item carts id=s size == XL").data["ok"]
    # A number key is read as a number: 7.0 is the key 7.
    assert execute(session, "expect item orders customer=c-1 n=7.0 total == 5000").data["ok"]


# -- (b) an object in a bucket ----------------------------------------------------------------


def test_an_object_exists_and_has_a_size(session: Session) -> None:
    assert execute(session, "expect object uploads reports/a.csv exists == true").text == (
        "ok: object uploads reports/a.csv exists == true (actual true)"
    )
    assert execute(session, "expect object uploads reports/a.csv size == 9").data["ok"]
    assert execute(session, "expect object uploads reports/b.csv exists == false").data["ok"]
    e = failed(session, "expect object uploads reports/b.csv size == 9")
    assert e.message == (
        "expected object uploads reports/b.csv size == 9, but uploads has no object reports/b.csv"
    )
    assert e.hint == "did you mean reports/a.csv?"
    execute(session, "delete uploads reports/a.csv")
    e = failed(session, "expect object uploads reports/a.csv exists == true")
    assert e.message == "expected object uploads reports/a.csv exists == true, actual false"


def test_an_object_path_that_is_wrong_is_a_command_error(session: Session) -> None:
    e = refused(session, "expect object uplods reports/a.csv size == 9")
    assert e.hint == "did you mean uploads?"
    e = refused(session, "expect object uploads reports/a.csv sise == 9")
    assert (e.message, e.hint) == ("an object has no field 'sise'", "did you mean size?")
    e = refused(session, "expect object uploads reports/a.csv exists == yes")
    assert e.message == "object uploads reports/a.csv exists is true or false, not 'yes'"
    e = refused(session, "expect object uploads reports/a.csv size == big")
    assert e.message.startswith("object uploads reports/a.csv size is a whole number")


# -- completion -----------------------------------------------------------------------------


def test_completion_offers_item_and_object_then_each_word(session: Session) -> None:
    paths = complete_values(session, kinds.EXPECT_PATH)
    assert paths[-4:] == ["item", "object", "count", "time"]
    assert complete(session, "expect item ") == ["carts", "orders"]
    # The key attributes, then the keys of the items the table holds.
    assert complete(session, "expect item orders ")[:3] == ["customer=", "customer=c-1", "n="]
    assert "n=7" in complete(session, "expect item orders customer=c-1 ")
    attributes = complete(session, "expect item orders customer=c-1 n=7 ")
    assert attributes[:3] == ["address", "code", "lines"]
    # The item's attributes, without its key; no comparison before an attribute.
    assert attributes == ["address", "code", "lines", "paid", "status", "total"]
    assert "==" in complete(session, "expect item orders customer=c-1 n=7 status ")
    # The value now, written as VALUE reads it: text as it is, a string of digits quoted.
    assert complete(session, "expect item orders customer=c-1 n=7 status == ") == ["CANCELLED"]
    assert complete(session, "expect item orders customer=c-1 n=7 code == ") == ["'\"5000\"'"]
    assert complete(session, "expect item orders customer=c-1 n=7 total == ") == ["5000"]
    # The menu says what each word is, and an attribute's or a field's value now.
    assert metas(session, "expect item orders ")["customer="] == "key attribute (S)"
    assert metas(session, "expect item orders ")["customer=c-1"] == "a key of an item of orders"
    assert metas(session, "expect item orders customer=c-1 n=7 ")["status"] == "now CANCELLED"
    assert metas(session, "expect item orders customer=c-1 n=8 ")["status"] == "not there now"
    assert metas(session, "expect object uploads reports/a.csv ")["size"] == "now 9"
    assert metas(session, "expect ")["item"].startswith("item TABLE KEY=VALUE ATTRIBUTE")
    assert complete(session, "expect object ") == ["uploads"]
    assert complete(session, "expect object uploads ") == ["reports/a.csv"]
    assert complete(session, "expect object uploads reports/a.csv ") == ["exists", "size"]
    assert complete(session, "expect object uploads reports/a.csv size == ") == ["9"]


def test_item_keys_offered_are_capped_sorted_and_narrowed_by_what_is_typed(
    session: Session,
) -> None:
    # A table of 100,000 items took half a second a key press to list whole: at most 200
    # keys are offered (as many as message ids), the first in sorted order, among those
    # that start with what is typed, so that any key can still be reached.
    execute(session, 'repeat 5000 put-item carts \'{"id": {"S": "c-{i}"}}\'')
    every = sorted(f"id=c-{i}" for i in range(1, 5001))
    assert complete(session, "expect item carts ") == ["id=", *every[:200]]
    # The terminal UI's command line offers the same.
    assert [o.text for o in offers(session, "expect item carts ")] == ["id=", *every[:200]]
    typed = [o.text for o in offers(session, "expect item carts id=c-49")]
    assert typed == sorted(k for k in every if k.startswith("id=c-49"))[:200]
    assert [o.text for o in offers(session, "expect item carts id=c-4999")] == ["id=c-4999"]
    # Of a key of two parts, the sort keys of the partition typed.
    assert complete(session, "expect item orders customer=c-1 ") == ["n=", "n=7"]


def test_the_walker_reads_each_word_of_a_value_path() -> None:
    w = Walker(REGISTRY.commands["expect"])
    words = ["item", "orders", "customer=c-1", "n=7", "status", "==", "X"]
    assert [getattr(w.feed(word), "kind", None) for word in words] == [
        "expect-path",
        "table",
        "item-key",
        "item-key",
        "item-attribute",
        "operator",
        "value",
    ]
    w = Walker(REGISTRY.commands["expect"])
    words = ["object", "uploads", "a.csv", "size", ">", "0"]
    assert [getattr(w.feed(word), "kind", None) for word in words] == [
        "expect-path",
        "bucket",
        "object-key",
        "object-field",
        "operator",
        "value",
    ]


def test_the_highlighter_shows_a_key_as_a_field_and_a_value() -> None:
    lexer = lexer_for(REGISTRY.commands, ["orders"])()
    line = "expect item orders customer=c-1 n=7 status == CANCELLED"
    tokens = [(t, v) for t, v in lexer.get_tokens(line) if v.strip()]
    assert tokens[3:9] == [
        (Name.Tag, "customer"),
        (Operator, "="),
        (Name, "c-1"),
        (Name.Tag, "n"),
        (Operator, "="),
        (Number, "7"),
    ]


def test_an_attribute_name_with_an_equals_sign_a_space_or_a_dot_can_be_written(
    session: Session,
) -> None:
    # DynamoDB's attribute names are any text. The last word after the whole key is the
    # attribute, though it reads as KEY=VALUE; a space is quoted; a name with a dot that no
    # document path reaches is that attribute.
    item = '\'{"id": {"S": "c-1"}, "a=b": {"S": "x"}, "my attr": {"N": "2"}, "x.y": {"S": "z"}}\''
    execute(session, f"put-item carts {item}")
    for line in (
        "expect item carts id=c-1 a=b == x",
        "expect item carts id=c-1 'a=b' == x",
        "expect item carts id=c-1 $'a\\x3db' == x",
        "expect item carts id=c-1 'my attr' == 2",
        "expect item carts id=c-1 x.y == z",
    ):
        result = execute(session, line)
        assert result.data["ok"], line
        assert check(session, line) is None, line
    assert execute(session, "expect item carts id=c-1 a=b == x").text == (
        'ok: item carts id=c-1 a=b == "x" (actual "x")'
    )
    # Before the whole key, a word with = is a key attribute: the hint says where the
    # attribute goes.
    e = refused(session, "expect item orders customer=c-1 a=b == x")
    assert e.message == "orders has no key attribute 'a'"
    assert e.hint == (
        "its key: customer (S), n (N); an attribute whose name holds = comes last, after the "
        "whole key: expect item orders customer=... n=... a=b == VALUE"
    )
    # A key attribute named again is still that mistake, not an attribute.
    e = refused(session, "expect item carts id=c-1 id=c-2 == x")
    assert e.message == "the key names id twice"
