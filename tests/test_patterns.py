"""EventBridge patterns (sim/patterns.py): every operator with positive and negative cases,
AWS's exact validation messages, the explanation wording, `stptui match`, and property tests
(explain agrees with the compiled matcher and with an independent reference matcher).

Cases marked "AWS-validated" follow the LocalStack snapshot tests recorded against AWS
(reference §4.2 [LS-PAT]); the others follow aws/event-ruler's documented semantics.
"""

from __future__ import annotations

import ipaddress
import json
import operator
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from stptui.cli import main
from stptui.sim import patterns
from stptui.sim.patterns import (
    CompiledPattern,
    Explanation,
    Failure,
    Hit,
    Pattern,
    PatternError,
    as_event,
    compile_pattern,
    explain,
    matches,
    validate_pattern,
)


def ev(**fields: Any) -> dict[str, Any]:
    """A full EventBridge envelope; keyword names use _ for - (detail_type)."""
    event: dict[str, Any] = {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": "OrderCreated",
        "source": "orders",
        "account": "123456789012",
        "time": "2026-01-05T08:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {},
    }
    for key, value in fields.items():
        event[key.replace("_", "-")] = value
    return event


def detail(pattern_detail: dict[str, Any], event_detail: dict[str, Any]) -> bool:
    """Match a detail-only pattern against an event with that detail."""
    return matches({"detail": pattern_detail}, ev(detail=event_detail))


def failure_lines(pattern: dict[str, Any], event: dict[str, Any]) -> list[str]:
    explanation = explain(pattern, event)
    assert not explanation.matched
    return [f.line() for f in explanation.failures]


# -- the guide's sample patterns ------------------------------------------------------------

GUIDE_ORDERS = {"source": ["orders"], "detail-type": ["OrderCreated", "OrderShipped"]}
GUIDE_ANY_SOURCE = {"source": [{"prefix": ""}]}


def test_guide_orders_pattern() -> None:
    assert matches(GUIDE_ORDERS, ev())
    assert matches(GUIDE_ORDERS, ev(detail_type="OrderShipped"))
    assert not matches(GUIDE_ORDERS, ev(detail_type="OrderDeleted"))
    assert not matches(GUIDE_ORDERS, ev(source="billing"))
    assert not matches(GUIDE_ORDERS, ev(detail_type="ordercreated"))  # case-sensitive


def test_guide_any_source_pattern() -> None:
    assert matches(GUIDE_ANY_SOURCE, ev())
    assert matches(GUIDE_ANY_SOURCE, ev(source=""))  # prefix "" matches any string
    assert not matches(GUIDE_ANY_SOURCE, ev(source=5))  # ...but only strings
    event = ev()
    del event["source"]
    assert not matches(GUIDE_ANY_SOURCE, event)


# -- exact values ----------------------------------------------------------------------------


def test_and_across_keys_or_within_arrays() -> None:
    pattern = {"source": ["a", "b"], "detail": {"k": ["x"]}}
    assert matches(pattern, ev(source="b", detail={"k": "x"}))
    assert not matches(pattern, ev(source="c", detail={"k": "x"}))
    assert not matches(pattern, ev(source="a", detail={"k": "y"}))


def test_fields_not_in_the_pattern_are_ignored() -> None:
    assert matches({"source": ["orders"]}, ev(detail={"anything": [1, {"x": None}]}))


def test_keys_are_case_sensitive() -> None:
    # AWS-validated (key_case_sensitive_NEG)
    assert not matches({"MY_KEY": ["v"]}, {"my_key": "v"})
    assert matches({"my_key": ["v"]}, {"my_key": "v"})


def test_strings_are_compared_exactly() -> None:
    assert detail({"s": ["Running"]}, {"s": "Running"})
    assert not detail({"s": ["Running"]}, {"s": "running"})
    assert not detail({"s": ["Running"]}, {"s": "Running "})
    assert not detail({"s": ["é"]}, {"s": "e\u0301"})  # no Unicode normalisation


def test_numbers_compare_by_value() -> None:
    # AWS-validated: [300] matches 300.0 (number_comparison_float)
    assert detail({"n": [300]}, {"n": 300.0})
    assert detail({"n": [300.0]}, {"n": 300})
    assert detail({"n": [3.0e2]}, {"n": 300})
    assert not detail({"n": [300]}, {"n": 300.5})


def test_a_number_never_matches_a_string() -> None:
    assert not detail({"n": [300]}, {"n": "300"})
    assert not detail({"n": ["300"]}, {"n": 300})


def test_booleans_are_json_literals() -> None:
    assert detail({"b": [True]}, {"b": True})
    assert not detail({"b": [True]}, {"b": "true"})
    assert not detail({"b": ["true"]}, {"b": True})
    assert not detail({"b": [True]}, {"b": 1})  # True == 1 in Python, not in JSON
    assert not detail({"n": [1]}, {"n": True})
    assert not detail({"b": [False]}, {"b": 0})


def test_null_and_empty_string_are_different() -> None:
    # AWS-validated (null_value, null_value_NEG, string_empty)
    assert detail({"v": [None]}, {"v": None})
    assert not detail({"v": [None]}, {"v": ""})
    assert detail({"v": [""]}, {"v": ""})
    assert not detail({"v": [""]}, {"v": None})
    # a missing field matches neither
    assert not detail({"v": [None]}, {})
    assert not detail({"v": [""]}, {})


def test_a_string_holding_json_is_not_parsed() -> None:
    # AWS-validated (nested_json_NEG)
    assert not matches({"detail": {"a": ["b"]}}, ev(detail='{"a": "b"}'))


def test_nested_objects_must_line_up() -> None:
    pattern = {"detail": {"state": {"name": ["running"]}}}
    assert matches(pattern, ev(detail={"state": {"name": "running", "code": 16}}))
    assert not matches(pattern, ev(detail={"state": "running"}))
    assert not matches(pattern, ev(detail={"name": "running"}))


def test_duplicate_keys_last_one_wins_at_parse_time() -> None:
    # AWS-validated (complex_multi_key): the last "location" is the one evaluated
    text = '{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "x"}]}}'
    pattern = json.loads(text)
    assert matches(pattern, ev(detail={"location": "eu-central-1"}))


# -- arrays in the event -----------------------------------------------------------------------


def test_event_array_matches_when_any_element_does() -> None:
    # AWS docs: a non-empty intersection (arrays, arrays_NEG)
    pattern = {"resources": ["arn:a", "arn:b"]}
    assert matches(pattern, ev(resources=["arn:x", "arn:b"]))
    assert not matches(pattern, ev(resources=["arn:x"]))


def test_operators_apply_to_any_element() -> None:
    assert detail({"v": [{"anything-but": "a"}]}, {"v": ["a", "c"]})
    assert not detail({"v": [{"anything-but": "a"}]}, {"v": ["a", "a"]})
    assert detail({"v": [{"numeric": [">", 5]}]}, {"v": [1, "x", 9]})
    assert detail({"v": [{"prefix": "ab"}]}, {"v": [["x", ["abc"]]]})  # nested arrays crush


def test_empty_event_array_matches_only_exists_false() -> None:
    # AWS-validated: [null] vs [] and exists:true vs [] do not match
    assert not matches({"resources": [None]}, ev(resources=[]))
    assert not matches({"resources": [{"exists": True}]}, ev(resources=[]))
    assert not matches({"resources": [{"anything-but": "x"}]}, ev(resources=[]))
    assert matches({"resources": [{"exists": False}]}, ev(resources=[]))


def test_arrays_of_objects_are_matched_array_consistently() -> None:
    event = {
        "employees": [
            {"firstName": "John", "lastName": "Doe"},
            {"firstName": "Anna", "lastName": "Smith"},
            {"firstName": "Peter", "lastName": "Jones"},
        ]
    }
    assert matches({"employees": {"firstName": ["Anna"]}}, event)
    assert matches({"employees": {"firstName": ["Anna"], "lastName": ["Smith"]}}, event)
    # Anna and Jones are in different elements: event-ruler refuses the match
    assert not matches({"employees": {"firstName": ["Anna"], "lastName": ["Jones"]}}, event)


def test_arrays_of_objects_nested_arrays_and_deeper_levels() -> None:
    event = {"a": [[{"b": {"c": 1}, "d": 2}], [{"b": {"c": 3}, "d": 4}]]}
    assert matches({"a": {"b": {"c": [3]}, "d": [4]}}, event)
    assert not matches({"a": {"b": {"c": [3]}, "d": [2]}}, event)


def test_exists_in_an_array_of_objects() -> None:
    # AWS-validated (list_within_dict): one element has the field
    event = ev(detail={"automations": [{"key1": "v"}, {"id": "x"}, {"key2": "v"}]})
    assert matches({"detail": {"automations": {"id": [{"exists": True}]}}}, event)
    # exists:false is evaluated per element: the first element lacks "id"
    assert matches({"detail": {"automations": {"id": [{"exists": False}]}}}, event)
    everyone = ev(detail={"automations": [{"id": "1"}, {"id": "2"}]})
    assert not matches({"detail": {"automations": {"id": [{"exists": False}]}}}, everyone)


