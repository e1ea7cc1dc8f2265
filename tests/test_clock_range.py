"""The virtual clock's range, 1970-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z: instants
outside it are refused with a message naming it, no command moves the clock past its end
(and a refused one changes nothing), and every instant, even one scheduled past the end,
formats without an error."""

from __future__ import annotations

import io
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from stptui.cli import main
from stptui.commands import CommandError, Session, execute
from stptui.commands.result import make_console
from stptui.repl.app import Repl
from stptui.sim.clock import (
    CLOCK_RANGE,
    MAX_MS,
    MIN_MS,
    InstantPrecisionError,
    InstantRangeError,
    iso_ms,
    iso_s,
    parse_instant,
)
from stptui.sim.schedules import format_fire_time, parse_schedule

ROOT = Path(__file__).resolve().parents[1]
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"
END = "9999-12-31T23:59:59.999Z"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CYCLE_MS = 146_097 * 86_400_000  # 400 Gregorian years
CTRL_D = "\x04"

# A function fired by rate(1 day), and a queue nobody polls: both schedule work past the
# end of the range when the clock starts near it.
RATE_STACK = """\
serviceName: rate-demo
resources:
  tick:
    type: function
    properties:
      packaging:
        type: stacktape-lambda-buildpack
        properties:
          entryfilePath: src/tick.ts
      events:
        - type: schedule
          properties:
            scheduleRate: rate(1 day)
  jobQueue:
    type: sqs-queue
"""


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_script(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, lines: list[str], start: str
) -> tuple[int, str, str]:
    script = tmp_path / "s.stp"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return cli(capsys, "run", str(JOB_QUEUE), str(script), "--start", start)


def rate_stack(tmp_path: Path) -> Path:
    path = tmp_path / "rate" / "stacktape.yml"
    path.parent.mkdir()
    path.write_text(RATE_STACK, encoding="utf-8")
    return path.parent


def state(session: Session) -> tuple[object, ...]:
    """What a refused command must leave exactly as it was."""
    sim = session.sim
    return (list(session.log), sim.clock.now, sim.trace.seq, sim.pending(), sim.agenda())


def refused(session: Session, line: str) -> CommandError:
    before = state(session)
    with pytest.raises(CommandError) as caught:
        execute(session, line)
    assert state(session) == before
    assert "\n" not in caught.value.message and caught.value.hint
    return caught.value


# -- the tester's repros, through the CLI ----------------------------------------------------


def test_until_the_end_then_advance_is_a_command_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run_script(
        capsys,
        tmp_path,
        ["until 9999-12-31T23:59:59Z", "advance 1s"],
        "2026-01-05T08:00:00Z",
    )
    assert code == 2
    assert "now 9999-12-31T23:59:59.000Z" in out
    assert (
        "s.stp:2: error: advance 1s would take the clock to +10000-01-01T00:00:00.000Z; "
        f"the clock cannot pass {END}"
    ) in err
    assert "hint: now 9999-12-31T23:59:59.000Z: at most 999 ms of virtual time is left" in err
    assert "Traceback" not in err


def test_a_start_in_the_last_second_then_advance_is_a_command_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run_script(capsys, tmp_path, ["advance 1s"], "9999-12-31T23:59:59Z")
    assert code == 2
    assert (
        "s.stp:1: error: advance 1s would take the clock to +10000-01-01T00:00:00.000Z; "
        f"the clock cannot pass {END}"
    ) in err


@pytest.mark.parametrize(
    ("start", "shown"),
    [
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z"),
        ("1969-12-31T23:59:59.9999Z", "1969-12-31T23:59:59.999Z"),
        ("9999-12-31T23:00:00-05:00", "+10000-01-01T04:00:00.000Z"),
    ],
)
@pytest.mark.parametrize("sub", [["run", str(JOB_QUEUE), "/dev/null"], ["repl", str(JOB_QUEUE)]])
def test_a_start_outside_the_range_is_refused_naming_it(
    capsys: pytest.CaptureFixture[str], start: str, shown: str, sub: list[str]
) -> None:
    code, out, err = cli(capsys, *sub, "--start", start)
    assert (code, out) == (2, "")
    assert err == (
        f"stptui {sub[0]}: --start {shown} is outside the virtual clock's range, {CLOCK_RANGE}\n"
    )


