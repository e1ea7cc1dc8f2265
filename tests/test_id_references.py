"""`$last` and `$newest:KIND[:RESOURCE]`: a script names what the simulation made by how it
came about, not by the id it drew, so that it survives a change of seed, stack or
behaviours; a reference resolves when its line runs, is shown, replays the same way (undo,
reload, load, a recording) and, quoted, is the text it spells."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pygments.token import Name, String
from replkit import complete

from stptui.cli import main
from stptui.commands import CommandError, Session, execute
from stptui.commands.references import resolve
from stptui.commands.registry import logged_line, quote_word, tokenize
from stptui.commands.script import read_script, run_script
from stptui.commands.session import trace_sha256
from stptui.repl.lexer import lexer_for
from stptui.repl.validator import check
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
STACKS = ROOT / "stptui" / "sample_stacks"
COMBINED = STACKS / "combined"
CONTAINER_JOBS = STACKS / "container-jobs"
T0 = parse_instant("2026-01-05T08:00:00Z")


@pytest.fixture
def session() -> Session:
    return Session.open(COMBINED, start_ms=T0)


def dead_lettered(session: Session) -> str:
    """A message of jobQueue failed into deadLetterQueue; its id."""
    execute(session, "fail worker always")
    mid = execute(session, "send jobQueue '{\"orderId\": 1}'").data["message_id"]
    execute(session, "advance 30m")
    assert session.sim.trace.count("message.dead_lettered", "jobQueue") == 1
    return mid


# -- each form ---------------------------------------------------------------------------


def test_last_is_the_id_the_last_command_printed_and_the_line_says_which(
    session: Session,
) -> None:
    mid = execute(session, "send jobQueue hello").data["message_id"]
    result = execute(session, "explain $last")
    assert result.text.splitlines()[0] == f"$last = {mid}"
    assert result.data == execute(session, f"explain {mid}").data


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("send jobQueue hi", "message_id"),
        ("publish eventBus orders OrderCreated '{\"orderId\": 3}'", "event_id"),
        ('http POST /webhooks/stripe \'{"id": "evt_1"}\'', "request_id"),
        ("invoke worker '{}'", "invocation_id"),
        ("invoke worker '{}' --async", "event_id"),
        ("fire dailyReport", "event_id"),
        ("upload uploads a.csv --size 5", "key"),
    ],
)
def test_last_takes_the_id_each_stimulus_prints(session: Session, line: str, field: str) -> None:
    printed = execute(session, line).data[field]
    assert session.last_id == printed
    # A command that prints no id leaves it as it was.
    execute(session, "advance 1s")
    execute(session, "show queues")
    assert execute(session, "explain $last").text.startswith(f"$last = {quote_word(printed)}\n")


def test_last_after_redrive_is_the_new_id_of_the_last_message_moved(session: Session) -> None:
    dead_lettered(session)
    execute(session, "succeed worker")
    moved = execute(session, "redrive deadLetterQueue").data["moved"]
    assert session.last_id == moved[-1]["new_message_id"]


def test_newest_names_the_newest_record_of_a_kind_on_a_resource(session: Session) -> None:
    mid = dead_lettered(session)
    execute(session, "send jobQueue other")  # a newer message.sent, not dead-lettered
    result = execute(session, "explain $newest:message.dead_lettered:jobQueue")
    assert result.text.startswith(f"$newest:message.dead_lettered:jobQueue = {mid}\n")
    assert "why: moved to deadLetterQueue" in result.text
    # Without a resource: the newest of the kind anywhere.
    assert execute(session, "explain $newest:message.dead_lettered").data == result.data
    # The newest failed invocation of the worker: its invocation id.
    failed = [r for r in session.sim.trace.since(0) if r.kind == "invocation.failed"][-1]
    shown = execute(session, "explain $newest:invocation.failed:worker").text.splitlines()[0]
    assert shown == f"$newest:invocation.failed:worker = {failed.data['invocation_id']}"


def test_a_reference_after_field_equals_is_the_field_value(session: Session) -> None:
    execute(session, "send jobQueue hello")
    result = execute(session, "expect count message.sent message_id=$last == 1")
    assert result.text.splitlines()[0].startswith("$last = ")
    with pytest.raises(CommandError, match="actual 1"):
        execute(session, "expect count message.sent message_id=$last == 2")


def test_show_message_takes_last(session: Session) -> None:
    mid = execute(session, "send jobQueue hello").data["message_id"]
    assert f"message {mid}" in execute(session, "show message $last").text


# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "message", "hint", "column"),
    [
        ("explain $last", "$last names nothing yet", "$newest:KIND[:RESOURCE]", 9),
        (
            "explain $newest:message.dead_letered",
            "no trace kind message.dead_letered",
            "did you mean $newest:message.dead_lettered?",
            9,
        ),
        (
            "expect count message.sent message_id=$newest:message.dead_lettered == 1",
            "no message.dead_lettered record yet",
            "nothing is recorded yet",
            38,
        ),
        ("explain $newest", "$newest names no kind", "$newest:KIND", 9),
        ("explain $last:x", "$last takes nothing after it", "'$last:x'", 9),
        (
            "explain $newest:queue.purged",
            "queue.purged records carry no id",
            "message.sent",
            9,
        ),
    ],
)
def test_a_reference_to_nothing_is_refused_at_its_column_and_changes_nothing(
    session: Session, line: str, message: str, hint: str, column: int
) -> None:
    before = (session.sim.trace.seq, list(session.log), session.sim.clock.now)
    with pytest.raises(CommandError) as caught:
        execute(session, line)
    exc = caught.value
    assert message in exc.message and hint in (exc.hint or "")
    assert exc.located is not None and exc.located.where() == (0, column)
    assert (session.sim.trace.seq, list(session.log), session.sim.clock.now) == before


def test_newest_of_a_kind_not_recorded_lists_the_kinds_that_are(session: Session) -> None:
    execute(session, "send jobQueue hello")
    with pytest.raises(CommandError) as caught:
        execute(session, "explain $newest:message.dead_lettered")
    assert caught.value.hint == (
        "kinds with ids recorded so far: message.sent; or run the clock on"
    )
    with pytest.raises(CommandError) as caught:
        execute(session, "explain $newest:message.dead_lettered:jobQueue")
    assert caught.value.hint == "kinds recorded on jobQueue so far: message.sent"


def test_every_command_that_sets_last_is_logged_so_a_replay_sets_it_again() -> None:
    from stptui.commands import REGISTRY
    from stptui.commands.references import LAST_ID_FIELDS

    assert all(REGISTRY.commands[name].changes_state for name in [*LAST_ID_FIELDS, "redrive"])


def test_newest_on_a_resource_without_such_records_names_where_they_are(
    session: Session,
) -> None:
    execute(session, "send jobQueue hello")
    with pytest.raises(CommandError) as caught:
        execute(session, "explain $newest:message.sent:deadLetterQueue")
    assert caught.value.message == "$newest: no message.sent record on deadLetterQueue yet"
    assert caught.value.hint == "message.sent records are on jobQueue so far"


def test_an_error_about_the_resolved_id_points_at_the_reference(session: Session) -> None:
    execute(session, "upload uploads a.csv --size 5")
    execute(session, "delete uploads a.csv")
    # `$last` is the key uploaded, which names no message: refused at the reference.
    with pytest.raises(CommandError) as caught:
        execute(session, "show message $last")
    assert caught.value.located is not None
    assert caught.value.located.where() == (0, 14)


def test_a_quoted_reference_that_names_nothing_says_unquoted_it_would(
    session: Session,
) -> None:
    execute(session, "send jobQueue hello")
    with pytest.raises(CommandError) as caught:
        execute(session, "explain '$last'")
    assert caught.value.message == "nothing in the trace mentions '$last'"
    assert (caught.value.hint or "").endswith("; unquoted, $last names an id")


# -- quoting -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["'$last'", '"$last"', "\\$last", "$'$last'", "'$'last", "$lastly", "$connect"]
)
def test_a_quoted_or_other_dollar_word_is_text(session: Session, typed: str) -> None:
    execute(session, "send jobQueue first")
    result = execute(session, f"send deadLetterQueue {typed}")
    assert "$last =" not in result.text
    mid = result.data["message_id"]
    body = session.sim.queue("deadLetterQueue").messages[mid].body
    assert body == {"$lastly": "$lastly", "$connect": "$connect"}.get(typed, "$last")


def test_quote_word_quotes_text_that_would_read_as_a_reference() -> None:
    for text in ("$last", "$newest:message.sent", "message_id=$last", "--to=$last"):
        assert quote_word(text) != text
    for text in ("$lastly", "$connect", "$5", "a$last"):
        assert quote_word(text) == text


@given(
    st.lists(
        st.one_of(
            st.sampled_from(["$last", "$newest:message.sent:q", "id=$last", "--to=$last"]),
            st.text(alphabet="$lastnewq:=.-' \"\\\x1b", max_size=12),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_words_written_back_as_text_never_read_as_references(words: list[str]) -> None:
    # A session would refuse any reference here ($last names nothing yet): text must stay
    # text when `quote_word` writes it into a line (a log, a hint, a completion).
    session = Session.open(COMBINED, start_ms=T0)
    line = " ".join(["send", *(quote_word(w) for w in words)])
    assert tokenize(line) == ["send", *words]
    assert resolve(session, line) is None


def test_a_line_logged_requoted_keeps_its_reference_and_its_text(session: Session) -> None:
    # A hidden character makes the log quote every word again: `$last` must stay a
    # reference and '$last' text, or a replay would read them otherwise.
    line = "send deadLetterQueue '\x1b' --group $last"
    assert logged_line("send q $last '$last' '\x1b'") == "send q $last '$last' $'\\e'"
    assert logged_line(line) == "send deadLetterQueue $'\\e' --group $last"


# -- replay ------------------------------------------------------------------------------


SCRIPT = [
    "fail worker always",
    "send jobQueue '{\"orderId\": 1}'",
    "send deadLetterQueue $last",
    "advance 30m",
    "send jobQueue $newest:message.dead_lettered:jobQueue",
    "invoke worker '{}' --async",
]


def test_the_log_keeps_the_line_as_typed(session: Session) -> None:
    for line in SCRIPT:
        execute(session, line)
    assert session.log == SCRIPT


def test_undo_and_reload_resolve_the_references_again_the_same_way(session: Session) -> None:
    for line in SCRIPT:
        execute(session, line)
    digest, last = trace_sha256(session.sim.trace), session.last_id
    execute(session, "undo 2")
    # Back where the lines before left it, `$last` included: the message sent third.
    sent = [r for r in session.sim.trace.since(0) if r.kind == "message.sent"][-1]
    assert (sent.resource, session.last_id) == ("deadLetterQueue", sent.data["message_id"])
    execute(session, "redo 2")
    assert (trace_sha256(session.sim.trace), session.last_id) == (digest, last)
    execute(session, "undo 1")
    sent = [r for r in session.sim.trace.since(0) if r.kind == "message.sent"][-1]
    assert (sent.resource, session.last_id) == ("jobQueue", sent.data["message_id"])
    execute(session, "invoke worker '{}' --async")
    execute(session, "reload")
    assert (trace_sha256(session.sim.trace), session.last_id) == (digest, last)


def test_a_saved_session_loads_with_its_references(session: Session, tmp_path: Path) -> None:
    for line in SCRIPT:
        execute(session, line)
    execute(session, f"save {tmp_path / 's.json'}")
    other = Session.open(COMBINED, start_ms=T0)
    execute(other, f"load {tmp_path / 's.json'}")
    assert trace_sha256(other.sim.trace) == trace_sha256(session.sim.trace)
    assert other.last_id == session.last_id


def test_a_recording_replays_its_references(session: Session, tmp_path: Path) -> None:
    script = tmp_path / "run.stp"
    execute(session, f"record {script}")
    for line in SCRIPT:
        execute(session, line)
    text = script.read_text(encoding="utf-8")
    assert "send deadLetterQueue $last\n" in text
    again = Session.open(COMBINED, start_ms=T0)
    out, err = io.StringIO(), io.StringIO()
    assert run_script(again, read_script(str(script)), "run.stp", out, err) == 0, err.getvalue()
    assert trace_sha256(again.sim.trace) == trace_sha256(session.sim.trace)


@pytest.mark.parametrize("seed", ["0", "7", "42", "1234"])
def test_the_container_jobs_demo_passes_on_any_seed(seed: str) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(
            [
                "run",
                str(CONTAINER_JOBS / "stacktape.yml"),
                str(CONTAINER_JOBS / "demo.stp"),
                "--seed",
                seed,
            ]
        )
    assert code == 0, out.getvalue()
    assert "$newest:message.dead_lettered:jobQueue = " in out.getvalue()


# -- the REPL ----------------------------------------------------------------------------


def test_the_repl_checks_a_reference_without_resolving_it_while_typed(session: Session) -> None:
    assert check(session, "explain $last", True) is not None  # nothing printed an id yet
    execute(session, "send jobQueue hello")
    assert check(session, "explain $last", True) is None
    assert check(session, "show message $last", True) is None
    assert check(session, "explain '$last'", False) is None  # text: judged when it runs
    problem = check(session, "explain $newest:mesage.sent ", False)
    assert problem is not None and problem.position == len("explain ")
    assert problem.hint == "did you mean $newest:message.sent?"


def test_the_repl_completes_references_bare(session: Session) -> None:
    assert complete(session, "explain $") == ["$newest:"]
    execute(session, "send jobQueue hello")
    assert complete(session, "explain $l") == ["$last"]
    assert "$newest:message.sent" in complete(session, "explain $newest:message.")
    assert complete(session, "explain $newest:message.sent:") == ["$newest:message.sent:jobQueue"]


def test_the_repl_highlights_a_bare_reference_only() -> None:
    lexer = lexer_for(["explain"], [])()
    tokens = [(t, v) for t, v in lexer.get_tokens("explain $last '$last' $connect") if v.strip()]
    assert tokens[1:] == [
        (Name.Variable.Magic, "$last"),
        (String.Single, "'$last'"),
        (Name, "$connect"),
    ]


def test_the_terminal_ui_command_line_completes_references_bare(session: Session) -> None:
    from stptui.tui.screens.command_line import completions

    execute(session, "send jobQueue hello")
    assert "explain $last" in completions(session, "explain $l")
    assert completions(session, "explain $newest:message.sent:") == [
        "explain $newest:message.sent:jobQueue"
    ]
