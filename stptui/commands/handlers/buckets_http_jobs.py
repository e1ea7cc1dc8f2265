"""Commands for S3 buckets, HTTP APIs and batch jobs."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from weakref import WeakKeyDictionary

from stptui.commands.handlers.base import (
    MAX_SHOWN_MESSAGES,
    REGISTRY,
    behaviour_summary,
    command,
    local_path,
    now_line,
    parse_payload,
    query_pairs,
    refuse_past_end,
    refuse_unquoted_json,
    shorten,
)
from stptui.commands.handlers.function_urls import http_to_url, url_rows, url_target
from stptui.commands.handlers.functions import stack_graph
from stptui.commands.handlers.job_view import execution_data, failed_triggers
from stptui.commands.registry import (
    COUNT,
    FILE,
    FLAG,
    FUNCTION_URL,
    HTTP_ENTRY,
    HTTP_HEADER,
    HTTP_METHOD,
    KEY_VALUE,
    LISTENER_PORT,
    NEW_OBJECT_KEY,
    OBJECT_KEY,
    PAYLOAD,
    POOL_USER,
    ROUTE_PATH,
    TEXT,
    WORD,
    Arg,
    Call,
    CommandError,
    Option,
    format_line,
    quote_word,
)
from stptui.commands.result import CommandResult
from stptui.commands.session import Session
from stptui.config.diagnostics import did_you_mean, with_article
from stptui.sim import s3_restore
from stptui.sim import trace as tk
from stptui.sim.behavior import (
    format_duration,
)
from stptui.sim.clock import MAX_MS, iso_ms
from stptui.sim.engine import SimError, Simulator
from stptui.sim.s3_lifecycle import ARCHIVED, NOT_MOVED_SMALL, rule_words
from stptui.sim.services.batch import BatchJobSim, BatchService
from stptui.sim.services.bucket import CREATE_OPERATIONS
from stptui.sim.services.http import HTTP_METHODS, HttpResponse
from stptui.textsafe import double_quoted, one_line, shown, typed_names

# -- buckets, HTTP APIs and batch jobs -------------------------------------------------------

MAX_LOCAL_UPLOAD = 16 * 1024 * 1024  # what `upload --from/--content` reads into memory
SHOWN_EXECUTIONS = 10  # the most recent executions of each job in `show jobs` data
_SIZE_UNITS = {
    "": 1,
    "B": 1,
    "KB": 1000,
    "MB": 1000**2,
    "GB": 1000**3,
    "TB": 1000**4,
    "KIB": 1024,
    "MIB": 1024**2,
    "GIB": 1024**3,
    "TIB": 1024**4,
}


def _sim_call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a service method, turning its SimError into a CommandError."""
    try:
        return fn(*args, **kwargs)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None


def _byte_size(text: str) -> int:
    """`--size`: bytes, optionally with a unit (`5MB`, `6GiB`)."""
    m = re.fullmatch(r"(\d+)\s*([A-Za-z]*)", text.strip())
    unit = m.group(2).upper() if m else ""
    if m is None or unit not in _SIZE_UNITS:
        raise CommandError(
            f"--size must be a whole number of bytes, optionally with a unit, not {text!r}",
            "e.g. --size 2048, --size 5MB, --size 6GiB",
            word=text,
        )
    digits = m.group(1).lstrip("0") or "0"
    if len(digits) > 16:
        # A whole number all the same (and int() would refuse one of 4,300 digits).
        raise CommandError(
            f"--size {shorten(digits, 24)} is more bytes than an S3 object holds "
            "(at most 5 TiB, 5,497,558,138,880 bytes, in a multipart upload)",
            "e.g. --size 5GB --op multipart",
        )
    return int(digits) * _SIZE_UNITS[unit]


def read_from(text: str) -> bytes:
    """The bytes of the file `upload --from` names, or the CommandError that says why not."""
    path = local_path(text)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise CommandError(f"--from {path}: not a file", "give the path of a file")
        if size > MAX_LOCAL_UPLOAD:
            raise CommandError(
                f"--from {path}: {size:,} bytes; stptui reads at most {MAX_LOCAL_UPLOAD:,}",
                f"simulate it with --size {size}",
            )
        return path.read_bytes()
    except OSError as exc:
        raise CommandError(
            f"--from {path}: {exc.strerror or exc}", "give the path of a file you can read"
        ) from None


@lru_cache(maxsize=1)
def _decoded(text: str) -> bytes:
    """`--base64` decoded; the same text twice in a row (a `repeat` of one upload) gives the
    very same bytes, which its objects then share rather than holding a copy each."""
    return base64.b64decode(text, validate=True)


def _upload_content(call: Call) -> tuple[bytes | None, int | None]:
    """(content, size) from `--content`, `--base64`, `--from` or `--size` (at most one).

    An upload `--from` a file is logged with the file's bytes as `--base64`: a saved
    session or a recording then replays without the file, wherever it is loaded."""
    given = [o for o in ("size", "from", "content", "base64") if o in call.opts]
    if len(given) > 1:
        raise CommandError(
            f"give at most one of --size, --from, --content and --base64, not {', '.join(given)}",
            "keep the one that says what the object holds",
        )
    if "content" in call.opts:
        content = call.opts["content"].encode("utf-8", "surrogatepass")
        if len(content) > MAX_LOCAL_UPLOAD:
            raise CommandError("--content is too large", "simulate a large object with --size")
        return content, None
    if "base64" in call.opts:
        try:
            content = _decoded(call.opts["base64"])
        except ValueError:
            raise CommandError(
                "--base64 is not base64 text", "e.g. --base64 aWQsYW1vdW50 (for 'id,amount')"
            ) from None
        if len(content) > MAX_LOCAL_UPLOAD:
            raise CommandError("--base64 is too large", "simulate a large object with --size")
        return content, None
    if "from" in call.opts:
        content = read_from(call.opts["from"])
        options = [("--base64", base64.b64encode(content).decode("ascii"))]
        if "op" in call.opts:
            options.append(("--op", call.opts["op"]))
        # The tags too: a lifecycle rule's tag filter selects the replayed object as it did.
        options += [("--tag", tag) for tag in call.opts.get("tag", [])]
        values = [call.args["bucket"], call.args["key"]]
        call.log_line = format_line("upload", values, options)
        return content, None
    if "size" in call.opts:
        return None, _byte_size(call.opts["size"])
    return None, None


def _notification_lines(records: list[tk.Record]) -> list[str]:
    """One line per notification a bucket event matched or skipped (with the reason)."""
    lines = []
    for r in records:
        if r.kind == tk.NOTIFICATION_MATCHED:
            ident = r.get("event_id") or r.get("execution_id")
            lines.append(f"  -> {r.get('target')} ({r.get('configuration')}): {ident}")
        elif r.kind == tk.NOTIFICATION_SKIPPED:
            where = f"{r.get('target')} ({r.get('configuration')})"
            lines.append(f"  skipped {where}: {r.get('reason')}")
    return lines


def _notification_data(records: list[tk.Record]) -> dict[str, Any]:
    return {
        "matched": [
            {"target": r.get("target"), "configuration": r.get("configuration")}
            for r in records
            if r.kind == tk.NOTIFICATION_MATCHED
        ],
        "skipped": [
            {
                "target": r.get("target"),
                "configuration": r.get("configuration"),
                "reason": r.get("reason"),
            }
            for r in records
            if r.kind == tk.NOTIFICATION_SKIPPED
        ],
    }


def _refuse_s3_uri(command: str, words: list[str]) -> None:
    """An object named as the AWS CLI names it (`upload s3://uploads/a.csv`): refused with
    the bucket and the key as the two words the command takes."""
    if not words or not words[0].startswith("s3://"):
        return
    bucket, _, key = words[0].removeprefix("s3://").partition("/")
    raise CommandError(
        f"{command} takes the bucket and the key as two words, not an S3 URI",
        f"write them apart: {command} {quote_word(bucket or 'BUCKET')} {quote_word(key or 'KEY')}",
    )


