"""Modal screens: help, the command line, and the dialogs that build a command line."""
