"""`stptui schedule`: next fire times of an AWS schedule expression."""

from __future__ import annotations

import pytest

from stptui.cli import main


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


def test_no_fire_past_2199_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "cron(0 0 1 1 ? 2199)", "--after", "2199-06-01T00:00:00Z")
    assert (code, out) == (0, "")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("cron(0 9 * * *)",), "6 fields"),
        (("rate(10 minute)",), "plural"),
        (("cron(0 9 * * ? *)", "--after", "yesterday"), "ISO instant"),
        (("cron(0 9 * * ? *)", "-n", "0"), "at least 1"),
    ],
)
def test_bad_input_exits_2_with_the_reason(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], needle: str
) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert needle in err
