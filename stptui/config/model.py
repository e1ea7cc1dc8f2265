"""The typed model of a Stacktape stack, with Stacktape's real defaults.

Every resource keeps the data path it was read from, so any later check can point at the
exact `file:line:col` through `Stack.pos`. Kinds the simulator drives are modelled in full;
every other Stacktape type is an opaque `Resource` that still appears in the graph.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from stptui.config.diagnostics import Diagnostic, Position
from stptui.config.loader import DataPath, LoadedYaml

# Every `type` Stacktape accepts today (reference: stacktape-config §2.1; the last five are
# newer: packages/config/src/{websocket-api-gateways,kafka-clusters,appsync-apis,
# dsql-databases,email-senders}.ts of stacktape/stacktape, commit df5bebdf).
RESOURCE_TYPES: frozenset[str] = frozenset(
    {
        "function",
        "batch-job",
        "web-service",
        "private-service",
        "worker-service",
        "multi-container-workload",
        "edge-lambda-function",
        "sqs-queue",
        "sns-topic",
        "event-bus",
        "bucket",
        "http-api-gateway",
        "kinesis-stream",
        "state-machine",
        "relational-database",
        "dynamo-db-table",
        "redis-cluster",
        "mongo-db-atlas-cluster",
        "upstash-redis",
        "open-search-domain",
        "efs-filesystem",
        "application-load-balancer",
        "network-load-balancer",
        "user-auth-pool",
        "web-app-firewall",
        "bastion",
        "hosting-bucket",
        "nextjs-web",
        "astro-web",
        "nuxt-web",
        "sveltekit-web",
        "solidstart-web",
        "tanstack-web",
        "remix-web",
        "custom-resource-instance",
        "custom-resource-definition",
        "deployment-script",
        "aws-cdk-construct",
        "convex",
        "agentcore-runtime",
        "agentcore-memory",
        "agentcore-gateway",
        "agentcore-browser",
        "agentcore-code-interpreter",
        "websocket-api-gateway",
        "kafka-cluster",
        "appsync-api",
        "dsql-database",
        "email-sender",
    }
)

# Types from older Stacktape versions, still found in real configs: loaded as opaque nodes.
LEGACY_RESOURCE_TYPES: dict[str, str] = {
    "container-workload": "multi-container-workload",
    "efs-storage": "efs-filesystem",
}


# Types Stacktape has since removed, with no type of today in their place, still found in
# real configs (Stacktape's own starter projects): loaded as resources of their own type, with
# a warning that says what stands in their place today.
RETIRED_RESOURCE_TYPES: dict[str, str] = {
    "upstash-kafka-topic": "Stacktape's Kafka type today is `kafka-cluster` (MSK Serverless)",
}


def canonical_type(rtype: str) -> str:
    """Today's name of a resource type (`container-workload` -> `multi-container-workload`)."""
    return LEGACY_RESOURCE_TYPES.get(rtype, rtype)


DATA_STORE_TYPES: frozenset[str] = frozenset(
    {
        "relational-database",
        "dynamo-db-table",
        "redis-cluster",
        "mongo-db-atlas-cluster",
        "upstash-redis",
        "open-search-domain",
        "efs-filesystem",
        "kinesis-stream",
        "dsql-database",
    }
)

# Event integration types (stacktape-config §3.1, plus the container workloads' ingress types,
# and a function's `websocket-api-gateway` and `appsync-api` events from the newer
# packages/config/src/events.ts of stacktape/stacktape, commit df5bebdf).
TRIGGER_TYPES: frozenset[str] = frozenset(
    {
        "schedule",
        "sqs",
        "s3",
        "event-bus",
        "sns",
        "http-api-gateway",
        "dynamo-db-stream",
        "kinesis-stream",
        "cloudwatch-log",
        "application-load-balancer",
        "network-load-balancer",
        "kafka-topic",
        "cloudwatch-alarm",
        "service-connect",
        "workload-internal",
        "websocket-api-gateway",
        "appsync-api",
    }
)

