"""One module per ``ember`` subcommand."""