def test_exists_false_pairs_with_fields_of_the_same_element() -> None:
    event = {"a": [{"b": 1, "c": 2}, {"b": 1}]}
    assert matches({"a": {"b": [1], "c": [{"exists": False}]}}, event)
    assert not matches({"a": {"b": [1], "c": [{"exists": False}]}}, {"a": [{"b": 1, "c": 2}]})


# -- dot-joined keys ---------------------------------------------------------------------------


def test_dot_joining_pattern_key() -> None:
    # AWS-validated (dot_joining_pattern)
    assert detail({"state.status": ["running"]}, {"state": {"status": "running"}})


def test_dot_joining_event_key() -> None:
    # AWS-validated (dot_joining_event)
    assert detail({"state": {"status": ["running"]}}, {"state.status": "running"})


def test_dot_joining_negatives() -> None:
    # AWS-validated: the joined paths differ
    assert not detail({"state": {"status": ["running"]}}, {"state.status": {"status": "running"}})
    assert not detail({"state.status": {"status": ["running"]}}, {"state": {"status": "running"}})


def test_dot_joining_across_levels_and_arrays() -> None:
    assert matches({"detail": {"a": {"b": {"c": [1]}}}}, {"detail.a.b.c": 1})
    assert matches({"a.b.c": [1]}, {"a": {"b.c": 1}})
    assert matches({"a.b.c": [1]}, {"a.b": {"c": 1}})
    assert matches({"a.b": [2]}, {"a": [{"b": 1}, {"b": 2}]})
    assert matches({"a": {"b": [1], "c": [2]}}, {"a.b": 1, "a.c": 2})
    assert not matches({"a.b": [2]}, {"a": {"c": 2}})
    # the key itself wins over a dotted spelling (documented choice)
    assert matches({"a": {"b": [1]}}, {"a": {"b": 1}, "a.b": 2})


def test_dot_joining_with_exists_false() -> None:
    assert not matches({"state": {"status": [{"exists": False}]}}, {"state.status": "x"})
    assert matches({"state": {"status": [{"exists": False}]}}, {"state.other": "x"})


# -- prefix, suffix, equals-ignore-case ----------------------------------------------------------


def test_prefix() -> None:
    assert matches({"time": [{"prefix": "2017-10-02"}]}, ev(time="2017-10-02T18:43:48Z"))
    assert not matches({"time": [{"prefix": "2017-10-02"}]}, ev(time="2017-10-03T00:00:00Z"))
    assert not detail({"n": [{"prefix": "12"}]}, {"n": 123})  # strings only


def test_suffix() -> None:
    assert detail({"f": [{"suffix": ".png"}]}, {"f": "a.png"})
    assert not detail({"f": [{"suffix": ".png"}]}, {"f": "a.PNG"})
    assert not detail({"f": [{"suffix": "3"}]}, {"f": 123})


def test_prefix_and_suffix_with_equals_ignore_case() -> None:
    # AWS-validated (content_prefix_ignorecase, content_suffix_ignorecase(_NEG))
    pattern = {"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}}
    for value in ("EventBridge", "EVENTBRIDGE", "eventb"):
        assert matches(pattern, ev(detail={"service": value}))
    assert not matches(pattern, ev(detail={"service": "Event"}))
    suffix = {"detail": {"f": [{"suffix": {"equals-ignore-case": ".png"}}]}}
    assert matches(suffix, ev(detail={"f": "IMAGE.PNG"}))
    assert not matches(suffix, ev(detail={"f": "image.jpg"}))


def test_equals_ignore_case() -> None:
    # AWS-validated (content_ignorecase, content_ignorecase_empty, content_ignorecase_empty_NEG)
    pattern = {"detail-type": [{"equals-ignore-case": "ec2 instance state-change notification"}]}
    assert matches(pattern, ev(detail_type="EC2 Instance State-change Notification"))
    assert not matches(pattern, ev(detail_type="EC2 Instance"))
    assert detail({"v": [{"equals-ignore-case": ""}]}, {"v": ""})
    assert not detail({"v": [{"equals-ignore-case": ""}]}, {"v": "test-value"})
    assert not detail({"v": [{"equals-ignore-case": "1"}]}, {"v": 1})


def test_equals_ignore_case_is_unicode_aware() -> None:
    assert detail({"v": [{"equals-ignore-case": "ÄBC"}]}, {"v": "äbc"})
    assert detail({"v": [{"equals-ignore-case": "Σίσυφος"}]}, {"v": "ΣΊΣΥΦΟΣ"})
    assert detail({"v": [{"prefix": {"equals-ignore-case": "ÉTÉ"}}]}, {"v": "été 2026"})


# -- wildcard ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wildcard", "value", "expected"),
    [
        ("*.png", "dir/a.png", True),
        ("*.png", "a.png.bak", False),
        ("Simple*Service", "SimpleQueueService", True),
        ("Simple*Service", "SimpleService", True),  # * matches zero characters
        ("*Title*", "My Title here", True),
        ("a*b*c", "aXbYc", True),
        ("a*b*c", "acb", False),
        ("arn:aws:events:us-east-1:*:event-bus/*", "arn:aws:events:us-east-1:1:event-bus/b", True),
        ("/Users/*/dir/dir/dir/dir/dir/doc.txt", "/Users/u/dir/dir/dir/dir/dir/doc.txt", True),
        ("/Users/*/dir/dir/dir/dir/dir/doc.txt", "/Users/u/dir/dir/dir/dir/x/doc.txt", False),
        ("/Users/*/doc.txt", "/Users/u/dir/dir/doc.txt", True),
        ("", "", True),
        ("", "x", False),
        ("abc", "abc", True),
        ("abc", "abcd", False),
        ("a\\*b", "a*b", True),  # \* is a literal star
        ("a\\*b", "aXb", False),
        ("a\\\\b", "a\\b", True),  # \\ is a literal backslash
        ("*aa", "aaa", True),
        ("aa*aa", "aaa", False),  # the prefix and suffix may not overlap
    ],
)
def test_wildcard(wildcard: str, value: str, expected: bool) -> None:
    assert detail({"v": [{"wildcard": wildcard}]}, {"v": value}) is expected


def test_wildcard_matches_strings_only() -> None:
    assert not detail({"v": [{"wildcard": "*"}]}, {"v": 5})
    assert not detail({"v": [{"wildcard": "*"}]}, {"v": None})
    assert detail({"v": [{"wildcard": "*"}]}, {"v": ""})


# -- anything-but ------------------------------------------------------------------------------


def test_anything_but_single_values() -> None:
    assert detail({"s": [{"anything-but": "initializing"}]}, {"s": "running"})
    assert not detail({"s": [{"anything-but": "initializing"}]}, {"s": "initializing"})
    assert detail({"x": [{"anything-but": 123}]}, {"x": 124})
    assert not detail({"x": [{"anything-but": 123}]}, {"x": 123.0})
    # AWS-validated (content_anything_but_number_zero)
    assert detail({"x": [{"anything-but": 0}]}, {"x": 789})


def test_anything_but_lists() -> None:
    strings = {"s": [{"anything-but": ["stopped", "overloaded"]}]}
    assert detail(strings, {"s": "running"})
    assert not detail(strings, {"s": "stopped"})
    numbers = {"x": [{"anything-but": [100, 200, 300]}]}
    assert detail(numbers, {"x": 999})
    assert not detail(numbers, {"x": 300})  # AWS-validated (complex_multi_match_NEG)


def test_anything_but_does_not_match_a_missing_field() -> None:
    # AWS-validated (content_anything_but_*_missing_NEG)
    for inner in ("x", ["x", "y"], {"prefix": "x"}, {"suffix": "x"}, {"wildcard": "x*"}):
        assert not detail({"s": [{"anything-but": inner}]}, {})
    assert not detail({"s": [{"anything-but": {"equals-ignore-case": "x"}}]}, {})


def test_anything_but_matches_null_and_other_types() -> None:
    # AWS-validated (content_anything_but_*_null, content_anything_prefix_int_value)
    assert detail({"s": [{"anything-but": "x"}]}, {"s": None})
    assert detail({"s": [{"anything-but": ["x", "y"]}]}, {"s": None})
    assert detail({"s": [{"anything-but": {"prefix": "init"}}]}, {"s": 12})
    assert detail({"s": [{"anything-but": {"prefix": "init"}}]}, {"s": None})
    assert detail({"x": [{"anything-but": [111, 222, 333]}]}, {"x": "444"})
    assert detail({"x": [{"anything-but": [111, 222, 333]}]}, {"x": "111"})  # a string
    assert detail({"f": [{"anything-but": {"wildcard": "*/dir/*"}}]}, {"f": 123})
    assert detail({"s": [{"anything-but": "x"}]}, {"s": True})


def test_anything_but_prefix_and_suffix() -> None:
    assert detail({"s": [{"anything-but": {"prefix": "init"}}]}, {"s": "running"})
    assert not detail({"s": [{"anything-but": {"prefix": "init"}}]}, {"s": "initializing"})
    # prefix and suffix lists: accepted by AWS (content_anything_prefix_list)
    listed = {"s": [{"anything-but": {"prefix": ["init", "stop"]}}]}
    assert detail(listed, {"s": "running"})
    assert not detail(listed, {"s": "stopping"})
    suffixes = {"f": [{"anything-but": {"suffix": [".txt", ".bak"]}}]}
    assert detail(suffixes, {"f": "a.png"})
    assert not detail(suffixes, {"f": "file.txt.bak"})