# Container workloads of one container, written in the service's own properties (§2.9).
CONTAINER_SERVICE_TYPES: tuple[str, ...] = ("web-service", "private-service", "worker-service")
# The name Stacktape gives that one container: its task definition's container and its log
# group (`/stp/<stack>/ecs/<service>/service-container/process-logs`) carry it.
SERVICE_CONTAINER_NAME = "service-container"
# A container's `stopTimeout`: the seconds between SIGTERM and SIGKILL when its task stops
# (Stacktape's `ContainerWorkloadContainerBase.stopTimeout`, "@default 2", 2-120 s).
CONTAINER_STOP_TIMEOUT_S = 2

# The ingress events a container of a multi-container workload may declare (§2.9).
CONTAINER_TRIGGER_TYPES: tuple[str, ...] = (
    "http-api-gateway",
    "application-load-balancer",
    "network-load-balancer",
    "service-connect",
    "workload-internal",
)

# Stacktape's real defaults (RESOURCE_DEFAULTS in its code, and AWS's where Stacktape passes none).
FUNCTION_TIMEOUT_S = 20
FUNCTION_MEMORY_MB = 1024
QUEUE_VISIBILITY_S = 30
QUEUE_RETENTION_S = 345_600
QUEUE_DELAY_S = 0
QUEUE_MAX_MESSAGE_BYTES = 1_048_576
QUEUE_LONG_POLLING_S = 0
SQS_BATCH_SIZE = 10
BATCH_ATTEMPTS = 1
BATCH_RETRY_INTERVAL_S = 0
BATCH_RETRY_MULTIPLIER = 1.0
HTTP_PAYLOAD_FORMAT = "1.0"
DEFAULT_BUS = "default"
# A Region's Lambda concurrency (AWS's default quota), and what functions' reservations must
# leave to the functions without one: "as long as you leave at least 100 simultaneous
# executions unreserved" (Lambda API reference, PutFunctionConcurrency). Shared by the linter
# and the simulator.
ACCOUNT_CONCURRENCY = 1000
MIN_UNRESERVED_CONCURRENCY = 100
# The listeners Stacktape gives an application load balancer without `listeners`: HTTP on 80,
# whose default action redirects to HTTPS, and HTTPS on 443, the listener of an event without
# `listenerPort` (config-manager/utils/application-load-balancers.ts:
# transformLoadBalancerToListenerForm, resolveReferenceToApplicationLoadBalancer). Shared by the
# linter and the simulator, which must agree on them.
ALB_DEFAULT_LISTENER_PORT = 443
ALB_DEFAULT_LISTENERS: tuple[dict[str, Any], ...] = (
    {"port": 80, "protocol": "HTTP", "defaultAction": {"type": "redirect"}},
    {"port": ALB_DEFAULT_LISTENER_PORT, "protocol": "HTTPS"},
)

# A web-service's own entry point, as Stacktape compiles the service (config-manager/index.ts,
# `get webServices`): by `loadBalancing.type` (default http-api-gateway) a nested HTTP API, an
# application load balancer or a network load balancer, referenced as `<service>.<id>` (the
# ids below), and an ingress event of the service's container: an HTTP API route `ANY
# /{proxy+}` or a listener rule (priority 3, path `*`, on 443) to port 3000, which the
# container gets as `PORT` (with HOST 0.0.0.0); a network load balancer forwards each of its
# `ports` to its `containerPort` (else the same port) and sets no PORT.
WEB_SERVICE_PORT = 3000
WEB_SERVICE_HOST = "0.0.0.0"
WEB_SERVICE_ROUTE_METHOD = "*"
WEB_SERVICE_ROUTE_PATH = "/{proxy+}"
WEB_SERVICE_RULE_PRIORITY = 3
WEB_SERVICE_RULE_PATHS = ("*",)
WEB_SERVICE_LOAD_BALANCING = "http-api-gateway"
WEB_SERVICE_ENTRY_IDS: dict[str, str] = {
    "http-api-gateway": "httpApiGateway",
    "application-load-balancer": "loadBalancer",
    "network-load-balancer": "networkLoadBalancer",
}
# A network load balancer's listener protocol when a port names none (`port.protocol || 'TLS'`).
NLB_DEFAULT_PROTOCOL = "TLS"


