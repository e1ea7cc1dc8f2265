"""`--project-name`: Stacktape's `--projectName`, which names the stack
(`{serviceName or projectName}-{stage}`) when the config has no serviceName."""

from __future__ import annotations

import io
import json
import shlex
from pathlib import Path

import pytest

from stptui.cli import main
from stptui.commands import CommandError, Session, execute
from stptui.commands.session import SessionError, trace_sha256
from stptui.config import load_stack_text
from stptui.config.envvars import workload_environment
from stptui.config.model import Workload
from stptui.repl import ReplOptions
from stptui.repl import main as repl_main
from stptui.sim.clock import parse_instant

START = "2026-01-05T08:00:00Z"
T0 = parse_instant(START)

# No serviceName, as in every Stacktape starter project.
CONFIG = """\
resources:
  jobs: {type: sqs-queue}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      connectTo: [jobs]
      environment:
        - name: JOBS_ARN
          value: $ResourceParam('jobs', 'arn')
      events:
        - type: sqs
          properties: {sqsQueueName: jobs}
  report:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: r.ts}}
      events:
        - type: schedule
          properties: {scheduleRate: rate(1 minute)}
"""


@pytest.fixture
def stack_dir(tmp_path: Path) -> Path:
    d = tmp_path / "stack"
    d.mkdir()
    (d / "stacktape.yml").write_text(CONFIG, encoding="utf-8")
    return d


def worker_env(text: str, project: str | None = None) -> dict[str, str]:
    stack = load_stack_text(text, project=project)
    worker = stack.resources["worker"]
    assert isinstance(worker, Workload)
    return {e.name: str(e.value) for e in workload_environment(stack, worker)}


def test_the_project_name_names_the_stack_without_a_service_name() -> None:
    stack = load_stack_text(CONFIG, project="shop")
    assert stack.stack_name == "shop-dev" and not stack.errors
    env = worker_env(CONFIG, "shop")
    assert env["JOBS_ARN"] == "arn:aws:sqs:us-east-1:123456789012:shop-dev-jobs"
    assert env["STP_JOBS_NAME"] == "shop-dev-jobs"
    assert env["STP_JOBS_URL"].endswith("/123456789012/shop-dev-jobs")
    # Without one the stack is named as before.
    assert load_stack_text(CONFIG).stack_name == "app-dev"
    assert worker_env(CONFIG)["STP_JOBS_NAME"] == "app-dev-jobs"


def test_a_service_name_wins_over_the_project_name() -> None:
    text = "serviceName: legacy\n" + CONFIG
    assert load_stack_text(text, project="shop").stack_name == "legacy-dev"
    assert worker_env(text, "shop")["STP_JOBS_NAME"] == "legacy-dev-jobs"
    # An invalid serviceName is ignored (and diagnosed): the project name names the stack.
    bad = load_stack_text("serviceName: 9lives\n" + CONFIG, project="shop")
    assert bad.stack_name == "shop-dev"
    assert any(d.code == "invalid-name" for d in bad.errors)


def test_a_service_name_written_as_a_directive_names_the_arns_too() -> None:
    # `serviceName: $Format('shop-{}', $Stage())` names the stack shop-prod-prod; the ARNs
    # $ResourceParam gives must name the same queue as its AWS name, not app-prod-jobs.
    for service in ("$Format('shop-{}', $Stage())", "$Var().service"):
        text = f"serviceName: {service}\nvariables:\n  service: shop-prod\n{CONFIG}"
        stack = load_stack_text(text, stage="prod", project="ignored")
        assert stack.stack_name == "shop-prod-prod" and not stack.errors
        worker = stack.resources["worker"]
        assert isinstance(worker, Workload)
        env = {e.name: str(e.value) for e in workload_environment(stack, worker)}
        assert env["JOBS_ARN"] == "arn:aws:sqs:us-east-1:123456789012:shop-prod-prod-jobs"
        assert env["STP_JOBS_NAME"] == "shop-prod-prod-jobs"
    # One that resolves to no valid name is ignored, as a written one is, and diagnosed once.
    bad = load_stack_text("serviceName: $Format('{}', '9lives')\n" + CONFIG, project="shop")
    assert bad.stack_name == "shop-dev"
    assert worker_env("serviceName: $Format('{}', '9lives')\n" + CONFIG, "shop")[
        "JOBS_ARN"
    ].endswith(":shop-dev-jobs")
    assert [d.code for d in bad.errors] == ["invalid-name"]


