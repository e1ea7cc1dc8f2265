"""`pause WORKLOAD [--trigger QUEUE]` and `resume` of a container workload whose code polls
queues (a worker-service's `poll` items): its pollers stopped as ECS stops its tasks
(SIGTERM, then SIGKILL when the container's stopTimeout ends) and started again
(stptui.sim.services.worker; docs/simulating.md, "Stopping a worker service")."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, complete_values, execute
from stptui.commands.registry import MAPPING_SOURCE, PAUSABLE
from stptui.config import load_stack_text
from stptui.graph import build_graph
from stptui.repl.candidates import candidates
from stptui.repl.validator import check
from stptui.sim import trace as tk
from stptui.sim.mappings import all_mappings
from stptui.tui.widgets.graph_pane import badges
from stptui.tui.widgets.inspector_pane import describe_resource
from tests.simkit import START, records

IMAGE = "packaging: {type: prebuilt-image, properties: {image: w}}"


def stack(*, fifo: bool = False, stop: str = "", retention: int = 345600) -> str:
    """`jobs` (redriving to `dead` after 2 receives) and `other`, polled by the worker
    service `mailer` (its `stopTimeout` when given), a function `fn` reading `other`, and a
    web service `web` whose behaviour polls nothing."""
    fifo_props = "fifoEnabled: true, contentBasedDeduplication: true, " if fifo else ""
    dead = "{type: sqs-queue, properties: {fifoEnabled: true}}" if fifo else "{type: sqs-queue}"
    return f"""
resources:
  jobs:
    type: sqs-queue
    properties:
      {{{fifo_props}visibilityTimeoutSeconds: 30, messageRetentionPeriodSeconds: {retention},
       redrivePolicy: {{targetSqsQueueName: dead, maxReceiveCount: 2}}}}
  dead: {dead}
  other: {{type: sqs-queue}}
  mailer:
    type: worker-service
    properties:
      {IMAGE}
      resources: {{cpu: 0.25, memory: 512}}
      connectTo: [jobs, other]
      {stop}
  web:
    type: web-service
    properties:
      {IMAGE}
      resources: {{cpu: 0.25, memory: 512}}
  fn:
    type: function
    properties:
      packaging: {{type: stacktape-lambda-buildpack, properties: {{entryfilePath: a.ts}}}}
      events:
        - {{type: sqs, properties: {{sqsQueueName: other}}}}
"""


BEHAVIORS = """
behaviors:
  mailer:
    poll: [{{queue: jobs, maxMessages: 10}}, {{queue: other}}]
    duration: {duration}
"""


def open_session(tmp_path: Path, duration: str = "1s", **kw: object) -> Session:
    (tmp_path / "stacktape.yml").write_text(stack(**kw))  # type: ignore[arg-type]
    (tmp_path / "stptui.yml").write_text(BEHAVIORS.format(duration=duration))
    session = Session.open(tmp_path, start_ms=START)
    assert not [d for d in session.diagnostics if d.severity == "error"]
    return session


def run(session: Session, *lines: str) -> str:
    return "\n".join(execute(session, line).text for line in lines)


def sent(session: Session, body: str, queue: str = "jobs", group: str = "") -> str:
    line = f"send {queue} {body}" + (f" --group {group}" if group else "")
    return execute(session, line).data["message_id"]


def story(session: Session, mid: str) -> list[tuple[float, str, object]]:
    """(seconds since START, kind, receive count or error) of one message's records."""
    out = []
    for r in records(session.sim):
        if r.get("message_id") == mid:
            detail = r.get("error") or r.get("receive_count")
            out.append(((r.t - START) / 1000, r.kind, detail))
    return out


def test_a_message_in_progress_finishes_and_the_rest_of_its_batch_returns(
    tmp_path: Path,
) -> None:
    session = open_session(tmp_path)
    a, b, c = (sent(session, x) for x in "abc")
    out = run(session, "advance 500ms", "pause mailer --trigger jobs")
    assert "stopped (no new receive; a message being processed finishes if it can" in out
    run(session, "advance 5m")
    # `a` was being processed: it finishes (1 s < the 2 s stopTimeout) and is deleted. `b`
    # and `c` waited their turn in the poller's hands: never processed, they return when
    # their visibility timeout ends, and wait; the redrive policy counts that receive.
    assert story(session, a)[-2:] == [
        (1.0, tk.CONTAINER_MESSAGE_PROCESSED, 1),
        (1.0, tk.MESSAGE_DELETED, None),
    ]
    assert story(session, b)[-1] == (30.0, tk.MESSAGE_RETURNED, 1)
    assert session.sim.queue_stats("jobs")["visible"] == 2
    run(session, "resume mailer --trigger jobs", "advance 1m")
    for mid in (b, c):
        assert (tk.MESSAGE_DELETED, None) in [(k, d) for _, k, d in story(session, mid)]
        assert (tk.MESSAGE_RECEIVED, 2) in [(k, d) for _, k, d in story(session, mid)]
    assert session.sim.queues["jobs"].messages == {}


