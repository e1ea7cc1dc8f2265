"""The command reference page, generated from the command registry.

`docs/commands.md` is this module's output::

    python -m stptui.commands.docs > docs/commands.md

and `tests/test_commands_doc.py` fails when the page and the registry disagree, so the
reference cannot drift from what `help` prints. `python -m stptui.commands.docs --check
docs/commands.md` does the same check from a shell (exit 1 when stale).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence

from stptui.commands.handlers import REGISTRY, TRACE_KINDS
from stptui.commands.registry import TOPICS, Command, Registry

GENERATOR = "python -m stptui.commands.docs > docs/commands.md"

_INTRO = """\
The one command language of `stptui`: the same commands run in `stptui run` scripts, in
the REPL and on the terminal UI's command line. This page lists every command the
simulator knows today, grouped as `help` groups them; see
[simulating.md](simulating.md) for a tutorial, [state-machines.md](state-machines.md) for
the Step Functions commands at work and [behaviors.md](behaviors.md) for what the `fail`,
`succeed` and `slow` overrides do to a handler.

A line is split into words with shell rules: quote a body or payload that holds spaces or
quotes (`send jobQueue '{"id": 1}'`), and `#` at the start of a word begins a comment.
Only space, tab, CR and LF separate words; a backslash escapes the next character (inside
double quotes only `\\` and `"`); `--` ends the options, for a value that starts with `--`.
Script and piped lines end at `\\n` only. JSON arguments are read strictly: `NaN`,
`Infinity`, numbers beyond a double and nesting deeper than 100 levels are refused.
Durations are a number and a unit (`250ms`, `90s`, `5m`, `2h30m`, `1d`); instants are
ISO-8601 (`2026-01-05T09:00:00Z`). A command either applies fully or changes nothing and
reports an error with a hint. Commands marked *changes the simulation* are the ones `save`
records and `load` replays.

