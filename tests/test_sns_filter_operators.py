"""Every filter operator the SNS developer guide documents for attribute-scoped policies,
through a subscription: the guide's own examples of what a policy matches and what it does
not ("String value matching", "Numeric value matching", "Attribute key matching", "IP address
matching", "AND/OR logic"). A `publish-sns` attribute that is a number is a Number, a list a
String.Array, anything else a String (stptui.sim.services.topic.read_attributes)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stptui.sim import patterns
from stptui.sim import trace as tk
from tests.simkit import make_sim, records


def stack(policy: dict[str, Any]) -> str:
    return f"""
resources:
  t: {{type: sns-topic}}
  f:
    type: function
    properties:
      packaging: {{type: stacktape-lambda-buildpack, properties: {{entryfilePath: a.ts}}}}
      events:
        - type: sns
          properties:
            snsTopicName: t
            filterPolicy: {json.dumps(policy)}
"""


def delivered(policy: dict[str, Any], attributes: dict[str, Any]) -> bool:
    sim = make_sim(stack(policy))
    sim.services["topics"].publish("t", "m", attributes=attributes)
    return bool(records(sim, tk.NOTIFICATION_DELIVERED))


INTERESTS = {"customer_interests": ["rugby", "tennis"]}
NOT_INTERESTS = {"customer_interests": [{"anything-but": ["rugby", "tennis"]}]}


@pytest.mark.parametrize(
    ("policy", "attributes", "expected"),
    [
        # Exact matching; each element of a String.Array is a separate string.
        (INTERESTS, {"customer_interests": "rugby"}, True),
        (INTERESTS, {"customer_interests": ["rugby", "tennis"]}, True),
        (INTERESTS, {"customer_interests": "baseball"}, False),
        (INTERESTS, {"customer_interests": ["baseball"]}, False),
        # Matching is case-sensitive ("String matching", filter policy constraints).
        (INTERESTS, {"customer_interests": "Rugby"}, False),
        # Anything-but.
        (NOT_INTERESTS, {"customer_interests": "baseball"}, True),
        (NOT_INTERESTS, {"customer_interests": "rugby"}, False),
        # ... with a prefix.
        ({"event": [{"anything-but": {"prefix": "order-"}}]}, {"event": "data-entry"}, True),
        ({"event": [{"anything-but": {"prefix": "order-"}}]}, {"event": "order-cancelled"}, False),
        # Equals-ignore-case.
        (
            {"customer_interests": [{"equals-ignore-case": "tennis"}]},
            {"customer_interests": "TENNIS"},
            True,
        ),
        (
            {"customer_interests": [{"equals-ignore-case": "tennis"}]},
            {"customer_interests": "rugby"},
            False,
        ),
        # Prefix and suffix.
        ({"customer_interests": [{"prefix": "bas"}]}, {"customer_interests": "basketball"}, True),
        ({"customer_interests": [{"prefix": "bas"}]}, {"customer_interests": "rugby"}, False),
        ({"customer_interests": [{"suffix": "ball"}]}, {"customer_interests": "baseball"}, True),
        ({"customer_interests": [{"suffix": "ball"}]}, {"customer_interests": "rugby"}, False),
        # IP address matching (CIDR).
        ({"source_ip": [{"cidr": "10.0.0.0/24"}]}, {"source_ip": "10.0.0.255"}, True),
        ({"source_ip": [{"cidr": "10.0.0.0/24"}]}, {"source_ip": "10.1.1.0"}, False),
        # Key matching.
        ({"store": [{"exists": True}]}, {"store": "example_corp"}, True),
        ({"store": [{"exists": True}]}, {"event": "x"}, False),
        ({"store": [{"exists": False}]}, {"event": "x"}, True),
        ({"store": [{"exists": False}]}, {"store": "example_corp"}, False),
        # Numeric exact matching: values, not text ("301.5" and "3.015e2" alike).
        ({"price_usd": [{"numeric": ["=", 301.5]}]}, {"price_usd": 301.5}, True),
        ({"price_usd": [{"numeric": ["=", 301.5]}]}, {"price_usd": 3.015e2}, True),
        ({"price_usd": [{"numeric": ["=", 301.5]}]}, {"price_usd": 300}, False),
        # A String that looks like a number is no Number.
        ({"price_usd": [{"numeric": ["=", 301.5]}]}, {"price_usd": "301.5"}, False),
        # Numeric anything-but.
        ({"price_usd": [{"anything-but": [100, 500]}]}, {"price_usd": 101}, True),
        ({"price_usd": [{"anything-but": [100, 500]}]}, {"price_usd": 100}, False),
        # Numeric ranges.
        ({"price_usd": [{"numeric": [">", 0, "<=", 150]}]}, {"price_usd": 150}, True),
        ({"price_usd": [{"numeric": [">", 0, "<=", 150]}]}, {"price_usd": 0}, False),
        ({"price_usd": [{"numeric": [">", 0, "<=", 150]}]}, {"price_usd": 150.00001}, False),
        # AND across names, OR across values.
        (
            {"customer_interests": ["rugby"], "price_usd": [{"numeric": [">", 100]}]},
            {"customer_interests": "rugby", "price_usd": 101},
            True,
        ),
        (
            {"customer_interests": ["rugby"], "price_usd": [{"numeric": [">", 100]}]},
            {"customer_interests": "rugby", "price_usd": 100},
            False,
        ),
        # The $or operator: "source" && ("metricName" || "namespace").
        (
            {
                "source": ["aws.cloudwatch"],
                "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}],
            },
            {"source": "aws.cloudwatch", "namespace": "AWS/EC2"},
            True,
        ),
        (
            {
                "source": ["aws.cloudwatch"],
                "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}],
            },
            {"source": "aws.cloudwatch", "namespace": "AWS/RDS"},
            False,
        ),
    ],
)
def test_the_guides_examples(
    policy: dict[str, Any], attributes: dict[str, Any], expected: bool
) -> None:
    assert delivered(policy, attributes) is expected


@pytest.mark.parametrize(
    ("policy", "elements", "expected"),
    [
        # anything-but: "For String.Array type attributes, it matches if none of the array
        # elements are listed in the policy property" (the guide's newest text).
        (NOT_INTERESTS, ["rugby", "baseball"], False),
        (NOT_INTERESTS, ["baseball", "football"], True),
        (NOT_INTERESTS, ["tennis"], False),
        # The same for its prefix, suffix and equals-ignore-case forms and for numbers.
        ({"event": [{"anything-but": {"prefix": "order-"}}]}, ["data", "order-1"], False),
        ({"event": [{"anything-but": {"prefix": "order-"}}]}, ["data", "entry"], True),
        ({"event": [{"anything-but": {"suffix": "-test"}}]}, ["a", "b-test"], False),
        ({"event": [{"anything-but": {"equals-ignore-case": "x"}}]}, ["y", "X"], False),
        ({"event": [{"anything-but": {"equals-ignore-case": "x"}}]}, ["y", "z"], True),
        ({"price": [{"anything-but": [100]}]}, [101, 100], False),
        ({"price": [{"anything-but": [100]}]}, [101, 102], True),
        # An empty array has no value: anything-but needs one, as it does of a String.
        (NOT_INTERESTS, [], False),
        # Beside another operator of the same name, each is read on its own (OR).
        ({"event": ["rugby", {"anything-but": ["rugby"]}]}, ["rugby", "tennis"], True),
        # The other operators hold when any element matches ("each element in the array is
        # treated as a separate string for matching purposes").
        ({"event": [{"prefix": "bas"}]}, ["rugby", "basketball"], True),
        ({"event": [{"prefix": "bas"}]}, ["rugby", "tennis"], False),
        ({"event": [{"suffix": "ball"}]}, ["rugby", "baseball"], True),
        ({"event": [{"equals-ignore-case": "TENNIS"}]}, ["rugby", "tennis"], True),
        ({"price": [{"numeric": [">", 100]}]}, [50, 150], True),
        ({"price": [{"numeric": [">", 100]}]}, [50, 60], False),
        # exists: "The key must have a non-null and non-empty value".
        ({"event": [{"exists": True}]}, ["a"], True),
        ({"event": [{"exists": True}]}, [], False),
        ({"event": [{"exists": False}]}, ["a"], False),
        ({"event": [{"exists": False}]}, [], True),
    ],
)
def test_string_array_attributes(
    policy: dict[str, Any], elements: list[Any], expected: bool
) -> None:
    (name,) = policy
    assert delivered(policy, {name: elements, "other": "x"}) is expected


def test_an_array_anything_but_rejects_says_which_element() -> None:
    sim = make_sim(stack(NOT_INTERESTS))
    sim.services["topics"].publish("t", "m", attributes={"customer_interests": ["rugby", "golf"]})
    (filtered,) = records(sim, tk.NOTIFICATION_FILTERED)
    reason = " ".join(filtered.data["reason"])
    assert 'the element "rugby" of ["rugby", "golf"]' in reason
    assert "none of a String.Array's elements" in reason


def test_eventbridge_anything_but_still_needs_one_element() -> None:
    """EventBridge's own reading is unchanged: an event array matches anything-but when any
    element is not listed (the `match` command and bus rules)."""
    pattern = {"detail": {"sport": [{"anything-but": ["rugby"]}]}}
    assert patterns.matches(pattern, {"detail": {"sport": ["rugby", "golf"]}})


WORDS = st.sampled_from(["a", "b", "ab", "ba"])
OPERATORS = st.one_of(
    WORDS,
    st.builds(lambda w: {"anything-but": w}, WORDS),
    st.builds(lambda ws: {"anything-but": ws}, st.lists(WORDS, min_size=1, max_size=2)),
    st.builds(lambda w: {"anything-but": {"prefix": w}}, WORDS),
    st.builds(lambda w: {"prefix": w}, WORDS),
    st.just({"exists": True}),
)


@settings(max_examples=300, deadline=None)
@given(
    ops=st.lists(OPERATORS, min_size=1, max_size=3),
    value=st.one_of(WORDS, st.lists(WORDS, max_size=3)),
)
def test_the_sns_explanation_agrees_with_the_verdict(ops: list[Any], value: Any) -> None:
    matcher = patterns.compile_pattern({"k": ops}, every_element=True)
    doc = {"k": value}
    assert matcher.explain(doc).matched is matcher.matches(doc)
    # Each operator alone: anything-but needs every element, the others one.
    if isinstance(value, list) and value:
        for op in ops:
            alone = patterns.compile_pattern({"k": [op]}, every_element=True).matches(doc)
            each = [patterns.matches({"k": [op]}, {"k": v}) for v in value]
            is_but = isinstance(op, dict) and "anything-but" in op
            assert alone is (all(each) if is_but else any(each) or op == {"exists": True})
