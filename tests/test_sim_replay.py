"""EventBridge archive and replay on the virtual clock: what reaches a bus's archive and when,
its retention, replays to every rule or the rules named, the replayed event's envelope
(`replay-name`, the original's time, a new id), cancelling, the refusals that change nothing,
determinism, `explain`, and `show bus` / `show replays`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stptui.commands import CommandError, Session, execute
from stptui.sim import trace as tk
from stptui.sim.clock import iso_s
from tests.simkit import START

MINUTE = 60_000
DAY = 86_400_000
PKG = {"type": "stacktape-lambda-buildpack", "properties": {"entryfilePath": "f.ts"}}
BILLING_RULE = "shop-dev-billing-event-bus-1"
AUDIT_RULE = "shop-dev-audit-event-bus-1"


def stack_text(retention: int | None = 7) -> str:
    """A bus `orders` (archived; `retention` days, None for forever), a bus `other` without
    an archive, functions `billing` and `audit` on `orders`, `elsewhere` on `other`, and a
    queue `tap` subscribed to every `orders` event (to read the envelopes delivered)."""
    archivation: dict[str, object] = {"enabled": True}
    if retention is not None:
        archivation["retentionDays"] = retention

    def on(bus: str) -> list[dict[str, object]]:
        pattern = {"source": ["shop"]}
        return [{"type": "event-bus", "properties": {"eventBusName": bus, "eventPattern": pattern}}]

    return json.dumps(
        {
            "serviceName": "shop",
            "resources": {
                "orders": {"type": "event-bus", "properties": {"archivation": archivation}},
                "other": {"type": "event-bus"},
                "billing": {
                    "type": "function",
                    "properties": {"packaging": PKG, "events": on("orders")},
                },
                "audit": {
                    "type": "function",
                    "properties": {"packaging": PKG, "events": on("orders")},
                },
                "elsewhere": {
                    "type": "function",
                    "properties": {"packaging": PKG, "events": on("other")},
                },
                "tap": {"type": "sqs-queue", "properties": {"events": on("orders")}},
            },
        }
    )


def open_session(tmp_path: Path, retention: int | None = 7) -> Session:
    path = tmp_path / "stacktape.yml"
    path.write_text(stack_text(retention), encoding="utf-8")
    return Session.open(path, start_ms=START)


def run(session: Session, *lines: str) -> None:
    for line in lines:
        execute(session, line)


def recs(session: Session, kind: str) -> list[tk.Record]:
    return [r for r in session.sim.trace.records if r.kind == kind]


def archive(session: Session) -> dict[str, object]:
    return session.sim.services["buses"].bus("orders").archive.summary()


def publish(session: Session, n: int) -> str:
    return execute(session, f"publish orders shop Placed '{{\"n\": {n}}}'").data["event_id"]


@pytest.fixture
def session(tmp_path: Path) -> Session:
    return open_session(tmp_path)


# -- the archive -----------------------------------------------------------------------------


def test_an_event_reaches_the_archive_ten_minutes_after_the_bus_received_it(
    session: Session,
) -> None:
    event_id = publish(session, 1)
    run(session, "advance 9m59s")
    assert archive(session)["event_count"] == 0
    assert archive(session)["arriving"] == 1
    run(session, "advance 1s")
    [rec] = recs(session, tk.EVENT_ARCHIVED)
    assert rec.t == START + 10 * MINUTE
    assert rec.get("event_id") == event_id
    # PutEvents' entry size: Source + DetailType + Detail as sent.
    assert rec.get("size") == len("shop") + len("Placed") + len('{"n": 1}')
    summary = archive(session)
    assert (summary["event_count"], summary["size_bytes"]) == (1, rec.get("size"))
    assert summary["archive"] == "shop-dev-orders-archive"
    # The ARN `$ResourceParam(orders, 'archiveArn')` and STP_ORDERS_ARCHIVE_ARN give.
    assert summary["arn"] == session.sim.resource_param("orders", "archiveArn")


def test_events_leave_the_archive_when_their_retention_days_have_passed(tmp_path: Path) -> None:
    session = open_session(tmp_path, retention=1)
    publish(session, 1)
    run(session, "advance 10m", "advance 1d")
    assert archive(session)["event_count"] == 0
    [gone] = recs(session, tk.EVENT_ARCHIVE_EXPIRED)
    assert gone.t == START + 10 * MINUTE + DAY
    assert archive(session)["size_bytes"] == 0


def test_without_retention_days_events_stay_forever(tmp_path: Path) -> None:
    session = open_session(tmp_path, retention=None)
    publish(session, 1)
    run(session, "advance 3650d")
    assert archive(session)["event_count"] == 1
    assert archive(session)["retention_days"] == 0
    assert recs(session, tk.EVENT_ARCHIVE_EXPIRED) == []


def test_only_the_stacks_archived_buses_archive(session: Session) -> None:
    run(session, "publish other shop Placed {}", "publish default shop Placed {}", "advance 1h")
    assert recs(session, tk.EVENT_ARCHIVED) == []
    buses = session.sim.services["buses"]
    assert buses.bus("other").archive is None and buses.bus("default").archive is None


# -- replays ---------------------------------------------------------------------------------


def test_a_replay_sends_the_window_to_every_rule_with_the_replay_name(session: Session) -> None:
    first = publish(session, 1)
    run(session, "advance 30s")
    publish(session, 2)
    run(session, "advance 5m")
    publish(session, 3)  # in another minute of the window
    run(session, "advance 20m")
    before = len(recs(session, tk.EVENT_PUBLISHED))
    # Minutes are counted from the window's start: 08:00:00 and 08:00:30 share one.
    out = execute(session, "replay orders --from 2026-01-05T07:30:00Z --to now --name fix-1")
    assert out.data["state"] == "STARTING" and out.data["events"] == 3
    run(session, "run")
    replayed = recs(session, tk.EVENT_PUBLISHED)[before:]
    assert [r.get("replay") for r in replayed] == ["fix-1"] * 3
    assert replayed[0].get("replay_of") == first
    # One minute of events a second, from a second after the start.
    start = START + 25 * MINUTE + 30_000
    assert [r.t for r in replayed] == [start + 1000, start + 1000, start + 2000]
    matched = [
        r
        for r in recs(session, tk.EVENT_MATCHED)
        if r.get("event_id") in {x.get("event_id") for x in replayed}
    ]
    assert sorted({r.get("target") for r in matched}) == ["audit", "billing", "tap"]
    [done] = recs(session, tk.REPLAY_COMPLETED)
    assert done.get("replayed") == 3 and done.t == start + 2000
    # Replayed events never reach the archive again.
    run(session, "advance 1h")
    assert archive(session)["event_count"] == 3


def test_the_replayed_envelope_is_awss_with_replay_name_after_region(session: Session) -> None:
    first = publish(session, 7)
    run(session, "advance 10m")
    original = json.loads(
        session.sim.queues["tap"].messages[next(iter(session.sim.queues["tap"].messages))].body
    )
    run(session, "purge tap", "replay orders --from -1h --to now --name again", "advance 1s")
    [message] = session.sim.queues["tap"].messages.values()
    event = json.loads(message.body)
    assert list(event) == [
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "replay-name",
        "resources",
        "detail",
    ]
    assert event["replay-name"] == "again"
    assert event["id"] != first
    # The replayed event keeps the original's time (the window is read from it).
    assert event["time"] == original["time"] == iso_s(START)
    assert {k: v for k, v in event.items() if k not in ("id", "replay-name")} == {
        k: v for k, v in original.items() if k != "id"
    }


def test_a_replay_to_some_rules_reaches_only_those(session: Session) -> None:
    publish(session, 1)
    run(session, "advance 10m")
    rule = session.sim.services["buses"].bus("orders").rules[0]
    assert rule.owner == "billing"
    before = session.sim.trace.seq
    run(session, f"replay orders --from -1h --to now --rules {rule.arn}", "run")
    new = list(session.sim.trace.since(before))
    assert [r.get("target") for r in new if r.kind == tk.EVENT_MATCHED] == ["billing"]
    # Rules left out are not asked: no unmatched records either.
    assert [r for r in new if r.kind == tk.EVENT_UNMATCHED] == []
    assert new[0].get("rules") == [BILLING_RULE]
    assert new[0].get("replay") == "orders-replay-1"  # the default name


def test_a_pattern_can_leave_replayed_events_out(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    session = Session.open(root / "docs" / "examples" / "replay.yml", start_ms=START)
    run(session, "publish orderEvents orders OrderPlaced {}", "advance 10m")
    run(session, "replay orderEvents --from -1h --to now", "run")
    [unmatched] = recs(session, tk.EVENT_UNMATCHED)
    assert unmatched.get("target") == "audit"
    assert any("replay-name" in line for line in unmatched.get("explanation"))


def test_events_not_yet_archived_are_not_replayed_and_the_command_says_so(
    session: Session,
) -> None:
    publish(session, 1)
    run(session, "advance 5m")
    out = execute(session, "replay orders --from -1h --to now")
    assert out.data["events"] == 0
    assert "1 more event of the window will not be replayed" in out.text
    run(session, "run")
    assert [r.get("replay") for r in recs(session, tk.EVENT_PUBLISHED)] == [None]


def test_the_window_is_start_inclusive_end_exclusive_on_the_events_time(
    session: Session,
) -> None:
    publish(session, 1)  # time 08:00:00
    run(session, "advance 1m")
    publish(session, 2)  # time 08:01:00
    run(session, "advance 15m")
    out = execute(
        session,
        f"replay orders --from {iso_s(START)} --to {iso_s(START + MINUTE)} --name edge",
    )
    assert out.data["events"] == 1


def test_a_window_inside_a_second_is_shown_as_the_seconds_it_takes(session: Session) -> None:
    # Events' times are whole seconds. `--from 08:00:00.500Z` left out the event of 08:00:00
    # while the answer said the window began at 08:00:00Z, which would have taken it.
    publish(session, 1)  # time 08:00:00
    run(session, "advance 1m")
    publish(session, 2)  # time 08:01:00
    run(session, "advance 15m")
    half = "2026-01-05T08:00:00.500Z"
    out = execute(session, f"replay orders --from {half} --to 2026-01-05T08:01:00.500Z")
    assert (out.data["events"], out.data["event_start"], out.data["event_end"]) == (
        1,
        "2026-01-05T08:00:01Z",
        "2026-01-05T08:01:01Z",
    )


def test_cancel_stops_a_replay_at_its_next_minute(session: Session) -> None:
    for n in range(3):
        publish(session, n)
        run(session, "advance 1m")
    run(session, "advance 10m", "replay orders --from -1h --to now --name long", "advance 1s")
    out = execute(session, "cancel-replay long")
    assert out.data["state"] == "CANCELLING" and out.data["replayed"] == 1
    run(session, "run")
    replays = execute(session, "show replays").data
    assert [(r["replay"], r["state"], r["replayed"]) for r in replays] == [("long", "CANCELLED", 1)]
    assert len(recs(session, tk.REPLAY_CANCELLED)) == 1
    assert len([r for r in recs(session, tk.EVENT_PUBLISHED) if r.get("replay")]) == 1
    # A cancelled replay cannot be cancelled again.
    with pytest.raises(CommandError, match="IllegalStatusException"):
        execute(session, "cancel-replay long")


@pytest.mark.parametrize(
    ("line", "error", "hint"),
    [
        (
            "replay other --from -1h --to now",
            "Archive shop-dev-other-archive does not exist",
            "archivation",
        ),
        ("replay default --from -1h --to now", "ValidationException", "not the default bus"),
        ("replay nowhere --from -1h --to now", "no event bus named", ""),
        (
            "replay orders --from now --to -1h",
            "EventStartTime must be before EventEndTime",
            "--from",
        ),
        ("replay orders --from now --to now", "EventStartTime must be before EventEndTime", ""),
        ("replay orders --to now", "replay needs --from", "--from -1h"),
        ("replay orders --from -1h --to yesterday", "is not an instant", "-2h"),
        ("replay orders --from -1h --to now --name 'a b'", "regular expression pattern", "letters"),
        ("replay orders --from -1h --to now --name " + "x" * 65, "less than or equal to 64", ""),
        ("replay orders --from -1h --to now --name fix-1", "Replay fix-1 already exists", "--name"),
        (
            "replay orders --from -1h --to now --rules shop-dev-billing-event-bus",
            "no rule",
            "did you mean",
        ),
        (
            "replay orders --from -1h --to now --rules billing",
            "that is the rules' target",
            BILLING_RULE,
        ),
        (
            "replay orders --from -1h --to now --rules shop-dev-elsewhere-event-bus-1",
            "is on bus other",
            AUDIT_RULE,
        ),
        ("cancel-replay nope", "ResourceNotFoundException: Replay nope does not exist.", "fix-1"),
        ("cancel-replay fix-1", "IllegalStatusException", "show replays"),
    ],
)
def test_refusals_say_why_and_change_nothing(
    session: Session, line: str, error: str, hint: str
) -> None:
    publish(session, 1)
    run(session, "advance 10m", "replay orders --from -1h --to now --name fix-1", "run")
    seq, now, names = (
        session.sim.trace.seq,
        session.sim.clock.now,
        dict(session.sim.services["buses"].replays.replays),
    )
    pending = session.sim.clock.pending()
    with pytest.raises(CommandError) as caught:
        execute(session, line)
    assert error in caught.value.message
    assert hint in (caught.value.hint or "")
    assert session.sim.trace.seq == seq and session.sim.clock.now == now
    assert session.sim.services["buses"].replays.replays == names
    assert session.sim.clock.pending() == pending


def test_a_stack_without_an_archive_refuses_replays(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    session = Session.open(root / "docs" / "examples" / "commands-stack.yml", start_ms=START)
    with pytest.raises(CommandError, match="no event bus of this stack has an archive"):
        execute(session, "replay eventBus --from -1h --to now")
    assert "no event bus of this stack has an archive" in execute(session, "show replays").text


def test_at_most_ten_replays_are_active_at_once(session: Session) -> None:
    publish(session, 1)
    run(session, "advance 10m")
    for n in range(10):
        execute(session, f"replay orders --from -1h --to now --name r{n}")
    with pytest.raises(CommandError, match="LimitExceededException"):
        execute(session, "replay orders --from -1h --to now --name r10")
    run(session, "run")
    execute(session, "replay orders --from -1h --to now --name r10")


# -- views -----------------------------------------------------------------------------------


def test_show_bus_gives_the_archive_and_its_replays(session: Session) -> None:
    publish(session, 1)
    run(session, "advance 10m", "replay orders --from -1h --to now --name fix-1", "run")
    out = execute(session, "show bus orders")
    assert "archive shop-dev-orders-archive: 1 event, 18 bytes, retention 7 days" in out.text
    assert out.table is not None and out.table[1][0][:2] == ["fix-1", "COMPLETED"]
    assert out.data["replays"][0]["replayed"] == 1
    assert "no archive (`archivation` is not enabled)" in execute(session, "show bus other").text
    # The default bus cannot be given `archivation`: the old answer suggested it could.
    assert execute(session, "show bus default").text.endswith(
        "no archive (Stacktape archives only the stack's own event-bus resources)"
    )
    with pytest.raises(CommandError, match="needs an event bus name"):
        execute(session, "show bus")


def test_explain_a_replayed_event_names_its_original(session: Session) -> None:
    first = publish(session, 1)
    run(session, "advance 10m", "replay orders --from -1h --to now --name fix-1", "run")
    [copy] = [r for r in recs(session, tk.EVENT_PUBLISHED) if r.get("replay")]
    out = execute(session, f"explain {copy.get('event_id')}")
    assert out.text.splitlines()[0] == (
        f"event {copy.get('event_id')} is replay fix-1's copy of event {first} (explain {first})"
    )
    kinds = [r["kind"] for r in out.data["records"]]
    assert tk.EVENT_ARCHIVED in kinds and tk.REPLAY_STARTED not in kinds


def test_explain_of_a_replays_name_points_at_its_events(session: Session) -> None:
    # A replay's name is no id explain follows (its events are many): it used to answer
    # only that nothing in the trace mentions it, though `show replays` lists it.
    publish(session, 1)
    run(session, "advance 10m", "replay orders --from -1h --to now --name fix-1")
    with pytest.raises(CommandError, match="'fix-1' is a replay") as before:
        execute(session, "explain fix-1")
    assert before.value.hint == "`show replays` gives its state; it has replayed no event yet"
    run(session, "run")
    [copy] = [r.get("event_id") for r in recs(session, tk.EVENT_PUBLISHED) if r.get("replay")]
    with pytest.raises(CommandError, match="'fix-1' is a replay") as after:
        execute(session, "explain fix-1")
    assert after.value.hint.endswith(f"its first replayed event: explain {copy}")


# -- determinism -----------------------------------------------------------------------------

SCRIPT = (
    "publish orders shop Placed '{\"n\": 1}'",
    "advance 90s",
    "publish orders shop Placed '{\"n\": 2}'",
    "advance 20m",
    "replay orders --from -1h --to now --name a",
    "advance 1s",
    "cancel-replay a",
    f"replay orders --from -1h --to now --name b --rules {BILLING_RULE}",
    "run",
)


def test_the_same_script_gives_the_same_trace(tmp_path: Path) -> None:
    lines = []
    for n in range(2):
        (tmp_path / str(n)).mkdir()
        session = open_session(tmp_path / str(n))
        run(session, *SCRIPT)
        lines.append([r.to_line() for r in session.sim.trace.records])
    assert lines[0] == lines[1]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    gaps=st.lists(st.integers(0, 5 * MINUTE), min_size=1, max_size=6),
    start=st.integers(0, 2400).map(lambda s: s * 1000),
    length=st.integers(1, 2400).map(lambda s: s * 1000),
)
def test_a_replay_replays_exactly_the_archived_events_of_its_window(
    tmp_path: Path, gaps: list[int], start: int, length: int
) -> None:
    session = open_session(tmp_path)
    times = []
    for gap in gaps:
        session.sim.advance(gap)
        times.append(session.sim.clock.now - session.sim.clock.now % 1000)
        publish(session, len(times))
    run(session, "advance 10m")
    lo, hi = START + start, START + start + length
    execute(session, f"replay orders --from {iso_s(lo)} --to {iso_s(hi)} --name w")
    run(session, "run")
    replayed = [r for r in recs(session, tk.EVENT_PUBLISHED) if r.get("replay")]
    expected = [t for t in times if lo <= t < hi]
    assert len(replayed) == len(expected)
    # Oldest minute first, each replayed a second after the one before.
    assert [r.t for r in replayed] == sorted(r.t for r in replayed)


def test_the_inspector_shows_a_buss_archive_and_replays_as_text(tmp_path: Path) -> None:
    from stptui.graph import build_graph
    from stptui.tui.widgets.inspector_pane import describe_resource

    session = open_session(tmp_path)
    publish(session, 1)
    run(session, "advance 10m", "replay orders --from -1h --to now --name b.-_1", "run")
    sim = session.sim
    page = describe_resource("orders", sim.stack, build_graph(sim.stack), sim, [], sim.start_ms)
    assert "Archive now" in page.plain
    assert "1 event, 18 bytes, retention 7 days" in page.plain
    assert "b.-_1 COMPLETED 1 of 1" in page.plain
    other = describe_resource("other", sim.stack, build_graph(sim.stack), sim, [], sim.start_ms)
    assert "Archive now" not in other.plain


def test_a_replayed_event_is_ingested_when_it_is_replayed(tmp_path: Path) -> None:
    # <aws.events.event.ingestion-time> is "The time at which the event was received by
    # EventBridge" (user guide, input transformation): a replay puts the event on the bus
    # again, so its copy is received then, while its `time` stays the original's.
    text = json.loads(stack_text())
    text["resources"]["tap"]["properties"]["events"][0]["properties"]["inputTransformer"] = {
        "inputPathsMap": {"t": "$.time", "r": "$.replay-name"},
        "inputTemplate": '{"time": <t>, "ingested": <aws.events.event.ingestion-time>,'
        ' "replay": <r>, "event": <aws.events.event>}',
    }
    path = tmp_path / "stacktape.yml"
    path.write_text(json.dumps(text), encoding="utf-8")
    session = Session.open(path, start_ms=START)
    publish(session, 1)
    run(session, "advance 10m", "replay orders --from -1h --to now --name again", "run")
    first, replayed = (json.loads(m.body) for m in session.sim.queue("tap").listing())
    assert first["time"] == first["ingested"] == iso_s(START) and first["replay"] == ""
    assert replayed["time"] == iso_s(START)
    assert replayed["ingested"] == iso_s(START + 10 * MINUTE + 1000)
    assert replayed["replay"] == "again"
    # <aws.events.event> keeps the replay's name (after the keys AWS gives every event).
    assert list(replayed["event"])[-2:] == ["version", "replay-name"]
