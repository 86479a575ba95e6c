"""The operator's command line: `fedi serve`, `fedi user`, `fedi group`, `fedi domains` and more."""