def test_anything_but_equals_ignore_case() -> None:
    single = {"s": [{"anything-but": {"equals-ignore-case": "Stopped"}}]}
    assert detail(single, {"s": "running"})
    assert not detail(single, {"s": "STOPPED"})
    listed = {"s": [{"anything-but": {"equals-ignore-case": ["stopped", "Overloaded"]}}]}
    assert not detail(listed, {"s": "OVERLOADED"})
    assert detail(listed, {"s": "ok"})


def test_anything_but_wildcard() -> None:
    single = {"f": [{"anything-but": {"wildcard": "*/dir/*"}}]}
    assert detail(single, {"f": "a/b/c"})
    assert not detail(single, {"f": "x/dir/y"})
    listed = {"f": [{"anything-but": {"wildcard": ["*/dir/*", "*.tmp"]}}]}
    assert not detail(listed, {"f": "a.tmp"})
    assert detail(listed, {"f": "a.txt"})
    # AWS-validated (content_anything_wildcard_empty): "" excludes only the empty string
    assert detail({"f": [{"anything-but": {"wildcard": ""}}]}, {"f": "dir/init/file"})
    assert not detail({"f": [{"anything-but": {"wildcard": ""}}]}, {"f": ""})


# -- numeric ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clause", "value", "expected"),
    [
        (["<", 10], 9, True),
        (["<", 10], 10, False),
        (["<=", 10], 10, True),
        (["=", 5], 5.0, True),
        (["=", 3.018e2], 301.8, True),
        (["=", 5], 5.1, False),
        ([">", 100], 101.0, True),  # AWS-validated (numeric-int-float)
        ([">", 100], 100, False),
        ([">=", 100], 100, True),
        ([">", 0, "<=", 5], 5, True),
        ([">", 0, "<=", 5], 0, False),
        ([">=", 0, "<", 5], 0, True),
        ([">=", 0, "<", 5], 5, False),
        ([">", -1.5, "<", -1], -1.25, True),
        ([">", 5e9], 6e9, True),  # beyond the 2023 docs' ±5e9 limit
        ([">", 100], "101", False),  # AWS-validated (numeric-string_NEG)
        ([">", 100], None, False),  # AWS-validated (numeric-null_NEG)
        ([">", 0], True, False),  # a boolean is not a number
    ],
)
def test_numeric(clause: list[Any], value: Any, expected: bool) -> None:
    assert detail({"n": [{"numeric": clause}]}, {"n": value}) is expected


def test_numeric_complex_example() -> None:
    # AWS-validated (complex_multi_match, with a matching time prefix)
    pattern = {
        "time": [{"prefix": "2026-01-05"}],
        "detail": {
            "state": [{"anything-but": "initializing"}],
            "c-count": [{"numeric": [">", 0, "<=", 5]}],
            "d-count": [{"numeric": ["<", 10]}],
            "x-limit": [{"anything-but": [100, 200, 300]}],
        },
    }
    event = ev(detail={"state": "processing", "c-count": 3, "d-count": 9, "x-limit": 999})
    assert matches(pattern, event)
    event["detail"]["x-limit"] = 300
    assert not matches(pattern, event)


# -- cidr ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cidr", "value", "expected"),
    [
        ("10.0.0.0/24", "10.0.0.255", True),  # AWS-validated (content_ip_address)
        ("10.0.0.0/24", "10.0.1.0", False),
        ("10.0.0.0/24", "10.0.0.256", False),  # AWS-validated: an invalid IP never matches
        ("220.160.154.255/24", "220.160.154.0", True),  # host bits ignored
        ("10.0.0.0/8", "10.200.3.4", True),
        ("0.0.0.0/0", "255.255.255.255", True),
        ("2001:db8:1234:1a00::/64", "2001:0db8:1234:1a00:0000:0000:0000:0000", True),
        ("2001:db8:1234:1a00::/64", "2001:db8:1234:1a00::ff", True),
        ("2001:db8:1234:1a00::/64", "2001:db8:1234:1a01::", False),
        ("10.0.0.0/24", "::ffff:10.0.0.1", False),  # not an IPv4 shape
        ("10.0.0.0/24", "10.0.0", False),
        ("10.0.0.0/24", "not-an-ip", False),
    ],
)
def test_cidr(cidr: str, value: str, expected: bool) -> None:
    assert detail({"ip": [{"cidr": cidr}]}, {"ip": value}) is expected


