"""The item dialog (`i`): put an item in a DynamoDB table, or delete one by its key.

It builds `put-item TABLE ITEM` or `delete-item TABLE KEY` and runs it as the other command
dialogs do (stptui.tui.screens.dialogs). The item is checked as it is typed: first as JSON
(as the send dialog checks a body), then as DynamoDB JSON by the simulator's own checks
(`ddbjson.check_item` and the table's `key_of`, the ones the command runs), so that a value
without a type or a missing key attribute is shown before anything runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Select, TextArea

from stptui import jsontext
from stptui.commands import CommandError, CommandResult, Session
from stptui.commands.handlers.tables import ITEM_HINT
from stptui.commands.registry import format_line
from stptui.commands.result import render_plain
from stptui.sim import ddbjson
from stptui.sim.services.table import TableSim
from stptui.tui.render import key_schema_text
from stptui.tui.screens.dialogs import (
    CommandDialog,
    Hint,
    choices,
    dialog_bindings,
    hint_lines,
    json_problem,
    picked_source,
    reader_lines,
)
from stptui.tui.widgets.fields import SafeTextArea

# The operations, as the picker offers them: the command each runs.
OPERATIONS = {"put": "put-item", "delete": "delete-item"}
# A key attribute's value in the dialog's starting text, by DynamoDB type.
SAMPLE_VALUES = {"S": "id-1", "N": "1", "B": "AQID"}
# The attribute a starting item has besides its key: how a non-key value is written.
SAMPLE_ATTRIBUTE = ("total", {"N": "20"})


def starting_text(table: TableSim, operation: str) -> str:
    """The text the item field starts with: the table's key attributes with sample values
    (and, for a put, one more attribute)."""
    value: dict[str, Any] = {name: {kind: SAMPLE_VALUES[kind]} for name, kind in table.key}
    name, sample = SAMPLE_ATTRIBUTE
    if operation == "put" and name not in value:
        value[name] = sample
    return json.dumps(value)


class ItemDialog(CommandDialog):
    """Table picker (with its key, items, stream and readers), put or delete, and the item
    (or key) in DynamoDB JSON, checked as it is typed."""

    PREFIX = "item"
    FIRST_FIELD = "#item-json"
    HEADING = "put or delete a table item (ctrl+s runs, escape cancels)"
    VERB = "Run"
    HELP_TITLE = "Item dialog"
    BINDINGS: ClassVar[list[BindingType]] = dialog_bindings("Run", "Put or delete the item")
    DEFAULT_CSS = """
    ItemDialog #item-json { height: 6; }
    ItemDialog #item-op { width: 24; }
    """

    def __init__(
        self, session: Session, selected: str | None, run: Callable[[str], CommandResult]
    ) -> None:
        super().__init__(run)
        self.tables: dict[str, TableSim] = session.sim.services["tables"]
        readers = {n: t.stream.consumers if t.stream else [] for n, t in self.tables.items()}
        self.selected: str = picked_source(readers, selected)

    def form(self) -> ComposeResult:
        """Table, what it holds and who reads it, operation, item."""
        with Horizontal(classes="dialog-row"):
            with Vertical():
                yield Label("table")
                yield Select(
                    choices(self.tables), value=self.selected, allow_blank=False, id="item-table"
                )
            with Vertical(id="item-op"):
                yield Label("operation")
                yield Select(
                    [("put an item", "put"), ("delete by key", "delete")],
                    value="put",
                    allow_blank=False,
                    id="item-op-select",
                )
        yield Hint(self.table_text(self.selected), id="item-hint")
        yield Label(Text(self.field_label("put")), id="item-json-label")
        yield SafeTextArea(
            starting_text(self.tables[self.selected], "put"),
            id="item-json",
            classes="json json-object",
        )

    @staticmethod
    def field_label(operation: str) -> str:
        """What the field holds for `operation`."""
        if operation == "delete":
            return "key (its key attributes only, DynamoDB JSON)"
        return 'item (DynamoDB JSON: {"name": {"S": "text"}, "n": {"N": "1"}})'

    def table_text(self, name: str) -> Text:
        """The table's key schema, its items, its stream's view type and its readers."""
        table = self.tables[name]
        count = len(table.items)
        lines = [Text(key_schema_text(table.key))]
        held = f"{count} item{'s' * (count != 1)}"
        if table.stream is None:
            lines.append(Text(f"{held}, no stream: a write starts nothing"))
        else:
            lines.append(Text(f"{held}, stream {table.stream.view_type}"))
            lines += reader_lines(table.stream.consumers)
        return hint_lines(lines, "")

    def operation(self) -> str:
        """`put` or `delete`."""
        return self.picked("#item-op-select")

    def field_problem(self, area: TextArea) -> str | None:
        """Not a JSON object, or an item (a key) the table would refuse: the simulator's
        own DynamoDB JSON and key checks, which the command runs too."""
        problem = super().field_problem(area)
        if problem:
            return problem
        delete = self.operation() == "delete"
        table = self.tables[self.picked("#item-table")]
        try:
            checked = ddbjson.check_item(jsontext.loads(area.text), "Key" if delete else "Item")
            table.key_of(checked, only_key=delete)
        except ddbjson.DynamoDBError as exc:
            return render_plain(CommandResult(CommandError(str(exc), exc.hint).format()))
        return None

    def _recheck(self) -> None:
        self._stop_json_check()
        self._show_json_problem(self.query_one("#item-json", SafeTextArea))

    @on(Select.Changed, "#item-table")
    def _table_changed(self, event: Select.Changed) -> None:
        if not isinstance(event.value, str) or event.value == self.selected:
            return
        area = self.query_one("#item-json", SafeTextArea)
        operation = self.operation()
        # Untouched, the starting text follows the table (its key is another).
        if area.text == starting_text(self.tables[self.selected], operation):
            area.text = starting_text(self.tables[event.value], operation)
        self.selected = event.value
        self.query_one("#item-hint", Hint).show(self.table_text(event.value))
        self._recheck()

    @on(Select.Changed, "#item-op-select")
    def _operation_changed(self, event: Select.Changed) -> None:
        operation = str(event.value)
        self.query_one("#item-json-label", Label).update(Text(self.field_label(operation)))
        area = self.query_one("#item-json", SafeTextArea)
        if operation == "delete":
            # The item just put, deleted: a delete takes its key attributes only.
            try:
                value = jsontext.loads(area.text)
            except ValueError:
                value = None
            if isinstance(value, dict):
                names = [name for name, _ in self.tables[self.selected].key]
                area.text = json.dumps({n: value[n] for n in names if n in value})
        self._recheck()

    def command_line(self) -> str:
        """`put-item TABLE ITEM` or `delete-item TABLE KEY`."""
        text = self.value("#item-json")
        problem = json_problem(text, want_object=True)
        if problem:
            raise CommandError(problem, ITEM_HINT)
        return format_line(OPERATIONS[self.operation()], [self.picked("#item-table"), text], [])
