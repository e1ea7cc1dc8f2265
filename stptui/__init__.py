"""stptui: see and drive a Stacktape stack's background jobs on a deterministic simulator."""

__version__ = "0.1.0"
