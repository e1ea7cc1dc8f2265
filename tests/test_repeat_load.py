"""What a repetition of `repeat` costs: its call is bound once for the whole repeat (and
is the very call each repetition's own line would bind to), `send` learns whether a FIFO
queue deduplicated its message from the queue's answer, and the work of a burst or a
repeated request grows with N alone, a bounded number of steps a repetition."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from workcount import CountWork

from stptui.commands import REGISTRY, CommandError, Session, execute, render_plain
from stptui.commands.handlers.repeat import _Bound, number_words
from stptui.commands.registry import bind, quote_word
from stptui.sim import trace as tk
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"
COMMANDS_STACK = ROOT / "docs" / "examples" / "commands-stack.yml"
START = parse_instant("2026-01-05T08:00:00Z")

# Steps (Python and built-in calls) a repetition may take, measured with room to spare:
# a repeated `send` took about 200 when each repetition's line was numbered, quoted and
# bound again and `send` read the trace back for a deduplication; an `http` request run
# out (with the api's invocation and the job it sends, which the worker runs) about 510.
# A send's check of a body that lost its quotes adds about 3.
SEND_STEPS = 115
HTTP_STEPS = 450


def _open(stack: Path = JOB_QUEUE) -> Session:
    return Session.open(stack, start_ms=START)


def _steps_per_repetition(stack: Path, lines: list[str], warm: str) -> tuple[float, float]:
    """The steps a repetition of `lines` (with `{n}` for N) takes, at N 200 -> 400 and
    400 -> 800: the difference between runs, so that the repeat's own setup cancels out."""
    counts = []
    for n in (200, 400, 800):
        session = _open(stack)
        execute(session, warm)  # the first send's one-time work (ids, the expiry sweep)
        with CountWork(lines=False) as work:
            for line in lines:
                execute(session, line.format(n=n))
        counts.append(work.steps)
    return (counts[1] - counts[0]) / 200, (counts[2] - counts[1]) / 400


def test_a_burst_of_sends_costs_the_same_bounded_steps_a_repetition() -> None:
    line = "repeat {n} send deadLetterQueue '{{\"n\": {{i}}}}' --attr k={{i}} --attr z=1"
    first, second = _steps_per_repetition(JOB_QUEUE, [line], "send deadLetterQueue warm")
    assert first <= SEND_STEPS and second <= SEND_STEPS, (first, second)
    assert abs(second - first) <= 0.1 * first, (first, second)  # linear in N


def test_repeated_fifo_sends_learn_of_duplicates_without_reading_the_trace() -> None:
    warm = "send orders w --group g --dedup-id w"
    for line in (
        "repeat {n} send orders 'o {{i}}' --group g --dedup-id d-{{i}}",
        "repeat {n} send orders o --group g --dedup-id d",  # all but the first duplicates
    ):
        first, second = _steps_per_repetition(COMMANDS_STACK, [line], warm)
        assert first <= SEND_STEPS and second <= SEND_STEPS, (line, first, second)
        assert abs(second - first) <= 0.1 * first, (line, first, second)
    session = _open(COMMANDS_STACK)
    result = execute(session, "repeat 6 send orders o --group g --dedup-id d")
    assert result.data["deduplicated"] == 5
    assert session.sim.trace.count(tk.MESSAGE_DEDUPLICATED) == 5


def test_a_send_costs_the_same_after_a_long_trace() -> None:
    short, long = _open(COMMANDS_STACK), _open(COMMANDS_STACK)
    for session in (short, long):
        execute(session, "send orders x --group g --dedup-id d")
    execute(long, "repeat 5000 send jobQueue 'n {i}'")
    costs = []
    for session in (short, long):
        with CountWork(lines=False) as work:
            result = execute(session, "send orders x --group g --dedup-id d")
        assert "duplicate of message" in render_plain(result)
        costs.append(work.steps)
    assert costs[0] == costs[1], costs


