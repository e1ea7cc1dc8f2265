"""`http` to a Lambda function URL: where a request goes (`--url FN`, the URL itself,
or the stack's one function URL), and the request sent and its answer printed.

The `http` command (buckets_http_jobs) asks `url_target` first and hands the request here
when it names a function URL; HTTP APIs and load balancers stay there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from stptui.commands.handlers.base import refuse_past_end
from stptui.commands.registry import Call, CommandError
from stptui.commands.result import CommandResult
from stptui.sim.behavior import format_duration
from stptui.sim.clock import MAX_MS, iso_ms
from stptui.sim.engine import SimError

if TYPE_CHECKING:
    from stptui.commands.session import Session
    from stptui.sim.engine import Simulator
    from stptui.sim.services.function_url import FunctionUrlService

# The options that only the other entries take, and what they apply to.
_OTHER_ENTRIES_OPTIONS = {
    "jwt": "an HTTP API's requests",
    "port": "a load balancer's requests",
    "source_ip": "a load balancer's requests",
}


def _urls(sim: Simulator) -> FunctionUrlService:
    return sim.services["function_urls"]


def check_function_url(sim: Simulator, name: str) -> None:
    """A CommandError when `name` is not a function with a URL (what `--url` takes); the
    REPL's validator asks."""
    try:
        _urls(sim).url(name)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None


def url_target(sim: Simulator, call: Call) -> tuple[str, str] | None:
    """(function, path) when `http` sends to a function URL: `--url FUNCTION`, a PATH that
    is the URL itself (`https://<url-id>.lambda-url.<region>.on.aws/hook`), or, in a stack
    with no HTTP API and no load balancer, its one function URL. None when the request goes
    to an HTTP API or a load balancer. A CommandError when the words contradict each other
    or name no function URL."""
    urls = _urls(sim)
    path: str = call.args["path"]
    named = call.opts.get("url")
    gateway = call.opts.get("gateway")
    if path.lower().startswith(("https://", "http://")):
        try:
            parts = urlsplit(path)
            host, port = parts.hostname or "", parts.port
        except ValueError as exc:  # an unclosed `[` of an IPv6 host, a port that is no number
            raise CommandError(
                f"{path!r} is not a well-formed URL ({exc})",
                "give the function URL as `show routes` lists it, or just the path (/hook)",
                word=path,
            ) from None
        hit = urls.by_host(host)
        if hit is None:
            known = ", ".join(u.url for u in urls.urls.values())
            raise CommandError(
                f"{path!r} is not the URL of a function of this stack",
                f"function URLs: {known}"
                if known
                else "give the request's path (e.g. /webhooks/github); "
                "this stack has no function URLs",
                word=path,
            )
        if parts.scheme.lower() != "https" or port not in (None, 443):
            raise CommandError(
                "a function URL answers HTTPS on port 443 only",
                f"write {hit.url}{parts.path.lstrip('/')}",
            )
        if (named is not None and named != hit.function) or gateway is not None:
            raise CommandError(
                f"the URL is {hit.function}'s function URL; --url and --gateway name another entry",
                "leave --url and --gateway out when the PATH is a function URL",
            )
        target = (hit.function, (parts.path or "/") + (f"?{parts.query}" if parts.query else ""))
    elif named is not None:
        if gateway is not None:
            raise CommandError(
                "--url and --gateway both say where the request goes; give one",
                "--url FN for a function URL, --gateway NAME for an API or load balancer",
            )
        check_function_url(sim, named)
        target = (named, path)
    elif (
        gateway is None
        and urls.urls
        and not sim.services["http"].apis
        and not sim.services["load_balancers"].balancers
        and not sim.services["load_balancers"].network
    ):
        try:
            target = (urls.url(None).function, path)
        except SimError as exc:
            raise CommandError(str(exc), exc.hint) from None
    else:
        if call.opts.get("signed"):
            raise CommandError(
                "--signed applies to a function URL's requests (auth type AWS_IAM)",
                "add --url FN, or leave --signed out",
            )
        return None
    for option, applies in _OTHER_ENTRIES_OPTIONS.items():
        if option in call.opts:
            raise CommandError(
                f"--{option.replace('_', '-')} applies to {applies}, not a function URL's",
                "leave it out",
            )
    return target


def http_to_url(
    session: Session,
    call: Call,
    function: str,
    path: str,
    headers: list[tuple[str, str]],
    query: list[tuple[str, str]],
) -> CommandResult:
    """Send the request to `function`'s URL and print the answer as `http` prints one."""
    from stptui.commands.handlers.buckets_http_jobs import (
        http_answer,
        response_hint,
        started_request,
    )

    sim = session.sim
    method = call.args["method"]
    started = sim.clock.now
    # No gateway cuts the request short: the function's own timeout is the longest wait.
    wait = sim.functions[function].timeout_ms
    if started + wait > MAX_MS:
        refuse_past_end(
            sim,
            f"a request now could be answered as late as {iso_ms(started + wait)} "
            f"({function}'s timeout)",
        )
    urls = _urls(sim)
    try:
        resp = (urls.start if call.detached else urls.call)(
            method,
            path,
            call.args["body"],
            headers=headers,
            query=query,
            function=function,
            signed=bool(call.opts.get("signed")),
        )
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None
    if call.detached:
        return started_request(resp.request_id)
    lines = [f"HTTP {resp.status}  ({function} function URL, {format_duration(resp.latency_ms)})"]
    if resp.reason:
        lines.append(f"function URL: {resp.reason}")
        if (hint := response_hint(session, resp.reason, function, "2.0")) is not None:
            lines.append(f"hint: {hint}")
    return http_answer(sim, resp, method, lines, started, function_url=function)


def url_rows(sim: Simulator) -> list[dict[str, Any]]:
    """`show routes`' rows for the function URLs (each takes every path)."""
    return [
        {
            "gateway": f"{u['function']} (function URL)",
            "route": f"any path, auth {u['auth_type']}",
            "target": u["function"],
            "target_type": "function",
            "payload_format": "2.0",
            "url": u["url"],
            "auth_type": u["auth_type"],
        }
        for u in _urls(sim).listing()
    ]