@dataclass(slots=True)
class Ref:
    """A reference from one resource to another, by name or by ARN.

    `target` is the in-stack resource it points at (None when it points outside the stack or
    at nothing), `raw` is what was written, `path` is where.
    """

    raw: str
    path: DataPath
    target: str | None = None
    by: str = "name"  # "name" | "arn" | "macro" (aws:ses) | "default" (implied gateway)

    @property
    def external(self) -> bool:
        """True for an ARN that names nothing in this stack (a resource elsewhere in AWS)."""
        return self.by == "arn" and self.target is None


@dataclass(slots=True)
class EnvVar:
    """One environment variable as written in the config."""

    name: str
    value: str
    path: DataPath


@dataclass(slots=True)
class Trigger:
    """An event integration on a workload (or a queue's event-bus subscription).

    On a container workload, `container` and `container_port` name the container (and its
    port) that receives the traffic; `index` then counts the workload's events across all of
    its containers, so that every event has its own number."""

    type: str
    owner: str
    index: int
    path: DataPath
    properties: dict[str, Any] = field(default_factory=dict)
    container: str | None = None
    container_port: int | None = None


@dataclass(slots=True)
class ScheduleTrigger(Trigger):
    """`schedule`: an AWS cron()/rate() expression on the default bus."""

    rate: str = ""
    input: Any = None
    input_path: str | None = None
    input_transformer: dict[str, Any] | None = None


# A schedule's id, in the graph and in the commands that take one: this, its owner, a colon
# and its number, 1-based among the owner's schedules in the order of its `events`.
SCHEDULE_NODE_PREFIX = "schedule:"


def schedule_node_id(owner: str, number: int) -> str:
    """`schedule:OWNER:N`: the graph node, `show schedules` row and `fire` argument of a
    workload's Nth schedule."""
    return f"{SCHEDULE_NODE_PREFIX}{owner}:{number}"


@dataclass(slots=True)
class SqsTrigger(Trigger):
    """`sqs`: a Lambda event source mapping polling a queue."""

    queue: Ref | None = None
    batch_size: int = SQS_BATCH_SIZE
    max_batch_window_s: float | None = None


@dataclass(slots=True)
class S3Trigger(Trigger):
    """`s3`: bucket notifications for some event types, filtered by key prefix/suffix."""

    bucket: Ref | None = None
    event_types: list[str] = field(default_factory=list)
    prefix: str | None = None
    suffix: str | None = None


@dataclass(slots=True)
class EventBusTrigger(Trigger):
    """`event-bus`: an EventBridge rule with a pattern on a stack bus or the default bus."""

    bus: Ref | None = None  # None with use_default_bus
    use_default_bus: bool = False
    pattern: Any = None
    on_delivery_failure: Ref | None = None
    input: Any = None
    input_path: str | None = None
    input_transformer: dict[str, Any] | None = None
    message_group_id: str | None = None  # queue subscriptions to FIFO queues


@dataclass(slots=True)
class SnsTrigger(Trigger):
    """`sns`: a Lambda subscription to a topic, with an optional filter policy."""

    topic: Ref | None = None
    filter_policy: Any = None
    # Why a `filterPolicy` that is written could not be read (not a mapping): the stack is
    # still simulated, and this subscription delivers nothing rather than everything.
    filter_policy_error: str | None = None
    on_delivery_failure: Ref | None = None


@dataclass(slots=True)
class CloudWatchLogTrigger(Trigger):
    """`cloudwatch-log`: a subscription filter on a log group, delivering to the workload.

    `log_group` is the `logGroupArn` as written: its target is the function, batch job or
    container workload whose log group it names (None for a group outside the stack, or for
    an ARN of a resource that is not a log group). `group` is the log group's name when the
    value is a log group's ARN; `named_param` is the `$ResourceParam` parameter it reads,
    when one."""

    log_group: Ref | None = None
    group: str | None = None
    named_param: str | None = None
    filter_pattern: str = ""
    # The container whose group it is, when `log_group`'s target is a container workload
    # (a literal ARN of Stacktape's `/stp/{stack}/ecs/{workload}/{container}/process-logs`).
    group_container: str | None = None


