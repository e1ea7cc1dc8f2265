"""Every resource type's properties are checked against Stacktape's schema, at every level,
not only the types the simulator runs: a misspelt key on a `dynamo-db-table`, a user pool,
a hosting bucket, an SSR frontend or in a nested block (a table's key, a load balancer's
`cdn`, a packaging's `buildArgs`, a database's logging options ...) is an `unknown-property`
error at the key, with a did-you-mean, as on every other type; a key Stacktape accepts is
never reported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from stptui.config import Stack, load_stack_text
from stptui.config import normalize_schema as norm
from stptui.config.model import RESOURCE_TYPES

PKG = "{type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"
IMG = "{type: prebuilt-image, properties: {image: nginx}}"
KEY = "{partitionKey: {name: id, type: string}}"


def _load(text: str) -> Stack:
    return load_stack_text(text, "stacktape.yml")


def _at(text: str, key: str) -> tuple[int, int]:
    """The line and column (1-based) where `key:` is first written in `text`."""
    for number, line in enumerate(text.splitlines(), 1):
        column = line.find(f"{key}:")
        if column >= 0 and (column == 0 or not line[column - 1].isalnum()):
            return number, column + 1
    raise AssertionError(f"{key} not in {text}")


def _resource(rtype: str, body: str) -> str:
    lines = "".join(f"      {line}\n" for line in body.strip("\n").splitlines())
    return f"resources:\n  r:\n    type: {rtype}\n    properties:\n{lines}"


def _errors(stack: Stack) -> list[str]:
    return [d.format() for d in stack.diagnostics if d.severity == "error"]


@pytest.mark.parametrize("rtype", sorted(RESOURCE_TYPES))
def test_an_unknown_property_is_reported_on_every_resource_type(rtype: str) -> None:
    text = _resource(rtype, "zzNotAProperty: 1")
    stack = _load(text)
    hits = [d for d in stack.diagnostics if d.code == "unknown-property"]
    assert [(d.severity, d.line, d.column, d.resource) for d in hits] == [("error", 5, 7, "r")], [
        d.format() for d in stack.diagnostics
    ]
    assert "`zzNotAProperty`" in hits[0].message


# (id, resource type, its properties with one misspelt key, the misspelt key, the real one)
MISSPELT: list[tuple[str, str, str, str, str]] = [
    (
        "dynamo top level",
        "dynamo-db-table",
        f"primaryKey: {KEY}\nenablePointInTimeRecovry: true",
        "enablePointInTimeRecovry",
        "enablePointInTimeRecovery",
    ),
    (
        "dynamo primaryKey",
        "dynamo-db-table",
        "primaryKey: {partitonKey: {name: id, type: string}}",
        "partitonKey",
        "partitionKey",
    ),
    (
        "dynamo key attribute",
        "dynamo-db-table",
        "primaryKey: {partitionKey: {name: id, typ: string}}",
        "typ",
        "type",
    ),
    (
        "dynamo index key attribute",
        "dynamo-db-table",
        f"primaryKey: {KEY}\nsecondaryIndexes:\n  - name: byEmail\n"
        "    partitionKey: {nmae: email, type: string}",
        "nmae",
        "name",
    ),
    (
        "dynamo throughput",
        "dynamo-db-table",
        f"primaryKey: {KEY}\nprovisionedThroughput: {{readUnits: 5, writeUnit: 5}}",
        "writeUnit",
        "writeUnits",
    ),
    (
        "dynamo throughput scaling",
        "dynamo-db-table",
        f"primaryKey: {KEY}\nprovisionedThroughput:\n  readUnits: 5\n  writeUnits: 5\n"
        "  readScaling: {minUnit: 1, maxUnits: 10, keepUtilizationUnder: 70}",
        "minUnit",
        "minUnits",
    ),
    (
        "load balancer cdn",
        "application-load-balancer",
        "cdn: {enabeld: true}",
        "enabeld",
        "enabled",
    ),
    (
        "load balancer alarm",
        "application-load-balancer",
        "alarms:\n  - trigger:\n      type: application-load-balancer-error-rate\n"
        "      properties: {thresholdPercnt: 5}",
        "thresholdPercnt",
        "thresholdPercent",
    ),
    (
        "load balancer listener's default action",
        "application-load-balancer",
        "listeners:\n  - protocol: HTTP\n    port: 80\n"
        "    defaultAction: {type: redirect, properties: {statusCod: HTTP_301}}",
        "statusCod",
        "statusCode",
    ),
    (
        "load balancer domain",
        "application-load-balancer",
        "customDomains: [{domainNme: api.example.com}]",
        "domainNme",
        "domainName",
    ),
    (
        "bucket directory upload",
        "bucket",
        "directoryUpload: {directoryPth: dist}",
        "directoryPth",
        "directoryPath",
    ),
    (
        "bucket upload header",
        "bucket",
        "directoryUpload:\n  directoryPath: dist\n  fileOptions:\n"
        "    - includePattern: '*.html'\n      headers: [{key: Cache-Control, vaule: no-cache}]",
        "vaule",
        "value",
    ),
    (
        "hosting bucket build",
        "hosting-bucket",
        "uploadDirectoryPath: dist\nbuild: {comand: npm run build}",
        "comand",
        "command",
    ),
    (
        "hosting bucket route rewrite",
        "hosting-bucket",
        "uploadDirectoryPath: dist\nrouteRewrites: [{pth: /api/*}]",
        "pth",
        "path",
    ),
    (
        "function tag",
        "function",
        f"packaging: {PKG}\ntags: [{{name: team, vaule: data}}]",
        "vaule",
        "value",
    ),
    (
        "function volume mount",
        "function",
        f"packaging: {PKG}\njoinDefaultVpc: true\nvolumeMounts:\n"
        "  - {type: efs, properties: {efsFilesystemName: e, mountPth: /mnt/e}}",
        "mountPth",
        "mountPath",
    ),
    (
        "container image buildpack's language config",
        "worker-service",
        "packaging:\n  type: stacktape-image-buildpack\n"
        "  properties: {entryfilePath: a.ts, languageSpecificConfig: {tsConfigPth: t.json}}\n"
        "resources: {cpu: 0.25, memory: 512}",
        "tsConfigPth",
        "tsConfigPath",
    ),
    (
        "docker build argument",
        "worker-service",
        "packaging:\n  type: custom-dockerfile\n"
        "  properties: {buildContextPath: ., buildArgs: [{argNme: A, value: b}]}\n"
        "resources: {cpu: 0.25, memory: 512}",
        "argNme",
        "argName",
    ),
    (
        "nixpacks phase",
        "worker-service",
        "packaging:\n  type: nixpacks\n"
        "  properties: {sourceDirectoryPath: ., phases: [{name: build, cmd: [make]}]}\n"
        "resources: {cpu: 0.25, memory: 512}",
        "cmd",
        "cmds",
    ),
    (
        "database logging options",
        "relational-database",
        "credentials: {masterUserPassword: a-long-password}\n"
        "engine: {type: postgres, properties: {version: '16', primaryInstance: "
        "{instanceSize: db.t4g.micro}}}\n"
        "logging: {engineSpecificOptions: {log_statment: ddl}}",
        "log_statment",
        "log_statement",
    ),
    (
        "kinesis encryption",
        "kinesis-stream",
        "encryption: {enabeld: true}",
        "enabeld",
        "enabled",
    ),
    (
        "mongo replication",
        "mongo-db-atlas-cluster",
        "clusterTier: M10\nreplication: {numElectableNode: 3}",
        "numElectableNode",
        "numElectableNodes",
    ),
    (
        "bastion log",
        "bastion",
        "logging: {messages: {retentionDay: 7}}",
        "retentionDay",
        "retentionDays",
    ),
    (
        "user pool password policy",
        "user-auth-pool",
        "passwordPolicy: {minimumLenght: 12}",
        "minimumLenght",
        "minimumLength",
    ),
    (
        "user pool identity provider",
        "user-auth-pool",
        "identityProviders: [{type: Google, clientId: a, clientSecrt: b}]",
        "clientSecrt",
        "clientSecret",
    ),
    (
        "user pool custom domain",
        "user-auth-pool",
        "customDomain: {domainNme: auth.example.com}",
        "domainNme",
        "domainName",
    ),
    (
        "user pool attribute",
        "user-auth-pool",
        "schema: [{name: plan, attributeDataType: String, mutabel: true}]",
        "mutabel",
        "mutable",
    ),
    (
        "search domain cluster",
        "open-search-domain",
        "clusterConfig: {instanceTyp: t3.small.search, instanceCount: 1}",
        "instanceTyp",
        "instanceType",
    ),
    (
        "search domain log",
        "open-search-domain",
        "logging: {errorLogs: {retentionDay: 7}}",
        "retentionDay",
        "retentionDays",
    ),
    (
        "SSR frontend's server function",
        "nextjs-web",
        "appDirectory: .\nserverLambda: {memroy: 1024}",
        "memroy",
        "memory",
    ),
    (
        "edge function packaging",
        "edge-lambda-function",
        "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePth: a.ts}}",
        "entryfilePth",
        "entryfilePath",
    ),
    (
        "function's alarm event",
        "function",
        f"packaging: {PKG}\nalarms: [{{trigger: {{type: lambda-error-rate, properties: "
        "{thresholdPercent: 5}}}]\nevents: [{type: cloudwatch-alarm, properties: "
        "{alarmNme: r.alarms.0}}]",
        "alarmNme",
        "alarmName",
    ),
    (
        "container's service-connect event",
        "multi-container-workload",
        f"resources: {{cpu: 0.25, memory: 512}}\ncontainers:\n  - name: a\n    packaging: {IMG}\n"
        "    events: [{type: service-connect, properties: {containerPort: 80, protcol: http}}]",
        "protcol",
        "protocol",
    ),
    (
        "container's network load balancer event",
        "multi-container-workload",
        f"resources: {{cpu: 0.25, memory: 512}}\ncontainers:\n  - name: a\n    packaging: {IMG}\n"
        "    events:\n      - type: network-load-balancer\n        properties: "
        "{loadBalancerName: nlb, containerPort: 80, listnerPort: 80}",
        "listnerPort",
        "listenerPort",
    ),
    (
        "deployment script",
        "deployment-script",
        f"trigr: after:deploy\npackaging: {PKG}",
        "trigr",
        "trigger",
    ),
]


@pytest.mark.parametrize(
    ("rtype", "body", "bad", "good"), [c[1:] for c in MISSPELT], ids=[c[0] for c in MISSPELT]
)
def test_a_misspelt_key_is_reported_at_it_with_the_real_name(
    rtype: str, body: str, bad: str, good: str
) -> None:
    text = _resource(rtype, body)
    stack = _load(text)
    hits = [d for d in stack.diagnostics if f"`{bad}`" in d.message]
    assert [(d.severity, d.code) for d in hits] == [("error", "unknown-property")], [
        d.format() for d in stack.diagnostics
    ]
    assert (hits[0].line, hits[0].column) == _at(text, bad)
    assert hits[0].hint == f"did you mean `{good}`?"
    # The mistake is reported once: not again as the real key's absence.
    assert not [d for d in stack.diagnostics if d.code == "missing-property" and good in d.message]
    assert not [d for d in stack.diagnostics if d.code == "table-primary-key"]


def test_a_table_without_its_misspelt_primary_key_gets_one_error() -> None:
    stack = _load(_resource("dynamo-db-table", f"primaryKeys: {KEY}\ntimeToLive: {{a: 1}}"))
    assert [(d.code, d.line, d.hint) for d in stack.diagnostics] == [
        ("unknown-property", 5, "did you mean `primaryKey`?"),
        (
            "unknown-property",
            6,
            "known: dev, enablePointInTimeRecovery, primaryKey, provisionedThroughput, "
            "secondaryIndexes, streamType",
        ),
    ]


# (id, resource type, its properties, the key whose value is wrong, the code)
WRONG_VALUES: list[tuple[str, str, str, str, str]] = [
    (
        "throughput units are numbers",
        "dynamo-db-table",
        f"primaryKey: {KEY}\nprovisionedThroughput: {{readUnits: five, writeUnits: 5}}",
        "readUnits",
        "wrong-type",
    ),
    ("a table's stream type", "dynamo-db-table", f"primaryKey: {KEY}\nstreamType: NEW", "streamType", "invalid-value"),
    ("a verification type", "user-auth-pool", "userVerificationType: email", "userVerificationType", "invalid-value"),
    ("an OAuth flow", "user-auth-pool", "allowedOAuthFlows: [authorization_code]", "allowedOAuthFlows", "invalid-value"),
    ("a content type", "hosting-bucket", "uploadDirectoryPath: dist\nhostingContentType: spa", "hostingContentType", "invalid-value"),
    ("a throughput mode", "efs-filesystem", "throughputMode: fast", "throughputMode", "invalid-value"),
    ("an unquoted version", "open-search-domain", "version: 2.11", "version", "wrong-type"),
    ("a redirect's status", "application-load-balancer", "listeners:\n  - protocol: HTTP\n    port: 80\n    defaultAction: {type: redirect, properties: {statusCode: 301}}", "statusCode", "wrong-type"),
    ("a tier", "mongo-db-atlas-cluster", "clusterTier: 10", "clusterTier", "wrong-type"),
    ("a warm count", "nextjs-web", "appDirectory: .\nwarmServerInstances: two", "warmServerInstances", "wrong-type"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rtype", "body", "key", "code"),
    [c[1:] for c in WRONG_VALUES],
    ids=[c[0] for c in WRONG_VALUES],
)
def test_a_wrong_value_is_reported_at_it(rtype: str, body: str, key: str, code: str) -> None:
    text = _resource(rtype, body)
    stack = _load(text)
    hits = [d for d in stack.diagnostics if d.code == code and key in d.message]
    assert [d.severity for d in hits] == ["error"], [d.format() for d in stack.diagnostics]
    assert hits[0].line == _at(text, key)[0]


def test_an_unquoted_version_gets_the_quoting_hint() -> None:
    stack = _load(_resource("open-search-domain", "version: 2.11"))
    assert [d.hint for d in stack.diagnostics] == [
        "quote the value as written: YAML reads digits unquoted as a number"
    ]


# Configs that use the keys Stacktape's schema has, nested ones among them: none is reported.
VALID: dict[str, str] = {
    "dynamo-db-table": """