def test_cidr_matches_strings_only() -> None:
    # AWS-validated (content_ip_address_bad_type_NEG)
    assert not detail({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": 123})


def test_exact_ip_strings_are_plain_strings() -> None:
    assert detail({"ip": ["10.0.0.1"]}, {"ip": "10.0.0.1"})
    assert not detail({"ip": ["10.0.0.1"]}, {"ip": "10.0.0.01"})


# -- exists ----------------------------------------------------------------------------------------


def test_exists_true_and_false() -> None:
    assert detail({"c": [{"exists": True}]}, {"c": 5})
    assert detail({"c": [{"exists": True}]}, {"c": None})  # null is a present leaf
    assert not detail({"c": [{"exists": True}]}, {})
    assert detail({"c": [{"exists": False}]}, {})
    assert not detail({"c": [{"exists": False}]}, {"c": None})
    # AWS-validated (content_exists_false_NEG)
    deep = {"level1": {"level2": {"level3": {"level4": [{"exists": False}]}}}}
    assert not detail(deep, {"level1": {"level2": {"level3": {"level4": "v"}}}})
    assert detail(deep, {"level1": {"other": 1}})
    assert detail(deep, {})


def test_an_object_valued_field_counts_as_absent() -> None:
    # AWS-validated (content_exists_NEG, exists_dynamodb_NEG / exists_dynamodb)
    assert not detail({"c-count": [{"exists": True}]}, {"c-count": {"c1": 100}})
    assert detail({"c-count": [{"exists": False}]}, {"c-count": {"c1": 100}})
    assert matches({"ddb": {"k": {"S": [{"exists": True}]}}}, {"ddb": {"k": {"S": "v"}}})
    assert not matches({"ddb": {"k": [{"exists": True}]}}, {"ddb": {"k": {"S": "v"}}})
    assert not detail({"c": ["x"]}, {"c": {"x": 1}})


def test_several_operators_in_one_field_are_ored() -> None:
    # AWS-validated (operator_multiple_list, or-exists, or-exists-parent, or-anything-but)
    assert detail({"k": [{"exists": True}, {"prefix": "IGNORED"}]}, {"k": "my-value"})
    image = {"homemade": {"S": [{"anything-but": ["roses"]}, {"exists": False}]}}
    assert detail(image, {"homemade": {"N": "789"}})
    assert detail(image, {"purchased": {"N": "789"}})
    assert detail(image, {"homemade": {"S": "ABCD"}})
    assert not detail(image, {"homemade": {"S": "roses"}})
    # AWS-validated (or-numeric-anything-but(_NEG)): N is a string
    numeric_or = {"N": [{"numeric": [">", 100]}, {"anything-but": "101"}]}
    assert not detail(numeric_or, {"N": "101"})
    assert detail(numeric_or, {"N": "102"})


# -- $or -------------------------------------------------------------------------------------------


def test_or_at_the_top_and_nested() -> None:
    pattern = {
        "source": ["aws.cloudwatch"],
        "$or": [{"metricName": ["CPU"]}, {"namespace": ["AWS/EC2"]}],
    }
    assert matches(pattern, {"source": "aws.cloudwatch", "namespace": "AWS/EC2"})
    assert not matches(pattern, {"source": "aws.cloudwatch", "namespace": "AWS/ES"})
    assert not matches(pattern, {"source": "other", "metricName": "CPU"})
    # AWS-validated (complex_or, complex_or_NEG)
    nested = {
        "detail": {
            "$or": [
                {"c-count": [{"numeric": [">", 0, "<=", 5]}]},
                {"d-count": [{"numeric": ["<", 10]}]},
                {"x-limit": [{"numeric": ["=", 3.018e2]}]},
            ]
        }
    }
    assert matches(nested, ev(detail={"c-count": 0, "d-count": 10, "x-limit": 301.8}))
    assert not matches(nested, ev(detail={"c-count": 0, "d-count": 10, "x-limit": 901.8}))


def test_or_branches_are_ands_and_nest() -> None:
    pattern = {
        "source": ["s"],
        "$or": [
            {"a": ["1"]},
            {"b": ["2"], "c": ["3"], "$or": [{"d": [4]}, {"e": [5]}]},
        ],
    }
    assert matches(pattern, {"source": "s", "a": "1"})
    assert matches(pattern, {"source": "s", "b": "2", "c": "3", "e": 5})
    assert not matches(pattern, {"source": "s", "b": "2", "c": "3"})
    assert not matches(pattern, {"source": "s", "b": "2", "e": 5})


def test_parallel_ors() -> None:
    pattern = {
        "$or": [{"m": ["x"]}, {"n": ["y"]}],
        "detail": {"$or": [{"source": ["a"]}, {"detail-type": ["b"]}]},
    }
    assert matches(pattern, {"n": "y", "detail": {"detail-type": "b"}})
    assert not matches(pattern, {"n": "y", "detail": {"source": "z"}})


def test_or_inside_an_array_element_stays_consistent() -> None:
    pattern = {"items": {"kind": ["book"], "$or": [{"price": [1]}, {"stock": [0]}]}}
    assert matches(pattern, {"items": [{"kind": "cd", "price": 1}, {"kind": "book", "stock": 0}]})
    assert not matches(pattern, {"items": [{"kind": "cd", "price": 1}, {"kind": "book"}]})


def test_or_that_is_an_ordinary_field() -> None:
    # fewer than two objects, or operator keywords inside: "$or" is a plain field name
    plain = {"$or": ["x", "y"]}
    assert matches(plain, {"$or": "x"})
    assert not matches(plain, {"a": "x"})
    with_keywords = {"$or": [{"numeric": [">", 1]}, {"prefix": "ab"}]}
    assert matches(with_keywords, {"$or": 5})
    assert matches(with_keywords, {"$or": "abc"})
    assert not matches(with_keywords, {"$or": 0})
    assert matches({"$or": {"a": ["1"]}}, {"$or": {"a": "1"}})
    with pytest.raises(PatternError, match=r"^Unrecognized match type a$"):
        validate_pattern({"$or": [{"a": ["1"]}]})


def test_or_branches_and_their_siblings_hold_in_one_array_element() -> None:
    # event-ruler expands $or into whole rules, each matched array-consistently
    pattern = {"a": {"b": [1]}, "$or": [{"a": {"c": [2]}}, {"x": [9]}]}
    assert not matches(pattern, {"a": [{"b": 1}, {"c": 2}]})
    assert matches(pattern, {"a": [{"b": 1, "c": 2}]})
    assert matches(pattern, {"a": [{"b": 1}, {"c": 2}], "x": 9})


def test_or_and_siblings_on_one_path_the_later_clause_wins() -> None:
    # a branch continues the rule built so far; a later key overrides every branch
    branch_wins = {"a": [1], "$or": [{"a": [2]}, {"b": [3]}]}
    assert matches(branch_wins, {"a": 2})
    assert matches(branch_wins, {"a": 1, "b": 3})
    assert not matches(branch_wins, {"a": 1})
    sibling_wins = {"$or": [{"a": [2]}, {"b": [3]}], "a": [1]}
    assert matches(sibling_wins, {"a": 1})
    assert not matches(sibling_wins, {"a": 2})


def test_dotted_pattern_keys_are_the_same_path() -> None:
    pattern = {"a.b": [1], "a.c": [2]}
    assert matches(pattern, {"a": [{"b": 1, "c": 2}]})
    assert not matches(pattern, {"a": [{"b": 1}, {"c": 2}]})  # one element, like nesting
    assert matches({"a": {"b": [1]}, "a.b": [2]}, {"a": {"b": 2}})  # the later one wins
    assert not matches({"a": {"b": [1]}, "a.b": [2]}, {"a": {"b": 1}})


def test_explain_or_across_array_elements() -> None:
    pattern = {"a": {"b": [1]}, "$or": [{"a": {"c": [2]}}, {"x": [9]}]}
    explanation = explain(pattern, {"a": [{"b": 1}, {"c": 2}]})
    assert explanation.lines() == [
        "1 of 2 conditions failed: $or",
        "  $or: none of the 2 alternatives matched",
        "    alternative 1:",
        "      a[0].c: missing (expected 2)",
        "    alternative 2:",
        "      x: missing (expected 9)",
    ]


def test_explain_or_reports_shared_failures_once() -> None:
    pattern = {"source": ["orders"], "detail": {"$or": [{"a": [1]}, {"b": [2]}]}}
    explanation = explain(pattern, ev(source="billing", detail={"a": 1}))
    assert explanation.lines() == [
        "1 of 2 conditions failed: source",
        '  source: expected "orders", got "billing"',
    ]
    explanation = explain(pattern, ev(source="billing", detail={"a": 5}))
    assert [f.path for f in explanation.failures] == ["source", "detail.$or"]
    assert explanation.summary == "2 of 2 conditions failed: source, detail.$or"
    matched = explain(pattern, ev(detail={"b": 2}))
    assert matched.lines() == [
        "all 2 conditions matched",
        '  source: "orders" matches "orders"',
        "  detail.$or: alternative 2 of 2 matched",
        "    detail.b: 2 matches 2",
    ]


# -- validation: AWS's messages ------------------------------------------------------------------

INVALID = [
    # structure
    (["not", "a", "dict"], "Filter is not an object"),
    ("text", "Filter is not an object"),
    ({}, "Empty objects are not allowed"),
    ({"detail": {}}, "Empty objects are not allowed"),
    ({"string": "my-value"}, '"string" must be an object or an array'),
    ({"int": 42}, '"int" must be an object or an array'),
    ({"b": True}, '"b" must be an object or an array'),
    ({"n": None}, '"n" must be an object or an array'),
    ({"resources": []}, "Empty arrays are not allowed"),
    ({"a": [["x"]]}, "Match value must be String, number, true, false, or null"),
    ({"a": [float("nan")]}, "Match value must be String, number, true, false, or null"),
    ({"a": [{}]}, "Match expression name not found"),
    ({"detail": {"equal": [{"NUMERIC": ["=", 5]}]}}, "Unrecognized match type NUMERIC"),
    ({"my_key": [{"EXISTS": True}]}, "Unrecognized match type EXISTS"),
    ({"a": [{"regex": "x"}]}, "Unrecognized match type regex"),
    ({"a": [{"exactly": "x"}]}, "Unrecognized match type exactly"),
    ({"$or": [{}, {}]}, "Empty objects are not allowed"),
    ({1: ["x"]}, "Field names must be strings, got 1"),
    # prefix / suffix / equals-ignore-case
    ({"time": [{"prefix": ["2022-07-13"]}]}, "prefix match pattern must be a string"),
    ({"time": [{"prefix": 123}]}, "prefix match pattern must be a string"),
    ({"f": [{"suffix": 123}]}, "suffix match pattern must be a string"),
    ({"f": [{"suffix": [".png"]}]}, "suffix match pattern must be a string"),
    ({"a": [{"prefix": "x", "suffix": "y"}]}, "Only one key allowed in match expression"),
    ({"a": [{"prefix": {}}]}, "Prefix expression name not found"),
    ({"a": [{"suffix": {}}]}, "Suffix expression name not found"),
    ({"a": [{"prefix": {"wildcard": "x"}}]}, "Unsupported prefix pattern: wildcard"),
    ({"a": [{"suffix": {"x": "y"}}]}, "Unsupported suffix pattern: x"),
    (
        {"a": [{"prefix": {"equals-ignore-case": 1}}]},
        "equals-ignore-case match pattern must be a string",
    ),
    (
        {"a": [{"prefix": {"equals-ignore-case": "a", "x": 1}}]},
        "Only one key allowed in match expression",
    ),
    ({"dt": [{"equals-ignore-case": ["x"]}]}, "equals-ignore-case match pattern must be a string"),
    (
        {"dt": [{"equals-ignore-case": {"prefix": "e"}}]},
        "equals-ignore-case match pattern must be a string",
    ),
    ({"dt": [{"equals-ignore-case": 5}]}, "equals-ignore-case match pattern must be a string"),
    # wildcard
    ({"a": [{"wildcard": 123}]}, "wildcard match pattern must be a string"),
    ({"a": [{"wildcard": ["a*"]}]}, "wildcard match pattern must be a string"),
    (
        {"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:**:event-bus/*"}]},
        "Consecutive wildcard characters at pos 26",
    ),
    ({"a": [{"wildcard": "**"}]}, "Consecutive wildcard characters at pos 1"),
    ({"a": [{"wildcard": "é**"}]}, "Consecutive wildcard characters at pos 3"),  # UTF-8 bytes
    ({"a": [{"wildcard": "a\\b"}]}, "Invalid escape character at pos 2"),
    ({"a": [{"wildcard": "ab\\"}]}, "Invalid escape character at pos 3"),
    (
        {"EventBusArn": [{"wildcard": "*:*:*:*:*:event-bus/*"}]},
        "Rule is too complex - try using fewer wildcard characters or fewer repeating "
        "character sequences after a wildcard character",
    ),
    # anything-but
    (
        {"a": [{"anything-but": None}]},
        "Value of anything-but must be an array or single string/number value.",
    ),
    (
        {"a": [{"anything-but": True}]},
        "Value of anything-but must be an array or single string/number value.",
    ),
    (
        {"a": [{"anything-but": ["stopped", None]}]},
        "Inside anything but list, start|null|boolean is not supported.",
    ),
    (
        {"a": [{"anything-but": ["a", 1]}]},
        "Inside anything but list, either all values are number or string, mixed type is not "
        "supported",
    ),
    (
        {"a": [{"anything-but": []}]},
        "Inside anything but list, either all values are number or string, mixed type is not "
        "supported",
    ),
    ({"a": [{"anything-but": {}}]}, "Anything-But expression name not found"),
    ({"a": [{"anything-but": {"numeric": [">", 1]}}]}, "Unsupported anything-but pattern: numeric"),
    ({"a": [{"anything-but": {"exists": True}}]}, "Unsupported anything-but pattern: exists"),
    ({"a": [{"anything-but": {"prefix": ""}}]}, "Null prefix/suffix not allowed"),
    ({"a": [{"anything-but": {"suffix": ""}}]}, "Null prefix/suffix not allowed"),
    ({"a": [{"anything-but": {"prefix": ["x", ""]}}]}, "Null prefix/suffix not allowed"),
    ({"a": [{"anything-but": {"prefix": 123}}]}, "prefix/suffix match pattern must be a string"),
    (
        {"a": [{"anything-but": {"prefix": [123, "t"]}}]},
        "prefix/suffix match pattern must be a string",
    ),
    (
        {"a": [{"anything-but": {"suffix": [None, ".txt"]}}]},
        "prefix/suffix match pattern must be a string",
    ),
    (
        {"a": [{"anything-but": {"prefix": {"equals-ignore-case": "file"}}}]},
        "Value of anything-but must be an array or single string/number value.",
    ),
    (
        {"a": [{"anything-but": {"suffix": {"equals-ignore-case": ".png"}}}]},
        "Value of anything-but must be an array or single string/number value.",
    ),
    (
        {"a": [{"anything-but": {"equals-ignore-case": 123}}]},
        "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
    ),
    (
        {"a": [{"anything-but": {"equals-ignore-case": [123, 456]}}]},
        "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
    ),
    ({"a": [{"anything-but": {"wildcard": 123}}]}, "wildcard match pattern must be a string"),
    (
        {"a": [{"anything-but": {"wildcard": [123, "*/d/*"]}}]},
        "wildcard match pattern must be a string",
    ),
    ({"a": [{"anything-but": {"wildcard": "a**"}}]}, "Consecutive wildcard characters at pos 2"),
    ({"a": [{"anything-but": "x", "prefix": "y"}]}, "Too many elements in numeric expression"),
    (
        {"a": [{"anything-but": {"prefix": "x", "suffix": "y"}}]},
        "Too many elements in numeric expression",
    ),
    # numeric
    ({"a": [{"numeric": 5}]}, "Value of numeric must be an array."),
    ({"a": [{"numeric": []}]}, "Invalid member in numeric match: ]"),
    ({"a": [{"numeric": [5, "<"]}]}, "Invalid member in numeric match: 5"),
    ({"a": [{"numeric": ["!=", 5]}]}, "Unrecognized numeric range operator: !="),
    ({"a": [{"numeric": ["=", "5"]}]}, "Value of equals must be numeric"),
    ({"a": [{"numeric": ["=", 5, 6]}]}, "Too many elements in numeric expression"),
    ({"a": [{"numeric": [">=", "5"]}]}, "Value of >= must be numeric"),
    ({"a": [{"numeric": [">", True]}]}, "Value of > must be numeric"),
    ({"a": [{"numeric": ["<"]}]}, "Value of < must be numeric"),
    ({"detail": {"c": [{"numeric": [">", 0, "<"]}]}}, "Value of < must be numeric"),
    ({"detail": {"c": [{"numeric": [">", 0, ">", 0]}]}}, "Bad numeric range operator: >"),
    ({"a": [{"numeric": [">", 0, 5]}]}, "Bad value in numeric range: 5"),
    ({"a": [{"numeric": [">", 0, "<", 5, 6]}]}, "Too many terms in numeric range expression"),
    ({"a": [{"numeric": ["<", 5, ">", 1]}]}, "Too many elements in numeric expression"),
    ({"a": [{"numeric": [">=", 5, "<=", 5]}]}, "Bottom must be less than top"),
    ({"a": [{"numeric": [">", 9, "<", 1]}]}, "Bottom must be less than top"),
    ({"a": [{"numeric": [">", 1], "x": 1}]}, "Too many elements in numeric expression"),
    # cidr
    ({"ip": [{"cidr": "10.0.0.0"}]}, "Malformed CIDR, one '/' required"),
    ({"ip": [{"cidr": "10.0.0.0/"}]}, "Malformed CIDR, one '/' required"),
    ({"ip": [{"cidr": "10.0.0.0/8/8"}]}, "Malformed CIDR, one '/' required"),
    ({"ip": [{"cidr": "10.0.0.0/x"}]}, "Malformed CIDR, mask bits must be an integer"),
    ({"ip": [{"cidr": "10.0.0.0/-1"}]}, "Malformed CIDR, mask bits must not be negative"),
    ({"ip": [{"cidr": "xx.11.xx/24"}]}, "Nonstandard IP address: xx.11.xx"),
    ({"ip": [{"cidr": "xxxx:db8:1234:1a00::/64"}]}, "Nonstandard IP address: xxxx:db8:1234:1a00::"),
    ({"ip": [{"cidr": "/24"}]}, "Nonstandard IP address: "),
    ({"ip": [{"cidr": "10.0.0.256/24"}]}, "Invalid IP address: 10.0.0.256"),
    ({"ip": [{"cidr": "1:2:3/64"}]}, "Invalid IP address: 1:2:3"),
    ({"ip": [{"cidr": "10.0.0.1/32"}]}, "IPv4 mask bits must be < 32"),
    ({"ip": [{"cidr": "2001:db8::1/128"}]}, "IPv6 mask bits must be < 128"),
    ({"ip": [{"cidr": ["bad-type"]}]}, "prefix match pattern must be a string"),
    ({"ip": [{"cidr": "10.0.0.0/8", "x": 1}]}, "Only one key allowed in match expression"),
    # exists
    ({"a": [{"exists": "true"}]}, "exists match pattern must be either true or false."),
    ({"a": [{"exists": None}]}, "exists match pattern must be either true or false."),
    ({"a": [{"exists": True, "prefix": "x"}]}, "Only one key allowed in match expression"),
]


