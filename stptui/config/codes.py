"""The registry of diagnostic codes, and the page generated from it.

Every `Diagnostic` made while reading a Stacktape config, or the behaviours file the
simulator reads with it (`stptui/sim/behavior/`), carries a short code (`wrong-type`,
`missing-resource`, `behavior-unknown-key`, ...). `CODES` says, for each one, its severity, what it
means in one line and how to fix it. `docs/diagnostics.md` is generated from it:

    python -m stptui.config.codes > docs/diagnostics.md

`tests/test_codes.py` keeps the registry, the emitting modules and the page in step. The
registry is data only, so the config layer still imports nothing of the simulator.
"""

from __future__ import annotations

from dataclasses import dataclass

from stptui.config.diagnostics import Severity

GROUPS: dict[str, str] = {
    "yaml": "YAML and files",
    "directives": "Directives",
    "schema": "Schema and model",
    "stack": "Whole-stack checks",
    "behaviors": "Behaviours file",
}

_GROUP_INTROS: dict[str, str] = {
    "yaml": (
        "Reading the file and its YAML (`stptui/config/loader.py`). A **fatal** finding stops "
        "reading at once: `stptui validate` prints it alone and exits 2."
    ),
    "directives": (
        "Resolving `$Var()`, `$File()`, `$ResourceParam()` and the other directives "
        "(`stptui/config/directives.py`). A directive with a problem keeps its original "
        "text as its value. A directive written in a file read by `$File` is reported at its "
        "line and column in that file (also through nested includes); the `$File` itself "
        "then gets a `directive-unresolved` error that points there."
    ),
    "schema": (
        "Checking each resource and event against Stacktape's schema "
        "(`stptui/config/normalize.py` and its `normalize_*.py` readers). A value of the "
        "wrong type or out of range is dropped and the default applies, so one mistake "
        "does not hide the rest."
    ),
    "stack": (
        "Checks that need the whole stack: references between resources, queue and "
        "function timeouts, FIFO rules, redrive cycles, routes, load balancers and container "
        "compute (`stptui/config/lint.py`, `lint_compute.py`). Most mirror a rule of "
        "Stacktape's deployer or of AWS itself."
    ),
    "behaviors": (
        "Reading the [behaviours file](behaviors.md) (`stptui.yml`, or the one `--behaviors` "
        "names): what each simulated handler does (`stptui/sim/behavior/reader.py`, "
        "`reader_emit.py`, `reader_poll.py`). `stptui validate` checks it with the stack (its "
        "errors count, exit 1); `stptui run`, the REPL and the TUI print its diagnostics when "
        "they open, and an error stops them opening the stack (exit 2), while a warning is "
        "printed and the run goes on. An entry or key with an error is left out. "
        "The file's YAML is read as a config's is: its syntax problems have the codes of "
        "[YAML and files](#yaml-and-files)."
    ),
}


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """What one diagnostic code means.

    `severity` is the severity the code is normally emitted with; `also` lists the other
    severities it may carry (see the summary for when). `fatal` codes stop reading the file
    (exit 2 of `stptui validate`).
    """

    group: str
    severity: Severity
    summary: str
    fix: str | None = None
    also: frozenset[Severity] = frozenset()
    fatal: bool = False

    @property
    def severities(self) -> frozenset[Severity]:
        """Every severity this code may be emitted with."""
        return frozenset({self.severity, *self.also})


def _in(group: str, entries: dict[str, CodeInfo]) -> dict[str, CodeInfo]:
    assert all(info.group == group for info in entries.values()), group
    return entries


def _yaml(
    severity: Severity, summary: str, fix: str | None = None, *, fatal: bool = False
) -> CodeInfo:
    return CodeInfo("yaml", severity, summary, fix, fatal=fatal)


def _dir(
    severity: Severity,
    summary: str,
    fix: str | None = None,
    *,
    also: frozenset[Severity] = frozenset(),
) -> CodeInfo:
    return CodeInfo("directives", severity, summary, fix, also=also)


def _schema(severity: Severity, summary: str, fix: str | None = None) -> CodeInfo:
    return CodeInfo("schema", severity, summary, fix)


def _stack(severity: Severity, summary: str, fix: str | None = None) -> CodeInfo:
    return CodeInfo("stack", severity, summary, fix)


def _behavior(severity: Severity, summary: str, fix: str | None = None) -> CodeInfo:
    return CodeInfo("behaviors", severity, summary, fix)


