"""The `stptui` command line: sub-commands and argument parsing, no logic of its own.

Heavy modules are imported inside the handlers so that `stptui --help` stays instant.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import gc
import json
import os
import shutil
import stat
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from stptui import __version__

if TYPE_CHECKING:
    import networkx as nx

    from stptui.commands import Session
    from stptui.config import Stack
    from stptui.config.diagnostics import Diagnostic
    from stptui.graph import PollEdge

DEMO_STACK = "combined"
# The defaults of stptui.config, written out: importing it here would load the config model
# before `--help` could answer.
DEFAULT_STAGE = "dev"
DEFAULT_REGION = "us-east-1"
DEFAULT_SEED = 0
# What `match` reads of an @FILE: an event is at most 1 MiB (EventBridge's PutEvents) and a
# pattern 4,096 characters; the rest is room for the whitespace of a pretty-printed file.
MAX_JSON_FILE_BYTES = 4 * 1024 * 1024

# The help of the options that `stptui STACK`, `run` and `repl` share, written once.
STACK_HELP = "stacktape.yml, or a folder holding it"
# Where STACK may be left out: the sub-commands that read one stack and nothing else.
HERE_STACK_HELP = f"{STACK_HELP} (default: the one in the current folder)"
# `stptui` and `stptui repl` open a stack to try when the current folder holds none.
OPEN_STACK_HELP = (
    f"{STACK_HELP} (default: the one in the current folder, else the bundled demo stack)"
)
BEHAVIORS_HELP = "behaviours file: what each handler does (default: stptui.yml beside the stack)"
SEED_HELP = (
    "seed of the simulation's random choices: a behaviour's failure rate or duration "
    "range (default: 0)"
)
START_HELP = (
    "instant the virtual clock starts at, e.g. 2026-01-05T08:00:00Z (default: now; give one "
    "for runs that repeat exactly)"
)
ALLOW_CODE_HELP = "run the Python handlers the behaviours file names (without it, none runs)"
NO_WATCH_HELP = (
    "do not reload when the stack, a file it includes, the behaviours file or (with "
    "--allow-code) a handler module is saved with other content (`reload` still does)"
)


@contextlib.contextmanager
def _start_up() -> Iterator[None]:
    """Import a command's modules (in the block) with the cyclic collector off, then freeze
    what they made out of it (`stptui.commands.rebuild.freeze_start_up`).

    The command layer, the simulator and their dependencies are some 400 modules: 50,000
    objects that live as long as the process. While they loaded, the collector scanned them
    about 110 times, and once more in full as the REPL opened its stack: 35-45 ms of the
    330 ms of CPU before its first prompt, 16-18 ms once they are frozen (what the session
    and prompt_toolkit's modules still cost). Only while the command layer is not yet
    imported (`main` called again in one process, as the tests do, runs the block as it is).
    Not by the freeze count: Python 3.12 starts with objects of its own frozen."""
    if "stptui.commands" in sys.modules or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
        from stptui.commands.rebuild import freeze_start_up

        freeze_start_up()
    finally:
        gc.enable()


def demo_stack_path(name: str = DEMO_STACK) -> Path:
    """The bundled sample stack `name` (shipped inside the package)."""
    return Path(__file__).parent / "sample_stacks" / name / "stacktape.yml"


def here_stack() -> str | None:
    """The config file in the current folder (`stacktape.yml`, else `stacktape.yaml`), as
    Stacktape's CLI finds it without --configPath; None when there is none."""
    from stptui.config import CONFIG_NAMES

    return next((name for name in CONFIG_NAMES if Path(name).is_file()), None)


def _stack_here(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Fill in a STACK left out with the current folder's config (`stptui validate` in a
    project folder), or exit 2 saying what to give when the folder holds none."""
    if args.stack is not None:
        return
    found = here_stack()
    if found is None:
        parser.error(
            "no STACK given and no stacktape.yml in the current folder; give one: "
            f"{parser.prog} path/to/stacktape.yml"
        )
    args.stack = found


class _StoreOnce(argparse.Action):
    """argparse's `store`, refusing an option given twice: argparse would keep the last
    silently, and `--seed 1 ... --seed 2` in a CI line is a mistake to point out (the
    command language refuses a repeated option too)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        given: set[str] = namespace.__dict__.setdefault("_given_options", set())
        if self.dest in given:
            parser.error(f"{option_string} given twice; give it once")
        given.add(self.dest)
        setattr(namespace, self.dest, values)


UNRECOGNIZED = "unrecognized arguments: "
# Other tools' flags for "print it, write no file" (`stptui init` writes one: `--out -`)
# and for "write the output to this file" (`graph` and `validate` print it).
_TO_STDOUT = frozenset(("--stdout", "--dry-run", "--print", "--preview"))
_TO_FILE = frozenset(("-o", "--out", "--output", "--output-file", "--outfile"))
_PRINTING = (" graph", " validate")

# `stptui run`'s options that `stptui repl` lacks, and the REPL's own, which `stptui run`
# lacks: a piped REPL given one of the first is pointed to `stptui run ... -`.
RUN_ONLY_OPTIONS = frozenset(
    {"--trace", "--keep-going", "--junit", "--save-on-failure", "--fail-fast"}
)
REPL_ONLY_OPTIONS = frozenset({"--vi", "--confirm-exit", "--no-watch"})


EXAMPLES_HEAD = "examples:\n"


class _ExamplesFormatter(argparse.HelpFormatter):
    """argparse's formatter, which wraps the description, but keeps the lines of an
    `examples:` epilog as written: one command line each, to copy."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.startswith(EXAMPLES_HEAD):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


class _ArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose value options may be given once only, whose "required"
    errors can say what to give (`missing_hints`: argument name -> hint), and whose help
    ends with `examples` (command lines, each with a `# what it does` comment)."""

    def __init__(
        self,
        missing_hints: dict[str, str] | None = None,
        examples: Sequence[str] = (),
        **kwargs: object,
    ) -> None:
        if examples:
            kwargs["epilog"] = EXAMPLES_HEAD + "\n".join(f"  {e}" for e in examples)
            kwargs["formatter_class"] = _ExamplesFormatter
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.register("action", None, _StoreOnce)
        self.register("action", "store", _StoreOnce)
        self.missing_hints = missing_hints or {}
        # `stptui repl`'s command line, when this parses it (see `_run_line`).
        self.repl_argv: list[str] | None = None

    def error(self, message: str) -> NoReturn:
        """Print the usage and `message` (with the hint for a missing argument) and exit 2."""
        prefix = "the following arguments are required: "
        if message.startswith(prefix):
            missing = message.removeprefix(prefix).split(", ")
            hints = [self.missing_hints[m] for m in missing if m in self.missing_hints]
            message += "".join(f"\n  hint: {h}" for h in hints)
        elif message.startswith(UNRECOGNIZED) and (hint := self._unrecognized_hint(message)):
            message += f"\n  hint: {hint}"
        # argparse echoes unknown words as they were typed (a pasted ESC or override).
        from stptui.textsafe import printable

        super().error(printable(message))

    def long_options(self) -> list[str]:
        """The `--name` options this parser takes (`--help` among them)."""
        return [o for o in self._option_string_actions if o.startswith("--")]

    def _run_line(self, typed: str, option: str) -> str:
        """For `stptui repl` given `typed`, meaning `option`, one only `stptui run` has
        (`--junit`, as CI gives it to a piped REPL): the `stptui run` line that reads the
        script from standard input as the REPL would, with that option spelt right."""
        kept = []
        for word in self.repl_argv or ():
            name, eq, value = word.partition("=")
            if name == typed:
                word = f"{option}{eq}{value}"
            if name not in REPL_ONLY_OPTIONS:
                kept.append(word)
        # `-` last: after the options, `stptui run` reads it as the script (standard input).
        line = _shell("stptui", "run", *kept, "-")
        return (
            f"{option} is an option of `stptui run`, which runs a script from standard input "
            f"as a piped REPL does: {line}"
        )

    def _unrecognized_hint(self, message: str) -> str | None:
        """The hint for an "unrecognized arguments" message: where the output goes for
        another tool's output flag (`init --stdout`, `graph -o FILE`), else the option meant
        (`_option_hint`)."""
        words = message.removeprefix(UNRECOGNIZED).split()
        flags = [w.split("=", 1)[0] for w in words if w.startswith("-")]
        writes = "--out" in self._option_string_actions  # `init`: a file, `-` for stdout
        if writes and any(f in _TO_STDOUT for f in flags):
            return "--out - writes it to standard output, and nothing else"
        if self.prog.endswith(_PRINTING) and any(f in _TO_FILE for f in flags):
            return f"{self.prog} writes to standard output: send it to a file with `> FILE`"
        return self._option_hint(message)

    def _option_hint(self, message: str) -> str | None:
        """What the first unknown `--word` of an "unrecognized arguments" message meant: an
        option of this command close to it (`--fromat` -> `--format`), or another
        sub-command's, when that one is closer (`stptui repl --jnit`: `--junit` is `stptui
        run`'s, nearer than the REPL's own `--vi`), said to be that command's; None when
        none is close enough to suggest."""
        from stptui.config.diagnostics import did_you_mean

        words = message.removeprefix(UNRECOGNIZED).split()
        typed = next((w.split("=", 1)[0] for w in words if w.startswith("--")), None)
        if typed is None:
            return None
        # `--json`, `--mermaid`: another tool's flag for what is a value of --format here.
        fmt = self._option_string_actions.get("--format")
        if fmt is not None and fmt.choices and typed.removeprefix("--") in fmt.choices:
            return f"did you mean --format {typed.removeprefix('--')}?"
        if (short := _LONG_FOR_SHORT.get(typed)) in self._option_string_actions:
            return f"did you mean {short}?"
        known = self.long_options()
        guess = did_you_mean(typed, known)
        elsewhere = _options_of_other_commands(self.prog)
        other = did_you_mean(typed, [o for o in elsewhere if o not in known])
        if other is None or (
            guess is not None and _likeness(typed, other) <= _likeness(typed, guess)
        ):
            return None if guess is None else f"did you mean {guess}?"
        meant = "" if other.lower() == typed.lower() else f"did you mean {other}? "
        if self.repl_argv is not None and other in RUN_ONLY_OPTIONS:
            return meant + self._run_line(typed, other)
        return f"{meant}{other} is an option of {_in_words(elsewhere[other])}"


# Other tools' long spellings of an option stptui has only in short (`stptui schedule -n`):
# by spelling, `--count` is nearest `stptui init`'s `--out`.
_LONG_FOR_SHORT = {"--count": "-n", "--number": "-n", "--limit": "-n"}


def _likeness(typed: str, option: str) -> float:
    """How alike `typed` and `option` are, as `did_you_mean` measures it (ignoring case)."""
    import difflib

    return difflib.SequenceMatcher(None, option.lower(), typed.lower()).ratio()


def _in_words(commands: list[str]) -> str:
    """`` `stptui run` ``, `` `stptui run` and `stptui repl` ``: sub-commands as a phrase."""
    named = [f"`{c}`" + (" (the terminal UI)" if c == "stptui" else "") for c in commands]
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"


def _options_of_other_commands(prog: str) -> dict[str, list[str]]:
    """Every `--option` of stptui's sub-commands (and of `stptui` itself, the terminal UI)
    but `prog`, with the commands that take it, in the order `stptui --help` lists them."""
    parsers: dict[str, Callable[[], _ArgumentParser]] = {
        "stptui": _parser_open,
        "stptui init": _parser_init,
        "stptui validate": _parser_validate,
        "stptui graph": _parser_graph,
        "stptui run": _parser_run,
        "stptui repl": _parser_repl,
        "stptui match": _parser_match,
        "stptui schedule": _parser_schedule,
    }
    found: dict[str, list[str]] = {}
    for name, make in parsers.items():
        if name == prog:
            continue
        for option in make().long_options():
            if option != "--help":
                found.setdefault(option, []).append(name)
    return found


def _add_stack_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--stage",
        default=DEFAULT_STAGE,
        type=_stage,
        help=f"stage for $Stage() (default: {DEFAULT_STAGE})",
    )
    p.add_argument(
        "--region",
        default=DEFAULT_REGION,
        help=f"region for $Region() and ARNs (default: {DEFAULT_REGION})",
    )
    p.add_argument(
        "--project-name",
        dest="project",
        metavar="NAME",
        type=_project_name,
        help="project name: names the stack ({project}-{stage}) when the config has no "
        "serviceName (default: app)",
    )


