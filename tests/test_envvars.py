"""connectTo environment variables: Stacktape's naming rule (stacktape-config §4.2), the
parameters injected per target type (§4.3) and a workload's whole environment.

Expected names are the reference's examples, verified there against change-case 5.4.4.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from stptui.config import load_stack, load_stack_text
from stptui.config.envvars import (
    EnvEntry,
    env_var_name,
    injected_params,
    snake_upper,
    workload_environment,
)
from stptui.config.model import Resource

SAMPLES = Path(__file__).resolve().parent.parent / "stptui" / "sample_stacks"


# -- §4.2 naming ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "param", "expected"),
    [
        ("jobQueue", "url", "STP_JOB_QUEUE_URL"),
        ("eventBus", "arn", "STP_EVENT_BUS_ARN"),
        ("myDatabase", "connectionString", "STP_MY_DATABASE_CONNECTION_STRING"),
        ("queue2", "url", "STP_QUEUE2_URL"),
        ("s3Bucket", "name", "STP_S3_BUCKET_NAME"),
        ("ordersDLQ", "url", "STP_ORDERS_DLQ_URL"),
        ("v2Queue", "url", "STP_V2_QUEUE_URL"),
        ("web.bucket", "name", "STP_WEB_BUCKET_NAME"),
        # An acronym run before a capitalised word splits before its last capital.
        ("DLQQueue", "url", "STP_DLQ_QUEUE_URL"),
        # A digit before an uppercase letter splits; a letter before a digit does not.
        ("abc123Def", "arn", "STP_ABC123_DEF_ARN"),
        ("abc123def", "arn", "STP_ABC123DEF_ARN"),
        # Parameter names are camelCase too.
        ("uploads", "cdnCustomDomainUrls", "STP_UPLOADS_CDN_CUSTOM_DOMAIN_URLS"),
        ("db", "jdbcConnectionString", "STP_DB_JDBC_CONNECTION_STRING"),
        ("heavyJob", "jobDefinitionArn", "STP_HEAVY_JOB_JOB_DEFINITION_ARN"),
        ("worker", "logGroupArn", "STP_WORKER_LOG_GROUP_ARN"),
        ("appBus", "archiveArn", "STP_APP_BUS_ARCHIVE_ARN"),
        ("database", "readerJdbcConnectionString", "STP_DATABASE_READER_JDBC_CONNECTION_STRING"),
        ("myNextjs.bucket", "arn", "STP_MY_NEXTJS_BUCKET_ARN"),
        ("jobqueue", "url", "STP_JOBQUEUE_URL"),
        ("JOBQUEUE", "url", "STP_JOBQUEUE_URL"),
    ],
)
def test_env_var_name(ref: str, param: str, expected: str) -> None:
    assert env_var_name(ref, param) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jobQueue", "JOB_QUEUE"),
        ("DLQQueue", "DLQ_QUEUE"),
        ("abc123Def", "ABC123_DEF"),
        ("queue2", "QUEUE2"),
        ("XMLHttpRequest", "XML_HTTP_REQUEST"),
        ("a.b", "A_B"),
        ("", ""),
    ],
)
def test_snake_upper(text: str, expected: str) -> None:
    assert snake_upper(text) == expected


# -- §4.3 injected parameters per target type ---------------------------------------------


def _res(rtype: str, **props: Any) -> Resource:
    return Resource(name="x", type=rtype, path=("resources", "x"), properties=props)


# Stacktape's CDN resolver: the default domain's URL without custom domains; with them, the
# custom domains and their URLs and no `cdnUrl`.
CDN = ["cdnUrl", "cdnDomain", "cdnCanonicalDomain", "cdnCanonicalUrl"]
CDN_CUSTOM = [
    "cdnCustomDomainUrls",
    "cdnCustomDomains",
    "cdnDomain",
    "cdnCanonicalDomain",
    "cdnCanonicalUrl",
]
CUSTOM = {"enabled": True, "customDomains": [{"domainName": "cdn.example.com"}]}
AURORA = [
    "readerHost",
    "readerPort",
    "readerConnectionString",
    "readerJdbcConnectionString",
    "hosts",
]
RDS = ["connectionString", "jdbcConnectionString", "host", "port", "dbName"]


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        (_res("sqs-queue"), ["arn", "url", "name"]),
        (_res("sns-topic"), ["arn", "name"]),
        (_res("event-bus"), ["arn"]),
        (_res("event-bus", archivation={"enabled": False}), ["arn"]),
        (_res("event-bus", archivation={"enabled": True}), ["arn", "archiveArn"]),
        (_res("bucket"), ["name", "arn"]),
        (_res("bucket", cdn={"enabled": True}), ["name", "arn", *CDN]),
        (_res("bucket", cdn={"enabled": False}), ["name", "arn"]),
        (_res("bucket", cdn=CUSTOM), ["name", "arn", *CDN_CUSTOM]),
        (_res("function"), ["arn", "logGroupArn"]),
        (_res("function", logging={"disabled": True}), ["arn"]),
        (_res("function", logging={"disabled": False}), ["arn", "logGroupArn"]),
        (_res("function", url={"enabled": True}), ["arn", "logGroupArn", "url"]),
        (_res("function", url={"enabled": False}), ["arn", "logGroupArn"]),
        (_res("function", cdn={"enabled": True}), ["arn", "logGroupArn", "url", *CDN]),
        (_res("function", cdn={"enabled": False}), ["arn", "logGroupArn"]),
        (_res("function", cdn=CUSTOM), ["arn", "logGroupArn", "url", *CDN_CUSTOM]),
        (_res("batch-job"), ["jobDefinitionArn", "stateMachineArn", "logGroupArn"]),
        (_res("batch-job", logging={"disabled": True}), ["jobDefinitionArn", "stateMachineArn"]),
        (_res("relational-database", engine={"type": "postgres"}), RDS),
        (_res("relational-database", engine={"type": "mysql"}), RDS),
        (_res("relational-database", engine={"type": "aurora-postgresql"}), RDS + AURORA),
        (_res("relational-database", engine={"type": "aurora-mysql-serverless-v2"}), RDS + AURORA),
        (_res("dynamo-db-table"), ["name", "arn"]),
        (_res("dynamo-db-table", streamType="NEW_AND_OLD_IMAGES"), ["name", "arn", "streamArn"]),
        (_res("kinesis-stream"), ["arn", "name"]),
        (_res("state-machine"), ["arn", "name"]),
        (_res("mongo-db-atlas-cluster"), ["connectionString"]),
        (
            _res("upstash-redis"),
            ["host", "port", "password", "restToken", "readOnlyRestToken", "restUrl", "redisUrl"],
        ),
        (_res("private-service"), ["address"]),
        # Stacktape's efs-filesystem resolver; the legacy efs-storage is today's efs-filesystem.
        (_res("efs-filesystem"), ["arn", "id"]),
        (_res("efs-storage"), ["arn", "id"]),
        # A hosting bucket's are its nested bucket's, whose CDN is always on.
        (_res("hosting-bucket"), ["name", "arn", *CDN]),
        (
            _res("hosting-bucket", customDomains=[{"domainName": "www.example.com"}]),
            ["name", "arn", *CDN_CUSTOM],
        ),
        # Stacktape's agentcore resolver: a runtime always has its `default` endpoint.
        (_res("agentcore-runtime"), ["id", "arn", "endpointName", "endpointArn"]),
        (_res("agentcore-memory"), ["id", "arn"]),
        (_res("agentcore-gateway"), ["id", "arn", "url"]),
        (_res("agentcore-browser"), ["id", "arn"]),
        (_res("agentcore-code-interpreter"), ["id", "arn"]),
        # Not a connectTo target (use $ResourceParam('gw', 'url')): nothing is injected.
        (_res("http-api-gateway"), []),
    ],
    ids=lambda v: v.type + str(sorted(v.properties)) if isinstance(v, Resource) else None,
)
def test_injected_params(resource: Resource, expected: list[str]) -> None:
    assert injected_params(resource) == expected


def test_injected_params_of_loaded_resources() -> None:
    stack = load_stack_text(
        """