@dataclass(slots=True)
class HttpAuthorizer:
    """A route's `authorizer` as Stacktape compiles it (`getHttpApiAuthorizerResource`):
    `cognito` is a JWT authorizer of a `user-auth-pool` (`target` the pool), `lambda` a
    REQUEST authorizer, payload format 2.0, simple responses unless `iam_response`."""

    type: str  # cognito | lambda
    target: Ref | None  # the user pool or the authorizer function
    identity_sources: tuple[str, ...]
    iam_response: bool = False
    cache_seconds: int = 0


# Stacktape's identity sources when `identitySources` is not written: the Authorization
# header for a cognito authorizer, none for a lambda one (its `|| []`), which AWS allows
# for a REQUEST authorizer without caching (the authorizer is then always invoked).
COGNITO_IDENTITY_SOURCES = ("$request.header.Authorization",)


# The catch-all route of an HTTP API, which Stacktape's `path: '*'` makes.
HTTP_DEFAULT_ROUTE = "$default"


@dataclass(slots=True)
class HttpTrigger(Trigger):
    """`http-api-gateway`: a route on an HTTP API."""

    gateway: Ref | None = None  # None when the gateway is implicit (no gateway in the stack)
    method: str = "*"
    route_path: str = "/"
    payload_format: str | None = None  # the event's own; the gateway's applies when None
    authorizer: HttpAuthorizer | None = None

    @property
    def api_method(self) -> str:
        """The route's method as API Gateway has it: `*` is ANY, the others upper-cased."""
        return "ANY" if self.method in ("*", "ANY") else self.method.upper()

    @property
    def api_path(self) -> str:
        """The route's path as API Gateway has it: Stacktape's catch-all `*` is `$default`."""
        path = self.route_path
        return HTTP_DEFAULT_ROUTE if path in ("*", HTTP_DEFAULT_ROUTE) else path

    @property
    def route_key(self) -> str:
        """The route's key (`GET /orders`, `ANY /x`, `$default`), as RouteSettings name it."""
        path = self.api_path
        return path if path == HTTP_DEFAULT_ROUTE else f"{self.api_method} {path}"


@dataclass(slots=True)
class WebSocketTrigger(Trigger):
    """`websocket-api-gateway`: a route of a WebSocket API (`WebSocketApiIntegrationProps`).

    `authorizer_function` is the function of a `lambda` authorizer (on `$connect` only)."""

    gateway: Ref | None = None
    route_key: str | None = None
    authorizer_function: Ref | None = None
    return_response: bool = False


@dataclass(slots=True)
class AppSyncTrigger(Trigger):
    """`appsync-api`: the Lambda resolver of one GraphQL field (`AppSyncApiIntegrationProps`)."""

    api: Ref | None = None
    field_name: str | None = None  # `Type.field`


@dataclass(slots=True)
class KafkaTopicTrigger(Trigger):
    """`kafka-topic`: one of its shapes across Stacktape versions (`customKafkaConfiguration`,
    `kafkaClusterName`, `mskClusterArn`, the legacy `upstashKafkaTopic`). A `kafkaClusterName`
    is a reference to a `kafka-cluster` of the stack, an `upstashKafkaTopic` one to an
    `upstash-kafka-topic`. `topic` is the topic name the event writes, `brokers` a custom
    source's bootstrap servers."""

    cluster: Ref | None = None
    upstash: Ref | None = None
    topic: str | None = None
    brokers: tuple[str, ...] = ()


@dataclass(slots=True)
class Resource:
    """Any Stacktape resource. Unmodelled types are plain `Resource`s (opaque nodes)."""

    name: str
    type: str
    path: DataPath
    properties: dict[str, Any] = field(default_factory=dict)
    # Properties not written in the config, whose value is a default: Stacktape's, or AWS's
    # where Stacktape leaves the property out of the template.
    defaults: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Workload(Resource):
    """Something that runs code: a function or a batch job."""

    events: list[Trigger] = field(default_factory=list)
    connect_to: list[Ref] = field(default_factory=list)
    environment: list[EnvVar] = field(default_factory=list)
    logging_disabled: bool = False


