"""The panes and bars of the main screen; each renders from the simulation and the trace."""