@command(
    "upload",
    "messages",
    "Put an object into a bucket (PutObject) and send its event notifications.",
    args=(
        Arg("BUCKET", "bucket", "a bucket of the stack"),
        Arg("KEY", NEW_OBJECT_KEY, "the object key, e.g. incoming/report.csv"),
    ),
    options=(
        Option("--size", WORD, "the object's size (no content): 2048, 5MB, 6GiB", "N"),
        Option("--from", FILE, "upload a local file (at most 16 MiB)", "PATH"),
        Option("--content", TEXT, "the object's content as text", "TEXT"),
        Option(
            "--base64",
            TEXT,
            "the object's content, base64-encoded (how a session records --from)",
            "B64",
        ),
        Option(
            "--op",
            WORD,
            "how it is created: put (default), post, copy or multipart",
            "OP",
            choices=tuple(CREATE_OPERATIONS),
        ),
        Option("--tag", KEY_VALUE, "an object tag (what lifecycle rules filter on)", "K=V", True),
        Option(
            "--incomplete",
            FLAG,
            "start a multipart upload and never complete it (no object, no event)",
        ),
    ),
    examples=(
        "upload uploads incoming/report.csv --content 'id,amount'",
        "upload uploads incoming/big.bin --size 6GiB --op multipart",
        "upload uploads raw/photo.jpg --from ./photo.jpg",
        "upload uploads tmp/export.csv --size 200KB --tag class=scratch",
        "upload uploads incoming/huge.bin --incomplete",
    ),
    details=(
        "Without --size, --from or --content the object is empty. Each notification of "
        "the bucket reports a match (the function or batch job it starts) or why it was "
        "skipped: another event type, or a key outside its prefix/suffix filter, which S3"
        " compares, case-sensitively, with the URL-encoded key. A session (save, record) "
        "keeps an upload --from as --base64 with the file's bytes: it replays without the"
        " file. The bucket's lifecycle rules schedule what they will do to the object "
        "(`show bucket`, `show agenda`); --tag gives it the tags their filters name. "
        "--incomplete leaves a multipart upload in progress, which only an "
        "abort-incomplete-multipart-upload rule removes."
    ),
    changes_state=True,
    check_words=lambda words: _refuse_s3_uri("upload", words),
)
def cmd_upload(session: Session, call: Call) -> CommandResult:
    """upload BUCKET KEY [--size N] [--from PATH] [--content TEXT] [--base64 B64] [--op OP]
    [--tag K=V ...] [--incomplete]"""
    sim = session.sim
    tags = _tags(call.opts.get("tag", []))
    if "incomplete" in call.opts:
        return _start_multipart(sim, call, tags)
    content, size = _upload_content(call)
    before = sim.trace.seq
    obj = _sim_call(
        sim.services["buckets"].put_object,
        call.args["bucket"],
        call.args["key"],
        content=content,
        size=size,
        operation=call.opts.get("op", "put"),
        tags=tags,
    )
    recs = list(sim.trace.since(before))
    created = next(r for r in recs if r.kind == tk.OBJECT_CREATED)
    lines = [
        f"{created.get('event')} {created.resource}/{shown(obj.key)}: "
        f"{obj.size:,} byte{'s' * (obj.size != 1)}, ETag {obj.etag}"
        + (f", version {obj.version_id}" if obj.version_id else ""),
        *_notification_lines(recs),
    ]
    return CommandResult(
        "\n".join(lines),
        data={
            "bucket": created.resource,
            "key": obj.key,
            "size": obj.size,
            "etag": obj.etag,
            "version_id": obj.version_id,
            "sequencer": obj.sequencer,
            **_notification_data(recs),
        },
    )


def _tags(pairs: list[str]) -> dict[str, str]:
    """`--tag k=v` values as an object's tags (S3's limits are checked by the bucket)."""
    tags: dict[str, str] = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq:
            raise CommandError(
                f"--tag needs KEY=VALUE, not {pair!r}", "e.g. --tag class=scratch", word=pair
            )
        if key in tags:
            raise CommandError(
                f"InvalidTag: Cannot provide multiple Tags with the same key ({key!r})",
                "give each tag key once",
                word=pair,
            )
        tags[key] = value
    return tags


def _start_multipart(sim: Simulator, call: Call, tags: dict[str, str]) -> CommandResult:
    """`upload --incomplete`: CreateMultipartUpload only."""
    extra = [o for o in ("size", "from", "content", "base64", "op") if o in call.opts]
    if extra or tags:
        given = ", ".join(f"--{o}" for o in extra) or "--tag"
        raise CommandError(
            f"--incomplete starts an upload that never completes: it takes no {given}",
            "an incomplete upload has no object yet; drop --incomplete to create one",
        )
    upload = _sim_call(
        sim.services["buckets"].create_multipart_upload, call.args["bucket"], call.args["key"]
    )
    bucket = sim.services["buckets"].bucket(call.args["bucket"])
    pending = upload.lifecycle
    when = (
        f"; {pending.describe()} at {iso_ms(pending.due.at)}"
        if pending is not None
        else "; no lifecycle rule aborts it"
    )
    return CommandResult(
        f"started multipart upload {upload.upload_id} of {bucket.name}/{shown(upload.key)} "
        f"(not completed: no object, no event){when}",
        data={"bucket": bucket.name, "key": upload.key, "upload_id": upload.upload_id},
    )


@command(
    "delete",
    "messages",
    "Delete an object from a bucket (DeleteObject) and send its event notifications.",
    args=(
        Arg("BUCKET", "bucket", "a bucket of the stack"),
        Arg("KEY", OBJECT_KEY, "an object key (the bucket need not have it)"),
    ),
    options=(
        Option(
            "--version-id",
            WORD,
            "delete this version or delete marker for good (a versioned bucket)",
            "ID",
        ),
    ),
    examples=(
        "delete uploads incoming/report.csv",
        "delete reports exports/a.csv --version-id SW3OpQDkxq7.0MxQEXOTwI2odGyjYcHF",
    ),
    details=(
        "On a versioned bucket this adds a delete marker "
        "(ObjectRemoved:DeleteMarkerCreated); otherwise the object is removed "
        "(ObjectRemoved:Delete). A key the bucket does not have is no error, as in S3 "
        "(204): a versioned bucket still gets its delete marker, an unversioned one loses "
        "nothing, and the event is sent either way; the output says so. With --version-id "
        "(`show bucket` lists the versions) that version is deleted for good "
        "(ObjectRemoved:Delete): the version before it becomes current again if it was "
        "current, and deleting a current delete marker brings the object back."
    ),
    changes_state=True,
    check_words=lambda words: _refuse_s3_uri("delete", words),
)
def cmd_delete(session: Session, call: Call) -> CommandResult:
    """delete BUCKET KEY [--version-id ID]"""
    sim = session.sim
    before = sim.trace.seq
    version = call.opts.get("version_id")
    _sim_call(
        sim.services["buckets"].delete_object,
        call.args["bucket"],
        call.args["key"],
        version_id=version,
    )
    recs = list(sim.trace.since(before))
    deleted = next(r for r in recs if r.kind == tk.OBJECT_DELETED)
    head = f"{deleted.get('event')} {deleted.resource}/{deleted.get('key')}"
    if version:
        head += f" version {version}"
    elif deleted.get("version_id"):
        # The marker's id is what `delete --version-id` takes to bring the object back.
        head += f": delete marker {deleted.get('version_id')}"
    lines = [head]
    reason = deleted.get("reason")
    if reason:
        lines.append(f"  {reason}")
    lines += _notification_lines(recs)
    return CommandResult(
        "\n".join(lines),
        data={
            "bucket": deleted.resource,
            "key": deleted.get("key"),
            "event": deleted.get("event"),
            "version_id": deleted.get("version_id"),
            "existed": version is not None or not reason,
            **_notification_data(recs),
        },
    )


