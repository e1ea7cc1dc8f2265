"""A Python handler's exception carries its traceback as Lambda's Python runtime writes it:
the `[ERROR]` log line lists the frames of the handler's own files, named as Lambda's task
root holds them (`/var/task/...`), and so does the error response's `stackTrace` an
onFailure destination gets (docs/fidelity.md, "CloudWatch Logs")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from simkit import handler_session

from stptui.cli import main
from stptui.commands import Session, execute

STACK = """\
resources:
  failures: {type: sqs-queue}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/worker.py}}
      destinations:
        onFailure: $ResourceParam('failures', 'arn')
"""
HANDLER = """\
import json

from helpers.emails import email_of


def handle(event, context):
    order = event["order"]
    return {"email": email_of(order)}


def parse(event, context):
    return json.loads(event["body"])
"""
HELPER = """\
def email_of(order):
    return order["customer"]["email"]
"""
NBSP = "\u00a0"


def _session(folder: Path, handler: str) -> Session:
    return handler_session(
        folder,
        STACK,
        {"worker": f"tb_worker:{handler}"},
        {"tb_worker.py": HANDLER, "helpers/__init__.py": "", "helpers/emails.py": HELPER},
    )


def _error_event(s: Session) -> str:
    lines = [ev.message for ev in s.sim.services["logs"].group("worker").recent(100)]
    (line,) = [m for m in lines if m.startswith("[ERROR]")]
    return line


def test_the_error_line_lists_the_handlers_frames_as_lambda_writes_them(tmp_path: Path) -> None:
    s = _session(tmp_path, "handle")
    execute(s, """invoke worker '{"order": {"id": 1}}' --async""")
    execute(s, "advance 1s")
    # One event: the lines joined by line breaks, each frame's indentation in no-break
    # spaces (the runtime's log_error), the handler's call first and the helper's last.
    assert _error_event(s) == "\n".join(
        [
            "[ERROR] KeyError: 'customer'",
            "Traceback (most recent call last):",
            f'{NBSP * 2}File "/var/task/tb_worker.py", line 8, in handle',
            f'{NBSP * 4}return {{"email": email_of(order)}}',
            f'{NBSP * 2}File "/var/task/helpers/emails.py", line 2, in email_of',
            f'{NBSP * 4}return order["customer"]["email"]',
            "",
        ]
    )


def test_frames_outside_the_handlers_folder_are_left_out(tmp_path: Path) -> None:
    # json's own frames would name this machine's Python and its line numbers: only the
    # handler's files are listed, so the same files give the same lines everywhere.
    s = _session(tmp_path, "parse")
    execute(s, """invoke worker '{"body": "not json"}' --async""")
    execute(s, "advance 1s")
    lines = _error_event(s).split("\n")
    assert lines[0] == "[ERROR] JSONDecodeError: Expecting value: line 1 column 1 (char 0)"
    assert lines[2:] == [
        f'{NBSP * 2}File "/var/task/tb_worker.py", line 12, in parse',
        f'{NBSP * 4}return json.loads(event["body"])',
        "",
    ]


def test_the_on_failure_record_carries_the_stack_trace(tmp_path: Path) -> None:
    s = _session(tmp_path, "handle")
    execute(s, """invoke worker '{"order": {"id": 1}}' --async""")
    execute(s, "advance 10m")
    (msg,) = s.sim.queues["failures"].messages.values()
    response = json.loads(msg.body)["responsePayload"]
    assert response["stackTrace"] == [
        '  File "/var/task/tb_worker.py", line 8, in handle\n'
        '    return {"email": email_of(order)}\n',
        '  File "/var/task/helpers/emails.py", line 2, in email_of\n'
        '    return order["customer"]["email"]\n',
    ]


def test_validate_with_allow_code_imports_the_handlers_to_check_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without --allow-code, a handler's name is not checked (the module is never imported):
    # a misspelt function is found only once a run imports it.
    _session(tmp_path, "handle")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  worker:\n    handler: tb_worker:hadnle\n", encoding="utf-8"
    )
    stack = str(tmp_path / "stacktape.yml")
    assert main(["validate", stack]) == 0
    out = capsys.readouterr().out
    assert "warning behavior-handler-skipped [worker]" in out
    # With it, validate imports the module as run does and reports the missing function.
    assert main(["validate", stack, "--allow-code"]) == 1
    out = capsys.readouterr().out
    assert "error behavior-handler-import [worker]" in out
    assert "behavior-handler-skipped" not in out
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  worker:\n    handler: tb_worker:handle\n", encoding="utf-8"
    )
    assert main(["validate", stack, "--allow-code"]) == 0
    assert "0 errors, 0 warnings" in capsys.readouterr().out


def test_frames_of_code_without_a_file_are_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `<string>` (exec'd code) is no file: run from the handlers' folder, it would resolve
    # to one in it and be listed as /var/task/<string>.
    from stptui.sim.behavior.python_handlers import handler_frames

    monkeypatch.chdir(tmp_path)
    try:
        exec(compile("raise ValueError('x')", "<string>", "exec"))
    except ValueError as exc:
        assert handler_frames(exc, tmp_path) == ()


def _six_handlers(folder: Path) -> str:
    """A stack of six functions whose behaviours file names a Python handler for each."""
    names = [f"{n}OrdersWorker" for n in ("alpha", "bravo", "charlie", "delta", "echo", "fox")]
    packaging = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.py}}"
    stack = "resources:\n" + "".join(
        f"  {n}:\n    type: function\n    properties:\n      {packaging}\n" for n in names
    )
    (folder / "stacktape.yml").write_text(stack, encoding="utf-8")
    behaviors = "".join(f"  {n}:\n    handler: mod:{n}\n" for n in names)
    (folder / "stptui.yml").write_text(f"behaviors:\n{behaviors}", encoding="utf-8")
    (folder / "s.stp").write_text("show functions\n", encoding="utf-8")
    return str(folder / "stacktape.yml")


def test_opening_without_allow_code_warns_once_for_all_skipped_handlers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Six handlers made six warnings, each with the same advice, at every start.
    stack = _six_handlers(tmp_path)
    assert main(["run", stack, str(tmp_path / "s.stp")]) == 0
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if "behavior-handler-skipped" in line]
    assert len(warnings) == 1, err
    assert warnings[0].startswith(f"{tmp_path / 'stptui.yml'}:3:14: warning ")
    assert "6 Python handlers skipped" in warnings[0]
    # As many names as fit, the rest counted.
    assert "(alphaOrdersWorker, bravoOrdersWorker, charlieOrdersWorker and 3 more)" in warnings[0]
    assert err.count("--allow-code") == 1 and "hint: " in err
    # validate still gives each handler its own line and position.
    main(["validate", stack])
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "behavior-handler-skipped" in line]
    assert [line.split(": ")[0].rsplit(":", 2)[1] for line in lines] == [
        "3",
        "5",
        "7",
        "9",
        "11",
        "13",
    ]


def test_one_skipped_handler_keeps_its_own_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  worker:\n    handler: tb_worker:handle\n", encoding="utf-8"
    )
    (tmp_path / "s.stp").write_text("show functions\n", encoding="utf-8")
    assert main(["run", str(tmp_path / "stacktape.yml"), str(tmp_path / "s.stp")]) == 0
    err = capsys.readouterr().err
    assert "warning behavior-handler-skipped [worker]: handler tb_worker:handle skipped" in err
