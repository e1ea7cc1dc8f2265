"""What the docs say in prose, not in an example, about what a reader will see next: each
test quotes the page it holds for."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest
from replkit import complete, metas, tabbed
from test_docs_tui_keys import bound_keys

from stptui.cli import main
from stptui.commands import Session, execute
from stptui.repl import candidates as candidates_module
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


def _repl_page() -> str:
    return " ".join((ROOT / "docs" / "repl.md").read_text(encoding="utf-8").split())


def test_tab_after_show_offers_the_views_the_stack_has_as_repl_md_says() -> None:
    # docs/repl.md: "on the `scheduled-job` sample, `functions`, ... and `metrics`, no
    # `tables` or `kafka-topics`; ... (`show str` offers `stream` and `streams`, `this stack
    # has no Kinesis streams`)".
    page = _repl_page()
    listed = re.search(r"on the `scheduled-job` sample, (.*?), no `tables`", page)
    assert listed is not None
    views = re.findall(r"`([a-z-]+)`", listed.group(1))
    assert "(`show str` offers `stream` and `streams`, `this stack has no Kinesis streams`)" in page
    session = Session.open(ROOT / "stptui" / "sample_stacks" / "scheduled-job", start_ms=T0)
    assert complete(session, "show ") == views
    none = "this stack has no Kinesis streams"
    assert metas(session, "show str") == {"stream": none, "streams": none}


def test_tab_after_header_and_port_offers_what_repl_md_says() -> None:
    # docs/repl.md: "`http GET /api/orders --header ` ... (`x-tenant:beta`, `rule 5 of
    # mainLb:443 → betaApi`), ... then `content-type:application/json`, ... and
    # `origin:https://app.example.com`", and the `--port ` offers with their lines.
    page = _repl_page()
    assert "(`x-tenant:beta`, `rule 5 of mainLb:443 → betaApi`)" in page
    common = re.search(r"configuration allows, then (.*?), none whose name", page)
    assert common is not None
    said = "(`80`, `HTTP listener of mainLb: redirects to HTTPS`; `443`, `HTTPS listener of "
    said += "mainLb: 4 rules, the one without --port`)"
    assert said in page
    session = Session.open(ROOT / "docs" / "examples" / "load-balancer.yml", start_ms=T0)
    header = metas(session, "http GET /api/orders --header ")
    assert list(header) == ["x-tenant:beta", *re.findall(r"`([^`]+)`", common.group(1))]
    assert header["x-tenant:beta"] == "rule 5 of mainLb:443 → betaApi"
    assert metas(session, "http GET /api/orders --port ") == {
        "80": "HTTP listener of mainLb: redirects to HTTPS",
        "443": "HTTPS listener of mainLb: 4 rules, the one without --port",
    }
    auth = Session.open(ROOT / "docs" / "examples" / "http-auth.yml", start_ms=T0)
    assert "(`x-api-key:`, the value yours to type)" in page
    assert complete(auth, "http GET /reports --header ")[0] == "x-api-key:"


def test_tab_at_a_start_job_payload_offers_the_days_event_as_repl_md_says() -> None:
    # docs/repl.md: "for a batch job an event for the simulated day,
    # `'{"date": "2026-01-05"}'`".
    assert 'for a batch job an event for the simulated day, `\'{"date": "2026-01-05"}\'`' in (
        _repl_page()
    )
    session = Session.open(ROOT / "stptui" / "sample_stacks" / "combined", start_ms=T0)
    assert complete(session, "start-job heavyJob ") == ['\'{"date": "2026-01-05"}\'']


def test_tab_after_load_offers_the_files_save_wrote_as_repl_md_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # docs/repl.md: "`load` offers the files `save` wrote, whatever their names (...), then
    # the directories, and no other file: not the stack, a script or a `package.json` ...;
    # of the files the name typed starts it opens at most the first 200".
    page = _repl_page()
    assert "`load` offers the files `save` wrote, whatever their names" in page
    assert "then the directories, and no other file: not the stack, a script or a" in page
    assert f"it opens at most the first {candidates_module.SESSION_PEEK_LIMIT}," in page
    monkeypatch.chdir(tmp_path)
    (tmp_path / "stacktape.yml").write_text(
        (ROOT / "stptui" / "sample_stacks" / "job-queue" / "stacktape.yml").read_text()
    )
    session = Session.open(tmp_path / "stacktape.yml", start_ms=T0)
    (tmp_path / "runs").mkdir()
    execute(session, "save incident")
    (tmp_path / "smoke.stp").write_text("send jobQueue x\n")
    (tmp_path / "package.json").write_text('{"name": "shop"}')
    assert complete(session, "load ") == ["incident", "runs/"]


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


def test_tab_after_ws_connect_header_and_at_invoke_offers_what_repl_md_says() -> None:
    # docs/repl.md: "`ws-connect realtime --header ` ... then the handshake headers a
    # client may set: `authorization:`, ... and `user-agent:`", and "`invoke orderWorker `
    # on docs/examples/kafka-orders.yml, `the Kafka event order-events delivers (1 record)`".
    page = _repl_page()
    said = re.search(r"the handshake headers a client may set: (.*?), none whose name", page)
    assert said is not None
    chat = Session.open(ROOT / "docs" / "examples" / "chat.yml", start_ms=T0)
    offered = complete(chat, "ws-connect realtime --header ")
    assert offered == re.findall(r"`([^`]+)`", said.group(1))
    kafka = "`invoke orderWorker ` on docs/examples/kafka-orders.yml, "
    kafka += "`the Kafka event order-events delivers (1 record)`"
    assert kafka in page
    orders = Session.open(ROOT / "docs" / "examples" / "kafka-orders.yml", start_ms=T0)
    assert (
        "the Kafka event order-events delivers (1 record)"
        in metas(orders, "invoke orderWorker ").values()
    )