# The most --days says (seven digits): more would outlast the virtual clock's calendar,
# which ends in 9999, whatever day the restore starts.
MAX_RESTORE_DAYS = 9_999_999


@command(
    "restore",
    "messages",
    "Restore an archived object (RestoreObject): a temporary copy after the retrieval.",
    args=(
        Arg("BUCKET", "bucket", "a bucket of the stack"),
        Arg("KEY", OBJECT_KEY, "the key of a GLACIER or DEEP_ARCHIVE object in the bucket"),
    ),
    options=(
        Option("--days", COUNT, "how many days the restored copy stays (default 1)", "N"),
        Option(
            "--tier",
            WORD,
            "Expedited (GLACIER only), Standard (default) or Bulk",
            "TIER",
            choices=s3_restore.TIERS,
        ),
        Option("--version-id", WORD, "restore this version (a versioned bucket)", "ID"),
    ),
    examples=(
        "restore archive reports/2025.csv --days 3",
        "restore archive reports/2025.csv --days 3 --tier Expedited",
    ),
    details=(
        "Only an object a lifecycle rule moved to GLACIER or DEEP_ARCHIVE can be restored. "
        "The retrieval takes, on the virtual clock, the longest time AWS gives for the class"
        " and tier: GLACIER Expedited 5 minutes, Standard 5 hours, Bulk 12 hours; "
        "DEEP_ARCHIVE Standard 12 hours, Bulk 48 hours. Then the object can be read (Step "
        "Functions' getObject, a Distributed Map's ItemReader) until the copy expires: the "
        "days counted from the completion, rounded to the next midnight UTC. It answers 202 "
        "Accepted; a restore of a restored object answers 200 OK and counts its days again "
        "from now; one while the retrieval runs is RestoreAlreadyInProgress, unless it asks "
        "a faster tier with the same days (an upgrade). The bucket's notifications get "
        "ObjectRestore:Post, :Completed and :Delete; `show bucket` and `show agenda` show "
        "what is running and until when a copy stays."
    ),
    changes_state=True,
    check_words=lambda words: _refuse_s3_uri("restore", words),
)
def cmd_restore(session: Session, call: Call) -> CommandResult:
    """restore BUCKET KEY [--days N] [--tier TIER] [--version-id ID]"""
    sim = session.sim
    days_text = call.opts.get("days", "1")
    digits = days_text.isascii() and days_text.isdecimal()  # not `２`, as every count
    if not digits or len(days_text) > 7 or int(days_text) < 1:
        raise CommandError(
            f"--days must be a whole number of days from 1 to {MAX_RESTORE_DAYS:,}, "
            f"not {shorten(days_text, 24)!r}",
            "e.g. --days 3",
        )
    tier_text = call.opts.get("tier", s3_restore.DEFAULT_TIER)
    tier = next((t for t in s3_restore.TIERS if t.lower() == tier_text.lower()), None)
    if tier is None:
        raise CommandError(
            f"--tier must be one of {', '.join(s3_restore.TIERS)}, not {shorten(tier_text, 24)!r}",
            "e.g. --tier Bulk",
        )
    before = sim.trace.seq
    status, obj = _sim_call(
        sim.services["buckets"].restore_object,
        call.args["bucket"],
        call.args["key"],
        days=int(days_text),
        tier=tier,
        version_id=call.opts.get("version_id"),
    )
    recs = list(sim.trace.since(before))
    rec = next(r for r in recs if r.kind.startswith("restore."))
    where = f"{rec.resource}/{shown(obj.key)}" + (
        f" version {obj.version_id}" if obj.version_id else ""
    )
    if rec.kind == tk.RESTORE_INITIATED:
        head = (
            f"{s3_restore.POST} {where}: 202 Accepted; {tier} retrieval from "
            f"{obj.storage_class} completes at {rec.get('completes_at')}, then the copy "
            f"stays {int(days_text)} day{'s' * (days_text != '1')}"
        )
    elif rec.kind == tk.RESTORE_UPGRADED:
        head = (
            f"202 Accepted: the restore of {where} is upgraded from {rec.get('from_tier')} to "
            f"{tier}; it completes at {rec.get('completes_at')}"
        )
    else:
        head = (
            f"200 OK: {where} is restored; its copy now stays until {rec.get('expiry')} "
            f"(was {rec.get('previous_expiry')})"
        )
    return CommandResult(
        "\n".join([head, *_notification_lines(recs)]),
        data={
            "bucket": rec.resource,
            "key": obj.key,
            "version_id": obj.version_id,
            "status": status,
            "record": rec.kind,
            "tier": tier,
            "completes_at": rec.get("completes_at"),
            "expiry": rec.get("expiry"),
            **_notification_data(recs),
        },
    )


def check_http_method(method: str) -> None:
    """A CommandError when `method` (any case: the gateway reads it upper-cased) is none of
    the methods an HTTP API route takes; `http` and the REPL's validator both ask."""
    if method.upper() not in HTTP_METHODS:
        # As typed: the gateway reads it upper-cased, but `/JOBS` is not what was written.
        guess = did_you_mean(method.upper(), HTTP_METHODS)
        if method.startswith("/"):
            hint = f"the method goes first: http GET {quote_word(method)}"
        elif guess:
            hint = f"did you mean {guess}?"
        else:
            hint = f"one of {', '.join(HTTP_METHODS)}"
        raise CommandError(f"unknown HTTP method {method!r}", hint, word=method)


def http_entry(sim: Simulator, name: str | None) -> str:
    """Where `http` sends a request: "lb" for an application load balancer, "api" for an
    HTTP API. `--gateway` names either; without it, the HTTP API as before when the stack
    has one, else its load balancer. A CommandError for a name that is neither, and for a
    stack whose only load balancers are network load balancers, which are not simulated."""
    lbs = sim.services["load_balancers"]
    apis = sim.services["http"].apis
    if name is not None:
        # A web-service's name stands for its own HTTP API or load balancer.
        if lbs.aliases.get(name, name) in (*lbs.balancers, *lbs.network):
            _sim_call(lbs.balancer, name)  # refuses a network load balancer clearly
            return "lb"
        if sim.services["http"].aliases.get(name, name) not in apis and lbs.balancers:
            entries = [*apis, *lbs.balancers]
            other = sim.stack.resources.get(name)
            if other is not None:
                raise CommandError(
                    f"{name!r} is {with_article(other.type)}, not an http-api-gateway or "
                    "application-load-balancer",
                    f"one of {', '.join(entries)}",
                    word=name,
                )
            guess = did_you_mean(name, [*entries, *lbs.aliases, *sim.services["http"].aliases])
            raise CommandError(
                f"no http-api-gateway or application-load-balancer named {name!r}",
                f"did you mean {quote_word(guess)}?" if guess else f"one of {', '.join(entries)}",
                word=name,
            )
        return "api"
    if apis or not (lbs.balancers or lbs.network):
        return "api"
    _sim_call(lbs.balancer, None if lbs.balancers else lbs.network[0])
    return "lb"


def check_http_entry(sim: Simulator, name: str) -> None:
    """A CommandError when `name` is neither an HTTP API nor an application load balancer
    (what `--gateway` takes); the REPL's validator asks."""
    if http_entry(sim, name) == "api":
        _sim_call(sim.services["http"].api, name)


