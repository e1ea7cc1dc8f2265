"""The Textual terminal UI (`stptui STACK`).

It renders from the trace and the simulator's query API and changes the simulation only
through `stptui.commands.execute` (design rules 2 and 5); the one exception is the live
clock, which advances the simulator in budgeted slices and logs the equivalent replayable
command (see `stptui.tui.live`). Textual is imported only by the modules of this package
that need it, and the CLI imports this package only when it opens the UI.
"""
