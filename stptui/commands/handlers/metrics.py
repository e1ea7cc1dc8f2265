"""`show metrics [RESOURCE] [--since D]`, `show metrics RESOURCE --period D [--since D]` and
`expect metric.RESOURCE.METRIC.STATISTIC`: CloudWatch's metrics of a run, computed from the
trace (stptui.sim.metrics)."""

from __future__ import annotations

import re
import weakref
from typing import Any

from stptui.commands.handlers.base import read_duration
from stptui.commands.registry import CommandError, names
from stptui.commands.result import CommandResult
from stptui.config.diagnostics import did_you_mean
from stptui.sim.behavior import format_duration
from stptui.sim.behavior.durations import parse_duration
from stptui.sim.clock import iso_ms
from stptui.sim.engine import Simulator
from stptui.sim.metrics import (
    Figure,
    Metrics,
    ResourceMetrics,
    compute,
    figures_of,
    kind_of,
    measured,
    metric_names,
    window,
)
from stptui.sim.metrics.figures import Periods
from stptui.sim.metrics.periods import MAX_PERIODS, Series, series
from stptui.sim.metrics.statistics import StatisticRefused, is_statistic, statistic, suggested
from stptui.sim.metrics.web import route_refusal
from stptui.textsafe import quote_word

METRICS_EXAMPLE = "e.g. show metrics jobQueue --since 10m"
# What `show metrics` measures, as its refusals name it.
MEASURED = (
    "queues, functions, HTTP APIs, load balancers, batch jobs, state machines, event buses, "
    "rules, schedules, SNS topics, streams, tables with a stream, Kafka topics and buckets"
)


def check_metric_resource(sim: Simulator, name: str) -> None:
    """Refuse a RESOURCE `show metrics` does not measure, with a did-you-mean; an HTTP
    API's route (`API ROUTE_KEY`) is one when CloudWatch has its metrics."""
    found = measured(sim)
    if kind_of(sim, name) is not None:
        return
    api, _, route = name.partition(" ")
    if route and found.get(api) == "http-api":
        raise CommandError(*route_refusal(sim, api, route))
    res = sim.stack.resources.get(name)
    if res is not None:
        hint = f"metrics are kept for {MEASURED}; measured: {names(found)}"
        raise CommandError(
            f"{name!r} is a {res.type}, which `show metrics` does not measure", hint, word=name
        )
    guess = did_you_mean(name, found)
    raise CommandError(
        f"nothing `show metrics` measures is named {name!r}",
        f"did you mean {quote_word(guess)}?"
        if guess
        else f"it measures {MEASURED}; here: {names(found) or 'nothing'}",
        word=name,
    )


def since_ms(text: str | None, example: str = METRICS_EXAMPLE) -> int | None:
    """The `--since D` window in ms (None without one); a CommandError for a bad D, its
    hint `example`."""
    if text is None:
        return None
    ms = read_duration(text, "--since")
    if ms < 1:
        raise CommandError("--since must be at least 1 ms", example)
    return ms


# The periods a refusal of too many suggests: the first at least as long as needed.
_ROUND_PERIODS = tuple(
    (text, parse_duration(text))
    for text in (
        *("1ms", "2ms", "5ms", "10ms", "20ms", "50ms", "100ms", "200ms", "500ms"),
        *("1s", "2s", "5s", "10s", "15s", "30s", "1m", "2m", "5m", "10m", "15m", "30m"),
        *("1h", "2h", "3h", "6h", "12h", "1d", "7d"),
    )
)


