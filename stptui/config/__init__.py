"""Reading Stacktape configs: safe YAML with positions, directives, the typed model, lint."""
