"""The item dialog (`i`): put an item in a DynamoDB table, update one or delete one by its
key, each optionally only if a condition holds.

It builds `put-item TABLE ITEM`, `update-item TABLE KEY --update EXPR` or `delete-item TABLE
KEY` (with `--condition`, `--names` and `--values` when they are filled in) and runs it as the
other command dialogs do (stptui.tui.screens.dialogs). The item is checked as it is typed:
first as JSON (as the send dialog checks a body), then as DynamoDB JSON by the simulator's
own checks (`ddbjson.check_item` and the table's `key_of`, the ones the command runs), so that
a value without a type or a missing key attribute is shown before anything runs. The
expressions and placeholders are checked by the simulator's own expression parser
(`ddb_expressions.prepare`, which the command runs too): a syntax error, a reserved word or
an unused placeholder shows as it is typed. Its repeat field runs the line under `repeat`
(`{i}` in the item or the values numbers each write), and the checks are then repetition
1's.
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
from textual.widgets import Input, Label, Select, TextArea

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
    picked_source,
    reader_lines,
)
from stptui.tui.widgets.fields import SafeInput, SafeTextArea

# The operations, as the picker offers them: the command each runs.
OPERATIONS = {"put": "put-item", "update": "update-item", "delete": "delete-item"}
# The expression fields: (widget id, the command's option), in the order the line gives them.
EXPRESSION_FIELDS = (
    ("#item-update", "--update"),
    ("#item-condition", "--condition"),
    ("#item-names", "--names"),
    ("#item-values", "--values"),
)
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
    """Table picker (with its key, items, stream and readers), put, update or delete, the
    item (or key) in DynamoDB JSON, the update and condition expressions and their
    placeholders, all checked as they are typed."""

    PREFIX = "item"
    COMMANDS = tuple(OPERATIONS.values())
    FIRST_FIELD = "#item-json"
    HEADING = "put, update or delete a table item (ctrl+s runs, escape cancels)"
    VERB = "Run"
    HELP_TITLE = "Item dialog"
    BINDINGS: ClassVar[list[BindingType]] = dialog_bindings("Run", "Put, update or delete the item")
    DEFAULT_CSS = """
    ItemDialog #item-json { height: 6; }
    ItemDialog #item-op { width: 24; }
    ItemDialog #item-update-box { height: auto; display: none; margin-left: 1; }
    ItemDialog #item-update-box.-shown { display: block; }
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
                    [
                        ("put an item", "put"),
                        ("update by key", "update"),
                        ("delete by key", "delete"),
                    ],
                    value="put",
                    allow_blank=False,
                    id="item-op-select",
                )
        yield Hint(self.table_text(self.selected), id="item-hint")
        # An update's expression goes beside its key (one line of JSON, most often): on a
        # row of its own it made the dialog scroll at 80x24, its key field already down to
        # one line.
        with Horizontal(classes="dialog-row"):
            with Vertical():
                yield Label(Text(self.field_label("put")), id="item-json-label")
                yield SafeTextArea(
                    starting_text(self.tables[self.selected], "put"),
                    id="item-json",
                    classes="json json-object",
                )
            with Vertical(id="item-update-box"):
                yield Label("update (SET a = :v REMOVE b)")
                yield SafeInput(placeholder="SET qty = :q", id="item-update")
        # The three optional fields share a row: the condition on a row of its own made the
        # dialog scroll at 80x24. Each label is short enough for one line in a third of an
        # 80-column dialog, so that the fields stay side by side; the placeholders are one
        # example across the three (the condition's #s and :q are the names' and values').
        with Horizontal(classes="dialog-row"):
            with Vertical():
                yield Label("condition (optional)")
                yield SafeInput(placeholder="#s = :q", id="item-condition")
            with Vertical():
                yield Label("names (optional)")
                yield SafeInput(placeholder='{"#s": "status"}', id="item-names")
            with Vertical():
                yield Label("values (optional)")
                yield SafeInput(placeholder='{":q": {"N": "1"}}', id="item-values")

    @staticmethod
    def field_label(operation: str) -> str:
        """What the field holds for `operation`."""
        if operation in ("update", "delete"):
            # Short enough for half the row, beside the update's expression.
            return "key (DynamoDB JSON)"
        return 'item (DynamoDB JSON: {"name": {"S": "text"}, "n": {"N": "1"}})'

    def table_text(self, name: str) -> Text:
        """The table's key schema, its items, its stream's view type and its readers."""
        table = self.tables[name]
        count = len(table.items)
        lines = [Text(key_schema_text(table.key))]
        held = f"{count:,} item{'s' * (count != 1)}"
        if table.stream is None:
            lines.append(Text(f"{held}, no stream: a write starts nothing"))
        else:
            lines.append(Text(f"{held}, stream {table.stream.view_type}"))
            lines += reader_lines(table.stream.consumers)
        return hint_lines(lines, "")

    def operation(self) -> str:
        """`put`, `update` or `delete`."""
        return self.picked("#item-op-select")

    def line_command(self) -> str:
        """The command the picked operation runs."""
        return OPERATIONS[self.operation()]

    def field_problem(self, area: TextArea) -> str | None:
        """Not a JSON object, or an item (a key) the table would refuse: the simulator's
        own DynamoDB JSON and key checks, which the command runs too."""
        problem = super().field_problem(area)
        if problem:
            return problem
        by_key = self.operation() != "put"
        table = self.tables[self.picked("#item-table")]
        try:
            # Repeated, the checks are repetition 1's (`{i}` as 1).
            item = jsontext.loads(self.as_first(area.text))
            checked = ddbjson.check_item(item, "Key" if by_key else "Item")
            table.key_of(checked, only_key=by_key)
        except ddbjson.DynamoDBError as exc:
            return render_plain(CommandResult(CommandError(str(exc), exc.hint).format()))
        return self.expression_problem()

    def expressions(self) -> dict[str, str]:
        """The expression fields filled in, by option (`--update` for an update only)."""
        out = {}
        for selector, option in EXPRESSION_FIELDS:
            if option == "--update" and self.operation() != "update":
                continue
            text = self.value(selector)
            if text.strip():
                out[option] = text
        return out

    def first_expressions(self) -> dict[str, str]:
        """`expressions` as the line's first run reads them (`{i}` as 1, repeated)."""
        return {option: self.as_first(text) for option, text in self.expressions().items()}

    def expression_problem(self) -> str | None:
        """Why the command would refuse the expressions and placeholders, by the
        simulator's own parser and checks (which the command runs too), or None. An update
        not yet written is not a problem until the dialog runs."""
        given = self.first_expressions()
        if not given:
            return None
        parsed: dict[str, object] = {}
        for option in ("--names", "--values"):
            if option in given:
                try:
                    parsed[option] = jsontext.loads(given[option])
                except ValueError as exc:
                    return f"{option} is not JSON: {exc}"
        update = self.operation() == "update"
        table = self.tables[self.picked("#item-table")]
        # Lazily: the expression grammar loads when expressions are first typed, not with
        # the app (most stacks have no table).
        from stptui.sim import ddb_expressions

        try:
            ddb_expressions.prepare(
                update=given.get("--update"),
                condition=given.get("--condition"),
                names=parsed.get("--names"),
                values=parsed.get("--values"),
                key_names=tuple(name for name, _ in table.key) if update else (),
                null_text=(
                    "UpdateExpression and ConditionExpression are null"
                    if update
                    else "ConditionExpression is null"
                ),
            )
        except ddbjson.DynamoDBError as exc:
            return render_plain(CommandResult(CommandError(str(exc), exc.hint).format()))
        return None

    @on(Input.Changed, "#item-update")
    @on(Input.Changed, "#item-condition")
    @on(Input.Changed, "#item-names")
    @on(Input.Changed, "#item-values")
    def _expression_changed(self) -> None:
        self._recheck()

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
        self.query_one("#item-update-box").set_class(operation == "update", "-shown")
        if operation != "put":
            # The item just put, updated or deleted: these take its key attributes only.
            try:
                value = jsontext.loads(area.text)
            except ValueError:
                value = None
            if isinstance(value, dict):
                names = [name for name, _ in self.tables[self.selected].key]
                area.text = json.dumps({n: value[n] for n in names if n in value})
        self._recheck()

    def command_line(self) -> str:
        """`put-item TABLE ITEM`, `update-item TABLE KEY --update EXPR` or `delete-item
        TABLE KEY`, with the expression options filled in."""
        text = self.value("#item-json")
        problem = self.json_problem(text, want_object=True)
        if problem:
            raise CommandError(problem, ITEM_HINT)
        options = list(self.expressions().items())
        table = self.picked("#item-table")
        return format_line(OPERATIONS[self.operation()], [table, text], options)