def _count(n: int, noun: str) -> str:
    """`1 error`, `3 errors`."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _stage(text: str) -> str:
    """`--stage`: letters, digits and '-', as a part of the stack's name (argparse exits 2)."""
    from stptui.config import stage_error

    reason = stage_error(text)
    if reason is not None:
        raise argparse.ArgumentTypeError(reason)
    return text


def _project_name(text: str) -> str:
    """`--project-name`, checked against Stacktape's rule for names (argparse exits 2)."""
    from stptui.config import project_name_error

    reason = project_name_error(text)
    if reason is not None:
        raise argparse.ArgumentTypeError(reason)
    return text


def _parser_validate() -> _ArgumentParser:
    p = _ArgumentParser(
        prog="stptui validate",
        examples=(
            "stptui validate                          # the stacktape.yml in this folder",
            "stptui validate stacktape.yml --stage prod --format json",
            "stptui validate --strict                 # in CI: warnings fail the job too",
        ),
        description="Check a Stacktape config; print diagnostics with file:line:col. "
        "Exit 0 without errors, 1 with errors (or, with --strict, warnings), 2 when the file "
        "cannot be read or parsed.",
    )
    p.add_argument("stack", nargs="?", help=HERE_STACK_HELP)
    p.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: a line per finding, file:line:col first; json: a list of objects "
        "(default: text)",
    )
    _add_stack_options(p)
    p.add_argument(
        "--behaviors",
        metavar="FILE",
        help="behaviours file to check too, its emissions against connectTo and "
        "iamRoleStatements (default: stptui.yml by the stack)",
    )
    p.add_argument(
        "--allow-code",
        action="store_true",
        help="import the Python handlers the behaviours file names, as `run --allow-code` "
        "does, to check that each can be imported (without it, none is imported)",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 on a warning too, as on an error (info findings never fail)",
    )
    return p