def test_an_invalid_project_name_is_refused_by_the_loader_and_the_session(
    stack_dir: Path,
) -> None:
    with pytest.raises(ValueError, match="must start with a letter"):
        load_stack_text(CONFIG, project="my_shop")
    with pytest.raises(SessionError, match="invalid project name") as info:
        Session.open(stack_dir, start_ms=T0, project="-shop")
    assert "must start with a letter" in info.value.diagnostics[0].format()


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        rc = main(list(argv))
    except SystemExit as exc:
        rc = int(exc.code or 0)
    out, err = capsys.readouterr()
    return rc, out, err


def test_validate_and_graph_take_the_project_name(
    stack_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, _ = run_cli(
        capsys, "graph", str(stack_dir), "--format", "json", "--project-name", "shop"
    )
    assert rc == 0
    data = json.loads(out)
    assert data["graph"]["stack_name"] == "shop-dev"
    [worker] = [n for n in data["nodes"] if n["id"] == "worker"]
    env = {e["name"]: e["value"] for e in worker["env"]}
    assert env["STP_JOBS_ARN"] == "arn:aws:sqs:us-east-1:123456789012:shop-dev-jobs"
    rc, out, _ = run_cli(capsys, "graph", str(stack_dir), "--project-name", "shop")
    assert rc == 0 and out.startswith("stack shop-dev: ")
    rc, out, _ = run_cli(capsys, "validate", str(stack_dir), "--project-name", "shop")
    assert rc == 0, out
    rc, out, _ = run_cli(capsys, "--no-tui", str(stack_dir), "--project-name", "shop")
    assert rc == 0 and out.startswith("stack shop-dev: ")


@pytest.mark.parametrize("command", ["validate", "graph", "run", "repl", None])
def test_an_invalid_project_name_exits_2_with_a_message(
    stack_dir: Path, tmp_path: Path, command: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "s.stp"
    script.write_text("advance 1s\n")
    argv = [str(stack_dir), "--project-name", "my_shop"]
    if command == "run":
        argv.insert(1, str(script))
    if command is not None:
        argv.insert(0, command)
    rc, out, err = run_cli(capsys, *argv)
    assert rc == 2 and out == ""
    assert "--project-name" in err and "'my_shop' must start with a letter" in err


def test_run_takes_the_project_name(
    stack_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "s.stp"
    script.write_text("advance 1m\n")
    trace = tmp_path / "t.jsonl"
    args = [str(stack_dir), str(script), "--start", START, "--trace", str(trace)]
    rc, _, err = run_cli(capsys, "run", *args, "--project-name", "shop", "--stage", "prod")
    assert rc == 0, err
    records = [json.loads(line) for line in trace.read_text().splitlines()]
    assert [r["rule"] for r in records if r["kind"] == "schedule.fired"] == [
        "shop-prod-report-schedule-1"
    ]


def test_save_and_load_keep_the_project_name(stack_dir: Path, tmp_path: Path) -> None:
    shop = Session.open(stack_dir, start_ms=T0, project="shop")
    assert shop.project == "shop" and shop.stack.stack_name == "shop-dev"
    execute(shop, "send jobs a")
    execute(shop, "advance 2m")
    arn = shop.sim.queues["jobs"].arn
    assert arn.endswith(":shop-dev-jobs")
    target = tmp_path / "shop.json"
    execute(shop, f"save {target}")
    doc = json.loads(target.read_text())
    assert list(doc)[6:9] == ["stage", "region", "project"]
    assert (doc["stage"], doc["region"], doc["project"]) == ("dev", "us-east-1", "shop")
    other = Session.open(stack_dir, start_ms=T0)
    assert other.project is None and other.stack.stack_name == "app-dev"
    execute(other, f"load {target}")
    assert other.project == "shop" and other.stack.stack_name == "shop-dev"
    assert other.sim.queues["jobs"].arn == arn
    assert trace_sha256(other.sim.trace) == trace_sha256(shop.sim.trace)
    # A file saved before sessions had a project name loads without one.
    plain = Session.open(stack_dir, start_ms=T0)
    execute(plain, "advance 2m")
    execute(plain, f"save {tmp_path / 'old.json'}")
    old = json.loads((tmp_path / "old.json").read_text())
    # Without a project name the file is what earlier versions wrote: no "project" key.
    assert "project" not in old
    (tmp_path / "old.json").write_text(json.dumps(old))
    execute(other, f"load {tmp_path / 'old.json'}")
    assert other.project is None and other.stack.stack_name == "app-dev"
    # A tampered file with an invalid project name is refused.
    old["project"] = "not valid"
    (tmp_path / "bad.json").write_text(json.dumps(old))
    with pytest.raises(CommandError, match="invalid project name"):
        execute(other, f"load {tmp_path / 'bad.json'}")


def test_a_recordings_replay_line_replays_its_project_name(
    stack_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session = Session.open(stack_dir, start_ms=T0, project="shop", stage="prod")
    script = tmp_path / "r.stp"
    execute(session, f"record {script}")
    execute(session, "send jobs hi")
    execute(session, "advance 2m")
    execute(session, "record stop")
    text = script.read_text()
    replay_line = text.splitlines()[1]
    assert "--stage prod --region us-east-1 --project-name shop" in replay_line
    assert "stage prod, region us-east-1, project name shop" in text
    words = shlex.split(replay_line.removeprefix("#"))
    assert words[:2] == ["stptui", "run"]
    trace = tmp_path / "trace.jsonl"
    words[words.index("trace.jsonl")] = str(trace)
    rc, _, err = run_cli(capsys, *words[1:])
    assert rc == 0, err
    records = trace.read_text().splitlines()
    assert [json.loads(r)["rule"] for r in records if "schedule.fired" in r] == [
        "shop-prod-report-schedule-1",
        "shop-prod-report-schedule-1",
    ]
    expected = "".join(r.to_line() + "\n" for r in session.sim.trace.records)
    assert trace.read_text() == expected


def test_a_recording_without_a_project_name_does_not_name_one(
    stack_dir: Path, tmp_path: Path
) -> None:
    session = Session.open(stack_dir, start_ms=T0)
    script = tmp_path / "r.stp"
    execute(session, f"record {script}")
    execute(session, "record stop")
    assert "--project-name" not in script.read_text()
    assert "project name" not in script.read_text()


def test_the_repl_passes_the_project_name_through(stack_dir: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    opts = ReplOptions(stack=str(stack_dir), start_ms=T0, project="shop")
    script = "advance 1m\nshow trace 3\n"
    assert repl_main(opts, io.StringIO(script), out, err) == 0, err.getvalue()
    assert "shop-dev-report-schedule-1" in out.getvalue()


def test_the_terminal_ui_opens_its_session_with_the_project_name(
    stack_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import stptui.tui.app

    opened: list[Session] = []

    class FakeApp:
        def __init__(self, session: Session, **_: object) -> None:
            opened.append(session)

        def run(self) -> None:
            pass

    monkeypatch.setattr(stptui.tui.app, "StptuiApp", FakeApp)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert main([str(stack_dir), "--project-name", "shop", "--start", START]) == 0
    [session] = opened
    assert session.project == "shop" and session.stack.stack_name == "shop-dev"
