"""Reading a config holds the cyclic garbage collector off, and leaves it as it found it."""

from __future__ import annotations

import gc

import pytest

from stptui.config import ConfigError, load_stack_text

STACK = "resources:\n  q:\n    type: sqs-queue\n"


def test_reading_a_config_leaves_the_collector_as_it_found_it() -> None:
    # A file that cannot be read must not leave collections off for the rest of a long
    # session (a broken config reloaded in the terminal UI); a reading done while the UI
    # holds collections (a rebuild in its worker) must not turn them back on.
    assert gc.isenabled()
    with pytest.raises(ConfigError):
        load_stack_text("resources: [")
    assert gc.isenabled()
    assert "q" in load_stack_text(STACK).resources
    assert gc.isenabled()
    gc.disable()
    try:
        load_stack_text(STACK)
        assert not gc.isenabled()
    finally:
        gc.enable()
