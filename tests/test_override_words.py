"""A fail's forms read the same wherever they are written: the command's help and usage,
the refusal of a word that is no override, and the behaviour dialog's field."""

from __future__ import annotations

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widgets import Label
from tui_support import app_for, drive

from stptui.commands import execute
from stptui.sim.behavior import BehaviorError
from stptui.sim.behavior.overrides import FAIL_FORMS, parse_override
from stptui.tui.app import StptuiApp


@pytest.mark.parametrize("words", [[], ["explode", "worker"]])
def test_the_refusal_of_no_override_writes_the_fail_forms_as_the_usage_does(
    words: list[str],
) -> None:
    with pytest.raises(BehaviorError) as err:
        parse_override(words)
    assert f"fail F [{FAIL_FORMS}]" in str(err.value.hint)
    # Not the older `when EXPR`: the usage and help say JMESPATH.
    assert "when JMESPATH" in str(err.value.hint) and "EXPR" not in str(err.value.hint)


def test_the_behaviour_dialog_names_the_forms_as_the_fail_usage_does() -> None:
    usage = str(execute(app_for().session, "help fail"))
    assert f"[{FAIL_FORMS}]" in usage

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("b")
        await pilot.pause()
        label = str(app.screen.query_one("#override-how-label", Label).render())
        assert label == f"how [{FAIL_FORMS}]"

    drive(app_for("job-queue"), script, size=(80, 24))
