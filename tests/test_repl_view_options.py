"""Tab after `show`: each view is offered with a help line of its own (not the list of every
view again), and after a view only the options that view takes: `--since` and `--period`
go with `show metrics`, and `show table T --since 5m` is refused, so Tab does not offer
them after another view."""

from __future__ import annotations

from pathlib import Path

import pytest
from replkit import complete, metas

from stptui.commands import CommandError, Session, execute
from stptui.sim.clock import parse_instant

SAMPLES = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks"
T0 = parse_instant("2026-01-05T08:00:00Z")


@pytest.fixture
def session() -> Session:
    return Session.open(SAMPLES / "event-driven", start_ms=T0)


@pytest.mark.parametrize("line", ["show table analyticsDb ", "show queues ", "show function x "])
def test_other_views_are_offered_no_metrics_option(session: Session, line: str) -> None:
    offers = complete(session, line)
    assert "--since" not in offers and "--period" not in offers
    # What Tab no longer offers is what the command refuses.
    with pytest.raises(CommandError, match="takes no --since"):
        execute(session, line.replace(" x ", " emailService ") + "--since 5m")


def test_show_metrics_is_offered_both_and_each_once(session: Session) -> None:
    assert {"--since", "--period"} <= set(complete(session, "show metrics eventBus "))
    assert "--period" in complete(session, "show metrics eventBus --since 5m ")
    assert "--since" not in complete(session, "show metrics eventBus --since 5m ")


def test_each_view_has_a_help_line_of_its_own(session: Session) -> None:
    offered = metas(session, "show ")
    assert offered["function"] == "function F: one function, its latest invocations"
    assert offered["metrics"].startswith("metrics [RESOURCE]: ")
    # One line a view: none is the whole list of views again.
    assert len(set(offered.values())) == len(offered)
    modes = metas(session, "fail emailService ")
    assert modes["next"] == "next N: the next N invocations fail"
    assert len(set(modes.values())) == len(modes) == 4


def test_every_choice_help_names_a_word_its_argument_takes() -> None:
    from stptui.commands.handlers import REGISTRY

    for name, cmd in REGISTRY.commands.items():
        for arg in cmd.args:
            words = [w for w, _ in arg.choice_help]
            assert set(words) <= set(arg.choices), (name, arg.name)
            assert len(words) == len(set(words)), (name, arg.name)