def _check_http_call(sim: Simulator, call: Call) -> None:
    """`http`'s checks of a bound line before the request (its method, an entry named where
    the path goes, a body that lost its quotes), in the command's order; the REPL's check
    before Enter asks them."""
    check_http_method(call.args["method"])
    _refuse_entry_as_path(sim, call)
    refuse_unquoted_json(call, "body", "the body")


def _refuse_entry_as_path(sim: Simulator, call: Call) -> None:
    """Refuse `http GET datasetApi /list`: a function URL, HTTP API or load balancer named
    where the path goes (as a URL is written, host first), whose refusal was "the path must
    start with '/'" with an example path, when the option that names it is what was wanted."""
    path: str = call.args["path"]
    if path.startswith("/"):
        return
    http, lbs = sim.services["http"], sim.services["load_balancers"]
    if path in sim.services["function_urls"].urls:
        option, what = "--url", "a function with a URL"
    elif any(path in names for names in (http.apis, http.aliases, lbs.balancers, lbs.aliases)):
        # A web-service's own entry (`web.httpApiGateway`) is no resource of the config.
        res = sim.stack.resources.get(path)
        option = "--gateway"
        what = with_article(res.type) if res is not None else "a web service's own entry"
    else:
        return
    body = call.args["body"]
    method = call.args["method"].upper()
    if not (isinstance(body, str) and body.startswith("/")) and _own_route(sim, method, path):
        return  # `http GET health` with a route GET /health: the path without its slash
    words = [method]
    if isinstance(body, str) and body.startswith("/"):
        words.append(body)
    else:
        words += ["/", *([body] if body is not None else [])]
    meant = " ".join(["http", *(quote_word(w) for w in words), option, quote_word(path)])
    raise CommandError(
        f"{path!r} is {what}, not a path", f"the path goes after the method: {meant}", word=path
    )


def _own_route(sim: Simulator, method: str, word: str) -> bool:
    """Whether an HTTP API has a route of its own (no `{proxy+}`, no `$default`) for
    `METHOD /word`."""
    for api in sim.services["http"].apis.values():
        hit = api.select(method, f"/{word}")
        if hit is not None and not hit[0].is_default and "+" not in hit[0].path:
            return True
    return False


def _no_http_entry(sim: Simulator) -> CommandError | None:
    """The refusal of a request to a stack that nothing takes one in (no HTTP API, no load
    balancer, no one function URL), with what does drive it: its hint was `help http`'s,
    which says how to write a request this stack cannot take."""
    balancers = sim.services["load_balancers"]
    if sim.services["http"].apis or balancers.balancers or balancers.network:
        return None  # a network load balancer's own refusal says what stptui does not do
    urls = sorted(sim.services["function_urls"].urls)
    if urls:
        hint = f"its function URLs take requests: add --url FN (one of {typed_names(urls)})"
    else:
        hint = f"it takes no HTTP request; {drive_hint(sim)}"
    return CommandError("this stack has no http-api-gateway", hint)


def drive_hint(sim: Simulator) -> str:
    """`drive it with upload uploads KEY, invoke fileProcessor`: the commands that start
    work in this stack, a few of them, each with the first resource it takes and the
    arguments it needs after it."""
    from stptui.commands.session import work_starters

    lines = [f"fire {quote_word(owner)}" for owner in sim.services["schedules"].by_owner]
    jobs = sim.services["batch"].jobs if "batch" in sim.services else {}
    lines += [f"start-job {quote_word(job)}" for job in jobs]
    for verb, name in work_starters(sim.stack, drive_graph(sim)):
        needed = [a.name for a in REGISTRY.commands[verb].args[1:] if not a.optional]
        lines.append(" ".join([verb, quote_word(name), *needed]))
    lines += [f"invoke {quote_word(fn)}" for fn in sim.functions]
    if not lines:
        return "`help` lists the commands"
    return f"drive it with {', '.join(dict.fromkeys(lines[:DRIVE_LINES]))}"


# The most commands `drive_hint` names.
DRIVE_LINES = 4
# The graphs `drive_hint` walks, one per simulator.
_DRIVE_GRAPHS: WeakKeyDictionary[Simulator, Any] = WeakKeyDictionary()


def drive_graph(sim: Simulator) -> Any:
    """The stack's graph with the behaviours' `poll` items, as `stptui STACK` draws it (a
    queue that only a worker polls sets work off), built once per simulator: neither its
    stack nor its behaviours change. Without `poll` items it is `show function`'s."""
    from stptui.graph import PollEdge, build_graph

    polls = sim.behaviors.polls()
    if not polls:
        return stack_graph(sim)
    g = _DRIVE_GRAPHS.get(sim)
    if g is None:
        edges = [PollEdge(p.queue, p.workload, p.container, p.pos) for p in polls]
        g = _DRIVE_GRAPHS[sim] = build_graph(sim.stack, edges)
    return g