def test_a_message_outlasting_the_stop_timeout_is_killed_and_returns_at_its_timeout(
    tmp_path: Path,
) -> None:
    session = open_session(tmp_path, duration="10s")
    mid = sent(session, "slow")
    run(session, "advance 3s", "pause mailer", "advance 2m")
    # SIGKILL 2 s (Stacktape's default stopTimeout) after the pause: not deleted, nothing
    # emitted; back in the queue when the receive's 30 s end.
    assert story(session, mid) == [
        (0.0, tk.MESSAGE_SENT, None),
        (0.0, tk.MESSAGE_RECEIVED, 1),
        (5.0, tk.CONTAINER_MESSAGE_FAILED, "SIGKILL"),
        (30.0, tk.MESSAGE_RETURNED, 1),
    ]
    (killed,) = records(session.sim, tk.CONTAINER_MESSAGE_FAILED)
    assert killed.get("duration_ms") == 5000
    assert "stopTimeout of 2 s ended before the message did" in killed.get("error_message")
    assert session.sim.services["workers"].of_workload("mailer")[0].held == 0
    run(session, "resume mailer", "advance 1m")
    assert story(session, mid)[-2:] == [
        (133.0, tk.CONTAINER_MESSAGE_PROCESSED, 2),
        (133.0, tk.MESSAGE_DELETED, None),
    ]


def test_the_containers_stop_timeout_is_read_from_the_config(tmp_path: Path) -> None:
    session = open_session(tmp_path, duration="10s", stop="stopTimeout: 20")
    mid = sent(session, "slow")
    out = run(session, "advance 3s", "pause mailer --trigger jobs")
    assert "within the container's stopTimeout, 20 s," in out
    run(session, "advance 1m")
    assert story(session, mid)[-1] == (10.0, tk.MESSAGE_DELETED, None)
    assert records(session.sim, tk.CONTAINER_MESSAGE_FAILED) == []


@pytest.mark.parametrize("value", ["1", "121", "1.5", "300"])
def test_a_stop_timeout_outside_2_to_120_seconds_is_an_error_at_its_place(
    tmp_path: Path, value: str
) -> None:
    # Stacktape: "The timeout must be between 2 and 120 seconds"; ECS takes at most 120 s on
    # Fargate. The value is reported where it is written, and the run keeps the default.
    text = stack(stop=f"stopTimeout: {value}")
    bad = [d for d in load_stack_text(text, "s.yml").diagnostics if d.code == "out-of-range"]
    assert [(d.severity, d.file, d.line, d.column, d.resource, d.message) for d in bad] == [
        ("error", "s.yml", 16, 20, "mailer", f"`stopTimeout` is {value}; allowed: 2-120")
    ]
    (tmp_path / "stacktape.yml").write_text(text)
    (tmp_path / "stptui.yml").write_text(BEHAVIORS.format(duration="10s"))
    out = run(Session.open(tmp_path, start_ms=START), "send jobs x", "advance 1s", "pause mailer")
    assert "within the container's stopTimeout, 2 s," in out


@pytest.mark.parametrize("value", ["2", "120", "7.5"])
def test_a_stop_timeout_of_2_to_120_seconds_is_taken(value: str) -> None:
    workload = f"""
resources:
  multi:
    type: multi-container-workload
    properties:
      resources: {{cpu: 0.25, memory: 512}}
      containers:
        - name: a
          {IMAGE}
          stopTimeout: {value}
"""
    loaded = load_stack_text(workload, "s.yml")
    assert not loaded.diagnostics
    assert loaded.resources["multi"].container_specs[0].stop_timeout_s == float(value)


def test_nothing_is_received_while_stopped_and_messages_still_expire(tmp_path: Path) -> None:
    session = open_session(tmp_path, retention=600)
    run(session, "pause mailer")
    old = sent(session, "old")
    run(session, "advance 9m")
    kept = sent(session, "new")
    run(session, "advance 2m")
    # Retention runs while nobody polls; only a receive dead-letters.
    assert story(session, old)[-1] == (600.0, tk.MESSAGE_EXPIRED, 0)
    assert records(session.sim, tk.MESSAGE_RECEIVED) == []
    assert records(session.sim, tk.MESSAGE_DEAD_LETTERED) == []
    run(session, "resume mailer", "advance 10s")
    assert story(session, kept)[-1] == (661.0, tk.MESSAGE_DELETED, None)