@dataclass(frozen=True, slots=True)
class FunctionUrlConfig:
    """A function's AWS::Lambda::Url as Stacktape's `getLambdaUrl` compiles `url`: AuthType
    `authMode` or NONE; Cors only with `cors.enabled` (AllowOrigins `allowedOrigins` or `*`,
    AllowMethods `allowedMethods` or `*`, AllowHeaders `allowedMethods` too, else Stacktape's
    default list: its code never reads `allowedHeaders`); InvokeMode RESPONSE_STREAM with
    `responseStreamEnabled`."""

    auth_type: str = "NONE"
    cors_origins: tuple[str, ...] | None = None  # None: no CORS configured
    cors_methods: tuple[str, ...] = ()
    cors_headers: tuple[str, ...] = ()
    cors_credentials: bool = False
    cors_expose: tuple[str, ...] = ()
    cors_max_age: int | None = None
    streaming: bool = False


@dataclass(slots=True)
class Function(Workload):
    """A Lambda function."""

    timeout_s: int = FUNCTION_TIMEOUT_S
    memory_mb: int = FUNCTION_MEMORY_MB
    runtime: str | None = None
    packaging_type: str | None = None
    entry: str | None = None
    reserved_concurrency: int | None = None
    on_success: Ref | None = None
    on_failure: Ref | None = None
    url_enabled: bool = False
    # The function URL as Stacktape deploys it (`url.enabled`, or a `cdn`, which fronts one),
    # else None.
    url: FunctionUrlConfig | None = None


@dataclass(slots=True)
class BatchJob(Workload):
    """An AWS Batch job started through Stacktape's trigger function and state machine."""

    cpu: float = 1
    memory_mb: int = 1024
    gpu: int | None = None
    timeout_s: int | None = None
    attempts: int = BATCH_ATTEMPTS
    retry_interval_s: float = BATCH_RETRY_INTERVAL_S
    retry_multiplier: float = BATCH_RETRY_MULTIPLIER
    packaging_type: str | None = None
    use_spot: bool = False


@dataclass(slots=True)
class Container:
    """One container of a containerized workload: what its environment is built from.

    `name` is None for a web, private or worker service, whose one container is written in
    the service's own properties (Stacktape names it SERVICE_CONTAINER_NAME)."""

    name: str | None
    path: DataPath
    environment: list[EnvVar] = field(default_factory=list)
    packaging: dict[str, Any] = field(default_factory=dict)
    # `logging: {disabled: true}`: Stacktape makes no log group for the container.
    logging_disabled: bool = False
    # `stopTimeout`: how long a stopped task's container has after SIGTERM (`pause` of a
    # worker's pollers reads it).
    stop_timeout_s: float = CONTAINER_STOP_TIMEOUT_S


@dataclass(slots=True)
class Containerized(Resource):
    """A workload that runs containers on ECS: a multi-container workload or a web, private or
    worker service. Not simulated; `connect_to` is the workload's (Stacktape gives every
    container the same connectTo variables), `container_specs` its containers in config
    order (only those with a valid name, on a multi-container workload)."""

    connect_to: list[Ref] = field(default_factory=list)
    container_specs: list[Container] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class NlbPort:
    """One of a network-load-balanced web-service's `ports`: a listener on `port` (TLS or
    TCP) that forwards to the container's `container_port`."""

    port: int
    container_port: int
    protocol: str


@dataclass(slots=True)
class WebServiceEntry:
    """The HTTP API or load balancer Stacktape makes for a web-service, and where it sends
    traffic. `name` is how Stacktape references it (`web.httpApiGateway`); its AWS names
    (domain, DNS name) derive from the service's name, as Stacktape's legacy naming of a
    service's nested endpoint gives it the service's own name (getStpNameForResource)."""

    type: str  # http-api-gateway | application-load-balancer | network-load-balancer
    name: str
    service: str
    path: DataPath  # `loadBalancing` when written, else the service itself
    container_port: int | None = WEB_SERVICE_PORT  # None for a network load balancer
    cors: dict[str, Any] | None = None  # the service's `cors` when enabled (HTTP API only)
    custom_domains: tuple[str, ...] = ()
    ports: tuple[NlbPort, ...] = ()  # a network load balancer's listeners


