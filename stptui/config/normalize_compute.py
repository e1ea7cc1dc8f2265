"""Functions, batch jobs and state machines: the workloads the simulator runs, as written.

A function's and a batch job's properties, defaults and destinations; the `packaging` they
(and containers) use, with its language-specific settings; the waits between a batch job's
retries, which become Step Functions Wait states; a state machine's `definition` (its own
checks run in the linter, with stptui.sim.asl).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from stptui.config.diagnostics import did_you_mean
from stptui.config.directives import Placeholder, cdn_domains
from stptui.config.loader import DataPath
from stptui.config.model import (
    BatchJob,
    Function,
    FunctionUrlConfig,
    Resource,
    StateMachine,
)
from stptui.config.normalize_props import (
    describe_value,
    number_text,
)
from stptui.config.normalize_schema import (
    ALARM_TRIGGERS,
    ANY_LANGUAGE_CONFIG,
    BATCH_PROPS,
    BUILDPACK_SWAP,
    DEFAULT_URL_CORS_HEADERS,
    DICT,
    FUNCTION_PROPS,
    FUNCTION_VOLUME_MOUNTS,
    HOLDER_WORDS,
    LAMBDA_BACKED_TYPES,
    LANGUAGE_BY_EXTENSION,
    LANGUAGE_CONFIG_PACKAGING,
    LANGUAGE_SPECIFIC_CONFIGS,
    METHOD_ITEMS,
    MIN_ATTEMPT_DURATION_S,
    PACKAGING,
    PACKAGING_KEYS,
    STATE_MACHINE_PROPS,
    STR,
    P,
    PackagingType,
)
from stptui.textsafe import named

if TYPE_CHECKING:
    from stptui.config.normalize import StackBuilder as _BuilderBase
else:
    _BuilderBase = object

# How many of a batch job's retry waits are checked one by one (see _retry_waits).
_MAX_SCANNED_WAITS = 10_000

# The longest Step Functions Wait state (its `Seconds` is an integer from 0 to 99,999,999).
_MAX_WAIT_S = 99_999_999


def _packaging_guess(written: str, types: dict[str, PackagingType]) -> str | None:
    """The packaging type meant by `written`: the closest spelling, or the one made of the
    same words in another order (`dockerfile-custom`)."""
    guess = did_you_mean(written, types)
    if guess is not None:
        return guess
    words = sorted(written.lower().replace("_", "-").split("-"))
    return next((t for t in types if sorted(t.split("-")) == words), None)


def _wait_text(seconds: float) -> str:
    """A computed wait for a message: exact while short, rounded when huge, and JavaScript's
    Infinity for a number too large for a double."""
    if not math.isfinite(seconds):
        return "Infinity"
    return number_text(seconds) if seconds < 1e15 else f"about {seconds:.3g}"


def _js_number(value: float) -> float:
    """A number as JavaScript holds it: a double (an int too large for one is Infinity)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf


# A value the hint writes as it is: YAML reads it back as that text.
_PLAIN_VALUE = re.compile(r"[\w./-]+")


def _legacy_package_config(raw: dict[str, Any]) -> dict[str, str] | None:
    """The hint for an older Stacktape's `packageConfig: {filePath}` on a function: today's
    `packaging` written out with its file, which "did you mean `packaging`?" left the user
    to find (its shape is not the old one's)."""
    old = raw.get("packageConfig")
    if "packaging" in raw or not isinstance(old, dict):
        return None
    file = old.get("filePath")
    entry = file if isinstance(file, str) and file else "FILE"
    fields = {"entryfilePath": entry}
    if re.fullmatch(r".+\.\w+:\w+", entry):
        # `file.ts:handler` named the handler too: today's `handlerFunction`.
        fields["entryfilePath"], _, fields["handlerFunction"] = entry.partition(":")
    # A JSON string is a YAML double-quoted one.
    shown = ", ".join(
        f"{k}: {v}" if _PLAIN_VALUE.fullmatch(v) else f"{k}: {json.dumps(v)}"
        for k, v in fields.items()
    )
    return {
        "packageConfig": "`packageConfig` is an older Stacktape's; today's is packaging: "
        f"{{type: stacktape-lambda-buildpack, properties: {{{shown}}}}}"
    }