def _parser_graph() -> _ArgumentParser:
    p = _ArgumentParser(
        prog="stptui graph",
        examples=(
            "stptui graph stacktape.yml",
            "stptui graph stacktape.yml --format mermaid    # paste into Markdown",
            "stptui graph stacktape.yml --format dot | dot -Tsvg > stack.svg",
        ),
        description="Print the stack's resource graph: what triggers what, and each "
        "connectTo with the environment variables it injects.",
    )
    p.add_argument("stack", nargs="?", help=HERE_STACK_HELP)
    p.add_argument(
        "--format",
        choices=("text", "mermaid", "dot", "json"),
        default="text",
        help="text: to read in a terminal; mermaid: a flowchart to paste into Markdown; "
        "dot: Graphviz; json: networkx's node-link form (default: text)",
    )
    _add_stack_options(p)
    p.add_argument(
        "--behaviors",
        metavar="FILE",
        help="behaviours file whose `poll` items draw `polls` edges, from each queue to the "
        "worker that polls it (default: stptui.yml by the stack)",
    )
    return p


def _parser_open() -> _ArgumentParser:
    p = _ArgumentParser(
        prog="stptui",
        # The sub-commands' list is laid out by hand: argparse would run it into one line.
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="See and drive a Stacktape stack's background jobs on a virtual clock,\n"
        "on your machine: no AWS account, no Docker. On a terminal, `stptui STACK` opens\n"
        "the terminal UI; otherwise it prints the stack's graph and the commands to try.",
        epilog="""sub-commands (`stptui SUBCOMMAND --help` gives its options and examples):
  init [STACK]          write a starter behaviours file (stptui.yml) for the stack
  validate [STACK]      check the config: diagnostics with file:line:col
  graph [STACK]         print the resource graph (text, mermaid, dot or json)
  run STACK SCRIPT      run a script of commands; `expect` lines make it a test
  repl [STACK]          type the same commands, with completion and history
  match PATTERN EVENT   test an EventBridge event pattern against an event
  schedule EXPRESSION   list the next fire times of a cron() or rate() expression""",
    )
    p.add_argument("stack", nargs="?", help=OPEN_STACK_HELP)
    p.add_argument("--version", action="version", version=f"stptui {__version__}")
    _add_stack_options(p)
    p.add_argument("--behaviors", metavar="FILE", help=BEHAVIORS_HELP)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=SEED_HELP)
    p.add_argument("--start", metavar="TIME", help=START_HELP)
    p.add_argument("--allow-code", action="store_true", help=ALLOW_CODE_HELP)
    p.add_argument(
        "--speed",
        default="1x",
        help="clock speed when it runs: 1x, 10x, 60x, 600x, 3600x or max (default: 1x)",
    )
    p.add_argument(
        "--no-tui",
        action="store_true",
        help="print the graph instead of opening the terminal UI (also when not on a terminal)",
    )
    p.add_argument("--no-watch", action="store_true", help=NO_WATCH_HELP)
    return p


def _parser_run() -> _ArgumentParser:
    p = _ArgumentParser(
        usage="%(prog)s [options] [STACK] SCRIPT [SCRIPT ...]",
        missing_hints={
            "script": "a file of commands, one per line (each sample stack has its demo.stp), "
            "or - to read them from standard input; `stptui repl STACK` types them instead"
        },
        prog="stptui run",
        examples=(
            "stptui run stacktape.yml demo.stp --start 2026-01-05T08:00:00Z",
            "stptui run stacktape.yml demo.stp --seed 7 --trace trace.jsonl",
            "stptui run stacktape.yml demo.stp --keep-going --junit report.xml   # for CI",
            "stptui run stacktape.yml demo.stp --save-on-failure demo-session.json",
            "stptui run stacktape.yml tests/*.stp --junit report.xml   # each in turn",
            "echo 'advance 1h' | stptui run stacktape.yml -     # the script from a pipe",
        ),
        description="Run a script of commands (one per line, # comments) against a stack on "
        "the simulator. Exit 0 when every line ran, 1 at the first failed `expect` (with "
        "--keep-going: after the last line, when any failed), 2 on a command error or a file "
        "that cannot be read; 130 on Ctrl-C, 143 on SIGTERM (a CI job's timeout), with the "
        "JUnit report written. Several scripts run one after the other, in the order given, "
        "each on a new simulation of the stack (read once) with the same seed and start, "
        "each headed `==> SCRIPT <==`; the exit code is the worst of theirs (2 over 1), and "
        "Ctrl-C or SIGTERM stops them all. STACK is left out when the first word is a "
        "script (a .stp file, or -): the stack is then the current folder's.",
    )
    # `stptui run SCRIPT...` in a project folder: argparse fills positionals from the left,
    # so the first script lands in `stack` and cmd_run moves it.
    p.add_argument(
        "stack",
        # Optional to argparse, so that `stptui run` alone is asked for its script, with
        # the hint, rather than for `stack, SCRIPT` (cmd_run asks).
        nargs="?",
        help=f"{STACK_HELP} (default, when the first word is a .stp script: the one in the "
        "current folder)",
    )
    p.add_argument(
        "scripts",
        nargs="*",
        metavar="SCRIPT",
        help="the scripts of commands, run in turn; - reads one from standard input",
    )
    _add_stack_options(p)
    p.add_argument("--behaviors", metavar="FILE", help=BEHAVIORS_HELP)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=SEED_HELP)
    p.add_argument("--start", metavar="TIME", help=START_HELP)
    p.add_argument(
        "--trace",
        metavar="FILE",
        help="write every trace record as JSON Lines; with several scripts, a file each: "
        "{name} in FILE is the script's file name without .stp",
    )
    p.add_argument("--allow-code", action="store_true", help=ALLOW_CODE_HELP)
    p.add_argument(
        "--keep-going",
        action="store_true",
        help="report every failed `expect` and go on; exit 1 at the end if any failed "
        "(a command error still stops the run)",
    )
    p.add_argument(
        "--junit",
        metavar="FILE",
        help="also write a JUnit XML report for CI, each `expect` line a test case "
        "(written however the run ends); with several scripts, a test suite each",
    )
    p.add_argument(
        "--save-on-failure",
        metavar="FILE",
        help="when the run fails (exit 1, 2, 130 or 143), save the session as `save FILE` "
        "does, to open with `stptui repl STACK` then `load FILE`; a session file of an "
        "earlier run there is removed when the run starts; with several scripts, a file "
        "each: {name} as in --trace",
    )
    p.add_argument(
        "--fail-fast",
        action="store_true",
        help="with several scripts, run none after the first that fails (default: run them all)",
    )
    return p


def _parser_repl() -> _ArgumentParser:
    p = _ArgumentParser(
        prog="stptui repl",
        examples=(
            "stptui repl                   # this folder's stacktape.yml, else the demo",
            "stptui repl stacktape.yml --start 2026-01-05T08:00:00Z --seed 7",
        ),
        description="An interactive shell over the command language, with completion, "
        "highlighting, history and a status toolbar. When stdin is not a terminal, commands "
        "are read line by line and the exit code is that of `stptui run`: 0, 1 at the first "
        "failed `expect`, 2 on a command error, 143 on SIGTERM (`stptui run STACK -` reads "
        "a script from stdin too, and takes CI's options: --junit, --keep-going, "
        "--save-on-failure, --trace). When stdin is a terminal but "
        "stdout is not, a plain line mode: prompts on stderr, `stptui run`'s output on stdout, "
        "and the session goes on after errors.",
    )
    p.add_argument("stack", nargs="?", help=OPEN_STACK_HELP)
    _add_stack_options(p)
    p.add_argument("--behaviors", metavar="FILE", help=BEHAVIORS_HELP)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=SEED_HELP)
    p.add_argument("--start", metavar="TIME", help=START_HELP)
    p.add_argument("--allow-code", action="store_true", help=ALLOW_CODE_HELP)
    p.add_argument("--vi", action="store_true", help="Vi key bindings (default: Emacs)")
    p.add_argument(
        "--confirm-exit",
        action="store_true",
        help="ask before Ctrl-D leaves a session with unsaved commands",
    )
    p.add_argument("--no-watch", action="store_true", help=NO_WATCH_HELP)
    return p


