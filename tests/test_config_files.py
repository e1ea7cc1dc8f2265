"""Which config file a directory holds: Stacktape's precedence when there are several."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.config import ConfigError, load_stack

STACK = "resources:\n  q:\n    type: sqs-queue\n"


def competing(path: Path) -> list[str]:
    return [d.message for d in load_stack(path).diagnostics if d.code == "competing-configs"]


def test_one_config_file_gets_no_warning(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(STACK)
    assert competing(tmp_path) == []


def test_yml_and_yaml_read_the_yml_as_stacktape_does_and_say_so(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(STACK)
    (tmp_path / "stacktape.yaml").write_text("resources: {}\n")
    stack = load_stack(tmp_path)
    assert stack.file.endswith("stacktape.yml")
    assert "q" in stack.resources
    [message] = competing(tmp_path)
    assert "also holds stacktape.yaml; Stacktape uses stacktape.yml" in message


def test_a_typescript_config_is_what_stacktape_deploys(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(STACK)
    (tmp_path / "stacktape.ts").write_text("export default {}\n")
    [message] = competing(tmp_path)
    assert message.startswith(
        "Stacktape deploys stacktape.ts from this directory, not stacktape.yml"
    )


def test_naming_the_file_stacktape_would_not_take_warns_too(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(STACK)
    (tmp_path / "stacktape.yaml").write_text(STACK)
    [message] = competing(tmp_path / "stacktape.yaml")
    assert "Stacktape deploys stacktape.yml" in message
    assert "--configPath stacktape.yaml" in message


def test_a_directory_with_only_a_code_config_says_why_it_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "stacktape.ts").write_text("export default {}\n")
    with pytest.raises(ConfigError) as caught:
        load_stack(tmp_path)
    d = caught.value.diagnostic
    assert d.message.endswith("only stacktape.ts")
    assert d.hint is not None and "never runs" in d.hint


def test_a_config_with_a_name_of_its_own_gets_no_warning(tmp_path: Path) -> None:
    # `stacktape deploy --configPath staging.yml` is the only way to deploy it anyway.
    (tmp_path / "stacktape.yml").write_text(STACK)
    (tmp_path / "staging.yml").write_text(STACK)
    assert competing(tmp_path / "staging.yml") == []
