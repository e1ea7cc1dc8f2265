"""`explain` and `show event` of the id a command just printed, before the clock ran the work
it set off: they say it has not run yet and that `advance 0` runs it, instead of that the
trace does not know the id or that it led to no invocation."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.sim.clock import parse_instant

SAMPLES = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks"
T0 = parse_instant("2026-01-05T08:00:00Z")
NOT_RUN = "1 event is due at this instant, not run yet"

JAVA = """\
resources:
  javaApi:
    type: function
    properties:
      packaging:
        type: stacktape-lambda-buildpack
        properties: {entryfilePath: src/Handler.java}
"""


def _opened(stack: str) -> Session:
    return Session.open(SAMPLES / stack, start_ms=T0)


def _refusal(s: Session, line: str) -> CommandError:
    with pytest.raises(CommandError) as caught:
        execute(s, line)
    return caught.value


def test_an_async_invoke_s_event_id_is_not_run_yet_not_unknown(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(JAVA, encoding="utf-8")
    s = Session.open(tmp_path / "stacktape.yml", start_ms=T0)
    execute(s, "invoke javaApi '{}' --async")
    err = _refusal(s, "explain $last")
    assert "yet" in str(err) and NOT_RUN in str(err.hint) and "`advance 0`" in str(err.hint)
    err = _refusal(s, "show event $last")
    assert "yet" in str(err) and NOT_RUN in str(err.hint)
    # An id no command printed is unknown, whatever is due.
    err = _refusal(s, "explain nothing-at-all")
    assert "yet" not in str(err) and NOT_RUN not in str(err.hint)
    execute(s, "advance 0")
    assert "invocation.started" in execute(s, "explain $last").text


@pytest.mark.parametrize(
    ("stack", "line"),
    [("job-queue", "send jobQueue '{\"amount\": 3}'"), ("scheduled-job", "fire dailyReport")],
)
def test_a_sent_message_or_fired_schedule_says_its_work_waits(stack: str, line: str) -> None:
    s = _opened(stack)
    execute(s, line)
    assert execute(s, "explain $last").text.splitlines()[-1].startswith(NOT_RUN)
    err = _refusal(s, "show event $last")
    assert str(err).endswith("led to no invocation yet") and NOT_RUN in str(err.hint)
    execute(s, "advance 0")
    assert NOT_RUN not in execute(s, "explain $last").text


def test_a_chain_that_ended_earlier_gets_no_note_from_other_work_due() -> None:
    s = _opened("job-queue")
    first = execute(s, "send jobQueue '{\"amount\": 3}'").data["message_id"]
    execute(s, "advance 10s")
    execute(s, "send jobQueue '{\"amount\": 4}'")
    assert NOT_RUN not in execute(s, f"explain {first}").text