resources:
  archived:
    type: event-bus
    properties: {archivation: {enabled: true, retentionDays: 7}}
  oldSpelling:
    type: event-bus
    properties: {archive: {enabled: true}}
  quiet:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}
      logging: {disabled: true}
      url: {enabled: true}
  table:
    type: dynamo-db-table
    properties:
      primaryKey: {partitionKey: {name: id, type: string}}
      streamType: NEW_IMAGE
""",
        lint=False,
    )
    r = stack.resources
    assert injected_params(r["archived"]) == ["arn", "archiveArn"]
    assert injected_params(r["oldSpelling"]) == ["arn", "archiveArn"]  # accepted alias
    assert injected_params(r["quiet"]) == ["arn", "url"]
    assert injected_params(r["table"]) == ["name", "arn", "streamArn"]


# -- a workload's environment ---------------------------------------------------------------

ARN_RE = re.compile(r"^arn:aws:sqs:us-east-1:\d{12}:[A-Za-z0-9-]+$")
URL_RE = re.compile(r"^https://sqs\.us-east-1\.amazonaws\.com/\d{12}/[A-Za-z0-9-]+$")


def test_job_queue_api_environment() -> None:
    stack = load_stack(SAMPLES / "job-queue" / "stacktape.yml", lint=False)
    env = workload_environment(stack, stack.resources["api"])
    assert [(e.name, e.source) for e in env] == [
        ("STP_JOB_QUEUE_ARN", "jobQueue"),
        ("STP_JOB_QUEUE_URL", "jobQueue"),
        ("STP_JOB_QUEUE_NAME", "jobQueue"),
        ("NODE_OPTIONS", "stacktape"),  # src/api.ts, built by Stacktape (reference §4.3)
    ]
    arn, url, name = (e.value for e in env[:3])
    assert ARN_RE.match(arn), arn
    assert URL_RE.match(url), url
    # The physical queue name is `{stackName}-{resourceName}`; ARN and URL end with it.
    assert name == "job-queue-demo-dev-jobQueue"
    assert arn.endswith(":" + name) and url.endswith("/" + name)
    assert arn.split(":")[4] == url.split("/")[3]  # the same account


def test_config_entries_come_first_then_connect_to() -> None:
    stack = load_stack(SAMPLES / "scheduled-job" / "stacktape.yml", lint=False)
    env = workload_environment(stack, stack.resources["dailyReport"])
    assert env[0] == EnvEntry("REPORT_RECIPIENT", "reports@example.com", "config")
    assert env[-1].name == "NODE_OPTIONS"  # Stacktape's own, for src/daily-report.ts
    # aws:ses grants a permission and injects nothing.
    assert [e.name for e in env[1:-1]] == [
        "STP_DATABASE_CONNECTION_STRING",
        "STP_DATABASE_JDBC_CONNECTION_STRING",
        "STP_DATABASE_HOST",
        "STP_DATABASE_PORT",
        "STP_DATABASE_DB_NAME",
    ]
    assert {e.source for e in env[1:-1]} == {"database"}
    values = {e.name: e.value for e in env}
    assert values["STP_DATABASE_PORT"].isdigit()
    assert values["STP_DATABASE_CONNECTION_STRING"].startswith("postgres://")


def test_batch_job_environment_lives_under_container() -> None:
    stack = load_stack(SAMPLES / "batch-job" / "stacktape.yml", lint=False)
    env = workload_environment(stack, stack.resources["heavyJob"])
    assert env[0] == EnvEntry("CHUNK_SIZE", "1000", "config")  # a YAML number, as text
    assert [e.name for e in env[1:3]] == [
        "STP_DATABASE_CONNECTION_STRING",
        "STP_DATABASE_JDBC_CONNECTION_STRING",
    ]


def test_a_batch_jobs_log_group_arn_is_stacktapes_group() -> None:
    text = (
        "serviceName: app\nresources:\n"
        "  nightly:\n    type: batch-job\n    properties:\n"
        "      container: {packaging: {type: prebuilt-image, properties: {image: x}}}\n"
        "      resources: {cpu: 1, memory: 1024}\n"
        "  fn:\n    type: function\n    properties:\n"
        "      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}\n"
        "      connectTo: [nightly]\n"
    )
    stack = load_stack_text(text, "stacktape.yml")
    values = {e.name: e.value for e in workload_environment(stack, stack.resources["fn"])}
    assert values["STP_NIGHTLY_LOG_GROUP_ARN"] == (
        "arn:aws:logs:us-east-1:123456789012:log-group:/stp/app-dev/batch/nightly/process-logs:*"
    )


def test_connect_to_a_missing_resource_injects_nothing() -> None:
    stack = load_stack(
        Path(__file__).resolve().parent / "fixtures" / "seed" / "job-queue.yml", lint=False
    )
    env = workload_environment(stack, stack.resources["worker"])
    assert [e.name for e in env] == ["NODE_OPTIONS"]  # only Stacktape's own


FIFO_STACK = """
serviceName: shop
resources:
  orders:
    type: sqs-queue
    properties: {fifoEnabled: true, contentBasedDeduplication: true}
  plain: {type: sqs-queue}
  events:
    type: sns-topic
    properties: {fifoEnabled: true}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}
      environment:
        - {name: ORDERS, value: "$ResourceParam('orders', 'arn')"}
      connectTo: [orders, plain, events]
