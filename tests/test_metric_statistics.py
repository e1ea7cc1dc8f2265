"""`expect metric.R.M.S` asks any CloudWatch statistic a metric defines, not only those
`show metrics` lists; `--since D` windows it as `show metrics --since D` does; and an HTTP
API's `--period` table lists its routes under each period (docs/fidelity.md, "Metrics")."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stptui.commands import CommandError, ExpectationFailed, Session, execute, render_plain
from stptui.commands.handlers.metrics import metric_paths, metric_value
from stptui.repl.candidates import candidates
from stptui.repl.validator import check
from stptui.sim.clock import parse_instant

START = parse_instant("2026-01-05T08:00:00Z")

# An HTTP API with two routes to one function, and a queue nothing consumes.
STACK = """\
resources:
  api:
    type: http-api-gateway
  work:
    type: sqs-queue
  fn:
    type: function
    properties:
      packaging:
        type: stacktape-lambda-buildpack
        properties:
          entryfilePath: src/fn.ts
      timeout: 10
      events:
        - type: http-api-gateway
          properties:
            httpApiGatewayName: api
            path: /ok
            method: GET
        - type: http-api-gateway
          properties:
            httpApiGatewayName: api
            path: /orders/{id}
            method: POST
"""


def _session(tmp_path: Path, *lines: str) -> Session:
    path = tmp_path / "stacktape.yml"
    path.write_text(STACK)
    session = Session.open(path, start_ms=START)
    for line in lines:
        execute(session, line)
    return session


def _value(session: Session, path: str, since: str | None = None) -> float | None:
    return metric_value(session.sim, f"metric.{path}", since)


# Five invocations of 100, 400, 300, 1000 and 200 ms, the 300 and 1000 ms ones failing.
INVOCATIONS = (
    "slow fn 100ms",
    "invoke fn",
    "slow fn 400ms",
    "invoke fn",
    "fail fn next 2",
    "slow fn 300ms",
    "invoke fn",
    "slow fn 1000ms",
    "invoke fn",
    "slow fn 200ms",
    "invoke fn",
)


@pytest.mark.parametrize(
    ("statistic", "value"),
    [
        ("Minimum", 100),
        ("Maximum", 1000),
        ("SampleCount", 5),
        ("Sum", 2000),
        ("Average", 400),
        # Nearest rank: the value at rank ceil(p * 5) of 100, 200, 300, 400, 1000.
        ("p20", 100),
        ("p20.01", 200),
        ("p50", 300),
        ("p80", 400),
        ("p90", 1000),
        ("p99.9", 1000),
    ],
)
def test_any_statistic_of_a_duration(tmp_path: Path, statistic: str, value: float) -> None:
    session = _session(tmp_path, *INVOCATIONS)
    assert _value(session, f"fn.Duration.{statistic}") == value


@pytest.mark.parametrize(
    ("path", "value"),
    [
        # Lambda publishes Invocations 1 and Errors 0 or 1 per invocation: Errors' Average
        # is the error rate, its SampleCount the invocations.
        ("fn.Errors.Average", 0.4),
        ("fn.Errors.SampleCount", 5),
        ("fn.Errors.Minimum", 0),
        ("fn.Errors.Maximum", 1),
        ("fn.Errors.p50", 0),
        ("fn.Errors.p80", 1),
        ("fn.Invocations.Average", 1),
        ("fn.Invocations.SampleCount", 5),
        # A throttled request publishes Throttles 1: none here, so no datapoint.
        ("fn.Throttles.SampleCount", 0),
        ("fn.Throttles.Average", None),
    ],
)
def test_lambda_counts_are_sampled_per_invocation(
    tmp_path: Path, path: str, value: float | None
) -> None:
    session = _session(tmp_path, *INVOCATIONS)
    assert _value(session, path) == value


def test_api_gateway_error_counts_average_to_a_rate_of_count(tmp_path: Path) -> None:
    # Two routed requests (the function returns no response: 5xx) and one to no route (404).
    session = _session(
        tmp_path, "http GET /ok", "http GET /missing", "http POST /orders/1", "advance 1s"
    )
    assert _value(session, "api.Count.SampleCount") == 3
    assert _value(session, "api.Count.Average") == 1
    assert _value(session, "api.4xx.Average") == pytest.approx(1 / 3)
    assert _value(session, "api.5xx.Average") == pytest.approx(2 / 3)
    assert _value(session, "api.5xx.SampleCount") == 3
    assert _value(session, "api.Latency.Minimum") is not None


def _sends(tmp_path: Path) -> Session:
    # 3 messages in the second minute, 5 in the fourth; 6 minutes in all.
    return _session(
        tmp_path,
        "advance 1m",
        "repeat 3 send work '{}'",
        "advance 2m",
        "repeat 5 send work '{}'",
        "advance 3m",
    )


@pytest.mark.parametrize(
    ("statistic", "since", "value"),
    [
        # Minutes [0, 3, 0, 5, 0, 0]: SQS publishes one datapoint a minute.
        ("SampleCount", None, 6),
        ("Sum", None, 8),
        ("Average", None, 8 / 6),
        ("Maximum", None, 5),
        ("Minimum", None, 0),
        ("p50", None, 0),
        ("p70", None, 3),
        # The last 3 minutes: [5, 0, 0].
        ("SampleCount", "3m", 3),
        ("Average", "3m", 5 / 3),
        # The last 90 s: two minutes from 08:04:30, the last cut short by now.
        ("SampleCount", "90s", 2),
        ("Sum", "90s", 0),
    ],
)
def test_sqs_counts_are_sampled_per_minute(
    tmp_path: Path, statistic: str, since: str | None, value: float
) -> None:
    session = _sends(tmp_path)
    got = _value(session, f"work.NumberOfMessagesSent.{statistic}", since)
    assert got == pytest.approx(value)


@pytest.mark.parametrize(
    ("path", "message", "hint"),
    [
        ("work.ApproximateNumberOfMessagesVisible.Average", "is a gauge", "statistics: Maximum"),
        ("fn.ConcurrentExecutions.p95", "only its Maximum is defined", "statistics: Maximum"),
        ("work.NumberOfMessagesMovedToDLQ.Average", "as its Sum only", "statistics: Sum"),
        ("fn.Duration.Median", "no statistic 'Median'", "metric.fn.Duration.p50"),
        ("fn.Duration.Mode", "no statistic 'Mode'", "any percentile pNN or pNN.NN"),
        ("work.ApproximateNumberOfMessagesVisible.mean", "no statistic", "statistics: Maximum"),
        ("fn.Errors.avg", "no statistic 'avg'", "metric.fn.Errors.Average"),
        ("fn.Duration.p95.555", "at most two decimals", "metric.fn.Duration.p95.55"),
    ],
)
def test_an_undefined_statistic_is_refused_with_those_offered(
    tmp_path: Path, path: str, message: str, hint: str
) -> None:
    session = _session(tmp_path, "send work '{}'", "invoke fn")
    before = session.sim.trace.seq
    with pytest.raises(CommandError) as err:
        execute(session, f"expect metric.{path} == 0")
    assert message in err.value.message
    assert hint in (err.value.hint or "")
    assert session.sim.trace.seq == before
    problem = check(session, f"expect metric.{path} == 0")
    assert problem is not None and message in problem.message


def test_expect_since_is_the_window_of_show_metrics_since(tmp_path: Path) -> None:
    session = _sends(tmp_path)
    shown = execute(session, "show metrics work --since 3m").data
    sent = next(
        f["value"]
        for f in shown["resources"]["work"]["metrics"]
        if f["metric"] == "NumberOfMessagesSent"
    )
    assert sent == 5
    ok = execute(session, "expect metric.work.NumberOfMessagesSent.Sum == 5 --since 3m")
    assert ok.text == ("ok: metric.work.NumberOfMessagesSent.Sum == 5 over the last 3m (actual 5)")
    assert ok.data["since"] == "3m"
    with pytest.raises(ExpectationFailed) as failed:
        execute(session, "expect metric.work.NumberOfMessagesSent.Sum == 8 --since 3m")
    assert "over the last 3m, actual 5" in failed.value.message
    # Without it, all the trace holds.
    execute(session, "expect metric.work.NumberOfMessagesSent.Sum == 8")


def test_expect_compares_a_metric_with_a_fraction(tmp_path: Path) -> None:
    session = _session(tmp_path, *INVOCATIONS)
    execute(session, "expect metric.fn.Errors.Average <= 0.4")
    with pytest.raises(ExpectationFailed):
        execute(session, "expect metric.fn.Errors.Average < 0.05")
    with pytest.raises(CommandError, match="is a whole number"):
        execute(session, "expect queue.work.depth == 0.5")


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        ("expect metric.fn.Errors.Sum == 0 --since 0s", "at least 1 ms", "--since 10m"),
        ("expect metric.fn.Errors.Sum == 0 --since 5x", "--since: unknown unit", "250ms"),
        ("expect queue.work.depth == 0 --since 1m", "--since is for metric paths", "--since"),
        ("expect count message.sent == 0 --since 1m", "--since is for metric paths", "metric."),
    ],
)
def test_a_bad_since_is_refused_and_changes_nothing(
    tmp_path: Path, line: str, message: str, hint: str
) -> None:
    session = _session(tmp_path, "send work '{}'")
    before = session.sim.trace.seq
    with pytest.raises(CommandError) as err:
        execute(session, line)
    assert message in err.value.message
    assert hint in (err.value.hint or "")
    assert session.sim.trace.seq == before
    problem = check(session, line)
    assert problem is not None and message in problem.message


def test_completion_offers_the_other_statistics(tmp_path: Path) -> None:
    session = _session(tmp_path)
    paths = metric_paths(session.sim)
    for path in (
        "metric.fn.Duration.Minimum",
        "metric.fn.Duration.SampleCount",
        "metric.fn.Duration.p99.9",
        "metric.fn.Errors.Average",
        "metric.work.NumberOfMessagesSent.Average",
        "metric.work.SendToDeleteTime.p90",
    ):
        assert path in paths
    # A gauge offers its Maximum only; a count kept as a Sum, its Sum.
    assert [p for p in paths if ".ApproximateNumberOfMessagesVisible." in p] == [
        "metric.work.ApproximateNumberOfMessagesVisible.Maximum"
    ]
    assert [p for p in paths if ".NumberOfMessagesMovedToDLQ." in p] == [
        "metric.work.NumberOfMessagesMovedToDLQ.Sum"
    ]
    # Every path offered reads.
    for path in paths:
        metric_value(session.sim, path)


_STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("slow fn"), st.integers(1, 5_000).map(lambda ms: f"{ms}ms")),
        st.tuples(st.just("fail fn next"), st.integers(1, 3).map(str)),
        st.tuples(st.just("invoke fn"), st.just("")),
        st.tuples(st.just("repeat"), st.integers(1, 4).map(lambda n: f"{n} send work '{{}}'")),
        st.tuples(st.just("advance"), st.sampled_from(("1s", "40s", "1m", "3m"))),
    ),
    min_size=1,
    max_size=14,
)
_PERCENTILES = st.sampled_from(("p0.01", "p10", "p50", "p90", "p99.99"))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=_STEPS, percentile=_PERCENTILES, since=st.sampled_from((None, "1m", "90s")))
def test_statistics_agree(
    tmp_path: Path, steps: list[tuple[str, str]], percentile: str, since: str | None
) -> None:
    # Minimum <= pNN <= Maximum, and Average * SampleCount == Sum, for each way of sampling.
    session = _session(tmp_path, *(f"{verb} {arg}".strip() for verb, arg in steps))
    for metric in ("fn.Duration", "fn.Errors", "fn.Invocations", "work.NumberOfMessagesSent"):
        value = {
            stat: _value(session, f"{metric}.{stat}", since)
            for stat in ("Minimum", "Maximum", "Average", "SampleCount", "Sum", percentile)
        }
        count = value["SampleCount"]
        assert count is not None
        if count == 0:
            assert value["Average"] is None and value[percentile] is None
            continue
        low, high, mid = value["Minimum"], value["Maximum"], value[percentile]
        assert low is not None and high is not None and mid is not None
        assert low <= mid <= high
        assert value["Average"] is not None
        assert math.isclose(value["Average"] * count, value["Sum"] or 0, abs_tol=1e-6)


def test_an_http_api_period_table_lists_its_routes(tmp_path: Path) -> None:
    session = _session(
        tmp_path,
        "http GET /ok",
        "http GET /ok",
        "http GET /missing",
        "advance 1m",
        "http POST /orders/1",
        "advance 1m",
    )
    result = execute(session, "show metrics api --period 1m")
    text = render_plain(result)
    table = text[text.index("period ") :].splitlines()
    assert table == [
        "period                    Count  4xx  5xx  Latency p95 (ms)",
        "2026-01-05T08:00:00.000Z  3      1    2    100",
        "  GET /ok                 2      0    2    100",
        "2026-01-05T08:01:00.000Z  1      0    1    100",
        "  POST /orders/{id}       1      0    1    100",
        "2026-01-05T08:02:00.000Z  0      0    0    -",
    ]
    # Well inside 80 columns, as the API's own table is.
    assert max(len(line) for line in text.splitlines()[2:]) <= 80
    assert result.data["routes"] == {
        "GET /ok": [[2, 0, 2, 100.0], None, None],
        "POST /orders/{id}": [None, [1, 0, 1, 100.0], None],
    }


def test_route_counts_add_up_to_at_most_the_api_count_per_period(tmp_path: Path) -> None:
    # A request no route takes counts for the API only.
    session = _session(
        tmp_path,
        "repeat 7 --every 13s http GET /ok",
        "repeat 5 --every 17s http POST /orders/{i}",
        "repeat 3 --every 29s http GET /nowhere",
        "advance 3m",
    )
    data = execute(session, "show metrics api --period 30s").data
    for i, period in enumerate(data["periods"]):
        routed = sum(rows[i][0] for rows in data["routes"].values() if rows[i] is not None)
        assert routed <= period["values"][0]
    total = sum(p["values"][0] for p in data["periods"])
    assert total == 15
    assert sum(r[0] for rows in data["routes"].values() for r in rows if r is not None) == 12


def test_the_repl_completes_the_statistics_and_since(tmp_path: Path) -> None:
    session = _session(tmp_path, *INVOCATIONS)
    word = "expect metric.fn.Errors."
    offered = {
        c.text: c.meta for c in candidates(session, word) if c.text.startswith("metric.fn.Errors.")
    }
    # The table's Sum, then what a question about a count sampled per invocation asks.
    assert list(offered) == [
        "metric.fn.Errors.Sum",
        "metric.fn.Errors.Average",
        "metric.fn.Errors.SampleCount",
    ]
    assert offered["metric.fn.Errors.Average"] == "now 0.4"
    durations = [c.text for c in candidates(session, "expect metric.fn.Duration.p")]
    assert "metric.fn.Duration.p99.9" in durations
    options = [c.text for c in candidates(session, "expect metric.fn.Errors.Sum == 2 --")]
    assert "--since" in options


def test_the_repl_menu_shows_a_metric_over_the_window_typed(tmp_path: Path) -> None:
    # Two failures among five invocations, then 10 minutes later two more that succeed.
    session = _session(tmp_path, *INVOCATIONS, "advance 10m", "invoke fn", "invoke fn")

    def meta(text: str) -> dict[str, str]:
        return {c.text: c.meta for c in candidates(session, text)}

    path = "metric.fn.Errors.Sum"
    assert meta("expect metric.fn.Errors.")[path] == "now 2"
    assert meta("expect --since 5m metric.fn.Errors.")[path] == "over the last 5m: 0"
    assert _value(session, "fn.Errors.Sum", "5m") == 0
    assert meta("expect --since 1h metric.fn.Errors.")[path] == "over the last 1h: 2"
    # A window `expect` would refuse says nothing of the value.
    assert meta("expect --since 5 metric.fn.Errors.")[path] == ""