def test_a_start_at_either_end_of_the_range_is_accepted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for start, now in [("1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z"), (END, END)]:
        code, out, _ = run_script(capsys, tmp_path, [f"expect time == {start}"], start)
        assert code == 0
        assert f"ok: time == {now}" in out


def test_schedule_lists_rate_fires_up_to_the_end_of_the_range(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ("schedule", "rate(1 minute)", "--after", "9999-12-31T23:58:00Z", "-n", "3")
    assert cli(capsys, *args) == (0, "9999-12-31T23:59:00Z\n", "")
    assert cli(capsys, "schedule", "rate(1 minute)", "--after", END) == (
        0,
        "",
        f"rate(1 minute): no fire after {END} up to {END}, the end of the virtual clock's range\n",
    )


def test_schedule_after_outside_the_range_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "schedule", "rate(1 minute)", "--after", "+10000-01-01T00:00:00Z")
    assert (code, out) == (2, "")
    assert err == (
        "stptui schedule: --after '+10000-01-01T00:00:00Z' is outside the virtual clock's range, "
        f"{CLOCK_RANGE}\n"
    )


def test_next_fires_stops_at_the_end_of_the_range() -> None:
    after = datetime(9999, 12, 31, 23, 58, tzinfo=UTC)
    fires = parse_schedule("rate(1 minute)").next_fires(after, 3)
    assert fires == [datetime(9999, 12, 31, 23, 59, tzinfo=UTC)]


# -- commands near the end of the range ------------------------------------------------------