primaryKey: {partitionKey: {name: id, type: string}, sortKey: {name: at, type: number}}
provisionedThroughput:
  readUnits: 5
  writeUnits: 5
  writeScaling: {minUnits: 5, maxUnits: 50, keepUtilizationUnder: 70}
  readScaling: {minUnits: 5, maxUnits: 50, keepUtilizationUnder: 70}
enablePointInTimeRecovery: true
streamType: NEW_AND_OLD_IMAGES
secondaryIndexes:
  - {name: byEmail, partitionKey: {name: email, type: string}, projections: [plan]}
dev: {remote: true}
""",
    "application-load-balancer": """
interface: internet
customDomains: [old.example.com, {domainName: api.example.com}]
listeners:
  - protocol: HTTP
    port: 80
    defaultAction: {type: redirect, properties: {protocol: HTTPS, port: 443, statusCode: HTTP_301}}
cdn: {enabled: true, listenerPort: 80, originDomainName: api.example.com}
alarms:
  - trigger:
      type: application-load-balancer-error-rate
      properties: {thresholdPercent: 5}
""",
    "bucket": """
directoryUpload:
  directoryPath: dist
  headersPreset: single-page-app
  excludeFilesPatterns: ['*.map']
  disableS3TransferAcceleration: true
  fileOptions:
    - includePattern: '*.html'
      excludePattern: 'admin/*'
      headers: [{key: Cache-Control, value: no-cache}]
      tags: [{key: kind, value: page}]