@command(
    "http",
    "messages",
    "Send a request to the stack's HTTP API or load balancer and run the clock until the response.",
    args=(
        Arg(
            "METHOD",
            HTTP_METHOD,
            "GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS",
            choices=HTTP_METHODS,
        ),
        Arg("PATH", ROUTE_PATH, "the request path, optionally with ?query, e.g. /webhooks/github"),
        Arg("BODY", TEXT, "the request body, quoted as one word", optional=True),
    ),
    options=(
        Option("--header", HTTP_HEADER, "a request header", "NAME:VALUE", repeat=True),
        Option("--query", KEY_VALUE, "a query string parameter", "NAME=VALUE", repeat=True),
        Option(
            "--gateway",
            HTTP_ENTRY,
            "the HTTP API or application load balancer, when the stack has several",
            "NAME",
        ),
        Option(
            "--jwt",
            WORD,
            "send an ID token of the route's user pool with these claims (or '-' for none)",
            "CLAIM=VALUE,...",
        ),
        Option(
            "--user",
            POOL_USER,
            "send the ID token of this user's last sign-in (sign-in) to the route's user pool",
            "USERNAME",
        ),
        Option(
            "--port",
            LISTENER_PORT,
            "the load balancer listener's port (default: its only listener, else the one on 443)",
            "PORT",
        ),
        Option(
            "--source-ip",
            WORD,
            "the client's address a load balancer sees (default 203.0.113.10)",
            "IP",
        ),
        Option("--url", FUNCTION_URL, "send to this function's URL (Lambda function URL)", "FN"),
        Option("--signed", FLAG, "sign the request (SigV4) for an AWS_IAM function URL"),
    ),
    examples=(
        'http POST /webhooks/github \'{"action": "opened"}\'',
        "http GET /files/a/b.txt --query download=1 --header 'accept:text/plain'",
        "http GET /health --gateway adminApi",
        "http GET /me --jwt sub=u1,email=ann@example.com",
        "http GET /me --user ann@example.com",
        "http OPTIONS /me --header origin:https://app.example.com "
        "--header access-control-request-method:GET",
        "http GET /api/orders --gateway mainLb --header 'x-tenant:acme'",
        "http GET /admin/stats --gateway mainLb --source-ip 10.0.4.2",
        "http GET /api/orders --gateway mainLb --port 80",
        "http POST /telegram --url bot '{\"update_id\": 1}'",
        "http GET /daily --url report --signed",
    ),
    details=(
        "Routes are chosen as API Gateway does: exact and {param} routes (static segments"
        " first), then {proxy+}, then $default, else 404. A function answers 500 when it "
        "fails, and 503 when it has not answered within 30 s. Other events due meanwhile "
        "run too.\n"
        "A BODY without a content-type header is sent as application/json when it is "
        "JSON, else as text/plain; a content type that is not text, JSON, XML or "
        "JavaScript reaches the function base64-encoded (isBase64Encoded), as API Gateway"
        " sends it.\n"
        "--gateway also names an application load balancer (without it a stack with no "
        "HTTP API sends to its load balancer). Its listener's rules are tried in priority "
        "order, lowest first; the first whose conditions all hold takes the request, else "
        "the listener's default action answers (Stacktape's: a fixed 500 on 443, a redirect "
        "to HTTPS on 80). ELB answers 502 for a function error, timeout or malformed result."
        " --port picks the listener, --source-ip the address source-ip conditions see, "
        "--header 'host:NAME' the host host-header conditions see. Tab after --port offers "
        "the load balancer's listeners' ports; after --header the headers the stack reads "
        "of the request (a value meeting a header or host condition of a rule that may "
        "take it, its route's Lambda authorizer's identity source, an origin its CORS "
        "configuration allows), then common ones (content-type:application/json ...).\n"
        "A web-service's own HTTP API or load balancer (`SERVICE.httpApiGateway`, "
        "`SERVICE.loadBalancer`) is one too; --gateway also takes the service's name. Its "
        "HTTP API's one route is ANY /{proxy+}, which takes every path, / too.\n"
        "A route's authorizer runs first: a Lambda authorizer is the stack's function (its "
        "behaviour decides), a cognito one checks a JWT; --jwt makes one the route's user "
        "pool would issue now (exp, aud, iss... may be overridden, e.g. --jwt exp=0); --user "
        "sends the ID token a user's last `sign-in` got, with the claims its "
        "preTokenGeneration hook made (it expires the pool's idTokenValiditySeconds, in hours, "
        "after the sign-in: an hour by default); either sets the header the authorizer "
        "reads, so a --header that sets it too is refused. With "
        "CORS enabled, the gateway answers preflights (OPTIONS with origin and "
        "access-control-request-method) that no OPTIONS, ANY or $default route takes.\n"
        "--url FN sends to a function's URL (`url: {enabled: true}`), which takes every "
        "path; so does a PATH that is the URL itself, and a stack with no HTTP API and no "
        "load balancer sends to its one function URL without --url. The function gets "
        "payload format 2.0 and answers for itself; Lambda answers 502 when it fails or "
        "times out (its own timeout: no 30 s cap), 429 when it is throttled, and 403 to a "
        "request without --signed when the URL's authMode is AWS_IAM."
    ),
    check_call=_check_http_call,
    changes_state=True,
    body_file="BODY",
)
def cmd_http(session: Session, call: Call) -> CommandResult:
    """http METHOD PATH [BODY] [--header NAME:VALUE ...] [--query NAME=VALUE ...]
    [--gateway NAME] [--port PORT] [--source-ip IP] [--url FN] [--signed]"""
    from stptui.sim.services.http import INTEGRATION_TIMEOUT_MS, parse_headers
    from stptui.sim.services.load_balancer import MAX_WAIT_MS

    sim = session.sim
    method = call.args["method"]
    _check_http_call(sim, call)
    try:
        headers = parse_headers(call.opts.get("header", []))
    except ValueError as exc:
        raise CommandError(str(exc), "e.g. --header 'content-type:application/json'") from None
    query = query_pairs(call.opts.get("query", []), "e.g. --query page=2")
    if (to_url := url_target(sim, call)) is not None:
        return http_to_url(session, call, *to_url, headers, query)
    gateway = call.opts.get("gateway")
    if gateway is None and (no_entry := _no_http_entry(sim)) is not None:
        raise no_entry
    entry = http_entry(sim, gateway)
    lb_only = [o for o in ("port", "source_ip") if o in call.opts]
    if entry == "api" and lb_only:
        option = f"--{lb_only[0].replace('_', '-')}"
        raise CommandError(
            f"{option} applies to a load balancer's requests, not an HTTP API's",
            "name an application load balancer with --gateway, or leave the option out",
        )
    port = _listener_port(call.opts["port"]) if "port" in call.opts else None
    if "jwt" in call.opts or "user" in call.opts:
        option = "--jwt" if "jwt" in call.opts else "--user"
        if "jwt" in call.opts and "user" in call.opts:
            raise CommandError(
                "--jwt and --user both give the request a token",
                "give one: --user sends a signed-in user's, --jwt one made of the claims",
            )
        if entry != "api":
            raise CommandError(
                f"{option} applies to an HTTP API's requests, not a load balancer's",
                f"leave {option} out, or send to an HTTP API",
            )
        name, value = _sim_call(
            sim.services["http"].token_header,
            method,
            call.args["path"],
            gateway,
            _jwt_claims(call.opts["jwt"]) if "jwt" in call.opts else {},
            call.opts.get("user"),
        )
        if any(n.lower() == name.lower() for n, _ in headers):
            # Which of the two tokens went would be a guess: the request would prove nothing.
            raise CommandError(
                f"{option} and --header '{name.lower()}: ...' both give the request its {name}",
                f"give one: {option} sends the token of the route's user pool, --header the "
                "value as written (an invalid token, say)",
            )
        headers = [*headers, (name, value)]
    started = sim.clock.now
    wait = MAX_WAIT_MS if entry == "lb" else INTEGRATION_TIMEOUT_MS
    if started + wait > MAX_MS:
        latest = iso_ms(started + wait)
        why = "a function's longest timeout" if entry == "lb" else "the 30 s timeout"
        refuse_past_end(sim, f"a request now could be answered as late as {latest} ({why})")
    # The same request to either entry; only how each names where it goes differs.
    service, where = (
        (
            sim.services["load_balancers"],
            {"load_balancer": gateway, "port": port, "source_ip": call.opts.get("source_ip")},
        )
        if entry == "lb"
        else (sim.services["http"], {"gateway": gateway})
    )
    resp = _sim_call(
        service.start if call.detached else service.call,
        method,
        call.args["path"],
        call.args["body"],
        headers=headers,
        query=query,
        **where,
    )
    if call.detached:
        return started_request(resp.request_id)
    via = f"{resp.route} -> {resp.target}" if resp.route else "no route"
    if entry == "lb" and not resp.route:
        via = "no rule"
    lines = [f"HTTP {resp.status}  ({resp.gateway}: {via}, {format_duration(resp.latency_ms)})"]
    if resp.reason:
        speaker = "load balancer" if entry == "lb" else "gateway"
        lines.append(f"{speaker}: {resp.reason}")
        fmt = None if entry == "lb" else route_format(sim, resp.gateway, resp.route)
        if (hint := response_hint(session, resp.reason, resp.target, fmt)) is not None:
            lines.append(f"hint: {hint}")
    if entry == "lb":
        # An application load balancer answers with no request id (API Gateway's is its
        # apigw-requestid header): the trace id it gave the request is what `explain` takes.
        lines.append(f"request {resp.request_id} (its X-Amzn-Trace-Id)")
    if gateway is None and entry == "api" and sim.services["load_balancers"].balancers:
        others = typed_names(sim.services["load_balancers"].balancers)
        lines.append(
            f"note: sent to the HTTP API; --gateway NAME sends it to a load balancer ({others})"
        )
    return http_answer(sim, resp, method, lines, started)


def http_answer(
    sim: Simulator,
    resp: HttpResponse,
    method: str,
    lines: list[str],
    started: int,
    **extra: Any,
) -> CommandResult:
    """What `http` prints of a response, through a route, a rule or a function URL: the
    `lines` said of it, its headers, its body, the clock; its data with `extra` (after the
    body) among its fields."""
    # A function may answer a name or value with a line break, which no HTTP header can
    # carry: on one line, so that it cannot read as a header of its own.
    lines = [*lines, *(f"{one_line(name)}: {one_line(value)}" for name, value in resp.headers)]
    # A response to HEAD ends after its headers (RFC 9110, 9.3.2): whatever body the function
    # returned, the client gets none; the content-length still says how long it would be.
    body = "" if method.upper() == "HEAD" else resp.body
    lines += ["", shown(body), now_line(sim, started)]
    return CommandResult(
        "\n".join(lines),
        data={
            "status": resp.status,
            "headers": [list(h) for h in resp.headers],
            "body": body,
            **extra,
            "gateway": resp.gateway,
            "route": resp.route,
            "target": resp.target,
            "request_id": resp.request_id,
            "latency_ms": resp.latency_ms,
            "reason": resp.reason,
            "invocation_id": resp.invocation_id,
            "execution_id": resp.execution_id,
        },
    )


