"""The AWS names Stacktape builds (stptui.config.aws_names): its buildResourceName cut,
change-case's words, and a batch job's definition, state machine, queue and job names."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stptui.config.aws_names import (
    batch_job_definition_name,
    batch_job_name_base,
    batch_job_queue_name,
    batch_state_machine_name,
    build_resource_name,
    kebab_case,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("heavyJob-app-dev", "heavy-job-app-dev"),
        ("nightly-app-dev", "nightly-app-dev"),
        # An acronym run splits before its last capital; a digit before a capital splits.
        ("DLQJob-app-dev", "dlq-job-app-dev"),
        ("job2Run-app-dev", "job2-run-app-dev"),
        ("job2run-App-Dev", "job2run-app-dev"),
        # Separators collapse and are trimmed.
        ("  a__b--c  ", "a-b-c"),
        ("", ""),
    ],
)
def test_kebab_case_is_change_cases(text: str, expected: str) -> None:
    assert kebab_case(text) == expected


def test_a_batch_jobs_names() -> None:
    assert batch_job_definition_name("app-dev", "heavyJob") == "app-dev-heavyJob-job-definition"
    assert batch_state_machine_name("app-dev", "heavyJob") == (
        "app-dev-heavyJob-batch-state-machine"
    )
    assert batch_job_name_base("app-dev", "heavyJob") == "heavy-job-app-dev"
    # Stacktape leaves an empty word where `gpu` would be: two hyphens.
    assert batch_job_queue_name("app-dev", spot=False, gpu=False) == (
        "app-dev-batch-onDemand--job-queue"
    )
    assert batch_job_queue_name("app-dev", spot=True, gpu=True) == (
        "app-dev-batch-spot-gpu-job-queue"
    )


def test_a_long_state_machine_name_is_cut_to_80_with_a_hash() -> None:
    name = batch_state_machine_name("shop-production", "nightlyInventoryReconciliationJob")
    proposed = "shop-production-nightlyInventoryReconciliationJob-batch-state-machine"
    assert len(proposed) == 69 and name == proposed  # fits: kept whole
    long = batch_state_machine_name("shop-production", "nightlyInventoryReconciliationJobX" * 2)
    assert len(long) == 80
    assert re.fullmatch(r"shop-production-nightlyInventory[A-Za-z-]*-[0-9a-f]{6}", long)


@given(st.text(alphabet="abcXYZ019-", max_size=200), st.integers(min_value=8, max_value=128))
def test_build_resource_name_fits_and_keeps_short_names(proposed: str, limit: int) -> None:
    name = build_resource_name(proposed, limit)
    if len(proposed) <= limit:
        assert name == proposed
    else:
        # As much of the name as fits with `-` and six hex digits.
        assert len(name) == limit
        assert name[: limit - 7] == proposed[: limit - 7]
        assert re.fullmatch(r"-[0-9a-f]{6}", name[-7:])