"""


def test_fifo_queues_and_topics_are_named_with_the_fifo_suffix() -> None:
    # Stacktape appends `.fifo` to a FIFO queue's or topic's AWS name (and so to its ARN and
    # URL); a standard queue's name has none.
    stack = load_stack_text(FIFO_STACK, "stacktape.yml", lint=False)
    values = {e.name: e.value for e in workload_environment(stack, stack.resources["worker"])}
    assert values["ORDERS"] == "arn:aws:sqs:us-east-1:123456789012:shop-dev-orders.fifo"
    assert values["STP_ORDERS_ARN"] == values["ORDERS"]
    assert values["STP_ORDERS_NAME"] == "shop-dev-orders.fifo"
    assert values["STP_ORDERS_URL"].endswith("/123456789012/shop-dev-orders.fifo")
    assert values["STP_PLAIN_NAME"] == "shop-dev-plain"
    assert values["STP_EVENTS_ARN"] == "arn:aws:sns:us-east-1:123456789012:shop-dev-events.fifo"


CDN_STACK = """
resources:
  site:
    type: bucket
    properties:
      cdn:
        enabled: true
        customDomains: [{domainName: cdn.example.com}, {domainName: www.example.com}]
  api:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      cdn: {enabled: true}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}
      connectTo: [site, api]
