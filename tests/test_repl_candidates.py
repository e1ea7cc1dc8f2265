"""Completion candidates come from a module with no prompt_toolkit in it, so the terminal
UI's command line can ask for the REPL's very candidates without loading the REPL's
toolkit; the REPL's completer offers exactly those."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from replkit import complete

from stptui.commands import Session
from stptui.repl import candidates as pure
from stptui.repl import completer
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"


def test_the_candidates_module_loads_no_ui_toolkit() -> None:
    probe = (
        "import sys\n"
        "from stptui.repl.candidates import candidates, context, slot_candidates, Context\n"
        "print(' '.join(sorted(m for m in sys.modules"
        " if m.split('.')[0] in ('prompt_toolkit', 'textual'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_repl_completer_offers_the_candidates_of_the_pure_module() -> None:
    session = Session.open(JOB_QUEUE, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    texts = [c.text for c in pure.candidates(session, "send ")]
    assert sorted(texts) == ["deadLetterQueue", "jobQueue"]
    assert complete(session, "send ") == texts
    # The names the completer's users import from it are the pure module's own.
    assert completer.candidates is pure.candidates
    assert completer.context is pure.context
    assert completer.slot_candidates is pure.slot_candidates
    assert completer.Context is pure.Context


def test_upload_offers_a_whole_key_its_notification_fires_for_first() -> None:
    # The upload dialog's key: `upload uploads ` then Tab gives a line that starts the
    # bucket's function, where the prefix alone (`incoming/`) still needs a name typed.
    from replkit import metas

    from stptui.commands import execute

    start = parse_instant("2026-01-05T08:00:00Z")
    session = Session.open(ROOT / "stptui" / "sample_stacks" / "combined", start_ms=start)
    offered = complete(session, "upload uploads ")
    assert offered[:2] == ["incoming/example.txt", "incoming/"]
    about = metas(session, "upload uploads ")
    assert about["incoming/example.txt"] == "an example key: triggers fileProcessor"
    execute(session, "upload uploads incoming/example.txt")
    matched = [r for r in session.sim.trace.records if r.kind == "notification.matched"]
    assert [r.resource for r in matched] == ["uploads"]
