"""What the docs say in prose, not in an example, about what a reader will see next: each
test quotes the page it holds for."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest
from replkit import tabbed
from test_docs_tui_keys import bound_keys

from stptui.cli import main
from stptui.commands import Session, execute
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
T0 = parse_instant("2026-01-05T08:00:00Z")


def test_a_when_failure_fails_the_batch_mates_of_the_message_it_holds_for() -> None:
    # docs/getting-started.md: "`processOrder` reads up to 5 messages at a time and a batch
    # fails as a whole, as in Lambda, so an order received in one batch with order 1 is
    # retried with it".
    page = (ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8")
    assert "`processOrder` reads up to 5 messages at a time and a batch fails as a whole" in (
        " ".join(page.split())
    )
    session = Session.open(ROOT / "docs" / "examples" / "order-pipeline.yml", start_ms=T0)
    for line in [
        'fail processOrder when "body.orderId == `1`"',
        "send orders '{\"orderId\": 1}'",
        "send orders '{\"orderId\": 2}'",
        "advance 5m",
    ]:
        execute(session, line)
    assert session.sim.queues["failedOrders"].depth == 2
    # Sent alone, order 2 goes through.
    execute(session, "send orders '{\"orderId\": 2}'")
    execute(session, "advance 5m")
    assert session.sim.queues["failedOrders"].depth == 2
    assert session.sim.queues["orders"].depth == 0


def test_the_exit_code_table_says_strict_fails_validate_on_a_warning() -> None:
    # docs/getting-started.md, `stptui validate`'s exit 1: "or with `--strict` a warning".
    page = (ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8")
    (row,) = [line for line in page.splitlines() if line.startswith("| 1 | at least one error")]
    assert "with `--strict` a warning" in row
    argv = [
        "validate",
        str(ROOT / "docs" / "examples" / "permissions.yml"),
        "--behaviors",
        str(ROOT / "docs" / "examples" / "permissions-behaviors.yml"),
    ]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(argv) == 0
        assert main([*argv, "--strict"]) == 1


def test_a_handlers_context_names_the_function_as_the_page_says(tmp_path: Path) -> None:
    # docs/python-handlers.md: "`job-queue-demo-dev-worker` for the job-queue sample's `worker`".
    page = (ROOT / "docs" / "python-handlers.md").read_text(encoding="utf-8")
    assert "`job-queue-demo-dev-worker` for the job-queue sample's `worker`" in page
    (tmp_path / "names.py").write_text(
        "def worker(event, context):\n    context.log(context.function_name)\n", encoding="utf-8"
    )
    behaviors = tmp_path / "behaviors.yml"
    behaviors.write_text("behaviors:\n  worker:\n    handler: names:worker\n", encoding="utf-8")
    session = Session.open(
        ROOT / "stptui" / "sample_stacks" / "job-queue",
        behaviors_path=behaviors,
        start_ms=T0,
        allow_code=True,
    )
    execute(session, "send jobQueue x")
    execute(session, "advance 5s")
    logged = [r.data["text"] for r in session.sim.trace.records if r.kind == "handler.log"]
    assert logged == ["job-queue-demo-dev-worker"]


def _bullets_quoting_scripts(page: Path) -> list[tuple[str, Path, list[str]]]:
    """The bullets (`- **...`) of a page that link a `.stp` script: (the bullet's title, the
    script, the whole command lines it quotes: code spans starting with a command verb)."""
    text = page.read_text(encoding="utf-8")
    found = []
    for bullet in re.findall(r"^- \*\*.*?(?=^\S|^$|\Z)", text, flags=re.M | re.S):
        flat = " ".join(bullet.split())
        links = re.findall(r"\]\(([^)]+\.stp)\)", flat)
        if len(links) != 1:
            continue
        spans = re.findall(r"(?<!`)`([^`]+)`(?!`)", flat)
        # A whole line: an `expect` with its comparison, no placeholder (`QUEUE`, `...`).
        lines = [
            s
            for s in spans
            if re.match(r"(expect|until|advance|upload|send) \S", s)
            and (not s.startswith("expect") or re.search(r" (==|!=|>=|<=|<|>) ", s))
            and not re.search(r"\b[A-Z_]{2,}\b|\.\.\.", s)
        ]
        found.append((flat[:60], (page.parent / links[0]).resolve(), lines))
    return found


def test_the_checks_ci_md_lists_are_lines_of_the_scripts_it_links() -> None:
    # docs/ci.md lists properties of the samples, each with the `expect` lines of a script
    # that checks it: those must be that script's lines, not lines it once had.
    bullets = _bullets_quoting_scripts(ROOT / "docs" / "ci.md")
    assert len([b for b in bullets if b[2]]) >= 3
    for title, script, lines in bullets:
        written = {" ".join(x.split()) for x in script.read_text(encoding="utf-8").splitlines()}
        assert [x for x in lines if x not in written] == [], (title, script.name)


def test_tab_completes_a_quoted_key_and_a_file_name_with_a_space_as_repl_md_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # docs/repl.md: "`delete uploads "incoming/my` completes to `delete uploads
    # 'incoming/my file.csv'`" (and so does the key typed with `\ `), and "`source smoke`
    # offers `'smoke tests.stp'`".
    page = " ".join((ROOT / "docs" / "repl.md").read_text(encoding="utf-8").split())
    assert (
        "`delete uploads \"incoming/my` completes to `delete uploads 'incoming/my file.csv'`"
        in (page)
    )
    assert "(`source smoke` offers `'smoke tests.stp'`)" in page
    session = Session.open(ROOT / "stptui" / "sample_stacks" / "file-processing", start_ms=T0)
    execute(session, "upload uploads 'incoming/my file.csv' --content x")
    for typed in ['delete uploads "incoming/my', "delete uploads incoming/my\\ "]:
        assert tabbed(session, typed) == ["delete uploads 'incoming/my file.csv'"]
    (tmp_path / "smoke tests.stp").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert tabbed(session, "source smoke") == ["source 'smoke tests.stp'"]


@pytest.mark.parametrize("written", ["2026-01-05T10:00:00+01:00", "2026-01-05T09:00:00"])
def test_an_instant_with_an_offset_or_none_is_read_as_simulating_md_says(written: str) -> None:
    # docs/simulating.md: "An offset is honoured (...); one written without an offset, or a
    # date alone (`2026-01-05`, its midnight), is UTC, whatever the machine's time zone."
    page = " ".join((ROOT / "docs" / "simulating.md").read_text(encoding="utf-8").split())
    assert (
        "one written without an offset, or a date alone (`2026-01-05`, its midnight), is UTC"
        in (page)
    )
    session = Session.open(ROOT / "stptui" / "sample_stacks" / "job-queue", start_ms=T0)
    execute(session, f"until {written}")
    execute(session, "expect time == 2026-01-05T09:00:00Z")
    assert parse_instant("2026-01-05") == parse_instant("2026-01-05T00:00:00Z")


def test_the_keys_getting_started_names_are_bound() -> None:
    # docs/getting-started.md: "its clock paused (`space` runs it, `:` takes any command, `?`
    # lists every key, `q` quits)".
    text = " ".join((ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8").split())
    m = re.search(r"its clock paused \(([^)]*)\)", text)
    assert m is not None
    keys = re.findall(r"`([^`]+)` [a-z]", m[1])
    assert keys == ["space", ":", "?", "q"]
    assert set(keys) <= bound_keys()
