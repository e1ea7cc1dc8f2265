"""The replay dialog (`y`): replay a bus's archived events from a time window (StartReplay).

It builds `replay BUS --from T --to T [--rules R,...] [--name N]` and runs it as the other
command dialogs do (stptui.tui.screens.dialogs). What the form holds is checked as it is
typed by the command's own `check_replay` (the bus service's `check_start` behind it), which
is what `replay` runs first: a window whose start is not before its end, a name already
taken or not one EventBridge takes, no rule checked, ten replays already active. The
refusal shows before enter, worded as the command words it; otherwise the dialog shows
what the command would answer: the events of the window, when its minutes are replayed,
and how many events of the window have not reached the archive yet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Label, Select

from stptui.commands import CommandError, CommandResult, Session
from stptui.commands.handlers.schedules_buses_topics import check_replay, replay_lines
from stptui.commands.registry import format_line
from stptui.commands.result import render_plain
from stptui.sim.clock import iso_s
from stptui.textsafe import printable
from stptui.tui.render import hanging, safe
from stptui.tui.screens.dialogs import CommandDialog, Hint, choices, dialog_bindings
from stptui.tui.widgets.fields import SafeInput

if TYPE_CHECKING:
    from stptui.sim.services.bus import BusRule, BusSim
    from stptui.sim.services.bus_archive import ReplayPlan

# The window's start when the archive holds no event yet: the last hour.
EMPTY_FROM = "-1h"


def archived_buses(session: Session) -> dict[str, BusSim]:
    """The stack's buses with an archive (`archivation`), in the stack's order."""
    buses: dict[str, BusSim] = session.sim.services["buses"].buses
    return {name: bus for name, bus in buses.items() if bus.archive is not None}


def first_event_time(bus: BusSim) -> str:
    """The window's start the dialog offers: the time of the archive's oldest event (or of
    the oldest still on its way there), else the last hour."""
    archive = bus.archive
    if archive is None:
        return EMPTY_FROM
    oldest = (
        archive.events[0] if archive.events else archive.pending[0] if archive.pending else None
    )
    return EMPTY_FROM if oldest is None else iso_s(oldest.time_ms)


class RuleBox(Checkbox):
    """A checkbox for one rule of the bus: checked, the replay goes to it."""

    def __init__(self, rule: BusRule) -> None:
        label = Text.assemble((safe(rule.name), "bold"), f" → {safe(rule.owner)}")
        super().__init__(label, value=True, classes="replay-rule")
        self.rule_name = rule.name


class ReplayDialog(CommandDialog):
    """Bus picker (the buses with an archive, and what each archive holds), the window
    (from the archive's first event to now, to start with), the rules to replay to (every
    rule, to start with) and a name; what `replay` would answer, or why it would refuse,
    is shown as it is typed."""

    PREFIX = "replay"
    FIRST_FIELD = "#replay-from"
    HEADING = "replay archived events (ctrl+s replays, escape cancels)"
    VERB = "Replay"
    HELP_TITLE = "Replay dialog"
    BINDINGS: ClassVar[list[BindingType]] = dialog_bindings("Replay", "Start the replay")
    DEFAULT_CSS = """
    ReplayDialog #replay-rules { height: auto; }
    /* A rule's line wraps in the dialog: wider, it went past the dialog's edge (40x15). */
    ReplayDialog .replay-rule { border: none; padding: 0; max-width: 100%; }
    """

    def __init__(
        self, session: Session, selected: str | None, run: Callable[[str], CommandResult]
    ) -> None:
        super().__init__(run)
        self.session = session
        self.buses = archived_buses(session)
        with_events = [n for n, b in self.buses.items() if b.archive and b.archive.events]
        if selected in self.buses:
            self.selected: str = selected
        else:
            self.selected = (with_events or list(self.buses))[0]

    def form(self) -> ComposeResult:
        """Bus, its archive, the window, the rules, the name, what the replay would do."""
        # The optional name shares the bus's row: on a row of its own it made the dialog
        # scroll at 80x24.
        with Horizontal(classes="dialog-row"):
            with Vertical():
                yield Label("bus (with an archive)")
                yield Select(
                    choices(self.buses), value=self.selected, allow_blank=False, id="replay-bus"
                )
            with Vertical():
                yield Label("name (optional)")
                yield SafeInput(id="replay-name")
        yield Hint(self.archive_text(self.selected), id="replay-archive")
        with Horizontal(classes="dialog-row"):
            with Vertical():
                yield Label("from (included): ISO-8601, now or -2h")
                yield SafeInput(first_event_time(self.buses[self.selected]), id="replay-from")
            with Vertical():
                yield Label("to (excluded)")
                yield SafeInput("now", id="replay-to")
        yield Label("rules (the replay goes to those checked)")
        with Vertical(id="replay-rules"):
            yield from self.rule_boxes(self.selected)
        yield Hint(Text(""), id="replay-plan")

    def on_mount(self) -> None:
        self._check()

    def rule_boxes(self, bus: str) -> list[RuleBox]:
        """One checked box for each rule of `bus`."""
        return [RuleBox(rule) for rule in self.buses[bus].rules]

    def archive_text(self, bus: str) -> Text:
        """The archive of `bus`: its events (oldest and newest), those on their way to it,
        and its replays so far."""
        archive = self.buses[bus].archive
        if archive is None:
            return Text("")
        info = archive.summary()
        count = info["event_count"]
        line = Text(f"archive {safe(info['archive'])}: {count:,} event{'s' * (count != 1)}")
        if count:
            line.append(f", {info['oldest']} to {info['newest']}")
        if info["arriving"]:
            line.append(
                f"; {info['arriving']:,} more on their way (an event reaches the archive "
                "10 minutes after the bus received it)"
            )
        replays = self.session.sim.services["buses"].replays
        used = [r["replay"] for r in replays.listing(bus)] if replays is not None else []
        if used:
            line.append(f"; replays so far: {', '.join(safe(n) for n in used)}")
        return line

    @on(Select.Changed, "#replay-bus")
    async def _bus_changed(self, event: Select.Changed) -> None:
        if not isinstance(event.value, str) or event.value not in self.buses:
            return
        self.query_one("#replay-archive", Hint).show(self.archive_text(event.value))
        # Another archive: its own first event, and its own rules.
        self.query_one("#replay-from", Input).value = first_event_time(self.buses[event.value])
        rules = self.query_one("#replay-rules", Vertical)
        await rules.remove_children()
        await rules.mount_all(self.rule_boxes(event.value))
        self._check()

    @on(Input.Changed, "#replay-from")
    @on(Input.Changed, "#replay-to")
    @on(Input.Changed, "#replay-name")
    @on(Checkbox.Changed, ".replay-rule")
    def _request_changed(self) -> None:
        self._check()

    def options(self) -> dict[str, str]:
        """The options the form gives `replay`, as the command reads them: a field left
        empty is an option not given (`--from` and `--to` the command then asks for);
        `rules` only when some rule is not checked. CommandError when none is."""
        opts = {}
        for option in ("from", "to", "name"):
            text = self.value(f"#replay-{option}").strip()
            if text:
                opts[option] = text
        boxes = list(self.query(RuleBox))
        if not all(box.value for box in boxes):
            checked = [box.rule_name for box in boxes if box.value]
            if not checked:
                raise CommandError(
                    "no rule is checked: a replay goes to at least one rule of the bus",
                    "check the rules the events should reach again",
                )
            opts["rules"] = ",".join(checked)
        return opts

    def _check(self) -> None:
        """Show what `replay` would answer, or why it would refuse; with no name typed, the
        name the replay would get is the name field's placeholder."""
        shown = self.query_one("#replay-plan", Hint)
        try:
            plan = self.plan()
        except CommandError as exc:
            shown.show(Text(""))
            self.show_error(render_plain(CommandResult(exc.format())))
            return
        self.query_one("#replay-name", Input).placeholder = f"{plan.name} (the default)"
        now = self.session.sim.clock.now
        # The lines after the first are indented: they go on under their own start.
        lines = [
            # A composed line: its values are the command layer's; made printable, not
            # escaped again as one value would be.
            hanging(Text(printable(line)), 4 if i else 2)
            for i, line in enumerate(replay_lines(plan, now))
        ]
        shown.show(Text("\n").join(lines))
        self.show_error("")

    def plan(self) -> ReplayPlan:
        """The replay `replay` would start for the form now; CommandError when it would
        refuse (the command's own `check_replay`, which changes nothing)."""
        return check_replay(self.session.sim, self.picked("#replay-bus"), self.options())

    def command_line(self) -> str:
        """`replay BUS --from T --to T [--rules R,...] [--name N]`."""
        options = [(f"--{k}", v) for k, v in self.options().items()]
        return format_line("replay", [self.picked("#replay-bus")], options)