"""


def test_connect_to_resources_with_a_cdn_injects_its_domains() -> None:
    stack = load_stack_text(CDN_STACK, lint=False)
    env = {e.name: e.value for e in workload_environment(stack, stack.resources["worker"])}
    # the custom domains are the config's own, joined as Stacktape joins them
    assert env["STP_SITE_CDN_CUSTOM_DOMAINS"] == "cdn.example.com, www.example.com"
    assert (
        env["STP_SITE_CDN_CUSTOM_DOMAIN_URLS"] == "https://cdn.example.com, https://www.example.com"
    )
    assert "STP_SITE_CDN_URL" not in env  # no default-domain URL once custom domains are set
    # a function behind a CDN gets its URL and the CDN's default-domain parameters
    assert env["STP_API_URL"].endswith(".lambda-url.us-east-1.on.aws/")
    assert env["STP_API_CDN_URL"] == "https://" + env["STP_API_CDN_DOMAIN"]
    assert env["STP_API_CDN_DOMAIN"].endswith(".cloudfront.net")


def test_resource_param_of_cdn_custom_domains_is_the_configs_own() -> None:
    text = CDN_STACK.replace(
        "connectTo: [site, api]",
        "connectTo: [site, api]\n      environment:\n"
        "        - {name: SITE, value: \"$ResourceParam('site', 'cdnCustomDomainUrls')\"}",
    )
    stack = load_stack_text(text, lint=False)
    env = {e.name: e.value for e in workload_environment(stack, stack.resources["worker"])}
    assert env["SITE"] == env["STP_SITE_CDN_CUSTOM_DOMAIN_URLS"]
    assert env["SITE"] == "https://cdn.example.com, https://www.example.com"


HOSTING_STACK = """
resources:
  site:
    type: hosting-bucket
    properties:
      uploadDirectoryPath: ./dist
      hostingContentType: static-website
  shop:
    type: hosting-bucket
    properties:
      uploadDirectoryPath: ./dist
      hostingContentType: single-page-app
      customDomains: [{domainName: shop.example.com}]
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}
      connectTo: [site, shop]
