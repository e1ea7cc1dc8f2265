"""A batch job's retry waits become Step Functions Wait states: Stacktape writes
`retryIntervalSeconds x attempt x retryIntervalMultiplier` as the state's `Seconds`, which
Step Functions takes only as a whole number of seconds (0 to 99,999,999)."""

from __future__ import annotations

import pytest
from lintkit import codes, one, where

JOB = """\
resources:
  job:
    type: batch-job
    properties:
      container:
        packaging: {type: prebuilt-image, properties: {image: alpine}}
      resources: {cpu: 1, memory: 1024}
      retryConfig: {attempts: %s, retryIntervalSeconds: %s, retryIntervalMultiplier: %s}
"""


def test_a_fractional_interval_is_an_error_at_the_interval() -> None:
    d = one(JOB % (3, 2.5, 1), "batch-retry-wait")
    assert where(d) == ("error", "s.yml", 8, 56)
    assert d.resource == "job"
    assert "2.5" in d.message and "whole number" in d.message
    assert d.hint is not None and "retryIntervalSeconds: 3" in d.hint


def test_a_multiplier_that_makes_a_wait_fractional_is_an_error_at_the_multiplier() -> None:
    # 5 x 1 x 1.5 = 7.5 s after the first attempt
    d = one(JOB % (2, 5, 1.5), "batch-retry-wait")
    assert where(d) == ("error", "s.yml", 8, 84)
    assert "7.5" in d.message and "attempt 1" in d.message
    assert d.hint is not None and "retryIntervalMultiplier: 2" in d.hint


def test_the_float_product_stacktape_computes_is_what_is_checked() -> None:
    # 0.1 x 3 x 10: the JavaScript product is 3.0000000000000004 for the wait after attempt 3
    # (after attempts 1 and 2 the products are exactly 1 and 2).
    d = one(JOB % (4, 0.1, 10), "batch-retry-wait")
    assert "after attempt 3" in d.message and "3.0000000000000004" in d.message


def test_a_wait_over_the_step_functions_maximum_is_an_error() -> None:
    d = one(JOB % (3, 60000000, 1), "batch-retry-wait")
    assert "99,999,999" in d.message and "120000000" in d.message


@pytest.mark.parametrize(
    ("attempts", "interval", "multiplier"),
    [
        (3, 10, 2),
        (3, 2.0, 1),
        (3, 0.5, 2),  # 1 s, 2 s
        (1, 2.5, 1),  # no retry, so no wait state
        (3, 5, 0),  # a 0 multiplier counts as 1 (`|| 1`)
        (3, 0, 1.5),  # no wait at all
    ],
)
def test_whole_second_waits_are_fine(attempts: int, interval: float, multiplier: float) -> None:
    assert "batch-retry-wait" not in codes(JOB % (attempts, interval, multiplier))


@pytest.mark.parametrize(
    ("attempts", "interval", "expected"),
    [
        (1_000_000_000, 1, "99,999,999"),  # only the last of a billion waits is too long
        (3, "1" + "0" * 400, "be Infinity seconds"),  # a JavaScript number: Infinity
        (3, "1" + "0" * 20, "be about 1e+20 seconds"),
        (1_000_000_000, 0.5, "after attempt 1 "),
    ],
)
def test_extreme_retry_settings_are_reported_quickly(
    attempts: int, interval: str, expected: str
) -> None:
    d = one(JOB % (attempts, interval, 1), "batch-retry-wait")
    assert expected in d.message


def test_an_infinite_interval_is_refused_by_type_not_a_traceback() -> None:
    text = JOB % (3, ".inf", 1)
    assert "wrong-type" in codes(text) and "batch-retry-wait" not in codes(text)


def test_a_deploy_time_value_in_a_number_field_is_described_as_written() -> None:
    text = JOB.replace("retryIntervalMultiplier: %s}", "retryIntervalMultiplier: $Secret('m')}")
    d = one(text % (3, 5), "wrong-type")
    assert "$Secret's value '<secret:m>'" in d.message
    assert "Placeholder(" not in d.message