def _print_error(diag: object) -> None:
    from stptui.config.diagnostics import Diagnostic

    assert isinstance(diag, Diagnostic)
    print(diag.format(), file=sys.stderr)  # safe to print: the format escapes what it must


def cmd_validate(argv: Sequence[str]) -> int:
    """`stptui validate`: diagnostics, exit 0 / 1 / 2."""
    parser = _parser_validate()
    args = parser.parse_args(argv)
    _stack_here(parser, args)
    from stptui.config import ConfigError, load_stack
    from stptui.textsafe import printable

    if args.behaviors is not None and (problem := _not_a_file(Path(args.behaviors))):
        print(f"stptui validate: error: {problem}", file=sys.stderr)
        return 2
    try:
        stack = load_stack(args.stack, stage=args.stage, region=args.region, project=args.project)
    except ConfigError as exc:
        if args.format == "json":
            print(json.dumps([exc.diagnostic.to_json()], indent=2))
        else:
            _print_error(exc.diagnostic)
        return 2
    behaviors_file, behavior_diags = _behavior_diagnostics(
        stack, args.behaviors, allow_code=args.allow_code
    )
    diags = [*stack.diagnostics, *behavior_diags]
    if args.format == "json":
        print(json.dumps([d.to_json() for d in diags], indent=2, ensure_ascii=True))
    else:
        for d in diags:
            print(d.format())
        summary = (
            f"{printable(stack.file)}: {_count(len(stack.resources), 'resource')}; "
            f"{_severity_counts(stack.diagnostics)}"
        )
        if behaviors_file is not None:
            # Its own counts, so that the stack is not credited with the behaviours file's
            # errors (the lines above name the file; the summary must agree with them).
            summary += f"; {printable(str(behaviors_file))}: {_severity_counts(behavior_diags)}"
        print(summary)
    failing = ("error", "warning") if args.strict else ("error",)
    return 1 if any(d.severity in failing for d in diags) else 0


def _not_a_file(path: Path) -> str | None:
    """Why `validate` or `graph` cannot read the behaviours file `path`, in the words `run` uses
    (a directory or a FIFO is no file, not a missing one), or None when it is a file."""
    from stptui.textsafe import printable

    shown = printable(str(path))
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return f"behaviours file not found: {shown}"
    except OSError as exc:
        return f"cannot read the behaviours file {shown}: {exc.strerror or exc}"
    if not stat.S_ISREG(mode):
        return (
            f"the behaviours file {shown} is not a regular file (a directory, FIFO or device); "
            "give the YAML file itself"
        )
    return None


def _severity_counts(diags: Sequence[Diagnostic]) -> str:
    """`1 error, 0 warnings, 3 infos`: a summary line's counts of `diags`."""
    return ", ".join(
        _count(sum(1 for d in diags if d.severity == s), s) for s in ("error", "warning", "info")
    )


def _behavior_diagnostics(
    stack: Stack, behaviors: str | None, *, allow_code: bool = False
) -> tuple[Path | None, list[Diagnostic]]:
    """The behaviours file's own findings (what stops `stptui run` with exit 2: an unknown
    key, a workload not in the stack, a bad JMESPath ...), then a warning for each emission
    that the emitting workload's role does not allow. The file is the one `run` would read,
    so a stack that passes `validate` also opens. Its Python handlers are imported only
    with `allow_code` (a module that cannot be imported, or lacks the function, is then an
    error, as it is for `run --allow-code`)."""
    from stptui.config.permissions import emission_diagnostics
    from stptui.sim.behavior import Behaviors, find_sidecar

    path = Path(behaviors) if behaviors is not None else find_sidecar(stack.file)
    if path is None or not stack.resources:
        # Without a resource there is nothing to check it against (and `run` refuses such a
        # stack anyway); the stack given may even be the behaviours file itself.
        return None, []
    loaded, diags = Behaviors.load(path, stack, allow_code=allow_code)
    return path, [*diags, *emission_diagnostics(stack, loaded.emit_sites())]


def cmd_graph(argv: Sequence[str]) -> int:
    """`stptui graph`: the resource graph as text, Mermaid, DOT or node-link JSON."""
    parser = _parser_graph()
    args = parser.parse_args(argv)
    _stack_here(parser, args)
    from stptui import graph
    from stptui.textsafe import printable

    if args.behaviors is not None and (problem := _not_a_file(Path(args.behaviors))):
        # As `validate` says it: else the graph drew without a single poll edge.
        print(f"stptui graph: error: {problem}", file=sys.stderr)
        return 2
    stack = _load_stack(args)
    if stack is None:
        return 2
    g = graph.build_graph(stack, _poll_edges(stack, args.behaviors))
    exporters: dict[str, Callable[..., str]] = {
        "text": lambda g: graph.to_text(g, _terminal_width()),
        "mermaid": graph.to_mermaid,
        "dot": graph.to_dot,
        "json": graph.to_json,
    }
    out = exporters[args.format](g)
    text = printable(out) if args.format == "text" else out
    print(text, end="" if text.endswith("\n") else "\n")
    # The graph still draws (missing resources are marked), but say that it has errors.
    _say_config_errors(stack, args)
    return 0


def _terminal_width() -> int | None:
    """The width of the terminal standard output is, to fold the graph's long lines to; None
    when it is a pipe or a file, where each edge stays one line for grep."""
    if not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size().columns


def _load_stack(args: argparse.Namespace) -> Stack | None:
    """The stack `args.stack` names, for the stage, region and project `args` give; None,
    after printing why on standard error, when it cannot be read (exit 2)."""
    from stptui.config import ConfigError, load_stack

    try:
        return load_stack(args.stack, stage=args.stage, region=args.region, project=args.project)
    except ConfigError as exc:
        _print_error(exc.diagnostic)
        return None


def _say_config_errors(stack: Stack, args: argparse.Namespace) -> None:
    """On standard error, when the config has errors that the command went on despite: how
    many, and the `stptui validate` line that lists them."""
    if stack.errors:
        validate = _shell("stptui", "validate", args.stack, *_stack_options(args))
        print(_errors_line(len(stack.errors), validate), file=sys.stderr)


def _errors_line(count: int, validate: str) -> str:
    """What `graph` and the UI say about a config with errors: how many, and the command
    that lists them."""
    return f"{count} error{'' if count == 1 else 's'} in the config; run `{validate}`"


def _poll_edges(stack: Stack, behaviors: str | None) -> list[PollEdge]:
    """The `polls` edges of the behaviours file `run` would read: its `poll` items (a file
    with errors draws those it could read; `validate` reports the rest). Its code is never
    loaded."""
    from stptui.graph import PollEdge
    from stptui.sim.behavior import Behaviors, find_sidecar

    path = Path(behaviors) if behaviors is not None else find_sidecar(stack.file)
    if path is None or not stack.resources:
        return []
    loaded, _ = Behaviors.load(path, stack)
    return [PollEdge(p.queue, p.workload, p.container, p.pos) for p in loaded.polls()]