""",
    "hosting-bucket": """
uploadDirectoryPath: dist
build: {command: npm run build, workingDirectory: web}
dev: {command: npm run dev}
hostingContentType: single-page-app
customDomains: [{domainName: www.example.com}]
injectEnvironment: [{name: API_URL, value: https://api.example.com}]
edgeFunctions: {onRequest: auth}
fileOptions: [{includePattern: '*.js', headers: [{key: Cache-Control, value: max-age=60}]}]
routeRewrites: [{path: /api/*, routeTo: {type: function, properties: {functionName: api}}}]
""",
    "user-auth-pool": """
userVerificationType: email-code
allowedOAuthFlows: [code, implicit]
allowedOAuthScopes: [openid, email]
callbackURLs: [https://example.com/callback]
passwordPolicy: {minimumLength: 12, requireSymbols: true, temporaryPasswordValidityDays: 3}
mfaConfiguration: {status: OPTIONAL, enabledTypes: [SOFTWARE_TOKEN]}
emailConfiguration: {from: no-reply@example.com}
inviteMessageConfig: {emailSubject: Welcome}
userVerificationMessageConfig: {emailSubjectUsingCode: Your code}
identityProviders:
  - {type: Google, clientId: a, clientSecret: b, attributeMapping: {email: email}}
customDomain: {domainName: auth.example.com}
schema: [{name: plan, attributeDataType: String, mutable: true}]
generateClientSecret: true
""",
    "mongo-db-atlas-cluster": """
clusterTier: M10
version: '7.0'
replication: {numElectableNodes: 3, numReadOnlyNodes: 1}
biConnector: {enabled: true, readPreference: analytics}
autoScaling: {minClusterTier: M10, maxClusterTier: M30, disableScaleDown: true}
adminUserCredentials: {userName: admin, password: a-long-password}
""",
    "open-search-domain": """
version: '2.11'
clusterConfig: {instanceType: t3.small.search, instanceCount: 2, multiAzDisabled: true}
storage: {size: 20, iops: 3000}
logging: {errorLogs: {retentionDays: 14}, searchSlowLogs: {disabled: true}}
accessibility: {accessibilityMode: vpc}
""",
    "nextjs-web": """
appDirectory: ./web
serverLambda: {memory: 2048, timeout: 20, logging: {retentionDays: 7}}
warmServerInstances: 2
streamingEnabled: true
environment: [{name: MODE, value: prod}]
cdn: {disableInvalidationAfterDeploy: false}
""",
    "astro-web": """
appDirectory: .
dev: {command: npm run dev, workingDirectory: web}
fileOptions: [{includePattern: '_astro/**'}]
""",
    "deployment-script": f"""
trigger: after:deploy
packaging: {PKG}
parameters: {{seed: true}}
timeout: 120
""",
    "edge-lambda-function": f"""
packaging: {PKG}
runtime: nodejs22.x
memory: 128
timeout: 5
logging: {{retentionDays: 7}}
""",
    "kinesis-stream": "encryption: {enabled: true, kmsKeyArn: arn:aws:kms:us-east-1:1:key/a}",
    "bastion": "instanceSize: t3.micro\nlogging: {secure: {retentionDays: 180}}",
    "convex": "appDirectory: ./convex\ndashboard: {enabled: true}\ndeletionProtection: true",
    "agentcore-runtime": f"packaging: {IMG}\nprotocol: MCP\nlifecycle: {{maxLifetime: 3600}}",
}


@pytest.mark.parametrize("rtype", sorted(VALID))
def test_the_keys_stacktape_takes_are_not_reported(rtype: str) -> None:
    stack = _load(_resource(rtype, VALID[rtype]))
    assert not [d for d in stack.diagnostics if d.severity == "error"], _errors(stack)


def test_a_function_mounts_s3_files_by_access_point() -> None:
    body = (
        f"packaging: {PKG}\njoinDefaultVpc: true\nvolumeMounts:\n"
        "  - type: s3files\n    properties: {accessPointArn: arn:aws:s3:us-east-1:1:accesspoint/a,"
        " mountPath: /mnt/s3}"
    )
    assert not _errors(_load(_resource("function", body)))


def test_validate_prints_the_unknown_key_with_its_position_and_hint(tmp_path: Path) -> None:
    config = tmp_path / "stacktape.yml"
    config.write_text(
        _resource("dynamo-db-table", f"primaryKey: {KEY}\nstreamTyp: NEW_IMAGE"),
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "stptui", "validate", str(config)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{config}:6:7: error unknown-property [r]: unknown property `streamTyp`" in done.stdout
    assert "did you mean `streamType`?" in done.stdout


# The nested tables of the types the simulator does not run, as their sources name them
# (the sources are cited where each table is written in stptui/config/normalize_schema.py).
SOURCE_NESTED: dict[str, tuple[set[str], set[str]]] = {
    "primaryKey": ({"partitionKey", "sortKey"}, set()),
    "key attribute": ({"name", "type"}, set()),
    "provisionedThroughput": (
        {"readUnits", "writeUnits", "writeScaling", "readScaling"},
        {"readUnits", "writeUnits"},
    ),
    "throughput scaling": (
        {"minUnits", "maxUnits", "keepUtilizationUnder"},
        {"minUnits", "maxUnits", "keepUtilizationUnder"},
    ),
    "buildArgs": ({"argName", "value"}, {"argName", "value"}),
    "phases": (
        {
            "name",
            "cmds",
            "nixPkgs",
            "nixLibs",
            "nixOverlay",
            "nixpkgsArchive",
            "aptPkgs",
            "cacheDirectories",
            "onlyIncludeFiles",
        },
        {"name"},
    ),
}


def test_the_nested_tables_hold_their_sources_names() -> None:
    tables = {**norm.DYNAMO_NESTED, **norm.PACKAGING_ITEMS}
    assert {k: (set(p), set(r)) for k, (p, r) in tables.items()} == SOURCE_NESTED
    assert set(norm.DYNAMO_TABLE_PROPS) == {
        "primaryKey",
        "provisionedThroughput",
        "enablePointInTimeRecovery",
        "streamType",
        "secondaryIndexes",
        "dev",
    }


def test_a_value_known_only_at_deploy_time_is_not_held_to_the_allowed_list() -> None:
    # `$Secret` resolves when Stacktape deploys: validate cannot say the value is not one of
    # the allowed ones (a function's `runtime` used to be reported as '<secret:runtime>').
    body = f"primaryKey: {KEY}\nstreamType: $Secret('stream')"
    assert not _errors(_load(_resource("dynamo-db-table", body)))
    body = f"packaging: {PKG}\nruntime: $Secret('runtime')"
    assert not _errors(_load(_resource("function", body)))
    # Its type still counts: a secret is a string, so it cannot be a number.
    stack = _load(_resource("function", f"packaging: {PKG}\nmemory: $Secret('memory')"))
    assert [d.code for d in stack.diagnostics] == ["wrong-type"]
