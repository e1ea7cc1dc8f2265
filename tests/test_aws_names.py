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
    bucket_name,
    build_resource_name,
    cloudwatch_alarm_name,
    dynamo_table_name,
    event_bus_name,
    globally_unique_stack_hash,
    kebab_case,
    kinesis_stream_name,
    lambda_name,
    lambda_role_name,
    short_hash,
    sns_topic_name,
    sqs_queue_name,
    state_machine_name,
    state_machines_role_name,
    stp_log_group_name,
    workload_role_name,
)
from stptui.config.directives import DirectiveContext, fake_resource_param


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


# Stacktape's shortHash, checked against its TypeScript run by Node (djb2 with XOR, UTF-16
# units last to first, unpadded hex).
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("us-east-1app-dev123456789012", "e6e91c68"),
        ("us-east-1my-stacktape-stack123456789012", "23310927"),
        ("eu-west-1order-pipeline-production123456789012", "abd2215c"),
        ("", "1505"),
        ("a\u00e9\U0001f600", "50ff39d0"),  # a surrogate pair counts as two units
    ],
)
def test_short_hash_is_stacktapes(text: str, expected: str) -> None:
    assert short_hash(text) == expected


def test_the_stack_hash_ends_bucket_and_table_names() -> None:
    stack_hash = globally_unique_stack_hash("us-east-1", "app-dev", "123456789012")
    assert stack_hash == "e6e91c68"
    # The bucket's own name is lower-cased, the table's is kept as written.
    assert bucket_name("app-dev", "rawUploads", stack_hash) == "app-dev-rawuploads-e6e91c68"
    assert dynamo_table_name("app-dev", "orderItems", stack_hash) == ("app-dev-orderItems-e6e91c68")
    # Another stage is another stack: another hash.
    assert globally_unique_stack_hash("us-east-1", "app-prod", "123456789012") != stack_hash


def test_a_long_bucket_name_is_cut_to_63_with_a_hash() -> None:
    name = bucket_name("shop-production", "customerInvoiceAttachmentsArchive", "abd2215c")
    proposed = "shop-production-customerinvoiceattachmentsarchive-abd2215c"
    assert name == proposed and len(name) == 58
    long = bucket_name("shop-production", "customerInvoiceAttachmentsArchiveBackup", "abd2215c")
    assert len(long) == 63 and long.startswith("shop-production-customerinvoiceattachmentsarc")
    assert long != "shop-production-customerinvoiceattachmentsarchivebackup-abd2215c"[:63]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (lambda_name("app-dev", "processOrder"), "app-dev-processOrder"),
        (lambda_name("app-staging", "x" * 70), "app-staging-" + "x" * 45 + "-"),
        (sqs_queue_name("app-dev", "orders", fifo=True), "app-dev-orders.fifo"),
        (sqs_queue_name("app-dev", "orders", fifo=False), "app-dev-orders"),
        (sns_topic_name("app-dev", "alerts", fifo=True), "app-dev-alerts.fifo"),
        (event_bus_name("app-dev", "orderEvents"), "app-dev-orderEvents"),
        (kinesis_stream_name("app-dev", "clicks"), "app-dev-clicks"),
        (state_machine_name("app-dev", "checkout"), "app-dev-checkout"),
        (cloudwatch_alarm_name("app-dev", "LambdaErrorRateForWorker0"), None),
        (lambda_role_name("app-dev", "eu-west-1", "worker"), "app-dev-worker-eu-west-1"),
        (
            lambda_role_name("app-dev", "us-east-1", "nightly", batch_trigger=True),
            "app-dev-nightly-TRIGGER-us-east-1",
        ),
        (workload_role_name("app-dev", "us-east-1", "api"), "app-dev-api-us-east-1"),
        (
            stp_log_group_name("app-dev", "ecs", "web", "service-container/process-logs"),
            "/stp/app-dev/ecs/web/service-container/process-logs",
        ),
    ],
)
def test_stacktapes_physical_names(name: str, expected: str | None) -> None:
    if expected is None:
        assert name == "app-dev-LambdaErrorRateForWorker0"
    elif expected.endswith("-") and len(name) > len(expected):
        # A cut name: the first limit - 7 characters, `-`, six hex digits.
        assert name.startswith(expected) and re.fullmatch(r"[0-9a-f]{6}", name[len(expected) :])
        assert len(name) == 64
    else:
        assert name == expected


def test_a_fifo_queue_name_over_80_loses_its_suffix_as_stacktapes_does() -> None:
    name = sqs_queue_name("app-dev", "Q" * 80, fifo=True)
    # What Node's createHash('shake256', {outputLength: 3}) gives for the whole name.
    assert name == "app-dev-" + "Q" * 65 + "-141273"
    assert len(name) == 80 and not name.endswith(".fifo")


def test_the_state_machines_role_is_a_cloudformation_shaped_stand_in() -> None:
    name = state_machines_role_name("app-dev")
    assert re.fullmatch(r"app-dev-StpGlobalStateMachineRole-[0-9A-Z]{12}", name)
    assert name == state_machines_role_name("app-dev")  # the same stack, the same name
    long = state_machines_role_name("a" * 60 + "-dev")
    assert len(long) == 64 and re.fullmatch(r"a+-[0-9A-Z]{12}", long)


@given(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1),
    st.sampled_from(["app-dev", "my-project-production", "x-" + "s" * 60]),
)
def test_every_name_fits_its_limit(resource: str, stack: str) -> None:
    stack_hash = globally_unique_stack_hash("us-east-1", stack, "123456789012")
    limits = [
        (lambda_name(stack, resource), 64),
        (sqs_queue_name(stack, resource, fifo=True), 80),
        (bucket_name(stack, resource, stack_hash), 63),
        (dynamo_table_name(stack, resource, stack_hash), 255),
        (state_machine_name(stack, resource), 80),
        (lambda_role_name(stack, "ap-southeast-2", resource), 64),
    ]
    for name, limit in limits:
        assert len(name) <= limit


def test_resource_params_carry_stacktapes_names() -> None:
    ctx = DirectiveContext(
        stage="prod", region="eu-west-1", account_id="111122223333", project="shop"
    )
    stack_hash = "d6a48cf1"  # shortHash("eu-west-1shop-prod111122223333"), as Node gives it
    table = fake_resource_param(ctx, "orderItems", "arn", "dynamo-db-table")
    assert (
        table == f"arn:aws:dynamodb:eu-west-1:111122223333:table/shop-prod-orderItems-{stack_hash}"
    )
    assert (
        fake_resource_param(ctx, "Uploads", "name", "bucket") == f"shop-prod-uploads-{stack_hash}"
    )
    long_fn = "renderCustomerInvoicePdfAndUploadItToTheArchiveBucketNow"
    name = fake_resource_param(ctx, long_fn, "name", "function")
    assert name == lambda_name("shop-prod", long_fn) and len(name) == 64
    assert fake_resource_param(ctx, long_fn, "logGroupArn", "function") == (
        f"arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/{name}:*"
    )