def cmd_open(argv: Sequence[str]) -> int:
    """`stptui [STACK]`: the terminal UI on a terminal; otherwise (or with `--no-tui`) the
    graph and the commands, so that piping the output still works."""
    parser = _parser_open()
    args, extra = parser.parse_known_args(argv)
    _check_stack_is_no_subcommand(parser, args.stack)
    if extra:
        parser.error(f"{UNRECOGNIZED}{' '.join(extra)}")
    # Checked without a terminal too: `stptui x --start garbage` in CI must not pass.
    speed = _speed_index(args.speed)
    start_ms = _start_ms(args.start, "stptui")
    if speed is None or start_ms is None:
        return 2
    path = Path(args.stack or here_stack() or demo_stack_path())
    # Opened without a terminal too, so that what the UI refuses (a behaviours file with
    # errors, say), and the `repl` and `run` lines printed below would refuse, fails here
    # with their messages and exit code instead of printing a graph.
    session = _open_session(args, path, start_ms)
    if session is None:
        return 2
    stack = session.stack
    errors_line = None
    if stack.errors:
        validate = _shell("stptui", "validate", str(path), *_stack_options(args))
        errors_line = _errors_line(len(stack.errors), validate)
    if not args.no_tui and sys.stdin.isatty() and sys.stdout.isatty():
        from stptui.tui.app import StptuiApp

        StptuiApp(
            session, speed_index=speed, config_errors=errors_line, watch=not args.no_watch
        ).run()
        return 0
    from stptui import graph
    from stptui.commands.session import idle_note, poll_candidates, starter_note
    from stptui.textsafe import printable

    polls = [
        graph.PollEdge(p.queue, p.workload, p.container, p.pos)
        for p in session.sim.behaviors.polls()
    ]
    g = graph.build_graph(stack, polls)
    text = printable(graph.to_text(g, _terminal_width()))
    print(text, end="" if text.endswith("\n") else "\n")
    if errors_line is not None:
        print(f"\n{errors_line}")
    note = idle_note(stack, bool(polls), session.behaviors_path)
    if note is not None:
        print(f"\n{note}")
    print("\nCommands:")
    # `stptui init` comes first where it makes the stack run: handlers without a behaviours
    # file, or a worker that runs once its entry polls a queue.
    starter = starter_note(session) is not None or (
        note is not None and session.behaviors_path is None and bool(poll_candidates(stack))
    )
    for line, what in _next_commands(path, args, stack, g, starter=starter):
        print(f"  {line}\n      {what}")
    return 0


def _open_session(args: argparse.Namespace, path: Path, start_ms: int) -> Session | None:
    """The session `stptui STACK` opens, as `stptui repl` and `stptui run` open it; None,
    after writing their messages to standard error, when it cannot be opened."""
    import io

    with _start_up():
        from stptui.commands.script import StackOptions, open_session

    # On success the report holds what `run` would print before its first line: the
    # config's errors, which the graph's summary counts, and the behaviours' warnings, which
    # the commands printed below show when they open the stack.
    report = io.StringIO()
    opts = StackOptions(**_stack_option_values(args, str(path), start_ms))
    session = open_session(opts, err=report, prog="stptui")
    if session is None:
        sys.stderr.write(report.getvalue())
    return session


# The instant the sample stacks' demo scripts are written for: their `until` lines name it.
DEMO_START = "2026-01-05T08:00:00Z"


def _shell(*words: str) -> str:
    """A command line to copy into a POSIX shell: each word quoted where the shell would
    change it (a space, `$`, a quote), and escaped where a terminal would act on it."""
    import shlex

    from stptui.textsafe import printable

    return " ".join(shlex.quote(printable(word)) for word in words)


def _stack_option_values(args: argparse.Namespace, stack: str, start_ms: int) -> dict[str, Any]:
    """The fields of a StackOptions (which `run`'s and `repl`'s options extend) from the
    parsed command line: how `stptui STACK`, `repl` and `run` open the stack."""
    return {
        "stack": stack,
        "start_ms": start_ms,
        "behaviors": args.behaviors,
        "seed": args.seed,
        "allow_code": args.allow_code,
        "stage": args.stage,
        "region": args.region,
        "project": args.project,
    }


def _stack_options(args: argparse.Namespace) -> list[str]:
    """The options given to `stptui STACK` that change which stack is loaded, as words of a
    `validate`, `graph`, `repl` or `run` line (those at their default left out)."""
    from stptui.config import stack_option_words

    return stack_option_words(args.stage, args.region, args.project)


def _session_options(args: argparse.Namespace) -> list[str]:
    """The options given to `stptui STACK` that change the simulation, beyond the stack's
    and `--start`, as words of a `repl` or `run` line (those at their default left out)."""
    words: list[str] = []
    if args.behaviors is not None:
        words += ["--behaviors", args.behaviors]
    if args.seed != DEFAULT_SEED:
        words += ["--seed", str(args.seed)]
    if args.allow_code:
        words.append("--allow-code")
    return words


def _next_commands(
    path: Path, args: argparse.Namespace, stack: Stack, g: nx.MultiDiGraph, *, starter: bool = False
) -> list[tuple[str, str]]:
    """What to type next about the stack at `path`, each with what it does: the commands a
    first run without a terminal (CI, a pipe) would otherwise have to find in --help. They
    carry the options `args` gave that each sub-command takes, so that they open the stack
    that was shown (`--stage prod` shows and drives `-prod`). `starter`: the stack has
    handlers and no behaviours file, so `stptui init` comes first. The `repl` line names
    the commands that set work off in this `stack`, as its graph `g` says (a resource that
    runs nothing is named only where nothing runs: `put-item` for a table alone)."""
    from stptui.commands.session import work_starters

    types = {r.type for r in stack.resources.values()}
    stimuli = [command for command, _ in work_starters(stack, g)]
    # What runs a stack's functions and services from outside: its routes and its machines.
    if types & {"http-api-gateway", "application-load-balancer", "web-service"}:
        stimuli.append("http")
    if "state-machine" in types:
        stimuli.append("start-execution")
    if not stimuli:
        # `invoke` refuses a batch job: `start-job` is what starts one.
        stimuli = [c for t, c in (("function", "invoke"), ("batch-job", "start-job")) if t in types]
    stack = [str(path), *_stack_options(args)]
    session = _session_options(args)
    folder = path if path.is_dir() else path.parent
    demo = folder / "demo.stp"
    start = ["--start", args.start] if args.start is not None else []
    if demo.is_file():
        # The demo's `until` lines are written for DEMO_START; a start given wins still.
        script = [str(demo), *(start or ["--start", DEMO_START])]
        run_what = "run the demo script next to it; exit 1 if an `expect` fails"
    else:
        script = ["SCRIPT", *start]
        run_what = "run a script of commands (CI); exit 1 if an `expect` fails"
    first = (
        [
            (
                _shell("stptui", "init", *stack),
                "write a starter behaviours file: without one, every handler succeeds in "
                "100 ms and returns null",
            )
        ]
        if starter
        else []
    )
    return [
        *first,
        (_shell("stptui", "validate", *stack), "diagnostics with file:line:col"),
        (
            _shell("stptui", "graph", *stack[:1], "--format", "mermaid", *stack[1:]),
            "or dot, json, text: the graph to paste",
        ),
        (
            _shell("stptui", "repl", *stack[:1], *start, *stack[1:], *session),
            f"drive it: {', '.join([*stimuli[:3], 'advance', 'show', 'expect'])} "
            "(`help` lists all)",
        ),
        (_shell("stptui", "run", *stack[:1], *script, *stack[1:], *session), run_what),
    ]


