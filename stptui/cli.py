"""The `stptui` command line: sub-commands and argument parsing, no logic of its own.

Heavy modules are imported inside the handlers so that `stptui --help` stays instant.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from stptui import __version__

DEMO_STACK = "combined"


def demo_stack_path(name: str = DEMO_STACK) -> Path:
    """The bundled sample stack `name` (shipped inside the package)."""
    return Path(__file__).parent / "sample_stacks" / name / "stacktape.yml"


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


class _ArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose value options may be given once only."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.register("action", None, _StoreOnce)
        self.register("action", "store", _StoreOnce)


def _add_stack_options(p: argparse.ArgumentParser) -> None:
    # The defaults of stptui.commands.session, written out: importing it here would load the
    # simulator before `--help` could answer.
    p.add_argument("--stage", default="dev", type=_stage, help="stage for $Stage() (default: dev)")
    p.add_argument(
        "--region", default="us-east-1", help="region for $Region() and ARNs (default: us-east-1)"
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


def _parser_validate() -> argparse.ArgumentParser:
    p = _ArgumentParser(
        prog="stptui validate",
        description="Check a Stacktape config; print diagnostics with file:line:col. "
        "Exit 0 without errors, 1 with errors, 2 when the file cannot be read or parsed.",
    )
    p.add_argument("stack", help="stacktape.yml (or a directory holding it)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    _add_stack_options(p)
    return p


def _parser_graph() -> argparse.ArgumentParser:
    p = _ArgumentParser(prog="stptui graph", description="Print the stack's resource graph.")
    p.add_argument("stack", help="stacktape.yml (or a directory holding it)")
    p.add_argument("--format", choices=("text", "mermaid", "dot", "json"), default="text")
    _add_stack_options(p)
    return p


def _parser_open() -> argparse.ArgumentParser:
    p = _ArgumentParser(
        prog="stptui",
        description="Open a Stacktape stack (default: the bundled demo stack).",
        epilog="sub-commands: validate, graph, run, repl, match, schedule. "
        "Run `stptui SUBCOMMAND --help` for each.",
    )
    p.add_argument("stack", nargs="?", help="stacktape.yml (default: the bundled demo stack)")
    p.add_argument("--version", action="version", version=f"stptui {__version__}")
    _add_stack_options(p)
    p.add_argument(
        "--behaviors", metavar="FILE", help="behaviours file (default: stptui.yml by the stack)"
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--start", metavar="TIME", help="ISO instant the clock starts at (default: now)")
    p.add_argument(
        "--allow-code", action="store_true", help="run the Python handlers the behaviours name"
    )
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
    return p


def _parser_run() -> argparse.ArgumentParser:
    p = _ArgumentParser(
        prog="stptui run",
        description="Run a script of commands (one per line, # comments) against a stack on "
        "the simulator. Exit 0 when every line ran, 1 at the first failed `expect` (with "
        "--keep-going: after the last line, when any failed), 2 on a command error or a file "
        "that cannot be read.",
    )
    p.add_argument("stack", help="stacktape.yml (or a directory holding it)")
    p.add_argument("script", help="the script of commands; - reads it from standard input")
    _add_stack_options(p)
    p.add_argument(
        "--behaviors", metavar="FILE", help="behaviours file (default: stptui.yml by the stack)"
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--start", metavar="TIME", help="ISO instant the clock starts at (default: now)")
    p.add_argument("--trace", metavar="FILE", help="write every trace record as JSON Lines")
    p.add_argument(
        "--allow-code", action="store_true", help="run the Python handlers the behaviours name"
    )
    p.add_argument(
        "--keep-going",
        action="store_true",
        help="report every failed `expect` and go on; exit 1 at the end if any failed "
        "(a command error still stops the run)",
    )
    return p


def _parser_repl() -> argparse.ArgumentParser:
    p = _ArgumentParser(
        prog="stptui repl",
        description="An interactive shell over the command language, with completion, "
        "highlighting, history and a status toolbar. When stdin is not a terminal, commands "
        "are read line by line and the exit code is that of `stptui run`: 0, 1 at the first "
        "failed `expect`, 2 on a command error. When stdin is a terminal but stdout is not, a "
        "plain line mode: prompts on stderr, `stptui run`'s output on stdout, and the session "
        "goes on after errors.",
    )
    p.add_argument("stack", help="stacktape.yml (or a directory holding it)")
    _add_stack_options(p)
    p.add_argument(
        "--behaviors", metavar="FILE", help="behaviours file (default: stptui.yml by the stack)"
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--start", metavar="TIME", help="ISO instant the clock starts at (default: now)")
    p.add_argument(
        "--allow-code", action="store_true", help="run the Python handlers the behaviours name"
    )
    p.add_argument("--vi", action="store_true", help="Vi key bindings (default: Emacs)")
    p.add_argument(
        "--confirm-exit",
        action="store_true",
        help="ask before Ctrl-D leaves a session with unsaved commands",
    )
    return p


def _print_error(diag: object) -> None:
    from stptui.config.diagnostics import Diagnostic
    from stptui.textsafe import printable

    assert isinstance(diag, Diagnostic)
    print(printable(diag.format()), file=sys.stderr)


def cmd_validate(argv: Sequence[str]) -> int:
    """`stptui validate`: diagnostics, exit 0 / 1 / 2."""
    args = _parser_validate().parse_args(argv)
    from stptui.config import ConfigError, load_stack
    from stptui.textsafe import printable

    try:
        stack = load_stack(args.stack, stage=args.stage, region=args.region, project=args.project)
    except ConfigError as exc:
        if args.format == "json":
            print(json.dumps([exc.diagnostic.to_json()], indent=2))
        else:
            _print_error(exc.diagnostic)
        return 2
    diags = stack.diagnostics
    if args.format == "json":
        print(json.dumps([d.to_json() for d in diags], indent=2, ensure_ascii=True))
    else:
        for d in diags:
            print(printable(d.format()))
        counts = {s: sum(1 for d in diags if d.severity == s) for s in ("error", "warning", "info")}
        summary = ", ".join(_count(n, s) for s, n in counts.items())
        print(f"{printable(stack.file)}: {_count(len(stack.resources), 'resource')}; {summary}")
    return 1 if stack.errors else 0


def cmd_graph(argv: Sequence[str]) -> int:
    """`stptui graph`: the resource graph as text, Mermaid, DOT or node-link JSON."""
    args = _parser_graph().parse_args(argv)
    from stptui import graph
    from stptui.config import ConfigError, load_stack
    from stptui.textsafe import printable

    try:
        stack = load_stack(args.stack, stage=args.stage, region=args.region, project=args.project)
    except ConfigError as exc:
        _print_error(exc.diagnostic)
        return 2
    g = graph.build_graph(stack)
    exporters: dict[str, Callable[..., str]] = {
        "text": graph.to_text,
        "mermaid": graph.to_mermaid,
        "dot": graph.to_dot,
        "json": graph.to_json,
    }
    out = exporters[args.format](g)
    text = printable(out) if args.format == "text" else out
    print(text, end="" if text.endswith("\n") else "\n")
    if stack.errors:
        # The graph still draws (missing resources are marked), but say that it has errors.
        print(
            f"{len(stack.errors)} error(s) in the config; run `stptui validate "
            f"{printable(str(args.stack))}`",
            file=sys.stderr,
        )
    return 0


def cmd_open(argv: Sequence[str]) -> int:
    """`stptui [STACK]`: the terminal UI on a terminal; otherwise (or with `--no-tui`) the
    graph and the commands, so that piping the output still works."""
    parser = _parser_open()
    args, extra = parser.parse_known_args(argv)
    _check_stack_is_no_subcommand(parser, args.stack)
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    # Checked without a terminal too: `stptui x --start garbage` in CI must not pass.
    speed = _speed_index(args.speed)
    start_ms = _start_ms(args.start, "stptui")
    if speed is None or start_ms is None:
        return 2
    if not args.no_tui and sys.stdin.isatty() and sys.stdout.isatty():
        return _open_tui(args, start_ms, speed)
    from stptui import graph
    from stptui.config import ConfigError, load_stack
    from stptui.textsafe import printable

    path = args.stack or demo_stack_path()
    try:
        stack = load_stack(path, stage=args.stage, region=args.region, project=args.project)
    except ConfigError as exc:
        _print_error(exc.diagnostic)
        return 2
    print(printable(graph.to_text(graph.build_graph(stack))))
    errors = len(stack.errors)
    if errors:
        print(f"\n{errors} error(s) in the config; run `stptui validate {printable(str(path))}`")
    print("\nCommands:")
    for line, what in _next_commands(Path(path)):
        print(f"  {line}\n      {what}")
    return 0


# The instant the sample stacks' demo scripts are written for: their `until` lines name it.
DEMO_START = "2026-01-05T08:00:00Z"


def _next_commands(path: Path) -> list[tuple[str, str]]:
    """What to type next about the stack at `path`, each with what it does: the commands a
    first run without a terminal (CI, a pipe) would otherwise have to find in --help."""
    import shlex

    from stptui.textsafe import printable

    here = shlex.quote(printable(str(path)))
    folder = path if path.is_dir() else path.parent
    demo = folder / "demo.stp"
    if demo.is_file():
        script = f"{shlex.quote(printable(str(demo)))} --start {DEMO_START}"
        run_what = "run the demo script next to it; exit 1 if an `expect` fails"
    else:
        script = "SCRIPT"
        run_what = "run a script of commands (CI); exit 1 if an `expect` fails"
    return [
        (f"stptui validate {here}", "diagnostics with file:line:col"),
        (f"stptui graph {here} --format mermaid", "or dot, json, text: the graph to paste"),
        (f"stptui repl {here}", "drive it: send, advance, show, expect (`help` lists all)"),
        (f"stptui run {here} {script}", run_what),
    ]


def _check_stack_is_no_subcommand(parser: argparse.ArgumentParser, stack: str | None) -> None:
    """Exit 2 when STACK, which names no file, is a sub-command out of place (`stptui --stage
    prod validate x`) or a misspelt one (`stptui valdate x`): else the user reads that the
    file `valdate` cannot be read, or that their real stack is an unrecognized argument."""
    if stack is None or Path(stack).exists():
        return
    if stack in SUBCOMMANDS:
        parser.error(f"put the sub-command first: stptui {stack} ... (options after it)")
    from stptui.config.diagnostics import did_you_mean

    guess = did_you_mean(stack, SUBCOMMANDS)
    if guess is not None:
        parser.error(
            f"no sub-command or stack {stack!r}; did you mean `stptui {guess}`? "
            f"(sub-commands: {', '.join(SUBCOMMANDS)})"
        )


def _start_ms(text: str | None, prog: str) -> int | None:
    """`--start` as epoch ms (the wall clock's whole seconds when absent); None if invalid."""
    import time

    from stptui.sim.clock import InstantRangeError, parse_instant
    from stptui.textsafe import printable

    if text is None:
        # The only use of the wall clock: a default start; whole seconds read better.
        return int(time.time()) * 1000
    try:
        return parse_instant(text)
    except InstantRangeError as exc:
        print(f"{prog}: --start {printable(str(exc))}", file=sys.stderr)
        return None
    except ValueError:
        print(
            f"{prog}: --start {printable(text)!r} is not an ISO-8601 instant "
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


def _open_tui(args: argparse.Namespace, start_ms: int, speed: int) -> int:
    """Open the Textual app on a new session (Textual is imported only here)."""
    from stptui.commands import Session, SessionError
    from stptui.textsafe import printable

    try:
        session = Session.open(
            args.stack or demo_stack_path(),
            behaviors_path=args.behaviors,
            seed=args.seed,
            start_ms=start_ms,
            allow_code=args.allow_code,
            stage=args.stage,
            region=args.region,
            project=args.project,
        )
    except SessionError as exc:
        print(f"stptui: {printable(exc.message)}", file=sys.stderr)
        for diag in exc.diagnostics:
            _print_error(diag)
        return 2
    from stptui.tui.app import StptuiApp

    StptuiApp(session, speed_index=speed).run()
    return 0


def cmd_run(argv: Sequence[str]) -> int:
    """`stptui run`: a script of commands on the simulator, exit 0 / 1 / 2."""
    args = _parser_run().parse_args(argv)
    from stptui.commands.script import ScriptOptions, run_from_files

    start_ms = _start_ms(args.start, "stptui run")
    if start_ms is None:
        return 2
    opts = ScriptOptions(
        stack=args.stack,
        script=args.script,
        start_ms=start_ms,
        behaviors=args.behaviors,
        seed=args.seed,
        trace=args.trace,
        allow_code=args.allow_code,
        stage=args.stage,
        region=args.region,
        project=args.project,
        keep_going=args.keep_going,
    )
    return run_from_files(opts)


def _parser_match() -> argparse.ArgumentParser:
    p = _ArgumentParser(
        prog="stptui match",
        description="Test an EventBridge event pattern against an event and explain why it "
        "matches or not. PATTERN and EVENT are JSON text or @FILE. An EVENT with none of "
        "source, detail-type and detail is read as the detail of an event. Exit 0 on a "
        "match, 1 on no match, 2 when the pattern or the event is invalid.",
    )
    p.add_argument("pattern", help="the event pattern: JSON text or @FILE")
    p.add_argument("event", help="the event, or just its detail: JSON text or @FILE")
    return p


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
            # utf-8-sig: Windows editors start UTF-8 with a byte order mark (RFC 8259 lets
            # a parser ignore it), and json's complaint about it names a codec.
            text = Path(name).read_text(encoding="utf-8-sig")
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
        raise ValueError(f"the {what}{where} is not valid JSON: {exc}{advice}") from None


def cmd_match(argv: Sequence[str]) -> int:
    """`stptui match PATTERN EVENT`: match, explained; exit 0 / 1 / 2."""
    args = _parser_match().parse_args(argv)
    import time
    import uuid

    from stptui.sim import patterns
    from stptui.textsafe import printable

    try:
        pattern = _json_argument(args.pattern, "pattern")
        event = _json_argument(args.event, "event")
        compiled = patterns.compile_pattern(pattern)
        if not isinstance(event, dict):
            raise ValueError("invalid event: it must be a JSON object")
        # Like PutEvents: a fresh id, and the time of the call.
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        event, wrapped = patterns.as_event(event, event_id=str(uuid.uuid4()), time=now)
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
    args = _parser_repl().parse_args(argv)
    start_ms = _start_ms(args.start, "stptui repl")
    if start_ms is None:
        return 2
    from stptui.repl import ReplOptions, main

    return main(
        ReplOptions(
            stack=args.stack,
            start_ms=start_ms,
            behaviors=args.behaviors,
            seed=args.seed,
            allow_code=args.allow_code,
            stage=args.stage,
            region=args.region,
            project=args.project,
            vi=args.vi,
            confirm_exit=args.confirm_exit,
        )
    )


def _parser_schedule() -> argparse.ArgumentParser:
    p = _ArgumentParser(
        prog="stptui schedule",
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
    p.add_argument("-n", type=int, default=5, metavar="N", help="how many fires (default 5)")
    return p


def cmd_schedule(argv: Sequence[str]) -> int:
    """`stptui schedule EXPR [--after T] [-n N]`: the next N fire times."""
    args = _parser_schedule().parse_args(argv)
    import time

    from stptui.sim.clock import MAX_MS, InstantRangeError, parse_instant
    from stptui.sim.schedules import ScheduleError, format_fire_time, parse_schedule
    from stptui.textsafe import printable

    try:
        schedule = parse_schedule(args.expression)
    except ScheduleError as exc:
        print(f"invalid schedule: {printable(str(exc))}", file=sys.stderr)
        return 2
    if args.n < 1:
        print("-n must be at least 1", file=sys.stderr)
        return 2
    try:
        after = parse_instant(args.after) if args.after else int(time.time()) * 1000
    except InstantRangeError as exc:
        print(f"invalid --after: {printable(str(exc))}", file=sys.stderr)
        return 2
    except ValueError:
        print(
            f"invalid --after {printable(args.after)!r}: use an ISO instant such as "
            "2026-01-05T08:00:00Z",
            file=sys.stderr,
        )
        return 2
    t = after
    for _ in range(args.n):
        nxt = schedule.next_after_ms(t, after)
        if nxt is None or nxt > MAX_MS:
            # Past the year 2199, cron's last, or (a rate) past the end of the virtual
            # clock's range: no simulation gets there.
            break
        print(format_fire_time(nxt))
        t = nxt
    if t == after and args.expression.strip().startswith("cron"):
        # Silence would read as a crash or a bug: say that the expression has no fire here
        # (February 30th, a year gone by). Still exit 0: the expression is valid. (A rate()
        # always fires, but past the end of the clock's range, as documented.)
        print(
            f"{printable(args.expression)}: no fire after {format_fire_time(after)} up to "
            "2199, cron's last year",
            file=sys.stderr,
        )
    return 0


SUBCOMMANDS: dict[str, Callable[[Sequence[str]], int]] = {
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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `stptui` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
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