def test_a_refused_advance_changes_nothing_and_the_session_goes_on(tmp_path: Path) -> None:
    session = Session.open(JOB_QUEUE, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    execute(session, "until 9999-12-31T23:59:59Z")
    error = refused(session, "advance 1s")
    assert error.message.endswith(f"the clock cannot pass {END}")
    assert execute(session, "advance 999ms").text == f"now {END} (+999 ms)"
    error = refused(session, "advance 1ms")
    assert error.hint == "the clock is at the end of its range: nothing moves it further"
    execute(session, f"expect time == {END}")
    saved = session.save(tmp_path / "end.json")
    session.load(saved)
    assert session.sim.clock.now == MAX_MS
    assert session.log == ["until 9999-12-31T23:59:59Z", "advance 999ms"]


COMBINED = ROOT / "stptui" / "sample_stacks" / "combined"


@pytest.mark.parametrize(
    ("start", "line", "latest"),
    [
        # api's timeout is 20 s; the HTTP API answers within its 30 s integration timeout.
        ("9999-12-31T23:59:40.000Z", "invoke api", "+10000-01-01T00:00:00.000Z"),
        ("9999-12-31T23:59:30.000Z", "http GET /jobs", "+10000-01-01T00:00:00.000Z"),
        (END, "http GET /nowhere", "+10000-01-01T00:00:29.999Z"),
    ],
)
def test_a_call_that_could_end_past_the_end_is_refused(start: str, line: str, latest: str) -> None:
    session = Session.open(COMBINED, start_ms=parse_instant(start))
    error = refused(session, line)
    assert f"as late as {latest}" in error.message
    assert error.message.endswith(f"the clock cannot pass {END}")


@pytest.mark.parametrize(
    ("start", "line", "end"),
    [
        ("9999-12-31T23:59:39.999Z", "invoke api", END),
        ("9999-12-31T23:59:29.999Z", "http GET /jobs", "9999-12-31T23:59:49.999Z"),
    ],
)
def test_a_call_that_ends_in_range_runs(start: str, line: str, end: str) -> None:
    session = Session.open(COMBINED, start_ms=parse_instant(start))
    execute(session, "slow api 20s")  # as long as api's timeout lets it take
    result = execute(session, line)
    assert result.text.endswith(f"now {end} (+20 s)")


@pytest.mark.parametrize(
    "line",
    [
        "until +10000-01-01T00:00:00Z",
        "until 9999-12-31T23:00:00-05:00",
        "until -0001-01-01T00:00:00Z",
    ],
)
def test_until_outside_the_range_names_it(line: str) -> None:
    session = Session.open(JOB_QUEUE, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    error = refused(session, line)
    assert error.message.endswith(f"is outside the virtual clock's range, {CLOCK_RANGE}")
    assert error.hint == f"the clock cannot pass {END}"


def test_step_refuses_an_event_past_the_end_and_stops_before_one(tmp_path: Path) -> None:
    session = Session.open(rate_stack(tmp_path), start_ms=parse_instant("9999-12-31T23:50:00Z"))
    # The agenda formats what is scheduled past the end.
    execute(session, "send jobQueue a --delay 1s")
    execute(session, "send jobQueue b --delay 900s")
    agenda = execute(session, "show agenda").table
    assert agenda is not None
    assert [row[0] for row in agenda[1]] == [
        "9999-12-31T23:50:01.000Z",
        "+10000-01-01T00:05:00.000Z",
        "+10000-01-01T23:50:00.000Z",
        "+10000-01-04T23:50:00.000Z",
    ]
    result = execute(session, "step 5")
    first, note = result.text.split("\n")
    assert first == (
        "ran 1 event; now 9999-12-31T23:50:01.000Z (+1 s); "
        "the next event, at +10000-01-01T00:05:00.000Z, is past the clock's maximum"
    )
    # With no consumer, the message that became visible wrote no record: step says so.
    assert note.startswith("the event wrote no trace record: it was delay jobQueue: message ")
    error = refused(session, "step")
    assert error.message == (
        f"step: the next event is at +10000-01-01T00:05:00.000Z; the clock cannot pass {END}"
    )
    assert execute(session, "advance 1s").text == "now 9999-12-31T23:50:02.000Z (+1 s)"


def test_run_stops_at_the_end_of_the_range(tmp_path: Path) -> None:
    session = Session.open(rate_stack(tmp_path), start_ms=parse_instant("9999-12-31T23:50:00Z"))
    assert execute(session, "run").text == "quiet; now 9999-12-31T23:50:00.000Z (+0 ms)"
    execute(session, "send jobQueue b --delay 900s")
    assert execute(session, "run --max 1m").data["now"] == "9999-12-31T23:51:00.000Z"
    result = execute(session, "run")
    assert result.text == (
        f"still busy at {END}, where the clock's range ends; now {END} (+8 min 59.999 s)"
    )
    assert result.data == {"quiet": False, "now": END}
    schedules = execute(session, "show schedules").table
    assert schedules is not None
    assert "+10000-01-01T23:50:00Z" in schedules[1][0]


def test_the_repl_is_not_wedged_by_a_refused_move(tmp_path: Path) -> None:
    session = Session.open(JOB_QUEUE, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    saved = tmp_path / "s.json"
    keys = (
        "until 9999-12-31T23:59:59Z\r"
        "advance 1s\r"
        "advance 1s\r"
        "expect time == 9999-12-31T23:59:59Z\r"
        "advance 500ms\r"
        f"save {saved}\r" + CTRL_D
    )
    out = io.StringIO()
    with create_pipe_input() as inp, create_app_session(input=inp, output=DummyOutput()):
        repl = Repl(session, console=make_console(file=out, width=200))
        inp.send_text(keys)
        assert repl.run() == 0
    text = out.getvalue()
    assert "internal error" not in text
    assert text.count(f"the clock cannot pass {END}") == 2
    assert "ok: time == 9999-12-31T23:59:59.000Z" in text
    assert "now 9999-12-31T23:59:59.500Z (+500 ms)" in text
    assert f"saved 2 commands at 9999-12-31T23:59:59.500Z to {saved}" in text


# -- session files ---------------------------------------------------------------------------


def _edited_session(tmp_path: Path, start: str, commands: list[str]) -> Path:
    """A saved session with its start and commands edited by hand."""
    session = Session.open(JOB_QUEUE, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    path = session.save(tmp_path / "s.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["start"], doc["commands"] = start, commands
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("start", "shown"),
    [
        ("9999-12-31T23:59:59-05:00", "+10000-01-01T04:59:59.000Z"),
        ("1960-01-01T00:00:00Z", "1960-01-01T00:00:00.000Z"),
    ],
)
def test_loading_a_session_that_starts_outside_the_range_is_an_error(
    tmp_path: Path, start: str, shown: str
) -> None:
    path = _edited_session(tmp_path, start, [])
    session = Session.open(JOB_QUEUE, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    error = refused(session, f"load {path}")
    assert error.message == (
        f"{path}: start: {shown} is outside the virtual clock's range, {CLOCK_RANGE}"
    )


def test_loading_a_session_whose_commands_pass_the_end_is_an_error(tmp_path: Path) -> None:
    path = _edited_session(tmp_path, "9999-12-31T23:59:00Z", ["advance 1m"])
    session = Session.open(JOB_QUEUE, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    error = refused(session, f"load {path}")
    assert error.message.startswith(f"{path}: command 1 ('advance 1m') does not replay: ")
    assert error.message.endswith(f"the clock cannot pass {END}")


# -- parsing ---------------------------------------------------------------------------------


def test_parse_instant_accepts_exactly_the_range() -> None:
    assert parse_instant("1970-01-01T00:00:00Z") == MIN_MS
    assert parse_instant(END) == MAX_MS
    # Zeros below the millisecond (Python's isoformat writes microseconds) change nothing.
    assert parse_instant("9999-12-31T23:59:59.999000Z") == MAX_MS
    # Outside the range is said first, also when the digits go below the millisecond.
    for text in ["1969-12-31T23:59:59.9999Z", "0001-01-01T00:00:00Z", "+10000-01-01T00:00Z"]:
        with pytest.raises(InstantRangeError):
            parse_instant(text)
    with pytest.raises(ValueError) as caught:
        parse_instant("tomorrow")
    assert not isinstance(caught.value, InstantRangeError)


@pytest.mark.parametrize(
    "text",
    [
        "2026-01-05T08:00:00.1234Z",
        "2026-01-05T08:00:00,0001Z",  # ISO's decimal comma
        "2026-01-05T08:00:00.0000001Z",  # the 7th digit, which `datetime` drops unseen
        "2026-01-05T09:00:00.123456+01:00",
        "9999-12-31T23:59:59.9999999Z",
    ],
)
def test_parse_instant_refuses_digits_below_the_millisecond(text: str) -> None:
    # Dropping them would move the instant silently, as a 1.5 ms duration is refused.
    with pytest.raises(InstantPrecisionError) as caught:
        parse_instant(text)
    assert str(caught.value).startswith(
        f"{text!r} has digits below the millisecond; time has millisecond resolution: e.g. "
    )


@pytest.mark.parametrize("sub", [["run", str(JOB_QUEUE), "/dev/stdin"], ["repl", str(JOB_QUEUE)]])
def test_a_start_below_the_millisecond_is_refused(
    capsys: pytest.CaptureFixture[str], sub: list[str]
) -> None:
    code, out, err = cli(capsys, *sub, "--start", "2026-01-05T08:00:00.1234Z")
    assert (code, out) == (2, "")
    assert err == (
        f"stptui {sub[0]}: --start '2026-01-05T08:00:00.1234Z' has digits below the "
        "millisecond; time has millisecond resolution: e.g. 2026-01-05T08:00:00.123Z\n"
    )


def test_the_bare_command_refuses_a_start_below_the_millisecond(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = cli(capsys, str(JOB_QUEUE), "--no-tui", "--start", "2026-01-05T08:00:00.5001Z")
    assert (code, out) == (2, "")
    assert err.startswith("stptui: --start '2026-01-05T08:00:00.5001Z' has digits below the")


def test_until_and_expect_time_refuse_digits_below_the_millisecond() -> None:
    # The same rule wherever an instant is typed: `until` must not stop 0.4 ms early.
    session = Session.open(JOB_QUEUE, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    error = refused(session, "until 2026-01-05T09:00:00.0004Z")
    assert error.message == (
        "'2026-01-05T09:00:00.0004Z' has digits below the millisecond; time has millisecond "
        "resolution: e.g. 2026-01-05T09:00:00.000Z"
    )
    error = refused(session, "expect time == 2026-01-05T08:00:00.0001Z")
    assert "has digits below the millisecond" in error.message
    # Zeros are no finer than a millisecond.
    assert execute(session, "until 2026-01-05T09:00:00.000000Z").text.startswith(
        "now 2026-01-05T09:00:00.000Z"
    )


# -- formatting ------------------------------------------------------------------------------


def _ms(year: int, month: int = 1, day: int = 1) -> int:
    return (datetime(year, month, day, tzinfo=UTC) - EPOCH) // timedelta(milliseconds=1)


def test_years_past_9999_are_written_in_expanded_form() -> None:
    assert iso_ms(MAX_MS + 1) == "+10000-01-01T00:00:00.000Z"
    assert iso_s(MAX_MS + 1) == "+10000-01-01T00:00:00Z"
    assert format_fire_time(MAX_MS + 1) == "+10000-01-01T00:00:00Z"
    assert format_fire_time(MAX_MS + 1002) == "+10000-01-01T00:00:01.001Z"
    # 10400-02-29 exists (10400 is a multiple of 400); a day later is March 1.
    leap = _ms(2000, 2, 29) + 21 * CYCLE_MS
    assert iso_ms(leap) == "+10400-02-29T00:00:00.000Z"
    assert iso_s(leap + 86_400_000 + 1_234) == "+10400-03-01T00:00:01Z"
    assert iso_ms(10**18) == "+31690708-07-05T01:46:40.000Z"


def test_years_below_1000_have_four_digits() -> None:
    assert iso_ms(_ms(1)) == "0001-01-01T00:00:00.000Z"
    assert iso_s(_ms(999, 12, 31) + 86_399_999) == "0999-12-31T23:59:59Z"
    assert iso_ms(_ms(1) - 1) == "0000-12-31T23:59:59.999Z"
    assert iso_s(_ms(1) - 366 * 86_400_000 - 1) == "-0001-12-31T23:59:59Z"


def _expected(ms: int, timespec: str) -> str:
    return (EPOCH + timedelta(milliseconds=ms)).isoformat(timespec=timespec)[:-6] + "Z"


@given(st.integers(MIN_MS, MAX_MS))
def test_iso_agrees_with_datetime_across_the_range(ms: int) -> None:
    assert iso_ms(ms) == _expected(ms, "milliseconds")
    assert iso_s(ms) == _expected(ms, "seconds")
    assert parse_instant(iso_ms(ms)) == ms


@given(st.integers(MIN_MS, MAX_MS), st.integers(-(10**6), 10**6))
def test_iso_repeats_every_400_years(ms: int, cycles: int) -> None:
    base = _expected(ms, "milliseconds")
    year = int(base[:4]) + 400 * cycles
    sign = "+" if year > 9999 else "-" if year < 0 else ""
    assert iso_ms(ms + cycles * CYCLE_MS) == f"{sign}{abs(year):04d}{base[4:]}"


def test_what_shows_instants_past_the_clocks_end_shows_them_whole() -> None:
    from stptui.sim.services.http import request_time
    from stptui.tui.render import display_time
    from stptui.tui.widgets.graph_pane import _when

    past_end = MAX_MS + 1 + 9 * 3_600_000  # +10000-01-01T09:00:00Z
    assert display_time(past_end) == "+10000-01-01 09:00:00.000 UTC"
    assert _when(MAX_MS, past_end) == "+10000-01-01 09:00"
    assert request_time(past_end) == "01/Jan/+10000:09:00:00 +0000"
    assert request_time(parse_instant("2020-03-12T19:03:58Z")) == "12/Mar/2020:19:03:58 +0000"


def test_a_python_handlers_clock_reads_the_simulated_time_to_the_end_of_the_range() -> None:
    from stptui.sim.behavior import InvocationInput
    from stptui.sim.behavior.python_handlers import HandlerContext

    def context(now_ms: int) -> HandlerContext:
        inp = InvocationInput("fn", 1, 1, "manual", now_ms, 3_000, dict)
        return HandlerContext(None, inp, random.Random(0), 128)  # type: ignore[arg-type]

    start = parse_instant("2026-01-05T08:00:00Z")
    assert context(start).now == datetime(2026, 1, 5, 8, tzinfo=UTC)
    # An invocation that outruns the clock's end reads its last instant, not a crash.
    assert context(MAX_MS + 5_000).now == datetime(9999, 12, 31, 23, 59, 59, 999_000, tzinfo=UTC)