@dataclass(slots=True)
class ContainerService(Containerized):
    """A `web-service`, `private-service` or `worker-service`: one container, written in the
    service's properties, and no `events` (reference: stacktape-config §2.9). A web-service
    has the `entry` Stacktape makes for it (None when its `loadBalancing` is malformed, or
    attaches it to a gateway or load balancer of the stack, as newer docs write it)."""

    entry: WebServiceEntry | None = None


@dataclass(slots=True)
class ContainerWorkload(Containerized):
    """A `multi-container-workload` (or the legacy `container-workload`).

    Only its containers' ingress events (HTTP API routes, load balancer and internal
    integrations) are read beyond what every containerized workload has, so that the graph and
    the HTTP API know where traffic goes (reference: stacktape-config §2.9)."""

    containers: list[str] = field(default_factory=list)
    events: list[Trigger] = field(default_factory=list)


@dataclass(slots=True)
class Queue(Resource):
    """An SQS queue (standard or FIFO)."""

    visibility_timeout_s: int = QUEUE_VISIBILITY_S
    retention_s: int = QUEUE_RETENTION_S
    delay_s: int = QUEUE_DELAY_S
    max_message_bytes: int = QUEUE_MAX_MESSAGE_BYTES
    long_polling_s: int = QUEUE_LONG_POLLING_S
    fifo: bool = False
    content_based_dedup: bool = False
    high_throughput: bool = False
    redrive_target: Ref | None = None
    max_receive_count: int | None = None
    events: list[EventBusTrigger] = field(default_factory=list)


@dataclass(slots=True)
class EventBus(Resource):
    """An EventBridge bus."""

    archive_enabled: bool = False
    archive_retention_days: int | None = None
    event_source_name: str | None = None


@dataclass(slots=True)
class LifecycleRule:
    """One of a bucket's `lifecycleRules`, as Stacktape compiles it: one S3 Lifecycle rule
    with one action, `Status: Enabled`, the rule's `prefix` and `tags` as its filter.

    `type` is Stacktape's (`expiration`, `class-transition`, ...); `days` is the rule's
    `daysAfterUpload`, `daysAfterVersioned` or `daysAfterInitiation`, a whole number of days
    (a rule S3 would refuse is reported by `validate` and not simulated)."""

    index: int
    type: str
    days: int
    storage_class: str | None = None
    prefix: str = ""
    tags: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        """`lifecycleRules[0]`: how the trace and `show bucket` name the rule."""
        return f"lifecycleRules[{self.index}]"


@dataclass(slots=True)
class Bucket(Resource):
    """An S3 bucket."""

    event_bus_notifications: bool = False
    versioning: bool = False
    lifecycle_rules: list[LifecycleRule] = field(default_factory=list)


@dataclass(slots=True)
class HttpApiGateway(Resource):
    """An API Gateway HTTP API; routes are declared by the workloads' events. `cors` is its
    `cors` mapping when `enabled` is true, else None."""

    payload_format: str = HTTP_PAYLOAD_FORMAT
    cors: dict[str, Any] | None = None
    implicit: bool = False  # made up for routes that name no gateway
    # DetailedMetricsEnabled of its stage's DefaultRouteSettings, and of RouteSettings by
    # route key: Stacktape sets neither, so only `overrides` of the stage turn them on.
    detailed_metrics: bool = False
    route_detailed_metrics: dict[str, bool] = field(default_factory=dict)
    # Each route key the stage's RouteSettings name, at the place it is written.
    route_settings_at: dict[str, DataPath] = field(default_factory=dict)

    def route_has_detailed_metrics(self, route_key: str) -> bool:
        """Whether API Gateway publishes per-route metrics of `route_key` (ApiId, Stage,
        Method and Resource dimensions): its RouteSettings' say, else the stage default's."""
        return self.route_detailed_metrics.get(route_key, self.detailed_metrics)