def test_repeated_requests_run_out_cost_bounded_steps_a_request() -> None:
    lines = ["repeat {n} --every 1ms http POST /jobs/{{i}} '{{\"n\": {{i}}}}'", "advance 1m"]
    first, second = _steps_per_repetition(JOB_QUEUE, lines, "send deadLetterQueue warm")
    assert first <= HTTP_STEPS and second <= HTTP_STEPS, (first, second)
    assert abs(second - first) <= 0.1 * first, (first, second)


# Words as a repeated line may hold them: `{i}` and `{{i}}` anywhere, other braces, quotes,
# spaces, empty words, and options with their values apart or after `=`.
_PIECES = st.sampled_from(["{i}", "{{i}}", "{", "}", "i", "a", " ", "'", '"', "\\", "#", "="])
_TEXT = st.lists(_PIECES, max_size=6).map("".join)
_SEND_OPTIONS = st.sampled_from(["--delay", "--group", "--dedup-id", "--attr"])


@st.composite
def _send_words(draw: st.DrawFn) -> list[str]:
    words = [draw(st.sampled_from(["deadLetterQueue", "q{i}"])), draw(_TEXT)]
    for _ in range(draw(st.integers(0, 3))):
        option = draw(_SEND_OPTIONS)
        value = draw(_TEXT)
        if option == "--attr":
            value = f"k{value}=v{value}"
        words += [f"{option}={value}"] if draw(st.booleans()) else [option, value]
    return words


def _bound_alone(name: str, words: list[str], i: int) -> tuple[object, ...]:
    """Repetition i's call as its own line binds it (as `repeat` did for every one)."""
    numbered = number_words(words, i)
    line = " ".join(quote_word(w) for w in [name, *numbered])
    call = bind(REGISTRY.get(name), line, numbered)
    return call.line, call.words, call.args, call.opts


@settings(max_examples=300, deadline=None)
@given(_send_words(), st.integers(1, 1_000_000))
def test_a_call_bound_once_is_the_call_each_line_binds_to(words: list[str], i: int) -> None:
    try:
        expected = _bound_alone("send", words, i)
    except CommandError:
        return  # a line that does not bind is refused by its first repetition
    bound = _Bound.make(REGISTRY.get("send"), words)
    assert bound is not None
    call = bound.call(i)
    assert (call.line, call.words, call.args, call.opts) == expected


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["GET", "post", "{i}"]),
    _TEXT.map(lambda t: "/jobs/" + t),
    st.one_of(st.none(), _TEXT),
    st.lists(_TEXT.map(lambda t: f"x-n{t}:{t}"), max_size=2),
)
def test_an_http_call_bound_once_is_the_call_each_line_binds_to(
    method: str, path: str, body: str | None, headers: list[str]
) -> None:
    words = [method, path, *([body] if body is not None else [])]
    for header in headers:
        words += ["--header", header]
    bound = _Bound.make(REGISTRY.get("http"), words)
    assert bound is not None
    for i in (1, 7, 123_456):
        call = bound.call(i)
        assert (call.line, call.words, call.args, call.opts) == _bound_alone("http", words, i)


def test_words_that_could_bind_differently_are_bound_for_each_repetition() -> None:
    # An option's name with {i} in it, or a command that checks its words' values as it
    # binds them (publish refuses a whole event pasted as SOURCE): bound line by line.
    assert _Bound.make(REGISTRY.get("send"), ["q", "x", "--delay{i}", "1s"]) is None
    publish = REGISTRY.get("publish")
    assert _Bound.make(publish, ["bus", "src", "T", '{"n": {i}}']) is None
    assert _Bound.make(publish, ["bus", "src", "T", "{}"]) is not None
    session = _open(COMMANDS_STACK)
    result = execute(session, "repeat 3 publish eventBus 'app.{i}' OrderPlaced '{}'")
    assert result.data["ran"] == 3 and result.data["refused"] == 0
    published = [r for r in session.sim.trace.records if r.kind == tk.EVENT_PUBLISHED]
    assert [r.data["event_source"] for r in published] == ["app.1", "app.2", "app.3"]