An id the simulation drew can be named by how it came about, so that a script survives a
change of seed, stack or behaviours: `$last` is the id the last command that printed one
printed (`send`: the message id, `publish`: the event id, `http`: the request id, `invoke`:
the invocation id, `start-execution`: the execution's name, `redrive`: the last new message
id ...), and `$newest:KIND` or `$newest:KIND:RESOURCE` is the id of the newest trace record
of KIND (on RESOURCE): `explain $newest:message.dead_lettered:jobQueue`. Either goes where
an id goes, alone or after `FIELD=` (`expect count message.received message_id=$last ==
3`); it is resolved when the line runs, the line prints the id it took first (`$last =
21f87f34-...`), and the session log keeps the line as typed, so that undo, reload, `load`
and a recording resolve it again the same way. Quoted (`'$last'`) it is text, as is any
other `$word` (`$connect`). [simulating.md](simulating.md#naming-what-the-simulation-made)
says more.

The examples run, as written, on
[docs/examples/commands-stack.yml](examples/commands-stack.yml), a stack that has every
resource they name (`tests/test_commands_examples.py` runs them, each command's in a fresh
session from 2026-01-05T08:00:00Z); `http`'s `--gateway adminApi` needs a second gateway, as
in [two-gateways.yml](examples/two-gateways.yml), and its `--gateway mainLb` an application
load balancer, as in [load-balancer.yml](examples/load-balancer.yml); `start-execution`,
`stop-execution` and `redrive-execution` run on [workflow.yml](examples/workflow.yml), which
has a state machine (`stop-execution` after `start-execution orderFlow '{}' --name
big-order`, `redrive-execution` after that and `stop-execution big-order`); `restore` runs on
[restore.yml](examples/restore.yml), whose lifecycle rule archives `reports/2025.csv` (after
`upload archive reports/2025.csv --size 200KB` and `advance 1d`); `produce` runs on
[kafka-orders.yml](examples/kafka-orders.yml), whose functions read Kafka topics; the `ws-*`
commands run on [chat.yml](examples/chat.yml) with its behaviours file
[chat-behaviors.yml](examples/chat-behaviors.yml), whose authorizer lets `--query token=t-1`
in (`ws-send`, `ws-disconnect` and `ws-post` after `ws-connect realtime --query token=t-1`,
which always opens `Ro9qGRMCRkecAoY=`: ids come from the seeded id stream); `sign-up`,
`confirm-sign-up`, `admin-create-user`, `sign-in`, `forgot-password`,
`confirm-forgot-password`, `admin-add-user-to-group`, `admin-remove-user-from-group`,
`answer-challenge`, `global-sign-out`, `admin-user-global-sign-out` and `revoke-token`,
`show users users` and `http GET /me --user ann` run on [user-pool.yml](examples/user-pool.yml)
with its behaviours file [user-pool-behaviors.yml](examples/user-pool-behaviors.yml), which
auto-confirms example.com addresses (`confirm-sign-up` after `sign-up users bob@other.org`,
`sign-in` after `sign-up users ann@example.com`, `admin-create-user users carol@example.com`
and a first `sign-in users ann@example.com` for `--refresh`; the others after ann signed up,
`confirm-forgot-password` after `forgot-password users ann@example.com`,
`admin-remove-user-from-group` after ann was added to `admins`, `answer-challenge` after
`sign-in users ann@example.com --custom`, and `http` and the sign-outs after ann signed
in); `pause resizer` and `resume resizer` run on [worker-poll.yml](examples/worker-poll.yml)
with its behaviours file [worker-poll-behaviors.yml](examples/worker-poll-behaviors.yml),
whose worker service `resizer` polls a queue.
`3f2a9c1e` and `3f2a` stand for a message id, or the start of one: `show queue QUEUE` lists
the ids of a queue's messages.
"""

_ERROR_EXAMPLE = """\
A script stops at the first command that cannot run, naming the script line (exit 2), and
at the first `expect` that does not hold (exit 1); an error about one word names its
column too (`SCRIPT:LINE:COL`, as compilers write it). A line that cannot run as written,
whatever the simulation holds (a quote never closed, an unknown command, words that do not
fit its usage, a name the stack does not have), is found before the script's first line
runs: each such line is named and none runs ([CI](ci.md#typos-before-the-run)):

```console
$ stptui run stptui/sample_stacks/job-queue docs/examples/typo.stp \\
    --start 2026-01-05T08:00:00Z  # exit 2
docs/examples/typo.stp:2:6: error: no queue named 'jobQeue'
    hint: did you mean jobQueue?
docs/examples/typo.stp: 1 line cannot run as written; no line ran
```
"""

# Details whose every line reads `label: text` are a list of facts; others are prose.
_FACT_LINE = re.compile(r"^[\w ()]+: ")


def _cell(text: str) -> str:
    """Text for a Markdown table cell: pipes escaped, no line breaks."""
    return text.replace("|", "\\|").replace("\n", " ")


def _anchor(name: str) -> str:
    """The GitHub anchor of a `### \\`name\\`` heading."""
    return re.sub(r"[^\w\- ]", "", name.lower()).replace(" ", "-")


def _details(details: str) -> list[str]:
    """A command's extra help as Markdown: a bullet list of facts, or its paragraphs (one a
    line in the registry, unwrapped)."""
    lines = [line.strip() for line in details.splitlines() if line.strip()]
    if not lines:
        return []
    if len(lines) > 1 and all(_FACT_LINE.match(line) for line in lines):
        return [*(f"- {line}" for line in lines), ""]
    return [part for line in lines for part in (line, "")]


def render_command(cmd: Command) -> str:
    """One command's section: summary, usage, details, arguments, options and examples."""
    out = [f"### `{cmd.name}`", "", cmd.summary, "", "```text", cmd.usage, "```", ""]
    out += _details(cmd.details)
    rows = [(f"`{a.name}`", a.help + (" (optional)" if a.optional else "")) for a in cmd.args]
    rows += [(f"`{o.usage}`", o.help) for o in cmd.options]
    if rows:
        out += ["| Argument | Meaning |", "|---|---|"]
        out += [f"| {_cell(name)} | {_cell(text)} |" for name, text in rows]
        out.append("")
    if cmd.name == "expect":
        kinds = ", ".join(f"`{k}`" for k in TRACE_KINDS)
        out += [
            f"Record kinds for `expect count KIND`: {kinds}. Each is described, with its "
            "fields, in [trace-format.md](trace-format.md).",
            "",
        ]
    if cmd.examples:
        out += ["Examples:", "", "```text", *cmd.examples, "```", ""]
    if cmd.changes_state:
        out += ["*Changes the simulation* (recorded by `save`, replayed by `load`).", ""]
    return "\n".join(out)


def render_commands_doc(registry: Registry = REGISTRY) -> str:
    """The whole of docs/commands.md, as Markdown text ending in one newline."""
    out = [
        "# Command reference",
        "",
        f"<!-- Generated from the command registry by `{GENERATOR}`.",
        "     Do not edit by hand: tests/test_commands_doc.py fails when this page is stale. -->",
        "",
        _INTRO,
        _ERROR_EXAMPLE,
        "## Contents",
        "",
    ]
    grouped = {
        topic: [c for c in registry.commands.values() if c.topic == topic] for topic in TOPICS
    }
    for topic, commands in grouped.items():
        if commands:
            links = ", ".join(f"[`{c.name}`](#{_anchor(c.name)})" for c in commands)
            out.append(f"- {TOPICS[topic]}: {links}")
    out.append("")
    for topic, commands in grouped.items():
        if not commands:
            continue
        out += [f"## {TOPICS[topic]}", ""]
        out += [render_command(c) for c in commands]
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Print the page; with `--check FILE`, exit 1 (and say so) when FILE differs from it."""
    args = list(sys.argv[1:] if argv is None else argv)
    text = render_commands_doc()
    if not args:
        sys.stdout.write(text)
        return 0
    if len(args) == 2 and args[0] == "--check":
        try:
            with open(args[1], encoding="utf-8", newline="") as fh:
                current = fh.read()
        except OSError as exc:
            print(f"{args[1]}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        if current != text:
            print(f"{args[1]} is stale; regenerate it: {GENERATOR}", file=sys.stderr)
            return 1
        return 0
    print("usage: python -m stptui.commands.docs [--check FILE]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
