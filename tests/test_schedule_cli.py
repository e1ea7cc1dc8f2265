"""`stptui schedule`: next fire times of an AWS schedule expression."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from stptui.cli import main

ROOT = Path(__file__).resolve().parents[1]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["schedule", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_prints_the_next_fires_strictly_after(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "cron(0 9 * * ? *)", "--after", "2026-01-05T09:00:00Z", "-n", "2")
    assert code == 0
    assert out.splitlines() == ["2026-01-06T09:00:00Z", "2026-01-07T09:00:00Z"]


def test_rate_counts_from_after(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rate(1 day)", "--after", "2026-01-05T08:30:00Z", "-n", "2")
    assert code == 0
    assert out.splitlines() == ["2026-01-06T08:30:00Z", "2026-01-07T08:30:00Z"]


def test_no_fire_past_2199_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "cron(0 0 1 1 ? 2199)", "--after", "2199-06-01T00:00:00Z")
    assert (code, out) == (0, "")
    assert err == (
        "cron(0 0 1 1 ? 2199): no fire after 2199-06-01T00:00:00Z up to 2199, cron's last year\n"
    )


def test_a_rate_with_no_fire_in_the_range_says_so_as_cron_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Its next fire is past the end of the virtual clock: silence read as a crash.
    code, out, err = run(capsys, "rate(1 minute)", "--after", "9999-12-31T23:59:59.999Z")
    assert (code, out) == (0, "")
    assert err == (
        "rate(1 minute): no fire after 9999-12-31T23:59:59.999Z up to "
        "9999-12-31T23:59:59.999Z, the end of the virtual clock's range\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("cron(0 9 * * *)",), "invalid schedule: cron(...) needs exactly 6 fields"),
        (("rate(10 minute)",), "invalid schedule: rate(10 minute): use the plural"),
        (
            ("cron(0 9 * * ? *)", "--after", "yesterday"),
            "--after 'yesterday' is not an ISO-8601 instant (e.g. 2026-01-05T08:00:00Z)\n",
        ),
        (("cron(0 9 * * ? *)", "-n", "0"), "-n must be at least 1\n"),
        (
            ("rate(1 minute)", "-n", str(2**63)),
            "-n must be at most 1,000,000; for later fires, run it again with --after the "
            "last time it printed\n",
        ),
        (
            ("rate(1 day)", "--after", "2026-01-05T08:00:00.0005Z"),
            "--after '2026-01-05T08:00:00.0005Z' has digits below the millisecond; time has "
            "millisecond resolution: e.g. 2026-01-05T08:00:00.000Z\n",
        ),
    ],
)
def test_bad_input_exits_2_with_the_reason_after_the_command_name(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    # As `stptui match: ...` and `stptui run: --start ...`: a line in a CI log says which
    # command it comes from.
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert err.startswith(f"stptui schedule: {message}")


def test_an_after_with_zeros_below_the_millisecond_is_the_same_instant(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Python's isoformat writes microseconds: `.500000` is `.500`.
    expression = "cron(0 0 1 1 ? 1970)"
    code, out, err = run(capsys, expression, "--after", "2026-01-05T08:00:00.500000Z")
    assert (code, out) == (0, "")
    assert err.startswith(f"{expression}: no fire after 2026-01-05T08:00:00.500Z up to")


def test_rate_fires_are_whole_minutes_from_the_minute_it_starts_in(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # "The minimum precision for schedules is 1 minute" (EventBridge): a rate() counted from
    # 08:00:40.5 fires in the minutes 08:05, 08:10 ..., at their second 0, as cron() does.
    after = "2026-01-05T08:00:40.500Z"
    code, out, _ = run(capsys, "rate(5 minutes)", "--after", after, "-n", "2")
    assert (code, out) == (0, "2026-01-05T08:05:00Z\n2026-01-05T08:10:00Z\n")


def test_the_largest_n_lists_every_fire_up_to_2199(capsys: pytest.CaptureFixture[str]) -> None:
    # The limit bounds the output, not the expression: a yearly cron lists all it has.
    code, out, err = run(
        capsys, "cron(0 0 1 1 ? *)", "--after", "2026-06-01T00:00:00Z", "-n", "1000000"
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert (len(lines), lines[0], lines[-1]) == (
        173,
        "2027-01-01T00:00:00Z",
        "2199-01-01T00:00:00Z",
    )


def _minute_fires() -> subprocess.Popen[str]:
    """A million minute fires (half a minute of output) into a pipe the test reads."""
    return subprocess.Popen(
        [sys.executable, "-m", "stptui", "schedule", "rate(1 minute)", "-n", "1000000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def test_a_reader_that_goes_away_ends_it_quietly() -> None:
    # `stptui schedule ... | head -3`: no traceback, no message; exit 2 as every sub-command
    # whose output is cut off (test_cli_output_errors.py), so that it never reads as a pass.
    proc = _minute_fires()
    assert proc.stdout is not None and proc.stderr is not None
    for _ in range(3):
        assert proc.stdout.readline().endswith(":00Z\n")
    proc.stdout.close()
    assert proc.wait(timeout=60) == 2
    assert proc.stderr.read() == ""


def test_ctrl_c_ends_it_quietly_with_130() -> None:
    proc = _minute_fires()
    assert proc.stdout is not None
    assert proc.stdout.readline().endswith(":00Z\n")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert (proc.returncode, err) == (130, "")