CODES: dict[str, CodeInfo] = {
    **_in(
        "yaml",
        {
            "file-unreadable": _yaml(
                "error",
                "The path cannot be read: it does not exist, cannot be opened, or is a "
                "directory without a `stacktape.yml` / `stacktape.yaml`.",
                "Check the path; pass the config file or the directory that holds it.",
                fatal=True,
            ),
            "not-a-config": _yaml(
                "error",
                "The file is a stptui script (`.stp`): commands that run on a stack, not a "
                "Stacktape config. Most often the two files of `stptui run` were given the "
                "wrong way round.",
                "Give the stack first and the script second: `stptui run stacktape.yml "
                "SCRIPT.stp`.",
                fatal=True,
            ),
            "competing-configs": _yaml(
                "warning",
                "The config's directory holds other files Stacktape looks for "
                "(`stacktape.ts`, `stacktape.yml`, `stacktape.yaml`, `stacktape.js`). Stacktape "
                "takes the first in that order and warns; the message names the one it deploys.",
                "Keep one config file, or deploy with `--configPath`.",
            ),
            "file-too-large": _yaml(
                "error",
                "The file is over 4 MiB, the limit for a config.",
                "A Stacktape config is rarely over 1 MB: check that this is the right file.",
                fatal=True,
            ),
            "file-encoding": _yaml(
                "error",
                "The file is not UTF-8 text (the message gives the first bad byte).",
                "Save the file as UTF-8.",
                fatal=True,
            ),
            "yaml-syntax": _yaml(
                "error",
                "The file is not valid YAML; the message gives the parser's reason at its "
                "line and column. A control character (other than tab and line breaks) is "
                "not allowed anywhere in YAML, even inside quotes.",
                "Correct the YAML at that position (indentation, an unclosed quote or bracket, "
                "a tab used for indentation, a missing `:`); write a control character as an "
                'escape in a double-quoted string (`"\\x01"`).',
                fatal=True,
            ),
            "yaml-too-many-nodes": _yaml(
                "error",
                "The document expands to more than 1,000,000 values once aliases (`*name`) "
                "are expanded: a 'billion laughs' document is refused before it is built.",
                "Remove the repeated aliases or split the file.",
                fatal=True,
            ),
            "yaml-too-deep": _yaml(
                "error",
                "Mappings and lists are nested more than 200 levels deep.",
                "Flatten the structure.",
                fatal=True,
            ),
            "yaml-recursive-alias": _yaml(
                "error",
                "An alias refers to its own anchor, so the value would be infinite.",
                "Point the alias at a different anchor, or copy the value out.",
                fatal=True,
            ),
            "yaml-duplicate-key": _yaml(
                "error",
                "A key appears twice in one mapping. Stacktape's parser rejects this; stptui "
                "keeps the last one.",
                "Remove one of the two entries (the message gives the line of the first).",
            ),
            "yaml-unknown-tag": _yaml(
                "warning",
                "A custom YAML tag such as `!Ref` or `!!python/object` is ignored and the "
                "value is read as plain data.",
                "Stacktape configs use no tags: write CloudFormation intrinsics in their long "
                "form (`Ref:`, `Fn::GetAtt:`), or use a directive.",
            ),
            "yaml-bad-tag-value": _yaml(
                "warning",
                "A value does not fit its explicit standard tag (`!!int abc`); it is read as text.",
                "Remove the tag or correct the value.",
            ),
            "yaml-complex-key": _yaml(
                "warning",
                "A mapping or a list is used as a mapping key; the entry is ignored.",
                "Use a plain string as the key.",
            ),
            "yaml-bad-merge": _yaml(
                "warning",
                "A merge key (`<<`) refers to something other than a mapping; it is ignored.",
                "Merge only mappings: `<<: *defaults` where `defaults` anchors a mapping.",
            ),
        },
    ),
    **_in(
        "directives",
        {
            "directive-syntax": _dir(
                "error",
                "A value looks like a directive (`$Name(...)`) but cannot be parsed: an "
                "unterminated quote, unbalanced parentheses, a bad name, text after the "
                "closing `)` or a bad property path.",
                "Correct the directive at the character the message names.",
            ),
            "directive-unknown": _dir(
                "error",
                "The directive is neither one of Stacktape's built-ins nor declared under "
                "`directives:`.",
                "Check the spelling (the hint suggests the closest name). Older Stacktape's "
                "`$Param('bucket', 'Bucket::Arn')` and `$GetParam` are today's "
                "`$ResourceParam('bucket', 'arn')`: the hint gives the call with the parameter "
                "that reads the same attribute.",
            ),
            "directive-args": _dir(
                "error",
                "A directive's arguments are wrong: a required one is missing, empty or not "
                "a string, or `$GitInfo` names an unknown property. A warning when there are "
                "more arguments than the directive takes (Stacktape ignores the extra ones).",
                "Pass the arguments the message asks for; the hint shows an example call.",
                also=frozenset({"warning"}),
            ),
            "directive-var-argument": _dir(
                "warning",
                "`$Var('name')` has an argument: Stacktape ignores it and returns the whole "
                "`variables` object.",
                "Write the variable as a property path: `$Var().name`.",
            ),
            "directive-var-missing": _dir(
                "error",
                "`$Var().name` names a variable that does not exist, or the config has no "
                "`variables` section.",
                "Define the variable under `variables:` or fix the name (the hint suggests "
                "the closest one).",
            ),
            "directive-path": _dir(
                "error",
                "The property path after a directive (`$File('cfg.json').db.host`, "
                "`$This().x`) does not exist in its value: a missing key, an index outside a "
                "list, or a path into a string or number.",
                "Correct the path; the message says how far it got.",
            ),
            "directive-cycle": _dir(
                "error",
                "Variables or directives refer to each other in a loop.",
                "Break the loop: one of the values must not depend on the others.",
            ),
            "directive-too-deep": _dir(
                "error",
                "Directives depend on each other more than 32 levels deep.",
                "Simplify the chain of variables.",
            ),
            "directive-nesting": _dir(
                "error",
                "Once `$Var()` values are put in place, the value nests more than 200 levels "
                "deep (variables that each nest the next); the part beyond is cut off.",
                "Flatten the variables, or use fewer of them inside each other.",
            ),
            "directive-too-large": _dir(
                "error",
                "Resolving one value (a property, or a variable for the values that use it) "
                "would build more than 50,000 values, or `$Format` would build a string over "
                "4 million characters. The value stays as written, and the values that use it "
                "report `directive-unresolved`; other values still resolve.",
                "Look for variables that use each other many times over.",
            ),
            "directive-work-limit": _dir(
                "error",
                "The config's directives together take more than 500,000 steps (evaluations "
                "and copied values), although each value is under its own limit. Resolution "
                "stops where the limit is passed, and every directive value not resolved by "
                "then stays as written and says so.",
                "Look for large variables that are used in many places.",
            ),
            "directive-runtime-in-local": _dir(
                "error",
                "A directive resolved before deployment (such as `$Format`) takes a runtime "
                "directive (`$ResourceParam`, `$Secret`, ...) as an argument; its value "
                "exists only at deploy time.",
                "Combine runtime values with `$CfFormat(...)` instead.",
            ),
            "directive-placement": _dir(
                "error",
                "A runtime directive (`$ResourceParam`, `$Secret`, `$SsmParam`, `$Cf...`) is "
                "used outside `resources`, `scripts`, `stackConfig.outputs` and "
                "`providerConfig`, where Stacktape cannot resolve it.",
                "Move the value into a resource or script property.",
            ),
            "directive-unresolved": _dir(
                "error",
                "A value stays unresolved because it uses another value that has a problem; "
                "the message points at that problem. Its severity is the original "
                "problem's.",
                "Fix the problem the message points at.",
                also=frozenset({"warning"}),
            ),
            "directive-custom": _dir(
                "warning",
                "A custom directive (declared under `directives:`) is code; stptui never "
                "runs config code, so its value is a visible placeholder.",
                None,
            ),
            "directive-duplicate": _dir(
                "error",
                "A custom directive under `directives:` has the name of a built-in "
                "directive; Stacktape refuses two directives with one name.",
                "Rename the custom directive.",
            ),
            "directive-file": _dir(
                "error",
                "`$File(...)` or `$FileRaw(...)` cannot read its file: it does not exist, is "
                "a link, a directory or a device, is over 1 MB, is not UTF-8, cannot be "
                "parsed, or (for `$File`) is not `.env*`, `.json`, `.yml`, `.yaml` or `.ini`. "
                "Where the problem is inside the file, the message ends with its place there "
                "(`see sub/parts/x.json:2:13`), named from where the command was run.",
                "Fix the path (relative to the config's folder) or the file; use "
                "`$FileRaw(...)` to read any file as text. For a missing file the hint "
                "names the closest name in its folder, else the files there of its kind "
                "(`config/ holds dev.yml, prod.yml` for a stage with no file of its own).",
            ),
            "directive-file-code": _dir(
                "warning",
                "`$File(...)` names a `.js`, `.ts` or `.py` file, which Stacktape would run; "
                "stptui never runs config code, so its value is a placeholder.",
                None,
            ),
            "directive-format": _dir(
                "error",
                "`$Format` or `$CfFormat` has a different number of `{}` placeholders than values.",
                "Give one value per `{}`.",
            ),
            "directive-cli-arg": _dir(
                "warning",
                "`$CliArgs('name')` has no default and no such CLI argument was given; the "
                "value stays as written.",
                "Give a default: `$CliArgs('name', 'value')`.",
            ),
            "directive-in-key": _dir(
                "error",
                "A directive is used as a mapping key; Stacktape resolves directives only in "
                "values and rejects them in keys.",
                "Move the directive into a value.",
            ),
            "directive-incomplete": _dir(
                "warning",
                "A string starts like a directive but is not a whole one (`$Stage()-api`), so "
                "Stacktape keeps it as literal text.",
                "Build the string with `$Format('{}-api', $Stage())`.",
            ),
            "directive-embedded": _dir(
                "warning",
                "A directive inside a longer string (`api-$Stage()`) stays literal text: "
                "Stacktape resolves only values that are a whole directive.",
                "Build the string with `$Format('api-{}', $Stage())`.",
            ),
        },
    ),
    **_in(
        "schema",
        {
            "empty-config": _schema(
                "error",
                "The file is empty.",
                "A Stacktape config needs at least a `resources` section.",
            ),
            "wrong-type": _schema(
                "error",
                "A value has the wrong type (a string where a number belongs, a mapping "
                "where a list belongs, ...); it is ignored and the default applies.",
                "Write the value in the type the message names.",
            ),
            "invalid-value": _schema(
                "error",
                "A value is not one of those allowed: an unknown runtime, HTTP method or S3 "
                "event type, a packaging `type` its resource cannot use, a log `retentionDays` "
                "CloudWatch does not offer, a bucket `accessibilityMode` or lifecycle rule "
                "`type`, a malformed S3 filter rule, a route path without a leading `/`, a "
                "database `engine.type` or `accessibilityMode`, a Redis `instanceSize` or "
                "`engineVersion`, a firewall `scope`, `defaultAction` or rule `type`, a "
                "service's `loadBalancing.type` or container `deployment.strategy`, a "
                "WebSocket route key, authorizer or `returnResponse` on a route that cannot "
                "have it, an empty `routeSelectionExpression` or `schemaFilePath`, a "
                "`routeSelectionExpression` that reads anything but `$request.body.{path}` "
                "(a header, the whole body), an AppSync "
                "`field` not written `Type.field`, an alarm trigger `type` its resource cannot "
                "have, a notification target or `logForwarding` `type`, an IAM statement "
                "`Effect` other than `Allow` or `Deny`, a `languageSpecificConfig` version the "
                "buildpack does not offer, a key of an HTTP API stage's `RouteSettings` (in "
                "`overrides`) that is no route key.",
                "Use one of the values the message lists (the hint suggests the closest).",
            ),
            "out-of-range": _schema(
                "error",
                "A number is outside its allowed range (a function `timeout` over 900, a "
                "queue `visibilityTimeoutSeconds` over 43,200, ...); the default applies.",
                "Use a value in the range the message gives.",
            ),
            "unknown-property": _schema(
                "error",
                "A property Stacktape's schema does not allow at this place, so its deployer "
                "rejects the config (stptui's tables hold every property the schema allows "
                "for every resource type, simulated or not, the objects in them and the "
                "events); stptui ignores it.",
                "Fix the spelling (the hint suggests the closest property) or remove it. An "
                "older Stacktape's name (a top-level `stackName`, a function's "
                "`packageConfig`, a container's `imageConfig`, a bucket's `autoSync`) gets "
                "today's line written out in the hint; a key some of Stacktape's doc "
                "examples put one level too deep (`overrides` inside `properties`, a "
                "hosting bucket's `cdn: {customDomains}`) gets the level it belongs at.",
            ),
            "ignored-property": _schema(
                "warning",
                "A property Stacktape's schema takes here but that has no effect in this "
                "config: a `languageSpecificConfig` option of another language than the "
                "entry file's (`nodeVersion` for a `.py` entry file), which that language's "
                "buildpack never reads; or an HTTP API's or a function URL's "
                "`cors.allowedHeaders`, which Stacktape's CORS configuration never reads "
                "(its allowed headers are `allowedMethods` when set, else a default list).",
                "Remove it, or check that `entryfilePath` names the right file; for "
                "`allowedHeaders`, rely on the default header list.",
            ),
            "alternate-spelling": _schema(
                "warning",
                "A spelling from Stacktape's published examples that its deployer rejects "
                "(`bucketName` in an `s3` event, `environment` as a map, a CDN's older "
                "`invalidateAfterDeploy`, ...); stptui reads it as the real property.",
                "Write it as the hint says before you deploy.",
            ),
            "conflicting-spelling": _schema(
                "error",
                "Both an alternate spelling and the real property are set; the alternate one "
                "is ignored.",
                "Keep only the real property.",
            ),
            "missing-property": _schema(
                "error",
                "A required property is missing: a resource's `type`, the `packaging` of a "
                "function, batch job or container, a required property of a packaging type "
                "(`entryfilePath`, `packagePath`, `image`, `buildContextPath`, "
                "`sourceDirectoryPath`) or of an event, `enabled` in an event bus's "
                "`archivation` or in a `url` or `cors`, `httpApiGatewayName` when the stack has "
                "several gateways, the config's `resources`, a relational database's "
                "`credentials` and `engine` (and its engine's required properties), a Redis "
                "cluster's `defaultUserPassword` and `instanceSize`, a firewall's `scope`, a "
                "custom domain's `domainName`, an alarm's `trigger` (and its threshold), a "
                "notification target's or `logForwarding`'s required properties, an IAM "
                "statement's `Resource` (a bucket or queue policy's `Principal`).",
                "Add the property the message names.",
            ),
            "exactly-one-of": _schema(
                "error",
                "Exactly one of several properties must be set (`sqsQueueName` or "
                "`sqsQueueArn`, `eventBusName`, `eventBusArn` or `useDefaultBus`, ...); none "
                "or several are.",
                "Keep exactly one of the properties the message lists.",
            ),
            "at-most-one-of": _schema(
                "error",
                "More than one of `input`, `inputPath` and `inputTransformer` is set on an event.",
                "Keep one of them.",
            ),
            "invalid-name": _schema(
                "error",
                "A resource name is not alphanumeric, or `serviceName` does not start with a "
                "letter and hold only letters, digits and `-`.",
                "Rename it (the hint suggests a valid name).",
            ),
            "duplicate-name": _schema(
                "error",
                "Two resource names differ only in case; they collide in the deployed stack.",
                "Rename one of them.",
            ),
            "unknown-type": _schema(
                "error",
                "The resource `type` is not a Stacktape resource type; the resource is kept "
                "as an opaque node and not checked further.",
                "Fix the type (the hint suggests the closest one).",
            ),
            "legacy-type": _schema(
                "warning",
                "The resource type is from an older Stacktape (`container-workload`); the "
                "message names today's type, or what stands in its place when it has none "
                "(`upstash-kafka-topic`).",
                "Change the type to today's name (or move to the type the message names).",
            ),
            "legacy-hooks": _schema(
                "warning",
                "The top-level `hooks` is a list of `{triggers, scriptName}` (`triggers: "
                "['before:deploy']`), the spelling of an older Stacktape that many of its "
                "starter projects still use; today's is a mapping (`beforeDeploy`, "
                "`afterDeploy` ...) to lists of `{scriptName}`. Deploy hooks do not run in "
                "the simulator either way.",
                "Write the mapping the hint spells out.",
            ),
            "unknown-trigger-type": _schema(
                "error",
                "An event `type` is not one of Stacktape's event integrations.",
                "Fix the type (the hint suggests the closest one).",
            ),
            "invalid-trigger": _schema(
                "error",
                "An event of a type its owner cannot have: a queue's `events` hold a type "
                "other than `event-bus`, or a container holds one other than the ingress "
                "types (`http-api-gateway`, load balancers, `service-connect`, "
                "`workload-internal`).",
                "Move the event to a function or batch job, or use an ingress type.",
            ),
            "lifecycle-rule-refused": _schema(
                "error",
                "A bucket lifecycle rule S3 would refuse at deploy time: days that are not a "
                "whole number, `daysAfterUpload` or `daysAfterVersioned` 0 in an expiration "
                "rule, a transition to STANDARD_IA or ONEZONE_IA before 30 days, `tags` on an "
                "`abort-incomplete-multipart-upload` rule, a tag key given twice. The simulator "
                "does not apply the rule.",
                "Follow the hint: the smallest days S3 takes, another storage class, or no tags.",
            ),
            "s3-filter-unencoded": _schema(
                "warning",
                "An `s3` event's `filterRule` prefix or suffix holds a character S3 writes "
                "URL-encoded in the key it compares (a space, `@`, `=`, `:`, a letter outside "
                "ASCII ...): as written the filter matches no key.",
                "Write the value as S3 writes keys: a space as `+`, other characters "
                "percent-encoded in upper-case hex (`my+uploads/`, `%402x.png`).",
            ),
            "s3-filter-wildcard": _schema(
                "warning",
                "An `s3` event's `filterRule` prefix or suffix holds `*`: S3 filters have no "
                "wildcards, so it matches only keys with a `*` in that place.",
                "Leave the `*` out: `suffix: .jpg` matches every key that ends in `.jpg`.",
            ),
            "lifecycle-rule-inert": _schema(
                "warning",
                "A `non-current-version-expiration` or `non-current-version-class-transition` "
                "rule on a bucket without `versioning: true`: S3 accepts it, but there are no "
                "noncurrent versions for it to act on.",
                "Set `versioning: true` on the bucket, or use an `expiration` rule.",
            ),
            "fifo-only": _schema(
                "error",
                "`contentBasedDeduplication` or `fifoHighThroughput` is set on a queue or "
                "topic without `fifoEnabled: true`.",
                "Set `fifoEnabled: true` or remove the property.",
            ),
            "missing-event-pattern": _schema(
                "error",
                "An `event-bus` event has no `eventPattern`, or an empty one; EventBridge "
                "rejects an empty pattern.",
                "Add a pattern, e.g. `eventPattern: {source: [my.app]}`.",
            ),
            "missing-gateway-name": _schema(
                "warning",
                "An `http-api-gateway` event names no `httpApiGatewayName`; stptui binds it "
                "to the stack's only gateway, or to an implicit `httpApi` when there is none. "
                "Stacktape's deployer requires the name.",
                "Add `httpApiGatewayName:` (and an `http-api-gateway` resource if the stack "
                "has none).",
            ),
            "unknown-aws-macro": _schema(
                "warning",
                "A `connectTo` entry starts with `aws:` but is not `aws:ses`, the only such "
                "macro; it grants nothing.",
                "Remove the entry, or grant access with `iamRoleStatements`.",
            ),
            "override-target": _schema(
                "error",
                "A resource's `overrides` name a CloudFormation logical id the resource does "
                "not create (Stacktape error e101). Stacktape's logical ids start with a "
                "resource name in PascalCase (`myFunction` -> `MyFunctionFunction`) or with "
                "`Stp`; an alarm's end with `Alarm`, `Rule` or `Permission`.",
                "Use a logical id of the resource: `stacktape compile-template` lists them.",
            ),
            "override-path": _schema(
                "error",
                "An override's property path starts with a resource attribute (`Properties`, "
                "`DependsOn`, `DeletionPolicy`, `UpdateReplacePolicy`). Stacktape sets "
                "overrides inside the resource's `Properties`, so CloudFormation finds an "
                "unknown property there.",
                "Write the path from inside `Properties` (`StorageEncrypted`, not "
                "`Properties.StorageEncrypted`).",
            ),
            "user-attribute-required": _schema(
                "error",
                "A `user-auth-pool`'s `schema` marks a custom attribute `required: true`; "
                'Cognito refuses to create the pool ("Required custom attributes are not '
                'supported currently"). The simulator does not require it.',
                "Remove `required: true` from the custom attribute (only standard attributes "
                "can be required); a `preSignUp` hook can refuse sign-ups that leave it out.",
            ),
            "batch-retry-wait": _schema(
                "error",
                "A batch job's wait between attempts (`retryIntervalSeconds` x attempt x "
                "`retryIntervalMultiplier`, which Stacktape writes as the `Seconds` of a Step "
                "Functions Wait state) is not a whole number of seconds, or is over "
                "99,999,999; Step Functions refuses such a state machine.",
                "Use a whole `retryIntervalSeconds` and `retryIntervalMultiplier`.",
            ),
        },
    ),
    **_in(
        "stack",
        {
            "missing-resource": _stack(
                "error",
                "A reference (`connectTo`, `sqsQueueName`, a redrive target, "
                "`$ResourceParam`, ...) names a resource that is not in the stack.",
                "Fix the name (the hint suggests the closest one) or add the resource.",
            ),
            "wrong-resource-type": _stack(
                "error",
                "A reference names a resource of the wrong type (an `sqs` event naming a "
                "bucket, ...); Stacktape error e36.",
                "Name a resource of the type the message asks for.",
            ),
            "connect-to-unsupported": _stack(
                "error",
                "`connectTo` names a resource whose type it cannot scope (an "
                "`http-api-gateway`, a `bastion`, ...).",
                "Remove the entry; reference the resource with `$ResourceParam()` in "
                "`environment` instead.",
            ),
            "listener-port": _stack(
                "error",
                "A load balancer event's `listenerPort` does not fit the load balancer it "
                "names: an `application-load-balancer` without custom `listeners` takes none "
                "(Stacktape error e44), with them it needs one of their ports (e45, e46); a "
                "`network-load-balancer` event needs one of its listeners' ports.",
                "Set `listenerPort` to a port of the load balancer's `listeners` (the hint "
                "lists them), or remove it when the load balancer has none.",
            ),
            "unknown-resource-param": _stack(
                "error",
                "`$ResourceParam(name, param)` asks for a parameter the resource does not "
                "have; the message lists the valid ones (Stacktape error e36).",
                "Use one of the listed parameters.",
            ),
            "not-an-arn": _stack(
                "warning",
                "A property that needs an ARN (`sqsQueueArn`, `bucketArn`, a destination, "
                "...) gets another parameter from `$ResourceParam` (a URL, a name).",
                "Ask for the ARN: `$ResourceParam('name', 'arn')`.",
            ),
            "arn-expected": CodeInfo(
                "stack",
                "error",
                "A property that needs an ARN (`sqsQueueArn`, `eventBusArn`, `snsTopicArn`, "
                "`bucketArn`, `targetSqsQueueArn`, `onDeliveryFailure.sqsQueueArn`, a "
                "destination, `streamArn`) holds a resource name or other text that is no "
                "ARN; Stacktape passes it to AWS as written and the deploy fails. A warning "
                "for an `eventBusArn` that names no resource of the stack: AWS takes it as "
                "the name of a bus outside the stack.",
                "Write the property's `...Name` form where there is one (`sqsQueueName: q`), "
                "else `$ResourceParam('q', 'arn')`; for the default bus, `useDefaultBus: true`.",
                also=frozenset({"warning"}),
            ),
            "fifo-message-group-id": _stack(
                "error",
                "A FIFO queue subscribes to an event bus without `messageGroupId`.",
                "Add `messageGroupId:` to the queue's `event-bus` event.",
            ),
            "message-group-id-too-long": _stack(
                "error",
                "An `sqs-queue`'s `event-bus` event has a `messageGroupId` longer than the 100 "
                "characters EventBridge's rule target takes (SqsParameters), though SQS "
                "itself takes 128.",
                "Shorten `messageGroupId` to 100 characters or fewer.",
            ),
            "sns-fifo-topic": _stack(
                "error",
                "A function or batch job subscribes to a FIFO SNS topic, which AWS does not "
                "allow (Stacktape error e86).",
                "Subscribe a FIFO `sqs-queue` to the topic instead, or make the topic standard.",
            ),
            "reserved-concurrency-over-account": _stack(
                "warning",
                "The functions' `reservedConcurrency` add up to more than the account's "
                "1,000 less the 100 Lambda keeps unreserved; Lambda refuses the reservation "
                "that goes past it. stptui simulates an account of 1,000: the functions "
                "without a reservation share what is left, none when nothing is.",
                "Reserve at most 900 in all, or raise the account's concurrency quota.",
            ),
            "destination-fifo": _stack(
                "error",
                "A function's `destinations.onSuccess` or `onFailure` is a FIFO queue or "
                "topic; Lambda delivers invocation records to standard queues and topics only.",
                "Use a standard `sqs-queue` or `sns-topic`.",
            ),
            "delivery-failure-fifo": _stack(
                "error",
                "An `onDeliveryFailure` queue is FIFO; EventBridge and SNS dead-letter queues "
                "must be standard queues.",
                "Use a standard `sqs-queue`.",
            ),
            "fifo-content-deduplication": _stack(
                "error",
                "A FIFO queue without `contentBasedDeduplication` subscribes to an event bus; "
                "EventBridge delivers only to FIFO queues that have it, so every event fails.",
                "Set `contentBasedDeduplication: true` on the queue.",
            ),
            "invalid-event-pattern": _stack(
                "error",
                "An `eventPattern` EventBridge refuses (a value that is not a list of values "
                "or matchers, an unknown matcher, an empty list) or with a top-level key "
                "Stacktape's schema does not allow; the message is AWS's own.",
                "Give each field a list (`source: [my.app]`); test the pattern with "
                "`stptui match PATTERN EVENT`.",
            ),
            "invalid-filter-policy": _stack(
                "error",
                "An `sns` event's `filterPolicy` SNS refuses (a value that is not a list, a "
                "nested object, a matcher SNS lacks such as `wildcard`, more than 5 keys, "
                "more than 150 combinations counting each `$or` branch, or over 256 KB), "
                "inside `$or` branches too; the message is SNS's own, but for the size, "
                "whose text AWS does not document.",
                "Give each message attribute a list of values or matchers (`type: [order]`).",
            ),
            "invalid-target-input": _stack(
                "error",
                "A `schedule` or `event-bus` event's `input` is not JSON text, its `inputPath` "
                "is no JSON path, or its `inputTransformer` uses a placeholder that "
                "`inputPathsMap` does not define or uses one as an object key; or one of them "
                "is over PutTargets' limits (`input` and `inputTemplate` 8,192 characters, a "
                "JSON path 256, `inputPathsMap` 100 entries whose names are 1-256 letters, "
                "digits, `_` and `-`); EventBridge refuses the target.",
                "Write `input` as an object or quoted JSON text, `inputPath` as `$.detail`; "
                "define each `<name>` of `inputTemplate` in `inputPathsMap`, and keep them "
                "within the limits.",
            ),
            "target-input-not-json": _stack(
                "warning",
                "The `inputTemplate` of a function's or batch job's `schedule` or `event-bus` "
                "event fills to text that is not JSON; Lambda is invoked with JSON only, so "
                "every delivery fails (a queue takes plain text).",
                'Quote plain text so that it is a JSON string (`"<a> is <b>"`), or write a JSON '
                "object.",
            ),
            "invalid-schedule": _stack(
                "error",
                "`scheduleRate` is not a valid AWS `rate(...)` or `cron(...)` expression; the "
                "message says what is wrong.",
                "Write e.g. `rate(5 minutes)` or `cron(0 9 * * ? *)` (UTC, six fields, one "
                "of day-of-month and day-of-week is `?`).",
            ),
            "fifo-batch-size": _stack(
                "error",
                "An `sqs` event on a FIFO queue has a `batchSize` over 10, the FIFO maximum.",
                "Use a `batchSize` from 1 to 10.",
            ),
            "fifo-batch-window": _stack(
                "error",
                "An `sqs` event on a FIFO queue sets a batching window, which FIFO queues do "
                "not support.",
                "Remove `maxBatchWindowSeconds`.",
            ),
            "batch-window-required": _stack(
                "error",
                "An `sqs` event has a `batchSize` over 10 without a batching window of at "
                "least 1 s; AWS rejects the event source mapping.",
                "Add `maxBatchWindowSeconds: 1` (or more, up to 300).",
            ),
            "redrive-fifo-mismatch": _stack(
                "error",
                "A queue and its dead-letter queue are not the same type (one FIFO, the "
                "other standard).",
                "Set the same `fifoEnabled` on both queues.",
            ),
            "redrive-cycle": _stack(
                "error",
                "Redrive policies form a loop (a dead-letter queue redrives back into one of "
                "its sources).",
                "A dead-letter queue must not redrive into its sources: remove one "
                "`redrivePolicy`.",
            ),
            "dlq-no-consumer": _stack(
                "info",
                "A dead-letter queue has no consumer: failed messages stay there until you "
                "redrive them. Often on purpose.",
                None,
            ),
            "failure-destination-no-consumer": _stack(
                "info",
                "A queue that is a function's `destinations.onFailure` (or a stream event's "
                "`onFailure`) has no consumer: the invocation records Lambda sends for failed "
                "asynchronous invocations (or discarded stream batches) stay there until "
                "something reads them. Often on purpose.",
                None,
            ),
            "stream-on-failure-type": _stack(
                "error",
                "A `kinesis-stream` or `dynamo-db-stream` event's `onFailure` has a `type` "
                "(`sqs` or `sns`) that is not the kind of resource its `arn` names, e.g. `type: "
                "sns` with the ARN of an sqs-queue.",
                "Set `type` to the destination's kind: `sqs` for an sqs-queue, `sns` for an "
                "sns-topic.",
            ),
            "emission-not-permitted": _stack(
                "warning",
                "With a behaviours file (`stptui.yml` by the stack, or `--behaviors FILE`): a "
                "workload's declared emission calls a resource its role may not reach, and "
                "the message says why. Either nothing allows the call (`sqs:SendMessage`, "
                "`events:PutEvents`, `sns:Publish`, `s3:PutObject`, "
                "`lambda:InvokeFunction`, `kinesis:PutRecord`, `dynamodb:PutItem` / "
                "`DeleteItem` / `UpdateItem`, `states:StartExecution`): neither its "
                "`connectTo` nor an `iamRoleStatements` entry (an implicit deny); or a `Deny` "
                "statement among its `iamRoleStatements` covers it, which overrides every "
                "Allow (an explicit deny). On AWS the call fails with AccessDenied, and so it "
                "does in the simulator. Reported at the emission's target in the behaviours "
                "file.",
                "Add the target to the workload's `connectTo` (`connectTo: [jobs]`); for the "
                "default event bus, which `connectTo` cannot name, add an `iamRoleStatements` "
                "entry allowing `events:PutEvents` on its ARN. For an explicit deny, narrow or "
                "remove the `Deny` statement the message names.",
            ),
            "delivery-denied": _stack(
                "warning",
                "A `Deny` in a function's `iamRoleStatements` covers a delivery Lambda makes "
                "with the function's role: to a `destinations` target, or to a stream event's "
                "`onFailure`. Stacktape always allows these, but an explicit deny wins, so on "
                "AWS every record is refused and lost, as in the simulator.",
                "Narrow the `Deny` statement (its `Resource`, or its `Action`) so that it "
                "leaves the destination out, or remove it.",
            ),
            "event-source-denied": _stack(
                "warning",
                "A `Deny` in a function's `iamRoleStatements` covers a call Lambda needs to "
                "read one of its `sqs`, `kinesis-stream` or `dynamo-db-stream` event sources "
                "(`sqs:ReceiveMessage`, `DeleteMessage`, `GetQueueAttributes`; "
                "`GetRecords`, `GetShardIterator`). Stacktape always allows these, but an "
                "explicit deny wins: CloudFormation fails to create the event source mapping "
                "on a first deploy, and an existing one stops reading. The simulator still "
                "delivers the events.",
                "Narrow the `Deny` statement so that it leaves the event source out, or remove it.",
            ),
            "queue-no-consumer": _stack(
                "warning",
                "A queue has no consumer: no function or batch job has an `sqs` event for "
                "it, no container workload connects to it, and it is no dead-letter queue. "
                "A function or batch job whose code receives from it (connectTo, then the "
                "SDK's ReceiveMessage) is not counted: stptui cannot see what code calls; "
                "the message names those that connect to it.",
                "Add an `sqs` event with `sqsQueueName:` to a function, or remove the queue.",
            ),
            "queue-multiple-consumers": _stack(
                "warning",
                "A queue has more than one consumer; each message goes to only one of them.",
                "For fan-out, publish to an `sns-topic` or `event-bus` and give each "
                "consumer its own queue.",
            ),
            "max-receive-count-low": _stack(
                "info",
                "`maxReceiveCount` is below 5, the minimum AWS advises for a queue a Lambda "
                "function consumes: throttled or retried batches may reach the dead-letter "
                "queue too early.",
                "Set `maxReceiveCount: 5` or more.",
            ),
            "queue-no-dlq": _stack(
                "info",
                "A queue a function consumes (an `sqs` event) has no dead-letter queue: no "
                "`redrivePolicy`, so no `maxReceiveCount`. A message the function fails (a "
                "poison message) is received again each time its visibility timeout ends, "
                "until its retention ends (`messageRetentionPeriodSeconds`, 4 days by "
                "default): thousands of failed invocations, each failing its batch-mates too; "
                "on a FIFO queue its message group waits all that time. AWS advises a "
                'dead-letter queue (SQS developer guide, "Capturing problematic messages"; '
                "Stacktape offers it as a console guardrail). In stptui, `show queue QUEUE` says "
                "the queue has none, and `explain MESSAGE_ID` shows a failing message's receives "
                "and when its retention ends.",
                "Add `redrivePolicy: {targetSqsQueueName: jobsDlq, maxReceiveCount: 5}` to "
                "the queue's `properties` and a queue `jobsDlq: {type: sqs-queue}` (with "
                "`fifoEnabled: true` for a FIFO queue); nothing to fix if retrying until the "
                "retention ends is what you want.",
            ),
            "stream-retries-forever": _stack(
                "info",
                "A function's `kinesis-stream` or `dynamo-db-stream` event has no "
                "`maximumRetryAttempts`, or -1 (Lambda's default either way): a batch the "
                "function fails is retried until its records expire from the stream (24 hours "
                "by default), and the shard's later records wait behind it all that time. An "
                "`onFailure` destination gets nothing then, as it only gets batches whose "
                "retries are used up. `show stream` (`show table` for a table's stream) shows "
                "the retries of the batch blocking each shard.",
                "Set `maximumRetryAttempts: 3` and `bisectBatchOnFunctionError: true` on the "
                "event, and `onFailure: {type: sqs, arn: $ResourceParam('failedRecords', "
                "'arn')}` to keep what is given up.",
            ),
            "delivery-failure-not-function-failure": _stack(
                "info",
                "A function's `event-bus` or `sns` event has an `onDeliveryFailure` queue, but "
                "the function has no `destinations.onFailure`. That queue gets only the events "
                "EventBridge or SNS could not hand to Lambda (throttling, a missing "
                "permission); an event the function fails is retried twice by Lambda and then "
                "dropped. `explain EVENT_ID` in stptui shows the three attempts and the drop.",
                "Add `destinations: {onFailure: $ResourceParam('failedEvents', 'arn')}` to the "
                "function's `properties`: Lambda sends it an invocation record with the event "
                "as `requestPayload`.",
            ),
            "visibility-timeout-too-short": _stack(
                "error",
                "A queue's visibility timeout is shorter than its consumer's timeout (for a "
                "batch job, its 10 s trigger function's); AWS rejects the event source "
                "mapping.",
                "Raise the queue's `visibilityTimeoutSeconds` to at least the timeout; AWS "
                "advises 6 times it.",
            ),
            "visibility-timeout-guidance": _stack(
                "info",
                "A queue's visibility timeout is below 6 times its consumer's timeout, the "
                "ratio AWS advises so that retried batches are not redelivered while still "
                "running.",
                "Set `visibilityTimeoutSeconds` to 6 times the consumer's timeout.",
            ),
            "effective-visibility-timeout": _stack(
                "info",
                "The batching window plus the function timeout exceed the visibility timeout; "
                "AWS then uses window + timeout + 30 s as the effective visibility timeout.",
                None,
            ),
            "payload-format-mismatch": _stack(
                "error",
                "One function's `http-api-gateway` events use different payload formats "
                "(`1.0` and `2.0`); a function has one format.",
                "Use the same `payloadFormat` on all of the function's routes.",
            ),
            "duplicate-route": _stack(
                "error",
                "Two events declare the same method and path on one HTTP API gateway "
                "(functions', batch jobs' and containers' routes alike; Stacktape error e92), "
                "or the same route key on one WebSocket API (Stacktape's "
                "CONFIG_WEBSOCKET_ROUTE_CONFLICT).",
                "Change the method or path (the route key) of one of the two routes.",
            ),
            "route-settings-unknown-route": _stack(
                "error",
                "The `RouteSettings` that `overrides` give an HTTP API's stage name a route key "
                "(`GET /orders`) that no event declares on that API; API Gateway refuses the "
                "stage, so the deployment fails.",
                "Write the route key as the route's method and path (`ANY` for `method: '*'`, "
                "`$default` for `path: '*'`), or remove the entry.",
            ),
            "duplicate-kafka-mapping": _stack(
                "error",
                "Two `kafka-topic` events of one function read the same topic from the same "
                "brokers (bootstrap servers, cluster or Upstash topic); Lambda refuses the "
                "second event source mapping with ResourceConflictException.",
                "Remove one of the two events, or point one of them at another topic.",
            ),
            "duplicate-resolver": _stack(
                "error",
                "Two functions' `appsync-api` events resolve the same `Type.field` of one "
                "AppSync API; a field has one Lambda resolver (Stacktape's "
                "CONFIG_APPSYNC_RESOLVER_FIELD_CONFLICT).",
                "Keep one event for the field, or point one of them at another field.",
            ),
            "http-timeout": _stack(
                "info",
                "A function behind HTTP routes has a timeout over 30 s, the HTTP API "
                "integration limit: requests fail after 30 s while the function keeps "
                "running.",
                "Answer quickly and hand long work to a queue.",
            ),
            "s3-notification-overlap": _stack(
                "error",
                "Two `s3` events on one bucket share an event type and their prefix/suffix "
                "filters overlap; S3 rejects the notification configuration.",
                "Give the events prefixes (or suffixes) that do not overlap, or different "
                "event types.",
            ),
            "event-not-accepted": _stack(
                "error",
                "An event its resource type cannot have, by Stacktape's schema: a batch job's "
                "`kafka-topic` or `cloudwatch-alarm` event, a function's or batch job's "
                "container ingress event (`network-load-balancer`, `service-connect`, "
                "`workload-internal`), or `events` on a web, private or worker service, or "
                "directly under a multi-container workload's `properties`.",
                "Give the event to a function (which can start a batch job); a container "
                "workload declares events under `containers[].events`.",
            ),
            "volume-mounts-need-vpc": _stack(
                "error",
                "A function has `volumeMounts` (EFS) without `joinDefaultVpc: true` "
                "(Stacktape error e121).",
                "Set `joinDefaultVpc: true`; the function then has no direct internet access.",
            ),
            "connect-to-needs-vpc": _stack(
                "error",
                "A function outside the VPC lists in `connectTo` a resource only reachable "
                "inside it: any `redis-cluster`, a `relational-database` whose "
                "`accessibilityMode` is `vpc` or `scoping-workloads-in-vpc`, or a "
                "`mongo-db-atlas-cluster` when `providerConfig.mongoDbAtlas` does not allow "
                "internet connections.",
                "Set `joinDefaultVpc: true` on the function (it then cannot make outbound "
                "internet requests), or open the resource's accessibility.",
            ),
            "custom-artifact-handler": _stack(
                "error",
                "A function with `custom-artifact` packaging has no `handler` (Stacktape "
                "error e10), or one not in the form `file:function` (e102).",
                "Write `handler: <file>:<function>` under `packaging.properties`, e.g. "
                "`index.js:handler`.",
            ),
            "custom-artifact-runtime": _stack(
                "error",
                "A function with `custom-artifact` packaging has no `runtime`; Stacktape "
                "cannot infer it from a prebuilt package (error e11).",
                "Add `runtime:` to the function, e.g. `runtime: nodejs22.x`.",
            ),
            "duplicate-listener-port": _stack(
                "error",
                "Two `listeners` of one application or network load balancer use the same "
                "`port`, or a web-service's network load balancing lists a port twice in "
                "`ports` (each entry becomes a listener); Stacktape refuses the load balancer.",
                "Give each listener its own port, or remove the repeated one.",
            ),
            "whitelist-ip": _stack(
                "error",
                "An entry of a load balancer listener's `whitelistIps` is not an "
                "IPv4 address or CIDR block. Stacktape writes each entry as a security group "
                "rule's `CidrIp` (adding `/32` to a bare address), which takes IPv4 ranges "
                "only, so an IPv6 address or other text fails the deploy.",
                "Write an IPv4 address (`203.0.113.7`) or an IPv4 CIDR block (`203.0.113.0/24`).",
            ),
            "https-listener-certificate": _stack(
                "error",
                "An HTTPS listener of an application load balancer has an empty "
                "`customCertificateArns`: Stacktape takes the list as written (even empty) "
                "instead of its domains' certificates, so the listener gets none, and AWS "
                "refuses an HTTPS listener without a certificate. Without the key Stacktape "
                "attaches its custom domains' certificates, or its default domain's.",
                "List a certificate ARN in `customCertificateArns`, or remove the key.",
            ),
            "tls-listener-certificate": _stack(
                "error",
                "A TLS listener of a network load balancer has an empty "
                "`customCertificateArns`, so it gets no certificate (Stacktape picks a TLS "
                "listener's certificates as it does an HTTPS one's), and AWS refuses a TLS "
                "listener without one.",
                "List a certificate ARN in `customCertificateArns`, or remove the key.",
            ),
            "table-primary-key": _stack(
                "error",
                "A `dynamo-db-table` has no valid `primaryKey`: Stacktape requires "
                "`partitionKey` (and allows `sortKey`) with a `name` and a `type` of "
                "`string`, `number` or `binary`. The simulator does not simulate such a "
                "table (`put-item` says so). Also when `partitionKey` and `sortKey` name one "
                "attribute, a key schema DynamoDB refuses.",
                "Write `primaryKey: {partitionKey: {name: id, type: string}}`.",
            ),
            "table-secondary-index": _stack(
                "error",
                "An entry of a `dynamo-db-table`'s `secondaryIndexes` is not what Stacktape's "
                "schema or DynamoDB takes: not a mapping; a key other than `name`, "
                "`partitionKey`, `sortKey` and `projections` (`projectionType` included); no "
                "`name`, or one DynamoDB refuses (3 to 255 letters, digits, `_`, `-`, `.`) or "
                "another index of the table has; a `partitionKey` or `sortKey` without a "
                "`name` and a `type` of `string`, `number` or `binary`; one attribute as both "
                "keys; `projections` that is not a list of attribute names.",
                "Write `- {name: byEmail, partitionKey: {name: email, type: string}}`, with "
                "`sortKey` and `projections: [attribute, ...]` where needed.",
            ),
            "alarm-event-unknown": _stack(
                "error",
                "A function's `cloudwatch-alarm` event has an `alarmName` that names no alarm "
                "of the stack: Stacktape resolves it as the alarm's name chain, "
                "`RESOURCE.alarms.INDEX` (not the AWS alarm name, nor Stacktape's "
                "`SqsQueueNotEmptyForJobsDlq0`), and refuses to deploy otherwise (its error "
                "e60). The event never fires in the simulation.",
                "Write `alarmName: jobsDlq.alarms.0`: the resource, `alarms`, and the alarm's "
                "index in its `alarms` list.",
            ),
            "alarm-no-target": _stack(
                "error",
                "An `application-load-balancer-unhealthy-targets` alarm on a load balancer "
                "that forwards to no container workload (or none of its "
                "`onlyIncludeTargets`): Stacktape watches only container target groups, not "
                "Lambda targets, and refuses to deploy the alarm (its error e127). stptui "
                "lists it as not simulated.",
                "Remove the alarm, or put a container workload behind the load balancer (or "
                "name one in `onlyIncludeTargets`).",
            ),
            "alarm-evaluation-invalid": _stack(
                "error",
                "An alarm's `evaluation` is one CloudWatch refuses (PutMetricAlarm): a "
                "`period` that is not 10, 20, 30 or a multiple of 60 seconds, an "
                "`evaluationPeriods` or `breachedPeriods` that is not a whole number of at "
                "least 1, a `breachedPeriods` over `evaluationPeriods`, or `period` x "
                "`evaluationPeriods` over one day (a period under an hour) or seven days. "
                "Stacktape passes the values through, so the deployment fails; stptui lists "
                "the alarm as not simulated.",
                "Write e.g. `evaluation: {period: 60, evaluationPeriods: 5, breachedPeriods: "
                "3}`: 3 breaching minutes out of the last 5.",
            ),
            "alarm-event-global": _stack(
                "info",
                "A `cloudwatch-alarm` event's `alarmName` is `RESOURCE.alarms.NAME` with a "
                "name, not an index: only a global alarm (set in the Stacktape console) is "
                "named so. The config does not hold it, so stptui neither checks nor "
                "simulates it.",
                "To simulate the alarm, add it to the resource's `alarms` and name it "
                "`RESOURCE.alarms.N`.",
            ),
            "log-group-unknown": _stack(
                "warning",
                "A `cloudwatch-log` event's `logGroupArn` names no log group of the stack: "
                "another `$ResourceParam` parameter (Stacktape's own docs snippet passes a "
                "function's `arn`), an ARN that is not a log group's, a group outside the "
                "stack, or the group of a workload whose `logging` is disabled. The "
                "subscription delivers nothing in the simulation.",
                "Write `logGroupArn: $ResourceParam('fn', 'logGroupArn')` with the function or "
                "batch job whose log lines you want; for a container, the ARN of its group "
                "`/stp/{stack}/ecs/{workload}/{container}/process-logs`.",
            ),
            "log-filter-pattern": _stack(
                "error",
                "A `cloudwatch-log` event's `filter` is not a pattern CloudWatch Logs takes "
                "(PutSubscriptionFilter answers `Invalid filter pattern`): an unquoted term "
                "with characters other than letters, digits and `_`, an unclosed `{`, `[`, "
                '`"` or `%`, an operator without a value, a number comparison with a word, a '
                "space-delimited condition naming another field, a regular expression with "
                "`(`, `)` or an unsupported character, more than two regular expressions in a "
                "JSON or space-delimited pattern, or more than 1,024 characters.",
                'Quote phrases (`"Status: timeout"`), close what is open, and see '
                "[the filter pattern syntax](patterns-and-schedules.md#log-filter-patterns).",
            ),
            "log-subscription-limit": _stack(
                "error",
                "More than two `cloudwatch-log` events subscribe to one log group. CloudWatch "
                "Logs allows two subscription filters per log group "
                "(PutSubscriptionFilter: LimitExceededException).",
                "Subscribe one function to the group and fan out from it (an SNS topic or an "
                "event bus), or merge the filters.",
            ),
            "log-subscription-loop": _stack(
                "warning",
                "A workload subscribes to its own log group. Each delivery makes it write log "
                'lines that are delivered to it again: AWS does not stop this loop ("Log '
                'recursion prevention"); stptui stops a chain after 16 deliveries.',
                "Subscribe another function to the group, or filter out the subscriber's own "
                "lines (`-START -END -REPORT` and a term its handler never writes).",
            ),
            "table-key-attribute-type": _stack(
                "error",
                "A key of a `dynamo-db-table`'s secondary index gives an attribute another "
                "`type` than the table's `primaryKey` or an earlier index does. A DynamoDB "
                "table defines each key attribute once, with one type.",
                "Use the same type for the attribute everywhere, or key the index on another "
                "attribute.",
            ),
            "table-index-count": _stack(
                "warning",
                "A `dynamo-db-table` has more than 20 `secondaryIndexes`: DynamoDB's default "
                "quota of global secondary indexes per table. The deploy fails unless the "
                "account's quota was raised (a warning, as it may have been).",
                "Keep at most 20 indexes, or ask AWS to raise the quota.",
            ),
            "table-projection-count": _stack(
                "error",
                "The `projections` of a `dynamo-db-table`'s secondary indexes name more than "
                "100 non-key attributes together (one named in two indexes counts twice): "
                "DynamoDB's limit for all of a table's indexes.",
                "Project fewer attributes, or read the rest from the table by key.",
            ),
            "duplicate-listener-priority": _stack(
                "error",
                "Two `application-load-balancer` events (of functions, batch jobs or "
                "containers, or of one of them) on the same listener of one load balancer use "
                "the same `priority` (Stacktape error e93).",
                "Give each rule of a listener its own priority (the hint suggests a free one).",
            ),
            "alb-rule-conditions": _stack(
                "error",
                "An `application-load-balancer` event has none of `paths`, `headers`, `hosts`, "
                "`methods`, `queryParams` and `sourceIps`: its listener rule would have no "
                "condition, and Stacktape refuses it.",
                "Add a condition; `paths: ['/*']` takes every request that rules with lower "
                "priority numbers leave.",
            ),
            "alb-rule-priority": _stack(
                "error",
                "An `application-load-balancer` event's `priority` is not a whole number from 1 "
                "to 50,000, the range ELB takes for a listener rule.",
                "Use a whole number from 1 to 50000 (the lowest is tried first).",
            ),
            "alb-condition-values": _stack(
                "error",
                "An `application-load-balancer` event has more than 5 condition values (every "
                "path, method, host, source IP and header or query value counts): ELB refuses "
                "the rule (\"A rule can only have '5' condition values\").",
                "Split the event into several, each with its own priority, or use wildcards.",
            ),
            "alb-condition-invalid": _stack(
                "error",
                "A condition of an `application-load-balancer` event has a value ELB refuses: a "
                "path pattern over 128 characters or with a character ELB does not take (such "
                "as `{id}`), a method not written in upper case, a host that is no host name, "
                "a source IP that is no CIDR block, a `Host` header condition, or an empty "
                "list.",
                "Follow the hint: `/users/*` for a path parameter, `GET` for `get`, "
                "`203.0.113.7/32` for one address, `hosts` for the Host header.",
            ),
            "alb-condition-unmatchable": _stack(
                "warning",
                "A condition of an `application-load-balancer` event that ELB accepts but that "
                "no ordinary request meets: a path pattern that does not start with `/` (or a "
                "wildcard), or a method that is no standard HTTP method.",
                "Start the path pattern with `/`; use GET, POST, PUT, PATCH, DELETE, HEAD or "
                "OPTIONS.",
            ),
            "listener-integrations": _stack(
                "error",
                "A listener of a `network-load-balancer` is not the target of exactly one "
                "container's `network-load-balancer` event: none, or several (Stacktape error "
                "e116).",
                "Give each listener exactly one event (with its port in `listenerPort`); add a "
                "listener for each further event, or remove the listener nobody uses.",
            ),
            "load-balancing-required": _stack(
                "error",
                "A web-service's `deployment` or `useFirewall` needs `loadBalancing: {type: "
                "application-load-balancer}` (Stacktape errors e79, e1003), its `cdn` an HTTP "
                "API gateway or application load balancer (e117); a multi-container workload's "
                "`deployment` needs an `application-load-balancer` event on a container (e54).",
                "Set `loadBalancing: {type: application-load-balancer}` (or add the event), or "
                "remove the property.",
            ),
            "deployment-load-balancer-target": _stack(
                "error",
                "A multi-container workload with `deployment` has `application-load-balancer` "
                "events that target different containers, container ports or listeners; a "
                "deployment shifts the traffic of one listener to one container port "
                "(Stacktape error e61).",
                "Point every `application-load-balancer` event of the workload at the same "
                "container, `containerPort` and `listenerPort`, or remove `deployment`.",
            ),
            "fargate-cpu-memory": _stack(
                "error",
                "A container workload on Fargate (no `instanceTypes`) asks for a `memory` its "
                "`cpu` does not allow (e.g. 2 vCPU takes 4096-16384 MB), or for a `cpu` that is "
                "no Fargate size (0.25, 0.5, 1, 2, 4, 8, 16); Stacktape refuses it.",
                "Pick a memory value the hint lists for the CPU, or a CPU that allows the memory.",
            ),
            "instance-types-conflict": _stack(
                "error",
                "A container workload's `resources` set `architecture` with `instanceTypes` "
                "(the instance type decides it; Stacktape error e126), or `enableWarmPool` "
                "without exactly one instance type (e125).",
                "Remove `architecture`; keep one instance type for a warm pool.",
            ),
            "scaling-range": _stack(
                "error",
                "A container workload's `scaling.maxInstances` is below its `minInstances` "
                "(Stacktape error e89).",
                "Set `maxInstances` to at least `minInstances`.",
            ),
            "container-names": _stack(
                "error",
                "Two containers of one multi-container workload share a `name`, or a "
                "container's `dependsOn` names a container the workload does not have.",
                "Give each container its own name; name an existing container in `dependsOn`.",
            ),
            "duplicate-container-port": _stack(
                "error",
                "Events of two containers of one multi-container workload use the same "
                "`containerPort`; each port mapped through `events` must be unique in the "
                "workload.",
                "Give each container's events a port of their own.",
            ),
            "container-resources": _stack(
                "error",
                "A container workload's `resources` have no `cpu` or no `memory` (or one is 0) "
                "and no `instanceTypes` (Stacktape error e87): Fargate needs both, EC2 takes "
                "the instance types.",
                "Write `cpu` and `memory` (a Fargate pair, e.g. `{cpu: 0.25, memory: 512}`), "
                "or `instanceTypes`.",
            ),
            "deployment-service-connect": _stack(
                "error",
                "A multi-container workload with `service-connect` events uses `deployment` "
                "(Stacktape error e75): gradual deployments shift load balancer traffic, "
                "which service-connect does not go through.",
                "Remove `deployment`, or expose the container through a load balancer event.",
            ),
            "custom-domain-certificate": _stack(
                "error",
                "A custom domain of a web-service, application load balancer or network load "
                "balancer sets `disableDnsRecordCreation` without a `customCertificateArn` "
                "(Stacktape error e118): without the DNS record Stacktape cannot have a "
                "certificate issued for it.",
                "Add `customCertificateArn`, or let Stacktape create the DNS record.",
            ),
            "web-service-alarm": _stack(
                "error",
                "A web-service's alarm is not of its load balancing type: its trigger type must "
                "start with `http-api-gateway` or `application-load-balancer`, whichever "
                "`loadBalancing.type` is (default `http-api-gateway`; a network load balancer "
                "has no alarms) (Stacktape error e80).",
                "Use an alarm of the service's load balancing, or change `loadBalancing`.",
            ),
            "asl-schema": _stack(
                "error",
                "A state machine's `definition` breaks the Amazon States Language schema: "
                "StartAt or States missing, an unknown state Type, not exactly one of Next and "
                "End, bad Retry/Catch fields (empty ErrorEquals, `States.ALL` not alone and "
                "last, MaxAttempts < 0, IntervalSeconds < 1, BackoffRate < 1.0, JitterStrategy "
                "not FULL or NONE), bad TimeoutSeconds/HeartbeatSeconds, an empty Parallel "
                "`Branches` or a Map without `ItemProcessor`. Step Functions refuses it "
                "(SCHEMA_VALIDATION_FAILED).",
                "Fix the field the message names; the position points at it inside the definition.",
            ),
            "asl-transition": _stack(
                "error",
                "A state machine's StartAt, a Next, a Choice rule's Next, a Default or a "
                "Catch's Next names no state of its machine (MISSING_TRANSITION_TARGET).",
                "Name a state of the same States map (Parallel branches and Map processors "
                "have their own).",
            ),
            "asl-unreachable": _stack(
                "error",
                "No StartAt, Next, Default or Catch leads to a state; Step Functions refuses "
                "the definition (MISSING_TRANSITION_TARGET: State ... is not reachable).",
                "Make another state go to it, or remove it.",
            ),
            "asl-data-flow": _stack(
                "error",
                "A state's data-flow field is invalid: a reference path (InputPath, "
                "OutputPath, ResultPath, a Choice Variable ...), a `.$` value, an intrinsic "
                "function call, a Choice rule, a Wait's duration fields, or an `Assign` (a "
                "variable name that is no identifier or is `states`, a variable assigned in a "
                "Parallel branch or Map iteration that an outer scope assigns too).",
                "Fix the field the message names.",
            ),
            "asl-jsonata": _stack(
                "error",
                "A JSONata state's field is invalid, as Step Functions refuses it when the "
                "definition is created: a `{% %}` expression with a syntax error, "
                "`$states.result` read outside the Output and Assign of a Task, Parallel or "
                "Map, `$states.errorOutput` outside a Catcher's Output and Assign, a Choice "
                "rule without a `Condition`, a Wait without exactly one of `Seconds` and "
                "`Timestamp`, or a bad variable name.",
                "Fix the expression or field the message names (JSONata 2.0 syntax).",
            ),
            "asl-jsonata-literal": _stack(
                "warning",
                "A string in a JSONata state's field looks meant as an expression but is not "
                "one: it starts with `{%` but does not end with `%}` (or the other way round), "
                "has a space or newline outside the marks, or has `{% ... %}` inside other "
                "text. Step Functions evaluates a string only when the whole of it is one "
                "`{% ... %}`; it accepts the definition and passes this text on as it is.",
                "Write the whole string as one expression (`{% 'Order ' & $states.input.id %}` "
                "to join text), or leave out the marks if the text is meant literally.",
            ),
            "asl-not-simulated": _stack(
                "warning",
                "Part of a definition is not simulated: a Distributed Map's `ItemReader` "
                "other than s3:listObjectsV2 and s3:getObject, or its MANIFEST and PARQUET "
                "input types; or a JSONata regular expression that can backtrack for a very "
                "long time (a loop repeating a part of variable length that what follows it "
                "can also match, `(a+)+`, `(\\w+\\s?)*`): executions fail with "
                "States.QueryEvaluationError when they use it.",
                "Read items as JSON, JSONL or CSV; make a regular expression's repeated part and "
                "what follows it exclusive (`(\\d+\\.)+`, not `(\\d+\\.?)+`).",
            ),
            "asl-error-name": _stack(
                "warning",
                "A Retry or Catch `ErrorEquals` entry looks like one of Step Functions' "
                "predefined errors but is not one (`States.Timout`, `State.ALL`): as written it "
                "matches only an error of exactly that name, so the retrier or catcher is "
                "likely never used.",
                "Write the predefined name the hint suggests (they all start with `States.`).",
            ),
            "asl-no-task-token": _stack(
                "warning",
                "A `.waitForTaskToken` Task state's Parameters never pass `$$.Task.Token`: the "
                "call is made, but no worker receives the token to answer with SendTaskSuccess "
                "or SendTaskFailure, so the state waits until its TimeoutSeconds or "
                "HeartbeatSeconds end it (or for the execution's whole life).",
                'Pass the token in the message or payload, e.g. `"taskToken.$": "$$.Task.Token"`.',
            ),
            "asl-variable": _stack(
                "warning",
                "A state reads a workflow variable (`$name` in a path, a `.$` value or an "
                "intrinsic function) that no state of its scope or an outer one assigns, or "
                "that a Distributed Map's iterations cannot read (variables of outer scopes): "
                "executions that reach it fail with States.Runtime.",
                "Assign the variable (an `Assign` field) in a state that runs before, fix its "
                "name, or pass the value to a Distributed Map in its ItemSelector.",
            ),
            "asl-task-target": _stack(
                "warning",
                "A Task state calls something the simulator cannot run: a service integration "
                "it does not simulate (`ecs:runTask.sync`, `.waitForTaskToken` on other "
                "integrations, `aws-sdk:` actions of other services or APIs "
                "...), a function that is not in the stack, or an integration (sqs, sns, "
                "events, dynamodb, s3, kinesis, batch, states, their `aws-sdk:` forms) whose "
                "constant target names no resource of the stack. Executions "
                "that reach it fail, naming it.",
                "Invoke a stack function (`Fn::GetAtt: [<Name>Function, Arn]`, "
                "`$ResourceParam('<name>', 'arn')`, `arn:aws:states:::lambda:invoke` with "
                "`Parameters.FunctionName`) or call a stack resource with "
                "`$ResourceParam('<name>', 'url'|'arn'|'name')`.",
            ),
        },
    ),
    **_in(
        "behaviors",
        {
            "behavior-bad-file": _behavior(
                "error",
                "The behaviours file is not a mapping, its `behaviors` is not a mapping of "
                "workload names to entries, or it is nested too deeply to read; nothing in it "
                "is used.",
                "Write the file as `behaviors:` followed by one entry per function, batch job "
                "or container workload (`stptui init` writes a starter).",
            ),
            "behavior-unknown-key": _behavior(
                "error",
                "A key the behaviours file does not have at this place: at the top (only "
                "`behaviors`), in an entry, a rule, a duration range, an `emit` item (its "
                "kind or one of its fields) or a `poll` item; the hint lists the keys "
                "allowed there. It is ignored.",
                "Fix the spelling (the message suggests the closest key, or the one a word "
                "of another tool means: `times` is `first`) or remove it.",
            ),
            "behavior-bad-value": _behavior(
                "error",
                "A value has the wrong type or is out of range: an entry or rule that is not "
                "a mapping, `first` that is not a whole number, `always` or "
                "`reportBatchItemFailures` not true or false, an empty `error`, a null log "
                "line, a container's constant `response` with an HTTP status outside "
                "100-599, an `emit` that is not a list of one-key items, a constant null "
                "body, a Kafka `partition` other than 0-2, a `poll` setting outside what "
                "ReceiveMessage takes, and the like; the key is left out.",
                "Write the value the message asks for (the hint gives an example).",
            ),
            "behavior-bad-duration": _behavior(
                "error",
                "A duration cannot be read: a number without a unit (other than 0), an "
                "unknown unit, a negative or fractional number of milliseconds, more than "
                "3650 days, a range `{min, max}` without one of them or with `min` over "
                "`max`.",
                "Write a number and a unit (`250ms`, `2s`, `1m30s`), and `min` no more than `max`.",
            ),
            "behavior-duration-over-timeout": _behavior(
                "warning",
                "A function's `duration` (its shortest, for a range) is longer than its "
                "`timeout`: every invocation times out.",
                "Lower the duration, or raise the function's `timeout`.",
            ),
            "behavior-bad-rule": _behavior(
                "error",
                "A `fail`, `timeout` or `partial` rule has none of its forms (`rate`, "
                "`first`, `always`, `when`; `partial` takes `when` and `rate`), or more "
                "than one.",
                "Keep exactly one form per rule; write a list of `fail` rules to combine "
                "them (`fail: [{first: 2}, {rate: 0.1}]`).",
            ),
            "behavior-bad-probability": _behavior(
                "error",
                "A rule's `rate` is not a probability: not a number, or outside 0 to 1.",
                "Write a number from 0 to 1 (`rate: 0.3` for 30%).",
            ),
            "behavior-bad-jmespath": _behavior(
                "error",
                "A JMESPath expression (a `when`, an emission's field, a log line, a "
                "`response`) does not parse, or calls a function JMESPath does not have or "
                "with the wrong number of arguments.",
                "Fix the expression at the column the message gives; string constants are "
                "raw literals (`'text'`), JSON constants use backticks (`` `1000` ``).",
            ),
            "behavior-quoted-text": _behavior(
                "warning",
                'An expression compares with a double-quoted word (`body.type == "invoice"`): '
                "in JMESPath double quotes name a field, not text, so it compares with the "
                "input's field of that name, most likely null.",
                "For the text, write the raw literal `'invoice'`; for the field, write "
                '`@."invoice"`.',
            ),
            "behavior-records-per-record": _behavior(
                "warning",
                "An expression of a function whose triggers are all SQS queues, Kinesis or "
                "DynamoDB streams or Kafka topics reads `Records`, the event's list: its "
                "conditions, emissions and log lines see one record at a time, so `Records` "
                "is null there and a `when` on it never holds.",
                "Read the record's own fields: `body` for an SQS message, `data` for a "
                "Kinesis record, `newImage`, `oldImage`, `keys` and `eventName` for a "
                "DynamoDB stream record, `value`, `key` and `headers` for a Kafka record "
                "([what expressions see](behaviors.md#jmespath-what-expressions-see)).",
            ),
            "behavior-unknown-function": _behavior(
                "error",
                "An entry names no function, batch job or container workload of the stack; "
                "it is left out.",
                "Fix the name (the message suggests the closest workload) or remove the entry.",
            ),
            "behavior-not-a-workload": _behavior(
                "error",
                "An entry names a resource of the stack that is not a function, batch job or "
                "container workload (a queue, a bucket, a table ...): behaviours describe "
                "only those; the entry is left out.",
                "Name the function or workload that handles the resource's events.",
            ),
            "behavior-unknown-container": _behavior(
                "error",
                "An entry `WORKLOAD.CONTAINER` names a container its workload does not have "
                "(the one container of a web-service, private-service or worker-service is "
                "`service-container`).",
                "Fix the container's name (the hint lists the workload's containers).",
            ),
            "behavior-container-key": _behavior(
                "error",
                "A container workload's entry has `timeout`, `partial` or "
                "`reportBatchItemFailures`, which belong to a Lambda invocation: a container "
                "answers HTTP requests, and has no invocation timeout.",
                "Remove the key (the hint lists the keys that apply to a container); a long "
                "`duration` reaches the HTTP API's or load balancer's own timeout.",
            ),
            "behavior-rbif-not-sqs": _behavior(
                "warning",
                "`reportBatchItemFailures: true` on a function with no SQS, Kinesis or "
                "DynamoDB stream event: it applies only to those event source mappings, so "
                "it changes nothing.",
                "Remove it, or add the `sqs` event it is meant for.",
            ),
            "behavior-partial-not-sqs": _behavior(
                "warning",
                "`partial` on a function that reads no SQS, Kinesis or DynamoDB stream "
                "batches (or reads Kafka, whose Stacktape mapping takes no partial batch "
                "response): the batchItemFailures answer is ignored.",
                "Remove `partial`, or fail the invocation (`fail`) to make records be read again.",
            ),
            "behavior-partial-ignored": _behavior(
                "warning",
                "`partial` without `reportBatchItemFailures: true`: Stacktape does not enable "
                "ReportBatchItemFailures, so Lambda ignores the batchItemFailures answer and "
                "deletes (or, for a stream, moves past) the whole batch.",
                "Add `reportBatchItemFailures: true` to simulate a stack that enables it.",
            ),
            "behavior-response-ignored": _behavior(
                "warning",
                "An entry has both `response` and `partial`: with `partial` the handler "
                "returns the batchItemFailures, so `response` is not used.",
                "Remove one of them.",
            ),
            "behavior-missing-key": _behavior(
                "error",
                "An `emit` item lacks its target or a required field (`send` needs `queue` "
                "and `body` ...), or a `postToConnection` has no `gateway` and its function "
                "has not exactly one WebSocket API of its own.",
                "Add the key the message names (the hint gives an example).",
            ),
            "behavior-unknown-target": _behavior(
                "error",
                "An `emit` item's target (a queue, bus, topic, bucket, function, stream, "
                "table, state machine, WebSocket API or Kafka topic) names no resource of "
                "that type in the stack.",
                "Fix the name (the message suggests the closest one; the hint lists the "
                "stack's resources of that type) or add the resource.",
            ),
            "behavior-wrong-target-type": _behavior(
                "error",
                "An `emit` item's target names a resource of another type (a `send` to a "
                "topic, a `produce` to something that is no Kafka topic ...).",
                "Name a resource of the type the emission needs, or use the emission that "
                "fits the resource (`notify` for a topic).",
            ),
            "behavior-fifo-group": _behavior(
                "error",
                "A `send` to a FIFO queue or a `notify` to a FIFO topic has no `group` (its "
                "MessageGroupId): SQS and SNS refuse every such message.",
                'Add `group` (e.g. `group: "body.customerId"`).',
            ),
            "behavior-fifo-dedup": _behavior(
                "error",
                "A `send` to a FIFO queue or a `notify` to a FIFO topic without "
                "content-based deduplication has no `dedupId`: SQS and SNS refuse every such "
                "message.",
                'Add `dedupId` (e.g. `dedupId: "record.messageId"`), or enable the queue\'s '
                "or topic's `contentBasedDeduplication`.",
            ),
            "behavior-poll-not-container": _behavior(
                "error",
                "`poll` in a function's or batch job's entry: only a container's code polls "
                "queues; Lambda reads a queue for a function through its `sqs` event.",
                "Give the function an `sqs` event in the stack, or move `poll` to a "
                "worker-service's entry.",
            ),
            "behavior-poll-container": _behavior(
                "error",
                "`poll` in the entry of a workload with several containers, which does not "
                "say whose code polls.",
                "Move `poll` under the container's own entry (`WORKLOAD.CONTAINER`).",
            ),
            "behavior-poll-unknown-queue": _behavior(
                "error",
                "A `poll` item's `queue` names no sqs-queue of the stack, or a resource of "
                "another type.",
                "Fix the name (the message suggests the closest queue; the hint lists the "
                "stack's queues).",
            ),
            "behavior-poll-denied": _behavior(
                "error",
                "The workload's role may not poll the queue: neither its `connectTo` nor its "
                "`iamRoleStatements` allow sqs:ReceiveMessage and sqs:DeleteMessage on it, or "
                "a statement denies one; a polling loop that gets AccessDenied does nothing "
                "useful.",
                "Add the queue to the workload's `connectTo`, or narrow the Deny statement "
                "the message names (an explicit deny wins over `connectTo`).",
            ),
            "behavior-poll-heartbeat": _behavior(
                "error",
                "A `poll` item's `heartbeat.every` is not shorter than its `extendBy`, or "
                "than the receive's visibility timeout: the message is visible again (and "
                "received again) between two beats or before the first.",
                "Beat more often than the visibility timeout and than `extendBy` "
                "(`every: 20s` with `extendBy: 60s`), or raise `visibilityTimeout`.",
            ),
            "behavior-bad-handler": _behavior(
                "error",
                "A `handler` is not `module:function`.",
                "Write the module and the function, e.g. `handler: handlers:process_order` "
                "(`handlers.py` beside the behaviours file).",
            ),
            "behavior-handler-skipped": _behavior(
                "warning",
                "A Python `handler` is not run because the command was started without "
                "`--allow-code`; the entry's declared behaviour is used instead.",
                "Start the command with `--allow-code` to run the handler (it runs your "
                "code); nothing to fix if the declared behaviour is what you want.",
            ),
            "behavior-handler-import": _behavior(
                "error",
                "With `--allow-code`, a `handler` cannot be loaded: its module is not found, "
                "raises when imported, or has the name of a standard-library or installed "
                "module, or it has no such function.",
                "Fix the module or function name, or the error the message gives (at the "
                "line of your file it names); modules are imported from the behaviours "
                "file's folder, a package they import must be installed in the Python stptui "
                "runs on, and a variable read at import must be in the workload's "
                "environment (the hint lists its names).",
            ),
            "behavior-handler-init-exit": _behavior(
                "warning",
                "With `--allow-code`, a function's handler module ends its process as it is "
                "imported (`sys.exit`, `os._exit`, a `BaseException` that is not an "
                "`Exception`, a signal to itself): Lambda's init phase fails, and so does "
                "the init Lambda retries within the invocation, so each invocation of the "
                "function fails with `Runtime.ExitError` (unless the module exits only "
                "sometimes, a flaky read: a retry that succeeds runs the handler).",
                "Take the exit out of the module's top level (the message names its line): "
                "raise an exception in the handler instead, or set what the check at import "
                "needs (a variable of the function's `environment`).",
            ),
        },
    ),
}

SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


def _severity_short(info: CodeInfo) -> str:
    """`error`, `error or warning`, `error (fatal)`: the severity column of a group's table."""
    text = " or ".join([info.severity, *sorted(info.also)])
    return text + (" (fatal)" if info.fatal else "")


def _severity_text(info: CodeInfo) -> str:
    """The severity line under a code's heading."""
    words = [f"**{info.severity}**", *(f"or {s}" for s in sorted(info.also))]
    if info.fatal:
        words.append("· fatal: stops reading, exit 2")
    return " ".join(words)


def render_diagnostics_doc() -> str:
    """The text of `docs/diagnostics.md`, generated from `CODES` (grouped, in registry order)."""
    counts = {s: sum(1 for i in CODES.values() if i.severity == s) for s in SEVERITIES}
    out = [
        "# Diagnostics",
        "",
        "<!-- Generated from stptui/config/codes.py; do not edit by hand. Regenerate with:",
        "     python -m stptui.config.codes > docs/diagnostics.md -->",
        "",
        "Every finding of `stptui validate` has a code: the stack's, and those of the",
        "[behaviours file](#behaviours-file) (`behavior-*`), which `stptui run`, the REPL and",
        "the TUI print too when they open it. A text line reads",
        "`file:line:col: severity code [resource]: message`, followed by a `hint:` line when",
        "there is a fix to suggest; `--format json` gives the same fields as keys. See",
        "[How stptui reads Stacktape configs](reading-configs.md) for what each step does.",
        "",
        "- **error**: Stacktape's deployer or AWS would reject the stack, or stptui cannot",
        "  read part of it (of the behaviours file: the simulator cannot do what it says).",
        "  `stptui validate` exits 1 when there is at least one error.",
        "- **warning**: the stack loads, but something is probably not what you meant, or",
        "  is written in a spelling Stacktape's deployer rejects.",
        "- **info**: advice (AWS's guidance, a dead-letter queue nobody reads); nothing to",
        "  fix if it is on purpose.",
        "",
        f"There are {len(CODES)} codes: {counts['error']} errors, {counts['warning']} "
        f"warnings and {counts['info']} infos.",
        "",
    ]
    for group, title in GROUPS.items():
        members = [(code, info) for code, info in CODES.items() if info.group == group]
        out += [f"## {title}", "", _GROUP_INTROS[group], ""]
        out += ["| Code | Severity |", "|---|---|"]
        out += [f"| [`{code}`](#{code}) | {_severity_short(info)} |" for code, info in members]
        out.append("")
        for code, info in members:
            out += [f"### `{code}`", "", _severity_text(info), "", info.summary, ""]
            if info.fix:
                out += [f"**Fix:** {info.fix}", ""]
    return "\n".join(out)


if __name__ == "__main__":
    print(render_diagnostics_doc(), end="")