@pytest.mark.parametrize(("pattern", "message"), INVALID)
def test_invalid_patterns_get_aws_messages(pattern: Any, message: str) -> None:
    with pytest.raises(PatternError) as caught:
        validate_pattern(pattern)
    assert caught.value.message == message
    assert str(caught.value) == message
    assert caught.value.aws_message == f"Event pattern is not valid. Reason: {message}"
    # compile, match and explain refuse it the same way
    with pytest.raises(PatternError):
        compile_pattern(pattern)
    with pytest.raises(PatternError):
        matches(pattern, {})
    with pytest.raises(PatternError):
        explain(pattern, {})


VALID = [
    {"source": ["a", 1, 2.5, True, False, None, ""]},
    {"a": [{"prefix": ""}, {"suffix": ""}, {"equals-ignore-case": ""}, {"wildcard": ""}]},
    {"a": [{"prefix": {"equals-ignore-case": "EventB"}}]},
    {"a": [{"suffix": {"equals-ignore-case": ".png"}}]},
    {"a": [{"wildcard": "a\\*b\\\\c*"}]},
    {"a": [{"anything-but": "x"}, {"anything-but": 5}, {"anything-but": [1, 2.5]}]},
    {"a": [{"anything-but": {"prefix": ["a", "b"]}}, {"anything-but": {"suffix": "c"}}]},
    {"a": [{"anything-but": {"equals-ignore-case": ["a", "B"]}}]},
    {"a": [{"anything-but": {"wildcard": ["*a", "b*"]}}]},
    {"a": [{"anything-but": {"wildcard": ""}}]},
    {"a": [{"numeric": ["=", 0]}, {"numeric": [">=", -1e12, "<", 1e12]}]},
    {"a": [{"cidr": "0.0.0.0/0"}, {"cidr": "2001:db8::/32"}, {"cidr": "010.0.0.0/8"}]},
    {"a": [{"exists": True}, {"exists": False}]},
    {"$or": [{"a": ["1"]}, {"b": {"$or": [{"c": ["2"]}, {"d": ["3"]}]}}]},
    {"$or": [{"numeric": [">", 1]}, {"prefix": "x"}]},  # an ordinary field named "$or"
    {"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]},
    {"FileName": [{"wildcard": "/Users/*/dir/dir/dir/dir/dir/doc.txt"}]},
    {"k": [{"wildcard": w} for w in ("*.bif", "*.tiff", "*.tif", "*.svs")]},
    {"k": [{"wildcard": "*/datasync/*.bif"}, {"wildcard": "*/datasync/*.tif"}]},
]


@pytest.mark.parametrize("pattern", VALID)
def test_valid_patterns(pattern: dict[str, Any]) -> None:
    validate_pattern(pattern)
    assert isinstance(compile_pattern(pattern), CompiledPattern)


def test_wildcard_complexity_is_per_field() -> None:
    # AWS refused four of these on one field (and accepted two per rule)
    four = [f"*/datasync/*.{ext}" for ext in ("bif", "tiff", "tif", "svs")]
    with pytest.raises(PatternError, match=r"^Rule is too complex"):
        validate_pattern({"key": [{"wildcard": w} for w in four]})
    validate_pattern({"a": [{"wildcard": four[0]}], "b": [{"wildcard": four[1]}]})


def test_pattern_size_limit() -> None:
    fits = {"a": ["x" * (patterns.MAX_PATTERN_CHARS - 10)]}
    assert len(json.dumps(fits, separators=(",", ":"))) == patterns.MAX_PATTERN_CHARS
    validate_pattern(fits)
    with pytest.raises(PatternError) as caught:
        validate_pattern({"a": ["x" * patterns.MAX_PATTERN_CHARS]})
    assert caught.value.message == (
        "Event pattern is too long: 4,106 characters of JSON, more than the limit of 4,096"
    )


def test_depth_limit() -> None:
    deep: Any = ["x"]
    for _ in range(patterns.MAX_DEPTH - 1):
        deep = {"k": deep}
    compiled = compile_pattern({"a": deep})  # exactly MAX_DEPTH levels
    assert not compiled.matches({"a": {"k": 1}})
    assert not compiled.explain({}).matched
    message = "Event pattern is nested too deeply: 101 levels, more than stptui's limit of 100"
    with pytest.raises(PatternError) as caught:
        validate_pattern({"b": {"a": deep}})
    assert caught.value.message == message
    with pytest.raises(PatternError) as caught:
        validate_pattern({"a." * 100 + "b": ["x"]})  # dotted parts count too
    assert caught.value.message == message


def test_or_combination_limit() -> None:
    def group(n: int) -> dict[str, Any]:
        return {"$or": [{f"k{i}": [i]} for i in range(n)]}

    validate_pattern({"a": group(10), "b": group(10), "c": group(10)})  # exactly 1,000
    with pytest.raises(PatternError) as caught:
        validate_pattern({"a": group(6), "b": group(6), "c": group(6), "d": group(6)})
    assert caught.value.message == (
        "Event pattern is too complex: its $or branches expand to 1,296 combinations, "
        "more than the limit of 1,000"
    )


def test_top_level_keys_for_stacktape_event_patterns() -> None:
    for key in patterns.TOP_LEVEL_KEYS:
        validate_pattern({key: ["x"]}, top_level=True)
    validate_pattern({"detail": {"anything": ["x"]}}, top_level=True)
    validate_pattern({"time": [{"prefix": "2026"}]})  # fine for EventBridge itself
    with pytest.raises(PatternError) as caught:
        validate_pattern({"time": [{"prefix": "2026"}]}, top_level=True)
    assert caught.value.message == (
        '"time" is not allowed at the top level of a Stacktape eventPattern (allowed: '
        "version, detail-type, source, account, region, resources, detail, replay-name)"
    )
    with pytest.raises(PatternError, match=r'^"\$or" is not allowed'):
        compile_pattern({"$or": [{"source": ["a"]}, {"source": ["b"]}]}, top_level=True)


# -- the compiled matcher --------------------------------------------------------------------


def test_compiled_pattern_api() -> None:
    compiled = compile_pattern(GUIDE_ORDERS)
    assert Pattern is CompiledPattern
    assert compiled.pattern == GUIDE_ORDERS
    assert compiled.matches(ev())
    assert matches(compiled, ev())
    assert explain(compiled, ev()).matched
    assert "CompiledPattern(" in repr(compiled)
    with pytest.raises(TypeError, match="JSON object"):
        compiled.matches(["not", "an", "object"])  # type: ignore[arg-type]


def test_matching_never_mutates_the_event_or_pattern() -> None:
    pattern = {"a": {"b": [{"exists": False}]}, "$or": [{"c.d": [1]}, {"e": [2]}]}
    event = {"a": [1, {"x": 1}], "c": {"d": 1}, "e.f": 3}
    before = (json.dumps(pattern), json.dumps(event))
    assert matches(pattern, event)
    explain(pattern, event)
    assert (json.dumps(pattern), json.dumps(event)) == before


# -- explanations ----------------------------------------------------------------------------


def test_explain_lists_every_failing_key_with_its_reason() -> None:
    pattern = {
        "source": [{"prefix": "orders"}],
        "detail-type": ["OrderCreated", "OrderShipped"],
        "detail": {"amount": [{"numeric": [">", 100]}], "customer": [{"exists": True}]},
    }
    event = ev(source="billing", detail_type="OrderDeleted", detail={"amount": 50})
    explanation = explain(pattern, event)
    assert not explanation.matched
    assert explanation.lines() == [
        "4 of 4 conditions failed: source, detail-type, detail.amount, detail.customer",
        '  source: expected a string starting with "orders", got "billing"',
        '  detail-type: expected one of ["OrderCreated", "OrderShipped"], got "OrderDeleted"',
        "  detail.amount: expected a number > 100, got 50",
        "  detail.customer: missing (the pattern requires it to exist)",
    ]
    amount = explanation.failures[2]
    assert amount == Failure(
        "detail.amount",
        '[{"numeric": [">", 100]}]',
        "50",
        "expected a number > 100, got 50",
    )
    assert explanation.failures[3].actual == "missing"


def test_explain_a_match_lists_the_clauses_that_held() -> None:
    explanation = explain(GUIDE_ORDERS, ev(detail_type="OrderShipped"))
    assert explanation.matched
    assert explanation.failures == []
    assert explanation.lines() == [
        "all 2 conditions matched",
        '  source: "orders" matches "orders"',
        '  detail-type: "OrderShipped" matches one of ["OrderCreated", "OrderShipped"]',
    ]
    assert explanation.hits[0] == Hit(
        "source", '["orders"]', '"orders"', '"orders" matches "orders"'
    )


@pytest.mark.parametrize(
    ("pattern_detail", "event_detail", "line"),
    [
        ({"state": ["running"]}, {}, 'detail.state: missing (expected "running")'),
        (
            {"state": [{"anything-but": "stopped"}]},
            {},
            'detail.state: missing (expected anything but "stopped"; anything-but never '
            "matches a missing field)",
        ),
        (
            {"x": [{"exists": False}]},
            {"x": 5},
            "detail.x: got 5, but the pattern requires it to be absent",
        ),
        (
            {"state": ["running"]},
            {"state": {"name": "running"}},
            'detail.state: expected "running", got an object, which counts as missing',
        ),
        (
            {"c": [{"exists": True}]},
            {"c": {"c1": 100}},
            "detail.c: got an object, which counts as missing (exists looks at leaf values; "
            "the pattern requires one)",
        ),
        (
            {"r": [None]},
            {"r": []},
            "detail.r: expected null, got an empty array, which counts as missing",
        ),
        (
            {"t": ["x"]},
            {"t": [{"a": 1}]},
            'detail.t: expected "x", got an array of objects, which counts as missing',
        ),
        (
            {"n": [300]},
            {"n": "300"},
            'detail.n: expected 300, got "300" (a string, not a number)',
        ),
        (
            {"n": [{"numeric": [">", 100]}]},
            {"n": "150"},
            'detail.n: expected a number > 100, got "150" (a string; numeric matching needs a '
            "JSON number)",
        ),
        (
            {"s": ["300"]},
            {"s": 300},
            'detail.s: expected "300", got 300 (a number, not a string)',
        ),
        (
            {"b": [True]},
            {"b": "true"},
            'detail.b: expected true, got "true" (a string, not the JSON literal true)',
        ),
        (
            {"s": ["Orders"]},
            {"s": "orders"},
            'detail.s: expected "Orders", got "orders" (only the letter case differs; '
            "equals-ignore-case would match)",
        ),
        (
            {"v": [""]},
            {"v": None},
            'detail.v: expected "", got null (null is not the empty string)',
        ),
        (
            {"v": [None]},
            {"v": ""},
            'detail.v: expected null, got "" (the empty string is not null)',
        ),
        (
            {"v": [{"prefix": "a"}]},
            {"v": 5},
            'detail.v: expected a string starting with "a", got 5 (not a string)',
        ),
        (
            {"ip": [{"cidr": "10.0.0.0/24"}]},
            {"ip": "10.0.0.256"},
            'detail.ip: expected an IP address in 10.0.0.0/24, got "10.0.0.256" '
            "(not an IP address)",
        ),
        (
            {"t": ["a", "b"]},
            {"t": ["c", "d"]},
            'detail.t: expected one of ["a", "b"], got ["c", "d"] (no element matched)',
        ),
        (
            {"n": [{"numeric": [">", 0, "<=", 5]}, {"exists": False}, "x"]},
            {"n": 7},
            'detail.n: expected "x", a number > 0 and <= 5 or the field to be absent, got 7',
        ),
        (
            {"f": [{"suffix": {"equals-ignore-case": ".png"}}]},
            {"f": "a.jpg"},
            'detail.f: expected a string ending with ".png" in any letter case, got "a.jpg"',
        ),
        (
            {"f": [{"wildcard": "*.png"}]},
            {"f": "a.jpg"},
            'detail.f: expected a string matching the wildcard "*.png", got "a.jpg"',
        ),
        (
            {"s": [{"anything-but": {"prefix": ["init", "stop"]}}]},
            {"s": "stopping"},
            'detail.s: expected anything but a string starting with one of ["init", "stop"], '
            'got "stopping"',
        ),
        (
            {"s": [{"anything-but": {"equals-ignore-case": "x"}}]},
            {"s": "X"},
            'detail.s: expected anything but "x" in any letter case, got "X"',
        ),
        (
            {"n": [{"numeric": ["=", 5]}]},
            {"n": 6},
            "detail.n: expected a number = 5, got 6",
        ),
    ],
)
def test_explain_wording(
    pattern_detail: dict[str, Any], event_detail: dict[str, Any], line: str
) -> None:
    assert failure_lines({"detail": pattern_detail}, ev(detail=event_detail)) == [line]


def test_explain_arrays_of_objects_names_the_closest_element() -> None:
    pattern = {"employees": {"firstName": ["Anna"], "lastName": ["Jones"]}}
    event = {
        "employees": [
            {"firstName": "John", "lastName": "Doe"},
            {"firstName": "Anna", "lastName": "Smith"},
            {"firstName": "Peter", "lastName": "Jones"},
        ]
    }
    assert failure_lines(pattern, event) == ['employees[1].lastName: expected "Jones", got "Smith"']
    hit = explain({"employees": {"firstName": ["Peter"]}}, event)
    assert hit.lines()[1] == '  employees[2].firstName: "Peter" matches "Peter"'


def test_explain_or_shows_each_alternative() -> None:
    pattern = {
        "detail": {
            "$or": [
                {"c-count": [{"numeric": [">", 0, "<=", 5]}]},
                {"d-count": [{"numeric": ["<", 10]}]},
            ]
        }
    }
    explanation = explain(pattern, ev(detail={"c-count": 7}))
    assert explanation.lines() == [
        "1 of 1 condition failed: detail.$or",
        "  detail.$or: none of the 2 alternatives matched",
        "    alternative 1:",
        "      detail.c-count: expected a number > 0 and <= 5, got 7",
        "    alternative 2:",
        "      detail.d-count: missing (expected a number < 10)",
    ]
    assert explanation.failures[0].expected == json.dumps(pattern["detail"]["$or"])
    matched = explain(pattern, ev(detail={"d-count": 3}))
    assert matched.lines() == [
        "all 1 condition matched",
        "  detail.$or: alternative 2 of 2 matched",
        "    detail.d-count: 3 matches a number < 10",
    ]


def test_explain_hits_for_absence_arrays_and_exists() -> None:
    pattern = {
        "resources": [{"exists": False}],
        "detail": {"gone": [{"exists": False}], "tags": ["b"], "here": [{"exists": True}]},
    }
    event = ev(detail={"tags": ["a", "b"], "here": None})
    assert explain(pattern, event).lines() == [
        "all 4 conditions matched",
        "  resources: an empty array, which counts as absent, as required",
        "  detail.gone: absent, as required",
        '  detail.tags: the element "b" of ["a", "b"] matches "b"',
        "  detail.here: null is present, as required",
    ]


def test_explain_truncates_long_values() -> None:
    explanation = explain({"v": ["x"]}, {"v": "y" * 500})
    shown = '"' + "y" * 116 + "..."
    assert explanation.failures[0].actual == shown
    assert explanation.failures[0].line() == f'v: expected "x", got {shown}'


def test_explanation_summary_counts() -> None:
    e = Explanation(False, [Failure("a", "[1]", "2", "expected 1, got 2")], [], 3)
    assert e.summary == "1 of 3 conditions failed: a"
    assert Explanation(True, [], [], 1).summary == "all 1 condition matched"


def test_as_event_wraps_a_bare_detail() -> None:
    wrapped, was_wrapped = as_event({"amount": 5}, event_id="id-1", time="2026-01-05T08:00:00Z")
    assert was_wrapped
    assert wrapped == {
        "version": "0",
        "id": "id-1",
        "detail-type": "",
        "source": "",
        "account": "123456789012",
        "time": "2026-01-05T08:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {"amount": 5},
    }
    for marker in ("source", "detail-type", "detail"):
        same, was = as_event({marker: "x"}, event_id="i", time="t")
        assert not was and same == {marker: "x"}


# -- stptui match ----------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(["match", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def test_cli_match_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(capsys, json.dumps(GUIDE_ORDERS), json.dumps(ev()))
    assert rc == 0 and err == ""
    assert out.splitlines()[:2] == ["match", "all 2 conditions matched"]


def test_cli_no_match_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, json.dumps(GUIDE_ORDERS), json.dumps(ev(detail_type="OrderDeleted")))
    assert rc == 1
    assert out.splitlines() == [
        "no match",
        "1 of 2 conditions failed: detail-type",
        '  detail-type: expected one of ["OrderCreated", "OrderShipped"], got "OrderDeleted"',
    ]