# What a newcomer types for a sub-command, from other tools (linters, test runners, shells).
GUESSED_SUBCOMMANDS = {
    "lint": "validate",
    "check": "validate",
    "verify": "validate",
    "test": "run",
    "shell": "repl",
    "console": "repl",
    "diagram": "graph",
    "generate": "init",
    "scaffold": "init",
}
# Words for opening the terminal UI, which is no sub-command: `stptui [STACK]` opens it.
UI_WORDS = frozenset({"tui", "ui", "open", "start", "simulate", "sim", "dev", "serve"})


def _check_stack_is_no_subcommand(parser: argparse.ArgumentParser, stack: str | None) -> None:
    """Exit 2 when STACK, which names no file, is a sub-command out of place (`stptui --stage
    prod validate x`) or a misspelt one (`stptui valdate x`): else the user reads that the
    file `valdate` cannot be read, or that their real stack is an unrecognized argument."""
    if stack is None or Path(stack).exists():
        return
    if stack in SUBCOMMANDS:
        parser.error(f"put the sub-command first: stptui {stack} ... (options after it)")
    from stptui.commands.handlers import REGISTRY
    from stptui.config.diagnostics import did_you_mean

    if stack in REGISTRY.commands:
        # `stptui send orders hi`: a command of the language, typed where a shell's goes.
        parser.error(
            f"{stack} is a command inside a session, not a sub-command: type it in "
            f"`stptui repl [STACK]`, or pipe it in: echo '{stack} ...' | stptui run STACK -"
        )
    if stack.lower() in ("deploy", "delete", "preview-changes"):
        # Stacktape's own sub-commands: difflib took `deploy` for `repl`.
        parser.error(
            f"no sub-command or stack {stack!r}: stptui changes nothing in AWS (that is "
            f"`stacktape {stack.lower()}`); `stptui [STACK]` runs the stack on its simulator "
            "(sub-commands: " + ", ".join(SUBCOMMANDS) + ")"
        )
    if stack.lower() in UI_WORDS:
        parser.error(
            f"no sub-command or stack {stack!r}; the terminal UI is no sub-command: "
            "`stptui [STACK]` opens it (sub-commands: " + ", ".join(SUBCOMMANDS) + ")"
        )
    # Other tools' words for a sub-command come first: `lint` is nearest `init` by spelling.
    guess = GUESSED_SUBCOMMANDS.get(stack.lower()) or did_you_mean(stack, SUBCOMMANDS)
    if guess is not None:
        parser.error(
            f"no sub-command or stack {stack!r}; did you mean `stptui {guess}`? "
            f"(sub-commands: {', '.join(SUBCOMMANDS)})"
        )
    if stack.isidentifier():
        # A bare word (`stptui simulate`) is a sub-command guessed, more likely than a
        # folder: "cannot read the file" would answer a question not asked.
        parser.error(
            f"no sub-command or stack {stack!r}: no such file or folder "
            f"(sub-commands: {', '.join(SUBCOMMANDS)})"
        )


def _start_ms(text: str | None, prog: str) -> int | None:
    """`--start` as epoch ms (the wall clock's whole seconds when absent); None if invalid."""
    import time

    if text is None:
        # The only use of the wall clock: a default start; whole seconds read better.
        return int(time.time()) * 1000
    return _instant_option(text, prog, "--start")


def _instant_option(text: str, prog: str, option: str) -> int | None:
    """The instant an option names, as epoch ms; None, after a line `PROG: OPTION ...` on
    standard error saying why, when it is no instant the virtual clock holds."""
    from stptui.sim.clock import InstantRangeError, parse_instant
    from stptui.textsafe import printable

    try:
        return parse_instant(text)
    except InstantRangeError as exc:
        # Outside the clock's range, or finer than its millisecond: the message says which.
        print(f"{prog}: {option} {printable(str(exc))}", file=sys.stderr)
        return None
    except ValueError:
        print(
            f"{prog}: {option} {printable(text)!r} is not an ISO-8601 instant "
            "(e.g. 2026-01-05T08:00:00Z)",
            file=sys.stderr,
        )
        return None


def _speed_index(text: str) -> int | None:
    """`--speed` as an index into the terminal UI's speeds; None (with a message) if it
    names none of them."""
    from stptui.tui.live import SPEEDS, speed_label

    labels = [speed_label(s) for s in SPEEDS]
    if text not in labels:
        print(f"stptui: --speed must be one of {', '.join(labels)}", file=sys.stderr)
        return None
    return labels.index(text)


def cmd_run(argv: Sequence[str]) -> int:
    """`stptui run`: scripts of commands on the simulator, exit 0 / 1 / 2."""
    parser = _parser_run()
    # Intermixed: `stptui run stack.yml a.stp --seed 1 b.stp` takes both scripts.
    args = parser.parse_intermixed_args(argv)
    with _start_up():
        from stptui.commands.script import STDIN_SCRIPT, ScriptOptions, run_scripts
    from stptui.config import SCRIPT_SUFFIX

    def is_script(word: str) -> bool:
        return Path(word).suffix == SCRIPT_SUFFIX or word == STDIN_SCRIPT

    if args.stack is None:
        parser.error("the following arguments are required: script")
    words = [args.stack, *args.scripts]
    if not is_script(words[0]):
        stack, scripts = words[0], words[1:]
        if not scripts:
            parser.error("the following arguments are required: script")
    elif not_scripts := [w for w in words[1:] if not is_script(w)]:
        # The stack after a script: say so with the line to type, rather than report the
        # script as a config that is not one.
        first = _shell(words[0])
        what = "the script" if len(words) == 2 else "a script"
        rest = [w for w in words if w != not_scripts[0]]
        print(
            f"stptui run: {first} is {what}; the stack comes first: "
            f"{_shell('stptui', 'run', not_scripts[0], *rest)}",
            file=sys.stderr,
        )
        return 2
    else:
        stack, scripts = here_stack(), words
        if stack is None:
            parser.error(
                "no STACK given and no stacktape.yml in the current folder; give one: "
                f"{_shell('stptui', 'run', 'path/to/stacktape.yml', *scripts)}"
            )
    scripts = _expanded_scripts(scripts)
    if scripts.count(STDIN_SCRIPT) > 1:
        parser.error("- (standard input) given twice; one script at most can be read from it")

    start_ms = _start_ms(args.start, "stptui run")
    if start_ms is None:
        return 2
    opts = ScriptOptions(
        **_stack_option_values(args, stack, start_ms),
        script=scripts[0],
        trace=args.trace,
        keep_going=args.keep_going,
        junit=args.junit,
        save_on_failure=args.save_on_failure,
    )
    return run_scripts(opts, scripts, fail_fast=args.fail_fast)


# What makes a script's name a pattern, as a POSIX shell reads one.
_GLOB_CHARACTERS = frozenset("*?[")


def _expanded_scripts(scripts: list[str]) -> list[str]:
    """`scripts` with each pattern the shell left as it is (`'tests/*.stp'` quoted, or typed
    in PowerShell or cmd, which expand none) put as the scripts it matches, sorted by name
    so that every machine runs them in one order (`**` matches folders at any depth). A
    file of that very name is itself, and a pattern that matches none stays as it is: its
    run says that no file matches it."""
    import glob

    out: list[str] = []
    for word in scripts:
        if not _GLOB_CHARACTERS.intersection(word) or os.path.lexists(word):
            out.append(word)
            continue
        try:
            found = sorted(p for p in glob.glob(word, recursive=True) if os.path.isfile(p))
        except (OSError, ValueError):  # a name no file system takes
            found = []
        out.extend(found or [word])
    return out