def check_period(
    sim: Simulator, name: str | None, since_text: str | None, period_text: str | None
) -> Periods | None:
    """The periods `--period D` cuts the window into (None without it); a CommandError for
    a bad D, for `--period` without a RESOURCE and for more than MAX_PERIODS periods."""
    if period_text is None:
        return None
    if name is None:
        found = list(measured(sim))
        example = (
            f"show metrics {quote_word(found[0])} --period 1m"
            if found
            else "show metrics NAME --period 1m"
        )
        raise CommandError(
            "--period shows one resource's figures period by period: name it",
            f"e.g. {example} (`show metrics` names what is measured)",
        )
    length = read_duration(period_text, "--period")
    if length < 1:
        raise CommandError(
            "--period must be at least 1 ms", f"e.g. show metrics {quote_word(name)} --period 1m"
        )
    since = since_ms(since_text)
    sim.trace.settle()
    _, start, _, _ = window(sim, since)
    periods = Periods.of(start, sim.clock.now, length)
    if periods.count > MAX_PERIODS:
        span = sim.clock.now - start
        need = -(-span // MAX_PERIODS)
        fit = next((text for text, ms in _ROUND_PERIODS if ms >= need), None)
        fit = fit or f"{-(-need // 86_400_000)}d"
        raise CommandError(
            f"--period {period_text} cuts the window ({format_duration(span)} of virtual time) "
            f"into {periods.count:,} periods; at most {MAX_PERIODS:,} are shown",
            f"e.g. show metrics {quote_word(name)} --period {fit}, or a shorter window with "
            "--since",
        )
    return periods


def value_text(value: float | None) -> str:
    """A figure as the table shows it: `-` for no datapoint, whole numbers without `.0`."""
    if value is None:
        return "-"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _window_lines(m: Metrics, since: int | None) -> list[str]:
    span = format_duration(m.end - m.start)
    lines = [
        f"from {iso_ms(m.start)} to {iso_ms(m.end)} ({span} of virtual time), "
        "computed from the trace"
    ]
    if m.dropped and m.start == m.kept_from:
        asked = "" if since is None else f" (--since asked for {iso_ms(max(0, m.end - since))})"
        lines.append(
            f"the trace keeps its last {m.kept:,} records: {m.dropped:,} older ones were "
            f"dropped, so the figures count from {iso_ms(m.start)}, the oldest record kept"
            f"{asked}"
        )
    return lines


def _figure_data(f: Figure) -> dict[str, Any]:
    return {
        "metric": f.metric,
        "statistic": f.statistic,
        "unit": f.unit,
        "value": f.value,
        "at": iso_ms(f.at) if f.at is not None else None,
    }


def show_metrics(
    sim: Simulator, name: str | None, since_text: str | None, period_text: str | None = None
) -> CommandResult:
    """`show metrics [RESOURCE] [--since D]`: every measured resource's figures (or one's,
    with what is listed under it after it: an HTTP API's routes, a bus's rules, a
    workload's schedules) over the window. With `--period D`, one resource's key figures
    in each period of D from the window's start."""
    if name is not None:
        check_metric_resource(sim, name)
    periods = check_period(sim, name, since_text, period_text)
    since = since_ms(since_text)
    if periods is not None and name is not None:
        return _show_series(sim, name, since, periods)
    m = compute(sim, since)
    chosen = [
        r for key, r in m.resources.items() if name is None or key == name or r.parent == name
    ]
    lines = _window_lines(m, since)
    if not chosen:
        lines.append(f"this stack has none of the {MEASURED} `show metrics` measures")
        return CommandResult("\n".join(lines), data={"resources": {}})
    shown = chosen
    idle: list[str] = []
    if name is None:
        # The whole stack: a resource that did nothing in the window is a name, not a block
        # of zeros (a stack's idle dead-letter queues and functions would bury the rest).
        # What is listed under an active one stays, zeros too: a rule of a busy bus that
        # matched nothing is news.
        active = {r.resource for r in chosen if r.parent is None and not _idle(r)}
        shown = [r for r in chosen if r.resource in active or r.parent in active or not _idle(r)]
        idle = [r.resource for r in chosen if r.parent is None and r.resource not in active]
        if idle:
            lines.append(
                f"no activity: {', '.join(idle)} (`show metrics NAME` shows one's figures)"
            )
    headers = ["resource", "metric", "statistic", "value", "unit", "at"]
    rows: list[list[str]] = []
    for res in shown:
        for i, f in enumerate(res.figures):
            rows.append(
                [
                    res.resource if i == 0 else "",
                    f.metric,
                    f.statistic,
                    value_text(f.value),
                    f.unit,
                    _at(f),
                ]
            )
    data: dict[str, Any] = {
        "start": iso_ms(m.start),
        "end": iso_ms(m.end),
        "dropped": m.dropped,
        "counted_from": iso_ms(m.kept_from if m.dropped and m.kept_from else m.start),
        "resources": {
            r.resource: {"kind": r.kind, "metrics": [_figure_data(f) for f in r.figures]}
            for r in chosen
        },
        "idle": idle,
    }
    if not rows:
        return CommandResult("\n".join(lines), data=data)
    return CommandResult("\n".join(lines), table=(headers, rows), data=data)


# Short column names of a series' table: the metric without SQS's long prefixes.
_PREFIXES = ("ApproximateNumberOfMessages", "NumberOfMessages", "Approximate")
_STAT_WORDS = {"Maximum": "max", "Average": "avg"}


def _column(metric: str, stat: str, unit: str) -> str:
    short = next((metric[len(p) :] for p in _PREFIXES if metric.startswith(p)), metric)
    if stat != "Sum":
        short += f" {_STAT_WORDS.get(stat, stat)}"
    return short + (" (ms)" if unit == "Milliseconds" else "")


def _show_series(sim: Simulator, name: str, since: int | None, periods: Periods) -> CommandResult:
    """One resource's key figures, a row per period."""
    raws, start, dropped, kept_from = window(sim, since)
    # The window's lines need no figure of the whole window: none is computed.
    m = Metrics(start, sim.clock.now, dropped, len(raws), kept_from, {})
    got: Series = series(sim, name, kind_of(sim, name) or "", periods, raws)
    lines = _window_lines(m, since)
    lines.append(
        f"{name} ({got.kind}) in {periods.count:,} period{'s' if periods.count != 1 else ''} "
        f"of {format_duration(periods.length)} from {iso_ms(periods.start)}"
    )
    headers = ["period", *(_column(*c) for c in got.columns)]
    rows: list[list[str]] = []
    for i, (start, figures) in enumerate(zip(periods.starts(), got.rows, strict=True)):
        rows.append([iso_ms(start), *(value_text(f.value) for f in figures)])
        # An HTTP API's routes under each period, indented where the period is written:
        # the table stays as narrow as the API's own (a route column would not fit 80).
        rows += [
            [f"  {route}", *(value_text(f.value) for f in each[i])]
            for route, each in got.routes.items()
            if each[i] is not None
        ]
    if got.routes:
        lines.append("a period's row is the API's; its routes with requests follow, indented")
    data: dict[str, Any] = {
        "start": iso_ms(m.start),
        "end": iso_ms(m.end),
        "dropped": m.dropped,
        "resource": name,
        "kind": got.kind,
        "period_ms": periods.length,
        "columns": [{"metric": c, "statistic": s, "unit": u} for c, s, u in got.columns],
        "periods": [
            {"start": iso_ms(start), "values": [f.value for f in figures]}
            for start, figures in zip(periods.starts(), got.rows, strict=True)
        ],
    }
    if got.kind == "http-api":
        # Each route's values per period (None where it answered no request).
        data["routes"] = {
            route: [None if row is None else [f.value for f in row] for row in each]
            for route, each in got.routes.items()
        }
    return CommandResult("\n".join(lines), table=(headers, rows), data=data)


def _at(f: Figure) -> str:
    """When a Maximum was first reached, for the table: blank for a maximum of 0, which
    every gauge "reaches" at the window's start and so says nothing."""
    if f.at is None or f.statistic != "Maximum" or not f.value:
        return ""
    return iso_ms(f.at)


def _idle(res: ResourceMetrics) -> bool:
    """Whether every figure of `res` is zero or has no datapoint: nothing happened to it in
    the window, and no message sat in it."""
    return not any(f.value for f in res.figures)


def metric_paths(sim: Simulator) -> list[str]:
    """Every `metric.RESOURCE.METRIC.STATISTIC` path of this stack (for completion). They
    follow from the stack alone, so they are made once per simulation: Tab after `expect`
    on a stack of 2,000 resources (some 46,000 paths) took 0.5 s at each key press; a
    rebuild of the same stack keeps them."""
    measured_now = measured(sim)
    if _PATHS and _PATHS[0][0]() is sim and _PATHS[0][1] is measured_now:
        return _PATHS[0][2]
    if _PATHS and list(_PATHS[0][1].items()) == list(measured_now.items()):
        # Another simulation of the same resources, in the same order (`undo`, `reload`
        # of the same stack): the paths follow from the names and kinds alone.
        _PATHS[0] = (weakref.ref(sim), measured_now, _PATHS[0][2])
        return _PATHS[0][2]
    # The METRIC.STATISTIC ends of each kind's paths, read once a kind: a dozen kinds
    # among thousands of resources.
    ends: dict[str, list[str]] = {}
    paths = []
    for name, kind in measured_now.items():
        if (found := ends.get(kind)) is None:
            found = ends[kind] = [
                f"{metric}.{stat}"
                for metric in dict.fromkeys(m for m, _, _ in metric_names(kind))
                for stat in metric_statistics(kind, metric)
            ]
        paths += [f"metric.{name}.{end}" for end in found]
    _PATHS[:] = [(weakref.ref(sim), measured_now, paths)]
    return paths


# The paths `metric_paths` made last: the simulation (held weakly), what `measured` said of
# it (the same object while nothing changed that it caches), the paths.
_PATHS: list[tuple[weakref.ref[Simulator], dict[str, str], list[str]]] = []


_PERCENTILE = re.compile(r"p\d{1,2}(\.\d+)?")


def _percentile_name(stat: str) -> str:
    """A percentile as `show metrics` names it (p95 for p95.0 or p95.00); any other
    statistic unchanged."""
    if _PERCENTILE.fullmatch(stat) and "." in stat:
        whole, _, fraction = stat.partition(".")
        return whole if not fraction.strip("0") else f"{whole}.{fraction.rstrip('0')}"
    return stat


def metric_value(sim: Simulator, path: str, since_text: str | None = None) -> float | None:
    """The value now of `metric.RESOURCE.METRIC.STATISTIC` over all the trace keeps, or its
    last `since_text` of virtual time (None when it has no datapoint); a CommandError, with
    a did-you-mean, for a path that names no figure of this stack, and for a statistic the
    metric does not define (with those it does). Any CloudWatch statistic of a metric may
    be asked, not only those `show metrics` lists (stptui.sim.metrics.statistics)."""
    since = since_ms(since_text)
    parts = path.split(".")
    if len(parts) < 4:
        # An example of this stack: of the resource named, when it is measured.
        paths = metric_paths(sim)
        named = [p for p in paths if p.startswith(f"metric.{'.'.join(parts[1:])}.")]
        example = (
            f"e.g. expect {quote_word((named or paths)[0])} >= 0"
            if paths
            else f"it measures {MEASURED}; here: nothing"
        )
        raise CommandError(
            f"{path!r} needs RESOURCE.METRIC.STATISTIC after metric", example, word=path
        )
    name, metric, stat = _named_by(parts)
    check_metric_resource(sim, name)
    kind = kind_of(sim, name) or ""
    known = metric_names(kind)
    metrics = list(dict.fromkeys(m for m, _, _ in known))
    if metric not in metrics:
        guess = did_you_mean(metric, metrics)
        raise CommandError(
            f"{name} has no metric {metric!r}",
            f"did you mean metric.{name}.{guess}.{stat}?"
            if guess
            else f"metrics: {', '.join(metrics)}",
            word=path,
        )
    res, start, end = figures_of(sim, name, since)
    shown = [s for mm, s, _ in known if mm == metric]
    if stat in shown:
        found = res.figure(metric, stat) if res is not None else None
        return None if found is None else found.value
    if res is None:
        res = ResourceMetrics(name, kind)
    try:
        return statistic(sim, res, metric, stat, start, end)
    except StatisticRefused as exc:
        offered = [*shown, *(s for s in exc.offered if s not in shown)]
        if is_statistic(stat):
            raise CommandError(
                f"{metric} of {name} has no statistic {stat!r}: {exc.reason}",
                f"statistics: {_offered_text(offered)}",
                word=path,
            ) from None
        if re.fullmatch(r"p\d{1,2}\.\d{3,}", stat):
            raise CommandError(
                f"{metric} of {name} has no statistic {stat!r}: a percentile has at most two "
                "decimals, as CloudWatch writes them",
                f"e.g. metric.{name}.{metric}.{stat[: stat.index('.') + 3]}",
                word=path,
            ) from None
        # `max` for Maximum, `avg` for Average: CloudWatch's names are the statistics.
        named = [s for s in offered if s not in ("pNN", "pNN.NN")]
        lowered = stat.lower()
        guess = _STAT_ALIASES.get(lowered)
        if guess not in named and not (guess == "p50" and "pNN" in offered):
            guess = next((s for s in named if s.lower().startswith(lowered[:3])), None)
        guess = guess or did_you_mean(stat, named)
        raise CommandError(
            f"{metric} of {name} has no statistic {stat!r}",
            f"did you mean metric.{name}.{metric}.{guess}?"
            if guess
            else f"statistics: {_offered_text(offered)}",
            word=path,
        ) from None


def _named_by(parts: list[str]) -> tuple[str, str, str]:
    """(RESOURCE, METRIC, STATISTIC) of a metric path's dotted parts, at least four."""
    # A queue's name may hold dots (`orders.fifo`): the metric and statistic are the last.
    # A percentile may have decimals, as CloudWatch writes them (pNN.NN: p95.0, p99.9).
    decimals = len(parts) >= 5 and parts[-1].isdigit() and _PERCENTILE.fullmatch(parts[-2])
    if decimals:
        parts = [*parts[:-2], f"{parts[-2]}.{parts[-1]}"]
    return ".".join(parts[1:-2]), parts[-2], _percentile_name(parts[-1])


# How many periods the `show metrics --period` a failed expect suggests cuts its window into.
_HINT_PERIODS = 10


def failed_metric_hint(sim: Simulator, path: str, since_text: str | None) -> str | None:
    """What to look at when `expect` of the metric `path` did not hold (its figure read by
    `metric_value`): the window the figure is of and the datapoints it was computed from,
    and the `show metrics` line that shows the resource's figures period by period, which
    says when the figure moved. None for a path `metric_value` refuses."""
    parts = path.split(".")
    if len(parts) < 4:
        return None
    name, metric, _ = _named_by(parts)
    res, start, end = figures_of(sim, name, since_ms(since_text))
    try:
        samples = statistic(
            sim,
            res or ResourceMetrics(name, kind_of(sim, name) or ""),
            metric,
            "SampleCount",
            start,
            end,
        )
    except StatisticRefused:
        samples = None
    counted = ""
    if samples is not None:
        n = int(samples)
        counted = f", from {n:,} datapoint{'s' * (n != 1)} of {metric}"
    span = end - start
    line = f"show metrics {quote_word(name)}"
    if since_text is not None:
        line += f" --since {since_text}"
    if span > 0:
        need = -(-span // _HINT_PERIODS)
        fit = next((text for text, ms in _ROUND_PERIODS if ms >= need), None)
        line += f" --period {fit or f'{-(-need // 86_400_000)}d'}"
    return (
        f"the figure is of {iso_ms(start)} to {iso_ms(end)} ({format_duration(span)} of "
        f"virtual time{counted}); `{line}` shows when it moved"
    )


# What people write for CloudWatch's statistics.
_STAT_ALIASES = {
    "avg": "Average",
    "mean": "Average",
    "max": "Maximum",
    "min": "Minimum",
    "count": "SampleCount",
    "samples": "SampleCount",
    "total": "Sum",
    "median": "p50",
}


def _offered_text(offered: list[str]) -> str:
    """The statistics a metric offers, percentiles written as CloudWatch writes them."""
    if "pNN" not in offered:
        return ", ".join(offered)
    named = [s for s in offered if s not in ("pNN", "pNN.NN")]
    return f"{', '.join(named)}, or any percentile pNN or pNN.NN (p90, p99.9)"


def metric_statistics(kind: str, metric: str) -> list[str]:
    """The statistics of `metric` of a `kind` completion offers: those `show metrics`
    lists, then a few of the others the metric defines."""
    shown = [s for m, s, _ in metric_names(kind) if m == metric]
    return [*shown, *(s for s in suggested(kind, metric) if s not in shown)]