def started_request(request_id: str) -> CommandResult:
    """What a detached `http` (one `repeat` runs) answers: the request is on its way; its
    response comes as the clock runs, in the trace (`http.response`)."""
    return CommandResult(f"started request {request_id}", data={"request_id": request_id})


def _jwt_claims(text: str) -> dict[str, object]:
    """`--jwt sub=u1,exp=0`: the claims to put in the token (`-` for none)."""
    from stptui.sim.services.http_auth import claim_value

    claims: dict[str, object] = {}
    for pair in [] if text == "-" else text.split(","):
        name, eq, value = pair.partition("=")
        if not eq or not name.strip():
            raise CommandError(
                f"--jwt needs CLAIM=VALUE pairs separated by commas, not {pair!r}",
                "e.g. --jwt sub=u1,email=ann@example.com (or --jwt - for no extra claims)",
                word=pair,
            )
        try:
            claims[name.strip()] = claim_value(value, name.strip())
        except ValueError as exc:
            raise CommandError(str(exc), "e.g. --jwt exp=0 for an expired token") from None
    return claims


def _listener_port(text: str) -> int:
    """`--port`: a TCP port number."""
    # isdigit() alone takes `²`, which int() refuses, and `８０`: a port is ASCII digits.
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 65535:
        raise CommandError(
            f"--port must be a port number from 1 to 65535, not {text!r}",
            "e.g. --port 443",
            word=text,
        )
    return int(text)


# The answer a route's function can return under either payload format, a load balancer
# and a function URL alike: the line the hint beside a 500 offers names it.
OK_ANSWER = '{"statusCode": 200, "body": "ok"}'


def response_hint(
    session: Session, reason: str, target: str | None, payload_format: str | None = None
) -> str | None:
    """What to do about a function's answer that the gateway could not read: the simulated
    500 is faithful (a real Lambda returning nothing gets it too), but the fix is in the
    behaviours file, which says what the function returns, or, at once, the `succeed
    --returns` line to type. `payload_format` is the route's (None: a load balancer's). A
    request a JWT authorizer refused for want of a token gets the options that send one."""
    if reason.startswith("no token: "):
        return (
            "send a token of the route's user pool: --jwt sub=user-1 makes one it would "
            "issue now; --user EMAIL sends the one a user's `sign-in` got"
        )
    if target is None or target not in session.sim.functions:
        return None
    if (missing := _MISSING_STP.search(reason)) is not None:
        return _missing_variable_hint(session.sim, target, missing[1])
    if not reason.startswith("malformed Lambda response"):
        return None
    path = session.behaviors_path
    where = "stptui.yml next to the stack" if path is None else path.name
    now = f"succeed {quote_word(target)} --returns '{OK_ANSWER}'"
    # Payload format 2.0 reads a result without a statusCode as the body of a 200: only a
    # bad statusCode or body gets here.
    needs = {
        None: "a load balancer needs an object with a statusCode",
        "2.0": "payload format 2.0 needs a valid statusCode and a string body",
    }.get(payload_format, f"payload format {payload_format} needs an object with a statusCode")
    if not session.sim.behaviors.declared(target):
        return (
            f"no behaviour says what {target} returns, so it returns null ({needs}); to "
            f"answer now, type: {now}; to keep it, declare its `response` in {where}, e.g. "
            "response: \"{statusCode: `200`, body: 'ok'}\" (see docs/behaviors.md)"
        )
    return (
        f"{target}'s `response` in {where} must give an object with a statusCode and a "
        f"string body (see docs/behaviors.md); to answer now, type: {now}"
    )


# A Python handler that read a Stacktape variable its environment lacks:
# `os.environ["STP_JOB_QUEUE_QUEUE_URL"]`, as the "Background Jobs" guide spells it.
_MISSING_STP = re.compile(
    r"^the function failed: KeyError: '(STP_[A-Za-z0-9_]+)'( \(LambdaUnhandled\))?$"
)


def _missing_variable_hint(sim: Simulator, function: str, name: str) -> str | None:
    """What `function`'s environment holds in place of the STP_ variable `name` that it
    lacks: the closest name it has (the guide's `STP_JOB_QUEUE_QUEUE_URL` is Stacktape's
    `STP_JOB_QUEUE_URL`), else every STP_ name its connectTo gives. None when it has the
    variable after all (the KeyError came from another mapping)."""
    from stptui.config.envvars import workload_environment
    from stptui.config.model import Function

    fn = sim.stack.resources.get(function)
    if not isinstance(fn, Function):
        return None
    have = [e.name for e in workload_environment(sim.stack, fn) if e.name.startswith("STP_")]
    if name in have:
        return None
    if not have:
        return (
            f"{function} has no {name}: Stacktape sets STP_ variables for what a function's "
            "connectTo names, and its connectTo names nothing that has them"
        )
    guess = did_you_mean(name, have)
    said = f"did you mean {guess}?" if guess else f"its connectTo gives {', '.join(have)}"
    return f"{function}'s environment has no {name}: {said} (`stptui graph` lists them all)"


def route_format(sim: Simulator, gateway: str, route: str | None) -> str | None:
    """The payload format of the HTTP API route `route` (its routeKey) of `gateway`;
    None when there is none (a load balancer's rule)."""
    api = sim.services["http"].apis.get(gateway)
    if api is None or route is None:
        return None
    return next((r.payload_format for r in api.routes if r.key == route), api.payload_format)


@command(
    "start-job",
    "messages",
    "Start a batch job's state machine directly (StartExecution), with an optional event.",
    args=(
        Arg("JOB", "batch-job", "a batch job of the stack"),
        Arg("PAYLOAD", PAYLOAD, "the trigger event: JSON (default {})", optional=True),
    ),
    examples=("start-job heavyJob", 'start-job heavyJob \'{"date": "2026-01-05"}\''),
    details=(
        "The container sees the event as STP_TRIGGER_EVENT_DATA. A failed attempt is "
        "retried after retryIntervalSeconds x attempt x retryIntervalMultiplier, up to "
        "`attempts` in all. The answer says how attempt 1 stands: running, or failed at "
        "once when AWS refused its job (SubmitJob over 30 KiB, container overrides over "
        "8,192 characters), with when the next starts. It ends with the execution's ARN: "
        "Stacktape's state machine `{stack}-{job}-batch-state-machine`, the execution "
        "named as its trigger function names them. Tab at PAYLOAD offers the payloads "
        "given this job before, "
        'then an event for the simulated day (`{"date": "2026-01-05"}`).'
    ),
    changes_state=True,
    body_file="PAYLOAD",
)
def cmd_start_job(session: Session, call: Call) -> CommandResult:
    """start-job JOB [PAYLOAD]"""
    sim = session.sim
    service = sim.services["batch"]
    job = _sim_call(service.job, call.args["job"])
    payload = parse_payload(
        call.args["payload"],
        "InvalidExecutionInput: the input is not JSON",
        f"start-job {quote_word(job.name)}",
        call.line,
    )
    refused = start_job_input_error(service, job.name, payload)
    if refused is not None:
        raise refused
    eid = service.start(job.name, payload, "manual", "command")
    ex = job.running[eid]  # an attempt's end is scheduled, so it is still running now
    data: dict[str, Any] = {"job": job.name, "execution_id": eid, "execution_arn": ex.arn}
    first = f"attempt 1 of {job.attempts} running"
    # AWS may have refused the first attempt's job (too big): it fails at this instant.
    refusal = service.refused_attempt(ex)
    if refusal is not None:
        error, message, retry_at = refusal
        at = iso_ms(retry_at) if retry_at is not None else None
        then = f"attempt 2 starts at {at}" if at else "it was the last, so the execution fails"
        first = (
            f"attempt 1 of {job.attempts} failed at once, no container started (AWS refused "
            f"its job: {error}: {message}); {then}"
        )
        data["first_attempt"] = {"error": error, "error_message": message, "retry_at": at}
    # The execution's ARN on its own line, as `start-execution` gives it: the job's state
    # machine and the execution's name are Stacktape's, not the job's name in the config.
    return CommandResult(f"started execution {eid} of {job.name}: {first}\n{ex.arn}", data=data)