def _elsewhere_function_settings(raw: dict[str, Any]) -> dict[str, str]:
    """Hints for the failure settings other tools put on a function (SAM's and Lambda's
    `DeadLetterQueue`/`DeadLetterConfig`, the Serverless Framework's `onError`, an
    EventInvokeConfig's retry and age limits), which Stacktape has no property for: where
    Stacktape takes what they are for, written out with the queue they name when it is a
    plain name."""
    target = next(
        (v for k in ("deadLetterQueue", "onError") if isinstance(v := raw.get(k), str)), None
    )
    queue = target if target and _PLAIN_VALUE.fullmatch(target) and ":" not in target else "QUEUE"
    failed = (
        "Stacktape has no dead-letter queue on a function: an asynchronous event that "
        "fails its retries goes to the function's failure destination, "
        f"destinations: {{onFailure: $ResourceParam('{queue}', 'arn')}}"
    )
    retries = (
        "Stacktape sets no limit of its own on asynchronous retries: Lambda's apply "
        "(2 retries, events kept up to 6 hours), as in the simulation"
    )
    return {
        "deadLetterQueue": failed,
        "deadLetterConfig": failed,
        "onError": failed,
        "maximumRetryAttempts": retries,
        "maximumEventAgeInSeconds": retries,
    }


def legacy_image_config(raw: dict[str, Any]) -> dict[str, str] | None:
    """The hint for an older Stacktape's `imageConfig` on a container (a batch job's, a
    container workload's): today's `packaging`, a buildpack for its `filePath` or a
    Dockerfile for its `buildContextPath`, written out."""
    old = raw.get("imageConfig")
    if "packaging" in raw or not isinstance(old, dict):
        return None
    if isinstance(old.get("buildContextPath"), str):
        ptype, fields = "custom-dockerfile", {"buildContextPath": old["buildContextPath"]}
        if isinstance(old.get("command"), list) and all(isinstance(c, str) for c in old["command"]):
            fields["command"] = json.dumps(old["command"])
    else:
        file = old.get("filePath")
        entry = file if isinstance(file, str) and file else "FILE"
        ptype, fields = "stacktape-image-buildpack", {"entryfilePath": entry}
    shown = ", ".join(
        f"{k}: {v}" if _PLAIN_VALUE.fullmatch(v) or v.startswith("[") else f"{k}: {json.dumps(v)}"
        for k, v in fields.items()
    )
    return {
        "imageConfig": "`imageConfig` is an older Stacktape's; today's is packaging: "
        f"{{type: {ptype}, properties: {{{shown}}}}}"
    }


