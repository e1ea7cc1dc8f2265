"""docs/repl.md's `record` example is what `record` writes: its header, with the stptui
version, the `stptui run` line that replays it, the seed, start, stage and region, the stack
and behaviours files with their digests, and then the commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stptui import __version__
from stptui.commands import Session, execute
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "repl.md"


def documented() -> list[str]:
    """The lines of the page's record example, less its closing `...`."""
    text = PAGE.read_text(encoding="utf-8")
    m = re.search(r"^<!-- record header: [^>]*-->\n```text\n(.*?)^```$", text, re.S | re.M)
    assert m is not None, "docs/repl.md has no marked `record` example"
    lines = m[1].splitlines()
    assert lines[-1] == "..."
    return lines[:-1]


def test_the_record_example_is_what_record_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Opened from the repository's root, with the stack as the page's paths name it.
    monkeypatch.chdir(ROOT)
    session = Session.open(
        Path("stptui/sample_stacks/job-queue/stacktape.yml"),
        start_ms=parse_instant("2026-01-05T08:00:00Z"),
    )
    script = tmp_path / "tour.stp"
    for line in (
        f"record {script}",
        'send jobQueue \'{"orderId": 1, "amount": 20}\'',
        "advance 5s",
        "record stop",
    ):
        execute(session, line)
    written = script.read_text(encoding="utf-8").replace(str(script), "tour.stp")
    # The page leaves the digests out, and names the version it was written with.
    written = re.sub(r"\(sha256 [0-9a-f]{64}\)", "(sha256 ...)", written)
    page = [line.replace("stptui 0.1.0 ", f"stptui {__version__} ") for line in documented()]
    assert written.splitlines()[: len(page)] == page
