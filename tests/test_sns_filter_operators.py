"""Every filter operator the SNS developer guide documents for attribute-scoped policies,
through a subscription: the guide's own examples of what a policy matches and what it does
not ("String value matching", "Numeric value matching", "Attribute key matching", "IP address
matching", "AND/OR logic"). A `publish-sns` attribute that is a number is a Number, a list a
String.Array, anything else a String (stptui.sim.services.topic.read_attributes)."""

from __future__ import annotations

import json
from typing import Any

import pytest

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