def test_a_message_dead_letters_on_the_receive_after_resume(tmp_path: Path) -> None:
    session = open_session(tmp_path)
    execute(session, "fail mailer always")
    mid = sent(session, "bad")
    run(session, "advance 31s")  # failed once, returned, received again and failing
    run(session, "pause mailer", "advance 10m")
    # Two receives so far: only the next one moves it (maxReceiveCount 2).
    assert records(session.sim, tk.MESSAGE_DEAD_LETTERED) == []
    assert session.sim.queues["jobs"].messages[mid].receive_count == 2
    run(session, "resume mailer", "advance 1s")
    assert story(session, mid)[-1][1] == tk.MESSAGE_DEAD_LETTERED


def test_a_fifo_group_killed_mid_message_keeps_its_order(tmp_path: Path) -> None:
    session = open_session(tmp_path, fifo=True, duration="10s")
    first, second = sent(session, "a1", group="a"), sent(session, "a2", group="a")
    other = sent(session, "b1", group="b")
    run(session, "advance 1s", "pause mailer --trigger jobs", "advance 1m")
    assert [r.get("message_id") for r in records(session.sim, tk.CONTAINER_MESSAGE_FAILED)] == [
        first
    ]
    run(session, "resume mailer --trigger jobs", "advance 2m")
    done = [r.get("message_id") for r in records(session.sim, tk.CONTAINER_MESSAGE_PROCESSED)]
    # Group a in its order, each once; nothing was lost.
    assert [m for m in done if m != other] == [first, second]
    assert sorted(done) == sorted([first, second, other])


def test_pause_without_trigger_stops_every_queue_and_resume_starts_them(tmp_path: Path) -> None:
    session = open_session(tmp_path)
    out = run(session, "pause mailer")
    assert out.splitlines() == [
        f"mailer's pollers of {q}: stopped (no new receive; a message being processed "
        "finishes if it can within the container's stopTimeout, 2 s, and is killed then)"
        for q in ("jobs", "other")
    ]
    sent(session, "x", "other")
    run(session, "advance 1m")
    # The function's mapping of `other` still reads it; the worker's pollers do not.
    assert {r.get("consumer") for r in records(session.sim, tk.MESSAGE_RECEIVED)} == {None}
    assert run(session, "resume mailer --trigger other") == "mailer's pollers of other: started"
    assert "already stopped" in run(session, "pause mailer --trigger jobs")
    got = [
        (r.kind, r.resource, r.get("source"), r.get("trigger"))
        for r in records(session.sim)
        if r.kind in (tk.MAPPING_DISABLED, tk.MAPPING_ENABLED)
    ]
    assert got == [
        (tk.MAPPING_DISABLED, "mailer", "jobs", "poll"),
        (tk.MAPPING_DISABLED, "mailer", "other", "poll"),
        (tk.MAPPING_ENABLED, "mailer", "other", "poll"),
    ]


def test_show_and_the_terminal_ui_say_the_pollers_are_stopped(tmp_path: Path) -> None:
    session = open_session(tmp_path)
    run(session, "pause mailer --trigger jobs")
    resume = "`resume mailer --trigger jobs`"
    assert f"polled by mailer (service-container): stopped by pause, messages wait ({resume})" in (
        run(session, "show queue jobs")
    )
    shown = execute(session, "show containers")
    assert f"polls jobs: stopped by pause, messages wait ({resume})" in shown.text
    polls = {p["queue"]: p["stopped"] for p in shown.data[0]["polls"]}
    assert polls == {"jobs": True, "other": False}
    sim = session.sim
    page = describe_resource("mailer", sim.stack, build_graph(sim.stack), sim, [], START).plain
    assert "pollers stopped: resume mailer --trigger jobs" in " ".join(page.split())
    assert box(session) == ["pollers stopped"]
    queue_page = describe_resource("jobs", sim.stack, build_graph(sim.stack), sim, [], START)
    assert (
        "mailer's pollers are stopped: its messages wait here (resume mailer --trigger jobs)"
        in " ".join(queue_page.plain.split())
    )
    run(session, "resume mailer --trigger jobs")
    assert "stopped" not in run(session, "show queue jobs")
    assert box(session) == ["idle"]
    sent(session, "x")
    run(session, "advance 1m", "pause mailer --trigger jobs")
    # Once it has run, its counts after the pause mark, as a function's box.
    assert box(session)[0] == "⏸ 1 processed · 0 failed · 0 in hand"


def box(session: Session) -> list[str]:
    """The words of the worker's box in the Graph pane, longest first."""
    return [t.plain for t in badges(session.sim, build_graph(session.stack), "mailer")]