@pytest.mark.parametrize(
    ("pattern", "event", "message"),
    [
        ('{"source": "x"}', "{}", 'invalid pattern: "source" must be an object or an array'),
        ('{"source": [}', "{}", "the pattern is not valid JSON"),
        ('{"source": [NaN]}', "{}", "the pattern is not valid JSON: NaN is not a JSON number"),
        ('{"source": ["x"]}', "[1, 2]", "invalid event: it must be a JSON object"),
        ('{"source": ["x"]}', "{", "the event is not valid JSON"),
        ('{"source": ["x"]}', "@/nonexistent/event.json", "cannot read the event file"),
    ],
)
def test_cli_invalid_input_exit_2(
    capsys: pytest.CaptureFixture[str], pattern: str, event: str, message: str
) -> None:
    rc, out, err = run(capsys, pattern, event)
    assert rc == 2 and out == ""
    assert err.startswith("stptui match: ") and message in err


def test_cli_reads_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text(json.dumps({"detail": {"n": [{"numeric": [">", 1]}]}}))
    (tmp_path / "e.json").write_text(json.dumps(ev(detail={"n": 2})))
    rc, out, _ = run(capsys, f"@{tmp_path / 'p.json'}", f"@{tmp_path / 'e.json'}")
    assert rc == 0 and out.startswith("match\n")
    (tmp_path / "bad.json").write_text('{"detail": 1}')
    rc, _, err = run(capsys, f"@{tmp_path / 'bad.json'}", "{}")
    assert rc == 2 and '"detail" must be an object or an array' in err


