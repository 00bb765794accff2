"""One module per ``skyline`` subcommand; each has ``run(args) -> exit status``."""
