"""A file name a command takes may start with `~`, read as the home folder as a shell reads
it: the REPL's and the TUI's completion offer such paths, so the commands must open them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stptui.commands import Session, execute
from stptui.sim.clock import parse_instant

SAMPLES = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.chdir(tmp_path)
    return folder


def session() -> Session:
    return Session.open(SAMPLES / "file-processing", start_ms=parse_instant("2026-01-05T08:00:00Z"))


def test_source_and_upload_from_read_files_under_the_home_folder(home: Path) -> None:
    (home / "data.csv").write_text("id,amount\n1,30\n")
    (home / "steps.stp").write_text("upload uploads incoming/a.csv --from ~/data.csv\n")
    s = session()
    execute(s, "source ~/steps.stp")
    created = [r for r in s.sim.trace.records if r.kind == "object.created"]
    assert [r.get("key") for r in created] == ["incoming/a.csv"]
    assert created[0].get("size") == len("id,amount\n1,30\n")


def test_save_writes_under_the_home_folder_and_load_reads_it_back(home: Path) -> None:
    s = session()
    execute(s, "advance 1m")
    execute(s, "save ~/run.json")
    saved = home / "run.json"
    assert json.loads(saved.read_text())["commands"] == ["advance 1m"]
    assert not (Path("~") / "run.json").exists()
    execute(s, "load ~/run.json")