def start_job_input_error(service: BatchService, job: str, payload: Any) -> CommandError | None:
    """Why StartExecution refuses batch job `job`'s input ({triggerEvent, jobName}) for
    `payload`, before any execution, or None: what `start-job` checks before anything runs,
    and the TUI's invoke dialog as it is typed."""
    refused = service.input_error(job, payload)
    if refused is None:
        return None
    return CommandError(
        f"start-job {job}: {refused}",
        "the event travels as JSON text inside the input, its quotes escaped: send a "
        "reference to the data (an S3 key) instead of the data",
    )


def show_buckets(sim: Simulator) -> CommandResult:
    """`show buckets`: each bucket's object count, bytes, versioning, notifications and
    whether it sends events to EventBridge."""
    service = sim.services["buckets"]
    headers = ["bucket", "objects", "bytes", "versioning", "notifications", "event bus"]
    rows = []
    data = []
    for b in service.buckets.values():
        rows.append(
            [
                b.name,
                str(len(b.objects)),
                f"{b.total_bytes:,}",
                "on" if b.versioning else "off",
                str(len(b.notifications)),
                "on" if b.event_bus else "off",
            ]
        )
        data.append(
            {
                "bucket": b.name,
                "objects": len(b.objects),
                "bytes": b.total_bytes,
                "versioning": b.versioning,
                "notifications": len(b.notifications),
                "event_bus": b.event_bus,
            }
        )
    text = "" if rows else "this stack has no buckets"
    return CommandResult(text, table=(headers, rows) if rows else None, data=data)


def _lifecycle_cell(obj: Any, b: Any) -> str:
    """What a bucket's lifecycle rules do next to a current version, and when, then which
    transition rule S3's 128 KB minimum keeps from moving it ("" for nothing)."""
    words = []
    pending = obj.lifecycle
    if pending is not None:
        due = pending.due
        words.append(f"{due.short(b.versioning)} at {iso_ms(due.at)} ({due.rule.name})")
    held = b.held_by_size(obj)
    if held:
        # Nothing in the trace says why a small object stays: the table does.
        words.append(f"{NOT_MOVED_SMALL} ({', '.join(rule.name for rule in held)})")
    return "; ".join(words)


def show_bucket(sim: Simulator, name: str) -> CommandResult:
    """`show bucket NAME`: its notifications and lifecycle rules, then its objects (size,
    etag, versions, storage class, restore, lifecycle), noncurrent versions and incomplete
    multipart uploads."""
    b = _sim_call(sim.services["buckets"].bucket, name)
    count = "1 object" if len(b.objects) == 1 else f"{len(b.objects)} objects"
    lines = [
        f"{b.name} ({b.aws_name}): {count}, {b.total_bytes:,} bytes; "
        f"versioning {'on' if b.versioning else 'off'}; "
        f"EventBridge notifications {'on' if b.event_bus else 'off'}"
    ]
    lines += [
        f"  notifies {n.target} ({n.configuration_id}): {n.describe()}" for n in b.notifications
    ]
    lines += [f"  lifecycle {rule_words(rule)}" for rule in b.rules]
    # ListObjects order: by the key's UTF-8 bytes.
    keys = sorted(b.objects, key=lambda k: k.encode("utf-8", "surrogatepass"))
    if len(keys) > MAX_SHOWN_MESSAGES:
        lines.append(f"showing the first {MAX_SHOWN_MESSAGES} of {len(keys)} objects")
        keys = keys[:MAX_SHOWN_MESSAGES]
    headers = ["key", "size", "etag", "last modified", "versions", "class"]
    # Next to the class, once something listed is archived: whether it can be read.
    archived = any(b.objects[k].storage_class in ARCHIVED for k in keys)
    if archived:
        headers.append("restore")
    if b.rules:
        headers.append("lifecycle")
    rows = []
    objects = []
    for key in keys:
        o = b.objects[key]
        versions = len(b.versions.get(key, ())) if b.versioning else 1
        row = [key, f"{o.size:,}", o.etag, iso_ms(o.last_modified), str(versions), o.storage_class]
        if archived:
            row.append(_restore_cell(o))
        if b.rules:
            row.append(_lifecycle_cell(o, b) or "-")
        rows.append(row)
        objects.append(
            {
                "key": key,
                "size": o.size,
                "etag": o.etag,
                "last_modified": iso_ms(o.last_modified),
                "version_id": o.version_id,
                "versions": versions,
                "storage_class": o.storage_class,
                "tags": dict(o.tags),
                "restore": o.restore.data() if o.restore is not None else None,
                "lifecycle": _lifecycle_data(o.lifecycle),
            }
        )
    noncurrent = _noncurrent_lines(b)
    uploads = [
        f"  incomplete multipart upload {u.upload_id} of {double_quoted(u.key)}, started "
        f"{iso_ms(u.initiated)}"
        + (f": {u.lifecycle.describe()} at {iso_ms(u.lifecycle.due.at)}" if u.lifecycle else "")
        for u in b.uploads.values()
    ]
    return CommandResult(
        "\n".join(lines + noncurrent + uploads),
        table=(headers, rows) if rows else None,
        data={
            "bucket": b.name,
            "name": b.aws_name,
            "versioning": b.versioning,
            "event_bus": b.event_bus,
            "notifications": [
                {"target": n.target, "configuration": n.configuration_id, "filter": n.describe()}
                for n in b.notifications
            ],
            "lifecycle_rules": [rule_words(rule) for rule in b.rules],
            "objects": objects,
            "uploads": [
                {
                    "key": u.key,
                    "upload_id": u.upload_id,
                    "initiated": iso_ms(u.initiated),
                    "lifecycle": _lifecycle_data(u.lifecycle),
                }
                for u in b.uploads.values()
            ],
        },
    )


def _restore_cell(obj: Any) -> str:
    """An object's restore in `show bucket`: running, restored until when, or what to do."""
    if obj.restore is not None:
        return obj.restore.state()
    return "archived (restore KEY to read)" if obj.storage_class in ARCHIVED else "-"


def _lifecycle_data(pending: Any) -> dict[str, Any] | None:
    if pending is None:
        return None
    due = pending.due
    return {"at": iso_ms(due.at), "action": due.action, "rule": due.rule.name}


def _noncurrent_lines(b: Any) -> list[str]:
    """A line for each noncurrent version a lifecycle rule will act on, and for each one
    restored or being restored (a versioned bucket), under the table's current versions."""
    lines = []
    for key in sorted(b.versions, key=lambda k: k.encode("utf-8", "surrogatepass")):
        for v in b.versions[key]:
            if b.objects.get(key) is v:
                continue
            if v.lifecycle is not None:
                lines.append(
                    f"  noncurrent {v.storage_class} {v.size:,} bytes: "
                    f"{v.lifecycle.describe()} at {iso_ms(v.lifecycle.due.at)}"
                )
            if v.restore is not None:
                shown = double_quoted(key)
                lines.append(
                    f"  noncurrent {v.storage_class} version {v.version_id} of {shown}: "
                    f"{v.restore.state()}"
                )
    return lines