@dataclass(slots=True)
class SnsTopic(Resource):
    """An SNS topic; subscribers declare `sns` events."""

    fifo: bool = False
    content_based_dedup: bool = False


@dataclass(slots=True)
class AppSyncApi(Resource):
    """An AppSync GraphQL API; its resolvers are declared by functions' `appsync-api` events.
    `user_pool` is the `user-auth-pool` of a `user-auth-pool` authentication."""

    authentication: str | None = None
    user_pool: Ref | None = None


# A user pool's `hooks` (Stacktape's UserPoolHooks; CloudFormation's LambdaConfig), each the
# ARN of the function Cognito invokes. The last three drive the custom authentication flow
# (`sign-in --custom`, `answer-challenge`).
USER_POOL_HOOKS: tuple[str, ...] = (
    "preSignUp",
    "customMessage",
    "postConfirmation",
    "preAuthentication",
    "postAuthentication",
    "preTokenGeneration",
    "userMigration",
    "createAuthChallenge",
    "defineAuthChallenge",
    "verifyAuthChallengeResponse",
)
# The attributes every user pool has (Cognito developer guide, "Working with user
# attributes": the standard attributes, and the verification flags Cognito keeps); any other
# is a custom one, `custom:NAME` (or `dev:custom:NAME`), which the pool's `schema` must
# declare. `sub` is Cognito's.
STANDARD_USER_ATTRIBUTES: frozenset[str] = frozenset(
    {
        "address",
        "birthdate",
        "email",
        "email_verified",
        "family_name",
        "gender",
        "given_name",
        "locale",
        "middle_name",
        "name",
        "nickname",
        "phone_number",
        "phone_number_verified",
        "picture",
        "preferred_username",
        "profile",
        "sub",
        "updated_at",
        "website",
        "zoneinfo",
    }
)


@dataclass(frozen=True, slots=True)
class UserAttributeRule:
    """What a pool's `schema` entry says of one attribute's values (Cognito's
    SchemaAttributeType): its `attributeDataType`, `stringMinLength` / `stringMaxLength`
    (StringAttributeConstraints), `numberMinValue` / `numberMaxValue`
    (NumberAttributeConstraints), each None when not written; `developer_only` for a
    `developerOnlyAttribute` (`dev:custom:NAME`), which only administrators write."""

    data_type: str = "String"
    min_length: int | None = None
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    developer_only: bool = False


@dataclass(slots=True)
class UserAuthPool(Resource):
    """A Cognito user pool (`user-auth-pool`). `hooks` maps each Lambda trigger written to
    its reference (`$ResourceParam(fn, 'arn')` or a literal ARN); `password_policy` is
    `passwordPolicy` as written (None: Cognito's default policy); `verification` is
    `userVerificationType` (Stacktape's default `email-code`); `username_attributes` the
    pool's UsernameAttributes as Stacktape compiles them: `phone_number` and `email` unless
    `allowPhoneNumberAsUserName` / `allowEmailAsUserName` is false; `refresh_days`
    `refreshTokenValidityDays` (Cognito's default 30); `access_token_s` and `id_token_s`
    how long its access and ID tokens last, in seconds: `accessTokenValiditySeconds` and
    `idTokenValiditySeconds` count hours despite their names (Stacktape writes them to the
    app client with no TokenValidityUnits), an hour when not written; `custom_attributes`
    the `custom:NAME` (developer-only: `dev:custom:NAME`) attributes its `schema` declares (a
    standard attribute's entry declares none); `attribute_rules` what each entry (standard or
    custom, by its full name) says of its values; `required_attributes` the standard ones
    its `schema` marks `required`, which SignUp must give."""

    hooks: dict[str, Ref] = field(default_factory=dict)
    admins_only: bool = False
    password_policy: dict[str, Any] | None = None
    verification: str = "email-code"
    username_attributes: tuple[str, ...] = ("phone_number", "email")
    refresh_days: int = 30
    access_token_s: int = 3600
    id_token_s: int = 3600
    custom_attributes: tuple[str, ...] = ()
    attribute_rules: dict[str, UserAttributeRule] = field(default_factory=dict)
    required_attributes: tuple[str, ...] = ()