def _parser_init() -> _ArgumentParser:
    p = _ArgumentParser(
        prog="stptui init",
        examples=(
            "stptui init                              # stptui.yml beside ./stacktape.yml",
            "stptui init stacktape.yml --out -        # print it instead",
        ),
        description="Write a starter behaviours file for a stack: an entry per function, "
        "batch job and container workload, in the stack's order, saying what triggers it; "
        "placeholders where the default (succeed in 100 ms, return null) would break the "
        "stack: an HTTP route's answer, an authorizer's, a user pool hook's, the result a "
        "Step Functions Choice reads; and what its connectTo lets it send, commented out. "
        "Nothing is run. Exit 0 when written, 2 when the stack cannot be read or the file "
        "exists (without --force) or cannot be written.",
    )
    p.add_argument("stack", nargs="?", help=HERE_STACK_HELP)
    p.add_argument(
        "--out",
        metavar="FILE",
        help="where to write it; - prints it (default: the behaviours file beside the stack, "
        "stptui.yml, which `stptui STACK` reads)",
    )
    p.add_argument("--force", action="store_true", help="overwrite FILE when it exists")
    _add_stack_options(p)
    return p


def cmd_init(argv: Sequence[str]) -> int:
    """`stptui init STACK [--out FILE] [--force]`: a starter behaviours file; exit 0 / 2."""
    parser = _parser_init()
    args = parser.parse_args(argv)
    _stack_here(parser, args)
    from stptui.commands.registry import CommandError
    from stptui.commands.session import write_atomic
    from stptui.sim.behavior import find_sidecar
    from stptui.starter import starter_file
    from stptui.textsafe import printable

    prog = "stptui init"
    stack = _load_stack(args)
    if stack is None:
        if not Path(args.stack).is_file():
            # `stacktape init` writes a project; a new user may expect the same here.
            print(
                f"{prog}: writes the behaviours file of an existing Stacktape config; it does "
                "not write the config",
                file=sys.stderr,
            )
        return 2
    if not stack.resources:
        print(
            f"{prog}: {printable(stack.file)} has no resources: is it a Stacktape config?",
            file=sys.stderr,
        )
        return 2
    # Written all the same (the resources that loaded get their entries), as `graph` still
    # draws; but say that the config has errors.
    _say_config_errors(stack, args)
    if args.out == "-":
        # Printed, it is for the file `stptui STACK` reads: beside the stack.
        sys.stdout.write(starter_file(stack, Path(stack.file).parent).text)
        return 0
    if args.out is not None:
        out = Path(args.out)
    else:
        # The file `stptui STACK` reads: an existing stptui.yaml is the one to replace.
        found = find_sidecar(stack.file)
        out = found if found is not None else Path(stack.file).parent / "stptui.yml"
    if out.exists() and not args.force:
        given = ["--out", args.out] if args.out is not None else []
        again = _shell("stptui", "init", args.stack, *given, *_stack_options(args), "--force")
        print(
            f"{prog}: {printable(str(out))} exists; nothing written\n"
            f"  hint: `{again}` overwrites it; --out FILE writes another file",
            file=sys.stderr,
        )
        return 2
    starter = starter_file(stack, out.parent)
    try:
        write_atomic(out, starter.text)
    except CommandError as exc:
        print(f"{prog}: cannot write {printable(str(out))}: {printable(str(exc))}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"{prog}: cannot write {printable(str(out))}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"wrote {printable(str(out))}: {starter.summary()}")
    repl = ["stptui", "repl", args.stack, *_stack_options(args)]
    sidecar = find_sidecar(stack.file)
    if sidecar is None or sidecar.resolve() != out.resolve():
        # Written elsewhere (`--out starter.yml`), the file is read only where it is named.
        repl += ["--behaviors", str(out)]
    print(f"next: edit it, then `{_shell(*repl)}` runs the stack with it")
    return 0


def _parser_match() -> _ArgumentParser:
    p = _ArgumentParser(
        prog="stptui match",
        examples=(
            'stptui match \'{"source": ["orders"]}\' \'{"source": "orders"}\'',
            "stptui match @pattern.json @event.json",
        ),
        description="Test an EventBridge event pattern against an event and explain why it "
        "matches or not. PATTERN and EVENT are JSON text or @FILE. An EVENT with none of "
        "source, detail-type and detail is read as the detail of an event. Exit 0 on a "
        "match, 1 on no match, 2 when the pattern or the event is invalid.",
    )
    p.add_argument("pattern", help="the event pattern: JSON text or @FILE")
    p.add_argument("event", help="the event, or just its detail: JSON text or @FILE")
    return p


# The extensions that make an argument read as a file's name rather than as JSON.
_FILE_EXTENSIONS = (".json", ".jsonc", ".txt", ".yml", ".yaml")


def _is_file(text: str) -> bool:
    """Whether `text` names a file (False for what no file can be called)."""
    try:
        return Path(text).is_file()
    except (OSError, ValueError):
        return False