class ComputeReaders(_BuilderBase):
    """Readers of functions, batch jobs and state machines (a part of `normalize.StackBuilder`)."""

    def _function(self, name: str, raw: dict[str, Any], path: DataPath) -> Function:
        raw = dict(raw)
        if "accessControl" in raw:
            self._legacy_access_control(raw, path, name)
        legacy = _legacy_package_config(raw)
        unexposed = {**_elsewhere_function_settings(raw), **(legacy or {})}
        props = self.read_props(raw, path, FUNCTION_PROPS, name, unexposed=unexposed)
        if legacy:
            self.misspelt.setdefault(path, set()).add("packaging")  # one error, not two
        fn = Function(name=name, type="function", path=(path[0], path[1]), properties=raw)
        self.require(props, raw, "packaging", path, name, f"function {name!r}")
        fn.timeout_s = self.num(props, "timeout", fn.timeout_s, fn.defaults)
        fn.memory_mb = self.num(props, "memory", fn.memory_mb, fn.defaults)
        fn.runtime = props.get("runtime")
        if fn.runtime is None:
            fn.defaults.add("runtime")
        pack = props.get("packaging")
        if isinstance(pack, dict):
            self._packaging(pack, (*path, "packaging"), name, "function")
            fn.packaging_type = pack.get("type") if isinstance(pack.get("type"), str) else None
            pp = pack.get("properties")
            if isinstance(pp, dict):
                entry = pp.get("entryfilePath") or pp.get("handler") or pp.get("packagePath")
                fn.entry = entry if isinstance(entry, str) else None
        fn.reserved_concurrency = props.get("reservedConcurrency")
        fn.url_enabled, fn.url = self._function_url(props, path, name)
        fn.logging_disabled = bool(self.nested(props, "logging", path, name).get("disabled"))
        self.nested(props, "deployment", path, name)
        self._cdn(props, path, name)
        self._alarms(props, path, name, ALARM_TRIGGERS["function"])
        self.statements(props, "iamRoleStatements", path, name)
        self.each_item(props, "tags", path, name)
        self._function_mounts(props, path, name)
        dest = props.get("destinations")
        if isinstance(dest, dict):
            dpath = (*path, "destinations")
            dest = self._destination_mappings(dest, dpath, name)
            dp = self.read_props(
                dest,
                dpath,
                {"onSuccess": STR, "onFailure": STR},
                name,
                where=" in `destinations`",
            )
            fn.on_success = self.ref_by_arn(dp.get("onSuccess"), (*dpath, "onSuccess"))
            fn.on_failure = self.ref_by_arn(dp.get("onFailure"), (*dpath, "onFailure"))
        self._workload_common(fn, props, path)
        return fn

    def _destination_mappings(
        self, dest: dict[str, Any], dpath: DataPath, name: str
    ) -> dict[str, Any]:
        """`destinations` without the entries written as a mapping, each reported: the
        schema takes an ARN, though Stacktape's newer guide writes `onSuccess: {type: sqs,
        properties: {sqsQueueName: done}}`. The hint gives the ARN of the resource it names."""
        kept = dict(dest)
        for what in ("onSuccess", "onFailure"):
            value = dest.get(what)
            if not isinstance(value, dict):
                continue
            del kept[what]
            inner = value.get("properties")
            named = (
                [v for v in inner.values() if isinstance(v, str)] if isinstance(inner, dict) else []
            )
            self.diag(
                (*dpath, what),
                "error",
                "wrong-type",
                f"`{what}` must be a string (the destination's ARN), not a mapping",
                resource=name,
                hint=f"{what}: $ResourceParam('{named[0]}', 'arn')"
                if named
                else f"{what}: $ResourceParam('<queue, topic, function or bus>', 'arn')",
            )
        return kept

    def _function_url(
        self, props: dict[str, Any], path: DataPath, name: str
    ) -> tuple[bool, FunctionUrlConfig | None]:
        """`url` read and checked: whether it is enabled, and the function URL Stacktape
        deploys (also for a function with a `cdn`, whose origin is its URL), else None."""
        url = self.nested(props, "url", path, name)
        upath = (*path, "url")
        cors = self.nested(url, "cors", upath, name, "url cors")
        cpath = (*upath, "cors")
        self.items(cors, "allowedMethods", cpath, name, METHOD_ITEMS)
        for key in ("allowedOrigins", "allowedHeaders", "exposedResponseHeaders"):
            self.items(cors, key, cpath, name, STR)
        enabled = url.get("enabled") is True
        if not enabled and cdn_domains(props) is None:
            return enabled, None
        with_cors = cors.get("enabled") is True
        if with_cors and "allowedHeaders" in cors:
            # Stacktape's getLambdaUrl sets AllowHeaders from `allowedMethods` (else its
            # default list) and never reads `allowedHeaders`, as for an HTTP API.
            self.diag(
                (*cpath, "allowedHeaders"),
                "warning",
                "ignored-property",
                "`allowedHeaders` has no effect: Stacktape's function URL CORS takes the "
                "allowed headers from `allowedMethods` when it is set, else its default list "
                "(Content-Type, X-Amz-Date, Authorization, X-Api-Key, X-Amz-Security-Token, "
                "X-Amz-User-Agent)",
                resource=name,
                hint="rely on the default header list, or add the headers an override of "
                "the function URL's Cors needs",
                key=True,
            )

        def strings(key: str) -> tuple[str, ...] | None:
            value = cors.get(key)
            if not isinstance(value, list):
                return None
            return tuple(v for v in value if isinstance(v, str))

        methods = strings("allowedMethods")
        max_age = cors.get("maxAge")
        config = FunctionUrlConfig(
            auth_type=url.get("authMode", "NONE"),
            streaming=url.get("responseStreamEnabled") is True,
        )
        if with_cors:
            config = replace(
                config,
                cors_origins=strings("allowedOrigins") or ("*",),
                cors_methods=methods or ("*",),
                cors_headers=methods or DEFAULT_URL_CORS_HEADERS,
                cors_credentials=cors.get("allowCredentials") is True,
                cors_expose=strings("exposedResponseHeaders") or (),
                cors_max_age=max_age if isinstance(max_age, int) else None,
            )
        return enabled, config

    def _batch_job(self, name: str, raw: dict[str, Any], path: DataPath) -> BatchJob:
        raw = dict(raw)
        container = raw.get("container")
        # Where a top-level `packaging` read as the container's is written.
        pack_path: DataPath | None = None
        for moved in ("packaging", "environment"):
            if moved in raw:
                self.diag(
                    (*path, moved),
                    "warning",
                    "alternate-spelling",
                    f"a batch job's `{moved}` belongs under `container`",
                    key=True,
                    resource=name,
                    hint=(
                        f"write `container: {{{moved}: ...}}` (Stacktape's deployer rejects a "
                        f"top-level `{moved}`)"
                    ),
                )
                if container is None:
                    container = {}
                if isinstance(container, dict) and moved not in container:
                    container = {**container, moved: raw[moved]}
                    if moved == "packaging":
                        pack_path = (*path, moved)
                del raw[moved]
        if container is not None:
            raw["container"] = container
        if "accessControl" in raw:
            self._legacy_access_control(raw, path, name)
        props = self.read_props(raw, path, BATCH_PROPS, name)
        job = BatchJob(name=name, type="batch-job", path=(path[0], path[1]), properties=raw)
        self.require(props, raw, "container", path, name, f"batch job {name!r}")
        self.require(props, raw, "resources", path, name, f"batch job {name!r}")
        cont = props.get("container")
        env_raw: Any = None
        if isinstance(cont, dict):
            cpath = (*path, "container")
            legacy = legacy_image_config(cont)
            if legacy:
                self.misspelt.setdefault(cpath, set()).add("packaging")  # one error, not two
            cprops = self.read_props(
                cont,
                cpath,
                {"packaging": DICT, "environment": P("list|dict")},
                name,
                where=" in `container`",
                unexposed=legacy,
            )
            self.require(cprops, cont, "packaging", cpath, name, f"batch job {name!r} `container`")
            pack = cprops.get("packaging")
            if isinstance(pack, dict):
                self._packaging(pack, pack_path or (*cpath, "packaging"), name, "batch-job")
                if isinstance(pack.get("type"), str):
                    job.packaging_type = pack["type"]
            env_raw = cprops.get("environment")
            if env_raw is not None:
                job.environment = self._environment(env_raw, (*cpath, "environment"), name)
        res = props.get("resources")
        if isinstance(res, dict):
            rpath = (*path, "resources")
            rprops = self.read_props(
                res,
                rpath,
                {"cpu": P("num", lo=0.25), "memory": P("int", lo=1), "gpu": P("int", lo=0)},
                name,
                where=" in `resources`",
            )
            self.require(rprops, res, "cpu", rpath, name, f"batch job {name!r} `resources`")
            self.require(rprops, res, "memory", rpath, name, f"batch job {name!r} `resources`")
            job.cpu = rprops.get("cpu", job.cpu)
            job.memory_mb = rprops.get("memory", job.memory_mb)
            job.gpu = rprops.get("gpu")
        job.timeout_s = props.get("timeout")
        if job.timeout_s == 0:
            # `workload.timeout ? {AttemptDurationSeconds} : undefined` (Stacktape's
            # batch-jobs/utils.ts): 0 is falsy, so the job has no timeout.
            job.timeout_s = None
        elif isinstance(job.timeout_s, (int, float)) and job.timeout_s < MIN_ATTEMPT_DURATION_S:
            self.diag(
                (*path, "timeout"),
                "error",
                "out-of-range",
                f"`timeout` is {number_text(job.timeout_s)}; allowed: at least "
                f"{MIN_ATTEMPT_DURATION_S}, "
                "AWS Batch's minimum, or 0 for none",
                resource=name,
            )
            job.timeout_s = None
        if job.timeout_s is None:
            job.defaults.add("timeout")
        job.use_spot = bool(props.get("useSpotInstances", False))
        retry = props.get("retryConfig")
        if isinstance(retry, dict):
            rp = self.read_props(
                retry,
                (*path, "retryConfig"),
                {
                    # The total, run by Stacktape's state machine: no maximum (the 1-10 limit is
                    # AWS Batch's own retryStrategy, which Stacktape does not use; §2.3).
                    # 0 is one attempt: `retryConfig?.attempts || 1` (batch-jobs/utils.ts).
                    "attempts": P("int", lo=0),
                    "retryIntervalSeconds": P("num", lo=0),
                    "retryIntervalMultiplier": P("num", lo=0),
                },
                name,
                where=" in `retryConfig`",
            )
            job.attempts = self.num(rp, "attempts", job.attempts, job.defaults) or 1
            job.retry_interval_s = self.num(
                rp, "retryIntervalSeconds", job.retry_interval_s, job.defaults
            )
            job.retry_multiplier = self.num(
                rp, "retryIntervalMultiplier", job.retry_multiplier, job.defaults
            )
            self._retry_waits(rp, (*path, "retryConfig"), name)
        else:
            job.defaults.update({"attempts", "retryIntervalSeconds", "retryIntervalMultiplier"})
        job.logging_disabled = bool(self.nested(props, "logging", path, name).get("disabled"))
        self.statements(props, "iamRoleStatements", path, name)
        self._workload_common(job, props, path)
        return job

    def _packaging(self, pack: Any, path: DataPath, owner: str, holder: str) -> str | None:
        """Check a `packaging` (at `path`) against the types `holder` may use, and that
        type's properties; the type when it is one of them."""
        if not self.check_value(DICT, pack, path, "packaging", owner):
            return None
        types = PACKAGING[holder]
        allowed = ", ".join(types)
        self.read_props(pack, path, PACKAGING_KEYS, owner, where=" in `packaging`")
        ptype = pack.get("type")
        if "type" not in pack:
            self.diag(
                path,
                "error",
                "missing-property",
                f"`packaging` needs `type`; {HOLDER_WORDS[holder]}'s is one of: {allowed}",
                resource=owner,
            )
            return None
        tpath = (*path, "type")
        if isinstance(ptype, Placeholder):
            return None  # known at deploy time only
        if not isinstance(ptype, str) or ptype not in types:
            is_str = isinstance(ptype, str)
            others = [HOLDER_WORDS[h] for h, t in PACKAGING.items() if is_str and ptype in t]
            note = f"{ptype!r} is for {' or '.join(others)}" if others else ""
            if others:
                guess = BUILDPACK_SWAP.get(ptype)
            else:
                guess = _packaging_guess(ptype, types) if is_str else None
            self.diag(
                tpath,
                "error",
                "invalid-value" if is_str else "wrong-type",
                f"packaging `type` is {repr(ptype) if is_str else describe_value(ptype)}; "
                f"{HOLDER_WORDS[holder]}'s is one of: {allowed}" + (f" ({note})" if note else ""),
                resource=owner,
                hint=f"did you mean {guess!r}?" if guess else None,
            )
            return None
        kind = types[ptype]
        if "properties" not in pack:
            self.diag(
                path,
                "error",
                "missing-property",
                f"`{ptype}` packaging needs `properties` (with "
                f"{' and '.join(f'`{k}`' for k in kind.required)})",
                resource=owner,
            )
            return ptype
        raw = pack["properties"]
        if not isinstance(raw, dict):
            return ptype  # reported by read_props above
        ppath = (*path, "properties")
        props = self.read_props(
            raw, ppath, kind.props, owner, where=f" in `{ptype}` packaging properties"
        )
        self.require_all(
            props, raw, kind.props, kind.required, ppath, owner, f"`{ptype}` packaging"
        )
        if ptype in LANGUAGE_CONFIG_PACKAGING:
            self._language_config(props, ppath, owner)
        self.each_item(props, "buildArgs", ppath, owner)
        self.each_item(props, "phases", ppath, owner)
        return ptype

    def _retry_waits(self, rp: dict[str, Any], path: DataPath, name: str) -> None:
        """Each wait between a batch job's attempts is a Step Functions Wait state whose
        `Seconds` Stacktape computes as `(retryIntervalSeconds || 0) * i *
        (retryIntervalMultiplier || 1)` after attempt i (batch-jobs/utils.ts); Step Functions
        takes only a whole number of seconds up to _MAX_WAIT_S, so the deploy would fail."""
        attempts = int(rp.get("attempts", 1))  # "int" takes a whole float (3.0) too
        interval = _js_number(rp.get("retryIntervalSeconds") or 0)
        multiplier = _js_number(rp.get("retryIntervalMultiplier") or 1)
        # The waits grow with i: past the first few thousand only the last can be too long
        # (and a state machine with that many states is over Step Functions' size limit).
        scanned = range(1, min(attempts, _MAX_SCANNED_WAITS + 1))
        for i in (*scanned, *([attempts - 1] if attempts - 1 > _MAX_SCANNED_WAITS else [])):
            # The same IEEE product, in the same order, as the JavaScript that writes it.
            wait = interval * i * multiplier
            fits = math.isfinite(wait) and wait <= _MAX_WAIT_S
            if fits and wait.is_integer():
                continue
            culprit = "retryIntervalSeconds"
            if not fits:
                problem = f"Step Functions waits at most {_MAX_WAIT_S:,} seconds"
                hint = "lower retryIntervalSeconds, retryIntervalMultiplier or attempts"
            else:
                problem = "Step Functions takes only a whole number of seconds"
                if interval.is_integer():  # a whole interval: the multiplier did it
                    culprit = "retryIntervalMultiplier"
                    fix = math.ceil(multiplier)
                else:
                    fix = math.ceil(interval)
                hint = f"use whole numbers, e.g. {culprit}: {fix}"
            self.diag(
                (*path, culprit),
                "error",
                "batch-retry-wait",
                f"the wait after attempt {i} of batch job {name!r} would be "
                f"{_wait_text(wait)} seconds "
                f"(retryIntervalSeconds x {i} "
                "x retryIntervalMultiplier), the `Seconds` of a Step Functions Wait state in the "
                f"job's state machine; {problem}, so the deploy fails",
                resource=name,
                hint=hint,
            )
            return

    def _function_mounts(self, props: dict[str, Any], path: DataPath, owner: str) -> None:
        """Each of a function's `volumeMounts`: an `efs` or `s3files` mount and its properties."""
        mounts = props.get("volumeMounts")
        for i, mount in enumerate(mounts if isinstance(mounts, list) else []):
            mpath = (*path, "volumeMounts", i)
            self.typed_object(mount, mpath, owner, "volume mount", FUNCTION_VOLUME_MOUNTS)

    def _lambda_backed(self, name: str, raw: dict[str, Any], path: DataPath) -> Resource:
        """A Lambda function stptui does not run (an edge function, a custom resource's
        definition, a deployment script): its properties, packaging (a function's), logging
        and IAM statements, as Stacktape's schema takes them."""
        rtype = self.stack.resources[name].type
        table, required = LAMBDA_BACKED_TYPES[rtype]
        props = self.read_props(raw, path, table, name)
        self.require_all(props, raw, table, required, path, name, f"{rtype} {name!r}")
        if isinstance(props.get("packaging"), dict):
            self._packaging(props["packaging"], (*path, "packaging"), name, "function")
        self.nested(props, "logging", path, name)
        self.statements(props, "iamRoleStatements", path, name)
        return Resource(name=name, type=rtype, path=path[:2], properties=raw)

    def _language_config(self, pp: dict[str, Any], path: DataPath, owner: str) -> None:
        """A lambda buildpack's `languageSpecificConfig` (in the packaging properties `pp` at
        `path`): its properties against the config of the entry file's language, or of any
        language when the extension names none. A property of another language's config is
        one Stacktape's schema takes but its buildpack for this language never reads."""
        raw = pp.get("languageSpecificConfig")
        if not isinstance(raw, dict):
            return
        lpath = (*path, "languageSpecificConfig")
        entry = pp.get("entryfilePath")
        suffix = PurePosixPath(entry).suffix.lower() if isinstance(entry, str) else ""
        language = LANGUAGE_BY_EXTENSION.get(suffix)
        own = LANGUAGE_SPECIFIC_CONFIGS[language] if language else ANY_LANGUAGE_CONFIG
        where = f" in `languageSpecificConfig`{f' for a {language} entry file' if language else ''}"
        for key, value in raw.items():
            kpath = (*lpath, key)
            if key in own:
                self.check_value(own[key], value, kpath, key, owner)
                continue
            if key in ANY_LANGUAGE_CONFIG:
                others = [n for n, t in LANGUAGE_SPECIFIC_CONFIGS.items() if key in t]
                self.diag(
                    kpath,
                    "warning",
                    "ignored-property",
                    f"`{key}` is an option of the {' and '.join(others)} config; the buildpack "
                    f"ignores it for the {language} entry file {entry!r}",
                    key=True,
                    resource=owner,
                    hint=f"remove it, or point `entryfilePath` at the {others[0]} entry file",
                )
                continue
            guess = did_you_mean(key, own) or did_you_mean(key, ANY_LANGUAGE_CONFIG)
            known = ", ".join(sorted(own)) or "none"
            self.diag(
                kpath,
                "error",
                "unknown-property",
                f"unknown property `{named(key)}`{where}",
                key=True,
                resource=owner,
                hint=f"did you mean `{guess}`?" if guess else f"known: {known}",
            )

    def _state_machine(self, name: str, raw: dict[str, Any], path: DataPath) -> StateMachine:
        # The definition's own checks (stptui.sim.asl) run in the linter, which reports them
        # at their line inside it; here it only has to be there and be a mapping.
        props = self.read_props(raw, path, STATE_MACHINE_PROPS, name)
        sm = StateMachine(name=name, type="state-machine", path=path[:2], properties=raw)
        sm.definition_path = (*path, "definition")
        if self.require(props, raw, "definition", path, name, f"state-machine {name!r}"):
            sm.definition = props["definition"]
        return sm
