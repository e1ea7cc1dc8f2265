"""Completion's candidates are made once per state of the simulation (`state_cache`): a
key press in the same state builds no list, and a command, a rebuild or a new stack shows
at the next one: a new message id after `send`, none after `undo`, fresh help lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from replkit import complete, completions, metas

from stptui.commands import Session, execute
from stptui.repl import completer
from stptui.repl.candidates import state_cache
from stptui.sim.clock import parse_instant

START = parse_instant("2026-01-05T08:00:00Z")
STACK = """\
serviceName: cachetest
resources:
  jobQueue:
    type: sqs-queue
  otherQueue:
    type: sqs-queue
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}
"""


@pytest.fixture
def session(tmp_path: Path) -> Session:
    (tmp_path / "stacktape.yml").write_text(STACK)
    return Session.open(tmp_path / "stacktape.yml", start_ms=START)


def test_a_second_key_press_in_the_same_state_builds_no_candidate_list(session: Session) -> None:
    complete(session, "expect ")
    built = state_cache(session).builds
    assert built > 0
    for text in ("expect q", "expect qu", "expect queue.", "expect queue.job", "expect "):
        complete(session, text)
    assert state_cache(session).builds == built
    # Typing `metric.` asks for the metric paths: one list more, then none.
    complete(session, "expect metric.")
    complete(session, "expect metric.jobQueue.")
    assert state_cache(session).builds == built + 1


def test_a_message_sent_is_offered_at_the_next_key_press(session: Session) -> None:
    assert complete(session, "show message ") == ["$newest:"]
    first = execute(session, "send jobQueue one").data["message_id"]
    assert complete(session, "show message ") == [first, "$last", "$newest:"]
    second = execute(session, "send otherQueue two").data["message_id"]
    assert complete(session, "show message ") == [second, first, "$last", "$newest:"]
    assert complete(session, f"show message {second[:6]}") == [second]


def test_help_lines_follow_the_state_when_the_values_stay_the_same(session: Session) -> None:
    assert metas(session, "send ")["jobQueue"] == "sqs-queue: 0 visible, 0 in flight"
    built = state_cache(session).builds
    execute(session, "send jobQueue one")
    # The same queues: their candidates serve again, with today's help lines.
    assert metas(session, "send ")["jobQueue"] == "sqs-queue: 1 visible, 0 in flight"
    assert state_cache(session).builds == built


def test_after_undo_the_undone_message_is_no_longer_offered(session: Session) -> None:
    first = execute(session, "send jobQueue one").data["message_id"]
    second = execute(session, "send jobQueue two").data["message_id"]
    assert complete(session, "show message ")[:2] == [second, first]
    sim = session.sim
    execute(session, "undo")
    assert session.sim is not sim  # a rebuild: another simulation
    offered = complete(session, "show message ")
    assert second not in offered
    assert offered[:1] == [first]
    assert metas(session, "send ")["jobQueue"] == "sqs-queue: 1 visible, 0 in flight"


def test_the_menu_offers_at_most_the_limit_the_word_then_narrows(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(completer, "OFFER_LIMIT", 3)
    offered = [c.text for c in completions(session, "expect ")]
    assert len(offered) <= 2 * 3  # the exact matcher's and the fuzzy one's
    assert len(set(offered)) <= 3 + 3
    # Typing narrows to what the limit left out.
    assert "queue.otherQueue.depth" not in offered
    assert "queue.otherQueue.depth" in complete(session, "expect queue.otherQueue.dep")


def test_metric_paths_are_made_candidates_only_as_offered(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stptui.repl import candidates as module

    made: list[str] = []
    real = module.Candidate

    def counted(text: str, about: object = "", bare: bool = False) -> object:
        made.append(text)
        return real(text, about, bare)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "Candidate", counted)
    offered = complete(session, "expect metric.jobQueue.NumberOfMessagesSent.")
    assert offered and all(o.startswith("metric.jobQueue.NumberOfMessagesSent.") for o in offered)
    # Of the stack's metric paths, only those offered were made (the fuzzy matcher reads
    # the other paths, which it offers without `metric.` typed).
    from stptui.commands.handlers.metrics import metric_paths

    assert len(metric_paths(session.sim)) > 30
    assert {m for m in made if m.startswith("metric.")} - {"metric."} == set(offered)


def test_the_kept_values_read_as_a_list(session: Session) -> None:
    from stptui.repl.candidates import candidates

    every = candidates(session, "expect metric.")
    texts = [c.text for c in every]
    assert len(texts) == len(set(texts))
    assert "metric.jobQueue.NumberOfMessagesSent.Sum" in texts
    assert texts.index("metric.jobQueue.NumberOfMessagesSent.Sum") > texts.index(
        "queue.jobQueue.visible"
    )
    assert [c.text for c in every[-2:]] == texts[-2:]


def test_a_session_closed_is_freed_with_its_cache(tmp_path: Path) -> None:
    import gc
    import weakref

    from stptui.repl.completer import build_completer

    (tmp_path / "stacktape.yml").write_text(STACK)
    session = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    # As the REPL holds it: a completer that reads the session it is given.
    holder = {"session": session}
    built = build_completer(lambda: holder["session"])
    execute(session, "send jobQueue one")
    for text in ("send ", "expect ", "expect metric.", "show message "):
        assert list(built.get_completions(Document(text), CompleteEvent()))
    assert metas(session, "send ")["jobQueue"].startswith("sqs-queue")
    gone = weakref.ref(session)
    del session, holder["session"]
    gc.collect()
    assert gone() is None
