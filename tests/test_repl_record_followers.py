"""`expect count KIND [RESOURCE] [FIELD=VALUE ...]`: the word after KIND may be a resource or a
first filter. Completion offers each as what it is, and the grammar, the validator, the
highlighter and `expect` itself read a word as the kind it has the shape of."""

from __future__ import annotations

from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from pygments.token import Keyword, Name, Number, Operator

from stptui.commands import REGISTRY, CommandError, Session, execute
from stptui.commands import registry as kinds
from stptui.commands.result import make_console
from stptui.repl.app import Repl
from stptui.repl.grammar import Walker
from stptui.repl.lexer import lexer_for
from stptui.repl.validator import check
from stptui.sim.clock import parse_instant
from tests.replkit import metas

ROOT = Path(__file__).resolve().parents[1]
COMBINED = ROOT / "stptui" / "sample_stacks" / "combined"
T0 = parse_instant("2026-01-05T08:00:00Z")


@pytest.fixture
def session() -> Session:
    """The combined stack after one failed and one good invocation of the worker."""
    s = Session.open(COMBINED, start_ms=T0)
    for line in ("fail worker next 1", "send jobQueue a", "send jobQueue b", "advance 5s"):
        execute(s, line)
    return s


def test_the_menu_gives_a_resource_its_type_and_a_filter_the_word_field(session: Session) -> None:
    found = metas(session, "expect count message.sent ")
    assert found["jobQueue"] == "sqs-queue: 2 message.sent records so far"
    assert found["message_id="] == "a field of message.sent records"
    execute(session, "publish default orders OrderCreated {}")
    found = metas(session, "expect count event.published ")
    assert found["default"] == "event-bus: 1 event.published record so far"
    assert found["bus="] == "a field of event.published records"


def test_a_filter_right_after_the_kind_is_read_as_a_filter() -> None:
    walker = Walker(REGISTRY.commands["expect"])
    words = ["count", "invocation.failed", "error=Error", "timeout=true", "==", "1"]
    read = [getattr(walker.feed(w), "kind", None) for w in words]
    assert read == [
        kinds.EXPECT_PATH,
        kinds.TRACE_KIND,
        kinds.RECORD_FIELD,
        kinds.RECORD_FIELD,
        kinds.OPERATOR,
        kinds.VALUE,
    ]
    walker = Walker(REGISTRY.commands["expect"])
    for word in ["count", "invocation.failed", "worker"]:
        slot = walker.feed(word)
    assert slot is not None and slot.kind == kinds.RECORD_RESOURCE
    # After the resource only filters and the comparison may come.
    assert [s.kind for s in walker.expected()] == [kinds.RECORD_FIELD, kinds.OPERATOR]


def test_the_validator_names_a_misspelt_resource_before_enter(session: Session) -> None:
    line = "expect count invocation.failed wrker == 1"
    problem = check(session, line, final=False)
    assert problem is not None and problem.position == line.index("wrker")
    assert problem.format() == "no resource named 'wrker' (did you mean worker?)"


def test_the_validator_names_a_field_the_kind_has_not(session: Session) -> None:
    line = "expect count invocation.failed eror=Error == 0"
    problem = check(session, line)
    assert problem is not None and problem.position == line.index("eror")
    assert (
        problem.format() == "invocation.failed records have no field 'eror' (did you mean error?)"
    )
    # The same word is a message body after `send`: nothing to check there.
    assert check(session, "send jobQueue eror=Error") is None
    assert check(session, "expect count invocation.failed worker error=Error == 1") is None


def test_a_resource_after_a_filter_is_refused_with_where_it_goes(session: Session) -> None:
    line = "expect count invocation.failed error=Error worker == 1"
    problem = check(session, line)
    assert problem is not None and problem.position == line.index("worker")
    assert problem.hint == (
        "the resource goes straight after the kind: count invocation.failed worker FIELD=VALUE"
    )
    with pytest.raises(CommandError) as info:
        execute(session, line)
    assert info.value.hint == problem.hint
    assert session.log[-1] == "advance 5s"


def test_a_second_resource_is_refused_as_such(session: Session) -> None:
    with pytest.raises(CommandError) as info:
        execute(session, "expect count invocation.failed worker jobQueue == 1")
    assert info.value.hint == (
        "a count is on one resource (worker here); the words after it are filters"
    )


def test_a_field_written_as_two_words_gets_the_one_word_form(session: Session) -> None:
    with pytest.raises(CommandError) as info:
        execute(session, "expect count http.response status 404 == 0")
    assert info.value.message == "no resource named 'status'"
    assert info.value.hint == "a filter is one word, FIELD=VALUE: status=VALUE"
    with pytest.raises(CommandError) as info:
        execute(session, "expect count invocation.failed worker error Error == 1")
    assert info.value.hint == "a filter is one word, FIELD=VALUE: error=VALUE"


def test_the_highlighter_shows_a_filter_as_a_field_and_a_value() -> None:
    lexer = lexer_for(REGISTRY.commands, ["worker", "jobQueue"])()
    line = "expect count invocation.failed error=Error timeout=true == 1"
    tokens = [(t, v) for t, v in lexer.get_tokens(line) if v.strip()]
    assert tokens[3:9] == [
        (Name.Tag, "error"),
        (Operator, "="),
        (Name, "Error"),
        (Name.Tag, "timeout"),
        (Operator, "="),
        (Keyword.Constant, "true"),
    ]
    status = [(t, v) for t, v in lexer.get_tokens("expect count http.response status=404 == 1")]
    assert (Number, "404") in status
    # A body that holds `=` is a body.
    body = [(t, v) for t, v in lexer.get_tokens("send jobQueue a=b") if v.strip()]
    assert body[-1] == (Name, "a=b")


def test_the_repl_highlights_the_default_bus_as_a_resource(session: Session) -> None:
    with create_pipe_input() as inp, create_app_session(input=inp, output=DummyOutput()):
        repl = Repl(session, console=make_console(width=80))
        lexer = repl._current_lexer()
        line = "expect count event.published default == 0"
        tokens = lexer.lex_document(Document(line))(0)
    assert ("class:pygments.name.variable", "default") in tokens