"""


def test_a_hosting_bucket_injects_its_nested_buckets_name_arn_and_cdn() -> None:
    stack = load_stack_text(HOSTING_STACK, lint=False)
    env = {e.name: e for e in workload_environment(stack, stack.resources["worker"])}
    # Values shaped like a bucket's, not a generic ARN, and named after the hosting bucket.
    assert env["STP_SITE_ARN"].value == "arn:aws:s3:::" + env["STP_SITE_NAME"].value
    assert env["STP_SITE_CDN_URL"].value == "https://" + env["STP_SITE_CDN_DOMAIN"].value
    assert env["STP_SITE_CDN_DOMAIN"].value.endswith(".cloudfront.net")
    assert env["STP_SHOP_CDN_CUSTOM_DOMAINS"].value == "shop.example.com"
    assert env["STP_SHOP_CDN_CUSTOM_DOMAIN_URLS"].value == "https://shop.example.com"
    assert "STP_SHOP_CDN_URL" not in env
    assert {env[n].source for n in env if n.startswith("STP_SITE_")} == {"site"}


OVERRIDE_STACK = """
resources:
  jobs: {type: sqs-queue}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}
      environment:
        - {name: STP_JOBS_URL, value: http://localhost:9324/jobs}
        - {name: MODE, value: test}
      connectTo: [jobs]
"""


def test_the_configs_own_variable_wins_over_the_connect_to_one_of_the_same_name() -> None:
    # Stacktape's mergeConnectToEnvironmentVariables keeps the explicit value and appends only
    # the connectTo variables that are missing: one STP_JOBS_URL, the config's.
    stack = load_stack_text(OVERRIDE_STACK, lint=False)
    env = workload_environment(stack, stack.resources["worker"])
    assert [e.name for e in env] == [
        "STP_JOBS_URL",
        "MODE",
        "STP_JOBS_ARN",
        "STP_JOBS_NAME",
        "NODE_OPTIONS",
    ]
    assert env[0] == EnvEntry(
        "STP_JOBS_URL", "http://localhost:9324/jobs", "config", overrides=("jobs",)
    )
    assert env[1].overrides == ()  # nothing injected under MODE
    assert env[2].source == "jobs"


def test_a_packaging_type_that_is_not_text_draws_the_graph_not_a_traceback(
    tmp_path: Path,
) -> None:
    # `packaging.type` as a list reached a frozenset lookup (unhashable) in the NODE_OPTIONS
    # rule.
    stack = tmp_path / "stacktape.yml"
    stack.write_text(
        "resources:\n  fn:\n    type: function\n    properties:\n"
        "      packaging: {type: [a], properties: {entryfilePath: a.ts}}\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "stptui", "graph", str(stack)], capture_output=True, text=True
    )
    assert "Traceback" not in result.stderr
    assert result.returncode == 0
    assert "fn (function" in result.stdout