def route_target(row: dict[str, Any]) -> str:
    """`worker (function)`, or for a container `web (multi-container-workload, container
    app:3000)`."""
    if "container" not in row:
        return f"{row['target']} ({row['target_type']})"
    where = f"container {row['container'] or '?'}"
    if row["container_port"] is not None:
        where += f":{row['container_port']}"
    return f"{row['target']} ({row['target_type']}, {where})"


def request_paths(
    sim: Simulator, method: str | None, gateway: str | None, url: str | None = None
) -> dict[str, list[str]]:
    """The request paths `http` can be sent to, each with what it reaches (`GET /items →
    web (function)`, with its gateway first where the stack has several), from the rows
    `show routes` and `show rules` list: the HTTP API routes' paths, `{param}` segments as
    written (the user types over them), without `$default`, which is no path; the load
    balancer rules' path patterns; without a gateway, the function URLs whole (a PATH
    `http` takes). With a method, only what serves it (that method or ANY, as the gateway
    reads the method: upper-cased); with a gateway (a web service's name stands for its
    own), only its routes or rules; with `--url` (`url`), nothing: a function URL takes
    any path."""
    if url is not None:
        return {}
    http = sim.services["http"]
    lbs = sim.services["load_balancers"]
    urls = sim.services["function_urls"].urls
    several = len(http.apis) + len(lbs.balancers) + len(urls) > 1
    api_name = http.aliases.get(gateway, gateway) if gateway is not None else None
    lb_name = lbs.aliases.get(gateway, gateway) if gateway is not None else None
    wanted = {"ANY", method.upper()} if method is not None else None
    out: dict[str, list[str]] = {}

    def add(path: str, where: str, what: str) -> None:
        out.setdefault(path, []).append(f"{where}: {what}" if several else what)

    for row in http.listing():
        route_method, _, path = row["route"].partition(" ")
        if not path or (api_name is not None and row["gateway"] != api_name):
            continue  # `$default` is no path
        if wanted is None or route_method in wanted:
            add(path, row["gateway"], f"{row['route']} → {route_target(row)}")
    for lb in lbs.balancers.values():
        if lb_name is not None and lb.name != lb_name:
            continue
        for listener in lb.listeners.values():
            for rule in listener.rules:
                row = {
                    "target": rule.target,
                    "target_type": rule.target_type,
                    "container": rule.container,
                    "container_port": rule.container_port,
                }
                target = route_target(row) if rule.container else rule.target
                for path in rule.paths_for(method):
                    add(path, lb.name, f":{listener.port} rule {rule.priority} → {target}")
    if gateway is None:
        for name, u in urls.items():
            add(u.url, name, f"{name}'s function URL (auth {u.config.auth_type})")
    return out


def show_routes(sim: Simulator) -> CommandResult:
    """`show routes`: each HTTP API route and function URL, and what it invokes."""
    routes = sim.services["http"].listing() + url_rows(sim)
    if not routes:
        return CommandResult("this stack has no HTTP API routes or function URLs", data=[])
    rows = [[r["gateway"], r["route"], route_target(r), r["payload_format"] or "-"] for r in routes]
    headers = ["gateway", "route", "target", "payload"]
    if any("authorizer" in r for r in routes):
        # What a request must carry to get through: `cognito users`, `lambda gatekeeper`.
        headers.append("authorizer")
        for row, r in zip(rows, routes, strict=True):
            row.append(r.get("authorizer", "-"))
    return CommandResult(table=(headers, rows), data=routes)


def show_rules(sim: Simulator) -> CommandResult:
    """Each application load balancer's listeners, their rules in the order ELB tries them
    (lowest priority first) with their conditions, and their default actions."""
    listeners = sim.services["load_balancers"].listing()
    if not listeners:
        # EventBridge calls its event patterns and schedules rules too: say where they are.
        return CommandResult(
            "this stack has no application load balancers\nEventBridge rules are in "
            "`show buses` and `show schedules`",
            data=[],
        )
    rows = []
    for lis in listeners:
        where = f"{lis['load_balancer']}:{lis['port']} {lis['protocol']}"
        for rule in lis["rules"]:
            target = route_target(rule) if rule["container"] else rule["target"]
            conditions = "; ".join(rule["conditions"]) or "none: Stacktape refuses to deploy it"
            rows.append([where, str(rule["priority"]), conditions, target])
            where = ""
        rows.append([where, "default", "no rule matched", lis["default_action"]])
    headers = ["listener", "priority", "conditions (all must hold)", "action"]
    return CommandResult(table=(headers, rows), data=listeners)


def _failed(job: BatchJobSim) -> str:
    """`2`, the executions that failed; `2; 1 failed trigger` when its trigger function
    also failed to start some (no execution, so not among them), as `show job` counts
    them."""
    failed = str(job.counts["failed"])
    return f"{failed}; {failed_triggers(job)}" if job.triggers_failed else failed


def show_jobs(sim: Simulator) -> CommandResult:
    """`show jobs`: each batch job's executions (running, started, succeeded, failed, and
    its trigger function's failures to start one), its attempts and retry waits, its
    timeout and its behaviour."""
    jobs = sim.services["batch"].jobs
    if not jobs:
        return CommandResult("this stack has no batch jobs", data=[])
    # The behaviour column is the one `show functions` has: declared behaviour, then the
    # overrides (`fail heavyJob next 1`, `slow heavyJob 2h`) in force.
    headers = [
        "job",
        "running",
        "started",
        "succeeded",
        "failed",
        "attempts",
        "waits",
        "timeout",
        "behaviour",
    ]
    rows = []
    data = []
    lines = []
    for job in jobs.values():
        waits = ", ".join(format_duration(job.retry_wait_ms(i)) for i in range(1, job.attempts))
        timeout = format_duration(job.timeout_ms) if job.timeout_ms else "none"
        counts = job.counts
        rows.append(
            [
                job.name,
                str(len(job.running)),
                str(counts["submitted"]),
                str(counts["succeeded"]),
                _failed(job),
                str(job.attempts),
                waits or "-",
                timeout,
                behaviour_summary(sim, job.name, job.overrides),
            ]
        )
        data.append(
            {
                "job": job.name,
                # Its AWS names, as Stacktape gives them (stptui.config.aws_names).
                "job_definition_arn": job.definition_arn,
                "state_machine_arn": job.state_machine_arn,
                "job_queue_arn": job.queue_arn,
                **counts,
                "redriven": job.redriven,
                "triggers_failed": job.triggers_failed,
                "running": [
                    {"execution_id": ex.id, "attempt": ex.attempt, "trigger": ex.trigger}
                    for ex in job.running.values()
                ],
                "attempts": job.attempts,
                "retry_waits_ms": [job.retry_wait_ms(i) for i in range(1, job.attempts)],
                "timeout_ms": job.timeout_ms or None,
                "behaviour": sim.behaviors.describe(job.name),
                "recent": [execution_data(job, ex) for ex in list(job.recent)[-SHOWN_EXECUTIONS:]],
                "overrides": [o.describe() for o in job.overrides],
            }
        )
        # An execution whose first Task is about to fail (States.Runtime) has made none.
        lines += [
            f"{job.name}: execution {ex.id} ({ex.trigger}), "
            + (
                f"attempt {ex.attempt} of {job.attempts}"
                if ex.attempt
                else "no attempt started yet"
            )
            + (f", redrive {ex.redrive_count}" if ex.redrive_count else "")
            for ex in job.running.values()
        ]
    return CommandResult("\n".join(lines), table=(headers, rows), data=data)