def test_the_agenda_shows_when_the_stop_timeout_kills(tmp_path: Path) -> None:
    session = open_session(tmp_path, duration="10s")
    sent(session, "slow")
    run(session, "advance 1s", "pause mailer")
    texts = [text for _, kind, _, text in session.sim.agenda() if kind == "worker-stop"]
    assert texts == ["mailer's stopTimeout ends: its stopped pollers of jobs are killed"]


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        (
            "pause mailer --trigger dead",
            "mailer polls no queue named dead",
            "its pollers read jobs, other: e.g. pause mailer --trigger jobs",
        ),
        (
            "pause web",
            "web polls no queue: pause takes a container workload's pollers (its behaviour's "
            "`poll` items)",
            "a `poll` item in the behaviours file makes its code poll a queue "
            "(docs/behaviors.md, Workers that poll queues); `show containers` lists what each "
            "workload polls",
        ),
        (
            "resume web --trigger jobs",
            "web polls no queue: resume takes a container workload's pollers (its behaviour's "
            "`poll` items)",
            "a `poll` item in the behaviours file makes its code poll a queue "
            "(docs/behaviors.md, Workers that poll queues); `show containers` lists what each "
            "workload polls",
        ),
        (
            "pause mailer 1",
            "mailer has no schedule: pause INDEX numbers a function's schedules",
            "pause mailer takes its pollers of every queue; pause mailer --trigger jobs one "
            "queue's",
        ),
        (
            "pause nobody --trigger jobs",
            "no function, batch job or container workload named nobody",
            "`show functions` lists the functions; `show jobs` the batch jobs; "
            "`show containers` the container workloads",
        ),
    ],
)
def test_a_name_that_is_not_a_poller_is_refused_and_changes_nothing(
    tmp_path: Path, line: str, message: str, hint: str
) -> None:
    session = open_session(tmp_path)
    before = len(session.sim.trace.records)
    with pytest.raises(CommandError) as info:
        execute(session, line)
    assert (info.value.message, info.value.hint) == (message, hint)
    assert len(session.sim.trace.records) == before
    assert not any(m.disabled for m in all_mappings(session.sim))


@pytest.mark.parametrize(
    "line", ["pause mailer --trigger dead", "pause web", "resume web --trigger jobs"]
)
def test_the_repl_refuses_before_enter_what_the_run_refuses(tmp_path: Path, line: str) -> None:
    session = open_session(tmp_path)
    problem = check(session, line, final=True)
    with pytest.raises(CommandError) as info:
        execute(session, line)
    assert problem is not None, f"{line!r} passes the validator but the run refuses it"
    assert (problem.message, problem.hint) == (info.value.message, info.value.hint)


def test_completion_offers_the_worker_and_its_queues(tmp_path: Path) -> None:
    session = open_session(tmp_path)
    assert complete_values(session, PAUSABLE) == ["fn", "mailer"]
    assert complete_values(session, MAPPING_SOURCE, [(PAUSABLE, "mailer")]) == ["jobs", "other"]
    assert check(session, "pause mailer --trigger other", final=True) is None
    offered = {c.text: c.meta for c in candidates(session, "pause mailer --trigger ")}
    assert offered == {"jobs": "pollers of its code", "other": "pollers of its code"}
    run(session, "pause mailer --trigger jobs")
    offered = {c.text: c.meta for c in candidates(session, "resume mailer --trigger ")}
    assert offered["jobs"] == "pollers of its code, stopped"


def test_help_pause_says_what_a_stopped_worker_does() -> None:
    from stptui.commands import REGISTRY

    help_text = " ".join(REGISTRY.help("pause").split())
    assert "stop a container workload's pollers" in help_text
    assert "killed then (SIGKILL: the message is not deleted)" in help_text


def test_undo_save_and_load_replay_the_stop(tmp_path: Path) -> None:
    session = open_session(tmp_path, duration="10s")
    sent(session, "slow")
    run(session, "advance 1s", "pause mailer --trigger jobs", "advance 1m")
    expected = [r.to_line() for r in records(session.sim)]
    saved = tmp_path / "down.stps"
    run(session, f"save {saved}", "resume mailer --trigger jobs", "advance 1m")
    run(session, "undo 2")
    assert [r.to_line() for r in records(session.sim)] == expected
    assert [m.disabled for m in all_mappings(session.sim) if m.workload == "mailer"] == [
        True,
        False,
    ]
    run(session, "advance 1m", f"load {saved}")
    assert [r.to_line() for r in records(session.sim)] == expected
    run(session, "resume mailer", "advance 1m")
    assert session.sim.queues["jobs"].messages == {}