def test_cli_reads_a_bare_detail(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, '{"detail": {"amount": [{"numeric": [">", 100]}]}}', '{"amount": 150}')
    assert rc == 0
    assert out.splitlines()[:2] == [
        "match",
        "(the event was read as a detail: it has no source, detail-type or detail)",
    ]
    # the envelope fields are empty, so a source pattern explains itself
    rc, out, _ = run(capsys, json.dumps(GUIDE_ORDERS), '{"amount": 150}')
    assert rc == 1
    assert '  source: expected "orders", got ""' in out.splitlines()


def test_cli_a_bare_detail_gets_the_same_envelope_on_every_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The envelope a bare detail is wrapped in has fixed values: a random id or the wall
    clock's time made a pattern on `id` or `time` match on one run and not the next."""
    pattern = '{"id": [{"prefix": "0"}], "time": [{"prefix": "1970-"}]}'
    runs = [run(capsys, pattern, '{"amount": 150}') for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    rc, out, _ = runs[0]
    assert rc == 0
    assert out.splitlines()[3:] == [
        '  id: "00000000-0000-0000-0000-000000000000" matches a string starting with "0"',
        '  time: "1970-01-01T00:00:00Z" matches a string starting with "1970-"',
    ]


def test_cli_duplicate_keys_last_wins(capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, _ = run(capsys, '{"source": ["a"], "source": ["b"]}', '{"source": "b"}')
    assert rc == 0


def test_cli_output_cannot_inject_terminal_escapes(capsys: pytest.CaptureFixture[str]) -> None:
    pattern = json.dumps({"k\u001b[2J\u202e": ["x\u009b"]})
    event = json.dumps({"k\u001b[2J\u202e": "\u202eevil\u0007", "source": "s"})
    rc, out, err = run(capsys, pattern, event)
    assert rc == 1
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]", out + err)
    assert "\\x1b" in out and "\\u202e" in out


# -- property tests ----------------------------------------------------------------------------

_KEYS = st.sampled_from(["a", "b", "c"])
_STRINGS = st.sampled_from(
    ["", "x", "X", "xy", "yx", "10.0.0.7", "2001:db8::1", "é", "ÉX", "ß", "SS", "ss", "ς", "Σ"]
)
_NUMBERS = st.sampled_from([-2, 0, 1, 1.0, 1.5, 3, 300])
_SCALARS = st.one_of(_STRINGS, _NUMBERS, st.booleans(), st.none())


def _operator() -> st.SearchStrategy[Any]:
    text = st.sampled_from(["x", "X", "y", "é", "ß", "SS", "σ"])
    nonempty = st.sampled_from(["x", "y", "1"])
    return st.one_of(
        _SCALARS,
        text.map(lambda s: {"prefix": s}),
        text.map(lambda s: {"suffix": s}),
        text.map(lambda s: {"equals-ignore-case": s}),
        text.map(lambda s: {"prefix": {"equals-ignore-case": s}}),
        text.map(lambda s: {"suffix": {"equals-ignore-case": s}}),
        st.sampled_from(["*", "x*", "*y", "x*y", "*x*", ""]).map(lambda s: {"wildcard": s}),
        st.one_of(_STRINGS, _NUMBERS.filter(lambda n: not isinstance(n, bool))).map(
            lambda v: {"anything-but": v}
        ),
        st.lists(_STRINGS, min_size=1, max_size=3).map(lambda v: {"anything-but": v}),
        st.lists(_NUMBERS, min_size=1, max_size=3).map(lambda v: {"anything-but": v}),
        nonempty.map(lambda s: {"anything-but": {"prefix": s}}),
        nonempty.map(lambda s: {"anything-but": {"suffix": [s]}}),
        text.map(lambda s: {"anything-but": {"equals-ignore-case": s}}),
        st.sampled_from(["x*", "*"]).map(lambda s: {"anything-but": {"wildcard": s}}),
        st.tuples(st.sampled_from(["<", "<=", "=", ">", ">="]), _NUMBERS).map(
            lambda t: {"numeric": list(t)}
        ),
        st.sampled_from([[">", 0, "<=", 3], [">=", -2, "<", 1.5]]).map(lambda r: {"numeric": r}),
        st.sampled_from(["10.0.0.0/24", "2001:db8::/32"]).map(lambda c: {"cidr": c}),
        st.booleans().map(lambda b: {"exists": b}),
    )


_LEAF = st.lists(_operator(), min_size=1, max_size=2)


def _pattern_objects(depth: int) -> st.SearchStrategy[dict[str, Any]]:
    child: st.SearchStrategy[Any] = (
        _LEAF if depth == 0 else st.one_of(_LEAF, _pattern_objects(depth - 1))
    )
    fields = st.dictionaries(_KEYS, child, min_size=1, max_size=2)
    if depth == 0:
        return fields
    branches = st.lists(_pattern_objects(depth - 1), min_size=2, max_size=2)
    return st.one_of(
        fields,
        st.tuples(fields, branches).map(lambda t: {**t[0], "$or": t[1]}),
    )


def _compile_or_skip(pattern: dict[str, Any]) -> CompiledPattern:
    """Generated patterns are valid by construction, except that $or branches can stack
    enough wildcards on one field to be "too complex"; those examples are skipped."""
    try:
        return compile_pattern(pattern)
    except PatternError as exc:
        assume(not exc.message.startswith("Rule is too complex"))
        raise


_EVENT_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["a", "b", "c", "a.b", "b.c"]), inner, max_size=3),
    ),
    max_leaves=8,
)
_EVENTS = st.dictionaries(st.sampled_from(["a", "b", "c", "a.b"]), _EVENT_VALUES, max_size=3)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_pattern_objects(2), _EVENTS)
def test_explain_agrees_with_the_compiled_matcher(
    pattern: dict[str, Any], event: dict[str, Any]
) -> None:
    compiled = _compile_or_skip(pattern)
    verdict = compiled.matches(event)
    explanation = explain(pattern, event)
    assert explanation.matched == verdict == matches(pattern, event)
    assert explanation.matched == (not explanation.failures)
    assert explanation.lines()[0] == explanation.summary