@dataclass(slots=True)
class StateMachine(Resource):
    """A Step Functions state machine (STANDARD). `definition` is its Amazon States Language
    document with directives resolved (None when it has none, which validate reports);
    `definition_path` is where it is written, so a problem inside it gets file:line:col."""

    definition: dict[str, Any] | None = None
    definition_path: DataPath = ()


R = TypeVar("R", bound=Resource)


@dataclass
class Stack:
    """A whole stack: resources by name, plus every diagnostic found while reading it."""

    file: str
    source: LoadedYaml
    service_name: str = "app"
    stage: str = "dev"
    region: str = "us-east-1"
    account_id: str = "123456789012"
    resources: dict[str, Resource] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # `cloudformationResources`: logical id -> CloudFormation `Type` ("" when not written).
    cloudformation_resources: dict[str, str] = field(default_factory=dict)

    @property
    def stack_name(self) -> str:
        """`{serviceName}-{stage}`, the prefix of every AWS name Stacktape creates."""
        return f"{self.service_name}-{self.stage}"

    @property
    def default_bus_arn(self) -> str:
        """The ARN of the account's default event bus."""
        return f"arn:aws:events:{self.region}:{self.account_id}:event-bus/{DEFAULT_BUS}"

    @property
    def default_bus_key(self) -> str:
        """How commands, behaviours and the trace name the account's default bus: `default`,
        or its ARN when an event bus of the stack is named `default`. Stacktape names that
        one `{stack}-default` in AWS, so both exist; the resource name keeps its meaning in
        stptui as every resource's does."""
        res = self.resources.get(DEFAULT_BUS)
        return self.default_bus_arn if isinstance(res, EventBus) else DEFAULT_BUS

    def pos(self, path: DataPath, *, key: bool = False) -> Position:
        """The source position of a data path (its key when `key`)."""
        return self.source.pos(path, key=key)

    @property
    def included_files(self) -> dict[Path, str | None]:
        """The files the config's directives (`$File`, `$FileRaw`) read, each with the
        SHA-256 of the bytes read, or None when none could be read."""
        return self.source.files

    def of_type(self, cls: type[R]) -> list[R]:
        """Every resource of a model class, in config order."""
        return [r for r in self.resources.values() if isinstance(r, cls)]

    @property
    def functions(self) -> list[Function]:
        """Lambda functions."""
        return self.of_type(Function)

    @property
    def batch_jobs(self) -> list[BatchJob]:
        """Batch jobs."""
        return self.of_type(BatchJob)

    @property
    def workloads(self) -> list[Workload]:
        """Functions and batch jobs."""
        return self.of_type(Workload)

    @property
    def containerized(self) -> list[Containerized]:
        """Multi-container workloads and web, private and worker services."""
        return self.of_type(Containerized)

    @property
    def queues(self) -> list[Queue]:
        """SQS queues."""
        return self.of_type(Queue)

    @property
    def buses(self) -> list[EventBus]:
        """Event buses declared in the stack (the default bus is not a resource)."""
        return self.of_type(EventBus)

    @property
    def buckets(self) -> list[Bucket]:
        """S3 buckets."""
        return self.of_type(Bucket)

    @property
    def gateways(self) -> list[HttpApiGateway]:
        """HTTP API gateways."""
        return self.of_type(HttpApiGateway)

    @property
    def topics(self) -> list[SnsTopic]:
        """SNS topics."""
        return self.of_type(SnsTopic)

    @property
    def web_service_entries(self) -> list[WebServiceEntry]:
        """The entry points Stacktape makes for the web-services, in config order."""
        return [
            r.entry
            for r in self.resources.values()
            if isinstance(r, ContainerService) and r.entry is not None
        ]

    def triggers(self) -> Iterator[Trigger]:
        """Every trigger of every workload, container workload and queue, in config order."""
        for r in self.resources.values():
            if isinstance(r, (Workload, ContainerWorkload, Queue)):
                yield from r.events

    @property
    def errors(self) -> list[Diagnostic]:
        """Diagnostics of severity error."""
        return [d for d in self.diagnostics if d.severity == "error"]