def _json_argument(text: str, what: str) -> object:
    """A JSON argument given inline or as @FILE; ValueError with a message when unusable
    (read strictly: no NaN or infinities, bounded nesting; see stptui.jsontext)."""
    from stptui import jsontext

    where = ""
    if text.startswith("@"):
        name = text[1:]
        if not name:
            raise ValueError(f"@ names no {what} file; write @FILE, e.g. @{what}.json")
        where = f" ({name})"
        try:
            with Path(name).open("rb") as fh:
                # Bounded: `@/dev/zero` never ends. A pipe (`@<(...)`) is read all the same.
                raw = fh.read(MAX_JSON_FILE_BYTES + 1)
            if len(raw) > MAX_JSON_FILE_BYTES:
                raise ValueError(
                    f"cannot read the {what} file {name}: it holds more than "
                    f"{MAX_JSON_FILE_BYTES:,} bytes, more than any pattern or event"
                )
            # utf-8-sig: Windows editors start UTF-8 with a byte order mark (RFC 8259 lets
            # a parser ignore it), and json's complaint about it names a codec.
            text = raw.decode("utf-8-sig")
        except OSError as exc:
            raise ValueError(f"cannot read the {what} file {name}: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            raise ValueError(f"cannot read the {what} file {name}: {exc}") from None
    try:
        return jsontext.loads(text)
    except ValueError as exc:
        lost = not where and '"' not in text and text.lstrip().startswith(("{", "["))
        # The shell took the double quotes away: `{"source": ["a"]}` arrived as {source: [a]}.
        advice = '; put it in single quotes: \'{"source": ["orders"]}\'' if lost else ""
        if not where and _is_file(text):
            # `stptui match pattern.json event.json`: a file name, which @ marks as one.
            advice = f"; to read the file, write @{text}"
        elif not where and text.lower().endswith(_FILE_EXTENSIONS) and text[:1] not in '{["':
            # The same, for a file that is not there (a typo, another folder).
            advice = f"; to read a file, write @FILE (there is no file {text} here)"
        raise ValueError(f"the {what}{where} is not valid JSON: {exc}{advice}") from None


def cmd_match(argv: Sequence[str]) -> int:
    """`stptui match PATTERN EVENT`: match, explained; exit 0 / 1 / 2."""
    args = _parser_match().parse_args(argv)
    from stptui.sim import patterns
    from stptui.textsafe import printable

    try:
        pattern = _json_argument(args.pattern, "pattern")
        event = _json_argument(args.event, "event")
        compiled = patterns.compile_pattern(pattern)
        if not isinstance(event, dict):
            raise ValueError("invalid event: it must be a JSON object")
        event, wrapped = patterns.as_event(event)
        verdict = compiled.explain(event)
    except patterns.PatternError as exc:
        print(f"stptui match: invalid pattern: {printable(exc.message)}", file=sys.stderr)
        return 2
    except (ValueError, RecursionError) as exc:
        print(f"stptui match: {printable(str(exc) or 'nested too deeply')}", file=sys.stderr)
        return 2
    print("match" if verdict.matched else "no match")
    if wrapped:
        print("(the event was read as a detail: it has no source, detail-type or detail)")
    for line in verdict.lines():
        print(printable(line))
    return 0 if verdict.matched else 1


def cmd_repl(argv: Sequence[str]) -> int:
    """`stptui repl`: the prompt_toolkit shell (or, from a pipe, a script run)."""
    parser = _parser_repl()
    parser.repl_argv = list(argv)
    args = parser.parse_args(argv)
    start_ms = _start_ms(args.start, "stptui repl")
    if start_ms is None:
        return 2
    with _start_up():
        from stptui.repl import ReplOptions, main

    return main(
        ReplOptions(
            **_stack_option_values(
                args, args.stack or here_stack() or str(demo_stack_path()), start_ms
            ),
            vi=args.vi,
            confirm_exit=args.confirm_exit,
            watch=not args.no_watch,
        )
    )


# As many as `repeat` runs: a rate(1 minute) has 91 million fires before cron's last year,
# 2199, which no reader wants on one page (AWS itself previews none). Past this, paging
# with --after from the last line printed lists any stretch of them.
MAX_SCHEDULE_FIRES = 1_000_000


def _parser_schedule() -> _ArgumentParser:
    p = _ArgumentParser(
        prog="stptui schedule",
        examples=(
            "stptui schedule 'cron(0 9 ? * MON-FRI *)' -n 3",
            "stptui schedule 'rate(5 minutes)' --after 2026-01-05T08:00:00Z",
        ),
        description="Print the next fire times of an AWS schedule expression (cron() with "
        "AWS's 6 fields, or rate()), in UTC, one ISO-8601 line each. Exit 2 on an invalid "
        "expression, with the reason.",
    )
    p.add_argument("expression", help="e.g. 'cron(0 9 ? * MON *)' or 'rate(5 minutes)'")
    p.add_argument(
        "--after",
        metavar="TIME",
        help="list fires strictly after this instant (default: now); rate() counts from it",
    )
    p.add_argument(
        "-n",
        type=int,
        default=5,
        metavar="N",
        help=f"how many fires, 1 to {MAX_SCHEDULE_FIRES:,} (default 5)",
    )
    return p


def cmd_schedule(argv: Sequence[str]) -> int:
    """`stptui schedule EXPR [--after T] [-n N]`: the next N fire times."""
    args = _parser_schedule().parse_args(argv)
    import time

    from stptui.sim.clock import MAX_MS, iso_ms
    from stptui.sim.schedules import ScheduleError, format_fire_time, parse_schedule
    from stptui.textsafe import printable

    prog = "stptui schedule"
    try:
        schedule = parse_schedule(args.expression)
    except ScheduleError as exc:
        print(f"{prog}: invalid schedule: {printable(str(exc))}", file=sys.stderr)
        return 2
    if args.n < 1:
        print(f"{prog}: -n must be at least 1", file=sys.stderr)
        return 2
    if args.n > MAX_SCHEDULE_FIRES:
        print(
            f"{prog}: -n must be at most {MAX_SCHEDULE_FIRES:,}; for later fires, run it "
            "again with --after the last time it printed",
            file=sys.stderr,
        )
        return 2
    if args.after is None:
        after = int(time.time()) * 1000
    else:
        given = _instant_option(args.after, prog, "--after")
        if given is None:
            return 2
        after = given
    t = after
    for _ in range(args.n):
        nxt = schedule.next_after_ms(t, after)
        if nxt is None or nxt > MAX_MS:
            # Past the year 2199, cron's last, or (a rate) past the end of the virtual
            # clock's range: no simulation gets there.
            break
        print(format_fire_time(nxt))
        t = nxt
    if t == after:
        # Silence would read as a crash or a bug: say that the expression has no fire here
        # (February 30th, a year gone by, a rate() whose next fire is past the year 9999).
        # Still exit 0: the expression is valid.
        end = (
            "2199, cron's last year"
            if schedule.kind == "cron"
            else f"{iso_ms(MAX_MS)}, the end of the virtual clock's range"
        )
        print(
            f"{printable(args.expression)}: no fire after {format_fire_time(after)} up to {end}",
            file=sys.stderr,
        )
    return 0


SUBCOMMANDS: dict[str, Callable[[Sequence[str]], int]] = {
    "init": cmd_init,
    "validate": cmd_validate,
    "graph": cmd_graph,
    "run": cmd_run,
    "repl": cmd_repl,
    "match": cmd_match,
    "schedule": cmd_schedule,
}


# What writing to standard output fails with: a closed pipe, a full disk or quota, a file
# grown too large, a terminal gone away. Every file stptui reads or writes itself is handled
# where it is opened, so one of these reaching `main` is the output's.
_OUTPUT_ERRNOS = frozenset({errno.EPIPE, errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


def _output_failed(exc: OSError) -> int:
    """Standard output cannot be written: one line on standard error (none for a closed
    pipe: `stptui graph x | head` needs no message) and exit 2, as `stptui run` does, so
    that a cut-off `validate` in a pipeline never reads as a pass."""
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError):
        fd = -1
    if fd >= 0:
        # What is still buffered would fail again, with a traceback, as Python exits.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    if exc.errno != errno.EPIPE:
        with contextlib.suppress(OSError):
            print(f"stptui: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
    return 2


def _encode_output() -> None:
    """Standard output and error written as UTF-8 when they are files or pipes, whatever
    the locale's encoding (tr_TR.ISO-8859-9, a Windows code page): the bytes a run prints
    are then the same on every machine, as a script is read as UTF-8 on every one. To a
    terminal the locale's encoding stays, the terminal's own; a character it cannot encode
    is written as an escape (`\\u20ac` for a euro sign), not a traceback."""
    import codecs

    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None)
        reconfigure = getattr(stream, "reconfigure", None)
        if encoding is None or reconfigure is None:
            continue  # not a text file of the process: a test's StringIO
        try:
            if codecs.lookup(encoding).name == "utf-8":
                continue
            if stream.isatty():
                reconfigure(errors="backslashreplace")
            else:
                reconfigure(encoding="utf-8")
        except (LookupError, OSError, ValueError):
            continue  # a closed stream: what writes to it reports that


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `stptui` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    _encode_output()
    try:
        command = SUBCOMMANDS.get(args[0]) if args else None
        code = command(args[1:]) if command is not None else cmd_open(args)
        # Buffered output is written here, where its failure can still be reported.
        sys.stdout.flush()
        return code
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        if exc.errno not in _OUTPUT_ERRNOS:
            raise
        return _output_failed(exc)