# An independent, deliberately naive matcher for events without dotted keys: it shares no
# code with the module, so the two agreeing is evidence for both.


def _ref_leaves(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [leaf for item in value for leaf in _ref_leaves(item)]
    return [] if isinstance(value, dict) else [value]


def _ref_kind(x: Any) -> str:
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, (int, float)):
        return "number"
    return "null" if x is None else type(x).__name__


def _ref_glob(wildcard: str, s: str) -> bool:
    regex = "".join(".*" if c == "*" else re.escape(c) for c in wildcard)
    return re.fullmatch(regex, s, re.DOTALL) is not None


def _ref_case_ends(pattern: str, s: str, start: int) -> set[int]:
    """Where in `s` a case-insensitive reading of `pattern` from `start` can end: each pattern
    character is its lower- or upper-case form, and `s` is not folded (event-ruler)."""
    ends = {start}
    for c in pattern:
        ends = {i + len(f) for i in ends for f in (c.lower(), c.upper()) if s.startswith(f, i)}
    return ends


def _ref_op(op: Any, x: Any) -> bool:
    if not isinstance(op, dict):
        return _ref_kind(op) == _ref_kind(x) and op == x
    ((name, arg),) = op.items()
    is_str = isinstance(x, str)
    if name == "prefix":
        if isinstance(arg, dict):
            return is_str and bool(_ref_case_ends(arg["equals-ignore-case"], x, 0))
        return is_str and x.startswith(arg)
    if name == "suffix":
        if isinstance(arg, dict):
            value = arg["equals-ignore-case"]
            return is_str and any(
                len(x) in _ref_case_ends(value, x, start) for start in range(len(x) + 1)
            )
        return is_str and x.endswith(arg)
    if name == "equals-ignore-case":
        return is_str and len(x) in _ref_case_ends(arg, x, 0)
    if name == "wildcard":
        return is_str and _ref_glob(arg, x)
    if name == "numeric":
        if _ref_kind(x) != "number":
            return False
        ops = {"<": operator.lt, "<=": operator.le, "=": operator.eq, ">": operator.gt}
        ops[">="] = operator.ge
        return all(ops[arg[i]](x, arg[i + 1]) for i in range(0, len(arg), 2))
    if name == "cidr":
        try:
            return is_str and ipaddress.ip_address(x) in ipaddress.ip_network(arg, strict=False)
        except ValueError:
            return False
    if name == "anything-but":
        if isinstance(arg, dict):
            ((inner, values),) = arg.items()
            values = values if isinstance(values, list) else [values]
            if inner == "equals-ignore-case":
                return not (is_str and any(len(x) in _ref_case_ends(v, x, 0) for v in values))
            if inner == "prefix":
                return not (is_str and any(x.startswith(v) for v in values))
            if inner == "suffix":
                return not (is_str and any(x.endswith(v) for v in values))
            return not (is_str and any(_ref_glob(v, x) for v in values))
        values = arg if isinstance(arg, list) else [arg]
        return not any(_ref_op(v, x) for v in values)
    raise AssertionError(name)


def _ref_leaf(ops: list[Any], raw: Any) -> bool:
    values = [] if raw is _ABSENT else _ref_leaves(raw)
    for op in ops:
        if isinstance(op, dict) and "exists" in op:
            if op["exists"] == bool(values):
                return True
        elif any(_ref_op(op, x) for x in values):
            return True
    return False


_ABSENT = object()


def _ref_rules(obj: dict[str, Any]) -> list[dict[tuple[str, str], Any]]:
    """The pattern as $or-free rules, keyed (name, "leaf"|"obj"); later clauses override
    earlier ones on the same path, in JSON order (event-ruler's JsonRuleCompiler)."""
    results: list[dict[tuple[str, str], Any]] = [{}]
    for key, value in obj.items():
        if key == "$or":
            alternatives = [alt for branch in value for alt in _ref_rules(branch)]
            results = [_ref_merge(r, alt) for r in results for alt in alternatives]
        elif isinstance(value, dict):
            nested = _ref_rules(value)
            results = [_ref_merge(r, {(key, "obj"): alt}) for r in results for alt in nested]
        else:
            results = [_ref_merge(r, {(key, "leaf"): value}) for r in results]
    return results


def _ref_merge(a: dict[Any, Any], b: dict[Any, Any]) -> dict[Any, Any]:
    out = dict(a)
    for k, v in b.items():
        out[k] = _ref_merge(out[k], v) if k[1] == "obj" and k in out else v
    return out


def _ref_object(rule: dict[tuple[str, str], Any], event: dict[str, Any]) -> bool:
    for (key, kind), sub in rule.items():
        raw = event.get(key, _ABSENT)
        if kind == "leaf":
            if not _ref_leaf(sub, raw):
                return False
            continue
        elements = (
            [raw] if isinstance(raw, dict) else [x for x in _ref_flat(raw) if isinstance(x, dict)]
        )
        if not (any(_ref_object(sub, x) for x in elements) if elements else _ref_object(sub, {})):
            return False
    return True


def _ref_match(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    return any(_ref_object(rule, event) for rule in _ref_rules(pattern))


def _ref_flat(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [x for item in value for x in _ref_flat(item)]
    return [value]


_PLAIN_EVENTS = st.dictionaries(
    _KEYS,
    st.recursive(
        _SCALARS,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=3)
        ),
        max_leaves=8,
    ),
    max_size=3,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_pattern_objects(2), _PLAIN_EVENTS)
def test_matcher_agrees_with_a_naive_reference(
    pattern: dict[str, Any], event: dict[str, Any]
) -> None:
    assert _compile_or_skip(pattern).matches(event) == _ref_match(pattern, event)


_JSON = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-5, 5),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from(["", "x", "*", "**", "\\", "10.0.0.0/8", "prefix", "numeric", "$or"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "a",
                    "$or",
                    "prefix",
                    "suffix",
                    "numeric",
                    "anything-but",
                    "exists",
                    "cidr",
                    "wildcard",
                    "equals-ignore-case",
                    "<",
                    ">=",
                    "=",
                ]
            ),
            inner,
            max_size=3,
        ),
    ),
    max_leaves=12,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_JSON, _EVENTS)
def test_any_json_is_either_valid_or_a_pattern_error(pattern: Any, event: dict[str, Any]) -> None:
    try:
        compiled = compile_pattern(pattern)
    except PatternError as exc:
        assert exc.message and "\n" not in exc.message
        return
    assert compiled.matches(event) == explain(compiled, event).matched
