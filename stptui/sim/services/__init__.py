"""One module per AWS service model; each is driven by the engine and writes the trace."""
